"""Lanes: run many tool calls through the plugin process at once, each with exact request counts.

Used by the fault matrix, secret hygiene, hostile input and concurrency suites.

The suites drive ``python -m main`` through the stand-in daemon against the sandbox. To keep a
matrix of hundreds of cases fast while every case still gets its own exact request count, cases run
in *lanes*: each lane is a sandbox account of its own, works through its cases one after another,
and scopes every fault to its own request paths. Lanes run concurrently, so slow cases (real retry
backoff, read timeouts) overlap instead of adding up, and a request is attributed to its case by
the lane that made it.
"""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any

import requests

import plivo_api
from devtools.daemon import DaemonError, SessionResult, StandInDaemon
from devtools.sandbox import Fault, PlivoSandbox, RecordedRequest, SandboxAccount
from devtools.sandbox.faults import FaultAction
from plivo_api import errors as plivo_errors

SENDER = "+14155550199"
WHATSAPP_TEMPLATE = "lane_template"
CASE_TIMEOUT_SECONDS = 60.0
ANSWER_WAIT_SECONDS = 5.0
VALIDATION_ERROR = "ToolProviderCredentialValidationError"


def _subclass_names(root: type) -> frozenset[str]:
    """``root`` and its subclasses in every ``plivo_api`` module, at any depth (e.g.
    ``InvalidNumberError`` in ``plivo_api.messaging.numbers``)."""
    for module in pkgutil.walk_packages(plivo_api.__path__, prefix="plivo_api."):
        importlib.import_module(module.name)
    names, pending = set(), [root]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return frozenset(names)


# Every error a tool or the provider may fail with: our classes, never KeyError, TypeError & co.
READABLE_ERROR_TYPES = _subclass_names(plivo_errors.PlivoError) | {VALIDATION_ERROR}
# Bad input, refused before any request.
INPUT_ERROR_TYPES = _subclass_names(plivo_errors.InputError)


# -- lanes ------------------------------------------------------------------------------------

CALLER = "+14155550123"  # who calls the lanes' accounts
ANSWER_URL = "https://example.com/answer"
CALL_TO = "+14155552671"  # sandbox: answered, then the callee hangs up
LIVE_CALL_TO = "+14155550000"  # sandbox: answered, in progress until hung up through the API
ENDED_CALL_TO = "+14155552000"  # sandbox: never answered, over 0.3 s after it starts ringing
CONFERENCE = "lane-room"
SIP_USERNAME = "lanebot"
CALL_END_TIMEOUT_SECONDS = 5.0
SEED_TIMEOUT_SECONDS = 5.0
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Lane:
    """One sandbox account and what its cases read: a message, an ended call, an application, a
    SIP endpoint, a PHLO, a live conference and a rented number (also the number to look up)."""

    account: SandboxAccount
    lookup_number: str
    message_uuid: str = ""
    call_uuid: str = ""
    app_id: str = ""
    endpoint_id: str = ""
    phlo_id: str = ""

    @property
    def auth_id(self) -> str:
        return self.account.auth_id

    @property
    def number_digits(self) -> str:
        """The rented number as Plivo's paths carry it: digits with the country code."""
        return self.lookup_number.lstrip("+")

    @property
    def sip_password(self) -> str:
        """The password the lane's SIP endpoints get: distinctive, so a leak can be found."""
        return f"sip-{self.auth_id[2:11].lower()}-pw-do-not-leak"

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "auth_id": self.auth_id,
            "auth_token": self.account.auth_token,
            "default_sender": SENDER,
            "whatsapp_sender": SENDER,
            "whatsapp_business_account_id": self.waba_id,
        }

    @property
    def waba_id(self) -> str:
        """The lane's WhatsApp Business Account: its own, so a 404 stays in the lane."""
        return self.number_digits

    def owns(self, request: RecordedRequest) -> bool:
        """Whether the lane made ``request`` (also with a wrong token, when ``account`` is None).

        The PHLO runner's path is lower-case (``/v1/account/{auth_id}/phlo/{phlo_id}``).
        """
        return (
            request.account == self.auth_id
            or f"/Account/{self.auth_id}/" in request.path
            or f"/v1/account/{self.auth_id}/phlo/" in request.path
            or request.path == f"/v1/Number/{self.lookup_number}"
        )


