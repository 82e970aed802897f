"""What Plivo sends to a webhook, parsed once into typed records.

Three callbacks matter to the plugin:

- an inbound SMS, MMS or WhatsApp message on a number's ``message_url``
  (https://www.plivo.com/docs/messaging/api/message/handling-incoming): :class:`InboundMessage`;
- a delivery report on the ``url`` given when sending
  (https://www.plivo.com/docs/messaging/api/message/send-a-message): :class:`DeliveryReport`;
- a call's ``answer_url`` and ``hangup_url`` (https://www.plivo.com/docs/voice/xml/request):
  :class:`CallEvent`.

Plivo posts form fields (or a query string for GET). Parsing is defensive because the request may
come from anyone until its signature is checked, and Plivo leaves fields out depending on the
number type: nothing here raises for odd input. A missing text field becomes ``""`` (so workflow
variables always exist), a missing or unreadable number becomes ``None``. Phone numbers, which
Plivo sends as digits with the country code but no ``+``, are shown in E.164 (``+14155550100``)
so they match what the send tool reports; short codes, SIP URIs and alphanumeric senders are left
as they are.

The opt-out helpers follow Plivo's keyword lists
(https://www.plivo.com/docs/messaging/concepts/dnd-service): a message opts out, opts in or asks
for help only when the *whole* message is the keyword (``"STOP"``, ``"stop!"``), never when a
sentence merely contains it (``"Stop it!"``, ``"Cancel my appointment"``), which Plivo's page lists
as not an opt-out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final, Literal

from ..errors import InputError
from ..messaging.digits import display_number
from ..messaging.error_codes import describe_error_code, normalize_error_code
from ..params import http_url
from .signature import FormParams, form_lists

Intent = Literal["optout", "optin", "help", ""]
INTENT_OPTOUT: Final = "optout"
INTENT_OPTIN: Final = "optin"
INTENT_HELP: Final = "help"
INTENT_NONE: Final = ""
INTENTS: Final = frozenset({INTENT_OPTOUT, INTENT_OPTIN, INTENT_HELP})

IntentSource = Literal["plivo", "keyword", ""]
"""Who decided ``intent``: Plivo's ``MessageIntent``, the keyword lists here, or nobody."""

OPT_OUT_KEYWORDS: Final = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT"}
)
OPT_IN_KEYWORDS: Final = frozenset({"START", "UNSTOP", "YES", "RESUME", "RESUME ALL", "GO"})
HELP_KEYWORDS: Final = frozenset({"HELP", "INFO"})
MAX_KEYWORD_CHARS: Final = 40
"""A longer message is a sentence, not a keyword; the bound also keeps classification cheap."""

EVENT_ANSWER: Final = "answer"
EVENT_HANGUP: Final = "hangup"
CallEventKind = Literal["answer", "hangup"]
HANGUP_STATUSES: Final = frozenset(
    {"completed", "busy", "failed", "timeout", "no-answer", "cancel", "canceled", "cancelled"}
)
"""Call states Plivo reports only once a call has ended (``CallStatus`` on the hangup URL)."""

MESSAGE_TYPE_SMS: Final = "sms"
MESSAGE_TYPE_WHATSAPP: Final = "whatsapp"

CONTENT_TEXT: Final = "text"
CONTENT_MEDIA: Final = "media"
CONTENT_BUTTON: Final = "button"
CONTENT_UNKNOWN: Final = "unknown"
WHATSAPP_CONTENT_TYPES: Final = (CONTENT_TEXT, CONTENT_MEDIA, CONTENT_BUTTON, CONTENT_UNKNOWN)
"""Plivo's ``ContentType`` values of an inbound WhatsApp message; any other value is read as
``unknown`` (a kind of message Plivo added later, a location, a sticker)."""
# Plivo documents ContentType, Body and MimeType for inbound WhatsApp, but not the names of the
# media-URL and button-payload fields: media is read like MMS media (Media0.., MediaUrl0..), the
# payload from ButtonPayload (or Payload), a button's title from Body (or ButtonText).
_BUTTON_PAYLOAD_FIELDS: Final = ("ButtonPayload", "Payload")
_BUTTON_TITLE_FIELDS: Final = ("Body", "ButtonText")
MAX_MEDIA_URLS: Final = 10
"""Plivo delivers at most 10 media files in one MMS; more fields than that are not Plivo's."""

MAX_NUMERIC_CHARS: Final = 32
"""Longer text in a count or amount field is not Plivo's; it is read as missing."""

# Plivo's docs number media fields Media1..N; its support pages show Media0; some integrations
# use MediaUrl0..N. All are read, in index order.
_MEDIA_FIELD = re.compile(r"Media(?:Url)?(\d{1,3})")
_KEYWORD_TRIM = " \t\r\n\f\v.,;:!?¡¿\"'`()[]{}<>*~_-“”‘’«»。！？，"
_SPACES = re.compile(r"\s+")


