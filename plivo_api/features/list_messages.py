"""list_messages: message history (newest first), filtered and paged as List Messages allows.

Everything is checked before any request. One Plivo habit shapes the rules here
(https://www.plivo.com/docs/messaging/api/message/list-all-messages):

- List Messages filters on ``message_time`` in **UTC** written ``YYYY-MM-DD HH:MM:SS``, and without
  any time filter returns only the **last 24 hours**. ``since``/``until`` therefore accept what
  people and models write (ISO dates or date-times, with or without an offset), are converted to
  UTC, and become ``message_time__gte`` / ``message_time__lte``. A date-time without an offset is
  read as UTC; a bare date means the whole day (``since`` from 00:00:00, ``until`` to 23:59:59),
  and so do ``today`` and ``yesterday``, which are UTC days like everything Plivo stores.
- ``message_state`` takes one state per request. "Which messages failed?" means three states
  (failed, undelivered, rejected), so the ``problem`` choice makes one request per state, all with
  the same ``limit`` and ``offset``, and shows them together, newest first: a page then holds up to
  ``limit`` messages of each state, and ``next_offset`` pages all three. The three requests count
  against List Messages' own limit of 20 requests per minute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..errors import InputError
from ..messaging.digits import to_plivo
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..messaging.sender import ALPHANUMERIC_MAX_LENGTH, SHORT_CODE_DIGITS
from ..messaging.states import MESSAGE_STATES
from ..params import Choice, Limits, Params
from ..resources.connect import client_from
from ..resources.messages import MessageRecord, list_messages
from ..text import shorten
from ..toolkit.present import message_fields
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE, PAGE_SIZE_MAX, Page
from . import Invocation, ToolOutput

ANY: Final = "any"
PROBLEM: Final = "problem"
PROBLEM_STATES: Final = ("failed", "undelivered", "rejected")
"""What "the messages that failed" means to a user: never sent, or sent and not delivered."""
DIRECTIONS: Final = (ANY, "inbound", "outbound")
MESSAGE_TYPES: Final = (ANY, "sms", "mms", "whatsapp")
STATE_CHOICES: Final = (ANY, PROBLEM, *MESSAGE_STATES)
TODAY: Final = "today"
YESTERDAY: Final = "yesterday"
PLIVO_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
EARLIEST_YEAR: Final = 2000  # bounds outside these years are typos: Plivo keeps ~90 days
LATEST_YEAR: Final = 2100

DIRECTION_CHOICE: Final = Choice(DIRECTIONS, ANY, case_insensitive=True)
STATE_CHOICE: Final = Choice(STATE_CHOICES, ANY, case_insensitive=True)
TYPE_CHOICE: Final = Choice(MESSAGE_TYPES, ANY, case_insensitive=True)
LIMITS: Limits = {
    "type": TYPE_CHOICE,
    "limit": LIMIT_RANGE,
    "offset": OFFSET_RANGE,
    "direction": DIRECTION_CHOICE,
    "state": STATE_CHOICE,
}

_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")  # 2026-01-05 or ISO basic 20260105
_SENDER_ID = re.compile(r"[A-Za-z0-9]+")


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_time_bound(
    value: str | None, parameter: str, *, end_of_day: bool, today: dt.date | None = None
) -> dt.datetime | None:
    """An ISO date or date-time, ``today`` or ``yesterday``, as an aware UTC datetime (see the
    module docstring); ``today`` is the current UTC date unless given."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    today = today or utc_today()
    clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0, 0)
    relative = {TODAY: today, YESTERDAY: today - dt.timedelta(days=1)}.get(text.lower())
    if relative is not None:
        return dt.datetime.combine(relative, clock, dt.UTC)
    try:
        if _DATE_ONLY.fullmatch(text):
            moment = dt.datetime.combine(dt.date.fromisoformat(text), clock, dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(text)!r} is not an ISO date or date-time; write today, "
            f"yesterday, a date such as {today} or a date-time such as {today}T14:30 or "
            f"{today}T14:30:00+02:00 (no offset means UTC). Today is {today} in UTC.",
        ) from None
    try:
        moment = (
            moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
        )
    except OverflowError:  # an offset pushes 0001-01-01 or 9999-12-31 off the calendar
        moment = dt.datetime.min.replace(tzinfo=dt.UTC)
    return _within_plivo_years(moment, parameter, text, today)


