"""Remembering dispatched events: a repeat is recognised however soon it follows."""

from __future__ import annotations

from devtools.daemon import StandInStorage
from plivo_api.webhooks.door import CLOCK_SKEW_SECONDS, EVENT_MEMORY_SECONDS, DispatchedEvents
from plivo_api.webhooks.kvstore import StorageScope

SCOPE = StorageScope("0123456789abcdef")


def events_at(times: list[float], store: StandInStorage) -> DispatchedEvents:
    return DispatchedEvents(store, SCOPE, clock=lambda: times[0])


def test_a_repeat_within_the_same_millisecond_is_still_a_repeat() -> None:
    """The time is stored rounded to the millisecond: 1000.0006 is kept as 1000.001, so a repeat
    at 1000.0008 reads a time slightly ahead of its clock (it was dispatched twice before)."""
    store, now = StandInStorage(), [1000.0006]
    events = events_at(now, store)
    assert events.first_dispatch("sms_received/u-1", "a")
    now[0] = 1000.0008
    assert not events.first_dispatch("sms_received/u-1", "b")


def test_memory_ends_and_a_time_far_in_the_future_is_not_trusted() -> None:
    store, now = StandInStorage(), [5000.0]
    events = events_at(now, store)
    assert events.first_dispatch("e", "a")
    now[0] = 5000.0 + EVENT_MEMORY_SECONDS
    assert events.first_dispatch("e", "b")
    now[0] = 5000.0 - CLOCK_SKEW_SECONDS - 1  # written by a clock far ahead of this one
    assert events.first_dispatch("e", "c")
