"""The one bridge from a Dify tool to its feature module in ``plivo_api.features``.

Every tool class is the same three lines and calls :func:`run_feature` with its own name. The
feature module is imported on the tool's first invocation, not when the plugin starts: Dify's
daemon waits for the process's first heartbeat, and phonenumbers and the feature code would only
delay it. Errors are not caught here: an exception fails the Dify node (so its fail branch runs),
and every ``PlivoError`` already carries a sentence that says what to do.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Generator, Mapping
from typing import Any, cast

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.features import Invocation, ToolOutput

Feature = Callable[[Invocation], ToolOutput]


def run_feature(
    tool: Tool, name: str, parameters: Mapping[str, Any]
) -> Generator[ToolInvokeMessage, None, None]:
    module = importlib.import_module(f"plivo_api.features.{name}")
    run = cast(Feature, module.run)
    output = run(
        Invocation(
            parameters=parameters,
            credentials=tool.runtime.credentials or {},
            storage=getattr(tool.session, "storage", None),
        )
    )
    yield tool.create_text_message(output.text)
    yield tool.create_json_message(dict(output.json))
    for variable, value in output.variables.items():
        yield tool.create_variable_message(variable, value)
