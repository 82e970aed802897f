"""Reference data: phone-number parsing, per-country pricing and fake carrier data for Lookup.

Everything is deterministic (derived from the number itself) so that tests and demos get the same
answers every run. Names such as "Example Wireless" are invented; rates are plausible, not Plivo's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

# Plivo strips these from src/dst before validating.
_NUMBER_NOISE = re.compile(r"[/\-.+()\s]")
MAX_NUMBER_DIGITS = 14
MIN_NUMBER_DIGITS = 8
DEFAULT_RATE = "0.00500"


@dataclass(frozen=True)
class CountryPricing:
    country: str
    country_code: int
    country_iso: str
    outbound: str
    inbound: str
    networks: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def to_json(self, api_id: str) -> dict[str, object]:
        """The body of ``GET .../Pricing/?country_iso=XX`` (https://www.plivo.com/docs/numbers/api/pricing)."""
        networks = self.networks or (("Example Wireless", self.outbound),)
        return {
            "api_id": api_id,
            "country": self.country,
            "country_code": self.country_code,
            "country_iso": self.country_iso,
            "message": {
                "inbound": {"rate": self.inbound},
                "outbound": {"rate": self.outbound},
                "outbound_networks_list": [
                    {"group_name": name, "rate": rate} for name, rate in networks
                ],
            },
            "mms": {"inbound": {"rate": self.inbound}, "outbound": {"rate": self.outbound}},
            "phone_numbers": {"local": {"rate": "0.50000"}, "tollfree": {"rate": "1.00000"}},
            "voice": {
                "inbound": {
                    "ip": {"rate": "0.00300"},
                    "local": {"rate": "0.00850"},
                    "tollfree": {"rate": "0.02100"},
                },
                "outbound": {
                    "ip": {"rate": "0.00300"},
                    "local": {"rate": "0.01000"},
                    "tollfree": {"rate": "0.00000"},
                    "rates": [{"prefix": [str(self.country_code)], "rate": "0.01000"}],
                },
            },
        }


@dataclass(frozen=True)
class _Country:
    name: str
    iso3: str
    mcc: str
    mnc: str


_COUNTRIES: dict[str, _Country] = {
    "US": _Country("United States", "USA", "310", "260"),
    "CA": _Country("Canada", "CAN", "302", "720"),
    "GB": _Country("United Kingdom", "GBR", "234", "10"),
    "IN": _Country("India", "IND", "404", "45"),
    "DE": _Country("Germany", "DEU", "262", "01"),
    "AU": _Country("Australia", "AUS", "505", "01"),
    "FR": _Country("France", "FRA", "208", "01"),
    "BR": _Country("Brazil", "BRA", "724", "05"),
    "JP": _Country("Japan", "JPN", "440", "10"),
    "CN": _Country("China", "CHN", "460", "00"),
    "RU": _Country("Russia", "RUS", "250", "01"),
}


def _builtin(iso: str, code: int, outbound: str, inbound: str) -> CountryPricing:
    networks = (
        ("Example Wireless", outbound),
        ("Example Mobile", outbound),
    )
    return CountryPricing(_COUNTRIES[iso].name, code, iso, outbound, inbound, networks)


BUILTIN_PRICING: dict[str, CountryPricing] = {
    p.country_iso: p
    for p in (
        _builtin("US", 1, "0.00550", "0.00000"),
        _builtin("CA", 1, "0.00350", "0.00000"),
        _builtin("GB", 44, "0.04000", "0.00000"),
        _builtin("IN", 91, "0.00280", "0.00000"),
        _builtin("DE", 49, "0.08500", "0.00000"),
        _builtin("AU", 61, "0.04500", "0.00000"),
        _builtin("FR", 33, "0.07400", "0.00000"),
        _builtin("BR", 55, "0.03800", "0.00000"),
        _builtin("JP", 81, "0.07900", "0.00000"),
    )
}


def strip_number(raw: str) -> str:
    return _NUMBER_NOISE.sub("", raw)


def country_code_of(digits: str) -> str | None:
    """The leading ITU country code, read the way Plivo reads it: no guessing."""
    for length in (1, 2, 3):
        prefix = digits[:length]
        if len(prefix) == length and int(prefix) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return prefix
    return None


def is_valid_destination(digits: str) -> bool:
    return (
        digits.isdigit()
        and MIN_NUMBER_DIGITS <= len(digits) <= MAX_NUMBER_DIGITS
        and country_code_of(digits) is not None
    )


def region_of(digits: str) -> str:
    """ISO 3166 alpha-2 of a destination ("" when unknown); +1 numbers resolve to US or CA."""
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return ""
    region = phonenumbers.region_code_for_number(
        parsed
    ) or phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return "" if region in ("ZZ", "001") else region


def _carrier_type(digits: str, parsed: phonenumbers.PhoneNumber) -> str:
    if digits.startswith("447"):
        return "mobile"  # includes Ofcom's drama range 07700 900xxx, which libphonenumber rejects
    if digits.startswith("4420"):
        return "fixed"
    kind = phonenumbers.number_type(parsed)
    kinds = phonenumbers.PhoneNumberType
    if kind in (kinds.MOBILE, kinds.FIXED_LINE_OR_MOBILE):
        return "mobile"
    return {
        kinds.FIXED_LINE: "fixed",
        kinds.TOLL_FREE: "toll-free",
        kinds.VOIP: "voip",
    }.get(kind, "unknown")


_CARRIER_NAMES = {
    "mobile": "Example Wireless",
    "fixed": "Example Telecom",
    "voip": "Example VoIP",
    "toll-free": "Example Toll-Free",
}


@dataclass(frozen=True)
class Carrier:
    name: str
    type: str
    mcc: str
    mnc: str


def carrier_for(digits: str) -> Carrier:
    """Deterministic fake carrier data; fixed lines have no MCC/MNC, as on Plivo."""
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return Carrier("", "unknown", "", "")
    kind = _carrier_type(digits, parsed)
    country = _COUNTRIES.get(region_of(digits))
    if kind in ("fixed", "toll-free") or country is None:
        return Carrier(_CARRIER_NAMES.get(kind, ""), kind, "", "")
    return Carrier(_CARRIER_NAMES.get(kind, ""), kind, country.mcc, country.mnc)


def lookup(raw_number: str, api_id: str) -> dict[str, object] | None:
    """The Lookup API body, or None for a number Plivo would answer 404 to.

    https://www.plivo.com/docs/lookup/api
    """
    digits = strip_number(raw_number)
    if not digits.isdigit() or country_code_of(digits) is None or len(digits) > 15:
        return None
    parsed = phonenumbers.parse("+" + digits)
    if not phonenumbers.is_possible_number(parsed):
        return None
    region = region_of(digits)
    country = _COUNTRIES.get(region)
    carrier = carrier_for(digits)
    formats = phonenumbers.PhoneNumberFormat
    e164 = "+" + digits
    return {
        "api_id": api_id,
        "phone_number": e164,
        "country": {
            "name": country.name if country else region,
            "iso2": region,
            "iso3": country.iso3 if country else "",
        },
        "format": {
            "e164": e164,
            "national": phonenumbers.format_number(parsed, formats.NATIONAL),
            "international": phonenumbers.format_number(parsed, formats.INTERNATIONAL),
            "rfc3966": phonenumbers.format_number(parsed, formats.RFC3966),
        },
        "carrier": {
            "mobile_country_code": carrier.mcc,
            "mobile_network_code": carrier.mnc,
            "name": carrier.name,
            "type": carrier.type,
            "ported": "no" if region in ("US", "CA") else "unknown",
        },
        "resource_uri": f"/v1/Number/{e164}?type=carrier",
    }
