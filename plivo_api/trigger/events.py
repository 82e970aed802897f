"""The trigger's events: what each hands a workflow, and whether a node wants it.

A webhook becomes exactly one event (see :mod:`plivo_api.trigger.dispatch`); its workflow
variables are computed once, when the webhook arrives, and travel to every trigger node as the
dispatch payload. Each node then applies its own filters (:mod:`plivo_api.trigger.filters`) to
that payload. The variable names follow the tool plugin's outputs glossary (``from``, ``to``,
``message_uuid``, ``state``, ``error``, ``advice``...), so the same thing has the same name in
both plugins: a message's or a call's state is ``state``, never ``status``. A value that does not
apply (no error, a call not yet ended, a field Plivo left out) is ``None``, never ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..webhooks.payloads import CallEvent, DeliveryReport, InboundMessage
from .filters import PASS, CallFilter, MessageFilter, StateFilter, Verdict, WhatsAppFilter

EVENT_SMS_RECEIVED: Final = "sms_received"
EVENT_WHATSAPP_RECEIVED: Final = "whatsapp_received"
EVENT_MESSAGE_STATUS: Final = "message_status"
EVENT_CALL_RECEIVED: Final = "call_received"
EVENT_CALL_COMPLETED: Final = "call_completed"
EVENT_VOICEMAIL_RECEIVED: Final = "voicemail_received"
EVENT_CALL_INPUT: Final = "call_input"
EVENTS: Final = (
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    EVENT_MESSAGE_STATUS,
    EVENT_CALL_RECEIVED,
    EVENT_CALL_COMPLETED,
    EVENT_VOICEMAIL_RECEIVED,
    EVENT_CALL_INPUT,
)

SMS_VARIABLES: Final = (
    "message_uuid",
    "from",
    "to",
    "text",
    "type",
    "media_urls",
    "units",
    "intent",
)
WHATSAPP_VARIABLES: Final = (
    "message_uuid",
    "from",
    "to",
    "text",
    "content_type",
    "media_urls",
    "button_payload",
)
STATUS_VARIABLES: Final = (
    "message_uuid",
    "state",
    "error_code",
    "error",
    "advice",
    "to",
    "from",
    "units",
    "total_amount",
)
CALL_VARIABLES: Final = (
    "call_uuid",
    "from",
    "to",
    "direction",
    "state",
    "duration",
    "hangup_cause",
)
VOICEMAIL_VARIABLES: Final = (
    "call_uuid",
    "from",
    "to",
    "recording_url",
    "duration",
    "transcript",
)
CALL_INPUT_VARIABLES: Final = ("call_uuid", "from", "to", "digits")
VARIABLES: Final[Mapping[str, tuple[str, ...]]] = {
    EVENT_SMS_RECEIVED: SMS_VARIABLES,
    EVENT_WHATSAPP_RECEIVED: WHATSAPP_VARIABLES,
    EVENT_MESSAGE_STATUS: STATUS_VARIABLES,
    EVENT_CALL_RECEIVED: CALL_VARIABLES,
    EVENT_CALL_COMPLETED: CALL_VARIABLES,
    EVENT_VOICEMAIL_RECEIVED: VOICEMAIL_VARIABLES,
    EVENT_CALL_INPUT: CALL_INPUT_VARIABLES,
}


@dataclass(frozen=True)
class EventResult:
    """What one trigger node gets: the workflow variables, or why the event is not for it."""

    variables: dict[str, Any] = field(default_factory=dict)
    verdict: Verdict = PASS

    @property
    def ignored(self) -> bool:
        return not self.verdict.matched


def sms_variables(message: InboundMessage) -> dict[str, Any]:
    return {
        "message_uuid": message.message_uuid,
        "from": message.from_number,
        "to": message.to_number,
        "text": message.text,
        "type": message.message_type,
        "media_urls": list(message.media_urls),
        "units": message.units,
        "intent": _or_none(message.intent),
    }


def whatsapp_variables(message: InboundMessage) -> dict[str, Any]:
    """``text`` is the message's text, a media caption or a quick-reply button's title;
    ``button_payload`` is None unless a button was pressed."""
    return {
        "message_uuid": message.message_uuid,
        "from": message.from_number,
        "to": message.to_number,
        "text": message.text,
        "content_type": message.content_type,
        "media_urls": list(message.media_urls),
        "button_payload": _or_none(message.button_payload),
    }


def status_variables(report: DeliveryReport) -> dict[str, Any]:
    return {
        "message_uuid": report.message_uuid,
        "state": report.status,
        "error_code": report.error_code,
        "error": report.error,
        "advice": report.advice,
        "to": _or_none(report.to_number),
        "from": _or_none(report.from_number),
        "units": report.units,
        "total_amount": float(report.total_amount) if report.total_amount is not None else None,
    }


def call_variables(call: CallEvent) -> dict[str, Any]:
    return {
        "call_uuid": call.call_uuid,
        "from": call.from_number,
        "to": call.to_number,
        "direction": _or_none(call.direction),
        "state": _or_none(call.call_status),
        "duration": call.duration,
        "hangup_cause": _or_none(call.hangup_cause),
    }


def sms_received(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    variables = _pick(payload, SMS_VARIABLES)
    verdict = MessageFilter.from_parameters(parameters).check(
        from_number=_text(variables["from"]),
        to_number=_text(variables["to"]),
        text=_text(variables["text"]),
    )
    return EventResult(variables, verdict)


def whatsapp_received(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    variables = _pick(payload, WHATSAPP_VARIABLES)
    verdict = WhatsAppFilter.from_parameters(parameters).check(
        from_number=_text(variables["from"]),
        to_number=_text(variables["to"]),
        text=_text(variables["text"]),
        content_type=_text(variables["content_type"]),
    )
    return EventResult(variables, verdict)


def message_status(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    variables = _pick(payload, STATUS_VARIABLES)
    verdict = StateFilter.from_parameters(parameters).check(_text(variables["state"]))
    return EventResult(variables, verdict)


def call_event(
    payload: Mapping[str, Any], parameters: Mapping[str, object] | None = None
) -> EventResult:
    """``call_received`` and ``call_completed``: the caller (``from_numbers``) and, for
    ``call_completed``, how the call ended (``states``). Raises
    :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    return _call_filtered(parameters, payload, CALL_VARIABLES)


