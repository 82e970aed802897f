"""Fault matrix: every tool that talks to Plivo, through every way Plivo or the network can fail.

End to end: ``python -m main`` under the stand-in daemon, against the sandbox. For each case the
test checks the readable error (class and phrase) or the documented retry, and the exact number of
requests the sandbox saw; for creating requests (a text, a call, an application, a SIP endpoint, a
PHLO run, a raw POST), that the thing is never created twice.

The retry policy under test (``plivo_api.transport.retry``): reads (GET, and the idempotent DELETE
of a hangup) are repeated on 429, 502, 503, 504, timeouts and dropped connections, up to 3
attempts; a creating request only when Plivo provably did nothing (connection refused, 429), never
after a 5xx, a timeout or a dropped connection. ``Retry-After`` is honoured up to 5 s; a longer one
fails fast with "retry in N s".

Cases the product gets wrong today are listed in ``DEFECTS`` and expected to fail (strictly: once
fixed, the case turns red until its entry is removed).

All cases of a group run at once in lanes (see ``tests.lanes``), so the real backoff sleeps
overlap; each parametrized test then checks its own case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any

import pytest

from devtools.daemon import StandInDaemon
from devtools.sandbox import PlivoSandbox, RecordedRequest
from tests.lanes import (
    CREATING_TARGETS,
    MAX_ATTEMPTS,
    RETRIED_ON_READ,
    TARGETS,
    TARGETS_BY_NAME,
    VALIDATION_ERROR,
    Case,
    FaultSpec,
    Lane,
    Observed,
    Target,
    attempts_for,
    error_paths,
    lane_account,
    make_lanes,
    plivo_reason,
    run_cases,
)

pytestmark = pytest.mark.e2e

MIN_BACKOFF_SECONDS = 0.25 + 0.5  # the two jittered sleeps of a read retried twice, at least
RETRY_AFTER_CAP = 5
LANES = 64
SLOW_DELAY = 1.6  # the sandbox's answer delay, above the 1 s read timeout of the slow daemon
# A first attempt that is slow only once is carried out well after the retry is answered (the
# order matters to a hangup: whichever DELETE comes second finds no call).
SLOW_CLEARED_DELAY = 2.5
SLOW_READ_TIMEOUT = "1"

CLASS_PHRASES = {
    "InvalidRequestError": "Plivo refused the request",
    "AuthenticationError": "rejected the Auth ID or Auth Token",
    "PermissionDeniedError": "Plivo denied access",
    "GeoPermissionError": "Plivo refused this destination",
    "RateLimitedError": "rate limited this request",
    "ServerError": "Plivo had a server error",
    "MalformedResponseError": "not the JSON it documents",
    "RequestTimeoutError": f"did not answer within {SLOW_READ_TIMEOUT} s",
}
NOT_FOUND_PHRASES = {
    "get_message": "No such message",
    "get_pricing": "Plivo has no price list for country US",
    "lookup_number": "is not a valid or known phone number",
    "get_call": "No such call",
    "hangup_call": "Nothing to hang up",
    "call_actions_speak": "is not live, so nothing was done",
    "get_number": "is not a number this Plivo account rents",
    "sip_endpoints_get": "No endpoint",
    "conferences_get": "No live conference named",
    "run_phlo": "No PHLO",
    "whatsapp_templates": "knows no WhatsApp Business Account",
}
# Requests with a destination: a 403 to them is most often the country's Geo Permissions.
DESTINATION_TARGETS = frozenset({"send_sms", "send_whatsapp", "make_call"})
CREATING_NAMES = frozenset(
    {
        "send_sms",
        "send_whatsapp",
        "make_call",
        "call_actions_speak",
        "applications_create",
        "sip_endpoints_create",
        "run_phlo",
        "plivo_request_post",
    }
)

DEFECTS: dict[str, str] = {}


def error_class(target: Target, status: int) -> str:
    """The class the status maps to (``plivo_api.transport.http_errors``), as the tool raises it."""
    if status == 401:
        return "AuthenticationError"
    if status == 403:
        return (
            "GeoPermissionError" if target.name in DESTINATION_TARGETS else "PermissionDeniedError"
        )
    if status == 404:
        return "NotFoundError"
    if status == 429:
        return "RateLimitedError"
    if status >= 500:
        return "OutcomeUnknownError" if target.creates else "ServerError"
    return "InvalidRequestError"


def class_phrase(target: Target, cls: str) -> str:
    if cls == "OutcomeUnknownError":
        return target.check
    if cls == "NotFoundError":
        return NOT_FOUND_PHRASES.get(target.name, "Plivo found no such resource")
    return CLASS_PHRASES[cls]


# -- the cases ----------------------------------------------------------------------------------


def status_cases() -> Iterator[Case]:
    for target in TARGETS:
        for name, fault in error_paths(target):
            if fault.status is not None:
                cost = 1.5 if fault.times > 1 else 0.05
                yield Case(f"{target.name}-{name}", target, fault, cost=cost)


def cleared_cases() -> Iterator[Case]:
    """A retried fault that clears after the first attempt: the second attempt succeeds."""
    for target in TARGETS:
        statuses = sorted(RETRIED_ON_READ) if target.repeatable else [429]
        for status in statuses:
            fault = FaultSpec("status", status, "plivo")
            yield Case(f"{target.name}-{status}-cleared", target, fault, cost=0.5)
        if target.repeatable:
            for action in ("drop_before_body", "drop_after_body"):
                fault = FaultSpec(action, action=action)
                yield Case(f"{target.name}-{action}-cleared", target, fault, cost=0.5)


def broken_answer_cases() -> Iterator[Case]:
    """2xx bodies that are not JSON, and connections closed without an answer."""
    for target in TARGETS:
        for name, fault in error_paths(target):
            if fault.status is None:
                cost = 1.5 if fault.times > 1 else 0.05
                yield Case(f"{target.name}-{name}", target, fault, cost=cost)


RETRY_AFTER_TARGETS = ("send_sms", "get_account", "lookup_number", "make_call", "run_phlo")
HTTP_DATE_AHEAD_SECONDS = 600


def http_date_in(seconds: int) -> str:
    return format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds), usegmt=True)


def retry_after_cases() -> Iterator[Case]:
    """The HTTP-date case is dated when the cases are built: build them right before running."""
    for name in RETRY_AFTER_TARGETS:
        target = TARGETS_BY_NAME[name]
        for value in ("1", str(RETRY_AFTER_CAP)):  # honoured: one retry, then success
            fault = FaultSpec("429", 429, "plivo", headers={"Retry-After": value})
            yield Case(f"{name}-retry-after-{value}", target, fault, cost=float(value) + 0.2)
        for value in (str(RETRY_AFTER_CAP + 1), "120"):  # too long: fail fast
            fault = FaultSpec("429", 429, "plivo", headers={"Retry-After": value})
            yield Case(f"{name}-retry-after-{value}", target, fault)
    date = http_date_in(HTTP_DATE_AHEAD_SECONDS)
    fault = FaultSpec("429", 429, "plivo", headers={"Retry-After": date})
    yield Case("get_account-retry-after-http-date", TARGETS_BY_NAME["get_account"], fault)


STATUS_CASES = list(status_cases())
CLEARED_CASES = list(cleared_cases())
BROKEN_CASES = list(broken_answer_cases())
RETRY_AFTER_CASES = list(retry_after_cases())


def keys(cases: list[Case]) -> list[Any]:
    """The case keys to parametrize with; a known product defect is an expected failure."""
    return [
        pytest.param(case.key, marks=pytest.mark.xfail(strict=True, reason=DEFECTS[case.key]))
        if case.key in DEFECTS
        else case.key
        for case in cases
    ]


@pytest.fixture(scope="module")
def lanes(sandbox_server: PlivoSandbox) -> list[Lane]:
    sandbox_server.reset()
    return make_lanes(sandbox_server, "fault", LANES)


@pytest.fixture(scope="module")
def observed(
    plugin: StandInDaemon, sandbox_server: PlivoSandbox, lanes: list[Lane]
) -> dict[str, Observed]:
    """Every case against the session's plugin process, all at once."""
    cases = STATUS_CASES + CLEARED_CASES + BROKEN_CASES + list(retry_after_cases())
    try:
        return run_cases(plugin, sandbox_server, lanes, cases)
    finally:
        sandbox_server.reset()


