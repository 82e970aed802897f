"""get_message: the delivery state of one message, optionally waiting for a final state.

Message UUIDs are canonical 8-4-4-4-12 hexadecimal UUIDs. A malformed one can never match, and
its 404 would read as "no such message" although the real fault is a typo or a truncated copy, so
the shape is checked locally and the error says what is wrong with it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..messaging.identifiers import parse_uuid
from ..messaging.states import STATE_UNKNOWN, describe_state
from ..params import Limits, NumberRange, Params
from ..resources.connect import client_from
from ..resources.messages import get_message
from ..toolkit.polling import MAX_WAIT_SECONDS, MessageStatus, bounded_fetch, read_message
from ..toolkit.present import error_fields, message_fields, sentence
from ..transport.jsonvalues import as_number
from . import Invocation, ToolOutput

WAIT_LIMIT: Final = NumberRange(0, MAX_WAIT_SECONDS, 0)
LIMITS: Limits = {"wait_seconds": WAIT_LIMIT}
UUID_SOURCE: Final = "send_sms returns them in message_uuids"


def parse_message_uuid(value: str | None, parameter: str = "message_uuid") -> str:
    """A canonical lower-case message UUID, or an :class:`InputError` saying what is wrong."""
    return parse_uuid(value, parameter, what="message", source=UUID_SOURCE)


@dataclass(frozen=True)
class MessageQuery:
    message_uuid: str
    wait_seconds: int


def query_from_params(params: Params) -> MessageQuery:
    message_uuid = parse_message_uuid(read.text(params, "message_uuid"))
    return MessageQuery(message_uuid, WAIT_LIMIT.read_int(params, "wait_seconds"))


def run(call: Invocation) -> ToolOutput:
    query = query_from_params(call.parameters)
    client = client_from(call.credentials)
    fetch = (
        bounded_fetch(client, query.wait_seconds)
        if query.wait_seconds
        else functools.partial(get_message, client)
    )
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
    if r.carrier_fees:
        sentences.append(f"Carrier fees: USD {r.carrier_fees}.")
    if query.wait_seconds > 0:  # a slow answer is not a wait: report one only when asked
        sentences.append(f"Waited {status.waited_seconds:.1f} s.")
    if status.poll_error:
        sentences.append(sentence(f"The last status check failed: {status.poll_error}"))
    return " ".join(sentences)


def present(status: MessageStatus, query: MessageQuery) -> ToolOutput:
    fields = message_fields(status.record)
    data: dict[str, object] = {
        **fields,
        "carrier_fees": as_number(status.record.carrier_fees),
        "carrier_fees_rate": as_number(status.record.carrier_fees_rate),
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
