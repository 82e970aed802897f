# ruff: noqa: I001
"""The sandbox acting as Plivo towards a webhook receiver: signed inbound messages, delivery
reports and call callbacks, Plivo's retry schedule, and the control API that drives them.

The receiver is a real local HTTP server; every signature it gets is recomputed from what it
received (method, URL, form) with the signer that ``test_sandbox_signing`` pins to Plivo's values.
``dify_plugin`` is imported first, as the suite's conftest does (gevent patching).
"""

import dify_plugin  # noqa: F401  (gevent patching first: see the module docstring)

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pytest
import requests
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from devtools.sandbox import (
    DEMO_APP_ID,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_NUMBER,
    DEMO_TOLLFREE_NUMBER,
    CallTimeline,
    PlivoSandbox,
    Timeline,
    WebhookPolicy,
    WebhookRecord,
)
from devtools.sandbox.signing import (
    MA_V2_HEADER,
    MA_V3_HEADER,
    V2_HEADER,
    V2_NONCE_HEADER,
    V3_HEADER,
    V3_NONCE_HEADER,
    v2_signature,
    v3_signature,
)

TIMEOUT = 5
SENDER = "14155550123"
QUICK = WebhookPolicy(timeout=1.0, retry_delays=(0.1, 0.2, 0.3))
FAST_MESSAGES = Timeline(sent_after=0.05, final_after=0.1)
FAST_CALLS = CallTimeline(ring_after=0.05, answer_after=0.1, hangup_after=0.3)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]
    args: dict[str, str]
    time: float

    def header(self, name: str) -> str:
        return self.headers[name.lower()]

    @property
    def params(self) -> dict[str, str]:
        return self.form if self.method == "POST" else self.args


class Receiver:
    """A webhook endpoint: records every request and answers from a script (default 200)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.received: list[Received] = []
        self.script: list[tuple[int, float]] = []
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def answer(self, *steps: tuple[int, float]) -> None:
        """(status, seconds to wait before answering) for the next requests, in order."""
        with self._changed:
            self.script.extend(steps)

    def _app(self, environ: dict[str, object], start_response: object) -> Iterable[bytes]:
        request = Request(environ)  # type: ignore[arg-type]
        with self._changed:
            self.received.append(
                Received(
                    method=request.method,
                    path=request.path,
                    url=request.url,
                    headers={k.lower(): v for k, v in request.headers.items()},
                    form=request.form.to_dict(),
                    args=request.args.to_dict(),
                    time=time.monotonic(),
                )
            )
            self._changed.notify_all()
            status, delay = self.script.pop(0) if self.script else (200, 0.0)
        time.sleep(delay)
        response = Response("<Response></Response>", status, content_type="application/xml")
        return response(environ, start_response)  # type: ignore[arg-type]

    def wait_for(self, count: int, timeout: float = TIMEOUT) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"got {len(self.received)} requests, expected {count}")
                self._changed.wait(remaining)
            return list(self.received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(
        timeline=FAST_MESSAGES, call_timeline=FAST_CALLS, webhook_policy=QUICK
    ) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        yield client


def base(sandbox: PlivoSandbox) -> str:
    return f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}"


def assert_signed(received: Received, token: str = DEMO_AUTH_TOKEN) -> None:
    """The request carries Plivo's V3 and V2 signatures of exactly what arrived."""
    nonce = received.header(V3_NONCE_HEADER)
    body = received.form if received.method == "POST" else {}
    expected = v3_signature(received.method, received.url, body, nonce, token)
    assert received.header(V3_HEADER) == expected
    assert received.header(MA_V3_HEADER) == expected  # no subaccounts: the same token
    v2 = v2_signature(received.url, received.header(V2_NONCE_HEADER), token)
    assert received.header(V2_HEADER) == v2
    assert received.header(MA_V2_HEADER) == v2
    assert nonce != received.header(V2_NONCE_HEADER)


def by_status(received: Iterable[Received]) -> dict[str, Received]:
    return {r.form["Status"]: r for r in received}


# Inbound messages -------------------------------------------------------------------------------


