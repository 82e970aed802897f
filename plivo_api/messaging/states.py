"""Every message state Plivo reports, in one place: which are final, which mean delivered, and what
each one means in words.

Plivo documents these ``message_state`` values for outbound, inbound and WhatsApp messages
(https://www.plivo.com/docs/messaging/api/message/the-message-object). ``sent`` is not final
although a message often stays there: carriers in the US and Canada mostly send no delivery
receipt. ``received`` is the state of an inbound message and never changes.
"""

from __future__ import annotations

from typing import Final

STATE_UNKNOWN: Final = "unknown"
"""Not a Plivo state: what the tools report when a message's state could not be read."""

STATE_QUEUED: Final = "queued"

MESSAGE_STATES: Final = (
    "queued",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "rejected",
    "received",
    "read",
)
"""Plivo's states in life-cycle order (the ``state`` filter of list_messages offers these)."""

DELIVERY_REPORT_STATES: Final = ("queued", "sent", "delivered", "undelivered", "failed", "read")
"""The ``Status`` values of Plivo's delivery reports (the callback of a sent message)."""

FINAL_STATES: Final = frozenset(
    {"delivered", "undelivered", "failed", "rejected", "read", "received"}
)
"""States a message never leaves."""

DELIVERED_STATES: Final = frozenset({"delivered", "read"})
"""Delivery confirmed: ``read`` (WhatsApp) implies delivery; ``sent`` does not."""

STATE_DESCRIPTIONS: Final = {
    "queued": "accepted by Plivo and waiting to be sent",
    "sent": (
        "handed to the carrier, no delivery receipt yet (carriers in the US and Canada often "
        "send none, so this may stay the last word)"
    ),
    "delivered": "delivered to the handset, confirmed by the carrier",
    "undelivered": "the carrier could not deliver it",
    "failed": "Plivo could not send it (not charged)",
    "rejected": "rejected before it was sent",
    "received": "an inbound message received by your Plivo number",
    "read": "delivered and read by the recipient",
    STATE_UNKNOWN: "the status could not be read",
}


def is_final(state: str | None) -> bool:
    return state in FINAL_STATES


def describe_state(state: str | None) -> str:
    return STATE_DESCRIPTIONS.get(state or STATE_UNKNOWN, f"state {state}")


__all__ = [
    "DELIVERED_STATES",
    "DELIVERY_REPORT_STATES",
    "FINAL_STATES",
    "MESSAGE_STATES",
    "STATE_DESCRIPTIONS",
    "STATE_QUEUED",
    "STATE_UNKNOWN",
    "describe_state",
    "is_final",
]
