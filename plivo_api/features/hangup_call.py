"""hangup_call: end a live call, or cancel a call request that has not become a call yet.

``DELETE Call/{uuid}/`` hangs up a ringing or answered call; a request from make_call that Plivo
has not started yet is cancelled with ``DELETE Request/{request_uuid}/``; both answer 204 with no
body (https://www.plivo.com/docs/voice/detailed-reference/api/call/hangup-a-call/). The UUID is
always checked first: ``DELETE Call/`` without one disconnects every call of the account. Ending a
call needs no extra setting: it only ever stops spending.
"""

from __future__ import annotations

from .. import params as read
from ..messaging.identifiers import parse_uuid
from ..params import Limits, Params
from ..resources.calls import Hangup, hang_up
from ..resources.connect import client_from
from . import Invocation, ToolOutput

LIMITS: Limits = {}
UUID_SOURCE = (
    "the call UUID is CallUUID in the answer and hangup callbacks; make_call's request UUID "
    "cancels a call that has not started"
)


def call_uuid_from(params: Params) -> str:
    return parse_uuid(read.text(params, "call_uuid"), "call_uuid", what="call", source=UUID_SOURCE)


def run(call: Invocation) -> ToolOutput:
    uuid = call_uuid_from(call.parameters)
    return present(hang_up(client_from(call.credentials), uuid))


def present(hangup: Hangup) -> ToolOutput:
    text = (
        f"Cancelled call request {hangup.call_uuid} before Plivo placed the call."
        if hangup.request_cancelled
        else f"Hung up call {hangup.call_uuid}; get_call shows its record once Plivo has it."
    )
    data: dict[str, object] = {
        "call_uuid": hangup.call_uuid,
        "hung_up": True,
        "api_id": hangup.api_id,
    }
    return ToolOutput(text, data, {"call_uuid": hangup.call_uuid, "hung_up": True})


__all__ = ["LIMITS", "Hangup", "call_uuid_from", "hang_up", "present", "run"]
