"""get_account: one read of the account, its balance as a number, and the trial warning."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import AuthenticationError, InputError
from plivo_api.features import Invocation
from plivo_api.features.get_account import run
from tests.conftest import AUTH_ID, AUTH_TOKEN

ACCOUNT_PATH = f"/v1/Account/{AUTH_ID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
ACCOUNT = {
    "api_id": "acc-1",
    "account_type": "standard",
    "auto_recharge": True,
    "billing_mode": "prepaid",
    "cash_credits": "23.45678",
    "name": "Acme Support",
    "timezone": "America/Los_Angeles",
}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_a_paid_account(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ACCOUNT_PATH, method="GET").respond_with_json(ACCOUNT)
    output = run(Invocation({}, CREDENTIALS))
    assert output.json == {
        "name": "Acme Support",
        "account_type": "standard",
        "is_trial": False,
        "balance": 23.45678,
        "currency": "USD",
        "auto_recharge": True,
        "billing_mode": "prepaid",
        "timezone": "America/Los_Angeles",
        "api_id": "acc-1",
    }
    assert output.variables == {"balance": 23.45678, "is_trial": False}
    assert output.text == "Plivo account Acme Support: balance 23.45678 USD, standard account."
    assert len(plivo.log) == 1


def test_a_trial_account_says_who_it_can_reach(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ACCOUNT_PATH, method="GET").respond_with_json(
        {**ACCOUNT, "account_type": "developer", "cash_credits": None, "name": ""}
    )
    output = run(Invocation({}, CREDENTIALS))
    assert output.variables == {"balance": None, "is_trial": True}
    assert output.text == (
        "Plivo account (unnamed): balance unknown USD, trial account. Trial accounts can only "
        "send to numbers verified as sandbox numbers."
    )


def test_wrong_credentials_fail_without_the_token(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ACCOUNT_PATH, method="GET").respond_with_data(
        "Unauthorized", status=401
    )
    with pytest.raises(AuthenticationError) as caught:
        run(Invocation({}, CREDENTIALS))
    assert AUTH_TOKEN not in str(caught.value)


def test_missing_credentials_send_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({}, {"auth_id": "", "auth_token": AUTH_TOKEN}))
    assert plivo.log == []
