# ruff: noqa: I001
"""The sandbox's live-call actions, recordings, transcriptions and masking sessions, driven over
real HTTP: Plivo's paths, answers and refusals."""

import dify_plugin  # noqa: F401  (gevent patching first, as the suite's conftest does)

from collections.abc import Iterator

import pytest
import requests

from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, CallTimeline, PlivoSandbox

TIMEOUT = 5
AUTH = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
AT_ONCE = CallTimeline(ring_after=0.0, answer_after=0.0, hangup_after=0.2)


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(call_timeline=AT_ONCE) as running:
        yield running


def api(sandbox: PlivoSandbox, method: str, path: str, **kwargs: object) -> requests.Response:
    url = f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/{path}"
    return requests.request(method, url, auth=AUTH, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def call(sandbox: PlivoSandbox, to: str = "14155550000") -> str:
    body = {"from": "14155550100", "to": to, "answer_url": "https://example.com/a"}
    fired = api(sandbox, "POST", "Call/", json=body).json()
    return sandbox.call_for_request(fired["request_uuid"]).call_uuid


def test_live_actions_answer_like_plivo(sandbox: PlivoSandbox) -> None:
    uuid = call(sandbox)
    speak = api(sandbox, "POST", f"Call/{uuid}/Speak/", json={"text": "Hi", "voice": "MAN"})
    assert (speak.status_code, speak.json()["message"]) == (202, "speak started")
    assert api(sandbox, "DELETE", f"Call/{uuid}/Speak/").status_code == 204
    play = api(sandbox, "POST", f"Call/{uuid}/Play/", json={"urls": "https://e.com/a.mp3"})
    assert play.json()["message"] == "play started"
    assert api(sandbox, "POST", f"Call/{uuid}/DTMF/", json={"digits": "12#"}).status_code == 202
    record = api(sandbox, "POST", f"Call/{uuid}/Record/", json={"file_format": "wav"}).json()
    assert record["message"] == "call recording started"
    assert record["url"].endswith(f"{record['recording_id']}.wav")
    assert [a.kind for a in sandbox.live_actions] == [
        "speak",
        "stop_speak",
        "play",
        "dtmf",
        "record",
    ]


def test_a_call_not_in_progress_gets_404(sandbox: PlivoSandbox) -> None:
    ended = call(sandbox, to="14155552671")
    sandbox.call_timeline = CallTimeline(0.0, 0.0, 0.0)
    for path in ("Speak/", "Play/", "Record/"):
        assert api(sandbox, "DELETE", f"Call/{ended}/{path}").status_code == 404
    assert api(sandbox, "POST", "Call/nope/DTMF/", json={"digits": "1"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("Speak/", {}),
        ("Speak/", {"text": "x", "voice": "ROBOT"}),
        ("Play/", {"urls": "ftp://x"}),
        ("DTMF/", {"digits": "1;2"}),
        ("Record/", {"file_format": "ogg"}),
    ],
)
def test_bad_actions_are_400(sandbox: PlivoSandbox, path: str, body: dict) -> None:
    uuid = call(sandbox)
    assert api(sandbox, "POST", f"Call/{uuid}/{path}", json=body).status_code == 400


def test_recordings_list_get_delete_and_transcription(sandbox: PlivoSandbox) -> None:
    store = sandbox.recordings
    heard = store.add_recording(DEMO_AUTH_ID, "c1", 2_000, transcript="Hello")
    silent = store.add_recording(DEMO_AUTH_ID, "c2", 1_000)
    page = api(sandbox, "GET", "Recording/", params={"call_uuid": "c1"}).json()
    assert [r["recording_id"] for r in page["objects"]] == [heard.recording_id]
    assert page["objects"][0]["recording_duration_ms"] == "2000.00000"
    assert api(sandbox, "GET", "Recording/", params={"limit": 21}).status_code == 400
    text = api(sandbox, "GET", f"Transcription/{heard.recording_id}/").json()
    assert (text["status"], text["transcription"]) == ("success", "Hello")
    assert api(sandbox, "GET", f"Transcription/{silent.recording_id}/").status_code == 404
    assert api(sandbox, "DELETE", f"Recording/{silent.recording_id}/").status_code == 204
    assert api(sandbox, "GET", f"Recording/{silent.recording_id}/").status_code == 404


def test_live_calls_are_filtered_by_number(sandbox: PlivoSandbox) -> None:
    mine = call(sandbox)
    call(sandbox, to="14155551000")
    live = api(sandbox, "GET", "Call/", params={"status": "live", "to_number": "14155550000"})
    assert live.json()["calls"] == [mine]


def test_masking_sessions_follow_the_pool_and_geomatch(sandbox: PlivoSandbox) -> None:
    body = {"first_party": "14155552671", "second_party": "14155552672"}
    created = api(sandbox, "POST", "Masking/Session/", json=body).json()
    assert created["virtual_number"] == "+14155550100"
    uuid = created["session_uuid"]
    got = api(sandbox, "GET", f"Masking/Session/{uuid}/").json()["response"]
    assert got["status"] == "active"
    listed = api(sandbox, "GET", "Masking/Session/", params={"first_party": "14155552671"})
    assert listed.json()["response"]["meta"]["total_count"] == 1
    sandbox.masking.set_pool(DEMO_AUTH_ID, ["447700900123"])
    refused = api(sandbox, "POST", "Masking/Session/", json=body)
    assert refused.status_code == 400 and "no virtual number" in refused.json()["error"]
    gone = api(sandbox, "DELETE", f"Masking/Session/{uuid}/").json()
    assert gone["message"] == "Session Deleted"
    assert api(sandbox, "GET", f"Masking/Session/{uuid}/").status_code == 404
