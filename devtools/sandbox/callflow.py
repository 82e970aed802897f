"""The call flow of an answered call: the sandbox fetching Plivo XML and doing what it says.

When a call that has a :class:`CallScript` is answered (an outbound call to a number scripted
with ``PlivoSandbox.script_calls_to``, or ``start_inbound_call(..., script=...)``), the sandbox
acts as Plivo's call engine (https://www.plivo.com/docs/voice/xml/request):

- it fetches the answer URL with the call's parameters, signed like every Plivo callback (V3 and
  V2 headers, see ``signing``): a form POST, or a GET with the parameters in the query when the
  call asked for ``answer_method=GET``;
- it runs the ``<Response>`` top to bottom: ``<Speak>`` and ``<Play>`` are written to the call's
  transcript (what the person on the phone heard); ``<GetInput>``/``<GetDigits>`` consume the next
  scripted input (:class:`Digits`, :class:`Speech` or :class:`Silence`) and post it to the
  ``action`` URL (``InputType``, ``Digits`` or ``Speech`` with ``SpeechConfidenceScore``, plus the
  call's ``CallUUID, From, To, CallStatus, Direction``), following the XML it answers while
  ``redirect`` is true (Plivo's default); silence (or an input the element does not listen for)
  falls through to the next element; ``<Record recordSession="true">`` records the rest of the
  call in the background, a plain ``<Record>`` records a message of the script's
  ``record_seconds`` and posts ``RecordUrl, RecordingDuration, RecordingDurationMs,
  RecordingStartMs, RecordingEndMs, RecordingID`` to its action; each recording is kept in the
  sandbox's recording store, its ``callbackUrl`` receives ``record_url, recording_id,
  recording_duration, recording_duration_ms, recording_start_ms, recording_end_ms`` and, when a
  transcription was asked for, its ``transcriptionUrl`` receives ``transcription,
  transcription_charge, transcription_rate, duration, call_uuid, recording_id, error``;
  ``<Dial>`` is written down as a transfer (nobody is rung), ``<Redirect>`` fetches the next
  document, ``<Wait>`` is written down (the sandbox does not sleep), ``<Hangup>`` ends the call;
- when the XML runs out the call ends with 4010 "End Of XML Instructions" (source Plivo); a
  ``<Hangup>`` ends it with 4000 "Normal Hangup" (source "Answer XML")
  (https://www.plivo.com/docs/voice/troubleshooting/hangup-causes); the hangup URL then receives
  the usual ``Event=Hangup`` parameters.

Timeouts and retries follow Plivo's voice callbacks
(https://plivo.com/docs/voice/concepts/callback-configurations): each request may take
:attr:`VoicePolicy.connect_timeout` to connect (Plivo: 2 s) and :attr:`VoicePolicy.read_timeout`
to answer (Plivo: 40 s), and is retried :attr:`VoicePolicy.retries` times (Plivo: once) after a
connection failure or a read timeout only; a URL fragment such as ``#ct=500&rt=3000&rc=0&rp=5xx``
overrides these per URL, as on Plivo (``tt`` and ``er`` are accepted and ignored). So a slow
answer arrives twice, as it would from Plivo. An answer URL that fails (no answer, a non-2xx
status or invalid XML) is replaced by the call's ``fallback_url`` when it has one, else the call
ends; a failing action or redirect URL ends the call. Those error ends report cause 0 "Unknown"
from source "Error": which code Plivo gives them is not documented where the sandbox looked.

Parameter names of the GetInput action and of the transcription callback are as Plivo's XML
pages describe them but were not confirmed against live traffic.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import requests

from devtools.sandbox.signing import signature_headers
from devtools.sandbox.state import SandboxState
from devtools.sandbox.voice import CallEnd, StoredCall

logger = logging.getLogger("devtools.sandbox")

PLIVO_CONNECT_TIMEOUT = 2.0
PLIVO_READ_TIMEOUT = 40.0
PLIVO_VOICE_RETRIES = 1
PLIVO_RETRY_ON = ("ct", "rt")
RETRY_CONDITIONS = ("ct", "rt", "4xx", "5xx", "all")
MAX_DOCUMENTS = 100  # redirects and action answers one call may follow: stops endless loops
ANSWER_PREVIEW_CHARS = 4096
USER_AGENT = "PlivoSandbox/1.0"
DEFAULT_RECORD_SECONDS = 5
DEFAULT_RECORD_MAX_LENGTH = 60  # <Record maxLength> default
TRANSCRIPTION_RATE = "0.05000"  # USD per minute, as the recording store's transcriptions

END_OF_XML = CallEnd(4010, "End Of XML Instructions", "Plivo", "completed", "NORMAL_CLEARING")
XML_HANGUP = CallEnd(4000, "Normal Hangup", "Answer XML", "completed", "NORMAL_CLEARING")
FLOW_ERROR = CallEnd(0, "Unknown", "Error", "completed", "NORMAL_TEMPORARY_FAILURE")


# -- What the person on the phone does ---------------------------------------------------------


@dataclass(frozen=True)
class Digits:
    """Keys pressed on the keypad, e.g. ``Digits("1")`` or ``Digits("4711#")``."""

    digits: str


@dataclass(frozen=True)
class Speech:
    """Words spoken, as Plivo's speech recognition returns them, with its confidence (0-1)."""

    text: str
    confidence: float = 0.9


