"""The shapes and sentences several tools share: the same thing always has the same name."""

from __future__ import annotations

import pytest

from plivo_api.messaging.numbers import InvalidRecipient
from plivo_api.resources.messages import MessageRecord
from plivo_api.text import listed
from plivo_api.toolkit.present import (
    NO_ERROR,
    error_fields,
    invalid_recipient_fields,
    invalid_summary,
    message_fields,
    plural,
    sentence,
)


@pytest.mark.parametrize("code", [None, "", "000", 0])
def test_no_error_is_four_nulls(code: object) -> None:
    fields = error_fields(code)  # type: ignore[arg-type]
    assert fields == {"error_code": None, "error": None, "advice": None, "retryable": None}
    assert fields is not NO_ERROR  # a copy: callers may extend it


def test_a_known_code_is_explained_in_words() -> None:
    assert error_fields("900", "ignored for known codes") == {
        "error_code": "900",
        "error": "The Plivo account has insufficient credit.",
        "advice": (
            "Add credit in the Plivo console; sends fail for about 2 minutes after this error."
        ),
        "retryable": False,
    }


def test_an_unknown_code_keeps_plivos_words() -> None:
    fields = error_fields("777", "odd failure")
    assert list(fields) == ["error_code", "error", "advice", "retryable"]
    assert fields["error"] == "Unknown error code 777: odd failure"
    assert fields["retryable"] is None


def test_message_fields_are_the_one_message_shape() -> None:
    record = MessageRecord.from_json(
        {
            "message_uuid": "u-1",
            "message_state": "undelivered",
            "error_code": "030",
            "from_number": "14155550100",
            "to_number": "14155550123",
            "message_direction": "outbound",
            "message_type": "sms",
            "units": "2",
            "total_amount": "0.01580",
            "total_rate": "0.00790",
            "message_time": "2026-01-05 10:00:01+00:00",
            "message_sent_time": "2026-01-05 10:00:02+00:00",
        }
    )
    fields = message_fields(record)
    assert list(fields) == [
        "message_uuid",
        "state",
        "state_description",
        "final",
        "error_code",
        "error",
        "advice",
        "retryable",
        "to",
        "from",
        "direction",
        "type",
        "units",
        "total_amount",
        "total_rate",
        "message_time",
        "sent_time",
        "delivered_time",
    ]
    assert (fields["state"], fields["final"], fields["error_code"]) == ("undelivered", True, "30")
    assert fields["state_description"] == "the carrier could not deliver it"
    assert (fields["to"], fields["from"]) == ("+14155550123", "+14155550100")
    assert (fields["units"], fields["total_amount"], fields["total_rate"]) == (2, 0.0158, 0.0079)
    assert fields["delivered_time"] is None


def test_invalid_recipients_keep_what_was_typed() -> None:
    invalid = [InvalidRecipient("123", "too short"), InvalidRecipient("abc", "contains letters")]
    assert invalid_recipient_fields(invalid) == [
        {"input": "123", "reason": "too short"},
        {"input": "abc", "reason": "contains letters"},
    ]
    assert invalid_summary(invalid) == "2 invalid: 123 (too short), abc (contains letters)"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["a"], "a"),
        (["a", "b", "c", "d", "e"], "a, b, c, d, e"),
        (["a", "b", "c", "d", "e", "f", "g"], "a, b, c, d, e and 2 more"),
    ],
)
def test_listed_names_five_then_counts(items: list[str], expected: str) -> None:
    assert listed(items) == expected


def test_listed_takes_its_own_limit() -> None:
    assert listed(["a", "b", "c"], 1) == "a and 2 more"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a  b\n c", "a b c."), ("Done.", "Done."), ("Why?", "Why?"), (" x ", "x.")],
)
def test_sentence_collapses_spaces_and_ends_with_a_stop(text: str, expected: str) -> None:
    assert sentence(text) == expected


@pytest.mark.parametrize(
    ("count", "noun", "form", "expected"),
    [
        (1, "segment", None, "1 segment"),
        (2, "segment", None, "2 segments"),
        (0, "recipient", None, "0 recipients"),
        (3, "country", "countries", "3 countries"),
    ],
)
def test_plural(count: int, noun: str, form: str | None, expected: str) -> None:
    assert plural(count, noun, form) == expected
