"""The poll engine with a fake clock: exact schedule, budget, early stop, failing polls, bulk turns.

How the outcome is shown (``delivery`` entries, summaries) is tested with the tools that show it:
tests/features/test_send_sms.py and tests/features/test_get_message.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from plivo_api.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
)
from plivo_api.resources.messages import MessageRecord
from plivo_api.toolkit.polling import (
    MAX_POLLS_PER_ROUND,
    MAX_WAIT_SECONDS,
    MIN_POLL_TIMEOUT_SECONDS,
    POLL_GRACE_SECONDS,
    POLL_INTERVAL_CAP,
    Clock,
    bounded_fetch,
    max_polls,
    poll_interval,
    read_message,
    sleep_plan,
    wait_for_final,
)
from plivo_api.transport.client import PlivoClient
from plivo_api.transport.credentials import Credentials
from plivo_api.transport.sessions import SessionPool

if TYPE_CHECKING:
    from devtools.sandbox import PlivoSandbox

U1 = "5f0e4a8c-0000-4000-8000-00000000000a"
U2 = "5f0e4a8c-0000-4000-8000-00000000000b"
U3 = "5f0e4a8c-0000-4000-8000-00000000000c"


class FakeClock:
    """Time passes only through ``sleep`` (and ``advance``, for request durations)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.t += seconds

    def advance(self, seconds: float) -> None:
        self.t += seconds

    @property
    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


def record(
    uuid: str, state: str, error_code: str = "000", to: str = "14155550123"
) -> MessageRecord:
    return MessageRecord.from_json(
        {"message_uuid": uuid, "message_state": state, "error_code": error_code, "to_number": to}
    )


class Script:
    """A fake ``get_message``: the state of each UUID as a function of elapsed fake time."""

    def __init__(
        self,
        fake: FakeClock,
        timeline: dict[str, list[tuple[float, str, str]]],
        request_seconds: float = 0.0,
        errors: dict[str, Callable[[float], Exception | None]] | None = None,
    ) -> None:
        self.fake = fake
        self.start = fake.t
        self.timeline = timeline
        self.request_seconds = request_seconds
        self.errors = errors or {}
        self.calls: list[tuple[str, float]] = []

    def __call__(self, uuid: str) -> MessageRecord:
        elapsed = self.fake.t - self.start
        self.calls.append((uuid, elapsed))
        self.fake.advance(self.request_seconds)
        check = self.errors.get(uuid)
        failure = check(elapsed) if check is not None else None
        if failure is not None:
            raise failure
        state, code = "queued", "000"
        for at, new_state, new_code in self.timeline[uuid]:
            if elapsed >= at:
                state, code = new_state, new_code
        return record(uuid, state, code)


# -- schedule ---------------------------------------------------------------------------------


def test_poll_interval_grows_then_caps_at_five_seconds() -> None:
    assert [poll_interval(i) for i in range(7)] == [0.5, 1.0, 2.0, 3.0, 5.0, 5.0, 5.0]
    assert POLL_INTERVAL_CAP == 5.0


@pytest.mark.parametrize("budget", [0, 0.2, 1, 7, 10, 30, 59, 60])
def test_sleep_plan_sums_to_the_budget_and_never_exceeds_the_cap(budget: float) -> None:
    plan = sleep_plan(budget)
    assert sum(plan) == pytest.approx(budget)
    assert all(0 < s <= POLL_INTERVAL_CAP for s in plan)


def test_a_minute_costs_fifteen_polls_per_message() -> None:
    assert max_polls(60) == 15
    assert max_polls(60, 3, first_look=True) == 48
    assert max_polls(10) == 5


# -- the loop ---------------------------------------------------------------------------------


def test_waits_the_whole_budget_exactly_when_nothing_becomes_final() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "sent", "000")]})
    report = wait_for_final(fetch, [U1], 10, clock=fake.clock)
    assert fake.sleeps == [0.5, 1.0, 2.0, 3.0, 3.5]  # the last sleep shortened to the deadline
    assert sum(fake.sleeps) == 10
    assert report.waited_seconds == 10
    assert report.polls == len(fetch.calls) == 5
    assert [at for _, at in fetch.calls] == [0.5, 1.5, 3.5, 6.5, 10.0]
    [only] = report.observations
    assert (only.state, only.final, only.poll_error) == ("sent", False, None)
    assert not all(o.final for o in report.observations)
    assert not report.all_delivered  # "sent" is not a confirmed delivery