def voicemail_received(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    return _call_filtered(parameters, payload, VOICEMAIL_VARIABLES)


def call_input(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    return _call_filtered(parameters, payload, CALL_INPUT_VARIABLES)


def _call_filtered(
    parameters: Mapping[str, object] | None,
    payload: Mapping[str, Any],
    names: tuple[str, ...],
) -> EventResult:
    variables = _pick(payload, names)
    verdict = CallFilter.from_parameters(parameters or {}).check(
        from_number=_text(variables["from"]), state=_text(variables.get("state"))
    )
    return EventResult(variables, verdict)


def _pick(source: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Exactly the declared variables, in order; one missing from ``source`` is ``None``."""
    return {name: source.get(name) for name in names}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _or_none(value: str) -> str | None:
    return value or None


__all__ = [
    "CALL_INPUT_VARIABLES",
    "CALL_VARIABLES",
    "EVENTS",
    "EVENT_CALL_COMPLETED",
    "EVENT_CALL_INPUT",
    "EVENT_CALL_RECEIVED",
    "EVENT_MESSAGE_STATUS",
    "EVENT_SMS_RECEIVED",
    "EVENT_VOICEMAIL_RECEIVED",
    "EVENT_WHATSAPP_RECEIVED",
    "SMS_VARIABLES",
    "STATUS_VARIABLES",
    "VARIABLES",
    "VOICEMAIL_VARIABLES",
    "WHATSAPP_VARIABLES",
    "EventResult",
    "call_event",
    "call_input",
    "call_variables",
    "message_status",
    "sms_received",
    "sms_variables",
    "status_variables",
    "voicemail_received",
    "whatsapp_received",
    "whatsapp_variables",
]