def lane_account(tag: str, index: int, token_suffix: str = "", **fields: Any) -> SandboxAccount:
    """A low-entropy account such as ``MAFAULT07XXXXXXXXXXX`` / ``fault-token-07``."""
    auth_id = f"MA{tag.upper()}{index:02d}".ljust(20, "X")
    assert len(auth_id) == 20, auth_id
    return SandboxAccount(auth_id, f"{tag.lower()}-token-{index:02d}{token_suffix}", **fields)


def make_lanes(
    sandbox: PlivoSandbox, tag: str, count: int, first_number: int = 3000, token_suffix: str = ""
) -> list[Lane]:
    """Add ``count`` accounts to the sandbox, each with the resources its cases read."""
    lanes = []
    for index in range(count):
        account = lane_account(tag, index, token_suffix)
        sandbox.add_account(account)
        lanes.append(Lane(account, f"+1415555{first_number + index:04d}"))
    return seed(sandbox, lanes)


def seed(sandbox: PlivoSandbox, lanes: Sequence[Lane]) -> list[Lane]:
    """Give every lane its own resources (``sandbox.reset()`` forgets them, not the accounts).

    The SIP endpoint is created through the sandbox's REST API, as a customer would: the sandbox
    has no seeding helper for endpoints. Returns once every seeded call has ended.
    """
    seeded = []
    for lane in lanes:
        auth_id = lane.auth_id
        message = sandbox.add_message(
            account=auth_id,
            direction="outbound",
            from_number=SENDER,
            to_number=lane.lookup_number,
            text=f"seeded for {auth_id}",
            state="delivered",
        )
        app = sandbox.add_application(
            f"lane app {auth_id[2:11]}", account=auth_id, answer_url=ANSWER_URL
        )
        sandbox.add_number(lane.lookup_number, account=auth_id, app_id=app.app_id)
        phlo = sandbox.add_phlo(f"lane flow {auth_id[2:11]}", account=auth_id)
        sandbox.add_whatsapp_sender(SENDER, account=auth_id)
        sandbox.add_whatsapp_template(
            WHATSAPP_TEMPLATE, "Hi {{1}}", account=auth_id, waba_id=lane.waba_id
        )
        sandbox.add_conference(
            CONFERENCE,
            account=auth_id,
            members=[{"from_number": CALLER.lstrip("+"), "to_number": lane.number_digits}],
        )
        call = sandbox.start_inbound_call(
            from_number=CALLER,
            to_number=ENDED_CALL_TO,
            account=auth_id,
            answer_url="",
            hangup_url="",
        )
        seeded.append(
            replace(
                lane,
                message_uuid=message.message_uuid,
                call_uuid=call.call_uuid,
                app_id=app.app_id,
                endpoint_id=_create_endpoint(sandbox, lane, app.app_id),
                phlo_id=phlo.phlo_id,
            )
        )
    deadline = time.monotonic() + CALL_END_TIMEOUT_SECONDS
    for lane in seeded:
        while sandbox.call_state(lane.call_uuid) != "completed":
            assert time.monotonic() < deadline, f"seeded call {lane.call_uuid} never ended"
            time.sleep(0.02)
    return seeded


def _create_endpoint(sandbox: PlivoSandbox, lane: Lane, app_id: str) -> str:
    response = requests.post(
        f"{sandbox.url}/v1/Account/{lane.auth_id}/Endpoint/",
        json={
            "username": SIP_USERNAME,
            "password": lane.sip_password,
            "alias": "Lane phone",
            "app_id": app_id,
        },
        auth=(lane.auth_id, lane.account.auth_token),
        timeout=SEED_TIMEOUT_SECONDS,
    )
    assert response.status_code == HTTPStatus.CREATED, response.text
    endpoint_id = response.json()["endpoint_id"]
    assert isinstance(endpoint_id, str)
    return endpoint_id


