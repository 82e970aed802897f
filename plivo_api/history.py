"""Read ``get_message`` and ``list_messages`` parameters into what Plivo's message APIs expect.

Everything is checked before any request. Two Plivo habits shape the rules here
(``plivo-api.md`` §6–§7):

- Message UUIDs are canonical 8-4-4-4-12 hexadecimal UUIDs. A malformed one can never match, and
  its 404 would read as "no such message" although the real fault is a typo or a truncated copy,
  so the shape is checked locally and the error says what is wrong with it.
- List Messages filters on ``message_time`` in **UTC** written ``YYYY-MM-DD HH:MM:SS``, and without
  any time filter returns only the **last 24 hours**. ``since``/``until`` therefore accept what
  people and models write (ISO dates or date-times, with or without an offset), are converted to
  UTC, and become ``message_time__gte`` / ``message_time__lte``. A date-time without an offset is
  read as UTC; a bare date means the whole day (``since`` from 00:00:00, ``until`` to 23:59:59).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from . import params as read
from .delivery import MAX_WAIT_SECONDS
from .errors import InputError
from .models import MESSAGE_STATES, MessagePage
from .numbers import to_plivo
from .params import Params
from .sender import UUID_PATTERN, parse_sender
from .text import shorten

LIST_LIMIT_MAX = 20  # Plivo's page size cap for List Messages
LIST_OFFSET_MAX = 1_000_000
DIRECTIONS = ("any", "inbound", "outbound")
ANY = "any"
STATE_CHOICES = (ANY, *MESSAGE_STATES)
PLIVO_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EARLIEST_YEAR = 2000  # bounds outside these years are typos: Plivo keeps ~90 days of messages
LATEST_YEAR = 2100

_HEX = re.compile(r"[0-9a-f]+")
_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")  # 2026-01-05 or ISO basic 20260105
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_UUID_GROUPS = (8, 4, 4, 4, 12)


def parse_message_uuid(value: str | None, parameter: str = "message_uuid") -> str:
    """A canonical lower-case UUID, or an :class:`InputError` saying what is wrong with it."""
    text = (value or "").strip().strip("\"'").strip().lower()
    if not text:
        raise InputError(
            parameter,
            f"{parameter} is required: pass a Plivo message UUID such as "
            "5f0e4a8c-0000-4000-8000-00000000000a (send_sms returns them in message_uuids).",
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
        "five groups of 8-4-4-4-12 hexadecimal characters, e.g. "
        "5f0e4a8c-0000-4000-8000-00000000000a. Copy it whole from send_sms's message_uuids.",
    )


def message_request_from_params(params: Params) -> tuple[str, int]:
    """``get_message``'s ``message_uuid`` and ``wait_seconds`` (whole seconds, 0..60)."""
    message_uuid = parse_message_uuid(read.text(params, "message_uuid"))
    wait = read.number(params, "wait_seconds", default=0, minimum=0, maximum=MAX_WAIT_SECONDS)
    return message_uuid, wait or 0


def parse_time_bound(value: str | None, parameter: str, *, end_of_day: bool) -> dt.datetime | None:
    """An ISO date or date-time as an aware UTC datetime (see the module docstring)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            day = dt.date.fromisoformat(text)
            clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0, 0)
            return _within_plivo_years(dt.datetime.combine(day, clock, dt.UTC), parameter, text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(text)!r} is not an ISO date or date-time; write e.g. "
            "2026-01-05, 2026-01-05T14:30 or 2026-01-05T14:30:00+02:00 (no offset means UTC).",
        ) from None
    try:
        moment = (
            moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
        )
    except OverflowError:  # an offset pushes 0001-01-01 or 9999-12-31 off the calendar
        moment = dt.datetime.min.replace(tzinfo=dt.UTC)
    return _within_plivo_years(moment, parameter, text)


def _within_plivo_years(moment: dt.datetime, parameter: str, text: str) -> dt.datetime:
    """Plivo keeps about 90 days of messages; a bound outside these years is surely a typo."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(text)!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR}; Plivo "
            "keeps about 90 days of messages. Write a recent date such as 2026-01-05.",
        )
    return moment


def plivo_time(moment: dt.datetime) -> str:
    """UTC ``YYYY-MM-DD HH:MM:SS``, the form List Messages filters accept."""
    return moment.astimezone(dt.UTC).strftime(PLIVO_TIME_FORMAT)