def classify_keyword(text: str | None) -> Intent:
    """``optout``, ``optin`` or ``help`` when the whole message is one of Plivo's keywords.

    Case, surrounding whitespace and punctuation, full-width letters and the space inside
    ``STOP ALL`` do not matter; anything else in the message means no keyword (``""``).
    """
    if not text or len(text) > MAX_KEYWORD_CHARS:
        return INTENT_NONE
    folded = unicodedata.normalize("NFKC", text).strip(_KEYWORD_TRIM)
    word = _SPACES.sub(" ", folded).upper()
    if word in OPT_OUT_KEYWORDS:
        return INTENT_OPTOUT
    if word in OPT_IN_KEYWORDS:
        return INTENT_OPTIN
    if word in HELP_KEYWORDS:
        return INTENT_HELP
    return INTENT_NONE


def resolve_intent(plivo_intent: str | None, text: str | None) -> tuple[Intent, IntentSource]:
    """The message's intent and who decided it.

    Plivo's ``MessageIntent`` wins whenever it names an intent: Plivo's own opt-out list is what
    blocks later sends (error 200). Plivo leaves it blank for number types it does not classify
    and for messages it does not recognise; then the keyword lists decide, so an ``UNSUBSCRIBE``
    is still honoured.
    """
    plivo = (plivo_intent or "").strip().lower()
    if plivo == INTENT_OPTOUT:
        return INTENT_OPTOUT, "plivo"
    if plivo == INTENT_OPTIN:
        return INTENT_OPTIN, "plivo"
    if plivo == INTENT_HELP:
        return INTENT_HELP, "plivo"
    keyword = classify_keyword(text)
    return keyword, ("keyword" if keyword else "")


def _shown_number(value: str) -> str:
    """:func:`digits.display_number` for a form field: a missing number is ``""``, not ``None``,
    so every webhook field is a string a workflow variable can hold."""
    return display_number(value) or ""


