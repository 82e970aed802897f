"""make_call's plan: the exact request body, every refusal before a request exists, and the
one request with what it shows."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, OutcomeUnknownError
from plivo_api.features import Invocation
from plivo_api.features.make_call import REASON_EXTENSION_CALL, plan, run
from plivo_api.messaging.call_destinations import REASON_SIP_COUNTRY
from tests.conftest import AUTH_ID, AUTH_TOKEN

ANSWER = "https://example.com/answer"
SENDER = "+14155550100"


def planned(default_sender: str | None = SENDER, **params: Any) -> Any:
    return plan({"answer_url": ANSWER, **params}, default_sender)


def test_minimal_body_is_from_to_and_the_answer_url() -> None:
    body = planned(to="+1 (415) 555-2671").request_body()
    assert body == {
        "from": "14155550100",
        "to": "14155552671",
        "answer_url": ANSWER,
        "answer_method": "POST",
    }


def test_every_option_given_is_sent_and_only_those() -> None:
    body = planned(
        to="+14155552671",
        answer_method="GET",
        from_number="+1 415 555 0111",
        caller_name="Front desk",
        ring_url="https://example.com/ring",
        ring_method="GET",
        hangup_url="https://example.com/hangup",
        fallback_url="https://example.com/fallback",
        fallback_method="POST",
        hangup_method="POST",
        time_limit=600,
        ring_timeout="30",
        machine_detection="Hangup",
        machine_detection_time=3000,
        machine_detection_url="https://example.com/amd",
        send_digits="1w2W3",
        send_on_preanswer=True,
    ).request_body()
    assert body == {
        "from": "14155550111",
        "to": "14155552671",
        "answer_url": ANSWER,
        "answer_method": "GET",
        "ring_url": "https://example.com/ring",
        "ring_method": "GET",
        "hangup_url": "https://example.com/hangup",
        "hangup_method": "POST",
        "fallback_url": "https://example.com/fallback",
        "fallback_method": "POST",
        "caller_name": "Front desk",
        "time_limit": 600,
        "ring_timeout": 30,
        "machine_detection": "hangup",
        "machine_detection_time": 3000,
        "machine_detection_url": "https://example.com/amd",
        "send_digits": "1w2W3",
        "send_on_preanswer": True,
    }


def test_form_defaults_as_dify_sends_them_add_nothing() -> None:
    body = planned(
        to="+14155552671",
        ring_method="POST",
        hangup_method="POST",
        fallback_method="POST",
        machine_detection="off",
        send_on_preanswer=False,
        max_recipients=1,
        caller_name="",
    ).request_body()
    assert set(body) == {"from", "to", "answer_url", "answer_method"}


def test_bulk_joins_e164_digits_and_sip_uris_with_lt() -> None:
    call_plan = planned(
        to="+14155552671, sip:alice@phone.plivo.com, 12345, +14155552671", max_recipients=3
    )
    assert call_plan.request_body()["to"] == "14155552671<sip:alice@phone.plivo.com"
    assert call_plan.destinations == ("+14155552671", "sip:alice@phone.plivo.com")
    assert [entry.input for entry in call_plan.invalid] == ["12345"]


def test_the_caller_id_is_never_a_destination() -> None:
    call_plan = planned(to=f"{SENDER}, +14155552671", max_recipients=2)
    assert call_plan.destinations == ("+14155552671",)
    assert [(e.input, e.reason) for e in call_plan.invalid] == [(SENDER, "is the caller ID itself")]


def test_allowed_countries_skip_other_countries_and_sip_uris() -> None:
    call_plan = planned(
        to="+14155552671, +442079460018, sip:a@phone.plivo.com",
        allowed_countries="US, CA",
        max_recipients=3,
    )
    assert call_plan.destinations == ("+14155552671",)
    reasons = {entry.input: entry.reason for entry in call_plan.invalid}
    assert "outside the countries this tool may call" in reasons["+442079460018"]
    assert reasons["sip:a@phone.plivo.com"] == REASON_SIP_COUNTRY


def test_nothing_left_to_call_is_refused_with_every_reason() -> None:
    with pytest.raises(InputError) as caught:
        planned(to="+442079460018", allowed_countries="US")
    assert caught.value.parameter == "to"
    assert "no valid destination: 1 invalid: +442079460018 (in GB" in str(caught.value)
    assert "No call was placed" in str(caught.value)


def test_the_default_cap_is_one_call() -> None:
    with pytest.raises(InputError, match="2 recipients exceed this tool's limit of 1 per request"):
        planned(to="+14155552671, +14155552672")


@pytest.mark.parametrize(
    ("explicit", "default", "parameter", "phrase"),
    [
        ("ACME", SENDER, "from_number", "'ACME' is an alphanumeric sender ID"),
        (None, "ACME", "default_sender", "'ACME' is an alphanumeric sender ID"),
        ("12345", None, "from_number", "'12345' is a short code"),
        (
            None,
            "1b2c3d4e-0000-4000-8000-00000000abcd",
            "default_sender",
            "is a Powerpack UUID",
        ),
    ],
)
def test_a_caller_id_must_be_a_phone_number(
    explicit: str | None, default: str | None, parameter: str, phrase: str
) -> None:
    with pytest.raises(InputError) as caught:
        planned(default, to="+14155552671", from_number=explicit)
    assert caught.value.parameter == parameter
    assert phrase in str(caught.value)
    assert "a call needs a phone number as caller ID" in str(caught.value)


def test_no_caller_id_anywhere_says_where_to_set_one() -> None:
    with pytest.raises(InputError, match="'From number'") as caught:
        planned(None, to="+14155552671")
    assert caught.value.parameter == "from_number"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"to": ""}, "to"),
        ({"to": "+14155552671", "answer_url": ""}, "answer_url"),
        ({"to": "+14155552671", "answer_url": "ftp://x"}, "answer_url"),
        ({"to": "+14155552671", "ring_url": "example.com/ring"}, "ring_url"),
        ({"to": "+14155552671", "caller_name": "x" * 51}, "caller_name"),
        ({"to": "+14155552671", "send_digits": "1; DROP"}, "send_digits"),
        ({"to": "+14155552671", "time_limit": 86401}, "time_limit"),
        ({"to": "+14155552671", "ring_timeout": 0}, "ring_timeout"),
        ({"to": "+14155552671", "machine_detection": "maybe"}, "machine_detection"),
        ({"to": "+14155552671", "machine_detection_time": 1999}, "machine_detection_time"),
        ({"to": "+14155552671", "max_recipients": 1001}, "max_recipients"),
        ({"to": "+14155552671", "answer_method": "PUT"}, "answer_method"),
        ({"to": "+14155552671", "default_country": "XX"}, "default_country"),
    ],
)
def test_bad_settings_are_refused_naming_the_parameter(
    params: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        plan({"answer_url": ANSWER, **params}, SENDER)
    assert caught.value.parameter == parameter


def test_an_extension_is_refused_in_voice_words() -> None:
    with pytest.raises(InputError) as caught:
        planned(to="+1 415 555 2671 ext. 123")
    message = str(caught.value)
    assert "a call cannot dial an extension directly" in message
    assert "send_digits" in message
    assert "SMS" not in message


def test_an_extension_beside_a_callable_number_is_listed_in_voice_words() -> None:
    call_plan = planned(to="+14155552671, +1 415 555 2672 x 9", max_recipients=2)
    assert call_plan.destinations == ("+14155552671",)
    [entry] = call_plan.invalid
    assert entry.reason == REASON_EXTENSION_CALL


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/answer",
        "https://127.0.0.1/answer.xml",
        "http://10.0.0.5/ivr",
        "http://192.168.1.20/answer",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/answer",
        "https://ivr.internal/answer",
        "http://printer.local/answer",
    ],
)
def test_an_answer_url_plivo_cannot_reach_is_refused(url: str) -> None:
    with pytest.raises(InputError) as caught:
        plan({"answer_url": url, "to": "+14155552671"}, SENDER)
    assert caught.value.parameter == "answer_url"
    assert "Plivo's servers cannot reach" in str(caught.value)
    assert "public http(s) URL" in str(caught.value)


# -- run against a local Plivo ----------------------------------------------------------------

CALL_PATH = f"/v1/Account/{AUTH_ID}/Call/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN, "default_sender": SENDER}
REQUEST_UUID = "9834029e-58b6-11e1-b8b7-a5bd0e4e126f"
# With its own answer_url the plugin never sees the call's XML: no answer, state or duration.
NOT_SERVED = dict.fromkeys(("answer", "answered", "state", "call_uuid", "duration"))


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_places_one_call_and_names_the_answer_url_the_callee_hears(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        CALL_PATH,
        method="POST",
        json={
            "from": "14155550100",
            "to": "14155552671",
            "answer_url": ANSWER,
            "answer_method": "POST",
        },
    ).respond_with_json(
        {"api_id": "api-c1", "message": "call fired", "request_uuid": REQUEST_UUID}, status=201
    )
    output = run(Invocation({"to": "+1 415 555 2671", "answer_url": ANSWER}, CREDENTIALS))
    assert output.json == {
        "request_uuids": [REQUEST_UUID],
        "recipients": ["+14155552671"],
        "invalid_recipients": [],
        "from": SENDER,
        "answer_url": ANSWER,
        "api_id": "api-c1",
        **NOT_SERVED,
    }
    assert output.variables == {
        "request_uuid": REQUEST_UUID,
        "request_uuids": [REQUEST_UUID],
        "recipients": ["+14155552671"],
        "invalid_recipients": [],
        "answer_url": ANSWER,
        **NOT_SERVED,
    }
    assert f"The callee hears what {ANSWER} returns" in output.text
    assert "tool's settings" in output.text
    assert len(plivo.log) == 1


def test_run_refuses_a_private_answer_url_before_any_request(plivo: HTTPServer) -> None:
    with pytest.raises(InputError, match="answer_url"):
        run(
            Invocation(
                {"to": "+14155552671", "answer_url": "http://192.168.0.10/answer"}, CREDENTIALS
            )
        )
    assert plivo.log == []


def test_run_a_plivo_error_is_raised_and_the_call_is_not_repeated(plivo: HTTPServer) -> None:
    plivo.expect_request(CALL_PATH, method="POST").respond_with_json(
        {"api_id": "api-c2", "error": "server error"}, status=500
    )
    with pytest.raises(OutcomeUnknownError, match="may or may not have been placed"):
        run(Invocation({"to": "+14155552671", "answer_url": ANSWER}, CREDENTIALS))
    assert len(plivo.log) == 1


# -- speaking modes ---------------------------------------------------------------------------

ENDPOINT = "https://dify.example.com/e/hook1/sms/inbound"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"to": "+14155552671"}, "answer_url"),
        ({"to": "+14155552671", "answer_url": ANSWER, "speak_text": "hi"}, "speak_text"),
        ({"to": "+14155552671", "play_url": "https://x.example/a.mp3", "ask": "?"}, "ask"),
        ({"to": "+14155552671", "speak_text": "hi", "voice": "<evil>"}, "voice"),
        ({"to": "+14155552671", "ask": "?", "input_type": "keys"}, "input_type"),
        ({"to": "+14155552671", "speak_text": "hi", "wait_seconds": 301}, "wait_seconds"),
        ({"to": "+14155552671", "answer_url": ANSWER, "wait_seconds": 5}, "wait_seconds"),
        ({"to": "+14155552671", "speak_text": "hi", "hangup_url": ANSWER}, "hangup_url"),
        ({"to": "+14155552671", "play_url": "http://127.0.0.1/a.mp3"}, "play_url"),
        (
            {"to": "+14155552671,+14155552672", "ask": "?", "wait_seconds": 5,
             "max_recipients": 2},
            "wait_seconds",
        ),
    ],
)  # fmt: skip
def test_a_speaking_mode_refuses_bad_input_before_any_request(
    plivo: HTTPServer, params: dict[str, object], parameter: str
) -> None:
    with pytest.raises(InputError) as failure:
        run(Invocation(params, {**CREDENTIALS, "endpoint_url": ENDPOINT}))
    assert failure.value.parameter == parameter


def test_a_speaking_mode_without_endpoint_url_says_where_to_find_it(plivo: HTTPServer) -> None:
    with pytest.raises(InputError) as failure:
        run(Invocation({"to": "+14155552671", "speak_text": "hi"}, CREDENTIALS))
    assert failure.value.parameter == "endpoint_url"
    assert "Endpoints" in str(failure.value)
