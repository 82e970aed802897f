"""The opt-out list: per-number records for the endpoint, one index for send_sms."""

from __future__ import annotations

import pytest

from devtools.daemon import StandInStorage
from devtools.daemon import StorageError as DaemonStorageError
from plivo_api.inbound.optouts import OptOutList, OptOutReadError, canonical, opted_out_numbers
from plivo_api.webhooks.kvstore import StorageScope, write_record

SCOPE = StorageScope.for_account("MAXXXXXXXXXXXXXXXXXX")
ALICE, BOB = "+14155552671", "+442079460018"


def test_stop_then_start_for_one_number() -> None:
    store = StandInStorage()
    optouts = OptOutList(store, SCOPE)
    assert not optouts.contains(ALICE)
    optouts.add(ALICE)
    assert optouts.contains(ALICE)
    assert not optouts.contains(BOB)
    snapshot = optouts.snapshot()
    assert ALICE in snapshot and "14155552671" in snapshot and BOB not in snapshot
    optouts.remove(ALICE)
    assert not optouts.contains(ALICE)
    assert ALICE not in optouts.snapshot()


def test_a_repeated_stop_or_a_start_without_stop_changes_nothing() -> None:
    store = StandInStorage()
    optouts = OptOutList(store, SCOPE, clock=lambda: 100.0)
    optouts.remove(ALICE)
    assert store.snapshot() == {}
    optouts.add(ALICE)
    before = store.snapshot()
    optouts.add(ALICE)
    assert len(optouts.snapshot()) == 1
    assert store.snapshot().keys() == before.keys()


def test_numbers_are_never_stored_in_clear() -> None:
    store = StandInStorage()
    OptOutList(store, SCOPE).add(ALICE)
    stored = repr(store.snapshot())
    assert "4155552671" not in stored


def test_another_account_has_its_own_list() -> None:
    store = StandInStorage()
    OptOutList(store, SCOPE).add(ALICE)
    other = OptOutList(store, StorageScope.for_account("MAYYYYYYYYYYYYYYYYYY"))
    assert not other.contains(ALICE)
    assert ALICE not in other.snapshot()


def test_a_send_to_a_thousand_recipients_reads_the_list_with_at_most_two_calls() -> None:
    store = StandInStorage()
    optouts = OptOutList(store, SCOPE)
    for n in range(20):
        optouts.add(f"+1415555{n:04d}")
    recipients = [f"+1415555{n:04d}" for n in range(1000)]
    store.calls.clear()
    snapshot = optouts.snapshot()
    listed = opted_out_numbers(snapshot, recipients)
    assert listed == recipients[:20]
    assert len(store.calls) <= 2


def test_an_empty_list_costs_two_calls_at_most() -> None:
    store = StandInStorage()
    snapshot = OptOutList(store, SCOPE).snapshot()
    assert len(snapshot) == 0
    assert len(store.calls) <= 2


class OverwritingStore(StandInStorage):
    """Plays a concurrent writer: the first index write is lost (another STOP's older view
    replaces it right after)."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def set(self, key: str, value: bytes, *, session_id: str = "") -> None:
        super().set(key, value, session_id=session_id)
        if key.endswith("/optouts") and self.lost == 0:
            self.lost += 1
            super().set(key, b'{"numbers":{},"v":1}', session_id=session_id)


def test_an_index_update_lost_to_a_concurrent_writer_is_repeated() -> None:
    store = OverwritingStore()
    optouts = OptOutList(store, SCOPE)
    optouts.add(ALICE)
    assert store.lost == 1
    assert ALICE in optouts.snapshot()


def test_an_unreadable_list_is_an_error_not_an_empty_list() -> None:
    class Unreadable(StandInStorage):
        def get(self, key: str, *, session_id: str = "") -> bytes:
            raise DaemonStorageError("load data failed")  # the key exists, reading it fails

    store = Unreadable()
    write_record(store, SCOPE.key("optouts"), {"numbers": {}})
    with pytest.raises(OptOutReadError):
        OptOutList(store, SCOPE).snapshot()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("14155552671", ALICE), (ALICE, ALICE), (" +14155552671 ", ALICE), ("ACME", "ACME")],
)
def test_numbers_are_digested_in_one_form(raw: str, shown: str) -> None:
    assert canonical(raw) == shown


# -- send_sms's side -------------------------------------------------------------------------


def test_send_sms_fails_rather_than_send_blind_when_the_list_cannot_be_read() -> None:
    from plivo_api.errors import PlivoError
    from plivo_api.features import Invocation
    from plivo_api.features.send_sms import opt_outs
    from plivo_api.transport.credentials import Credentials

    class Unreadable(StandInStorage):
        def get(self, key: str, *, session_id: str = "") -> bytes:
            raise DaemonStorageError("load data failed")

    credentials = Credentials("MAXXXXXXXXXXXXXXXXXX", "token-value")
    store = Unreadable()
    write_record(store, SCOPE.key("optouts"), {"numbers": {}})
    with pytest.raises(PlivoError, match="nothing was sent"):
        opt_outs(Invocation({}, storage=store), credentials)
    assert opt_outs(Invocation({}, storage=None), credentials) == frozenset()


def test_send_sms_with_fail_on_invalid_refuses_a_send_to_an_opted_out_number() -> None:
    from plivo_api.errors import InputError
    from plivo_api.features.send_sms import plan

    store = StandInStorage()
    optouts = OptOutList(store, SCOPE)
    optouts.add(ALICE)
    params = {"to": f"{ALICE}, {BOB}", "message": "hi", "fail_on_invalid": True}
    with pytest.raises(InputError, match="opted out"):
        plan(params, "+14155550199", optouts.snapshot())
    relaxed = plan({**params, "fail_on_invalid": False}, "+14155550199", optouts.snapshot())
    assert relaxed.recipients == (BOB,)
    assert [(r.input, r.reason) for r in relaxed.invalid] == [(ALICE, "opted out (replied STOP)")]
