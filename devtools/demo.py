"""``make demo``: the plugin as Dify runs it, against the local Plivo sandbox, as a transcript.

Starts the sandbox on 127.0.0.1, starts ``python -m main`` under the stand-in daemon (the stdio
protocol Dify's plugin daemon speaks), then does what a user would do in Dify and prints what Dify
would show: the node's text, JSON and variables, or the error that fails the node.
"""

from __future__ import annotations

import json
import sys
import tempfile
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_NUMBER,
    DEMO_TRIAL_AUTH_ID,
    DEMO_WABA_ID,
    DEMO_WHATSAPP_NUMBER,
    PlivoSandbox,
    Timeline,
    WebhookPolicy,
)
from devtools.sandbox.callflow import CallScript
from devtools.trigger_front import DifyTriggerFront, install_trigger_plugin
from plivo_api.transport.redact import mask_auth_id

SENDER = "+14155550199"
CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "default_sender": SENDER}
PREVIEW_TEXT = (
    "Hi Sam, it’s Ana from the clinic: your appointment is confirmed for Tuesday at 10:30."
)
SEND_TO = "+1 415 555 2671, +44 20 7946 0030, 12345"  # the sandbox fails ...0030 with error 30
SEND_TEXT = "Hi Sam, it's Ana from the clinic: your appointment is confirmed for Tuesday at 10:30."
WIDTH = 100
CALL_FROM = "+14155550100"  # a number of the sandbox's demo account
CALL_TO = "+14155552671"
ANSWER_URL = "https://example.com/plivo/answer.xml"
CALL_SETTLE_SECONDS = 0.6


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def show_json(value: Any, indent: str = "    ") -> None:
    """One top-level key per line, values compact: short to read, complete enough to trust."""
    if not isinstance(value, dict):
        out(indent + json.dumps(value, ensure_ascii=False))
        return
    for key, item in value.items():
        out(f"{indent}{key}: {json.dumps(item, ensure_ascii=False)}")


def show(title: str, result: SessionResult) -> None:
    out(f"\n▶ {title}")
    if result.error is not None:
        out(f"  ✗ the node fails ({result.error.get('error_type')}):")
        for line in textwrap.wrap(str(result.error.get("message")), WIDTH - 4):
            out("    " + line)
        return
    if result.result is not None:
        out(f"  ✓ {'credentials accepted' if result.result else 'credentials refused'}")
    for text in result.texts:
        out("  text:")
        for line in textwrap.wrap(text, WIDTH - 4):
            out("    " + line)
    for value in result.jsons:
        out("  json:")
        show_json(value)
    if result.variables:
        out("  variables: " + json.dumps(result.variables, ensure_ascii=False))
    out(f"  ({result.elapsed * 1000:.0f} ms)")


