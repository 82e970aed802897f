"""plivo_api.voice without a plugin process: signed instructions, the answers store (with its
storage round trips counted) and the route handlers' two checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from devtools.sandbox.signing import signature_headers
from plivo_api.errors import InputError
from plivo_api.inbound.settings import EndpointSettings
from plivo_api.toolkit.polling import Clock
from plivo_api.voice import answers
from plivo_api.voice.instructions import (
    MAX_AGE_SECONDS,
    CallInstructions,
    answer_xml,
    endpoint_base,
    sign_call,
    verify_query,
)
from plivo_api.voice.routes import handle_answer, handle_event, handle_input
from plivo_api.webhooks.door import WebhookRequest

AUTH_ID, TOKEN = "MA" + "Y" * 18, "voice-token"
BASE = "https://dify.example.com/e/hook123"
NOW = 1_800_000_000.0
ASK = CallInstructions(mode="ask", text="Press 1 <now> & then #", input_type="dtmf speech")


class CountingStore:
    """Plugin storage in memory that counts every call (each is a daemon round trip)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.calls: list[str] = []

    def get(self, key: str) -> bytes:
        self.calls.append("get")
        if key not in self.data:
            raise KeyError(key)
        return self.data[key]

    def set(self, key: str, val: bytes) -> None:
        self.calls.append("set")
        self.data[key] = val

    def delete(self, key: str) -> None:
        self.calls.append("delete")
        del self.data[key]

    def exist(self, key: str) -> bool:
        self.calls.append("exist")
        return key in self.data


def fields(query: str) -> dict[str, list[str]]:
    return parse_qs(query)


def test_instructions_round_trip_and_any_change_breaks_the_signature() -> None:
    signed = sign_call(ASK, AUTH_ID, TOKEN, now=NOW)
    query = urlencode(dict(signed.query))
    verified = verify_query(fields(query), AUTH_ID, TOKEN, now=NOW + 5)
    assert verified is not None and verified.instructions == ASK
    assert verified.call_id == signed.call_id
    for name in ("c", "t", "i"):
        value = signed.query[name]
        # A real change: the random id may already end (or start) with the letter used.
        tampered = dict(signed.query, **{name: ("B" if value[0] == "A" else "A") + value[1:]})
        assert verify_query(fields(urlencode(tampered)), AUTH_ID, TOKEN, now=NOW) is None
    assert verify_query(fields(query), AUTH_ID, "other-token", now=NOW) is None
    assert verify_query(fields(query), AUTH_ID, TOKEN, now=NOW + MAX_AGE_SECONDS + 1) is None
    other = sign_call(ASK, AUTH_ID, TOKEN, now=NOW)
    swapped = dict(signed.query, c=other.query["c"])
    assert verify_query(fields(urlencode(swapped)), AUTH_ID, TOKEN, now=NOW) is None
    doubled = query + "&i=" + signed.query["i"]
    assert verify_query(fields(doubled), AUTH_ID, TOKEN, now=NOW) is None


def test_long_instructions_are_referenced_and_stored_once() -> None:
    long = CallInstructions(mode="speak", text="word " * 600)
    signed = sign_call(long, AUTH_ID, TOKEN, now=NOW)
    assert "k" in signed.query and "i" not in signed.query
    store = CountingStore()
    signed.keep(store)
    assert store.calls == ["set"]


def test_the_xml_escapes_text_and_records_first_when_asked() -> None:
    document = answer_xml(
        CallInstructions(mode="speak", text="a < b & c", record=True, transcribe=True),
        "https://x.example/i",
        "https://x.example/e",
    )
    assert document.startswith("<Response><Record ")
    assert 'recordSession="true"' in document and 'transcriptionType="auto"' in document
    assert "a &lt; b &amp; c" in document
    asked = answer_xml(ASK, "https://x.example/i?c=1&s=2", "https://x.example/e")
    assert (
        'inputType="dtmf speech"' in asked and 'action="https://x.example/i?c=1&amp;s=2"' in asked
    )


@pytest.mark.parametrize(
    "url",
    [
        BASE,
        BASE + "/",
        BASE + "/sms/inbound",
        BASE + "/voice/answer?c=1",
    ],
)
def test_any_endpoint_url_is_cut_back_to_its_base(url: str) -> None:
    assert endpoint_base(url) == BASE


@pytest.mark.parametrize("url", [None, "", "https://dify.example.com/apps", "ftp://x/e/1"])
def test_a_missing_or_wrong_endpoint_url_names_it_and_where_to_find_it(url: str | None) -> None:
    with pytest.raises(InputError) as failure:
        endpoint_base(url)
    assert failure.value.parameter == "endpoint_url"


# -- the answers store ------------------------------------------------------------------------


