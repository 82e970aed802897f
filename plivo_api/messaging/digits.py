"""Phone numbers as Plivo's API writes them: the country code and the digits, without ``+``.

Plivo's docs write ``src``, ``dst`` and ``Number/{number}/`` paths as ``14155552671`` and echo
numbers the same way (``to_number``, ``invalid_number``). :func:`to_plivo` turns E.164 into that
form and :func:`display_number` turns Plivo's digits back into E.164, so what the tools show
matches what send_sms reports. Both leave alone what is not a number (a short code stays a short
code, an alphanumeric sender ID stays text): adding or removing ``+`` there would invent a number.
"""

from __future__ import annotations

from typing import Final

MIN_PHONE_DIGITS: Final = 8
E164_MAX_DIGITS: Final = 15


def to_plivo(number: str) -> str:
    """``+14155552671`` (or ``14155552671``) → ``14155552671``; anything else only trimmed."""
    text = number.strip()
    digits = text[1:] if text.startswith("+") else text
    return digits if digits.isascii() and digits.isdigit() else text


def display_number(value: str | None) -> str | None:
    """Plivo's ``14155550123`` as E.164 (``+14155550123``).

    Short codes, alphanumeric sender IDs and numbers Plivo redacted (``1415555***``,
    ``log=false``) are returned unchanged; an empty value is ``None``.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit() and MIN_PHONE_DIGITS <= len(text) <= E164_MAX_DIGITS:
        return "+" + text
    return text or None


__all__ = ["display_number", "to_plivo"]
