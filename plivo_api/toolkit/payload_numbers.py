"""The phone numbers in a JSON payload (a PHLO's Start-node values), held to send_sms's rules.

A PHLO can text or call any number its payload names, so an agent that fills the payload must
meet the same guard rails as send_sms and make_call: premium-rate numbers are never reached, and
when the builder set ``allowed_countries`` numbers elsewhere are refused
(:func:`plivo_api.toolkit.recipients.outside_allowed`). A payload cannot be sent in part, so one
refused number refuses the whole run, before any request.

What counts as a phone number, at any depth of objects and lists. The rule is deliberately
narrow, because a false positive refuses a run the user asked for:

1. Any text written as an international number: ``+`` (or ``tel:+``) and 8 to 15 digits with
   only spaces, dashes, dots and brackets between them, under any key.
2. Text or whole numbers under a key that names a phone number. A key is split into words (at
   ``_``, ``-``, ``.``, spaces and camelCase, lowercased); it names a phone number when one word is
   in :data:`PHONE_WORDS` (``phone``, ``mobile``, ``msisdn``, ``dst``, ``recipient`` ...), or when
   every word is one of :data:`ROUTE_WORDS` and :data:`NUMBER_WORDS` with at least one of the
   former (``to``, ``from``, ``to_number``, ``destination``, ``customer_number``). So
   ``from_date``, ``time_to_live``, ``order_number`` and ``valid_from`` are not phone keys. Such a
   value may hold several numbers, split as send_sms splits ``to``.

Numbers are read as Plivo reads them, country code first, with no default country. Text that is
not a readable phone number (a sender ID such as ``ACME``, a name, a date) is left alone, except
under a phone key: nine or more digits without a country code are refused (the agent must ask
which country), and a SIP URI is refused when ``allowed_countries`` is set, as make_call does.
Numbers without ``+`` under other keys (order numbers, amounts, postcodes) are never looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..messaging.call_destinations import REASON_SIP_COUNTRY, SIP_PREFIX
from ..messaging.numbers import (
    REASON_NO_COUNTRY_CODE,
    InvalidNumberError,
    normalize_number,
    split_destinations,
)
from ..text import shorten
from .recipients import outside_allowed

PHONE_WORDS: Final = frozenset(
    {
        "phone",
        "phones",
        "mobile",
        "mobiles",
        "msisdn",
        "telephone",
        "tel",
        "dst",
        "src",
        "recipient",
        "recipients",
        "callee",
        "caller",
    }
)
"""A key holding one of these words names a phone number whatever its other words."""

ROUTE_WORDS: Final = frozenset(
    {"to", "from", "destination", "destinations", "contact", "customer", "cell"}
)
NUMBER_WORDS: Final = frozenset({"number", "numbers", "num", "no"})
MAX_DEPTH: Final = 32  # deeper JSON is no Start-node payload; the walk stops there
_INTERNATIONAL = re.compile(r"\s*(?:tel:)?\+[\d\s().-]{7,30}", re.IGNORECASE)
_INTERNATIONAL_DIGITS = range(8, 16)
_KEY_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ADVICE_REASONS = frozenset({REASON_NO_COUNTRY_CODE})  # unreadable, yet certainly a number


@dataclass(frozen=True)
class RefusedNumber:
    """A payload value that may not be reached: where it is, as written, and why."""

    path: str  # "to", "contacts[1].phone"
    value: str
    reason: str


def is_phone_key(key: str) -> bool:
    """Whether a payload key names a phone number (see the module docstring)."""
    words = {word.lower() for word in _KEY_WORDS.findall(key)}
    if words & PHONE_WORDS:
        return True
    return bool(words & ROUTE_WORDS) and words <= ROUTE_WORDS | NUMBER_WORDS


def refused_numbers(payload: Mapping[str, Any], countries: frozenset[str]) -> list[RefusedNumber]:
    """Every phone number in ``payload`` that may not be reached under ``countries``."""
    refused: list[RefusedNumber] = []
    for path, text, phone_key in _values(payload, "", phone_key=False, depth=0):
        if phone_key:
            pieces = split_destinations(text)
        elif _is_international(text):
            pieces = [text]
        else:
            continue
        for piece in pieces:
            reason = _refusal(piece, countries, phone_key=phone_key)
            if reason is not None:
                refused.append(RefusedNumber(path, shorten(piece.strip()), reason))
    return refused


def _values(
    value: Any, path: str, *, phone_key: bool, depth: int
) -> Iterator[tuple[str, str, bool]]:
    """(path, text, under a phone key) for every text, and every whole number under a phone key."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            child = f"{path}.{name}" if path else name
            yield from _values(item, child, phone_key=is_phone_key(name), depth=depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values(item, f"{path}[{index}]", phone_key=phone_key, depth=depth + 1)
    elif isinstance(value, str):
        yield path, value, phone_key
    elif isinstance(value, int) and not isinstance(value, bool) and phone_key:
        yield path, str(value), phone_key


def _is_international(text: str) -> bool:
    return bool(_INTERNATIONAL.fullmatch(text)) and (
        sum(ch.isdigit() for ch in text) in _INTERNATIONAL_DIGITS
    )


def _refusal(piece: str, countries: frozenset[str], *, phone_key: bool) -> str | None:
    if piece.strip().lower().startswith(SIP_PREFIX):
        return REASON_SIP_COUNTRY if countries and phone_key else None
    try:
        number = normalize_number(piece)
    except InvalidNumberError as error:
        return error.reason if phone_key and error.kind in _ADVICE_REASONS else None
    refused = outside_allowed(countries, number, verb="reach")
    return refused.reason if refused is not None else None


__all__ = [
    "NUMBER_WORDS",
    "PHONE_WORDS",
    "ROUTE_WORDS",
    "RefusedNumber",
    "is_phone_key",
    "refused_numbers",
]
