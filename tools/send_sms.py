"""Send one SMS/MMS to up to 1000 recipients with a single Plivo request, optionally waiting
for the delivery outcome."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import Credentials
from plivo_api.delivery import bounded_fetch, wait_for_final
from plivo_api.outbound import plan_from_params, send_planned


class SendSmsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        credentials = Credentials.from_mapping(self.runtime.credentials)
        plan = plan_from_params(tool_parameters, credentials.default_sender)
        client = credentials.client()
        report = send_planned(client, plan)
        data = report.to_dict()
        summary = report.summary()
        delivery = None
        if plan.wait_seconds > 0:
            # GETs only; a failing poll is reported per message and never fails the node.
            delivery = wait_for_final(
                bounded_fetch(client, plan.wait_seconds),
                report.message_uuids,
                plan.wait_seconds,
                recipients=report.accepted,
            )
            data["delivery"] = delivery.to_list()
            summary += f". {delivery.summary()}"
        yield self.create_text_message(summary)
        yield self.create_json_message(data)
        yield self.create_variable_message(
            "message_uuid", report.message_uuids[0] if report.message_uuids else None
        )
        yield self.create_variable_message("message_uuids", list(report.message_uuids))
        yield self.create_variable_message("segments", plan.segments)
        yield self.create_variable_message("encoding", plan.analysis.encoding)
        # Always set, so a workflow can branch on it: null when the tool did not wait.
        yield self.create_variable_message(
            "all_delivered", delivery.all_delivered if delivery is not None else None
        )
