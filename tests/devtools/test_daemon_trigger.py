"""Trigger actions through the stand-in daemon, on a throwaway trigger plugin.

The probe trigger (``tests.devtools.probe_plugins``) checks a shared secret from the subscription,
skips messages it has already seen (plugin storage) and answers the webhook with XML; its event
filters on a parameter; its constructor validates an API key and creates, refreshes and deletes
subscriptions.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.daemon import StandInDaemon
from tests.devtools.probe_plugins import (
    TRIGGER_EVENT,
    TRIGGER_GOOD_API_KEY,
    TRIGGER_PROVIDER,
    write_trigger_plugin,
)

pytestmark = pytest.mark.e2e

ENDPOINT = "https://dify.example.com/triggers/plugin/ep-1"
CREDENTIALS = {"api_key": TRIGGER_GOOD_API_KEY}
SHARED_SECRET = "s3cret"
MESSAGE = {"From": "+14155550100", "Text": "hello there", "MessageUUID": "m-1"}


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandInDaemon]:
    root: Path = write_trigger_plugin(tmp_path_factory.mktemp("trigger"))
    with StandInDaemon(root) as running:
        yield running
    assert not running.stdout_noise, running.stdout_noise[:5]


@pytest.fixture(autouse=True)
def _fresh_storage(daemon: StandInDaemon) -> None:
    daemon.storage.clear()


def subscription(secret: str = SHARED_SECRET) -> dict:
    return {
        "expires_at": -1,
        "endpoint": ENDPOINT,
        "parameters": {},
        "properties": {"secret": secret},
    }


def test_credentials_are_validated_by_the_constructor(daemon):
    good = daemon.validate_trigger_credentials(TRIGGER_PROVIDER, CREDENTIALS)
    bad = daemon.validate_trigger_credentials(TRIGGER_PROVIDER, {"api_key": "nope"})
    assert good.result is True
    assert bad.error is not None
    assert bad.error["error_type"] == "TriggerProviderCredentialValidationError"
    assert bad.error["message"] == "the API key was refused"


def test_subscribe_refresh_and_unsubscribe(daemon):
    created = daemon.subscribe_trigger(
        TRIGGER_PROVIDER, endpoint=ENDPOINT, parameters={"number": "+1555"}, credentials=CREDENTIALS
    )
    assert created.ok, created.error
    sub = created.subscription
    assert sub["endpoint"] == ENDPOINT
    assert sub["parameters"] == {"number": "+1555"}
    assert sub["properties"] == {"number": "+1555", "external_id": "ext-1"}
    refreshed = daemon.refresh_trigger(TRIGGER_PROVIDER, subscription=sub, credentials=CREDENTIALS)
    assert refreshed.subscription["expires_at"] == sub["expires_at"] + 3600
    removed = daemon.unsubscribe_trigger(
        TRIGGER_PROVIDER, subscription=sub, credentials=CREDENTIALS
    )
    assert removed.subscription == {"success": True, "message": "removed ext-1"}


def test_dispatch_names_the_events_and_answers_the_webhook(daemon):
    result = daemon.dispatch_trigger_event(
        TRIGGER_PROVIDER,
        subscription=subscription(),
        form=MESSAGE,
        headers={"X-Probe-Secret": SHARED_SECRET},
    )
    assert result.ok, result.error
    assert result.events == [TRIGGER_EVENT]
    assert result.user_id == MESSAGE["From"]
    assert result.payload["path"] == "/triggers/plugin/ep-1"
    assert result.payload["host"] == "dify.example.com"
    assert result.payload["credential_type"] == "unauthorized"
    assert result.response is not None
    assert result.response.status == 200
    assert result.response.header("Content-Type") == "application/xml; charset=utf-8"
    assert result.response.body == b"<Response></Response>"
    assert result.request.startswith(
        b"POST /triggers/plugin/ep-1 HTTP/1.1\r\nHost: dify.example.com"
    )


def test_dispatch_uses_storage_so_a_repeated_message_runs_nothing(daemon):
    first = daemon.dispatch_trigger_event(
        TRIGGER_PROVIDER,
        subscription=subscription(),
        form=MESSAGE,
        headers={"X-Probe-Secret": SHARED_SECRET},
    )
    again = daemon.dispatch_trigger_event(
        TRIGGER_PROVIDER,
        subscription=subscription(),
        form=MESSAGE,
        headers={"X-Probe-Secret": SHARED_SECRET},
    )
    assert (first.events, again.events) == ([TRIGGER_EVENT], [])
    assert daemon.storage.snapshot() == {"seen:m-1": b"1"}
    assert [call.opt for call in daemon.storage.calls] == ["exist", "set", "exist"]


def test_a_refused_signature_is_a_dispatch_error(daemon):
    result = daemon.dispatch_trigger_event(
        TRIGGER_PROVIDER,
        subscription=subscription(),
        form=MESSAGE,
        headers={"X-Probe-Secret": "wrong"},
    )
    assert not result.ok
    assert result.error is not None
    assert result.error["error_type"] == "TriggerValidationError"
    assert result.events == [] and result.response is None


def test_the_event_turns_the_dispatch_into_variables_or_is_cancelled(daemon):
    dispatched = daemon.dispatch_trigger_event(
        TRIGGER_PROVIDER,
        subscription=subscription(),
        form=MESSAGE,
        headers={"X-Probe-Secret": SHARED_SECRET},
    )
    run = daemon.invoke_trigger_event(
        TRIGGER_PROVIDER,
        TRIGGER_EVENT,
        subscription=subscription(),
        request=dispatched.request,
        payload=dispatched.payload,
        parameters={"contains": "hello"},
    )
    skipped = daemon.invoke_trigger_event(
        TRIGGER_PROVIDER,
        TRIGGER_EVENT,
        subscription=subscription(),
        request=dispatched.request,
        payload=dispatched.payload,
        parameters={"contains": "goodbye"},
    )
    assert run.ok, run.error
    assert (run.variables, run.cancelled) == (
        {"text": "hello there", "sender": MESSAGE["From"]},
        False,
    )
    assert (skipped.variables, skipped.cancelled) == ({}, True)


def test_an_unknown_event_is_an_error(daemon):
    result = daemon.invoke_trigger_event(
        TRIGGER_PROVIDER,
        "no_such_event",
        subscription=subscription(),
        request=b"POST / HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    assert not result.ok
    assert result.variables == {}


def test_the_constructor_lists_dynamic_select_options(daemon):
    listed = daemon.fetch_parameter_options(
        TRIGGER_PROVIDER, "provider", "number", credentials=CREDENTIALS
    )
    refused = daemon.fetch_parameter_options(
        TRIGGER_PROVIDER, "provider", "number", credentials={"api_key": "nope"}
    )
    assert [option["value"] for option in listed.payload["options"]] == [
        "+14155550100",
        "+14155550101",
    ]
    assert listed.payload["options"][0]["label"]["en_US"] == "number +14155550100"
    assert refused.error_message == "the API key was refused"