# -- checks -------------------------------------------------------------------------------------


def sane(seen: Observed) -> None:
    """True of every case: the session ended, the fault was used up, nothing created twice."""
    assert seen.failure is None, seen.failure
    assert not seen.fault_left_over, f"the fault was not used up: {seen.requests}"
    assert seen.created <= 1, "a creating request was carried out twice"
    if seen.case.target.creates:
        repeated = seen.count(seen.case.target.method) > 1
        fault = seen.case.fault
        assert not repeated or (fault is not None and fault.status == 429), seen.requests


def failed_with(seen: Observed, cls: str, *phrases: str) -> str:
    """Assert the node failed with ``cls`` (or, when soft, a cost note) saying ``phrases``."""
    target, result = seen.case.target, seen.result
    assert result is not None
    if target.soft:
        assert result.error is None, result.error
        said = result.json["cost_note"] or ""
        assert result.json["cost_estimate"] is None or cls == "NotFoundError"
    else:
        expected = VALIDATION_ERROR if target.tool is None else cls
        assert result.error is not None, f"expected {cls}, got {result.raw}"
        assert result.error["error_type"] == expected, result.error
        assert result.messages == [], "a failed call must not emit partial results"
        said = result.error["message"]
    for phrase in phrases:
        assert phrase in said, f"{phrase!r} not in {said!r}"
    assert "Traceback" not in said
    assert len(said) < 1000, said
    return said


