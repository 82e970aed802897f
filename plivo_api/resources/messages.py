"""Messages: send one (``POST Message/``), read one (``GET Message/{uuid}/``) and list them
(``GET Message/``) (https://www.plivo.com/docs/messaging/api/message/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..errors import NotFoundError, OutcomeUnknownError
from ..messaging.digits import display_number
from ..messaging.error_codes import normalize_error_code
from ..messaging.states import is_final
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import decimal_of, int_of, str_of
from ..transport.paging import Page, parse_page

MESSAGE_OUTCOME_CHECK: Final = (
    "The message may or may not have been queued: check list_messages before sending again."
)
"""What to do when a send may have reached Plivo; each creating request names its own check."""


@dataclass(frozen=True)
class SendResult:
    """Plivo's 202: one UUID per accepted destination, and the destinations it refused."""

    api_id: str | None
    message_uuids: tuple[str, ...]
    invalid_numbers: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SendResult:
        uuids = data.get("message_uuid")
        if isinstance(uuids, str):
            uuids = [uuids]
        invalid = data.get("invalid_number") or []
        if isinstance(invalid, str):
            invalid = [part for part in invalid.split("<") if part]
        if not isinstance(uuids, list) or not isinstance(invalid, list):
            # Same class as any other unreadable answer to a send: callers branch on it.
            raise OutcomeUnknownError(
                "Plivo accepted the request but its answer lists no message UUIDs in the "
                "documented form. The messages may have been queued: check list_messages "
                "before sending again.",
                api_id=str_of(data, "api_id"),
            )
        return cls(
            api_id=str_of(data, "api_id"),
            message_uuids=tuple(str(u) for u in uuids),
            invalid_numbers=tuple(str(n) for n in invalid),
        )


@dataclass(frozen=True)
class MessageRecord:
    """One message detail record (MDR) of ``GET Message/{uuid}/`` or a List Messages page.

    ``error_code`` is normalised (``"000"``, ``0``, ``""`` and ``null`` all become ``None``;
    ``"030"`` becomes ``"30"``); ``error_text`` keeps Plivo's ``error_message`` for unknown codes.
    ``carrier_fees`` is the part of ``total_amount`` that carriers charge on top of Plivo's
    price (US and Canadian carriers do, per segment: ``carrier_fees_rate``).
    """

    message_uuid: str | None
    state: str | None
    direction: str | None
    message_type: str | None
    from_number: str | None
    to_number: str | None
    error_code: str | None
    error_text: str | None
    units: int | None
    total_amount: Decimal | None
    total_rate: Decimal | None
    message_time: str | None
    sent_time: str | None
    delivered_time: str | None
    api_id: str | None = None
    carrier_fees: Decimal | None = None
    carrier_fees_rate: Decimal | None = None

    @property
    def final(self) -> bool:
        return is_final(self.state)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MessageRecord:
        state = (str_of(data, "message_state") or "").strip().lower() or None
        # Plivo's MDR has no delivery time of its own: the last change of a delivered message is
        # its delivery receipt. A field with that meaning wins when Plivo sends one.
        delivered = str_of(data, "message_delivered_time") or str_of(data, "delivery_report_time")
        if delivered is None and state == "delivered":
            delivered = str_of(data, "message_updated_time")
        return cls(
            message_uuid=str_of(data, "message_uuid"),
            state=state,
            direction=str_of(data, "message_direction"),
            message_type=str_of(data, "message_type"),
            from_number=display_number(str_of(data, "from_number")),
            to_number=display_number(str_of(data, "to_number")),
            error_code=normalize_error_code(data.get("error_code")),
            error_text=str_of(data, "error_message"),
            units=int_of(data.get("units")),
            total_amount=decimal_of(data.get("total_amount")),
            total_rate=decimal_of(data.get("total_rate")),
            message_time=str_of(data, "message_time"),
            sent_time=str_of(data, "message_sent_time"),
            delivered_time=delivered,
            api_id=str_of(data, "api_id"),
            carrier_fees=decimal_of(data.get("carrier_fees")),
            carrier_fees_rate=decimal_of(data.get("carrier_fees_rate")),
        )


def send_message(client: PlivoClient, payload: Mapping[str, Any]) -> SendResult:
    """``POST Message/``: never repeated once it may have reached Plivo."""
    data = client.request(
        "POST",
        client.resource_url("Message"),
        json_body=payload,
        creates=MESSAGE_OUTCOME_CHECK,
        reaches_destinations=True,
    )
    return SendResult.from_json(data)


def get_message(client: PlivoClient, message_uuid: str) -> MessageRecord:
    try:
        data = client.request("GET", client.resource_url("Message", message_uuid))
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"No such message: Plivo has no message {message_uuid} on this account. Check the "
            "UUID (send_sms returns it in message_uuids); Plivo keeps message records for "
            "about 90 days, and a subaccount only sees its own messages.",
        ) from None
    return MessageRecord.from_json(data)


def list_messages(client: PlivoClient, params: Mapping[str, str | int]) -> Page[MessageRecord]:
    """One page of ``GET Message/`` with exactly these query parameters."""
    offset = params.get("offset", 0)
    data = client.request("GET", client.resource_url("Message"), params=params)
    requested = int(offset) if offset else 0
    return parse_page(data, MessageRecord.from_json, requested_offset=requested, what="message")


@dataclass(frozen=True)
class Messenger:
    """:func:`send_message` bound to one client, for code that only sends messages."""

    client: PlivoClient

    def send_message(self, payload: Mapping[str, Any]) -> SendResult:
        return send_message(self.client, payload)


__all__ = [
    "MESSAGE_OUTCOME_CHECK",
    "MessageRecord",
    "Messenger",
    "SendResult",
    "get_message",
    "list_messages",
    "send_message",
]
