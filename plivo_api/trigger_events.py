"""The trigger's four events: what each hands a workflow, and whether a node wants it.

A webhook becomes exactly one event (see :mod:`plivo_api.trigger_dispatch`); its workflow
variables are computed once, when the webhook arrives, and travel to every trigger node as the
dispatch payload. Each node then applies its own filters (:mod:`plivo_api.trigger_filters`) to
that payload. The variable names follow the tool plugin's outputs glossary (``from``, ``to``,
``message_uuid``, ``error``, ``advice``...), so the same thing has the same name in both plugins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .trigger_filters import PASS, MessageFilter, StatusFilter, Verdict
from .webhooks import CallEvent, DeliveryReport, InboundMessage

EVENT_SMS_RECEIVED: Final = "sms_received"
EVENT_MESSAGE_STATUS: Final = "message_status"
EVENT_CALL_RECEIVED: Final = "call_received"
EVENT_CALL_COMPLETED: Final = "call_completed"
EVENTS: Final = (
    EVENT_SMS_RECEIVED,
    EVENT_MESSAGE_STATUS,
    EVENT_CALL_RECEIVED,
    EVENT_CALL_COMPLETED,
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
STATUS_VARIABLES: Final = (
    "message_uuid",
    "status",
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
    "call_status",
    "duration",
    "hangup_cause",
)
VARIABLES: Final[Mapping[str, tuple[str, ...]]] = {
    EVENT_SMS_RECEIVED: SMS_VARIABLES,
    EVENT_MESSAGE_STATUS: STATUS_VARIABLES,
    EVENT_CALL_RECEIVED: CALL_VARIABLES,
    EVENT_CALL_COMPLETED: CALL_VARIABLES,
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
    return _pick(message.to_dict(), SMS_VARIABLES)


def status_variables(report: DeliveryReport) -> dict[str, Any]:
    return _pick(report.to_dict(), STATUS_VARIABLES)


def call_variables(call: CallEvent) -> dict[str, Any]:
    return _pick(call.to_dict(), CALL_VARIABLES)


def sms_received(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    variables = _pick(payload, SMS_VARIABLES)
    verdict = MessageFilter.from_parameters(parameters).check(
        from_number=_text(variables["from"]),
        to_number=_text(variables["to"]),
        text=_text(variables["text"]),
    )
    return EventResult(variables, verdict)


def message_status(parameters: Mapping[str, object], payload: Mapping[str, Any]) -> EventResult:
    """Raises :class:`~plivo_api.errors.InputError` for a filter that cannot work."""
    variables = _pick(payload, STATUS_VARIABLES)
    verdict = StatusFilter.from_parameters(parameters).check(_text(variables["status"]))
    return EventResult(variables, verdict)


def call_event(payload: Mapping[str, Any]) -> EventResult:
    """``call_received`` and ``call_completed`` have no filters."""
    return EventResult(_pick(payload, CALL_VARIABLES))


def _pick(source: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Exactly the declared variables, in order; one missing from ``source`` is ``None``."""
    return {name: source.get(name) for name in names}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


__all__ = [
    "CALL_VARIABLES",
    "EVENTS",
    "EVENT_CALL_COMPLETED",
    "EVENT_CALL_RECEIVED",
    "EVENT_MESSAGE_STATUS",
    "EVENT_SMS_RECEIVED",
    "SMS_VARIABLES",
    "STATUS_VARIABLES",
    "VARIABLES",
    "EventResult",
    "call_event",
    "call_variables",
    "message_status",
    "sms_received",
    "sms_variables",
    "status_variables",
]
