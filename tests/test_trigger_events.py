"""The trigger events' variables and filters, from the payload the dispatch computed."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.trigger_events import (
    CALL_VARIABLES,
    SMS_VARIABLES,
    STATUS_VARIABLES,
    call_event,
    call_variables,
    message_status,
    sms_received,
    sms_variables,
    status_variables,
)
from plivo_api.webhooks import CallEvent, DeliveryReport, InboundMessage

SMS_PAYLOAD = sms_variables(
    InboundMessage.from_params(
        {"MessageUUID": "u-1", "From": "14155550123", "To": "14155550100", "Text": "Book 2"}
    )
)


def test_each_event_hands_exactly_its_declared_variables() -> None:
    assert list(SMS_PAYLOAD) == list(SMS_VARIABLES)
    report = DeliveryReport.from_params({"MessageUUID": "u-2", "Status": "delivered"})
    assert list(status_variables(report)) == list(STATUS_VARIABLES)
    call = CallEvent.from_params({"CallUUID": "c", "From": "1", "To": "2"})
    assert list(call_variables(call)) == list(CALL_VARIABLES)


def test_sms_received_filters_the_payload() -> None:
    kept = sms_received({"keyword": "book"}, SMS_PAYLOAD)
    assert not kept.ignored
    assert kept.variables == SMS_PAYLOAD
    dropped = sms_received({"keyword": "cancel"}, SMS_PAYLOAD)
    assert dropped.ignored and "keyword" in dropped.verdict.reason


def test_a_payload_missing_fields_still_gives_every_variable() -> None:
    result = sms_received({}, {"text": "hi"})
    assert list(result.variables) == list(SMS_VARIABLES)
    assert result.variables["from"] is None
    assert not result.ignored


def test_message_status_filters_on_the_state() -> None:
    payload = status_variables(DeliveryReport.from_params({"MessageUUID": "u", "Status": "sent"}))
    assert message_status({"states": ["sent"]}, payload).variables["state"] == "sent"
    assert message_status({"states": ["delivered"]}, payload).ignored


def test_call_events_have_no_filter() -> None:
    payload = {"call_uuid": "c", "from": "+1", "extra": "dropped"}
    result = call_event(payload)
    assert not result.ignored
    assert list(result.variables) == list(CALL_VARIABLES)
    assert "extra" not in result.variables


def test_a_filter_that_cannot_work_raises() -> None:
    with pytest.raises(InputError):
        sms_received({"regex": "("}, SMS_PAYLOAD)
    with pytest.raises(InputError):
        message_status({"states": "lost"}, {"state": "sent"})
