"""The endpoint under Plivo's timeout and retries: the sandbox calls it over real HTTP.

The sandbox sends signed webhooks with Plivo's behaviour (an answer expected within a timeout,
retries after a non-2xx answer or a timeout; the delays are shortened here) to
``DifyEndpointFront``, which plays the daemon's ``/e/<hook_id>`` route in front of a plugin
process of this module's own: a handling that dies here leaves a thread waiting for storage
answers that never come, which must not outlive the module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.daemon import StandInApp, StandInDaemon
from devtools.endpoint_front import DifyEndpointFront
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, WebhookPolicy
from plivo_api.inbound.leases import LEASE_SECONDS

pytestmark = pytest.mark.e2e

OURS, ALICE = "+14155550199", "+14155552671"
MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def daemon(sandbox_server: Any) -> Iterator[StandInDaemon]:
    env = {"PLIVO_API_BASE_URL": sandbox_server.url}
    with StandInDaemon(env=env) as running:
        yield running
    assert not running.stdout_noise, running.stdout_noise[:5]


@pytest.fixture
def plivo(sandbox: Any) -> Iterator[Any]:
    """The sandbox with its webhook policy and callbacks restored after the test."""
    policy, callbacks = sandbox.webhook_policy, sandbox.callbacks
    yield sandbox
    sandbox.webhook_policy, sandbox.callbacks = policy, callbacks


@pytest.fixture
def front(daemon: StandInDaemon) -> Iterator[DifyEndpointFront]:
    daemon.storage.clear()
    daemon.apps.clear()
    daemon.app_calls.clear()
    with DifyEndpointFront(daemon) as running:
        yield running


def settings(**extra: Any) -> dict[str, Any]:
    return {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "app": {"app_id": "bot"},
        "reply": True,
        **extra,
    }


def replies(sandbox: Any) -> list[dict[str, Any]]:
    return [r.json for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def wait_until(condition: Any, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def age_leases(daemon: StandInDaemon, seconds: float) -> int:
    """Move every stored lease ``seconds`` into the past, as if that much time had gone by."""
    aged = 0
    for key, value in daemon.storage.snapshot().items():
        if "/jobs/" not in key:
            continue
        record = json.loads(value)
        record["t"] -= seconds
        aged += 1
        daemon.storage.set(key, json.dumps(record).encode())
    return aged


def test_a_slow_app_under_plivos_retries_still_runs_once_and_replies_once(daemon, front, plivo):
    app = StandInApp(kind="chat", answer="Your table is booked.", delay=2.5)
    daemon.apps["bot"] = app
    plivo.webhook_policy = WebhookPolicy(timeout=1.0, retry_delays=(0.5, 1.5, 3.0))
    url = front.enable(settings()) + "/sms/inbound"
    record = plivo.send_inbound_sms(url, from_number=ALICE, to_number=OURS, text="table for 2")
    done = plivo.wait_for_webhook(record.delivery_id, timeout=WAIT_SECONDS)
    statuses = [attempt.status for attempt in done.attempts]
    assert statuses[0] is None  # Plivo gave up waiting after its timeout
    assert 503 in statuses  # a retry while the first handling ran was sent back for later
    assert statuses[-1] == 200
    assert len(daemon.app_calls) == 1
    assert replies(plivo) == [
        {"src": "14155550199", "dst": "14155552671", "text": "Your table is booked."}
    ]


def test_a_handling_that_died_is_handled_again_by_a_retry_once_its_lease_expired(
    daemon, front, plivo
):
    app = StandInApp(kind="chat", answer="Sorry for the wait!", delay=2.0)
    daemon.apps["bot"] = app
    # Plivo hangs up after 1 s; the daemon then abandons the plugin session, as Dify does
    front.session_timeout = 1.0
    plivo.webhook_policy = WebhookPolicy(timeout=1.0, retry_delays=(4.0,))
    url = front.enable(settings()) + "/sms/inbound"
    record = plivo.send_inbound_sms(url, from_number=ALICE, to_number=OURS, text="hello?")
    wait_until(lambda: any(call.status is None for call in front.calls))
    wait_until(lambda: len(daemon.app_calls) == 1 and daemon.app_calls[0].finished_at)
    app.delay = 0.0
    assert age_leases(daemon, LEASE_SECONDS + 1) == 1
    done = plivo.wait_for_webhook(record.delivery_id, timeout=WAIT_SECONDS)
    assert [attempt.status is not None for attempt in done.attempts] == [False, True]
    assert done.attempts[-1].status == 200
    assert len(daemon.app_calls) == 2  # the dead handling's run, and the retry's
    assert [r["text"] for r in replies(plivo)] == ["Sorry for the wait!"]
    logs = [str(entry.get("message")) for entry in daemon.logs]
    assert any("replied (an earlier handling died)" in line for line in logs)


def test_an_inbound_get_through_plivos_http_request(daemon, front, plivo):
    daemon.apps["bot"] = StandInApp(kind="chat", answer=lambda c: f"Got: {c.query}")
    url = front.enable(settings()) + "/sms/inbound"
    record = plivo.send_inbound_sms(
        url, from_number=ALICE, to_number=OURS, text="via GET", method="GET"
    )
    done = plivo.wait_for_webhook(record.delivery_id, timeout=WAIT_SECONDS)
    assert [attempt.status for attempt in done.attempts] == [200]
    assert done.attempts[0].answer == "<Response></Response>"
    assert [r["text"] for r in replies(plivo)] == ["Got: via GET"]


def test_send_sms_callbacks_run_the_status_workflow_once_per_status(
    daemon, front, plivo, demo_credentials
):
    reports = StandInApp(kind="workflow", answer={})
    daemon.apps["reports"] = reports
    plivo.callbacks = True
    status_url = front.enable(settings(status_app={"app_id": "reports"})) + "/sms/status"
    sent = daemon.invoke_tool(
        "send_sms",
        {"to": "+14155550030", "message": "Reminder", "callback_url": status_url},
        demo_credentials,
    )
    assert sent.ok, sent.error
    [message_uuid] = sent.variables["message_uuids"]
    finished = plivo.wait_for_webhooks(3, timeout=WAIT_SECONDS, kind="delivery_report")
    assert all(record.attempts[-1].status == 200 for record in finished)
    wait_until(lambda: len(daemon.app_calls) == len(finished))
    runs = [call.inputs for call in daemon.app_calls]
    assert {run["message_uuid"] for run in runs} == {message_uuid}
    assert sorted(run["state"] for run in runs) == sorted(r.params["Status"] for r in finished)
    [failed] = [run for run in runs if run["state"] == "undelivered"]  # the sandbox fails
    assert failed["error_code"] == "30"  # ...0030 numbers with error 30
    assert failed["error"]
