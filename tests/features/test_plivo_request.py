"""plivo_request's path guard and parameters: nothing can leave /v1/Account/{auth_id}/."""

from __future__ import annotations

from typing import Any

import pytest

from plivo_api.errors import InputError
from plivo_api.features.plivo_request import account_path, request_from

OTHER_ACCOUNT = "MAZZZZZZZZZZZZZZZZZZ"
SUBACCOUNT = "SAABCDEFGHIJKLMNOPQR"


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("Call/", "Call/"),
        ("Call", "Call/"),
        ("/Number/14155550100/", "Number/14155550100/"),
        ("Conference/My Room/", "Conference/My%20Room/"),
        ("Conference/My%20Room/", "Conference/My%20Room/"),
        ("Number/+14155550100/", "Number/%2B14155550100/"),
        (f"Subaccount/{SUBACCOUNT}/", f"Subaccount/{SUBACCOUNT}/"),
    ],
)
def test_paths_below_the_account_root(path: str, sent: str) -> None:
    assert account_path(path) == sent


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("https://evil.example/v1/", "names a scheme"),
        ("http:Call/", "names a scheme"),
        ("//evil.example/x", "names a host"),
        ("../Account/", "'..' segment"),
        ("Call/../../", "'..' segment"),
        ("Call/./", "'..' segment"),
        ("%2e%2e/x", "'..' segment"),
        ("%2E%2E%2Fx", "'..' segment"),
        ("Call/%252e%252e/", "'..' segment"),
        ("Call/%2541/", "percent-encoded more than once"),
        ("Call\\..\\", "backslash"),
        ("Call%5C", "backslash"),
        ("Call/?status=live", "'?' or '#'"),
        ("Call/%3Fstatus=live", "'?' or '#'"),
        ("Call/#x", "'?' or '#'"),
        ("Call/\r\nHost: x", "control character U+000D"),
        ("Call/%0a", "control character U+000A"),
        ("Call/\u200b/", "control character U+200B"),
        (f"{OTHER_ACCOUNT}/Call/", "names an account ID"),
        (f"Subaccount/{OTHER_ACCOUNT}/", "names an account ID"),
        (f"Call/{SUBACCOUNT}/", "names an account ID"),
        ("v1/Account/Call/", "starts at the API root"),
        ("Account/Call/", "starts at the API root"),
        ("Call//x", "empty segment"),
        ("/", "is empty"),
    ],
)
def test_escapes_are_refused_naming_path(path: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        account_path(path)
    assert caught.value.parameter == "path"
    assert problem in str(caught.value)
    assert "Nothing was sent" in str(caught.value)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_writes_need_allow_writes_before_anything_else(method: str) -> None:
    with pytest.raises(InputError) as caught:
        request_from({"method": method, "path": "../../x", "allow_writes": False})
    assert caught.value.parameter == "allow_writes"
    assert "'Allow writes'" in str(caught.value)
    assert "nothing was sent to Plivo" in str(caught.value)


def test_query_values_become_text() -> None:
    request = request_from(
        {"path": "Call/", "query": '{"limit": 5, "status": "live", "x": true, "r": 1.5}'}
    )
    assert request.query == {"limit": "5", "status": "live", "x": "true", "r": "1.5"}
    assert (request.method, request.path, request.body) == ("GET", "Call/", None)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"path": "Call/", "query": '{"a": {"b": 1}}'}, "query"),
        ({"path": "Call/", "query": "limit=5"}, "query"),
        ({"path": "Call/", "body": '{"a": 1}'}, "body"),
        ({"path": "Call/", "method": "PUT"}, "method"),
        ({"path": ""}, "path"),
        ({"method": "POST", "allow_writes": True, "path": "Number/1/", "body": "[1]"}, "body"),
    ],
)
def test_bad_parameters_are_refused(params: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        request_from(params)
    assert caught.value.parameter == parameter


def test_a_write_with_a_body() -> None:
    request = request_from(
        {"method": "POST", "allow_writes": "true", "path": "Number/1/", "body": '{"alias": "x"}'}
    )
    assert (request.method, request.path, request.body) == ("POST", "Number/1/", {"alias": "x"})
