"""get_account: name, trial or paid, balance and auto-recharge, so an agent can check credit
before a campaign. One ``GET Account/``, the same read that checks the credentials."""

from __future__ import annotations

from ..params import Limits
from ..resources.account import PLIVO_CURRENCY, Account, get_account
from ..resources.connect import client_from
from ..transport.jsonvalues import as_number
from . import Invocation, ToolOutput

LIMITS: Limits = {}


def run(call: Invocation) -> ToolOutput:
    return present(get_account(client_from(call.credentials)))


def summary(account: Account) -> str:
    balance = account.balance if account.balance is not None else "unknown"
    kind = "trial" if account.is_trial else account.account_type or "unknown"
    line = (
        f"Plivo account {account.name or '(unnamed)'}: balance {balance} {PLIVO_CURRENCY}, "
        f"{kind} account."
    )
    if account.is_trial:
        line += " Trial accounts can only send to numbers verified as sandbox numbers."
    return line


def present(account: Account) -> ToolOutput:
    data: dict[str, object] = {
        "name": account.name,
        "account_type": account.account_type,
        "is_trial": account.is_trial,
        "balance": as_number(account.balance),
        "currency": PLIVO_CURRENCY,
        "auto_recharge": account.auto_recharge,
        "billing_mode": account.billing_mode,
        "timezone": account.timezone,
        "api_id": account.api_id,
    }
    variables = {"balance": data["balance"], "is_trial": account.is_trial}
    return ToolOutput(summary(account), data, variables)


__all__ = ["LIMITS", "present", "run"]
