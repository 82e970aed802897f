"""send_whatsapp: one WhatsApp message (free text, media, an approved template, or text with
reply buttons) to up to 1,000 recipients in one ``POST Message/`` with ``type: "whatsapp"``.

Recipients follow send_sms's rules through the same code (:func:`send_sms.screen_recipients`:
E.164 with the default country, caps, ``allowed_countries``, premium-rate numbers refused,
numbers that replied STOP skipped), and the send is made and waited for by the same functions
(:func:`send_sms.queue`, :func:`send_sms.wait_for_delivery`): one request, never repeated.

WhatsApp's own rule decides what may be sent: a free-form message (text, media, buttons) only
reaches a customer who wrote to the business number in the last 24 hours; outside that window
only an approved template goes through. Plivo's words for that refusal are not documented, so
:func:`window_closed` recognises it in a refused request (HTTP 400) and in a message that failed
while the tool waited, and the error then says what to do in plain words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from .. import params as read
from ..errors import InputError, InvalidRequestError
from ..messaging.digits import to_plivo
from ..messaging.numbers import InvalidRecipient, parse_recipients, parse_region
from ..messaging.sender import Sender, parse_sender
from ..messaging.states import STATE_QUEUED
from ..messaging.whatsapp_limits import (
    MAX_BUTTON_BODY_CHARS,
    MAX_BUTTON_TITLE_CHARS,
    MAX_BUTTONS,
    MAX_TEXT_CHARS,
    text_length,
)
from ..params import UNRESOLVED_VARIABLE, Limits, Params, message_text
from ..resources.connect import client_for
from ..text import listed, shorten
from ..toolkit.jsonobject import read_json_object
from ..toolkit.polling import DeliveryReport
from ..toolkit.present import invalid_recipient_fields, invalid_summary
from ..toolkit.recipients import parse_allowed_countries
from ..transport.client import PlivoClient
from ..transport.credentials import Credentials
from . import Invocation, ToolOutput
from .send_sms import (
    MAX_RECIPIENTS_LIMIT,
    WAIT_LIMIT,
    Policy,
    Queued,
    check_placeholders,
    delivery_entry,
    delivery_summary,
    opt_outs,
    parse_media_urls,
    queue,
    screen_recipients,
    wait_for_delivery,
)

DEFAULT_LANGUAGE: Final = "en"
TEMPLATES_TOOL: Final = "whatsapp_templates"
LIMITS: Limits = {"max_recipients": MAX_RECIPIENTS_LIMIT, "wait_seconds": WAIT_LIMIT}

Kind = Literal["text", "media", "template", "interactive"]

_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"([a-z]{2,3})(?:[-_]([A-Za-z]{2,4}))?")
_WINDOW_CLOSED = re.compile(
    r"24[- ]?h|customer[- ]service window|(session|conversation|messaging) window|"
    r"outside (of )?the (allowed )?window|window (is |has )?(closed|expired)|re-?engagement|"
    r"\b131047\b",
    re.IGNORECASE,
)
WINDOW_CLOSED_MESSAGE: Final = (
    "WhatsApp refused this free-form message: free-form messages (text, media, buttons) need a "
    "message from this customer in the last 24 hours, and this customer has not written within "
    f"that time. Send an approved template instead: {TEMPLATES_TOOL} lists them with the "
    "values each one needs."
)
NO_WHATSAPP_SENDER: Final = (
    "No WhatsApp sender: set 'From number' in this tool's settings, or 'WhatsApp sender' in the "
    "Plivo SMS plugin credentials, to the WhatsApp Business number linked to the Plivo account. "
    "The sender is part of the tool's setup: if you are an assistant, tell the user."
)


@dataclass(frozen=True)
class WhatsAppPlan:
    """A checked WhatsApp send: who gets it, from which number, and the content fields."""

    recipients: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]
    sender: Sender
    kind: Kind
    content: Mapping[str, Any]
    wait_seconds: int = 0

    def request_body(self) -> dict[str, Any]:
        return {
            "type": "whatsapp",
            **self.sender.request_fields(),
            "dst": "<".join(to_plivo(number) for number in self.recipients),
            **self.content,
        }


def window_closed(text: str | None) -> bool:
    """Whether Plivo's (or WhatsApp's) error text says the 24-hour window is closed."""
    return bool(text) and _WINDOW_CLOSED.search(text or "") is not None


# -- parameters ------------------------------------------------------------------------------


def whatsapp_sender(explicit: str | None, credential: str | None, region: str | None) -> Sender:
    """The tool's ``from_number`` wins over the ``whatsapp_sender`` credential; a phone number."""
    parameter, raw = ("from_number", explicit) if explicit else ("whatsapp_sender", credential)
    if not raw:
        raise InputError("from_number", NO_WHATSAPP_SENDER)
    sender = parse_sender(raw, region, parameter)
    if sender.kind != "number":
        raise InputError(
            parameter,
            f"{parameter}: {shorten(raw)!r} is not a phone number; WhatsApp messages come from "
            "the WhatsApp Business number linked to the Plivo account, e.g. +14155550100.",
        )
    return sender


