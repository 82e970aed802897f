"""The endpoint's voice routes: ``/voice/answer``, ``/voice/input`` and ``/voice/event``.

Every request passes two checks before anything happens, and fails both the same way (403 with a
fixed body, no storage read or write):

1. Plivo's signature (V3, or V2 with its replay check), through the front door
   (:mod:`plivo_api.webhooks.door`) with the endpoint's Auth Token;
2. the plugin's signature over the call's instructions in the query
   (:mod:`plivo_api.voice.instructions`): a request Plivo really sent, for a URL someone else
   gave it, cannot make this endpoint speak.

Then: ``/voice/answer`` (GET or POST, as the call asked) answers the call's XML;
``/voice/input`` keeps the callee's answer and answers an empty ``<Response>`` (the call ends);
``/voice/event`` keeps the end of the call from the hangup callback, and acknowledges recording
and transcription callbacks without keeping them (the ``recordings`` tool reads them from Plivo).
None of them runs an app, so each answers within milliseconds, far inside the 40 s Plivo waits
for a voice callback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qs, urlencode

from ..inbound.settings import EndpointSettings
from ..inbound.webhook import check_signature, refuse_replay, signed_urls
from ..webhooks.door import (
    Verified,
    WebhookAnswer,
    WebhookRequest,
    accepted,
    forbidden,
    retry_later,
)
from ..webhooks.kvstore import KeyValueStore, StorageError
from ..webhooks.xml import call_response, empty_response, hangup
from .answers import first, save_end, save_input
from .instructions import (
    ROUTE_ANSWER,
    ROUTE_EVENT,
    ROUTE_INPUT,
    SIGNED_FIELDS,
    CallInstructions,
    VerifiedQuery,
    answer_xml,
    load_stored,
    verify_query,
)

logger = logging.getLogger(__name__)

INSTRUCTIONS_REFUSED: Final = "Refused: the call instructions are not signed by this plugin."


def _checked(
    request: WebhookRequest,
    settings: EndpointSettings,
    what: str,
    clock: Callable[[], float],
) -> tuple[Verified, VerifiedQuery] | WebhookAnswer:
    verified = check_signature(request, settings, what)
    if isinstance(verified, WebhookAnswer):
        return verified
    query = verify_query(_query_fields(request), settings.auth_id, settings.auth_token, now=clock())
    if query is None:
        logger.warning("%s request refused: call instructions signature check failed", what)
        return forbidden(INSTRUCTIONS_REFUSED)
    return verified, query


def _query_fields(request: WebhookRequest) -> dict[str, list[str]]:
    return parse_qs(request.query.lstrip("?"), keep_blank_values=True, errors="replace")


def _signed_query(request: WebhookRequest) -> str:
    """Only the plugin's signed fields: a GET answer URL also carries Plivo's parameters."""
    fields = _query_fields(request)
    return urlencode([(name, fields[name][0]) for name in SIGNED_FIELDS if name in fields])


def _endpoint_base(request: WebhookRequest, settings: EndpointSettings, route: str) -> str:
    """This endpoint's public base: the URL Plivo called (``public_url`` first, as the signature
    check tries it), without the route and the query."""
    for url in signed_urls(request, settings):
        address = url.split("?", 1)[0]
        if address.endswith(route):
            return address[: -len(route)]
    return ""


def handle_answer(
    request: WebhookRequest,
    settings: EndpointSettings,
    store: KeyValueStore,
    *,
    clock: Callable[[], float] = time.time,
) -> WebhookAnswer:
    """The call's XML: one storage read when its instructions were kept in storage, else none."""
    checked = _checked(request, settings, "voice answer", clock)
    if isinstance(checked, WebhookAnswer):
        return checked
    _, query = checked
    instructions: CallInstructions | None = query.instructions
    if instructions is None and query.stored_key is not None:
        try:
            instructions = load_stored(store, query.stored_key)
        except StorageError:
            return retry_later("Storage failed; Plivo retries.")
    if instructions is None:
        logger.warning("voice answer: the call's stored instructions are gone; hanging up")
        return WebhookAnswer(200, call_response(hangup()))
    base = _endpoint_base(request, settings, ROUTE_ANSWER)
    signed_query = _signed_query(request)
    body = answer_xml(
        instructions,
        f"{base}{ROUTE_INPUT}?{signed_query}",
        f"{base}{ROUTE_EVENT}?{signed_query}",
    )
    logger.info("voice answer served (%s)", instructions.mode)
    return WebhookAnswer(200, body)


def handle_input(
    request: WebhookRequest,
    settings: EndpointSettings,
    store: KeyValueStore,
    *,
    clock: Callable[[], float] = time.time,
) -> WebhookAnswer:
    """Keep the callee's answer (one read, one write) and let the call end."""
    checked = _checked(request, settings, "voice input", clock)
    if isinstance(checked, WebhookAnswer):
        return checked
    verified, query = checked
    fields = request.fields()
    subject = f"input:{query.call_id}:{first(fields, 'Digits')}:{first(fields, 'Speech')}"
    refused = refuse_replay(verified, subject, settings, "voice input", store)
    if refused is not None:
        return refused
    try:
        progress = save_input(store, settings.auth_id, query.call_id, fields)
    except StorageError:
        return retry_later("Storage failed; Plivo retries.")
    logger.info("voice input kept (%s)", progress.answer_kind or "empty")
    return WebhookAnswer(200, empty_response())


def handle_event(
    request: WebhookRequest,
    settings: EndpointSettings,
    store: KeyValueStore,
    *,
    clock: Callable[[], float] = time.time,
) -> WebhookAnswer:
    """Keep the end of the call (one read, one write); other callbacks are acknowledged."""
    checked = _checked(request, settings, "voice event", clock)
    if isinstance(checked, WebhookAnswer):
        return checked
    verified, query = checked
    fields = request.fields()
    is_hangup = first(fields, "Event") == "Hangup" or bool(first(fields, "HangupCause"))
    if not is_hangup:
        logger.info("voice event acknowledged (recording or transcription)")
        return accepted()
    subject = f"hangup:{query.call_id}:{first(fields, 'CallStatus')}:{first(fields, 'Duration')}"
    refused = refuse_replay(verified, subject, settings, "voice event", store)
    if refused is not None:
        return refused
    try:
        save_end(store, settings.auth_id, query.call_id, fields)
    except StorageError:
        return retry_later("Storage failed; Plivo retries.")
    logger.info("voice hangup kept")
    return accepted()


__all__ = ["INSTRUCTIONS_REFUSED", "handle_answer", "handle_event", "handle_input"]
