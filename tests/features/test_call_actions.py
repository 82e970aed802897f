"""call_actions: one request per action on a call in progress, checked first, never repeated;
a call that is not live gets a sentence saying so."""

from __future__ import annotations

import time

import pytest

from devtools.sandbox import Fault, PlivoSandbox
from plivo_api.errors import InputError, NotFoundError, OutcomeUnknownError
from plivo_api.features import Invocation
from plivo_api.features.call_actions import run
from tests.features.voice_fixtures import CREDENTIALS, place_call, plivo, plugin_requests

__all__ = ["plivo"]
UNKNOWN_UUID = "5f0e4a8c-0000-4000-8000-00000000000a"


def act(call_uuid: str, action: str, **params: object):
    return run(Invocation({"call_uuid": call_uuid, "action": action, **params}, CREDENTIALS))


def test_speak_sends_the_text_with_the_voice_and_language(plivo: PlivoSandbox) -> None:
    call_uuid = place_call(plivo)
    output = act(call_uuid, "speak", text=" Your order is ready. ", voice="MAN", language="en_gb")
    assert plugin_requests(plivo) == [("POST", f"Call/{call_uuid}/Speak/")]
    assert plivo.requests[0].json == {
        "text": "Your order is ready.",
        "voice": "MAN",
        "language": "en-GB",
    }
    assert output.text == f"Started speaking the text on call {call_uuid}."
    assert output.variables == {"call_uuid": call_uuid, "action": "speak", "recording_id": None}


@pytest.mark.parametrize(
    ("action", "params", "method", "segment", "body"),
    [
        ("play", {"url": "https://cdn.example.com/hold.mp3"}, "POST", "Play", None),
        ("stop_speaking", {}, "DELETE", "Speak", None),
        ("stop_playing", {}, "DELETE", "Play", None),
        ("send_digits", {"digits": "1w2#"}, "POST", "DTMF", {"digits": "1w2#"}),
    ],
)
def test_each_action_is_one_request(
    plivo: PlivoSandbox, action: str, params: dict, method: str, segment: str, body: object
) -> None:
    call_uuid = place_call(plivo)
    act(call_uuid, action, **params)
    assert plugin_requests(plivo) == [(method, f"Call/{call_uuid}/{segment}/")]
    if body is not None:
        assert plivo.requests[0].json == body


def test_recording_starts_and_stops_and_the_recording_exists(plivo: PlivoSandbox) -> None:
    call_uuid = place_call(plivo)
    started = act(call_uuid, "start_recording")
    recording_id = started.variables["recording_id"]
    assert recording_id and started.json["recording_url"].endswith(f"{recording_id}.mp3")
    time.sleep(0.05)
    act(call_uuid, "stop_recording")
    [recording] = plivo.recordings.all()
    assert (recording.recording_id, recording.call_uuid) == (recording_id, call_uuid)
    assert recording.duration_ms is not None and recording.duration_ms > 0


def test_a_call_that_is_not_live_gets_a_readable_error(plivo: PlivoSandbox) -> None:
    call_uuid = place_call(plivo, to="14155552671")  # ends after 0.5 s
    time.sleep(0.6)
    with pytest.raises(NotFoundError, match=f"Call {call_uuid} is not live, so nothing was done"):
        act(call_uuid, "speak", text="Hello")
    with pytest.raises(NotFoundError, match="list_calls shows the live calls"):
        act(UNKNOWN_UUID, "send_digits", digits="1")


def test_an_action_is_never_repeated_after_a_gateway_error(plivo: PlivoSandbox) -> None:
    call_uuid = place_call(plivo)
    plivo.inject(Fault(path="/Speak/", status=502))
    with pytest.raises(OutcomeUnknownError, match="does not hear it twice"):
        act(call_uuid, "speak", text="Hello")
    assert plugin_requests(plivo) == [("POST", f"Call/{call_uuid}/Speak/")]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"call_uuid": "not-a-uuid", "action": "speak", "text": "Hi"}, "call_uuid"),
        ({"call_uuid": UNKNOWN_UUID, "action": "shout", "text": "Hi"}, "action"),
        ({"call_uuid": UNKNOWN_UUID, "action": "speak"}, "text"),
        ({"call_uuid": UNKNOWN_UUID, "action": "speak", "text": "x" * 3001}, "text"),
        ({"call_uuid": UNKNOWN_UUID, "action": "speak", "text": "Hi", "voice": "CHILD"}, "voice"),
        (
            {"call_uuid": UNKNOWN_UUID, "action": "speak", "text": "Hi", "language": "xx"},
            "language",
        ),
        ({"call_uuid": UNKNOWN_UUID, "action": "play"}, "url"),
        ({"call_uuid": UNKNOWN_UUID, "action": "play", "url": "ftp://x.example/a.mp3"}, "url"),
        ({"call_uuid": UNKNOWN_UUID, "action": "play", "url": "http://127.0.0.1/a.mp3"}, "url"),
        ({"call_uuid": UNKNOWN_UUID, "action": "send_digits"}, "digits"),
        ({"call_uuid": UNKNOWN_UUID, "action": "send_digits", "digits": "12; rm"}, "digits"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(
    plivo: PlivoSandbox, params: dict, parameter: str
) -> None:
    with pytest.raises(InputError) as raised:
        run(Invocation(params, CREDENTIALS))
    assert raised.value.parameter == parameter
    assert plivo.requests == []
