"""send_whatsapp, whatsapp_templates and reading WhatsApp messages through the stand-in daemon
against the sandbox, as Dify drives the plugin."""

import pytest

from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, DEMO_WABA_ID, DEMO_WHATSAPP_NUMBER

pytestmark = pytest.mark.e2e

MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
CUSTOMER = "+14155552671"
CREDENTIALS = {
    "auth_id": DEMO_AUTH_ID,
    "auth_token": DEMO_AUTH_TOKEN,
    "whatsapp_sender": "+" + DEMO_WHATSAPP_NUMBER,
    "whatsapp_business_account_id": DEMO_WABA_ID,
}


def sends(sandbox):
    return [r for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def test_an_approved_template_is_sent_and_read(plugin, sandbox):
    result = plugin.invoke_tool(
        "send_whatsapp",
        {
            "to": CUSTOMER,
            "template_name": "order_shipped",
            "template_variables": '["Ada", "A-17"]',
            "wait_seconds": 5,
        },
        CREDENTIALS,
    )
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert (request.json["type"], request.json["template"]["name"]) == ("whatsapp", "order_shipped")
    assert result.variables["kind"] == "template"
    assert result.variables["all_delivered"] is True
    message_uuid = result.variables["message_uuid"]
    read = plugin.invoke_tool(
        "get_message", {"message_uuid": message_uuid, "wait_seconds": 3}, CREDENTIALS
    )
    assert read.ok, read.error
    assert read.json["type"] == "whatsapp" and read.json["final"] is True
    listed = plugin.invoke_tool("list_messages", {"type": "whatsapp"}, CREDENTIALS)
    assert listed.ok, listed.error
    assert [m["message_uuid"] for m in listed.json["messages"]] == [message_uuid]
    assert plugin.invoke_tool("list_messages", {"type": "sms"}, CREDENTIALS).json["messages"] == []


def test_free_form_outside_the_window_fails_the_node_in_plain_words(plugin, sandbox):
    result = plugin.invoke_tool(
        "send_whatsapp", {"to": CUSTOMER, "message": "Are you still there?"}, CREDENTIALS
    )
    assert not result.ok
    assert "last 24 hours" in result.error["message"]
    assert "whatsapp_templates" in result.error["message"]
    assert sandbox.messages == {}
    assert DEMO_AUTH_TOKEN not in str(result.raw)


def test_a_reply_inside_the_window_goes_through(plugin, sandbox):
    sandbox.send_inbound_whatsapp(
        "http://127.0.0.1:9/unused", from_number=CUSTOMER, to_number=DEMO_WHATSAPP_NUMBER, text="hi"
    )
    result = plugin.invoke_tool(
        "send_whatsapp",
        {"to": CUSTOMER, "message": "Shall I book it?", "buttons": "Yes, No"},
        CREDENTIALS,
    )
    assert result.ok, result.error
    assert result.variables["kind"] == "interactive"


def test_more_than_three_buttons_fail_the_node_and_nothing_is_sent(plugin, sandbox):
    result = plugin.invoke_tool(
        "send_whatsapp", {"to": CUSTOMER, "message": "Pick", "buttons": "a, b, c, d"}, CREDENTIALS
    )
    assert result.error["error_type"] == "InputError"
    assert "buttons" in result.error["message"]
    assert sandbox.requests == []


def test_no_whatsapp_sender_fails_the_node_and_nothing_is_sent(plugin, sandbox):
    credentials = {k: v for k, v in CREDENTIALS.items() if k != "whatsapp_sender"}
    result = plugin.invoke_tool(
        "send_whatsapp", {"to": CUSTOMER, "template_name": "order_shipped"}, credentials
    )
    assert result.error["error_type"] == "InputError"
    assert "WhatsApp sender" in result.error["message"]
    assert sandbox.requests == []


def test_whatsapp_templates_lists_the_approved_ones(plugin, sandbox):
    result = plugin.invoke_tool("whatsapp_templates", {"name": "order"}, CREDENTIALS)
    assert result.ok, result.error
    rows = result.variables["templates"]
    assert {(r["name"], r["language"], tuple(r["variables"])) for r in rows} == {
        ("order_shipped", "en", ("1", "2")),
        ("order_shipped", "pt_BR", ("1", "2")),
    }
