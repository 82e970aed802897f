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

Retention: the storage has no expiry and no listing, so records live in :data:`SLOT_COUNT` slot
keys chosen by the job's digest, each holding at most :data:`RECORDS_PER_SLOT` records; the
oldest are dropped when a slot is full, and records older than :data:`RECORD_RETENTION_SECONDS`
whenever their slot is written. Storage use is bounded (about 1 MB) whatever the traffic.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from ..kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_record,
    text_of,
    write_record,
)

logger = logging.getLogger(__name__)

LEASE_SECONDS: Final = 45.0
SLOT_COUNT: Final = 1024
RECORDS_PER_SLOT: Final = 8
RECORD_RETENTION_SECONDS: Final = 24 * 3600
"""Plivo retries for minutes (one support article says up to 24 hours); older records only
take space."""
OWNER_TOKEN_BYTES: Final = 8
RECORD_VERSION: Final = 1

JobState = Literal["running", "replying", "done"]
STATE_RUNNING: Final = "running"
STATE_REPLYING: Final = "replying"
STATE_DONE: Final = "done"
OUTCOME_REPLY_UNKNOWN: Final = "reply_unknown"
"""A handling died after it started to send its reply: whether the reply left is unknown."""


@dataclass(frozen=True)
class JobRecord:
    state: JobState
    since: float
    owner: str
    outcome: str = ""

    def to_json(self) -> dict[str, object]:
        return {"s": self.state, "t": round(self.since, 3), "o": self.owner, "r": self.outcome}

    @classmethod
    def from_json(cls, raw: object) -> JobRecord | None:
        if not isinstance(raw, dict):
            return None
        state = raw.get("s")
        if state not in (STATE_RUNNING, STATE_REPLYING, STATE_DONE):
            return None
        return cls(state, number_of(raw.get("t")), text_of(raw.get("o")), text_of(raw.get("r")))


@dataclass(frozen=True)
class Lease:
    """Permission to handle one job, until :data:`LEASE_SECONDS` after ``since``."""

    job: str
    owner: str
    since: float


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

    def acquire(self, job_id: str) -> Decision:
        """Take the lease of ``job_id`` (e.g. ``inbound:<MessageUUID>``), or say why not."""
        job = self._scope.digest_of(job_id)
        now = self._clock()
        records = self._records(job)
        record = records.get(job)
        took_over = False
        if record is not None:
            if record.state == STATE_DONE:
                return Finished(record.outcome)
            if record.state == STATE_REPLYING:
                return Finished(OUTCOME_REPLY_UNKNOWN)
            age = now - record.since
            if 0 <= age < LEASE_SECONDS:
                return Busy(age)
            took_over = True
        owner = self._new_owner()
        self._put(records, job, JobRecord(STATE_RUNNING, now, owner), now)
        current = self._records(job).get(job)
        if current is None or current.owner != owner:
            return Busy(0.0)  # another handler wrote after us: it goes on, we stop
        return Acquired(Lease(job, owner, now), took_over)

    def claim(self, lease: Lease) -> bool:
        """Right before an irreversible step (sending): still ours? Then mark it ``replying``.

        False means the lease expired and another handling took over, or the storage failed to
        show our write: the caller must not send.
        """
        now = self._clock()
        if now - lease.since >= LEASE_SECONDS:
            return False
        records = self._records(lease.job)
        current = records.get(lease.job)
        if current is None or current.owner != lease.owner or current.state != STATE_RUNNING:
            return False
        self._put(records, lease.job, JobRecord(STATE_REPLYING, now, lease.owner), now)
        current = self._records(lease.job).get(lease.job)
        return current is not None and current.owner == lease.owner

    def finish(self, lease: Lease, outcome: str) -> bool:
        """Record the job as done; False (nothing written) when another handling owns it now."""
        now = self._clock()
        records = self._records(lease.job)
        current = records.get(lease.job)
        if current is not None and current.owner != lease.owner:
            logger.info("a later handling owns this job; its outcome is kept")
            return False
        self._put(records, lease.job, JobRecord(STATE_DONE, now, lease.owner, outcome), now)
        return True

    # -- slots -----------------------------------------------------------------------------------

    def _slot_key(self, job: str) -> str:
        return self._scope.key("jobs", f"{int(job[:8], 16) % SLOT_COUNT:04d}")

    def _records(self, job: str) -> dict[str, JobRecord]:
        stored = read_record(self._store, self._slot_key(job))
        jobs = stored.get("jobs") if stored else None
        if not isinstance(jobs, dict):
            return {}
        records: dict[str, JobRecord] = {}
        for key, raw in jobs.items():
            record = JobRecord.from_json(raw)
            if record is not None:
                records[str(key)] = record
        return records

    def _put(self, records: dict[str, JobRecord], job: str, record: JobRecord, now: float) -> None:
        """Write the job's slot as just read (``records``) with ``record`` in it, dropping expired
        and (when full) the oldest records."""
        records = {**records, job: record}
        kept = {
            key: value
            for key, value in records.items()
            if key == job or now - value.since < RECORD_RETENTION_SECONDS
        }
        if len(kept) > RECORDS_PER_SLOT:
            # Finished records go first (oldest first): evicting a live lease would let a retry
            # of that job start over while its handling is still running.
            others = sorted(
                (key for key in kept if key != job),
                key=lambda key: (kept[key].state != STATE_DONE, kept[key].since),
            )
            for key in others[: len(kept) - RECORDS_PER_SLOT]:
                del kept[key]
        write_record(
            self._store,
            self._slot_key(job),
            {"v": RECORD_VERSION, "jobs": {key: value.to_json() for key, value in kept.items()}},
        )


__all__ = [
    "LEASE_SECONDS",
    "OUTCOME_REPLY_UNKNOWN",
    "RECORDS_PER_SLOT",
    "RECORD_RETENTION_SECONDS",
    "SLOT_COUNT",
    "Acquired",
    "Busy",
    "Decision",
    "Finished",
    "JobRecord",
    "Lease",
    "LeaseBook",
]
