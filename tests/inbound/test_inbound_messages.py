"""An inbound message's handling when storage, the app or Plivo fail partway.

The end-to-end tests cover the normal paths through the daemon; here the core runs with a store
that fails on demand, to pin down what Plivo is told (200: done, never again; 503: try again
later) and that nothing is sent twice.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pytest

from devtools.daemon import StandInStorage
from devtools.daemon import StorageError as DaemonStorageError
from devtools.sandbox.signing import signature_headers
from plivo_api.errors import OutcomeUnknownError
from plivo_api.inbound.leases import LEASE_SECONDS
from plivo_api.inbound.messages import handle_inbound
from plivo_api.inbound.services import Services
from plivo_api.inbound.settings import EndpointSettings
from plivo_api.inbound.webhook import WebhookRequest
from plivo_api.resources.messages import SendResult
from plivo_api.transport.credentials import Credentials

TOKEN = "inbound-test-token"
URL = "https://dify.example.com/e/hook/sms/inbound"
SETTINGS = EndpointSettings.from_mapping(
    {"auth_id": "MAXXXXXXXXXXXXXXXXXX", "auth_token": TOKEN, "app": {"app_id": "bot"}}
)


class Store(StandInStorage):
    """The daemon's storage, failing every call for which ``failing(opt, key)`` is true."""

    failing: Callable[[str, str], bool] = staticmethod(lambda opt, key: False)

    def get(self, key: str, *, session_id: str = "") -> bytes:
        if self.failing("get", key):
            raise DaemonStorageError("session not found")
        return super().get(key, session_id=session_id)

    def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
        if self.failing("set", key):
            raise DaemonStorageError("session not found")
        super().set(key, value, session_id=session_id)

    def exist(self, key: str, *, session_id: str = "") -> int:
        if self.failing("exist", key):
            raise DaemonStorageError("session not found")
        return super().exist(key, session_id=session_id)


class Apps:
    def __init__(self, answer: str = "re: {query}") -> None:
        self.queries: list[str] = []
        self.inputs: list[Mapping[str, object]] = []
        self.answer = answer

    def invoke(
        self, app_id: str, *, query: str, inputs: Mapping[str, object], conversation_id: str | None
    ) -> Mapping[str, object]:
        self.queries.append(query)
        self.inputs.append(inputs)
        return {
            "answer": self.answer.format(query=query),
            "conversation_id": "c0ffee00-0000-4000-8000-000000000001",
        }


class Messenger:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[Mapping[str, Any]] = []
        self.error = error

    def __call__(self, credentials: Credentials) -> Messenger:
        return self

    def send_message(self, payload: Mapping[str, Any]) -> SendResult:
        self.sent.append(payload)
        if self.error is not None:
            raise self.error
        return SendResult(api_id="a", message_uuids=("m",), invalid_numbers=())


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def request(text: str = "hello", message_uuid: str | None = None) -> WebhookRequest:
    form = {
        "From": "14155552671",
        "To": "14155550199",
        "Text": text,
        "Type": "sms",
        "MessageUUID": message_uuid or str(uuid.uuid4()),
    }
    return signed(form)


def whatsapp(
    body: str | None = "hello", content_type: str = "text", **extra: str
) -> WebhookRequest:
    """An inbound WhatsApp message with the fields Plivo sends for one (and ``extra``)."""
    form = {
        "From": "14155552671",
        "To": "14155550199",
        "Type": "whatsapp",
        "ContentType": content_type,
        "MessageUUID": str(uuid.uuid4()),
        "Units": "1",
        **({"Body": body} if body is not None else {}),
        **extra,
    }
    return signed(form)


def signed(form: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path="/sms/inbound",
        params={key: [value] for key, value in form.items()},
        headers={
            "Dify-Hook-Url": URL,
            "Dify-Hook-Id": "hook",
            **signature_headers("POST", URL, form, TOKEN),
        },
    )


