"""Destination parsing: what users and agents type → E.164, with a reason for every rejection."""

from __future__ import annotations

import time

import pytest

from plivo_api.errors import InputError
from plivo_api.messaging import numbers
from plivo_api.messaging.numbers import (
    MAX_RECIPIENTS,
    REASON_NO_COUNTRY_CODE,
    REASON_UNRESOLVED,
    InvalidNumberError,
    InvalidRecipient,
    Recipients,
    is_mms_capable,
    normalize_number,
    parse_recipients,
    parse_region,
    region_code,
    split_destinations,
)

US = "+14155552671"
GB = "+442079460018"
EXTENSION = "has an extension (SMS cannot be sent to extensions)"
LETTERS = "contains letters (write the number with digits only)"
FULLWIDTH_US = "\uff0b\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff12\uff16\uff17\uff11"
# full-width "+1 (415) 555-2671": plus, brackets and hyphen are full-width too
FULLWIDTH_US_FORMATTED = (
    "\uff0b\uff11 \uff08\uff14\uff11\uff15\uff09 \uff15\uff15\uff15\uff0d\uff12\uff16\uff17\uff11"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+14155552671", US),
        ("+1 415 555 2671", US),
        ("+1 (415) 555-2671", US),
        ("+1.415.555.2671", US),
        ("  +1-415-555-2671  ", US),
        ("(+1) 415 555 2671", US),
        ("+1 415\u2013555\u20142671", US),  # en and em dashes
        ("+44 20 7946 0018", GB),
        ("+44 (0)20 7946 0018", GB),
        ("0044 20 7946 0018", GB),
        ("00 44 20 7946 0018", GB),
        ("011 44 20 7946 0018", GB),
        ("14155552671", US),  # country-code-first, as Plivo reads it
        ("442079460018", GB),
        ("tel:+1-415-555-2671", US),
        ("TEL:+14155552671", US),
        ("\u200e+1 415 555 2671\u200f", US),  # direction marks from copy-paste
        ("\ufeff+14155552671", US),  # byte order mark
        (FULLWIDTH_US, US),
        (FULLWIDTH_US_FORMATTED, US),
        (
            "+\u0669\u0667\u0661\u0665\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
            "+971501234567",
        ),
        (
            "\u06f0\u06f0\u06f9\u06f8\u06f9\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
            "+989123456789",
        ),
        (
            "+\u096f\u0967 \u096f\u096e\u096d\u096c\u096b \u096a\u0969\u0968\u0967\u0966",
            "+919876543210",
        ),
        ("+1 604 555 0100", "+16045550100"),
        ("+49 30 12345678", "+493012345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+81 90-1234-5678", "+819012345678"),
        ("+55 11 91234-5678", "+5511912345678"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+91 98765 43210", "+919876543210"),
    ],
)
def test_international_numbers_normalise_to_e164(raw: str, expected: str) -> None:
    assert normalize_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("020 7946 0018", "GB", GB),
        ("07400 123456", "GB", "+447400123456"),
        ("0114 496 0123", "GB", "+441144960123"),  # Sheffield: 011 is national here
        ("030 12345678", "DE", "+493012345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("98765 43210", "IN", "+919876543210"),
        ("098765 43210", "IN", "+919876543210"),
        ("011 2345 6789", "IN", "+911123456789"),  # Delhi: 011 is national here
        ("(415) 555-2671", "US", US),
        ("415.555.2671", "US", US),
        ("1-415-555-2671", "US", US),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("020 7946 0018", " gb ", GB),  # region is trimmed and case-insensitive
        ("020 7946 0018", "UK", GB),  # ISO's reserved code for the United Kingdom
    ],
)
def test_national_numbers_read_in_default_country(raw: str, region: str, expected: str) -> None:
    assert normalize_number(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415 555 2671", "DE", US),
        ("+44 20 7946 0018", "US", GB),
        ("0044 20 7946 0018", "US", GB),  # US dials 011, but 00 is still international
        ("00 1 415 555 2671", "FR", US),
        ("011 44 20 7946 0018", "US", GB),
        ("011 44 20 7946 0018", "CA", GB),
        ("011 44 20 7946 0018", "GB", GB),  # not a valid GB national number → NANP prefix
        ("0011 44 20 7946 0018", "AU", GB),  # the region's own international prefix
        ("442079460018", "GB", GB),  # country code typed without '+'
    ],
)
def test_international_prefix_wins_over_default_country(
    raw: str, region: str, expected: str
) -> None:
    assert normalize_number(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("", None, "empty"),
        ("   ", None, "empty"),
        ("\u200b", None, "empty"),
        ("+1 415 555 2671 ext. 12", None, EXTENSION),
        ("+1 415 555 2671 x12", None, EXTENSION),
        ("+14155552671#12", None, EXTENSION),
        ("+44 20 7946 0018 extension 5", "FR", EXTENSION),
        ("(415) 555-2671 ext 3", "US", EXTENSION),
        ("1-800-FLOWERS", "US", LETTERS),
        ("+1 800 FLOWERS", None, LETTERS),
        ("John", None, LETTERS),
        ("x12", None, LETTERS),
        ("+1 415 555 267", None, "too short"),
        ("+44 20", None, "too short"),
        ("1", None, "too short"),
        ("12345678", None, "too short"),
        ("555 2671", "US", "too short for US (area code missing?)"),
        ("+1 415 555 26712", None, "too long"),
        ("+1234567890123456789012", None, "too long"),
        ("1" * 65, None, "too long"),
        ("+4930123456789012", None, "too long for Plivo (at most 14 digits)"),
        ("+999 1234 5678", None, "unknown country code"),
        ("+1 555 555 5555", None, "not a valid number for US"),
        ("555 555 5555", "US", "not a valid number for US"),
        ("020 7946 0018", None, "national number without a country code"),
        ("+", None, "not a phone number"),
        ("---", None, "not a phone number"),
        ("()", "US", "not a phone number"),
        ("1+4155552671", None, "not a phone number"),
        ("+1 415 555 2671*", None, "not a phone number"),
        ("+14155552671@example.com", None, LETTERS),
        ("+1415\x005552671", None, "contains control characters"),
        ("+1415\x1b5552671", None, "contains control characters"),
    ],
)
def test_unusable_numbers_raise_with_reason(raw: str, region: str | None, reason: str) -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number(raw, region)
    assert caught.value.reason.startswith(reason)
    assert caught.value.parameter == "to"


