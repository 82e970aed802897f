"""get_pricing: a country's Plivo prices, outbound and inbound SMS (with per-network rates) and
voice, from ``GET Pricing/?country_iso=XX``."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .. import params as read
from ..errors import InputError
from ..messaging.numbers import parse_region
from ..params import Limits
from ..resources.account import PLIVO_CURRENCY
from ..resources.connect import client_from
from ..resources.pricing import Pricing, Rate, get_pricing
from ..text import listed
from ..transport.jsonvalues import as_number
from . import Invocation, ToolOutput

LIMITS: Limits = {}
SHOWN_NETWORKS: Final = 5


def parse_country(value: str | None, parameter: str = "country_iso") -> str:
    """An ISO 3166 alpha-2 code, upper-cased (``gb`` → ``GB``; ``UK`` → ``GB``); required."""
    region = parse_region(value, parameter)
    if region is None:
        raise InputError(
            parameter,
            f"{parameter} is required: give a two-letter ISO 3166 country code such as US, GB "
            "or IN.",
        )
    return region


def run(call: Invocation) -> ToolOutput:
    country = parse_country(read.text(call.parameters, "country_iso"))
    client = client_from(call.credentials)
    return present(get_pricing(client, country))


def _rate_text(rate: Decimal | None) -> str:
    return "unknown" if rate is None else f"{rate}"


def summary(pricing: Pricing) -> str:
    name = pricing.country or pricing.country_iso or "this country"
    iso = f" ({pricing.country_iso})" if pricing.country_iso and pricing.country else ""
    line = f"Plivo prices for {name}{iso} in {PLIVO_CURRENCY}: SMS outbound "
    line += f"{_rate_text(pricing.sms_outbound_rate)} per segment, inbound "
    line += f"{_rate_text(pricing.sms_inbound_rate)}"
    if pricing.sms_networks:
        networks = [f"{n.name} {_rate_text(n.rate)}" for n in pricing.sms_networks]
        line += "; by network: " + listed(networks, SHOWN_NETWORKS)
    local = next((r.rate for r in pricing.voice_outbound if r.name == "local"), None)
    if local is not None:
        line += f"; voice outbound (local) {local} per minute"
    if pricing.voice_outbound_prefixes:
        prefixes = [
            f"{'/'.join(p.prefixes)} {_rate_text(p.rate)}" for p in pricing.voice_outbound_prefixes
        ]
        line += "; voice outbound by number prefix: " + listed(prefixes, SHOWN_NETWORKS)
    if pricing.number_rental:
        rentals = [f"{r.name} {_rate_text(r.rate)}" for r in pricing.number_rental]
        line += "; number rental per month: " + listed(rentals, SHOWN_NETWORKS)
    return line + "."


def _rates(rates: tuple[Rate, ...]) -> list[dict[str, object]]:
    return [{"name": r.name, "rate": as_number(r.rate)} for r in rates]


def present(pricing: Pricing) -> ToolOutput:
    data: dict[str, object] = {
        "country": pricing.country,
        "country_iso": pricing.country_iso,
        "country_code": pricing.country_code,
        "currency": PLIVO_CURRENCY,
        "sms_outbound_rate": as_number(pricing.sms_outbound_rate),
        "sms_inbound_rate": as_number(pricing.sms_inbound_rate),
        "sms_networks": _rates(pricing.sms_networks),
        "voice_outbound_rates": _rates(pricing.voice_outbound),
        "voice_inbound_rates": _rates(pricing.voice_inbound),
        "voice_outbound_prefix_rates": [
            {"prefixes": list(p.prefixes), "rate": as_number(p.rate)}
            for p in pricing.voice_outbound_prefixes
        ],
        "number_rental_rates": _rates(pricing.number_rental),
        "api_id": pricing.api_id,
    }
    variables = {"sms_outbound_rate": data["sms_outbound_rate"]}
    return ToolOutput(summary(pricing), data, variables)


__all__ = ["LIMITS", "parse_country", "present", "run"]
