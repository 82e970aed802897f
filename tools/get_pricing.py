"""A country's Plivo prices: outbound and inbound SMS (with per-network rates) and voice."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api import params as read
from plivo_api.credentials import client_for
from plivo_api.models import as_number
from plivo_api.pricing import parse_country


class GetPricingTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        country = parse_country(read.text(tool_parameters, "country"))
        pricing = client_for(self.runtime.credentials).get_pricing(country)
        yield self.create_text_message(pricing.summary())
        yield self.create_json_message(pricing.to_dict())
        yield self.create_variable_message(
            "sms_outbound_rate", as_number(pricing.sms_outbound_rate)
        )
