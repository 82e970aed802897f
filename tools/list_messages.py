"""Message history (newest first), filtered and paged as Plivo's List Messages allows."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.credentials import client_for
from plivo_api.history import list_query_from_params, summarize_page


class ListMessagesTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        query = list_query_from_params(tool_parameters)
        page = client_for(self.runtime.credentials).list_messages(query.query())
        yield self.create_text_message(summarize_page(query, page))
        yield self.create_json_message(
            {
                "messages": [record.to_compact_dict() for record in page.records],
                "total_count": page.total_count,
                "next_offset": page.next_offset,
            }
        )
        yield self.create_variable_message("total_count", page.total_count)
        yield self.create_variable_message("next_offset", page.next_offset)
