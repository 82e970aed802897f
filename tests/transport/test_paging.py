"""Plivo's list pages: records, total, offsets and the next page, read defensively."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from plivo_api.errors import MalformedResponseError
from plivo_api.resources.messages import MessageRecord
from plivo_api.transport.paging import Page, parse_page

MDR = {"message_uuid": "5f0e4a8c-0000-4000-8000-00000000000a", "message_state": "delivered"}


def read_page(data: Mapping[str, Any], requested_offset: int = 0) -> Page[MessageRecord]:
    return parse_page(data, MessageRecord.from_json, requested_offset=requested_offset, what="x")


def page(objects: list[object], **meta: object) -> dict[str, object]:
    return {"api_id": "a", "meta": meta, "objects": objects}


def test_page_next_offset_comes_from_plivos_next_url() -> None:
    body = page(
        [MDR, MDR],
        limit=2,
        offset=4,
        total_count=9,
        next="/v1/Account/MA/Message/?limit=2&offset=6",
    )
    parsed = read_page(body)
    assert (parsed.offset, parsed.total_count, parsed.next_offset, parsed.api_id) == (4, 9, 6, "a")
    assert len(parsed.records) == 2


def test_page_next_offset_is_null_at_the_end() -> None:
    assert read_page(page([MDR], limit=20, offset=0, total_count=1)).next_offset is None
    # A "next" link on a page that already reaches total_count is not followed.
    body = page([MDR], limit=1, offset=0, total_count=1, next="/x?offset=1")
    assert read_page(body).next_offset is None
    # An empty page has no next page, whatever the link says.
    assert read_page(page([], offset=40, next="/x?offset=60")).next_offset is None


def test_page_next_without_offset_argument_falls_back_to_the_count() -> None:
    body = page([MDR, MDR], limit="2", offset="0", total_count="5", next="/x?limit=2")
    assert read_page(body).next_offset == 2


def test_page_tolerates_missing_meta_and_objects() -> None:
    parsed = read_page({"api_id": "a"}, requested_offset=40)
    assert parsed.records == ()
    assert parsed.total_count is None
    assert parsed.offset == 40
    assert parsed.next_offset is None


def test_page_skips_non_object_entries_but_refuses_a_non_list() -> None:
    assert len(read_page(page([MDR, "junk", 3])).records) == 1
    with pytest.raises(MalformedResponseError):
        read_page({"objects": {"a": 1}})