def test_invalid_number_error_names_input_and_fix() -> None:
    with pytest.raises(InputError) as caught:
        normalize_number("+1 555 555 5555")
    message = str(caught.value)
    assert message.startswith("to: '+1 555 555 5555' is not a usable phone number")
    assert "not a valid number for US" in message
    assert "+14155552671" in message  # the example of the fix


@pytest.mark.parametrize(
    "raw", ["07400 123456", "020 7946 0018", "4155552671", "(415) 555-2671", "415.555.2671"]
)
def test_a_number_without_country_code_says_to_add_it_or_ask_the_user(raw: str) -> None:
    """The agent cannot change the tool's settings: the fix it can act on is asking the user."""
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number(raw)
    for text in (caught.value.reason, str(caught.value)):
        assert "country code" in text
        assert "ask the user" in text
        assert "default_country" not in text


def test_a_number_without_country_code_is_read_in_the_default_country() -> None:
    for written in ("4155552671", "(415) 555-2671", "415.555.2671"):
        assert parse_recipients(written, "US").valid == (US,)
    assert parse_recipients("4155552671").invalid[0].reason == (
        "no valid country code: if it is a US number, write it as +1 415-555-2671; if it is from "
        "elsewhere, use + and its country code, or ask the user"
    )
    assert parse_recipients("123456789").invalid[0].reason == REASON_NO_COUNTRY_CODE


# -- the number as the user most likely meant it ---------------------------------------------


def test_a_national_number_suggests_the_likely_country_instead_of_a_stock_example() -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number("0207 946 0030")
    assert caught.value.reason == (
        "national number without a country code: if it is a GB number, write it as "
        "+44 20 7946 0030; if it is from elsewhere, use + and its country code, or ask the user"
    )
    assert "7946 0018" not in str(caught.value)  # the old stock example


