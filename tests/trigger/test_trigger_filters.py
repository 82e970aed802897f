"""Trigger event filters: what each filter lets through, and filters that cannot work."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from plivo_api.errors import InputError
from plivo_api.trigger.filters import (
    MAX_FILTER_ENTRIES,
    MAX_REGEX_CHARS,
    MESSAGE_STATES,
    MessageFilter,
    StateFilter,
    WhatsAppFilter,
    first_word,
)

SENDER = "+14155550123"
RECEIVER = "+14155550100"


def passes(parameters: Mapping[str, object], *, text: str = "Hello", sender: str = SENDER) -> bool:
    verdict = MessageFilter.from_parameters(parameters).check(
        from_number=sender, to_number=RECEIVER, text=text
    )
    assert verdict.matched or verdict.reason  # a refusal always says which filter
    return verdict.matched


def test_no_filters_let_everything_through() -> None:
    assert passes({})
    assert passes({"from_numbers": None, "keyword": "", "contains": "  ", "regex": ""}, text="")


@pytest.mark.parametrize(
    ("written", "sender", "expected"),
    [
        ("+14155550123", SENDER, True),
        ("+1 (415) 555-0123", SENDER, True),
        ("+44 20 7946 0018, +1 415 555 0123", SENDER, True),
        ("+44 20 7946 0018; +1 415 555 0999", SENDER, False),
        ("+14155550123", "+14155550124", False),
        ("12345", "12345", True),  # a short code, as Plivo writes it
        ("acme", "ACME", True),  # an alphanumeric sender ID, any case
        ("ACME", "ACME-2", False),
    ],
)
def test_from_numbers(written: str, sender: str, expected: bool) -> None:
    assert passes({"from_numbers": written}, sender=sender) is expected


def test_to_numbers_compare_the_receiving_number() -> None:
    assert passes({"to_numbers": "+1 415 555 0100"})
    assert not passes({"to_numbers": "+14155550199"})


def test_from_numbers_as_a_list_are_read_too() -> None:
    assert passes({"from_numbers": ["+14155550999", "+14155550123"]})


@pytest.mark.parametrize(
    ("keywords", "text", "expected"),
    [
        ("BOOK", "book a table for two", True),
        ("BOOK", "  Book! tomorrow", True),
        ("book, cancel", "CANCEL my booking", True),
        ("BOOK", "I want to book", False),  # only the first word counts
        ("BOOK", "Booking please", False),  # whole words only
        ("ＢＯＯＫ", "book now", True),  # full-width letters are the same letters
        ("stop", "", False),
    ],
)
def test_keyword_is_the_first_word(keywords: str, text: str, expected: bool) -> None:
    assert passes({"keyword": keywords}, text=text) is expected


@pytest.mark.parametrize(
    ("contains", "text", "expected"),
    [
        ("refund", "I want a REFUND now", True),
        ("refund please", "Refund Please!", True),
        ("refund", "I want my money back", False),
    ],
)
def test_contains_ignores_case(contains: str, text: str, expected: bool) -> None:
    assert passes({"contains": contains}, text=text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"^\d{6}$", "482913", True),
        (r"^\d{6}$", "code 482913", False),
        (r"order #\d+", "about order #123 please", True),
        (r"(?i)^yes\b", "YES please", True),
        (r"^yes\b", "YES please", False),  # case matters unless (?i)
    ],
)
def test_regex_searches_the_text(pattern: str, text: str, expected: bool) -> None:
    assert passes({"regex": pattern}, text=text) is expected


CATASTROPHIC_PATTERNS = [r"^(\w+\s?)*$", r"^(a+)+$", r"(a|aa)*b", r"^(\d*)*x$"]
"""Patterns on which a backtracking engine takes time exponential in the text's length."""


@pytest.mark.timeout(20)  # the old engine needs days for these texts; the timeout ends the wait
@pytest.mark.parametrize("pattern", CATASTROPHIC_PATTERNS)
def test_no_text_can_make_the_regex_filter_backtrack(pattern: str) -> None:
    """The matching engine is not Python's backtracking ``re``, and texts that would make ``re``
    run for longer than the universe has existed are decided at once (no time is measured: with
    a backtracking engine this test never finishes)."""
    regex = MessageFilter.from_parameters({"regex": pattern}).regex
    assert regex is not None and not isinstance(regex.compiled, re.Pattern)
    for text in (
        "a" * 60 + "!",
        "Hello there how are you doing today my friend!",
        "1" * 1600 + "!",
    ):
        assert passes({"regex": pattern}, text=text) is False


