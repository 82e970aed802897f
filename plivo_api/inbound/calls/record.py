"""A call's conversation and transcript in plugin storage.

One record per call holds the Dify ``conversation_id`` (one conversation per CallUUID) and the
turns so far, each ``(turn number, what the caller said, what the assistant said)``. The turn
number makes writing idempotent: a turn Plivo retries rewrites its own entry instead of adding
one, and a retry finds the answer the first delivery gave (:func:`CallRecord.answer_of`).

The transcript is what the status app gets when the call ends; it is the only place the
caller's words are kept, never in logs. Storage stays bounded whatever the traffic: calls share
:data:`CALL_SLOTS` slot keys, a record names its call by a digest, and a slot whose call was
silent for :data:`CALL_IDLE_SECONDS` may be taken by another call (at most :data:`MAX_PROBES`
slots are looked at). A call's record is emptied when its summary has run. Each record is
bounded too: :data:`MAX_TURNS` turns, each side cut to :data:`MAX_CALLER_CHARS` /
:data:`MAX_ASSISTANT_CHARS`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

from ...webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_record_or_none,
    slot_of,
    text_of,
    write_record,
)
from .documents import MAX_SPOKEN_CHARS

CALL_SLOTS: Final = 4096
MAX_PROBES: Final = 4
CALL_IDLE_SECONDS: Final = 4 * 3600.0
"""A call record untouched this long belongs to a call that ended without a hangup callback."""
MAX_TURNS: Final = 60
MAX_CALLER_CHARS: Final = 1000
MAX_ASSISTANT_CHARS: Final = MAX_SPOKEN_CHARS
CALLER_LABEL: Final = "Caller"
ASSISTANT_LABEL: Final = "Assistant"
_CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Turn:
    number: int
    caller: str
    assistant: str


@dataclass(frozen=True)
class CallRecord:
    """What is kept of one call; ``key`` is the slot it was read from (or will be written to)."""

    key: str
    digest: str
    conversation_id: str | None = None
    turns: tuple[Turn, ...] = field(default=())

    def answer_of(self, number: int) -> str | None:
        """What the assistant said in turn ``number``, if that turn was recorded."""
        return next((turn.assistant for turn in self.turns if turn.number == number), None)

    def with_turn(
        self, number: int, *, caller: str, assistant: str, conversation_id: str | None = None
    ) -> CallRecord:
        """This record with turn ``number`` written (replacing an earlier write of it)."""
        turn = Turn(number, caller[:MAX_CALLER_CHARS], assistant[:MAX_ASSISTANT_CHARS])
        kept = [entry for entry in self.turns if entry.number != number]
        turns = sorted([*kept, turn], key=lambda entry: entry.number)[-MAX_TURNS:]
        conversation = conversation_id if _valid_conversation(conversation_id) else None
        return replace(
            self, turns=tuple(turns), conversation_id=conversation or self.conversation_id
        )

    def without_conversation(self) -> CallRecord:
        return replace(self, conversation_id=None)

    def transcript(self) -> str:
        """The turns in order, one line per side: ``Caller: …`` and ``Assistant: …``."""
        lines: list[str] = []
        for turn in self.turns:
            if turn.caller:
                lines.append(f"{CALLER_LABEL}: {turn.caller}")
            if turn.assistant:
                lines.append(f"{ASSISTANT_LABEL}: {turn.assistant}")
        return "\n".join(lines)


class CallBook:
    """The call records of one Plivo account."""

    def __init__(
        self, store: KeyValueStore, scope: StorageScope, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock

    def read(self, call_uuid: str) -> CallRecord:
        """The call's record, or an empty one bound to the slot it may take.

        Raises :class:`~plivo_api.webhooks.kvstore.StorageError` only through ``save``: a slot
        that cannot be read is taken for empty (the call then starts a new conversation).
        """
        digest = self._scope.digest_of(f"call:{call_uuid.lower()}")
        now = self._clock()
        free: str | None = None
        for probe in range(MAX_PROBES):
            slot = f"{(int(digest[:8], 16) + probe) % CALL_SLOTS:05d}"
            key = self._scope.key("calls", slot)
            raw = read_record_or_none(self._store, key)
            if raw is not None and text_of(raw.get("d")) == digest:
                return _from_json(key, digest, raw)
            idle = now - number_of(raw.get("u")) if raw is not None else float("inf")
            if free is None and (raw is None or not raw.get("t") or idle >= CALL_IDLE_SECONDS):
                free = key
            if raw is None:
                break  # a call never moves past an empty slot
        home = self._scope.key("calls", slot_of(digest, CALL_SLOTS))
        return CallRecord(free or home, digest)

    def save(self, record: CallRecord) -> None:
        """Write the record (``StorageError`` when the store refuses)."""
        write_record(self._store, record.key, _to_json(record, self._clock()))

    def close(self, record: CallRecord) -> None:
        """Empty the call's slot once its summary ran: the transcript is not kept after that."""
        write_record(self._store, record.key, {"d": record.digest, "u": round(self._clock(), 3)})


def _to_json(record: CallRecord, now: float) -> dict[str, object]:
    data: dict[str, object] = {
        "d": record.digest,
        "u": round(now, 3),
        "t": [[turn.number, turn.caller, turn.assistant] for turn in record.turns],
    }
    if record.conversation_id:
        data["c"] = record.conversation_id
    return data


def _from_json(key: str, digest: str, raw: dict[str, object]) -> CallRecord:
    turns: list[Turn] = []
    entries = raw.get("t")
    for entry in entries if isinstance(entries, list) else []:
        if (
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], int)
            and isinstance(entry[1], str)
            and isinstance(entry[2], str)
        ):
            turns.append(Turn(entry[0], entry[1], entry[2]))
    conversation = text_of(raw.get("c"))
    return CallRecord(
        key,
        digest,
        conversation if _valid_conversation(conversation) else None,
        tuple(turns),
    )


def _valid_conversation(value: str | None) -> bool:
    return bool(value) and bool(_CONVERSATION_ID.fullmatch(value or ""))


__all__ = [
    "ASSISTANT_LABEL",
    "CALLER_LABEL",
    "CALL_IDLE_SECONDS",
    "CALL_SLOTS",
    "MAX_ASSISTANT_CHARS",
    "MAX_CALLER_CHARS",
    "MAX_PROBES",
    "MAX_TURNS",
    "CallBook",
    "CallRecord",
    "Turn",
]
