"""send_sms: one SMS/MMS to up to 1,000 recipients in one ``POST Message/``, optionally waiting
for the delivery outcome.

Every check happens before the request and none after: :func:`plan` turns what a user or an agent
wrote into a :class:`MessagePlan` (normalised recipients, classified sender, segment analysis, the
exact request body) or raises :class:`InputError`; :func:`send` makes the single request and merges
Plivo's answer into a :class:`SendReport`. preview_sms uses the same reading of ``to`` and
``message`` so that what it shows is what a send would do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .. import params as read
from ..errors import InputError, InvalidRequestError, OutcomeUnknownError, PlivoError
from ..inbound.optouts import OPTED_OUT_REASON, OptOutList, OptOutReadError
from ..messaging.digits import to_plivo
from ..messaging.numbers import (
    MAX_RECIPIENTS,
    InvalidRecipient,
    Recipients,
    is_mms_capable,
    parse_recipients,
    parse_region,
)
from ..messaging.placeholders import describe, fill_in, find_placeholders
from ..messaging.segments import SegmentAnalysis, analyze, describe_limit, describe_segments
from ..messaging.sender import Sender, resolve_sender
from ..messaging.states import STATE_QUEUED, describe_state
from ..params import (
    UNRESOLVED_VARIABLE,
    Choice,
    Limits,
    NumberRange,
    Params,
    http_url,
    message_text,
)
from ..resources.connect import client_for
from ..resources.messages import send_message
from ..text import listed
from ..toolkit.polling import (
    MAX_WAIT_SECONDS,
    DeliveryReport,
    Observation,
    bounded_fetch,
    wait_for_final,
)
from ..toolkit.present import (
    error_fields,
    invalid_recipient_fields,
    invalid_summary,
    sentence,
)
from ..toolkit.recipients import (
    RecipientPolicy,
    enforce_cap,
    no_destination,
    outside_allowed,
    parse_allowed_countries,
)
from ..transport.client import PlivoClient
from ..transport.credentials import Credentials
from ..webhooks.kvstore import StorageScope
from . import Invocation, ToolOutput

DEFAULT_MAX_RECIPIENTS: Final = 10  # a safety cap for agents; builders raise it in the settings
MAX_MEDIA_URLS: Final = 10
MESSAGE_EXPIRY_RANGE: Final = (5, 10_799)  # seconds; Plivo's own default queue life is 10,800
LOG_OPTIONS: Final = ("true", "false", "number_only", "content_only")
CALLBACK_METHODS: Final = ("POST", "GET")
REASON_MMS_REGION: Final = "MMS can only be sent to US and Canadian numbers"
REASON_PLIVO_INVALID: Final = "rejected by Plivo as invalid"
REASON_IS_SENDER: Final = "is the sender's own number"
UNKNOWN_ADVICE: Final = "Check the message again later with get_message."
NOT_CHECKED: Final = "Not checked: the wait ended before this message's turn."

MAX_RECIPIENTS_LIMIT: Final = NumberRange(1, MAX_RECIPIENTS, DEFAULT_MAX_RECIPIENTS)
WAIT_LIMIT: Final = NumberRange(0, MAX_WAIT_SECONDS, 0)
EXPIRY_LIMIT: Final = NumberRange(*MESSAGE_EXPIRY_RANGE)
LOG_CHOICE: Final = Choice(LOG_OPTIONS, "true")
CALLBACK_METHOD_CHOICE: Final = Choice(CALLBACK_METHODS, "POST")
LIMITS: Limits = {
    "max_recipients": MAX_RECIPIENTS_LIMIT,
    "wait_seconds": WAIT_LIMIT,
    "message_expiry": EXPIRY_LIMIT,
    "log": LOG_CHOICE,
    "callback_method": CALLBACK_METHOD_CHOICE,
}

# Split a media list only on line breaks or right before another http(s):// URL: commas are
# legal inside URLs (image CDNs write "w_300,h_200"; queries write "size=10,20").
_MEDIA_SPLIT = re.compile(r"\s*[\r\n]+\s*|[\s,;]+[\"'`<\u201c\u2018]*(?=https?://)", re.IGNORECASE)
_MEDIA_TRIM = " \t,;\"'`<>\u201c\u201d\u2018\u2019"
_MARKDOWN_LINK = re.compile(r"^!?\[[^\]]*\]\((\S+?)\)$")  # [photo](https://...)

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
class Policy:
    """The builder's guard rails for what a request (often an agent's) may do."""

    max_recipients: int = DEFAULT_MAX_RECIPIENTS
    allowed_countries: frozenset[str] = frozenset()  # empty: any country
    fail_on_invalid: bool = False


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
    """URLs from a list, a JSON array, or text with one URL per line or several in a row."""
    if not raw:
        return ()
    urls = [_unwrap(part.strip(_MEDIA_TRIM)) for part in _MEDIA_SPLIT.split(raw)]
    urls = [url for url in urls if url]
    for url in urls:
        if UNRESOLVED_VARIABLE.search(url):
            raise InputError(
                "media_urls",
                f"media_urls: {url!r} is an unresolved workflow variable: the variable it refers "
                "to was empty or never set. Check the node that should produce it.",
            )
    if len(urls) > MAX_MEDIA_URLS:
        raise InputError(
            "media_urls",
            f"media_urls: {len(urls)} URLs given; an MMS carries at most {MAX_MEDIA_URLS}.",
        )
    return tuple(http_url(url, "media_urls", public=True) for url in urls)


def _unwrap(text: str) -> str:
    """``[photo](https://…)`` as models write links in Markdown → the URL itself."""
    link = _MARKDOWN_LINK.match(text)
    return link.group(1) if link else text


def check_text(text: str, analysis: SegmentAnalysis, *, has_media: bool) -> None:
    """Refuse what Plivo refuses (error 110), by the same rule preview_sms shows."""
    if not text and not has_media:
        raise InputError("message", "message is empty: write the text to send (or add media_urls).")
    if analysis.over_limit:
        raise InputError(
            "message",
            f"message: {describe_limit(analysis)}; over Plivo's limit of {analysis.limit} "
            f"characters for {analysis.encoding}. Shorten the text"
            + (" or replace the non-GSM characters." if analysis.encoding == "UCS-2" else "."),
        )


def check_placeholders(text: str) -> None:
    """A template placeholder (``{{name}}``, ``[Name]``) would reach every recipient as written."""
    found = find_placeholders(text)
    if found:
        raise InputError(
            "message",
            f"message contains {describe(found)}, which would reach the recipient as written. "
            f"Nothing was sent: {fill_in(found)}.",
        )


def screen_recipients(
    recipients: Recipients,
    sender: Sender,
    policy: Policy,
    opted_out: Container[str] = frozenset(),
    *,
    restriction: tuple[Callable[[str], bool], str] | None = None,
) -> tuple[tuple[str, ...], tuple[InvalidRecipient, ...]]:
    """(recipients to send to, refused ones with the reason): every rule a send applies to its
    destinations, in the order users fix them, or :class:`InputError` when none is left.

    The sender's own number, numbers that replied STOP, countries outside ``allowed_countries``
    and (``restriction``: who may receive, and the reason for the others) are refused; then
    ``fail_on_invalid`` and the recipient cap apply.
    """
    valid = list(recipients.valid)
    invalid = list(recipients.invalid)
    kept = frozenset(valid)  # well-formed numbers; any later refusal is a rule, not a typo
    if sender.kind == "number" and sender.value in valid:
        valid.remove(sender.value)
        invalid.append(InvalidRecipient(sender.value, REASON_IS_SENDER))
    stopped = [n for n in valid if n in opted_out]
    invalid.extend(InvalidRecipient(n, OPTED_OUT_REASON) for n in stopped)
    valid = [n for n in valid if n not in stopped]
    refused = [r for n in valid if (r := outside_allowed(policy.allowed_countries, n)) is not None]
    invalid.extend(refused)
    valid = [n for n in valid if n not in {r.input for r in refused}]
    if restriction is not None:
        allowed, reason = restriction
        invalid.extend(InvalidRecipient(n, reason) for n in valid if not allowed(n))
        valid = [n for n in valid if allowed(n)]
    if invalid and policy.fail_on_invalid:
        raise InputError(
            "to",
            f"to: {invalid_summary(invalid)}. Nothing was sent: this tool is set to fail when any "
            "recipient is invalid. Correct or remove them (ask the user when unsure).",
        )
    if not valid:
        raise no_destination(
            invalid,
            kept,
            nothing="Nothing was sent",
            how_to_write="Write numbers in international format with the country code, e.g. "
            "+14155552671",
        )
    enforce_cap(
        len(valid),
        RecipientPolicy(policy.max_recipients, policy.allowed_countries),
        per="per send",
        nothing="nothing was sent",
    )
    return tuple(valid), tuple(invalid)


def plan_message(
    *,
    recipients: Recipients,
    sender: Sender,
    text: str,
    media_urls: Sequence[str] = (),
    options: SendOptions | None = None,
    policy: Policy | None = None,
    wait_seconds: int = 0,
    opted_out: Container[str] = frozenset(),
) -> MessagePlan:
    policy = policy or Policy()
    media = tuple(media_urls)
    analysis = analyze(text)
    check_text(text, analysis, has_media=bool(media))
    check_placeholders(text)
    valid, invalid = screen_recipients(
        recipients,
        sender,
        policy,
        opted_out,
        restriction=(is_mms_capable, REASON_MMS_REGION) if media else None,
    )
    return MessagePlan(
        recipients=valid,
        invalid=invalid,
        sender=sender,
        text=text,
        media_urls=media,
        message_type="mms" if media else "sms",
        analysis=analysis,
        options=options or SendOptions(),
        wait_seconds=wait_seconds,
    )


def plan(
    params: Params, default_sender: str | None, opted_out: Container[str] = frozenset()
) -> MessagePlan:
    """Everything send_sms reads from its parameters, validated in the order users fix it.

    ``opted_out``: numbers that replied STOP (:mod:`plivo_api.inbound.optouts`); they are listed in
    ``invalid_recipients`` and not sent to.
    """
    region = parse_region(read.text(params, "default_country"))
    to = read.text_items(params, "to")
    if to is None:
        raise InputError("to", "to is required: give one or more phone numbers.")
    text = message_text(params)
    media = parse_media_urls(read.text_items(params, "media_urls"))
    sender = resolve_sender(read.text(params, "from_number"), default_sender, region)
    callback_url = read.text(params, "callback_url")
    options = SendOptions(
        callback_url=http_url(callback_url, "callback_url") if callback_url else None,
        callback_method=CALLBACK_METHOD_CHOICE.read(params, "callback_method"),
        log=LOG_CHOICE.read(params, "log"),
        trackable=read.boolean(params, "trackable", default=False),
        message_expiry=EXPIRY_LIMIT.read(params, "message_expiry"),
        dlt_entity_id=read.text(params, "dlt_entity_id"),
        dlt_template_id=read.text(params, "dlt_template_id"),
        dlt_template_category=read.text(params, "dlt_template_category"),
    )
    policy = Policy(
        max_recipients=MAX_RECIPIENTS_LIMIT.read_int(params, "max_recipients"),
        allowed_countries=parse_allowed_countries(read.text(params, "allowed_countries")),
        fail_on_invalid=read.boolean(params, "fail_on_invalid", default=False),
    )
    return plan_message(
        recipients=parse_recipients(to, region),
        sender=sender,
        text=text,
        media_urls=media,
        options=options,
        policy=policy,
        wait_seconds=WAIT_LIMIT.read_int(params, "wait_seconds"),
        opted_out=opted_out,
    )


@dataclass(frozen=True)
class SendReport:
    plan: MessagePlan
    api_id: str | None
    message_uuids: tuple[str, ...]
    accepted: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]
    delivery: DeliveryReport | None = None


