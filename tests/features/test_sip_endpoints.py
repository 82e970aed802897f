"""sip_endpoints: every operation's request, the allow_changes gate, the password sent only when
meant (on create, or on update with change_password) and never shown."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, InvalidRequestError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.sip_endpoints import run
from tests.conftest import AUTH_ID, AUTH_TOKEN

ACCOUNT = f"/v1/Account/{AUTH_ID}/"
ENDPOINT_ID = "52093718460261"
APP_ID = "27784745124961230"
ENDPOINT_PATH = f"{ACCOUNT}Endpoint/{ENDPOINT_ID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
PASSWORD = "Zq7-secret-Pw"  # a test value that must never come back
ALLOW = {"allow_changes": True}
ENDPOINT = {
    "endpoint_id": ENDPOINT_ID,
    "username": "agent260106101010",
    "alias": "Agent",
    "application": f"{ACCOUNT}Application/{APP_ID}/",
    "sip_uri": "sip:agent260106101010@phone.plivo.com",
    "sip_registered": "false",
}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def invoke(**params: Any) -> Any:
    return run(Invocation(params, CREDENTIALS))


def assert_no_password(output: Any) -> None:
    assert PASSWORD not in f"{output.text}{output.json}{output.variables}"


# -- update: only the fields given, the password only when meant ------------------------------


def test_renaming_an_endpoint_leaves_its_password_alone(plivo: HTTPServer) -> None:
    """The password setting is filled in on every call of the tool node: a rename must not send
    it, or the endpoint's password becomes the setting's."""
    plivo.expect_oneshot_request(
        ENDPOINT_PATH, method="POST", json={"alias": "Front desk"}
    ).respond_with_json({"api_id": "u-1", "message": "changed"}, status=202)
    output = invoke(
        operation="update",
        endpoint_id=ENDPOINT_ID,
        alias="Front desk",
        password=PASSWORD,
        username="ignored",
        app_id="",
        change_password=False,
        **ALLOW,
    )
    assert output.json == {
        "operation": "update",
        "endpoint_id": ENDPOINT_ID,
        "updated": True,
        "api_id": "u-1",
    }
    assert output.variables == {
        "operation": "update",
        "endpoint_id": ENDPOINT_ID,
        "total_count": None,
    }
    assert output.text == f"Updated endpoint {ENDPOINT_ID}: alias."
    assert len(plivo.log) == 1


def test_with_change_password_on_the_update_sets_it(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        ENDPOINT_PATH, method="POST", json={"password": PASSWORD, "app_id": APP_ID}
    ).respond_with_json({"api_id": "u-2"}, status=202)
    output = invoke(
        operation="update",
        endpoint_id=ENDPOINT_ID,
        app_id=APP_ID,
        password=PASSWORD,
        change_password="true",
        **ALLOW,
    )
    assert output.text == f"Updated endpoint {ENDPOINT_ID}: app_id, password."
    assert_no_password(output)


def test_an_update_with_only_the_password_setting_sends_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation="update", endpoint_id=ENDPOINT_ID, password=PASSWORD, **ALLOW)
    assert caught.value.parameter == "operation"
    assert "'Change password on update'" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert plivo.log == []


def test_change_password_without_a_password_sends_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError) as caught:
        invoke(
            operation="update",
            endpoint_id=ENDPOINT_ID,
            alias="Desk",
            password="",
            change_password=True,
            **ALLOW,
        )
    assert caught.value.parameter == "password"
    assert "no password is set" in str(caught.value)
    assert plivo.log == []


def test_a_plivo_error_echoing_the_password_never_shows_it(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ENDPOINT_PATH, method="POST").respond_with_json(
        {"api_id": "u-3", "error": f"password {PASSWORD} is too weak"}, status=400
    )
    with pytest.raises(InvalidRequestError) as caught:
        invoke(
            operation="update",
            endpoint_id=ENDPOINT_ID,
            password=PASSWORD,
            change_password=True,
            **ALLOW,
        )
    assert "password [password] is too weak" in str(caught.value)
    assert PASSWORD not in str(caught.value)


# -- create, list, get, delete ------------------------------------------------------------------


def test_create_sends_the_password_and_returns_the_full_username(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        f"{ACCOUNT}Endpoint/",
        method="POST",
        json={"username": "frontdesk", "password": PASSWORD, "alias": "Front desk"},
    ).respond_with_json(
        {
            "api_id": "c-1",
            "endpoint_id": ENDPOINT_ID,
            "username": "frontdesk260106101010",
            "message": "created",
        },
        status=201,
    )
    output = invoke(
        operation="create", username="frontdesk", password=PASSWORD, alias="Front desk", **ALLOW
    )
    assert output.json == {
        "operation": "create",
        "endpoint_id": ENDPOINT_ID,
        "created": True,
        "api_id": "c-1",
        "username": "frontdesk260106101010",
    }
    assert output.variables["endpoint_id"] == ENDPOINT_ID
    assert "with username frontdesk260106101010" in output.text
    assert_no_password(output)


@pytest.mark.parametrize(
    ("params", "parameter", "phrase"),
    [
        ({"username": "desk", "alias": "Desk"}, "password", "missing: password (a setting"),
        ({"username": "front desk", "alias": "D", "password": PASSWORD}, "username", "letters"),
        ({"username": "desk", "alias": "D", "password": "abc"}, "password", "at least 5"),
        ({"username": "desk", "alias": "D", "password": "pass\nword"}, "password", "control"),
    ],
)
def test_create_refuses_what_plivo_would_refuse_before_any_request(
    plivo: HTTPServer, params: dict[str, Any], parameter: str, phrase: str
) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation="create", **params, **ALLOW)
    assert caught.value.parameter == parameter
    assert phrase in str(caught.value)
    assert plivo.log == []


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_changes_without_allow_changes_send_nothing(plivo: HTTPServer, operation: str) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation=operation, endpoint_id=ENDPOINT_ID, alias="x", password=PASSWORD)
    assert caught.value.parameter == "allow_changes"
    assert str(caught.value).startswith(f"Refused to {operation} a SIP endpoint")
    assert plivo.log == []


def test_list_reads_one_page(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        f"{ACCOUNT}Endpoint/", method="GET", query_string="limit=1&offset=0"
    ).respond_with_json(
        {
            "api_id": "l-1",
            "meta": {"limit": 1, "offset": 0, "total_count": 2, "next": "/next"},
            "objects": [ENDPOINT],
        }
    )
    output = invoke(limit=1)
    [endpoint] = output.json["endpoints"]
    assert endpoint["endpoint_id"] == ENDPOINT_ID
    assert endpoint["application"] == APP_ID
    assert endpoint["sip_registered"] is False
    assert (output.json["total_count"], output.json["next_offset"]) == (2, 1)
    assert output.variables == {"operation": "list", "endpoint_id": None, "total_count": 2}
    assert output.text == (
        f"Endpoints 1-1 of 2: agent260106101010 ({ENDPOINT_ID}); more with offset=1."
    )


def test_get_reads_one_endpoint(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ENDPOINT_PATH, method="GET").respond_with_json(
        {**ENDPOINT, "api_id": "g-1"}
    )
    output = invoke(operation="GET", endpoint_id=f" {ENDPOINT_ID} ")
    assert output.json["endpoint"]["alias"] == "Agent"
    assert output.json["api_id"] == "g-1"
    assert output.variables["endpoint_id"] == ENDPOINT_ID
    assert output.text.startswith(f"Endpoint {ENDPOINT_ID}: username agent260106101010")


def test_get_of_an_unknown_endpoint_says_how_to_find_one(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ENDPOINT_PATH, method="GET").respond_with_json(
        {"api_id": "g-2", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match=f"No endpoint {ENDPOINT_ID} on this Plivo account"):
        invoke(operation="get", endpoint_id=ENDPOINT_ID)


def test_delete(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(ENDPOINT_PATH, method="DELETE").respond_with_data(status=204)
    output = invoke(operation="delete", endpoint_id=ENDPOINT_ID, **ALLOW)
    assert output.json == {
        "operation": "delete",
        "endpoint_id": ENDPOINT_ID,
        "deleted": True,
        "api_id": None,
    }
    assert output.text == f"Deleted endpoint {ENDPOINT_ID}."


@pytest.mark.parametrize("endpoint_id", [None, "", "abc", "12-34"])
def test_an_endpoint_id_is_checked_before_any_request(
    plivo: HTTPServer, endpoint_id: str | None
) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation="get", endpoint_id=endpoint_id)
    assert caught.value.parameter == "endpoint_id"
    assert plivo.log == []


def test_the_password_setting_is_kept_out_of_errors_even_when_not_sent(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        ENDPOINT_PATH, method="POST", json={"alias": "Desk"}
    ).respond_with_json({"api_id": "u-4", "error": f"alias clashes with {PASSWORD}"}, status=400)
    with pytest.raises(InvalidRequestError) as caught:
        invoke(
            operation="update", endpoint_id=ENDPOINT_ID, alias="Desk", password=PASSWORD, **ALLOW
        )
    assert "alias clashes with [password]" in str(caught.value)