def services(store: Store, apps: Apps, messenger: Messenger, clock: Clock) -> Services:
    return Services(store=store, apps=apps, messenger=messenger, clock=clock)


def test_storage_failing_before_the_app_ran_asks_plivo_to_retry_and_the_retry_works() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    store.failing = lambda opt, key: "/optout/" in key  # the sender's number record
    incoming = request()
    answer = handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock))
    assert answer.status == 503
    assert apps.queries == [] and messenger.sent == []
    store.failing = lambda opt, key: False
    clock.now += 60  # Plivo's first retry comes 60 s later, after the lease expired
    answer = handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock))
    assert answer.status == 200
    assert apps.queries == ["hello"] and len(messenger.sent) == 1


def test_storage_failing_at_the_lease_touches_nothing() -> None:
    store, apps, messenger = Store(), Apps(), Messenger()
    store.failing = lambda opt, key: True
    answer = handle_inbound(request(), SETTINGS, services(store, apps, messenger, Clock()))
    assert answer.status == 503
    assert apps.queries == [] and messenger.sent == []


def test_a_claim_that_cannot_be_stored_sends_nothing() -> None:
    """The sender's record claims the reply (with the conversation) before it leaves: when that
    write fails, a retry after a death could not tell, so nothing is sent."""
    store, apps, messenger = Store(), Apps(), Messenger()
    store.failing = lambda opt, key: opt == "set" and "/senders/" in key
    answer = handle_inbound(request(), SETTINGS, services(store, apps, messenger, Clock()))
    assert answer.status == 200
    assert apps.queries == ["hello"]
    assert messenger.sent == []


def test_a_retry_after_a_death_past_the_claim_never_runs_the_app_again() -> None:
    """The handling died after claiming (its lease still says running): Plivo's retry takes the
    lease over, finds the message answered in the sender's record, and stops."""
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    incoming = request()
    assert handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock)).status == 200
    for key, value in store.snapshot().items():  # rewind the lease to "running", as if it died
        if "/jobs/" in key:
            record = json.loads(value)
            store.set(key, json.dumps({**record, "s": "running"}).encode())
    clock.now += 60
    assert handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock)).status == 200
    assert apps.queries == ["hello"] and len(messenger.sent) == 1


def test_a_reply_whose_outcome_is_unknown_is_never_sent_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, apps, clock = Store(), Apps(), Clock()
    messenger = Messenger(OutcomeUnknownError("timed out"))
    incoming = request()
    with caplog.at_level(logging.INFO, logger="plivo_api"):
        first = handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock))
        clock.now += LEASE_SECONDS * 10
        again = handle_inbound(incoming, SETTINGS, services(store, apps, messenger, clock))
    assert (first.status, again.status) == (200, 200)
    assert len(messenger.sent) == 1
    assert len(apps.queries) == 1
    uuid_text = incoming.params["MessageUUID"][0]
    lines = [record.getMessage() for record in caplog.records]
    assert f"inbound message {uuid_text}: reply outcome unknown; not repeated" in lines
    assert all("4155552671" not in line and "hello" not in line for line in lines)


def test_incomplete_messages_and_missing_settings() -> None:
    store, apps, messenger = Store(), Apps(), Messenger()
    broken = request(message_uuid="not-a-uuid")
    answer = handle_inbound(broken, SETTINGS, services(store, apps, messenger, Clock()))
    assert answer.status == 200  # signed by Plivo but unusable: a retry would not help
    no_auth_id = EndpointSettings(auth_id="", auth_token=TOKEN, app_id="bot")
    answer = handle_inbound(request(), no_auth_id, services(store, apps, messenger, Clock()))
    assert answer.status == 503  # fixable in the settings before Plivo's retries run out
    assert apps.queries == [] and messenger.sent == [] and store.calls == []


