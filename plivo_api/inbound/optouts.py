"""Who replied STOP: the opt-out list shared by the inbound endpoint and send_sms.

Carriers require that a number which replied STOP (or UNSUBSCRIBE, CANCEL, END, QUIT, STOPALL)
gets nothing more until it replies START; see https://www.plivo.com/docs/messaging/concepts/dnd-service.
The inbound endpoint records both replies here; send_sms reads the list before every send and
skips listed recipients.

Two shapes of the same fact are stored, because the storage has no listing and no
compare-and-set:

- one key per number (:func:`number_key`): written and deleted independently of every other
  number, so a lost update between two numbers is impossible. The endpoint reads it for the one
  sender of an inbound message; it also marks the account's own numbers
  (:class:`plivo_api.inbound.guards.NumberFlags`), so one call answers both questions.
- one index holding every opted-out number's digest: what send_sms reads, so a send to a
  thousand recipients costs one or two storage reads, not a thousand. It is updated by
  read-modify-write; two opt-outs within the same few milliseconds could overwrite each other,
  so every update is read back and repeated (up to :data:`INDEX_WRITE_ATTEMPTS` times) until the
  change is visible. What remains is two writers whose read-backs both land before the other's
  write, which takes two STOPs to one account inside one storage round trip.

Numbers are stored as digests (:meth:`StorageScope.digest_of`), never in clear.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from ..webhooks.kvstore import (
    KeyValueStore,
    StorageError,
    StorageScope,
    delete_if_present,
    guarded,
    number_of,
    read_record,
    write_record,
)

logger = logging.getLogger(__name__)

OPTED_OUT_REASON: Final = "opted out (replied STOP)"
"""What send_sms writes in ``invalid_recipients`` for a listed recipient."""
INDEX_WRITE_ATTEMPTS: Final = 3
RECORD_VERSION: Final = 1
SOURCE_KEYWORD: Final = "keyword"
SOURCE_PLIVO: Final = "plivo"
OPTED_OUT_FIELD: Final = "since"
"""A number's record holds this field while the number is opted out."""


class OptOutReadError(Exception):
    """The opt-out list exists but could not be read: sending now could reach opted-out numbers."""


@dataclass(frozen=True)
class OptOutSnapshot:
    """The index as read once: membership tests without further storage calls."""

    scope: StorageScope
    digests: frozenset[str]

    def __contains__(self, number: object) -> bool:
        return isinstance(number, str) and self.scope.digest_of(canonical(number)) in self.digests

    def __len__(self) -> int:
        return len(self.digests)


def canonical(number: str) -> str:
    """The form numbers are digested in: E.164 with ``+`` for phone numbers, else as given.

    Inbound webhooks carry ``14155550100``, send_sms works with ``+14155550100``; both must
    land on the same digest.
    """
    text = number.strip()
    digits = text[1:] if text.startswith("+") else text
    return "+" + digits if digits.isascii() and digits.isdigit() else text


class OptOutList:
    """The opt-out list of one Plivo account in the plugin's storage."""

    def __init__(
        self,
        store: KeyValueStore,
        scope: StorageScope,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock

    def _number_key(self, number: str) -> str:
        return number_key(self._scope, number)

    @property
    def _index_key(self) -> str:
        return self._scope.key("optouts")

    # -- the endpoint's side: one number at a time ----------------------------------------------

    def add(self, number: str, *, source: str = SOURCE_KEYWORD) -> None:
        """Record that ``number`` opted out (idempotent: a repeated STOP rewrites the same)."""
        now = self._clock()
        key = self._number_key(number)
        record = read_record(self._store, key) or {}
        write_record(self._store, key, {**record, OPTED_OUT_FIELD: now, "source": source})
        digest = self._scope.digest_of(canonical(number))
        self._update_index(lambda entries: entries.setdefault(digest, now), digest, present=True)

    def remove(self, number: str) -> None:
        """Record that ``number`` opted back in (START); nothing happens if it was not listed."""
        key = self._number_key(number)
        record = read_record(self._store, key)
        if record is not None:
            rest = {k: v for k, v in record.items() if k not in (OPTED_OUT_FIELD, "source")}
            if rest:
                write_record(self._store, key, rest)
            else:
                delete_if_present(self._store, key)
        digest = self._scope.digest_of(canonical(number))
        self._update_index(lambda entries: entries.pop(digest, None), digest, present=False)

    def contains(self, number: str) -> bool:
        """Whether ``number`` opted out (the number's own key)."""
        record = read_record(self._store, self._number_key(number))
        return record is not None and OPTED_OUT_FIELD in record

    # -- send_sms's side: every recipient with one read -----------------------------------------

    def snapshot(self) -> OptOutSnapshot:
        """The whole list in one or two storage reads, whatever the number of recipients.

        Raises :class:`OptOutReadError` when the list exists but cannot be read.
        """
        try:
            entries = self._read_index()
        except StorageError as error:
            raise OptOutReadError("the opt-out list could not be read") from error
        return OptOutSnapshot(self._scope, frozenset(entries))

    # -- the index -------------------------------------------------------------------------------

    def _read_index(self) -> dict[str, float]:
        record = read_record(self._store, self._index_key)
        numbers = record.get("numbers") if record else None
        if not isinstance(numbers, dict):
            return {}
        return {str(digest): number_of(since) for digest, since in numbers.items()}

    def _update_index(
        self, change: Callable[[dict[str, float]], object], digest: str, *, present: bool
    ) -> None:
        for _ in range(INDEX_WRITE_ATTEMPTS):
            entries = self._read_index()
            if (digest in entries) == present:
                return
            change(entries)
            write_record(self._store, self._index_key, {"v": RECORD_VERSION, "numbers": entries})
        if (digest in self._read_index()) != present:
            logger.warning("the opt-out index could not be updated; the per-number record holds")


def number_key(scope: StorageScope, number: str) -> str:
    """The key of one number's record: its opt-out, and whether it is one of the account's."""
    return scope.key("optout", scope.digest_of(canonical(number)))


def opted_out_numbers(snapshot: OptOutSnapshot, numbers: Iterable[str]) -> list[str]:
    """The numbers of ``numbers`` that are on the list, in their order."""
    return [number for number in numbers if number in snapshot]


__all__ = [
    "OPTED_OUT_FIELD",
    "OPTED_OUT_REASON",
    "SOURCE_KEYWORD",
    "SOURCE_PLIVO",
    "OptOutList",
    "OptOutReadError",
    "OptOutSnapshot",
    "canonical",
    "number_key",
    "opted_out_numbers",
]