@dataclass(frozen=True)
class Silence:
    """Nothing entered before the input times out: Plivo goes on with the next element."""


ScriptedInput = Digits | Speech | Silence


@dataclass(frozen=True)
class CallScript:
    """What the callee (outbound) or caller (inbound) does, one input per ``<GetInput>``.

    ``inputs`` are used in order; once used up, every further input is :class:`Silence`.
    ``record_seconds`` is the length of a message left at a voicemail-style ``<Record>``;
    ``transcription`` the text a requested transcription returns (default: the words spoken in
    ``inputs``). Whether the call is answered at all is the destination's magic-number rule
    (``voice``): a scripted call to ``...2000`` still rings out unanswered.
    """

    inputs: Sequence[ScriptedInput] = ()
    record_seconds: int = DEFAULT_RECORD_SECONDS
    transcription: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        for item in self.inputs:
            if not isinstance(item, Digits | Speech | Silence):
                raise TypeError("CallScript inputs must be Digits, Speech or Silence")
        if self.record_seconds < 0:
            raise ValueError("record_seconds must not be negative")

    def transcription_text(self) -> str:
        if self.transcription is not None:
            return self.transcription
        return " ".join(item.text for item in self.inputs if isinstance(item, Speech))


# -- What happened on the call ------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptEntry:
    """One thing that happened: ``kind`` is speak, play, input, record, dial, wait, dtmf,
    hangup, unsupported or error; ``text`` what was said, played (its URL), entered, dialled,
    or why it failed; ``details`` the element's attributes and other facts."""

    kind: str
    text: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FlowRequest:
    """One request the call engine made (each retry is its own entry)."""

    purpose: str  # answer, fallback, action, redirect, record_action, recording, transcription,
    # hangup
    method: str
    url: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    attempt: int
    status: int | None
    answer: str
    error: str | None
    elapsed: float


@dataclass(frozen=True)
class CallFlowRecord:
    """The call's flow so far; ``finished`` once it has ended and its callbacks were sent."""

    call_uuid: str
    direction: str
    script: CallScript
    entries: tuple[TranscriptEntry, ...] = ()
    requests: tuple[FlowRequest, ...] = ()
    finished: bool = False
    end: CallEnd | None = None

    @property
    def heard(self) -> list[str]:
        """What was spoken (the text) and played (the URL), in order."""
        return [entry.text for entry in self.entries if entry.kind in ("speak", "play")]

    @property
    def inputs(self) -> list[TranscriptEntry]:
        return [entry for entry in self.entries if entry.kind == "input"]

    def of_kind(self, kind: str) -> list[TranscriptEntry]:
        return [entry for entry in self.entries if entry.kind == kind]

    def requests_for(self, purpose: str) -> list[FlowRequest]:
        return [request for request in self.requests if request.purpose == purpose]


