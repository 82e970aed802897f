"""Opt-in checks against the real Plivo API. They cost money and never run in CI.

Run with ``PLIVO_LIVE=1 PLIVO_AUTH_ID=... PLIVO_AUTH_TOKEN=... PLIVO_TEST_SRC=+1...
PLIVO_TEST_DST=+1... .venv/bin/python -m pytest -m live`` (on a trial account, PLIVO_TEST_DST must
be a verified sandbox number). Without those variables every test here is skipped.
"""

import os

import pytest

from devtools.daemon import StandInDaemon

pytestmark = pytest.mark.live

REQUIRED = ("PLIVO_LIVE", "PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN")


@pytest.fixture(scope="module")
def live_credentials():
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.skip(f"live tests need {', '.join(missing)}")
    return {
        "auth_id": os.environ["PLIVO_AUTH_ID"],
        "auth_token": os.environ["PLIVO_AUTH_TOKEN"],
        "default_sender": os.environ.get("PLIVO_TEST_SRC", ""),
    }


@pytest.fixture(scope="module")
def live_plugin(live_credentials):
    # No base-URL overrides: the plugin talks to api.plivo.com as in production.
    env = {"PLIVO_API_BASE_URL": "", "PLIVO_LOOKUP_BASE_URL": ""}
    with StandInDaemon(env=env) as daemon:
        yield daemon


def test_live_credentials_validate(live_plugin, live_credentials):
    result = live_plugin.validate_credentials(live_credentials)
    assert result.ok, result.error


def test_live_wrong_token_is_rejected_without_leaking_it(live_plugin, live_credentials):
    result = live_plugin.validate_credentials(
        {**live_credentials, "auth_token": "wrong-live-token"}
    )
    assert "rejected" in result.error["message"]
    assert "wrong-live-token" not in str(result.raw)


def test_live_account_and_pricing(live_plugin, live_credentials):
    account = live_plugin.invoke_tool("get_account", {}, live_credentials)
    assert account.ok, account.error
    assert isinstance(account.json["balance"], float)
    pricing = live_plugin.invoke_tool("get_pricing", {"country_iso": "US"}, live_credentials)
    assert pricing.ok, pricing.error
    assert pricing.json["country_iso"] == "US"


def test_live_send_and_wait(live_plugin, live_credentials):
    destination = os.environ.get("PLIVO_TEST_DST")
    if not destination or not live_credentials["default_sender"]:
        pytest.skip("set PLIVO_TEST_SRC and PLIVO_TEST_DST to send a real (billed) SMS")
    result = live_plugin.invoke_tool(
        "send_sms",
        {"to": destination, "message": "Plivo SMS for Dify: live test", "wait_seconds": 30},
        live_credentials,
    )
    assert result.ok, result.error
    assert len(result.json["message_uuids"]) == 1
    assert result.json["delivery"][0]["state"] in {"queued", "sent", "delivered"}
