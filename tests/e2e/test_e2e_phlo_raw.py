"""run_phlo and plivo_request through the stand-in daemon against the sandbox.

run_phlo talks to the PHLO runner's own base URL (``PLIVO_PHLO_BASE_URL``), so this module runs
its own plugin process with all three base URLs pointing at the session's sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, PlivoSandbox
from devtools.sandbox.directory import DEMO_ENDPOINT_ID, DEMO_NUMBER, DEMO_PHLO_ID
from plivo_api.transport.redact import mask_auth_id

pytestmark = pytest.mark.e2e

CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
PHLO_PATH = f"/v1/account/{DEMO_AUTH_ID}/phlo/{DEMO_PHLO_ID}"
UNKNOWN_PHLO = "5f0e4a8c-0000-4000-8000-00000000dead"


@pytest.fixture(scope="module")
def daemon(sandbox_server: PlivoSandbox) -> Iterator[StandInDaemon]:
    env = {
        "PLIVO_API_BASE_URL": sandbox_server.url,
        "PLIVO_LOOKUP_BASE_URL": sandbox_server.lookup_url,
        "PLIVO_PHLO_BASE_URL": sandbox_server.phlo_url,
    }
    with StandInDaemon(env=env) as started:
        yield started
    assert not started.stdout_noise


def invoke(daemon: StandInDaemon, tool: str, **params: Any) -> SessionResult:
    return daemon.invoke_tool(tool, params, CREDENTIALS)


def ok(result: SessionResult) -> SessionResult:
    assert result.error is None, result.error
    assert_clean(result)
    return result


def assert_clean(result: SessionResult) -> None:
    text = str(result.raw)
    assert DEMO_AUTH_TOKEN not in text
    assert DEMO_AUTH_ID not in text


# -- run_phlo ---------------------------------------------------------------------------------


def test_a_phlo_run_is_one_post_with_the_payload(daemon, sandbox) -> None:
    result = ok(
        invoke(
            daemon,
            "run_phlo",
            phlo_id=DEMO_PHLO_ID.upper(),
            payload='{"from": "+14155550100", "to": "+14155552671", "n": 2}',
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path) == ("POST", PHLO_PATH)
    assert request.json == {"from": "+14155550100", "to": "+14155552671", "n": 2}
    assert request.headers["Authorization"].startswith("Basic ")
    [run] = sandbox.phlo_runs
    assert result.json == {
        "phlo_id": DEMO_PHLO_ID,
        "phlo_run_id": run.run_id,
        "message": result.json["message"],
        "api_id": run.run_id,
    }
    assert "executed with payload keys: from, n, to" in result.json["message"]
    assert result.variables == {"phlo_run_id": run.run_id, "message": result.json["message"]}
    assert result.texts[0].startswith(f"Started PHLO {DEMO_PHLO_ID}, run {run.run_id}.")


def test_a_phlo_without_payload_sends_no_body(daemon, sandbox) -> None:
    ok(invoke(daemon, "run_phlo", phlo_id=DEMO_PHLO_ID, payload=""))
    [request] = sandbox.requests
    assert request.body == b""
    assert sandbox.phlo_runs[0].payload == {}


@pytest.mark.parametrize(
    ("payload", "phrase"),
    [
        ("to=+14155552671", "payload: 'to=+14155552671' is not valid JSON"),
        ('["+14155552671"]', "expected a JSON object ({...}), got a JSON array"),
        ("{'to': '+1415'}", "write a JSON object with double quotes"),
    ],
)
def test_a_payload_that_is_not_a_json_object_sends_nothing(daemon, sandbox, payload, phrase):
    result = invoke(daemon, "run_phlo", phlo_id=DEMO_PHLO_ID, payload=payload)
    assert result.error is not None
    assert result.error["error_type"] == "InputError"
    assert phrase in result.error["message"]
    assert sandbox.requests == []
    assert sandbox.phlo_runs == []


def test_an_unknown_phlo_tells_whom_to_ask(daemon, sandbox) -> None:
    result = invoke(daemon, "run_phlo", phlo_id=UNKNOWN_PHLO)
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert f"No PHLO {UNKNOWN_PHLO} on this Plivo account" in result.error["message"]
    assert "tell the user" in result.error["message"]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(method="POST", path="/phlo/", action="drop_after_body"),
        Fault.plivo_error(503, method="POST", path="/phlo/", times=3),
    ],
    ids=["connection reset", "503"],
)
def test_a_phlo_run_is_never_repeated(daemon, sandbox, fault) -> None:
    sandbox.inject(fault)
    result = invoke(daemon, "run_phlo", phlo_id=DEMO_PHLO_ID)
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert "check its runs in the Plivo console" in result.error["message"]
    assert len(sandbox.requests) == 1


# -- plivo_request ----------------------------------------------------------------------------


def test_a_get_returns_status_and_plivos_body_with_the_auth_id_masked(daemon, sandbox) -> None:
    result = ok(invoke(daemon, "plivo_request", path=f"Number/{DEMO_NUMBER}", query='{"x": true}'))
    [request] = sandbox.requests
    assert (request.method, request.path, request.query) == (
        "GET",
        f"{ACCOUNT}Number/{DEMO_NUMBER}/",
        {"x": "true"},
    )
    body = result.json["body"]
    assert result.json["status"] == 200
    assert result.json["api_id"] == body["api_id"]
    assert body["number"] == DEMO_NUMBER
    masked = mask_auth_id(DEMO_AUTH_ID)
    assert body["resource_uri"] == f"/v1/Account/{masked}/Number/{DEMO_NUMBER}/"
    assert result.variables == {"status": 200, "body": body}
    assert result.texts[0].startswith(f"GET Number/{DEMO_NUMBER}/ answered HTTP 200")


def test_a_write_with_allow_writes_goes_through(daemon, sandbox) -> None:
    result = ok(
        invoke(
            daemon,
            "plivo_request",
            method="POST",
            path=f"Number/{DEMO_NUMBER}/",
            body='{"alias": "Sales"}',
            allow_writes=True,
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path, request.json) == (
        "POST",
        f"{ACCOUNT}Number/{DEMO_NUMBER}/",
        {"alias": "Sales"},
    )
    assert result.json["status"] == 202
    assert sandbox.numbers[DEMO_NUMBER].alias == "Sales"
    deleted = ok(
        invoke(
            daemon,
            "plivo_request",
            method="DELETE",
            path=f"Endpoint/{DEMO_ENDPOINT_ID}/",
            allow_writes=True,
        )
    )
    assert deleted.json == {"status": 204, "body": None, "api_id": None}
    assert deleted.variables == {"status": 204, "body": None}


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_writes_without_allow_writes_send_nothing(daemon, sandbox, method) -> None:
    result = invoke(daemon, "plivo_request", method=method, path="Call/")
    assert result.error is not None
    assert "'Allow writes' setting (allow_writes) is off" in result.error["message"]
    assert sandbox.requests == []


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/v1/Account/",
        "//evil.example/",
        "../../v1/Account/MAZZZZZZZZZZZZZZZZZZ/Call/",
        "Call/%2e%2e/%2e%2e/",
        "Call/%252e%252e/",
        "Call\\..\\..\\",
        "Call/?status=live",
        "Call/#frag",
        "Call/\r\nX-Injected: 1",
        "MAZZZZZZZZZZZZZZZZZZ/Call/",
    ],
)
def test_path_escapes_send_nothing(daemon, sandbox, path) -> None:
    result = invoke(daemon, "plivo_request", method="DELETE", path=path, allow_writes=True)
    assert result.error is not None
    assert result.error["error_type"] == "InputError"
    assert result.error["message"].startswith("path: ")
    assert "Nothing was sent" in result.error["message"]
    assert sandbox.requests == []


def test_plivo_errors_fail_the_node_with_plivos_text(daemon, sandbox) -> None:
    result = invoke(daemon, "plivo_request", path="Call/", query='{"call_direction": "sideways"}')
    assert result.error is not None
    assert result.error["error_type"] == "InvalidRequestError"
    assert "call_direction must be inbound or outbound" in result.error["message"]
    missing = invoke(daemon, "plivo_request", path="Nothing/")
    assert missing.error is not None
    assert missing.error["error_type"] == "NotFoundError"
    assert "HTTP 404" in missing.error["message"]


def test_a_raw_post_is_never_repeated(daemon, sandbox) -> None:
    sandbox.inject(Fault.plivo_error(502, method="POST", path="/Number/", times=3))
    result = invoke(
        daemon,
        "plivo_request",
        method="POST",
        path=f"Number/{DEMO_NUMBER}/",
        body="{}",
        allow_writes=True,
    )
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert "check with a GET before repeating it" in result.error["message"]
    assert len(sandbox.requests) == 1
