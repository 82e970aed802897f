"""Plivo's list pages: ``limit`` 1-20, ``offset``, and ``meta {total_count, next}`` in the answer.

Every list endpoint of the REST API pages the same way
(https://www.plivo.com/docs/numbers/api/account-phone-number/list-all-my-numbers/), so the limits
and the page reading live here once; each resource brings its own record parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from ..errors import MalformedResponseError
from ..params import NumberRange
from ..text import listed
from .jsonvalues import int_of, mapping_of, str_of

PAGE_SIZE_MAX: Final = 20  # Plivo's cap on ``limit`` for every list call
OFFSET_MAX: Final = 1_000_000
LIMIT_RANGE: Final = NumberRange(1, PAGE_SIZE_MAX, PAGE_SIZE_MAX)
OFFSET_RANGE: Final = NumberRange(0, OFFSET_MAX, 0)


def next_offset(next_url: object, offset: int, count: int, total: int | None) -> int | None:
    """Plivo's ``meta.next`` is a relative URL or null; its ``offset`` argument is the answer."""
    if not next_url or count == 0:
        return None
    if total is not None and offset + count >= total:
        return None
    query = parse_qs(urlsplit(str(next_url)).query)
    found = int_of(query["offset"][0]) if query.get("offset") else None
    return found if found is not None and found > offset else offset + count


@dataclass(frozen=True)
class Page[T]:
    """One page of a list call; ``next_offset`` is None on the last page."""

    records: tuple[T, ...]
    total_count: int | None
    offset: int
    next_offset: int | None
    api_id: str | None = None


def parse_page[T](
    data: Mapping[str, Any],
    parse: Callable[[Mapping[str, Any]], T],
    *,
    requested_offset: int,
    what: str,
) -> Page[T]:
    """``{"meta": {...}, "objects": [...]}`` with each object read by ``parse``."""
    objects = data.get("objects")
    if objects is None:
        objects = []
    if not isinstance(objects, list):
        raise MalformedResponseError(
            f"Plivo's {what} list has no 'objects' list; try again in a moment.",
            api_id=str_of(data, "api_id"),
        )
    records = tuple(parse(item) for item in objects if isinstance(item, Mapping))
    meta = mapping_of(data, "meta")
    offset = int_of(meta.get("offset"))
    offset = requested_offset if offset is None else offset
    total = int_of(meta.get("total_count"))
    return Page(
        records=records,
        total_count=total,
        offset=offset,
        next_offset=next_offset(meta.get("next"), offset, len(records), total),
        api_id=str_of(data, "api_id"),
    )


def page_summary(noun: str, page: Page[Any], requested_offset: int, shown: Sequence[str]) -> str:
    """``Numbers 1-3 of 3: a, b, c.``, ``No numbers.`` or the offset past the end, then the
    offset of the next page."""
    count = len(page.records)
    total = page.total_count
    if count == 0 and requested_offset > 0 and total:
        line = f"Offset {requested_offset} is past the end: {total} {noun} exist"
    elif count == 0:
        line = f"No {noun}"
    else:
        of_total = f" of {total}" if total is not None else ""
        line = f"{noun[0].upper()}{noun[1:]} {page.offset + 1}-{page.offset + count}{of_total}"
        if shown:
            line += f": {listed(shown)}"
    if page.next_offset is not None:
        line += f"; more with offset={page.next_offset}"
    return line + "."


__all__ = [
    "LIMIT_RANGE",
    "OFFSET_MAX",
    "OFFSET_RANGE",
    "PAGE_SIZE_MAX",
    "Page",
    "page_summary",
    "parse_page",
]
