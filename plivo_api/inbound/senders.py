"""What the endpoint keeps per sender: conversations, recent replies, answered messages.

Every endpoint request runs as the same Dify end user (the daemon opens endpoint sessions without
a user), so the only thing that keeps two people's chats apart, and one person's chat together,
is the ``conversation_id`` the plugin passes back to a chat app. It is kept per (Plivo number,
app) thread of the sender: an app switched in the settings starts fresh threads instead of
failing on conversations it does not know. Beside it: the times of the replies of the last
:data:`RATE_WINDOW_SECONDS` (the reply rate limit) and the messages answered within
:data:`~plivo_api.inbound.leases.JOB_MEMORY_SECONDS` (a retry of one of them is never answered
twice). One read before the app runs and one write after it are all a message costs here.

Storage stays bounded whatever the number of senders: senders share :data:`SENDER_SHARDS` shard
records, and every write of a shard drops what went stale in it (reply times after their minute,
a conversation silent for :data:`CONVERSATION_IDLE_SECONDS`, answered messages after the job
memory); a sender with nothing left is removed. About 95 bytes per sender active in the last 30
days (whole seconds, short digests): 100,000 senders take about 9.5 MB of the 16 MiB the
manifest declares.

Two senders of the same shard answered at the same moment may write it at the same moment; the
later write then undoes the earlier one's change (a conversation starts over, a reply is not
counted). It never holds a message up, and with 4096 shards it needs two of the handlings that
overlap to land in the same one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from ..webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_record_or_none,
    slot_of,
    text_of,
    write_record,
)
from .leases import JOB_MEMORY_SECONDS

SENDER_SHARDS: Final = 4096
CONVERSATION_IDLE_SECONDS: Final = 30 * 24 * 3600
"""A conversation silent this long is not continued: someone texting again after a month starts
over, and the app's context stays bounded."""
RATE_WINDOW_SECONDS: Final = 60.0
REPLIES_PER_SENDER_PER_MINUTE: Final = 5
MAX_THREADS_PER_SENDER: Final = 4
MAX_JOBS_PER_SENDER: Final = 16
ENTRY_DIGEST_CHARS: Final = 12
"""Inside one shard, 48 bits tell senders and messages apart."""
THREAD_DIGEST_CHARS: Final = 8
"""A sender has a few threads at most: 32 bits tell them apart."""
RECORD_VERSION: Final = 2
_CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Dify's conversation ids are UUIDs; anything else is not stored (nor sent back)."""


@dataclass
class SenderState:
    """One sender's record as read; change it, then :meth:`SenderBook.save` it."""

    conversations: dict[str, tuple[str, float]] = field(default_factory=dict)
    replies: list[float] = field(default_factory=list)
    jobs: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        record: dict[str, object] = {}
        if self.conversations:
            record["c"] = {k: [c, int(t)] for k, (c, t) in self.conversations.items()}
        if self.replies:
            record["r"] = [int(t) for t in self.replies]
        if self.jobs:
            record["j"] = {k: int(t) for k, t in self.jobs.items()}
        return record

    @classmethod
    def from_json(cls, raw: object) -> SenderState:
        state = cls()
        if not isinstance(raw, dict):
            return state
        threads = raw.get("c")
        if isinstance(threads, dict):
            for key, value in threads.items():
                if isinstance(value, list) and len(value) == 2:
                    state.conversations[str(key)] = (text_of(value[0]), number_of(value[1]))
        replies = raw.get("r")
        if isinstance(replies, list):
            state.replies = [number_of(t) for t in replies]
        jobs = raw.get("j")
        if isinstance(jobs, dict):
            state.jobs = {str(key): number_of(t) for key, t in jobs.items()}
        return state

    def pruned(self, now: float) -> SenderState:
        """Without what went stale by ``now`` (and within the per-sender caps)."""
        idle = CONVERSATION_IDLE_SECONDS
        conversations = {k: v for k, v in self.conversations.items() if now - v[1] <= idle}
        newest = sorted(conversations, key=lambda k: conversations[k][1])[-MAX_THREADS_PER_SENDER:]
        jobs = {k: t for k, t in self.jobs.items() if now - t < JOB_MEMORY_SECONDS}
        kept_jobs = sorted(jobs, key=lambda k: jobs[k])[-MAX_JOBS_PER_SENDER:]
        return SenderState(
            {k: conversations[k] for k in newest},
            [t for t in self.replies if now - t < RATE_WINDOW_SECONDS][
                -REPLIES_PER_SENDER_PER_MINUTE:
            ],
            {k: jobs[k] for k in kept_jobs},
        )


