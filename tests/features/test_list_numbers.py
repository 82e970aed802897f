"""list_numbers: the filters read as people and agents write them, one GET with only the filters
given, and the page shown."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError
from plivo_api.features import Invocation
from plivo_api.features.list_numbers import NumberQuery, parse_services, query_from_params, run
from tests.conftest import AUTH_ID, AUTH_TOKEN

NUMBERS_PATH = f"/v1/Account/{AUTH_ID}/Number/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
APP_ID = "27784745124961230"
NUMBER = {
    "number": "442079460030",
    "alias": "London desk",
    "number_type": "local",
    "region": "London, UNITED KINGDOM",
    "sms_enabled": True,
    "voice_enabled": True,
    "mms_enabled": False,
    "application": f"/v1/Account/{AUTH_ID}/Application/{APP_ID}/",
    "monthly_rental_rate": "0.80000",
}


# -- services, as `to` accepts lists ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sms", ("sms",)),
        ("voice, SMS", ("voice", "sms")),
        ("sms and voice", ("sms", "voice")),
        ("SMS & MMS", ("sms", "mms")),
        ("sms; voice; sms", ("sms", "voice")),
        ('["sms", "voice"]', ("sms", "voice")),
        (["voice", "mms"], ("voice", "mms")),
        ('"sms", "voice"', ("sms", "voice")),
        ("", ()),
        (None, ()),
    ],
)
def test_services_are_read_like_a_list_of_recipients(raw: Any, expected: tuple[str, ...]) -> None:
    assert query_from_params({"services": raw}).services == expected


def test_services_written_with_or_say_that_every_service_is_required() -> None:
    with pytest.raises(InputError) as caught:
        query_from_params({"services": "sms or voice"})
    assert caught.value.parameter == "services"
    assert "every listed service" in str(caught.value)


@pytest.mark.parametrize("raw", ["fax", '["sms", "fax"]', "whatsapp, sms"])
def test_an_unknown_service_is_named(raw: str) -> None:
    with pytest.raises(InputError, match=r"'fax'|'whatsapp'") as caught:
        query_from_params({"services": raw})
    assert caught.value.parameter == "services"
    assert "use sms, voice and/or mms" in str(caught.value)


def test_parse_services_keeps_the_first_spelling_order() -> None:
    assert parse_services("MMS voice sms") == ("mms", "voice", "sms")


# -- the other filters -----------------------------------------------------------------------


def test_only_the_filters_given_are_sent() -> None:
    assert NumberQuery().query() == {"limit": 20, "offset": 0}
    query = query_from_params(
        {
            "type": "TollFree",
            "number_startswith": "+1 (800)",
            "alias": "Support",
            "services": "voice",
            "limit": "5",
            "offset": 10,
        }
    )
    assert query.query() == {
        "limit": 5,
        "offset": 10,
        "type": "tollfree",
        "number_startswith": "1800",
        "alias": "Support",
        "services": "voice",
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "premium"}, "type"),
        ({"number_startswith": "four-one-five"}, "number_startswith"),
        ({"number_startswith": "1" * 16}, "number_startswith"),
        ({"limit": 21}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_filters_name_the_parameter(params: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        query_from_params(params)
    assert caught.value.parameter == parameter


# -- run against a local Plivo ----------------------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_sends_one_get_with_the_filters_and_shows_the_page(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        NUMBERS_PATH,
        method="GET",
        query_string={"limit": "1", "offset": "0", "services": "sms,voice"},
    ).respond_with_json(
        {
            "api_id": "n-1",
            "meta": {"limit": 1, "offset": 0, "total_count": 3, "next": "/next"},
            "objects": [NUMBER],
        }
    )
    output = run(Invocation({"services": "sms and voice", "limit": 1}, CREDENTIALS))
    [row] = output.json["numbers"]
    assert row["number"] == "+442079460030"
    assert (row["alias"], row["type"], row["country"]) == ("London desk", "local", "United Kingdom")
    assert (row["sms_enabled"], row["voice_enabled"], row["mms_enabled"]) == (True, True, False)
    assert row["application"] == APP_ID
    assert row["monthly_rental_rate"] == 0.8
    assert (output.json["total_count"], output.json["next_offset"]) == (3, 1)
    assert output.json["api_id"] == "n-1"
    assert output.variables == {
        "numbers": output.json["numbers"],
        "total_count": 3,
        "next_offset": 1,
    }
    assert output.text == "Numbers 1-1 of 3: +442079460030; more with offset=1."
    assert len(plivo.log) == 1


def test_run_with_no_numbers_says_so(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(NUMBERS_PATH, method="GET").respond_with_json(
        {"api_id": "n-2", "meta": {"limit": 20, "offset": 0, "total_count": 0}, "objects": []}
    )
    output = run(Invocation({"type": "mobile"}, CREDENTIALS))
    assert output.json["numbers"] == []
    assert output.text == "No numbers."


def test_run_refuses_bad_services_before_any_request(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"services": "sms, fax"}, CREDENTIALS))
    assert plivo.log == []
