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
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import plivo_api
from devtools.daemon import DaemonError, SessionResult, StandInDaemon
from devtools.sandbox import Fault, PlivoSandbox, RecordedRequest, SandboxAccount
from devtools.sandbox.faults import FaultAction
from plivo_api import errors as plivo_errors

SENDER = "+14155550199"
CASE_TIMEOUT_SECONDS = 60.0
VALIDATION_ERROR = "ToolProviderCredentialValidationError"


def _subclass_names(root: type) -> frozenset[str]:
    """``root`` and its subclasses in every ``plivo_api`` module (e.g. ``InvalidNumberError``)."""
    for module in pkgutil.iter_modules(plivo_api.__path__):
        importlib.import_module(f"plivo_api.{module.name}")
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


@dataclass(frozen=True)
class Lane:
    """One sandbox account and what its cases need: a number to look up, a message to read."""

    account: SandboxAccount
    lookup_number: str
    message_uuid: str = ""

    @property
    def auth_id(self) -> str:
        return self.account.auth_id

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "auth_id": self.auth_id,
            "auth_token": self.account.auth_token,
            "default_sender": SENDER,
        }

    def owns(self, request: RecordedRequest) -> bool:
        """Whether the lane made ``request`` (also with a wrong token, when ``account`` is None)."""
        return (
            request.account == self.auth_id
            or f"/Account/{self.auth_id}/" in request.path
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
    """Add ``count`` accounts to the sandbox, each with a delivered message to read."""
    lanes = []
    for index in range(count):
        account = lane_account(tag, index, token_suffix)
        sandbox.add_account(account)
        lanes.append(Lane(account, f"+1415555{first_number + index:04d}"))
    return seed_messages(sandbox, lanes)


def seed_messages(sandbox: PlivoSandbox, lanes: Sequence[Lane]) -> list[Lane]:
    """Give every lane a message of its own (``sandbox.reset()`` forgets messages, not accounts)."""
    seeded = []
    for lane in lanes:
        message = sandbox.add_message(
            account=lane.auth_id,
            direction="outbound",
            from_number=SENDER,
            to_number=lane.lookup_number,
            text=f"seeded for {lane.auth_id}",
            state="delivered",
        )
        seeded.append(Lane(lane.account, lane.lookup_number, message.message_uuid))
    return seeded


# -- what talks to Plivo ----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One way the plugin reaches Plivo: a tool call (or the credential check) and its request.

    ``soft`` marks preview_sms's cost estimate, which turns Plivo errors into a ``cost_note`` of a
    successful result instead of failing the node. ``billed`` marks Lookup: Plivo charges every
    request, so like a send it is repeated only when Plivo provably did not act on it.
    """

    name: str
    tool: str | None  # None: the provider's credential validation
    method: str
    creates: bool = False
    soft: bool = False
    billed: bool = False

    @property
    def repeatable(self) -> bool:
        """Whether a gateway error, timeout or dropped connection is retried."""
        return not self.creates and not self.billed

    def params(self, lane: Lane) -> dict[str, Any]:
        usual: dict[str, dict[str, Any]] = {
            "validate": {},
            "get_account": {},
            "send_sms": {"to": "+14155552671", "message": "Hi"},
            "get_message": {"message_uuid": lane.message_uuid},
            "list_messages": {"direction": "outbound"},
            "lookup_number": {"number": lane.lookup_number},
            "get_pricing": {"country": "US"},
            "preview_estimate": {
                "message": "Hi",
                "to": "+14155552671",
                "estimate_cost": True,
            },
        }
        return usual[self.name]

    def path(self, lane: Lane) -> str:
        """The regex of the one request path this target uses for ``lane``."""
        account = f"^/v1/Account/{re.escape(lane.auth_id)}/"
        return {
            "validate": account + "$",
            "get_account": account + "$",
            "send_sms": account + "Message/$",
            "get_message": account + f"Message/{lane.message_uuid}/$",
            "list_messages": account + "Message/$",
            "lookup_number": f"^/v1/Number/{re.escape(lane.lookup_number)}$",
            "get_pricing": account + "Pricing/$",
            "preview_estimate": account + "Pricing/$",
        }[self.name]

    def invoke(
        self,
        daemon: StandInDaemon,
        lane: Lane,
        credentials: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float = CASE_TIMEOUT_SECONDS,
    ) -> SessionResult:
        creds = dict(lane.credentials if credentials is None else credentials)
        if params is None:
            params = self.params(lane)
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
    Target("validate", None, "GET"),
    Target("get_account", "get_account", "GET"),
    Target("send_sms", "send_sms", "POST", creates=True),
    Target("get_message", "get_message", "GET"),
    Target("list_messages", "list_messages", "GET"),
    Target("lookup_number", "lookup_number", "GET", billed=True),
    Target("get_pricing", "get_pricing", "GET"),
    Target("preview_estimate", "preview_sms", "GET", soft=True),
)
TARGETS_BY_NAME = {target.name: target for target in TARGETS}
READ_TARGETS = tuple(target for target in TARGETS if not target.creates)


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
    """Requests one call makes against an error status that persists (``plivo_api.retry``)."""
    if status == 429 or (status in RETRIED_ON_READ and target.repeatable):
        return MAX_ATTEMPTS
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
    """What one case produced: the session, the lane's requests, messages the lane gained."""

    case: Case
    lane: Lane
    result: SessionResult | None
    failure: str | None  # the stand-in daemon gave up (session never ended, plugin died)
    requests: tuple[RecordedRequest, ...]
    messages_created: int
    elapsed: float
    fault_left_over: bool

    @property
    def error(self) -> dict[str, Any]:
        assert self.result is not None, self.failure
        assert self.result.error is not None, f"expected an error, got {self.result.raw}"
        return self.result.error

    def count(self, method: str | None = None) -> int:
        return sum(1 for r in self.requests if method is None or r.method == method)


def _messages_of(sandbox: PlivoSandbox, lane: Lane) -> int:
    return sum(1 for m in sandbox.messages.values() if m.account == lane.auth_id)


def _run_case(daemon: StandInDaemon, sandbox: PlivoSandbox, lane: Lane, case: Case) -> Observed:
    before = sum(1 for r in sandbox.requests if lane.owns(r))
    messages_before = _messages_of(sandbox, lane)
    echo = case.echo(lane) if case.echo else ""
    fault = case.fault.build(case.target, lane, echo) if case.fault else None
    if fault is not None:
        sandbox.inject(fault)
    started = time.monotonic()
    result: SessionResult | None = None
    failure = None
    try:
        credentials = case.credentials(lane) if case.credentials else None
        result = case.target.invoke(daemon, lane, credentials, case.params)
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
        messages_created=_messages_of(sandbox, lane) - messages_before,
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
