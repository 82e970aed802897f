"""call_actions, list_calls, recordings and masking_sessions through the stand-in daemon
against the sandbox: the story an agent runs (call, find the call, speak, record, read the
recording), the requests the sandbox saw, and refusals that send nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, PlivoSandbox
from devtools.sandbox.voice import CallTimeline

pytestmark = pytest.mark.e2e

CREDENTIALS = {
    "auth_id": DEMO_AUTH_ID,
    "auth_token": DEMO_AUTH_TOKEN,
    "default_sender": "+14155550199",
}
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
STAYS_TO = "+14155550000"  # sandbox: answered and stays in progress until hung up
ENDED_TO = "+14155552671"  # sandbox: answered, then the callee hangs up
FAST = CallTimeline(ring_after=0.0, answer_after=0.05, hangup_after=0.3)
WAIT_SECONDS = 5.0
MEDIA = "https://media.plivo.com/v1/Account"
RECORDING = "9e0d3e0c-0000-4000-8000-00000000000b"
PARTIES = {"first_party": "+14155552671", "second_party": "+14155552672"}
CHANGES = {"allow_changes": True}


@pytest.fixture
def calls(sandbox: PlivoSandbox) -> Iterator[PlivoSandbox]:
    saved = sandbox.call_timeline
    sandbox.call_timeline = FAST
    yield sandbox
    sandbox.call_timeline = saved


def invoke(plugin: StandInDaemon, tool: str, **params: Any) -> SessionResult:
    return plugin.invoke_tool(tool, params, CREDENTIALS)


def ok(result: SessionResult) -> SessionResult:
    """A success with no secret in it; the Auth ID only inside a recording's URL, which Plivo
    builds with it and which is useless without it."""
    assert result.error is None, result.error
    text = str(result.raw)
    assert DEMO_AUTH_TOKEN not in text
    assert DEMO_AUTH_ID not in text.replace(f"{MEDIA}/{DEMO_AUTH_ID}/Recording/", "")
    return result


def answered_call(plugin: StandInDaemon, sandbox: PlivoSandbox, to: str = STAYS_TO) -> str:
    result = ok(invoke(plugin, "make_call", to=to, answer_url="https://example.com/answer"))
    call = sandbox.call_for_request(result.variables["request_uuid"])
    deadline = time.monotonic() + WAIT_SECONDS
    while sandbox.call_state(call.call_uuid) != "in-progress":
        assert time.monotonic() < deadline, "the call was never answered"
        time.sleep(0.02)
    return call.call_uuid


def test_find_the_call_speak_record_and_read_the_recording(plugin, calls) -> None:
    call_uuid = answered_call(plugin, calls)
    calls.clear()
    found = ok(invoke(plugin, "list_calls", to_number=STAYS_TO))
    assert found.variables["call_uuids"] == [call_uuid]
    assert found.json["calls"][0]["state"] == "in-progress"
    spoke = ok(invoke(plugin, "call_actions", call_uuid=call_uuid, action="speak", text="Hi"))
    assert spoke.variables == {"call_uuid": call_uuid, "action": "speak", "recording_id": None}
    started = ok(invoke(plugin, "call_actions", call_uuid=call_uuid, action="start_recording"))
    recording_id = started.variables["recording_id"]
    ok(invoke(plugin, "call_actions", call_uuid=call_uuid, action="stop_recording"))
    listed = ok(invoke(plugin, "recordings", call_uuid=call_uuid))
    assert [row["recording_id"] for row in listed.json["recordings"]] == [recording_id]
    none = ok(invoke(plugin, "recordings", operation="transcript", recording_id=recording_id))
    assert none.variables["transcript"] is None
    assert "English speech only" in none.texts[0]
    assert [(r.method, r.path.removeprefix(ACCOUNT)) for r in calls.requests] == [
        ("GET", "Call/"),
        ("GET", f"Call/{call_uuid}/"),
        ("POST", f"Call/{call_uuid}/Speak/"),
        ("POST", f"Call/{call_uuid}/Record/"),
        ("DELETE", f"Call/{call_uuid}/Record/"),
        ("GET", "Recording/"),
        ("GET", f"Transcription/{recording_id}/"),
        ("GET", f"Recording/{recording_id}/"),
    ]


def test_a_call_that_is_not_live_fails_the_node_with_a_sentence(plugin, calls) -> None:
    call_uuid = answered_call(plugin, calls, to=ENDED_TO)
    time.sleep(0.4)
    result = invoke(plugin, "call_actions", call_uuid=call_uuid, action="send_digits", digits="1")
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert f"Call {call_uuid} is not live, so nothing was done" in result.error["message"]
    ended = ok(invoke(plugin, "list_calls", state="ended", since="today"))
    assert call_uuid in ended.variables["call_uuids"]


def test_a_transcript_plivo_made_is_returned(plugin, sandbox) -> None:
    recording = sandbox.recordings.add_recording(
        DEMO_AUTH_ID, "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd", 3_000, transcript="Yes please."
    )
    result = ok(
        invoke(plugin, "recordings", operation="transcript", recording_id=recording.recording_id)
    )
    assert result.variables["transcript"] == "Yes please."


@pytest.mark.parametrize(
    ("tool", "params", "phrase"),
    [
        ("recordings", {"operation": "delete", "recording_id": RECORDING}, "Allow changes"),
        ("masking_sessions", {"operation": "create", **PARTIES}, "Allow changes"),
        (
            "masking_sessions",
            {"operation": "create", **PARTIES, **CHANGES, "first_party": "+19005550100"},
            "premium-rate",
        ),
        (
            "masking_sessions",
            {"operation": "create", **PARTIES, **CHANGES, "allowed_countries": "GB"},
            "outside the countries",
        ),
        ("call_actions", {"call_uuid": RECORDING, "action": "speak"}, "text is required"),
        ("list_calls", {"since": "today"}, "live calls have not ended"),
    ],
)
def test_refusals_send_nothing(plugin, sandbox, tool, params, phrase) -> None:
    result = invoke(plugin, tool, **params)
    assert result.error is not None and phrase in result.error["message"]
    assert sandbox.requests == []


def test_a_masking_session_is_created_read_and_ended(plugin, sandbox) -> None:
    created = ok(
        invoke(
            plugin,
            "masking_sessions",
            operation="create",
            **PARTIES,
            **CHANGES,
        )
    )
    uuid = created.variables["session_uuid"]
    assert created.variables["virtual_number"] == "+14155550100"
    got = ok(invoke(plugin, "masking_sessions", operation="get", session_uuid=uuid))
    assert got.json["session"]["state"] == "active"
    ok(
        invoke(
            plugin, "masking_sessions", operation="delete", session_uuid=uuid, allow_changes=True
        )
    )
    assert ok(invoke(plugin, "masking_sessions")).variables["total_count"] == 0
