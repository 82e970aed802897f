"""Answer one Plivo webhook that reached a trigger subscription's endpoint.

Dify hands the trigger every request its endpoint receives and sends our answer straight back to
the caller; the workflows run later, in the background. So the answer must be right for Plivo
whatever the workflows do, and immediate:

- a request whose Plivo signature does not check out (V3, Ma-V3 or V2, against the endpoint URL
  with the account's Auth Token) is refused with 403 and starts nothing: anyone who learns the
  URL could otherwise start workflows with made-up messages;
- an inbound message (SMS, MMS or WhatsApp) or a delivery report gets an empty
  ``<Response></Response>`` (no reply;
  https://www.plivo.com/docs/messaging/xml/request/messages);
- an incoming call gets Plivo XML that speaks the subscription's sentence and hangs up
  (https://www.plivo.com/docs/voice/xml/response), its hangup callback an empty response.

A webhook becomes at most one event, and its workflow variables are computed here, once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any, Final

from ..webhooks.door import (
    DispatchedEvents,
    Verified,
    WebhookAnswer,
    WebhookRequest,
    check_signature,
    refuse_replay,
    retry_later,
)
from ..webhooks.kvstore import KeyValueStore, StorageError, StorageScope
from ..webhooks.payloads import EVENT_HANGUP, CallEvent, DeliveryReport, InboundMessage
from ..webhooks.signature import candidate_urls
from ..webhooks.xml import XML_CONTENT_TYPE, empty_response, speak_and_hangup
from .events import (
    EVENT_CALL_COMPLETED,
    EVENT_CALL_RECEIVED,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    call_variables,
    sms_variables,
    status_variables,
    whatsapp_variables,
)

logger = logging.getLogger(__name__)

AUTH_TOKEN_PROPERTY: Final = "auth_token"  # noqa: S105 (a field name, not a secret)
"""The manual subscription's field for the Auth Token (subscriptions made by the constructor get
the token from their credentials instead, never from properties)."""
CALL_GREETING_PROPERTY: Final = "call_greeting"
DEFAULT_CALL_GREETING: Final = "Thank you for calling. Goodbye."
MAX_CALL_GREETING_CHARS: Final = 1000
"""A sentence for a caller, not a speech; also keeps the XML answer far below Plivo's size cap."""

STATUS_OK: Final = 200
OWNER_TOKEN_BYTES: Final = 8
PLIVO_RING_EVENT: Final = "ring"
"""``Event=Ring`` comes from a call's ring URL; the subscription never sets one, and a ring is
not an answered call."""
_WHAT: Final = "trigger webhook"


def call_greeting_of(properties: Mapping[str, Any]) -> str:
    """The sentence a caller hears: the subscription's, else the default. Set but blank means
    "just hang up"."""
    value = properties.get(CALL_GREETING_PROPERTY)
    if value is None:
        return DEFAULT_CALL_GREETING
    return value.strip() if isinstance(value, str) else DEFAULT_CALL_GREETING


def auth_token_of(
    credentials: Mapping[str, Any] | None, properties: Mapping[str, Any]
) -> str | None:
    """The Auth Token to check signatures with: the subscription's credentials (automatic
    subscriptions) or the manual subscription's own field."""
    for source in (credentials or {}, properties):
        value = source.get(AUTH_TOKEN_PROPERTY)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def answer_webhook(
    request: WebhookRequest,
    *,
    auth_token: str | None,
    call_greeting: str,
    store: KeyValueStore | None = None,
) -> WebhookAnswer:
    """Check the signature, recognise the event, and say what Plivo gets back.

    ``request.endpoint`` is the URL Plivo was given (the subscription's endpoint): Plivo signs
    the URL it called, not the one the plugin sees. With ``store`` (the plugin's storage), a V2
    signature's nonce vouches for one event only, and an event already dispatched (the same
    MessageUUID and state, the same CallUUID and event) is not dispatched again, whether the
    webhook is replayed or re-sent by Plivo with a fresh signature: Plivo gets its answer again
    (a caller still hears the greeting), and no workflow starts.
    """
    urls = tuple(candidate_urls(public_url=request.endpoint, query=request.query))
    verified = check_signature(request, urls, auth_token or "", _WHAT)
    if not isinstance(verified, Verified):
        return verified
    form = request.fields()
    answer = _recognise(form, call_greeting)
    if store is None or answer.event is None:
        return answer
    event_id = f"{answer.event}/{_subject(answer.event, form)}"
    scope = StorageScope(hashlib.sha256(f"trigger:{request.endpoint}".encode()).hexdigest()[:16])
    refused = refuse_replay(verified, event_id, store, scope, _WHAT)
    if refused is not None:
        return refused
    try:
        first = DispatchedEvents(store, scope).first_dispatch(
            event_id, secrets.token_hex(OWNER_TOKEN_BYTES)
        )
    except StorageError:
        logger.warning("could not remember a webhook's event: plugin storage failed")
        return retry_later("Storage failed; Plivo retries.")
    if first:
        return answer
    logger.info("signed webhook starts nothing: %s was already dispatched", answer.event)
    return WebhookAnswer(
        answer.status,
        answer.body,
        answer.content_type,
        note="Nothing to start: this event was already dispatched (a repeated delivery).",
    )


