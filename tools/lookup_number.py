"""Carrier, line type and formats of a phone number through Plivo Lookup (a billed request)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import client_for
from plivo_api.lookup import lookup_number_from_params


class LookupNumberTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        number = lookup_number_from_params(tool_parameters)
        result = client_for(self.runtime.credentials).lookup_number(number)
        yield self.create_text_message(result.summary())
        yield self.create_json_message(result.to_dict())
        yield self.create_variable_message("carrier_type", result.carrier_type)
        yield self.create_variable_message("country_iso2", result.country_iso2)
