"""Balance and account type, so an agent can check credit before a campaign."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import client_for
from plivo_api.models import as_number


class GetAccountTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        account = client_for(self.runtime.credentials).get_account()
        balance = as_number(account.balance)
        summary = (
            f"Plivo account {account.name or '(unnamed)'}: balance "
            f"{account.balance if account.balance is not None else 'unknown'} {account.currency}, "
            f"{'trial' if account.is_trial else account.account_type or 'unknown'} account."
        )
        if account.is_trial:
            summary += " Trial accounts can only send to numbers verified as sandbox numbers."
        yield self.create_text_message(summary)
        yield self.create_json_message(
            {
                "name": account.name,
                "account_type": account.account_type,
                "is_trial": account.is_trial,
                "balance": balance,
                "currency": account.currency,
                "auto_recharge": account.auto_recharge,
                "billing_mode": account.billing_mode,
                "timezone": account.timezone,
            }
        )
        yield self.create_variable_message("balance", balance)
        yield self.create_variable_message("is_trial", account.is_trial)