def _within_plivo_years(
    moment: dt.datetime, parameter: str, text: str, today: dt.date
) -> dt.datetime:
    """Plivo keeps about 90 days of messages; a bound outside these years is surely a typo."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(text)!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}; Plivo "
            f"keeps about 90 days of messages. Write a recent date: today is {today} in UTC.",
        )
    return moment


def plivo_time(moment: dt.datetime) -> str:
    """UTC ``YYYY-MM-DD HH:MM:SS``, the form List Messages filters accept."""
    return moment.astimezone(dt.UTC).strftime(PLIVO_TIME_FORMAT)


def parse_number_filter(value: str | None, parameter: str) -> str | None:
    """A number filter in Plivo's stored form: E.164 digits, a short code or a sender ID.

    Plivo stores ``from_number``/``to_number`` as bare digits with the country code, so a number
    is normalised to E.164 and sent without ``+``; a filter in national format would silently
    match nothing, so it is refused with the fix. Short codes (3-8 digits) and alphanumeric
    sender IDs pass unchanged.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    low, high = SHORT_CODE_DIGITS
    if text.isascii() and text.isdigit() and low <= len(text) <= high:
        return text
    if (
        not text.startswith("+")
        and _SENDER_ID.fullmatch(text)
        and any(c.isalpha() for c in text)
        and len(text) <= ALPHANUMERIC_MAX_LENGTH
    ):
        return text
    try:
        return to_plivo(normalize_number(text))
    except InvalidNumberError as error:
        raise InvalidNumberError(error.reason, text, parameter=parameter) from None


@dataclass(frozen=True)
class ListQuery:
    """A validated List Messages request; ``query()`` is the exact query string sent."""

    direction: str = ANY
    state: str = ANY
    message_type: str = ANY
    from_number: str | None = None
    to_number: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = PAGE_SIZE_MAX
    offset: int = 0

    @property
    def default_window(self) -> bool:
        """No time filter: Plivo then returns only the last 24 hours."""
        return self.since is None and self.until is None

    @property
    def states(self) -> tuple[str | None, ...]:
        """The ``message_state`` of each request (None: no state filter)."""
        if self.state == PROBLEM:
            return PROBLEM_STATES
        return (None if self.state == ANY else self.state,)

    def queries(self) -> tuple[dict[str, str | int], ...]:
        """The exact query strings sent, one per request."""
        return tuple(self._query(state) for state in self.states)

    def query(self) -> dict[str, str | int]:
        """The query string of a listing that takes one request (any choice but ``problem``)."""
        [only] = self.queries()
        return only

    def _query(self, state: str | None) -> dict[str, str | int]:
        params: dict[str, str | int] = {"limit": self.limit, "offset": self.offset}
        if self.direction != ANY:
            params["message_direction"] = self.direction
        if state is not None:
            params["message_state"] = state
        if self.message_type != ANY:
            params["message_type"] = self.message_type
        if self.from_number:
            params["from_number"] = self.from_number
        if self.to_number:
            params["to_number"] = self.to_number
        if self.since is not None:
            params["message_time__gte"] = plivo_time(self.since)
        if self.until is not None:
            params["message_time__lte"] = plivo_time(self.until)
        return params


def query_from_params(params: Params, today: dt.date | None = None) -> ListQuery:
    """Every list_messages parameter, validated; :class:`InputError` names the first fault.

    ``today``: the UTC date ``today``/``yesterday`` refer to (the current one unless given).
    """
    direction = DIRECTION_CHOICE.read(params, "direction")
    state = STATE_CHOICE.read(params, "state")
    today = today or utc_today()
    since = parse_time_bound(read.text(params, "since"), "since", end_of_day=False, today=today)
    until = parse_time_bound(read.text(params, "until"), "until", end_of_day=True, today=today)
    if since is not None and until is not None and since > until:
        raise InputError(
            "since",
            f"since ({plivo_time(since)} UTC) is after until ({plivo_time(until)} UTC): swap them.",
        )
    return ListQuery(
        direction=direction,
        state=state,
        message_type=TYPE_CHOICE.read(params, "type"),
        from_number=parse_number_filter(read.text(params, "from_number"), "from_number"),
        to_number=parse_number_filter(read.text(params, "to_number"), "to_number"),
        since=since,
        until=until,
        limit=LIMIT_RANGE.read_int(params, "limit"),
        offset=OFFSET_RANGE.read_int(params, "offset"),
    )


