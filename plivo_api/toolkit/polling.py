"""The poll engine: wait for messages to reach a final state, one loop for all UUIDs of a request.

A 202 from Plivo means "queued". What happened next is only visible in the message record
(``GET Message/{uuid}/``), so ``get_message`` (``wait_seconds``) and
``send_sms`` (``wait_seconds``) poll it with the loop below.

Poll schedule
-------------
Sleep 0.5 s, 1 s, 2 s, 3 s, then every 5 s (the cap), always within the caller's budget of at
most 60 s; the sleep that would cross the deadline is shortened so the last look happens exactly
at the deadline. Polling stops as soon as every message is final (delivered, undelivered,
failed, rejected, read, received). When nothing becomes final, a 60 s wait makes 15 GETs per
message after the first look (``get_message`` reads once before waiting; ``send_sms`` has its
202 instead), a 10 s wait makes 5; ``max_polls`` gives the bound.

Why this schedule:

- Many outcomes come early: a small send leaves Plivo's queue quickly (it drains at 5 messages
  per second per account by default), ``failed`` (Plivo-internal) comes before hand-off, and
  a carrier that sends receipts often does so within seconds. The short early intervals report
  those with little delay instead of making the workflow sleep a fixed 5 s.
- Slow receipts take longer, and some never come: carriers in the US and Canada mostly send no
  delivery receipts, so such messages stay ``sent`` for good. Growing to a 5 s cap keeps the
  number of GETs low (about 12 per minute per message, far below Plivo's 300 requests per 5 s)
  while a final state is still noticed at most 5 s late. List Messages is deliberately not used:
  Plivo limits it to 20 requests per minute.
- ``sent`` at the deadline is reported as "handed to the carrier, no delivery receipt yet", not as
  a failure, and ``all_delivered`` stays false because delivery is not confirmed.

Budget rules: the loop never sleeps past the deadline, and no GET starts later than
``POLL_GRACE_SECONDS`` after it (the grace lets the final look at the deadline poll every pending
message despite the sleep's own overshoot). The tools poll through :func:`bounded_fetch`: no
retries, and connect and read timeouts no longer than the time left (at least
``MIN_POLL_TIMEOUT_SECONDS``), so a slow or failing Plivo cannot stretch the wait by more than
about one second.

Bulk sends: one round polls at most ``MAX_POLLS_PER_ROUND`` messages, least recently polled
first, so every message gets its turn and a 1,000-recipient wait stays far below Plivo's 300
requests per 5 s. A message the wait never reached is reported ``unknown`` ("not checked"),
never as ``queued``.

The wait makes GETs only. A failing poll never turns a successful send into a failed node: the
message keeps the last state read, or becomes ``unknown`` with the error text when none was read.
A 404 right after a send means Plivo's record is not visible yet; the message stays ``queued``
(for ``get_message`` with a wait, too: only a 404 that lasts the whole wait is "no such message").
Credential and permission errors stop the loop (every further GET would fail the same way).

The clock (``now`` and ``sleep``) is injectable so that the unit tests run the schedule exactly,
without real time passing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlivoError,
)
from ..messaging.states import DELIVERED_STATES, STATE_QUEUED, STATE_UNKNOWN, is_final
from ..resources.messages import MessageRecord, get_message
from ..transport.client import READ_TIMEOUT_SECONDS, PlivoClient, Timeouts
from ..transport.retry import NO_RETRY

logger = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 60
POLL_INTERVALS = (0.5, 1.0, 2.0, 3.0)
POLL_INTERVAL_CAP = 5.0
POLL_GRACE_SECONDS = 0.5
MIN_POLL_TIMEOUT_SECONDS = 1.0
MAX_POLLS_PER_ROUND = 50

# Errors that every further GET would repeat: stop waiting instead of spending the budget on them.
_STOPPING_ERRORS = (AuthenticationError, PermissionDeniedError, InvalidRequestError)

Fetch = Callable[[str], MessageRecord]


@dataclass(frozen=True)
class Clock:
    """Monotonic time and sleep; tests pass a fake pair that advances without waiting."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCK = Clock()


