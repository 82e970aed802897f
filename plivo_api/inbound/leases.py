"""Exactly-once handling of Plivo webhooks with nothing but plugin storage.

Plivo retries a webhook that got no 2xx answer within 8 seconds, after 60, 120 and 240 seconds
(https://support.plivo.com/hc/en-us/articles/360041344652). A retry must not run the app again
or send a second reply once the first handling finished; but a handling that *died* (Plivo hung
up after 8 s, so Dify closed the endpoint session and every later storage or app call of that
handling fails) must not block the message for good.

Each handling therefore takes a **lease**: a record "running since T, owner O". A request that
finds

- a ``done`` record answers at once and does nothing (a finished handling is never repeated);
- a ``running`` record younger than :data:`LEASE_SECONDS` is *busy*: someone is on it, and the
  caller asks Plivo to try again later;
- a ``running`` record older than that takes it over: its owner died;
- a ``replying`` record (the owner had started to send the reply) is treated as done, whatever
  its age: the reply may have left, and a message gets at most one.

Why this is safe enough without compare-and-set (the storage has none):

- every write is read back, and a handler that does not find its own owner token stops. Two
  handlers can both proceed only if each one's read-back happens before the other's write, i.e.
  two deliveries of the same message inside one storage round trip. Plivo does not do that: its
  retries come 60 s or more apart.
- :data:`LEASE_SECONDS` (45 s) is longer than any handling can live (Plivo hangs up after 8 s and
  Dify then closes the session) and shorter than Plivo's first retry (60 s), so the first retry
  after a death takes over.
- right before the reply is sent, :meth:`LeaseBook.claim` checks the lease again and marks it
  ``replying``: a handler whose lease was taken over never sends.

Each job has its own record, one per slot key (:data:`JOB_SLOTS` of them), so two messages
arriving together never write the same record and never hold each other up: a slot taken by
another job that is still remembered sends the newcomer to the next slot (at most
:data:`MAX_PROBES`). A record is **remembered for :data:`JOB_MEMORY_SECONDS` (one hour)** after
its handling started: Plivo's last retry comes about 7.5 minutes after the first attempt (an
8-second timeout, then retries after 60, 120 and 240 seconds), so the hour covers the whole
schedule eight times over. Only then may another job take its slot. Storage stays bounded
(about :data:`JOB_SLOTS` x 100 bytes) whatever the traffic.

A handling that replies records the reply in the sender's record (:mod:`.senders`) instead of
here, in the same write that keeps the conversation: a job found there is done, whatever its
lease says.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from ..webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_record_or_none,
    text_of,
    write_record,
)

logger = logging.getLogger(__name__)

LEASE_SECONDS: Final = 45.0
JOB_SLOTS: Final = 8192
MAX_PROBES: Final = 4
JOB_MEMORY_SECONDS: Final = 3600.0
OWNER_TOKEN_BYTES: Final = 8

JobState = Literal["running", "replying", "done"]
STATE_RUNNING: Final = "running"
STATE_REPLYING: Final = "replying"
STATE_DONE: Final = "done"
OUTCOME_REPLY_UNKNOWN: Final = "reply_unknown"
"""A handling died after it started to send its reply: whether the reply left is unknown."""


@dataclass(frozen=True)
class JobRecord:
    job: str
    state: JobState
    since: float
    owner: str
    outcome: str = ""

    def to_json(self) -> dict[str, object]:
        record = {"j": self.job, "s": self.state, "t": round(self.since, 3), "o": self.owner}
        return {**record, "r": self.outcome} if self.outcome else record

    @classmethod
    def from_json(cls, raw: object) -> JobRecord | None:
        if not isinstance(raw, dict):
            return None
        state = raw.get("s")
        if state not in (STATE_RUNNING, STATE_REPLYING, STATE_DONE):
            return None
        return cls(
            text_of(raw.get("j")),
            state,
            number_of(raw.get("t")),
            text_of(raw.get("o")),
            text_of(raw.get("r")),
        )


@dataclass(frozen=True)
class Lease:
    """Permission to handle one job, until :data:`LEASE_SECONDS` after ``since``; ``key`` is
    the slot its record lives in."""

    job: str
    owner: str
    since: float
    key: str


@dataclass(frozen=True)
class Acquired:
    lease: Lease
    took_over: bool  # a previous handling of the same job died


@dataclass(frozen=True)
class Finished:
    outcome: str


@dataclass(frozen=True)
class Busy:
    age_seconds: float


Decision = Acquired | Finished | Busy


class LeaseBook:
    """Leases and outcomes of webhook jobs of one Plivo account."""

    def __init__(
        self,
        store: KeyValueStore,
        scope: StorageScope,
        *,
        clock: Callable[[], float] = time.time,
        new_owner: Callable[[], str] = lambda: secrets.token_hex(OWNER_TOKEN_BYTES),
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock
        self._new_owner = new_owner

    def job_digest(self, job_id: str) -> str:
        return self._scope.digest_of(job_id)

    def acquire(self, job_id: str) -> Decision:
        """Take the lease of ``job_id`` (e.g. ``inbound:<MessageUUID>``), or say why not.

        Three storage calls for a new job: read its slot, write it, read it back.
        """
        job = self.job_digest(job_id)
        now = self._clock()
        owner = self._new_owner()
        took_over = False
        for _ in range(MAX_PROBES):
            found = self._find(job, now)
            if isinstance(found, tuple):
                key, record = found
                if record.state == STATE_DONE:
                    return Finished(record.outcome)
                if record.state == STATE_REPLYING:
                    return Finished(OUTCOME_REPLY_UNKNOWN)
                age = now - record.since
                if record.owner != owner and 0 <= age < LEASE_SECONDS:
                    return Busy(age)
                took_over = took_over or record.owner != owner
            else:
                key = found
            write_record(self._store, key, JobRecord(job, STATE_RUNNING, now, owner).to_json())
            current = self._read(key)
            if current is None or current.owner == owner:
                return Acquired(Lease(job, owner, now, key), took_over)
            if current.job == job:
                return Busy(0.0)  # another delivery of this job wrote after us: it goes on
            # Another job took the same free slot at the same moment: look again (its record
            # now keeps that slot, so the search moves on to the next one).
        logger.warning("no free exactly-once slot; this message is handled without one")
        return Acquired(Lease(job, owner, now, key), took_over)

    def held(self, lease: Lease) -> bool:
        """Whether the lease is still ours: nobody can take over before :data:`LEASE_SECONDS`.

        Checked right before an irreversible step (sending): false means a retry may already
        be handling the job again, and the caller must not send.
        """
        return self._clock() - lease.since < LEASE_SECONDS

    def claim(self, lease: Lease) -> bool:
        """Right before an irreversible step: still ours? Then mark it ``replying``."""
        if not self.held(lease):
            return False
        record = JobRecord(lease.job, STATE_REPLYING, self._clock(), lease.owner)
        write_record(self._store, lease.key, record.to_json())
        return True

    def finish(self, lease: Lease, outcome: str) -> bool:
        """Record the job as done; False (nothing written) once another handling may own it."""
        if not self.held(lease):
            logger.info("a later handling may own this job; its outcome is kept")
            return False
        record = JobRecord(lease.job, STATE_DONE, lease.since, lease.owner, outcome)
        write_record(self._store, lease.key, record.to_json())
        return True

    # -- slots -----------------------------------------------------------------------------------

    def _read(self, key: str) -> JobRecord | None:
        return JobRecord.from_json(read_record_or_none(self._store, key))

    def _find(self, job: str, now: float) -> tuple[str, JobRecord] | str:
        """The job's slot and record, or the free slot it may take.

        A job only ever moves past slots whose records were remembered when it was written, and
        a slot's record is only ever replaced by a newer one: so past a record older than twice
        the memory (or an empty slot) the job cannot be, and the search stops there.
        """
        home = int(job[:8], 16)
        free: str | None = None
        for probe in range(MAX_PROBES):
            key = self._scope.key("jobs", f"{(home + probe) % JOB_SLOTS:05d}")
            record = self._read(key)
            if record is not None and record.job == job:
                return key, record
            age = now - record.since if record is not None else float("inf")
            if age >= JOB_MEMORY_SECONDS and free is None:
                free = key
            if age >= 2 * JOB_MEMORY_SECONDS:
                break
        # Every slot probed holds a remembered job (far more traffic than the table is sized
        # for): the home slot gives way, and that job's memory ends early.
        return free or self._scope.key("jobs", f"{home % JOB_SLOTS:05d}")


__all__ = [
    "JOB_MEMORY_SECONDS",
    "JOB_SLOTS",
    "LEASE_SECONDS",
    "MAX_PROBES",
    "OUTCOME_REPLY_UNKNOWN",
    "Acquired",
    "Busy",
    "Decision",
    "Finished",
    "JobRecord",
    "Lease",
    "LeaseBook",
]
