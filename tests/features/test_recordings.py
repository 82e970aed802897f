"""recordings: list, get, delete (only with allow_changes) and transcript, which says plainly
when Plivo has none."""

from __future__ import annotations

import pytest

from devtools.sandbox import DEMO_AUTH_ID, PlivoSandbox
from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.recordings import run
from tests.features.voice_fixtures import CREDENTIALS, plivo, plugin_requests

__all__ = ["plivo"]
CALL = "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd"
OTHER_CALL = "5f0e4a8c-0000-4000-8000-00000000000a"
MISSING = "9e0d3e0c-0000-4000-8000-00000000000b"


def test_list_shows_rows_and_filters_by_call(plivo: PlivoSandbox) -> None:
    mine = plivo.recordings.add_recording(DEMO_AUTH_ID, CALL, 12_500)
    plivo.recordings.add_recording(DEMO_AUTH_ID, OTHER_CALL, 1_000)
    output = run(Invocation({"call_uuid": CALL, "since": "today"}, CREDENTIALS))
    assert output.json["recordings"] == [
        {
            "recording_id": mine.recording_id,
            "call_uuid": CALL,
            "recording_url": mine.recording_url,
            "duration_seconds": 12.5,
            "recording_format": "mp3",
            "add_time": output.json["recordings"][0]["add_time"],
        }
    ]
    assert output.variables == {
        "operation": "list",
        "recording_id": None,
        "total_count": 1,
        "transcript": None,
    }
    [request] = plivo.requests
    assert request.query["call_uuid"] == CALL and "add_time__gte" in request.query


def test_transcript_returns_the_text(plivo: PlivoSandbox) -> None:
    recording = plivo.recordings.add_recording(DEMO_AUTH_ID, CALL, 5_000, transcript="Yes, 3 pm.")
    output = run(
        Invocation({"operation": "transcript", "recording_id": recording.recording_id}, CREDENTIALS)
    )
    assert output.variables["transcript"] == "Yes, 3 pm."
    assert output.text == f"Transcript of recording {recording.recording_id}: Yes, 3 pm."


def test_no_transcript_is_said_plainly_and_is_not_a_failure(plivo: PlivoSandbox) -> None:
    recording = plivo.recordings.add_recording(DEMO_AUTH_ID, CALL, 5_000)
    output = run(
        Invocation({"operation": "transcript", "recording_id": recording.recording_id}, CREDENTIALS)
    )
    assert output.variables["transcript"] is None
    assert "Plivo has no transcript" in output.text
    assert "English speech only" in output.text and "make_call with record" in output.text


def test_transcript_of_a_recording_that_does_not_exist_fails(plivo: PlivoSandbox) -> None:
    with pytest.raises(NotFoundError, match=f"No recording {MISSING}"):
        run(Invocation({"operation": "transcript", "recording_id": MISSING}, CREDENTIALS))


def test_get_and_delete_with_allow_changes(plivo: PlivoSandbox) -> None:
    recording = plivo.recordings.add_recording(DEMO_AUTH_ID, CALL, 5_000, recording_format="wav")
    rid = recording.recording_id
    got = run(Invocation({"operation": "get", "recording_id": rid}, CREDENTIALS))
    assert got.json["recording"]["recording_format"] == "wav"
    deleted = run(
        Invocation({"operation": "delete", "recording_id": rid, "allow_changes": True}, CREDENTIALS)
    )
    assert deleted.json["deleted"] is True
    assert plivo.recordings.all() == []
    assert plugin_requests(plivo)[-1] == ("DELETE", f"Recording/{rid}/")


def test_delete_without_allow_changes_sends_nothing(plivo: PlivoSandbox) -> None:
    recording = plivo.recordings.add_recording(DEMO_AUTH_ID, CALL, 5_000)
    with pytest.raises(InputError, match="Allow changes") as raised:
        run(
            Invocation({"operation": "delete", "recording_id": recording.recording_id}, CREDENTIALS)
        )
    assert raised.value.parameter == "allow_changes"
    assert plivo.requests == [] and len(plivo.recordings.all()) == 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"operation": "get"}, "recording_id"),
        ({"operation": "transcript", "recording_id": "abc"}, "recording_id"),
        ({"operation": "play"}, "operation"),
        ({"call_uuid": "x"}, "call_uuid"),
        ({"since": "last week"}, "since"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(
    plivo: PlivoSandbox, params: dict, parameter: str
) -> None:
    with pytest.raises(InputError) as raised:
        run(Invocation(params, CREDENTIALS))
    assert raised.value.parameter == parameter
    assert plivo.requests == []