def succeeded(seen: Observed) -> None:
    assert seen.result is not None, seen.failure
    assert seen.result.error is None, seen.result.error
    if seen.case.target.soft:
        assert seen.result.json["cost_estimate"] is not None, seen.result.json


def created_once_if_creating(seen: Observed) -> None:
    assert seen.created == (1 if seen.case.target.creates else 0)


@pytest.mark.parametrize("key", keys(STATUS_CASES))
def test_error_status_gives_its_readable_error_after_the_documented_attempts(
    observed: dict[str, Observed], key: str
) -> None:
    seen = observed[key]
    sane(seen)
    target, fault = seen.case.target, seen.case.fault
    assert fault is not None and fault.status is not None
    status, body = fault.status, fault.body
    assert seen.count() == attempts_for(target, status)
    assert seen.count(target.method) == seen.count()
    assert seen.created == 0
    cls = error_class(target, status)
    if target.soft and status == 404:
        failed_with(seen, cls, "Plivo has no price for US")
        return
    said = failed_with(seen, cls, class_phrase(target, cls), f"HTTP {status}")
    if body == "plivo":
        assert plivo_reason(status) in said
        assert "api_id" in said  # for a support ticket
    if body == "html":
        assert HTTPStatus(status).phrase in said
        assert "<" not in said, "HTML tags must be stripped"
    if status == 429:
        assert "retry in a minute" in said  # no Retry-After: Plivo documents none
    if cls == "OutcomeUnknownError":
        assert target.check in said


@pytest.mark.parametrize("key", keys(CLEARED_CASES))
def test_retried_fault_that_clears_succeeds_on_the_second_attempt(
    observed: dict[str, Observed], key: str
) -> None:
    seen = observed[key]
    sane(seen)
    succeeded(seen)
    assert seen.count() == 2
    created_once_if_creating(seen)


