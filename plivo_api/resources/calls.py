"""Calls: place one (``POST Call/``), read one (ended or live) and hang up or cancel one.

A ``POST Call/`` answers with a *request* UUID, not a call UUID: the call UUID arrives in the
answer and hangup callbacks (``CallUUID``) and names the call in ``GET Call/{uuid}/``, whose call
detail record exists once the call has ended; a call still ringing or in progress is read with
``?status=live`` (https://www.plivo.com/docs/voice/api/call/make-a-call,
https://www.plivo.com/docs/voice/api/call/the-call-object). ``DELETE Call/{uuid}/`` hangs up a
call, ``DELETE Request/{uuid}/`` cancels a request Plivo has not started yet.

Listing: ``GET Call/?status=live`` names the live calls' UUIDs only (with optional
``call_direction``, ``from_number``, ``to_number``); ``GET Call/`` pages the detail records of
ended calls, by default those of the last 7 days (filters ``end_time__gte``/``__lte`` in UTC).

Actions on a call in progress (plivo SDK ``resources/calls.py``): ``POST``/``DELETE
Call/{uuid}/Speak/`` and ``/Play/``, ``POST Call/{uuid}/DTMF/``, ``POST``/``DELETE
Call/{uuid}/Record/``. Plivo answers 404 for a call that is not in progress. Each is sent once:
speaking or sending digits twice is heard twice, a second recording is billed twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..errors import NotFoundError, OutcomeUnknownError
from ..messaging.digits import display_number
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import decimal_of, int_of, str_of
from ..transport.paging import Page
from . import rest

CALL_OUTCOME_CHECK: Final = (
    "The call may or may not have been placed: before calling again, check the calls still "
    'ringing or live (plivo_request with GET Call/ and query {"status": "live"}), the '
    "ended ones (GET Call/), the Plivo console's voice logs or the hangup_url callbacks."
)
"""What to do when a call request may have reached Plivo; Plivo has no idempotency key."""

STATE_COMPLETED: Final = "completed"
LIVE: Final = {"status": "live"}


@dataclass(frozen=True)
class CallRequest:
    """Plivo's answer to ``POST Call/``: one request UUID per destination."""

    request_uuids: tuple[str, ...]
    api_id: str | None
    message: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallRequest:
        """``request_uuid`` is a string for one destination and a list for several."""
        raw = data.get("request_uuid")
        uuids = [raw] if isinstance(raw, str) else raw
        if not isinstance(uuids, list) or not uuids:
            raise OutcomeUnknownError(
                "Plivo accepted the call request but its answer has no request UUID. "
                + CALL_OUTCOME_CHECK,
                api_id=str_of(data, "api_id"),
            )
        return cls(
            request_uuids=tuple(str(uuid) for uuid in uuids),
            api_id=str_of(data, "api_id"),
            message=str_of(data, "message"),
        )


@dataclass(frozen=True)
class CallRecord:
    """One call: its detail record once it has ended, or Plivo's live details while it runs.

    ``state`` is Plivo's live ``call_status`` (ringing, in-progress) or ``completed`` for an
    ended call, whose ``hangup_cause`` says how it ended. ``initiation_time`` is when Plivo
    started the call (before it rang; ``session_start`` in the live details), so a call never
    answered still has one.
    """

    call_uuid: str | None
    live: bool
    state: str | None
    direction: str | None
    from_number: str | None
    to_number: str | None
    duration: int | None = None
    billed_duration: int | None = None
    total_amount: Decimal | None = None
    answer_time: str | None = None
    end_time: str | None = None
    hangup_cause: str | None = None
    hangup_source: str | None = None
    request_uuid: str | None = None
    api_id: str | None = None
    initiation_time: str | None = None

    @classmethod
    def from_cdr(cls, data: Mapping[str, Any]) -> CallRecord:
        """``GET Call/{uuid}/``: the call detail record of an ended call."""
        code = int_of(data.get("hangup_cause_code"))
        cause = str_of(data, "hangup_cause_name") or (f"code {code}" if code is not None else None)
        duration = int_of(data.get("call_duration"))
        return cls(
            call_uuid=str_of(data, "call_uuid"),
            live=False,
            state=STATE_COMPLETED,
            direction=str_of(data, "call_direction"),
            from_number=display_number(str_of(data, "from_number")),
            to_number=display_number(str_of(data, "to_number")),
            duration=duration if duration is not None else int_of(data.get("bill_duration")),
            billed_duration=int_of(data.get("billed_duration")),
            total_amount=decimal_of(data.get("total_amount")),
            answer_time=str_of(data, "answer_time"),
            end_time=str_of(data, "end_time"),
            hangup_cause=cause,
            hangup_source=str_of(data, "hangup_source"),
            api_id=str_of(data, "api_id"),
            initiation_time=str_of(data, "initiation_time"),
        )

    @classmethod
    def from_live(cls, data: Mapping[str, Any]) -> CallRecord:
        """``GET Call/{uuid}/?status=live``: a call that is ringing or in progress."""
        status = str_of(data, "call_status")
        return cls(
            call_uuid=str_of(data, "call_uuid"),
            live=True,
            state=status.strip().lower() if status else None,
            direction=str_of(data, "direction"),
            from_number=live_number(str_of(data, "from")),
            to_number=live_number(str_of(data, "to")),
            request_uuid=str_of(data, "request_uuid"),
            api_id=str_of(data, "api_id"),
            initiation_time=str_of(data, "initiation_time") or str_of(data, "session_start"),
        )


