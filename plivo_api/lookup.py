"""Read ``lookup_number`` parameters: the number is normalised exactly as send_sms would send it.

Lookup is billed per request (USD 0.004, ``plivo-api.md`` §10), so a number that cannot be a
phone number is refused here, before Plivo is asked (and paid) to say the same.
"""

from __future__ import annotations

from . import params as read
from .numbers import InvalidNumberError, normalize_number, parse_region
from .params import Params


def lookup_number_from_params(params: Params) -> str:
    """The E.164 number to look up; :class:`InputError` names ``number`` or ``default_country``."""
    region = parse_region(read.text(params, "default_country"))
    raw = read.text(params, "number", required=True) or ""
    try:
        return normalize_number(raw, region)
    except InvalidNumberError as error:
        raise InvalidNumberError(error.reason, error.number, parameter="number") from None


__all__ = ["lookup_number_from_params"]
