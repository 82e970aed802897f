"""The sender of a message: what the user typed, classified into what Plivo accepts.

Plivo takes either ``src`` (a phone number, short code or alphanumeric sender ID) or
``powerpack_uuid`` (a number pool), never both. The kind is decided here,
before any request, so a typo is reported with the fix instead of failing at Plivo.

Classification of the (NFKC-folded, trimmed) text, first match wins:

1. ``8-4-4-4-12`` hexadecimal UUID, any case → Powerpack (sent lower-case as ``powerpack_uuid``).
2. 3-8 plain digits, nothing else → short code (so an 8-digit national number must carry
   formatting or a ``+`` to be read as a number).
3. Contains a letter and does not start with ``+`` → alphanumeric sender ID. Plivo strips
   everything except ``A-Z a-z 0-9``; the stripped form is what recipients see, so it is checked
   against the 11-character limit, must keep at least one letter, and is what we send and keep
   as ``value`` (``ACME-SMS`` → ``ACMESMS``).
4. Anything else → a phone number, normalised to E.164 like a destination
   (``plivo_api.messaging.numbers.normalize_number``; ``default_country`` applies).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError
from ..text import shorten
from .digits import to_plivo
from .numbers import InvalidNumberError, normalize_number

SenderKind = Literal["number", "short_code", "alphanumeric", "powerpack"]

ALPHANUMERIC_MAX_LENGTH = 11
SHORT_CODE_DIGITS = (3, 8)

UUID_PATTERN = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_STRIPPED_BY_PLIVO = re.compile(r"[^A-Za-z0-9]")
_KINDS_HINT = (
    "Use a phone number in international format (e.g. +14155550100), a short code "
    f"({SHORT_CODE_DIGITS[0]}-{SHORT_CODE_DIGITS[1]} digits), an alphanumeric sender ID (up to "
    f"{ALPHANUMERIC_MAX_LENGTH} letters and digits) or a Powerpack UUID."
)
NO_SENDER_MESSAGE = (
    "No sender: set 'From number' in this tool's settings, or 'Default sender' in the Plivo SMS "
    "plugin credentials (Plugins > Plivo SMS > Authorize). The sender is part of the tool's "
    "setup, not of the request: if you are an assistant, tell the user."
)


@dataclass(frozen=True)
class Sender:
    """A classified sender; ``value`` is E.164 for numbers and the sent text otherwise."""

    kind: SenderKind
    value: str

    def request_fields(self) -> dict[str, str]:
        """The fields for Plivo's send request: exactly one of ``src`` and ``powerpack_uuid``."""
        if self.kind == "powerpack":
            return {"powerpack_uuid": self.value}
        if self.kind == "number":
            return {"src": to_plivo(self.value)}
        return {"src": self.value}

    def display(self) -> str:
        """Short human text for summaries and logs."""
        if self.kind == "powerpack":
            return f"powerpack {self.value[:8]}…"
        if self.kind == "short_code":
            return f"short code {self.value}"
        return self.value


def parse_sender(
    raw: str, default_country: str | None = None, parameter: str = "from_number"
) -> Sender:
    """Classify ``raw`` (see the module docstring) or raise ``InputError`` naming ``parameter``."""
    text = unicodedata.normalize("NFKC", raw).strip()
    shown = shorten(text)
    if not text:
        raise InputError(parameter, f"{parameter}: the sender is empty. {_KINDS_HINT}")
    if UUID_PATTERN.fullmatch(text):
        return Sender("powerpack", text.lower())
    if text.isascii() and text.isdigit():
        low, high = SHORT_CODE_DIGITS
        if len(text) < low:
            raise InputError(
                parameter,
                f"{parameter}: '{shown}' has {len(text)} digits; short codes have {low}-{high} "
                f"digits and phone numbers need the country code. {_KINDS_HINT}",
            )
        if len(text) <= high:
            return Sender("short_code", text)
    elif not text.startswith("+") and any(ch.isalpha() for ch in text):
        return _alphanumeric(text, shown, parameter)
    try:
        return Sender("number", normalize_number(text, default_country))
    except InvalidNumberError as error:
        raise InputError(
            parameter,
            f"{parameter}: '{shown}' is not a usable sender number: {error.reason}. {_KINDS_HINT}",
        ) from None


def resolve_sender(
    explicit: str | None, default_sender: str | None, default_country: str | None = None
) -> Sender:
    """The tool's ``from_number`` wins over the credential ``default_sender``; blank = unset."""
    if explicit is not None and explicit.strip():
        return parse_sender(explicit, default_country, "from_number")
    if default_sender is not None and default_sender.strip():
        return parse_sender(default_sender, default_country, "default_sender")
    raise InputError("from_number", NO_SENDER_MESSAGE)


def _alphanumeric(text: str, shown: str, parameter: str) -> Sender:
    sanitised = _STRIPPED_BY_PLIVO.sub("", text)
    if not any(ch.isalpha() for ch in sanitised):
        raise InputError(
            parameter,
            f"{parameter}: '{shown}' has no letter A-Z left after removing other characters "
            "(Plivo strips everything but A-Z, a-z and 0-9); an alphanumeric sender ID needs at "
            f"least one. {_KINDS_HINT}",
        )
    if len(sanitised) > ALPHANUMERIC_MAX_LENGTH:
        raise InputError(
            parameter,
            f"{parameter}: '{shown}' is {len(sanitised)} characters after removing punctuation; "
            f"alphanumeric sender IDs are at most {ALPHANUMERIC_MAX_LENGTH} characters (Plivo "
            "strips everything but letters and digits); shorten it",
        )
    return Sender("alphanumeric", sanitised)


__all__ = [
    "ALPHANUMERIC_MAX_LENGTH",
    "NO_SENDER_MESSAGE",
    "SHORT_CODE_DIGITS",
    "Sender",
    "SenderKind",
    "parse_sender",
    "resolve_sender",
]
