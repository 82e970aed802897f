"""make_call's speaking modes end to end: the plugin process places the call, the Plivo sandbox
answers it as a scripted callee and fetches the XML through Dify's endpoint route (the stand-in
daemon's front), posts the answer and the hangup there, and the tool returns what was said.
Forged and tampered requests to the voice routes get 403 and leave storage untouched."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from devtools.daemon import StandInDaemon
from devtools.endpoint_front import DifyEndpointFront
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, CallScript, Digits, Speech
from devtools.sandbox.signing import signature_headers

pytestmark = pytest.mark.e2e

SENDER = "+14155550199"
CALLEE = "+14155552671"
CALL_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Call/"
TIMEOUT = 10


@pytest.fixture(scope="module")
def daemon(sandbox_server: Any) -> Iterator[StandInDaemon]:
    env = {"PLIVO_API_BASE_URL": sandbox_server.url}
    with StandInDaemon(env=env) as running:
        yield running
    assert not running.stdout_noise, running.stdout_noise[:5]


@pytest.fixture
def front(daemon: StandInDaemon) -> Iterator[DifyEndpointFront]:
    daemon.storage.clear()
    with DifyEndpointFront(daemon) as running:
        yield running


def endpoint(front: DifyEndpointFront) -> str:
    settings = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "app": {"app_id": "bot"}}
    return front.enable(settings)


def credentials(base: str) -> dict[str, str]:
    return {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "default_sender": SENDER,
        "endpoint_url": base + "/sms/inbound",  # any route URL is cut back to the base
    }


def call_posts(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == CALL_PATH]


def test_ask_returns_the_callees_digits(
    daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any
) -> None:
    base = endpoint(front)
    sandbox.script_calls_to(CALLEE, CallScript(inputs=[Digits("2")]))

    result = daemon.invoke_tool(
        "make_call",
        {"to": CALLEE, "ask": "Press 1 to confirm or 2 to cancel", "wait_seconds": TIMEOUT},
        credentials(base),
    )

    assert result.error is None, result.error
    assert result.variables["answer"] == "2"
    assert result.variables["answered"] is True
    assert DEMO_AUTH_TOKEN not in str(result.raw)
    [posted] = call_posts(sandbox)
    assert posted.json["answer_url"].startswith(base + "/voice/answer?")
    assert posted.json["hangup_url"].startswith(base + "/voice/event?")
    call_uuid = result.variables["call_uuid"]
    flow = sandbox.wait_for_call_flow(call_uuid)
    assert flow.heard == ["Press 1 to confirm or 2 to cancel"]
    assert [c.status for c in front.calls] == [200, 200, 200]  # answer, input, hangup


def test_speech_answer_and_the_end_of_a_speak_call(
    daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any
) -> None:
    base = endpoint(front)
    sandbox.script_calls_to(CALLEE, CallScript(inputs=[Speech("yes please", 0.92)]))
    asked = daemon.invoke_tool(
        "make_call",
        {"to": CALLEE, "ask": "Shall we book it?", "input_type": "speech", "wait_seconds": TIMEOUT},
        credentials(base),
    )
    assert asked.error is None, asked.error
    assert asked.variables["answer"] == "yes please"

    spoken = daemon.invoke_tool(
        "make_call",
        {
            "to": CALLEE,
            "speak_text": "Your parcel <arrives> today & tomorrow",
            "wait_seconds": TIMEOUT,
        },
        credentials(base),
    )
    assert spoken.error is None, spoken.error
    assert spoken.variables["state"] == "completed" and spoken.variables["answered"] is True
    assert spoken.variables["answer"] is None
    assert isinstance(spoken.variables["duration"], int)
    flow = sandbox.wait_for_call_flow(spoken.variables["call_uuid"])
    assert flow.heard == ["Your parcel <arrives> today & tomorrow"]


def test_refusals_send_nothing(daemon: StandInDaemon, sandbox: Any) -> None:
    plain = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "default_sender": SENDER}
    no_endpoint = daemon.invoke_tool("make_call", {"to": CALLEE, "speak_text": "hi"}, plain)
    assert no_endpoint.error is not None and "endpoint_url" in str(no_endpoint.error)
    assert "Endpoints" in str(no_endpoint.error)
    two = daemon.invoke_tool(
        "make_call",
        {"to": CALLEE, "speak_text": "hi", "ask": "why?"},
        {**plain, "endpoint_url": "https://dify.example.com/e/abc"},
    )
    assert two.error is not None and "exactly one" in str(two.error)
    assert call_posts(sandbox) == []


def _signed_answer_url(daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any) -> str:
    """The answer URL of a real call (placed, not waited for); the sandbox's own flow is off."""
    base = endpoint(front)
    result = daemon.invoke_tool(
        "make_call", {"to": CALLEE, "speak_text": "hello"}, credentials(base)
    )
    assert result.error is None, result.error
    [posted] = call_posts(sandbox)
    return str(posted.json["answer_url"])


