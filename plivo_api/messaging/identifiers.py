"""Plivo's identifiers as users and agents paste them, checked before they go into a URL path.

Plivo names messages, calls and call requests by canonical 8-4-4-4-12 hexadecimal UUIDs. A
malformed one can never match, and its 404 would read as "no such call" although the real fault is
a typo or a truncated copy, so the shape is checked locally and the error says what is wrong.
Numeric IDs (applications, SIP endpoints) are checked to be digits for the same reason.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from ..errors import InputError
from ..text import shorten
from .sender import UUID_PATTERN

EXAMPLE_UUID: Final = "5f0e4a8c-0000-4000-8000-00000000000a"
MAX_ID_DIGITS: Final = 25  # Plivo's numeric IDs have 14-20 digits; longer is a paste fault
_HEX = re.compile(r"[0-9a-f]+")
_UUID_GROUPS = (8, 4, 4, 4, 12)
_QUOTES = "\"'`"


def parse_uuid(value: str | None, parameter: str, *, what: str, source: str) -> str:
    """A canonical lower-case UUID, or an :class:`InputError` saying what is wrong with it.

    ``what`` names the thing ("call"), ``source`` says where a valid one comes from.
    """
    text = (value or "").strip().strip(_QUOTES).strip().lower()
    if not text:
        raise InputError(
            parameter,
            f"{parameter} is required: pass a Plivo {what} UUID such as {EXAMPLE_UUID} ({source}).",
        )
    if UUID_PATTERN.fullmatch(text):
        return text
    if len(text) == sum(_UUID_GROUPS) and _HEX.fullmatch(text):
        # The same UUID without its dashes (some logs and spreadsheets drop them).
        cuts = [sum(_UUID_GROUPS[:i]) for i in range(len(_UUID_GROUPS) + 1)]
        return "-".join(text[a:b] for a, b in itertools.pairwise(cuts))
    groups = text.split("-")
    if not all(_HEX.fullmatch(group) for group in groups if group):
        problem = "it contains characters other than 0-9, a-f and dashes"
    elif len(groups) == len(_UUID_GROUPS):
        problem = "its groups have " + "-".join(str(len(g)) for g in groups) + " characters"
    else:
        noun = "group" if len(groups) == 1 else "groups"
        problem = f"it has {len(groups)} {noun} instead of {len(_UUID_GROUPS)}"
    raise InputError(
        parameter,
        f"{parameter}: {shorten(str(value))!r} is not a Plivo {what} UUID ({problem}); a UUID has "
        f"five groups of 8-4-4-4-12 hexadecimal characters, e.g. {EXAMPLE_UUID}. Copy it whole "
        f"({source}).",
    )


def parse_numeric_id(value: str | None, parameter: str, *, what: str, source: str) -> str:
    """A Plivo numeric ID (application or SIP endpoint), or an :class:`InputError`."""
    text = (value or "").strip().strip(_QUOTES).strip()
    if not text:
        raise InputError(parameter, f"{parameter} is required: pass the {what} ID ({source}).")
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(text)!r} is not a Plivo {what} ID, which is at most "
            f"{MAX_ID_DIGITS} digits ({source}).",
        )
    return text


__all__ = ["EXAMPLE_UUID", "parse_numeric_id", "parse_uuid"]
