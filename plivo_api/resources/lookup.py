"""Plivo Lookup (``GET lookup.plivo.com/v1/Number/{number}?type=carrier``): who runs a number
and what kind of line it is (https://www.plivo.com/docs/lookup/api/). Billed per request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..errors import NotFoundError
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import bool_of, mapping_of, str_of


@dataclass(frozen=True)
class NumberLookup:
    """Plivo Lookup (``type=carrier``): who runs a number and what kind of line it is."""

    number: str | None
    country_iso: str | None
    country: str | None
    carrier: str | None
    line_type: str | None
    ported: bool | None
    mcc: str | None
    mnc: str | None
    national_format: str | None
    international_format: str | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NumberLookup:
        country = mapping_of(data, "country")
        carrier = mapping_of(data, "carrier")
        formats = mapping_of(data, "format")
        ported = str_of(carrier, "ported")
        return cls(
            number=str_of(data, "phone_number") or str_of(formats, "e164"),
            country_iso=str_of(country, "iso2"),
            country=str_of(country, "name"),
            carrier=str_of(carrier, "name"),
            line_type=str_of(carrier, "type"),
            # "yes"/"no", or "unknown" outside the US and Canada.
            ported={"yes": True, "no": False}.get((ported or "").lower(), bool_of(ported)),
            mcc=str_of(carrier, "mobile_country_code"),
            mnc=str_of(carrier, "mobile_network_code"),
            national_format=str_of(formats, "national"),
            international_format=str_of(formats, "international"),
            api_id=str_of(data, "api_id"),
        )


def lookup_number(client: PlivoClient, e164: str) -> NumberLookup:
    """Plivo bills every request, retries included, so only what provably failed is repeated."""
    url = f"{client.lookup_base_url}/v1/Number/{quote(e164, safe='+')}"
    try:
        data = client.request("GET", url, params={"type": "carrier"}, billed=True)
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"{e164} is not a valid or known phone number according to Plivo Lookup: check "
            "the digits and the country code.",
        ) from None
    return NumberLookup.from_json(data)


__all__ = ["NumberLookup", "lookup_number"]
