"""list_calls: live calls with their details (one read per call on the page), ended calls with
number and time filters, and refusals before any request."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from devtools.sandbox import PlivoSandbox
from plivo_api.errors import InputError
from plivo_api.features import Invocation
from plivo_api.features.list_calls import filters_from, run
from tests.features.voice_fixtures import CREDENTIALS, place_call, plivo, plugin_requests

__all__ = ["plivo"]


def test_live_calls_come_with_from_to_state_and_start_time(plivo: PlivoSandbox) -> None:
    first = place_call(plivo)
    second = place_call(plivo, to="14155551000")  # ends after 0.5 s, still live now
    output = run(Invocation({}, CREDENTIALS))
    assert set(output.variables["call_uuids"]) == {first, second}
    rows = {row["call_uuid"]: row for row in output.json["calls"]}
    assert rows[first]["from"] == "+14155550100"
    assert rows[first]["to"] == "+14155550000"
    assert rows[first]["state"] == "in-progress"
    assert rows[first]["initiation_time"]
    assert output.variables["total_count"] == 2
    assert output.text.startswith("Live calls 1-2 of 2: ")
    assert [m for m, _ in plugin_requests(plivo)] == ["GET", "GET", "GET"]


def test_live_calls_are_paged_and_filtered_by_number(plivo: PlivoSandbox) -> None:
    place_call(plivo)
    place_call(plivo)
    other = place_call(plivo, to="14155551000")
    page = run(Invocation({"limit": 1}, CREDENTIALS))
    assert len(page.json["calls"]) == 1 and page.variables["next_offset"] == 1
    assert len(plivo.requests) == 2  # the list, then one call's details
    only = run(Invocation({"to_number": "+1 415 555 1000"}, CREDENTIALS))
    assert only.variables["call_uuids"] == [other]


def test_ended_calls_filtered_by_end_time(plivo: PlivoSandbox) -> None:
    ended = place_call(plivo, to="14155552671")
    time.sleep(0.6)
    plivo.clear()
    output = run(Invocation({"state": "ended", "since": "today"}, CREDENTIALS))
    assert output.variables["call_uuids"] == [ended]
    assert output.json["calls"][0]["state"] == "completed"
    assert output.json["calls"][0]["hangup_cause"] == "Normal Hangup"
    [request] = plivo.requests
    assert request.query["end_time__gte"].endswith("00:00:00")
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    none = run(Invocation({"state": "ended", "since": tomorrow}, CREDENTIALS))
    assert none.variables["call_uuids"] == [] and none.text == "No ended calls."


def test_ended_calls_without_a_time_filter_say_plivo_searched_seven_days(
    plivo: PlivoSandbox,
) -> None:
    output = run(Invocation({"state": "ended"}, CREDENTIALS))
    assert output.text.endswith("Plivo searched the last 7 days.")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"state": "live", "since": "today"}, "since"),
        ({"state": "ringing"}, "state"),
        ({"direction": "sideways"}, "direction"),
        ({"from_number": "0415 555"}, "from_number"),
        ({"state": "ended", "since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"limit": 21}, "limit"),
    ],
)
def test_bad_filters_are_refused_and_nothing_is_sent(
    plivo: PlivoSandbox, params: dict, parameter: str
) -> None:
    with pytest.raises(InputError) as raised:
        run(Invocation(params, CREDENTIALS))
    assert raised.value.parameter == parameter
    assert plivo.requests == []


def test_filters_are_plivos_names() -> None:
    filters = filters_from(
        {"direction": "outbound", "to_number": "+14155552671", "until": "2026-01-05"},
        "ended",
    )
    assert filters == {
        "call_direction": "outbound",
        "to_number": "14155552671",
        "end_time__lte": "2026-01-05 23:59:59",
    }
