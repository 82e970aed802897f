"""Delivery status of one message, optionally waiting for its final state."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import client_for
from plivo_api.delivery import bounded_fetch, read_message
from plivo_api.history import message_request_from_params


class GetMessageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        message_uuid, wait_seconds = message_request_from_params(tool_parameters)
        client = client_for(self.runtime.credentials)
        fetch = bounded_fetch(client, wait_seconds) if wait_seconds else client.get_message
        status = read_message(fetch, message_uuid, wait_seconds)
        data = status.to_dict()
        yield self.create_text_message(status.summary())
        yield self.create_json_message(data)
        yield self.create_variable_message("state", data["state"])
        yield self.create_variable_message("error_code", data["error_code"])
        yield self.create_variable_message("final", data["final"])
