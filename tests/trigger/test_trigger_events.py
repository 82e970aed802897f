"""The trigger events' variables and filters, from the payload the dispatch computed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from plivo_api.errors import InputError
from plivo_api.trigger.events import (
    CALL_INPUT_VARIABLES,
    CALL_VARIABLES,
    SMS_VARIABLES,
    STATUS_VARIABLES,
    VARIABLES,
    VOICEMAIL_VARIABLES,
    WHATSAPP_VARIABLES,
    call_event,
    call_input,
    call_variables,
    message_status,
    sms_received,
    sms_variables,
    status_variables,
    voicemail_received,
    whatsapp_received,
    whatsapp_variables,
)
from plivo_api.trigger.filters import MESSAGE_STATES
from plivo_api.webhooks.payloads import (
    WHATSAPP_CONTENT_TYPES,
    CallEvent,
    DeliveryReport,
    InboundMessage,
)

WHATSAPP_FORM = {
    "MessageUUID": "u-3",
    "From": "14155550123",
    "To": "14155550100",
    "Type": "whatsapp",
}
WHATSAPP_TEXT = whatsapp_variables(
    InboundMessage.from_params({**WHATSAPP_FORM, "ContentType": "text", "Body": "Book 2"})
)
WHATSAPP_BUTTON = whatsapp_variables(
    InboundMessage.from_params(
        {**WHATSAPP_FORM, "ContentType": "button", "Body": "Yes", "ButtonPayload": "BOOK_42"}
    )
)
WHATSAPP_MEDIA = whatsapp_variables(
    InboundMessage.from_params(
        {
            **WHATSAPP_FORM,
            "ContentType": "media",
            "MimeType": "image/png",
            "Media0": "https://m.example/a.png",
        }
    )
)
SMS_PAYLOAD = sms_variables(
    InboundMessage.from_params(
        {"MessageUUID": "u-1", "From": "14155550123", "To": "14155550100", "Text": "Book 2"}
    )
)


def test_each_event_hands_exactly_its_declared_variables() -> None:
    assert list(SMS_PAYLOAD) == list(SMS_VARIABLES)
    report = DeliveryReport.from_params({"MessageUUID": "u-2", "Status": "delivered"})
    assert list(status_variables(report)) == list(STATUS_VARIABLES)
    call = CallEvent.from_params({"CallUUID": "c", "From": "1", "To": "2"})
    assert list(call_variables(call)) == list(CALL_VARIABLES)


def test_whatsapp_received_hands_its_variables_and_null_for_what_does_not_apply() -> None:
    assert list(WHATSAPP_TEXT) == list(WHATSAPP_VARIABLES)
    assert WHATSAPP_TEXT == {
        "message_uuid": "u-3",
        "from": "+14155550123",
        "to": "+14155550100",
        "text": "Book 2",
        "content_type": "text",
        "media_urls": [],
        "button_payload": None,
    }
    assert (WHATSAPP_BUTTON["text"], WHATSAPP_BUTTON["button_payload"]) == ("Yes", "BOOK_42")
    assert WHATSAPP_MEDIA["media_urls"] == ["https://m.example/a.png"]
    assert WHATSAPP_MEDIA["text"] == "" and WHATSAPP_MEDIA["button_payload"] is None


def test_whatsapp_received_filters_the_payload() -> None:
    assert not whatsapp_received({"keyword": "book"}, WHATSAPP_TEXT).ignored
    assert whatsapp_received({"keyword": "cancel"}, WHATSAPP_TEXT).ignored
    assert not whatsapp_received({"content_types": ["button"]}, WHATSAPP_BUTTON).ignored
    dropped = whatsapp_received({"content_types": ["button"]}, WHATSAPP_MEDIA)
    assert dropped.ignored and "content_types" in dropped.verdict.reason
    with pytest.raises(InputError):
        whatsapp_received({"content_types": "video"}, WHATSAPP_MEDIA)


def test_message_status_reports_whatsapps_read_state() -> None:
    report = DeliveryReport.from_params({"MessageUUID": "u", "Status": "read", "Type": "whatsapp"})
    payload = status_variables(report)
    assert payload["state"] == "read"
    assert not message_status({"states": ["read"]}, payload).ignored
    assert message_status({"states": ["delivered"]}, payload).ignored


def test_sms_received_filters_the_payload() -> None:
    kept = sms_received({"keyword": "book"}, SMS_PAYLOAD)
    assert not kept.ignored
    assert kept.variables == SMS_PAYLOAD
    dropped = sms_received({"keyword": "cancel"}, SMS_PAYLOAD)
    assert dropped.ignored and "keyword" in dropped.verdict.reason


def test_a_payload_missing_fields_still_gives_every_variable() -> None:
    result = sms_received({}, {"text": "hi"})
    assert list(result.variables) == list(SMS_VARIABLES)
    assert result.variables["from"] is None
    assert not result.ignored


def test_message_status_filters_on_the_state() -> None:
    payload = status_variables(DeliveryReport.from_params({"MessageUUID": "u", "Status": "sent"}))
    assert message_status({"states": ["sent"]}, payload).variables["state"] == "sent"
    assert message_status({"states": ["delivered"]}, payload).ignored


def test_call_events_have_no_filter() -> None:
    payload = {"call_uuid": "c", "from": "+1", "extra": "dropped"}
    result = call_event(payload)
    assert not result.ignored
    assert list(result.variables) == list(CALL_VARIABLES)
    assert "extra" not in result.variables


def test_a_filter_that_cannot_work_raises() -> None:
    with pytest.raises(InputError):
        sms_received({"regex": "("}, SMS_PAYLOAD)
    with pytest.raises(InputError):
        message_status({"states": "lost"}, {"state": "sent"})


# -- the variables each event YAML declares ------------------------------------------------------

EVENTS_DIR = Path(__file__).resolve().parents[2] / "plivo_trigger" / "events"
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "array": (list,),
    "null": (type(None),),
}
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "sms_received": [
        SMS_PAYLOAD,
        sms_variables(
            InboundMessage.from_params(
                {"MessageUUID": "u", "From": "1415", "To": "1416", "Body": "STOP", "Type": "mms"}
            )
        ),
    ],
    "whatsapp_received": [WHATSAPP_TEXT, WHATSAPP_BUTTON, WHATSAPP_MEDIA],
    "message_status": [
        status_variables(DeliveryReport.from_params({"MessageUUID": "u", "Status": "sent"})),
        status_variables(
            DeliveryReport.from_params(
                {
                    "MessageUUID": "u",
                    "Status": "undelivered",
                    "ErrorCode": "30",
                    "From": "14155550100",
                    "To": "447700900123",
                    "Units": "1",
                    "TotalAmount": "0.0065",
                }
            )
        ),
    ],
    "call_received": [
        call_variables(CallEvent.from_params({"CallUUID": "c", "From": "1415", "To": "1416"})),
        call_variables(
            CallEvent.from_params(
                {
                    "CallUUID": "c",
                    "From": "1",
                    "To": "2",
                    "Direction": "inbound",
                    "CallStatus": "ringing",
                }
            )
        ),
    ],
}
SAMPLES["call_completed"] = [
    call_variables(
        CallEvent.from_params(
            {
                "CallUUID": "c",
                "From": "1415",
                "To": "1416",
                "Direction": "inbound",
                "CallStatus": "completed",
                "Duration": "12",
                "HangupCauseName": "Normal Hangup",
            }
        )
    ),
    *SAMPLES["call_received"],
]


def declared(event: str) -> dict[str, Any]:
    path = EVENTS_DIR / event / f"{event}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["output_schema"]


@pytest.mark.parametrize("event", sorted(SAMPLES))
def test_variables_are_the_declared_ones_of_the_declared_types_and_null_never_empty(
    event: str,
) -> None:
    schema = declared(event)
    assert tuple(schema["properties"]) == VARIABLES[event]
    assert "status" not in schema["properties"]  # a state is `state`; `status` is HTTP's
    for variables in SAMPLES[event]:
        for name, value in variables.items():
            types = schema["properties"][name]["type"]
            types = types if isinstance(types, list) else [types]
            assert isinstance(value, tuple(t for k in types for t in JSON_TYPES[k])), name
            assert value != "" or name == "text", f"{event}.{name} is empty text, not null"
        assert all(variables[name] is not None for name in schema["required"])
    nullable = {name for name, p in schema["properties"].items() if "null" in p["type"]}
    seen_null = {name for v in SAMPLES[event] for name, value in v.items() if value is None}
    assert nullable == seen_null, "every variable declared nullable is seen null in a sample"


def test_the_state_filter_is_named_states_and_offers_every_delivery_state() -> None:
    path = EVENTS_DIR / "message_status" / "message_status.yaml"
    [parameter] = yaml.safe_load(path.read_text(encoding="utf-8"))["parameters"]
    assert parameter["name"] == "states"
    assert {o["value"] for o in parameter["options"]} == set(MESSAGE_STATES)


def test_the_content_types_filter_offers_every_whatsapp_content_type() -> None:
    path = EVENTS_DIR / "whatsapp_received" / "whatsapp_received.yaml"
    parameters = yaml.safe_load(path.read_text(encoding="utf-8"))["parameters"]
    sms = yaml.safe_load((EVENTS_DIR / "sms_received" / "sms_received.yaml").read_text("utf-8"))
    names = [parameter["name"] for parameter in parameters]
    assert names == [parameter["name"] for parameter in sms["parameters"]] + ["content_types"]
    [content_types] = [p for p in parameters if p["name"] == "content_types"]
    assert [o["value"] for o in content_types["options"]] == list(WHATSAPP_CONTENT_TYPES)


# -- call events: the caller, and how the call ended ---------------------------------------------


def _call_payload(**fields: str) -> dict[str, Any]:
    return call_variables(
        CallEvent.from_params(
            {"CallUUID": "c", "From": "14155550123", "To": "14155550100", **fields}
        )
    )


def test_call_events_filter_on_the_caller() -> None:
    payload = _call_payload()
    assert not call_event(payload, {"from_numbers": "+1 415 555 0123, +442079460030"}).ignored
    dropped = call_event(payload, {"from_numbers": "+442079460030"})
    assert dropped.ignored and "from_numbers" in dropped.verdict.reason
    assert not call_event(payload).ignored


def test_call_completed_filters_on_how_the_call_ended() -> None:
    ended = _call_payload(CallStatus="no-answer", Event="Hangup")
    assert not call_event(ended, {"states": ["no-answer", "busy"]}).ignored
    assert call_event(ended, {"states": ["completed"]}).ignored
    cancelled = _call_payload(CallStatus="cancel", Event="Hangup")
    assert not call_event(cancelled, {"states": "canceled"}).ignored
    with pytest.raises(InputError) as raised:
        call_event(ended, {"states": ["delivered"]})
    assert raised.value.parameter == "states"


def test_voicemail_and_menu_events_hand_their_variables_and_filter_the_caller() -> None:
    voicemail = {
        "call_uuid": "c",
        "from": "+14155550123",
        "to": "+14155550100",
        "recording_url": "https://media.plivo.com/r.mp3",
        "duration": 3,
        "transcript": None,
        "extra": "dropped",
    }
    result = voicemail_received({}, voicemail)
    assert list(result.variables) == list(VOICEMAIL_VARIABLES)
    assert voicemail_received({"from_numbers": "+442079460030"}, voicemail).ignored
    keys = {"call_uuid": "c", "from": "+14155550123", "to": "+14155550100", "digits": "42#"}
    assert call_input({"from_numbers": "+14155550123"}, keys).variables == keys
    assert list(call_input({}, keys).variables) == list(CALL_INPUT_VARIABLES)
