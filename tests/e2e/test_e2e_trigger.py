"""The Plivo Trigger plugin end to end: the built package under the stand-in daemon, Dify's trigger
endpoints in front of it (``DifyTriggerFront``), and the Plivo sandbox sending signed webhooks to
the subscription's endpoint exactly as Plivo would."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

from devtools.daemon import StandInDaemon
from devtools.sandbox import (
    DEMO_APP_ID,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_NUMBER,
    DEMO_TOLLFREE_NUMBER,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    Fault,
    PlivoSandbox,
    WebhookPolicy,
    WebhookRecord,
)
from devtools.sandbox.callflow import CallScript, Digits
from devtools.sandbox.signing import signature_headers
from devtools.trigger_front import DifyTriggerFront, WorkflowRun, install_trigger_plugin

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = "plivo_trigger"
CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
CALLER = "+14155550123"
OUR_NUMBER = "+" + DEMO_NUMBER
FAST_WEBHOOKS = WebhookPolicy(timeout=10.0, retry_delays=())
XML_EMPTY = "<Response></Response>"


@pytest.fixture(scope="module")
def trigger_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trigger plugin as Dify installs it: the built .difypkg, unpacked."""
    return install_trigger_plugin(ROOT, tmp_path_factory.mktemp("trigger"))


@pytest.fixture(scope="module")
def trigger(sandbox_server: PlivoSandbox, trigger_root: Path) -> Iterator[StandInDaemon]:
    daemon = StandInDaemon(
        trigger_root,
        env={"PLIVO_API_BASE_URL": sandbox_server.url, "PLIVO_READ_TIMEOUT_SECONDS": "3"},
    ).start()
    yield daemon
    daemon.stop()
    assert not daemon.stdout_noise, daemon.stdout_noise[:5]
    everything = "\n".join([*daemon.stderr_lines, str(daemon.logs), str(daemon.orphans)])
    assert DEMO_AUTH_TOKEN not in everything


@pytest.fixture
def plivo(sandbox: PlivoSandbox) -> Iterator[PlivoSandbox]:
    """The sandbox, sending webhooks once (no retry after 60 s) and without timeline callbacks."""
    policy, callbacks = sandbox.webhook_policy, sandbox.callbacks
    sandbox.webhook_policy = FAST_WEBHOOKS
    yield sandbox
    sandbox.webhook_policy, sandbox.callbacks = policy, callbacks


@pytest.fixture
def front(trigger: StandInDaemon) -> Iterator[DifyTriggerFront]:
    with DifyTriggerFront(trigger, PROVIDER) as dify:
        yield dify


def subscribe(front: DifyTriggerFront, **parameters: Any) -> dict[str, Any]:
    result = front.create_subscription({"phone_number": OUR_NUMBER, **parameters}, CREDENTIALS)
    assert result.ok, result.error
    return result.subscription


def delivered(plivo: PlivoSandbox, record: WebhookRecord) -> tuple[int | None, str]:
    """Status and body Plivo got for a webhook."""
    done = plivo.wait_for_webhook(record.delivery_id)
    attempt = done.attempts[-1]
    return attempt.status, attempt.answer


def by_name(runs: list[WorkflowRun]) -> dict[str, WorkflowRun]:
    return {run.node.name: run for run in runs}


def account(plivo: PlivoSandbox) -> tuple[set[str], dict[str, str | None]]:
    return set(plivo.applications), {n: r.app_id for n, r in plivo.numbers.items()}


# -- the plugin ------------------------------------------------------------------------------


def test_the_built_package_carries_the_core_and_starts(
    trigger: StandInDaemon, trigger_root: Path
) -> None:
    assert trigger.manifest is not None
    assert trigger.manifest["name"] == PROVIDER
    assert trigger.manifest["plugins"]["triggers"] == ["provider/plivo_trigger.yaml"]
    assert any(
        "Installed trigger provider: plivo_trigger" in log["message"] for log in trigger.logs
    )
    assert (trigger_root / "plivo_api" / "trigger" / "dispatch.py").is_file()
    assert not (ROOT / PROVIDER / "plivo_api").exists()  # the source exists once


