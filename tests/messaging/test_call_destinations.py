"""Call destinations (numbers as send_sms reads them, plus SIP URIs) and Plivo's voice answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.errors import OutcomeUnknownError
from plivo_api.messaging.call_destinations import REASON_SIP, parse_call_destinations, parse_sip_uri
from plivo_api.messaging.numbers import REASON_LETTERS, parse_recipients
from plivo_api.resources.calls import STATE_COMPLETED, CallRecord, CallRequest
from plivo_api.resources.conferences import Conference, conference_names


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("sip:alice@phone.plivo.com", "sip:alice@phone.plivo.com"),
        ("SIP:Alice@Phone.Plivo.COM", "sip:Alice@phone.plivo.com"),
        ("sip:1234@10.0.0.1:5060", "sip:1234@10.0.0.1:5060"),
        ("sip:alice", None),
        ("sip:@host", None),
        ("sip:a@-host", None),
        ("sip:a b@host", None),
        ("sips:a@host", None),
    ],
)
def test_sip_uris(text: str, uri: str | None) -> None:
    assert parse_sip_uri(text) == uri


def test_numbers_are_read_exactly_as_send_sms_reads_them() -> None:
    raw = "+1 (415) 555-2671, 020 7946 0018; Mobile: +44 20 7946 0018 and 12345"
    call = parse_call_destinations(raw, "GB")
    sms = parse_recipients(raw, "GB")
    assert call.numbers == sms.valid
    assert call.invalid == sms.invalid
    assert call.sip_uris == ()


def test_sip_uris_are_taken_out_before_the_numbers_are_read() -> None:
    raw = "sip:1234@phone.plivo.com, +14155552671<sip:bob@example.com; SIP:1234@PHONE.plivo.com"
    call = parse_call_destinations(raw)
    assert call.numbers == ("+14155552671",)
    assert call.sip_uris == ("sip:1234@phone.plivo.com", "sip:bob@example.com")
    assert call.invalid == ()


def test_a_broken_sip_uri_is_reported_with_the_form_to_use() -> None:
    call = parse_call_destinations("sip:alice, +14155552671, vanity-LINE")
    assert call.numbers == ("+14155552671",)
    reasons = {entry.input: entry.reason for entry in call.invalid}
    assert reasons["sip:alice"] == REASON_SIP
    assert reasons["vanity-LINE"] == REASON_LETTERS


def test_call_request_takes_one_uuid_or_a_list() -> None:
    one = CallRequest.from_json({"api_id": "a", "message": "call fired", "request_uuid": "r-1"})
    assert one == CallRequest(("r-1",), "a", "call fired")
    many = CallRequest.from_json({"request_uuid": ["r-1", "r-2"]})
    assert many.request_uuids == ("r-1", "r-2")


@pytest.mark.parametrize("body", [{"api_id": "a"}, {"request_uuid": []}, {"request_uuid": 7}])
def test_a_call_request_without_uuid_is_outcome_unknown(body: dict[str, object]) -> None:
    with pytest.raises(OutcomeUnknownError, match="calls still ringing or live") as caught:
        CallRequest.from_json(body)
    assert caught.value.api_id == body.get("api_id")


def test_call_detail_record() -> None:
    record = CallRecord.from_cdr(
        {
            "api_id": "a",
            "answer_time": None,
            "bill_duration": 0,
            "billed_duration": 0,
            "call_direction": "outbound",
            "call_duration": 0,
            "call_uuid": "c-1",
            "end_time": "2017-05-22 17:49:40+05:30",
            "from_number": "+919879879876",
            "to_number": "919999999999",
            "total_amount": "0.00000",
            "hangup_cause_code": 2000,
            "hangup_source": "Plivo",
        }
    )
    assert record == CallRecord(
        call_uuid="c-1",
        live=False,
        state=STATE_COMPLETED,
        direction="outbound",
        from_number="+919879879876",
        to_number="+919999999999",
        duration=0,
        billed_duration=0,
        total_amount=Decimal("0.00000"),
        answer_time=None,
        end_time="2017-05-22 17:49:40+05:30",
        hangup_cause="code 2000",
        hangup_source="Plivo",
        api_id="a",
    )


def test_live_call_details() -> None:
    record = CallRecord.from_live(
        {
            "call_status": "In-Progress",
            "call_uuid": "c-1",
            "direction": "outbound",
            "from": "+918687888990",
            "to": "sip:bob@phone.plivo.com",
            "request_uuid": "r-1",
        }
    )
    assert (record.live, record.state, record.from_number, record.to_number) == (
        True,
        "in-progress",
        "+918687888990",
        "sip:bob@phone.plivo.com",
    )
    assert record.request_uuid == "r-1"
    assert (record.duration, record.hangup_cause, record.end_time) == (None, None, None)


def test_conference_numbers_arrive_as_strings() -> None:
    conference = Conference.from_json(
        {
            "conference_name": "Room",
            "conference_member_count": "2",
            "conference_run_time": "590",
            "members": [
                {"member_id": "7", "from": "14155552671", "muted": "true", "deaf": False},
                "not a member",
            ],
        }
    )
    assert (conference.name, conference.member_count, conference.run_time) == ("Room", 2, 590)
    [member] = conference.members
    assert (member.member_id, member.from_number, member.muted, member.deaf) == (
        "7",
        "+14155552671",
        True,
        False,
    )


def test_conference_names_keep_only_names() -> None:
    assert conference_names({"conferences": ["A", "", 5, None]}) == ("A", "5")
    assert conference_names({"conferences": "A"}) == ()


def test_sip_uri_parameters_belong_to_the_uri() -> None:
    parsed = parse_call_destinations("sip:alice@phone.plivo.com;transport=tcp;+14155552671")
    assert parsed.sip_uris == ("sip:alice@phone.plivo.com;transport=tcp",)
    assert parsed.numbers == ("+14155552671",)
    assert parsed.invalid == ()
