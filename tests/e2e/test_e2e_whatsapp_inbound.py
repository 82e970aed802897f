"""Inbound WhatsApp end to end: the sandbox posts a signed inbound WhatsApp message, as Plivo
would, through Dify's public endpoint route (``DifyEndpointFront``) to the plugin process under
the stand-in daemon; a stand-in app answers; the reply goes back to the sandbox as WhatsApp.

The Plivo Trigger side (``whatsapp_received``) is covered in ``test_e2e_trigger.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.daemon import StandInApp
from devtools.endpoint_front import DifyEndpointFront
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, DEMO_WHATSAPP_NUMBER, WebhookPolicy

pytestmark = pytest.mark.e2e

OURS, ALICE = "+" + DEMO_WHATSAPP_NUMBER, "+14155552671"  # OURS: the account's WhatsApp number
MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
WAIT_SECONDS = 30.0
HELP_TEXT = "Acme Clinic on WhatsApp. Reply STOP to opt out."


@pytest.fixture
def plivo(sandbox: Any) -> Iterator[Any]:
    """The sandbox sending each webhook once, its policy restored after the test."""
    policy = sandbox.webhook_policy
    sandbox.webhook_policy = WebhookPolicy(timeout=10.0, retry_delays=())
    yield sandbox
    sandbox.webhook_policy = policy


@pytest.fixture
def front(plugin: Any) -> Iterator[DifyEndpointFront]:
    plugin.storage.clear()
    plugin.apps.clear()
    plugin.app_calls.clear()
    with DifyEndpointFront(plugin) as running:
        yield running
    plugin.storage.clear()  # the session's plugin serves other modules: no opt-outs left behind
    plugin.apps.clear()
    plugin.app_calls.clear()


def inbound_url(front: DifyEndpointFront, **extra: Any) -> str:
    settings = {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "app": {"app_id": "bot"},
        "reply": True,
        **extra,
    }
    return front.enable(settings) + "/sms/inbound"


def replies(sandbox: Any) -> list[dict[str, Any]]:
    return [r.json for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def queued_whatsapp(sandbox: Any) -> list[str]:
    """The texts of the WhatsApp messages the sandbox accepted (it refuses a free-form message
    from a number that is not the account's WhatsApp sender, or outside the 24-hour window)."""
    return [
        m.text
        for m in sandbox.messages.values()
        if m.direction == "outbound" and m.message_type == "whatsapp"
    ]


def delivered(plivo: Any, record: Any) -> int | None:
    """The status the endpoint answered the webhook with."""
    return plivo.wait_for_webhook(record.delivery_id, timeout=WAIT_SECONDS).attempts[-1].status


def test_a_whatsapp_message_is_answered_on_whatsapp_by_the_app(plugin, front, plivo):
    plugin.apps["bot"] = StandInApp(
        kind="chat", answer=lambda c: f"<think>easy</think>**You said:** {c.query}"
    )
    url = inbound_url(front)
    record = plivo.send_inbound_whatsapp(url, from_number=ALICE, to_number=OURS, text="hello")
    assert delivered(plivo, record) == 200
    [app_call] = plugin.app_calls
    assert app_call.query == "hello"
    assert app_call.inputs["type"] == "whatsapp"
    assert app_call.inputs["content_type"] == "text"
    assert replies(plivo) == [
        {
            "src": DEMO_WHATSAPP_NUMBER,
            "dst": "14155552671",
            "text": "You said: hello",
            "type": "whatsapp",
        }
    ]
    assert queued_whatsapp(plivo) == ["You said: hello"]
    again = plivo.send_webhook(url, record.params, account=DEMO_AUTH_ID)  # Plivo re-sending it
    assert delivered(plivo, again) == 200
    assert len(plugin.app_calls) == 1 and len(replies(plivo)) == 1  # exactly once


def test_a_button_press_reaches_the_app_as_the_buttons_title(plugin, front, plivo):
    plugin.apps["bot"] = StandInApp(kind="chat", answer=lambda c: f"Got: {c.query}")
    record = plivo.send_inbound_whatsapp(
        inbound_url(front),
        from_number=ALICE,
        to_number=OURS,
        button_title="Yes, book it",
        button_payload="BOOK_42",
    )
    assert delivered(plivo, record) == 200
    [app_call] = plugin.app_calls
    assert app_call.query == "Yes, book it"
    assert (app_call.inputs["content_type"], app_call.inputs["button_payload"]) == (
        "button",
        "BOOK_42",
    )
    assert [r["text"] for r in replies(plivo)] == ["Got: Yes, book it"]
    assert queued_whatsapp(plivo) == ["Got: Yes, book it"]


def test_media_reaches_a_workflow_as_media_urls_and_a_chat_app_in_its_query(plugin, front, plivo):
    media = ["https://media.plivo.com/wa/receipt.jpg", "https://media.plivo.com/wa/2.jpg"]
    plugin.apps["bot"] = StandInApp(kind="workflow", answer={"answer": "Receipt received."})
    plugin.apps["chat"] = StandInApp(kind="chat", answer="Nice picture.")
    for app in ("bot", "chat"):
        record = plivo.send_inbound_whatsapp(
            inbound_url(front, app={"app_id": app}),
            from_number=ALICE,
            to_number=OURS,
            text="my receipt",
            media_urls=media,
            mime_type="image/jpeg",
        )
        assert delivered(plivo, record) == 200
    workflow, chat = plugin.app_calls
    assert workflow.kind == "workflow"
    assert workflow.inputs["media_urls"] == "\n".join(media)
    assert workflow.inputs["text"] == "my receipt"
    assert workflow.inputs["content_type"] == "media"
    assert chat.query == "my receipt\n" + "\n".join(media)
    assert [r["text"] for r in replies(plivo)] == ["Receipt received.", "Nice picture."]
    assert all(r["type"] == "whatsapp" for r in replies(plivo))
    assert sorted(queued_whatsapp(plivo)) == ["Nice picture.", "Receipt received."]


def test_stop_and_help_on_whatsapp_follow_the_sms_rules(plugin, front, plivo):
    plugin.apps["bot"] = StandInApp(kind="chat", answer="should not run")
    url = inbound_url(front, help_text=HELP_TEXT)
    for text in ("HELP", "STOP", "Anyone there?"):
        record = plivo.send_inbound_whatsapp(url, from_number=ALICE, to_number=OURS, text=text)
        assert delivered(plivo, record) == 200
    assert plugin.app_calls == []
    assert replies(plivo) == [
        {"src": DEMO_WHATSAPP_NUMBER, "dst": "14155552671", "text": HELP_TEXT, "type": "whatsapp"}
    ]
    assert queued_whatsapp(plivo) == [HELP_TEXT]


def test_a_whatsapp_read_receipt_runs_the_status_app_with_its_state(plugin, front, plivo):
    plugin.apps["reports"] = StandInApp(kind="workflow", answer={})
    url = front.enable(
        {
            "auth_id": DEMO_AUTH_ID,
            "auth_token": DEMO_AUTH_TOKEN,
            "status_app": {"app_id": "reports"},
        }
    )
    report = {
        "MessageUUID": "5b0e1c2a-0000-4000-8000-00000000000a",
        "From": DEMO_WHATSAPP_NUMBER,
        "To": "14155552671",
        "Type": "whatsapp",
        "Status": "read",
        "ErrorCode": "",
        "Units": "1",
    }
    record = plivo.send_webhook(url + "/sms/status", report, account=DEMO_AUTH_ID)
    assert delivered(plivo, record) == 200
    [app_call] = plugin.app_calls
    assert (app_call.inputs["state"], app_call.inputs["type"]) == ("read", "whatsapp")
    assert app_call.inputs["error_code"] is None
