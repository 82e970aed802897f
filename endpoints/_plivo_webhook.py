"""The one bridge from a Dify endpoint to the core (``plivo_api.inbound`` and ``plivo_api.voice``).

Every endpoint class is the same three lines and calls :func:`answer` with its route. The core
is imported on the first request, not when the plugin starts (Dify's daemon waits for the
process's first heartbeat). Here, and only here, live the Dify-specific facts:

- the werkzeug request becomes a :class:`WebhookRequest`: the form body of a POST, the query of
  a GET, the headers (with the daemon's ``Dify-Hook-Url`` and ``Dify-Hook-Id``);
- ``session.storage`` and ``session.app`` become the core's store and app invoker; the SDK
  raises a bare ``Exception`` for every failed invocation, which becomes
  ``AppInvocationError`` (storage failures are wrapped by the core's ``GuardedStore``);
- an exception that escapes the core becomes a bare 500: the SDK would otherwise put the
  exception's text into the response Plivo receives.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from dify_plugin import Endpoint
from werkzeug import Request, Response

logger = logging.getLogger("plivo_api.endpoint")

Route = Literal[
    "inbound",
    "status",
    "voice_inbound",
    "voice_turn",
    "voice_hangup",
    "voice_answer",
    "voice_input",
    "voice_event",
]
INTERNAL_ERROR_BODY = "Internal Server Error"


class _DifyApps:
    """``session.app`` as the core's ``AppInvoker``: one blocking invocation."""

    def __init__(self, app: Any, error_type: type[Exception]) -> None:
        self._app = app
        self._error_type = error_type

    def invoke(
        self,
        app_id: str,
        *,
        query: str,
        inputs: Mapping[str, object],
        conversation_id: str | None,
    ) -> Mapping[str, object]:
        # One call for every app type: Dify decides by the app's mode whether query and
        # conversation_id matter (chat apps) or only inputs (workflow, completion).
        try:
            result = self._app.chat.invoke(
                app_id=app_id,
                query=query,
                inputs=dict(inputs),
                response_mode="blocking",
                conversation_id=conversation_id,
            )
        except Exception as error:
            raise self._error_type(str(error)) from error
        if not isinstance(result, Mapping):
            raise self._error_type("the app answered with something other than an object")
        return result


def _headers(request: Request) -> dict[str, str]:
    combined: dict[str, str] = {}
    for name, value in request.headers.items():
        combined[name] = f"{combined[name]},{value}" if name in combined else value
    return combined


def answer(
    endpoint: Endpoint, request: Request, settings: Mapping[str, Any], route: Route
) -> Response:
    """The endpoint's answer, never an exception: the SDK would send its text to the caller."""
    try:
        return _answer(endpoint, request, settings, route)
    except Exception as error:  # noqa: BLE001 - the last line of defence, see the docstring
        # The type only: the text or a traceback could quote the request.
        failure = type(error).__name__
        logger.error("%s endpoint failed unexpectedly (%s)", route, failure)  # noqa: TRY400
        return Response(INTERNAL_ERROR_BODY, status=500, content_type="text/plain; charset=utf-8")


def _answer(
    endpoint: Endpoint, request: Request, settings: Mapping[str, Any], route: Route
) -> Response:
    # Imported here, not at start-up: the plugin is ready before the core is loaded.
    from plivo_api.inbound.apps import AppInvocationError
    from plivo_api.inbound.calls.handlers import (
        handle_voice_hangup,
        handle_voice_inbound,
        handle_voice_turn,
    )
    from plivo_api.inbound.messages import handle_inbound
    from plivo_api.inbound.replies import plivo_messenger
    from plivo_api.inbound.reports import handle_status
    from plivo_api.inbound.services import Services
    from plivo_api.inbound.settings import EndpointSettings
    from plivo_api.voice.routes import handle_answer, handle_event, handle_input
    from plivo_api.webhooks.door import WebhookRequest
    from plivo_api.webhooks.signature import form_lists

    # The routes of calls the plugin makes itself need only the store.
    call_routes = {
        "voice_answer": handle_answer,
        "voice_input": handle_input,
        "voice_event": handle_event,
    }
    handlers = {
        "inbound": handle_inbound,
        "status": handle_status,
        "voice_inbound": handle_voice_inbound,
        "voice_turn": handle_voice_turn,
        "voice_hangup": handle_voice_hangup,
    }
    post = request.method.upper() == "POST"
    incoming = WebhookRequest(
        method=request.method,
        path=request.path,
        params=form_lists(request.form if post else request.args),
        query=request.query_string.decode("utf-8", "replace"),
        headers=_headers(request),
    )
    endpoint_settings = EndpointSettings.from_mapping(settings)
    if route in call_routes:
        result = call_routes[route](incoming, endpoint_settings, endpoint.session.storage)
    else:
        services = Services(
            store=endpoint.session.storage,
            apps=_DifyApps(endpoint.session.app, AppInvocationError),
            messenger=plivo_messenger,
        )
        result = handlers[route](incoming, endpoint_settings, services)
    return Response(
        result.body,
        status=result.status,
        content_type=result.content_type,
        headers=dict(result.headers),
    )