@pytest.mark.parametrize(
    ("raw", "region", "reading"),
    [
        ("447400123456", "US", "if it is a GB number, write it as +44 7400 123456"),
        ("0207 946 0030", "US", "if it is a GB number, write it as +44 20 7946 0030"),
        ("14155552671", "GB", "if it is a US number, write it as +1 415-555-2671"),
    ],
)
def test_too_long_under_a_default_country_suggests_the_number_from_elsewhere(
    raw: str, region: str, reading: str
) -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number(raw, region)
    assert caught.value.reason == (
        f"too long for a {region} number: {reading}; if it is from elsewhere, use + and its "
        "country code, or ask the user"
    )


def test_too_long_under_a_default_country_without_a_reading_says_to_add_the_country_code() -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number("1415555267199", "US")
    assert caught.value.reason == (
        "too long for a US number: check the digits; if it is from another country, write it "
        "with + and the country code"
    )


def test_every_likely_reading_is_offered_when_several_are_valid() -> None:
    reason = parse_recipients("2079460018").invalid[0].reason
    assert reason == (
        "no valid country code: if it is a US number, write it as +1 207-946-0018; if a GB "
        "number, as +44 20 7946 0018; if it is from elsewhere, use + and its country code, or "
        "ask the user"
    )


@pytest.mark.parametrize(("raw", "region"), [("09876543210", None), ("+44 207 946 003", None)])
def test_no_guess_without_a_valid_reading_or_against_an_explicit_country_code(
    raw: str, region: str | None
) -> None:
    with pytest.raises(InvalidNumberError) as caught:
        normalize_number(raw, region)
    assert " write it as " not in caught.value.reason
    assert "7946 0018" not in caught.value.reason


@pytest.mark.parametrize(
    "reason",
    [
        value
        for name, value in vars(numbers).items()
        if name.startswith("REASON_") and isinstance(value, str)
    ],
)
def test_no_reason_tells_an_agent_to_change_a_setting(reason: str) -> None:
    assert "default_country" not in reason
    assert "setting" not in reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 415 555 2671", ["+1 415 555 2671"]),
        ("+14155552671 +442079460018", ["+14155552671", "+442079460018"]),
        ("+1 415 555 2671 +44 20 7946 0018", ["+1 415 555 2671", "+44 20 7946 0018"]),
        ("020 7946 0018", ["020 7946 0018"]),
        ("14155552671 442079460018", ["14155552671", "442079460018"]),
        ("14155552671  442079460018\t16045550100", ["14155552671", "442079460018", "16045550100"]),
        ("4155552671 555 0100", ["4155552671 555 0100"]),  # one short piece → one number
        ("+1 415 555 2671 ext. 12", ["+1 415 555 2671 ext. 12"]),
        ("(+44) 20 7946 0018", ["(+44) 20 7946 0018"]),
        ("a,b;c\nd\r\ne<f", ["a", "b", "c", "d", "e", "f"]),
        ("a\uff0cb\uff1bc\u3001d\u060ce\u061bf", ["a", "b", "c", "d", "e", "f"]),
        ("+1\u3000\uff0b2", ["+1", "\uff0b2"]),  # ideographic space before full-width plus
        (" , ;; \n <<  ", []),
        ("", []),
        ("   ", []),
        ("  +14155552671  ,  ", ["+14155552671"]),
        ("+14155552671 and +442079460030", ["+14155552671", "+442079460030"]),
        ("+14155552671 or +442079460030", ["+14155552671", "+442079460030"]),
        ("+14155552671 & +442079460030", ["+14155552671", "+442079460030"]),
        ("+14155552671 plus +442079460030", ["+14155552671", "+442079460030"]),
        ("+14155552671 AND +442079460030", ["+14155552671", "+442079460030"]),
        ("Mobile: +14155552671", ["+14155552671"]),
        ("Work phone: 020 7946 0018, Home: +1 415 555 2671", ["020 7946 0018", "+1 415 555 2671"]),
        ('"+14155552671"', ["+14155552671"]),
        ("'+14155552671', \u201c+442079460030\u201d", ["+14155552671", "+442079460030"]),
    ],
)
def test_split_destinations_separates_numbers_and_drops_labels_and_quotes(
    raw: str, expected: list[str]
) -> None:
    assert split_destinations(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "valid"),
    [
        ("+1 415 555 2671", None, (US,)),
        ("+14155552671 +442079460018", None, (US, GB)),
        ("14155552671 442079460018", None, (US, GB)),
        ("020 7946 0018", "GB", (GB,)),
        ("+1 415 555 2671 +44 20 7946 0018", None, (US, GB)),
        ("14155552671<442079460018", None, (US, GB)),
    ],
)
def test_whitespace_separates_only_whole_numbers(
    raw: str, region: str | None, valid: tuple[str, ...]
) -> None:
    result = parse_recipients(raw, region)
    assert result == Recipients(valid=valid, invalid=())


