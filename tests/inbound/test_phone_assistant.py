"""The phone assistant's core: the three voice routes with requests signed the way Plivo signs
them, the daemon's storage rules, and stand-in apps (the end-to-end tests drive the same routes
through the plugin process)."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from devtools.daemon import StandInStorage
from devtools.sandbox.signing import signature_headers
from plivo_api.inbound.apps import AppInvocationError
from plivo_api.inbound.calls import phrases
from plivo_api.inbound.calls.documents import MAX_SPOKEN_CHARS, spoken
from plivo_api.inbound.calls.handlers import (
    handle_voice_hangup,
    handle_voice_inbound,
    handle_voice_turn,
)
from plivo_api.inbound.calls.record import CallBook
from plivo_api.inbound.calls.turns import CallerInput, VoiceTiming
from plivo_api.inbound.services import Services
from plivo_api.inbound.settings import EndpointSettings
from plivo_api.inbound.webhook import WebhookRequest
from plivo_api.transport.credentials import Credentials
from plivo_api.webhooks.kvstore import StorageScope

TOKEN = "phone-test-token"
AUTH_ID = "MAXXXXXXXXXXXXXXXXXX"
BASE = "https://dify.example.com/e/hook"
CALLER, OURS, PERSON = "14155552671", "14155550199", "+14155550123"
FAST = VoiceTiming(app_budget=2.0, retry_wait=2.0, poll=0.05)
ROOT = Path(__file__).resolve().parents[2]


def settings(**extra: Any) -> EndpointSettings:
    return EndpointSettings.from_mapping(
        {
            "auth_id": AUTH_ID,
            "auth_token": TOKEN,
            "app": {"app_id": "sms-bot"},
            "voice_app": {"app_id": "phone-bot"},
            **extra,
        }
    )


class Apps:
    """A chat app: ``answer(query)`` is its answer; every invocation is kept."""

    def __init__(self, answer: Callable[[str], str] = lambda q: f"You said {q}.") -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def invoke(
        self, app_id: str, *, query: str, inputs: Mapping[str, object], conversation_id: str | None
    ) -> Mapping[str, object]:
        with self.lock:
            self.calls.append(
                {"app": app_id, "query": query, "inputs": dict(inputs), "conv": conversation_id}
            )
        return {
            "answer": self.answer(query),
            "conversation_id": conversation_id or str(uuid.uuid4()),
        }


def no_messenger(credentials: Credentials) -> Any:
    raise AssertionError("a call sends no SMS")


def services(apps: Apps, store: StandInStorage | None = None) -> Services:
    return Services(store=store or StandInStorage(), apps=apps, messenger=no_messenger)


def signed(
    path: str, form: Mapping[str, str], *, query: str = "", token: str = TOKEN
) -> WebhookRequest:
    url = f"{BASE}{path}" + (f"?{query}" if query else "")
    return WebhookRequest(
        method="POST",
        path=path,
        query=query,
        params={key: [value] for key, value in form.items()},
        headers={
            "Dify-Hook-Url": url,
            "Dify-Hook-Id": "hook",
            **signature_headers("POST", url, form, token),
        },
    )


def call_form(call_uuid: str, **extra: str) -> dict[str, str]:
    return {
        "CallUUID": call_uuid,
        "From": CALLER,
        "To": OURS,
        "Direction": "inbound",
        "CallStatus": "in-progress",
        **extra,
    }


def turn(
    call_uuid: str, n: int, speech: str = "", *, silence: int = 0, **extra: str
) -> WebhookRequest:
    form = call_form(call_uuid, **extra)
    if speech:
        form.update(InputType="speech", Speech=speech, SpeechConfidenceScore="0.9")
    query = f"turn={n}" + (f"&silence={silence}" if silence else "")
    return signed("/voice/turn", form, query=query)


def parsed(body: str) -> ElementTree.Element:
    return ElementTree.fromstring(body)  # noqa: S314 - our own output


def said(body: str) -> list[str]:
    return [element.text or "" for element in parsed(body).iter("Speak")]


def listens_for(body: str) -> tuple[str, str]:
    """The GetInput action and the silence redirect of a prompt."""
    root = parsed(body)
    get_input = root.find("GetInput")
    redirect = root.find("Redirect")
    assert get_input is not None and redirect is not None, body
    assert get_input.get("inputType") == "dtmf speech"
    assert get_input.get("numDigits") == "1"
    return get_input.get("action") or "", redirect.text or ""


def new_call() -> str:
    return str(uuid.uuid4())


# -- signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("handler", "path"),
    [
        (handle_voice_inbound, "/voice/inbound"),
        (handle_voice_turn, "/voice/turn"),
        (handle_voice_hangup, "/voice/hangup"),
    ],
)
def test_a_forged_request_gets_403_and_nothing_runs_or_is_stored(handler: Any, path: str) -> None:
    apps, store = Apps(), StandInStorage()
    form = call_form(new_call(), Speech="hello", Duration="12")
    forged = signed(path, form, query="turn=1", token="not-the-token")
    answer = handler(forged, settings(status_app={"app_id": "filer"}), services(apps, store))
    assert answer.status == 403
    assert answer.body == "Forbidden"
    assert apps.calls == []
    assert store.snapshot() == {}
    assert store.calls_for("get") == []


def test_a_tampered_turn_number_breaks_the_signature() -> None:
    request = turn(new_call(), 3, "hello")
    tampered = WebhookRequest(
        method="POST",
        path=request.path,
        query="turn=4",
        params=request.params,
        headers=request.headers,
    )
    assert handle_voice_turn(tampered, settings(), services(Apps()), FAST).status == 403


# -- the greeting -------------------------------------------------------------------------------


def test_the_answer_url_speaks_the_greeting_escaped_and_listens_for_turn_one() -> None:
    greeting = 'Welcome to Smith & Sons <support> "desk"'
    answer = handle_voice_inbound(
        signed("/voice/inbound", call_form(new_call())),
        settings(greeting=greeting, voice="MAN", language="en-GB"),
        services(Apps()),
    )
    assert answer.status == 200
    assert answer.content_type == "application/xml"
    assert "Smith &amp; Sons &lt;support&gt;" in answer.body
    assert said(answer.body) == [greeting]
    speak = parsed(answer.body).find("GetInput/Speak")
    assert speak is not None and speak.get("voice") == "MAN" and speak.get("language") == "en-GB"
    assert listens_for(answer.body) == (
        f"{BASE}/voice/turn?turn=1",
        f"{BASE}/voice/turn?turn=1&silence=1",
    )


def test_without_a_greeting_the_default_one_is_spoken() -> None:
    answer = handle_voice_inbound(
        signed("/voice/inbound", call_form(new_call())), settings(), services(Apps())
    )
    assert said(answer.body) == [phrases.DEFAULT_GREETING]


def test_without_an_app_that_talks_the_caller_is_told_and_the_call_ends() -> None:
    answer = handle_voice_inbound(
        signed("/voice/inbound", call_form(new_call())),
        settings(voice_app=None),
        services(Apps()),
    )
    assert said(answer.body) == [phrases.NOT_AVAILABLE]
    assert parsed(answer.body).find("Hangup") is not None


def test_the_turn_urls_follow_a_public_url_behind_a_proxy() -> None:
    form = call_form(new_call())
    public = "https://public.example.org/e/hook/voice/inbound"
    request = WebhookRequest(
        method="POST",
        path="/voice/inbound",
        params={key: [value] for key, value in form.items()},
        headers={"Dify-Hook-Id": "hook", **signature_headers("POST", public, form, TOKEN)},
    )
    answer = handle_voice_inbound(
        request, settings(public_url="https://public.example.org"), services(Apps())
    )
    assert listens_for(answer.body)[0] == "https://public.example.org/e/hook/voice/turn?turn=1"


# -- turns --------------------------------------------------------------------------------------


def test_three_turns_run_the_app_in_one_conversation_per_call() -> None:
    apps = Apps()
    svc = services(apps)
    call, other = new_call(), new_call()
    for n, words in enumerate(("I need an appointment", "Tuesday", "Thanks"), start=1):
        answer = handle_voice_turn(turn(call, n, words), settings(), svc, FAST)
        assert said(answer.body) == [f"You said {words}."]
        assert listens_for(answer.body)[0] == f"{BASE}/voice/turn?turn={n + 1}"
    handle_voice_turn(turn(other, 1, "hello"), settings(), svc, FAST)
    assert [c["query"] for c in apps.calls] == [
        "I need an appointment",
        "Tuesday",
        "Thanks",
        "hello",
    ]
    assert {c["app"] for c in apps.calls} == {"phone-bot"}
    first = apps.calls[0]
    assert first["conv"] is None
    assert first["inputs"] == {"call_uuid": call, "from": f"+{CALLER}", "to": f"+{OURS}"}
    conversation = apps.calls[1]["conv"]
    assert conversation and apps.calls[2]["conv"] == conversation
    assert apps.calls[3]["conv"] is None  # another call, another conversation


def test_reasoning_and_markdown_are_not_spoken_and_the_answer_is_escaped() -> None:
    apps = Apps(
        lambda q: "<think>the caller wants hours</think>**Open** 9 < 5 & [site](https://x.io)"
    )
    answer = handle_voice_turn(turn(new_call(), 1, "hours?"), settings(), services(apps), FAST)
    assert said(answer.body) == ["Open 9 < 5 & site (https://x.io)"]
    assert "think" not in answer.body and "**" not in answer.body
    assert "9 &lt; 5 &amp; site" in answer.body


def test_a_long_answer_is_cut_at_a_sentence() -> None:
    text = "This is one sentence. " * 400
    assert len(spoken(text)) <= MAX_SPOKEN_CHARS
    assert spoken(text).endswith("sentence.")


@pytest.mark.parametrize(
    "words",
    ["Can I talk to a human please", "OPERATOR", "I want an agent", "a real person", "persons"],
)
def test_asking_for_a_person_dials_transfer_to_and_the_app_does_not_run(words: str) -> None:
    apps = Apps()
    answer = handle_voice_turn(
        turn(new_call(), 2, words), settings(transfer_to="+1 415 555 0123"), services(apps), FAST
    )
    root = parsed(answer.body)
    assert said(answer.body) == [phrases.CONNECTING]
    number = root.find("Dial/Number")
    assert number is not None and number.text == "14155550123"
    assert apps.calls == []


def test_the_key_zero_dials_transfer_to() -> None:
    request = turn(new_call(), 1, InputType="dtmf", Digits="0")
    answer = handle_voice_turn(request, settings(transfer_to=PERSON), services(Apps()), FAST)
    assert parsed(answer.body).find("Dial/Number") is not None


def test_words_that_only_contain_a_transfer_word_are_questions() -> None:
    assert not CallerInput("my personal details", "").asks_for_person
    assert not CallerInput("humanity", "").asks_for_person
    assert CallerInput("", "0").asks_for_person
    assert not CallerInput("", "5").asks_for_person


@pytest.mark.parametrize("transfer_to", ["", "not a number"])
def test_without_a_transfer_number_nobody_is_available_and_the_call_goes_on(
    transfer_to: str,
) -> None:
    apps = Apps()
    answer = handle_voice_turn(
        turn(new_call(), 2, "operator"), settings(transfer_to=transfer_to), services(apps), FAST
    )
    assert said(answer.body) == [phrases.NOBODY_AVAILABLE]
    assert parsed(answer.body).find("Dial") is None
    assert listens_for(answer.body)[0] == f"{BASE}/voice/turn?turn=3"
    assert apps.calls == []


def test_silence_is_prompted_once_then_the_call_ends_with_a_goodbye() -> None:
    apps, call = Apps(), new_call()
    first = handle_voice_turn(turn(call, 2, silence=1), settings(), services(apps), FAST)
    assert said(first.body) == [phrases.REPROMPT]
    assert listens_for(first.body) == (
        f"{BASE}/voice/turn?turn=2",
        f"{BASE}/voice/turn?turn=2&silence=2",
    )
    second = handle_voice_turn(turn(call, 2, silence=2), settings(), services(apps), FAST)
    assert said(second.body) == [phrases.GOODBYE]
    assert parsed(second.body).find("Hangup") is not None
    assert parsed(second.body).find("GetInput") is None
    assert apps.calls == []


def test_an_action_without_speech_counts_as_the_first_silence() -> None:
    answer = handle_voice_turn(turn(new_call(), 1, Speech=""), settings(), services(Apps()), FAST)
    assert said(answer.body) == [phrases.REPROMPT]


def failing(query: str) -> str:
    raise AppInvocationError(
        "invoke app failed: request failed with status code: 500 and respond with: {}"
    )


@pytest.mark.parametrize(
    "answer",
    [failing, lambda q: "", lambda q: "<think>only thoughts</think>"],
    ids=["fails", "empty", "only-reasoning"],
)
def test_an_app_without_an_answer_gives_an_apology_and_a_new_prompt(
    answer: Callable[[str], str],
) -> None:
    result = handle_voice_turn(turn(new_call(), 1, "hi"), settings(), services(Apps(answer)), FAST)
    assert result.status == 200
    assert said(result.body) == [phrases.APOLOGY]
    assert listens_for(result.body)[0] == f"{BASE}/voice/turn?turn=2"


def test_an_app_slower_than_the_budget_gives_an_apology_in_time() -> None:
    release = threading.Event()

    def slow(query: str) -> str:
        release.wait(5)
        return "too late"

    started = time.monotonic()
    result = handle_voice_turn(
        turn(new_call(), 1, "hi"),
        settings(),
        services(Apps(slow)),
        VoiceTiming(app_budget=0.3, retry_wait=0.3, poll=0.05),
    )
    release.set()
    assert time.monotonic() - started < 2
    assert said(result.body) == [phrases.APOLOGY]


def test_the_budget_stays_below_what_plivo_waits() -> None:
    from plivo_api.inbound.calls import budget

    assert budget.APP_BUDGET_SECONDS + 10 <= budget.PLIVO_READ_TIMEOUT_SECONDS
    assert (
        budget.PLIVO_READ_TIMEOUT_SECONDS + budget.RETRY_WAIT_SECONDS + 2
        <= budget.PLIVO_TOTAL_TIMEOUT_SECONDS
    )


def test_a_turn_plivo_sends_again_runs_the_app_once_and_repeats_its_answer() -> None:
    apps = Apps()
    svc, call = services(apps), new_call()
    first = handle_voice_turn(turn(call, 1, "hello"), settings(), svc, FAST)
    again = handle_voice_turn(turn(call, 1, "hello"), settings(), svc, FAST)
    assert len(apps.calls) == 1
    assert said(again.body) == said(first.body) == ["You said hello."]
    assert again.body == first.body


def test_a_retry_arriving_while_the_turn_runs_waits_for_its_answer() -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(query: str) -> str:
        entered.set()
        release.wait(5)
        return "Here you are."

    apps = Apps(slow)
    svc, call = services(apps), new_call()
    results: list[Any] = []
    worker = threading.Thread(
        target=lambda: results.append(handle_voice_turn(turn(call, 1, "hi"), settings(), svc, FAST))
    )
    worker.start()
    assert entered.wait(5)
    threading.Timer(0.3, release.set).start()
    retry = handle_voice_turn(turn(call, 1, "hi"), settings(), svc, FAST)
    worker.join(5)
    assert len(apps.calls) == 1
    assert said(retry.body) == said(results[0].body) == ["Here you are."]


def test_a_retry_whose_first_delivery_never_answers_asks_again_without_running_the_app() -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck(query: str) -> str:
        entered.set()
        release.wait(5)
        return "late"

    apps = Apps(stuck)
    svc, call = services(apps), new_call()
    timing = VoiceTiming(app_budget=3.0, retry_wait=0.3, poll=0.05)
    worker = threading.Thread(
        target=lambda: handle_voice_turn(turn(call, 1, "hi"), settings(), svc, timing)
    )
    worker.start()
    assert entered.wait(5)
    retry = handle_voice_turn(turn(call, 1, "hi"), settings(), svc, timing)
    release.set()
    worker.join(5)
    assert said(retry.body) == [phrases.STILL_WORKING]
    assert len(apps.calls) == 1


class BrokenStore(StandInStorage):
    def get(self, key: str, *, session_id: str = "") -> bytes:
        raise RuntimeError("session not found")

    def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
        raise RuntimeError("session not found")

    def exist(self, key: str, *, session_id: str = "") -> int:
        raise RuntimeError("session not found")


def test_broken_storage_still_answers_the_caller() -> None:
    apps = Apps()
    svc = services(apps, BrokenStore())
    greeting = handle_voice_inbound(
        signed("/voice/inbound", call_form(new_call())), settings(), svc
    )
    assert said(greeting.body) == [phrases.DEFAULT_GREETING]
    answer = handle_voice_turn(turn(new_call(), 1, "hello"), settings(), svc, FAST)
    assert said(answer.body) == ["You said hello."]


def test_an_unexpected_failure_is_spoken_not_an_error_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from plivo_api.inbound.calls import handlers

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(handlers, "take_turn", broken)
    answer = handle_voice_turn(turn(new_call(), 1, "hello"), settings(), services(Apps()), FAST)
    assert answer.status == 200
    assert said(answer.body) == [phrases.NOT_AVAILABLE]


# -- hangup -------------------------------------------------------------------------------------


def test_the_hangup_runs_the_status_app_once_with_the_transcript_in_order() -> None:
    apps = Apps()
    store = StandInStorage()
    svc, call = services(apps, store), new_call()
    endpoint = settings(status_app={"app_id": "filer"}, greeting="Hi, Acme here.")
    handle_voice_inbound(signed("/voice/inbound", call_form(call)), endpoint, svc)
    handle_voice_turn(turn(call, 1, "book me in"), endpoint, svc, FAST)
    handle_voice_turn(turn(call, 2, silence=1), endpoint, svc, FAST)
    handle_voice_turn(turn(call, 2, "a person"), endpoint, svc, FAST)
    hangup = signed(
        "/voice/hangup",
        call_form(call, CallStatus="completed", Duration="47", HangupCause="NORMAL_CLEARING"),
    )
    assert handle_voice_hangup(hangup, endpoint, svc).status == 200
    again = signed("/voice/hangup", call_form(call, CallStatus="completed", Duration="47"))
    assert handle_voice_hangup(again, endpoint, svc).status == 200
    filed = [c for c in apps.calls if c["app"] == "filer"]
    assert len(filed) == 1
    assert filed[0]["inputs"] == {
        "call_uuid": call,
        "from": f"+{CALLER}",
        "to": f"+{OURS}",
        "duration": 47,
        "transcript": "\n".join(
            [
                "Assistant: Hi, Acme here.",
                "Caller: book me in",
                "Assistant: You said book me in.",
                "Caller: a person",
                f"Assistant: {phrases.NOBODY_AVAILABLE}",
            ]
        ),
    }
    book = CallBook(store, StorageScope.for_account(AUTH_ID))
    assert book.read(call).transcript() == ""  # not kept after the summary


def test_a_hangup_without_a_status_app_runs_nothing_and_forgets_the_transcript() -> None:
    apps, store = Apps(), StandInStorage()
    svc, call = services(apps, store), new_call()
    handle_voice_turn(turn(call, 1, "hello"), settings(), svc, FAST)
    hangup = signed("/voice/hangup", call_form(call, CallStatus="completed", Duration="3"))
    assert handle_voice_hangup(hangup, settings(), svc).status == 200
    assert len(apps.calls) == 1
    assert CallBook(store, StorageScope.for_account(AUTH_ID)).read(call).transcript() == ""


def test_a_call_without_turns_has_a_null_transcript() -> None:
    apps = Apps()
    call = new_call()
    hangup = signed("/voice/hangup", call_form(call, CallStatus="completed"))
    handle_voice_hangup(hangup, settings(status_app={"app_id": "filer"}), services(apps))
    assert apps.calls[0]["inputs"]["transcript"] is None
    assert apps.calls[0]["inputs"]["duration"] is None


def test_every_input_an_app_gets_from_a_call_is_in_the_glossary() -> None:
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    glossary = set(re.findall(r"^\|\s*`([a-z_]+)`", text, re.MULTILINE))
    apps, call = Apps(), new_call()
    svc = services(apps)
    handle_voice_turn(turn(call, 1, "hi"), settings(), svc, FAST)
    hangup = signed("/voice/hangup", call_form(call, Duration="5"))
    handle_voice_hangup(hangup, settings(status_app={"app_id": "filer"}), svc)
    for invocation in apps.calls:
        assert set(invocation["inputs"]) - glossary == set()


# -- privacy ------------------------------------------------------------------------------------


def test_nothing_the_caller_said_or_any_number_reaches_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    apps = Apps(lambda q: "Your secret appointment is at nine.")
    svc, call = services(apps), new_call()
    endpoint = settings(status_app={"app_id": "filer"}, transfer_to=PERSON)
    handle_voice_inbound(signed("/voice/inbound", call_form(call)), endpoint, svc)
    handle_voice_turn(turn(call, 1, "my card is 4242"), endpoint, svc, FAST)
    handle_voice_turn(turn(call, 2, "operator"), endpoint, svc, FAST)
    handle_voice_hangup(signed("/voice/hangup", call_form(call, Duration="9")), endpoint, svc)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert call in logged  # the call's UUID is what a log line names
    for secret in ("4242", "secret", CALLER, OURS, "4155550123", TOKEN, "operator"):
        assert secret not in logged
