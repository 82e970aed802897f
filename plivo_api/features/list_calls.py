"""list_calls: the calls ringing or in progress now, or the ended calls, newest first, paged.

Plivo lists live calls as bare UUIDs (``GET Call/?status=live``, filtered by direction and
number), so each live call on the page is read with ``GET Call/{uuid}/?status=live``: at most
``limit`` (20) reads, one page at a time. Ended calls come as detail records from ``GET Call/``,
filtered by number, direction and ``end_time`` (UTC); without a time filter Plivo searches the
last 7 days only. ``since``/``until`` take what list_messages takes (``today``, a date, an ISO
date-time) and apply to ended calls: a live call has not ended yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from .. import params as read
from ..errors import InputError
from ..params import Choice, Limits, Params
from ..resources.calls import CallRecord, get_live_call, list_ended_calls, list_live_calls
from ..resources.connect import client_from
from ..transport.client import PlivoClient
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE, Page, page_summary
from . import Invocation, ToolOutput
from .list_messages import parse_number_filter, parse_time_bound, plivo_time

LIVE: Final = "live"
ENDED: Final = "ended"
ANY: Final = "any"
STATE_CHOICE: Final = Choice((LIVE, ENDED), LIVE, case_insensitive=True)
DIRECTION_CHOICE: Final = Choice((ANY, "inbound", "outbound"), ANY, case_insensitive=True)
LIMITS: Limits = {
    "state": STATE_CHOICE,
    "direction": DIRECTION_CHOICE,
    "limit": LIMIT_RANGE,
    "offset": OFFSET_RANGE,
}


def filters_from(params: Params, state: str, today: dt.date | None = None) -> dict[str, str]:
    """The query filters, checked; ``since``/``until`` only for ended calls."""
    filters: dict[str, str] = {}
    direction = DIRECTION_CHOICE.read(params, "direction")
    if direction != ANY:
        filters["call_direction"] = direction
    for name in ("from_number", "to_number"):
        number = parse_number_filter(read.text(params, name), name)
        if number:
            filters[name] = number
    since = parse_time_bound(read.text(params, "since"), "since", end_of_day=False, today=today)
    until = parse_time_bound(read.text(params, "until"), "until", end_of_day=True, today=today)
    if state == LIVE and (since or until):
        name = "since" if since else "until"
        raise InputError(
            name,
            f"{name} filters ended calls by when they ended; live calls have not ended. Use "
            "state ended with since/until, or leave them out to list the live calls. Nothing "
            "was sent.",
        )
    if since and until and since > until:
        raise InputError(
            "since",
            f"since ({plivo_time(since)} UTC) is after until ({plivo_time(until)} UTC): swap them.",
        )
    if since:
        filters["end_time__gte"] = plivo_time(since)
    if until:
        filters["end_time__lte"] = plivo_time(until)
    return filters


def live_page(
    client: PlivoClient, filters: dict[str, str], limit: int, offset: int
) -> Page[CallRecord]:
    """The live calls from ``offset``, at most ``limit``, each with its details."""
    listed = list_live_calls(client, filters)
    uuids = listed.call_uuids
    window = uuids[offset : offset + limit]
    records = tuple(
        record for uuid in window if (record := get_live_call(client, uuid)) is not None
    )
    more = offset + limit < len(uuids)
    return Page(records, len(uuids), offset, offset + limit if more else None, listed.api_id)


def run(call: Invocation) -> ToolOutput:
    params = call.parameters
    state = STATE_CHOICE.read(params, "state")
    filters = filters_from(params, state)
    limit = LIMIT_RANGE.read_int(params, "limit")
    offset = OFFSET_RANGE.read_int(params, "offset")
    client = client_from(call.credentials)
    if state == LIVE:
        page = live_page(client, filters, limit, offset)
    else:
        page = list_ended_calls(client, limit=limit, offset=offset, filters=filters)
    return present(state, page, offset, default_window=state == ENDED and not _timed(filters))


def _timed(filters: dict[str, str]) -> bool:
    return any(name.startswith("end_time") for name in filters)


# -- presentation ----------------------------------------------------------------------------


def call_fields(record: CallRecord) -> dict[str, object]:
    return {
        "call_uuid": record.call_uuid,
        "from": record.from_number,
        "to": record.to_number,
        "state": record.state,
        "direction": record.direction,
        "initiation_time": record.initiation_time,
        "end_time": record.end_time,
        "duration": record.duration,
        "hangup_cause": record.hangup_cause,
    }


def present(state: str, page: Page[CallRecord], offset: int, *, default_window: bool) -> ToolOutput:
    shown = [
        f"{r.call_uuid} ({r.state or 'state unknown'}, {r.from_number or '?'} to "
        f"{r.to_number or '?'})"
        for r in page.records
    ]
    text = page_summary(f"{state} calls", page, offset, shown)
    if default_window:
        text += " No since/until given, so Plivo searched the last 7 days."
    if state == LIVE and page.records:
        text += " call_actions and hangup_call take a call_uuid."
    calls = [call_fields(record) for record in page.records]
    data: dict[str, object] = {
        "state": state,
        "calls": calls,
        "total_count": page.total_count,
        "next_offset": page.next_offset,
        "api_id": page.api_id,
    }
    variables = {
        "call_uuids": [c["call_uuid"] for c in calls if c["call_uuid"]],
        "total_count": page.total_count,
        "next_offset": page.next_offset,
    }
    return ToolOutput(text, data, variables)


__all__ = ["LIMITS", "call_fields", "filters_from", "live_page", "present", "run"]
