"""Number-masking sessions: two parties who reach each other through a virtual number.

Plivo gives each session a virtual number from the account's masking pool, by default one in
the first party's country (``geomatch``). The sandbox's pool is the account's voice-enabled
rented numbers unless a test sets one (:meth:`MaskingStore.set_pool`). A session is ``active``
until its ``session_expiry`` (seconds, default 3,600) has passed or it is deleted, then
``expired``. Field names and answers follow the SDK's fixtures ``maskingSession*Response.json``:
times are written ``2023-07-05 10:25:40.877364 +0000 UTC`` and numbers as bare digits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_SESSION_EXPIRY = 3600
DEFAULT_CALL_TIME_LIMIT = 14_400
DEFAULT_RING_TIMEOUT = 120


def masking_time(timestamp: float) -> str:
    """``2023-07-05 10:25:40.877364 +0000 UTC``, as Plivo writes session times."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


@dataclass(frozen=True)
class MaskingSession:
    session_uuid: str
    account: str
    first_party: str
    second_party: str
    virtual_number: str
    created: float
    modified: float
    expiry: float
    record: bool = False
    record_file_format: str = "mp3"
    call_time_limit: int = DEFAULT_CALL_TIME_LIMIT
    ring_timeout: int = DEFAULT_RING_TIMEOUT
    deleted: bool = False

    def status_at(self, now: float) -> str:
        return "expired" if self.deleted or now >= self.expiry else "active"

    def to_json(self, now: float) -> dict[str, object]:
        return {
            "amount": 0,
            "call_time_limit": self.call_time_limit,
            "callback_method": "POST",
            "callback_url": "",
            "created_time": masking_time(self.created),
            "duration": max(0, round(self.expiry - self.created)),
            "expiry_time": masking_time(self.expiry),
            "first_party": self.first_party,
            "initiate_call_to_first_party": False,
            "interaction": None,
            "last_interaction_time": "",
            "modified_time": masking_time(self.modified),
            "record": self.record,
            "record_file_format": self.record_file_format,
            "resource_uri": f"/v1/Account/{self.account}/Masking/Session/{self.session_uuid}/",
            "ring_timeout": self.ring_timeout,
            "second_party": self.second_party,
            "session_uuid": self.session_uuid,
            "status": self.status_at(now),
            "total_call_amount": 0,
            "total_call_billed_duration": 0,
            "total_call_count": 0,
            "total_session_amount": 0,
            "virtual_number": self.virtual_number,
        }


class NoVirtualNumber(Exception):
    """The pool has no number for the first party's country."""


class MaskingStore:
    """Every account's sessions in creation order, and the pools tests set; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, MaskingSession] = {}
        self._pools: dict[str, tuple[str, ...]] = {}

    def set_pool(self, auth_id: str, numbers: Iterable[str]) -> None:
        """The account's masking pool (digits with the country code), instead of its numbers."""
        with self._lock:
            self._pools[auth_id] = tuple(numbers)

    def pool(self, auth_id: str) -> tuple[str, ...] | None:
        with self._lock:
            return self._pools.get(auth_id)

    def create(
        self,
        auth_id: str,
        first_party: str,
        second_party: str,
        virtual_number: str,
        *,
        session_expiry: int = DEFAULT_SESSION_EXPIRY,
        record: bool = False,
        record_file_format: str = "mp3",
    ) -> MaskingSession:
        now = time.time()
        session = MaskingSession(
            session_uuid=str(uuid.uuid4()),
            account=auth_id,
            first_party=first_party,
            second_party=second_party,
            virtual_number=virtual_number,
            created=now,
            modified=now,
            expiry=now + session_expiry,
            record=record,
            record_file_format=record_file_format,
        )
        with self._lock:
            self._sessions[session.session_uuid] = session
        return session

    def get(self, auth_id: str, session_uuid: str) -> MaskingSession | None:
        with self._lock:
            session = self._sessions.get(session_uuid)
        if session is None or session.account != auth_id or session.deleted:
            return None
        return session

    def update(self, session: MaskingSession, **changes: object) -> MaskingSession:
        updated = dataclasses.replace(session, modified=time.time(), **changes)  # type: ignore[arg-type]
        with self._lock:
            self._sessions[session.session_uuid] = updated
        return updated

    def delete(self, auth_id: str, session_uuid: str) -> bool:
        session = self.get(auth_id, session_uuid)
        if session is None:
            return False
        self.update(session, deleted=True)
        return True

    def newest_first(self, auth_id: str) -> list[MaskingSession]:
        with self._lock:
            own = [s for s in self._sessions.values() if s.account == auth_id and not s.deleted]
        return sorted(own, key=lambda s: s.created, reverse=True)

    def reset(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._pools.clear()


__all__ = ["MaskingSession", "MaskingStore", "NoVirtualNumber", "masking_time"]