def parse_buttons(raw: object) -> tuple[str, ...]:
    """1-3 quick-reply titles from a JSON list or comma-separated text; () when none."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ()
    items: Sequence[object]
    if isinstance(raw, list):
        items = list(raw)
    elif isinstance(raw, str) and raw.strip().startswith("["):
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise InputError(
                "buttons",
                'buttons: not a valid JSON list; write e.g. ["Yes", "No"] or Yes, No.',
            ) from None
        items = parsed if isinstance(parsed, list) else [parsed]
    else:
        items = str(raw).split(",")
    titles = [str(item).strip() for item in items if str(item).strip()]
    if not titles:
        return ()
    if len(titles) > MAX_BUTTONS:
        raise InputError(
            "buttons",
            f"buttons: {len(titles)} given; WhatsApp allows at most {MAX_BUTTONS} quick-reply "
            "buttons. Nothing was sent.",
        )
    for title in titles:
        if len(title) > MAX_BUTTON_TITLE_CHARS:
            raise InputError(
                "buttons",
                f"buttons: {title!r} has {len(title)} characters; a button title has at most "
                f"{MAX_BUTTON_TITLE_CHARS}. Shorten it. Nothing was sent.",
            )
    if len(set(titles)) != len(titles):
        raise InputError("buttons", "buttons: two buttons have the same title; make them differ.")
    return tuple(titles)


def parse_template_variables(raw: object) -> list[str] | dict[str, str]:
    """``{{1}}, {{2}}…`` values (a JSON list or comma-separated text) or named values (a JSON
    object)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    value: object = raw
    if isinstance(raw, str) and UNRESOLVED_VARIABLE.fullmatch(raw.strip()):
        return [_variable(raw)]
    if isinstance(raw, str) and raw.strip()[:1] in ("[", "{"):
        try:
            value = json.loads(raw)
        except ValueError:
            raise InputError(
                "template_variables",
                "template_variables: not valid JSON; write a list such as "
                '["Ada", "A-17"], an object such as {"first_name": "Ada"}, or Ada, A-17.',
            ) from None
    if isinstance(value, Mapping):
        return {str(key).strip(): _variable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_variable(item) for item in value]
    return [_variable(part.strip()) for part in str(value).split(",")]


