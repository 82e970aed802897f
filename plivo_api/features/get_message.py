"""get_message: the delivery state of one message, optionally waiting for a final state.

Message UUIDs are canonical 8-4-4-4-12 hexadecimal UUIDs. A malformed one can never match, and
its 404 would read as "no such message" although the real fault is a typo or a truncated copy, so
the shape is checked locally and the error says what is wrong with it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..connect import client_for
from ..credentials import Credentials
from ..errors import InputError
from ..params import Limits, NumberRange, Params
from ..polling import MAX_WAIT_SECONDS, MessageStatus, bounded_fetch, read_message
from ..present import error_fields, message_fields, sentence
from ..sender import UUID_PATTERN
from ..states import STATE_UNKNOWN, describe_state
from ..text import shorten
from . import Invocation, ToolOutput

WAIT_LIMIT: Final = NumberRange(0, MAX_WAIT_SECONDS, 0)
LIMITS: Limits = {"wait_seconds": WAIT_LIMIT}
EXAMPLE_UUID: Final = "5f0e4a8c-0000-4000-8000-00000000000a"

_HEX = re.compile(r"[0-9a-f]+")
_UUID_GROUPS = (8, 4, 4, 4, 12)


def parse_message_uuid(value: str | None, parameter: str = "message_uuid") -> str:
    """A canonical lower-case UUID, or an :class:`InputError` saying what is wrong with it."""
    text = (value or "").strip().strip("\"'").strip().lower()
    if not text:
        raise InputError(
            parameter,
            f"{parameter} is required: pass a Plivo message UUID such as {EXAMPLE_UUID} "
            "(send_sms returns them in message_uuids).",
        )
    if UUID_PATTERN.fullmatch(text):
        return text
    if len(text) == sum(_UUID_GROUPS) and _HEX.fullmatch(text):
        # The same UUID without its dashes (some logs and spreadsheets drop them).
        cuts = [sum(_UUID_GROUPS[:i]) for i in range(len(_UUID_GROUPS) + 1)]
        return "-".join(text[a:b] for a, b in itertools.pairwise(cuts))
    groups = text.split("-")
    if not all(_HEX.fullmatch(g) for g in groups if g):
        problem = "it contains characters other than 0-9, a-f and dashes"
    elif len(groups) == len(_UUID_GROUPS):
        lengths = "-".join(str(len(g)) for g in groups)
        problem = f"its groups have {lengths} characters"
    else:
        noun = "group" if len(groups) == 1 else "groups"
        problem = f"it has {len(groups)} {noun} instead of {len(_UUID_GROUPS)}"
    raise InputError(
        parameter,
        f"{parameter}: {shorten(str(value))!r} is not a Plivo message UUID ({problem}); a UUID has "
        f"five groups of 8-4-4-4-12 hexadecimal characters, e.g. {EXAMPLE_UUID}. Copy it whole "
        "from send_sms's message_uuids.",
    )


@dataclass(frozen=True)
class MessageQuery:
    message_uuid: str
    wait_seconds: int


def query_from_params(params: Params) -> MessageQuery:
    message_uuid = parse_message_uuid(read.text(params, "message_uuid"))
    return MessageQuery(message_uuid, WAIT_LIMIT.read_int(params, "wait_seconds"))


def run(call: Invocation) -> ToolOutput:
    query = query_from_params(call.parameters)
    client = client_for(Credentials.from_mapping(call.credentials))
    fetch = bounded_fetch(client, query.wait_seconds) if query.wait_seconds else client.get_message
    return present(read_message(fetch, query.message_uuid, query.wait_seconds), query)


# -- presentation ----------------------------------------------------------------------------


def summary(status: MessageStatus, query: MessageQuery) -> str:
    r = status.record
    where = f" to {r.to_number}" if r.to_number else ""
    state = r.state or STATE_UNKNOWN
    sentences = [sentence(f"Message {r.message_uuid}{where}: {state}, {describe_state(state)}")]
    sentences.append("This is final." if r.final else "Not final yet.")
    errors = error_fields(r.error_code, r.error_text)
    if errors["error"]:
        explained = f"Error {errors['error_code']}: {errors['error']} {errors['advice']}"
        sentences.append(sentence(explained))
    if query.wait_seconds > 0:  # a slow answer is not a wait: report one only when asked
        sentences.append(f"Waited {status.waited_seconds:.1f} s.")
    if status.poll_error:
        sentences.append(sentence(f"The last status check failed: {status.poll_error}"))
    return " ".join(sentences)


def present(status: MessageStatus, query: MessageQuery) -> ToolOutput:
    fields = message_fields(status.record)
    data: dict[str, object] = {
        **fields,
        "api_id": status.record.api_id,
        "waited_seconds": round(status.waited_seconds, 1) if query.wait_seconds > 0 else None,
        "poll_error": status.poll_error,
    }
    variables = {
        "state": fields["state"],
        "final": fields["final"],
        "error_code": fields["error_code"],
    }
    return ToolOutput(summary(status, query), data, variables)


__all__ = ["LIMITS", "MessageQuery", "parse_message_uuid", "present", "query_from_params", "run"]
