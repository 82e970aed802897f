"""A country's price list (``GET Pricing/?country_iso=XX``): SMS, voice and number rental, in
USD (https://www.plivo.com/docs/account/api/pricing/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import NotFoundError
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import decimal_of, int_of, mapping_of, str_of


@dataclass(frozen=True)
class Rate:
    """A named price: a mobile network's SMS rate, a voice category's per-minute rate, or a
    number type's monthly rental."""

    name: str
    rate: Decimal | None


@dataclass(frozen=True)
class PrefixRate:
    """A per-minute voice rate for the numbers that start with one of ``prefixes`` (digits with
    the country code): within a country, some ranges cost more (``1907`` Alaska, ``1900``)."""

    prefixes: tuple[str, ...]
    rate: Decimal | None


@dataclass(frozen=True)
class Pricing:
    """A country's price list; rates in USD per unit, minute or month."""

    country: str | None
    country_iso: str | None
    country_code: int | None
    sms_outbound_rate: Decimal | None
    sms_inbound_rate: Decimal | None
    sms_networks: tuple[Rate, ...]
    voice_outbound: tuple[Rate, ...]
    voice_inbound: tuple[Rate, ...]
    api_id: str | None = None
    number_rental: tuple[Rate, ...] = ()  # monthly, by number type: local, tollfree, mobile
    voice_outbound_prefixes: tuple[PrefixRate, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pricing:
        message = mapping_of(data, "message")
        voice = mapping_of(data, "voice")
        outbound = mapping_of(voice, "outbound")
        networks = message.get("outbound_networks_list")
        return cls(
            country=str_of(data, "country"),
            country_iso=str_of(data, "country_iso"),
            country_code=int_of(data.get("country_code")),
            sms_outbound_rate=decimal_of(mapping_of(message, "outbound").get("rate")),
            sms_inbound_rate=decimal_of(mapping_of(message, "inbound").get("rate")),
            sms_networks=tuple(
                Rate(str_of(n, "group_name") or "", decimal_of(n.get("rate")))
                for n in (networks if isinstance(networks, list) else [])
                if isinstance(n, Mapping) and str_of(n, "group_name")
            ),
            voice_outbound=_rates(outbound),
            voice_inbound=_rates(mapping_of(voice, "inbound")),
            api_id=str_of(data, "api_id"),
            number_rental=_rates(mapping_of(data, "phone_numbers")),
            voice_outbound_prefixes=_prefix_rates(outbound.get("rates")),
        )


def _rates(section: Mapping[str, Any]) -> tuple[Rate, ...]:
    """``{"local": {"rate": "0.0085"}, ...}`` → ``(Rate("local", 0.0085),)``; others skipped."""
    rates: list[Rate] = []
    for name, value in section.items():
        if isinstance(value, Mapping):
            rate = decimal_of(value.get("rate"))
            if rate is not None:
                rates.append(Rate(str(name), rate))
    return tuple(rates)


def _prefix_rates(rows: object) -> tuple[PrefixRate, ...]:
    """``[{"prefix": ["1340"], "rate": "0.024"}]``; a prefix written as one string is accepted,
    a row without digits or without a rate is skipped."""
    rates: list[PrefixRate] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, Mapping):
            continue
        raw = row.get("prefix")
        given = [raw] if isinstance(raw, str | int) else raw if isinstance(raw, list) else []
        prefixes = tuple(str(p) for p in given if isinstance(p, str | int) and str(p).isdigit())
        rate = decimal_of(row.get("rate"))
        if prefixes and rate is not None:
            rates.append(PrefixRate(prefixes, rate))
    return tuple(rates)


def get_pricing(client: PlivoClient, country_iso: str) -> Pricing:
    try:
        data = client.request(
            "GET", client.resource_url("Pricing"), params={"country_iso": country_iso}
        )
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"Plivo has no price list for country {country_iso}: check the two-letter ISO "
            "3166 code (e.g. US, GB, IN).",
        ) from None
    return Pricing.from_json(data)


__all__ = ["PrefixRate", "Pricing", "Rate", "get_pricing"]
