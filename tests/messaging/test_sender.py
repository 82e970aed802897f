"""Sender classification (number, short code, alphanumeric ID, Powerpack) and its source."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.messaging.sender import (
    ALPHANUMERIC_MAX_LENGTH,
    NO_SENDER_MESSAGE,
    SHORT_CODE_DIGITS,
    Sender,
    parse_sender,
    resolve_sender,
)

UUID = "1b2c3d4e-0000-4000-8000-00000000000a"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+14155550100", None, Sender("number", "+14155550100")),
        ("+1 (415) 555-0100", None, Sender("number", "+14155550100")),
        ("14155550100", None, Sender("number", "+14155550100")),  # country-code-first
        ("0044 20 7946 0018", None, Sender("number", "+442079460018")),
        ("(415) 555-0100", "US", Sender("number", "+14155550100")),
        ("020 7946 0018", "GB", Sender("number", "+442079460018")),
        ("020 7946 0018", "gb", Sender("number", "+442079460018")),
        (
            "\uff0b\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff10\uff10",
            None,
            Sender("number", "+14155550100"),
        ),
        ("123", None, Sender("short_code", "123")),
        ("12345", None, Sender("short_code", "12345")),
        ("12345678", None, Sender("short_code", "12345678")),
        ("12345678", "DK", Sender("short_code", "12345678")),  # bare digits stay a short code
        (" 54321 ", "US", Sender("short_code", "54321")),
        ("\uff15\uff14\uff13\uff12\uff11", None, Sender("short_code", "54321")),  # full-width
        ("ACME", None, Sender("alphanumeric", "ACME")),
        ("Acme Ltd", None, Sender("alphanumeric", "AcmeLtd")),
        ("ACME-SMS", None, Sender("alphanumeric", "ACMESMS")),
        ("HelloWorld1", None, Sender("alphanumeric", "HelloWorld1")),  # exactly 11
        ("Hello-World-1!", None, Sender("alphanumeric", "HelloWorld1")),  # 11 after stripping
        ("\uff21\uff23\uff2d\uff25", None, Sender("alphanumeric", "ACME")),  # full-width letters
        ("Caf\u00e9", None, Sender("alphanumeric", "Caf")),  # Plivo drops non-ASCII letters
        ("1-800-FLOWERS", None, Sender("alphanumeric", "1800FLOWERS")),
        ("A", None, Sender("alphanumeric", "A")),
        (UUID, None, Sender("powerpack", UUID)),
        (UUID.upper(), None, Sender("powerpack", UUID)),
        (f"  {UUID}  ", "US", Sender("powerpack", UUID)),
    ],
)
def test_parse_sender_classifies_every_kind(raw: str, region: str | None, expected: Sender) -> None:
    assert parse_sender(raw, region) == expected


@pytest.mark.parametrize(
    ("sender", "fields"),
    [
        (Sender("number", "+14155550100"), {"src": "14155550100"}),
        (Sender("short_code", "12345"), {"src": "12345"}),
        (Sender("alphanumeric", "ACMESMS"), {"src": "ACMESMS"}),
        (Sender("powerpack", UUID), {"powerpack_uuid": UUID}),
    ],
)
def test_request_fields_hold_exactly_one_of_src_and_powerpack(
    sender: Sender, fields: dict[str, str]
) -> None:
    assert sender.request_fields() == fields


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        (Sender("number", "+14155550100"), "+14155550100"),
        (Sender("short_code", "12345"), "short code 12345"),
        (Sender("alphanumeric", "ACME"), "ACME"),
        (Sender("powerpack", UUID), "powerpack 1b2c3d4e…"),
    ],
)
def test_display_names_the_sender_kind(sender: Sender, text: str) -> None:
    assert sender.display() == text


def test_alphanumeric_limit_message_names_parameter_length_and_rule() -> None:
    with pytest.raises(InputError) as caught:
        parse_sender("ACME-SMS-LTD-2024")
    assert caught.value.parameter == "from_number"
    assert str(caught.value).startswith(
        "from_number: 'ACME-SMS-LTD-2024' is 14 characters after removing punctuation; "
        "alphanumeric sender IDs are at most 11 characters (Plivo strips everything but letters "
        "and digits)"
    )


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("HelloWorld12", "is 12 characters after removing punctuation"),
        ("A" * (ALPHANUMERIC_MAX_LENGTH + 1), "is 12 characters"),
        ("\u00e9-123", "has no letter A-Z left"),
        ("\u00c0\u00c9\u00ce", "has no letter A-Z left"),
        ("12", "has 2 digits; short codes have 3-8 digits"),
        ("1", "has 1 digits"),
        ("123456789", "is not a usable sender number: no valid country code"),
        ("+1 555 555 5555", "is not a usable sender number: not a valid number for US"),
        ("+1 800 FLOWERS", "is not a usable sender number: contains letters"),
        ("+1 415 555 0100 ext 2", "has an extension"),
        ("020 7946 0018", "national number without a country code"),
        ("---", "not a phone number"),
        ("", "the sender is empty"),
        ("   ", "the sender is empty"),
        (UUID + "0", "characters after removing punctuation"),  # not a UUID, too long for an ID
    ],
)
def test_parse_sender_rejects_with_parameter_and_fix(raw: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_sender(raw)
    message = str(caught.value)
    assert caught.value.parameter == "from_number"
    assert message.startswith("from_number: ")
    assert fragment in message


def test_number_errors_list_the_accepted_kinds() -> None:
    with pytest.raises(InputError) as caught:
        parse_sender("+999 1234 5678")
    message = str(caught.value)
    assert "unknown country code" in message
    for hint in ("+14155550100", "short code (3-8 digits)", "up to 11 letters", "Powerpack UUID"):
        assert hint in message


def test_parse_sender_uses_the_given_parameter_name() -> None:
    with pytest.raises(InputError) as caught:
        parse_sender("TooLongSenderName", parameter="default_sender")
    assert caught.value.parameter == "default_sender"
    assert str(caught.value).startswith("default_sender: ")


def test_bad_default_country_is_reported_for_number_senders() -> None:
    with pytest.raises(InputError) as caught:
        parse_sender("(415) 555-0100", "USA")
    assert caught.value.parameter == "default_country"


@pytest.mark.parametrize("length", range(SHORT_CODE_DIGITS[0], SHORT_CODE_DIGITS[1] + 1))
def test_every_short_code_length_is_a_short_code(length: int) -> None:
    digits = "9" * length
    assert parse_sender(digits) == Sender("short_code", digits)


def test_more_than_eight_digits_are_read_as_a_number() -> None:
    assert parse_sender("442079460018") == Sender("number", "+442079460018")


@pytest.mark.parametrize(
    ("explicit", "default", "expected"),
    [
        ("+14155550100", "ACME", Sender("number", "+14155550100")),
        ("ACME", "+14155550100", Sender("alphanumeric", "ACME")),
        ("ACME", "This default is far too long", Sender("alphanumeric", "ACME")),  # not parsed
        (None, "+14155550100", Sender("number", "+14155550100")),
        ("", "ACME", Sender("alphanumeric", "ACME")),
        ("   ", UUID, Sender("powerpack", UUID)),
        ("12345", None, Sender("short_code", "12345")),
    ],
)
def test_resolve_sender_precedence(
    explicit: str | None, default: str | None, expected: Sender
) -> None:
    assert resolve_sender(explicit, default) == expected


def test_resolve_sender_applies_default_country_to_either_source() -> None:
    assert resolve_sender("020 7946 0018", None, "GB") == Sender("number", "+442079460018")
    assert resolve_sender(None, "020 7946 0018", "GB") == Sender("number", "+442079460018")


@pytest.mark.parametrize(
    ("explicit", "default"), [(None, None), ("", ""), ("  ", "\n"), (None, "")]
)
def test_resolve_sender_without_any_sender(explicit: str | None, default: str | None) -> None:
    with pytest.raises(InputError) as caught:
        resolve_sender(explicit, default)
    assert caught.value.parameter == "from_number"
    message = str(caught.value)
    assert message == NO_SENDER_MESSAGE
    assert message.startswith(
        "No sender: set 'From number' in this tool's settings, or 'Default sender' in the Plivo "
        "SMS plugin credentials (Plugins > Plivo SMS > Authorize)."
    )
    # The sender is the builder's choice, never the agent's: it is told to ask, not to invent one.
    assert "if you are an assistant, tell the user" in message


def test_bad_default_sender_is_blamed_on_default_sender() -> None:
    with pytest.raises(InputError) as caught:
        resolve_sender(None, "ACME-SMS-LTD-2024")
    assert caught.value.parameter == "default_sender"
    assert str(caught.value).startswith("default_sender: 'ACME-SMS-LTD-2024' is 14 characters")


def test_bad_explicit_sender_is_blamed_on_from_number() -> None:
    with pytest.raises(InputError) as caught:
        resolve_sender("12", "ACME")
    assert caught.value.parameter == "from_number"
