"""Dify adapter for ``call_input``: filters and variables live in ``plivo_api.trigger.events``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin.entities.trigger import Variables
from dify_plugin.errors.trigger import EventIgnoreError
from dify_plugin.interfaces.trigger import Event
from werkzeug import Request


class CallInputEvent(Event):
    def _on_event(
        self, request: Request, parameters: Mapping[str, Any], payload: Mapping[str, Any]
    ) -> Variables:
        from plivo_api.trigger.events import call_input

        result = call_input(parameters, payload)
        if result.ignored:
            raise EventIgnoreError(result.verdict.reason)
        return Variables(variables=result.variables)
