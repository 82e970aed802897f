"""The phone assistant end to end: the sandbox places an inbound call the way Plivo does (signed
answer-URL fetch, GetInput actions with the caller's scripted speech, redirects, the hangup
callback, Plivo's voice timeouts and retry) to ``DifyEndpointFront``, which hands each request
to the plugin process under the stand-in daemon; the apps are stand-in Dify apps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devtools.daemon import StandInApp, StandInDaemon
from devtools.endpoint_front import DifyEndpointFront
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, VoicePolicy
from devtools.sandbox.callflow import CallScript, Silence, Speech
from devtools.sandbox.signing import signature_headers
from plivo_api.inbound.calls import phrases

pytestmark = pytest.mark.e2e

OURS, CALLER, PERSON = "+14155550199", "+14155552671", "+14155550123"
GREETING = "Hello, Acme Clinic. How can I help?"
FLOW_SECONDS = 60.0


@pytest.fixture(scope="module")
def daemon(sandbox_server: Any) -> Iterator[StandInDaemon]:
    env = {"PLIVO_API_BASE_URL": sandbox_server.url}
    with StandInDaemon(env=env) as running:
        yield running
    assert not running.stdout_noise, running.stdout_noise[:5]


@pytest.fixture
def plivo(sandbox: Any) -> Iterator[Any]:
    """The sandbox with its voice policy restored after the test."""
    policy = sandbox.voice_policy
    yield sandbox
    sandbox.voice_policy = policy


@pytest.fixture
def front(daemon: StandInDaemon) -> Iterator[DifyEndpointFront]:
    daemon.storage.clear()
    daemon.apps.clear()
    daemon.app_calls.clear()
    daemon.apps["talker"] = StandInApp(kind="chat", answer=lambda c: f"You said: {c.query}.")
    daemon.apps["filer"] = StandInApp(kind="workflow", answer={"text": "filed"})
    before = len(daemon.logs)
    with DifyEndpointFront(daemon) as running:
        yield running
    for entry in daemon.logs[before:]:
        line = str(entry.get("message"))
        for secret in (DEMO_AUTH_TOKEN, "appointment", "4155552671", "4155550123"):
            assert secret not in line, line


def settings(**extra: Any) -> dict[str, Any]:
    return {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "app": {"app_id": "sms-bot"},
        "voice_app": {"app_id": "talker"},
        "status_app": {"app_id": "filer"},
        "greeting": GREETING,
        **extra,
    }


def place_call(plivo: Any, front: DifyEndpointFront, script: CallScript, **extra: Any) -> Any:
    """A caller rings our number; its application points at the endpoint; the flow once over."""
    base = front.enable(settings(**extra))
    call = plivo.start_inbound_call(
        from_number=CALLER,
        to_number=OURS,
        answer_url=f"{base}/voice/inbound",
        hangup_url=f"{base}/voice/hangup",
        script=script,
    )
    return plivo.wait_for_call_flow(call.call_uuid, FLOW_SECONDS)


def calls_of(daemon: StandInDaemon, app_id: str) -> list[Any]:
    return [call for call in daemon.app_calls if call.app_id == app_id]


def test_a_three_turn_conversation_then_silence_ends_with_a_goodbye_and_a_summary(
    daemon: StandInDaemon, front: DifyEndpointFront, plivo: Any
) -> None:
    script = CallScript(
        inputs=[
            Speech("I need an appointment"),
            Speech("Tuesday morning"),
            Speech("Thank you"),
            Silence(),
            Silence(),
        ]
    )
    flow = place_call(plivo, front, script)
    assert flow.heard == [
        GREETING,
        "You said: I need an appointment.",
        "You said: Tuesday morning.",
        "You said: Thank you.",
        phrases.REPROMPT,
        phrases.GOODBYE,
    ]
    assert flow.of_kind("hangup")
    talks = calls_of(daemon, "talker")
    assert [c.query for c in talks] == ["I need an appointment", "Tuesday morning", "Thank you"]
    assert talks[0].conversation_id is None
    assert talks[1].conversation_id and talks[2].conversation_id == talks[1].conversation_id
    assert talks[0].inputs == {"call_uuid": flow.call_uuid, "from": CALLER, "to": OURS}
    filed = calls_of(daemon, "filer")
    assert len(filed) == 1
    assert filed[0].inputs["call_uuid"] == flow.call_uuid
    assert filed[0].inputs["from"] == CALLER and filed[0].inputs["to"] == OURS
    assert isinstance(filed[0].inputs["duration"], int)
    assert filed[0].inputs["transcript"].splitlines() == [
        f"Assistant: {GREETING}",
        "Caller: I need an appointment",
        "Assistant: You said: I need an appointment.",
        "Caller: Tuesday morning",
        "Assistant: You said: Tuesday morning.",
        "Caller: Thank you",
        "Assistant: You said: Thank you.",
    ]


def test_asking_for_a_person_transfers_the_call(
    daemon: StandInDaemon, front: DifyEndpointFront, plivo: Any
) -> None:
    script = CallScript(inputs=[Speech("When are you open?"), Speech("Let me talk to a person")])
    flow = place_call(plivo, front, script, transfer_to=PERSON)
    assert flow.heard[-1] == phrases.CONNECTING
    assert [entry.text for entry in flow.of_kind("dial")] == [PERSON.lstrip("+")]
    assert len(calls_of(daemon, "talker")) == 1
    transcript = calls_of(daemon, "filer")[0].inputs["transcript"]
    assert transcript.endswith(f"Caller: Let me talk to a person\nAssistant: {phrases.CONNECTING}")


def test_a_caller_who_says_nothing_is_prompted_once_then_hears_goodbye(
    daemon: StandInDaemon, front: DifyEndpointFront, plivo: Any
) -> None:
    flow = place_call(plivo, front, CallScript(inputs=[Silence(), Silence()]))
    assert flow.heard == [GREETING, phrases.REPROMPT, phrases.GOODBYE]
    assert flow.of_kind("hangup")
    assert calls_of(daemon, "talker") == []
    assert calls_of(daemon, "filer")[0].inputs["transcript"] == f"Assistant: {GREETING}"


def test_a_failing_app_gives_an_apology_and_the_call_goes_on(
    daemon: StandInDaemon, front: DifyEndpointFront, plivo: Any
) -> None:
    daemon.apps["talker"] = StandInApp(kind="chat", fail="the model is down")
    script = CallScript(inputs=[Speech("hello"), Speech("hello again")])
    flow = place_call(plivo, front, script)
    assert flow.heard[:3] == [GREETING, phrases.APOLOGY, phrases.APOLOGY]
    assert all(request.status == 200 for request in flow.requests)


def test_a_turn_plivo_sends_twice_runs_the_app_once(
    daemon: StandInDaemon, front: DifyEndpointFront, plivo: Any
) -> None:
    # Plivo gives up waiting after 2 s here (40 s by default) and sends the turn again; the app
    # takes 2.5 s: the second delivery waits for the first one's answer and speaks it.
    plivo.voice_policy = VoicePolicy(read_timeout=2.0)
    daemon.apps["talker"] = StandInApp(kind="chat", answer="We open at nine.", delay=2.5)
    flow = place_call(plivo, front, CallScript(inputs=[Speech("When do you open?")]))
    actions = flow.requests_for("action")
    assert [request.attempt for request in actions] == [1, 2]
    assert actions[0].error and actions[0].error.startswith("rt")
    assert actions[1].status == 200
    assert "We open at nine." in flow.heard
    assert len(calls_of(daemon, "talker")) == 1


@pytest.mark.parametrize("path", ["/voice/inbound", "/voice/turn?turn=1", "/voice/hangup"])
def test_a_forged_request_gets_403_and_runs_nothing(
    daemon: StandInDaemon, front: DifyEndpointFront, path: str
) -> None:
    url = front.enable(settings()) + path
    form = {"CallUUID": "f0f0f0f0-0000-4000-8000-000000000000", "From": "1", "Speech": "hi"}
    forged = signature_headers("POST", url, form, "not-the-auth-token")
    answer = requests.post(url, data=form, headers=forged, timeout=30)
    assert answer.status_code == 403
    assert answer.text == "Forbidden"
    assert daemon.app_calls == []
