"""Cost estimates: one price request per country, partial and failed estimates as notes.

How preview_sms shows an estimate, and the estimate against a local Plivo, are in
tests/features/test_preview_sms.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.errors import AuthenticationError, NotFoundError
from plivo_api.toolkit.pricing import (
    CostEstimate,
    CountryCost,
    EstimateUnavailableError,
    estimate_cost,
    estimate_country_cost,
)

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
    assert estimate.per_country == (
        CountryCost("US", 2, 6, Decimal("0.0055")),
        CountryCost("GB", 1, 3, Decimal("0.04")),
    )
    assert [c.cost for c in estimate.per_country] == [Decimal("0.0330"), Decimal("0.12")]
    assert estimate.total == Decimal("0.153")
    assert estimate.currency == "USD"
    assert estimate.notes == ()
    assert estimate.summary() == "Estimated cost 0.15300 USD (US 6 × 0.0055, GB 3 × 0.04)"


def test_a_country_without_prices_makes_the_total_unknown() -> None:
    rates = Rates({"US": Decimal("0.0055"), "GB": NotFoundError("no price list")})
    estimate = estimate_cost([US_1, GB_1], 1, rates)
    assert estimate.total is None
    assert [c.cost for c in estimate.per_country] == [Decimal("0.0055"), None]
    assert estimate.notes == ("Plivo has no price for GB",)
    assert estimate.summary() == "Cost estimate incomplete: Plivo has no price for GB"


def test_a_price_list_without_an_sms_rate_is_a_note() -> None:
    estimate = estimate_cost([GB_1], 1, Rates({"GB": None}))
    assert estimate.total is None
    assert estimate.notes == ("Plivo's price list for GB has no SMS rate",)


def test_a_credential_error_ends_the_estimate_after_one_request() -> None:
    rates = Rates({"US": AuthenticationError("Plivo rejected the Auth ID"), "GB": Decimal(1)})
    with pytest.raises(EstimateUnavailableError, match="rejected the Auth ID"):
        estimate_cost([US_1, GB_1], 1, rates)
    assert rates.asked == ["US"]


def test_no_recipients_is_not_an_estimate() -> None:
    with pytest.raises(EstimateUnavailableError, match=r"no valid recipients.*estimate_country"):
        estimate_cost([], 1, Rates({}))


def test_a_number_of_no_country_is_listed_without_a_price() -> None:
    estimate = estimate_cost(["+80012345678"], 1, Rates({}))
    assert estimate.total is None
    assert estimate.notes == ("+80012345678 belongs to no country",)


def test_an_empty_estimate_has_no_total() -> None:
    assert CostEstimate(()).total is None


# -- one country and a recipient count, before the numbers are known --------------------------


def test_a_country_and_a_count_are_priced_with_one_request() -> None:
    rates = Rates({"BR": Decimal("0.0450")})
    estimate = estimate_country_cost("BR", 500, 2, rates)
    assert rates.asked == ["BR"]
    assert estimate.per_country == (CountryCost("BR", 500, 1000, Decimal("0.0450")),)
    assert estimate.total == Decimal("45.0000")
    assert estimate.summary() == "Estimated cost 45.00000 USD (BR 1000 × 0.0450)"


def test_a_country_without_prices_is_a_note_not_a_guess() -> None:
    estimate = estimate_country_cost("AQ", 10, 1, Rates({"AQ": NotFoundError("no price list")}))
    assert estimate.total is None
    assert estimate.notes == ("Plivo has no price for AQ",)


def test_a_credential_error_ends_a_country_estimate() -> None:
    rates = Rates({"GB": AuthenticationError("Plivo rejected the Auth ID")})
    with pytest.raises(EstimateUnavailableError, match="rejected the Auth ID"):
        estimate_country_cost("GB", 3, 1, rates)
