"""list_messages: filters checked and converted before any request, then one page as shown."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, RateLimitedError
from plivo_api.features import Invocation
from plivo_api.features.get_message import MessageQuery
from plivo_api.features.get_message import present as present_message
from plivo_api.features.list_messages import (
    ListQuery,
    merge_pages,
    parse_number_filter,
    parse_time_bound,
    present,
    query_from_params,
    run,
)
from plivo_api.resources.messages import MessageRecord
from plivo_api.toolkit.polling import MessageStatus
from plivo_api.transport.paging import Page
from tests.conftest import AUTH_ID, AUTH_TOKEN

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"
MESSAGE_PATH = f"/v1/Account/{AUTH_ID}/Message/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
MDR = {
    "error_code": "000",
    "from_number": "14155550100",
    "message_direction": "outbound",
    "message_state": "delivered",
    "message_time": "2026-01-05 10:00:01+00:00",
    "message_type": "sms",
    "message_uuid": UUID,
    "to_number": "14155550123",
    "units": 1,
}


def page_of(
    records: list[dict[str, object]],
    total: int | None,
    offset: int = 0,
    next_offset: int | None = None,
) -> Page[MessageRecord]:
    return Page(
        tuple(MessageRecord.from_json(r) for r in records), total, offset, next_offset, "api-7"
    )


# -- time bounds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "end_of_day", "expected"),
    [
        ("2026-01-05", False, "2026-01-05 00:00:00"),
        ("2026-01-05", True, "2026-01-05 23:59:59"),
        ("20260105", True, "2026-01-05 23:59:59"),  # ISO basic format
        ("20260105", False, "2026-01-05 00:00:00"),
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


@pytest.mark.parametrize(
    "raw", ["tomorrow", "last week", "05/01/2026", "2026-13-01", "2026-01-05T25:00"]
)
def test_bad_time_bounds_are_refused_showing_todays_utc_date(raw: str) -> None:
    with pytest.raises(InputError, match="not an ISO date") as caught:
        parse_time_bound(raw, "until", end_of_day=True, today=TODAY)
    assert caught.value.parameter == "until"
    message = str(caught.value)
    assert "write today, yesterday, a date such as 2026-03-10 or a date-time such as " in message
    assert message.endswith("Today is 2026-03-10 in UTC.")


def test_without_a_given_day_errors_show_the_current_utc_date() -> None:
    with pytest.raises(InputError) as caught:
        parse_time_bound("soon", "since", end_of_day=False)
    assert f"Today is {dt.datetime.now(dt.UTC).date()} in UTC." in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "end_of_day", "expected"),
    [
        ("today", False, "2026-03-10 00:00:00"),
        ("Today", True, "2026-03-10 23:59:59"),
        (" yesterday ", False, "2026-03-09 00:00:00"),
        ("YESTERDAY", True, "2026-03-09 23:59:59"),
    ],
)
def test_today_and_yesterday_are_whole_utc_days(raw: str, end_of_day: bool, expected: str) -> None:
    moment = parse_time_bound(raw, "since", end_of_day=end_of_day, today=TODAY)
    assert moment is not None
    assert moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") == expected


def test_yesterday_on_the_first_of_a_month_is_the_last_of_the_previous() -> None:
    query = query_from_params({"since": "yesterday", "until": "yesterday"}, dt.date(2026, 3, 1))
    assert query.query()["message_time__gte"] == "2026-02-28 00:00:00"
    assert query.query()["message_time__lte"] == "2026-02-28 23:59:59"


def test_today_by_default_is_the_current_utc_date() -> None:
    query = query_from_params({"since": "today"})
    assert query.since == dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(), dt.UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "1999-12-31",
        "2101-01-01",
        "1999-12-31T10:00",
        "2101-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_time_bounds_outside_plausible_years_are_refused(raw: str) -> None:
    with pytest.raises(InputError, match="Plivo keeps about 90 days") as caught:
        parse_time_bound(raw, "since", end_of_day=False, today=TODAY)
    assert caught.value.parameter == "since"
    assert str(caught.value).endswith("Write a recent date: today is 2026-03-10 in UTC.")


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_time_bound_is_none(raw: str | None) -> None:
    assert parse_time_bound(raw, "since", end_of_day=False) is None


# -- number filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345", "12345"),  # short code
        ("ACME", "ACME"),  # sender ID
        ("+1 415 555 0100", "14155550100"),
        ("+1 (415) 555-0123", "14155550123"),
        ("0044 20 7946 0018", "442079460018"),
        ("", None),
        (None, None),
    ],
)
def test_number_filters_use_plivos_stored_form(raw: str | None, expected: str | None) -> None:
    assert parse_number_filter(raw, "from_number") == expected


@pytest.mark.parametrize(
    "raw", ["415-555-2671", "(415) 555-2671", "020 7946 0018", "not a number at all"]
)
def test_a_number_filter_plivo_could_never_match_is_refused_naming_the_filter(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_number_filter(raw, "to_number")
    message = str(caught.value)
    assert caught.value.parameter == "to_number"
    assert message.startswith(f"to_number: '{raw}'")
    assert "phone number" in message
    assert "sender" not in message.lower()
    assert "default_country" not in message


def test_a_national_number_filter_says_to_add_the_country_code_or_ask() -> None:
    with pytest.raises(InputError) as caught:
        parse_number_filter("415-555-2671", "to_number")
    assert "country code" in str(caught.value)
    assert "ask the user" in str(caught.value)


def test_a_national_number_filter_suggests_the_likely_reading() -> None:
    with pytest.raises(InputError) as caught:
        parse_number_filter("0207 946 0030", "to_number")
    assert "if it is a GB number, write it as +44 20 7946 0030" in str(caught.value)


def test_a_powerpack_uuid_is_no_number_filter() -> None:
    with pytest.raises(InputError) as caught:
        parse_number_filter("1b2c3d4e-0000-4000-8000-00000000abcd", "from_number")
    assert caught.value.parameter == "from_number"


# -- the query --------------------------------------------------------------------------------


def test_defaults_send_only_paging() -> None:
    query = query_from_params({})
    assert query.query() == {"limit": 20, "offset": 0}
    assert query.default_window


def test_every_filter_reaches_the_query() -> None:
    query = query_from_params(
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


@pytest.mark.parametrize("state", ["received", "read", "queued"])
def test_every_plivo_state_is_a_filter(state: str) -> None:
    assert query_from_params({"state": state}).query()["message_state"] == state


@pytest.mark.parametrize("message_type", ["sms", "MMS", "WhatsApp"])
def test_type_filters_on_plivos_message_type(message_type: str) -> None:
    query = query_from_params({"type": message_type})
    assert query.query()["message_type"] == message_type.lower()
    assert "message_type" not in query_from_params({"type": "any"}).query()
    with pytest.raises(InputError) as refused:
        query_from_params({"type": "telegram"})
    assert refused.value.parameter == "type"


def test_problem_asks_for_each_problem_state_with_the_same_paging() -> None:
    query = query_from_params(
        {"state": "Problem", "direction": "outbound", "limit": 5, "offset": 5}
    )
    assert query.queries() == tuple(
        {"limit": 5, "offset": 5, "message_direction": "outbound", "message_state": state}
        for state in ("failed", "undelivered", "rejected")
    )


def test_any_means_no_filter() -> None:
    assert query_from_params({"direction": "any", "state": " Any "}).query() == {
        "limit": 20,
        "offset": 0,
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"state": "lost"}, "state"),
        ({"limit": 21}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": 10**400}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"to_number": "not a number at all"}, "to_number"),
        ({"from_number": "415-555-2671"}, "from_number"),
    ],
)
def test_bad_list_params_name_the_parameter(params: dict[str, object], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        query_from_params(params)
    assert caught.value.parameter == parameter


def test_since_after_until_says_to_swap_them() -> None:
    with pytest.raises(InputError, match="swap them"):
        query_from_params({"since": "2026-02-01", "until": "2026-01-01"})


# -- presentation -----------------------------------------------------------------------------


def test_summary_mentions_errors_the_default_window_and_the_next_page() -> None:
    page = page_of([{**MDR, "message_state": "failed", "error_code": "900"}], 3, 0, 1)
    text = present(ListQuery(limit=1), page).text
    assert text == (
        "Messages 1-1 of 3 (newest first): 1 failed; 1 with an error code; more with offset=1. "
        "No since/until given, so Plivo searched only the last 24 hours."
    )


def test_summary_counts_the_page_by_state_in_life_cycle_order() -> None:
    records = [
        {**MDR, "message_state": "failed", "error_code": "900"},
        MDR,
        {**MDR, "message_state": "queued"},
        MDR,
    ]
    output = present(ListQuery(since=SINCE), page_of(records, 4))
    assert output.json["state_counts"] == [
        {"state": "queued", "count": 1},
        {"state": "delivered", "count": 2},
        {"state": "failed", "count": 1},
    ]
    assert output.text == (
        "Messages 1-4 of 4 (newest first): 1 queued, 2 delivered, 1 failed; 1 with an error code."
    )


def problem_page(states: list[str], total: int, more: bool = False) -> Page[MessageRecord]:
    records = [
        {**MDR, "message_state": state, "message_time": f"2026-01-05 10:00:0{i}+00:00"}
        for i, state in enumerate(states)
    ]
    return page_of(records, total, 0, len(states) if more else None)


def test_problem_pages_merge_newest_first_and_sum_their_totals() -> None:
    query = ListQuery(state="problem", since=SINCE, limit=2)
    merged = merge_pages(
        query,
        [
            problem_page(["failed", "failed"], 5, more=True),
            problem_page([], 0),
            problem_page(["rejected"], 1),
        ],
    )
    assert [r.message_time for r in merged.records] == [
        "2026-01-05 10:00:01+00:00",
        "2026-01-05 10:00:00+00:00",
        "2026-01-05 10:00:00+00:00",
    ]
    assert (merged.total_count, merged.offset, merged.next_offset) == (6, 0, 2)
    assert merged.api_id == "api-7"
    output = present(query, merged)
    assert output.json["state_counts"] == [
        {"state": "failed", "count": 2},
        {"state": "rejected", "count": 1},
    ]
    assert output.text == (
        "3 of 6 failed, undelivered or rejected messages from offset 0 (newest first; up to 2 "
        "of each state per page): 2 failed, 1 rejected; more with offset=2."
    )


def test_a_problem_total_is_unknown_when_one_state_is_not_counted() -> None:
    query = ListQuery(state="problem", since=SINCE)
    merged = merge_pages(query, [problem_page(["failed"], 1), page_of([], None), page_of([], 0)])
    assert merged.total_count is None
    assert merged.next_offset is None


def test_no_problem_messages_is_said_plainly() -> None:
    query = ListQuery(state="problem")
    merged = merge_pages(query, [page_of([], 0)] * 3)
    assert present(query, merged).text == (
        "No failed, undelivered or rejected messages match. No since/until given, so Plivo "
        "searched only the last 24 hours."
    )


def test_summary_of_an_empty_result() -> None:
    assert present(ListQuery(since=SINCE), page_of([], 0)).text == "No messages match."


def test_an_offset_past_the_end_says_which_offsets_exist() -> None:
    query = ListQuery(since=SINCE, offset=60)
    text = present(query, page_of([], 46, offset=60)).text
    assert text == (
        "Offset 60 is past the end: 46 messages match, so offsets 0 to 45 exist (the last page "
        "starts at offset 40)."
    )


def test_an_offset_past_the_end_names_the_last_page_for_the_limit_used() -> None:
    text = present(ListQuery(since=SINCE, offset=50, limit=5), page_of([], 46, offset=50)).text
    assert "offsets 0 to 45 exist (the last page starts at offset 45)" in text


def test_a_page_without_a_total_still_counts_its_rows() -> None:
    text = present(ListQuery(since=SINCE), page_of([MDR, MDR], None, 20, 22)).text
    assert text == "Messages 21-22 (newest first): 2 delivered; more with offset=22."


def test_rows_are_shaped_like_get_message() -> None:
    """A row and a get_message result name the same things the same way."""
    output = present(ListQuery(), page_of([MDR], 1))
    rows = output.json["messages"]
    assert isinstance(rows, list)
    [row] = rows
    single = present_message(
        MessageStatus(MessageRecord.from_json(MDR), 0.0, 1), MessageQuery(UUID, 0)
    ).json
    assert row == {key: single[key] for key in row}
    assert row["message_uuid"] == UUID
    assert row["message_time"] == "2026-01-05 10:00:01+00:00"
    assert row["to"] == "+14155550123"
    assert {"uuid", "time"}.isdisjoint(row)


def test_present_carries_paging_and_api_id() -> None:
    output = present(ListQuery(), page_of([MDR], 3, 0, 1))
    assert (output.json["total_count"], output.json["next_offset"], output.json["api_id"]) == (
        3,
        1,
        "api-7",
    )
    assert output.variables == {"total_count": 3, "next_offset": 1}


# -- run against a local Plivo ----------------------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_sends_the_converted_filters(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        MESSAGE_PATH,
        method="GET",
        query_string={
            "limit": "2",
            "offset": "0",
            "message_direction": "inbound",
            "to_number": "14155550100",
            "message_time__gte": "2026-01-05 00:00:00",
        },
    ).respond_with_json(
        {
            "api_id": "api-8",
            "meta": {"limit": 2, "offset": 0, "total_count": 5, "next": "/x?limit=2&offset=2"},
            "objects": [MDR, MDR],
        }
    )
    output = run(
        Invocation(
            {
                "direction": "inbound",
                "to_number": "+1 415 555 0100",
                "since": "2026-01-05",
                "limit": 2,
            },
            CREDENTIALS,
        )
    )
    assert output.json["next_offset"] == 2
    assert output.json["total_count"] == 5
    assert output.json["api_id"] == "api-8"
    rows = output.json["messages"]
    assert isinstance(rows, list) and len(rows) == 2


def test_run_with_problem_asks_for_each_state_and_shows_them_together(
    plivo: HTTPServer,
) -> None:
    for i, state in enumerate(("failed", "undelivered", "rejected")):
        plivo.expect_ordered_request(
            MESSAGE_PATH,
            method="GET",
            query_string={
                "limit": "20",
                "offset": "0",
                "message_state": state,
                "message_time__gte": "2026-03-09 00:00:00",
            },
        ).respond_with_json(
            {
                "api_id": f"api-{state}",
                "meta": {"limit": 20, "offset": 0, "total_count": 1, "next": None},
                "objects": [
                    {**MDR, "message_state": state, "message_time": f"2026-03-09 1{i}:00:00+00:00"}
                ],
            }
        )
    output = run(Invocation({"state": "problem", "since": "2026-03-09"}, CREDENTIALS))
    assert len(plivo.log) == 3
    rows = output.json["messages"]
    assert isinstance(rows, list)
    assert [row["state"] for row in rows] == ["rejected", "undelivered", "failed"]
    assert output.json["state_counts"] == [
        {"state": state, "count": 1} for state in ("undelivered", "failed", "rejected")
    ]
    assert output.variables == {"total_count": 3, "next_offset": None}
    assert output.text.endswith(": 1 undelivered, 1 failed, 1 rejected.")


def test_run_reports_plivos_list_rate_limit(plivo: HTTPServer) -> None:
    plivo.expect_request(MESSAGE_PATH).respond_with_json(
        {"error": "too many requests"}, status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(RateLimitedError, match="20 per minute"):
        run(Invocation({}, CREDENTIALS))


def test_bad_filters_make_no_request(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"to_number": "415-555-2671"}, CREDENTIALS))
    assert plivo.log == []
