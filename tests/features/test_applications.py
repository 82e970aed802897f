"""applications: every operation's request, only the fields given on update, the allow_changes
gate, and what is shown."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.applications import fields_from, run
from tests.conftest import AUTH_ID, AUTH_TOKEN

ACCOUNT = f"/v1/Account/{AUTH_ID}/"
APP_ID = "27784745124961230"
APP_PATH = f"{ACCOUNT}Application/{APP_ID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
ALLOW = {"allow_changes": True}
APPLICATION = {
    "app_id": APP_ID,
    "app_name": "Support line",
    "answer_url": "https://example.com/answer",
    "answer_method": "POST",
    "hangup_url": "",
    "message_url": "https://example.com/sms",
    "message_method": "POST",
    "default_app": False,
    "default_endpoint_app": "false",
    "log_incoming_messages": True,
    "public_uri": False,
}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def invoke(**params: Any) -> Any:
    return run(Invocation(params, CREDENTIALS))


def test_form_defaults_as_dify_sends_them_add_no_field() -> None:
    assert (
        fields_from(
            {
                "app_name": "",
                "answer_url": None,
                "answer_method": "",
                "default_number_app": "",
                "public_uri": None,
            }
        )
        == {}
    )


def test_update_sends_only_the_fields_given(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        APP_PATH,
        method="POST",
        json={"answer_url": "https://example.com/ivr", "answer_method": "GET", "public_uri": False},
    ).respond_with_json({"api_id": "u-1", "message": "changed"}, status=202)
    output = invoke(
        operation="update",
        app_id=APP_ID,
        answer_url="HTTPS://example.com/ivr",
        answer_method="get",
        public_uri="false",
        hangup_url="",
        **ALLOW,
    )
    assert output.json == {
        "operation": "update",
        "app_id": APP_ID,
        "updated": True,
        "api_id": "u-1",
    }
    assert output.variables == {"operation": "update", "app_id": APP_ID, "total_count": None}
    assert output.text == f"Updated application {APP_ID}: answer_method, answer_url, public_uri."


def test_an_update_with_nothing_to_change_sends_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError, match="no field to change was given"):
        invoke(operation="update", app_id=APP_ID, **ALLOW)
    assert plivo.log == []


def test_create_needs_a_name_and_returns_the_new_id(plivo: HTTPServer) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation="create", answer_url="https://example.com/a", **ALLOW)
    assert caught.value.parameter == "app_name"
    assert plivo.log == []
    plivo.expect_oneshot_request(
        f"{ACCOUNT}Application/", method="POST", json={"app_name": "Support line"}
    ).respond_with_json({"api_id": "c-1", "app_id": APP_ID, "message": "created"}, status=201)
    output = invoke(operation="create", app_name="Support line", **ALLOW)
    assert output.json == {
        "operation": "create",
        "app_id": APP_ID,
        "created": True,
        "api_id": "c-1",
    }
    assert output.text == f"Created application {APP_ID}."


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_changes_without_allow_changes_send_nothing(plivo: HTTPServer, operation: str) -> None:
    with pytest.raises(InputError) as caught:
        invoke(operation=operation, app_id=APP_ID, app_name="x")
    assert caught.value.parameter == "allow_changes"
    assert str(caught.value).startswith(f"Refused to {operation} an application")
    assert plivo.log == []


def test_list_filters_by_name_and_pages(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        f"{ACCOUNT}Application/",
        method="GET",
        query_string={"app_name": "Support line", "limit": "20", "offset": "0"},
    ).respond_with_json(
        {
            "api_id": "l-1",
            "meta": {"limit": 20, "offset": 0, "total_count": 1, "next": None},
            "objects": [APPLICATION],
        }
    )
    output = invoke(app_name="Support line")
    [app] = output.json["applications"]
    assert (app["app_id"], app["answer_url"], app["hangup_url"]) == (
        APP_ID,
        "https://example.com/answer",
        None,
    )
    assert (app["default_number_app"], app["log_incoming_messages"]) == (False, True)
    assert output.variables == {"operation": "list", "app_id": None, "total_count": 1}
    assert output.text == f"Applications 1-1 of 1: Support line ({APP_ID})."


def test_get_and_delete(plivo: HTTPServer) -> None:
    plivo.expect_ordered_request(APP_PATH, method="GET").respond_with_json(
        {**APPLICATION, "api_id": "g-1"}
    )
    plivo.expect_ordered_request(APP_PATH, method="DELETE").respond_with_data(status=204)
    got = invoke(operation="get", app_id=APP_ID)
    assert got.json["application"]["app_name"] == "Support line"
    assert got.text.startswith(f"Application {APP_ID}: app_name Support line, answer_url ")
    deleted = invoke(operation="delete", app_id=APP_ID, **ALLOW)
    assert deleted.text == f"Deleted application {APP_ID}."
    assert deleted.json["deleted"] is True


def test_an_unknown_application_says_how_to_find_one(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(APP_PATH, method="GET").respond_with_json(
        {"api_id": "g-2", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match=f"No application {APP_ID} on this Plivo account"):
        invoke(operation="get", app_id=APP_ID)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"operation": "get", "app_id": "abc"}, "app_id"),
        ({"operation": "create", "app_name": "x" * 201}, "app_name"),
        ({"operation": "create", "app_name": "x", "answer_url": "example.com"}, "answer_url"),
        ({"operation": "create", "app_name": "x", "message_method": "PUT"}, "message_method"),
        ({"operation": "create", "app_name": "x", "public_uri": "maybe"}, "public_uri"),
        ({"operation": "rename"}, "operation"),
    ],
)
def test_bad_input_names_the_parameter_and_sends_nothing(
    plivo: HTTPServer, params: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        invoke(**params, **ALLOW)
    assert caught.value.parameter == parameter
    assert plivo.log == []
