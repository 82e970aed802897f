"""The call-XML builders: escaped, well-formed and refusing values Plivo would reject."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from plivo_api.webhooks.xml import (
    MAX_XML_BYTES,
    call_response,
    dial,
    get_input,
    hangup,
    play,
    record,
    redirect,
    speak,
    wait,
)


def _parse(document: str) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 - our own output


def test_a_question_nests_its_prompt_and_escapes_every_value() -> None:
    document = call_response(
        get_input(
            "https://dify.example/e/abc/voice/input?c=1&s=x",
            speak('Press 1 for "yes" & 2 for <no>', voice="MAN", language="en-GB"),
            input_type="dtmf speech",
            execution_timeout=10,
            language="en-GB",
        ),
        speak("No answer. Goodbye."),
    )
    root = _parse(document)
    prompt = root.find("GetInput")
    assert prompt is not None
    assert prompt.get("action") == "https://dify.example/e/abc/voice/input?c=1&s=x"
    assert prompt.get("inputType") == "dtmf speech"
    assert prompt.get("executionTimeout") == "10"
    assert prompt.get("language") == "en-GB"
    assert prompt.get("method") == "POST"
    spoken = prompt.find("Speak")
    assert spoken is not None
    assert spoken.text == 'Press 1 for "yes" & 2 for <no>'
    assert spoken.get("voice") == "MAN"
    assert [child.tag for child in root] == ["GetInput", "Speak"]


def test_speech_language_is_left_out_for_keypad_input() -> None:
    element = get_input("https://x.example/a", speak("hi"), language="fr-FR")
    assert "language" not in element


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: speak("   "), "nothing to speak"),
        (lambda: speak("hi", voice='MAN" x="1'), "voice"),
        (lambda: play("ftp://files.example/a.mp3"), "url"),
        (lambda: play("javascript:alert(1)"), "url"),
        (lambda: get_input("/relative", speak("hi")), "action"),
        (lambda: get_input("https://x.example/a", input_type="voice"), "input_type"),
        (lambda: get_input("https://x.example/a", execution_timeout=2), "execution_timeout"),
        (lambda: get_input("https://x.example/a", finish_on_key="a"), "finish_on_key"),
        (lambda: record(max_length=0), "max_length"),
        (lambda: dial("call me maybe; rm"), "number"),
        (lambda: wait(0), "wait"),
    ],
)
def test_values_plivo_would_reject_raise(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_whole_call_recording_then_play_then_hangup() -> None:
    document = call_response(
        record(
            record_session=True,
            callback_url="https://dify.example/e/abc/voice/event?kind=recording",
            transcription_url="https://dify.example/e/abc/voice/event?kind=transcript",
        ),
        play("https://cdn.example/hello.mp3"),
        hangup(),
    )
    root = _parse(document)
    assert [child.tag for child in root] == ["Record", "Play", "Hangup"]
    recorder = root.find("Record")
    assert recorder is not None
    assert recorder.get("recordSession") == "true"
    assert recorder.get("transcriptionType") == "auto"
    assert recorder.get("callbackUrl") == "https://dify.example/e/abc/voice/event?kind=recording"
    played = root.find("Play")
    assert played is not None
    assert played.text == "https://cdn.example/hello.mp3"


def test_dial_and_redirect() -> None:
    root = _parse(
        call_response(dial("+14155550100", caller_id="+14155550199", timeout=20), wait(1))
    )
    number = root.find("Dial/Number")
    assert number is not None
    assert number.text == "14155550100"
    assert root.find("Dial").get("callerId") == "14155550199"  # type: ignore[union-attr]
    moved = _parse(call_response(redirect("https://x.example/next?a=1&b=2"))).find("Redirect")
    assert moved is not None
    assert moved.text == "https://x.example/next?a=1&b=2"


def test_control_characters_are_dropped_and_the_size_limit_holds() -> None:
    assert _parse(call_response(speak("a\x00b"))).find("Speak").text == "ab"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="byte limit"):
        call_response(speak("x" * (MAX_XML_BYTES + 1)))
