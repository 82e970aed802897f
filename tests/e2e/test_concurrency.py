"""Concurrency: 100 invocations at once in one plugin process, with five credential sets.

Dify's daemon writes request lines without waiting for earlier sessions to end, and the plugin
runs them concurrently. Here 100 sessions (texts, calls and PHLO runs; account, message, call,
number, application, SIP endpoint and conference reads; lists, prices and credential checks, 20
per account) are released together, twice, against a sandbox that takes 0.2 s per request.
Checked: every answer is right and belongs to its own credentials (the sandbox says which account
each request authenticated as and which account owns each message, call and PHLO run), no
connection ever carries two accounts, connections are reused per credential set, and the sessions
really overlapped.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import PlivoSandbox, SandboxAccount
from tests.lanes import ANSWER_URL, CONFERENCE, Lane, concurrently, seed

pytestmark = pytest.mark.e2e

ACCOUNTS = 5
PER_ACCOUNT = 20  # 100 invocations in all
SANDBOX_LATENCY = 0.2  # per request: serial, one round would take 100 x 0.2 = 20 s
MAX_ROUND_SECONDS = 6.0  # far below serial, far above the ~0.5 s a concurrent round takes
# Per account and round: the mix of calls (send_sms 5, make_call 2, run_phlo 1, ...); each makes
# exactly one request.
MIX = (
    ("send_sms",) * 5
    + ("make_call",) * 2
    + ("run_phlo",)
    + ("get_account",) * 2
    + ("get_message",) * 2
    + ("list_messages",)
    + ("get_pricing",)
    + ("get_call",)
    + ("get_number",)
    + ("applications",)
    + ("sip_endpoints",)
    + ("conferences",)
    + ("validate",)
)
assert len(MIX) == PER_ACCOUNT


@dataclass(frozen=True)
class Tenant:
    """One credential set and what it owns (seeded as for a lane of the fault matrix)."""

    index: int
    lane: Lane

    @property
    def account(self) -> SandboxAccount:
        return self.lane.account

    @property
    def credentials(self) -> dict[str, str]:
        return self.lane.credentials

    def number(self, round_: int, index: int) -> str:
        """A destination only this tenant texts or calls (no magic suffix: all end ``4xxx``)."""
        return f"+1415555{4000 + self.index * 100 + round_ * 20 + index:04d}"


@dataclass(frozen=True)
class Call:
    tenant: Tenant
    tool: str
    round_: int
    index: int

    @property
    def text(self) -> str:
        return f"concurrency {self.tenant.account.auth_id} round {self.round_} call {self.index}"

    @property
    def to(self) -> str:
        return self.tenant.number(self.round_, self.index)

    def run(self, daemon: StandInDaemon) -> SessionResult:
        creds = self.tenant.credentials
        lane = self.tenant.lane
        if self.tool == "validate":
            return daemon.validate_credentials(creds)
        params: dict[str, dict[str, Any]] = {
            "send_sms": {"to": self.to, "message": self.text},
            "make_call": {"to": self.to, "answer_url": ANSWER_URL},
            "run_phlo": {"phlo_id": lane.phlo_id, "payload": json.dumps({"to": self.to})},
            "get_account": {},
            "get_message": {"message_uuid": lane.message_uuid},
            "list_messages": {"direction": "outbound"},
            "get_pricing": {"country_iso": "GB"},
            "get_call": {"call_uuid": lane.call_uuid},
            "get_number": {"number": lane.lookup_number},
            "applications": {"operation": "list"},
            "sip_endpoints": {"operation": "get", "endpoint_id": lane.endpoint_id},
            "conferences": {"operation": "get", "conference_name": CONFERENCE},
        }
        return daemon.invoke_tool(self.tool, params[self.tool], creds)


@dataclass
class Round:
    calls: list[Call]
    results: list[SessionResult]
    seconds: float
    requests_before: int
    requests_after: int


@dataclass
class Load:
    tenants: list[Tenant]
    rounds: list[Round]
    daemon: StandInDaemon
    sandbox: PlivoSandbox

    def answers(self, tool: str) -> Iterator[tuple[Call, SessionResult]]:
        for round_ in self.rounds:
            for call, result in zip(round_.calls, round_.results, strict=True):
                if call.tool == tool:
                    yield call, result


def calls_for(tenants: list[Tenant], round_: int) -> list[Call]:
    """Interleaved so that neighbouring request lines carry different credentials."""
    return [
        Call(tenant, tool, round_, index) for index, tool in enumerate(MIX) for tenant in tenants
    ]


@pytest.fixture(scope="module")
def load(sandbox_server: PlivoSandbox) -> Iterator[Load]:
    sandbox = sandbox_server
    sandbox.reset()
    lanes = []
    for i in range(ACCOUNTS):
        account = SandboxAccount(
            f"MACONCUR{i:02d}".ljust(20, "X"),
            f"concurrency-token-{i:02d}",
            name=f"Tenant {i}",
            cash_credits=f"{i + 1}.25000",
        )
        sandbox.add_account(account)
        lanes.append(Lane(account, f"+1415555{4900 + i:04d}"))
    tenants = [Tenant(i, lane) for i, lane in enumerate(seed(sandbox, lanes))]
    env = {
        "PLIVO_API_BASE_URL": sandbox.url,
        "PLIVO_LOOKUP_BASE_URL": sandbox.lookup_url,
        "PLIVO_PHLO_BASE_URL": sandbox.phlo_url,
    }
    daemon = StandInDaemon(env=env).start()
    sandbox.latency = SANDBOX_LATENCY
    rounds = []
    try:
        for round_ in range(2):
            calls = calls_for(tenants, round_)
            before = len(sandbox.requests)
            started = time.monotonic()
            jobs: list[Callable[[], SessionResult]] = [
                functools.partial(call.run, daemon) for call in calls
            ]
            results = concurrently(jobs)
            seconds = time.monotonic() - started
            rounds.append(Round(calls, results, seconds, before, len(sandbox.requests)))
        sandbox.latency = 0.0
        yield Load(tenants, rounds, daemon, sandbox)
    finally:
        sandbox.latency = 0.0
        daemon.stop()
        sandbox.reset()


def digits(number: str) -> str:
    return number.lstrip("+")


def test_every_invocation_succeeded_and_the_process_is_clean(load: Load) -> None:
    for round_ in load.rounds:
        assert len(round_.results) == ACCOUNTS * PER_ACCOUNT
        failed = [
            (c.tool, r.error) for c, r in zip(round_.calls, round_.results, strict=True) if r.error
        ]
        assert failed == []
    assert load.daemon.alive
    assert not load.daemon.stdout_noise
    assert not load.daemon.top_level_errors


def test_the_sessions_overlapped(load: Load) -> None:
    """100 requests of 0.2 s each: serial would take 20 s per round."""
    for round_ in load.rounds:
        assert round_.seconds < MAX_ROUND_SECONDS, round_.seconds


def test_each_account_made_exactly_its_own_requests(load: Load) -> None:
    for round_ in load.rounds:
        requests = load.sandbox.requests[round_.requests_before : round_.requests_after]
        assert len(requests) == ACCOUNTS * PER_ACCOUNT  # one per call: nothing retried or lost
        by_account = Counter(r.account for r in requests)
        assert by_account == {t.account.auth_id: PER_ACCOUNT for t in load.tenants}
        phlo_runs = 0
        for request in requests:  # the path names the account the credentials belong to
            if request.path.lower().startswith("/v1/account/"):  # the PHLO runner's is lower-case
                assert request.path.split("/")[3] == request.account
                phlo_runs += "/phlo/" in request.path
        assert phlo_runs == ACCOUNTS * MIX.count("run_phlo")


def test_every_send_created_its_message_in_its_own_account(load: Load) -> None:
    messages = load.sandbox.messages
    checked = 0
    for call, result in load.answers("send_sms"):
        [uuid] = result.json["message_uuids"]
        stored = messages[uuid]
        assert stored.account == call.tenant.account.auth_id
        assert stored.text == call.text
        assert stored.to_number == digits(call.to)
        assert result.json["recipients"] == [call.to]
        checked += 1
    assert checked == 2 * ACCOUNTS * MIX.count("send_sms")
    assert len(messages) == ACCOUNTS + checked  # the seeded ones and exactly one per send


def test_every_call_and_phlo_run_happened_in_its_own_account(load: Load) -> None:
    placed = 0
    for call, result in load.answers("make_call"):
        [request_uuid] = result.json["request_uuids"]
        stored = load.sandbox.call_for_request(request_uuid)
        assert stored.account == call.tenant.account.auth_id
        assert stored.to_number == digits(call.to)
        placed += 1
    runs = {run.run_id: run for run in load.sandbox.phlo_runs}
    started = 0
    for call, result in load.answers("run_phlo"):
        run = runs[result.json["phlo_run_id"]]
        assert run.account == call.tenant.account.auth_id
        assert run.phlo_id == call.tenant.lane.phlo_id
        assert run.payload == {"to": call.to}
        started += 1
    assert placed == 2 * ACCOUNTS * MIX.count("make_call")
    assert started == len(runs) == 2 * ACCOUNTS * MIX.count("run_phlo")
    assert len(load.sandbox.calls) == ACCOUNTS + placed  # the seeded ones and one per call


def test_every_read_answered_with_its_own_accounts_data(load: Load) -> None:
    for round_ in load.rounds:
        for call, result in zip(round_.calls, round_.results, strict=True):
            tenant, lane = call.tenant, call.tenant.lane
            if call.tool == "validate":
                assert result.result is True
                continue
            data = result.json
            if call.tool == "get_account":
                assert data["name"] == tenant.account.name
                assert data["balance"] == float(tenant.account.cash_credits)
            elif call.tool == "get_message":
                assert data["message_uuid"] == lane.message_uuid
                assert digits(data["to"]) == digits(lane.lookup_number)
            elif call.tool == "list_messages":
                own = {digits(lane.lookup_number)} | {
                    digits(tenant.number(r, i)) for r in range(2) for i in range(PER_ACCOUNT)
                }
                listed = {digits(m["to"]) for m in data["messages"]}
                assert digits(lane.lookup_number) in listed
                assert listed <= own, listed - own
            elif call.tool == "get_pricing":
                assert data["country_iso"] == "GB"
            elif call.tool == "get_call":
                assert data["call_uuid"] == lane.call_uuid
            elif call.tool == "get_number":
                assert data["number"] == lane.lookup_number
                assert data["application"] == lane.app_id
            elif call.tool == "applications":
                assert [app["app_id"] for app in data["applications"]] == [lane.app_id]
            elif call.tool == "sip_endpoints":
                assert data["endpoint"]["endpoint_id"] == lane.endpoint_id
                assert data["endpoint"]["application"] == lane.app_id
            elif call.tool == "conferences":
                [member] = data["conference"]["members"]
                assert digits(member["to"]) == digits(lane.lookup_number)
            else:
                assert call.tool in ("send_sms", "make_call", "run_phlo"), call.tool


def test_no_connection_carries_two_accounts(load: Load) -> None:
    """One HTTP session per credential set: a shared one would mix accounts on a connection."""
    accounts_by_connection: dict[int, set[str | None]] = defaultdict(set)
    for request in load.sandbox.requests:
        accounts_by_connection[request.connection_id].add(request.account)
    mixed = {cid: accts for cid, accts in accounts_by_connection.items() if len(accts) > 1}
    assert mixed == {}


def test_connections_are_reused_per_credential_set(load: Load) -> None:
    """The second round runs on the first round's connections: at most 20 per account, not 40.

    At most 20 calls of an account are in flight at once, so its pooled session never needs more
    than 20 connections, and the second round finds them idle in the pool.
    """
    per_round: list[dict[str | None, set[int]]] = []
    for round_ in load.rounds:
        connections: dict[str | None, set[int]] = defaultdict(set)
        for request in load.sandbox.requests[round_.requests_before : round_.requests_after]:
            connections[request.account].add(request.connection_id)
        per_round.append(connections)
    first, second = per_round
    for tenant in load.tenants:
        auth_id = tenant.account.auth_id
        assert 1 <= len(first[auth_id]) <= PER_ACCOUNT, (auth_id, len(first[auth_id]))
        assert second[auth_id] <= first[auth_id], f"{auth_id} opened new connections in round 2"


def test_warm_calls_after_the_load_open_no_connection(load: Load) -> None:
    before = load.sandbox.connections_opened
    for tenant in load.tenants:
        for _ in range(3):
            result = load.daemon.invoke_tool("get_account", {}, tenant.credentials)
            assert result.json["name"] == tenant.account.name
    assert load.sandbox.connections_opened == before