def test_stops_as_soon_as_every_message_is_final() -> None:
    fake = FakeClock()
    fetch = Script(
        fake,
        {
            U1: [(0.4, "sent", "000"), (1.2, "delivered", "000")],
            U2: [(0.4, "sent", "000"), (3.0, "undelivered", "30")],
        },
    )
    report = wait_for_final(fetch, [U1, U2], 60, clock=fake.clock)
    assert fake.sleeps == [0.5, 1.0, 2.0]
    # U1 is final at 1.5 s and is not polled again; U2 becomes final at 3.5 s.
    assert fetch.calls == [(U1, 0.5), (U2, 0.5), (U1, 1.5), (U2, 1.5), (U2, 3.5)]
    assert report.waited_seconds == 3.5
    assert all(o.final for o in report.observations)
    assert not report.all_delivered
    delivered, undelivered = report.observations
    assert delivered.state == "delivered" and delivered.to == "+14155550123"
    assert undelivered.state == "undelivered"
    assert undelivered.record is not None and undelivered.record.error_code == "30"


def test_all_delivered_needs_every_message_delivered() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "delivered", "000")], U2: [(0.0, "read", "000")]})
    report = wait_for_final(fetch, [U1, U2], 5, clock=fake.clock)
    assert report.all_delivered
    assert report.polls == 2
    assert wait_for_final(fetch, [], 5, clock=fake.clock).all_delivered is False


def test_budget_is_not_exceeded_when_requests_take_time() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [], U2: [], U3: []}, request_seconds=0.4)
    report = wait_for_final(fetch, [U1, U2, U3], 6, clock=fake.clock)
    start = fetch.start
    # No GET starts later than the grace after the deadline, and the loop never sleeps past it.
    assert all(at <= 6 + POLL_GRACE_SECONDS for _, at in fetch.calls)
    assert fake.t - start <= 6 + POLL_GRACE_SECONDS + fetch.request_seconds
    assert report.polls <= max_polls(6, 3)
    assert {o.state for o in report.observations} == {"queued"}


def test_the_final_look_at_the_deadline_polls_every_pending_message() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [], U2: [], U3: []}, request_seconds=0.05)
    wait_for_final(fetch, [U1, U2, U3], 2, clock=fake.clock)
    assert fake.sleeps == pytest.approx([0.5, 1.0, 0.2])  # rounds of 0.15 s use up the budget
    last_round = fetch.calls[-3:]
    assert [uuid for uuid, _ in last_round] == [U1, U2, U3]
    assert [at for _, at in last_round] == pytest.approx([2.0, 2.05, 2.1])


def test_failing_poll_without_any_record_is_unknown_with_the_error() -> None:
    fake = FakeClock()
    fetch = Script(
        fake,
        {U1: [(0.0, "delivered", "000")], U2: []},
        errors={U2: lambda _: ServerError("Plivo had a server error.", status=503)},
    )
    report = wait_for_final(fetch, [U1, U2], 4, clock=fake.clock, recipients=["+1", "+2"])
    ok, broken = report.observations
    assert ok.state == "delivered"
    assert (broken.state, broken.final, broken.record) == ("unknown", False, None)
    assert broken.to is None  # two recipients: which number it is, is not certain
    assert broken.poll_error == "Plivo had a server error. (HTTP 503)"
    assert sum(fake.sleeps) == 4  # kept trying within the budget


def test_failing_poll_after_a_read_keeps_the_last_state() -> None:
    fake = FakeClock()
    fetch = Script(
        fake,
        {U1: [(0.0, "sent", "000")]},
        errors={U1: lambda at: ServerError("boom") if at > 1 else None},
    )
    [observation] = wait_for_final(fetch, [U1], 4, clock=fake.clock).observations
    assert observation.state == "sent"
    assert observation.poll_error == "boom"