def test_a_delivery_report_sent_to_the_inbound_url_changes_nothing() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    form = {"From": "14155550199", "To": "14155552671", "Status": "delivered"}
    form["MessageUUID"] = str(uuid.uuid4())
    report = WebhookRequest(
        method="POST",
        path="/sms/inbound",
        params={key: [value] for key, value in form.items()},
        headers={
            "Dify-Hook-Url": URL,
            "Dify-Hook-Id": "hook",
            **signature_headers("POST", URL, form, TOKEN),
        },
    )
    answer = handle_inbound(report, SETTINGS, services(store, apps, messenger, clock))
    assert answer.status == 200
    assert store.values == {} and apps.queries == [] and messenger.sent == []
    answer = handle_inbound(request(), SETTINGS, services(store, apps, messenger, clock))
    assert apps.queries == ["hello"]  # the customer is not taken for one of our numbers


def test_with_replies_off_help_sends_nothing() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    quiet = replace(SETTINGS, reply=False, help_text="Acme. Reply STOP to opt out.")
    answer = handle_inbound(request("HELP"), quiet, services(store, apps, messenger, clock))
    assert answer.status == 200
    assert messenger.sent == [] and apps.queries == []


@pytest.mark.parametrize("text", ["YES", "Yes!", "GO", "RESUME", "START", "unstop"])
def test_an_opt_in_word_from_a_sender_who_never_opted_out_is_an_ordinary_message(
    text: str,
) -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    answer = handle_inbound(request(text), SETTINGS, services(store, apps, messenger, clock))
    assert answer.status == 200
    assert apps.queries == [text]
    assert [sent["text"] for sent in messenger.sent] == [f"re: {text}"]


def test_an_opt_in_word_ends_an_opt_out_and_only_then() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    handled = services(store, apps, messenger, clock)
    for text in ("STOP", "Hello?", "YES"):  # opted out, ignored, opted back in: no app run
        assert handle_inbound(request(text), SETTINGS, handled).status == 200
    assert apps.queries == [] and messenger.sent == []
    assert handle_inbound(request("Yes"), SETTINGS, handled).status == 200  # an answer now
    assert apps.queries == ["Yes"]
    assert [sent["text"] for sent in messenger.sent] == ["re: Yes"]


def test_a_full_store_still_gets_plivo_an_answer_and_never_loses_an_opt_out() -> None:
    """Dify's daemon refuses writes past the manifest's declared size (after writing them)."""
    from plivo_api.inbound.optouts import OptOutList
    from plivo_api.webhooks.kvstore import StorageScope

    store, apps, messenger, clock = Store(quota=8192), Apps(), Messenger(), Clock()
    handle_inbound(request("hi"), SETTINGS, services(store, apps, messenger, clock))
    messenger.sent.clear()
    store.set("filler", b"x" * (8192 - store.used_bytes))
    with pytest.raises(DaemonStorageError):
        store.set("more", b"x")  # full
    store.values.pop("more")  # the daemon writes a refused value anyway; this test does not

    class Refusing(Store):
        def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
            growth = len(value) - len(self.values.get(key, b""))
            if self.used_bytes + growth > 8192:  # refused before writing, the strictest case
                raise DaemonStorageError("allocated size is greater than max storage size")
            super().set(key, value, session_id=session_id)

    store.__class__ = Refusing
    stop = handle_inbound(request("STOP"), SETTINGS, services(store, apps, messenger, clock))
    assert stop.status in (200, 503)  # 503: Plivo retries, and the retry finds it recorded
    optouts = OptOutList(store, StorageScope.for_account(SETTINGS.auth_id))
    assert optouts.contains("+14155552671")
    assert "+14155552671" in optouts.snapshot()  # what send_sms reads
    ordinary = handle_inbound(request(), SETTINGS, services(store, apps, messenger, clock))
    assert ordinary.status in (200, 503) and messenger.sent == []


# -- WhatsApp: the same rules, answered on WhatsApp ---------------------------------------------


