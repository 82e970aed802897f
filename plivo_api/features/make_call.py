"""make_call: one ``POST Call/`` that calls up to ``max_recipients`` numbers or SIP URIs.

Every check happens before the request: :func:`plan` turns the parameters into a
:class:`CallPlan` (destinations read exactly as send_sms reads recipients, plus ``sip:`` URIs;
a caller ID that is a phone number; the builder's cap and ``allowed_countries``) or raises
:class:`InputError`. The request is then made once and never repeated once it may have reached
Plivo: Plivo's SDK re-sends voice requests after a 5xx answer, which can place a second call
(https://www.plivo.com/docs/voice/api/call/make-a-call).

Speaking modes (``speak_text``, ``play_url``, ``ask``) need no XML hosting: the answer URL is this
plugin's endpoint (credential ``endpoint_url``) with the call's signed instructions
(:mod:`plivo_api.voice`), and the hangup URL its ``/voice/event``, so that with ``wait_seconds``
the tool can read the callee's answer and the call's end from plugin storage.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any, Final

from .. import params as read
from ..errors import InputError
from ..messaging.call_destinations import REASON_SIP_COUNTRY, SIP_PREFIX, parse_call_destinations
from ..messaging.digits import to_plivo
from ..messaging.numbers import MAX_RECIPIENTS, REASON_EXTENSION, InvalidRecipient, parse_region
from ..messaging.sender import resolve_sender
from ..params import Choice, Limits, NumberRange, Params, http_url
from ..resources.calls import CallRequest, make_call
from ..resources.connect import client_for
from ..text import listed, shorten
from ..toolkit.present import invalid_recipient_fields, invalid_summary, plural
from ..toolkit.recipients import (
    RecipientPolicy,
    enforce_cap,
    no_destination,
    outside_allowed,
    parse_allowed_countries,
)
from ..transport.client import PlivoClient
from ..transport.credentials import Credentials
from ..voice import answers as call_answers
from ..voice.instructions import (
    DEFAULT_LANGUAGE,
    DEFAULT_VOICE,
    ROUTE_ANSWER,
    ROUTE_EVENT,
    CallInstructions,
    answer_xml,
    endpoint_base,
    sign_call,
)
from ..webhooks import xml
from ..webhooks.kvstore import KeyValueStore
from . import Invocation, ToolOutput

DEFAULT_MAX_RECIPIENTS: Final = 1  # one call unless the builder allows more
CALLER_NAME_MAX: Final = 50  # Plivo's limit on caller_name
TIME_LIMIT_MAX: Final = 86_400  # Plivo disconnects every call after 24 hours anyway
RING_TIMEOUT_MAX: Final = 120  # Plivo's own ring time when none is given
MACHINE_DETECTION_MS: Final = (2_000, 10_000)  # Plivo's allowed detection window
METHODS: Final = ("POST", "GET")
MACHINE_DETECTION_OFF: Final = "off"
REASON_IS_SENDER: Final = "is the caller ID itself"
REASON_EXTENSION_CALL: Final = (
    "has an extension (a call cannot dial an extension directly: call the main number; the "
    "tool's send_digits setting can dial the extension once the call is answered)"
)
_SEND_DIGITS = re.compile(r"[0-9A-Da-d*#wW]+(?:@\d{1,5})?")

MAX_RECIPIENTS_LIMIT: Final = NumberRange(1, MAX_RECIPIENTS, DEFAULT_MAX_RECIPIENTS)
TIME_LIMIT: Final = NumberRange(1, TIME_LIMIT_MAX)
RING_TIMEOUT: Final = NumberRange(1, RING_TIMEOUT_MAX)
MACHINE_DETECTION_TIME: Final = NumberRange(*MACHINE_DETECTION_MS)
METHOD_CHOICE: Final = Choice(METHODS, "POST", case_insensitive=False)
MACHINE_DETECTION_CHOICE: Final = Choice(
    (MACHINE_DETECTION_OFF, "true", "hangup"), MACHINE_DETECTION_OFF, case_insensitive=True
)
CALLBACKS: Final = ("ring", "hangup", "fallback")
MODE_PARAMETERS: Final = ("answer_url", "speak_text", "play_url", "ask")
WAIT_SECONDS_MAX: Final = 300
WAIT_SECONDS: Final = NumberRange(0, WAIT_SECONDS_MAX, 0)
INPUT_TYPE_CHOICE: Final = Choice(xml.INPUT_TYPES, "dtmf", case_insensitive=True)
LIMITS: Limits = {
    "wait_seconds": WAIT_SECONDS,
    "input_type": INPUT_TYPE_CHOICE,
    "max_recipients": MAX_RECIPIENTS_LIMIT,
    "answer_method": METHOD_CHOICE,
    **{f"{name}_method": METHOD_CHOICE for name in CALLBACKS},
    "time_limit": TIME_LIMIT,
    "ring_timeout": RING_TIMEOUT,
    "machine_detection": MACHINE_DETECTION_CHOICE,
    "machine_detection_time": MACHINE_DETECTION_TIME,
}


@dataclass(frozen=True)
class CallOptions:
    """Optional Make Call fields; ``None`` means "not sent" (Plivo's default applies)."""

    callbacks: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (url, method)
    caller_name: str | None = None
    time_limit: int | None = None
    ring_timeout: int | None = None
    machine_detection: str | None = None
    machine_detection_time: int | None = None
    machine_detection_url: str | None = None
    send_digits: str | None = None
    send_on_preanswer: bool = False

    def request_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name, (url, method) in self.callbacks.items():
            fields[f"{name}_url"] = url
            fields[f"{name}_method"] = method
        values = {
            "caller_name": self.caller_name,
            "time_limit": self.time_limit,
            "ring_timeout": self.ring_timeout,
            "machine_detection": self.machine_detection,
            "machine_detection_time": self.machine_detection_time,
            "machine_detection_url": self.machine_detection_url,
            "send_digits": self.send_digits,
        }
        fields.update({name: value for name, value in values.items() if value is not None})
        if self.send_on_preanswer:
            fields["send_on_preanswer"] = True
        return fields


@dataclass(frozen=True)
class CallPlan:
    caller_id: str  # E.164
    destinations: tuple[str, ...]  # E.164 numbers, then SIP URIs
    invalid: tuple[InvalidRecipient, ...]
    answer_url: str
    answer_method: str = "POST"
    options: CallOptions = field(default_factory=CallOptions)
    instructions: CallInstructions | None = None  # a speaking mode: the endpoint serves the XML
    endpoint_base: str | None = None
    wait_seconds: int = 0

    def request_body(self) -> dict[str, Any]:
        """Plivo's form: digits with the country code, destinations joined with ``<``."""
        to = "<".join(d if d.startswith(SIP_PREFIX) else to_plivo(d) for d in self.destinations)
        return {
            "from": to_plivo(self.caller_id),
            "to": to,
            "answer_url": self.answer_url,
            "answer_method": self.answer_method,
            **self.options.request_fields(),
        }


def _caller_id(params: Params, default_sender: str | None, region: str | None) -> str:
    """The caller ID: a phone number from ``from_number`` or the credentials' default sender."""
    explicit = read.text(params, "from_number")
    sender = resolve_sender(explicit, default_sender, region)
    if sender.kind == "number":
        return sender.value
    parameter = "from_number" if explicit else "default_sender"
    kind = {"alphanumeric": "an alphanumeric sender ID", "short_code": "a short code"}.get(
        sender.kind, "a Powerpack UUID"
    )
    raise InputError(
        parameter,
        f"{parameter}: {shorten(sender.value)!r} is {kind}; a call needs a phone number as "
        "caller ID: a voice-enabled Plivo number (or a number verified on the account) in "
        "international format, e.g. +14155550100. Set 'From number' in this tool's settings. The "
        "caller ID is part of the tool's setup, not of the request: if you are an assistant, tell "
        "the user.",
    )


def _options(params: Params) -> CallOptions:
    callbacks: dict[str, tuple[str, str]] = {}
    for name in CALLBACKS:
        url = read.text(params, f"{name}_url")
        if url:
            method = METHOD_CHOICE.read(params, f"{name}_method")
            callbacks[name] = (http_url(url, f"{name}_url"), method)
    caller_name = read.text(params, "caller_name")
    if caller_name is not None and len(caller_name) > CALLER_NAME_MAX:
        raise InputError(
            "caller_name",
            f"caller_name: {len(caller_name)} characters; Plivo allows at most {CALLER_NAME_MAX}.",
        )
    detection = MACHINE_DETECTION_CHOICE.read(params, "machine_detection")
    detection_url = read.text(params, "machine_detection_url")
    digits = read.text(params, "send_digits")
    if digits is not None and not _SEND_DIGITS.fullmatch(digits):
        raise InputError(
            "send_digits",
            f"send_digits: {shorten(digits, 40)!r} is not a DTMF sequence; use the digits 0-9, "
            "A-D, * and #, with w (wait 0.5 s) or W (wait 1 s) between them, e.g. 1w2W3, "
            "optionally ending in @ and a tone length in ms (123@1000).",
        )
    return CallOptions(
        callbacks=callbacks,
        caller_name=caller_name,
        time_limit=TIME_LIMIT.read(params, "time_limit"),
        ring_timeout=RING_TIMEOUT.read(params, "ring_timeout"),
        machine_detection=None if detection == MACHINE_DETECTION_OFF else detection,
        machine_detection_time=MACHINE_DETECTION_TIME.read(params, "machine_detection_time"),
        machine_detection_url=http_url(detection_url, "machine_detection_url")
        if detection_url
        else None,
        send_digits=digits,
        send_on_preanswer=read.boolean(params, "send_on_preanswer", default=False),
    )


def plan(params: Params, default_sender: str | None, endpoint_url: str | None = None) -> CallPlan:
    """Everything make_call reads from its parameters, validated in the order users fix it."""
    region = parse_region(read.text(params, "default_country"))
    to = read.text_items(params, "to")
    if to is None:
        raise InputError(
            "to", "to is required: give a phone number (e.g. +14155552671) or a SIP URI."
        )
    instructions = _instructions(params)
    base = endpoint_base(endpoint_url) if instructions is not None else None
    wait_seconds = WAIT_SECONDS.read_int(params, "wait_seconds")
    if instructions is None:
        answer_url = read.text(params, "answer_url") or ""
        # A URL Plivo cannot fetch still rings the callee, who hears nothing on a billed call.
        answer_url = http_url(answer_url, "answer_url", public=True)
        if wait_seconds:
            raise InputError(
                "wait_seconds",
                "wait_seconds works with speak_text, play_url or ask, whose calls this plugin's "
                "endpoint serves; with your own answer_url, read the call with get_call.",
            )
    else:
        answer_url = ""  # the signed endpoint URL, made when the call is placed
        if read.text(params, "hangup_url"):
            raise InputError(
                "hangup_url",
                "hangup_url: with speak_text, play_url or ask the plugin's endpoint receives the "
                "hangup (that is how the call's end is known); leave hangup_url empty.",
            )
    caller_id = _caller_id(params, default_sender, region)
    policy = RecipientPolicy(
        max_recipients=MAX_RECIPIENTS_LIMIT.read_int(params, "max_recipients"),
        allowed_countries=parse_allowed_countries(read.text(params, "allowed_countries")),
    )
    options = _options(params)
    parsed = parse_call_destinations(to, region)
    invalid = [_in_voice_words(entry) for entry in parsed.invalid]
    numbers = []
    for number in parsed.numbers:
        refused = outside_allowed(policy.allowed_countries, number, verb="call")
        if number == caller_id:
            invalid.append(InvalidRecipient(number, REASON_IS_SENDER))
        elif refused is not None:
            invalid.append(refused)
        else:
            numbers.append(number)
    sip_uris = list(parsed.sip_uris)
    if sip_uris and policy.allowed_countries:
        invalid.extend(InvalidRecipient(uri, REASON_SIP_COUNTRY) for uri in sip_uris)
        sip_uris = []
    destinations = (*numbers, *sip_uris)
    if not destinations:
        raise no_destination(
            invalid,
            frozenset(parsed.numbers) | frozenset(parsed.sip_uris),
            nothing="No call was placed",
            how_to_write="Write numbers in international format with the country code, e.g. "
            "+14155552671, or SIP URIs such as sip:alice@phone.plivo.com",
        )
    enforce_cap(len(destinations), policy, per="per request", nothing="no call was placed")
    if wait_seconds and len(destinations) > 1:
        raise InputError(
            "wait_seconds",
            f"wait_seconds waits for one call, but {len(destinations)} destinations were given; "
            "call them one at a time to wait for each answer, or set wait_seconds to 0.",
        )
    return CallPlan(
        caller_id=caller_id,
        destinations=destinations,
        invalid=tuple(invalid),
        answer_url=answer_url,
        answer_method=METHOD_CHOICE.read(params, "answer_method"),
        options=options,
        instructions=instructions,
        endpoint_base=base,
        wait_seconds=wait_seconds,
    )


def _instructions(params: Params) -> CallInstructions | None:
    """The speaking mode's instructions, None for ``answer_url``; exactly one mode is given."""
    given = [name for name in MODE_PARAMETERS if read.text(params, name)]
    if not given:
        raise InputError(
            "answer_url",
            "answer_url is required, or one of speak_text (text spoken to the callee), play_url "
            "(an mp3/wav file played) or ask (a question, then one answer is collected). "
            "answer_url is part of the tool's setup: if you are an assistant, tell the user.",
        )
    if len(given) > 1:
        raise InputError(
            given[1],
            f"Give exactly one of answer_url (your own Plivo XML), speak_text, play_url or ask; "
            f"{listed(given)} were given. No call was placed.",
        )
    mode = given[0]
    # Read in every mode, so a malformed value fails the node even where it would not be used.
    voice = _speech_setting(params, "voice", DEFAULT_VOICE)
    language = _speech_setting(params, "language", DEFAULT_LANGUAGE)
    input_type = INPUT_TYPE_CHOICE.read(params, "input_type").lower()
    record = read.boolean(params, "record", default=False)
    transcribe = read.boolean(params, "transcribe", default=False)
    if mode == "answer_url":
        return None
    instructions = CallInstructions(
        mode={"speak_text": "speak", "play_url": "play", "ask": "ask"}[mode],
        text=(read.text(params, mode) or "") if mode != "play_url" else "",
        play_url=http_url(read.text(params, "play_url") or "", "play_url", public=True)
        if mode == "play_url"
        else "",
        input_type=input_type,
        voice=voice,
        language=language,
        record=record,
        transcribe=record and transcribe,
    )
    example = "https://example.com/x"
    try:
        answer_xml(instructions, example, example)
    except ValueError as problem:
        parameter = next((name for name in ("voice", "language") if name in str(problem)), mode)
        raise InputError(parameter, f"{parameter}: {problem}. No call was placed.") from None
    return instructions


def _speech_setting(params: Params, name: str, default: str) -> str:
    """``voice`` or ``language``: a Plivo name such as WOMAN, Polly.Joanna or en-US."""
    value = read.text(params, name) or default
    try:
        xml.speak("x", **{name: value})
    except ValueError:
        raise InputError(
            name,
            f"{name}: {shorten(value, 40)!r} is not a Plivo {name}; use e.g. "
            f"{'WOMAN, MAN or Polly.Joanna' if name == 'voice' else 'en-US, en-GB or fr-FR'}.",
        ) from None
    return value


def _in_voice_words(entry: InvalidRecipient) -> InvalidRecipient:
    """Destinations are read as send_sms reads recipients; its SMS wording becomes a call's."""
    if entry.reason == REASON_EXTENSION:
        return InvalidRecipient(entry.input, REASON_EXTENSION_CALL)
    return entry


@dataclass(frozen=True)
class CallReport:
    plan: CallPlan
    request: CallRequest
    progress: call_answers.CallProgress | None = None  # what the wait learnt, if it waited


def place(client: PlivoClient, call_plan: CallPlan) -> CallReport:
    """The one request; a lost or failed answer is "outcome unknown", never a second call."""
    return CallReport(call_plan, make_call(client, call_plan.request_body()))


def signed_plan(
    call_plan: CallPlan,
    credentials: Credentials,
    store: KeyValueStore | None,
    *,
    now: float,
) -> tuple[CallPlan, str | None]:
    """A speaking mode's plan with its signed endpoint URLs, and the call id its answer is kept
    under; long instructions are stored first (one storage call)."""
    if call_plan.instructions is None or call_plan.endpoint_base is None:
        return call_plan, None
    signed = sign_call(call_plan.instructions, credentials.auth_id, credentials.auth_token, now=now)
    if signed.stored_key is not None or call_plan.wait_seconds:
        if store is None:
            raise InputError(
                "wait_seconds" if call_plan.wait_seconds else call_plan.instructions.mode,
                "This needs Dify's plugin storage, which this run does not have; shorten the "
                "text or set wait_seconds to 0.",
            )
        signed.keep(store)
    base = call_plan.endpoint_base
    callbacks = dict(call_plan.options.callbacks)
    callbacks["hangup"] = (signed.url(base, ROUTE_EVENT), "POST")
    options = dataclasses.replace(call_plan.options, callbacks=callbacks)
    answer = signed.url(base, ROUTE_ANSWER)
    return dataclasses.replace(call_plan, answer_url=answer, options=options), signed.call_id


def run(call: Invocation) -> ToolOutput:
    credentials = Credentials.from_mapping(call.credentials)
    call_plan = plan(call.parameters, credentials.default_sender, credentials.endpoint_url)
    call_plan, call_id = signed_plan(call_plan, credentials, call.storage, now=time.time())
    report = place(client_for(credentials), call_plan)
    if call_id is not None and call_plan.wait_seconds and call.storage is not None:
        progress = call_answers.wait_for(
            call.storage,
            credentials.auth_id,
            call_id,
            call_plan.wait_seconds,
            want_answer=call_plan.instructions is not None and call_plan.instructions.mode == "ask",
        )
        report = dataclasses.replace(report, progress=progress)
    return present(report)


# -- presentation ----------------------------------------------------------------------------


def summary(report: CallReport) -> str:
    destinations = report.plan.destinations
    count = plural(len(destinations), "call")
    line = (
        f"Plivo accepted {count} from {report.plan.caller_id} to {listed(destinations)} "
        f"(request UUID {listed(report.request.request_uuids, 3)})"
    )
    if report.plan.invalid:
        line += f"; {invalid_summary(report.plan.invalid)}"
    if report.plan.instructions is not None:
        return line + ". " + _speaking_summary(report, report.plan.instructions)
    return (
        line + f". The callee hears what {report.plan.answer_url} returns (the answer URL set "
        "in the tool's settings). The call UUID arrives in the answer and hangup callbacks "
        "(CallUUID); get_call and hangup_call take it. The request UUID cancels a call that "
        "has not started yet (hangup_call)."
    )


def _speaking_summary(report: CallReport, instructions: CallInstructions) -> str:
    heard = {
        "speak": "the callee hears speak_text",
        "play": "the callee hears the file at play_url",
        "ask": "the callee is asked the question and one answer is collected",
    }[instructions.mode]
    text = f"When the call is answered {heard}, served by this plugin's endpoint."
    progress = report.progress
    if progress is None:
        return text + " The tool did not wait (wait_seconds 0): the answer is not reported."
    if progress.answer is not None:
        text += f" The callee answered: {shorten(progress.answer, 200)!r}."
    elif instructions.mode == "ask":
        text += " No answer was given" + (
            " before the call ended."
            if progress.ended
            else f" within {report.plan.wait_seconds} s."
        )
    if progress.ended:
        text += f" The call ended ({progress.state}"
        text += f", {progress.duration} s)." if progress.duration is not None else ")."
    elif progress.answer is None:
        text += " The call had not ended when the wait was over; get_call tells its state."
    return text


def _call_result(report: CallReport) -> dict[str, object]:
    """answer, answered, state, call_uuid, duration: null when not known, when the tool did not
    wait, or with answer_url (the plugin does not see that call's XML)."""
    progress = report.progress
    if progress is None:
        return dict.fromkeys(("answer", "answered", "state", "call_uuid", "duration"))
    answered = progress.answered
    if answered is None and progress.ended:
        answered = False
    state = progress.state or ("in-progress" if progress.has_answer else None)
    return {
        "answer": progress.answer,
        "answered": answered,
        "state": state,
        "call_uuid": progress.call_uuid,
        "duration": progress.duration,
    }


def present(report: CallReport) -> ToolOutput:
    invalid = invalid_recipient_fields(report.plan.invalid)
    uuids = list(report.request.request_uuids)
    recipients = list(report.plan.destinations)
    data: dict[str, object] = {
        "request_uuids": uuids,
        "recipients": recipients,
        "invalid_recipients": invalid,
        "from": report.plan.caller_id,
        "answer_url": _shown_answer_url(report.plan),
        "api_id": report.request.api_id,
        **_call_result(report),
    }
    variables = {
        "request_uuid": uuids[0],
        "request_uuids": uuids,
        "recipients": recipients,
        "invalid_recipients": invalid,
        "answer_url": _shown_answer_url(report.plan),
        **_call_result(report),
    }
    return ToolOutput(summary(report), data, variables)


def _shown_answer_url(call_plan: CallPlan) -> str:
    """The answer URL without the signed instructions (they are the call's, not for display)."""
    if call_plan.instructions is None:
        return call_plan.answer_url
    return call_plan.answer_url.split("?", 1)[0]


__all__ = [
    "LIMITS",
    "REASON_EXTENSION_CALL",
    "CallOptions",
    "CallPlan",
    "CallReport",
    "place",
    "plan",
    "present",
    "run",
    "signed_plan",
]
