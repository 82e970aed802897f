"""Parameter reading for get_message, list_messages, lookup_number and get_pricing (no network)."""

from __future__ import annotations

import datetime as dt

import pytest

from plivo_api.errors import InputError
from plivo_api.history import (
    ListQuery,
    list_query_from_params,
    message_request_from_params,
    parse_message_uuid,
    parse_number_filter,
    parse_time_bound,
    summarize_page,
)
from plivo_api.lookup import lookup_number_from_params
from plivo_api.models import MessagePage, MessageRecord
from plivo_api.pricing import parse_country

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"


# -- message UUIDs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [UUID, UUID.upper(), f"  {UUID}\n", f'"{UUID}"', UUID.replace("-", "")],
)
def test_uuid_is_canonicalised(raw: str) -> None:
    assert parse_message_uuid(raw) == UUID


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (UUID[:-1], "its groups have 8-4-4-4-11 characters"),
        (UUID.replace("5f0e", "5g0e"), "characters other than 0-9, a-f and dashes"),
        ("5f0e4a8c-0000-4000-8000", "it has 4 groups instead of 5"),
        ("message 1", "characters other than"),
    ],
)
def test_malformed_uuid_names_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_message_uuid(raw)
    assert caught.value.parameter == "message_uuid"
    assert problem in str(caught.value)
    assert "8-4-4-4-12" in str(caught.value)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_uuid_is_required(raw: str | None) -> None:
    with pytest.raises(InputError, match="message_uuid is required"):
        parse_message_uuid(raw)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"message_uuid": UUID}, (UUID, 0)),
        ({"message_uuid": UUID, "wait_seconds": "15"}, (UUID, 15)),
        ({"message_uuid": UUID, "wait_seconds": 60.0}, (UUID, 60)),
        ({"message_uuid": UUID, "wait_seconds": None}, (UUID, 0)),
    ],
)
def test_get_message_params(params: dict[str, object], expected: tuple[str, int]) -> None:
    assert message_request_from_params(params) == expected


@pytest.mark.parametrize("wait", [61, -1, "soon", True, 2.5, [5]])
def test_get_message_wait_out_of_range_or_wrong_type(wait: object) -> None:
    with pytest.raises(InputError) as caught:
        message_request_from_params({"message_uuid": UUID, "wait_seconds": wait})
    assert caught.value.parameter == "wait_seconds"


def test_get_message_checks_the_uuid_even_with_a_list() -> None:
    with pytest.raises(InputError) as caught:
        message_request_from_params({"message_uuid": [UUID, UUID]})
    assert caught.value.parameter == "message_uuid"


# -- time bounds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "end_of_day", "expected"),
    [
        ("2026-01-05", False, "2026-01-05 00:00:00"),
        ("2026-01-05", True, "2026-01-05 23:59:59"),
        ("2026-01-05T14:30", False, "2026-01-05 14:30:00"),
        ("2026-01-05 14:30:15", True, "2026-01-05 14:30:15"),
        ("2026-01-05T14:30:00Z", False, "2026-01-05 14:30:00"),
        ("2026-01-05T14:30:00+02:00", False, "2026-01-05 12:30:00"),
        ("2026-01-05T23:30:00-05:00", True, "2026-01-06 04:30:00"),
    ],
)
def test_time_bounds_become_plivo_utc(raw: str, end_of_day: bool, expected: str) -> None:
    moment = parse_time_bound(raw, "since", end_of_day=end_of_day)
    assert moment is not None and moment.tzinfo is not None
    assert moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") == expected


@pytest.mark.parametrize("raw", ["yesterday", "05/01/2026", "2026-13-01", "2026-01-05T25:00"])
def test_bad_time_bounds_are_refused(raw: str) -> None:
    with pytest.raises(InputError, match="not an ISO date") as caught:
        parse_time_bound(raw, "until", end_of_day=True)
    assert caught.value.parameter == "until"


# -- list query -------------------------------------------------------------------------------


def test_defaults_send_only_paging() -> None:
    query = list_query_from_params({})
    assert query.query() == {"limit": 20, "offset": 0}
    assert query.default_window


def test_every_filter_reaches_the_query() -> None:
    query = list_query_from_params(
        {
            "direction": "Outbound",
            "state": "UNDELIVERED",
            "from_number": "+1 (415) 555-0100",
            "to_number": "+44 7400 123456",
            "since": "2026-01-05",
            "until": "2026-01-06T12:00:00+01:00",
            "limit": "5",
            "offset": 10.0,
        }
    )
    assert query.query() == {
        "limit": 5,
        "offset": 10,
        "message_direction": "outbound",
        "message_state": "undelivered",
        "from_number": "14155550100",
        "to_number": "447400123456",
        "message_time__gte": "2026-01-05 00:00:00",
        "message_time__lte": "2026-01-06 11:00:00",
    }
    assert not query.default_window


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"state": "lost"}, "state"),
        ({"limit": 21}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"to_number": "not a number at all"}, "to_number"),
    ],
)
def test_bad_list_params_name_the_parameter(params: dict[str, object], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        list_query_from_params(params)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12345", "12345"), ("ACME", "ACME"), ("+1 415 555 0100", "14155550100"), ("", None)],
)
def test_number_filters(raw: str, expected: str | None) -> None:
    assert parse_number_filter(raw, "from_number") == expected


def test_any_means_no_filter() -> None:
    assert list_query_from_params({"direction": "any", "state": " Any "}).query() == {
        "limit": 20,
        "offset": 0,
    }


def test_summary_mentions_the_default_window_and_next_page() -> None:
    record = MessageRecord.from_json({"message_state": "failed", "error_code": "900"})
    page = MessagePage((record,), total_count=3, limit=1, offset=0, next_offset=1)
    text = summarize_page(ListQuery(), page)
    assert "Messages 1-1 of 3" in text
    assert "1 with an error code" in text
    assert "offset=1" in text
    assert "last 24 hours" in text
    empty = MessagePage((), total_count=0, limit=20, offset=0, next_offset=None)
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert summarize_page(ListQuery(since=since), empty) == "No messages match."


# -- lookup and pricing params ----------------------------------------------------------------


def test_lookup_number_normalises_with_the_default_country() -> None:
    assert lookup_number_from_params({"number": "(415) 555-0123", "default_country": "us"}) == (
        "+14155550123"
    )
    assert lookup_number_from_params({"number": "+44 20 7946 0018"}) == "+442079460018"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"number": "1-800-FLOWERS"}, "number"),
        ({"number": "020 7946 0018"}, "number"),  # national without default_country
        ({}, "number"),
        ({"number": "+14155550123", "default_country": "Narnia"}, "default_country"),
    ],
)
def test_lookup_number_refuses_before_paying(params: dict[str, object], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        lookup_number_from_params(params)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(("raw", "iso"), [("GB", "GB"), ("gb", "GB"), (" us ", "US"), ("UK", "GB")])
def test_country_codes(raw: str, iso: str) -> None:
    assert parse_country(raw) == iso


@pytest.mark.parametrize("raw", [None, "", "GBR", "United Kingdom", "ZZ", "1"])
def test_bad_country_codes(raw: str | None) -> None:
    with pytest.raises(InputError) as caught:
        parse_country(raw)
    assert caught.value.parameter == "country"
    assert "ISO 3166" in str(caught.value)