@dataclass(frozen=True)
class Queued:
    """What Plivo took from one send request: its message UUIDs, the recipients it accepted
    and every refused recipient (ours, then Plivo's ``invalid_number`` ones)."""

    api_id: str | None
    message_uuids: tuple[str, ...]
    accepted: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]


def queue(
    client: PlivoClient,
    body: Mapping[str, Any],
    recipients: Sequence[str],
    invalid: Sequence[InvalidRecipient] = (),
) -> Queued:
    """One request; Plivo's ``invalid_number`` entries are merged into ours, in Plivo's digits."""
    result = send_message(client, body)
    by_digits = {to_plivo(number): number for number in recipients}
    refused = {by_digits.get(n.lstrip("+"), n) for n in result.invalid_numbers}
    if not result.message_uuids:
        if refused:  # Plivo took the request but refused every destination: nothing was sent
            raise InvalidRequestError(
                "Plivo refused every destination as invalid: "
                + listed(sorted(refused))
                + ". Nothing was sent; check the numbers (international format, e.g. "
                "+14155552671).",
                api_id=result.api_id,
            )
        raise OutcomeUnknownError(
            "Plivo accepted the request but returned no message UUIDs. The messages may have "
            "been queued: check list_messages before sending again.",
            api_id=result.api_id,
        )
    return Queued(
        api_id=result.api_id,
        message_uuids=result.message_uuids,
        accepted=tuple(n for n in recipients if n not in refused),
        invalid=tuple(invalid)
        + tuple(InvalidRecipient(n, REASON_PLIVO_INVALID) for n in sorted(refused)),
    )