def test_credentials_are_checked_with_one_account_read(
    trigger: StandInDaemon, plivo: PlivoSandbox
) -> None:
    result = trigger.validate_trigger_credentials(PROVIDER, CREDENTIALS)
    assert result.ok, result.error
    assert result.result is True
    assert [(r.method, r.path) for r in plivo.requests] == [("GET", f"/v1/Account/{DEMO_AUTH_ID}/")]


def test_rejected_credentials_say_so_without_echoing_them(
    trigger: StandInDaemon, plivo: PlivoSandbox
) -> None:
    result = trigger.validate_trigger_credentials(
        PROVIDER, {**CREDENTIALS, "auth_token": "mistyped-token-value"}
    )
    assert result.error is not None
    assert result.error["error_type"] == "TriggerProviderCredentialValidationError"
    assert "rejected the Auth ID or Auth Token" in result.error["message"]
    assert "mistyped-token-value" not in str(result.raw)
    assert DEMO_AUTH_ID not in str(result.raw)


def test_the_number_picker_lists_the_accounts_numbers(
    trigger: StandInDaemon, plivo: PlivoSandbox
) -> None:
    result = trigger.request(
        {
            "user_id": "u",
            "type": "dynamic_parameter",
            "action": "fetch_parameter_options",
            "provider": PROVIDER,
            "provider_action": "provider",
            "parameter": "phone_number",
            "credentials": CREDENTIALS,
            "credential_type": "api-key",
        }
    )
    assert result.ok, result.error
    options = result.payload["options"]
    assert [option["value"] for option in options] == [
        OUR_NUMBER,
        "+" + DEMO_TOLLFREE_NUMBER,
        "+447700900123",
    ]
    assert options[0]["label"]["en_US"] == "+14155550100 · Main line (SMS, MMS, voice)"
    assert set(options[0]["label"].values()) == {options[0]["label"]["en_US"]}


# -- automatic subscription: created, used, removed ------------------------------------------


