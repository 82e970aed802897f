"""hangup_call: end a live call, or cancel a call request that has not become a call yet.

``DELETE Call/{uuid}/`` hangs up a ringing or answered call; a request from make_call that Plivo
has not started yet is cancelled with ``DELETE Request/{request_uuid}/``; both answer 204 with no
body (https://www.plivo.com/docs/voice/detailed-reference/api/call/hangup-a-call/). The UUID is
always checked first: ``DELETE Call/`` without one disconnects every call of the account. Ending a
call needs no extra setting: it only ever stops spending.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import params as read
from ..client import PlivoClient, reworded_not_found
from ..connect import client_for
from ..credentials import Credentials
from ..errors import NotFoundError
from ..identifiers import parse_uuid
from ..jsonvalues import str_of
from ..params import Limits, Params
from . import Invocation, ToolOutput

LIMITS: Limits = {}
UUID_SOURCE = (
    "the call UUID is CallUUID in the answer and hangup callbacks; make_call's request UUID "
    "cancels a call that has not started"
)


@dataclass(frozen=True)
class Hangup:
    call_uuid: str
    request_cancelled: bool  # True: a queued request was cancelled before it became a call
    api_id: str | None = None


def call_uuid_from(params: Params) -> str:
    return parse_uuid(read.text(params, "call_uuid"), "call_uuid", what="call", source=UUID_SOURCE)


def hang_up(client: PlivoClient, uuid: str) -> Hangup:
    try:
        data = client.request("DELETE", client.resource_url("Call", uuid))
        return Hangup(uuid, request_cancelled=False, api_id=str_of(data, "api_id"))
    except NotFoundError:
        pass  # no live call by that UUID: it may be a request that has not started yet
    try:
        data = client.request("DELETE", client.resource_url("Request", uuid))
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"Nothing to hang up: Plivo has no live call and no waiting call request {uuid} on "
            "this account. The call has already ended (get_call shows how) or the UUID is wrong.",
        ) from None
    return Hangup(uuid, request_cancelled=True, api_id=str_of(data, "api_id"))


def run(call: Invocation) -> ToolOutput:
    uuid = call_uuid_from(call.parameters)
    return present(hang_up(client_for(Credentials.from_mapping(call.credentials)), uuid))


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
