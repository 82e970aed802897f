"""The phone assistant's three routes, each answered with call XML (or, for the hangup, an empty
``<Response>``).

Every request is checked exactly as an SMS is (:mod:`plivo_api.inbound.webhook`): Plivo's
signature first (a forged request gets 403 and nothing is read, run or spoken), then a V2
signature's nonce may vouch for one request only. After that a caller always hears something:
a failure of storage, of the app or of this code ends in a spoken sentence, never in an error
page (Plivo would play its error tone and hang up).

Logs name the call's UUID and the turn's outcome, never a number, a word the caller said, or an
answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ...webhooks.kvstore import StorageError, StorageScope
from ...webhooks.payloads import CallEvent
from ...webhooks.xml import call_response, hangup, speak
from ..apps import AppFailedError, run_app
from ..leases import Acquired, LeaseBook
from ..services import Services, log_id
from ..settings import EndpointSettings
from ..webhook import (
    Verified,
    WebhookAnswer,
    WebhookRequest,
    accepted,
    check_signature,
    refuse_replay,
    retry_later,
)
from . import phrases
from .documents import goodbye, listen
from .record import CallBook
from .turns import CallerInput, Turn, VoiceTiming, take_turn

logger = logging.getLogger(__name__)

MAX_TURN_NUMBER: Final = 10_000
OUTCOME_GREETED: Final = "greeted"
OUTCOME_SUMMARY_RAN: Final = "call ended; status app ran"
OUTCOME_SUMMARY_FAILED: Final = "call ended; status app failed"
OUTCOME_NO_SUMMARY: Final = "call ended; no status app configured"
_FALLBACK: Final = call_response(speak(phrases.NOT_AVAILABLE), hangup())
"""Spoken when this code fails unexpectedly: built once, with Plivo's default voice."""