def parse_number_filter(value: str | None, parameter: str) -> str | None:
    """A number filter in Plivo's stored form: E.164 digits, a short code or a sender ID.

    Plivo stores ``from_number``/``to_number`` as bare digits with the country code, so a number
    is normalised like a send destination and sent without ``+``; a filter in national format
    would silently match nothing. Short codes and alphanumeric sender IDs pass unchanged.
    """
    if value is None or not value.strip():
        return None
    sender = parse_sender(value, parameter=parameter)  # the same rules as a send's sender
    if sender.kind == "powerpack":
        raise InputError(
            parameter,
            f"{parameter}: a Powerpack UUID is not a number; filter by a phone number with its "
            "country code (e.g. +14155550123), a short code or a sender ID.",
        )
    return to_plivo(sender.value) if sender.kind == "number" else sender.value


@dataclass(frozen=True)
class ListQuery:
    """A validated List Messages request; ``query()`` is the exact query string sent."""

    direction: str = ANY
    state: str = ANY
    from_number: str | None = None
    to_number: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = LIST_LIMIT_MAX
    offset: int = 0

    @property
    def default_window(self) -> bool:
        """No time filter: Plivo then returns only the last 24 hours."""
        return self.since is None and self.until is None

    def query(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"limit": self.limit, "offset": self.offset}
        if self.direction != ANY:
            params["message_direction"] = self.direction
        if self.state != ANY:
            params["message_state"] = self.state
        if self.from_number:
            params["from_number"] = self.from_number
        if self.to_number:
            params["to_number"] = self.to_number
        if self.since is not None:
            params["message_time__gte"] = plivo_time(self.since)
        if self.until is not None:
            params["message_time__lte"] = plivo_time(self.until)
        return params


def list_query_from_params(params: Params) -> ListQuery:
    """Every ``list_messages`` parameter, validated; :class:`InputError` names the first fault."""
    direction = _lower_choice(params, "direction", DIRECTIONS)
    state = _lower_choice(params, "state", STATE_CHOICES)
    since = parse_time_bound(read.text(params, "since"), "since", end_of_day=False)
    until = parse_time_bound(read.text(params, "until"), "until", end_of_day=True)
    if since is not None and until is not None and since > until:
        raise InputError(
            "since",
            f"since ({plivo_time(since)} UTC) is after until ({plivo_time(until)} UTC): swap them.",
        )
    limit = read.number(params, "limit", default=LIST_LIMIT_MAX, minimum=1, maximum=LIST_LIMIT_MAX)
    offset = read.number(params, "offset", default=0, minimum=0, maximum=LIST_OFFSET_MAX)
    return ListQuery(
        direction=direction,
        state=state,
        from_number=parse_number_filter(read.text(params, "from_number"), "from_number"),
        to_number=parse_number_filter(read.text(params, "to_number"), "to_number"),
        since=since,
        until=until,
        limit=limit or LIST_LIMIT_MAX,
        offset=offset or 0,
    )


def summarize_page(query: ListQuery, page: MessagePage) -> str:
    """One line for the text output: how many, of how many, and how to get the next page."""
    shown = len(page.records)
    total = f" of {page.total_count}" if page.total_count is not None else ""
    if shown == 0:
        line = "No messages match"
    else:
        first = page.offset + 1
        line = f"Messages {first}-{page.offset + shown}{total} (newest first)"
        failed = [r for r in page.records if r.error_code]
        if failed:
            line += f"; {len(failed)} with an error code"
    if page.next_offset is not None:
        line += f"; more with offset={page.next_offset}"
    if query.default_window:
        line += ". No since/until given, so Plivo searched only the last 24 hours"
    return line + "."


def _lower_choice(params: Params, name: str, options: tuple[str, ...]) -> str:
    """Case-insensitive (models write "Delivered"); empty, missing or "any" means no filter."""
    raw = params.get(name)
    if isinstance(raw, str):
        params = {name: raw.strip().lower()}
    return read.choice(params, name, options, default=ANY)


__all__ = [
    "DIRECTIONS",
    "LIST_LIMIT_MAX",
    "STATE_CHOICES",
    "ListQuery",
    "list_query_from_params",
    "message_request_from_params",
    "parse_message_uuid",
    "parse_number_filter",
    "parse_time_bound",
    "plivo_time",
    "summarize_page",
]
