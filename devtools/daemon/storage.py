"""Plugin storage (``session.storage``) with the plugin daemon's rules.

Source: langgenius/dify-plugin-daemon ``internal/core/persistence/persistence.go`` (key checks, the
size quota, the read cache) and ``internal/core/io_tunnel/backwards_invocation/task.go``
``executeDifyInvocationStorageTask`` (wire answers and error texts). One store belongs to one
plugin in one workspace: every endpoint, tool and trigger session of the plugin shares it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from devtools.daemon.httpwire import go_path_clean

MAX_KEY_BYTES = 256
"""Longest key ``Save`` accepts, counted in bytes (Go ``len``)."""
DAEMON_MAX_STORAGE_BYTES = 100 * 1024 * 1024
"""``PERSISTENCE_STORAGE_MAX_SIZE`` default (``internal/types/app/default.go``)."""
READ_CACHE_SECONDS = 5 * 60
"""``Load`` caches a value in Redis this long; ``del`` reports how many cache entries it removed."""

LOAD_FAILED = "load data failed, please check if the key is correct or you have not set it"
TRAVERSAL = "invalid key: path traversal attempt detected"
KEY_TOO_LONG = "key length must be less than 256 characters"
OVER_QUOTA = "allocated size is greater than max storage size"


class StorageError(Exception):
    """A storage call the daemon answers with an error event (the SDK raises ``Exception``)."""


@dataclass(frozen=True)
class StorageCall:
    """One storage invocation, for assertions."""

    session_id: str
    opt: str
    key: str
    value_size: int | None
    error: str | None
    at: float


@dataclass
class StandInStorage:
    """Key/value bytes for one plugin, checked the way the daemon checks them.

    ``quota`` is the manifest's ``resource.permission.storage.size``; the daemon also applies its
    own ceiling (``global_quota``). Quirks kept on purpose, because a plugin meets them in
    production:

    * a key is checked after Go's ``path.Clean``: ``a/../b`` is accepted (and stored as ``b``),
      ``a..b`` and ``../b`` and anything with a backslash are refused; length is checked on
      ``set`` only;
    * ``set`` over the quota writes the value first and then fails (the size counter is not
      updated, so the stored bytes exceed the counter);
    * ``get`` of a missing key fails (``LOAD_FAILED``); ``del`` of a missing key fails too (the
      daemon stats the file first), and its ``deleted_num`` counts removed read-cache entries,
      not stored values.
    """

    quota: int | None = None
    global_quota: int = DAEMON_MAX_STORAGE_BYTES
    values: dict[str, bytes] = field(default_factory=dict)
    used_bytes: int = 0
    calls: list[StorageCall] = field(default_factory=list)
    _row_exists: bool = False
    _read_cache: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- the four operations, raising StorageError with the daemon's texts ---------------------

    def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
        with self._lock:
            error = self._key_error(key, "save data failed: ")
            if error is None and len(key.encode()) > MAX_KEY_BYTES:
                error = f"save data failed: {KEY_TOO_LONG}"
            if error is None:
                error = self._save(key, value)
            self._record(session_id, "set", key, len(value), error)
        if error is not None:
            raise StorageError(error)

    def get(self, key: str, *, session_id: str = "") -> bytes:
        with self._lock:
            stored = self.values.get(self._file(key)) if self._key_ok(key) else None
            if stored is not None:
                self._read_cache[key] = time.monotonic() + READ_CACHE_SECONDS
            self._record(
                session_id,
                "get",
                key,
                None if stored is None else len(stored),
                LOAD_FAILED if stored is None else None,
            )
        if stored is None:
            raise StorageError(LOAD_FAILED)
        return stored

    def delete(self, key: str, *, session_id: str = "") -> int:
        """Remove ``key``; returns ``deleted_num`` as the daemon reports it."""
        deleted = 0
        with self._lock:
            error = self._key_error(key, "delete data failed: ")
            if error is None:
                deleted = 1 if self._cached(key) else 0
                self._read_cache.pop(key, None)
                stored = self.values.pop(self._file(key), None)
                if stored is None:
                    error = f"delete data failed: stat {self._file(key)}: no such file or directory"
                else:
                    self.used_bytes -= len(stored)
            self._record(session_id, "del", key, None, error)
        if error is not None:
            raise StorageError(error)
        return deleted

    def exist(self, key: str, *, session_id: str = "") -> int:
        """``exist_num``: 1 when the key is stored (or still in the read cache), else 0."""
        with self._lock:
            error = self._key_error(key, "exist data failed: ")
            found = 1 if self._cached(key) or self._file(key) in self.values else 0
            self._record(session_id, "exist", key, None, error)
        if error is not None:
            raise StorageError(error)
        return found

    # -- for tests -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, bytes]:
        with self._lock:
            return dict(self.values)

    def clear(self) -> None:
        with self._lock:
            self.values.clear()
            self._read_cache.clear()
            self.calls.clear()
            self.used_bytes = 0
            self._row_exists = False

    def calls_for(self, opt: str) -> list[StorageCall]:
        with self._lock:
            return [call for call in self.calls if call.opt == opt]

    # -- rules ---------------------------------------------------------------------------------

    @staticmethod
    def _key_ok(key: str) -> bool:
        cleaned = go_path_clean(key)
        return not (".." in cleaned or "//" in cleaned or "\\" in cleaned)

    def _key_error(self, key: str, prefix: str) -> str | None:
        return None if self._key_ok(key) else prefix + TRAVERSAL

    @staticmethod
    def _file(key: str) -> str:
        """The storage path the key lands on (``path.Join`` of the cleaned key)."""
        return go_path_clean(key).lstrip("/") or "."

    def _cached(self, key: str) -> bool:
        expires = self._read_cache.get(key)
        if expires is None:
            return False
        if expires < time.monotonic():
            del self._read_cache[key]
            return False
        return True

    def _save(self, key: str, value: bytes) -> str | None:
        limit = self.global_quota if self.quota is None else self.quota
        path = self._file(key)
        old_size = len(self.values.get(path, b""))
        self.values[path] = bytes(value)  # written before the quota check, as the daemon does
        self._read_cache.pop(key, None)
        diff = len(value) - old_size
        total = diff + self.used_bytes if self._row_exists else diff
        if total > limit or total > self.global_quota:
            return f"save data failed: {OVER_QUOTA}"
        self._row_exists = True
        self.used_bytes += diff
        return None

    def _record(
        self, session_id: str, opt: str, key: str, size: int | None, err: str | None
    ) -> None:
        self.calls.append(StorageCall(session_id, opt, key, size, err, time.time()))