def test_duplicates_in_mixed_formats_collapse_and_order_is_kept() -> None:
    raw = (
        "+44 20 7946 0018, (415) 555-2671; +1 415 555 2671\n14155552671 < 001 415 555 2671,"
        f"{FULLWIDTH_US}, 020 7946 0018, +16045550100"
    )
    result = parse_recipients(raw, "US")
    assert result.valid == (GB, US, "+16045550100")
    # "020 7946 0018" is not a US number; it is reported, not merged with the GB one.
    [invalid] = result.invalid
    assert invalid.input == "020 7946 0018"
    assert invalid.reason.startswith(
        "too long for a US number: if it is a GB number, write it as +44 20 7946 0018;"
    )


def test_recipients_keep_first_seen_order() -> None:
    raw = "+16045550100, +14155552671, +442079460018, +14155552671"
    assert parse_recipients(raw).valid == ("+16045550100", US, GB)


def test_invalid_entries_are_reported_once_with_original_text() -> None:
    result = parse_recipients("+1 415 555 2671, John, +999 12, John, +1 415 555 2671 x7")
    assert result.valid == (US,)
    assert result.invalid == (
        InvalidRecipient("John", LETTERS),
        InvalidRecipient("+999 12", "unknown country code"),
        InvalidRecipient("+1 415 555 2671 x7", EXTENSION),
    )


@pytest.mark.parametrize("raw", ["", "   ", ",", " ;, \n<", "\n\n\n"])
def test_empty_input_gives_no_recipients(raw: str) -> None:
    assert parse_recipients(raw) == Recipients(valid=(), invalid=())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1" * 10_000, "too long"),
        ("a" * 10_000, "too long"),
        ("\x00" * 10_000, "too long"),
        ("1," * 5_000, "too short"),
        ("+1 " * 5_000, "too short"),
        ("\x00,\x01;\x02", "contains control characters"),
        ("#" * 10_000, "too long"),
        ("#,*", "not a phone number"),
    ],
)
def test_huge_or_hostile_input_is_reported_not_crashing(raw: str, reason: str) -> None:
    started = time.perf_counter()
    result = parse_recipients(raw)
    assert time.perf_counter() - started < 1.0
    assert result.valid == ()
    assert result.invalid
    assert result.invalid[0].reason == reason
    assert all(len(r.input) <= 61 for r in result.invalid)  # huge input is shortened


def test_control_character_entry_is_reported() -> None:
    result = parse_recipients("+1415\x005552671, +442079460018")
    assert result.valid == (GB,)
    assert result.invalid == (InvalidRecipient("+1415\x005552671", "contains control characters"),)


def test_more_than_max_recipients_parse_fast_and_are_all_returned() -> None:
    count = MAX_RECIPIENTS + 200
    raw = "\n".join(f"(415) 555-{i:04d}" for i in range(count))
    started = time.perf_counter()
    result = parse_recipients(raw, "US")
    elapsed = time.perf_counter() - started
    assert len(result.valid) == count
    assert result.valid[0] == "+14155550000"
    assert result.valid[-1] == f"+1415555{count - 1:04d}"
    assert elapsed < 0.5  # ~40 ms measured; generous for slow CI


def test_repeated_numbers_are_cheap() -> None:
    raw = ", ".join(["+1 415 555 2671"] * 20_000)
    started = time.perf_counter()
    assert parse_recipients(raw).valid == (US,)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        ("  gb ", "GB"),
        ("In", "IN"),
        ("UK", "GB"),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_region_accepts_iso_codes_in_any_case(
    value: str | None, expected: str | None
) -> None:
    assert parse_region(value) == expected


