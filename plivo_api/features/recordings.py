"""recordings: list, read or delete the account's call recordings, or read a transcript.

Reading is free; Plivo bills a recording's storage until it is deleted, and deleting needs the
builder's ``allow_changes`` (a recording deleted is gone for good). ``transcript`` reads
``GET Transcription/{recording_id}/``: Plivo transcribes English only, and only recordings it
was asked to transcribe (make_call with ``record`` can ask), so "no transcript" is an ordinary
answer here (``transcript`` null, and a sentence saying why), not a failure.
"""

from __future__ import annotations

from typing import Final

from .. import params as read
from ..errors import NotFoundError
from ..messaging.identifiers import parse_uuid
from ..params import Choice, Limits, Params
from ..resources.connect import client_from
from ..resources.recordings import RECORDINGS
from ..resources.transcriptions import Transcription, get_transcription
from ..toolkit.operations import (
    OperationResult,
    delete_resource,
    get_resource,
    list_resources,
    require_changes_allowed,
)
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import as_number
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE
from . import Invocation, ToolOutput
from .list_messages import parse_time_bound, plivo_time

OPERATIONS: Final = ("list", "get", "delete", "transcript")
OPERATION_CHOICE: Final = Choice(OPERATIONS, "list", case_insensitive=True)
LIMITS: Limits = {"operation": OPERATION_CHOICE, "limit": LIMIT_RANGE, "offset": OFFSET_RANGE}
ID_SOURCE: Final = "operation list shows every recording with its recording_id"
NO_TRANSCRIPT: Final = (
    "Plivo has no transcript of recording {id}: it transcribes only recordings it was asked to "
    "transcribe (make_call with record can ask) and English speech only. The recording itself "
    "is at its recording_url (operation get)."
)


def recording_id_from(params: Params) -> str:
    return parse_uuid(
        read.text(params, "recording_id"), "recording_id", what="recording", source=ID_SOURCE
    )


def list_filters(params: Params) -> dict[str, str]:
    filters: dict[str, str] = {}
    call_uuid = read.text(params, "call_uuid")
    if call_uuid is not None:
        filters["call_uuid"] = parse_uuid(
            call_uuid, "call_uuid", what="call", source="list_calls shows the calls"
        )
    since = parse_time_bound(read.text(params, "since"), "since", end_of_day=False)
    until = parse_time_bound(read.text(params, "until"), "until", end_of_day=True)
    if since is not None:
        filters["add_time__gte"] = plivo_time(since)
    if until is not None:
        filters["add_time__lte"] = plivo_time(until)
    return filters


def transcript(client: PlivoClient, recording_id: str) -> OperationResult:
    try:
        found: Transcription | None = get_transcription(client, recording_id)
    except NotFoundError:
        found = None
    if found is None:
        # Plivo's 404 means "no transcription" or "no such recording": the recording tells.
        try:
            get_resource(client, RECORDINGS, recording_id)
        except NotFoundError as error:
            raise reworded_not_found(
                error, f"No recording {recording_id} on this Plivo account: {ID_SOURCE}."
            ) from None
        text = NO_TRANSCRIPT.format(id=recording_id)
        words, state, cost, api_id = None, None, None, None
    else:
        words, state, api_id = found.text, found.state, found.api_id
        cost = as_number(found.cost)
        if words:
            text = f"Transcript of recording {recording_id}: {words}"
        else:
            text = (
                f"Recording {recording_id} has no transcript text yet (Plivo's state: "
                f"{state or 'unknown'}); try again in a minute."
            )
    data: dict[str, object] = {
        "operation": "transcript",
        "recording_id": recording_id,
        "transcript": words,
        "transcription_state": state,
        "transcription_cost": cost,
        "api_id": api_id,
    }
    variables: dict[str, object] = {
        "operation": "transcript",
        "recording_id": recording_id,
        "total_count": None,
        "transcript": words,
    }
    return OperationResult(text, data, variables)


def perform(call: Invocation) -> OperationResult:
    params = call.parameters
    operation = OPERATION_CHOICE.read(params, "operation")
    if operation == "list":
        filters = list_filters(params)
        limit = LIMIT_RANGE.read_int(params, "limit")
        offset = OFFSET_RANGE.read_int(params, "offset")
        return list_resources(
            client_from(call.credentials), RECORDINGS, limit=limit, offset=offset, filters=filters
        )
    recording_id = recording_id_from(params)
    if operation == "delete":
        require_changes_allowed(params, f"delete recording {recording_id}")
    client = client_from(call.credentials)
    if operation == "get":
        return get_resource(client, RECORDINGS, recording_id)
    if operation == "delete":
        return delete_resource(client, RECORDINGS, recording_id)
    return transcript(client, recording_id)


def run(call: Invocation) -> ToolOutput:
    result = perform(call)
    variables = {**result.variables, "transcript": result.variables.get("transcript")}
    return ToolOutput(result.text, result.data, variables)


__all__ = ["LIMITS", "list_filters", "perform", "recording_id_from", "run", "transcript"]