def start_live_call(sandbox: PlivoSandbox, lane: Lane) -> str:
    """A call to the lane's account that stays in progress until hung up; its call UUID."""
    call = sandbox.start_inbound_call(
        from_number=CALLER,
        to_number=LIVE_CALL_TO,
        account=lane.auth_id,
        answer_url="",
        hangup_url="",
    )
    return call.call_uuid


def wait_until_answered(sandbox: PlivoSandbox, call_uuid: str) -> None:
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while sandbox.call_state(call_uuid) != "in-progress":
        if time.monotonic() > deadline:
            raise AssertionError(f"call {call_uuid} was never answered")
        time.sleep(0.01)


def created_in(sandbox: PlivoSandbox, lane: Lane) -> int:
    """What creating requests add to the lane's account: messages, calls, applications, SIP
    endpoints, PHLO runs and actions on live calls. Counted in the sandbox's state, not from the
    requests it saw."""
    auth_id = lane.auth_id
    # The sandbox offers no public view of SIP endpoints; its directory is read directly.
    endpoints = sandbox._state.directory.account_endpoints(auth_id)
    return (
        sum(1 for message in sandbox.messages.values() if message.account == auth_id)
        + sum(1 for call in sandbox.calls.values() if call.account == auth_id)
        + sum(1 for app in sandbox.applications.values() if app.account == auth_id)
        + len(endpoints)
        + sum(1 for run in sandbox.phlo_runs if run.account == auth_id)
        + sum(1 for action in sandbox.live_actions if action.account == auth_id)
    )


# -- what talks to Plivo ----------------------------------------------------------------------

LaneParams = Callable[[Lane], dict[str, Any]]
LanePath = Callable[[Lane], str]


def _account_path(lane: Lane) -> str:
    return f"^/v1/Account/{re.escape(lane.auth_id)}/"


@dataclass(frozen=True)
class Target:
    """One way the plugin reaches Plivo: a tool call (or the credential check) and its request.

    ``path`` is the regex of the request path the target uses for a lane (faults are scoped to
    it), ``usual`` its parameters. ``creates`` marks a request that creates something at Plivo
    (a message, a call, an application, a SIP endpoint, a PHLO run); ``check`` is what its
    "outcome unknown" text tells to look at before trying again. ``soft`` marks preview_sms's
    cost estimate, which turns Plivo errors into a ``cost_note`` of a successful result instead
    of failing the node. ``billed`` marks Lookup: Plivo charges every request, so like a send it
    is repeated only when Plivo provably did not act on it. ``raw`` marks plivo_request, which
    shows whatever JSON a 2xx answer carries (null when it is not JSON) instead of failing.
    ``second_lookup``: a 404 leads to one more request on a neighbouring path (get_call asks for
    the live call after the record, hangup_call cancels the call request after the call).
    ``live_call``: every case hangs up a live call of its own, started right before it.
    ``no_content``: Plivo answers 204 without a body, so whatever body a 2xx answer carries is
    not read (hangup_call). ``answered``: the live call is answered before the case runs (Plivo
    acts on a call in progress only: call_actions).
    """

    name: str
    tool: str | None  # None: the provider's credential validation
    method: str
    path: LanePath
    usual: LaneParams
    creates: bool = False
    check: str = ""
    soft: bool = False
    billed: bool = False
    raw: bool = False
    second_lookup: bool = False
    live_call: bool = False
    no_content: bool = False
    answered: bool = False

    @property
    def repeatable(self) -> bool:
        """Whether a gateway error, timeout or dropped connection is retried."""
        return not self.creates and not self.billed

    def params(self, sandbox: PlivoSandbox, lane: Lane) -> dict[str, Any]:
        """The usual parameters for one case (starting the live call it hangs up, if any)."""
        if self.live_call:
            call_uuid = start_live_call(sandbox, lane)
            if self.answered:
                wait_until_answered(sandbox, call_uuid)
            return {**self.usual(lane), "call_uuid": call_uuid}
        return self.usual(lane)

    def invoke(
        self,
        daemon: StandInDaemon,
        lane: Lane,
        params: Mapping[str, Any],
        credentials: Mapping[str, Any] | None = None,
        timeout: float = CASE_TIMEOUT_SECONDS,
    ) -> SessionResult:
        creds = dict(lane.credentials if credentials is None else credentials)
        if self.tool is None:
            return daemon.request(
                {
                    "user_id": "lanes",
                    "type": "tool",
                    "action": "validate_tool_credentials",
                    "provider": "plivo_sms",
                    "credentials": creds,
                },
                timeout=timeout,
            )
        return daemon.invoke_tool(self.tool, params, creds, timeout=timeout)