@pytest.mark.parametrize("key", keys(BROKEN_CASES))
def test_broken_answer_is_reported_and_a_creating_request_is_never_repeated(
    observed: dict[str, Observed], key: str
) -> None:
    seen = observed[key]
    sane(seen)
    target = seen.case.target
    assert seen.case.fault is not None
    action = seen.case.fault.action
    if action.endswith("_json"):
        assert seen.count() == 1  # a 2xx is final: the request did happen
        created_once_if_creating(seen)
        if target.no_content:  # the body of a 2xx answer to a hangup is not read
            succeeded(seen)
        elif target.raw:  # shown as it came: a 2xx without JSON is a body of null
            succeeded(seen)
            assert seen.result is not None
            assert seen.result.json["body"] is None
            assert 200 <= seen.result.json["status"] < 300
        elif target.creates:
            failed_with(seen, "OutcomeUnknownError", "not the JSON it documents", target.check)
        else:
            failed_with(seen, "MalformedResponseError", "not the JSON it documents", "HTTP 20")
        return
    if target.creates:
        assert seen.count() == 1
        failed_with(seen, "OutcomeUnknownError", "may have reached Plivo", target.check)
        assert seen.created == (1 if action == "drop_after_body" else 0)
    else:  # a billed Lookup is not repeated: Plivo may have charged for it
        assert seen.count() == (MAX_ATTEMPTS if target.repeatable else 1)
        failed_with(seen, "ConnectionFailedError", "broke before an answer arrived")


@pytest.mark.parametrize("key", keys(RETRY_AFTER_CASES))
def test_retry_after_is_honoured_up_to_the_cap_and_beyond_it_fails_fast(
    observed: dict[str, Observed], key: str
) -> None:
    seen = observed[key]
    sane(seen)
    assert seen.case.fault is not None
    value = seen.case.fault.headers["Retry-After"]
    if value.isdigit() and int(value) <= RETRY_AFTER_CAP:
        succeeded(seen)
        assert seen.count() == 2
        assert seen.elapsed >= int(value), "Retry-After was not waited for"
        created_once_if_creating(seen)
        return
    assert seen.count() == 1
    assert seen.elapsed < 2.0, "a long Retry-After must fail fast, not wait"
    said = failed_with(seen, "RateLimitedError", "rate limited this request")
    wait = re.search(r"retry in (\d+) s", said)
    assert wait is not None, said
    if value.isdigit():
        assert int(wait.group(1)) == int(value)
    else:  # an HTTP date: the seconds left until then
        assert HTTP_DATE_AHEAD_SECONDS - 60 <= int(wait.group(1)) <= HTTP_DATE_AHEAD_SECONDS
    assert seen.created == 0


# -- a read slower than the read timeout ----------------------------------------------------------


def slow_cases() -> Iterator[Case]:
    for target in TARGETS:
        # The sandbox records a delayed request only when its delay ends, after the client gave up.
        settle = SLOW_DELAY - float(SLOW_READ_TIMEOUT) + 0.4
        if not target.repeatable:
            fault = FaultSpec("slow", delay=SLOW_DELAY)
            yield Case(f"{target.name}-slow", target, fault, settle=settle, cost=3.5)
            continue
        persistent = FaultSpec("slow", delay=SLOW_DELAY, times=MAX_ATTEMPTS)
        yield Case(f"{target.name}-slow", target, persistent, settle=settle, cost=5.5)
        cleared = FaultSpec("slow", delay=SLOW_CLEARED_DELAY)
        settle = SLOW_CLEARED_DELAY - float(SLOW_READ_TIMEOUT) + 0.4
        yield Case(f"{target.name}-slow-cleared", target, cleared, settle=settle, cost=3.5)


SLOW_CASES = list(slow_cases())
ALL_CASES = STATUS_CASES + CLEARED_CASES + BROKEN_CASES + RETRY_AFTER_CASES + SLOW_CASES