def test_input_and_hangup_cost_one_read_and_one_write_each() -> None:
    store = CountingStore()
    answers.save_input(
        store, AUTH_ID, "call-1", {"InputType": ["dtmf"], "Digits": ["7"], "CallUUID": ["u1"]}
    )
    assert store.calls == ["get", "exist", "set"]  # nothing stored yet: get fails, exist says so
    store.calls.clear()
    answers.save_end(
        store,
        AUTH_ID,
        "call-1",
        {"CallStatus": ["completed"], "Duration": ["12"], "AnswerTime": ["x"]},
    )
    assert store.calls == ["get", "set"]
    progress = answers.read_progress(store, AUTH_ID, "call-1")
    assert (progress.answer, progress.state, progress.duration) == ("7", "completed", 12)
    assert progress.answered is True and progress.call_uuid == "u1"
    assert "call-1" not in str(list(store.data))  # keys hold a digest of the call id


def test_the_wait_stops_at_the_answer_and_looks_a_bounded_number_of_times() -> None:
    store = CountingStore()
    moments = [0.0]
    clock = Clock(now=lambda: moments[0], sleep=lambda s: moments.__setitem__(0, moments[0] + s))
    nothing = answers.wait_for(store, AUTH_ID, "c", 10, want_answer=True, clock=clock)
    assert nothing.answer is None and moments[0] == 10
    assert store.calls.count("get") == answers.looks(10)
    answers.save_input(store, AUTH_ID, "c", {"InputType": ["speech"], "Speech": ["yes"]})
    found = answers.wait_for(store, AUTH_ID, "c", 10, want_answer=True, clock=clock)
    assert found.answer == "yes" and found.answer_kind == "speech"


# -- the routes -------------------------------------------------------------------------------


def settings() -> EndpointSettings:
    return EndpointSettings(auth_id=AUTH_ID, auth_token=TOKEN)


def request(route: str, query: str, params: dict[str, str], token: str = TOKEN) -> WebhookRequest:
    url = f"{BASE}{route}?{query}"
    headers = signature_headers("POST", url, params, token)
    headers |= {"Dify-Hook-Url": f"{BASE}{route}", "Dify-Hook-Id": "hook123"}
    return WebhookRequest(
        method="POST",
        params={k: [v] for k, v in params.items()},
        query=query,
        headers=headers,
        path=route,
    )


def test_answer_serves_xml_pointing_back_at_the_same_endpoint() -> None:
    signed = sign_call(ASK, AUTH_ID, TOKEN, now=NOW)
    query = urlencode(dict(signed.query))
    store = CountingStore()
    result = handle_answer(
        request("/voice/answer", query, {"CallUUID": "u"}), settings(), store, clock=lambda: NOW
    )
    assert result.status == 200 and store.calls == []
    assert f'action="{BASE}/voice/input?' in result.body


@pytest.mark.parametrize("handler", [handle_answer, handle_input, handle_event])
def test_either_signature_failing_is_403_with_no_storage_call(handler: object) -> None:
    signed = sign_call(ASK, AUTH_ID, TOKEN, now=NOW)
    query = urlencode(dict(signed.query))
    forged_query = urlencode(dict(signed.query, s="A" * 43))
    params = {"CallUUID": "u", "Digits": "1", "Event": "Hangup", "CallStatus": "completed"}
    for bad in (
        request("/voice/x", query, params, token="wrong"),
        request("/voice/x", forged_query, params),
    ):
        store = CountingStore()
        result = handler(bad, settings(), store, clock=lambda: NOW)  # type: ignore[operator]
        assert result.status == 403 and store.calls == []


def test_input_keeps_the_answer_and_event_keeps_the_end() -> None:
    signed = sign_call(ASK, AUTH_ID, TOKEN, now=NOW)
    query = urlencode(dict(signed.query))
    store = CountingStore()
    given = {"CallUUID": "u", "InputType": "dtmf", "Digits": "1"}
    answer = handle_input(
        request("/voice/input", query, given), settings(), store, clock=lambda: NOW
    )
    assert answer.status == 200 and answer.body == "<Response></Response>"
    ended = {"CallUUID": "u", "Event": "Hangup", "CallStatus": "completed", "Duration": "9"}
    handle_event(request("/voice/event", query, ended), settings(), store, clock=lambda: NOW)
    recording = {"recording_id": "r1", "record_url": "https://media.example/r1.mp3"}
    writes = store.calls.count("set")
    ack = handle_event(
        request("/voice/event", query, recording), settings(), store, clock=lambda: NOW
    )
    assert ack.status == 200 and store.calls.count("set") == writes
    progress = answers.read_progress(store, AUTH_ID, signed.call_id)
    assert (progress.answer, progress.state, progress.duration) == ("1", "completed", 9)
    assert urlsplit(BASE).path == "/e/hook123"
