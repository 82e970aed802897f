"""Loop and bill-shock guards: who can receive a reply, own numbers, the reply rate limit."""

from __future__ import annotations

import pytest

from devtools.daemon import StandInStorage
from plivo_api.inbound.guards import NumberFlags, can_receive, forget_marked_numbers
from plivo_api.inbound.optouts import OptOutList, number_key
from plivo_api.webhooks.kvstore import StorageScope

SCOPE = StorageScope.for_account("MAXXXXXXXXXXXXXXXXXX")
OURS, OTHER_OURS, ALICE = "+14155550199", "+14155550100", "+14155552671"


@pytest.mark.parametrize(
    ("sender", "receives"),
    [
        (ALICE, True),
        ("+447700900123", True),
        ("12345", False),  # a short code
        ("+12345", False),  # too short for a phone number
        ("ACMEBANK", False),  # an alphanumeric sender ID
        ("14155552671", False),  # not E.164 as display_number shows phone numbers
        ("+1234567890123456", False),  # longer than E.164
        ("", False),
    ],
)
def test_only_phone_numbers_get_replies(sender: str, receives: bool) -> None:
    assert can_receive(sender) is receives


def test_numbers_that_received_messages_are_the_accounts_own() -> None:
    forget_marked_numbers()
    store = StandInStorage()
    flags = NumberFlags(store, SCOPE)
    assert not flags.read(ALICE).own
    flags.mark_own(OURS)
    flags.mark_own(OTHER_OURS)
    # a reply from OURS reaching OTHER_OURS comes back as an inbound message from OURS
    assert flags.read(OURS).own and not flags.read(OURS).opted_out
    assert not flags.read(ALICE).own
    calls = len(store.calls)
    flags.mark_own(OURS)  # already marked by this process: no storage call
    assert len(store.calls) == calls


def test_an_opt_out_and_the_own_mark_share_one_record_and_keep_each_other() -> None:
    forget_marked_numbers()
    store = StandInStorage()
    flags, optouts = NumberFlags(store, SCOPE), OptOutList(store, SCOPE)
    optouts.add(OURS)
    flags.mark_own(OURS)
    assert flags.read(OURS) == flags.read(OURS).__class__(opted_out=True, own=True)
    optouts.remove(OURS)
    assert flags.read(OURS).own and not flags.read(OURS).opted_out
    optouts.add(ALICE)
    assert flags.read(ALICE).opted_out and optouts.contains(ALICE)
    optouts.remove(ALICE)
    assert number_key(SCOPE, ALICE) not in store.snapshot() and not optouts.contains(ALICE)