def wait_for_delivery(
    client: PlivoClient, queued: Queued, wait_seconds: int
) -> DeliveryReport | None:
    """After a send, (when asked) a wait for final states that makes GETs only.

    A failing poll is reported per message and never fails the node: the send succeeded.
    """
    if wait_seconds <= 0:
        return None
    return wait_for_final(
        bounded_fetch(client, wait_seconds),
        queued.message_uuids,
        wait_seconds,
        recipients=queued.accepted,
    )


def send(client: PlivoClient, plan: MessagePlan) -> SendReport:
    queued = queue(client, plan.request_body(), plan.recipients, plan.invalid)
    return SendReport(
        plan=plan,
        api_id=queued.api_id,
        message_uuids=queued.message_uuids,
        accepted=queued.accepted,
        invalid=queued.invalid,
    )


def send_and_wait(client: PlivoClient, plan: MessagePlan) -> SendReport:
    """The send, then (when asked) a wait for final states (:func:`wait_for_delivery`)."""
    report = send(client, plan)
    if plan.wait_seconds <= 0:
        return report
    queued = Queued(report.api_id, report.message_uuids, report.accepted, report.invalid)
    return SendReport(
        plan=report.plan,
        api_id=report.api_id,
        message_uuids=report.message_uuids,
        accepted=report.accepted,
        invalid=report.invalid,
        delivery=wait_for_delivery(client, queued, plan.wait_seconds),
    )


