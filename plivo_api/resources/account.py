"""The account (``GET Account/{auth_id}/``): name, type, balance; the read that checks the
credentials (https://www.plivo.com/docs/account/api/account/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..transport.client import PlivoClient
from ..transport.jsonvalues import bool_of, decimal_of, str_of

TRIAL_ACCOUNT_TYPE: Final = "developer"
PLIVO_CURRENCY: Final = "USD"  # Plivo bills and prices in USD; its answers carry no currency field


@dataclass(frozen=True)
class Account:
    name: str | None
    account_type: str | None
    balance: Decimal | None
    auto_recharge: bool | None
    billing_mode: str | None
    timezone: str | None
    api_id: str | None = None

    @property
    def is_trial(self) -> bool:
        return self.account_type == TRIAL_ACCOUNT_TYPE

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        return cls(
            name=str_of(data, "name"),
            account_type=str_of(data, "account_type"),
            balance=decimal_of(data.get("cash_credits")),
            auto_recharge=bool_of(data.get("auto_recharge")),
            billing_mode=str_of(data, "billing_mode"),
            timezone=str_of(data, "timezone"),
            api_id=str_of(data, "api_id"),
        )


def get_account(client: PlivoClient) -> Account:
    return Account.from_json(client.request("GET", client.account_url))


__all__ = ["PLIVO_CURRENCY", "TRIAL_ACCOUNT_TYPE", "Account", "get_account"]