def test_the_regex_engine_still_matches_what_people_write() -> None:
    cases = {
        r"(?i)\b(refund|money back)\b": ("I want my MONEY BACK now", "refunded"),
        r"^\s*(yes|y)\s*[.!]*$": ("yes!", "yes please"),
        r"(?P<code>\d{4,8})": ("code 12345", "code 12"),
        r"^[A-Z]{2}\d{3}$": ("AB123", "ab123"),
        r"(?s)start.*end": ("start\nmiddle\nend", "end start"),
    }
    for pattern, (matching, other) in cases.items():
        assert passes({"regex": pattern}, text=matching), pattern
        assert not passes({"regex": pattern}, text=other), pattern


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(?=.*\d)", "(?="),
        (r"(\w)\1", "\\1"),
        (r"^yes\Z", "\\Z"),
    ],
)
def test_an_unusable_pattern_is_refused_saying_why(pattern: str, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        MessageFilter.from_parameters({"regex": pattern})
    message = str(raised.value)
    assert raised.value.parameter == "regex"
    assert reason in message and "RE2" in message and "cannot be used" in message


def test_filters_that_are_set_must_all_match() -> None:
    both = {"from_numbers": SENDER, "keyword": "BOOK"}
    assert passes(both, text="Book it")
    assert not passes(both, text="Cancel it")
    assert not passes(both, text="Book it", sender="+14155550999")


def test_a_refusal_names_the_filter_not_the_message() -> None:
    verdict = MessageFilter.from_parameters({"contains": "refund"}).check(
        from_number=SENDER, to_number=RECEIVER, text="my secret text"
    )
    assert not verdict.matched
    assert "contains" in verdict.reason
    assert "secret" not in verdict.reason and SENDER not in verdict.reason


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"from_numbers": "4155550123"}, "from_numbers"),  # no country code
        ({"to_numbers": "+1 415"}, "to_numbers"),
        ({"regex": "([a-z"}, "regex"),
        ({"regex": "a" * (MAX_REGEX_CHARS + 1)}, "regex"),
        ({"regex": r"(\w)\1"}, "regex"),  # a back-reference needs backtracking
        ({"keyword": "book now"}, "keyword"),
        ({"from_numbers": ",".join(["+14155550123"] * (MAX_FILTER_ENTRIES + 1))}, "from_numbers"),
        ({"contains": "{{#1711.code#}}"}, "contains"),  # an unresolved workflow variable
    ],
)
def test_filters_that_cannot_work_are_refused_by_name(
    parameters: dict[str, object], named: str
) -> None:
    with pytest.raises(InputError) as raised:
        MessageFilter.from_parameters(parameters)
    assert raised.value.parameter == named
    assert named in str(raised.value)


def test_first_word() -> None:
    assert first_word("  ¡Hola! amigo") == "hola"
    assert first_word("... ") == ""
    assert first_word("STOP.") == "stop"


@pytest.mark.parametrize(
    ("chosen", "state", "expected"),
    [
        (None, "queued", True),
        ([], "failed", True),
        (["delivered"], "delivered", True),
        (["delivered"], "undelivered", False),
        (["failed", "undelivered"], "UNDELIVERED", True),
        ("delivered, read", "read", True),
        ("delivered, read", "sent", False),
    ],
)
def test_state_filter(chosen: object, state: str, expected: bool) -> None:
    verdict = StateFilter.from_parameters({"states": chosen}).check(state)
    assert verdict.matched is expected


def test_every_plivo_state_can_be_chosen() -> None:
    chosen = StateFilter.from_parameters({"states": list(MESSAGE_STATES)}).states
    assert chosen == set(MESSAGE_STATES)


@pytest.mark.parametrize("bad", [["delivered", "bounced"], "sent,lost", {"delivered": True}])
def test_unknown_states_are_refused(bad: object) -> None:
    with pytest.raises(InputError) as raised:
        StateFilter.from_parameters({"states": bad})
    assert raised.value.parameter == "states"


# -- whatsapp_received: the message filters plus content_types -----------------------------------


def whatsapp_check(
    parameters: Mapping[str, object], content_type: str, text: str = "Book 2"
) -> bool:
    return (
        WhatsAppFilter.from_parameters(parameters)
        .check(
            from_number="+14155550123",
            to_number="+14155550100",
            text=text,
            content_type=content_type,
        )
        .matched
    )


@pytest.mark.parametrize(
    ("chosen", "content_type", "expected"),
    [
        (None, "media", True),
        ([], "unknown", True),
        (["text", "button"], "button", True),
        (["text", "button"], "media", False),
        ("media, unknown", "unknown", True),
        (["TEXT"], "text", True),
    ],
)
def test_content_types_filter(chosen: object, content_type: str, expected: bool) -> None:
    assert whatsapp_check({"content_types": chosen}, content_type) is expected


def test_whatsapp_filters_must_all_match_and_the_refusal_names_the_filter() -> None:
    parameters = {"content_types": ["button"], "keyword": "book", "from_numbers": "+14155550123"}
    assert whatsapp_check(parameters, "button", "Book it")
    assert not whatsapp_check(parameters, "button", "Cancel")
    verdict = WhatsAppFilter.from_parameters(parameters).check(
        from_number="+14155550123", to_number="+1", text="Book", content_type="text"
    )
    assert (
        not verdict.matched and "content_types" in verdict.reason and "Book" not in verdict.reason
    )


@pytest.mark.parametrize("bad", ["video", ["text", "location"], {"text": True}])
def test_unknown_content_types_are_refused(bad: object) -> None:
    with pytest.raises(InputError, match="content_types") as raised:
        WhatsAppFilter.from_parameters({"content_types": bad})
    assert raised.value.parameter == "content_types"


def test_a_broken_message_filter_of_whatsapp_received_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="regex"):
        WhatsAppFilter.from_parameters({"regex": "("})
