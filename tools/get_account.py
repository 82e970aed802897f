"""Balance and account type, so an agent can check credit before a campaign."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import client_for


class GetAccountTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        account = client_for(self.runtime.credentials).get_account()
        data = account.to_dict()
        yield self.create_text_message(account.summary())
        yield self.create_json_message(data)
        yield self.create_variable_message("balance", data["balance"])
        yield self.create_variable_message("is_trial", account.is_trial)
