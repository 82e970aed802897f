"""Quoting user input back in messages, and lists short enough for one line."""

from __future__ import annotations

from collections.abc import Sequence

SHOWN_INPUT_CHARS = 60
SHOWN_ITEMS = 5
ELLIPSIS = "…"


def shorten(text: str, limit: int = SHOWN_INPUT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def listed(items: Sequence[str], limit: int = SHOWN_ITEMS) -> str:
    """``a, b, c and 4 more``: a list short enough for one line."""
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" and {len(items) - limit} more"
    return shown
