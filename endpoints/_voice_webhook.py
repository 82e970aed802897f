"""The bridge from the voice routes of the Dify endpoint to ``plivo_api.voice.routes``.

Like :mod:`endpoints._plivo_webhook`: the werkzeug request becomes a ``WebhookRequest``,
``session.storage`` the core's store, and an exception that escapes the core a bare 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from dify_plugin import Endpoint
from werkzeug import Request, Response

from endpoints._plivo_webhook import INTERNAL_ERROR_BODY, _headers

logger = logging.getLogger("plivo_api.endpoint")

VoiceRoute = Literal["answer", "input", "event"]


def answer(
    endpoint: Endpoint, request: Request, settings: Mapping[str, Any], route: VoiceRoute
) -> Response:
    """The route's answer, never an exception: the SDK would send its text to the caller."""
    try:
        return _answer(endpoint, request, settings, route)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        logger.error("voice %s endpoint failed unexpectedly (%s)", route, type(error).__name__)  # noqa: TRY400
        return Response(INTERNAL_ERROR_BODY, status=500, content_type="text/plain; charset=utf-8")


def _answer(
    endpoint: Endpoint, request: Request, settings: Mapping[str, Any], route: VoiceRoute
) -> Response:
    from plivo_api.inbound.settings import EndpointSettings
    from plivo_api.voice.routes import handle_answer, handle_event, handle_input
    from plivo_api.webhooks.door import WebhookRequest
    from plivo_api.webhooks.signature import form_lists

    handler = {"answer": handle_answer, "input": handle_input, "event": handle_event}[route]
    post = request.method.upper() == "POST"
    incoming = WebhookRequest(
        method=request.method,
        path=request.path,
        params=form_lists(request.form if post else request.args),
        query=request.query_string.decode("utf-8", "replace"),
        headers=_headers(request),
    )
    result = handler(incoming, EndpointSettings.from_mapping(settings), endpoint.session.storage)
    return Response(
        result.body,
        status=result.status,
        content_type=result.content_type,
        headers=dict(result.headers),
    )
