"""Dify plugin storage as this plugin uses it: scoped keys, optional reads, small JSON records.

Dify gives a plugin one key/value store per workspace (``session.storage``), shared by every tool
call and every endpoint request of the plugin, whichever plugin process serves it. It has four
operations (get, set, delete, exist), no expiry, no listing and no compare-and-set; the daemon
refuses keys longer than 256 characters or containing ``..``, ``//`` or ``\\``, and ``get`` or
``delete`` of a missing key fails.

Every key this plugin writes lives under a :class:`StorageScope`: a digest of the Plivo Auth ID.
The send tool (which has the provider's credentials) and the inbound endpoint (which has its own
settings) compute the same scope from the same Auth ID, so they find the same opt-out list, and
two Plivo accounts used in one workspace never see each other's state. Phone numbers never appear
in keys or values in clear: :meth:`StorageScope.digest_of` replaces them with a keyed digest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

logger = logging.getLogger(__name__)

KEY_PREFIX: Final = "plivo_sms"
MAX_KEY_CHARS: Final = 256
"""The daemon refuses longer keys (``internal/core/persistence/persistence.go``)."""
SCOPE_DIGEST_CHARS: Final = 16
ITEM_DIGEST_CHARS: Final = 24
"""96 bits: collisions between numbers of one account are out of reach, keys stay short."""
MAX_RECORD_BYTES: Final = 4_000_000
"""A stored value larger than this is not one this plugin wrote; it is ignored, not parsed."""

_KEY_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


class KeyValueStore(Protocol):
    """Dify's plugin storage as the SDK exposes it (``session.storage``)."""

    def get(self, key: str) -> bytes: ...

    def set(self, key: str, val: bytes) -> None: ...

    def delete(self, key: str) -> None: ...

    def exist(self, key: str) -> bool: ...


class StorageKeyError(ValueError):
    """A key part that could break the daemon's key rules (a programming error, not input)."""


class StorageError(Exception):
    """A storage call failed: the daemon answered with an error, or the session is gone."""


class GuardedStore:
    """A store whose every failure is a :class:`StorageError`.

    The SDK raises a bare ``Exception`` for every daemon error (a missing key, a refused key, a
    full quota, a closed session), so this is the one place that catches everything a storage
    call can raise; the rest of the code catches ``StorageError`` only.
    """

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: str) -> bytes:
        try:
            return self._store.get(key)
        except Exception as error:
            raise StorageError("plugin storage: get failed") from error

    def set(self, key: str, val: bytes) -> None:
        try:
            self._store.set(key, val)
        except Exception as error:
            raise StorageError("plugin storage: set failed") from error

    def delete(self, key: str) -> None:
        try:
            self._store.delete(key)
        except Exception as error:
            raise StorageError("plugin storage: delete failed") from error

    def exist(self, key: str) -> bool:
        try:
            return bool(self._store.exist(key))
        except Exception as error:
            raise StorageError("plugin storage: exist failed") from error


def guarded(store: KeyValueStore) -> GuardedStore:
    """``store`` wrapped once (wrapping a guarded store again changes nothing)."""
    return store if isinstance(store, GuardedStore) else GuardedStore(store)


@dataclass(frozen=True)
class StorageScope:
    """Where one Plivo account's state lives in the plugin's storage."""

    digest: str

    @classmethod
    def for_account(cls, auth_id: str) -> StorageScope:
        """The scope of an Auth ID (trimmed; case matters, as it does to Plivo)."""
        material = f"{KEY_PREFIX}:account:{auth_id.strip()}".encode()
        return cls(hashlib.sha256(material).hexdigest()[:SCOPE_DIGEST_CHARS])

    def key(self, *parts: str) -> str:
        """``plivo_sms/<scope>/<part>/...``; parts are short tokens, never user text."""
        for part in parts:
            if not _KEY_PART.fullmatch(part):
                raise StorageKeyError(f"storage key part {part!r} is not a short token")
        key = "/".join((KEY_PREFIX, self.digest, *parts))
        if len(key) > MAX_KEY_CHARS:
            raise StorageKeyError("storage key longer than the daemon allows")
        return key

    def digest_of(self, value: str) -> str:
        """A stable stand-in for ``value`` (a phone number, an app id) in keys and records.

        Keyed with the scope, so the same number has different digests in different accounts.
        It is pseudonymous, not anonymous: phone numbers are few enough to be guessed one by one.
        """
        material = f"{self.digest}\0{value}".encode()
        return hashlib.sha256(material).hexdigest()[:ITEM_DIGEST_CHARS]


def read_optional(store: KeyValueStore, key: str) -> bytes | None:
    """The value of ``key``, or None when it is not stored.

    The daemon answers ``get`` of a missing key with an error; only then is ``exist`` asked, so
    a stored key costs one call and a real failure (permissions, a broken daemon) raises
    :class:`StorageError` instead of being read as "missing".
    """
    safe = guarded(store)
    try:
        return safe.get(key)
    except StorageError:
        if not safe.exist(key):
            return None
        raise


def read_record(store: KeyValueStore, key: str) -> dict[str, object] | None:
    """A JSON object written by :func:`write_record`; None when missing or unreadable.

    An unreadable value (written by an older version, or damaged) is logged and treated as
    missing: the next write replaces it.
    """
    return _parse_record(read_optional(store, key))


def read_record_or_none(store: KeyValueStore, key: str) -> dict[str, object] | None:
    """Like :func:`read_record`, but a failed ``get`` counts as "not stored", in one call.

    For records whose absence is usually the answer (a slot not written yet) and whose loss
    costs no safety: telling "missing" from "failed" would take a second call every time.
    """
    try:
        raw: bytes | None = guarded(store).get(key)
    except StorageError:
        raw = None
    return _parse_record(raw)


def slot_of(digest: str, slots: int) -> str:
    """The slot (``0`` .. ``slots - 1``, as a key part) a hex digest falls into."""
    return f"{int(digest[:8], 16) % slots:05d}"


def _parse_record(raw: bytes | None) -> dict[str, object] | None:
    if raw is None:
        return None
    if len(raw) > MAX_RECORD_BYTES:
        logger.warning("ignoring an oversized plugin storage record")
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        logger.warning("ignoring an unreadable plugin storage record")
        return None
    if not isinstance(value, dict):
        logger.warning("ignoring a plugin storage record that is not a JSON object")
        return None
    return value


def write_record(store: KeyValueStore, key: str, record: Mapping[str, object]) -> None:
    """Store ``record`` as compact JSON (the daemon's quota counts stored bytes)."""
    data = json.dumps(record, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    store.set(key, data.encode("ascii"))


def delete_if_present(store: KeyValueStore, key: str) -> bool:
    """Delete ``key`` if stored (the daemon fails a delete of a missing key); True if deleted."""
    if not store.exist(key):
        return False
    store.delete(key)
    return True


def number_of(value: object, default: float = 0.0) -> float:
    """A JSON number from a record (never a bool, NaN or infinity), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    number = float(value)
    return number if number == number and abs(number) != float("inf") else default


def text_of(value: object) -> str:
    """A JSON string from a record, else ``""``."""
    return value if isinstance(value, str) else ""


__all__ = [
    "KEY_PREFIX",
    "MAX_KEY_CHARS",
    "GuardedStore",
    "KeyValueStore",
    "StorageError",
    "StorageKeyError",
    "StorageScope",
    "delete_if_present",
    "guarded",
    "number_of",
    "read_optional",
    "read_record",
    "read_record_or_none",
    "slot_of",
    "text_of",
    "write_record",
]
