"""The plugin starts under the stand-in daemon and validates credentials against the sandbox."""

import pytest

from devtools.daemon import StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN, Fault

pytestmark = pytest.mark.e2e


def test_plugin_starts_and_declares_the_plivo_sms_provider(plugin):
    assert plugin.manifest["name"] == "plivo_sms"
    assert plugin.manifest["plugins"]["tools"] == ["provider/plivo_sms.yaml"]
    assert {"level": "INFO", "message": "Installed tool: plivo_sms"}.items() <= plugin.logs[
        0
    ].items()
    assert plugin.time_to_ready is not None
    assert plugin.heartbeats >= 1


def test_good_credentials_make_exactly_one_account_request(plugin, sandbox, demo_credentials):
    result = plugin.validate_credentials(demo_credentials)
    assert result.ok, result.error
    assert result.result is True
    requests = sandbox.requests
    assert [(r.method, r.path) for r in requests] == [("GET", f"/v1/Account/{DEMO_AUTH_ID}/")]
    assert requests[0].account == DEMO_AUTH_ID


def test_trial_account_is_accepted(plugin, sandbox):
    result = plugin.validate_credentials(
        {"auth_id": DEMO_TRIAL_AUTH_ID, "auth_token": DEMO_TRIAL_AUTH_TOKEN}
    )
    assert result.ok, result.error


def test_rejected_token_fails_with_advice_and_no_secret(plugin, sandbox, demo_credentials):
    wrong = {**demo_credentials, "auth_token": "mistyped-token-value"}
    result = plugin.validate_credentials(wrong)
    assert result.error["error_type"] == "ToolProviderCredentialValidationError"
    message = result.error["message"]
    assert "rejected the Auth ID or Auth Token" in message
    assert "console.plivo.com" in message
    everything = str(result.raw)
    assert "mistyped-token-value" not in everything
    assert DEMO_AUTH_ID not in everything
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize(
    "credentials",
    [
        {"auth_id": "", "auth_token": "x-token"},
        {"auth_id": "   ", "auth_token": "x-token"},
        {"auth_id": "MA" + "X" * 18, "auth_token": " \n "},
        {"auth_id": "MA" + "X" * 18},
    ],
)
def test_empty_credentials_fail_without_any_request(plugin, sandbox, credentials):
    result = plugin.validate_credentials(credentials)
    assert result.error["error_type"] == "ToolProviderCredentialValidationError"
    assert "is empty" in result.error["message"]
    assert sandbox.requests == []


def test_invalid_default_sender_is_refused_before_any_request(plugin, sandbox, demo_credentials):
    result = plugin.validate_credentials({**demo_credentials, "default_sender": "ACME-SMS-LIMITED"})
    assert "default_sender" in result.error["message"]
    assert sandbox.requests == []


def test_server_error_is_reported_as_plivo_trouble(plugin, sandbox, demo_credentials):
    sandbox.inject(Fault(path="/Account/", status=500, body={"error": "internal server error"}))
    result = plugin.validate_credentials(demo_credentials)
    assert "server error" in result.error["message"]
    assert "internal server error" in result.error["message"]


def test_unreachable_plivo_says_so(demo_credentials):
    with StandInDaemon(env={"PLIVO_API_BASE_URL": "http://127.0.0.1:9"}) as daemon:
        result = daemon.validate_credentials(demo_credentials)
    assert result.error["error_type"] == "ToolProviderCredentialValidationError"
    assert "could not be reached" in result.error["message"]
    assert "nothing was sent" in result.error["message"]


def test_core_log_records_reach_the_daemon_as_log_events(plugin, sandbox, demo_credentials):
    sandbox.inject(Fault(method="GET", path="/Message/", status=500, body={"error": "x"}, times=20))
    before = len(plugin.logs)
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi", "wait_seconds": 1}, demo_credentials
    )
    assert result.ok, result.error
    new = [entry["message"] for entry in plugin.logs[before:]]
    assert any("polling message" in line and "server error" in line for line in new), new