def _post(url: str, params: dict[str, str], token: str = DEMO_AUTH_TOKEN) -> requests.Response:
    headers = signature_headers("POST", url, params, token)
    return requests.post(url, data=params, headers=headers, timeout=TIMEOUT)


CALL_PARAMS = {
    "CallUUID": "c0ffee00-0000-4000-8000-000000000001",
    "From": "14155550199",
    "To": "14155552671",
    "Direction": "outbound",
    "CallStatus": "in-progress",
}


def test_forged_and_tampered_requests_get_403_and_store_nothing(
    daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any
) -> None:
    answer_url = _signed_answer_url(daemon, front, sandbox)
    stored_before = daemon.storage.snapshot()
    writes_before = len(daemon.storage.calls_for("set"))
    good = _post(answer_url, CALL_PARAMS)
    assert good.status_code == 200 and "<Speak" in good.text and "hello" in good.text

    # Plivo's signature made with another token
    assert _post(answer_url, CALL_PARAMS, token="not-the-token").status_code == 403
    # the instructions changed (Plivo-signed, but not by the plugin)
    address, _, query = answer_url.partition("?")
    fields = {k: v[0] for k, v in parse_qs(query).items()}
    forged = dict(fields, i=fields["i"][:-2] + "xx")
    assert _post(f"{address}?{urlencode(forged)}", CALL_PARAMS).status_code == 403
    # instructions of one call with the call id of another
    other_url = _signed_answer_url_again(daemon, front, sandbox, answer_url)
    other = {k: v[0] for k, v in parse_qs(urlsplit(other_url).query).items()}
    swapped = dict(fields, c=other["c"])
    assert _post(f"{address}?{urlencode(swapped)}", CALL_PARAMS).status_code == 403
    # an input posted with a forged instruction signature stores nothing
    input_url = address.replace("/voice/answer", "/voice/input")
    bad_input = dict(fields, s="A" * 43)
    answer = _post(f"{input_url}?{urlencode(bad_input)}", {**CALL_PARAMS, "Digits": "9"})
    assert answer.status_code == 403
    assert daemon.storage.snapshot() == stored_before
    assert len(daemon.storage.calls_for("set")) == writes_before


def _signed_answer_url_again(
    daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any, first: str
) -> str:
    base = first.split("/voice/answer", 1)[0]
    result = daemon.invoke_tool(
        "make_call", {"to": CALLEE, "speak_text": "other"}, credentials(base)
    )
    assert result.error is None, result.error
    urls = [str(p.json["answer_url"]) for p in call_posts(sandbox)]
    return next(url for url in urls if url != first)


def test_long_instructions_are_kept_in_storage(
    daemon: StandInDaemon, front: DifyEndpointFront, sandbox: Any
) -> None:
    base = endpoint(front)
    text = "Please listen carefully. " * 80
    sandbox.script_calls_to(CALLEE, CallScript())
    result = daemon.invoke_tool(
        "make_call", {"to": CALLEE, "speak_text": text, "wait_seconds": TIMEOUT}, credentials(base)
    )
    assert result.error is None, result.error
    [posted] = call_posts(sandbox)
    assert "k=" in posted.json["answer_url"] and "i=" not in posted.json["answer_url"]
    flow = sandbox.wait_for_call_flow(result.variables["call_uuid"])
    assert flow.heard == [text.strip()]