def merge_pages(query: ListQuery, pages: Sequence[Page[MessageRecord]]) -> Page[MessageRecord]:
    """The pages of one listing's requests as one page, newest first (one page: itself)."""
    if len(pages) == 1:
        return pages[0]
    records = sorted(
        (record for page in pages for record in page.records),
        key=lambda record: record.message_time or "",
        reverse=True,
    )
    totals = [page.total_count for page in pages]
    more = any(page.next_offset is not None for page in pages)
    return Page(
        records=tuple(records),
        total_count=None if None in totals else sum(t for t in totals if t is not None),
        offset=query.offset,
        next_offset=query.offset + query.limit if more else None,
        api_id=next((page.api_id for page in pages if page.api_id), None),
    )


def run(call: Invocation) -> ToolOutput:
    query = query_from_params(call.parameters)
    client = client_from(call.credentials)
    pages = [list_messages(client, params) for params in query.queries()]
    return present(query, merge_pages(query, pages))


# -- presentation ----------------------------------------------------------------------------


def state_counts(records: Sequence[MessageRecord]) -> dict[str, int]:
    """Messages per state, in life-cycle order (an unknown state last, under its own name)."""
    counts: dict[str, int] = {}
    for record in records:
        state = record.state or "unknown"
        counts[state] = counts.get(state, 0) + 1
    order = {state: index for index, state in enumerate(MESSAGE_STATES)}
    return dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))


def _by_state(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {state}" for state, n in counts.items())


def summary(query: ListQuery, page: Page[MessageRecord]) -> str:
    """One line: how many, of how many, by state, and how to get the next page."""
    shown = len(page.records)
    total = page.total_count
    if query.state == PROBLEM:
        return _problem_summary(query, page)
    if shown == 0 and query.offset > 0 and total:
        last_page = (total - 1) // query.limit * query.limit
        line = (
            f"offset {query.offset} is past the end: {total} messages match, so offsets 0 to "
            f"{total - 1} exist (the last page starts at offset {last_page})"
        )
    elif shown == 0:
        line = "No messages match"
    else:
        of_total = f" of {total}" if total is not None else ""
        line = f"Messages {page.offset + 1}-{page.offset + shown}{of_total} (newest first)"
        line += f": {_by_state(state_counts(page.records))}"
        failed = [r for r in page.records if r.error_code]
        if failed:
            line += f"; {len(failed)} with an error code"
    return _ending(query, page, line)


def _problem_summary(query: ListQuery, page: Page[MessageRecord]) -> str:
    """For ``problem``: how many of the three states, by state; paging covers all three."""
    states = ", ".join(PROBLEM_STATES[:-1]) + f" or {PROBLEM_STATES[-1]}"
    of_total = f" of {page.total_count}" if page.total_count is not None else ""
    if not page.records:
        line = f"No {states} messages match"
        if query.offset > 0 and page.total_count:
            line += f" at offset {query.offset} ({page.total_count} in all: start at offset 0)"
    else:
        line = (
            f"{len(page.records)}{of_total} {states} messages from offset {query.offset} "
            f"(newest first; up to {query.limit} of each state per page): "
            f"{_by_state(state_counts(page.records))}"
        )
    return _ending(query, page, line)


def _ending(query: ListQuery, page: Page[MessageRecord], line: str) -> str:
    if page.next_offset is not None:
        line += f"; more with offset={page.next_offset}"
    if query.default_window:
        line += ". No since/until given, so Plivo searched only the last 24 hours"
    return line[0].upper() + line[1:] + "."


def present(query: ListQuery, page: Page[MessageRecord]) -> ToolOutput:
    data: dict[str, object] = {
        "messages": [message_fields(record) for record in page.records],
        "state_counts": [
            {"state": state, "count": n} for state, n in state_counts(page.records).items()
        ],
        "total_count": page.total_count,
        "next_offset": page.next_offset,
        "api_id": page.api_id,
    }
    variables = {"total_count": page.total_count, "next_offset": page.next_offset}
    return ToolOutput(summary(query, page), data, variables)


__all__ = [
    "LIMITS",
    "ListQuery",
    "merge_pages",
    "parse_number_filter",
    "parse_time_bound",
    "plivo_time",
    "present",
    "query_from_params",
    "run",
]