def test_subscription_created_text_arrives_and_subscription_removed(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    before = account(plivo)
    result = front.create_subscription({"phone_number": OUR_NUMBER}, CREDENTIALS)
    assert result.ok, result.error
    subscription = result.subscription
    endpoint = subscription["endpoint"]
    properties = subscription["properties"]
    assert subscription["expires_at"] == -1
    assert properties["previous_app_id"] == DEMO_APP_ID
    app = plivo.applications[properties["app_id"]]
    assert (app.message_url, app.answer_url, app.hangup_url) == (endpoint,) * 3
    assert plivo.numbers[DEMO_NUMBER].app_id == app.app_id
    assert DEMO_AUTH_TOKEN not in str(result.session.raw)  # the token stays in the credentials

    front.add_node(endpoint, "sms_received")
    status, body = delivered(
        plivo, plivo.send_inbound_sms(from_number=CALLER, to_number=DEMO_NUMBER, text="Hi there")
    )
    assert (status, body) == (200, XML_EMPTY)
    [run] = front.wait_for_runs(1)
    assert run.error is None and not run.cancelled
    message_uuid = run.variables["message_uuid"]
    assert run.variables == {
        "message_uuid": message_uuid,
        "from": CALLER,
        "to": OUR_NUMBER,
        "text": "Hi there",
        "type": "sms",
        "media_urls": [],
        "units": 1,
        "intent": None,
    }
    [delivery] = front.deliveries
    assert delivery.response.header("Content-Type") == "application/xml"
    assert delivery.user_id == CALLER

    removed = front.delete_subscription(endpoint)
    assert removed.ok, removed.error
    assert removed.subscription["success"] is True
    assert account(plivo) == before
    assert plivo.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID


def test_refresh_keeps_the_subscription_and_calls_nothing(
    front: DifyTriggerFront, trigger: StandInDaemon, plivo: PlivoSandbox
) -> None:
    subscription = subscribe(front)
    plivo.clear()
    refreshed = trigger.refresh_trigger(
        PROVIDER, subscription=subscription, credentials=CREDENTIALS
    )
    assert refreshed.ok, refreshed.error
    assert refreshed.subscription == subscription
    assert plivo.requests == []
    front.delete_subscription(subscription["endpoint"])


def test_a_plivo_failure_half_way_leaves_the_account_as_it_was(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    before = account(plivo)
    plivo.inject(Fault(method="POST", path=r"/Number/\d+/$", status=500))
    result = front.create_subscription({"phone_number": OUR_NUMBER}, CREDENTIALS)
    assert result.error is not None
    assert result.error["error_type"] == "SubscriptionError"
    assert "Nothing was changed" in result.error["message"]
    assert account(plivo) == before
    assert DEMO_AUTH_TOKEN not in str(result.session.raw)


def test_removing_restores_a_number_that_had_no_application(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    before = account(plivo)
    subscription = subscribe(front, phone_number="+" + DEMO_TOLLFREE_NUMBER)
    assert plivo.numbers[DEMO_TOLLFREE_NUMBER].app_id == subscription["properties"]["app_id"]
    removed = front.delete_subscription(subscription["endpoint"])
    assert removed.subscription["success"] is True
    assert account(plivo) == before


def test_removal_failure_is_reported_not_raised(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    subscription = subscribe(front)
    plivo.inject(Fault(method="DELETE", path=r"/Application/\d+/$", status=500))
    removed = front.delete_subscription(subscription["endpoint"])
    assert removed.ok, removed.error
    assert removed.subscription["success"] is False
    assert "delete it in the Plivo console" in removed.subscription["message"]
    assert plivo.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID


# -- sms_received and its filters ------------------------------------------------------------

SMS_NODES: Mapping[str, Mapping[str, Any]] = {
    "everything": {},
    "from caller": {"from_numbers": "+1 415 555 0123"},
    "from someone else": {"from_numbers": "+14155550999, ACME"},
    "to our number": {"to_numbers": OUR_NUMBER},
    "to another number": {"to_numbers": "+18445550142"},
    "book or cancel": {"keyword": "BOOK, cancel"},
    "mentions refund": {"contains": "REFUND"},
    "six-digit code": {"regex": r"^\d{6}$"},
    "caller booking": {"from_numbers": CALLER, "keyword": "book"},
}
SMS_CASES: list[tuple[str, str, set[str]]] = [
    (
        CALLER,
        "Book a table, no refund needed",
        {
            "everything",
            "from caller",
            "to our number",
            "book or cancel",
            "mentions refund",
            "caller booking",
        },
    ),
    (
        "+14155550999",
        "cancel!",
        {"everything", "from someone else", "to our number", "book or cancel"},
    ),
    (CALLER, "482913", {"everything", "from caller", "to our number", "six-digit code"}),
]


@pytest.mark.parametrize(
    ("sender", "text", "started"), SMS_CASES, ids=[case[1] for case in SMS_CASES]
)
def test_every_sms_filter_decides_per_workflow(
    front: DifyTriggerFront, plivo: PlivoSandbox, sender: str, text: str, started: set[str]
) -> None:
    endpoint = subscribe(front)["endpoint"]
    for name, parameters in SMS_NODES.items():
        front.add_node(endpoint, "sms_received", parameters, name=name)
    plivo.send_inbound_sms(from_number=sender, to_number=DEMO_NUMBER, text=text)
    runs = by_name(front.wait_for_runs(len(SMS_NODES)))
    assert all(run.error is None for run in runs.values()), runs
    assert {name for name, run in runs.items() if not run.cancelled} == started
    for name in started:
        assert runs[name].variables["text"] == text
    assert all(runs[name].variables == {} for name in set(SMS_NODES) - started)
    front.delete_subscription(endpoint)


def test_a_filter_that_cannot_work_fails_its_node_by_name(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received", {"regex": "([a-z"}, name="broken")
    front.add_node(endpoint, "sms_received", {"from_numbers": "4155550123"}, name="no country")
    front.add_node(endpoint, "sms_received", {}, name="fine")
    plivo.send_inbound_sms(from_number=CALLER, to_number=DEMO_NUMBER, text="hello")
    runs = by_name(front.wait_for_runs(3))
    assert runs["fine"].error is None and not runs["fine"].cancelled
    for name, parameter in (("broken", "regex"), ("no country", "from_numbers")):
        error = runs[name].error
        assert error is not None
        assert parameter in error["message"]
    front.delete_subscription(endpoint)


def test_opt_out_and_mms_reach_the_workflow(front: DifyTriggerFront, plivo: PlivoSandbox) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received")
    plivo.send_inbound_sms(from_number=CALLER, to_number=DEMO_NUMBER, text="STOP")
    [stop] = front.wait_for_runs(1)
    assert stop.variables["intent"] == "optout"
    plivo.send_inbound_sms(
        from_number=CALLER,
        to_number=DEMO_NUMBER,
        text="look",
        message_type="mms",
        media_urls=["https://media.example.com/a.jpg", "https://media.example.com/b.png"],
    )
    [_, mms] = front.wait_for_runs(2)
    assert mms.variables["type"] == "mms"
    assert mms.variables["text"] == "look"
    assert mms.variables["media_urls"] == [
        "https://media.example.com/a.jpg",
        "https://media.example.com/b.png",
    ]
    front.delete_subscription(endpoint)


# -- whatsapp_received -------------------------------------------------------------------------


def test_whatsapp_starts_whatsapp_received_and_never_sms_received(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received", {}, name="sms")
    front.add_node(endpoint, "whatsapp_received", {}, name="whatsapp")
    front.add_node(endpoint, "whatsapp_received", {"content_types": ["button"]}, name="buttons")
    front.add_node(endpoint, "whatsapp_received", {"keyword": "book"}, name="bookings")
    record = plivo.send_inbound_whatsapp(
        from_number=CALLER,
        to_number=DEMO_NUMBER,
        button_title="Book it",
        button_payload="BOOK_42",
    )
    assert delivered(plivo, record) == (200, XML_EMPTY)
    runs = by_name(front.wait_for_runs(3))
    assert "sms" not in runs  # no sms_received node ran at all
    assert {name for name, run in runs.items() if not run.cancelled} == {
        "whatsapp",
        "buttons",
        "bookings",
    }
    assert runs["whatsapp"].variables == {
        "message_uuid": record.params["MessageUUID"],
        "from": CALLER,
        "to": OUR_NUMBER,
        "text": "Book it",
        "content_type": "button",
        "media_urls": [],
        "button_payload": "BOOK_42",
    }
    media = ["https://media.plivo.com/wa/a.jpg"]
    plivo.send_inbound_whatsapp(
        from_number=CALLER, to_number=DEMO_NUMBER, text="receipt", media_urls=media
    )
    runs = by_name(front.wait_for_runs(6)[3:])
    assert runs["buttons"].cancelled and runs["bookings"].cancelled
    assert not runs["whatsapp"].cancelled
    variables = runs["whatsapp"].variables
    assert (variables["content_type"], variables["text"]) == ("media", "receipt")
    assert (variables["media_urls"], variables["button_payload"]) == (media, None)
    front.delete_subscription(endpoint)


# -- message_status ----------------------------------------------------------------------------


def test_delivery_reports_start_message_status_with_the_state_filter(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "message_status", {}, name="all")
    front.add_node(endpoint, "message_status", {"states": ["delivered"]}, name="delivered")
    front.add_node(endpoint, "message_status", {"states": ["undelivered", "failed"]}, name="bad")
    plivo.callbacks = True
    for destination in ("+14155552671", "+14155550030"):  # ...0030: undelivered, error 30
        sent = requests.post(
            f"{plivo.url}/v1/Account/{DEMO_AUTH_ID}/Message/",
            auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
            json={"src": OUR_NUMBER, "dst": destination, "text": "Hi", "url": endpoint},
            timeout=5,
        )
        assert sent.status_code == 202, sent.text
    reports = 6  # queued, sent, and delivered or undelivered, for each message
    runs = front.wait_for_runs(3 * reports)
    started = [(run.node.name, run.variables["state"]) for run in runs if not run.cancelled]
    assert sorted(status for name, status in started if name == "all") == sorted(
        ["queued", "queued", "sent", "sent", "delivered", "undelivered"]
    )
    assert [status for name, status in started if name == "delivered"] == ["delivered"]
    [bad] = [run for run in runs if run.node.name == "bad" and not run.cancelled]
    variables = bad.variables
    assert (variables["state"], variables["error_code"]) == ("undelivered", "30")
    assert variables["error"] and variables["advice"]
    assert (variables["to"], variables["from"]) == ("+14155550030", OUR_NUMBER)
    assert isinstance(variables["total_amount"], float)
    assert all(answer.response.text == XML_EMPTY for answer in front.deliveries)
    front.delete_subscription(endpoint)


# -- calls -------------------------------------------------------------------------------------


def test_a_call_is_answered_with_the_sentence_and_both_call_events_start(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front, call_greeting="Thanks for calling Ana & Co. Bye!")["endpoint"]
    front.add_node(endpoint, "call_received")
    front.add_node(endpoint, "call_completed")
    call = plivo.start_inbound_call(from_number=CALLER, to_number=DEMO_NUMBER)
    answers = plivo.wait_for_webhooks(2, timeout=15)
    by_kind = {record.kind: record.attempts[-1] for record in answers}
    assert by_kind["answer"].status == 200
    assert by_kind["answer"].answer == (
        "<Response><Speak>Thanks for calling Ana &amp; Co. Bye!</Speak><Hangup/></Response>"
    )
    assert by_kind["hangup"].answer == XML_EMPTY
    runs = {run.node.event: run for run in front.wait_for_runs(2)}
    received, completed = runs["call_received"].variables, runs["call_completed"].variables
    assert received["call_uuid"] == completed["call_uuid"] == call.call_uuid
    assert (received["from"], received["to"], received["direction"]) == (
        CALLER,
        OUR_NUMBER,
        "inbound",
    )
    assert received["duration"] is None and received["hangup_cause"] is None
    assert isinstance(completed["duration"], int)
    assert completed["hangup_cause"]
    front.delete_subscription(endpoint)


def test_calls_off_keep_the_numbers_previous_call_urls(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    previous = plivo.applications[DEMO_APP_ID]
    subscription = subscribe(front, receive_calls=False)
    app = plivo.applications[subscription["properties"]["app_id"]]
    assert app.message_url == subscription["endpoint"]
    assert (app.answer_url, app.hangup_url) == (previous.answer_url, previous.hangup_url)
    front.delete_subscription(subscription["endpoint"])


# -- signatures, and the manual subscription ----------------------------------------------------


def test_manual_subscription_checks_signatures_with_its_own_token(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    good = front.create_manual_subscription({"auth_token": DEMO_AUTH_TOKEN, "call_greeting": ""})
    wrong = front.create_manual_subscription({"auth_token": DEMO_TRIAL_AUTH_TOKEN})
    for subscription in (good, wrong):
        front.add_node(subscription["endpoint"], "sms_received", name=subscription["endpoint"])
    status, body = delivered(
        plivo,
        plivo.send_inbound_sms(
            good["endpoint"], from_number=CALLER, to_number=DEMO_NUMBER, text="manual"
        ),
    )
    assert (status, body) == (200, XML_EMPTY)
    status, body = delivered(
        plivo,
        plivo.send_inbound_sms(
            wrong["endpoint"], from_number=CALLER, to_number=DEMO_NUMBER, text="manual"
        ),
    )
    assert (status, body) == (403, "Forbidden")  # the reason stays in the plugin's log
    runs = front.settle()
    assert [run.node.name for run in runs] == [good["endpoint"]]
    assert runs[0].variables["text"] == "manual"
    refused = [d for d in front.deliveries if d.endpoint == wrong["endpoint"]]
    assert [(d.response.status, d.events) for d in refused] == [(403, ())]


def test_forged_requests_are_refused_and_start_nothing(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received")
    form = {
        "From": "14155550123",
        "To": DEMO_NUMBER,
        "Text": "forged",
        "Type": "sms",
        "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000001",
    }
    unsigned = requests.post(endpoint, data=form, timeout=10)
    assert (unsigned.status_code, unsigned.text) == (403, "Forbidden")
    # Signed by another account: a valid signature, but not with this subscription's token.
    status, _ = delivered(plivo, plivo.send_webhook(endpoint, form, account=DEMO_TRIAL_AUTH_ID))
    assert status == 403
    assert front.settle() == []
    assert all(delivery.events == () for delivery in front.deliveries)
    front.delete_subscription(endpoint)


@pytest.mark.parametrize(
    ("kept", "tamper", "status"),
    [
        (("X-Plivo-Signature-V3",), False, 200),
        (("X-Plivo-Signature-Ma-V3",), False, 200),
        (("X-Plivo-Signature-V2",), False, 200),
        (("X-Plivo-Signature-V3", "X-Plivo-Signature-Ma-V3"), True, 403),
    ],
    ids=["V3 only", "Ma-V3 only", "V2 only", "V3 with the text changed after signing"],
)
def test_each_plivo_signature_scheme_is_checked_end_to_end(
    front: DifyTriggerFront, plivo: PlivoSandbox, kept: tuple[str, ...], tamper: bool, status: int
) -> None:
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received")
    form = {
        "From": "14155550123",
        "To": DEMO_NUMBER,
        "Text": "signed",
        "Type": "sms",
        "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000002",
    }
    headers = {
        name: value
        for name, value in signature_headers("POST", endpoint, form, DEMO_AUTH_TOKEN).items()
        if name in kept or name.endswith("Nonce")
    }
    sent = {**form, "Text": "changed"} if tamper else form
    answer = requests.post(endpoint, data=sent, headers=headers, timeout=10)
    assert answer.status_code == status
    runs = front.settle()
    assert len(runs) == (1 if status == 200 else 0)
    if runs:
        assert runs[0].variables["text"] == "signed"
    front.delete_subscription(endpoint)


def test_an_event_already_dispatched_is_not_dispatched_again(
    front: DifyTriggerFront, plivo: PlivoSandbox, trigger: StandInDaemon
) -> None:
    """Plivo re-sends a callback up to 3 times, each signed anew: one workflow run, and each
    delivery costs at most 3 storage round trips."""
    endpoint = subscribe(front)["endpoint"]
    front.add_node(endpoint, "sms_received")
    form = {
        "From": "14155550123",
        "To": DEMO_NUMBER,
        "Text": "once",
        "Type": "sms",
        "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000003",
    }
    first = signature_headers("POST", endpoint, form, DEMO_AUTH_TOKEN)
    before = len(trigger.storage.calls)
    deliveries = [first, first] + [
        signature_headers("POST", endpoint, form, DEMO_AUTH_TOKEN) for _ in range(3)
    ]
    for headers in deliveries:  # an exact replay, then Plivo's retries with fresh nonces
        answer = requests.post(endpoint, data=form, headers=headers, timeout=10)
        assert (answer.status_code, answer.text) == (200, XML_EMPTY)
    runs = front.settle()
    assert [run.variables["text"] for run in runs] == ["once"]
    assert len(trigger.storage.calls) - before <= 3 * len(deliveries)
    first_delivery = [d for d in front.deliveries if d.endpoint == endpoint]
    assert [len(d.events) for d in first_delivery] == [1, 0, 0, 0, 0]
    front.delete_subscription(endpoint)


# -- call answers: voicemail, menu, forward ------------------------------------------------------


def test_a_voicemail_with_its_transcript_starts_a_workflow(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(
        front, call_answer="voicemail", transcribe=True, voicemail_greeting="Leave a message."
    )["endpoint"]
    front.add_node(endpoint, "voicemail_received")
    front.add_node(endpoint, "voicemail_received", {"from_numbers": "+442079460030"}, "others")
    script = CallScript(record_seconds=7, transcription="Please call me back about order 42.")
    call = plivo.start_inbound_call(from_number=CALLER, to_number=DEMO_NUMBER, script=script)
    flow = plivo.wait_for_call_flow(call.call_uuid, timeout=15)
    assert flow.heard == ["Leave a message.", "Thank you for calling. Goodbye."]
    assert [request.status for request in flow.requests] == [200] * len(flow.requests)
    runs = by_name(front.wait_for_runs(2))
    assert runs["others"].cancelled
    voicemail = runs["voicemail_received"].variables
    assert voicemail["call_uuid"] == call.call_uuid
    assert (voicemail["from"], voicemail["to"]) == (CALLER, OUR_NUMBER)
    assert voicemail["transcript"] == "Please call me back about order 42."
    assert voicemail["duration"] == 7
    assert voicemail["recording_url"].startswith("http")
    front.delete_subscription(endpoint)


def test_a_menu_key_starts_call_input_and_the_caller_hears_the_sentence(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(
        front,
        call_answer="menu",
        menu_prompt="Press 1 for sales, 2 for support.",
        call_greeting="Bye.",
    )["endpoint"]
    front.add_node(endpoint, "call_input")
    front.add_node(endpoint, "call_completed", {"states": ["completed"]})
    script = CallScript(inputs=[Digits("2")])
    call = plivo.start_inbound_call(from_number=CALLER, to_number=DEMO_NUMBER, script=script)
    flow = plivo.wait_for_call_flow(call.call_uuid, timeout=15)
    assert flow.heard == ["Press 1 for sales, 2 for support.", "Bye."]
    runs = {run.node.event: run for run in front.wait_for_runs(2)}
    assert runs["call_input"].variables == {
        "call_uuid": call.call_uuid,
        "from": CALLER,
        "to": OUR_NUMBER,
        "digits": "2",
    }
    assert runs["call_completed"].variables["state"] == "completed"
    front.delete_subscription(endpoint)


def test_forward_connects_the_caller_to_the_number(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front, call_answer="forward", forward_to="+44 20 7946 0030")["endpoint"]
    front.add_node(endpoint, "call_received")
    call = plivo.start_inbound_call(from_number=CALLER, to_number=DEMO_NUMBER, script=CallScript())
    flow = plivo.wait_for_call_flow(call.call_uuid, timeout=15)
    assert [entry.text for entry in flow.of_kind("dial")] == ["442079460030"]
    assert front.wait_for_runs(1)[0].variables["call_uuid"] == call.call_uuid
    front.delete_subscription(endpoint)


def test_a_bad_forward_number_is_refused_when_subscribing(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    before = account(plivo)
    result = front.create_subscription(
        {"phone_number": OUR_NUMBER, "call_answer": "forward", "forward_to": "555-0100"},
        CREDENTIALS,
    )
    assert result.error is not None
    assert "forward_to" in result.error["message"]
    assert account(plivo) == before


def test_forged_menu_keys_are_refused_and_start_nothing(
    front: DifyTriggerFront, plivo: PlivoSandbox
) -> None:
    endpoint = subscribe(front, call_answer="menu", menu_prompt="Press 1.")["endpoint"]
    front.add_node(endpoint, "call_input")
    form = {"CallUUID": "c-forged", "From": "14155550123", "To": DEMO_NUMBER, "Digits": "1"}
    unsigned = requests.post(f"{endpoint}?step=input", data=form, timeout=10)
    assert (unsigned.status_code, unsigned.text) == (403, "Forbidden")
    # Signed for the endpoint without the step: Plivo's signature covers the query.
    headers = signature_headers("POST", endpoint, form, DEMO_AUTH_TOKEN)
    moved = requests.post(f"{endpoint}?step=input", data=form, headers=headers, timeout=10)
    assert moved.status_code == 403
    assert front.settle() == []
    front.delete_subscription(endpoint)
