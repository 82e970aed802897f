"""Dify adapter for ``list_calls``: the behaviour lives in ``plivo_api.features``."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from tools._feature import run_feature


class ListCallsTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        yield from run_feature(self, "list_calls", tool_parameters)