def handle_voice_inbound(
    request: WebhookRequest, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    """``/voice/inbound``, the number's answer URL: the greeting, then the first prompt."""
    verified = check_signature(request, settings, "incoming call")
    if not isinstance(verified, Verified):
        return verified
    return _spoken(lambda: _inbound(request, verified, settings, services), "incoming call")


def handle_voice_turn(
    request: WebhookRequest,
    settings: EndpointSettings,
    services: Services,
    timing: VoiceTiming | None = None,
) -> WebhookAnswer:
    """``/voice/turn``, the GetInput action and the silence redirect."""
    verified = check_signature(request, settings, "call turn")
    if not isinstance(verified, Verified):
        return verified
    return _spoken(
        lambda: _turn(request, verified, settings, services, timing or VoiceTiming()), "call turn"
    )


def handle_voice_hangup(
    request: WebhookRequest, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    """``/voice/hangup``: the status app files the call, once; Plivo gets an empty answer."""
    verified = check_signature(request, settings, "call hangup")
    if not isinstance(verified, Verified):
        return verified
    try:
        return _hangup(request, verified, settings, services)
    except Exception as error:  # noqa: BLE001 - the caller is gone; Plivo must not retry forever
        logger.error("call hangup failed unexpectedly (%s)", type(error).__name__)  # noqa: TRY400
        return accepted()


def _inbound(
    request: WebhookRequest, verified: Verified, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    call = CallEvent.from_params(request.fields())
    uuid = log_id(call.call_uuid)
    if not settings.voice_app_id or not call.call_uuid:
        logger.info("phone call %s: no app that talks on calls; caller told", uuid)
        return _xml(goodbye(settings, phrases.NOT_AVAILABLE))
    replayed = refuse_replay(
        verified,
        f"voice-inbound:{call.call_uuid.lower()}",
        settings,
        "incoming call",
        services.store,
    )
    if replayed is not None and replayed.status == 403:
        return replayed
    greeting = settings.greeting or phrases.DEFAULT_GREETING
    calls = CallBook(
        services.store, StorageScope.for_account(settings.auth_id), clock=services.clock
    )
    try:
        calls.save(calls.read(call.call_uuid).with_turn(0, caller="", assistant=greeting))
    except StorageError:
        logger.warning("phone call %s: the greeting could not be stored", uuid)
    logger.info("phone call %s: %s", uuid, OUTCOME_GREETED)
    return _xml(listen(_base(verified, request), 1, greeting, settings=settings))


def _turn(
    request: WebhookRequest,
    verified: Verified,
    settings: EndpointSettings,
    services: Services,
    timing: VoiceTiming,
) -> WebhookAnswer:
    call = CallEvent.from_params(request.fields())
    query = parse_qs(request.query.lstrip("?"))
    number = _count(query, "turn", default=1)
    silence = _count(query, "silence", default=0)
    uuid = log_id(call.call_uuid)
    if not call.call_uuid:
        logger.warning("call turn %s: not a complete Plivo request; caller told", uuid)
        return _xml(goodbye(settings, phrases.NOT_AVAILABLE))
    replayed = refuse_replay(
        verified,
        f"voice-turn:{call.call_uuid.lower()}:{number}:{silence}",
        settings,
        "call turn",
        services.store,
    )
    if replayed is not None and replayed.status == 403:
        return replayed
    turn = Turn(
        call_uuid=call.call_uuid,
        from_number=call.from_number,
        to_number=call.to_number,
        base=_base(verified, request),
        number=number,
        silence=silence,
        heard=CallerInput.from_fields(request.fields()),
    )
    xml, outcome = take_turn(turn, settings, services, timing)
    logger.info("phone call %s turn %d: %s", uuid, number, outcome)
    return _xml(xml)


def _hangup(
    request: WebhookRequest, verified: Verified, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    call = CallEvent.from_params(request.fields())
    uuid = log_id(call.call_uuid)
    if not call.call_uuid or not settings.auth_id:
        logger.warning("call hangup %s: not a complete Plivo request; ignored", uuid)
        return accepted()
    subject = f"voice-hangup:{call.call_uuid.lower()}"
    replayed = refuse_replay(verified, subject, settings, "call hangup", services.store)
    if replayed is not None:
        return replayed
    scope = StorageScope.for_account(settings.auth_id)
    calls = CallBook(services.store, scope, clock=services.clock)
    if not settings.status_app_id:
        _close(calls, call.call_uuid)
        logger.info("phone call %s: %s", uuid, OUTCOME_NO_SUMMARY)
        return accepted()
    leases = LeaseBook(services.store, scope, clock=services.clock)
    try:
        decision = leases.acquire(subject)
    except StorageError:
        logger.warning("call hangup %s: plugin storage failed; Plivo will retry", uuid)
        return retry_later()
    if not isinstance(decision, Acquired):
        logger.info("call hangup %s: duplicate; the summary runs once", uuid)
        return accepted()
    record = calls.read(call.call_uuid)
    inputs = {
        "call_uuid": call.call_uuid,
        "from": call.from_number or None,
        "to": call.to_number or None,
        "duration": call.duration,
        "transcript": record.transcript() or None,
    }
    try:
        run_app(
            services.apps,
            settings.status_app_id,
            query=f"Call {call.call_uuid} ended",
            inputs=inputs,
            conversation_id=None,
        )
        outcome = OUTCOME_SUMMARY_RAN
    except AppFailedError as failure:
        logger.warning("call hangup %s: %s", uuid, failure)
        outcome = OUTCOME_SUMMARY_FAILED
    _close(calls, call.call_uuid)
    try:
        leases.finish(decision.lease, outcome)
    except StorageError:
        logger.warning("call hangup %s: the outcome could not be stored", uuid)
    logger.info("phone call %s: %s", uuid, outcome)
    return accepted()


def _close(calls: CallBook, call_uuid: str) -> None:
    try:
        calls.close(calls.read(call_uuid))
    except StorageError:
        logger.warning("phone call %s: the transcript could not be emptied", log_id(call_uuid))


def _base(verified: Verified, request: WebhookRequest) -> str:
    """The endpoint's public base URL: the URL Plivo signed, without query and route path."""
    parts = urlsplit(verified.url)
    path = parts.path
    if request.path and path.endswith(request.path):
        path = path[: -len(request.path)]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def _count(query: dict[str, list[str]], name: str, *, default: int) -> int:
    values = query.get(name) or []
    text = values[0].strip() if values else ""
    if text.isascii() and text.isdigit() and int(text) <= MAX_TURN_NUMBER:
        return int(text)
    return default


def _xml(document: str) -> WebhookAnswer:
    return WebhookAnswer(200, document)


def _spoken(work: Callable[[], WebhookAnswer], what: str) -> WebhookAnswer:
    """``work()``, or a spoken apology and a hang-up when it fails unexpectedly."""
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - the caller must hear something, see the docstring
        logger.error("%s failed unexpectedly (%s)", what, type(error).__name__)  # noqa: TRY400
        return _xml(_FALLBACK)


__all__ = [
    "OUTCOME_GREETED",
    "OUTCOME_NO_SUMMARY",
    "OUTCOME_SUMMARY_FAILED",
    "OUTCOME_SUMMARY_RAN",
    "handle_voice_hangup",
    "handle_voice_inbound",
    "handle_voice_turn",
]
