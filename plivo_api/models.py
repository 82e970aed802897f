"""Typed results of the Plivo calls the tools make.

Plivo's JSON is parsed here, once, defensively: a field Plivo leaves out becomes ``None`` instead of
a ``KeyError`` in a tool, and numbers that Plivo sends as decimal strings become numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import MalformedResponseError

TRIAL_ACCOUNT_TYPE = "developer"
ACCOUNT_CURRENCY = "USD"  # Plivo bills in USD; cash_credits carries no currency field


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: object) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        number = _decimal(value)
        return int(number) if number is not None else None


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def as_number(value: Decimal | None) -> float | None:
    """Decimals become JSON numbers for Dify's output; exactness is not needed past 5 places."""
    return float(value) if value is not None else None


@dataclass(frozen=True)
class Account:
    name: str | None
    account_type: str | None
    balance: Decimal | None
    auto_recharge: bool | None
    billing_mode: str | None
    timezone: str | None
    api_id: str | None = None
    currency: str = ACCOUNT_CURRENCY

    @property
    def is_trial(self) -> bool:
        return self.account_type == TRIAL_ACCOUNT_TYPE

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        return cls(
            name=_str(data, "name"),
            account_type=_str(data, "account_type"),
            balance=_decimal(data.get("cash_credits")),
            auto_recharge=_bool(data.get("auto_recharge")),
            billing_mode=_str(data, "billing_mode"),
            timezone=_str(data, "timezone"),
            api_id=_str(data, "api_id"),
        )


@dataclass(frozen=True)
class SendResult:
    """Plivo's 202: one UUID per accepted destination, and the destinations it refused."""

    api_id: str | None
    message: str | None
    message_uuids: tuple[str, ...]
    invalid_numbers: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SendResult:
        uuids = data.get("message_uuid", [])
        if isinstance(uuids, str):
            uuids = [uuids]
        invalid = data.get("invalid_number") or []
        if isinstance(invalid, str):
            invalid = [part for part in invalid.split("<") if part]
        if not isinstance(uuids, list) or not isinstance(invalid, list):
            raise MalformedResponseError(
                "Plivo accepted the request but its answer lists no message UUIDs in the "
                "documented form. The messages may have been queued: check list_messages "
                "before sending again.",
                api_id=_str(data, "api_id"),
            )
        return cls(
            api_id=_str(data, "api_id"),
            message=_str(data, "message"),
            message_uuids=tuple(str(u) for u in uuids),
            invalid_numbers=tuple(str(n) for n in invalid),
        )
