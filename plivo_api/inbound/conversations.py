"""One Dify conversation per (Plivo number, sender, app), kept in plugin storage.

Every endpoint request runs as the same Dify end user (the daemon opens endpoint sessions without
a user), so the only thing that keeps two people's chats apart, and one person's chat together,
is the ``conversation_id`` the plugin passes back to a chat app. It is stored under a digest of
the Plivo number, the sender and the app (an app switched in the settings starts fresh threads
instead of failing on conversations it does not know).

A conversation that stayed silent for :data:`CONVERSATION_IDLE_SECONDS` is not continued: someone
texting again after a month starts over, and the app's context stays bounded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Final

from ..kvstore import (
    KeyValueStore,
    StorageScope,
    delete_if_present,
    guarded,
    number_of,
    read_record,
    text_of,
    write_record,
)

CONVERSATION_IDLE_SECONDS: Final = 30 * 24 * 3600
_CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Dify's conversation ids are UUIDs; anything else is not stored (nor sent back)."""


class Conversations:
    """Conversation ids of one Plivo account's threads."""

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

    def _key(self, plivo_number: str, sender: str, app_id: str) -> str:
        thread = self._scope.digest_of(f"{plivo_number}\0{sender}\0{app_id}")
        return self._scope.key("conversation", thread)

    def current(self, plivo_number: str, sender: str, app_id: str) -> str | None:
        """The conversation to continue, or None to start a new one."""
        record = read_record(self._store, self._key(plivo_number, sender, app_id))
        if record is None:
            return None
        conversation_id = text_of(record.get("c"))
        idle = self._clock() - number_of(record.get("t"))
        if not _CONVERSATION_ID.fullmatch(conversation_id) or idle > CONVERSATION_IDLE_SECONDS:
            return None
        return conversation_id

    def remember(self, plivo_number: str, sender: str, app_id: str, conversation_id: str) -> None:
        """Continue ``conversation_id`` next time (ignored when it is not an id Dify issues)."""
        if not _CONVERSATION_ID.fullmatch(conversation_id):
            return
        write_record(
            self._store,
            self._key(plivo_number, sender, app_id),
            {"c": conversation_id, "t": round(self._clock(), 3)},
        )

    def forget(self, plivo_number: str, sender: str, app_id: str) -> None:
        """Drop a conversation Dify no longer knows."""
        delete_if_present(self._store, self._key(plivo_number, sender, app_id))


__all__ = ["CONVERSATION_IDLE_SECONDS", "Conversations"]