def test_inbound_sms_is_posted_signed_with_plivo_fields(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    record = sandbox.send_inbound_sms(
        receiver.url("/plivo/inbound?tenant=a%20b"),
        from_number="+1 415 555 0123",
        to_number=DEMO_NUMBER,
        text="STOP",
    )
    done = sandbox.wait_for_webhook(record.delivery_id)
    (got,) = receiver.wait_for(1)
    assert got.method == "POST" and got.path == "/plivo/inbound"
    assert got.args == {"tenant": "a b"}
    assert_signed(got)
    form = got.form
    assert (form["From"], form["To"], form["Text"], form["Type"]) == (
        SENDER,
        DEMO_NUMBER,
        "STOP",
        "sms",
    )
    assert (form["Units"], form["TotalRate"], form["TotalAmount"]) == ("1", "0.00000", "0.00000")
    assert form["MessageIntent"] == "optout"
    assert form["PowerpackUUID"] == ""
    assert "Body" not in form and "MediaCount" not in form

    stored = session.get(f"{base(sandbox)}/Message/{form['MessageUUID']}/", timeout=TIMEOUT)
    assert stored.status_code == 200  # Plivo keeps inbound messages: Get Message finds it
    assert stored.json()["message_direction"] == "inbound"
    assert stored.json()["message_state"] == "received"

    assert done.delivered and done.finished and done.kind == "inbound_sms"
    (attempt,) = done.attempts
    assert (attempt.number, attempt.status, attempt.error) == (1, 200, None)
    assert attempt.answer == "<Response></Response>"
    assert attempt.headers[V3_HEADER] == got.header(V3_HEADER)
    assert done.params["MessageUUID"] == form["MessageUUID"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [("start", "optin"), (" HELP ", "help"), ("stop please", ""), ("Hello", "")],
)
def test_message_intent_follows_the_standard_keywords(
    sandbox: PlivoSandbox, receiver: Receiver, text: str, intent: str
) -> None:
    record = sandbox.send_inbound_sms(
        receiver.url("/in"), from_number=SENDER, to_number=DEMO_NUMBER, text=text
    )
    assert sandbox.wait_for_webhook(record.delivery_id).params["MessageIntent"] == intent


def test_inbound_mms_carries_body_and_media(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    media = ["https://media.example.com/a.jpg", "https://media.example.com/b.png"]
    sandbox.send_inbound_sms(
        receiver.url("/in"),
        from_number=SENDER,
        to_number=DEMO_NUMBER,
        text="look",
        message_type="mms",
        media_urls=media,
    )
    sandbox.send_inbound_sms(
        receiver.url("/in"),
        from_number=SENDER,
        to_number=DEMO_NUMBER,
        message_type="mms",
        media_urls=media[:1],
        media_first_index=0,
    )
    first, second = sorted(receiver.wait_for(2), key=lambda r: r.form["MediaCount"], reverse=True)
    assert (first.form["Type"], first.form["Body"], first.form["MediaCount"]) == (
        "mms",
        "look",
        "2",
    )
    assert (first.form["Media1"], first.form["Media2"]) == tuple(media)
    assert "Text" not in first.form
    assert second.form["Media0"] == media[0] and "Media1" not in second.form
    assert_signed(first)
    assert_signed(second)


def test_inbound_sms_goes_to_the_numbers_application(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    hook = receiver.url("/e/abc123/plivo/inbound")
    changed = session.post(
        f"{base(sandbox)}/Application/{DEMO_APP_ID}/",
        json={"message_url": hook, "message_method": "GET"},
        timeout=TIMEOUT,
    )
    assert changed.status_code == 202
    record = sandbox.send_inbound_sms(from_number=SENDER, to_number=f"+{DEMO_NUMBER}", text="hi")
    assert record.url == hook and record.method == "GET"
    (got,) = receiver.wait_for(1)
    assert got.method == "GET" and got.form == {}
    assert (got.args["From"], got.args["To"], got.args["Text"]) == (SENDER, DEMO_NUMBER, "hi")
    assert_signed(got)

    with pytest.raises(ValueError, match="message_url"):
        sandbox.send_inbound_sms(from_number=SENDER, to_number=DEMO_TOLLFREE_NUMBER, text="hi")


def test_inbound_whatsapp_text_is_posted_signed_with_whatsapp_fields(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    record = sandbox.send_inbound_whatsapp(
        receiver.url("/in"), from_number="+1 415 555 0123", to_number=DEMO_NUMBER, text="Hi"
    )
    (got,) = receiver.wait_for(1)
    assert_signed(got)
    form = got.form
    assert (form["From"], form["To"], form["Type"], form["ContentType"], form["Body"]) == (
        SENDER,
        DEMO_NUMBER,
        "whatsapp",
        "text",
        "Hi",
    )
    assert (form["Units"], form["TotalRate"], form["TotalAmount"]) == ("1", "0.00000", "0.00000")
    assert not {"Text", "MimeType", "MediaCount", "Media0", "ButtonPayload"} & set(form)
    assert sandbox.wait_for_webhook(record.delivery_id).kind == "inbound_whatsapp"
    stored = session.get(f"{base(sandbox)}/Message/{form['MessageUUID']}/", timeout=TIMEOUT)
    assert (stored.json()["message_type"], stored.json()["message_direction"]) == (
        "whatsapp",
        "inbound",
    )


def test_inbound_whatsapp_media_and_button_press(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    media = ["https://media.example.com/a.jpg", "https://media.example.com/b.jpg"]
    sandbox.send_inbound_whatsapp(
        receiver.url("/media"),
        from_number=SENDER,
        to_number=DEMO_NUMBER,
        text="my receipt",
        media_urls=media,
        mime_type="image/jpeg",
    )
    sandbox.send_inbound_whatsapp(
        receiver.url("/button"),
        from_number=SENDER,
        to_number=DEMO_NUMBER,
        button_title="Yes, book it",
        button_payload="BOOK_YES",
    )
    by_path = {r.path: r.form for r in receiver.wait_for(2)}
    photo, button = by_path["/media"], by_path["/button"]
    assert (photo["ContentType"], photo["Body"], photo["MimeType"]) == (
        "media",
        "my receipt",
        "image/jpeg",
    )
    assert (photo["MediaCount"], photo["Media0"], photo["Media1"]) == ("2", *media)
    assert "ButtonPayload" not in photo
    assert (button["ContentType"], button["Body"], button["ButtonPayload"]) == (
        "button",
        "Yes, book it",
        "BOOK_YES",
    )
    assert "MimeType" not in button and "Media0" not in button


def test_inbound_whatsapp_goes_to_the_numbers_application(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    hook = receiver.url("/e/abc123/plivo/inbound")
    changed = session.post(
        f"{base(sandbox)}/Application/{DEMO_APP_ID}/", json={"message_url": hook}, timeout=TIMEOUT
    )
    assert changed.status_code == 202
    record = sandbox.send_inbound_whatsapp(from_number=SENDER, to_number=DEMO_NUMBER, text="hi")
    assert record.url == hook and record.method == "POST"
    (got,) = receiver.wait_for(1)
    assert got.form["Type"] == "whatsapp"
    assert_signed(got)


# Retries, timeouts, failures --------------------------------------------------------------------


def test_retries_follow_the_policy_and_every_attempt_is_recorded(
    sandbox: PlivoSandbox, receiver: Receiver
) -> None:
    receiver.answer((500, 0.0), (503, 0.0))
    record = sandbox.send_webhook(receiver.url("/hook"), {"Status": "delivered"})
    done = sandbox.wait_for_webhook(record.delivery_id)
    first, second, third = receiver.wait_for(3)
    assert [a.status for a in done.attempts] == [500, 503, 200]
    assert [a.number for a in done.attempts] == [1, 2, 3]
    assert done.delivered and done.finished
    assert second.time - first.time >= QUICK.retry_delays[0]
    assert third.time - second.time >= QUICK.retry_delays[1]
    nonces = {r.header(V3_NONCE_HEADER) for r in (first, second, third)}
    assert len(nonces) == 3  # every attempt is signed afresh
    for got in (first, second, third):
        assert_signed(got)


def test_gives_up_after_the_last_retry(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    sandbox.webhook_policy = WebhookPolicy(timeout=1.0, retry_delays=(0.05, 0.05))
    receiver.answer((500, 0.0), (500, 0.0), (404, 0.0), (200, 0.0))
    record = sandbox.send_webhook(receiver.url("/hook"), {"A": "1"})
    done = sandbox.wait_for_webhook(record.delivery_id)
    assert [a.status for a in done.attempts] == [500, 500, 404]
    assert done.finished and not done.delivered
    time.sleep(0.2)
    assert len(receiver.received) == 3


def test_a_slow_answer_is_a_timeout_and_retried(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    sandbox.webhook_policy = WebhookPolicy(timeout=0.2, retry_delays=(0.05,))
    receiver.answer((200, 0.6))
    record = sandbox.send_webhook(receiver.url("/slow"), {"A": "1"})
    done = sandbox.wait_for_webhook(record.delivery_id)
    late, retried = done.attempts
    assert late.status is None and late.error is not None and "Timeout" in late.error
    assert late.elapsed < 0.6
    assert retried.status == 200 and done.delivered


def test_an_unreachable_url_is_recorded(sandbox: PlivoSandbox) -> None:
    sandbox.webhook_policy = WebhookPolicy(timeout=1.0, retry_delays=())
    record = sandbox.send_webhook("http://127.0.0.1:9/closed", {"A": "1"})
    (attempt,) = sandbox.wait_for_webhook(record.delivery_id).attempts
    assert attempt.status is None and attempt.error and "ConnectionError" in attempt.error


def test_send_webhook_rejects_bad_input(sandbox: PlivoSandbox) -> None:
    with pytest.raises(ValueError, match="GET or POST"):
        sandbox.send_webhook("https://example.com/h", {}, method="PUT")
    with pytest.raises(ValueError, match="http"):
        sandbox.send_webhook("ftp://example.com/h", {})
    with pytest.raises(ValueError, match="retry_delays"):
        WebhookPolicy(retry_delays=(-1.0,))
    with pytest.raises(ValueError, match="timeout"):
        WebhookPolicy(timeout=0)


# Delivery reports ---------------------------------------------------------------------------------


def send(session: requests.Session, sandbox: PlivoSandbox, dst: str, url: str, **extra: str) -> str:
    body = {"src": DEMO_NUMBER, "dst": dst, "text": "hello", "url": url, **extra}
    answer = session.post(f"{base(sandbox)}/Message/", json=body, timeout=TIMEOUT)
    assert answer.status_code == 202, answer.text
    message_uuid: str = answer.json()["message_uuid"][0]
    return message_uuid


def test_delivery_reports_follow_the_message_timeline(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    message_uuid = send(session, sandbox, "14155550124", receiver.url("/status"))
    reports = by_status(receiver.wait_for(3))
    assert set(reports) == {"queued", "sent", "delivered"}
    assert [reports[s].form["Sequence"] for s in ("queued", "sent", "delivered")] == ["1", "2", "3"]
    delivered = reports["delivered"].form
    assert delivered["MessageUUID"] == delivered["ParentMessageUUID"] == message_uuid
    assert (delivered["To"], delivered["From"], delivered["Type"]) == (
        "14155550124",
        DEMO_NUMBER,
        "sms",
    )
    assert (delivered["Units"], delivered["TotalRate"], delivered["TotalAmount"]) == (
        "1",
        "0.00550",
        "0.00550",
    )
    assert delivered["ErrorCode"] == ""
    assert delivered["SentTime"] and delivered["DeliveryReportTime"] and delivered["MessageTime"]
    assert reports["queued"].form["TotalAmount"] == "0.00000"
    assert reports["queued"].form["SentTime"] == ""
    for got in reports.values():
        assert_signed(got)
    assert len(sandbox.wait_for_webhooks(3, kind="delivery_report")) == 3


def test_a_delivered_whatsapp_message_reports_read_after_delivered(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    sandbox.add_message(from_number="14155550124", to_number=DEMO_NUMBER, message_type="whatsapp")
    message_uuid = send(session, sandbox, "14155550124", receiver.url("/status"), type="whatsapp")
    reports = by_status(receiver.wait_for(4))
    assert [reports[s].form["Sequence"] for s in ("queued", "sent", "delivered", "read")] == [
        "1",
        "2",
        "3",
        "4",
    ]
    read = reports["read"].form
    assert (read["MessageUUID"], read["Type"], read["ErrorCode"]) == (message_uuid, "whatsapp", "")
    assert read["DeliveryReportTime"] and read["TotalAmount"] != "0.00000"
    assert_signed(reports["read"])


@pytest.mark.parametrize(
    ("dst", "statuses", "error_code"),
    [
        ("14155550030", ["queued", "sent", "undelivered"], "30"),
        ("14155550040", ["queued", "failed"], "40"),
        ("14155550000", ["queued", "sent"], ""),
    ],
)
def test_delivery_reports_for_magic_outcomes(
    sandbox: PlivoSandbox,
    session: requests.Session,
    receiver: Receiver,
    dst: str,
    statuses: list[str],
    error_code: str,
) -> None:
    sandbox.callbacks = True
    send(session, sandbox, dst, receiver.url("/status"), method="GET")
    received = receiver.wait_for(len(statuses))
    time.sleep(FAST_MESSAGES.final_after * 2)
    assert len(receiver.received) == len(statuses)
    by_sequence = sorted(receiver.received, key=lambda r: int(r.args["Sequence"]))
    assert [r.args["Status"] for r in by_sequence] == statuses
    assert by_sequence[-1].args["ErrorCode"] == error_code
    assert all(r.method == "GET" for r in received)
    assert_signed(by_sequence[-1])


def test_no_delivery_reports_unless_callbacks_are_on(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    assert sandbox.callbacks is False
    message_uuid = send(session, sandbox, "14155550124", receiver.url("/status"))
    time.sleep(FAST_MESSAGES.final_after * 3)
    assert receiver.received == []
    assert sandbox.webhooks == []

    record = sandbox.send_delivery_report(receiver.url("/status"), message_uuid)
    (got,) = receiver.wait_for(1)
    assert (got.form["Status"], got.form["Sequence"]) == ("delivered", "3")
    assert record.kind == "delivery_report"
    with pytest.raises(ValueError, match="no message"):
        sandbox.send_delivery_report(receiver.url("/status"), "no-such-message")


def test_reset_cancels_planned_callbacks(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    sandbox.timeline = Timeline(sent_after=0.3, final_after=0.4)
    send(session, sandbox, "14155550124", receiver.url("/status"))
    receiver.wait_for(1)  # "queued" goes at once
    sandbox.reset()
    time.sleep(0.6)
    assert [r.form["Status"] for r in receiver.received] == ["queued"]
    assert sandbox.webhooks == []


# Calls ------------------------------------------------------------------------------------------


def test_call_callbacks_follow_the_call_timeline(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    answer = session.post(
        f"{base(sandbox)}/Call/",
        json={
            "from": DEMO_NUMBER,
            "to": "14155550124",
            "answer_url": receiver.url("/answer"),
            "answer_method": "GET",
            "hangup_url": receiver.url("/hangup"),
            "ring_url": receiver.url("/ring"),
        },
        timeout=TIMEOUT,
    )
    request_uuid = answer.json()["request_uuid"]
    call_uuid = sandbox.call_for_request(request_uuid).call_uuid
    paths = {r.path: r for r in receiver.wait_for(3)}
    ring, start, hangup = paths["/ring"], paths["/answer"], paths["/hangup"]
    assert (ring.form["Event"], ring.form["CallStatus"]) == ("Ring", "ringing")
    assert start.method == "GET"
    assert (start.args["Event"], start.args["CallStatus"]) == ("StartApp", "in-progress")
    assert (start.args["CallUUID"], start.args["ALegUUID"]) == (call_uuid, call_uuid)
    assert start.args["ALegRequestUUID"] == start.args["RequestUUID"] == request_uuid
    assert (start.args["From"], start.args["To"], start.args["Direction"]) == (
        DEMO_NUMBER,
        "14155550124",
        "outbound",
    )
    end = hangup.form
    assert (end["Event"], end["CallStatus"], end["HangupCauseName"]) == (
        "Hangup",
        "completed",
        "Normal Hangup",
    )
    assert (end["HangupCauseCode"], end["HangupSource"], end["HangupCause"]) == (
        "4000",
        "Callee",
        "NORMAL_CLEARING",
    )
    assert (end["Duration"], end["BillDuration"], end["TotalCost"]) == ("1", "60", "0.01000")
    assert end["StartTime"] and end["AnswerTime"] and end["EndTime"]
    for got in (ring, start, hangup):
        assert_signed(got)
    kinds = sorted(r.kind for r in sandbox.wait_for_webhooks(3))
    assert kinds == ["answer", "hangup", "ring"]


def test_unanswered_call_gets_no_answer_callback(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    session.post(
        f"{base(sandbox)}/Call/",
        json={
            "from": DEMO_NUMBER,
            "to": "14155552010",
            "answer_url": receiver.url("/answer"),
            "hangup_url": receiver.url("/hangup"),
        },
        timeout=TIMEOUT,
    )
    (hangup,) = receiver.wait_for(1)
    time.sleep(FAST_CALLS.hangup_after)
    assert [r.path for r in receiver.received] == ["/hangup"]
    assert (hangup.form["CallStatus"], hangup.form["HangupCauseCode"]) == ("failed", "2010")
    assert hangup.form["AnswerTime"] == "" and hangup.form["Duration"] == "0"


def test_api_hangup_sends_the_hangup_callback_once(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    sandbox.callbacks = True
    answer = session.post(
        f"{base(sandbox)}/Call/",
        json={
            "from": DEMO_NUMBER,
            "to": "14155550000",  # answered, never hangs up by itself
            "answer_url": receiver.url("/answer"),
            "hangup_url": receiver.url("/hangup"),
        },
        timeout=TIMEOUT,
    )
    call_uuid = sandbox.call_for_request(answer.json()["request_uuid"]).call_uuid
    receiver.wait_for(1)
    assert session.delete(f"{base(sandbox)}/Call/{call_uuid}/", timeout=TIMEOUT).status_code == 204
    hangup = receiver.wait_for(2)[1]
    time.sleep(FAST_CALLS.hangup_after * 2)
    assert [r.path for r in receiver.received] == ["/answer", "/hangup"]
    assert (hangup.form["HangupSource"], hangup.form["HangupCauseCode"]) == ("API Request", "4000")


def test_inbound_call_uses_the_numbers_application(
    sandbox: PlivoSandbox, session: requests.Session, receiver: Receiver
) -> None:
    session.post(
        f"{base(sandbox)}/Application/{DEMO_APP_ID}/",
        json={"answer_url": receiver.url("/answer"), "hangup_url": receiver.url("/hangup")},
        timeout=TIMEOUT,
    )
    call = sandbox.start_inbound_call(from_number="+1 415 555 0124", to_number=DEMO_NUMBER)
    start, hangup = receiver.wait_for(2)
    assert (start.path, hangup.path) == ("/answer", "/hangup")
    assert (start.form["Direction"], start.form["CallStatus"], start.form["Event"]) == (
        "inbound",
        "ringing",
        "StartApp",
    )
    assert (start.form["From"], start.form["To"], start.form["CallUUID"]) == (
        "14155550124",
        DEMO_NUMBER,
        call.call_uuid,
    )
    assert "ALegRequestUUID" not in start.form
    assert hangup.form["CallStatus"] == "completed"
    assert_signed(start)
    cdr = session.get(f"{base(sandbox)}/Call/{call.call_uuid}/", timeout=TIMEOUT).json()
    assert cdr["call_direction"] == "inbound"


def test_send_call_event_on_demand(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    call = sandbox.start_inbound_call(
        from_number=SENDER, to_number=DEMO_NUMBER, answer_url="", hangup_url=""
    )
    record = sandbox.send_call_event(receiver.url("/a"), call.call_uuid, "StartApp", method="GET")
    (got,) = receiver.wait_for(1)
    assert got.args["CallUUID"] == call.call_uuid and record.kind == "answer"
    with pytest.raises(ValueError, match="event"):
        sandbox.send_call_event(receiver.url("/a"), call.call_uuid, "Dance")
    with pytest.raises(ValueError, match="no call"):
        sandbox.send_call_event(receiver.url("/a"), "no-such-call", "Hangup")


def test_records_are_snapshots(sandbox: PlivoSandbox, receiver: Receiver) -> None:
    record = sandbox.send_webhook(receiver.url("/hook"), {"A": "1"})
    assert isinstance(record, WebhookRecord) and record.attempts == ()
    done = sandbox.wait_for_webhook(record.delivery_id)
    assert record.attempts == () and len(done.attempts) == 1
    assert done.delivered is True
    assert [r.delivery_id for r in sandbox.webhooks] == [record.delivery_id]
