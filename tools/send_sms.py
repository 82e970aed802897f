"""Send one SMS/MMS to up to 1000 recipients with a single Plivo request."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import Credentials
from plivo_api.outbound import plan_from_params, send_planned


class SendSmsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        credentials = Credentials.from_mapping(self.runtime.credentials)
        plan = plan_from_params(tool_parameters, credentials.default_sender)
        report = send_planned(credentials.client(), plan)
        yield self.create_text_message(report.summary())
        yield self.create_json_message(report.to_dict())
        yield self.create_variable_message(
            "message_uuid", report.message_uuids[0] if report.message_uuids else None
        )
        yield self.create_variable_message("message_uuids", list(report.message_uuids))
        yield self.create_variable_message("segments", plan.segments)
        yield self.create_variable_message("encoding", plan.analysis.encoding)
