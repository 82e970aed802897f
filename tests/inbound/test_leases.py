"""Exactly-once webhook jobs: leases, takeovers after a death, claims, bounded retention."""

from __future__ import annotations

import itertools
import json

from devtools.daemon import StandInStorage
from plivo_api.inbound.leases import (
    JOB_MEMORY_SECONDS,
    JOB_SLOTS,
    LEASE_SECONDS,
    OUTCOME_REPLY_UNKNOWN,
    Acquired,
    Busy,
    Finished,
    LeaseBook,
)
from plivo_api.webhooks.kvstore import StorageScope

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
    return int(SCOPE.digest_of(job)[:8], 16) % JOB_SLOTS


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
    clock.now += 10 * JOB_MEMORY_SECONDS  # long after, but nobody needed the slot
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
    # the first handling wakes up: it may neither send nor write an outcome
    assert not leases.held(first.lease)
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


def test_jobs_sharing_a_slot_each_keep_their_own_record() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    jobs = jobs_sharing_a_slot_with(JOB, 3)
    held = [acquired(leases.acquire(job)) for job in jobs]
    assert len({decision.lease.key for decision in held}) == 3
    for job, decision in zip(jobs, held, strict=True):
        assert leases.finish(decision.lease, job)
    clock.now += JOB_MEMORY_SECONDS - 1
    assert all(leases.acquire(job) == Finished(job) for job in jobs)


def test_two_jobs_taking_the_same_free_slot_at_once_both_go_on() -> None:
    """Both read the slot empty, both write it: the one whose write was replaced moves on to the
    next slot instead of being told to come back later."""

    class Racing(StandInStorage):
        rival: bytes | None = None

        def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
            super().set(key, value, session_id=session_id)
            if self.rival is not None:
                rival, self.rival = self.rival, None
                super().set(key, rival, session_id=session_id)

    clock = Clock()
    other = jobs_sharing_a_slot_with(JOB, 2)[1]
    rival_store = StandInStorage()
    acquired(LeaseBook(rival_store, SCOPE, clock=clock).acquire(other))
    store = Racing()
    [(_, store.rival)] = rival_store.snapshot().items()
    mine = acquired(LeaseBook(store, SCOPE, clock=clock).acquire(JOB))
    records = [json.loads(value) for value in store.snapshot().values()]
    assert sorted(record["j"] for record in records) == sorted(
        [SCOPE.digest_of(JOB), SCOPE.digest_of(other)]
    )
    assert json.loads(store.snapshot()[mine.lease.key])["j"] == SCOPE.digest_of(JOB)


def test_a_job_is_remembered_for_the_whole_memory_window_then_its_slot_is_free() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    first = acquired(leases.acquire(JOB))
    leases.finish(first.lease, "replied")
    other = jobs_sharing_a_slot_with(JOB, 2)[1]
    clock.now += JOB_MEMORY_SECONDS - 1
    taken = acquired(leases.acquire(other))
    assert taken.lease.key != first.lease.key  # still remembered: the newcomer moves on
    assert leases.acquire(JOB) == Finished("replied")
    clock.now += 2 * JOB_MEMORY_SECONDS
    late = jobs_sharing_a_slot_with(JOB, 3)[2]
    assert acquired(leases.acquire(late)).lease.key == first.lease.key


def test_storage_stays_bounded_whatever_the_traffic() -> None:
    store, clock = StandInStorage(), Clock()
    leases = book(store, clock)
    for n in range(3000):
        clock.now += 5
        leases.finish(acquired(leases.acquire(f"inbound:{n}")).lease, "replied")
    assert len(store.snapshot()) <= JOB_SLOTS
    assert max(len(value) for value in store.snapshot().values()) < 120


def test_a_new_job_costs_three_storage_calls() -> None:
    store = StandInStorage()
    acquired(book(store, Clock()).acquire(JOB))
    assert [call.opt for call in store.calls] == ["get", "set", "get"]
