"""When a request may be repeated, and how long to wait first.

Sending a message is not idempotent and Plivo has no idempotency key: a repeated send that had
reached Plivo sends the message twice. So the policy reasons about what Plivo *provably* saw:

============================  ===========================  ==========================
what happened                 read (GET)                   create (POST a message)
============================  ===========================  ==========================
connect failed / refused      retry                        retry (nothing was sent)
HTTP 429                      retry after Retry-After      retry after Retry-After
HTTP 502 / 503 / 504          retry                        never (outcome unknown)
read timeout, dropped socket  retry                        never (outcome unknown)
any other status              never                        never
============================  ===========================  ==========================

A ``Retry-After`` longer than :data:`MAX_RETRY_AFTER_SECONDS` is not waited for: a Dify tool call
must finish in reasonable time, so the caller fails fast with "retry in N s" instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum, auto

MAX_ATTEMPTS = 3
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 4.0
MAX_RETRY_AFTER_SECONDS = 5.0
RETRYABLE_READ_STATUSES = frozenset({429, 502, 503, 504})


class Outcome(Enum):
    """What one attempt ended with, as far as retrying is concerned."""

    NOT_SENT = auto()  # connect error: the request never left this machine
    RATE_LIMITED = auto()  # HTTP 429: Plivo refused it without acting on it
    GATEWAY_ERROR = auto()  # HTTP 502/503/504
    NO_ANSWER = auto()  # read timeout or connection dropped after the request was written
    FINAL = auto()  # any other answer: success or an error retrying cannot fix


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    backoff_base: float = BACKOFF_BASE_SECONDS
    backoff_cap: float = BACKOFF_CAP_SECONDS
    max_retry_after: float = MAX_RETRY_AFTER_SECONDS

    def may_retry(self, outcome: Outcome, *, idempotent: bool, attempt: int) -> bool:
        """``attempt`` counts from 1; the answer is whether attempt ``attempt + 1`` may start."""
        if attempt >= self.max_attempts:
            return False
        if outcome in (Outcome.NOT_SENT, Outcome.RATE_LIMITED):
            return True
        if outcome in (Outcome.GATEWAY_ERROR, Outcome.NO_ANSWER):
            return idempotent
        return False

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt: the server's hint, else capped jittered backoff."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography

    def retry_after_too_long(self, retry_after: float | None) -> bool:
        return retry_after is not None and retry_after > self.max_retry_after


DEFAULT_RETRY_POLICY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def classify_status(status: int) -> Outcome:
    if status == 429:
        return Outcome.RATE_LIMITED
    if status in RETRYABLE_READ_STATUSES:
        return Outcome.GATEWAY_ERROR
    return Outcome.FINAL


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date); None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
