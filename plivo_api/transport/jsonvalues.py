"""Reading Plivo's JSON defensively, and writing values Dify's JSON output can carry.

Plivo sends numbers as strings or numbers, booleans as ``"true"``, and leaves fields out: a missing
or odd field becomes ``None`` here instead of a ``KeyError`` or ``ValueError`` in a tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["as_number", "bool_of", "decimal_of", "int_of", "mapping_of", "str_of"]


def str_of(data: Mapping[str, Any], key: str) -> str | None:
    """The field as text; ``None`` when it is absent, null or empty."""
    value = data.get(key)
    if value is None or value == "":
        return None
    return str(value)


def decimal_of(value: object) -> Decimal | None:
    """A finite decimal (``"0.00500"`` stays exact); NaN and Infinity would be invalid JSON."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def int_of(value: object) -> int | None:
    """A whole number; ``"1.0"`` is 1, anything else unreadable is ``None``."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        number = decimal_of(value)
        return int(number) if number is not None else None


def bool_of(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def mapping_of(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object, or an empty one when Plivo sent something else."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def as_number(value: Decimal | None) -> float | None:
    """Decimals become JSON numbers for Dify's output; exactness is not needed past 5 places."""
    return float(value) if value is not None else None
