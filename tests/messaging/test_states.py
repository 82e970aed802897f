"""Plivo's message states: which are final, which mean delivered, and what each means."""

from __future__ import annotations

import pytest

from plivo_api.messaging.states import (
    DELIVERED_STATES,
    FINAL_STATES,
    MESSAGE_STATES,
    STATE_DESCRIPTIONS,
    STATE_UNKNOWN,
    describe_state,
    is_final,
)


def test_final_states_are_exactly_the_ones_a_message_never_leaves() -> None:
    assert {"delivered", "undelivered", "failed", "rejected", "read", "received"} == FINAL_STATES


@pytest.mark.parametrize("state", ["queued", "sent", STATE_UNKNOWN, None, "", "DELIVERED"])
def test_other_states_are_not_final(state: str | None) -> None:
    assert is_final(state) is False


def test_a_received_inbound_message_is_final() -> None:
    assert is_final("received") is True


def test_only_delivered_and_read_confirm_delivery() -> None:
    assert {"delivered", "read"} == DELIVERED_STATES
    assert DELIVERED_STATES <= FINAL_STATES


def test_every_plivo_state_is_described() -> None:
    assert set(MESSAGE_STATES) | {STATE_UNKNOWN} == set(STATE_DESCRIPTIONS)
    assert set(FINAL_STATES) <= set(MESSAGE_STATES)


@pytest.mark.parametrize(
    ("state", "fragment"),
    [
        ("sent", "no delivery receipt yet"),
        ("received", "inbound message"),
        (None, "could not be read"),
        ("", "could not be read"),
        ("paused", "state paused"),
    ],
)
def test_describe_state(state: str | None, fragment: str) -> None:
    assert fragment in describe_state(state)