def test_not_yet_visible_message_stays_queued_and_is_polled_again() -> None:
    fake = FakeClock()
    fetch = Script(
        fake,
        {U1: [(2.0, "delivered", "000")]},
        errors={U1: lambda at: NotFoundError("No such message") if at < 1 else None},
    )
    report = wait_for_final(fetch, [U1], 10, clock=fake.clock, recipients=["+14155550123"])
    assert [at for _, at in fetch.calls] == [0.5, 1.5, 3.5]
    assert report.all_delivered


def test_queued_message_with_single_recipient_reports_its_number() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: []}, errors={U1: lambda _: NotFoundError("not yet")})
    [entry] = wait_for_final(
        fetch, [U1], 1, clock=fake.clock, recipients=["+447400123456"]
    ).observations
    assert (entry.state, entry.checked, entry.poll_error) == ("queued", True, None)
    assert entry.to == "+447400123456"


def test_a_credential_error_stops_the_wait() -> None:
    fake = FakeClock()
    fetch = Script(
        fake, {U1: [], U2: []}, errors={U1: lambda _: AuthenticationError("rejected", status=401)}
    )
    report = wait_for_final(fetch, [U1, U2], 30, clock=fake.clock)
    assert fetch.calls == [(U1, 0.5)]
    assert fake.sleeps == [0.5]
    assert report.observations[0].state == "unknown"


def test_zero_budget_makes_no_request() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: []})
    report = wait_for_final(fetch, [U1], 0, clock=fake.clock)
    assert fetch.calls == []
    assert fake.sleeps == []
    [entry] = report.observations
    assert entry.state == "unknown"  # never looked at: not claimed to be queued
    assert entry.checked is False


@pytest.mark.parametrize("budget", [-1, MAX_WAIT_SECONDS + 1])
def test_budget_outside_the_range_is_a_programming_error(budget: float) -> None:
    fake = FakeClock()
    with pytest.raises(ValueError, match="budget"):
        wait_for_final(Script(fake, {U1: []}), [U1], budget, clock=fake.clock)


# -- read_message (get_message) ---------------------------------------------------------------


def test_read_message_without_wait_reads_once() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "sent", "000")]})
    status = read_message(fetch, U1, 0, clock=fake.clock)
    assert len(fetch.calls) == 1
    assert status.polls == 1
    assert (status.record.state, status.record.final) == ("sent", False)


def test_read_message_waits_until_final_and_counts_the_first_read() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "queued", "000"), (1.0, "failed", "900")]})
    status = read_message(fetch, U1, 30, clock=fake.clock)
    assert [at for _, at in fetch.calls] == [0.0, 0.5, 1.5]
    assert status.polls == 3
    assert (status.record.state, status.record.final, status.record.error_code) == (
        "failed",
        True,
        "900",
    )
    assert status.waited_seconds == 1.5


def test_read_message_budget_includes_the_first_read() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "sent", "000")]}, request_seconds=0.3)
    status = read_message(fetch, U1, 3, clock=fake.clock)
    assert fake.sleeps[-1] == pytest.approx(3 - (0.3 + 0.5 + 0.3 + 1.0 + 0.3))
    assert status.waited_seconds == pytest.approx(3.3)  # the final look's own request
    assert status.polls == max_polls(3, first_look=True)


def test_read_message_first_read_errors_propagate_without_a_wait() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: []}, errors={U1: lambda _: NotFoundError("No such message")})
    with pytest.raises(NotFoundError, match="No such message"):
        read_message(fetch, U1, 0, clock=fake.clock)
    assert fake.sleeps == []


def test_read_message_404_is_no_such_message_only_after_the_whole_wait() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: []}, errors={U1: lambda _: NotFoundError("No such message")})
    with pytest.raises(NotFoundError, match="No such message"):
        read_message(fetch, U1, 10, clock=fake.clock)
    assert sum(fake.sleeps) == pytest.approx(10)


