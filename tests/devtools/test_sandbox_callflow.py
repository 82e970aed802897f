# ruff: noqa: I001
"""The sandbox's call engine: scripted calls fetch their XML, follow it and call back like Plivo.

The receiver is a real local HTTP server serving Plivo XML; every request it gets is checked for
Plivo's V3 signature, so a flow that signs wrongly fails here.
"""

import dify_plugin  # noqa: F401  (gevent patching first, as in the suite's conftest)

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    CallScript,
    CallTimeline,
    Digits,
    PlivoSandbox,
    Silence,
    Speech,
    VoicePolicy,
)
from devtools.sandbox.callflow import VoiceRequester
from devtools.sandbox.signing import V3_HEADER, V3_NONCE_HEADER, v3_signature

TIMEOUT = 5
FROM = "14155550100"
TO = "14155550123"
UNANSWERED_TO = "14155552000"
FAST = CallTimeline(ring_after=0.02, answer_after=0.05, hangup_after=0.2)
QUICK_VOICE = VoicePolicy(connect_timeout=1.0, read_timeout=0.5)

Handler = Callable[[Request], str | Response]


@dataclass
class Receiver:
    """A local XML server: ``routes`` maps a path to what it answers; ``seen`` keeps requests."""

    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], bool]] = field(default_factory=list)
    server: BaseWSGIServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def app(self, environ: dict[str, object], start_response: object) -> object:
        request = Request(environ)
        params = dict(request.form) if request.method == "POST" else dict(request.args)
        signed = request.url if request.method == "GET" else request.base_url
        signature = v3_signature(
            request.method,
            signed,
            dict(request.form) if request.method == "POST" else None,
            request.headers.get(V3_NONCE_HEADER, ""),
            DEMO_AUTH_TOKEN,
        )
        valid = request.headers.get(V3_HEADER) == signature
        self.seen.append((request.method, request.path, params, valid))
        handler = self.routes.get(request.path)
        result: str | Response = "<Response/>" if handler is None else handler(request)
        response = (
            result
            if isinstance(result, Response)
            else Response(result, content_type="application/xml")
        )
        return response(environ, start_response)  # type: ignore[arg-type]

    def params(self, path: str) -> list[dict[str, str]]:
        return [params for _, seen_path, params, _ in self.seen if seen_path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = make_server("127.0.0.1", 0, receiver.app, threaded=True)
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    assert all(valid for *_, valid in receiver.seen), "a request was not signed like Plivo's"


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(call_timeline=FAST, voice_policy=QUICK_VOICE) as running:
        yield running


def place(sandbox: PlivoSandbox, receiver: Receiver, to: str = TO, **body: str) -> str:
    payload = {
        "from": FROM,
        "to": to,
        "answer_url": receiver.url("/answer"),
        "hangup_url": receiver.url("/hangup"),
        **body,
    }
    answer = requests.post(
        f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/Call/",
        json=payload,
        auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
        timeout=TIMEOUT,
    )
    assert answer.status_code == 201, answer.text
    return sandbox.call_for_request(answer.json()["request_uuid"]).call_uuid


def question(receiver: Receiver, input_type: str = "dtmf", **extra: str) -> str:
    attributes = "".join(f' {name}="{value}"' for name, value in extra.items())
    return (
        f'<Response><GetInput action="{receiver.url("/input")}" inputType="{input_type}"'
        f"{attributes}><Speak>Press 1 or say yes</Speak></GetInput>"
        "<Speak>We heard nothing</Speak></Response>"
    )


def test_an_answered_question_posts_the_digits_and_follows_the_answer(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/answer"] = lambda request: question(receiver)
    receiver.routes["/input"] = lambda request: "<Response><Speak>Thanks</Speak></Response>"
    sandbox.script_calls_to("+" + TO, CallScript(inputs=[Digits("1")]))

    call_uuid = place(sandbox, receiver)
    flow = sandbox.wait_for_call_flow(call_uuid)

    assert flow.heard == ["Press 1 or say yes", "Thanks"]
    [answer] = receiver.params("/answer")
    assert answer["CallUUID"] == call_uuid and answer["CallStatus"] == "in-progress"
    [posted] = receiver.params("/input")
    assert posted["InputType"] == "dtmf" and posted["Digits"] == "1"
    assert posted["CallUUID"] == call_uuid and posted["From"] == FROM and posted["To"] == TO
    assert posted["Direction"] == "outbound" and posted["CallStatus"] == "in-progress"
    [hangup] = receiver.params("/hangup")
    assert hangup["HangupCauseCode"] == "4010" and hangup["HangupSource"] == "Plivo"
    assert flow.end is not None and flow.end.cause_code == 4010
    assert sandbox.call_state(call_uuid) == "completed"


def test_silence_falls_through_and_speech_needs_a_speech_input(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/answer"] = lambda request: question(receiver)  # dtmf only
    sandbox.script_calls_to(TO, CallScript(inputs=[Speech("yes please", 0.8)]))

    flow = sandbox.wait_for_call_flow(place(sandbox, receiver))

    assert flow.heard == ["Press 1 or say yes", "We heard nothing"]
    assert [entry.details["type"] for entry in flow.inputs] == ["silence"]
    assert receiver.params("/input") == []


def test_speech_is_posted_with_its_confidence(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    receiver.routes["/answer"] = lambda request: question(receiver, "dtmf speech")
    sandbox.script_calls_to(TO, CallScript(inputs=[Speech("yes please", 0.8), Silence()]))

    sandbox.wait_for_call_flow(place(sandbox, receiver))

    [posted] = receiver.params("/input")
    assert posted["InputType"] == "speech"
    assert posted["Speech"] == "yes please" and posted["SpeechConfidenceScore"] == "0.8"
    assert "Digits" not in posted


def test_get_answer_method_sends_the_parameters_in_the_query(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/answer"] = lambda request: "<Response><Speak>Hi</Speak></Response>"
    sandbox.script_calls_to(TO, CallScript())

    call_uuid = place(sandbox, receiver, answer_method="GET")
    sandbox.wait_for_call_flow(call_uuid)

    [(method, _, params, _)] = [seen for seen in receiver.seen if seen[1] == "/answer"]
    assert method == "GET" and params["CallUUID"] == call_uuid


def test_hangup_redirect_dial_and_wait(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    receiver.routes["/answer"] = lambda request: (
        f'<Response><Wait length="2"/><Redirect>{receiver.url("/next")}</Redirect>'
        "<Speak>never</Speak></Response>"
    )
    receiver.routes["/next"] = lambda request: (
        "<Response><Dial><Number>14155550111</Number></Dial><Hangup/><Speak>never</Speak>"
        "</Response>"
    )
    sandbox.script_calls_to(TO, CallScript())

    flow = sandbox.wait_for_call_flow(place(sandbox, receiver))

    assert [entry.kind for entry in flow.entries] == ["wait", "redirect", "dial", "hangup"]
    assert flow.of_kind("dial")[0].text == "14155550111"
    [hangup] = receiver.params("/hangup")
    assert hangup["HangupCauseCode"] == "4000" and hangup["HangupSource"] == "Answer XML"


def test_whole_call_and_voicemail_recordings_reach_the_store_and_the_callbacks(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/answer"] = lambda request: (
        f'<Response><Record recordSession="true" callbackUrl="{receiver.url("/recorded")}"'
        f' transcriptionType="auto" transcriptionUrl="{receiver.url("/transcribed")}"/>'
        f'<Record action="{receiver.url("/message")}" maxLength="30"/></Response>'
    )
    receiver.routes["/message"] = lambda request: "<Response><Speak>Bye</Speak></Response>"
    script = CallScript(record_seconds=12, transcription="call me back")
    sandbox.script_calls_to(TO, script)

    call_uuid = place(sandbox, receiver)
    flow = sandbox.wait_for_call_flow(call_uuid)

    assert flow.heard == ["Bye"]
    recordings = sandbox.recordings.newest_first(DEMO_AUTH_ID)
    assert {r.call_uuid for r in recordings} == {call_uuid} and len(recordings) == 2
    [message] = receiver.params("/message")
    assert message["RecordingDuration"] == "12" and message["RecordUrl"].endswith(".mp3")
    [recorded] = receiver.params("/recorded")
    assert recorded["call_uuid"] == call_uuid and recorded["recording_id"]
    [transcribed] = receiver.params("/transcribed")
    assert transcribed["transcription"] == "call me back"
    session = sandbox.recordings.get(DEMO_AUTH_ID, recorded["recording_id"])
    assert session is not None and session.duration_ms is not None


def test_a_read_timeout_is_retried_once_and_a_5xx_is_not(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    def slow(request: Request) -> str:
        time.sleep(0.8)  # longer than QUICK_VOICE.read_timeout
        return "<Response/>"

    receiver.routes["/answer"] = slow
    sandbox.script_calls_to(TO, CallScript())
    flow = sandbox.wait_for_call_flow(place(sandbox, receiver))
    assert [r.attempt for r in flow.requests_for("answer")] == [1, 2]
    assert flow.end is not None and flow.end.source == "Error"

    receiver.routes["/broken"] = lambda request: Response("no", status=500)
    flow = sandbox.wait_for_call_flow(place(sandbox, receiver, answer_url=receiver.url("/broken")))
    assert [r.status for r in flow.requests_for("answer")] == [500]


def test_a_url_fragment_sets_the_retries_and_a_failing_answer_url_uses_the_fallback(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/broken"] = lambda request: Response("no", status=500)
    receiver.routes["/fallback"] = lambda request: "<Response><Speak>Sorry</Speak></Response>"
    sandbox.script_calls_to(TO, CallScript())

    call_uuid = place(
        sandbox,
        receiver,
        answer_url=receiver.url("/broken") + "#rc=2&rp=5xx",
        fallback_url=receiver.url("/fallback"),
    )
    flow = sandbox.wait_for_call_flow(call_uuid)

    assert [r.attempt for r in flow.requests_for("answer")] == [1, 2, 3]
    assert flow.heard == ["Sorry"]


def test_a_policy_reads_plivos_fragment_settings() -> None:
    policy = VoicePolicy().for_url("https://x.example/a#ct=500&rt=3000&rc=0&rp=4xx,5xx&er=us")
    assert policy == VoicePolicy(connect_timeout=0.5, read_timeout=3.0, retries=0,
                                 retry_on=("4xx", "5xx"))  # fmt: skip
    assert VoicePolicy().for_url("https://x.example/a#rt=abc") == VoicePolicy()
    assert VoiceRequester(VoicePolicy()).policy.read_timeout == 40.0


def test_an_unanswered_scripted_call_only_reports_its_hangup(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    sandbox.script_calls_to(UNANSWERED_TO, CallScript(inputs=[Digits("1")]))

    flow = sandbox.wait_for_call_flow(place(sandbox, receiver, to=UNANSWERED_TO))

    assert receiver.params("/answer") == [] and flow.entries == ()
    [hangup] = receiver.params("/hangup")
    assert hangup["HangupCauseCode"] == "2000"


def test_an_api_hangup_stops_the_flow_without_a_second_hangup_callback(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    gate = threading.Event()

    def waits(request: Request) -> str:
        gate.wait(TIMEOUT)
        return f"<Response><Redirect>{receiver.url('/next')}</Redirect></Response>"

    receiver.routes["/answer"] = waits
    sandbox.script_calls_to(TO, CallScript())
    call_uuid = place(sandbox, receiver)
    deadline = time.monotonic() + TIMEOUT
    while not receiver.params("/answer") and time.monotonic() < deadline:
        time.sleep(0.01)
    hung_up = requests.delete(
        f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/Call/{call_uuid}/",
        auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
        timeout=TIMEOUT,
    )
    assert hung_up.status_code == 204
    gate.set()

    flow = sandbox.wait_for_call_flow(call_uuid)

    assert receiver.params("/next") == []
    assert flow.end is not None and flow.end.source == "API Request"
    assert flow.requests_for("hangup") == []  # the API hangup sent it, once
    sandbox.wait_for_webhooks(1, kind="hangup")


def test_an_inbound_call_with_a_script_follows_the_xml(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.routes["/answer"] = lambda request: question(receiver)
    receiver.routes["/input"] = lambda request: "<Response><Speak>Got it</Speak></Response>"

    call = sandbox.start_inbound_call(
        from_number="+14155550124",
        to_number="+" + FROM,
        answer_url=receiver.url("/answer"),
        hangup_url=receiver.url("/hangup"),
        script=CallScript(inputs=[Digits("42#")]),
    )
    flow = sandbox.wait_for_call_flow(call.call_uuid)

    assert flow.direction == "inbound" and flow.heard[-1] == "Got it"
    [posted] = receiver.params("/input")
    assert posted["Digits"] == "42" and posted["Direction"] == "inbound"
    [answer] = receiver.params("/answer")
    assert answer["CallStatus"] == "ringing"
    assert len(receiver.params("/hangup")) == 1
    sandbox.reset()
    assert sandbox.call_flows == []


def test_a_script_takes_only_typed_inputs() -> None:
    with pytest.raises(TypeError):
        CallScript(inputs=["1"])  # type: ignore[list-item]
    assert CallScript(inputs=[Speech("a"), Digits("1"), Speech("b")]).transcription_text() == "a b"
