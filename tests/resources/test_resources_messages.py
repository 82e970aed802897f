"""Messages: carrier fees (the message detail record Plivo documents carries carrier_fees and
carrier_fees_rate next to the SDK fixture messageGetResponse's fields)."""

from __future__ import annotations

from decimal import Decimal

from plivo_api.features import get_message
from plivo_api.resources.messages import MessageRecord
from plivo_api.toolkit.polling import MessageStatus

MDR = {
    "api_id": "95747262-3f08-11e7-8bc8-065f6a74a84a",
    "carrier_fees": "0.00300",
    "carrier_fees_rate": "0.00300",
    "error_code": None,
    "from_number": "14155550100",
    "message_direction": "outbound",
    "message_state": "sent",
    "message_time": "2017-05-22 21:36:14+05:30",
    "message_type": "sms",
    "message_uuid": "5b40a428-bfc7-4daf-9d06-726c558bf3b8",
    "to_number": "14155552671",
    "total_amount": "0.00550",
    "total_rate": "0.00250",
    "units": 1,
}


def test_carrier_fees_are_read_and_shown() -> None:
    record = MessageRecord.from_json(MDR)
    assert (record.carrier_fees, record.carrier_fees_rate) == (
        Decimal("0.00300"),
        Decimal("0.00300"),
    )
    query = get_message.MessageQuery(str(MDR["message_uuid"]), 0)
    output = get_message.present(MessageStatus(record, 0.0, 1, None), query)
    assert (output.json["carrier_fees"], output.json["carrier_fees_rate"]) == (0.003, 0.003)
    assert "Carrier fees: USD 0.00300." in output.text


def test_no_carrier_fees_is_null_and_unsaid() -> None:
    record = MessageRecord.from_json({**MDR, "carrier_fees": "", "carrier_fees_rate": None})
    query = get_message.MessageQuery(str(MDR["message_uuid"]), 0)
    output = get_message.present(MessageStatus(record, 0.0, 1, None), query)
    assert output.json["carrier_fees"] is None
    assert "Carrier fees" not in output.text