def opt_outs(call: Invocation, credentials: Credentials) -> Container[str]:
    """The opt-out list the inbound endpoint keeps for this account, read with one or two
    storage calls whatever the number of recipients; empty without plugin storage.

    A list that exists but cannot be read fails the send: sending blind could reach people who
    replied STOP.
    """
    if call.storage is None:
        return frozenset()
    opt_out_list = OptOutList(call.storage, StorageScope.for_account(credentials.auth_id))
    try:
        return opt_out_list.snapshot()
    except OptOutReadError:
        raise PlivoError(
            "Could not read the list of recipients who replied STOP from the plugin's storage, "
            "so nothing was sent. Try again in a moment."
        ) from None


def run(call: Invocation) -> ToolOutput:
    credentials = Credentials.from_mapping(call.credentials)
    message_plan = plan(call.parameters, credentials.default_sender, opt_outs(call, credentials))
    return present(send_and_wait(client_for(credentials), message_plan))


# -- presentation ----------------------------------------------------------------------------


def delivery_entry(observation: Observation) -> dict[str, object]:
    """One ``delivery`` item: the message's last known state, explained."""
    if observation.record is not None:
        errors = error_fields(observation.record.error_code, observation.record.error_text)
    elif observation.poll_error is not None or not observation.checked:
        reason = (
            f"Could not read the delivery status: {observation.poll_error}"
            if observation.poll_error is not None
            else NOT_CHECKED
        )
        errors = {"error_code": None, "error": reason, "advice": UNKNOWN_ADVICE, "retryable": None}
    else:
        errors = error_fields(None)
    return {
        "message_uuid": observation.message_uuid,
        "to": observation.to,
        "state": observation.state,
        "state_description": describe_state(observation.state),
        "final": observation.final,
        **errors,
    }


