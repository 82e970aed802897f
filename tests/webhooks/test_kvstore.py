"""Plugin storage helpers: scoped keys within the daemon's rules, optional reads, JSON records."""

from __future__ import annotations

import pytest

from devtools.daemon import StandInStorage
from devtools.daemon import StorageError as DaemonStorageError
from plivo_api.webhooks.kvstore import (
    MAX_KEY_CHARS,
    GuardedStore,
    StorageError,
    StorageKeyError,
    StorageScope,
    delete_if_present,
    guarded,
    number_of,
    read_optional,
    read_record,
    text_of,
    write_record,
)

AUTH_ID = "MAXXXXXXXXXXXXXXXXXX"


class BrokenStore:
    """Every call fails with the daemon's texts (the SDK raises them as bare exceptions)."""

    def __init__(self, *, exist: bool | None = None) -> None:
        self._exist = exist

    def get(self, key: str) -> bytes:
        raise DaemonStorageError(
            "permission denied, you need to enable storage access in plugin manifest"
        )

    def set(self, key: str, val: bytes) -> None:
        raise DaemonStorageError(
            "save data failed: allocated size is greater than max storage size"
        )

    def delete(self, key: str) -> None:
        raise DaemonStorageError("delete data failed")

    def exist(self, key: str) -> bool:
        if self._exist is None:
            raise DaemonStorageError("exist data failed")
        return self._exist


def test_scopes_differ_per_account_and_keys_follow_the_daemon_rules() -> None:
    scope = StorageScope.for_account(AUTH_ID)
    assert scope == StorageScope.for_account(f"  {AUTH_ID}\n")
    assert scope != StorageScope.for_account("MAYYYYYYYYYYYYYYYYYY")
    key = scope.key("optout", scope.digest_of("+14155552671"))
    assert key.startswith(f"plivo_sms/{scope.digest}/optout/")
    assert len(key) <= MAX_KEY_CHARS
    assert ".." not in key and "//" not in key and "\\" not in key
    assert AUTH_ID not in key and "4155552671" not in key
    store = StandInStorage()
    store.set(key, b"x")  # the daemon's own checks accept it
    assert store.get(key) == b"x"


@pytest.mark.parametrize("part", ["", "..", "a/b", "a\\b", "x" * 65, "+1415", "é"])
def test_key_parts_that_could_break_the_rules_are_refused(part: str) -> None:
    with pytest.raises(StorageKeyError):
        StorageScope.for_account(AUTH_ID).key(part)


def test_digests_are_stable_and_keyed_by_the_account() -> None:
    one, two = StorageScope.for_account("MA1XXXXXXXXXXXXXXXXX"), StorageScope.for_account("MA2X")
    assert one.digest_of("+14155552671") == one.digest_of("+14155552671")
    assert one.digest_of("+14155552671") != one.digest_of("+14155552672")
    assert one.digest_of("+14155552671") != two.digest_of("+14155552671")


def test_read_optional_tells_missing_from_failing() -> None:
    store = StandInStorage()
    assert read_optional(store, "plivo_sms/k") is None
    store.set("plivo_sms/k", b"v")
    assert read_optional(store, "plivo_sms/k") == b"v"
    with pytest.raises(StorageError):
        read_optional(BrokenStore(exist=True), "plivo_sms/k")  # stored, but unreadable
    with pytest.raises(StorageError):
        read_optional(BrokenStore(), "plivo_sms/k")  # nothing answers at all
    assert read_optional(BrokenStore(exist=False), "plivo_sms/k") is None


def test_a_present_key_costs_one_storage_call() -> None:
    store = StandInStorage()
    store.set("plivo_sms/k", b"v")
    store.calls.clear()
    read_optional(store, "plivo_sms/k")
    assert [call.opt for call in store.calls] == ["get"]


def test_records_round_trip_and_garbage_reads_as_missing() -> None:
    store = StandInStorage()
    write_record(store, "plivo_sms/r", {"b": 1, "a": "x"})
    assert store.get("plivo_sms/r") == b'{"a":"x","b":1}'
    assert read_record(store, "plivo_sms/r") == {"a": "x", "b": 1}
    for garbage in (b"\xff\xfe", b"not json", b"[1, 2]", b'"text"'):
        store.set("plivo_sms/r", garbage)
        assert read_record(store, "plivo_sms/r") is None


def test_guarded_store_turns_every_failure_into_storage_error() -> None:
    store = GuardedStore(BrokenStore())
    for call in (
        lambda: store.get("k"),
        lambda: store.set("k", b""),
        lambda: store.delete("k"),
        lambda: store.exist("k"),
    ):
        with pytest.raises(StorageError):
            call()
    assert guarded(store) is store


def test_delete_if_present_never_deletes_a_missing_key() -> None:
    store = StandInStorage()
    assert delete_if_present(store, "plivo_sms/k") is False
    store.set("plivo_sms/k", b"v")
    assert delete_if_present(store, "plivo_sms/k") is True
    assert not store.exist("plivo_sms/k")


@pytest.mark.parametrize(
    ("raw", "number", "text"),
    [(1.5, 1.5, ""), (True, 0.0, ""), ("2", 0.0, "2"), (float("nan"), 0.0, ""), (None, 0.0, "")],
)
def test_record_fields_are_read_defensively(raw: object, number: float, text: str) -> None:
    assert number_of(raw) == number
    assert text_of(raw) == text
