"""Answering a webhook at a trigger endpoint: signatures, the event it becomes, what Plivo gets.

Requests are signed by the sandbox's own signer (``devtools.sandbox.signing``), an implementation
separate from the one under test, so a shared mistake in both cannot hide.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.etree import ElementTree

import pytest

from devtools.sandbox.signing import signature_headers
from plivo_api.trigger.dispatch import (
    CALL_GREETING_PROPERTY,
    DEFAULT_CALL_GREETING,
    MAX_CALL_GREETING_CHARS,
    WebhookAnswer,
    WebhookRequest,
    answer_webhook,
    auth_token_of,
    call_greeting_of,
)
from plivo_api.trigger.events import (
    CALL_VARIABLES,
    EVENT_CALL_COMPLETED,
    EVENT_CALL_RECEIVED,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
)

ENDPOINT = "https://dify.example.com/triggers/plugin/7a1e2c1e-51a4-4c69-9a52-2b1a6c0d1e55"
TOKEN = "test-token-alpha"
OTHER_TOKEN = "test-token-bravo"
SMS = {
    "From": "14155550123",
    "To": "14155550100",
    "Text": "Book a table",
    "Type": "sms",
    "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000001",
    "Units": "1",
    "TotalRate": "0.00000",
    "TotalAmount": "0.00000",
    "MessageIntent": "",
}
REPORT = {
    "MessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
    "To": "447700900999",
    "From": "14155550100",
    "Status": "undelivered",
    "ErrorCode": "30",
    "Units": "2",
    "TotalAmount": "0.01300",
}
ANSWER = {
    "CallUUID": "89bfc048-d178-4f06-af66-4d2291b37a3f",
    "From": "14155550123",
    "To": "14155550100",
    "Direction": "inbound",
    "CallStatus": "ringing",
    "Event": "StartApp",
}
HANGUP = {
    **ANSWER,
    "CallStatus": "completed",
    "Event": "Hangup",
    "HangupCause": "NORMAL_CLEARING",
    "HangupCauseName": "Normal Hangup",
    "Duration": "42",
    "BillDuration": "60",
}


def signed(
    params: Mapping[str, str],
    *,
    method: str = "POST",
    token: str = TOKEN,
    url: str = ENDPOINT,
    keep: tuple[str, ...] | None = None,
    query: str = "",
) -> WebhookRequest:
    """A request as Plivo sends it to ``url`` (with ``query``), signed with ``token``."""
    full = f"{url}?{query}" if query else url
    headers = signature_headers(method, full, params if method == "POST" else None, token)
    if keep is not None:
        headers = {
            name: value for name, value in headers.items() if name in keep or name.endswith("Nonce")
        }
    return WebhookRequest(
        method=method, endpoint=ENDPOINT, query=query, params=dict(params), headers=headers
    )


def posted(
    method: str, endpoint: str, query: str, params: Mapping[str, str], headers: Mapping[str, str]
) -> WebhookRequest:
    return WebhookRequest(
        method=method, endpoint=endpoint, query=query, params=params, headers=headers
    )


def signature(params: Mapping[str, str], token: str = TOKEN) -> dict[str, str]:
    """Every signature header of a POST of ``params`` to the endpoint."""
    return signature_headers("POST", ENDPOINT, params, token)


def good_v2(params: Mapping[str, str]) -> dict[str, str]:
    """A matching V2 signature with its own nonce, and nothing else."""
    headers = signature(params)
    return {name: headers[name] for name in ("X-Plivo-Signature-V2", "X-Plivo-Signature-V2-Nonce")}


def parse_xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 (our own answer, not untrusted input)


def answer(request: WebhookRequest, *, greeting: str = DEFAULT_CALL_GREETING) -> WebhookAnswer:
    return answer_webhook(request, auth_token=TOKEN, call_greeting=greeting)


def test_inbound_sms_becomes_sms_received_with_an_empty_xml_answer() -> None:
    result = answer(signed(SMS))
    assert (result.status, result.body) == (200, "<Response></Response>")
    assert result.content_type == "application/xml"
    assert result.events == [EVENT_SMS_RECEIVED]
    assert result.user_id == "+14155550123"
    assert result.payload == {
        "message_uuid": SMS["MessageUUID"],
        "from": "+14155550123",
        "to": "+14155550100",
        "text": "Book a table",
        "type": "sms",
        "media_urls": [],
        "units": 1,
        "intent": None,
    }


def test_mms_opt_out_and_media() -> None:
    mms = {**SMS, "Type": "mms", "Text": "", "Body": "STOP", "Media1": "https://m.example/a.jpg"}
    result = answer(signed(mms))
    assert result.payload["type"] == "mms"
    assert result.payload["text"] == "STOP"
    assert result.payload["intent"] == "optout"
    assert result.payload["media_urls"] == ["https://m.example/a.jpg"]


WHATSAPP = {
    "From": "14155550123",
    "To": "14155550100",
    "Type": "whatsapp",
    "ContentType": "button",
    "Body": "Yes, book it",
    "ButtonPayload": "BOOK_42",
    "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000003",
    "Units": "1",
    "TotalRate": "0.00000",
    "TotalAmount": "0.00000",
}


def test_inbound_whatsapp_becomes_whatsapp_received_and_never_sms_received() -> None:
    result = answer(signed(WHATSAPP))
    assert (result.status, result.body) == (200, "<Response></Response>")
    assert result.events == [EVENT_WHATSAPP_RECEIVED]
    assert result.user_id == "+14155550123"
    assert result.payload == {
        "message_uuid": WHATSAPP["MessageUUID"],
        "from": "+14155550123",
        "to": "+14155550100",
        "text": "Yes, book it",
        "content_type": "button",
        "media_urls": [],
        "button_payload": "BOOK_42",
    }


def test_a_whatsapp_message_is_dispatched_once_however_often_plivo_sends_it() -> None:
    from devtools.daemon import StandInStorage

    store = StandInStorage()
    first = answer_webhook(signed(WHATSAPP), auth_token=TOKEN, call_greeting="", store=store)
    again = answer_webhook(signed(WHATSAPP), auth_token=TOKEN, call_greeting="", store=store)
    assert first.events == [EVENT_WHATSAPP_RECEIVED]
    assert (again.status, again.events) == (200, [])


def test_a_whatsapp_read_receipt_is_a_message_status() -> None:
    result = answer(signed({**REPORT, "Status": "read", "Type": "whatsapp", "ErrorCode": ""}))
    assert result.events == [EVENT_MESSAGE_STATUS]
    assert (result.payload["state"], result.payload["error_code"]) == ("read", None)


def test_delivery_report_becomes_message_status_with_the_error_explained() -> None:
    result = answer(signed(REPORT))
    assert result.events == [EVENT_MESSAGE_STATUS]
    assert result.body == "<Response></Response>"
    assert result.user_id == "+447700900999"
    payload = result.payload
    assert payload["state"] == "undelivered"
    assert payload["error_code"] == "30"
    assert payload["error"] and payload["advice"]
    assert (payload["units"], payload["total_amount"]) == (2, 0.013)
    assert list(payload) == [
        "message_uuid",
        "state",
        "error_code",
        "error",
        "advice",
        "to",
        "from",
        "units",
        "total_amount",
    ]


def test_delivered_report_has_no_error() -> None:
    payload = answer(signed({**REPORT, "Status": "delivered", "ErrorCode": "000"})).payload
    assert (payload["error_code"], payload["error"], payload["advice"]) == (None, None, None)


def test_incoming_call_is_answered_with_the_sentence_then_hangup() -> None:
    result = answer(signed(ANSWER), greeting="Hi <there> & welcome")
    assert result.events == [EVENT_CALL_RECEIVED]
    assert result.content_type == "application/xml"
    document = parse_xml(result.body)
    assert [child.tag for child in document] == ["Speak", "Hangup"]
    assert document[0].text == "Hi <there> & welcome"
    assert list(result.payload) == list(CALL_VARIABLES)
    assert result.payload["duration"] is None


def test_blank_sentence_just_hangs_up() -> None:
    assert answer(signed(ANSWER), greeting="").body == "<Response><Hangup/></Response>"


def test_overlong_sentence_is_cut_not_refused() -> None:
    document = parse_xml(answer(signed(ANSWER), greeting="a" * 5000).body)
    assert len(document[0].text or "") == MAX_CALL_GREETING_CHARS


def test_hangup_becomes_call_completed() -> None:
    result = answer(signed(HANGUP))
    assert result.events == [EVENT_CALL_COMPLETED]
    assert result.body == "<Response></Response>"
    assert result.payload["duration"] == 42
    assert result.payload["hangup_cause"] == "Normal Hangup"
    assert result.payload["state"] == "completed"


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({**ANSWER, "Event": "Ring", "CallStatus": "ringing"}, "ring"),
        ({"CallUUID": "x", "To": "14155550100"}, "caller"),
        ({"MessageUUID": "x", "Text": "hi"}, "sender"),
        ({"Status": "delivered", "MessageUUID": ""}, "state"),
        ({"Hello": "world"}, "not a Plivo"),
    ],
)
def test_signed_requests_that_are_no_event_start_nothing_but_are_accepted(
    params: dict[str, str], why: str
) -> None:
    result = answer(signed(params))
    assert (result.status, result.body, result.events) == (200, "<Response></Response>", [])
    assert why in result.note


@pytest.mark.parametrize("header", ["X-Plivo-Signature-V3", "X-Plivo-Signature-Ma-V3"])
def test_either_v3_header_is_enough(header: str) -> None:
    assert answer(signed(SMS, keep=(header,))).status == 200


def test_v2_alone_is_accepted() -> None:
    assert answer(signed(SMS, keep=("X-Plivo-Signature-V2",))).status == 200
    assert answer(posted("POST", ENDPOINT, "", SMS, good_v2(SMS))).status == 200


def test_get_callbacks_sign_their_query() -> None:
    query = "&".join(f"{k}={v.replace(' ', '+')}" for k, v in REPORT.items())
    request = signed(REPORT, method="GET", query=query)
    result = answer_webhook(
        posted("GET", ENDPOINT, query, dict(REPORT), request.headers),
        auth_token=TOKEN,
        call_greeting="",
    )
    assert result.events == [EVENT_MESSAGE_STATUS]


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(signed(SMS, token=OTHER_TOKEN), id="another token"),
        pytest.param(
            posted("POST", ENDPOINT, "", {**SMS, "Text": "changed"}, signed(SMS).headers),
            id="body changed after signing",
        ),
        pytest.param(signed(SMS, url=ENDPOINT + "x"), id="signed for another URL"),
        pytest.param(posted("POST", ENDPOINT, "", SMS, {}), id="no signature"),
        pytest.param(
            posted(
                "POST",
                ENDPOINT,
                "",
                SMS,
                {k: v for k, v in signature(SMS).items() if "Nonce" not in k},
            ),
            id="no nonce",
        ),
        pytest.param(
            posted(
                "POST",
                ENDPOINT,
                "",
                SMS,
                {**signature(SMS, OTHER_TOKEN), **good_v2(SMS)},
            ),
            id="good V2 beside bad V3",
        ),
    ],
)
def test_bad_signatures_are_refused_and_start_nothing(forged: WebhookRequest) -> None:
    result = answer(forged)
    assert result.status == 403
    assert result.events == [] and result.payload == {}
    assert result.body == "Forbidden"  # the caller learns nothing about why
    assert "Refused" in result.note and ENDPOINT in result.note
    assert TOKEN not in result.note and OTHER_TOKEN not in result.note


def test_a_get_takes_its_parameters_from_the_signed_query_only() -> None:
    """Parameters handed over beside the query are not what the signature covers."""
    unsigned = signed(SMS, method="GET")  # signs the bare URL: no parameters
    result = answer(posted("GET", ENDPOINT, "", dict(SMS), unsigned.headers))
    assert result.status == 200
    assert result.events == []


def test_without_a_token_nothing_is_accepted() -> None:
    result = answer_webhook(signed(SMS), auth_token=None, call_greeting="")
    assert result.status == 403
    assert "Auth Token" in result.note


def test_token_comes_from_credentials_before_properties() -> None:
    assert auth_token_of({"auth_token": " a-token "}, {"auth_token": "b"}) == "a-token"
    assert auth_token_of({}, {"auth_token": "b-token"}) == "b-token"
    assert auth_token_of(None, {"auth_token": "  "}) is None


def test_greeting_default_and_blank() -> None:
    assert call_greeting_of({}) == DEFAULT_CALL_GREETING
    assert call_greeting_of({CALL_GREETING_PROPERTY: "  "}) == ""
    assert call_greeting_of({CALL_GREETING_PROPERTY: " Hi "}) == "Hi"


def test_a_captured_v2_signature_starts_nothing_with_other_data() -> None:
    from devtools.daemon import StandInStorage

    store = StandInStorage()
    headers = good_v2(SMS)

    def deliver(params: Mapping[str, str]) -> WebhookAnswer:
        request = posted("POST", ENDPOINT, "", params, headers)
        return answer_webhook(request, auth_token=TOKEN, call_greeting="", store=store)

    assert deliver(SMS).status == 200
    assert deliver(SMS).status == 200  # Plivo retrying the same message
    forged = {**SMS, "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000002", "Text": "forged"}
    refused = deliver(forged)
    assert (refused.status, refused.body, refused.events) == (403, "Forbidden", [])