def poll_interval(index: int) -> float:
    """The ``index``-th sleep (from 0) of the schedule: 0.5, 1, 2, 3, then 5 s forever."""
    return POLL_INTERVALS[index] if index < len(POLL_INTERVALS) else POLL_INTERVAL_CAP


def sleep_plan(budget: float) -> tuple[float, ...]:
    """The sleeps of a wait of ``budget`` seconds in which nothing becomes final."""
    sleeps: list[float] = []
    remaining = float(budget)
    while remaining > 0:
        step = min(poll_interval(len(sleeps)), remaining)
        sleeps.append(step)
        remaining -= step
    return tuple(sleeps)


def max_polls(budget: float, messages: int = 1, *, first_look: bool = False) -> int:
    """Upper bound on GETs: one per message after each sleep, plus an optional first look."""
    return (len(sleep_plan(budget)) + (1 if first_look else 0)) * messages


@dataclass(frozen=True)
class Observation:
    """What is known about one message: the last record read, and the last poll failure."""

    message_uuid: str
    record: MessageRecord | None = None
    poll_error: str | None = None
    to_fallback: str | None = None
    polls: int = 0

    @property
    def state(self) -> str:
        if self.record is not None and self.record.state:
            return self.record.state
        if self.poll_error is not None or (self.polls == 0 and self.record is None):
            return STATE_UNKNOWN
        return STATE_QUEUED  # Plivo accepted it and no record is visible yet

    @property
    def final(self) -> bool:
        return is_final(self.state)

    @property
    def checked(self) -> bool:
        """False when the wait ended before this message's turn came."""
        return self.polls > 0 or self.record is not None

    @property
    def to(self) -> str | None:
        if self.record is not None and self.record.to_number:
            return self.record.to_number
        return self.to_fallback


@dataclass(frozen=True)
class DeliveryReport:
    """The outcome of a wait, in the order the UUIDs were given."""

    observations: tuple[Observation, ...]
    waited_seconds: float
    polls: int
    budget: float

    @property
    def all_delivered(self) -> bool:
        """True only when every message's delivery is confirmed; ``sent`` does not count."""
        return bool(self.observations) and all(
            o.state in DELIVERED_STATES for o in self.observations
        )


@dataclass
class _Tracker:
    observations: dict[str, Observation]
    polls: int = 0
    stop_error: str | None = None

    def pending(self) -> list[str]:
        return [uuid for uuid, o in self.observations.items() if not o.final]

    def next_round(self) -> list[str]:
        """Up to MAX_POLLS_PER_ROUND pending messages, least recently polled first."""
        pending = self.pending()
        pending.sort(key=lambda uuid: self.observations[uuid].polls)  # stable: keeps send order
        return pending[:MAX_POLLS_PER_ROUND]

    def poll(self, fetch: Fetch, uuid: str) -> None:
        self.polls += 1
        current = replace(self.observations[uuid], polls=self.observations[uuid].polls + 1)
        self.observations[uuid] = current
        try:
            record = fetch(uuid)
        except NotFoundError as error:
            if current.record is None:
                logger.debug("message %s not visible yet: %s", uuid, error)
                return  # just accepted by Plivo; its record appears shortly
            self.observations[uuid] = replace(current, poll_error=str(error))
            return
        except PlivoError as error:
            logger.info("polling message %s failed: %s", uuid, error)
            self.observations[uuid] = replace(current, poll_error=str(error))
            if isinstance(error, _STOPPING_ERRORS):
                self.stop_error = str(error)
            return
        self.observations[uuid] = replace(current, record=record, poll_error=None)


