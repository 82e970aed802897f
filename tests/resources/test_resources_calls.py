"""Calls: when a call started, from its detail record and from its live details (answers
shaped like Plivo's SDK fixtures callGetResponse and liveCallGetResponse)."""

from __future__ import annotations

from plivo_api.features import get_call
from plivo_api.resources.calls import CallRecord

CDR = {
    "answer_time": None,
    "api_id": "95727cf4-3eeb-11e7-8edf-02ed609bd62b",
    "bill_duration": 0,
    "billed_duration": 0,
    "call_direction": "outbound",
    "call_duration": 0,
    "call_uuid": "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd",
    "end_time": "2017-05-22 17:49:40+05:30",
    "from_number": "+919879879876",
    "initiation_time": "2017-05-22 17:49:30+05:30",
    "to_number": "919999999999",
    "total_amount": "0.00000",
    "total_rate": "0.03570",
}
LIVE = {
    "api_id": "18f3bbb0-3ef1-11e7-a68e-02d2f90c026e",
    "call_status": "in-progress",
    "call_uuid": "d0a87a1a-b0e9-4ab2-ac07-c22ee87cd04a",
    "direction": "outbound",
    "from": "+918687888990",
    "request_uuid": "d0a87a1a-b0e9-4ab2-ac07-c22ee87cd04a",
    "session_start": "2017-05-22 13:17:49.050872",
    "to": "919798990001",
}


def test_an_ended_call_says_when_it_started() -> None:
    record = CallRecord.from_cdr(CDR)
    assert record.initiation_time == "2017-05-22 17:49:30+05:30"
    output = get_call.present(record, str(CDR["call_uuid"]))
    assert output.json["initiation_time"] == "2017-05-22 17:49:30+05:30"
    assert output.text.endswith(
        "it was never answered, cost USD 0.00000, started 2017-05-22 17:49:30+05:30."
    )


def test_a_live_call_says_when_it_started() -> None:
    record = CallRecord.from_live(LIVE)
    assert record.initiation_time == "2017-05-22 13:17:49.050872"
    text = get_call.present(record, str(LIVE["call_uuid"])).text
    assert "is live: in-progress, started 2017-05-22 13:17:49.050872." in text


def test_a_record_without_a_start_keeps_the_old_sentence() -> None:
    record = CallRecord.from_cdr({**CDR, "initiation_time": None})
    assert record.initiation_time is None
    assert "started" not in get_call.present(record, str(CDR["call_uuid"])).text