@pytest.fixture(scope="module")
def slow_observed(sandbox_server: PlivoSandbox) -> Iterator[dict[str, Observed]]:
    env = {
        "PLIVO_API_BASE_URL": sandbox_server.url,
        "PLIVO_LOOKUP_BASE_URL": sandbox_server.lookup_url,
        "PLIVO_PHLO_BASE_URL": sandbox_server.phlo_url,
        "PLIVO_READ_TIMEOUT_SECONDS": SLOW_READ_TIMEOUT,
    }
    sandbox_server.reset()
    seeded = make_lanes(sandbox_server, "slow", len(SLOW_CASES), first_number=3100)
    try:
        with StandInDaemon(env=env) as daemon:
            yield run_cases(daemon, sandbox_server, seeded, SLOW_CASES)
    finally:
        sandbox_server.reset()


@pytest.mark.parametrize("key", keys(SLOW_CASES))
def test_answer_slower_than_the_read_timeout(slow_observed: dict[str, Observed], key: str) -> None:
    seen = slow_observed[key]
    sane(seen)
    target = seen.case.target
    if target.creates:
        assert seen.count() == 1
        failed_with(seen, "OutcomeUnknownError", "did not answer within 1 s", target.check)
        assert seen.created == 1  # Plivo did act on it: a retry would have done it twice
    elif key.endswith("-cleared"):
        succeeded(seen)
        assert seen.count() == 2
    else:  # persistent; a billed Lookup is not repeated
        assert seen.count() == (MAX_ATTEMPTS if target.repeatable else 1)
        failed_with(seen, "RequestTimeoutError", "did not answer within 1 s")


# -- connection refused ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refused_observed(
    sandbox_server: PlivoSandbox, lanes: list[Lane]
) -> Iterator[dict[str, Observed]]:
    """A plugin pointed at a closed port: nothing ever reaches the sandbox."""
    closed = "http://127.0.0.1:9"
    cases = [Case(f"{target.name}-refused", target) for target in TARGETS]
    env = {
        "PLIVO_API_BASE_URL": closed,
        "PLIVO_LOOKUP_BASE_URL": closed,
        "PLIVO_PHLO_BASE_URL": closed,
    }
    with StandInDaemon(env=env) as daemon:
        yield run_cases(daemon, sandbox_server, lanes[: len(cases)], cases)


@pytest.mark.parametrize("target", [target.name for target in TARGETS])
def test_connection_refused_is_retried_then_says_nothing_was_sent(
    refused_observed: dict[str, Observed], target: str
) -> None:
    seen = refused_observed[f"{target}-refused"]
    sane(seen)
    assert seen.count() == 0
    assert seen.elapsed >= MIN_BACKOFF_SECONDS, "a refused connection is retried with backoff"
    failed_with(seen, "ConnectionFailedError", "could not be reached", "nothing was sent")


def test_every_tool_that_talks_to_plivo_is_in_the_matrix() -> None:
    """A new tool must join the matrix: compare with the tools the provider declares."""
    import yaml

    from devtools.daemon import PLUGIN_ROOT

    provider = yaml.safe_load((PLUGIN_ROOT / "provider" / "plivo_sms.yaml").read_text())
    declared = {path.split("/")[-1].removesuffix(".yaml") for path in provider["tools"]}
    assert {target.tool for target in TARGETS if target.tool} == declared
    assert {target.name for target in CREATING_TARGETS} == CREATING_NAMES
    assert all(target.check for target in CREATING_TARGETS)
    assert set(DEFECTS) <= {case.key for case in ALL_CASES}, "a defect names no case"


def test_a_lane_owns_its_phlo_requests_also_with_a_wrong_token() -> None:
    """The PHLO runner's path is lower-case and needs no match on the authenticated account."""
    mine = Lane(lane_account("own", 0), "+14155559000")
    other = Lane(lane_account("own", 1), "+14155559001")

    def request(path: str) -> RecordedRequest:
        return RecordedRequest("POST", path, {}, {}, b"", None, {}, None, 1, 0.0)

    phlo = request(f"/v1/account/{mine.auth_id}/phlo/5f0e4a8c-0000-4000-8000-00000000dead")
    assert mine.owns(phlo)
    assert not other.owns(phlo)
    assert mine.owns(request(f"/v1/Account/{mine.auth_id}/Call/"))
    assert not mine.owns(request(f"/v1/Account/{other.auth_id}/Call/"))
