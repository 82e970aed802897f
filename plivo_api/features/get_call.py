"""get_call: one call by its call UUID, ended or still running.

The call detail record exists once the call has ended, a call still ringing or in progress has
live details instead; :func:`plivo_api.resources.calls.get_call` reads whichever Plivo has.
"""

from __future__ import annotations

from .. import params as read
from ..messaging.identifiers import parse_uuid
from ..params import Limits, Params
from ..resources.calls import CallRecord, get_call
from ..resources.connect import client_from
from ..toolkit.present import sentence
from ..transport.jsonvalues import as_number
from . import Invocation, ToolOutput

LIMITS: Limits = {}
UUID_SOURCE = "the answer and hangup callbacks of a call carry it as CallUUID"


def call_uuid_from(params: Params) -> str:
    return parse_uuid(read.text(params, "call_uuid"), "call_uuid", what="call", source=UUID_SOURCE)


def run(call: Invocation) -> ToolOutput:
    call_uuid = call_uuid_from(call.parameters)
    client = client_from(call.credentials)
    return present(get_call(client, call_uuid), call_uuid)


# -- presentation ----------------------------------------------------------------------------


def summary(record: CallRecord, call_uuid: str) -> str:
    route = " ".join(
        part
        for part in (
            f"from {record.from_number}" if record.from_number else "",
            f"to {record.to_number}" if record.to_number else "",
        )
        if part
    )
    direction = f"{record.direction} " if record.direction else ""
    head = f"Call {record.call_uuid or call_uuid} ({direction}{route})".replace(" ()", "")
    started = f"started {record.initiation_time}" if record.initiation_time else ""
    if record.live:
        state = record.state or "state unknown"
        return sentence(f"{head} is live: {state}" + (f", {started}" if started else "")) + (
            " hangup_call ends it."
        )
    parts = [f"{head} has ended"]
    if record.hangup_cause:
        by = f" (by {record.hangup_source})" if record.hangup_source else ""
        parts.append(f"hangup cause {record.hangup_cause}{by}")
    if record.answer_time is None:
        parts.append("it was never answered")
    elif record.duration is not None:
        parts.append(f"{record.duration} s long")
    if record.total_amount is not None:
        parts.append(f"cost USD {record.total_amount}")
    if started:
        parts.append(started)
    return sentence(", ".join(parts))


def present(record: CallRecord, call_uuid: str) -> ToolOutput:
    data: dict[str, object] = {
        "call_uuid": record.call_uuid or call_uuid,
        "live": record.live,
        "state": record.state,
        "direction": record.direction,
        "from": record.from_number,
        "to": record.to_number,
        "duration": record.duration,
        "billed_duration": record.billed_duration,
        "total_amount": as_number(record.total_amount),
        "initiation_time": record.initiation_time,
        "answer_time": record.answer_time,
        "end_time": record.end_time,
        "hangup_cause": record.hangup_cause,
        "hangup_source": record.hangup_source,
        "api_id": record.api_id,
    }
    variables = {
        "call_uuid": data["call_uuid"],
        "live": record.live,
        "state": record.state,
        "duration": record.duration,
        "hangup_cause": record.hangup_cause,
    }
    return ToolOutput(summary(record, call_uuid), data, variables)


__all__ = ["LIMITS", "call_uuid_from", "present", "run"]
