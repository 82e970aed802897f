"""Exactly-once webhook jobs: leases, takeovers after a death, claims, bounded retention."""

from __future__ import annotations

import itertools
import json

from devtools.daemon import StandInStorage
from plivo_api.inbound.leases import (
    LEASE_SECONDS,
    OUTCOME_REPLY_UNKNOWN,
    RECORD_RETENTION_SECONDS,
    RECORDS_PER_SLOT,
    SLOT_COUNT,
    Acquired,
    Busy,
    Finished,
    LeaseBook,
)
from plivo_api.kvstore import StorageScope

SCOPE = StorageScope.for_account("MAXXXXXXXXXXXXXXXXXX")
JOB = "inbound:2a0c4d6e-0000-4000-8000-000000000001"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def book(store: StandInStorage, clock: Clock) -> LeaseBook:
    return LeaseBook(store, SCOPE, clock=clock)


def slot_of(job: str) -> int:
    return int(SCOPE.digest_of(job)[:8], 16) % SLOT_COUNT


def jobs_sharing_a_slot_with(job: str, count: int) -> list[str]:
    """``job`` and ``count - 1`` other jobs that land in the same storage slot."""
    found = [job]
    for n in itertools.count():
        other = f"inbound:other-{n}"
        if slot_of(other) == slot_of(job):
            found.append(other)
            if len(found) == count:
                return found
    raise AssertionError("unreachable")


def acquired(decision: object) -> Acquired:
    assert isinstance(decision, Acquired), decision
    return decision


def test_a_finished_job_is_never_handled_again() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    first = acquired(leases.acquire(JOB))
    assert not first.took_over
    assert leases.finish(first.lease, "replied")
    clock.now += 10 * RECORD_RETENTION_SECONDS - 1  # long after, but the slot was not rewritten
    assert leases.acquire(JOB) == Finished("replied")


def test_a_job_being_handled_is_busy_until_its_lease_expires_then_taken_over() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    first = acquired(leases.acquire(JOB))
    clock.now += LEASE_SECONDS - 1
    assert isinstance(leases.acquire(JOB), Busy)
    clock.now += 2
    second = acquired(leases.acquire(JOB))
    assert second.took_over
    # the first handling wakes up: it may neither send nor overwrite the second one's outcome
    assert not leases.claim(first.lease)
    assert not leases.finish(first.lease, "replied")
    assert leases.claim(second.lease)
    assert leases.finish(second.lease, "replied")
    assert leases.acquire(JOB) == Finished("replied")


def test_a_handling_that_died_while_replying_is_never_repeated() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    lease = acquired(leases.acquire(JOB)).lease
    assert leases.claim(lease)
    clock.now += 10 * LEASE_SECONDS
    assert leases.acquire(JOB) == Finished(OUTCOME_REPLY_UNKNOWN)


def test_a_lease_past_its_time_cannot_be_claimed_even_if_nobody_took_over() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    lease = acquired(leases.acquire(JOB)).lease
    clock.now += LEASE_SECONDS
    assert not leases.claim(lease)


def test_a_write_lost_to_another_handler_makes_this_one_stop() -> None:
    class Racing(StandInStorage):
        """Another handler's lease lands right after ours (the same slot, the same job)."""

        other: bytes | None = None

        def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
            super().set(key, value, session_id=session_id)
            if self.other is not None:
                super().set(key, self.other, session_id=session_id)

    store, clock = Racing(), Clock()
    rival_store = StandInStorage()
    rival = LeaseBook(rival_store, SCOPE, clock=clock, new_owner=lambda: "rival")
    acquired(rival.acquire(JOB))
    [(_, stored)] = rival_store.snapshot().items()
    store.other = stored
    assert isinstance(LeaseBook(store, SCOPE, clock=clock).acquire(JOB), Busy)


def test_different_jobs_do_not_disturb_each_other() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    jobs = [f"inbound:{n}" for n in range(50)]
    held = [acquired(leases.acquire(job)) for job in jobs]
    for job, decision in zip(jobs, held, strict=True):
        assert leases.finish(decision.lease, job)
    assert all(leases.acquire(job) == Finished(job) for job in jobs)


def test_storage_stays_bounded_whatever_the_traffic() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    for n in range(SLOT_COUNT * RECORDS_PER_SLOT * 2):
        clock.now += 0.01
        leases.finish(acquired(leases.acquire(f"inbound:{n}")).lease, "replied")
    values = store.snapshot()
    assert len(values) <= SLOT_COUNT
    assert all(len(json.loads(v)["jobs"]) <= RECORDS_PER_SLOT for v in values.values())
    assert sum(len(v) for v in values.values()) < 1_200_000


def test_a_full_slot_drops_finished_records_before_live_leases() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    same_slot = jobs_sharing_a_slot_with(JOB, RECORDS_PER_SLOT + 2)
    live = acquired(leases.acquire(same_slot[0]))  # the oldest record, still running
    for job in same_slot[1:]:
        clock.now += 1
        leases.finish(acquired(leases.acquire(job)).lease, "replied")
    assert isinstance(leases.acquire(same_slot[0]), Busy)
    assert leases.claim(live.lease)
    assert isinstance(leases.acquire(same_slot[1]), Acquired)  # the oldest finished one went


def test_records_older_than_the_retention_are_dropped_when_their_slot_is_written() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    leases.finish(acquired(leases.acquire(JOB)).lease, "replied")
    [key] = store.snapshot()
    assert key.endswith(f"/jobs/{slot_of(JOB):04d}")
    clock.now += RECORD_RETENTION_SECONDS + 1
    [_, other] = jobs_sharing_a_slot_with(JOB, 2)
    leases.acquire(other)
    assert len(json.loads(store.get(key))["jobs"]) == 1
