"""get_call: the call UUID checked first, the record of an ended call in one request, a live
call's details after a 404, and what is shown."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.get_call import run
from tests.conftest import AUTH_ID, AUTH_TOKEN

CALL_UUID = "eba53b9e-8fbd-45c1-9444-696d2172fbc8"
CALL_PATH = f"/v1/Account/{AUTH_ID}/Call/{CALL_UUID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
CDR = {
    "api_id": "cdr-1",
    "call_uuid": CALL_UUID,
    "call_direction": "outbound",
    "from_number": "14155550100",
    "to_number": "14155552671",
    "call_duration": 57,
    "billed_duration": 60,
    "total_amount": "0.00850",
    "answer_time": "2026-01-05 10:00:05+00:00",
    "end_time": "2026-01-05 10:01:02+00:00",
    "hangup_cause_name": "Normal Hangup",
    "hangup_cause_code": 4000,
    "hangup_source": "Callee",
}
LIVE = {
    "api_id": "live-1",
    "call_uuid": CALL_UUID,
    "call_status": "In-Progress",
    "direction": "outbound",
    "from": "+14155550100",
    "to": "14155552671",
    "request_uuid": "9834029e-58b6-11e1-b8b7-a5bd0e4e126f",
}
NOT_FOUND = {"api_id": "nf", "error": "call not found"}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_an_ended_call_is_one_request_for_its_record(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(CALL_PATH, method="GET", query_string="").respond_with_json(CDR)
    output = run(Invocation({"call_uuid": CALL_UUID.upper()}, CREDENTIALS))
    data = output.json
    assert (data["call_uuid"], data["live"], data["state"]) == (CALL_UUID, False, "completed")
    assert (data["from"], data["to"]) == ("+14155550100", "+14155552671")
    assert (data["duration"], data["billed_duration"], data["total_amount"]) == (57, 60, 0.0085)
    assert (data["hangup_cause"], data["hangup_source"]) == ("Normal Hangup", "Callee")
    assert data["api_id"] == "cdr-1"
    assert output.variables == {
        "call_uuid": CALL_UUID,
        "live": False,
        "state": "completed",
        "duration": 57,
        "hangup_cause": "Normal Hangup",
    }
    assert output.text == (
        f"Call {CALL_UUID} (outbound from +14155550100 to +14155552671) has ended, hangup cause "
        "Normal Hangup (by Callee), 57 s long, cost USD 0.00850."
    )
    assert len(plivo.log) == 1


def test_a_call_never_answered_says_so(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(CALL_PATH, method="GET").respond_with_json(
        {**CDR, "answer_time": None, "call_duration": 0, "hangup_cause_name": "No Answer"}
    )
    output = run(Invocation({"call_uuid": CALL_UUID}, CREDENTIALS))
    assert "hangup cause No Answer (by Callee), it was never answered" in output.text
    assert output.json["answer_time"] is None


def test_a_live_call_is_read_after_the_record_is_not_found(plivo: HTTPServer) -> None:
    plivo.expect_ordered_request(CALL_PATH, method="GET", query_string="").respond_with_json(
        NOT_FOUND, status=404
    )
    plivo.expect_ordered_request(
        CALL_PATH, method="GET", query_string="status=live"
    ).respond_with_json(LIVE)
    output = run(Invocation({"call_uuid": CALL_UUID}, CREDENTIALS))
    assert (output.json["live"], output.json["state"]) == (True, "in-progress")
    assert output.json["from"] == "+14155550100"
    assert output.json["duration"] is None
    assert output.text == (
        f"Call {CALL_UUID} (outbound from +14155550100 to +14155552671) is live: in-progress. "
        "hangup_call ends it."
    )
    assert len(plivo.log) == 2


def test_no_record_and_no_live_call_explains_which_uuid_to_use(plivo: HTTPServer) -> None:
    plivo.expect_request(CALL_PATH, method="GET").respond_with_json(NOT_FOUND, status=404)
    with pytest.raises(NotFoundError) as caught:
        run(Invocation({"call_uuid": CALL_UUID}, CREDENTIALS))
    assert f"No such call: Plivo has neither a record nor a live call {CALL_UUID}" in str(
        caught.value
    )
    assert "not make_call's request UUID" in str(caught.value)
    assert len(plivo.log) == 2


@pytest.mark.parametrize("call_uuid", [None, "", "call-1", CALL_UUID[:-1]])
def test_a_bad_call_uuid_sends_nothing(plivo: HTTPServer, call_uuid: str | None) -> None:
    with pytest.raises(InputError) as caught:
        run(Invocation({"call_uuid": call_uuid}, CREDENTIALS))
    assert caught.value.parameter == "call_uuid"
    assert plivo.log == []
