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
- an incoming call gets the Plivo XML of the subscription's call answer (a sentence and a
  hangup, a forward, a voicemail or a menu: :mod:`plivo_api.trigger.call_answers`;
  https://www.plivo.com/docs/voice/xml/response), its hangup callback an empty response; what
  Plivo posts back from the answer (keys, a recording, a transcription) carries a ``step`` in
  the query and is answered by :mod:`plivo_api.trigger.call_steps`.

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
from ..webhooks.xml import XML_CONTENT_TYPE, empty_response
from .call_answers import (
    CALL_GREETING_PROPERTY,
    DEFAULT_CALL_GREETING,
    MAX_CALL_GREETING_CHARS,
    STEP_INPUT,
    STEP_RECORDED,
    STEP_RECORDING,
    CallAnswer,
    call_greeting_of,
)
from .call_steps import (
    MISSING,
    CallIdentity,
    Recording,
    VoicemailHalves,
    input_variables,
    step_of,
    transcript_of,
    voicemail_variables,
    waits_for_transcription,
)
from .events import (
    EVENT_CALL_COMPLETED,
    EVENT_CALL_INPUT,
    EVENT_CALL_RECEIVED,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
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
STATUS_OK: Final = 200
OWNER_TOKEN_BYTES: Final = 8
PLIVO_RING_EVENT: Final = "ring"
"""``Event=Ring`` comes from a call's ring URL; the subscription never sets one, and a ring is
not an answered call."""
_WHAT: Final = "trigger webhook"


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
    call_greeting: str = DEFAULT_CALL_GREETING,
    store: KeyValueStore | None = None,
    call_answer: CallAnswer | None = None,
) -> WebhookAnswer:
    """Check the signature, recognise the event, and say what Plivo gets back.

    ``request.endpoint`` is the URL Plivo was given (the subscription's endpoint): Plivo signs
    the URL it called, not the one the plugin sees. With ``store`` (the plugin's storage), a V2
    signature's nonce vouches for one event only, and an event already dispatched (the same
    MessageUUID and state, the same CallUUID and event) is not dispatched again, whether the
    webhook is replayed or re-sent by Plivo with a fresh signature: Plivo gets its answer again
    (a caller still hears the greeting), and no workflow starts.

    ``call_answer`` is what callers hear (default: ``call_greeting``, then a hangup).
    """
    urls = tuple(candidate_urls(public_url=request.endpoint, query=request.query))
    verified = check_signature(request, urls, auth_token or "", _WHAT)
    if not isinstance(verified, Verified):
        return verified
    form = request.fields()
    scope = StorageScope(hashlib.sha256(f"trigger:{request.endpoint}".encode()).hexdigest()[:16])
    calls = call_answer or CallAnswer(closing=call_greeting)
    step = step_of(request.query)
    if step is None:
        answer = _recognise(form, calls, request.endpoint)
    else:
        answer = _answer_step(step, form, request.query, calls, store, scope)
    if store is None or answer.event is None:
        return answer
    event_id = f"{answer.event}/{_subject(answer, form)}"
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


def _subject(answer: WebhookAnswer, form: Mapping[str, list[str]]) -> str:
    """What makes an event the same event: the message and its state, or the call."""
    event = answer.event
    if event in (EVENT_VOICEMAIL_RECEIVED, EVENT_CALL_INPUT):
        return str(answer.payload.get("call_uuid") or "").lower()
    names: tuple[str, ...] = (
        ("CallUUID",) if event in (EVENT_CALL_RECEIVED, EVENT_CALL_COMPLETED) else ()
    )
    if event == EVENT_MESSAGE_STATUS:
        names = ("MessageUUID", "Status")
    elif event in (EVENT_SMS_RECEIVED, EVENT_WHATSAPP_RECEIVED):
        names = ("MessageUUID",)
    return "/".join((form.get(name) or [""])[0].strip().lower() for name in names)


def _recognise(form: dict[str, list[str]], calls: CallAnswer, endpoint: str) -> WebhookAnswer:
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
        xml = calls.answer_xml(
            endpoint,
            call_uuid=call.call_uuid,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        return _event(xml, EVENT_CALL_RECEIVED, variables, call.from_number)
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


def _answer_step(
    step: str,
    form: dict[str, list[str]],
    query: str,
    calls: CallAnswer,
    store: KeyValueStore | None,
    scope: StorageScope,
) -> WebhookAnswer:
    """What Plivo posted back from a call answer: the caller's keys, or the voicemail."""
    identity = CallIdentity.of(form, query)
    if step in (STEP_INPUT, STEP_RECORDED):
        closing = calls.closing_xml()
        if step == STEP_RECORDED:
            return _not_an_event(closing, "the end of a voicemail (its recording comes apart)")
        variables = input_variables(identity, form)
        if variables is None or not identity.complete:
            return _not_an_event(closing, "a menu answered without keys")
        return _event(closing, EVENT_CALL_INPUT, variables, identity.from_number)
    empty = empty_response()
    if not step or not identity.complete:
        return _not_an_event(empty, "a call step without its call, caller or called number")
    try:
        if step == STEP_RECORDING:
            recording = Recording.of(form)
            if recording is None:
                return _not_an_event(empty, "a recording callback without a recording URL")
            transcript: str | None = None
            if waits_for_transcription(query) and store is not None:
                waited = VoicemailHalves(store, scope).add_recording(identity.call_uuid, recording)
                if waited is MISSING:
                    return _not_an_event(empty, "a voicemail waiting for its transcription")
                transcript = waited if isinstance(waited, str) else None
        else:
            transcript = transcript_of(form)
            if store is None:
                return _not_an_event(empty, "a transcription with no storage to join it")
            found = VoicemailHalves(store, scope).add_transcript(identity.call_uuid, transcript)
            if found is None:
                return _not_an_event(empty, "a transcription waiting for its recording")
            recording = found
    except StorageError:
        logger.warning("could not keep half of a voicemail: plugin storage failed")
        return retry_later("Storage failed; Plivo retries.")
    variables = voicemail_variables(identity, recording, transcript)
    return _event(empty, EVENT_VOICEMAIL_RECEIVED, variables, identity.from_number)


__all__ = [
    "AUTH_TOKEN_PROPERTY",
    "CALL_GREETING_PROPERTY",
    "DEFAULT_CALL_GREETING",
    "MAX_CALL_GREETING_CHARS",
    "CallAnswer",
    "WebhookAnswer",
    "WebhookRequest",
    "answer_webhook",
    "auth_token_of",
    "call_greeting_of",
]
