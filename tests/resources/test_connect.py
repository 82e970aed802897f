"""Where credentials become a client: the environment overrides, and the credential check."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import AuthenticationError, InputError
from plivo_api.resources.connect import client_for, verify
from plivo_api.transport.client import (
    DEFAULT_API_BASE_URL,
    DEFAULT_LOOKUP_BASE_URL,
    DEFAULT_PHLO_BASE_URL,
    Timeouts,
)
from plivo_api.transport.credentials import Credentials
from tests.conftest import AUTH_ID, AUTH_TOKEN

CREDENTIALS = Credentials(AUTH_ID, AUTH_TOKEN)
ACCOUNT_PATH = f"/v1/Account/{AUTH_ID}/"


def test_the_environment_points_every_host_at_a_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLIVO_API_BASE_URL", "http://127.0.0.1:8001/")
    monkeypatch.setenv("PLIVO_LOOKUP_BASE_URL", "http://127.0.0.1:8002")
    monkeypatch.setenv("PLIVO_PHLO_BASE_URL", "http://127.0.0.1:8003")
    client = client_for(CREDENTIALS)
    assert (client.base_url, client.lookup_base_url, client.phlo_base_url) == (
        "http://127.0.0.1:8001",
        "http://127.0.0.1:8002",
        "http://127.0.0.1:8003",
    )


def test_without_overrides_the_client_calls_plivo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLIVO_API_BASE_URL", "PLIVO_LOOKUP_BASE_URL", "PLIVO_PHLO_BASE_URL"):
        monkeypatch.setenv(name, "")
    client = client_for(CREDENTIALS)
    assert (client.base_url, client.lookup_base_url, client.phlo_base_url) == (
        DEFAULT_API_BASE_URL,
        DEFAULT_LOOKUP_BASE_URL,
        DEFAULT_PHLO_BASE_URL,
    )


@pytest.mark.parametrize(
    ("value", "read"), [("1.5", 1.5), ("nonsense", None), ("0", None), ("-3", None), ("", None)]
)
def test_the_read_timeout_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, read: float | None
) -> None:
    monkeypatch.setenv("PLIVO_READ_TIMEOUT_SECONDS", value)
    expected = Timeouts(read=read) if read is not None else Timeouts()
    assert client_for(CREDENTIALS).timeout == expected


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_verify_reads_the_account_once(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ACCOUNT_PATH, method="GET").respond_with_json(
        {"name": "Example Co", "account_type": "standard", "cash_credits": "1.0"}
    )
    account = verify({"auth_id": f" {AUTH_ID} ", "auth_token": AUTH_TOKEN, "default_sender": ""})
    assert account.name == "Example Co"


def test_verify_reports_rejected_credentials_without_the_token(plivo: HTTPServer) -> None:
    plivo.expect_request(ACCOUNT_PATH).respond_with_json({"error": "unauthorized"}, status=401)
    with pytest.raises(AuthenticationError) as caught:
        verify({"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN})
    assert AUTH_TOKEN not in str(caught.value)
    assert AUTH_ID not in str(caught.value)
    assert len(plivo.log) == 1  # a 401 is not retried


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"auth_id": "", "auth_token": AUTH_TOKEN}, "auth_id"),
        ({"auth_id": AUTH_ID, "auth_token": "tok en"}, "auth_token"),
        (
            {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN, "default_sender": "ACME-SMS-LTD-2024"},
            "default_sender",
        ),
    ],
)
def test_verify_checks_locally_before_any_request(
    plivo: HTTPServer, raw: dict[str, str], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        verify(raw)
    assert caught.value.parameter == parameter
    assert plivo.log == []
