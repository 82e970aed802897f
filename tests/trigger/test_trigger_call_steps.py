"""What Plivo posts back after a trigger answered a call: the menu keys (``call_input``) and the
voicemail (``voicemail_received``), signed like every callback and routed by the ``step`` in
the URL the answer gave Plivo.

Requests are signed by the sandbox's own signer, for the exact URL (query included) the answer
named, as Plivo signs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from devtools.daemon import StandInStorage
from devtools.sandbox.signing import signature_headers
from plivo_api.trigger.call_answers import CallAnswer
from plivo_api.trigger.dispatch import WebhookAnswer, WebhookRequest, answer_webhook
from plivo_api.trigger.events import (
    CALL_INPUT_VARIABLES,
    EVENT_CALL_INPUT,
    EVENT_CALL_RECEIVED,
    EVENT_VOICEMAIL_RECEIVED,
    VOICEMAIL_VARIABLES,
)

ENDPOINT = "https://dify.example.com/triggers/plugin/7a1e2c1e-51a4-4c69-9a52-2b1a6c0d1e55"
TOKEN = "test-token-alpha"
CALL_UUID = "89bfc048-d178-4f06-af66-4d2291b37a3f"
CALLER = "14155550123"
OURS = "14155550100"
ANSWER = {
    "CallUUID": CALL_UUID,
    "From": CALLER,
    "To": OURS,
    "Direction": "inbound",
    "CallStatus": "in-progress",
    "Event": "StartApp",
}
RECORDING = {
    "record_url": "https://media.plivo.com/v1/Account/MA/Recording/r-1.mp3",
    "recording_id": "r-1",
    "recording_duration": "17",
    "recording_duration_ms": "17020",
}
TRANSCRIPTION = {
    "transcription": "Hi, please call me back about my order.",
    "transcription_charge": "0.05000",
    "transcription_rate": "0.05000",
    "duration": "17",
    "call_uuid": CALL_UUID,
    "recording_id": "r-1",
    "error": "",
}
MENU = CallAnswer(mode="menu", menu_prompt="Press 1 for sales.", closing="Thanks. Bye.")
VOICEMAIL = CallAnswer(mode="voicemail", closing="Thanks. Bye.")
TRANSCRIBED = CallAnswer(mode="voicemail", transcribe=True, closing="Thanks. Bye.")


def parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 (our own answer, not untrusted input)


def signed(
    url: str,
    params: Mapping[str, str],
    *,
    token: str = TOKEN,
    body: Mapping[str, str] | None = None,
) -> WebhookRequest:
    """A POST of ``params`` to ``url`` (the endpoint, with a query), signed as Plivo signs it;
    ``body`` replaces what is sent after signing (a forgery)."""
    headers = signature_headers("POST", url, params, token)
    return WebhookRequest(
        method="POST",
        endpoint=ENDPOINT,
        query=urlsplit(url).query,
        params=dict(body if body is not None else params),
        headers=headers,
    )


def dispatch(
    request: WebhookRequest, calls: CallAnswer, store: StandInStorage | None
) -> WebhookAnswer:
    return answer_webhook(request, auth_token=TOKEN, store=store, call_answer=calls)


def urls_of(calls: CallAnswer, store: StandInStorage) -> dict[str, str]:
    """The URLs the answer to a new call gives Plivo, by attribute."""
    answer = dispatch(signed(ENDPOINT, ANSWER), calls, store)
    assert answer.events == [EVENT_CALL_RECEIVED]
    urls: dict[str, str] = {}
    for element in parse(answer.body).iter():
        for name in ("action", "callbackUrl", "transcriptionUrl"):
            if name in element.attrib:
                urls[f"{element.tag}.{name}"] = element.attrib[name]
    return urls


# -- the menu ----------------------------------------------------------------------------------


def test_menu_keys_become_call_input_and_the_caller_hears_the_sentence() -> None:
    store = StandInStorage()
    action = urls_of(MENU, store)["GetInput.action"]
    result = dispatch(signed(action, {**ANSWER, "InputType": "dtmf", "Digits": "1"}), MENU, store)
    assert result.events == [EVENT_CALL_INPUT]
    assert result.payload == {
        "call_uuid": CALL_UUID,
        "from": "+14155550123",
        "to": "+14155550100",
        "digits": "1",
    }
    assert list(result.payload) == list(CALL_INPUT_VARIABLES)
    assert result.body == "<Response><Speak>Thanks. Bye.</Speak><Hangup/></Response>"
    assert result.user_id == "+14155550123"


def test_a_repeated_menu_answer_starts_nothing_again_but_is_answered_the_same() -> None:
    store = StandInStorage()
    action = urls_of(MENU, store)["GetInput.action"]
    form = {**ANSWER, "InputType": "dtmf", "Digits": "1"}
    first, again = (dispatch(signed(action, form), MENU, store) for _ in range(2))
    assert (first.events, again.events) == ([EVENT_CALL_INPUT], [])
    assert again.body == first.body


@pytest.mark.parametrize(
    "form",
    [
        {**ANSWER, "InputType": "speech", "Speech": "one"},
        {**ANSWER, "InputType": "dtmf", "Digits": ""},
        {**ANSWER, "InputType": "dtmf", "Digits": "1<x>"},
    ],
)
def test_a_menu_answered_without_keys_starts_nothing(form: dict[str, str]) -> None:
    store = StandInStorage()
    action = urls_of(MENU, store)["GetInput.action"]
    result = dispatch(signed(action, form), MENU, store)
    assert (result.status, result.events) == (200, [])
    assert "Speak" in result.body


# -- forgeries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["unsigned", "other token", "signed without the step", "keys changed", "step changed"]
)
def test_forged_step_callbacks_are_refused_and_start_nothing(kind: str) -> None:
    store = StandInStorage()
    action = urls_of(MENU, store)["GetInput.action"]
    form = {**ANSWER, "InputType": "dtmf", "Digits": "1"}
    request = {
        "unsigned": WebhookRequest(
            method="POST", endpoint=ENDPOINT, query=urlsplit(action).query, params=form
        ),
        "other token": signed(action, form, token="test-token-bravo"),
        "signed without the step": WebhookRequest(
            method="POST",
            endpoint=ENDPOINT,
            query=urlsplit(action).query,
            params=form,
            headers=signed(ENDPOINT, form).headers,
        ),
        "keys changed": signed(action, form, body={**form, "Digits": "9"}),
        "step changed": WebhookRequest(
            method="POST",
            endpoint=ENDPOINT,
            query="step=recording&call=x&from=%2B1&to=%2B2",
            params=form,
            headers=signed(action, form).headers,
        ),
    }[kind]
    result = dispatch(request, MENU, store)
    assert (result.status, result.events) == (403, [])


def test_an_unknown_step_is_accepted_and_starts_nothing() -> None:
    result = dispatch(signed(f"{ENDPOINT}?step=dance", ANSWER), MENU, StandInStorage())
    assert (result.status, result.events, result.body) == (200, [], "<Response></Response>")


# -- voicemail ---------------------------------------------------------------------------------


def test_voicemail_without_transcription_starts_on_the_recording() -> None:
    store = StandInStorage()
    urls = urls_of(VOICEMAIL, store)
    done = dispatch(signed(urls["Record.action"], {**ANSWER, "RecordUrl": "x"}), VOICEMAIL, store)
    assert (done.events, done.body) == (
        [],
        "<Response><Speak>Thanks. Bye.</Speak><Hangup/></Response>",
    )
    result = dispatch(signed(urls["Record.callbackUrl"], RECORDING), VOICEMAIL, store)
    assert result.events == [EVENT_VOICEMAIL_RECEIVED]
    assert result.body == "<Response></Response>"
    assert result.payload == {
        "call_uuid": CALL_UUID,
        "from": "+14155550123",
        "to": "+14155550100",
        "recording_url": RECORDING["record_url"],
        "duration": 17,
        "transcript": None,
    }
    assert list(result.payload) == list(VOICEMAIL_VARIABLES)
    again = dispatch(signed(urls["Record.callbackUrl"], RECORDING), VOICEMAIL, store)
    assert again.events == []


def test_without_storage_a_recording_still_starts_the_event() -> None:
    urls = urls_of(TRANSCRIBED, StandInStorage())
    result = dispatch(signed(urls["Record.callbackUrl"], RECORDING), TRANSCRIBED, None)
    assert result.events == [EVENT_VOICEMAIL_RECEIVED]
    assert result.payload["transcript"] is None


@pytest.mark.parametrize(
    "recording_first", [True, False], ids=["recording first", "transcript first"]
)
def test_a_transcribed_voicemail_starts_once_when_both_halves_arrived(
    recording_first: bool,
) -> None:
    store = StandInStorage()
    urls = urls_of(TRANSCRIBED, store)
    recording = signed(urls["Record.callbackUrl"], RECORDING)
    transcription = signed(urls["Record.transcriptionUrl"], TRANSCRIPTION)
    first, second = (recording, transcription) if recording_first else (transcription, recording)
    waiting = dispatch(first, TRANSCRIBED, store)
    assert (waiting.status, waiting.events) == (200, [])
    assert "waiting" in waiting.note
    result = dispatch(second, TRANSCRIBED, store)
    assert result.events == [EVENT_VOICEMAIL_RECEIVED]
    assert result.payload["transcript"] == TRANSCRIPTION["transcription"]
    assert result.payload["recording_url"] == RECORDING["record_url"]
    assert (result.payload["from"], result.payload["duration"]) == ("+14155550123", 17)
    for repeated in (first, second):
        assert dispatch(repeated, TRANSCRIBED, store).events == []
    stored = b"".join(store.values.values()).decode()
    assert CALLER not in stored and OURS not in stored  # no phone number kept in storage


def test_a_failed_transcription_still_starts_the_voicemail_without_text() -> None:
    store = StandInStorage()
    urls = urls_of(TRANSCRIBED, store)
    dispatch(signed(urls["Record.callbackUrl"], RECORDING), TRANSCRIBED, store)
    failed = {**TRANSCRIPTION, "transcription": "", "error": "Recording duration too short"}
    result = dispatch(signed(urls["Record.transcriptionUrl"], failed), TRANSCRIBED, store)
    assert result.events == [EVENT_VOICEMAIL_RECEIVED]
    assert result.payload["transcript"] is None


def test_the_answer_the_caller_got_decides_whether_to_wait_for_a_transcript() -> None:
    """Settings changed after the call was answered: the callback URL still says what was
    asked of Plivo."""
    store = StandInStorage()
    urls = urls_of(VOICEMAIL, store)
    result = dispatch(signed(urls["Record.callbackUrl"], RECORDING), TRANSCRIBED, store)
    assert result.events == [EVENT_VOICEMAIL_RECEIVED]


def test_storage_failing_while_keeping_a_half_asks_plivo_to_retry() -> None:
    store = StandInStorage(quota=1)
    urls = urls_of(TRANSCRIBED, StandInStorage())
    result = dispatch(signed(urls["Record.callbackUrl"], RECORDING), TRANSCRIBED, store)
    assert (result.status, result.events) == (503, [])


@pytest.mark.parametrize(
    "form",
    [{**RECORDING, "record_url": ""}, {**RECORDING, "record_url": "javascript:alert(1)"}],
)
def test_a_recording_callback_without_a_usable_url_starts_nothing(form: dict[str, str]) -> None:
    store = StandInStorage()
    urls = urls_of(VOICEMAIL, store)
    assert dispatch(signed(urls["Record.callbackUrl"], form), VOICEMAIL, store).events == []


def test_a_step_without_its_call_identity_starts_nothing() -> None:
    result = dispatch(signed(f"{ENDPOINT}?step=recording", RECORDING), VOICEMAIL, StandInStorage())
    assert (result.status, result.events) == (200, [])
