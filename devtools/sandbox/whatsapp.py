"""WhatsApp as the sandbox serves it: the account's WhatsApp Business numbers, its templates, and
the 24-hour customer-service window.

What Plivo documents (https://www.plivo.com/docs/messaging/api/message/send-a-message,
https://plivo.com/docs/messaging/api/whatsapp-templates): a WhatsApp send is ``POST /Message/``
with ``type: "whatsapp"``, ``src`` the WhatsApp Business number linked to the account, and one of
``text`` (optionally with ``media_urls``), ``template`` or ``interactive``; templates live under
``/WhatsApp/Template/{waba_id}/`` with a ``status`` of PENDING, APPROVED, REJECTED, PAUSED or
DISABLED. WhatsApp's rule: free-form messages (text, media, interactive) only reach a customer who
wrote to that business number in the last 24 hours; templates may always be sent.

Where Plivo's docs are silent the sandbox decides (the texts are Plivo-like, not Plivo's):

- a free-form send to a customer whose window is closed, a sender that is not a WhatsApp number
  of the account, and a template that is unknown or not APPROVED are refused at once with HTTP
  400 and an ``error`` text; nothing is stored;
- a template's body parameters must match its placeholders (``{{1}}``… in order, or named
  ``{{first_name}}`` given with ``parameter_name``);
- a delivered WhatsApp message becomes ``read`` one timeline step later
  (``messages.Timeline.read_after``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from devtools.sandbox.accounts import DEMO_AUTH_ID
from devtools.sandbox.answers import Rejected
from devtools.sandbox.directory import DEMO_NUMBER
from devtools.sandbox.messages import StoredMessage

WINDOW_SECONDS = 24 * 3600
MAX_TEXT = 4096
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
TEMPLATE_STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED")
DEMO_WABA_ID = "104738225999531"
DEMO_WHATSAPP_NUMBER = DEMO_NUMBER
WINDOW_CLOSED_ERROR = (
    "free-form WhatsApp messages can only be sent within 24 hours of the customer's last "
    "message (the customer service window is closed for {numbers}); send an approved template "
    "instead"
)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class WhatsAppTemplate:
    template_id: str
    name: str
    language: str
    category: str
    status: str
    body: str
    rejected_reason: str = ""

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The body's placeholders in order of first appearance: ``("1", "2")`` or names."""
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.body)))

    def render(self, values: Mapping[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.body)

    def to_json(self) -> dict[str, object]:
        """A template object of ``GET /WhatsApp/Template/{waba_id}/``."""
        return {
            "template_id": self.template_id,
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "status": self.status,
            "quality_score": {"score": "GREEN" if self.status == "APPROVED" else "UNKNOWN"},
            "rejected_reason": self.rejected_reason or None,
            "components": [{"type": "BODY", "text": self.body}],
        }


DEMO_TEMPLATES: tuple[WhatsAppTemplate, ...] = (
    WhatsAppTemplate(
        "1290448071635210",
        "order_shipped",
        "en",
        "UTILITY",
        "APPROVED",
        "Hi {{1}}, your order {{2}} is on its way.",
    ),
    WhatsAppTemplate(
        "1290448071635211",
        "order_shipped",
        "pt_BR",
        "UTILITY",
        "APPROVED",
        "Oi {{1}}, seu pedido {{2}} está a caminho.",
    ),
    WhatsAppTemplate(
        "1290448071635212",
        "appointment_reminder",
        "en",
        "UTILITY",
        "APPROVED",
        "Hello {{first_name}}, see you on {{date}}. Reply to this message to reschedule.",
    ),
    WhatsAppTemplate(
        "1290448071635213",
        "spring_sale",
        "en",
        "MARKETING",
        "PENDING",
        "Spring sale: {{1}} off everything until Sunday.",
    ),
    WhatsAppTemplate(
        "1290448071635214",
        "win_back",
        "en",
        "MARKETING",
        "REJECTED",
        "We miss you! Come back for {{1}}.",
        rejected_reason="INVALID_FORMAT",
    ),
)


class WhatsAppBook:
    """Each account's WhatsApp Business numbers and WABAs, and each WABA's templates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._senders: dict[str, set[str]] = {DEMO_AUTH_ID: {DEMO_WHATSAPP_NUMBER}}
            self._wabas: dict[str, str] = {DEMO_WABA_ID: DEMO_AUTH_ID}
            self._templates: dict[str, list[WhatsAppTemplate]] = {
                DEMO_WABA_ID: list(DEMO_TEMPLATES)
            }

    def add_sender(self, account: str, number: str) -> None:
        with self._lock:
            self._senders.setdefault(account, set()).add(number)

    def is_sender(self, account: str, number: str) -> bool:
        with self._lock:
            return number in self._senders.get(account, set())

    def add_template(self, account: str, waba_id: str, template: WhatsAppTemplate) -> None:
        with self._lock:
            self._wabas[waba_id] = account
            self._templates.setdefault(waba_id, []).append(template)

    def templates(self, account: str, waba_id: str) -> list[WhatsAppTemplate] | None:
        """The WABA's templates; None when it is not a WABA of ``account``."""
        with self._lock:
            if self._wabas.get(waba_id) != account:
                return None
            return list(self._templates.get(waba_id, []))

    def find(self, account: str, name: str, language: str) -> WhatsAppTemplate | None:
        with self._lock:
            for waba_id, owner in self._wabas.items():
                if owner != account:
                    continue
                for template in self._templates.get(waba_id, []):
                    if template.name == name and template.language == language:
                        return template
        return None


def _bad(error: str) -> Rejected:
    return Rejected(400, error)


def window_open(
    messages: Iterable[StoredMessage], account: str, business: str, customer: str, now: float
) -> bool:
    """Whether ``customer`` sent a WhatsApp message to ``business`` in the last 24 hours."""
    return any(
        m.account == account
        and m.direction == "inbound"
        and m.message_type == "whatsapp"
        and m.from_number == customer
        and m.to_number == business
        and now - WINDOW_SECONDS <= m.created <= now
        for m in messages
    )


def template_values(template: WhatsAppTemplate, payload: Mapping[str, object]) -> dict[str, str]:
    """The body parameters of a ``template`` send, by placeholder; a 400 when they do not fit."""
    parameters: list[object] = []
    components = payload.get("components") or []
    if not isinstance(components, list):
        raise _bad("template.components must be a list")
    for component in components:
        if isinstance(component, Mapping) and str(component.get("type", "")).lower() == "body":
            found = component.get("parameters") or []
            if not isinstance(found, list):
                raise _bad("template body parameters must be a list")
            parameters.extend(found)
    wanted = template.placeholders
    if len(parameters) != len(wanted):
        raise _bad(
            f"template {template.name} ({template.language}) expects {len(wanted)} body "
            f"parameters, got {len(parameters)}"
        )
    values: dict[str, str] = {}
    for position, (placeholder, parameter) in enumerate(zip(wanted, parameters, strict=True), 1):
        if not isinstance(parameter, Mapping) or not isinstance(parameter.get("text"), str):
            raise _bad(f"template body parameter {position} needs a type text and a text")
        name = parameter.get("parameter_name")
        if not placeholder.isdigit() and name != placeholder:
            raise _bad(
                f"template {template.name} has a named placeholder {{{{{placeholder}}}}}: "
                "give parameter_name for each body parameter"
            )
        values[placeholder] = str(parameter["text"])
    return values


def check_interactive(payload: object) -> str:
    """A reply-button message: its body text (a 400 unless 1-3 buttons of at most 20 chars)."""
    if not isinstance(payload, Mapping) or payload.get("type") != "button":
        raise _bad("interactive must be an object; the sandbox serves type button")
    body = payload.get("body")
    text = body.get("text") if isinstance(body, Mapping) else None
    if not isinstance(text, str) or not text:
        raise _bad("interactive.body.text is required")
    action = payload.get("action")
    buttons = action.get("buttons") if isinstance(action, Mapping) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise _bad(f"interactive.action.buttons must hold 1 to {MAX_BUTTONS} buttons")
    for button in buttons:
        title = button.get("title") if isinstance(button, Mapping) else None
        if not isinstance(title, str) or not title or len(title) > MAX_BUTTON_TITLE:
            raise _bad(f"a button title must be 1 to {MAX_BUTTON_TITLE} characters")
    return text


def whatsapp_content(
    book: WhatsAppBook,
    account: str,
    src: str,
    destinations: Sequence[str],
    params: Mapping[str, object],
    messages: Iterable[StoredMessage],
    now: float,
) -> tuple[str, dict[str, object]]:
    """(text to store, options to store) of a WhatsApp send, or a 400 saying why Plivo refuses.

    ``messages`` are all stored messages (the window comes from the inbound ones).
    """
    if not book.is_sender(account, src):
        raise _bad(f"src {src} is not a WhatsApp Business number linked to this account")
    text = params.get("text") or ""
    template = params.get("template")
    interactive = params.get("interactive")
    if template is not None and (text or interactive is not None):
        raise _bad("template cannot be combined with text or interactive")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise _bad(f"text is too long: {len(text)} characters, at most {MAX_TEXT} for WhatsApp")
    if template is not None:
        if not isinstance(template, Mapping):
            raise _bad("template must be an object")
        name, language = template.get("name"), template.get("language") or "en"
        found = book.find(account, str(name), str(language))
        if found is None:
            raise _bad(f"template {name} ({language}) does not exist on this account")
        if found.status != "APPROVED":
            raise _bad(
                f"template {name} ({language}) is not approved: its status is {found.status}"
            )
        body = found.render(template_values(found, template))
        return body, {"whatsapp_kind": "template", "template_name": found.name}
    kind = "text"
    if interactive is not None:
        text, kind = check_interactive(interactive), "interactive"
    elif params.get("media_urls"):
        kind = "media"
    closed = [n for n in destinations if not window_open(messages, account, src, n, now)]
    if closed:
        raise _bad(WINDOW_CLOSED_ERROR.format(numbers=", ".join(closed)))
    return str(text), {"whatsapp_kind": kind}
