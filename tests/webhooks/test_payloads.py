"""Parsing Plivo's webhook forms, opt-out keywords, and the XML answers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from plivo_api.webhooks.payloads import (
    CONTENT_BUTTON,
    CONTENT_MEDIA,
    CONTENT_TEXT,
    CONTENT_UNKNOWN,
    EVENT_ANSWER,
    EVENT_HANGUP,
    MAX_MEDIA_URLS,
    WHATSAPP_CONTENT_TYPES,
    CallEvent,
    DeliveryReport,
    InboundMessage,
    classify_keyword,
    display_number,
    resolve_intent,
)
from plivo_api.webhooks.xml import (
    MAX_XML_BYTES,
    XML_CONTENT_TYPE,
    clean_text,
    empty_response,
    message_response,
    speak_and_hangup,
)

INBOUND_SMS = {
    "From": "14155550100",
    "To": "14155550199",
    "Text": "Hello, world!",
    "Type": "sms",
    "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000001",
    "Units": "1",
    "TotalRate": "0.00000",
    "TotalAmount": "0.00000",
    "MessageIntent": "",
    "PowerpackUUID": "",
}


# ----------------------------------------------------------------------------- inbound messages


def test_inbound_sms():
    message = InboundMessage.from_params(INBOUND_SMS)
    assert message == InboundMessage(
        message_uuid="2a0c4d6e-0000-4000-8000-000000000001",
        from_number="+14155550100",
        to_number="+14155550199",
        text="Hello, world!",
        message_type="sms",
        media_urls=(),
        units=1,
        total_amount=Decimal("0.00000"),
        total_rate=Decimal("0.00000"),
        intent="",
        intent_source="",
        powerpack_uuid="",
    )
    assert InboundMessage.missing_fields(INBOUND_SMS) == ()


def test_inbound_text_is_kept_as_sent():
    message = InboundMessage.from_params({**INBOUND_SMS, "Text": "  two\nlines  "})
    assert message.text == "  two\nlines  "


def test_inbound_mms_reads_body_and_media_in_index_order():
    form = {
        "From": "14155550100",
        "To": "14155550199",
        "Type": "MMS",
        "Body": "look",
        "MessageUUID": "u1",
        "MediaCount": "4",
        "Media10": "https://media.plivo.com/10",
        "Media2": "https://media.plivo.com/2",
        "Media0": "https://media.plivo.com/0",
        "MediaUrl1": "https://media.plivo.com/1",
        "Media3": "javascript:alert(1)",
        "MediaContentType0": "image/png",
    }
    message = InboundMessage.from_params(form)
    assert message.text == "look"
    assert message.message_type == "mms"
    assert message.media_urls == (
        "https://media.plivo.com/0",
        "https://media.plivo.com/1",
        "https://media.plivo.com/2",
        "https://media.plivo.com/10",
    )


def test_media_urls_are_deduplicated_and_capped():
    form = {f"Media{i}": f"https://m.example/{i}" for i in range(1, 30)}
    form |= {"MediaUrl1": "https://m.example/1"}
    urls = InboundMessage.from_params(form).media_urls
    assert len(urls) == MAX_MEDIA_URLS
    assert urls[:3] == ("https://m.example/1", "https://m.example/2", "https://m.example/3")


def test_media_urls_are_read_as_tools_read_them():
    """The same reader as send_sms's media_urls: no host, spaces or other schemes are dropped,
    and the scheme comes out lower-case."""
    form = {
        "MediaUrl0": "HTTPS://media.plivo.com/0",
        "MediaUrl1": "https://",
        "MediaUrl2": "https://media.plivo.com/with space",
        "MediaUrl3": "ftp://media.plivo.com/3",
    }
    assert InboundMessage.from_params(form).media_urls == ("https://media.plivo.com/0",)


def test_missing_fields_are_empty_not_errors():
    message = InboundMessage.from_params({})
    assert message.message_uuid == message.from_number == message.text == ""
    assert message.message_type == "sms" and message.units is None and message.media_urls == ()
    assert InboundMessage.missing_fields({"From": " "}) == ("MessageUUID", "From", "To")
    assert InboundMessage.missing_fields(None) == ("MessageUUID", "From", "To")


@pytest.mark.parametrize(
    "form",
    [
        INBOUND_SMS,
        {key: [value] for key, value in INBOUND_SMS.items()},
        MultiDict(list(INBOUND_SMS.items())),
    ],
    ids=["flat", "lists", "multidict"],
)
def test_every_form_shape_gives_the_same_message(form):
    assert InboundMessage.from_params(form) == InboundMessage.from_params(INBOUND_SMS)


def test_repeated_field_uses_the_first_value():
    form = MultiDict([("From", "14155550100"), ("From", "19999999999")])
    assert InboundMessage.from_params(form).from_number == "+14155550100"


@pytest.mark.parametrize(
    ("units", "amount", "expected_units", "expected_amount"),
    [
        ("2", "0.01000", 2, Decimal("0.01000")),
        ("2.0", "1e-3", 2, Decimal("0.001")),
        ("two", "NaN", None, None),
        ("1.5", "Infinity", None, None),
        ("9" * 400, "1" * 400, None, None),
        ("", "", None, None),
    ],
)
def test_numbers_are_read_defensively(units, amount, expected_units, expected_amount):
    message = InboundMessage.from_params({**INBOUND_SMS, "Units": units, "TotalAmount": amount})
    assert message.units == expected_units and message.total_amount == expected_amount


def test_to_dict_is_json_with_every_key():
    data = InboundMessage.from_params({**INBOUND_SMS, "TotalAmount": "0.00650"}).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["from"] == "+14155550100" and data["total_amount"] == 0.0065
    assert set(data) == set(InboundMessage.from_params({}).to_dict())


# -- inbound WhatsApp: the fields Plivo documents (ContentType, Body, MimeType) and the media and
# button fields it does not name (Media0.. with MediaCount, ButtonPayload), read defensively.

INBOUND_WHATSAPP = {
    "From": "14155550100",
    "To": "14155550199",
    "Type": "whatsapp",
    "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000002",
    "Units": "1",
    "TotalRate": "0.00000",
    "TotalAmount": "0.00000",
}


def test_inbound_whatsapp_text():
    message = InboundMessage.from_params({**INBOUND_WHATSAPP, "ContentType": "text", "Body": "Hi"})
    assert message.is_whatsapp and message.message_type == "whatsapp"
    assert (message.text, message.content_type) == ("Hi", CONTENT_TEXT)
    assert (message.media_urls, message.mime_type, message.button_payload) == ((), "", "")


def test_inbound_whatsapp_media_keeps_its_caption_and_urls():
    form = {
        **INBOUND_WHATSAPP,
        "ContentType": "media",
        "Body": "my receipt",
        "MimeType": "Image/JPEG",
        "MediaCount": "2",
        "Media0": "https://media.plivo.com/wa/0.jpg",
        "Media1": "https://media.plivo.com/wa/1.jpg",
    }
    message = InboundMessage.from_params(form)
    assert message.content_type == CONTENT_MEDIA
    assert message.text == "my receipt" and message.mime_type == "image/jpeg"
    assert message.media_urls == (
        "https://media.plivo.com/wa/0.jpg",
        "https://media.plivo.com/wa/1.jpg",
    )


def test_inbound_whatsapp_button_press_reads_as_the_buttons_title_with_its_payload():
    form = {
        **INBOUND_WHATSAPP,
        "ContentType": "button",
        "Body": "Yes, book it",
        "ButtonPayload": "BOOK_42",
    }
    message = InboundMessage.from_params(form)
    assert (message.content_type, message.text, message.button_payload) == (
        CONTENT_BUTTON,
        "Yes, book it",
        "BOOK_42",
    )


@pytest.mark.parametrize(
    ("extra", "text", "payload"),
    [
        ({"ButtonPayload": "BOOK_42"}, "BOOK_42", "BOOK_42"),  # no title: the payload says it
        ({"ButtonText": "Book", "Payload": "B"}, "Book", "B"),  # the other plausible names
        ({}, "", ""),
    ],
)
def test_a_button_press_without_a_title_still_says_what_was_chosen(extra, text, payload):
    message = InboundMessage.from_params({**INBOUND_WHATSAPP, "ContentType": "BUTTON", **extra})
    assert (message.content_type, message.text, message.button_payload) == ("button", text, payload)


@pytest.mark.parametrize(
    ("extra", "content_type"),
    [
        ({"ContentType": "location", "Body": "x"}, CONTENT_UNKNOWN),
        ({"ContentType": "unknown"}, CONTENT_UNKNOWN),
        ({"Body": "hello"}, CONTENT_TEXT),
        ({"Media0": "https://media.plivo.com/a.ogg"}, CONTENT_MEDIA),
        ({"ButtonPayload": "P", "Body": "Yes"}, CONTENT_BUTTON),
        ({}, CONTENT_UNKNOWN),
    ],
)
def test_whatsapp_content_type_is_plivos_or_what_the_fields_show(extra, content_type):
    assert InboundMessage.from_params({**INBOUND_WHATSAPP, **extra}).content_type == content_type


def test_a_button_payload_is_only_read_for_a_button_press():
    form = {**INBOUND_WHATSAPP, "ContentType": "text", "Body": "hi", "ButtonPayload": "stale"}
    message = InboundMessage.from_params(form)
    assert (message.text, message.button_payload) == ("hi", "")


def test_sms_and_mms_have_no_whatsapp_fields():
    for form in (
        INBOUND_SMS,
        {**INBOUND_SMS, "Type": "mms", "ContentType": "button", "ButtonPayload": "x"},
    ):
        message = InboundMessage.from_params(form)
        assert not message.is_whatsapp
        assert (message.content_type, message.mime_type, message.button_payload) == ("", "", "")


def test_whatsapp_stop_is_an_opt_out_like_an_sms():
    message = InboundMessage.from_params(
        {**INBOUND_WHATSAPP, "ContentType": "text", "Body": "Stop"}
    )
    assert (message.intent, message.intent_source) == ("optout", "keyword")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("14155550100", "+14155550100"),
        ("+14155550100", "+14155550100"),
        (" 447700900123 ", "+447700900123"),
        ("12345", "12345"),  # short code
        ("PLIVO", "PLIVO"),  # alphanumeric sender
        ("1415555****", "1415555****"),  # redacted by Plivo
        ("sip:alice@phone.plivo.com", "sip:alice@phone.plivo.com"),
        ("1234567890123456", "1234567890123456"),  # longer than E.164
        ("١٤١٥٥٥٥٠١٠٠", "١٤١٥٥٥٥٠١٠٠"),  # non-ASCII digits are not Plivo's
        ("", None),
        (None, None),
    ],
)
def test_display_number(raw, shown):
    assert display_number(raw) == shown


# ----------------------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("STOP", "optout"),
        ("stop", "optout"),
        (" Stop!\n", "optout"),
        ("STOPALL", "optout"),
        ("stop all", "optout"),
        ("Stop   All.", "optout"),
        ("UNSUBSCRIBE", "optout"),
        ("unsub", "optout"),
        ("Cancel", "optout"),
        ("end.", "optout"),
        ("QUIT", "optout"),
        ("ＳＴＯＰ", "optout"),  # full-width letters
        ("«STOP»", "optout"),
        ("START", "optin"),
        ("unstop", "optin"),
        ("Yes!", "optin"),
        ("resume all", "optin"),
        ("HELP", "help"),
        ("help?", "help"),
        ("Info", "help"),
        # A sentence is a message for the bot, not a keyword (Plivo: "Stop it!" is no opt-out).
        ("Stop it!", ""),
        ("Hey, can you stop texting me?", ""),
        ("Cancel my appointment", ""),
        ("End of the day works", ""),
        ("yes please", ""),
        ("help me with my order", ""),
        ("STOPP", ""),
        ("", ""),
        (None, ""),
        ("STOP" + " " * 100, ""),  # longer than any keyword
    ],
)
def test_classify_keyword(text, intent):
    assert classify_keyword(text) == intent


@pytest.mark.parametrize(
    ("plivo", "text", "expected"),
    [
        ("optout", "Stop it please", ("optout", "plivo")),
        ("OPTIN", "whatever", ("optin", "plivo")),
        (" help ", "", ("help", "plivo")),
        ("", "UNSUBSCRIBE", ("optout", "keyword")),
        (None, "help", ("help", "keyword")),
        ("unknown-value", "START", ("optin", "keyword")),
        ("", "hello", ("", "")),
    ],
)
def test_plivo_intent_takes_precedence(plivo, text, expected):
    assert resolve_intent(plivo, text) == expected


def test_inbound_message_carries_the_intent():
    assert InboundMessage.from_params({**INBOUND_SMS, "Text": "STOP"}).intent == "optout"
    plivo_says = {**INBOUND_SMS, "Text": "please stop", "MessageIntent": "optout"}
    message = InboundMessage.from_params(plivo_says)
    assert (message.intent, message.intent_source) == ("optout", "plivo")


# ----------------------------------------------------------------------------- delivery reports


def test_delivery_report_delivered():
    report = DeliveryReport.from_params(
        {
            "MessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
            "Status": "delivered",
            "ErrorCode": "000",
            "From": "14155550199",
            "To": "14155550100",
            "Units": "1",
            "TotalRate": "0.00650",
            "TotalAmount": "0.00650",
            "Type": "sms",
        }
    )
    assert report.status == "delivered"
    assert report.error_code is None and report.error is None and report.advice is None
    assert report.retryable is None
    assert report.to_number == "+14155550100" and report.total_amount == Decimal("0.00650")
    assert DeliveryReport.missing_fields({"MessageUUID": "x", "Status": "sent"}) == ()


def test_delivery_report_explains_the_error_code():
    report = DeliveryReport.from_params(
        {"MessageUUID": "u", "Status": "Undelivered", "ErrorCode": "030"}
    )
    assert report.status == "undelivered"
    assert report.error_code == "30"
    assert report.error is not None and "spam" in report.error
    assert report.advice and report.retryable is False


def test_delivery_report_unknown_error_code_is_still_reported():
    report = DeliveryReport.from_params(
        {"MessageUUID": "u", "Status": "failed", "ErrorCode": "777"}
    )
    assert report.error_code == "777"
    assert report.error is not None and "777" in report.error
    assert report.retryable is None


def test_delivery_report_to_dict():
    data = DeliveryReport.from_params({"Status": "sent"}).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "sent" and data["error_code"] is None
    assert DeliveryReport.missing_fields({"Status": "sent"}) == ("MessageUUID",)


# ----------------------------------------------------------------------------- calls


def test_answer_callback():
    event = CallEvent.from_params(
        {
            "CallUUID": "c1",
            "From": "14155550100",
            "To": "14155550199",
            "Direction": "inbound",
            "CallStatus": "ringing",
            "Event": "StartApp",
        }
    )
    assert event.event == EVENT_ANSWER and event.plivo_event == "StartApp"
    assert event.from_number == "+14155550100" and event.direction == "inbound"
    assert event.duration is None and event.hangup_cause == ""


@pytest.mark.parametrize(
    "extra",
    [
        {"Event": "Hangup"},
        {"HangupCause": "NORMAL_CLEARING"},
        {"CallStatus": "completed"},
        {"CallStatus": "no-answer"},
    ],
)
def test_hangup_callback_is_recognised(extra):
    event = CallEvent.from_params({"CallUUID": "c1", "From": "1", "To": "2", **extra})
    assert event.event == EVENT_HANGUP


def test_hangup_fields():
    event = CallEvent.from_params(
        {
            "CallUUID": "c1",
            "From": "sip:alice@phone.plivo.com",
            "To": "14155550199",
            "Direction": "Outbound",
            "CallStatus": "Completed",
            "Event": "Hangup",
            "Duration": "48",
            "BillDuration": "60",
            "HangupCause": "NORMAL_CLEARING",
            "HangupCauseName": "Normal Hangup",
            "HangupCauseCode": "4000",
            "HangupSource": "Callee",
        }
    )
    assert event.from_number == "sip:alice@phone.plivo.com"
    assert (event.direction, event.call_status) == ("outbound", "completed")
    assert (event.duration, event.bill_duration) == (48, 60)
    assert event.hangup_cause == "Normal Hangup" and event.hangup_cause_code == "4000"
    assert event.hangup_source == "Callee"
    data = event.to_dict()
    assert json.loads(json.dumps(data)) == data and data["event"] == "hangup"
    assert CallEvent.missing_fields({"CallUUID": "c1"}) == ("From", "To")


_field_names = st.sampled_from(
    [
        *INBOUND_SMS,
        "Body",
        "ContentType",
        "MimeType",
        "ButtonPayload",
        "ButtonText",
        "Media0",
        "Media1",
        "MediaUrl3",
        "Status",
        "ErrorCode",
        "CallUUID",
        "CallStatus",
        "Event",
        "Duration",
        "HangupCause",
    ]
) | st.text(max_size=12)
_values = st.text(max_size=40) | st.lists(st.text(max_size=20), max_size=3)


@given(form=st.dictionaries(_field_names, _values, max_size=12))
def test_any_form_parses_into_json(form):
    for record in (
        InboundMessage.from_params(form),
        DeliveryReport.from_params(form),
        CallEvent.from_params(form),
    ):
        data = record.to_dict()
        assert json.loads(json.dumps(data)) == data


@given(form=st.dictionaries(_field_names, _values, max_size=12))
def test_any_whatsapp_form_parses_into_one_of_plivos_content_types(form):
    message = InboundMessage.from_params({**form, "Type": "whatsapp"})
    assert message.content_type in WHATSAPP_CONTENT_TYPES
    assert message.button_payload == "" or message.content_type == CONTENT_BUTTON
    data = message.to_dict()
    assert json.loads(json.dumps(data)) == data


# ----------------------------------------------------------------------------- XML answers


def _parse(xml: str) -> ET.Element:
    """Parse XML this module produced itself (no DTD, no entities from outside)."""
    return ET.fromstring(xml)  # noqa: S314


def test_empty_response_and_content_type():
    assert empty_response() == "<Response></Response>"
    assert XML_CONTENT_TYPE == "application/xml"


def test_speak_and_hangup_escapes():
    xml = speak_and_hangup('Tom & Jerry <say> "hi"', voice="MAN", language="en-GB")
    assert xml == (
        '<Response><Speak voice="MAN" language="en-GB">Tom &amp; Jerry &lt;say&gt; "hi"'
        "</Speak><Hangup/></Response>"
    )
    speak = _parse(xml).find("Speak")
    assert speak is not None and speak.text == 'Tom & Jerry <say> "hi"'


def test_speak_without_options_and_blank_sentence():
    assert speak_and_hangup("Bye") == "<Response><Speak>Bye</Speak><Hangup/></Response>"
    assert speak_and_hangup("Bye", voice=" ", language=None) == speak_and_hangup("Bye")
    assert speak_and_hangup("  \x00 ") == "<Response><Hangup/></Response>"


def test_speak_accepts_polly_voices():
    xml = speak_and_hangup("Hi", voice="Polly.Joanna-Neural", language="en-US")
    assert '<Speak voice="Polly.Joanna-Neural" language="en-US">' in xml


@pytest.mark.parametrize(
    ("voice", "language"),
    [('MAN" loop="0', None), (None, "en US"), ("WOMAN>", None), ("x" * 65, None)],
)
def test_speak_rejects_malformed_attributes(voice, language):
    with pytest.raises(ValueError, match=r"voice|language"):
        speak_and_hangup("Hi", voice=voice, language=language)


def test_speak_drops_characters_xml_cannot_carry():
    xml = speak_and_hangup("a\x00b\x1bc\ud800d\ufffee 😀\tf")
    speak = _parse(xml).find("Speak")
    assert speak is not None and speak.text == "abcde 😀\tf"


def test_speak_over_plivo_size_limit_raises():
    speak_and_hangup("a" * (MAX_XML_BYTES - 100))
    with pytest.raises(ValueError, match="100,000-byte"):
        speak_and_hangup("é" * MAX_XML_BYTES)


def test_message_response():
    xml = message_response(src="+14155550199", dst="14155550100", text="Thanks <3 & bye")
    assert xml == (
        '<Response><Message src="14155550199" dst="14155550100" type="sms">'
        "Thanks &lt;3 &amp; bye</Message></Response>"
    )
    assert 'src="PLIVO"' in message_response(src="PLIVO", dst="14155550100", text="x")


@pytest.mark.parametrize(
    ("src", "dst", "text"),
    [
        ("", "14155550100", "x"),
        ("14155550199", '1" type="mms', "x"),
        ("14155550199", "1<2", "x"),
        ("14155550199", "14155550100", " \x00 "),
    ],
)
def test_message_response_rejects_bad_input(src, dst, text):
    with pytest.raises(ValueError, match=r"src|dst|text"):
        message_response(src=src, dst=dst, text=text)


@given(st.text())
@example("line\r\nbreak\r")
@example("\x00")
def test_any_sentence_gives_well_formed_xml_that_says_it(sentence):
    xml = speak_and_hangup(sentence)
    root = _parse(xml)
    assert root.tag == "Response" and root[-1].tag == "Hangup"
    expected = clean_text(sentence).strip()
    if expected:
        assert root[0].tag == "Speak" and root[0].text == expected
    else:
        assert len(root) == 1
