"""Cost estimates: one price request per country, partial and failed estimates as notes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.errors import AuthenticationError, NotFoundError
from plivo_api.preview import preview_from_params, with_cost_estimate
from plivo_api.pricing import EstimateUnavailableError, estimate_cost
from tests.conftest import AUTH_ID, AUTH_TOKEN

PRICING_PATH = f"/v1/Account/{AUTH_ID}/Pricing/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
US_1, US_2, GB_1 = "+14155552671", "+12025550143", "+447400123456"


class Rates:
    def __init__(self, rates: dict[str, Decimal | Exception | None]) -> None:
        self.rates = rates
        self.asked: list[str] = []

    def __call__(self, country: str) -> Decimal | None:
        self.asked.append(country)
        rate = self.rates[country]
        if isinstance(rate, Exception):
            raise rate
        return rate


def test_each_country_is_priced_once_and_multiplied_out() -> None:
    rates = Rates({"US": Decimal("0.0055"), "GB": Decimal("0.04")})
    estimate = estimate_cost([US_1, GB_1, US_2], 3, rates)
    assert rates.asked == ["US", "GB"]
    assert estimate.to_dict() == {
        "currency": "USD",
        "total": pytest.approx(float(Decimal("0.0055") * 6 + Decimal("0.04") * 3)),
        "per_country": [
            {"country": "US", "recipients": 2, "units": 6, "rate": 0.0055, "cost": 0.033},
            {"country": "GB", "recipients": 1, "units": 3, "rate": 0.04, "cost": 0.12},
        ],
    }
    assert estimate.total == Decimal("0.153")
    assert "Estimated cost 0.15300 USD" in estimate.summary()


def test_a_country_without_prices_makes_the_total_unknown() -> None:
    rates = Rates({"US": Decimal("0.0055"), "GB": NotFoundError("no price list")})
    estimate = estimate_cost([US_1, GB_1], 1, rates)
    assert estimate.total is None
    assert estimate.to_dict()["total"] is None
    assert [c.cost for c in estimate.per_country] == [Decimal("0.0055"), None]
    assert estimate.notes == ("Plivo has no price for GB",)


def test_a_credential_error_ends_the_estimate_after_one_request() -> None:
    rates = Rates({"US": AuthenticationError("Plivo rejected the Auth ID"), "GB": Decimal(1)})
    with pytest.raises(EstimateUnavailableError, match="rejected the Auth ID"):
        estimate_cost([US_1, GB_1], 1, rates)
    assert rates.asked == ["US"]


def test_no_recipients_is_not_an_estimate() -> None:
    with pytest.raises(EstimateUnavailableError, match="no valid recipients"):
        estimate_cost([], 1, Rates({}))


def test_a_number_of_no_country_is_listed_without_a_price() -> None:
    estimate = estimate_cost(["+80012345678"], 1, Rates({}))
    assert estimate.total is None
    assert estimate.notes == ("+80012345678 belongs to no country",)


# -- preview_sms's estimate against a local server ---------------------------------------------


@pytest.fixture
def plivo_at(server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def pricing_body(iso: str, outbound: str) -> dict[str, object]:
    return {"country_iso": iso, "message": {"outbound": {"rate": outbound}}}


def test_preview_without_estimate_makes_no_request_and_has_no_cost_keys() -> None:
    preview = preview_from_params({"message": "hi", "to": US_1})
    assert not preview.estimate_requested
    assert "cost_estimate" not in preview.to_dict()


def test_preview_estimate_fetches_each_country_once(plivo_at) -> None:
    for iso, rate in (("US", "0.00550"), ("GB", "0.04000")):
        plivo_at.expect_ordered_request(
            PRICING_PATH, query_string={"country_iso": iso}
        ).respond_with_json(pricing_body(iso, rate))
    preview = preview_from_params(
        {"message": "x" * 161, "to": f"{US_1}, {GB_1}, {US_2}", "estimate_cost": "true"}
    )
    data = with_cost_estimate(preview, CREDENTIALS).to_dict()
    assert len(plivo_at.log) == 2
    assert data["cost_note"] is None
    assert data["cost_estimate"]["total"] == pytest.approx(0.0055 * 2 * 2 + 0.04 * 2)
    assert [c["units"] for c in data["cost_estimate"]["per_country"]] == [4, 2]


def test_preview_estimate_without_credentials_is_a_note() -> None:
    preview = preview_from_params({"message": "hi", "to": US_1, "estimate_cost": True})
    result = with_cost_estimate(preview, {})
    data = result.to_dict()
    assert data["cost_estimate"] is None
    assert "needs the plugin's Plivo credentials" in data["cost_note"]
    assert "Auth ID is empty" in result.summary()


def test_preview_estimate_with_rejected_credentials_is_a_note(plivo_at) -> None:
    plivo_at.expect_request(PRICING_PATH).respond_with_json(
        {"error": "authentication_failed"}, status=401
    )
    preview = preview_from_params({"message": "hi", "to": US_1, "estimate_cost": True})
    data = with_cost_estimate(preview, CREDENTIALS).to_dict()
    assert data["cost_estimate"] is None
    assert data["cost_note"].startswith(
        "No cost estimate: cost estimate unavailable: Plivo rejected"
    )
    assert AUTH_TOKEN not in data["cost_note"]


def test_preview_estimate_with_an_unpriced_country_is_partial(plivo_at) -> None:
    plivo_at.expect_request(PRICING_PATH, query_string={"country_iso": "US"}).respond_with_json(
        pricing_body("US", "0.00550")
    )
    plivo_at.expect_request(PRICING_PATH, query_string={"country_iso": "GB"}).respond_with_json(
        {"error": "not found"}, status=404
    )
    preview = preview_from_params({"message": "hi", "to": f"{US_1},{GB_1}", "estimate_cost": 1})
    result = with_cost_estimate(preview, CREDENTIALS)
    data = result.to_dict()
    assert data["cost_estimate"]["total"] is None
    assert data["cost_estimate"]["per_country"][0]["cost"] == 0.0055
    assert data["cost_note"] == "Cost estimate incomplete: Plivo has no price for GB"
    assert "Cost estimate incomplete" in result.summary()