@dataclass(frozen=True)
class Sender:
    """A sender's state and the shard it was read from (written back by :meth:`SenderBook.save`)."""

    key: str
    entry: str
    shard: dict[str, object]
    state: SenderState


class SenderBook:
    """The per-sender records of one Plivo account."""

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

    def read(self, sender: str) -> Sender:
        """The sender's record: one storage call. A failed read counts as a new sender (the
        conversation starts over): nothing here is worth failing a message for."""
        digest = self._scope.digest_of(f"sender:{sender}")
        key = self._scope.key("senders", slot_of(digest, SENDER_SHARDS))
        shard = read_record_or_none(self._store, key) or {}
        entries = shard.get("e")
        raw = entries.get(digest[:ENTRY_DIGEST_CHARS]) if isinstance(entries, dict) else None
        entry = digest[:ENTRY_DIGEST_CHARS]
        return Sender(key, entry, shard, SenderState.from_json(raw).pruned(self._clock()))

    def save(self, sender: Sender) -> None:
        """Write the sender's state back, and drop whatever went stale in its shard (one call;
        raises :class:`~plivo_api.webhooks.kvstore.StorageError` when the write fails)."""
        now = self._clock()
        entries = sender.shard.get("e")
        kept: dict[str, object] = {}
        if isinstance(entries, dict):
            for name, raw in entries.items():
                other = SenderState.from_json(raw).pruned(now).to_json()
                if name != sender.entry and other:
                    kept[str(name)] = other
        mine = sender.state.pruned(now).to_json()
        if mine:
            kept[sender.entry] = mine
        write_record(self._store, sender.key, {"v": RECORD_VERSION, "e": kept})

    def forget(self, sender: str) -> None:
        """Remove the sender's record (and what went stale in its shard). The write is smaller
        than what it replaces, so even a full store takes it: it makes room for an opt-out."""
        record = self.read(sender)
        entries = record.shard.get("e")
        if isinstance(entries, dict) and record.entry in entries:
            self.save(Sender(record.key, record.entry, record.shard, SenderState()))

    # -- what a handling asks and records --------------------------------------------------------

    def thread(self, plivo_number: str, app_id: str) -> str:
        return self._scope.digest_of(f"thread:{plivo_number}\0{app_id}")[:THREAD_DIGEST_CHARS]

    def job(self, job_digest: str) -> str:
        return job_digest[:ENTRY_DIGEST_CHARS]

    def conversation(self, sender: Sender, thread: str) -> str | None:
        """The conversation to continue, or None to start a new one."""
        found = sender.state.conversations.get(thread)
        if found is None or not _CONVERSATION_ID.fullmatch(found[0]):
            return None
        return found[0]

    def allows_reply(self, sender: Sender) -> bool:
        """Whether one more reply stays within :data:`REPLIES_PER_SENDER_PER_MINUTE`."""
        return len(sender.state.replies) < self._limit

    def record(
        self,
        sender: Sender,
        *,
        thread: str,
        conversation_id: str | None,
        forget: bool = False,
        job: str = "",
        reply: bool = False,
    ) -> None:
        """Change ``sender``'s state (not yet saved): the conversation to continue (or forget),
        the message handled and whether a reply is being sent."""
        now = self._clock()
        state = sender.state
        if forget:
            state.conversations.pop(thread, None)
        if conversation_id is not None and _CONVERSATION_ID.fullmatch(conversation_id):
            state.conversations[thread] = (conversation_id, now)
        if job:
            state.jobs[job] = now
        if reply:
            state.replies.append(now)


__all__ = [
    "CONVERSATION_IDLE_SECONDS",
    "RATE_WINDOW_SECONDS",
    "REPLIES_PER_SENDER_PER_MINUTE",
    "SENDER_SHARDS",
    "Sender",
    "SenderBook",
    "SenderState",
]