def live_number(value: str | None) -> str | None:
    """Live details write ``from`` as ``+1415…`` or ``1415…``; both become E.164."""
    digits = value[1:] if value and value.startswith("+") and value[1:].isdigit() else value
    return display_number(digits)


@dataclass(frozen=True)
class Hangup:
    call_uuid: str
    request_cancelled: bool  # True: a queued request was cancelled before it became a call
    api_id: str | None = None


def make_call(client: PlivoClient, body: Mapping[str, Any]) -> CallRequest:
    """The one ``POST Call/``; a lost or failed answer is "outcome unknown", never a second
    call (Plivo's SDK re-sends voice requests after a 5xx answer, which can place one)."""
    data = client.request(
        "POST",
        client.resource_url("Call"),
        json_body=body,
        creates=CALL_OUTCOME_CHECK,
        reaches_destinations=True,
    )
    return CallRequest.from_json(data)


def get_call(client: PlivoClient, call_uuid: str) -> CallRecord:
    """The call's record, or its live details; a readable :class:`NotFoundError` otherwise.

    The record is asked for first, so an ended call costs one request; a 404 there leads to
    the live lookup.
    """
    url = client.resource_url("Call", call_uuid)
    try:
        return CallRecord.from_cdr(client.request("GET", url))
    except NotFoundError:
        pass  # not ended yet, or no such call: a live call has no record
    try:
        return CallRecord.from_live(client.request("GET", url, params=LIVE))
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"No such call: Plivo has neither a record nor a live call {call_uuid} on this "
            "account. Check the UUID: it is the call UUID (CallUUID in the answer and hangup "
            "callbacks), not make_call's request UUID. A call that has not been answered or "
            "started ringing yet has neither; try again in a few seconds.",
        ) from None


def hang_up(client: PlivoClient, uuid: str) -> Hangup:
    """Hang up the live call ``uuid``, or else cancel the waiting call request ``uuid``."""
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


# -- listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveCalls:
    """``GET Call/?status=live``: the UUIDs of the calls ringing or in progress."""

    call_uuids: tuple[str, ...]
    api_id: str | None = None


def list_live_calls(client: PlivoClient, filters: Mapping[str, str] | None = None) -> LiveCalls:
    data = client.request("GET", client.resource_url("Call"), params={**LIVE, **(filters or {})})
    raw = data.get("calls")
    uuids = (
        [str(uuid) for uuid in raw if isinstance(uuid, str) and uuid]
        if isinstance(raw, list)
        else []
    )
    return LiveCalls(tuple(uuids), str_of(data, "api_id"))


def get_live_call(client: PlivoClient, call_uuid: str) -> CallRecord | None:
    """A live call's details; None when it ended between the listing and this request."""
    try:
        data = client.request("GET", client.resource_url("Call", call_uuid), params=LIVE)
    except NotFoundError:
        return None
    return CallRecord.from_live(data)


def list_ended_calls(
    client: PlivoClient, *, limit: int, offset: int, filters: Mapping[str, str | int]
) -> Page[CallRecord]:
    """A page of ended calls' detail records, newest first."""
    return rest.read_page(
        client,
        "Call",
        CallRecord.from_cdr,
        what="call",
        limit=limit,
        offset=offset,
        filters=filters,
    )


# -- actions on a live call ----------------------------------------------------------------

LIVE_ACTION_CHECK: Final = (
    "Plivo may or may not have carried it out: listen to the call or check get_call before "
    "trying again, so the callee does not hear it twice."
)


@dataclass(frozen=True)
class LiveAction:
    """Plivo's answer to an action: its message ("speak started") and, when recording, the
    new recording's ID and URL."""

    message: str | None
    api_id: str | None
    recording_id: str | None = None
    recording_url: str | None = None


def act_on_call(
    client: PlivoClient,
    call_uuid: str,
    action: str,
    method: str,
    body: Mapping[str, Any] | None = None,
) -> LiveAction:
    """``{method} Call/{uuid}/{action}/`` once; a 404 becomes "the call is not live"."""
    try:
        data = client.request(
            method,
            client.resource_url("Call", call_uuid, action),
            json_body=body,
            creates=LIVE_ACTION_CHECK,
        )
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"Call {call_uuid} is not live, so nothing was done: Plivo acts only on a call in "
            "progress. It has ended, has not been answered yet, or the UUID is wrong (it is the "
            "call UUID, not make_call's request UUID). list_calls shows the live calls; get_call "
            "shows how this one ended.",
        ) from None
    return LiveAction(
        message=str_of(data, "message"),
        api_id=str_of(data, "api_id"),
        recording_id=str_of(data, "recording_id"),
        recording_url=str_of(data, "url"),
    )


__all__ = [
    "CALL_OUTCOME_CHECK",
    "LIVE_ACTION_CHECK",
    "STATE_COMPLETED",
    "CallRecord",
    "CallRequest",
    "Hangup",
    "LiveAction",
    "LiveCalls",
    "act_on_call",
    "get_call",
    "get_live_call",
    "hang_up",
    "list_ended_calls",
    "list_live_calls",
    "live_number",
    "make_call",
]
