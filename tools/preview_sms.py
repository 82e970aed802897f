"""Segment, encoding and recipient check for a text, without sending it; optionally its cost."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.models import as_number
from plivo_api.preview import preview_from_params, with_cost_estimate


class PreviewSmsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        preview = preview_from_params(tool_parameters)
        if preview.estimate_requested:
            preview = with_cost_estimate(preview, self.runtime.credentials)
        yield self.create_text_message(preview.summary())
        yield self.create_json_message(preview.to_dict())
        yield self.create_variable_message("segments", preview.analysis.segments)
        yield self.create_variable_message("encoding", preview.analysis.encoding)
        yield self.create_variable_message("over_limit", preview.analysis.over_limit)
        total = preview.cost.total if preview.cost is not None else None
        yield self.create_variable_message("estimated_cost", as_number(total))