@pytest.mark.parametrize(
    "value", ["USA", "U", "ZZ", "XX", "001", "United States", "\uff35\uff53", "U S"]
)
def test_parse_region_rejects_with_fix(value: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_region(value)
    assert caught.value.parameter == "default_country"
    message = str(caught.value)
    assert message.startswith("default_country: ")
    assert "use a two-letter ISO 3166 code such as US, GB or IN" in message


def test_parse_region_names_the_given_parameter() -> None:
    with pytest.raises(InputError) as caught:
        parse_region("Narnia", parameter="country")
    assert caught.value.parameter == "country"
    assert str(caught.value).startswith("country: 'Narnia'")


def test_bad_default_country_is_an_input_error_not_a_recipient() -> None:
    with pytest.raises(InputError) as caught:
        parse_recipients("+14155552671", "XX")
    assert not isinstance(caught.value, InvalidNumberError)
    assert caught.value.parameter == "default_country"
    with pytest.raises(InputError):
        normalize_number("+14155552671", "Britain")


@pytest.mark.parametrize(
    ("number", "region"),
    [
        (US, "US"),
        ("14155552671", "US"),  # Plivo's digits-only form
        ("+16045550100", "CA"),
        (GB, "GB"),
        ("+919876543210", "IN"),
        ("+80012345678", None),  # international freephone: no country
        ("+15555555555", None),  # invalid
        ("not a number", None),
        ("", None),
    ],
)
def test_region_code_of_a_number(number: str, region: str | None) -> None:
    assert region_code(number) == region


@pytest.mark.parametrize(
    ("number", "capable"),
    [(US, True), ("+16045550100", True), (GB, False), ("+919876543210", False), ("+1", False)],
)
def test_only_us_and_canadian_numbers_take_mms(number: str, capable: bool) -> None:
    assert is_mms_capable(number) is capable


# -- how people and agents join several numbers ------------------------------------------------


@pytest.mark.parametrize("joiner", ["and", "or", "&", "plus", "And"])
def test_numbers_joined_by_a_word_are_all_recipients(joiner: str) -> None:
    result = parse_recipients(f"+14155552671 {joiner} +442079460030")
    assert result == Recipients(valid=(US, "+442079460030"), invalid=())


@pytest.mark.parametrize(
    "raw",
    [
        "Mobile: +14155552671",
        "mobile:+14155552671",
        "Cell phone: +1 (415) 555-2671",
        "Tel: +14155552671",
    ],
)
def test_a_label_before_a_number_is_dropped_not_reported(raw: str) -> None:
    assert parse_recipients(raw) == Recipients(valid=(US,), invalid=())


@pytest.mark.parametrize(
    "raw",
    ['"+14155552671"', "'+14155552671'", "\u201c+14155552671\u201d", "`+14155552671`"],
)
def test_quotes_around_a_number_are_removed(raw: str) -> None:
    assert parse_recipients(raw) == Recipients(valid=(US,), invalid=())


def test_an_unresolved_workflow_variable_is_reported_as_such() -> None:
    result = parse_recipients("+14155552671, {{#1711.phone#}}")
    assert result.valid == (US,)
    assert result.invalid == (InvalidRecipient("{{#1711.phone#}}", REASON_UNRESOLVED),)
    assert "unresolved workflow variable" in REASON_UNRESOLVED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1. +14155552671\n2. +442079460030", ["+14155552671", "+442079460030"]),
        ("- +14155552671\n• +442079460030", ["+14155552671", "+442079460030"]),
        ("Tel. +14155552671", ["+14155552671"]),
        ("Mobile +14155552671", ["+14155552671"]),
        ("Phone 1: +14155552671", ["+14155552671"]),
        ("Mr. Smith: +14155552671", ["+14155552671"]),
        ("+14155552671 y +442079460030", ["+14155552671", "+442079460030"]),
        ("+14155552671 \uff06 +442079460030", ["+14155552671", "+442079460030"]),
        ("(415) 555-2671", ["(415) 555-2671"]),
    ],
)
def test_list_markers_labels_and_other_languages_conjunctions_are_not_recipients(
    raw: str, expected: list[str]
) -> None:
    assert split_destinations(raw) == expected


def test_a_word_alone_is_still_reported_as_not_a_number() -> None:
    recipients = parse_recipients("John, +14155552671", "US")
    assert recipients.valid == ("+14155552671",)
    assert [i.input for i in recipients.invalid] == ["John"]


def test_a_reason_that_already_says_how_to_write_it_is_not_repeated() -> None:
    with pytest.raises(InputError) as caught:
        normalize_number("4155552671")
    assert "international format" not in caught.value.message
    assert caught.value.message.count("write it") == 1