def params_line(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def main() -> int:
    with PlivoSandbox(timeline=Timeline(sent_after=0.3, final_after=1.0)) as sandbox:
        out("Plivo SMS for Dify — demo against the local Plivo sandbox")
        out(f"Sandbox: {sandbox.url}   demo Auth ID: {mask_auth_id(DEMO_AUTH_ID)}")
        env = {
            "PLIVO_API_BASE_URL": sandbox.url,
            "PLIVO_LOOKUP_BASE_URL": sandbox.lookup_url,
            "PLIVO_PHLO_BASE_URL": sandbox.phlo_url,
        }
        daemon = StandInDaemon(env=env)
        daemon.start()
        try:
            manifest = daemon.manifest or {}
            out(
                f"Plugin {manifest.get('author')}/{manifest.get('name')} {manifest.get('version')} "
                f"ready in {daemon.time_to_ready:.2f} s (first heartbeat over stdio)"
            )
            run(daemon)
            run_voice_and_account(daemon, sandbox)
            run_whatsapp_template(daemon)
            run_whatsapp_outside_window(daemon)
            run_recordings_and_masking(daemon, sandbox)
            run_call_that_asks(daemon, sandbox)
            run_two_way(daemon, sandbox)
            run_whatsapp_inbound(daemon, sandbox)
            run_phone_assistant(daemon, sandbox)
        finally:
            daemon.stop()
        rss = (daemon.peak_rss_bytes or 0) / 1e6
        out(f"\nPlugin stopped with SIGTERM; peak RSS {rss:.0f} MB.")
        sends = [r for r in sandbox.requests if r.method == "POST"]
        out(
            f"The sandbox saw {len(sandbox.requests)} requests ({len(sends)} send) over "
            f"{sandbox.connections_opened} TCP connections."
        )
        if daemon.stdout_noise:
            out(f"WARNING: non-protocol lines on the plugin's stdout: {daemon.stdout_noise[:3]}")
            return 1
    return 0


def run(daemon: StandInDaemon) -> None:
    show(
        "Dify checks the credentials you entered (Plugins > Plivo SMS > Authorize)",
        daemon.validate_credentials(CREDENTIALS),
    )
    show(
        "...and with a mistyped Auth Token",
        daemon.validate_credentials({**CREDENTIALS, "auth_token": "mistyped-token"}),
    )
    preview = {"message": PREVIEW_TEXT, "to": SEND_TO}
    show(
        f"preview_sms ({params_line(preview)})",
        daemon.invoke_tool("preview_sms", preview, CREDENTIALS),
    )
    send = {"to": SEND_TO, "message": SEND_TEXT, "wait_seconds": 5}
    sent = daemon.invoke_tool("send_sms", send, CREDENTIALS)
    show(f"send_sms from the default sender {SENDER} ({params_line(send)})", sent)
    uuid = (sent.variables.get("message_uuids") or [None])[-1]
    if uuid:
        show(
            "get_message (the failed one)",
            daemon.invoke_tool("get_message", {"message_uuid": uuid}, CREDENTIALS),
        )
    show("get_account", daemon.invoke_tool("get_account", {}, CREDENTIALS))


def run_voice_and_account(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """A call and what became of it, the account's numbers, and two refusals that send nothing."""
    call = {"to": CALL_TO, "answer_url": ANSWER_URL, "from_number": CALL_FROM}
    placed = daemon.invoke_tool("make_call", call, CREDENTIALS)
    show(f"make_call ({params_line(call)})", placed)
    request_uuid = placed.variables.get("request_uuid")
    if request_uuid:
        time.sleep(CALL_SETTLE_SECONDS)  # the sandbox answers, then the callee hangs up
        call_uuid = sandbox.call_for_request(str(request_uuid)).call_uuid
        show(
            "get_call (the call UUID arrives in Plivo's answer and hangup callbacks)",
            daemon.invoke_tool("get_call", {"call_uuid": call_uuid}, CREDENTIALS),
        )
    show("list_numbers", daemon.invoke_tool("list_numbers", {"limit": 5}, CREDENTIALS))
    before = len(sandbox.requests)
    refusals = (
        ("make_call", {**call, "to": "+442079460018", "allowed_countries": "US, CA"}),
        (
            "applications",
            {"operation": "create", "app_name": "agent-made", "answer_url": ANSWER_URL},
        ),
    )
    for tool, params in refusals:
        show(f"{tool} ({params_line(params)})", daemon.invoke_tool(tool, params, CREDENTIALS))
    out(f"  (requests the two refusals made at Plivo: {len(sandbox.requests) - before})")


WHATSAPP_CREDENTIALS = {
    **CREDENTIALS,
    "whatsapp_sender": "+" + DEMO_WHATSAPP_NUMBER,
    "whatsapp_business_account_id": DEMO_WABA_ID,
}
WHATSAPP_TO = "+14155552671"


def run_whatsapp_template(daemon: StandInDaemon) -> None:
    """The account's approved templates, then one sent (templates need no recent message)."""
    listing = {"name": "order"}
    show(
        f"whatsapp_templates ({params_line(listing)})",
        daemon.invoke_tool("whatsapp_templates", listing, WHATSAPP_CREDENTIALS),
    )
    send = {
        "to": WHATSAPP_TO,
        "template_name": "order_shipped",
        "template_variables": '["Sam", "A-1042"]',
        "wait_seconds": 5,
    }
    show(
        f"send_whatsapp from {WHATSAPP_CREDENTIALS['whatsapp_sender']} ({params_line(send)})",
        daemon.invoke_tool("send_whatsapp", send, WHATSAPP_CREDENTIALS),
    )


def run_whatsapp_outside_window(daemon: StandInDaemon) -> None:
    """Free text to a customer who has not written in 24 hours: WhatsApp refuses it."""
    send = {"to": WHATSAPP_TO, "message": "Hi Sam, any questions about your order?"}
    show(
        f"send_whatsapp free text, the customer never wrote ({params_line(send)})",
        daemon.invoke_tool("send_whatsapp", send, WHATSAPP_CREDENTIALS),
    )


def run_recordings_and_masking(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """A recording Plivo made of a call and its transcript, then a number-masking session."""
    sandbox.recordings.add_recording(
        DEMO_AUTH_ID,
        "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd",
        14_200,
        transcript="Yes, Tuesday at 10:30 works for me. Thank you!",
    )
    listed = daemon.invoke_tool("recordings", {"limit": 5}, CREDENTIALS)
    show("recordings (operation list)", listed)
    rows = (listed.json["recordings"] or [{}]) if listed.ok else [{}]
    transcript = {"operation": "transcript", "recording_id": rows[0].get("recording_id")}
    show(
        "recordings (operation transcript)",
        daemon.invoke_tool("recordings", transcript, CREDENTIALS),
    )
    session = {
        "operation": "create",
        "first_party": "+14155550123",
        "second_party": "+14155552671",
        "allow_changes": True,
    }
    show(
        f"masking_sessions ({params_line(session)})",
        daemon.invoke_tool("masking_sessions", session, CREDENTIALS),
    )


QUESTION = "Your table for two is booked for 7 pm. Press 1 to confirm or 2 to cancel."


def run_call_that_asks(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """One node calls, asks a question and returns the answer: the plugin's endpoint serves the
    call's XML, the sandbox plays a callee who presses 1."""
    from devtools.endpoint_front import DifyEndpointFront
    from devtools.sandbox import CallScript, Digits

    with DifyEndpointFront(daemon) as dify:
        endpoint = dify.enable({**CREDENTIALS, "app": {"app_id": "none"}})
        credentials = {**CREDENTIALS, "endpoint_url": endpoint + "/sms/inbound"}
        sandbox.script_calls_to(CALL_TO, CallScript(inputs=[Digits("1")]))
        out("\n▶ A call that asks: the credential endpoint_url is the endpoint URL Dify shows")
        ask = {"to": CALL_TO, "from_number": CALL_FROM, "ask": QUESTION, "wait_seconds": 20}
        asked = daemon.invoke_tool("make_call", ask, credentials)
        show(f"make_call ({params_line(ask)})", asked)
        call_uuid = asked.variables.get("call_uuid")
        if call_uuid:
            flow = sandbox.wait_for_call_flow(str(call_uuid))
            out(f"  the callee heard: {flow.heard}; pressed: {[e.text for e in flow.inputs]}")
        sandbox.script_calls_to(CALL_TO, None)


# -- the second plugin: Plivo Trigger ---------------------------------------------------------

TRIGGER_PROVIDER = "plivo_trigger"
TRIGGER_CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
CUSTOMER = "+14155550123"
BOOKING_TEXT = "Book a table for 2 at 7pm"


def trigger_main() -> int:
    """The trigger plugin as Dify runs it: a subscription is created, a text arrives, the
    workflows get their variables, and removing the subscription puts the number back."""
    out("\n" + "=" * WIDTH)
    out("Plivo Trigger for Dify — workflows started by incoming texts and calls")
    policy = WebhookPolicy(timeout=10.0, retry_delays=())
    with (
        tempfile.TemporaryDirectory() as work,
        PlivoSandbox(webhook_policy=policy) as sandbox,
    ):
        root = install_trigger_plugin(Path(__file__).resolve().parents[1], Path(work))
        daemon = StandInDaemon(root, env={"PLIVO_API_BASE_URL": sandbox.url})
        daemon.start()
        try:
            out(f"Plugin plivo_trigger ready in {daemon.time_to_ready:.2f} s (built package)")
            with DifyTriggerFront(daemon, TRIGGER_PROVIDER) as dify:
                run_trigger(daemon, dify, sandbox, "+" + DEMO_NUMBER)
                run_trigger_voicemail(dify, sandbox, "+" + DEMO_NUMBER)
        finally:
            daemon.stop()
        if daemon.stdout_noise:
            out(f"WARNING: non-protocol lines on the plugin's stdout: {daemon.stdout_noise[:3]}")
            return 1
    return 0


def run_trigger(
    daemon: StandInDaemon, dify: DifyTriggerFront, sandbox: PlivoSandbox, number: str
) -> None:
    digits = number.lstrip("+")
    before = sandbox.numbers[digits].app_id
    checked = daemon.validate_trigger_credentials(TRIGGER_PROVIDER, TRIGGER_CREDENTIALS)
    out("\n▶ Dify checks the Auth ID and Auth Token of the new subscription")
    out(f"  ✓ {'credentials accepted' if checked.ok else checked.error_message}")

    out(f"\n▶ Create a subscription for {number} (Dify gives it the endpoint URL)")
    created = dify.create_subscription(
        {"phone_number": number, "call_greeting": "Thanks for calling. We will text you back."},
        TRIGGER_CREDENTIALS,
    )
    if not created.ok:
        out(f"  ✗ {created.session.error_message}")
        return
    subscription = created.subscription
    endpoint = subscription["endpoint"]
    app_id = subscription["properties"]["app_id"]
    app = sandbox.applications[app_id]
    out(f"  endpoint: {endpoint}")
    out("  properties (no credential in them):")
    show_json(subscription["properties"])
    out(f"  at Plivo: new application {app_id} ({app.app_name})")
    out("            gets the number's messages, calls and hangups at the endpoint;")
    out(f"            {number} was moved to it from application {before}")

    dify.add_node(endpoint, "sms_received", {"keyword": "BOOK"}, name="bookings (first word BOOK)")
    dify.add_node(
        endpoint, "sms_received", {"contains": "refund"}, name="refunds (contains refund)"
    )
    out(f"\n▶ {CUSTOMER} texts {number}: {BOOKING_TEXT!r}")
    out("  (Plivo posts it, signed, to the endpoint; two workflows listen to sms_received)")
    record = sandbox.send_inbound_sms(from_number=CUSTOMER, to_number=digits, text=BOOKING_TEXT)
    attempt = sandbox.wait_for_webhook(record.delivery_id).attempts[-1]
    out(f"  Plivo got HTTP {attempt.status} {attempt.answer} at once")
    for run in dify.wait_for_runs(2):
        if run.cancelled:
            out(f"  workflow '{run.node.name}': not started (its filter did not match)")
        else:
            out(f"  workflow '{run.node.name}' starts with:")
            show_json(run.variables)

    runs_before = len(dify.runs)
    out("\n▶ Someone posts a forged text to the endpoint (not signed with this account's token)")
    forged = sandbox.send_webhook(
        endpoint,
        {"From": "15550000000", "To": digits, "Text": "BOOK", "MessageUUID": "x"},
        account=DEMO_TRIAL_AUTH_ID,  # signed, but with another account's Auth Token
    )
    refused = sandbox.wait_for_webhook(forged.delivery_id).attempts[-1]
    out(f"  HTTP {refused.status}:")
    for line in textwrap.wrap(refused.answer, WIDTH - 4):
        out("    " + line)
    out(f"  workflows started: {len(dify.settle()) - runs_before}")

    dify.add_node(endpoint, "call_completed", name="missed-call follow-up")
    out(f"\n▶ {CUSTOMER} calls {number}")
    sandbox.start_inbound_call(from_number=CUSTOMER, to_number=digits)
    [answered] = sandbox.wait_for_webhooks(1, timeout=15, kind="answer")
    answer = answered.attempts[-1]
    out(f"  Plivo got HTTP {answer.status} {answer.answer}")
    [completed] = [run for run in dify.wait_for_runs(3) if run.node.event == "call_completed"]
    out(f"  workflow '{completed.node.name}' starts with:")
    show_json(completed.variables)

    out("\n▶ Remove the subscription")
    removed = dify.delete_subscription(endpoint)
    out(f"  {removed.subscription.get('message')}")
    out(
        f"  at Plivo: {number} uses application {sandbox.numbers[digits].app_id} again; "
        f"application {app_id} {'still exists' if app_id in sandbox.applications else 'is gone'}"
    )


def run_trigger_voicemail(dify: DifyTriggerFront, sandbox: PlivoSandbox, number: str) -> None:
    """A subscription whose call answer is voicemail: the caller leaves a message, Plivo
    transcribes it, and the workflow starts with the recording and its transcript."""
    out(f"\n▶ Subscribe {number} again, answering calls with voicemail (transcribed)")
    created = dify.create_subscription(
        {"phone_number": number, "call_answer": "voicemail", "transcribe": True},
        TRIGGER_CREDENTIALS,
    )
    if not created.ok:
        out(f"  ✗ {created.session.error_message}")
        return
    endpoint = created.subscription["endpoint"]
    dify.add_node(endpoint, "voicemail_received", name="voicemail to ticket")
    before = len(dify.settle())
    out(f"\n▶ {CUSTOMER} calls {number} and leaves a 9-second message")
    script = CallScript(
        record_seconds=9, transcription="Hi, it's Sam. Please move my booking to Friday."
    )
    call = sandbox.start_inbound_call(
        from_number=CUSTOMER, to_number=number.lstrip("+"), script=script
    )
    flow = sandbox.wait_for_call_flow(call.call_uuid, timeout=15)
    for heard in flow.heard:
        out(f"  caller hears: {heard!r}")
    out("  (Plivo posts the recording, then the transcription, signed, to the endpoint)")
    run = dify.wait_for_runs(before + 1)[-1]
    out(f"  workflow '{run.node.name}' starts once, with:")
    show_json(run.variables)
    dify.delete_subscription(endpoint)


# -- two-way SMS: the plugin's inbound endpoint ------------------------------------------------

BOT_NUMBER = "+14155551800"
PATIENT = "+14155552671"
CLINIC_ANSWERS = {
    "Hi, when is my appointment?": "Hi Sam! Tuesday at 10:30 with Dr. Ana. Reply STOP to opt out.",
    "Can I bring my son?": "Of course, see you both on Tuesday.",
}


def run_two_way(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """A text arrives, the app answers, the reply leaves through Plivo; then STOP, honoured by
    a later send_sms. The app is a stand-in Dify chat app with canned answers."""
    from devtools.daemon import StandInApp
    from devtools.endpoint_front import DifyEndpointFront

    daemon.apps["clinic-bot"] = StandInApp(
        kind="chat", answer=lambda call: CLINIC_ANSWERS.get(call.query or "", "Thanks!")
    )
    settings = {**CREDENTIALS, "app": {"app_id": "clinic-bot"}, "reply": True}
    with DifyEndpointFront(daemon) as dify:
        url = dify.enable(settings) + "/sms/inbound"
        application = sandbox.add_application("Dify two-way SMS", message_url=url)
        sandbox.add_number(BOT_NUMBER, app_id=application.app_id)
        out("\n▶ Two-way SMS: the plugin's endpoint is enabled with a chat app that answers")
        out(f"  endpoint URL Dify shows: {url}")
        out(f"  at Plivo: application {application.app_id} ({application.app_name}) has it as")
        out(f"            message URL; {BOT_NUMBER} is linked to that application")
        for text in (*CLINIC_ANSWERS, "STOP"):
            two_way_text(daemon, sandbox, text)
    send = {"to": f"{PATIENT}, +1 415 555 2672", "message": "Flu shots this week!"}
    show(
        f"send_sms after the STOP ({params_line(send)})",
        daemon.invoke_tool("send_sms", send, CREDENTIALS),
    )


def two_way_text(daemon: StandInDaemon, sandbox: PlivoSandbox, text: str) -> None:
    runs, sends, logs = len(daemon.app_calls), len(sandbox.requests), len(daemon.logs)
    out(f"\n▶ {PATIENT} texts {BOT_NUMBER}: {text!r} (Plivo posts it, signed, to the endpoint)")
    record = sandbox.send_inbound_sms(from_number=PATIENT, to_number=BOT_NUMBER, text=text)
    attempt = sandbox.wait_for_webhook(record.delivery_id).attempts[-1]
    out(f"  Plivo got HTTP {attempt.status} {attempt.answer}")
    for call in daemon.app_calls[runs:]:
        conversation = call.conversation_id or "a new one"
        out(f"  the app ran with query {call.query!r} (conversation: {conversation})")
    if len(daemon.app_calls) == runs:
        out("  the app did not run")
    replies = [r.json for r in sandbox.requests[sends:] if r.method == "POST"]
    for reply in replies:
        if isinstance(reply, dict):
            out(f"  reply queued at Plivo: +{reply['src']} → +{reply['dst']}: {reply['text']!r}")
    if not replies:
        out("  no reply")
    for entry in daemon.logs[logs:]:
        message = str(entry.get("message", ""))
        if message.startswith("inbound message"):
            out(f"  plugin log: {message}")


# -- inbound WhatsApp answered by an app, through the same endpoint -------------------------------

WHATSAPP_NUMBER = "+14155551810"
WHATSAPP_CUSTOMER = "+14155552680"


def run_whatsapp_inbound(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """A WhatsApp message and a quick-reply button press reach the endpoint's app; its answers
    go back on WhatsApp, as plain text, from the number that received them."""
    from devtools.daemon import StandInApp
    from devtools.endpoint_front import DifyEndpointFront

    daemon.apps["shop-bot"] = StandInApp(
        kind="chat",
        answer=lambda call: {
            "Is my order shipped?": "**Yes!** It left today. Want delivery on Friday?",
            "Yes, Friday": "Done: Friday between 9 and 12.",
        }.get(call.query or "", "Thanks!"),
    )
    settings = {**CREDENTIALS, "app": {"app_id": "shop-bot"}, "reply": True}
    with DifyEndpointFront(daemon) as dify:
        url = dify.enable(settings) + "/sms/inbound"
        application = sandbox.add_application("Dify two-way WhatsApp", message_url=url)
        sandbox.add_number(WHATSAPP_NUMBER, app_id=application.app_id)
        sandbox.add_whatsapp_sender(WHATSAPP_NUMBER)  # linked to the account's WhatsApp Business
        out("\n▶ Inbound WhatsApp: the same endpoint answers WhatsApp messages on WhatsApp")
        for text, button in (("Is my order shipped?", None), ("Yes, Friday", "FRIDAY")):
            sends, logs = len(sandbox.requests), len(daemon.logs)
            what = f"presses the button {text!r}" if button else f"writes {text!r}"
            out(f"\n▶ {WHATSAPP_CUSTOMER} {what} on WhatsApp to {WHATSAPP_NUMBER}")
            record = sandbox.send_inbound_whatsapp(
                from_number=WHATSAPP_CUSTOMER,
                to_number=WHATSAPP_NUMBER,
                text=None if button else text,
                button_title=text if button else None,
                button_payload=button,
            )
            attempt = sandbox.wait_for_webhook(record.delivery_id).attempts[-1]
            out(f"  Plivo got HTTP {attempt.status} {attempt.answer}")
            call = daemon.app_calls[-1]
            payload = call.inputs.get("button_payload")
            out(f"  the app ran with query {call.query!r} (button_payload: {payload})")
            for reply in (r.json for r in sandbox.requests[sends:] if r.method == "POST"):
                if isinstance(reply, dict):
                    out(
                        f"  reply sent to Plivo ({reply.get('type', 'sms')}): "
                        f"+{reply['src']} → +{reply['dst']}: {reply['text']!r}"
                    )
            outcomes = [str(e.get("message", "")) for e in daemon.logs[logs:]]
            for message in outcomes:
                if message.startswith("inbound message"):
                    out(f"  plugin log: {message}")


ASSISTANT_NUMBER = "+14155551900"
RECEPTION = "+14155550123"
PHONE_ANSWERS = {
    "Hi, I'd like to book a check-up": "Sure. We have **Tuesday at 10:30** or Thursday at 3. "
    "Which suits you?",
    "Tuesday please": "<think>Book Tuesday 10:30.</think>Done: Tuesday at 10:30 with Dr. Ana.",
    "Can I bring my son?": "Of course, see you both on Tuesday.",
}


def run_phone_assistant(daemon: StandInDaemon, sandbox: PlivoSandbox) -> None:
    """A caller talks to a stand-in chat app for three turns, then asks for a person and is
    transferred; a stand-in workflow files the call's transcript when it ends."""
    from devtools.daemon import StandInApp
    from devtools.endpoint_front import DifyEndpointFront
    from devtools.sandbox.callflow import CallScript, Speech

    daemon.apps["phone-bot"] = StandInApp(
        kind="chat", answer=lambda call: PHONE_ANSWERS.get(call.query or "", "Okay.")
    )
    daemon.apps["call-filer"] = StandInApp(kind="workflow", answer={"text": "filed"})
    settings = {
        **CREDENTIALS,
        "app": {"app_id": "clinic-bot"},
        "voice_app": {"app_id": "phone-bot"},
        "status_app": {"app_id": "call-filer"},
        "greeting": "Hello, Acme Clinic's assistant speaking. How can I help?",
        "transfer_to": RECEPTION,
    }
    script = CallScript(inputs=[*(Speech(text) for text in PHONE_ANSWERS), Speech("A person")])
    with DifyEndpointFront(daemon) as dify:
        base = dify.enable(settings)
        application = sandbox.add_application(
            "Dify phone assistant",
            answer_url=f"{base}/voice/inbound",
            hangup_url=f"{base}/voice/hangup",
        )
        sandbox.add_number(ASSISTANT_NUMBER, app_id=application.app_id)
        out("\n▶ Phone assistant: the endpoint's /voice/inbound is the answer URL of application")
        out(f"  {application.app_id}, linked to {ASSISTANT_NUMBER}; a chat app talks")
        runs = len(daemon.app_calls)
        call = sandbox.start_inbound_call(
            from_number=PATIENT, to_number=ASSISTANT_NUMBER, script=script
        )
        flow = sandbox.wait_for_call_flow(call.call_uuid, 60)
    out(f"  {PATIENT} calls {ASSISTANT_NUMBER}:")
    for entry in flow.entries:
        if entry.kind == "speak":
            out(f"    assistant: {entry.text}")
        elif entry.kind == "input":
            out(f"    caller:    {entry.text or '(silence)'}")
        elif entry.kind == "dial":
            out(f"    (Plivo dials +{entry.text}: the caller is transferred)")
    for run_call in daemon.app_calls[runs:]:
        if run_call.app_id == "call-filer":
            out("  when the call ended, the status workflow ran with:")
            show_json(dict(run_call.inputs), indent="    ")


if __name__ == "__main__":
    raise SystemExit(main() or trigger_main())