@dataclass(frozen=True)
class VoicePolicy:
    """Timeouts and retries of the voice callbacks (Plivo's defaults; shrink them in tests)."""

    connect_timeout: float = PLIVO_CONNECT_TIMEOUT
    read_timeout: float = PLIVO_READ_TIMEOUT
    retries: int = PLIVO_VOICE_RETRIES
    retry_on: tuple[str, ...] = PLIVO_RETRY_ON

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("VoicePolicy timeouts must be positive")
        if not 0 <= self.retries <= 5:
            raise ValueError("VoicePolicy.retries must be 0-5 (Plivo's rc)")
        unknown = set(self.retry_on) - set(RETRY_CONDITIONS)
        if unknown:
            raise ValueError(f"VoicePolicy.retry_on: unknown conditions {sorted(unknown)}")

    def for_url(self, url: str) -> VoicePolicy:
        """This policy with the URL fragment's ``ct``, ``rt``, ``rc`` and ``rp`` applied."""
        _, _, fragment = url.partition("#")
        if not fragment:
            return self
        settings = {name: values[-1] for name, values in parse_qs(fragment).items()}
        changes: dict[str, object] = {}
        try:
            if "ct" in settings:
                changes["connect_timeout"] = _bounded_ms(settings["ct"], 100, 10_000)
            if "rt" in settings:
                changes["read_timeout"] = _bounded_ms(settings["rt"], 100, 40_000)
            if "rc" in settings:
                changes["retries"] = min(5, max(0, int(settings["rc"])))
            if "rp" in settings:
                changes["retry_on"] = tuple(
                    part for part in settings["rp"].split(",") if part in RETRY_CONDITIONS
                )
        except ValueError:
            return self  # Plivo ignores settings it cannot read; so does the sandbox
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _bounded_ms(text: str, low: int, high: int) -> float:
    return min(high, max(low, int(text))) / 1000


# -- The engine ---------------------------------------------------------------------------------


class _CallEnded(Exception):
    """The call ended (XML Hangup, an error, or an API hangup seen between elements)."""

    def __init__(self, end: CallEnd | None) -> None:
        super().__init__("call ended")
        self.end = end