TARGETS: tuple[Target, ...] = (
    Target("validate", None, "GET", lambda lane: _account_path(lane) + "$", lambda lane: {}),
    Target(
        "get_account", "get_account", "GET", lambda lane: _account_path(lane) + "$", lambda _: {}
    ),
    Target(
        "send_sms",
        "send_sms",
        "POST",
        lambda lane: _account_path(lane) + "Message/$",
        lambda lane: {"to": CALL_TO, "message": "Hi"},
        creates=True,
        check="check list_messages before sending again",
    ),
    Target(
        "send_whatsapp",
        "send_whatsapp",
        "POST",
        lambda lane: _account_path(lane) + "Message/$",
        lambda lane: {
            "to": CALL_TO,
            "template_name": WHATSAPP_TEMPLATE,
            "template_variables": "Ada",
        },
        creates=True,
        check="check list_messages before sending again",
    ),
    Target(
        "whatsapp_templates",
        "whatsapp_templates",
        "GET",
        lambda lane: _account_path(lane) + f"WhatsApp/Template/{lane.waba_id}/$",
        lambda lane: {},
    ),
    Target(
        "get_message",
        "get_message",
        "GET",
        lambda lane: _account_path(lane) + f"Message/{lane.message_uuid}/$",
        lambda lane: {"message_uuid": lane.message_uuid},
    ),
    Target(
        "list_messages",
        "list_messages",
        "GET",
        lambda lane: _account_path(lane) + "Message/$",
        lambda lane: {"direction": "outbound"},
    ),
    Target(
        "lookup_number",
        "lookup_number",
        "GET",
        lambda lane: f"^/v1/Number/{re.escape(lane.lookup_number)}$",
        lambda lane: {"number": lane.lookup_number},
        billed=True,
    ),
    Target(
        "get_pricing",
        "get_pricing",
        "GET",
        lambda lane: _account_path(lane) + "Pricing/$",
        lambda lane: {"country_iso": "US"},
    ),
    Target(
        "preview_estimate",
        "preview_sms",
        "GET",
        lambda lane: _account_path(lane) + "Pricing/$",
        lambda lane: {"message": "Hi", "to": CALL_TO, "estimate_cost": True},
        soft=True,
    ),
    Target(
        "make_call",
        "make_call",
        "POST",
        lambda lane: _account_path(lane) + "Call/$",
        lambda lane: {"to": CALL_TO, "answer_url": ANSWER_URL},
        creates=True,
        check="check the calls still ringing or live",
    ),
    Target(
        "get_call",
        "get_call",
        "GET",
        lambda lane: _account_path(lane) + f"Call/{lane.call_uuid}/$",
        lambda lane: {"call_uuid": lane.call_uuid},
        second_lookup=True,
    ),
    Target(
        "hangup_call",
        "hangup_call",
        "DELETE",
        lambda lane: _account_path(lane) + f"(?:Call|Request)/{UUID_PATTERN}/$",
        lambda lane: {},
        second_lookup=True,
        live_call=True,
        no_content=True,
    ),
    Target(
        "list_numbers",
        "list_numbers",
        "GET",
        lambda lane: _account_path(lane) + "Number/$",
        lambda lane: {"type": "local"},
    ),
    Target(
        "get_number",
        "get_number",
        "GET",
        lambda lane: _account_path(lane) + f"Number/{lane.number_digits}/$",
        lambda lane: {"number": lane.lookup_number},
    ),
    Target(
        "applications_list",
        "applications",
        "GET",
        lambda lane: _account_path(lane) + "Application/$",
        lambda lane: {"operation": "list"},
    ),
    Target(
        "applications_create",
        "applications",
        "POST",
        lambda lane: _account_path(lane) + "Application/$",
        lambda lane: {
            "operation": "create",
            "app_name": "lane voice bot",
            "answer_url": ANSWER_URL,
            "allow_changes": True,
        },
        creates=True,
        check="list the applications before creating it again",
    ),
    Target(
        "sip_endpoints_get",
        "sip_endpoints",
        "GET",
        lambda lane: _account_path(lane) + f"Endpoint/{lane.endpoint_id}/$",
        lambda lane: {"operation": "get", "endpoint_id": lane.endpoint_id},
    ),
    Target(
        "sip_endpoints_create",
        "sip_endpoints",
        "POST",
        lambda lane: _account_path(lane) + "Endpoint/$",
        lambda lane: {
            "operation": "create",
            "username": SIP_USERNAME,
            "password": lane.sip_password,
            "alias": "Lane desk phone",
            "app_id": lane.app_id,
            "allow_changes": True,
        },
        creates=True,
        check="list the endpoints before creating it again",
    ),
    Target(
        "conferences_get",
        "conferences",
        "GET",
        lambda lane: _account_path(lane) + f"Conference/{CONFERENCE}/$",
        lambda lane: {"operation": "get", "conference_name": CONFERENCE},
    ),
    Target(
        "list_calls",
        "list_calls",
        "GET",
        lambda lane: _account_path(lane) + "Call/$",
        lambda lane: {"state": "ended", "since": "today"},
    ),
    Target(
        "call_actions_speak",
        "call_actions",
        "POST",
        lambda lane: _account_path(lane) + f"Call/{UUID_PATTERN}/Speak/$",
        lambda lane: {"action": "speak", "text": "Hello"},
        creates=True,
        check="so the callee does not hear it twice",
        live_call=True,
        answered=True,
    ),
    Target(
        "recordings_list",
        "recordings",
        "GET",
        lambda lane: _account_path(lane) + "Recording/$",
        lambda lane: {"operation": "list"},
    ),
    Target(
        "masking_sessions_list",
        "masking_sessions",
        "GET",
        lambda lane: _account_path(lane) + "Masking/Session/$",
        lambda lane: {"operation": "list"},
    ),
    Target(
        "run_phlo",
        "run_phlo",
        "POST",
        lambda lane: f"^/v1/account/{re.escape(lane.auth_id)}/phlo/{lane.phlo_id}/?$",
        lambda lane: {"phlo_id": lane.phlo_id, "payload": '{"to": "+14155552671"}'},
        creates=True,
        check="check its runs in the Plivo console",
    ),
    Target(
        "plivo_request_get",
        "plivo_request",
        "GET",
        lambda lane: _account_path(lane) + "Call/$",
        lambda lane: {"path": "Call/", "query": '{"limit": 5}'},
        raw=True,
    ),
    Target(
        "plivo_request_post",
        "plivo_request",
        "POST",
        lambda lane: _account_path(lane) + "Application/$",
        lambda lane: {
            "method": "POST",
            "path": "Application/",
            "body": '{"app_name": "lane raw app"}',
            "allow_writes": True,
        },
        creates=True,
        raw=True,
        check="check with a GET before repeating it",
    ),
)
TARGETS_BY_NAME = {target.name: target for target in TARGETS}
READ_TARGETS = tuple(target for target in TARGETS if not target.creates)
CREATING_TARGETS = tuple(target for target in TARGETS if target.creates)


