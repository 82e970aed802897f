"""Plan and send one ``POST Message/``: every check happens before the request, none after.

:func:`plan_message` turns what a user or agent wrote into a :class:`MessagePlan` (normalised
recipients, classified sender, segment analysis, the exact request body) or raises
:class:`InputError`; :func:`send_planned` makes the single request and merges Plivo's answer into a
:class:`SendReport`. The preview tool uses the same planning so that what it shows is what a send
would do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from . import params as read
from .client import PlivoClient
from .delivery import MAX_WAIT_SECONDS
from .errors import InputError, InvalidRequestError, OutcomeUnknownError
from .numbers import (
    MAX_RECIPIENTS,
    InvalidRecipient,
    Recipients,
    is_mms_capable,
    parse_recipients,
    parse_region,
    to_plivo,
)
from .params import Params, http_url, message_text
from .segments import SegmentAnalysis, analyze, describe_segments
from .sender import Sender, resolve_sender

DEFAULT_MAX_RECIPIENTS = 10  # a safety cap for agents; users raise it in the tool's settings
MAX_MEDIA_URLS = 10
MESSAGE_EXPIRY_RANGE = (5, 10_799)  # seconds; Plivo's own default queue life is 10,800
LOG_OPTIONS = ("true", "false", "number_only", "content_only")
CALLBACK_METHODS = ("GET", "POST")
REASON_MMS_REGION = "MMS can only be sent to US and Canadian numbers"
REASON_PLIVO_INVALID = "rejected by Plivo as invalid"
REASON_IS_SENDER = "is the sender's own number"
SHOWN_RECIPIENTS = 5

MessageType = Literal["sms", "mms"]


@dataclass(frozen=True)
class SendOptions:
    """Optional Message API fields; ``None`` (or Plivo's default) means "not sent"."""

    callback_url: str | None = None
    callback_method: str = "POST"
    log: str = "true"
    trackable: bool = False
    message_expiry: int | None = None
    dlt_entity_id: str | None = None
    dlt_template_id: str | None = None
    dlt_template_category: str | None = None

    def __post_init__(self) -> None:
        if self.callback_url:
            http_url(self.callback_url, "callback_url")

    def request_fields(self) -> dict[str, Any]:
        """Only what differs from Plivo's behaviour when the field is absent."""
        fields: dict[str, Any] = {}
        if self.callback_url:
            fields["url"] = self.callback_url
            fields["method"] = self.callback_method
        if self.log != "true":
            fields["log"] = self.log  # a string: Plivo rejects a JSON boolean here
        if self.trackable:
            fields["trackable"] = True
        if self.message_expiry is not None:
            fields["message_expiry"] = self.message_expiry
        for name in ("dlt_entity_id", "dlt_template_id", "dlt_template_category"):
            value = getattr(self, name)
            if value:
                fields[name] = value
        return fields


@dataclass(frozen=True)
class MessagePlan:
    recipients: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]
    sender: Sender
    text: str
    media_urls: tuple[str, ...]
    message_type: MessageType
    analysis: SegmentAnalysis
    options: SendOptions = field(default_factory=SendOptions)
    wait_seconds: int = 0  # after the send, wait this long for final states (GETs only)

    @property
    def segments(self) -> int:
        """Billed units per recipient: SMS parts, or one MMS."""
        return 1 if self.message_type == "mms" else self.analysis.segments

    def request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.sender.request_fields())
        body["dst"] = "<".join(to_plivo(number) for number in self.recipients)
        if self.text:
            body["text"] = self.text
        if self.message_type == "mms":
            body["type"] = "mms"
            body["media_urls"] = list(self.media_urls)
        body.update(self.options.request_fields())
        return body


