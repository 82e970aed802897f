"""Read tool parameters as Dify delivers them: unvalidated and uncoerced.

Dify passes ``tool_parameters`` through as the model or the workflow wrote them: a ``number`` may
arrive as ``"2"``, a string as a list, a boolean as ``"true"``, a required value as ``None``. Every
reader here either returns a clean value or raises :class:`InputError` naming the parameter and the
fix, so bad input never reaches Plivo.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InputError
from .text import shorten

__all__ = [
    "UNRESOLVED_VARIABLE",
    "Choice",
    "InputError",
    "Limits",
    "NumberRange",
    "Params",
    "boolean",
    "choice",
    "http_url",
    "message_text",
    "number",
    "text",
    "text_items",
]

Params = Mapping[str, object]
MAX_TEXT_PARAMETER_CHARS = 100_000  # far above any Plivo limit; stops pathological inputs early
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
UNRESOLVED_VARIABLE = re.compile(r"\{\{#[^{}#\s]{1,200}#\}\}")
"""Dify's variable placeholder (``{{#1711.code#}}``), left in the text when the variable it names
was never set: such text is a workflow fault, never a message for a customer."""
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_LOCAL_HOST_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def text(
    params: Params,
    name: str,
    *,
    required: bool = False,
    strip: bool = True,
    joiner: str = ", ",
    placeholders_allowed: bool = False,
) -> str | None:
    """A string parameter; numbers are accepted as their decimal text, lists are joined.

    An unresolved workflow variable is refused here, naming it, unless the caller reports it per
    item itself (``placeholders_allowed``, as the recipient list does).
    """
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
        value = joiner.join(str(item) for item in value)
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
        for position, char in enumerate(value, start=1):
            if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
                raise InputError(
                    name,
                    f"{name} contains the control character U+{ord(char):04X} at position "
                    f"{position}; remove it (only tabs and line breaks are allowed).",
                )
        unresolved = None if placeholders_allowed else UNRESOLVED_VARIABLE.search(value)
        if unresolved is not None:
            raise InputError(
                name,
                f"{name} contains an unresolved workflow variable {unresolved.group(0)}: the "
                "variable it refers to was empty or never set. Check the "
                "node that should produce it.",
            )
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


def text_items(params: Params, name: str) -> str | None:
    """A list-like text parameter as newline-separated items.

    Accepts what models and workflows actually pass: a real list, a JSON array written as text
    (``'["+14155552671", "+442079460030"]'``) or plain text, which the caller splits itself.
    """
    value = params.get(name)
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(
            isinstance(item, str | int) and not isinstance(item, bool) for item in parsed
        ):
            value = [str(item) for item in parsed]
    return text({name: value}, name, joiner="\n", placeholders_allowed=True)


def http_url(value: str, name: str, *, public: bool = False) -> str:
    """Only absolute http(s) URLs: Plivo fetches them, so anything else is refused here.

    ``public`` also refuses hosts Plivo's servers can never reach (localhost, private and
    link-local addresses, ``.local`` names): a media URL on such a host fails the MMS later.
    """
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket: "https://[::1/x"
        parts = None
        host = None
    if (
        parts is None
        or parts.scheme.lower() not in {"http", "https"}
        or not parts.netloc
        or not host
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise InputError(
            name,
            f"{name}: {shorten(value, 200)!r} is not an http(s) URL; use e.g. https://example.com/x.",
        )
    if public and not _is_public_host(host):
        raise InputError(
            name,
            f"{name}: {shorten(value, 200)!r} points to {host}, which Plivo's servers cannot "
            "reach; use a public http(s) URL.",
        )
    # The scheme is case-insensitive (RFC 3986), but not every server treats it so: send it
    # the way Plivo's documentation writes it.
    return parts.scheme.lower() + value[len(parts.scheme) :]


def _is_public_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host != "localhost" and "." in host and not host.endswith(_LOCAL_HOST_SUFFIXES)
    return address.is_global


def message_text(params: Params, name: str = "message") -> str:
    """The text as written (inner and edge spaces are content), or "" when there is none.

    A list becomes one line per item. Control characters other than tab and line breaks are
    refused (by :func:`text`, as in every parameter): a NUL or an escape in an SMS is a
    copy-paste or template fault, never content.
    """
    raw = text(params, name, strip=False, joiner="\n") or ""
    if not raw.strip():
        return ""
    return raw


@dataclass(frozen=True)
class NumberRange:
    """A whole-number parameter's bounds and default, as the tool's YAML must declare them."""

    minimum: int
    maximum: int
    default: int | None = None

    def read(self, params: Params, name: str) -> int | None:
        return number(
            params, name, default=self.default, minimum=self.minimum, maximum=self.maximum
        )

    def read_int(self, params: Params, name: str) -> int:
        """Like :meth:`read` for a parameter that always has a value (a default is declared)."""
        value = self.read(params, name)
        if value is None:  # only when no default is declared: a programming error
            raise ValueError(f"{name} has no default")
        return value


@dataclass(frozen=True)
class Choice:
    """A select parameter's options and default, as the tool's YAML must declare them."""

    options: tuple[str, ...]
    default: str
    case_insensitive: bool = False

    def read(self, params: Params, name: str) -> str:
        raw = params.get(name)
        if self.case_insensitive and isinstance(raw, str):
            params = {name: raw.strip().lower()}
        return choice(params, name, self.options, default=self.default)


Limits = Mapping[str, NumberRange | Choice]
"""A tool's bounded parameters by name; a test holds the tool's YAML to exactly these."""
