"""One module per tool, named like the tool: parameters -> request -> result -> presentation.

Every module exposes ``run(call: Invocation) -> ToolOutput`` and ``LIMITS`` (its bounded
parameters, which the tool's YAML must declare identically). The Dify adapters in ``tools/`` import
these modules only after the plugin's first heartbeat (in the background), so a plugin process
becomes ready without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the adapters import this package at start-up: keep it free of the core
    from ..params import Params
    from ..webhooks.kvstore import KeyValueStore


@dataclass(frozen=True)
class Invocation:
    """What a tool call brings: its parameters, the provider's credentials, plugin storage."""

    parameters: Params
    credentials: Mapping[str, object] = field(default_factory=dict)
    storage: KeyValueStore | None = None


@dataclass(frozen=True)
class ToolOutput:
    """What a tool shows: one readable line, a JSON object, and its declared variables."""

    text: str
    json: Mapping[str, object]
    variables: Mapping[str, object]


__all__ = ["Invocation", "ToolOutput"]
