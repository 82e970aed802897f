"""No reply loops and no bill shock: who may get an automatic reply, and how often.

Two bots that answer each other's texts (or one bot whose number texts another number of the
same account) would exchange messages, and bills, forever. Three rules stop that:

- no reply to a sender that cannot receive one: short codes and alphanumeric sender IDs
  (only a phone number in E.164 form gets an answer);
- no reply to the account's own numbers: every number that received a message through the
  endpoint is remembered as the account's own (:class:`OwnNumbers`);
- at most :data:`REPLIES_PER_SENDER_PER_MINUTE` replies to one sender in any
  :data:`RATE_WINDOW_SECONDS` (:class:`ReplyRateLimiter`); further messages in that window get
  neither an app run nor a reply.

The limiter and the own-number list are read-modify-write records without compare-and-set;
a lost update can let one extra reply through, never block a message for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from ..kvstore import KeyValueStore, StorageScope, guarded, number_of, read_record, write_record

REPLIES_PER_SENDER_PER_MINUTE: Final = 5
RATE_WINDOW_SECONDS: Final = 60.0
MAX_OWN_NUMBERS: Final = 2000
"""Far more numbers than one account answers on; the oldest are forgotten beyond it."""
MIN_PHONE_DIGITS: Final = 8
"""Fewer digits is a short code, which cannot receive an ordinary SMS reply."""
E164_MAX_DIGITS: Final = 15


def can_receive(sender: str) -> bool:
    """Whether ``sender`` (as :func:`~plivo_api.models.display_number` shows it) is a phone
    number in E.164 form."""
    digits = sender[1:] if sender.startswith("+") else ""
    return (
        digits.isascii() and digits.isdigit() and MIN_PHONE_DIGITS <= len(digits) <= E164_MAX_DIGITS
    )


class OwnNumbers:
    """The account's numbers seen by the endpoint (each inbound ``To``), as digests."""

    def __init__(self, store: KeyValueStore, scope: StorageScope) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._key = scope.key("own_numbers")

    def _read(self) -> list[str]:
        record = read_record(self._store, self._key)
        numbers = record.get("n") if record else None
        return [str(item) for item in numbers] if isinstance(numbers, list) else []

    def note_and_check(self, plivo_number: str, sender: str) -> bool:
        """Remember ``plivo_number`` as the account's; True when ``sender`` is one of its own."""
        known = self._read()
        mine = self._scope.digest_of(plivo_number)
        if mine not in known:
            known = [*known, mine][-MAX_OWN_NUMBERS:]
            write_record(self._store, self._key, {"n": known})
        return sender == plivo_number or self._scope.digest_of(sender) in known


class ReplyRateLimiter:
    """Replies sent to each sender in the last :data:`RATE_WINDOW_SECONDS`."""

    def __init__(
        self,
        store: KeyValueStore,
        scope: StorageScope,
        *,
        clock: Callable[[], float] = time.time,
        limit: int = REPLIES_PER_SENDER_PER_MINUTE,
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock
        self._limit = limit

    def _key(self, sender: str) -> str:
        return self._scope.key("replies", self._scope.digest_of(sender))

    def _recent(self, sender: str, now: float) -> list[float]:
        record = read_record(self._store, self._key(sender))
        times = record.get("t") if record else None
        if not isinstance(times, list):
            return []
        return [
            t for t in (number_of(item) for item in times) if 0 <= now - t < RATE_WINDOW_SECONDS
        ]

    def allows(self, sender: str) -> bool:
        """Whether one more reply to ``sender`` stays within the limit."""
        return len(self._recent(sender, self._clock())) < self._limit

    def record(self, sender: str) -> None:
        """Count one reply (however many messages it took) just sent to ``sender``."""
        now = self._clock()
        times = [*self._recent(sender, now), round(now, 3)]
        write_record(self._store, self._key(sender), {"t": times[-self._limit :]})


__all__ = [
    "MAX_OWN_NUMBERS",
    "RATE_WINDOW_SECONDS",
    "REPLIES_PER_SENDER_PER_MINUTE",
    "OwnNumbers",
    "ReplyRateLimiter",
    "can_receive",
]
