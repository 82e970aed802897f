"""POST /voice/event; the behaviour is in ``plivo_api.voice.routes``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin import Endpoint
from werkzeug import Request, Response

from endpoints._plivo_webhook import answer


class VoiceEventPostEndpoint(Endpoint):
    def _invoke(
        self, r: Request, values: Mapping[str, Any], settings: Mapping[str, Any]
    ) -> Response:
        return answer(self, r, settings, "voice_event")
