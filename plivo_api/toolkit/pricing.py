"""The cost estimate ``preview_sms`` adds on request.

An estimate is segments × the country's outbound SMS rate × the recipients in that country.
Plivo prices per country (and per network, which a preview cannot know), so each destination
country's price list is fetched once, however many recipients share it.
The rate used is the country's headline outbound rate; network-specific rates may differ.

Before the numbers are known, one country and a recipient count can be priced the same way.

The estimate is an extra: when it cannot be made (no credentials, Plivo unreachable, a country
without a price list) the preview still succeeds and says why in a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..errors import NotFoundError, PlivoError
from ..messaging.numbers import region_code
from ..resources.account import PLIVO_CURRENCY

RateLookup = Callable[[str], Decimal | None]
"""Outbound SMS rate of an ISO country; raises PlivoError (NotFoundError: no price list)."""


@dataclass(frozen=True)
class CountryCost:
    country: str
    recipients: int
    units: int  # billed segments for all recipients in the country
    rate: Decimal | None
    note: str | None = None

    @property
    def cost(self) -> Decimal | None:
        return None if self.rate is None else self.rate * self.units


@dataclass(frozen=True)
class CostEstimate:
    """Per-country costs; ``total`` is None unless every country could be priced."""

    per_country: tuple[CountryCost, ...]
    currency: str = PLIVO_CURRENCY

    @property
    def total(self) -> Decimal | None:
        costs = [c.cost for c in self.per_country]
        if not costs or any(cost is None for cost in costs):
            return None
        return sum((cost for cost in costs if cost is not None), Decimal(0))

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(c.note for c in self.per_country if c.note)

    def summary(self) -> str:
        if self.total is not None:
            countries = ", ".join(
                f"{c.country} {c.units} × {c.rate}" for c in self.per_country if c.rate is not None
            )
            return f"Estimated cost {self.total:.5f} {self.currency} ({countries})"
        return "Cost estimate incomplete: " + "; ".join(self.notes)


class EstimateUnavailableError(Exception):
    """No estimate at all; ``str()`` is the note shown instead of it."""


NO_RECIPIENTS = (
    "no valid recipients to estimate the cost for: give the numbers in to, or the destination "
    "country in estimate_country (with recipient_count)"
)


def estimate_cost(recipients: Iterable[str], segments: int, rate_for: RateLookup) -> CostEstimate:
    """Group E.164 recipients by country and price each country once.

    A country Plivo has no price list for (404) is listed without a rate; any other Plivo error
    (credentials, network) ends the estimate with :class:`EstimateUnavailableError`, because every
    further request would fail the same way.
    """
    by_country: dict[str, int] = {}
    unknown: list[str] = []
    for number in recipients:
        region = region_code(number)
        if region is None:
            unknown.append(number)
        else:
            by_country[region] = by_country.get(region, 0) + 1
    if not by_country and not unknown:
        raise EstimateUnavailableError(NO_RECIPIENTS)
    costs = _priced(by_country, segments, rate_for)
    for number in unknown:
        costs.append(CountryCost("", 1, segments, None, f"{number} belongs to no country"))
    return CostEstimate(tuple(costs))


def estimate_country_cost(
    country: str, recipients: int, segments: int, rate_for: RateLookup
) -> CostEstimate:
    """The cost of ``recipients`` messages to one country, before the numbers are known (one
    Pricing request); errors as in :func:`estimate_cost`."""
    return CostEstimate(tuple(_priced({country: recipients}, segments, rate_for)))


def _priced(
    by_country: Mapping[str, int], segments: int, rate_for: RateLookup
) -> list[CountryCost]:
    costs: list[CountryCost] = []
    for country, count in by_country.items():
        try:
            rate = rate_for(country)
        except NotFoundError:
            costs.append(
                CountryCost(
                    country, count, segments * count, None, f"Plivo has no price for {country}"
                )
            )
            continue
        except PlivoError as error:
            raise EstimateUnavailableError(f"cost estimate unavailable: {error}") from None
        note = None if rate is not None else f"Plivo's price list for {country} has no SMS rate"
        costs.append(CountryCost(country, count, segments * count, rate, note))
    return costs


__all__ = [
    "CostEstimate",
    "CountryCost",
    "EstimateUnavailableError",
    "RateLookup",
    "estimate_cost",
    "estimate_country_cost",
]
