"""lookup_number: a number refused before Plivo bills the lookup, then carrier and formats shown."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.lookup_number import number_from_params, present, run
from plivo_api.resources.lookup import NumberLookup
from tests.conftest import AUTH_ID, AUTH_TOKEN

CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
LOOKUP = {
    "api_id": "api-10",
    "phone_number": "+14155550123",
    "country": {"name": "United States", "iso2": "US", "iso3": "USA"},
    "format": {
        "e164": "+14155550123",
        "national": "(415) 555-0123",
        "international": "+1 415-555-0123",
        "rfc3966": "tel:+1-415-555-0123",
    },
    "carrier": {
        "mobile_country_code": "310",
        "mobile_network_code": "260",
        "name": "Example Wireless",
        "type": "mobile",
        "ported": "no",
    },
}


# -- parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"number": "(415) 555-0123", "default_country": "us"}, "+14155550123"),
        ({"number": "+44 20 7946 0018"}, "+442079460018"),
        ({"number": 14155550123}, "+14155550123"),
    ],
)
def test_the_number_is_normalised_as_send_sms_would_send_it(
    params: dict[str, object], number: str
) -> None:
    assert number_from_params(params) == number


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"number": "1-800-FLOWERS"}, "number"),
        ({"number": "020 7946 0018"}, "number"),  # national, and no default_country
        ({"number": "{{#1711.phone#}}"}, "number"),
        ({}, "number"),
        ({"number": "+14155550123", "default_country": "Narnia"}, "default_country"),
    ],
)
def test_an_unusable_number_is_refused_before_paying(
    params: dict[str, object], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        number_from_params(params)
    assert caught.value.parameter == parameter


def test_a_national_number_error_says_to_add_the_country_code_or_ask() -> None:
    with pytest.raises(InputError) as caught:
        number_from_params({"number": "020 7946 0018"})
    message = str(caught.value)
    assert message.startswith("number: '020 7946 0018'")
    assert "ask the user" in message
    assert "default_country" not in message


# -- presentation -----------------------------------------------------------------------------


def test_present_flattens_country_carrier_and_formats() -> None:
    output = present(NumberLookup.from_json(LOOKUP))
    assert output.json == {
        "number": "+14155550123",
        "country_iso": "US",
        "country": "United States",
        "carrier": "Example Wireless",
        "line_type": "mobile",
        "ported": False,
        "mcc": "310",
        "mnc": "260",
        "national_format": "(415) 555-0123",
        "international_format": "+1 415-555-0123",
        "api_id": "api-10",
    }
    assert output.variables == {
        "line_type": "mobile",
        "carrier": "Example Wireless",
        "country_iso": "US",
    }
    assert output.text == (
        "+14155550123 (United States, US): mobile line, carrier Example Wireless, not ported; "
        "national format (415) 555-0123."
    )


def test_summary_of_a_sparse_answer() -> None:
    assert present(NumberLookup.from_json({})).text == "The number: unknown line."


# -- run against a local Plivo Lookup ---------------------------------------------------------


@pytest.fixture
def lookup(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_LOOKUP_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_asks_the_lookup_host_for_the_carrier(lookup: HTTPServer) -> None:
    lookup.expect_oneshot_request(
        "/v1/Number/+14155550123", method="GET", query_string={"type": "carrier"}
    ).respond_with_json(LOOKUP)
    output = run(Invocation({"number": "(415) 555-0123", "default_country": "US"}, CREDENTIALS))
    assert output.json["line_type"] == "mobile"
    assert output.json["api_id"] == "api-10"


def test_run_explains_a_number_lookup_does_not_know(lookup: HTTPServer) -> None:
    lookup.expect_request("/v1/Number/+14155550123").respond_with_json(
        {"api_id": "l-1", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match="not a valid or known phone number"):
        run(Invocation({"number": "+14155550123"}, CREDENTIALS))


def test_run_makes_no_billed_request_for_a_bad_number(lookup: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"number": "1-800-FLOWERS"}, CREDENTIALS))
    assert lookup.log == []
