"""What a call can be placed to: phone numbers (read exactly as send_sms reads recipients) and
SIP URIs (``sip:alice@phone.plivo.com``), with the entries that cannot be called and why.

Calls themselves (placing, reading, hanging up) are :mod:`plivo_api.resources.calls`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ..text import shorten
from .numbers import InvalidRecipient, Recipients, parse_recipients

SIP_PREFIX: Final = "sip:"
REASON_SIP: Final = (
    "not a SIP URI Plivo can call: write sip:user@host, e.g. sip:alice@phone.plivo.com"
)
REASON_SIP_COUNTRY: Final = (
    "a SIP URI has no country, and this tool may only call the countries in allowed_countries"
)

# A SIP URI as one token of a destination list; the separators of a list end it.
# URI parameters (";transport=tcp") belong to the URI; a ";" not followed by a parameter name
# separates recipients, as it does for numbers.
_SIP_PARAMETERS = r"(?:;[A-Za-z][\w.!~*'()%-]*(?:=[\w.!~*'()%:-]*)?)*"
_SIP_TOKEN = re.compile(r"(?<![\w.+-])sip:[^\s,;<>\"'`]*" + _SIP_PARAMETERS, re.IGNORECASE)
_SIP_URI = re.compile(
    r"sip:(?P<user>[A-Za-z0-9._~+!$&'()*=%-]+)@(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?P<port>:\d{1,5})?(?P<parameters>" + _SIP_PARAMETERS + ")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CallDestinations:
    """Phone numbers (E.164) and SIP URIs to call, and the entries that cannot be called."""

    numbers: tuple[str, ...]
    sip_uris: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]


def parse_sip_uri(text: str) -> str | None:
    """``SIP:alice@Phone.Plivo.com`` → ``sip:alice@phone.plivo.com``; None when not a SIP URI."""
    match = _SIP_URI.fullmatch(text.strip())
    if match is None:
        return None
    host = match["host"].lower()
    return f"{SIP_PREFIX}{match['user']}@{host}{match['port'] or ''}{match['parameters']}"


def parse_call_destinations(raw: str, default_country: str | None = None) -> CallDestinations:
    """SIP URIs are taken out of the list first; everything else is read exactly as send_sms
    reads its recipients (:func:`plivo_api.messaging.numbers.parse_recipients`)."""
    sip_uris: dict[str, None] = {}
    invalid: list[InvalidRecipient] = []
    for token in _SIP_TOKEN.findall(raw):
        uri = parse_sip_uri(token)
        if uri is None:
            invalid.append(InvalidRecipient(shorten(token), REASON_SIP))
        else:
            sip_uris.setdefault(uri)
    rest = _SIP_TOKEN.sub("\n", raw)
    numbers: Recipients = (
        parse_recipients(rest, default_country) if rest.strip() else Recipients((), ())
    )
    return CallDestinations(numbers.valid, tuple(sip_uris), (*numbers.invalid, *invalid))


__all__ = [
    "REASON_SIP",
    "REASON_SIP_COUNTRY",
    "SIP_PREFIX",
    "CallDestinations",
    "parse_call_destinations",
    "parse_sip_uri",
]
