"""conferences: the account's live conferences, or one conference with its members.

``GET Conference/`` lists the names of conferences running now; ``GET Conference/{name}/`` reads
one (https://www.plivo.com/docs/voice/api/conference/). Plivo keeps no list of ended
conferences, so a name that is not live is "not found".
"""

from __future__ import annotations

from typing import Final

from .. import params as read
from ..errors import InputError, NotFoundError
from ..params import Choice, Limits, Params
from ..resources.conferences import ConferenceMember, get_conference, list_conferences
from ..resources.connect import client_from
from ..text import listed
from ..toolkit.present import plural
from ..transport.client import reworded_not_found
from . import Invocation, ToolOutput

OPERATION_CHOICE: Final = Choice(("list", "get"), "list", case_insensitive=True)
LIMITS: Limits = {"operation": OPERATION_CHOICE}
MAX_CONFERENCE_NAME_CHARS: Final = 256  # names come from Plivo XML; longer is a paste fault


def name_from(params: Params) -> str:
    name = read.text(params, "conference_name")
    if name is None:
        raise InputError(
            "conference_name",
            "conference_name is required for operation get: operation list shows the names of "
            "the live conferences.",
        )
    if len(name) > MAX_CONFERENCE_NAME_CHARS:
        raise InputError(
            "conference_name",
            f"conference_name: {len(name)} characters is not a conference name (at most "
            f"{MAX_CONFERENCE_NAME_CHARS}); operation list shows the names of the live "
            "conferences.",
        )
    return name


def member_fields(member: ConferenceMember) -> dict[str, object]:
    return {
        "member_id": member.member_id,
        "call_uuid": member.call_uuid,
        "from": member.from_number,
        "to": member.to_number,
        "caller_name": member.caller_name,
        "direction": member.direction,
        "muted": member.muted,
        "deaf": member.deaf,
    }


def run(call: Invocation) -> ToolOutput:
    params = call.parameters
    operation = OPERATION_CHOICE.read(params, "operation")
    name = name_from(params) if operation == "get" else None
    client = client_from(call.credentials)
    if name is None:
        live = list_conferences(client)
        names = list(live.names)
        text = (
            f"{plural(len(names), 'live conference')}: {listed(names)}."
            if names
            else "No live conferences."
        )
        payload: dict[str, object] = {
            "operation": "list",
            "conferences": names,
            "api_id": live.api_id,
        }
        return ToolOutput(
            text, payload, {"operation": "list", "conferences": names, "member_count": None}
        )
    try:
        conference = get_conference(client, name)
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"No live conference named {name!r} on this account; Plivo only knows conferences "
            "while they run. Operation list shows the live ones.",
        ) from None
    members = [member_fields(member) for member in conference.members]
    count = conference.member_count if conference.member_count is not None else len(members)
    running = f", running {conference.run_time} s" if conference.run_time is not None else ""
    who = listed([str(m["from"] or m["caller_name"] or m["member_id"]) for m in members])
    text = f"Conference {conference.name or name}: {plural(count, 'member')}{running}" + (
        f" ({who})." if members else "."
    )
    payload = {
        "operation": "get",
        "conference": {
            "name": conference.name or name,
            "member_count": count,
            "run_time": conference.run_time,
            "members": members,
        },
        "api_id": conference.api_id,
    }
    return ToolOutput(
        text, payload, {"operation": "get", "conferences": None, "member_count": count}
    )


__all__ = ["LIMITS", "member_fields", "name_from", "run"]