def parse_media_urls(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    urls = [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]
    if len(urls) > MAX_MEDIA_URLS:
        raise InputError(
            "media_urls",
            f"media_urls: {len(urls)} URLs given; an MMS carries at most {MAX_MEDIA_URLS}.",
        )
    return tuple(http_url(url, "media_urls") for url in urls)


def check_text(text: str, analysis: SegmentAnalysis, *, has_media: bool) -> None:
    """Refuse only what Plivo would refuse under every reading of its limit (error 110)."""
    if not text and not has_media:
        raise InputError("message", "message is empty: write the text to send (or add media_urls).")
    if analysis.over_limit_every_reading:
        raise InputError(
            "message",
            f"message: {analysis.characters} characters in {analysis.encoding}; Plivo accepts at "
            f"most {analysis.limit} ({analysis.segments} segments). Shorten the text"
            + (" or replace the non-GSM characters." if analysis.encoding == "UCS-2" else "."),
        )


def plan_message(
    *,
    recipients: Recipients,
    sender: Sender,
    text: str,
    media_urls: Sequence[str] = (),
    options: SendOptions | None = None,
    max_recipients: int = DEFAULT_MAX_RECIPIENTS,
    wait_seconds: int = 0,
) -> MessagePlan:
    media = tuple(media_urls)
    analysis = analyze(text)
    check_text(text, analysis, has_media=bool(media))
    valid = list(recipients.valid)
    invalid = list(recipients.invalid)
    if sender.kind == "number" and sender.value in valid:
        valid.remove(sender.value)
        invalid.append(InvalidRecipient(sender.value, REASON_IS_SENDER))
    if media:
        invalid.extend(
            InvalidRecipient(n, REASON_MMS_REGION) for n in valid if not is_mms_capable(n)
        )
        valid = [n for n in valid if is_mms_capable(n)]
    if not valid:
        detail = "; ".join(f"{i.input} ({i.reason})" for i in invalid[:SHOWN_RECIPIENTS])
        raise InputError(
            "to",
            "to: no valid destination"
            + (f": {detail}" if detail else "")
            + ". Write numbers in international format, e.g. +14155552671, or set default_country.",
        )
    cap = min(max_recipients, MAX_RECIPIENTS)
    if len(valid) > cap:
        raise InputError(
            "to",
            f"to: {len(valid)} recipients exceed max_recipients ({cap}); nothing was sent. Raise "
            f"'Max recipients' in the tool's settings (up to {MAX_RECIPIENTS}) or split the list.",
        )
    return MessagePlan(
        recipients=tuple(valid),
        invalid=tuple(invalid),
        sender=sender,
        text=text,
        media_urls=media,
        message_type="mms" if media else "sms",
        analysis=analysis,
        options=options or SendOptions(),
        wait_seconds=wait_seconds,
    )


@dataclass(frozen=True)
class SendReport:
    plan: MessagePlan
    api_id: str | None
    message_uuids: tuple[str, ...]
    accepted: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]

    @property
    def units_estimate(self) -> int:
        return self.plan.segments * len(self.accepted)

    def to_dict(self) -> dict[str, Any]:
        analysis = self.plan.analysis
        return {
            "status": "queued",
            "api_id": self.api_id,
            "message_uuids": list(self.message_uuids),
            "recipients": list(self.accepted),
            "invalid_recipients": [i.to_dict() for i in self.invalid],
            "sender": self.plan.sender.display(),
            "type": self.plan.message_type,
            "encoding": analysis.encoding,
            "segments": self.plan.segments,
            "characters": analysis.characters,
            "units_estimate": self.units_estimate,
        }

    def summary(self) -> str:
        count = len(self.accepted)
        shown = ", ".join(self.accepted[:SHOWN_RECIPIENTS])
        if count > SHOWN_RECIPIENTS:
            shown += f" and {count - SHOWN_RECIPIENTS} more"
        kind = self.plan.message_type.upper()
        line = f"Queued {count} {kind} to {shown}"
        if self.plan.message_type == "sms":
            line += f"; {describe_segments(self.plan.analysis, each=count > 1)}"
        if self.invalid:
            listed = ", ".join(f"{i.input} ({i.reason})" for i in self.invalid[:SHOWN_RECIPIENTS])
            more = len(self.invalid) - SHOWN_RECIPIENTS
            line += f"; {len(self.invalid)} invalid: {listed}" + (
                f" and {more} more" if more > 0 else ""
            )
        return line


def send_planned(client: PlivoClient, plan: MessagePlan) -> SendReport:
    """One request; Plivo's ``invalid_number`` entries are merged into ours, in Plivo's digits."""
    result = client.send_message(plan.request_body())
    by_digits = {to_plivo(number): number for number in plan.recipients}
    refused = {by_digits.get(n.lstrip("+"), n) for n in result.invalid_numbers}
    if not result.message_uuids:
        if refused:  # Plivo took the request but refused every destination: nothing was sent
            raise InvalidRequestError(
                "Plivo refused every destination as invalid: "
                + ", ".join(sorted(refused)[:SHOWN_RECIPIENTS])
                + ". Nothing was sent; check the numbers (international format, e.g. "
                "+14155552671).",
                api_id=result.api_id,
            )
        raise OutcomeUnknownError(
            "Plivo accepted the request but returned no message UUIDs. The messages may have "
            "been queued: check list_messages before sending again.",
            api_id=result.api_id,
        )
    return SendReport(
        plan=plan,
        api_id=result.api_id,
        message_uuids=result.message_uuids,
        accepted=tuple(n for n in plan.recipients if n not in refused),
        invalid=plan.invalid
        + tuple(InvalidRecipient(n, REASON_PLIVO_INVALID) for n in sorted(refused)),
    )


def plan_from_params(params: Params, default_sender: str | None) -> MessagePlan:
    """Everything ``send_sms`` reads from its parameters, validated in the order users fix it."""
    region = parse_region(read.text(params, "default_country"))
    to = read.text(params, "to", required=True) or ""
    text = message_text(params)
    media = parse_media_urls(read.text(params, "media_urls"))
    sender = resolve_sender(read.text(params, "from_number"), default_sender, region)
    low, high = MESSAGE_EXPIRY_RANGE
    options = SendOptions(
        callback_url=read.text(params, "callback_url"),
        callback_method=read.choice(params, "callback_method", CALLBACK_METHODS, default="POST"),
        log=read.choice(params, "log", LOG_OPTIONS, default="true"),
        trackable=read.boolean(params, "trackable", default=False),
        message_expiry=read.number(
            params, "message_expiry", default=None, minimum=low, maximum=high
        ),
        dlt_entity_id=read.text(params, "dlt_entity_id"),
        dlt_template_id=read.text(params, "dlt_template_id"),
        dlt_template_category=read.text(params, "dlt_template_category"),
    )
    max_recipients = read.number(
        params, "max_recipients", default=DEFAULT_MAX_RECIPIENTS, minimum=1, maximum=MAX_RECIPIENTS
    )
    wait_seconds = read.number(
        params, "wait_seconds", default=0, minimum=0, maximum=MAX_WAIT_SECONDS
    )
    return plan_message(
        recipients=parse_recipients(to, region),
        sender=sender,
        text=text,
        media_urls=media,
        options=options,
        max_recipients=max_recipients or DEFAULT_MAX_RECIPIENTS,
        wait_seconds=wait_seconds or 0,
    )
