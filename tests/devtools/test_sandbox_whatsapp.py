# ruff: noqa: I001
"""The sandbox serving WhatsApp like Plivo: WhatsApp senders, the 24-hour window, templates and
their placeholders, reply buttons, read receipts, and the templates list.

``dify_plugin`` is imported first, as the suite's conftest does (gevent patching).
"""

import dify_plugin  # noqa: F401  (gevent patching first: see the module docstring)

import time
from collections.abc import Iterator

import pytest
import requests

from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TOLLFREE_NUMBER,
    DEMO_WABA_ID,
    DEMO_WHATSAPP_NUMBER,
    PlivoSandbox,
    Timeline,
)

TIMEOUT = 5
CUSTOMER = "14155550123"
FAST = Timeline(0.05, 0.1)


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(timeline=FAST) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        yield client


def send(session: requests.Session, sandbox: PlivoSandbox, **body: object) -> requests.Response:
    payload = {"type": "whatsapp", "src": DEMO_WHATSAPP_NUMBER, "dst": CUSTOMER, **body}
    return session.post(
        f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/Message/", json=payload, timeout=TIMEOUT
    )


def template(name: str, *values: str, language: str = "en") -> dict[str, object]:
    parameters = [{"type": "text", "text": value} for value in values]
    return {
        "name": name,
        "language": language,
        "components": [{"type": "body", "parameters": parameters}],
    }


def open_window(sandbox: PlivoSandbox, customer: str = CUSTOMER) -> None:
    sandbox.add_message(
        from_number=customer, to_number=DEMO_WHATSAPP_NUMBER, message_type="whatsapp"
    )


def test_free_form_text_is_refused_outside_the_window_and_nothing_is_stored(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = send(session, sandbox, text="Your order shipped")
    assert answer.status_code == 400
    assert "24 hours" in answer.json()["error"] and CUSTOMER in answer.json()["error"]
    assert "template" in answer.json()["error"]
    assert sandbox.messages == {}


def test_an_inbound_whatsapp_of_more_than_24_hours_ago_does_not_open_the_window(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.add_message(
        from_number=CUSTOMER,
        to_number=DEMO_WHATSAPP_NUMBER,
        message_type="whatsapp",
        created=time.time() - 25 * 3600,
    )
    sandbox.add_message(from_number=CUSTOMER, to_number=DEMO_WHATSAPP_NUMBER, message_type="sms")
    assert send(session, sandbox, text="hello").status_code == 400


def test_an_inbound_whatsapp_opens_the_window_for_that_customer_only(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.send_inbound_whatsapp(
        "http://127.0.0.1:9/unused", from_number=CUSTOMER, to_number=DEMO_WHATSAPP_NUMBER, text="hi"
    )
    accepted = send(session, sandbox, text="Hello!", media_urls=["https://example.com/a.jpg"])
    assert accepted.status_code == 202
    (message_uuid,) = accepted.json()["message_uuid"]
    assert sandbox.messages[message_uuid].message_type == "whatsapp"
    assert sandbox.messages[message_uuid].options["whatsapp_kind"] == "media"
    other = send(session, sandbox, text="Hello!", dst=f"{CUSTOMER}<14155550124")
    assert other.status_code == 400 and "14155550124" in other.json()["error"]


def test_a_template_is_sent_outside_the_window_and_is_read_after_delivery(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    accepted = send(session, sandbox, template=template("order_shipped", "Ada", "A-17"))
    assert accepted.status_code == 202
    (message_uuid,) = accepted.json()["message_uuid"]
    stored = sandbox.messages[message_uuid]
    assert stored.text == "Hi Ada, your order A-17 is on its way."
    time.sleep(FAST.final_after + 0.01)
    assert sandbox.message_state(message_uuid) == "delivered"
    time.sleep(FAST.read_after - FAST.final_after + 0.02)
    mdr = session.get(
        f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/Message/{message_uuid}/", timeout=TIMEOUT
    ).json()
    assert (mdr["message_state"], mdr["message_type"]) == ("read", "whatsapp")
    assert mdr["total_amount"] != "0.00000"


def test_named_template_parameters_need_their_names(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    body = template("appointment_reminder", "Ada", "Monday")
    assert send(session, sandbox, template=body).status_code == 400
    parameters = body["components"][0]["parameters"]  # type: ignore[index]
    for parameter, name in zip(parameters, ("first_name", "date"), strict=True):
        parameter["parameter_name"] = name
    accepted = send(session, sandbox, template=body)
    assert accepted.status_code == 202
    (message_uuid,) = accepted.json()["message_uuid"]
    assert sandbox.messages[message_uuid].text.startswith("Hello Ada, see you on Monday.")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (template("spring_sale", "20%"), "not approved: its status is PENDING"),
        (template("win_back", "a gift"), "not approved: its status is REJECTED"),
        (template("no_such_template"), "does not exist"),
        (template("order_shipped", "fr", language="fr"), "does not exist"),
        (template("order_shipped", "Ada"), "expects 2 body parameters, got 1"),
    ],
)
def test_templates_that_cannot_be_sent_are_refused(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, object], error: str
) -> None:
    answer = send(session, sandbox, template=body)
    assert answer.status_code == 400 and error in answer.json()["error"]
    assert sandbox.messages == {}


def test_a_sender_that_is_not_a_whatsapp_number_is_refused(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = send(session, sandbox, src=DEMO_TOLLFREE_NUMBER, template=template("x"))
    assert answer.status_code == 400 and "not a WhatsApp Business number" in answer.json()["error"]
    sandbox.add_whatsapp_sender(DEMO_TOLLFREE_NUMBER)
    good = template("order_shipped", "Ada", "A-17")
    assert send(session, sandbox, src=DEMO_TOLLFREE_NUMBER, template=good).status_code == 202


def test_reply_buttons_need_the_window_and_at_most_three_short_titles(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    def interactive(*titles: str) -> dict[str, object]:
        buttons = [{"id": f"b{i}", "title": t} for i, t in enumerate(titles)]
        return {"type": "button", "body": {"text": "Pick one"}, "action": {"buttons": buttons}}

    assert send(session, sandbox, interactive=interactive("Yes", "No")).status_code == 400
    open_window(sandbox)
    assert send(session, sandbox, interactive=interactive("Yes", "No")).status_code == 202
    too_many = send(session, sandbox, interactive=interactive("a", "b", "c", "d"))
    assert too_many.status_code == 400
    too_long = send(session, sandbox, interactive=interactive("x" * 21))
    assert too_long.status_code == 400


def test_the_templates_list_is_paged_and_belongs_to_the_account(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    base = f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/WhatsApp/Template"
    first = session.get(f"{base}/{DEMO_WABA_ID}/", params={"limit": 2}, timeout=TIMEOUT).json()
    assert first["meta"]["total_count"] == 5 and first["meta"]["next"]
    assert len(first["objects"]) == 2
    row = first["objects"][0]
    assert {"template_id", "name", "language", "category", "status", "components"} <= set(row)
    statuses = {
        t["status"]
        for t in session.get(f"{base}/{DEMO_WABA_ID}/", timeout=TIMEOUT).json()["objects"]
    }
    assert statuses == {"APPROVED", "PENDING", "REJECTED"}
    assert session.get(f"{base}/999/", timeout=TIMEOUT).status_code == 404
