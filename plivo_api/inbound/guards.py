"""No reply loops and no bill shock: who may get an automatic reply, and how often.

Two bots that answer each other's texts (or one bot whose number texts another number of the
same account) would exchange messages, and bills, forever. Three rules stop that:

- no reply to a sender that cannot receive one: short codes and alphanumeric sender IDs
  (only a phone number in E.164 form gets an answer);
- no reply to the account's own numbers: every number that received a message through the
  endpoint is marked as the account's own in its number record (:class:`NumberFlags`, the
  record that also holds its opt-out), so one storage call per message answers both questions;
- at most :data:`~.senders.REPLIES_PER_SENDER_PER_MINUTE` replies to one sender in any minute
  (kept in the sender's record, :mod:`.senders`); further messages in that minute get neither
  an app run nor a reply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ..webhooks.kvstore import KeyValueStore, StorageScope, guarded, read_record, write_record
from .optouts import OPTED_OUT_FIELD, number_key

OWN_FIELD: Final = "own"
MAX_REMEMBERED_OWN: Final = 10_000
"""Numbers this process already marked as the account's own (their keys, not the numbers)."""
REMARK_SECONDS: Final = 3600.0
"""A number is marked again after this long, so a store emptied meanwhile gets it back."""
MIN_PHONE_DIGITS: Final = 8
"""Fewer digits is a short code, which cannot receive an ordinary SMS reply."""
E164_MAX_DIGITS: Final = 15

_marked_own: dict[str, float] = {}
_marked_lock = threading.Lock()


def can_receive(sender: str) -> bool:
    """Whether ``sender`` (as :func:`~plivo_api.models.display_number` shows it) is a phone
    number in E.164 form."""
    digits = sender[1:] if sender.startswith("+") else ""
    return (
        digits.isascii() and digits.isdigit() and MIN_PHONE_DIGITS <= len(digits) <= E164_MAX_DIGITS
    )


@dataclass(frozen=True)
class Flags:
    opted_out: bool = False
    own: bool = False


class NumberFlags:
    """Per number: opted out (STOP), and whether it is one of the account's own numbers."""

    def __init__(
        self, store: KeyValueStore, scope: StorageScope, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock

    def read(self, number: str) -> Flags:
        """One storage call for a number with no record (nearly every sender), two otherwise."""
        key = number_key(self._scope, number)
        if not self._store.exist(key):
            return Flags()
        record = read_record(self._store, key) or {}
        return Flags(opted_out=OPTED_OUT_FIELD in record, own=OWN_FIELD in record)

    def mark_own(self, number: str) -> None:
        """Remember ``number`` (an inbound ``To``) as the account's own; a number this process
        marked already costs no storage call."""
        key, now = number_key(self._scope, number), self._clock()
        with _marked_lock:
            if 0 <= now - _marked_own.get(key, -REMARK_SECONDS) < REMARK_SECONDS:
                return
        record = read_record(self._store, key) or {}
        if OWN_FIELD not in record:
            write_record(self._store, key, {**record, OWN_FIELD: 1})
        with _marked_lock:
            if len(_marked_own) >= MAX_REMEMBERED_OWN:
                _marked_own.clear()
            _marked_own[key] = now


def forget_marked_numbers() -> None:
    """Forget which numbers this process marked (a store that was emptied, in tests)."""
    with _marked_lock:
        _marked_own.clear()


__all__ = [
    "OWN_FIELD",
    "Flags",
    "NumberFlags",
    "can_receive",
    "forget_marked_numbers",
]