def test_a_whatsapp_message_is_answered_on_whatsapp_from_the_number_that_received_it() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    answer = handle_inbound(whatsapp("hello"), SETTINGS, services(store, apps, messenger, clock))
    assert answer.status == 200
    assert apps.queries == ["hello"]
    assert messenger.sent == [
        {"src": "14155550199", "dst": "14155552671", "text": "re: hello", "type": "whatsapp"}
    ]
    assert apps.inputs[0]["type"] == "whatsapp" and apps.inputs[0]["content_type"] == "text"
    handle_inbound(request("hello"), SETTINGS, services(store, apps, messenger, clock))
    assert "type" not in messenger.sent[-1]  # an SMS is still answered by SMS
    assert apps.inputs[-1]["type"] == "sms" and apps.inputs[-1]["content_type"] is None


def test_a_whatsapp_answer_is_plain_text_in_one_message() -> None:
    store, messenger = Store(), Messenger()
    apps = Apps("<think>they want a table</think>**Booked** for _7 pm_. " + "x" * 2000)
    handle_inbound(whatsapp("table?"), SETTINGS, services(store, apps, messenger, Clock()))
    assert [sent["text"] for sent in messenger.sent] == ["Booked for 7 pm. " + "x" * 2000]


def test_a_button_press_reaches_the_app_as_the_buttons_title_with_its_payload() -> None:
    store, apps, messenger = Store(), Apps(), Messenger()
    incoming = whatsapp("Yes, book it", "button", ButtonPayload="BOOK_42")
    handle_inbound(incoming, SETTINGS, services(store, apps, messenger, Clock()))
    assert apps.queries == ["Yes, book it"]
    [inputs] = apps.inputs
    assert (inputs["text"], inputs["content_type"], inputs["button_payload"]) == (
        "Yes, book it",
        "button",
        "BOOK_42",
    )


def test_whatsapp_media_reaches_workflows_as_media_urls_and_chat_apps_in_the_query() -> None:
    store, apps, messenger = Store(), Apps(), Messenger()
    media = {
        "MediaCount": "2",
        "Media0": "https://m.example/0.jpg",
        "Media1": "https://m.example/1",
    }
    handled = services(store, apps, messenger, Clock())
    handle_inbound(
        whatsapp("my receipt", "media", MimeType="image/jpeg", **media), SETTINGS, handled
    )
    handle_inbound(whatsapp(None, "media", **media), SETTINGS, handled)
    assert apps.queries == [
        "my receipt\nhttps://m.example/0.jpg\nhttps://m.example/1",
        "https://m.example/0.jpg\nhttps://m.example/1",
    ]
    assert [i["media_urls"] for i in apps.inputs] == [
        "https://m.example/0.jpg\nhttps://m.example/1"
    ] * 2
    assert [i["text"] for i in apps.inputs] == ["my receipt", ""]


def test_whatsapp_stop_and_help_follow_the_sms_rules() -> None:
    store, apps, messenger, clock = Store(), Apps(), Messenger(), Clock()
    helpful = replace(SETTINGS, help_text="Acme. Reply STOP to opt out.")
    handled = services(store, apps, messenger, clock)
    handle_inbound(whatsapp("HELP"), helpful, handled)
    assert messenger.sent == [
        {
            "src": "14155550199",
            "dst": "14155552671",
            "text": "Acme. Reply STOP to opt out.",
            "type": "whatsapp",
        }
    ]
    for incoming in (whatsapp("stop"), whatsapp("Hello?"), request("Hello by SMS")):
        assert handle_inbound(incoming, helpful, handled).status == 200
    assert apps.queries == [] and len(messenger.sent) == 1  # one opt-out list for the number


def test_an_inbound_message_with_a_status_field_is_still_a_message() -> None:
    """Only a form without the message's text (Text, or Body for MMS and WhatsApp) is taken for
    a delivery report sent to the wrong URL."""
    store, apps, messenger = Store(), Apps(), Messenger()
    incoming = whatsapp("hello", Status="received")
    handle_inbound(incoming, SETTINGS, services(store, apps, messenger, Clock()))
    assert apps.queries == ["hello"] and len(messenger.sent) == 1
