"""A trigger subscription's call answer: the settings it accepts, and the Plivo XML each mode
answers a call with."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from plivo_api.errors import InputError
from plivo_api.trigger.call_answers import (
    DEFAULT_CALL_GREETING,
    DEFAULT_VOICEMAIL_GREETING,
    MAX_VOICEMAIL_SECONDS,
    MODE_FORWARD,
    MODE_MENU,
    MODE_NONE,
    MODE_SPEAK,
    MODE_VOICEMAIL,
    CallAnswer,
)

ENDPOINT = "https://dify.example.com/triggers/plugin/7a1e2c1e-51a4-4c69-9a52-2b1a6c0d1e55"
OWN = "+14155550100"
CALL = {"call_uuid": "c-1", "from_number": "+14155550123", "to_number": OWN}


def parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 (our own answer, not untrusted input)


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == ENDPOINT
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def read(parameters: dict[str, object]) -> CallAnswer:
    return CallAnswer.from_parameters(parameters, own_number=OWN)


# -- settings ----------------------------------------------------------------------------------


def test_default_is_todays_answer_a_sentence_then_hangup() -> None:
    answer = read({})
    assert (answer.mode, answer.closing) == (MODE_SPEAK, DEFAULT_CALL_GREETING)
    document = parse(answer.answer_xml(ENDPOINT, **CALL))
    assert [child.tag for child in document] == ["Speak", "Hangup"]
    assert document[0].text == DEFAULT_CALL_GREETING


def test_older_subscriptions_calls_off_means_none() -> None:
    assert read({"receive_calls": False}).mode == MODE_NONE
    assert not read({"receive_calls": "false"}).receives_calls
    assert read({"call_answer": "voicemail", "receive_calls": False}).mode == MODE_VOICEMAIL


@pytest.mark.parametrize(
    ("parameters", "named", "words"),
    [
        ({"call_answer": "fax"}, "call_answer", "not one of"),
        ({"call_answer": "forward"}, "forward_to", "required"),
        ({"call_answer": "forward", "forward_to": "555-0100"}, "forward_to", "not a phone number"),
        ({"call_answer": "forward", "forward_to": "+1 415 555 0100"}, "forward_to", "itself"),
        ({"call_answer": "menu"}, "menu_prompt", "required"),
        ({"call_answer": "menu", "menu_prompt": "Press 1", "menu_digits": 0}, "menu_digits", ""),
        ({"call_answer": "menu", "menu_prompt": "Press 1", "menu_digits": 21}, "menu_digits", ""),
        ({"call_answer": "voicemail", "voicemail_greeting": "x" * 1001}, "voicemail_greeting", ""),
        ({"call_answer": "voicemail", "transcribe": "maybe"}, "transcribe", ""),
        ({"call_greeting": "x" * 1001}, "call_greeting", "at most"),
    ],
)
def test_settings_that_cannot_work_are_refused_naming_the_setting(
    parameters: dict[str, object], named: str, words: str
) -> None:
    with pytest.raises(InputError) as raised:
        read(parameters)
    assert raised.value.parameter == named
    assert named in str(raised.value) and words in str(raised.value)


def test_settings_survive_the_properties_round_trip() -> None:
    for parameters in (
        {"call_answer": "forward", "forward_to": "+44 20 7946 0030", "call_greeting": ""},
        {"call_answer": "voicemail", "transcribe": True, "voicemail_greeting": "Speak!"},
        {"call_answer": "menu", "menu_prompt": "Press 1 or 2", "menu_digits": "4"},
        {"call_answer": "none"},
        {},
    ):
        answer = read(parameters)
        assert CallAnswer.from_properties(answer.to_properties()) == answer
    assert read({"call_answer": "forward", "forward_to": "+44 20 7946 0030"}).forward_to == (
        "+442079460030"
    )


def test_properties_of_a_manual_or_broken_subscription_read_as_speak() -> None:
    assert CallAnswer.from_properties({"call_greeting": "Hi"}) == CallAnswer(closing="Hi")
    assert CallAnswer.from_properties({"call_answer": "forward"}).mode == MODE_SPEAK
    assert CallAnswer.from_properties({"call_answer": "menu", "menu_prompt": " "}).mode == (
        MODE_SPEAK
    )


# -- the XML each mode answers with -------------------------------------------------------------


def test_forward_dials_the_number_then_says_the_sentence() -> None:
    answer = read({"call_answer": "forward", "forward_to": "+442079460030"})
    document = parse(answer.answer_xml(ENDPOINT, **CALL))
    assert [child.tag for child in document] == ["Dial", "Speak", "Hangup"]
    assert document[0].find("Number").text == "442079460030"  # type: ignore[union-attr]
    assert answer.mode == MODE_FORWARD


def test_forward_without_a_sentence_just_dials() -> None:
    answer = read({"call_answer": "forward", "forward_to": "+442079460030", "call_greeting": ""})
    assert [child.tag for child in parse(answer.answer_xml(ENDPOINT, **CALL))] == [
        "Dial",
        "Hangup",
    ]


def test_voicemail_greets_then_records_with_callbacks_to_the_endpoint() -> None:
    answer = read({"call_answer": "voicemail"})
    document = parse(answer.answer_xml(ENDPOINT, **CALL))
    assert [child.tag for child in document] == ["Speak", "Record", "Speak", "Hangup"]
    assert document[0].text == DEFAULT_VOICEMAIL_GREETING
    recording = document[1].attrib
    assert query(recording["action"]) == {"step": "recorded"}
    assert query(recording["callbackUrl"]) == {
        "step": "recording",
        "call": "c-1",
        "from": "+14155550123",
        "to": OWN,
    }
    assert recording["maxLength"] == str(MAX_VOICEMAIL_SECONDS)
    assert "transcriptionUrl" not in recording  # billed: only when asked for


def test_voicemail_with_transcription_names_the_transcription_url() -> None:
    answer = read({"call_answer": "voicemail", "transcribe": True, "voicemail_greeting": ""})
    document = parse(answer.answer_xml(ENDPOINT, **CALL))
    assert document[0].tag == "Record"
    recording = document[0].attrib
    assert recording["transcriptionType"] == "auto"
    assert query(recording["transcriptionUrl"]) == {
        "step": "transcription",
        "call": "c-1",
        "from": "+14155550123",
        "to": OWN,
    }
    assert query(recording["callbackUrl"])["transcribed"] == "1"


def test_menu_speaks_inside_getinput_and_says_the_sentence_when_nothing_is_pressed() -> None:
    answer = read(
        {"call_answer": "menu", "menu_prompt": "Press 1 for sales & more", "menu_digits": 2}
    )
    document = parse(answer.answer_xml(ENDPOINT, **CALL))
    assert [child.tag for child in document] == ["GetInput", "Speak", "Hangup"]
    getinput = document[0]
    assert query(getinput.attrib["action"]) == {"step": "input"}
    assert (getinput.attrib["inputType"], getinput.attrib["numDigits"]) == ("dtmf", "2")
    assert getinput[0].tag == "Speak" and getinput[0].text == "Press 1 for sales & more"
    assert answer.mode == MODE_MENU


def test_an_answer_plivo_could_not_take_falls_back_to_the_sentence() -> None:
    broken = CallAnswer(mode=MODE_FORWARD, forward_to="not a number!", closing="Sorry.")
    assert (
        broken.answer_xml(ENDPOINT, **CALL) == "<Response><Speak>Sorry.</Speak><Hangup/></Response>"
    )
