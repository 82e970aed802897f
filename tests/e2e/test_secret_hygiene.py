"""Secret hygiene: no Auth Token, no SIP endpoint password and no unmasked Auth ID in anything
the plugin shows or logs.

Every tool that talks to Plivo (and the credential check) runs through every error path of the
fault matrix, plus success, bad input, a wrong token, a read timeout and a refused connection, with
accounts whose credentials are distinctive (``MAHYGIENE00XXXXXXXXX`` / ``hygiene-token-00-do-not-
leak``) and SIP endpoint passwords that are too (``sip-hygiene00-pw-do-not-leak``). The error
bodies echo the credentials (and, to sip_endpoints, the password) back, as a proxy quoting the
request would, so redaction is exercised rather than merely not needed. Then every output message,
error message, traceback, log line and stderr line of the plugin processes is scanned for the
token, the password, the unmasked Auth ID and the credentials in Basic-auth form.

Cases the product gets wrong today are expected to fail (strictly), each naming its defect.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from devtools.daemon import StandInDaemon
from devtools.sandbox import Fault, PlivoSandbox, SandboxAccount
from plivo_api.transport.http_errors import MAX_QUOTED_BODY_CHARS
from tests.lanes import (
    MAX_ATTEMPTS,
    TARGETS,
    TARGETS_BY_NAME,
    Case,
    FaultSpec,
    Lane,
    Observed,
    error_paths,
    find_secrets,
    make_lanes,
    run_cases,
    secret_forms,
    texts_of,
)

pytestmark = pytest.mark.e2e

TAG = "hygiene"
TOKEN_SUFFIX = "-do-not-leak"
WRONG_TOKEN = "hygiene-wrong-token-do-not-leak"
REDACTED_TOKEN = "[auth token]"
MASKED_ID_PREFIX = "MA…"
REDACTED_PASSWORD = "[password]"
MAIN_LANES, SLOW_LANES, REFUSED_LANES = 64, len(TARGETS), 12  # one slow case per lane
READ_TIMEOUT = "1"
SLOW_DELAY = 1.6
CLOSED_PORT_URL = "http://127.0.0.1:9"
BAD_PASSWORD = "hygiene-bad-pw-do-not-leak"  # refused for the line break pasted after it

# Bad input for every tool: fails before any request, with the credentials present.
BAD_INPUT: dict[str, dict[str, Any]] = {
    "send_sms": {"to": "12345", "message": "Hi"},
    "get_message": {"message_uuid": "not-a-uuid"},
    "list_messages": {"since": "yesterday-ish"},
    "lookup_number": {"number": "12"},
    "get_pricing": {"country_iso": "Atlantis"},
    "preview_estimate": {"message": "", "estimate_cost": True},
    "make_call": {"to": "12345", "answer_url": "https://example.com/answer"},
    "get_call": {"call_uuid": "not-a-uuid"},
    "hangup_call": {"call_uuid": "not-a-uuid"},
    "list_numbers": {"number_startswith": "four-one-five"},
    "get_number": {"number": "12"},
    "applications_list": {"operation": "list", "limit": 0},
    "applications_create": {"operation": "create", "allow_changes": True},
    "sip_endpoints_get": {"operation": "get", "endpoint_id": "not-an-id"},
    "sip_endpoints_create": {
        "operation": "create",
        "username": "lanebot",
        "password": BAD_PASSWORD + "\n",
        "alias": "Lane",
        "allow_changes": True,
    },
    "conferences_get": {"operation": "get"},
    "run_phlo": {"phlo_id": "not-a-uuid"},
    "plivo_request_get": {"path": "../Account/"},
    "plivo_request_post": {"method": "POST", "path": "Application/", "body": "{'app_name': 1}"},
}
# Targets whose parameters carry the lane's SIP endpoint password.
PASSWORD_TARGETS = frozenset({"sip_endpoints_create"})


def echo_credentials(lane: Lane) -> str:
    """What a misbehaving server says back: the request path and the credentials in clear."""
    return f" for /v1/Account/{lane.auth_id}/ as {lane.auth_id}:{lane.account.auth_token}"


def echo_credentials_and_password(lane: Lane) -> str:
    return echo_credentials(lane) + f" with password {lane.sip_password}"


def echo_wrong_token(lane: Lane) -> str:
    return f" for /v1/Account/{lane.auth_id}/ as {lane.auth_id}:{WRONG_TOKEN}"


def wrong_token(lane: Lane) -> Mapping[str, Any]:
    return {**lane.credentials, "auth_token": WRONG_TOKEN}


def bad_sender(lane: Lane) -> Mapping[str, Any]:
    return {**lane.credentials, "default_sender": "ACME-SMS-LIMITED"}


def main_cases() -> Iterator[Case]:
    for target in TARGETS:
        yield Case(f"{target.name}-success", target)
        yield Case(f"{target.name}-wrong-token", target, credentials=wrong_token)
        if target.name in BAD_INPUT:
            yield Case(f"{target.name}-bad-input", target, params=BAD_INPUT[target.name])
        elif target.tool is None:
            yield Case(f"{target.name}-bad-input", target, credentials=bad_sender)
        yield Case(
            f"{target.name}-wrong-token-echoed",
            target,
            FaultSpec("401", 401, "plivo"),
            credentials=wrong_token,
            echo=echo_wrong_token,
        )
        echo = (
            echo_credentials_and_password if target.name in PASSWORD_TARGETS else echo_credentials
        )
        for name, fault in error_paths(target):
            cost = 1.5 if fault.times > 1 else 0.05
            yield Case(f"{target.name}-{name}", target, fault, echo=echo, cost=cost)


def slow_cases() -> Iterator[Case]:
    for target in TARGETS:
        times = MAX_ATTEMPTS if target.repeatable else 1
        fault = FaultSpec("slow", delay=SLOW_DELAY, times=times)
        yield Case(f"{target.name}-slow", target, fault, settle=SLOW_DELAY, cost=5.0)


def refused_cases() -> Iterator[Case]:
    for target in TARGETS:
        yield Case(f"{target.name}-refused", target, cost=1.0)


@dataclass
class Group:
    """One plugin process and the cases it ran."""

    daemon: StandInDaemon
    lanes: list[Lane]
    cases: list[Case]
    observed: dict[str, Observed] | None = None

    def run(self, sandbox: PlivoSandbox) -> None:
        self.observed = run_cases(self.daemon, sandbox, self.lanes, self.cases)

    def process_texts(self) -> list[str]:
        daemon = self.daemon
        return [
            *(str(line) for line in daemon.logs),
            *daemon.stderr_lines,
            *daemon.stdout_noise,
            *(str(error) for error in daemon.top_level_errors),
        ]


@dataclass
class Hygiene:
    groups: list[Group]
    secrets: dict[str, str]

    def observed(self) -> Iterator[Observed]:
        for group in self.groups:
            assert group.observed is not None
            yield from group.observed.values()


def secrets_of(lanes: list[Lane]) -> dict[str, str]:
    found = {"wrong token": WRONG_TOKEN, "refused password": BAD_PASSWORD}
    for lane in lanes:
        short = lane.auth_id[:11]
        found[f"SIP password of {short}"] = lane.sip_password
        for form, secret in secret_forms(lane.auth_id, lane.account.auth_token).items():
            found[f"{form} of {short}"] = secret
        basic = secret_forms(lane.auth_id, WRONG_TOKEN)["basic credentials"]
        found[f"basic credentials with the wrong token of {short}"] = basic
    return found


@pytest.fixture(scope="module")
def hygiene(sandbox_server: PlivoSandbox) -> Iterator[Hygiene]:
    """Three plugin processes (normal, 1 s read timeout, Plivo unreachable), all cases at once."""
    sandbox_server.reset()
    lanes = make_lanes(
        sandbox_server,
        TAG,
        MAIN_LANES + SLOW_LANES + REFUSED_LANES,
        first_number=3200,
        token_suffix=TOKEN_SUFFIX,
    )
    sandbox_env = {
        "PLIVO_API_BASE_URL": sandbox_server.url,
        "PLIVO_LOOKUP_BASE_URL": sandbox_server.lookup_url,
        "PLIVO_PHLO_BASE_URL": sandbox_server.phlo_url,
    }
    envs = [
        sandbox_env,
        {**sandbox_env, "PLIVO_READ_TIMEOUT_SECONDS": READ_TIMEOUT},
        dict.fromkeys(sandbox_env, CLOSED_PORT_URL),
    ]
    shares = [
        (lanes[:MAIN_LANES], list(main_cases())),
        (lanes[MAIN_LANES : MAIN_LANES + SLOW_LANES], list(slow_cases())),
        (lanes[MAIN_LANES + SLOW_LANES :], list(refused_cases())),
    ]
    groups = [
        Group(StandInDaemon(env=env).start(), group_lanes, cases)
        for env, (group_lanes, cases) in zip(envs, shares, strict=True)
    ]
    try:
        threads = [threading.Thread(target=group.run, args=(sandbox_server,)) for group in groups]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        yield Hygiene(groups, secrets_of(lanes))
    finally:
        for group in groups:
            group.daemon.stop()
        sandbox_server.reset()


def test_every_case_ran_to_its_end_in_a_live_process(hygiene: Hygiene) -> None:
    observed = list(hygiene.observed())
    assert len(observed) == sum(len(group.cases) for group in hygiene.groups)
    for seen in observed:
        assert seen.failure is None, (seen.case.key, seen.failure)
        assert not seen.fault_left_over, seen.case.key
    for group in hygiene.groups:
        assert group.daemon.alive


@pytest.mark.parametrize("target", list(TARGETS_BY_NAME))
def test_no_output_of_any_path_shows_a_credential(hygiene: Hygiene, target: str) -> None:
    """Messages, error messages and tracebacks of success, every fault, timeout and refusal."""
    hits = []
    scanned = 0
    for seen in hygiene.observed():
        if seen.case.target.name == target and seen.result is not None:
            scanned += 1
            hits += [
                f"{seen.case.key}: {hit}"
                for hit in find_secrets(texts_of(seen.result), hygiene.secrets)
            ]
    assert scanned >= 50
    assert hits == []


def test_no_log_or_stderr_line_shows_a_credential(hygiene: Hygiene) -> None:
    texts = [text for group in hygiene.groups for text in group.process_texts()]
    assert any("Installed tool" in text for text in texts)  # the scan does see the logs
    assert find_secrets(texts, hygiene.secrets) == []


def test_echoed_credentials_reach_the_message_redacted(hygiene: Hygiene) -> None:
    """The control: the echo is quoted in the error, with the token, Auth ID and password masked."""
    checked = passwords = 0
    for seen in hygiene.observed():
        fault = seen.case.fault
        if fault is None or fault.body not in ("plivo", "html", "truncated") or seen.result is None:
            continue
        if seen.case.target.soft and fault.status == 404:
            continue  # an unpriced country is noted without Plivo's text
        result = seen.result
        said = result.error["message"] if result.error else result.json["cost_note"]
        token = WRONG_TOKEN if "wrong-token" in seen.case.key else seen.lane.account.auth_token
        assert token not in said
        assert f"{MASKED_ID_PREFIX}" in said and REDACTED_TOKEN in said, (seen.case.key, said)
        if seen.case.target.name in PASSWORD_TARGETS and "wrong-token" not in seen.case.key:
            assert seen.lane.sip_password not in said
            assert REDACTED_PASSWORD in said, (seen.case.key, said)
            passwords += 1
        checked += 1
    assert checked >= 200
    assert passwords >= 30


# -- echoes that redaction of the plain values does not catch -------------------------------------

HYGIENE_ACCOUNT = SandboxAccount("MAHYGIENEXXXXXXXXXXX", "hygiene-token-do-not-leak")
HYGIENE_CREDENTIALS = {"auth_id": HYGIENE_ACCOUNT.auth_id, "auth_token": HYGIENE_ACCOUNT.auth_token}
SECRETS = secret_forms(HYGIENE_ACCOUNT.auth_id, HYGIENE_ACCOUNT.auth_token)
ACCOUNT_PATH = f"^/v1/Account/{HYGIENE_ACCOUNT.auth_id}/$"
TOKEN_FRAGMENT = 12  # this many characters of the token in a row are a leak


@pytest.fixture
def hygiene_account(sandbox: PlivoSandbox) -> PlivoSandbox:
    sandbox.add_account(HYGIENE_ACCOUNT)
    return sandbox


def get_account_with(plugin: StandInDaemon, sandbox: PlivoSandbox, fault: Fault) -> list[str]:
    sandbox.inject(fault)
    result = plugin.invoke_tool("get_account", {}, HYGIENE_CREDENTIALS)
    assert result.error is not None and result.error["error_type"] == "InvalidRequestError"
    assert len(sandbox.requests) == 1
    return texts_of(result)


def token_fragments(token: str) -> dict[str, str]:
    return {
        f"token fragment {i}": token[i : i + TOKEN_FRAGMENT]
        for i in range(len(token) - TOKEN_FRAGMENT + 1)
    }


def test_plain_echo_is_redacted(plugin: StandInDaemon, hygiene_account: PlivoSandbox) -> None:
    reason = f"bad request from {HYGIENE_ACCOUNT.auth_id}:{HYGIENE_ACCOUNT.auth_token}"
    texts = get_account_with(
        plugin, hygiene_account, Fault(path=ACCOUNT_PATH, status=400, body={"error": reason})
    )
    assert find_secrets(texts, SECRETS | token_fragments(HYGIENE_ACCOUNT.auth_token)) == []
    assert REDACTED_TOKEN in texts[0]


def test_echoed_authorization_header_is_redacted(
    plugin: StandInDaemon, hygiene_account: PlivoSandbox
) -> None:
    reason = f"unauthorised request, Authorization: Basic {SECRETS['basic credentials']}"
    texts = get_account_with(
        plugin, hygiene_account, Fault(path=ACCOUNT_PATH, status=400, body={"error": reason})
    )
    assert find_secrets(texts, SECRETS) == []


def test_token_cut_by_the_quote_limit_is_not_shown_in_part(
    plugin: StandInDaemon, hygiene_account: PlivoSandbox
) -> None:
    token = HYGIENE_ACCOUNT.auth_token
    lead = "x" * (MAX_QUOTED_BODY_CHARS - len(token) + 2)  # the limit falls 3 characters short
    body: dict[str, object] = {"error": f"{lead}{token} and more"}
    texts = get_account_with(
        plugin, hygiene_account, Fault(path=ACCOUNT_PATH, status=400, body=body)
    )
    assert find_secrets(texts, token_fragments(token)) == []


def test_credentials_echoed_as_api_id_are_redacted(
    plugin: StandInDaemon, hygiene_account: PlivoSandbox
) -> None:
    body: dict[str, object] = {
        "error": "bad request",
        "api_id": f"{HYGIENE_ACCOUNT.auth_id}:{HYGIENE_ACCOUNT.auth_token}",
    }
    texts = get_account_with(
        plugin, hygiene_account, Fault(path=ACCOUNT_PATH, status=400, body=body)
    )
    assert find_secrets(texts, SECRETS) == []


# -- the SIP endpoint password, echoed back -------------------------------------------------------

ENDPOINT_PATH = f"^/v1/Account/{HYGIENE_ACCOUNT.auth_id}/Endpoint/"
PASSWORD = "sip-hygiene-password-do-not-leak"
PASSWORD_FRAGMENT = 12  # this many characters of the password in a row are a leak


def create_endpoint_with(
    plugin: StandInDaemon,
    sandbox: PlivoSandbox,
    fault: Fault,
    password: str = PASSWORD,
    operation: str = "create",
) -> tuple[str, list[str]]:
    """A create (or update) of a SIP endpoint that meets ``fault``: (error type, texts shown)."""
    sandbox.inject(fault)
    params: dict[str, Any] = {
        "operation": operation,
        "username": "frontdesk",
        "password": password,
        "alias": "Front desk",
        "allow_changes": True,
    }
    if operation == "update":
        params["endpoint_id"] = "52093718460261"
    result = plugin.invoke_tool("sip_endpoints", params, HYGIENE_CREDENTIALS)
    assert result.error is not None, result.raw
    assert len(sandbox.requests) == 1
    return result.error["error_type"], texts_of(result)


def password_forms(password: str) -> dict[str, str]:
    """The password as it would leak: verbatim, JSON-escaped, HTML-escaped, or 12 in a row."""
    return {
        "password": password,
        "password as JSON": json.dumps(password)[1:-1],
        "password as HTML": html.escape(password, quote=False),
        **{
            f"password fragment {i}": password[i : i + PASSWORD_FRAGMENT]
            for i in range(len(password) - PASSWORD_FRAGMENT + 1)
        },
    }


def refused(status: int, body: dict[str, object]) -> Fault:
    return Fault(path=ENDPOINT_PATH, status=status, body=body)


@pytest.mark.parametrize(
    ("fault", "operation", "error_type"),
    [
        (refused(400, {"error": f"bad password {PASSWORD}"}), "create", "InvalidRequestError"),
        (
            refused(400, {"error": "bad request", "api_id": PASSWORD}),
            "create",
            "InvalidRequestError",
        ),
        (
            refused(400, {"error": {"password": [f"{PASSWORD} is too weak"]}}),
            "create",
            "InvalidRequestError",
        ),
        (
            refused(400, {"error": "x" * (MAX_QUOTED_BODY_CHARS - len(PASSWORD) + 3) + PASSWORD}),
            "create",
            "InvalidRequestError",
        ),
        (
            Fault(path=ENDPOINT_PATH, status=502, action="html", body=f"<h1>502</h1>{PASSWORD}"),
            "create",
            "OutcomeUnknownError",
        ),
        (refused(404, {"error": f"no such endpoint ({PASSWORD})"}), "update", "NotFoundError"),
    ],
    ids=["error-text", "api-id", "error-object", "cut-by-quote-limit", "html-page", "update-404"],
)
def test_password_echoed_anywhere_in_an_error_is_replaced(
    plugin: StandInDaemon,
    hygiene_account: PlivoSandbox,
    fault: Fault,
    operation: str,
    error_type: str,
) -> None:
    kind, texts = create_endpoint_with(plugin, hygiene_account, fault, operation=operation)
    assert kind == error_type
    assert find_secrets(texts, password_forms(PASSWORD) | SECRETS) == []


@pytest.mark.parametrize(
    ("password", "echo"),
    [
        ("sip-plain-password-do-not-leak", "json"),
        ('sip"quoted-password-do-not-leak', "json"),
        ("sip-pässwort-do-not-leak-please", "json"),
        ("sip<&>password-do-not-leak", "html"),
    ],
    ids=["plain-as-json", "quote-as-json", "non-ascii-as-json", "html-escaped"],
)
def test_password_echoed_in_an_encoded_form_is_replaced(
    plugin: StandInDaemon, hygiene_account: PlivoSandbox, password: str, echo: str
) -> None:
    """A server that quotes the request body quotes the JSON the plugin sent (``requests``
    escapes non-ASCII as ``\\uXXXX``); a proxy's HTML page escapes ``<``, ``&`` and ``>``."""
    if echo == "json":
        body = json.dumps({"password": password})
        fault = refused(400, {"error": f"invalid request body {body}"})
    else:
        page = f"<html><body><h1>400 Bad Request</h1>{html.escape(password)}</body></html>"
        fault = Fault(path=ENDPOINT_PATH, status=400, action="html", body=page)
    kind, texts = create_endpoint_with(plugin, hygiene_account, fault, password=password)
    assert kind == "InvalidRequestError"
    assert find_secrets(texts, password_forms(password)) == []
