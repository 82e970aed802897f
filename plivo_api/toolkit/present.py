"""The shapes and sentences several tools share, so the same thing always has the same name.

Every key written here is in the README's Outputs glossary; a test fails on any key outside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..messaging.error_codes import describe_error_code
from ..messaging.numbers import InvalidRecipient
from ..messaging.states import describe_state
from ..text import listed
from ..transport.jsonvalues import as_number

if TYPE_CHECKING:  # paging imports this module, and the resources import paging
    from ..resources.messages import MessageRecord

"""How many recipients, problems or networks a one-line summary names before "and N more"."""

NO_ERROR: dict[str, object] = {"error_code": None, "error": None, "advice": None, "retryable": None}


def error_fields(error_code: str | None, plivo_text: str | None = None) -> dict[str, object]:
    """``error_code``, ``error`` (its meaning), ``advice``, ``retryable``; null without an error."""
    info = describe_error_code(error_code, plivo_text)
    if info is None:
        return dict(NO_ERROR)
    return {
        "error_code": info.code,
        "error": info.meaning,
        "advice": info.advice,
        "retryable": info.retryable,
    }


def message_fields(record: MessageRecord) -> dict[str, object]:
    """One message as get_message returns it and as every list_messages row is."""
    return {
        "message_uuid": record.message_uuid,
        "state": record.state,
        "state_description": describe_state(record.state),
        "final": record.final,
        **error_fields(record.error_code, record.error_text),
        "to": record.to_number,
        "from": record.from_number,
        "direction": record.direction,
        "type": record.message_type,
        "units": record.units,
        "total_amount": as_number(record.total_amount),
        "total_rate": as_number(record.total_rate),
        "message_time": record.message_time,
        "sent_time": record.sent_time,
        "delivered_time": record.delivered_time,
    }


def invalid_recipient_fields(invalid: Iterable[InvalidRecipient]) -> list[dict[str, str]]:
    return [{"input": i.input, "reason": i.reason} for i in invalid]


def invalid_summary(invalid: Sequence[InvalidRecipient]) -> str:
    """``2 invalid: 12345 (too short), +4420 (wrong length for GB)``."""
    return f"{len(invalid)} invalid: " + listed([f"{i.input} ({i.reason})" for i in invalid])


def sentence(text: str) -> str:
    """Collapse whitespace and end with a full stop, so joined parts read as sentences."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


__all__ = [
    "NO_ERROR",
    "error_fields",
    "invalid_recipient_fields",
    "invalid_summary",
    "message_fields",
    "plural",
    "sentence",
]