# -- faults -----------------------------------------------------------------------------------

BODY_KINDS = ("plivo", "empty", "html", "truncated")
STATUSES = (400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503)
RETRIED_ON_READ = frozenset({429, 502, 503})
MAX_ATTEMPTS = 3
BROKEN_ANSWERS: tuple[FaultAction, ...] = (
    "malformed_json",
    "truncated_json",
    "drop_before_body",
    "drop_after_body",
)


def attempts_for(target: Target, status: int) -> int:
    """Requests one call makes against an error status that persists
    (``plivo_api.transport.retry``)."""
    if status == 429 or (status in RETRIED_ON_READ and target.repeatable):
        return MAX_ATTEMPTS
    if status == HTTPStatus.NOT_FOUND and target.second_lookup:
        return 2  # the fault's path covers the neighbouring lookup too
    return 1


def plivo_reason(status: int) -> str:
    """The distinctive ``error`` text of a Plivo-shaped fault body, to find in the message."""
    return f"sandbox refused with {status}"


@dataclass(frozen=True)
class FaultSpec:
    """A fault independent of target and lane; ``build`` scopes it to one of each.

    ``echo`` is text a misbehaving server puts into its error body (the hygiene suite echoes the
    credentials back, as a proxy that quotes the request would).
    """

    name: str
    status: int | None = None
    body: str | None = None  # one of BODY_KINDS, for error statuses
    action: FaultAction = "respond"
    times: int = 1
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def build(self, target: Target, lane: Lane, echo: str = "") -> Fault:
        scope: dict[str, Any] = {
            "method": target.method,
            "path": target.path(lane),
            "times": self.times,
            "headers": dict(self.headers),
            "delay": self.delay,
        }
        if self.body is None:
            return Fault(status=self.status, action=self.action, **scope)
        assert self.status is not None
        reason = plivo_reason(self.status) + echo
        if self.body == "plivo":
            return Fault(status=self.status, body={"error": reason}, **scope)
        if self.body == "empty":
            return Fault(status=self.status, body=b"", **scope)
        if self.body == "html":
            title = f"{self.status} {HTTPStatus(self.status).phrase}"
            page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{echo}</body>"
            return Fault(status=self.status, action="html", body=page + "</html>", **scope)
        whole = json.dumps({"error": reason, "api_id": "0b1c2d3e-0000-4000-8000-000000000000"})
        return Fault(status=self.status, body=whole[: len(whole) - 24], **scope)  # cut in api_id