def _subject(event: str, form: Mapping[str, list[str]]) -> str:
    """What makes an event the same event: the message and its state, or the call."""
    names: tuple[str, ...] = (
        ("CallUUID",) if event in (EVENT_CALL_RECEIVED, EVENT_CALL_COMPLETED) else ()
    )
    if event == EVENT_MESSAGE_STATUS:
        names = ("MessageUUID", "Status")
    elif event in (EVENT_SMS_RECEIVED, EVENT_WHATSAPP_RECEIVED):
        names = ("MessageUUID",)
    return "/".join((form.get(name) or [""])[0].strip().lower() for name in names)


def _recognise(form: dict[str, list[str]], call_greeting: str) -> WebhookAnswer:
    empty = empty_response()
    if "CallUUID" in form:
        if CallEvent.missing_fields(form):
            return _not_an_event(empty, "a call callback without its caller or called number")
        call = CallEvent.from_params(form)
        if call.plivo_event.lower() == PLIVO_RING_EVENT:
            return _not_an_event(empty, "a ring callback")
        variables = call_variables(call)
        if call.event == EVENT_HANGUP:
            return _event(empty, EVENT_CALL_COMPLETED, variables, call.from_number)
        return _event(
            _greeting_xml(call_greeting), EVENT_CALL_RECEIVED, variables, call.from_number
        )
    if "MessageUUID" in form and "Status" in form:
        if DeliveryReport.missing_fields(form):
            return _not_an_event(empty, "a delivery report without its message UUID or state")
        report = DeliveryReport.from_params(form)
        return _event(empty, EVENT_MESSAGE_STATUS, status_variables(report), report.to_number)
    if "MessageUUID" in form:
        if InboundMessage.missing_fields(form):
            return _not_an_event(empty, "a message without its sender or receiving number")
        message = InboundMessage.from_params(form)
        if message.is_whatsapp:  # a WhatsApp message starts whatsapp_received, never sms_received
            variables = whatsapp_variables(message)
            return _event(empty, EVENT_WHATSAPP_RECEIVED, variables, message.from_number)
        return _event(empty, EVENT_SMS_RECEIVED, sms_variables(message), message.from_number)
    return _not_an_event(empty, "not a Plivo message, delivery report or call")


def _event(body: str, event: str, variables: dict[str, Any], user_id: str) -> WebhookAnswer:
    return WebhookAnswer(
        STATUS_OK, body, XML_CONTENT_TYPE, event=event, payload=variables, user_id=user_id
    )


def _not_an_event(body: str, what: str) -> WebhookAnswer:
    logger.info("signed webhook starts nothing: %s", what)
    return WebhookAnswer(STATUS_OK, body, XML_CONTENT_TYPE, note=f"Nothing to start: {what}.")


def _greeting_xml(sentence: str) -> str:
    """Speak then hang up; a sentence Plivo could not take falls back to just hanging up, so a
    caller is never left with an error."""
    try:
        return speak_and_hangup(sentence[:MAX_CALL_GREETING_CHARS])
    except ValueError:
        return speak_and_hangup("")


__all__ = [
    "AUTH_TOKEN_PROPERTY",
    "CALL_GREETING_PROPERTY",
    "DEFAULT_CALL_GREETING",
    "MAX_CALL_GREETING_CHARS",
    "WebhookAnswer",
    "WebhookRequest",
    "answer_webhook",
    "auth_token_of",
    "call_greeting_of",
]
