"""PlivoClient's resource URLs, empty DELETE answers and the raw exchange, on a local server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from plivo_api import errors
from plivo_api.transport.client import PlivoClient
from plivo_api.transport.redact import mask_auth_id
from tests.conftest import AUTH_ID, AUTH_TOKEN

MakeClient = Callable[..., PlivoClient]
ACCOUNT = f"/v1/Account/{AUTH_ID}/"


def test_resource_url_encodes_each_segment_whole(make_client: MakeClient) -> None:
    client = make_client()
    url = client.resource_url("Conference", "Room 1/../x?y#z")
    assert url.endswith(f"{ACCOUNT}Conference/Room%201%2F..%2Fx%3Fy%23z/")
    assert client.resource_url("Call").endswith(f"{ACCOUNT}Call/")


def test_phlo_run_url_uses_the_phlo_host_and_lower_case_path(make_client: MakeClient) -> None:
    client = make_client(phlo_base_url="https://phlo.example/")
    assert client.phlo_run_url("ab/c") == f"https://phlo.example/v1/account/{AUTH_ID}/phlo/ab%2Fc"


def test_a_204_delete_is_an_empty_object(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(f"{ACCOUNT}Call/u-1/", method="DELETE").respond_with_response(
        Response(b"", status=204)
    )
    assert make_client().request("DELETE", make_client().resource_url("Call", "u-1")) == {}


def test_an_empty_200_on_a_read_is_still_malformed(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(f"{ACCOUNT}Call/", method="GET").respond_with_data("", status=200)
    client = make_client()
    with pytest.raises(errors.MalformedResponseError):
        client.request("GET", client.resource_url("Call"))


def test_exchange_returns_status_and_json_with_credentials_redacted(
    server: HTTPServer, make_client: MakeClient
) -> None:
    body = {
        "api_id": "a-1",
        "resource_uri": f"{ACCOUNT}Number/1/",
        f"key-{AUTH_ID}": [AUTH_TOKEN, 1, None],
    }
    server.expect_request(f"{ACCOUNT}Number/", method="GET").respond_with_json(body, status=202)
    client = make_client()
    answer = client.exchange("GET", client.resource_url("Number"))
    masked = mask_auth_id(AUTH_ID)
    assert answer.status == 202
    assert answer.body == {
        "api_id": "a-1",
        "resource_uri": f"/v1/Account/{masked}/Number/1/",
        f"key-{masked}": ["[auth token]", 1, None],
    }


@pytest.mark.parametrize(("content", "status"), [(b"", 204), (b"<html>ok</html>", 200)])
def test_exchange_without_json_gives_a_null_body(
    server: HTTPServer, make_client: MakeClient, content: bytes, status: int
) -> None:
    server.expect_request(f"{ACCOUNT}Endpoint/1/", method="DELETE").respond_with_response(
        Response(content, status=status)
    )
    client = make_client()
    answer = client.exchange("DELETE", client.resource_url("Endpoint", "1"))
    assert (answer.status, answer.body) == (status, None)


def test_exchange_errors_fail_with_plivos_text(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(f"{ACCOUNT}Recording/", method="GET").respond_with_json(
        {"api_id": "a-2", "error": "unknown filter foo"}, status=400
    )
    client = make_client()
    with pytest.raises(errors.InvalidRequestError, match="unknown filter foo"):
        client.exchange("GET", client.resource_url("Recording"))


def test_a_creating_exchange_is_not_repeated_after_a_gateway_error(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_oneshot_request(f"{ACCOUNT}Call/", method="POST").respond_with_json(
        {"error": "bad gateway"}, status=502
    )
    client = make_client()
    with pytest.raises(errors.OutcomeUnknownError, match="check before"):
        client.exchange(
            "POST", client.resource_url("Call"), json_body={}, creates="check before repeating."
        )
    assert len(server.log) == 1


def test_exchange_never_shows_a_subaccounts_auth_token_or_a_password(
    server: HTTPServer, make_client: MakeClient
) -> None:
    body = {
        "objects": [
            {"auth_id": "SAXXXXXXXXXXXXXXXXXX", "auth_token": "SubAccountTokenZZZ123456789"},
            {"username": "alice", "password": "sip-secret-123", "Auth_Token": ""},
        ]
    }
    server.expect_request(f"{ACCOUNT}Subaccount/", method="GET").respond_with_json(body)
    client = make_client()
    answer = client.exchange("GET", client.resource_url("Subaccount"))
    assert answer.body == {
        "objects": [
            {"auth_id": "SAXXXXXXXXXXXXXXXXXX", "auth_token": "[redacted]"},
            {"username": "alice", "password": "[redacted]", "Auth_Token": ""},
        ]
    }
