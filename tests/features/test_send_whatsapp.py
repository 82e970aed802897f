"""send_whatsapp and whatsapp_templates against the Plivo sandbox (in process): the exact
requests, the 24-hour window in plain words, and every refusal with nothing sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_WABA_ID,
    DEMO_WHATSAPP_NUMBER,
    Fault,
    PlivoSandbox,
)
from plivo_api.errors import InputError, InvalidRequestError, NotFoundError
from plivo_api.features import Invocation, send_whatsapp, whatsapp_templates
from plivo_api.features.send_whatsapp import WINDOW_CLOSED_MESSAGE, window_closed
from plivo_api.transport.credentials import Credentials

MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
CUSTOMER = "+14155552671"
CREDENTIALS: dict[str, object] = {
    "auth_id": DEMO_AUTH_ID,
    "auth_token": "demo-token-not-secret",
    "whatsapp_sender": "+" + DEMO_WHATSAPP_NUMBER,
    "whatsapp_business_account_id": DEMO_WABA_ID,
}
TEMPLATE = {"template_name": "order_shipped", "template_variables": "Ada, A-17"}


@pytest.fixture
def plivo(sandbox: PlivoSandbox, monkeypatch: pytest.MonkeyPatch) -> PlivoSandbox:
    monkeypatch.setenv("PLIVO_API_BASE_URL", sandbox.url)
    return sandbox


def run(params: dict[str, Any], credentials: dict[str, object] | None = None) -> Any:
    return send_whatsapp.run(Invocation(params, credentials or CREDENTIALS))


def sends(sandbox: PlivoSandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def open_window(sandbox: PlivoSandbox, customer: str = CUSTOMER) -> None:
    sandbox.add_message(
        from_number=customer, to_number=DEMO_WHATSAPP_NUMBER, message_type="whatsapp"
    )


# -- what is sent --------------------------------------------------------------------------------


def test_a_template_posts_one_whatsapp_request_with_its_body_parameters(
    plivo: PlivoSandbox,
) -> None:
    output = run({"to": "+1 415 555 2671", **TEMPLATE})
    [request] = sends(plivo)
    assert request.json == {
        "type": "whatsapp",
        "src": DEMO_WHATSAPP_NUMBER,
        "dst": "14155552671",
        "template": {
            "name": "order_shipped",
            "language": "en",
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ada"},
                        {"type": "text", "text": "A-17"},
                    ],
                }
            ],
        },
    }
    assert output.variables["kind"] == "template"
    assert output.variables["recipients"] == [CUSTOMER]
    assert output.variables["all_delivered"] is None
    assert output.json["from"] == "+" + DEMO_WHATSAPP_NUMBER
    assert output.json["state"] == "queued" and output.json["type"] == "whatsapp"
    assert output.text == f"Queued 1 WhatsApp template message to {CUSTOMER}."


def test_named_template_values_carry_their_parameter_names(plivo: PlivoSandbox) -> None:
    variables = json.dumps({"first_name": "Ada", "date": "Monday"})
    output = run(
        {
            "to": CUSTOMER,
            "template_name": "appointment_reminder",
            "template_language": "en",
            "template_variables": variables,
        }
    )
    [request] = sends(plivo)
    parameters = request.json["template"]["components"][0]["parameters"]
    assert parameters == [
        {"type": "text", "parameter_name": "first_name", "text": "Ada"},
        {"type": "text", "parameter_name": "date", "text": "Monday"},
    ]
    assert output.variables["kind"] == "template"


def test_template_json_is_sent_as_given(plivo: PlivoSandbox) -> None:
    template = {
        "name": "order_shipped",
        "language": "pt_BR",
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Ana", "9")]}
        ],
    }
    run({"to": CUSTOMER, "template_json": json.dumps(template)})
    [request] = sends(plivo)
    assert request.json["template"] == template


def test_text_media_and_buttons_inside_the_window(plivo: PlivoSandbox) -> None:
    open_window(plivo)
    text = run({"to": CUSTOMER, "message": "Your table is ready"})
    media = run({"to": CUSTOMER, "message": "Receipt", "media_urls": "https://example.com/r.pdf"})
    buttons = run({"to": CUSTOMER, "message": "Keep the booking?", "buttons": '["Yes", "No"]'})
    first, second, third = sends(plivo)
    assert first.json == {
        "type": "whatsapp",
        "src": DEMO_WHATSAPP_NUMBER,
        "dst": "14155552671",
        "text": "Your table is ready",
    }
    assert (second.json["text"], second.json["media_urls"]) == (
        "Receipt",
        ["https://example.com/r.pdf"],
    )
    assert third.json["interactive"] == {
        "type": "button",
        "body": {"text": "Keep the booking?"},
        "action": {"buttons": [{"id": "Yes", "title": "Yes"}, {"id": "No", "title": "No"}]},
    }
    assert "text" not in third.json
    kinds = [o.variables["kind"] for o in (text, media, buttons)]
    assert kinds == ["text", "media", "interactive"]


def test_waiting_reports_read_as_delivered(plivo: PlivoSandbox) -> None:
    output = run({"to": CUSTOMER, **TEMPLATE, "wait_seconds": 5})
    assert output.variables["all_delivered"] is True
    [row] = output.json["delivery"]
    assert row["state"] in ("delivered", "read") and row["final"] is True


def test_an_invalid_recipient_is_listed_while_the_others_get_the_message(
    plivo: PlivoSandbox,
) -> None:
    output = run({"to": f"{CUSTOMER}, +1 900 555 0100, 12345", **TEMPLATE})
    [request] = sends(plivo)
    assert request.json["dst"] == "14155552671"
    assert output.variables["invalid_count"] == 2
    reasons = {r["input"]: r["reason"] for r in output.variables["invalid_recipients"]}
    assert set(reasons) == {"12345", "+19005550100"}
    assert "premium" in reasons["+19005550100"]


# -- the 24-hour window --------------------------------------------------------------------------


def test_a_closed_window_is_explained_in_plain_words(plivo: PlivoSandbox) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        run({"to": CUSTOMER, "message": "Hello again"})
    message = str(refused.value)
    assert "last 24 hours" in message and "whatsapp_templates" in message
    assert "Nothing was sent" in message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert plivo.messages == {}


def test_a_message_that_failed_for_the_window_while_waiting_fails_the_node(
    plivo: PlivoSandbox,
) -> None:
    open_window(plivo)
    failed = {
        "message_uuid": "x",
        "message_state": "failed",
        "message_type": "whatsapp",
        "error_code": "470",
        "error_message": "Message failed to send because more than 24 hours have passed "
        "since the customer last replied to this number",
    }
    plivo.inject(Fault(method="GET", path="/Message/.+/$", status=200, body=failed, times=50))
    with pytest.raises(InvalidRequestError) as refused:
        run({"to": CUSTOMER, "message": "Hello", "wait_seconds": 2})
    assert WINDOW_CLOSED_MESSAGE in str(refused.value)
    assert len(sends(plivo)) == 1  # one request, never repeated


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        (
            "free-form messages can only be sent within 24 hours of the customer's last message",
            True,
        ),
        ("Re-engagement message (131047)", True),
        ("customer service window closed", True),
        ("template order_shipped (en) is not approved", False),
        ("src is not a valid phone number", False),
        (None, False),
    ],
)
def test_window_closed_recognises_the_refusal(text: str | None, closed: bool) -> None:
    assert window_closed(text) is closed


def test_a_refused_template_keeps_plivos_words(plivo: PlivoSandbox) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        run({"to": CUSTOMER, "template_name": "spring_sale", "template_variables": "20%"})
    assert "PENDING" in str(refused.value)
    assert WINDOW_CLOSED_MESSAGE not in str(refused.value)


# -- refusals before any request -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({}, "message", "Nothing to send"),
        ({**TEMPLATE, "message": "Hi"}, "message", "cannot go with a template"),
        ({**TEMPLATE, "buttons": "Yes"}, "buttons", "cannot go with a template"),
        ({**TEMPLATE, "media_urls": "https://e.com/a.png"}, "media_urls", "template"),
        ({"message": "Pick", "buttons": "a, b, c, d"}, "buttons", "at most 3"),
        ({"message": "Pick", "buttons": "x" * 21}, "buttons", "at most 20"),
        ({"message": "Pick", "buttons": "Yes, Yes"}, "buttons", "same title"),
        (
            {"message": "Pick", "buttons": "Yes", "media_urls": "https://e.com/a.png"},
            "media_urls",
            "buttons",
        ),
        ({"message": "x" * 4097}, "message", "4096"),
        # Emoji count two UTF-16 units, as the two-way endpoint's replies count them.
        ({"message": "\U0001f600" * 2049}, "message", "4098 characters"),
        ({"message": "Hi {{name}}"}, "message", "name"),
        ({"template_name": "Order Shipped"}, "template_name", "lower-case"),
        (
            {"template_name": "order_shipped", "template_language": "english!"},
            "template_language",
            "language",
        ),
        ({"template_variables": "Ada"}, "template_variables", "template_name"),
        ({**TEMPLATE, "template_json": '{"name": "x"}'}, "template_json", "leave template_name"),
        ({"template_json": '{"language": "en"}'}, "template_json", "name"),
        (
            {"template_name": "a", "template_variables": '["Ada", ""]'},
            "template_variables",
            "empty",
        ),
        (
            {"template_name": "a", "template_variables": "{{#1.x#}}"},
            "template_variables",
            "unresolved",
        ),
    ],
)
def test_bad_content_is_refused_naming_the_parameter_and_nothing_is_sent(
    plivo: PlivoSandbox, params: dict[str, Any], parameter: str, words: str
) -> None:
    with pytest.raises(InputError) as refused:
        run({"to": CUSTOMER, **params})
    assert refused.value.parameter == parameter
    assert words in str(refused.value)
    assert plivo.requests == []


@pytest.mark.parametrize(
    ("to", "settings", "words"),
    [
        ("+1 900 555 0100", {}, "premium"),
        ("+44 20 7946 0018", {"allowed_countries": "US, CA"}, "allowed"),
        ("+14155552671, +14155552672", {"max_recipients": 1}, "1"),
        ("12345", {}, "number"),
    ],
)
def test_recipients_follow_send_sms_rules_and_nothing_is_sent(
    plivo: PlivoSandbox, to: str, settings: dict[str, Any], words: str
) -> None:
    with pytest.raises(InputError) as refused:
        run({"to": to, **TEMPLATE, **settings})
    assert refused.value.parameter == "to"
    assert words in str(refused.value).lower()
    assert plivo.requests == []


def test_opted_out_recipients_are_skipped() -> None:
    credentials = Credentials.from_mapping(CREDENTIALS)
    plan = send_whatsapp.plan(
        {"to": f"{CUSTOMER}, +14155552672", **TEMPLATE}, credentials, {CUSTOMER}
    )
    assert plan.recipients == ("+14155552672",)
    assert [r.input for r in plan.invalid] == [CUSTOMER]


@pytest.mark.parametrize(
    ("credentials", "params", "parameter"),
    [
        ({"whatsapp_sender": ""}, {}, "from_number"),
        ({}, {"from_number": "ACME"}, "from_number"),
        ({"whatsapp_sender": "ACME"}, {}, "whatsapp_sender"),
    ],
)
def test_no_whatsapp_sender_is_refused_and_nothing_is_sent(
    plivo: PlivoSandbox, credentials: dict[str, object], params: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InputError) as refused:
        run({"to": CUSTOMER, **TEMPLATE, **params}, {**CREDENTIALS, **credentials})
    assert refused.value.parameter == parameter
    assert plivo.requests == []


def test_the_tools_from_number_wins_over_the_credential(plivo: PlivoSandbox) -> None:
    plivo.add_whatsapp_sender("+14155550177")
    run({"to": CUSTOMER, **TEMPLATE, "from_number": "+1 415 555 0177"})
    [request] = sends(plivo)
    assert request.json["src"] == "14155550177"


def test_a_number_that_is_not_a_whatsapp_sender_is_refused_by_plivo(plivo: PlivoSandbox) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        run({"to": CUSTOMER, **TEMPLATE, "from_number": "+14155550178"})
    assert "not a WhatsApp Business number" in str(refused.value)
    assert plivo.messages == {}


# -- whatsapp_templates --------------------------------------------------------------------------


def templates(params: dict[str, Any], credentials: dict[str, object] | None = None) -> Any:
    return whatsapp_templates.run(Invocation(params, credentials or CREDENTIALS))


def test_templates_default_to_approved_with_their_variables(plivo: PlivoSandbox) -> None:
    output = templates({})
    rows = output.variables["templates"]
    assert {(r["name"], r["language"]) for r in rows} == {
        ("order_shipped", "en"),
        ("order_shipped", "pt_BR"),
        ("appointment_reminder", "en"),
    }
    by_name = {(r["name"], r["language"]): r for r in rows}
    assert by_name[("order_shipped", "en")]["variables"] == ["1", "2"]
    assert by_name[("appointment_reminder", "en")]["variables"] == ["first_name", "date"]
    assert all(r["template_status"] == "APPROVED" and r["category"] == "UTILITY" for r in rows)
    assert output.variables["total_count"] == 5 and output.variables["next_offset"] is None
    assert "named variables first_name, date" in output.text
    [request] = plivo.requests
    assert request.path == f"/v1/Account/{DEMO_AUTH_ID}/WhatsApp/Template/{DEMO_WABA_ID}/"


def test_templates_filter_by_name_and_status(plivo: PlivoSandbox) -> None:
    assert [
        r["name"] for r in templates({"name": "SPRING", "status": "any"}).variables["templates"]
    ] == ["spring_sale"]
    rejected = templates({"status": "REJECTED"}).variables["templates"]
    assert [r["name"] for r in rejected] == ["win_back"]
    assert templates({"name": "spring"}).variables["templates"] == []


def test_templates_page_through_plivos_list(plivo: PlivoSandbox) -> None:
    first = templates({"status": "any", "limit": 2})
    assert len(first.variables["templates"]) == 2 and first.variables["next_offset"] == 2
    last = templates({"status": "any", "limit": 2, "offset": 4})
    assert last.variables["next_offset"] is None


def test_templates_need_the_waba_credential_before_any_request(plivo: PlivoSandbox) -> None:
    for waba in ("", "waba-12"):
        with pytest.raises(InputError) as refused:
            templates({}, {**CREDENTIALS, "whatsapp_business_account_id": waba})
        assert refused.value.parameter == "whatsapp_business_account_id"
    assert plivo.requests == []


def test_an_unknown_waba_says_which_credential_to_check(plivo: PlivoSandbox) -> None:
    with pytest.raises(NotFoundError) as missing:
        templates({}, {**CREDENTIALS, "whatsapp_business_account_id": "999"})
    assert "WhatsApp Business Account ID" in str(missing.value)


def test_a_list_answer_keyed_templates_is_read_too(plivo: PlivoSandbox) -> None:
    row = {
        "name": "hello",
        "language": "en",
        "category": "utility",
        "status": "approved",
        "components": [{"type": "BODY", "text": "Hi {{1}}"}],
    }
    plivo.inject(Fault(path="/WhatsApp/Template/", status=200, body={"templates": [row]}))
    [got] = templates({}).variables["templates"]
    assert (got["name"], got["template_status"], got["category"], got["variables"]) == (
        "hello",
        "APPROVED",
        "UTILITY",
        ["1"],
    )