def error_paths(target: Target) -> list[tuple[str, FaultSpec]]:
    """Every fault of the matrix for ``target``, persistent (each retry meets it again).

    Named ``<status>-<body>`` or after the action; the hygiene suite runs them all.
    """
    paths = [
        (f"{status}-{body}", FaultSpec("status", status, body, times=attempts_for(target, status)))
        for status in STATUSES
        for body in BODY_KINDS
    ]
    for action in BROKEN_ANSWERS:
        drops = action.startswith("drop")
        times = MAX_ATTEMPTS if drops and target.repeatable else 1
        paths.append((action, FaultSpec(action, action=action, times=times)))
    return paths


# -- running cases in lanes -------------------------------------------------------------------


LaneText = Callable[[Lane], str]
LaneCredentials = Callable[[Lane], Mapping[str, Any]]


@dataclass(frozen=True)
class Case:
    """One call against one fault; ``credentials`` and ``echo`` are made from its lane."""

    key: str
    target: Target
    fault: FaultSpec | None = None
    credentials: LaneCredentials | None = None  # default: the lane's own
    echo: LaneText | None = None  # text the fault's error body repeats back
    params: Mapping[str, Any] | None = None  # default: the target's usual parameters
    settle: float = 0.0  # seconds to wait for late requests (delayed faults) before counting
    cost: float = 0.0  # expected seconds, to balance lanes