@dataclass(frozen=True)
class InboundMessage:
    """An SMS, MMS or WhatsApp message received on a Plivo number.

    ``text`` is ``Text`` (SMS; Plivo joins the parts of a long message) or ``Body`` (MMS and
    WhatsApp: the text, a media caption or a quick-reply button's title; a button press without
    a title reads as its payload, so the app still gets what was chosen). ``intent`` is what
    :func:`resolve_intent` decides, so a bot can stay silent on an opt-out and answer ``help``
    with its own text. ``content_type`` (``text``, ``media``, ``button`` or ``unknown``),
    ``mime_type`` and ``button_payload`` exist for WhatsApp only and are ``""`` otherwise; a
    WhatsApp message without ``ContentType`` gets the type its fields show.
    """

    message_uuid: str
    from_number: str
    to_number: str
    text: str
    message_type: str
    media_urls: tuple[str, ...]
    units: int | None
    total_amount: Decimal | None
    total_rate: Decimal | None
    intent: Intent
    intent_source: IntentSource
    powerpack_uuid: str
    content_type: str = ""
    mime_type: str = ""
    button_payload: str = ""

    REQUIRED: ClassVar[tuple[str, ...]] = ("MessageUUID", "From", "To")

    @classmethod
    def from_params(cls, params: FormParams | None) -> InboundMessage:
        form = _Form(params)
        text = form.raw("Text") or form.raw("Body")
        message_type = form.text("Type").lower() or MESSAGE_TYPE_SMS
        media_urls = form.media_urls()
        content_type = mime_type = button_payload = ""
        if message_type == MESSAGE_TYPE_WHATSAPP:
            payload = form.first_of(_BUTTON_PAYLOAD_FIELDS)
            content_type = _content_type(form.text("ContentType"), text, media_urls, payload)
            mime_type = form.text("MimeType").lower()
            if content_type == CONTENT_BUTTON:
                button_payload = payload
                text = form.first_of(_BUTTON_TITLE_FIELDS, raw=True) or payload
        intent, source = resolve_intent(form.text("MessageIntent"), text)
        return cls(
            message_uuid=form.text("MessageUUID"),
            from_number=_shown_number(form.text("From")),
            to_number=_shown_number(form.text("To")),
            text=text,
            message_type=message_type,
            media_urls=media_urls,
            units=_int(form.text("Units")),
            total_amount=_decimal(form.text("TotalAmount")),
            total_rate=_decimal(form.text("TotalRate")),
            intent=intent,
            intent_source=source,
            powerpack_uuid=form.text("PowerpackUUID"),
            content_type=content_type,
            mime_type=mime_type,
            button_payload=button_payload,
        )

    @property
    def is_whatsapp(self) -> bool:
        return self.message_type == MESSAGE_TYPE_WHATSAPP

    @staticmethod
    def missing_fields(params: FormParams | None) -> tuple[str, ...]:
        """Plivo fields every inbound message has that ``params`` lacks (empty: looks complete)."""
        return _Form(params).missing(InboundMessage.REQUIRED)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: every key always present, amounts as numbers."""
        return {
            "message_uuid": self.message_uuid,
            "from": self.from_number,
            "to": self.to_number,
            "text": self.text,
            "type": self.message_type,
            "media_urls": list(self.media_urls),
            "units": self.units,
            "total_amount": _number(self.total_amount),
            "total_rate": _number(self.total_rate),
            "intent": self.intent,
            "intent_source": self.intent_source,
            "powerpack_uuid": self.powerpack_uuid,
            "content_type": self.content_type,
            "mime_type": self.mime_type,
            "button_payload": self.button_payload,
        }


def _content_type(declared: str, text: str, media_urls: tuple[str, ...], payload: str) -> str:
    """Plivo's ``ContentType`` when it sends one (``unknown`` for a value it does not list),
    else what the fields show."""
    if declared:
        value = declared.lower()
        return value if value in WHATSAPP_CONTENT_TYPES else CONTENT_UNKNOWN
    if payload:
        return CONTENT_BUTTON
    if media_urls:
        return CONTENT_MEDIA
    return CONTENT_TEXT if text.strip() else CONTENT_UNKNOWN


@dataclass(frozen=True)
class DeliveryReport:
    """One status change of a sent message (Plivo calls the send's ``url`` once per change).

    ``error_code`` is normalised (``"000"`` means no error and becomes ``None``); ``error``,
    ``advice`` and ``retryable`` explain it in words so a workflow can branch without a table.
    """

    message_uuid: str
    status: str
    error_code: str | None
    error: str | None
    advice: str | None
    retryable: bool | None
    from_number: str
    to_number: str
    message_type: str
    units: int | None
    total_amount: Decimal | None
    total_rate: Decimal | None
    parent_message_uuid: str

    REQUIRED: ClassVar[tuple[str, ...]] = ("MessageUUID", "Status")

    @classmethod
    def from_params(cls, params: FormParams | None) -> DeliveryReport:
        form = _Form(params)
        raw_code = form.text("ErrorCode")
        info = describe_error_code(raw_code)
        return cls(
            message_uuid=form.text("MessageUUID"),
            status=form.text("Status").lower(),
            error_code=normalize_error_code(raw_code),
            error=info.meaning if info else None,
            advice=info.advice if info else None,
            retryable=info.retryable if info else None,
            from_number=_shown_number(form.text("From")),
            to_number=_shown_number(form.text("To")),
            message_type=form.text("Type").lower() or MESSAGE_TYPE_SMS,
            units=_int(form.text("Units")),
            total_amount=_decimal(form.text("TotalAmount")),
            total_rate=_decimal(form.text("TotalRate")),
            parent_message_uuid=form.text("ParentMessageUUID"),
        )

    @staticmethod
    def missing_fields(params: FormParams | None) -> tuple[str, ...]:
        """Plivo fields every delivery report has that ``params`` lacks."""
        return _Form(params).missing(DeliveryReport.REQUIRED)

    def to_dict(self) -> dict[str, object]:
        return {
            "message_uuid": self.message_uuid,
            "status": self.status,
            "error_code": self.error_code,
            "error": self.error,
            "advice": self.advice,
            "retryable": self.retryable,
            "from": self.from_number,
            "to": self.to_number,
            "type": self.message_type,
            "units": self.units,
            "total_amount": _number(self.total_amount),
            "total_rate": _number(self.total_rate),
            "parent_message_uuid": self.parent_message_uuid,
        }


@dataclass(frozen=True)
class CallEvent:
    """A call's answer or hangup callback.

    ``event`` is ``hangup`` when Plivo says so (``Event=Hangup``), reports a hangup cause, or a
    ``CallStatus`` that only exists after a call ended; otherwise ``answer``. ``plivo_event``
    keeps Plivo's own ``Event`` value (``StartApp``, ``Hangup``, ``Redirect``...).
    ``hangup_cause`` prefers the readable ``HangupCauseName`` over ``HangupCause``.
    """

    call_uuid: str
    from_number: str
    to_number: str
    direction: str
    call_status: str
    event: CallEventKind
    plivo_event: str
    duration: int | None
    bill_duration: int | None
    hangup_cause: str
    hangup_cause_code: str
    hangup_source: str
    forwarded_from: str

    REQUIRED: ClassVar[tuple[str, ...]] = ("CallUUID", "From", "To")

    @classmethod
    def from_params(cls, params: FormParams | None) -> CallEvent:
        form = _Form(params)
        status = form.text("CallStatus").lower()
        plivo_event = form.text("Event")
        cause = form.text("HangupCauseName") or form.text("HangupCause")
        ended = plivo_event.lower() == EVENT_HANGUP or bool(cause) or status in HANGUP_STATUSES
        return cls(
            call_uuid=form.text("CallUUID"),
            from_number=_shown_number(form.text("From")),
            to_number=_shown_number(form.text("To")),
            direction=form.text("Direction").lower(),
            call_status=status,
            event=EVENT_HANGUP if ended else EVENT_ANSWER,
            plivo_event=plivo_event,
            duration=_int(form.text("Duration")),
            bill_duration=_int(form.text("BillDuration")),
            hangup_cause=cause,
            hangup_cause_code=form.text("HangupCauseCode"),
            hangup_source=form.text("HangupSource"),
            forwarded_from=_shown_number(form.text("ForwardedFrom")),
        )

    @staticmethod
    def missing_fields(params: FormParams | None) -> tuple[str, ...]:
        """Plivo fields every call callback has that ``params`` lacks."""
        return _Form(params).missing(CallEvent.REQUIRED)

    def to_dict(self) -> dict[str, object]:
        return {
            "call_uuid": self.call_uuid,
            "from": self.from_number,
            "to": self.to_number,
            "direction": self.direction,
            "call_status": self.call_status,
            "event": self.event,
            "plivo_event": self.plivo_event,
            "duration": self.duration,
            "bill_duration": self.bill_duration,
            "hangup_cause": self.hangup_cause,
            "hangup_cause_code": self.hangup_cause_code,
            "hangup_source": self.hangup_source,
            "forwarded_from": self.forwarded_from,
        }


class _Form:
    """First values of a form, by exact Plivo field name."""

    def __init__(self, params: FormParams | None) -> None:
        self._values = form_lists(params)

    def raw(self, key: str) -> str:
        values = self._values.get(key)
        return values[0] if values else ""

    def text(self, key: str) -> str:
        return self.raw(key).strip()

    def first_of(self, keys: tuple[str, ...], *, raw: bool = False) -> str:
        """The first of ``keys`` that has a non-blank value (stripped unless ``raw``)."""
        for key in keys:
            value = self.raw(key)
            if value.strip():
                return value if raw else value.strip()
        return ""

    def missing(self, required: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(key for key in required if not self.text(key))

    def media_urls(self) -> tuple[str, ...]:
        indexed: list[tuple[int, int, str]] = []
        for key, values in self._values.items():
            match = _MEDIA_FIELD.fullmatch(key)
            if match is None or not values:
                continue
            try:  # the reader tools use for media URLs: absolute http(s), nothing else
                url = http_url(values[0].strip(), key)
            except InputError:
                continue
            indexed.append((int(match.group(1)), 0 if key.startswith("MediaUrl") else 1, url))
        urls: list[str] = []
        for _, _, url in sorted(indexed):
            if url not in urls:
                urls.append(url)
        return tuple(urls[:MAX_MEDIA_URLS])


def _int(text: str) -> int | None:
    if not text or len(text) > MAX_NUMERIC_CHARS:
        return None
    if text.isascii() and text.lstrip("-").isdigit():
        return int(text)
    number = _decimal(text)
    return int(number) if number is not None and number == number.to_integral_value() else None


def _decimal(text: str) -> Decimal | None:
    if not text or len(text) > MAX_NUMERIC_CHARS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None  # NaN/Infinity are not valid JSON


def _number(value: Decimal | None) -> float | None:
    """Amounts as JSON numbers; Plivo quotes them to 5 decimal places, which a float keeps."""
    return float(value) if value is not None else None


__all__ = [
    "CONTENT_BUTTON",
    "CONTENT_MEDIA",
    "CONTENT_TEXT",
    "CONTENT_UNKNOWN",
    "EVENT_ANSWER",
    "EVENT_HANGUP",
    "HANGUP_STATUSES",
    "HELP_KEYWORDS",
    "INTENTS",
    "INTENT_HELP",
    "INTENT_NONE",
    "INTENT_OPTIN",
    "INTENT_OPTOUT",
    "MAX_MEDIA_URLS",
    "MESSAGE_TYPE_SMS",
    "MESSAGE_TYPE_WHATSAPP",
    "OPT_IN_KEYWORDS",
    "OPT_OUT_KEYWORDS",
    "WHATSAPP_CONTENT_TYPES",
    "CallEvent",
    "CallEventKind",
    "DeliveryReport",
    "InboundMessage",
    "Intent",
    "IntentSource",
    "classify_keyword",
    "display_number",
    "resolve_intent",
]