def _variable(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(
            "template_variables",
            "template_variables: each value must be text or a number, not a list or object.",
        )
    text = str(value).strip()
    if not text:
        raise InputError(
            "template_variables",
            "template_variables: a value is empty; WhatsApp refuses empty template values.",
        )
    if UNRESOLVED_VARIABLE.search(text):
        raise InputError(
            "template_variables",
            f"template_variables: {text!r} is an unresolved workflow variable: the variable it "
            "refers to was empty or never set. Nothing was sent.",
        )
    return text


def template_language(raw: str | None) -> str:
    """``en``, ``en_US``, ``pt-BR`` → WhatsApp's ``pt_BR`` form."""
    text = (raw or "").strip() or DEFAULT_LANGUAGE
    match = _LANGUAGE.fullmatch(text)
    if match is None:
        raise InputError(
            "template_language",
            f"template_language: {shorten(text)!r} is not a language code; write the template's "
            "language as whatsapp_templates shows it, e.g. en, en_US or pt_BR.",
        )
    language, region = match.groups()
    return language.lower() + (f"_{region.upper()}" if region else "")


def build_template(
    name: str, language: str, variables: list[str] | dict[str, str]
) -> dict[str, Any]:
    """Plivo's template object: ``{name, language, components: [{type: body, parameters}]}``."""
    if not _TEMPLATE_NAME.fullmatch(name):
        raise InputError(
            "template_name",
            f"template_name: {shorten(name)!r} is not a WhatsApp template name (lower-case "
            f"letters, digits and underscores, e.g. order_shipped); {TEMPLATES_TOOL} lists the "
            "account's templates.",
        )
    if isinstance(variables, dict):
        parameters = [
            {"type": "text", "parameter_name": key, "text": value}
            for key, value in variables.items()
        ]
    else:
        parameters = [{"type": "text", "text": value} for value in variables]
    template: dict[str, Any] = {"name": name, "language": language}
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return template


def content_of(params: Params) -> tuple[Kind, dict[str, Any]]:
    """The kind of message and its request fields; refuses mixtures WhatsApp cannot carry."""
    text = message_text(params)
    media = parse_media_urls(read.text_items(params, "media_urls"))
    buttons = parse_buttons(params.get("buttons"))
    template_json = read_json_object(
        params, "template_json", example='{"name": "order_shipped", "language": "en"}'
    )
    name = read.text(params, "template_name")
    variables = parse_template_variables(params.get("template_variables"))
    if template_json is not None or name:
        if text or media or buttons:
            extra = "message" if text else "media_urls" if media else "buttons"
            raise InputError(
                extra,
                f"{extra} cannot go with a template: a template carries its own approved text "
                "(fill its placeholders with template_variables). Send either a template or "
                "free text. Nothing was sent.",
            )
        if template_json is not None:
            if name or variables:
                raise InputError(
                    "template_json",
                    "template_json is a complete template: leave template_name and "
                    "template_variables empty when it is set. Nothing was sent.",
                )
            if not isinstance(template_json.get("name"), str) or not template_json["name"]:
                raise InputError(
                    "template_json", 'template_json needs a "name" (the template\'s name).'
                )
            return "template", {"template": template_json}
        language = template_language(read.text(params, "template_language"))
        return "template", {"template": build_template(str(name), language, variables)}
    if variables:
        raise InputError(
            "template_variables",
            "template_variables are only used with template_name; give the template's name.",
        )
    if not text and not media:
        raise InputError(
            "message",
            "Nothing to send: write a message (up to 4096 characters), add media_urls, or give "
            f"template_name for an approved template ({TEMPLATES_TOOL} lists them).",
        )
    check_placeholders(text)
    if buttons:
        if media:
            raise InputError(
                "media_urls",
                "media_urls cannot go with buttons: a message with reply buttons carries text "
                "only. Nothing was sent.",
            )
        if text_length(text) > MAX_BUTTON_BODY_CHARS:
            raise InputError(
                "message",
                f"message: {text_length(text)} characters; with buttons WhatsApp allows at most "
                f"{MAX_BUTTON_BODY_CHARS}. Shorten it. Nothing was sent.",
            )
        action = {"buttons": [{"id": title, "title": title} for title in buttons]}
        interactive = {"type": "button", "body": {"text": text}, "action": action}
        return "interactive", {"interactive": interactive}
    if text_length(text) > MAX_TEXT_CHARS:
        raise InputError(
            "message",
            f"message: {text_length(text)} characters; a WhatsApp message has at most "
            f"{MAX_TEXT_CHARS}. Shorten it. Nothing was sent.",
        )
    fields: dict[str, Any] = {}
    if text:
        fields["text"] = text
    if media:
        fields["media_urls"] = list(media)
    return ("media" if media else "text"), fields


def plan(
    params: Params, credentials: Credentials, opted_out: Container[str] = frozenset()
) -> WhatsAppPlan:
    """Everything send_whatsapp reads, validated before any request, in the order users fix it."""
    region = parse_region(read.text(params, "default_country"))
    to = read.text_items(params, "to")
    if to is None:
        raise InputError("to", "to is required: give one or more phone numbers.")
    kind, content = content_of(params)
    sender = whatsapp_sender(read.text(params, "from_number"), credentials.whatsapp_sender, region)
    policy = Policy(
        max_recipients=MAX_RECIPIENTS_LIMIT.read_int(params, "max_recipients"),
        allowed_countries=parse_allowed_countries(read.text(params, "allowed_countries")),
    )
    valid, invalid = screen_recipients(parse_recipients(to, region), sender, policy, opted_out)
    return WhatsAppPlan(
        recipients=valid,
        invalid=invalid,
        sender=sender,
        kind=kind,
        content=content,
        wait_seconds=WAIT_LIMIT.read_int(params, "wait_seconds"),
    )


@dataclass(frozen=True)
class WhatsAppReport:
    plan: WhatsAppPlan
    queued: Queued
    delivery: DeliveryReport | None = None


def send(client: PlivoClient, whatsapp: WhatsAppPlan) -> WhatsAppReport:
    """The one request, then (when asked) the wait; a closed window is said in plain words."""
    try:
        queued = queue(client, whatsapp.request_body(), whatsapp.recipients, whatsapp.invalid)
    except InvalidRequestError as error:
        if whatsapp.kind != "template" and window_closed(error.plivo_error or error.message):
            raise InvalidRequestError(
                f"{WINDOW_CLOSED_MESSAGE} Nothing was sent.",
                status=error.status,
                api_id=error.api_id,
                plivo_error=error.plivo_error,
            ) from None
        raise
    report = WhatsAppReport(
        whatsapp, queued, wait_for_delivery(client, queued, whatsapp.wait_seconds)
    )
    closed = window_failures(report)
    if closed and len(closed) == len(queued.message_uuids):
        raise InvalidRequestError(
            f"{WINDOW_CLOSED_MESSAGE} Plivo accepted the message but WhatsApp refused it "
            f"({listed(closed)})."
        )
    return report


def window_failures(report: WhatsAppReport) -> list[str]:
    """The message UUIDs that failed because the 24-hour window was closed."""
    if report.delivery is None or report.plan.kind == "template":
        return []
    return [
        o.message_uuid
        for o in report.delivery.observations
        if o.record is not None
        and o.record.error_code is not None
        and window_closed(o.record.error_text)
    ]


def run(call: Invocation) -> ToolOutput:
    credentials = Credentials.from_mapping(call.credentials)
    whatsapp = plan(call.parameters, credentials, opt_outs(call, credentials))
    return present(send(client_for(credentials), whatsapp))


# -- presentation ----------------------------------------------------------------------------


def delivery_rows(report: WhatsAppReport) -> list[dict[str, object]] | None:
    if report.delivery is None:
        return None
    closed = set(window_failures(report))
    rows = []
    for observation in report.delivery.observations:
        row = delivery_entry(observation)
        if observation.message_uuid in closed:
            row["error"] = WINDOW_CLOSED_MESSAGE
        rows.append(row)
    return rows


def present(report: WhatsAppReport) -> ToolOutput:
    queued = report.queued
    invalid = invalid_recipient_fields(queued.invalid)
    delivery = report.delivery
    all_delivered = delivery.all_delivered if delivery is not None else None
    line = f"Queued 1 WhatsApp {report.plan.kind} message to {listed(queued.accepted)}"
    if queued.invalid:
        line += f"; {invalid_summary(queued.invalid)}"
    line += "."
    if delivery is not None:
        line += f" {delivery_summary(delivery)}"
    variables: dict[str, object] = {
        "message_uuid": queued.message_uuids[0],
        "message_uuids": list(queued.message_uuids),
        "recipients": list(queued.accepted),
        "invalid_recipients": invalid,
        "invalid_count": len(invalid),
        "kind": report.plan.kind,
        "all_delivered": all_delivered,
    }
    data: dict[str, object] = {
        "state": STATE_QUEUED,
        "api_id": queued.api_id,
        **variables,
        "from": report.plan.sender.display(),
        "type": "whatsapp",
        "delivery": delivery_rows(report),
    }
    return ToolOutput(line, data, variables)


__all__ = [
    "LIMITS",
    "WINDOW_CLOSED_MESSAGE",
    "WhatsAppPlan",
    "WhatsAppReport",
    "content_of",
    "parse_buttons",
    "parse_template_variables",
    "plan",
    "present",
    "run",
    "send",
    "window_closed",
]
