"""Filters of Plivo's list calls; time filters are ``{field}`` and ``{field}__gt|gte|lt|lte``.

Values are UTC ``YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`` (List Calls' ``end_time``, List Recordings'
``add_time``); a plain ``{field}`` matches at the resolution it was written in.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from devtools.sandbox.answers import bad_request
from devtools.sandbox.catalog import strip_number
from devtools.sandbox.voice import StoredCall

_FORMATS = (
    ("%Y-%m-%d %H:%M:%S.%f", dt.timedelta(microseconds=1)),
    ("%Y-%m-%d %H:%M:%S", dt.timedelta(seconds=1)),
    ("%Y-%m-%d %H:%M", dt.timedelta(minutes=1)),
)
_COMPARISONS: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {
    "__gt": operator.gt,
    "__gte": operator.ge,
    "__lt": operator.lt,
    "__lte": operator.le,
}


@dataclass(frozen=True)
class TimeFilter:
    operator: str
    moment: dt.datetime
    resolution: dt.timedelta

    def accepts(self, timestamp: float) -> bool:
        moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
        if self.operator == "":
            return self.moment <= moment < self.moment + self.resolution
        return bool(_COMPARISONS[self.operator](moment, self.moment))


def _parse(name: str, value: str) -> tuple[dt.datetime, dt.timedelta]:
    for fmt, resolution in _FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC), resolution
        except ValueError:
            continue
    raise bad_request(f"{name} must look like YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC)")


def time_filters(args: Mapping[str, str], field: str) -> list[TimeFilter]:
    """The ``field`` filters among ``args``; an unknown suffix or a bad time is a 400."""
    filters = []
    for name, value in args.items():
        if name != field and not name.startswith(f"{field}__"):
            continue
        suffix = name.removeprefix(field)
        if suffix and suffix not in _COMPARISONS:
            raise bad_request(f"unknown filter {name}")
        moment, resolution = _parse(name, value)
        filters.append(TimeFilter(suffix, moment, resolution))
    return filters


def accepts_all(filters: list[TimeFilter], timestamp: float | None) -> bool:
    """Whether ``timestamp`` passes every filter (no time passes none but an empty list)."""
    if not filters:
        return True
    return timestamp is not None and all(f.accepts(timestamp) for f in filters)


def live_call_matches(call: StoredCall, args: Mapping[str, str]) -> bool:
    """List Live Calls' filters: ``call_direction``, and ``from_number``/``to_number`` (a
    number or its prefix, as on List Calls)."""
    direction = args.get("call_direction")
    if direction is not None and call.direction != direction:
        return False
    return call.from_number.startswith(
        strip_number(args.get("from_number", ""))
    ) and call.to_number.startswith(strip_number(args.get("to_number", "")))


__all__ = ["TimeFilter", "accepts_all", "live_call_matches", "time_filters"]
