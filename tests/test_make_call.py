"""make_call's plan: the exact request body, and every refusal before a request exists."""

from __future__ import annotations

from typing import Any

import pytest

from plivo_api.errors import InputError
from plivo_api.features.make_call import plan
from plivo_api.voice import REASON_SIP_COUNTRY

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
