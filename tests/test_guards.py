"""Loop and bill-shock guards: who can receive a reply, own numbers, the reply rate limit."""

from __future__ import annotations

import pytest

from devtools.daemon import StandInStorage
from plivo_api.inbound.guards import (
    RATE_WINDOW_SECONDS,
    REPLIES_PER_SENDER_PER_MINUTE,
    OwnNumbers,
    ReplyRateLimiter,
    can_receive,
)
from plivo_api.kvstore import StorageScope

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
    own = OwnNumbers(StandInStorage(), SCOPE)
    assert not own.note_and_check(OURS, ALICE)
    assert own.note_and_check(OURS, OURS)  # a number texting itself
    assert not own.note_and_check(OTHER_OURS, ALICE)
    # a reply from OURS reaching OTHER_OURS comes back as an inbound message from OURS
    assert own.note_and_check(OTHER_OURS, OURS)


def test_the_rate_limit_counts_replies_per_sender_in_a_sliding_minute() -> None:
    now = [1_000_000.0]
    limiter = ReplyRateLimiter(StandInStorage(), SCOPE, clock=lambda: now[0])
    for _ in range(REPLIES_PER_SENDER_PER_MINUTE):
        assert limiter.allows(ALICE)
        limiter.record(ALICE)
        now[0] += 1
    assert not limiter.allows(ALICE)
    assert limiter.allows("+14155552672")
    now[0] += RATE_WINDOW_SECONDS - REPLIES_PER_SENDER_PER_MINUTE + 0.5
    assert limiter.allows(ALICE)  # the first reply left the window
