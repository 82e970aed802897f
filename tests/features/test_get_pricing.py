"""get_pricing: a country code checked locally, one price-list read, rates shown as numbers."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.get_pricing import parse_country, present, run
from plivo_api.resources.pricing import Pricing
from tests.conftest import AUTH_ID, AUTH_TOKEN

CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
PRICING_PATH = f"/v1/Account/{AUTH_ID}/Pricing/"
PRICING = {
    "api_id": "api-11",
    "country": "United Kingdom",
    "country_code": 44,
    "country_iso": "GB",
    "message": {
        "inbound": {"rate": "0.00000"},
        "outbound": {"rate": "0.04000"},
        "outbound_networks_list": [
            {"group_name": "Example Wireless", "rate": "0.04000"},
            {"group_name": "Example Mobile", "rate": "0.04100"},
        ],
    },
    "voice": {
        "inbound": {"local": {"rate": "0.00850"}, "tollfree": {"rate": "0.02100"}},
        "outbound": {"local": {"rate": "0.01000"}, "rates": [{"prefix": ["44"], "rate": "0.01"}]},
    },
}


@pytest.mark.parametrize(("raw", "iso"), [("GB", "GB"), ("gb", "GB"), (" us ", "US"), ("UK", "GB")])
def test_country_codes_are_iso_in_any_case(raw: str, iso: str) -> None:
    assert parse_country(raw) == iso


@pytest.mark.parametrize("raw", [None, "", "GBR", "United Kingdom", "ZZ", "1"])
def test_bad_country_codes_are_refused_naming_country_iso(raw: str | None) -> None:
    with pytest.raises(InputError) as caught:
        parse_country(raw)
    assert caught.value.parameter == "country_iso"
    assert "ISO 3166" in str(caught.value)


def test_present_shows_rates_as_numbers_in_usd() -> None:
    output = present(Pricing.from_json(PRICING))
    assert output.json == {
        "country": "United Kingdom",
        "country_iso": "GB",
        "country_code": 44,
        "currency": "USD",
        "sms_outbound_rate": 0.04,
        "sms_inbound_rate": 0.0,
        "sms_networks": [
            {"name": "Example Wireless", "rate": 0.04},
            {"name": "Example Mobile", "rate": 0.041},
        ],
        "voice_outbound_rates": [{"name": "local", "rate": 0.01}],
        "voice_inbound_rates": [
            {"name": "local", "rate": 0.0085},
            {"name": "tollfree", "rate": 0.021},
        ],
        "voice_outbound_prefix_rates": [{"prefixes": ["44"], "rate": 0.01}],
        "number_rental_rates": [],
        "api_id": "api-11",
    }
    assert output.variables == {"sms_outbound_rate": 0.04}
    assert output.text == (
        "Plivo prices for United Kingdom (GB) in USD: SMS outbound 0.04000 per segment, inbound "
        "0.00000; by network: Example Wireless 0.04000, Example Mobile 0.04100; voice outbound "
        "(local) 0.01000 per minute; voice outbound by number prefix: 44 0.01."
    )


def test_a_price_list_without_sms_rates_says_unknown() -> None:
    output = present(Pricing.from_json({"country_iso": "XX", "message": None, "voice": []}))
    assert output.json["sms_outbound_rate"] is None
    assert output.json["sms_networks"] == []
    assert output.json["voice_outbound_rates"] == []
    assert output.text == (
        "Plivo prices for XX in USD: SMS outbound unknown per segment, inbound unknown."
    )


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_reads_the_countrys_price_list(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        PRICING_PATH, method="GET", query_string={"country_iso": "GB"}
    ).respond_with_json(PRICING)
    output = run(Invocation({"country_iso": "uk"}, CREDENTIALS))
    assert output.json["sms_outbound_rate"] == 0.04


def test_run_explains_a_country_without_a_price_list(plivo: HTTPServer) -> None:
    plivo.expect_request(PRICING_PATH).respond_with_json({"error": "not found"}, status=404)
    with pytest.raises(NotFoundError, match="no price list for country VA"):
        run(Invocation({"country_iso": "VA"}, CREDENTIALS))


def test_run_makes_no_request_for_a_bad_country(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"country_iso": "Narnia"}, CREDENTIALS))
    assert plivo.log == []