def test_read_message_right_after_a_send_waits_for_the_record_to_appear() -> None:
    """A 404 before Plivo shows the record is not "no such message" when the user asked to wait."""
    fake = FakeClock()
    fetch = Script(
        fake,
        {U1: [(0.0, "queued", "000"), (1.0, "delivered", "000")]},
        errors={U1: lambda at: NotFoundError("No such message") if at < 0.5 else None},
    )
    status = read_message(fetch, U1, 10, clock=fake.clock)
    assert status.record.state == "delivered"
    assert sum(fake.sleeps) == pytest.approx(1.5)


def test_a_bulk_wait_polls_every_message_in_turn_and_never_calls_the_unpolled_queued() -> None:
    fake = FakeClock()
    uuids = [f"5f0e4a8c-0000-4000-8000-{n:012d}" for n in range(120)]
    fetch = Script(fake, {u: [(0.0, "sent", "000")] for u in uuids}, request_seconds=0.05)
    report = wait_for_final(fetch, uuids, 1, clock=fake.clock)
    per_round = [u for u, _ in fetch.calls]
    assert len(per_round) <= 2 * MAX_POLLS_PER_ROUND
    assert len(set(per_round)) == len(per_round)  # nobody polled twice while others waited
    states = [o.state for o in report.observations]
    assert states.count("sent") == len(per_round)
    assert states.count("unknown") == 120 - len(per_round)
    assert "queued" not in states


def test_read_message_later_failures_keep_the_last_state() -> None:
    fake = FakeClock()
    fetch = Script(
        fake,
        {U1: [(0.0, "sent", "000")]},
        errors={U1: lambda at: ServerError("Plivo had a server error") if at > 0 else None},
    )
    status = read_message(fetch, U1, 2, clock=fake.clock)
    assert status.record.state == "sent"
    assert status.poll_error == "Plivo had a server error"


def test_bounded_fetch_polls_once_with_a_timeout_cut_to_the_time_left(
    sandbox: PlivoSandbox, pool: SessionPool
) -> None:
    """A hanging Plivo cannot stretch a wait: no retries, and the read gives up with the budget."""
    from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault

    client = PlivoClient(
        Credentials(DEMO_AUTH_ID, DEMO_AUTH_TOKEN), base_url=sandbox.url, pool=pool
    )
    sandbox.inject(Fault(method="GET", path="/Message/", delay=1.4, times=3))
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        bounded_fetch(client, 0.2)(U1)
    elapsed = time.monotonic() - started
    assert elapsed < MIN_POLL_TIMEOUT_SECONDS + 0.6
    assert len(sandbox.wait_for_requests(1)) == 1
    time.sleep(0.3)
    assert len(sandbox.requests) == 1  # not retried


@pytest.mark.parametrize(
    "error",
    [
        PermissionDeniedError("denied", status=403),
        InvalidRequestError("refused", status=400),
    ],
)
def test_errors_every_further_poll_would_repeat_stop_the_wait(error: Exception) -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [], U2: []}, errors={U2: lambda _: error})
    report = wait_for_final(fetch, [U1, U2], 30, clock=fake.clock)
    assert fetch.calls == [(U1, 0.5), (U2, 0.5)]
    assert report.observations[1].poll_error == str(error)


def test_a_received_inbound_message_is_final_and_ends_the_wait() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "received", "000")]})
    report = wait_for_final(fetch, [U1], 30, clock=fake.clock)
    assert all(o.final for o in report.observations)
    assert fake.sleeps == [0.5]
    assert not report.all_delivered  # an inbound message is not a delivery


def test_read_message_returns_a_final_record_without_waiting() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "received", "000")]})
    status = read_message(fetch, U1, 30, clock=fake.clock)
    assert status.record.state == "received"
    assert fake.sleeps == []
    assert len(fetch.calls) == 1


def test_the_same_uuid_twice_is_polled_as_one_message() -> None:
    fake = FakeClock()
    fetch = Script(fake, {U1: [(0.0, "delivered", "000")]})
    report = wait_for_final(fetch, [U1, U1], 5, clock=fake.clock)
    assert len(report.observations) == 1
    assert fetch.calls == [(U1, 0.5)]