class CallFlows:
    """Scripts per destination number and per call, and the flow record of every call."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._by_number: dict[str, CallScript] = {}
        self._by_call: dict[str, CallScript] = {}
        self._records: dict[str, CallFlowRecord] = {}

    def script_number(self, number: str, script: CallScript | None) -> None:
        with self._changed:
            if script is None:
                self._by_number.pop(number, None)
            else:
                self._by_number[number] = script

    def script_call(self, call_uuid: str, script: CallScript) -> None:
        with self._changed:
            self._by_call[call_uuid] = script

    def script_for(self, call: StoredCall) -> CallScript | None:
        """The call's own script, else (outbound) the script of the number it rings."""
        with self._changed:
            script = self._by_call.get(call.call_uuid)
            if script is None and call.direction == "outbound":
                script = self._by_number.get(call.to_number)
            return script

    def begin(self, call: StoredCall, script: CallScript) -> None:
        with self._changed:
            self._records[call.call_uuid] = CallFlowRecord(call.call_uuid, call.direction, script)
            self._changed.notify_all()

    def update(self, call_uuid: str, **changes: object) -> None:
        with self._changed:
            record = self._records.get(call_uuid)
            if record is None:
                return
            self._records[call_uuid] = dataclasses.replace(record, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()

    def add_entry(self, call_uuid: str, entry: TranscriptEntry) -> None:
        with self._changed:
            record = self._records.get(call_uuid)
            if record is not None:
                self._records[call_uuid] = dataclasses.replace(
                    record, entries=(*record.entries, entry)
                )
                self._changed.notify_all()

    def add_request(self, call_uuid: str, request: FlowRequest) -> None:
        with self._changed:
            record = self._records.get(call_uuid)
            if record is not None:
                self._records[call_uuid] = dataclasses.replace(
                    record, requests=(*record.requests, request)
                )
                self._changed.notify_all()

    def record(self, call_uuid: str) -> CallFlowRecord:
        with self._changed:
            return self._records[call_uuid]

    def records(self) -> list[CallFlowRecord]:
        with self._changed:
            return list(self._records.values())

    def wait(self, call_uuid: str, timeout: float) -> CallFlowRecord:
        """The record once the flow has finished; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                record = self._records.get(call_uuid)
                if record is not None and record.finished:
                    return record
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"call flow {call_uuid} not finished within {timeout} s")
                self._changed.wait(remaining)

    def reset(self) -> None:
        with self._changed:
            self._by_number.clear()
            self._by_call.clear()
            self._records.clear()
            self._changed.notify_all()


class VoiceRequester:
    """Signed voice-callback requests with Plivo's voice timeouts and retries."""

    def __init__(self, policy: VoicePolicy) -> None:
        self.policy = policy

    def request(
        self,
        purpose: str,
        method: str,
        url: str,
        params: Mapping[str, str],
        auth_token: str,
    ) -> list[FlowRequest]:
        """Every attempt, the last one deciding; never raises for HTTP or transport trouble."""
        policy = self.policy.for_url(url)
        address = url.partition("#")[0]
        method = method.upper() if method.upper() in ("GET", "POST") else "POST"
        attempts: list[FlowRequest] = []
        for number in range(1, policy.retries + 2):
            attempt = self._attempt(purpose, method, address, params, auth_token, policy, number)
            attempts.append(attempt)
            if not _should_retry(attempt, policy):
                break
        return attempts

    def _attempt(
        self,
        purpose: str,
        method: str,
        address: str,
        params: Mapping[str, str],
        auth_token: str,
        policy: VoicePolicy,
        number: int,
    ) -> FlowRequest:
        if method == "GET" and params:
            target = address + ("&" if "?" in address else "?") + urlencode(params)
            headers = signature_headers("GET", target, {}, auth_token)
        else:
            target = address
            headers = signature_headers("POST", target, params, auth_token)
        status: int | None = None
        answer, error = "", None
        clock = time.monotonic()
        try:
            with requests.Session() as session:
                session.trust_env = False  # never through a proxy from the environment
                response = session.request(
                    method,
                    target,
                    data=dict(params) if method == "POST" else None,
                    headers={**headers, "User-Agent": USER_AGENT},
                    timeout=(policy.connect_timeout, policy.read_timeout),
                    allow_redirects=False,
                )
                status, answer = response.status_code, response.text[:ANSWER_PREVIEW_CHARS]
        except requests.ConnectTimeout as failure:
            error = f"ct: {type(failure).__name__}"
        except requests.ReadTimeout as failure:
            error = f"rt: {type(failure).__name__}"
        except requests.ConnectionError as failure:
            error = f"ct: {type(failure).__name__}"
        except requests.RequestException as failure:
            error = f"{type(failure).__name__}: {failure}"
        return FlowRequest(
            purpose=purpose,
            method=method,
            url=target,
            params=dict(params),
            headers=headers,
            attempt=number,
            status=status,
            answer=answer,
            error=error,
            elapsed=time.monotonic() - clock,
        )


def _should_retry(attempt: FlowRequest, policy: VoicePolicy) -> bool:
    wanted = set(policy.retry_on)
    if "all" in wanted:
        return attempt.status is None or not 200 <= attempt.status < 300
    if attempt.status is None:
        kind = (attempt.error or "").partition(":")[0]
        return kind in wanted
    return (400 <= attempt.status < 500 and "4xx" in wanted) or (
        attempt.status >= 500 and "5xx" in wanted
    )


def _succeeded(attempts: Sequence[FlowRequest]) -> FlowRequest | None:
    last = attempts[-1] if attempts else None
    if last is None or last.status is None or not 200 <= last.status < 300:
        return None
    return last


EventParams = Callable[[StoredCall, str, float], dict[str, str]]


@dataclass
class _Flow:
    """One running call flow: the call, its script, the Auth Token that signs its requests."""

    call: StoredCall
    script: CallScript
    auth_token: str
    next_input: int = 0
    documents: int = 0
    session_recordings: list[tuple[str, ElementTree.Element]] = field(default_factory=list)

    def take_input(self) -> ScriptedInput:
        if self.next_input >= len(self.script.inputs):
            return Silence()
        item = self.script.inputs[self.next_input]
        self.next_input += 1
        return item


class CallFlowEngine:
    """Runs the flow of answered calls that have a script (see the module docstring)."""

    def __init__(
        self,
        state: SandboxState,
        flows: CallFlows,
        requester: VoiceRequester,
        event_params: EventParams,
    ) -> None:
        self.state = state
        self.flows = flows
        self.requester = requester
        self.event_params = event_params

    # Life cycle ---------------------------------------------------------------------------

    def run(self, call_uuid: str) -> None:
        """The call has been answered: fetch its answer URL and follow the XML to the end."""
        call = self.state.calls().get(call_uuid)
        if call is None:
            return
        account = self.state.account(call.account)
        if account is None:
            return
        flow = _Flow(call, self.flows.record(call_uuid).script, account.auth_token)
        end: CallEnd | None = END_OF_XML
        try:
            self._ensure_live(flow)
            elements = self._answer_document(flow)
            self._run(flow, elements)
        except _CallEnded as ended:
            end = ended.end
        self._finish(flow, end)

    def ring_out(self, call_uuid: str) -> None:
        """An unanswered call has ended: its hangup URL hears why, and its flow is closed."""
        call = self.state.calls().get(call_uuid)
        account = None if call is None else self.state.account(call.account)
        if call is None or account is None:
            return
        flow = _Flow(call, self.flows.record(call_uuid).script, account.auth_token)
        if call.hangup_url and call.hangup is None:  # an API cancel has reported it already
            params = self.event_params(call, "Hangup", time.time())
            self._request(flow, "hangup", call.hangup_method, call.hangup_url, params)
        ending = call.ending(self.state.call_timeline)
        self.flows.update(call_uuid, finished=True, end=ending[1] if ending else None)

    def _finish(self, flow: _Flow, end: CallEnd | None) -> None:
        ended = None if end is None else self.state.end_call(flow.call.call_uuid, end)
        if ended is not None and ended.hangup_url:
            params = self.event_params(ended, "Hangup", time.time())
            self._request(flow, "hangup", ended.hangup_method, ended.hangup_url, params)
        final = self.state.calls().get(flow.call.call_uuid, flow.call)
        self._send_session_recordings(flow)
        outcome = final.ending(self.state.call_timeline)
        self.flows.update(flow.call.call_uuid, finished=True, end=outcome[1] if outcome else end)

    def _ensure_live(self, flow: _Flow) -> None:
        current = self.state.calls().get(flow.call.call_uuid)
        if current is None:
            raise _CallEnded(None)
        if current.state_at(time.time(), self.state.call_timeline).state == "completed":
            raise _CallEnded(None)  # hung up via the API, which has sent the hangup callback

    # Documents ----------------------------------------------------------------------------

    def _answer_document(self, flow: _Flow) -> list[ElementTree.Element]:
        call = flow.call
        params = self.event_params(call, "StartApp", time.time())
        elements = self._document(flow, "answer", call.answer_method, call.answer_url, params)
        if elements is not None:
            return elements
        fallback = call.options.get("fallback_url")
        if isinstance(fallback, str) and fallback:
            method = str(call.options.get("fallback_method", "POST"))
            elements = self._document(flow, "fallback", method, fallback, params)
            if elements is not None:
                return elements
        raise _CallEnded(FLOW_ERROR)

    def _document(
        self,
        flow: _Flow,
        purpose: str,
        method: str,
        url: str,
        params: Mapping[str, str],
    ) -> list[ElementTree.Element] | None:
        """The elements the URL answers, or None (written to the transcript) when it fails."""
        flow.documents += 1
        if flow.documents > MAX_DOCUMENTS:
            self._note(flow, "error", f"more than {MAX_DOCUMENTS} documents on one call")
            raise _CallEnded(FLOW_ERROR)
        answer = _succeeded(self._request(flow, purpose, method, url, params))
        if answer is None:
            self._note(flow, "error", f"{purpose} URL failed", url=url)
            return None
        try:
            return parse_response(answer.answer)
        except ValueError as problem:
            self._note(flow, "error", f"{purpose} URL answered {problem}", url=url)
            return None

    def _follow(
        self, flow: _Flow, purpose: str, method: str, url: str, params: Mapping[str, str]
    ) -> list[ElementTree.Element]:
        elements = self._document(flow, purpose, method, url, params)
        if elements is None:
            raise _CallEnded(FLOW_ERROR)
        return elements

    def _request(
        self, flow: _Flow, purpose: str, method: str, url: str, params: Mapping[str, str]
    ) -> list[FlowRequest]:
        attempts = self.requester.request(purpose, method, url, params, flow.auth_token)
        for attempt in attempts:
            self.flows.add_request(flow.call.call_uuid, attempt)
        return attempts

    def _call_params(self, flow: _Flow) -> dict[str, str]:
        params = self.event_params(flow.call, "StartApp", time.time())
        params.pop("Event", None)
        return params | {"CallStatus": "in-progress"}

    # Elements -----------------------------------------------------------------------------

    def _run(self, flow: _Flow, elements: list[ElementTree.Element]) -> None:
        queue = list(elements)
        while queue:
            element = queue.pop(0)
            self._ensure_live(flow)
            replacement = self._element(flow, element)
            if replacement is not None:
                queue = replacement

    def _element(
        self, flow: _Flow, element: ElementTree.Element
    ) -> list[ElementTree.Element] | None:
        """Run one element; a new document's elements when the call continues elsewhere."""
        tag = element.tag
        if tag in ("Speak", "Play"):
            self._output(flow, element)
        elif tag in ("GetInput", "GetDigits"):
            return self._input(flow, element)
        elif tag == "Record":
            return self._record(flow, element)
        elif tag == "Dial":
            numbers = [_text(child) for child in element if child.tag in ("Number", "User")]
            self._note(flow, "dial", ", ".join(numbers), **element.attrib)
        elif tag == "Redirect":
            method = element.get("method", "POST")
            self._note(flow, "redirect", _text(element))
            return self._follow(flow, "redirect", method, _text(element), self._call_params(flow))
        elif tag == "Hangup":
            self._note(flow, "hangup", element.get("reason", ""), **element.attrib)
            raise _CallEnded(XML_HANGUP)
        elif tag == "Wait":
            self._note(flow, "wait", element.get("length", "1"), **element.attrib)
        elif tag == "DTMF":
            self._note(flow, "dtmf", _text(element))
        else:
            self._note(flow, "unsupported", tag, **element.attrib)
        return None

    def _output(self, flow: _Flow, element: ElementTree.Element) -> None:
        kind = "speak" if element.tag == "Speak" else "play"
        self._note(flow, kind, _text(element), **element.attrib)

    def _input(self, flow: _Flow, element: ElementTree.Element) -> list[ElementTree.Element] | None:
        for prompt in element:
            if prompt.tag in ("Speak", "Play"):
                self._output(flow, prompt)
        listens = (
            ("dtmf",) if element.tag == "GetDigits" else element.get("inputType", "dtmf").split()
        )
        given = flow.take_input()
        params: dict[str, str]
        if isinstance(given, Digits) and "dtmf" in listens:
            digits = _typed_digits(given.digits, element)
            params = {"Digits": digits}
            if element.tag == "GetInput":
                params = {"InputType": "dtmf", **params}
            self._note(flow, "input", digits, type="dtmf")
        elif isinstance(given, Speech) and "speech" in listens:
            params = {
                "InputType": "speech",
                "Speech": given.text,
                "SpeechConfidenceScore": f"{given.confidence:g}",
            }
            self._note(flow, "input", given.text, type="speech", confidence=f"{given.confidence}")
        else:
            self._note(flow, "input", "", type="silence")
            return None  # nothing detected: Plivo goes on with the next element
        action = _text_attr(element, "action")
        if not action:
            return None
        method = element.get("method", "POST")
        params = self._call_params(flow) | params
        if _flag(element, "redirect", True):
            return self._follow(flow, "action", method, action, params)
        self._request(flow, "action", method, action, params)
        return None

    # Recordings ---------------------------------------------------------------------------

    def _record(
        self, flow: _Flow, element: ElementTree.Element
    ) -> list[ElementTree.Element] | None:
        call = flow.call
        store = self.state.recordings
        file_format = element.get("fileFormat", "mp3")
        file_format = file_format if file_format in ("mp3", "wav") else "mp3"
        transcript = flow.script.transcription_text() if element.get("transcriptionType") else None
        if _flag(element, "recordSession", False):
            recording = store.start_recording(
                call.account,
                call.call_uuid,
                recording_format=file_format,
                transcript=transcript,
                from_number=call.from_number,
                to_number=call.to_number,
            )
            flow.session_recordings.append((recording.recording_id, element))
            self._note(flow, "record", "session", recording_id=recording.recording_id)
            return None
        max_length = _int_attr(element, "maxLength", DEFAULT_RECORD_MAX_LENGTH)
        seconds = max(0, min(flow.script.record_seconds, max_length))
        recording = store.add_recording(
            call.account,
            call.call_uuid,
            seconds * 1000,
            transcript=transcript,
            recording_format=file_format,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        self._note(flow, "record", f"{seconds} s", recording_id=recording.recording_id)
        self._recording_callbacks(flow, recording.recording_id, element)
        action = _text_attr(element, "action")
        if not action:
            return None
        start_ms = int(recording.started * 1000)
        duration_ms = seconds * 1000
        params = self._call_params(flow) | {
            "RecordUrl": recording.recording_url,
            "RecordingDuration": str(seconds),
            "RecordingDurationMs": str(duration_ms),
            "RecordingStartMs": str(start_ms),
            "RecordingEndMs": str(start_ms + duration_ms),
            "RecordingID": recording.recording_id,
        }
        method = element.get("method", "POST")
        if _flag(element, "redirect", True):
            return self._follow(flow, "record_action", method, action, params)
        self._request(flow, "record_action", method, action, params)
        return None

    def _send_session_recordings(self, flow: _Flow) -> None:
        if not flow.session_recordings:
            return
        self.state.recordings.stop_recordings(flow.call.account, flow.call.call_uuid)
        for recording_id, element in flow.session_recordings:
            self._recording_callbacks(flow, recording_id, element)

    def _recording_callbacks(
        self, flow: _Flow, recording_id: str, element: ElementTree.Element
    ) -> None:
        recording = self.state.recordings.get(flow.call.account, recording_id)
        if recording is None:
            return
        duration_ms = recording.duration_at(time.time())
        start_ms = int(recording.started * 1000)
        callback = _text_attr(element, "callbackUrl")
        if callback:
            params = {
                "api_id": str(uuid.uuid4()),
                "call_uuid": flow.call.call_uuid,
                "record_url": recording.recording_url,
                "recording_id": recording.recording_id,
                "recording_duration": str(round(duration_ms / 1000)),
                "recording_duration_ms": str(duration_ms),
                "recording_start_ms": str(start_ms),
                "recording_end_ms": str(start_ms + duration_ms),
            }
            method = element.get("callbackMethod", "POST")
            self._request(flow, "recording", method, callback, params)
        transcription_url = _text_attr(element, "transcriptionUrl")
        if transcription_url and recording.transcript is not None:
            minutes = max(1, -(-duration_ms // 60_000))
            charge = float(TRANSCRIPTION_RATE) * minutes
            params = {
                "call_uuid": flow.call.call_uuid,
                "recording_id": recording.recording_id,
                "transcription": recording.transcript,
                "transcription_charge": f"{charge:.5f}",
                "transcription_rate": TRANSCRIPTION_RATE,
                "duration": str(round(duration_ms / 1000)),
                "error": "",
            }
            method = element.get("transcriptionMethod", "POST")
            self._request(flow, "transcription", method, transcription_url, params)

    def _note(self, flow: _Flow, kind: str, text: str, **details: str) -> None:
        self.flows.add_entry(flow.call.call_uuid, TranscriptEntry(kind, text, details))


def _typed_digits(digits: str, element: ElementTree.Element) -> str:
    """The digits Plivo reports: up to ``finishOnKey`` (default #), at most ``numDigits``."""
    finish = element.get("finishOnKey", "#")
    typed = digits.split(finish, 1)[0] if finish else digits
    limit = _int_attr(element, "numDigits", 0)
    return typed[:limit] if limit > 0 else typed


def _int_attr(element: ElementTree.Element, name: str, default: int) -> int:
    value = (element.get(name) or "").strip()
    return int(value) if value.isdigit() else default


def _text_attr(element: ElementTree.Element, name: str) -> str:
    return (element.get(name) or "").strip()


def parse_response(text: str) -> list[ElementTree.Element]:
    """The elements of a ``<Response>`` document; ValueError when it is not one."""
    try:
        # The documents come from the plugin under test on this machine, not from strangers.
        root = ElementTree.fromstring(text.strip())  # noqa: S314
    except ElementTree.ParseError as failure:
        raise ValueError(f"invalid XML: {failure}") from None
    if root.tag != "Response":
        raise ValueError(f"the root element is <{root.tag}>, not <Response>")
    return list(root)


def _flag(element: ElementTree.Element, name: str, default: bool) -> bool:
    value = element.get(name)
    return default if value is None else value.strip().lower() == "true"


def _text(element: ElementTree.Element) -> str:
    return (element.text or "").strip()


__all__ = [
    "END_OF_XML",
    "FLOW_ERROR",
    "XML_HANGUP",
    "CallFlowEngine",
    "CallFlowRecord",
    "CallFlows",
    "CallScript",
    "Digits",
    "FlowRequest",
    "ScriptedInput",
    "Silence",
    "Speech",
    "TranscriptEntry",
    "VoicePolicy",
    "VoiceRequester",
    "parse_response",
]