def delivery_summary(report: DeliveryReport) -> str:
    """``Delivery after 1.5 s: 1 delivered, 1 undelivered. +1415...: error 30. ...``"""
    counts: dict[str, int] = {}
    for o in report.observations:
        counts[o.state] = counts.get(o.state, 0) + 1
    parts = ", ".join(f"{n} {state}" for state, n in counts.items()) or "no messages"
    sentences = [f"Delivery after {report.waited_seconds:.1f} s: {parts}."]
    problems = [entry for o in report.observations if (entry := delivery_entry(o))["error"]]
    for entry in problems[:SHOWN_PROBLEMS]:
        code = f" error {entry['error_code']}." if entry["error_code"] else ""
        who = entry["to"] or entry["message_uuid"]
        advice = f" {sentence(str(entry['advice']))}" if entry["advice"] else ""
        sentences.append(f"{who}:{code} {sentence(str(entry['error']))}{advice}")
    if len(problems) > SHOWN_PROBLEMS:
        sentences.append(f"{len(problems) - SHOWN_PROBLEMS} more with errors.")
    if "sent" in counts:
        sentences.append(sentence(f'"sent" means {describe_state("sent")}'))
    if STATE_QUEUED in counts:
        sentences.append("Queued messages had not left Plivo's queue when the wait ended.")
    return " ".join(sentences)


SHOWN_PROBLEMS: Final = 5


def summary(report: SendReport) -> str:
    count = len(report.accepted)
    kind = report.plan.message_type.upper()
    line = f"Queued {count} {kind} to {listed(report.accepted)}"
    if report.plan.message_type == "sms":
        line += f"; {describe_segments(report.plan.analysis, each=count > 1)}"
    if report.invalid:
        line += f"; {invalid_summary(report.invalid)}"
    line += "."
    if report.delivery is not None:
        line += f" {delivery_summary(report.delivery)}"
    return line


def present(report: SendReport) -> ToolOutput:
    plan = report.plan
    delivery = report.delivery
    invalid = invalid_recipient_fields(report.invalid)
    all_delivered = delivery.all_delivered if delivery is not None else None
    data: dict[str, object] = {
        "state": STATE_QUEUED,
        "api_id": report.api_id,
        "message_uuid": report.message_uuids[0],
        "message_uuids": list(report.message_uuids),
        "recipients": list(report.accepted),
        "invalid_recipients": invalid,
        "invalid_count": len(invalid),
        "from": plan.sender.display(),
        "type": plan.message_type,
        "encoding": plan.analysis.encoding,
        "segments": plan.segments,
        "characters": plan.analysis.characters,
        "units_estimate": plan.segments * len(report.accepted),
        "delivery": (
            [delivery_entry(o) for o in delivery.observations] if delivery is not None else None
        ),
        "all_delivered": all_delivered,
    }
    variables = {
        "message_uuid": report.message_uuids[0],
        "message_uuids": list(report.message_uuids),
        "recipients": list(report.accepted),
        "invalid_recipients": invalid,
        "invalid_count": len(invalid),
        "segments": plan.segments,
        "encoding": plan.analysis.encoding,
        "all_delivered": all_delivered,
    }
    return ToolOutput(summary(report), data, variables)


__all__ = [
    "LIMITS",
    "MessagePlan",
    "Policy",
    "Queued",
    "SendOptions",
    "SendReport",
    "check_placeholders",
    "parse_media_urls",
    "plan",
    "plan_message",
    "present",
    "queue",
    "run",
    "screen_recipients",
    "send",
    "send_and_wait",
    "wait_for_delivery",
]
