"""lookup_number: carrier, line type, porting and formats of a number through Plivo Lookup.

Lookup is billed per request (https://www.plivo.com/pricing/lookup-api/), so a number that cannot
be a phone number is refused here, before Plivo is asked (and paid) to say the same. The number
is normalised exactly as send_sms would send it.
"""

from __future__ import annotations

from .. import params as read
from ..errors import InputError
from ..messaging.numbers import InvalidNumberError, normalize_number, parse_region
from ..params import Limits, Params
from ..resources.connect import client_from
from ..resources.lookup import NumberLookup, lookup_number
from . import Invocation, ToolOutput

LIMITS: Limits = {}


def number_from_params(params: Params) -> str:
    """The E.164 number to look up; :class:`InputError` names ``number`` or ``default_country``."""
    region = parse_region(read.text(params, "default_country"))
    raw = read.text(params, "number")
    if raw is None:
        raise InputError("number", "number is required: give the phone number to look up.")
    try:
        return normalize_number(raw, region)
    except InvalidNumberError as error:
        raise InvalidNumberError(error.reason, error.number, parameter="number") from None


def run(call: Invocation) -> ToolOutput:
    number = number_from_params(call.parameters)
    client = client_from(call.credentials)
    return present(lookup_number(client, number))


def summary(result: NumberLookup) -> str:
    where = ", ".join(x for x in (result.country, result.country_iso) if x)
    line = f"{result.number or 'The number'}" + (f" ({where})" if where else "")
    line += f": {result.line_type or 'unknown'} line"
    if result.carrier:
        line += f", carrier {result.carrier}"
    if result.ported is not None:
        line += ", ported" if result.ported else ", not ported"
    if result.national_format:
        line += f"; national format {result.national_format}"
    return line + "."


def present(result: NumberLookup) -> ToolOutput:
    data: dict[str, object] = {
        "number": result.number,
        "country_iso": result.country_iso,
        "country": result.country,
        "carrier": result.carrier,
        "line_type": result.line_type,
        "ported": result.ported,
        "mcc": result.mcc,
        "mnc": result.mnc,
        "national_format": result.national_format,
        "international_format": result.international_format,
        "api_id": result.api_id,
    }
    variables = {
        "line_type": result.line_type,
        "carrier": result.carrier,
        "country_iso": result.country_iso,
    }
    return ToolOutput(summary(result), data, variables)


__all__ = ["LIMITS", "number_from_params", "present", "run"]
