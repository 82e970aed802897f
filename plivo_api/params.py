"""Read tool parameters as Dify delivers them: unvalidated and uncoerced.

Dify passes ``tool_parameters`` through as the model or the workflow wrote them: a ``number`` may
arrive as ``"2"``, a string as a list, a boolean as ``"true"``, a required value as ``None``. Every
reader here either returns a clean value or raises :class:`InputError` naming the parameter and the
fix, so bad input never reaches Plivo.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from .errors import InputError
from .text import shorten

__all__ = [
    "InputError",
    "Params",
    "boolean",
    "choice",
    "http_url",
    "message_text",
    "number",
    "text",
]

Params = Mapping[str, object]
MAX_TEXT_PARAMETER_CHARS = 100_000  # far above any Plivo limit; stops pathological inputs early
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def text(params: Params, name: str, *, required: bool = False, strip: bool = True) -> str | None:
    """A string parameter; numbers are accepted as their decimal text, lists are comma-joined."""
    value = params.get(name)
    if isinstance(value, bool):
        raise InputError(name, f"{name}: expected text, got a boolean ({value}).")
    if isinstance(value, int | float):
        value = (
            str(value)
            if not isinstance(value, float) or not value.is_integer()
            else str(int(value))
        )
    elif isinstance(value, list | tuple):
        if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in value):
            raise InputError(name, f"{name}: expected text or a list of texts.")
        value = ", ".join(str(item) for item in value)
    elif value is not None and not isinstance(value, str):
        raise InputError(name, f"{name}: expected text, got {type(value).__name__}.")
    if isinstance(value, str):
        if len(value) > MAX_TEXT_PARAMETER_CHARS:
            raise InputError(
                name,
                f"{name}: {len(value)} characters is far too long "
                f"(at most {MAX_TEXT_PARAMETER_CHARS}).",
            )
        if strip:
            value = value.strip()
    if not value:
        if required:
            raise InputError(name, f"{name} is required.")
        return None
    return value


def number(
    params: Params,
    name: str,
    *,
    default: int | None,
    minimum: int,
    maximum: int,
) -> int | None:
    """A whole number within ``[minimum, maximum]``; ``"5"`` and ``5.0`` are read as 5."""
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    parsed: float
    if isinstance(value, bool):
        raise InputError(name, f"{name}: expected a whole number, got a boolean.")
    if isinstance(value, int | float):
        try:
            parsed = float(value)
        except OverflowError:  # an integer with hundreds of digits
            parsed = math.inf
    elif isinstance(value, str):
        try:
            parsed = float(value.strip())
        except ValueError:
            raise InputError(
                name, f"{name}: {shorten(value.strip(), 40)!r} is not a number; use a whole number."
            ) from None
    else:
        raise InputError(name, f"{name}: expected a whole number, got {type(value).__name__}.")
    if not math.isfinite(parsed):
        raise InputError(
            name,
            f"{name}: {shorten(str(value), 40)!r} is out of range; use {minimum} to {maximum}.",
        )
    if not parsed.is_integer():
        raise InputError(name, f"{name}: {shorten(str(value), 40)!r} is not a whole number.")
    if not minimum <= parsed <= maximum:
        raise InputError(
            name,
            f"{name}: {shorten(str(int(parsed)), 40)} is out of range; use {minimum} to {maximum}.",
        )
    return int(parsed)


def boolean(params: Params, name: str, *, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return default if lowered == "" else False
    raise InputError(name, f"{name}: expected true or false, got {shorten(str(value), 40)!r}.")


def choice(params: Params, name: str, options: Collection[str], *, default: str) -> str:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        value = "true" if value else "false"
    if not isinstance(value, str) or value.strip() not in options:
        allowed = ", ".join(sorted(options))
        raise InputError(name, f"{name}: {shorten(str(value), 40)!r} is not one of: {allowed}.")
    return value.strip()


def http_url(value: str, name: str) -> str:
    """Only absolute http(s) URLs: Plivo fetches them, so anything else is refused here."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: "https://[::1/x"
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in {"http", "https"}
        or not parts.netloc
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise InputError(
            name,
            f"{name}: {shorten(value, 80)!r} is not an http(s) URL; use e.g. https://example.com/x.",
        )
    return value


def message_text(params: Params) -> str:
    """The ``message`` as written (inner and edge spaces are content), or "" when there is none."""
    raw = text(params, "message", strip=False) or ""
    return raw if raw.strip() else ""