def wait_for_final(
    fetch: Fetch,
    message_uuids: Sequence[str],
    budget: float,
    *,
    clock: Clock = SYSTEM_CLOCK,
    initial: Mapping[str, MessageRecord] | None = None,
    recipients: Iterable[str] = (),
    started: float | None = None,
) -> DeliveryReport:
    """Poll ``fetch`` for every UUID until all are final or ``budget`` seconds have passed.

    The loop starts with a sleep: callers either just sent the messages or just read them
    (``initial``). ``started`` is when the caller's budget began (default: now). ``recipients``
    fills ``to`` while no record has been read, when the mapping is certain (one message).
    """
    if not 0 <= budget <= MAX_WAIT_SECONDS:
        raise ValueError(f"budget must be 0..{MAX_WAIT_SECONDS} s, got {budget}")
    start = clock.now() if started is None else started
    deadline = start + budget
    known = dict(initial or {})
    destinations = tuple(recipients)
    fallback = destinations[0] if len(destinations) == 1 and len(message_uuids) == 1 else None
    tracker = _Tracker(
        {
            uuid: Observation(
                uuid, record=known.get(uuid), to_fallback=fallback, polls=int(uuid in known)
            )
            for uuid in dict.fromkeys(message_uuids)
        }
    )
    index = 0
    while tracker.pending() and tracker.stop_error is None:
        remaining = deadline - clock.now()
        if remaining <= 0:
            break
        clock.sleep(min(poll_interval(index), remaining))
        index += 1
        for uuid in tracker.next_round():
            if clock.now() > deadline + POLL_GRACE_SECONDS or tracker.stop_error is not None:
                break
            tracker.poll(fetch, uuid)
    waited = max(0.0, clock.now() - start)
    return DeliveryReport(
        observations=tuple(tracker.observations.values()),
        waited_seconds=waited,
        polls=tracker.polls,
        budget=float(budget),
    )


@dataclass(frozen=True)
class MessageStatus:
    """One message read, then waited for: the last record, and how long the wait took."""

    record: MessageRecord
    waited_seconds: float
    polls: int
    poll_error: str | None = None


def read_message(
    fetch: Fetch, message_uuid: str, wait_seconds: float = 0, *, clock: Clock = SYSTEM_CLOCK
) -> MessageStatus:
    """Read one message, then wait up to ``wait_seconds`` for a final state.

    An unknown UUID is the caller's error ("no such message"), but right after a send Plivo may
    not show the record yet: with a wait, a 404 is only final when it lasts the whole wait.
    Failures of the polls after a first successful read only end the wait early.
    """
    started = clock.now()
    try:
        record: MessageRecord | None = fetch(message_uuid)
    except NotFoundError:
        if wait_seconds <= 0:
            raise
        record = None
    if record is not None and (record.final or wait_seconds <= 0):
        return MessageStatus(record, clock.now() - started, 1)
    report = wait_for_final(
        fetch,
        [message_uuid],
        wait_seconds,
        clock=clock,
        initial={message_uuid: record} if record is not None else {},
        started=started,
    )
    observation = report.observations[0]
    last = observation.record or record
    if last is None:  # never visible during the whole wait: it does not exist
        return MessageStatus(fetch(message_uuid), report.waited_seconds, report.polls + 2)
    return MessageStatus(last, report.waited_seconds, report.polls + 1, observation.poll_error)


def bounded_fetch(client: PlivoClient, budget: float, *, clock: Clock = SYSTEM_CLOCK) -> Fetch:
    """:func:`~plivo_api.resources.messages.get_message` for polling: no retries, timeouts cut
    to the time left.

    A poll must not outlive the wait: the client's read policy (3 attempts, 20 s read timeout)
    could otherwise stretch a 60 s wait past Dify's request limit.
    """
    deadline = clock.now() + budget + POLL_GRACE_SECONDS

    def fetch(message_uuid: str) -> MessageRecord:
        left = max(MIN_POLL_TIMEOUT_SECONDS, deadline - clock.now())
        timeouts = Timeouts(
            connect=min(left, client.timeout.connect), read=min(left, READ_TIMEOUT_SECONDS)
        )
        return get_message(client.limited(timeout=timeouts, retry=NO_RETRY), message_uuid)

    return fetch


__all__ = [
    "MAX_WAIT_SECONDS",
    "POLL_GRACE_SECONDS",
    "POLL_INTERVALS",
    "POLL_INTERVAL_CAP",
    "Clock",
    "DeliveryReport",
    "MessageStatus",
    "Observation",
    "bounded_fetch",
    "max_polls",
    "poll_interval",
    "read_message",
    "sleep_plan",
    "wait_for_final",
]