@dataclass(frozen=True)
class Observed:
    """What one case produced: the session, the lane's requests, what the lane's account gained
    (``created``: messages, calls, applications, SIP endpoints, PHLO runs)."""

    case: Case
    lane: Lane
    result: SessionResult | None
    failure: str | None  # the stand-in daemon gave up (session never ended, plugin died)
    requests: tuple[RecordedRequest, ...]
    created: int
    elapsed: float
    fault_left_over: bool

    @property
    def error(self) -> dict[str, Any]:
        assert self.result is not None, self.failure
        assert self.result.error is not None, f"expected an error, got {self.result.raw}"
        return self.result.error

    def count(self, method: str | None = None) -> int:
        return sum(1 for r in self.requests if method is None or r.method == method)


def _run_case(daemon: StandInDaemon, sandbox: PlivoSandbox, lane: Lane, case: Case) -> Observed:
    params = case.params if case.params is not None else case.target.params(sandbox, lane)
    before = sum(1 for r in sandbox.requests if lane.owns(r))
    created_before = created_in(sandbox, lane)
    echo = case.echo(lane) if case.echo else ""
    fault = case.fault.build(case.target, lane, echo) if case.fault else None
    if fault is not None:
        sandbox.inject(fault)
    started = time.monotonic()
    result: SessionResult | None = None
    failure = None
    try:
        credentials = case.credentials(lane) if case.credentials else None
        result = case.target.invoke(daemon, lane, params, credentials)
    except DaemonError as error:
        failure = str(error)
    elapsed = time.monotonic() - started
    if case.settle:
        time.sleep(case.settle)
    owned = [r for r in sandbox.requests if lane.owns(r)]
    left_over = fault is not None and any(f is fault for f in sandbox.pending_faults)
    return Observed(
        case=case,
        lane=lane,
        result=result,
        failure=failure,
        requests=tuple(owned[before:]),
        created=created_in(sandbox, lane) - created_before,
        elapsed=elapsed,
        fault_left_over=left_over,
    )


def run_cases(
    daemon: StandInDaemon, sandbox: PlivoSandbox, lanes: Sequence[Lane], cases: Iterable[Case]
) -> dict[str, Observed]:
    """Every case, each lane working through its share serially, all lanes at once.

    Cases are dealt out longest first to the least loaded lane. A fault a case did not consume
    is reported (``fault_left_over``) rather than silently left for the lane's next case.
    """
    shares: list[list[Case]] = [[] for _ in lanes]
    loads = [0.0 for _ in lanes]
    for case in sorted(cases, key=lambda c: -c.cost):
        index = loads.index(min(loads))
        shares[index].append(case)
        loads[index] += case.cost + 0.05

    def work(lane: Lane, share: list[Case]) -> list[Observed]:
        return [_run_case(daemon, sandbox, lane, case) for case in share]

    observed: dict[str, Observed] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(lanes))) as pool:
        futures = [
            pool.submit(work, lane, share) for lane, share in zip(lanes, shares, strict=True)
        ]
        for future in futures:
            for item in future.result():
                observed[item.case.key] = item
    return observed


def concurrently(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call on its own thread, released together (as Dify's daemon issues requests)."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except BaseException as error:  # noqa: BLE001 - reported to the caller below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CASE_TIMEOUT_SECONDS * 2)
    if errors:
        raise errors[0]
    return results


# -- scanning for secrets ---------------------------------------------------------------------


def secret_forms(auth_id: str, auth_token: str) -> dict[str, str]:
    """The forms in which a credential pair would leak: raw, and as a Basic auth header value."""
    basic = base64.b64encode(f"{auth_id}:{auth_token}".encode()).decode()
    return {"auth token": auth_token, "unmasked auth id": auth_id, "basic credentials": basic}


def texts_of(result: SessionResult) -> list[str]:
    """Everything a session showed: each raw line (messages, error, traceback) as JSON text."""
    return [json.dumps(line, ensure_ascii=False) for line in result.raw]


def find_secrets(texts: Iterable[str], secrets: Mapping[str, str]) -> list[str]:
    """``"<form> in <where>"`` for every hit; empty when nothing leaked."""
    hits = []
    for text in texts:
        for form, secret in secrets.items():
            if secret and secret in text:
                hits.append(f"{form} in {text[:300]!r}")
    return hits
