"""Quoting user input back in messages: long enough to recognise, short enough to read."""

from __future__ import annotations

SHOWN_INPUT_CHARS = 60
ELLIPSIS = "…"


def shorten(text: str, limit: int = SHOWN_INPUT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
