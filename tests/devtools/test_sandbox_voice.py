# ruff: noqa: I001
"""The sandbox's voice API (calls, queued requests, conferences), driven over real HTTP.

``dify_plugin`` is imported first, as the suite's conftest does (gevent patching), so these tests
also prove the sandbox works when its threads are greenlets.
"""

import dify_plugin  # noqa: F401  (gevent patching first: see the module docstring)

import time
from collections.abc import Callable, Iterator

import pytest
import requests

from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    DEMO_TRIAL_VERIFIED_NUMBER,
    CallTimeline,
    PlivoSandbox,
)

TIMEOUT = 5
FROM = "14155550100"
TO = "14155550123"
ANSWER_URL = "https://example.com/answer.xml"
FAST = CallTimeline(ring_after=0.05, answer_after=0.1, hangup_after=0.3)
SLOW_QUEUE = CallTimeline(ring_after=30, answer_after=31, hangup_after=32)


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(call_timeline=FAST) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        yield client


def base(sandbox: PlivoSandbox, auth_id: str = DEMO_AUTH_ID) -> str:
    return f"{sandbox.url}/v1/Account/{auth_id}"


def fire(session: requests.Session, sandbox: PlivoSandbox, **body: object) -> requests.Response:
    payload = {"from": FROM, "to": TO, "answer_url": ANSWER_URL, **body}
    payload = {key: value for key, value in payload.items() if value is not None}
    return session.post(f"{base(sandbox)}/Call/", json=payload, timeout=TIMEOUT)


def wait_until(check: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def fired_call_uuid(sandbox: PlivoSandbox, response: requests.Response) -> str:
    assert response.status_code == 201, response.text
    return sandbox.call_for_request(response.json()["request_uuid"]).call_uuid


def finished_cdr(
    session: requests.Session, sandbox: PlivoSandbox, call_uuid: str
) -> dict[str, object]:
    wait_until(lambda: sandbox.call_state(call_uuid) == "completed")
    answer = session.get(f"{base(sandbox)}/Call/{call_uuid}/", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    record: dict[str, object] = answer.json()
    return record


# Make a call --------------------------------------------------------------------------------------


def test_fire_one_call_is_201_with_one_request_uuid(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = fire(session, sandbox, caller_name="Front desk", hangup_url="https://example.com/h")
    assert answer.status_code == 201
    body = answer.json()
    assert body["message"] == "call fired"
    assert isinstance(body["request_uuid"], str)
    assert body["api_id"]
    call = sandbox.call_for_request(body["request_uuid"])
    assert call.call_uuid != body["request_uuid"]  # the call UUID comes with callbacks and CDRs
    assert (call.from_number, call.to_number, call.direction) == (FROM, TO, "outbound")
    assert (call.answer_url, call.answer_method, call.caller_name) == (
        ANSWER_URL,
        "POST",
        "Front desk",
    )
    assert call.hangup_url == "https://example.com/h"


def test_fire_several_destinations_returns_a_list(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = fire(session, sandbox, to=f"+1 415 555 0123<{TO}<14155550124<sip:alice@example.com")
    assert answer.status_code == 201
    uuids = answer.json()["request_uuid"]
    assert isinstance(uuids, list) and len(uuids) == 3  # the repeated number is called once
    called = [sandbox.call_for_request(u).to_number for u in uuids]
    assert called == [TO, "14155550124", "sip:alice@example.com"]


def test_fire_accepts_a_form_body(sandbox: PlivoSandbox, session: requests.Session) -> None:
    form = {"from": FROM, "to": TO, "answer_url": ANSWER_URL, "answer_method": "get"}
    answer = session.post(f"{base(sandbox)}/Call/", data=form, timeout=TIMEOUT)
    assert answer.status_code == 201
    assert sandbox.call_for_request(answer.json()["request_uuid"]).answer_method == "GET"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"from": None}, "from"),
        ({"to": None}, "to"),
        ({"answer_url": None}, "answer_url"),
        ({"answer_url": "ftp://example.com/a"}, "answer_url"),
        ({"answer_method": "PUT"}, "answer_method"),
        ({"hangup_url": "example.com/h"}, "hangup_url"),
        ({"to": "12"}, "not a valid phone number"),
        ({"to": "sip:nohost"}, "SIP URI"),
        ({"to": FROM}, "from and to must differ"),
        ({"from": "abc"}, "from must be a phone number"),
        ({"caller_name": "x" * 51}, "caller_name"),
        ({"time_limit": 0}, "time_limit"),
        ({"machine_detection": "maybe"}, "machine_detection"),
        ({"to": ["14155550123"]}, "to must be a string"),
    ],
)
def test_call_validation_errors_are_400(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, object], fragment: str
) -> None:
    answer = fire(session, sandbox, **body)
    assert answer.status_code == 400
    assert fragment in answer.json()["error"]
    assert answer.json()["api_id"]
    assert sandbox.calls == {}


def test_call_limit_is_1000_unique_destinations(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    many = "<".join(f"1415{index:07d}" for index in range(1001))
    answer = fire(session, sandbox, to=many)
    assert answer.status_code == 400
    assert "at most 1000" in answer.json()["error"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]"])
def test_call_body_must_be_a_json_object(
    sandbox: PlivoSandbox, session: requests.Session, raw: bytes
) -> None:
    answer = session.post(
        f"{base(sandbox)}/Call/",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert "JSON" in answer.json()["error"]


def test_voice_auth_comes_first(sandbox: PlivoSandbox) -> None:
    wrong = (DEMO_AUTH_ID, "wrong-token")
    for method, path in [
        ("POST", "/Call/"),
        ("GET", "/Call/no-such-call/"),
        ("DELETE", "/Call/no-such-call/"),
        ("DELETE", "/Request/no-such-request/"),
        ("GET", "/Conference/"),
        ("GET", "/Conference/nothing/"),
    ]:
        answer = requests.request(
            method, f"{base(sandbox)}{path}", auth=wrong, json={}, timeout=TIMEOUT
        )
        assert answer.status_code == 401, path
        assert answer.json()["error"] == "authentication_failed"
    other_account = requests.get(
        f"{base(sandbox, DEMO_TRIAL_AUTH_ID)}/Call/",
        auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
        timeout=TIMEOUT,
    )
    assert other_account.status_code == 401


def test_trial_account_calls_only_verified_numbers(sandbox: PlivoSandbox) -> None:
    with requests.Session() as trial:
        trial.auth = (DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN)
        url = f"{base(sandbox, DEMO_TRIAL_AUTH_ID)}/Call/"
        body = {"from": FROM, "answer_url": ANSWER_URL}
        refused = trial.post(url, json={**body, "to": "14155550124"}, timeout=TIMEOUT)
        assert refused.status_code == 400
        assert "verified" in refused.json()["error"]
        allowed = trial.post(url, json={**body, "to": DEMO_TRIAL_VERIFIED_NUMBER}, timeout=TIMEOUT)
        assert allowed.status_code == 201


# Life cycle: queued, live, completed --------------------------------------------------------------


def test_call_is_queued_then_live_then_has_a_detail_record(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.call_timeline = CallTimeline(ring_after=0.3, answer_after=0.6, hangup_after=0.9)
    request_uuid = fire(session, sandbox).json()["request_uuid"]
    call_uuid = sandbox.call_for_request(request_uuid).call_uuid
    calls = f"{base(sandbox)}/Call/"

    queued = session.get(calls, params={"status": "queued"}, timeout=TIMEOUT).json()
    assert queued["calls"] == [request_uuid]
    details = session.get(f"{calls}{request_uuid}/", params={"status": "queued"}, timeout=TIMEOUT)
    assert details.status_code == 200
    assert details.json()["call_status"] == "queued"
    assert details.json()["request_uuid"] == request_uuid
    assert session.get(f"{calls}{call_uuid}/", timeout=TIMEOUT).status_code == 404  # no CDR yet

    wait_until(lambda: sandbox.call_state(call_uuid) == "ringing")
    live = session.get(calls, params={"status": "live"}, timeout=TIMEOUT).json()
    assert live["calls"] == [call_uuid]
    ringing = session.get(f"{calls}{call_uuid}/", params={"status": "live"}, timeout=TIMEOUT)
    assert ringing.json()["call_status"] == "ringing"

    wait_until(lambda: sandbox.call_state(call_uuid) == "in-progress")
    answered = session.get(f"{calls}{call_uuid}/", params={"status": "live"}, timeout=TIMEOUT)
    body = answered.json()
    assert body["call_status"] == "in-progress"
    assert (body["from"], body["to"], body["direction"]) == (FROM, TO, "outbound")
    assert body["request_uuid"] == request_uuid
    assert body["api_id"]

    cdr = finished_cdr(session, sandbox, call_uuid)
    assert cdr["call_uuid"] == call_uuid
    assert (cdr["call_direction"], cdr["from_number"], cdr["to_number"]) == ("outbound", FROM, TO)
    assert (cdr["hangup_cause_code"], cdr["hangup_cause_name"], cdr["hangup_source"]) == (
        4000,
        "Normal Hangup",
        "Callee",
    )
    assert cdr["call_duration"] == cdr["bill_duration"] == 1
    assert cdr["billed_duration"] == 60
    assert (cdr["total_rate"], cdr["total_amount"]) == ("0.01000", "0.01000")
    assert cdr["answer_time"] and cdr["end_time"] and cdr["initiation_time"]
    assert cdr["call_state"] == "ANSWER"
    assert cdr["resource_uri"] == f"/v1/Account/{DEMO_AUTH_ID}/Call/{call_uuid}/"
    gone = session.get(f"{calls}{call_uuid}/", params={"status": "live"}, timeout=TIMEOUT)
    assert gone.status_code == 404
    assert session.get(calls, params={"status": "live"}, timeout=TIMEOUT).json()["calls"] == []


@pytest.mark.parametrize(
    ("to", "code", "name", "source"),
    [
        ("14155552000", 2000, "Invalid Destination Address", "Plivo"),
        ("14155552010", 2010, "Destination Out Of Service", "Carrier"),
        ("8613800138000", 2030, "Destination Country Barred", "Plivo"),  # geo-blocked
    ],
)
def test_unanswered_calls_end_with_their_hangup_cause(
    sandbox: PlivoSandbox, session: requests.Session, to: str, code: int, name: str, source: str
) -> None:
    call_uuid = fired_call_uuid(sandbox, fire(session, sandbox, to=to))
    cdr = finished_cdr(session, sandbox, call_uuid)
    assert (cdr["hangup_cause_code"], cdr["hangup_cause_name"], cdr["hangup_source"]) == (
        code,
        name,
        source,
    )
    assert cdr["answer_time"] is None
    assert (cdr["call_duration"], cdr["total_amount"], cdr["call_state"]) == (
        0,
        "0.00000",
        "NO_ANSWER",
    )


def test_hang_up_a_live_call_is_204_then_404(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    call_uuid = fired_call_uuid(sandbox, fire(session, sandbox, to="14155550000"))  # never ends
    wait_until(lambda: sandbox.call_state(call_uuid) == "in-progress")
    time.sleep(FAST.hangup_after)
    assert sandbox.call_state(call_uuid) == "in-progress"

    hung_up = session.delete(f"{base(sandbox)}/Call/{call_uuid}/", timeout=TIMEOUT)
    assert hung_up.status_code == 204
    assert hung_up.content == b""
    assert "Content-Type" not in hung_up.headers
    cdr = finished_cdr(session, sandbox, call_uuid)
    assert (cdr["hangup_cause_code"], cdr["hangup_source"]) == (4000, "API Request")
    duration = cdr["call_duration"]
    assert isinstance(duration, int) and duration >= 1

    again = session.delete(f"{base(sandbox)}/Call/{call_uuid}/", timeout=TIMEOUT)
    assert again.status_code == 404
    assert again.json()["error"] == "not found"
    unknown = session.delete(f"{base(sandbox)}/Call/no-such-call/", timeout=TIMEOUT)
    assert unknown.status_code == 404


def test_hang_up_by_request_uuid_cancels_a_queued_call(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.call_timeline = SLOW_QUEUE
    request_uuid = fire(session, sandbox).json()["request_uuid"]
    answer = session.delete(f"{base(sandbox)}/Call/{request_uuid}/", timeout=TIMEOUT)
    assert answer.status_code == 204
    call_uuid = sandbox.call_for_request(request_uuid).call_uuid
    cdr = finished_cdr(session, sandbox, call_uuid)
    assert (cdr["hangup_cause_code"], cdr["hangup_cause_name"], cdr["hangup_source"]) == (
        1000,
        "Canceled",
        "API Request",
    )
    assert cdr["answer_time"] is None


def test_cancel_request_only_while_queued(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.call_timeline = SLOW_QUEUE
    request_uuid = fire(session, sandbox).json()["request_uuid"]
    cancelled = session.delete(f"{base(sandbox)}/Request/{request_uuid}/", timeout=TIMEOUT)
    assert cancelled.status_code == 204
    assert cancelled.content == b""
    assert sandbox.call_state(sandbox.call_for_request(request_uuid).call_uuid) == "completed"
    assert (
        session.delete(f"{base(sandbox)}/Request/{request_uuid}/", timeout=TIMEOUT).status_code
        == 404
    )

    sandbox.call_timeline = FAST
    ringing_uuid = fire(session, sandbox, to="14155550000").json()["request_uuid"]
    call_uuid = sandbox.call_for_request(ringing_uuid).call_uuid
    wait_until(lambda: sandbox.call_state(call_uuid) == "in-progress")
    late = session.delete(f"{base(sandbox)}/Request/{ringing_uuid}/", timeout=TIMEOUT)
    assert late.status_code == 404  # no longer queued: hang it up with DELETE /Call/ instead
    assert sandbox.call_state(call_uuid) == "in-progress"
    unknown = session.delete(f"{base(sandbox)}/Request/no-such-request/", timeout=TIMEOUT)
    assert unknown.status_code == 404


def test_list_calls_filters_and_pages(sandbox: PlivoSandbox, session: requests.Session) -> None:
    uuids = [
        fired_call_uuid(sandbox, fire(session, sandbox, to=to))
        for to in ("14155550123", "14155550124", "14155552000")
    ]
    for call_uuid in uuids:
        finished_cdr(session, sandbox, call_uuid)
    calls = f"{base(sandbox)}/Call/"

    first = session.get(calls, params={"limit": 2}, timeout=TIMEOUT).json()
    assert first["meta"]["total_count"] == 3
    assert first["meta"]["previous"] is None
    assert first["meta"]["next"] == f"/v1/Account/{DEMO_AUTH_ID}/Call/?limit=2&offset=2"
    second = session.get(calls, params={"limit": 2, "offset": 2}, timeout=TIMEOUT).json()
    assert len(first["objects"]) == 2 and len(second["objects"]) == 1
    seen = {o["call_uuid"] for o in first["objects"] + second["objects"]}
    assert seen == set(uuids)
    assert all("api_id" not in o for o in first["objects"])

    failed = session.get(calls, params={"hangup_cause_code": 2000}, timeout=TIMEOUT).json()
    assert [o["call_uuid"] for o in failed["objects"]] == [uuids[2]]
    to_one = session.get(calls, params={"to_number": "+1 415 555 0124"}, timeout=TIMEOUT).json()
    assert [o["call_uuid"] for o in to_one["objects"]] == [uuids[1]]
    inbound = session.get(calls, params={"call_direction": "inbound"}, timeout=TIMEOUT).json()
    assert inbound["meta"]["total_count"] == 0

    for params in (
        {"limit": 0},
        {"limit": 21},
        {"offset": -1},
        {"call_direction": "sideways"},
        {"status": "ringing"},
        {"hangup_cause_code": "x"},
    ):
        refused = session.get(calls, params=params, timeout=TIMEOUT)
        assert refused.status_code == 400, params
        assert refused.json()["error"]


def test_call_timeline_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="ring_after"):
        CallTimeline(ring_after=1, answer_after=0.5, hangup_after=2)
    assert CallTimeline(1, 2, 3) * 0.5 == CallTimeline(0.5, 1, 1.5)


# Conferences ------------------------------------------------------------------------------------


def test_conferences_list_get_and_hang_up(sandbox: PlivoSandbox, session: requests.Session) -> None:
    conferences = f"{base(sandbox)}/Conference/"
    empty = session.get(conferences, timeout=TIMEOUT).json()
    assert empty["conferences"] == [] and empty["api_id"]

    sandbox.add_conference(
        "My Room",
        members=[
            {"from_number": "14155550123", "to_number": FROM, "caller_name": "Ada"},
            {"from_number": "14155550124", "to_number": FROM, "muted": True},
        ],
    )
    sandbox.add_conference("Standup")
    names = session.get(conferences, timeout=TIMEOUT).json()["conferences"]
    assert sorted(names) == ["My Room", "Standup"]

    room = session.get(f"{conferences}My Room/", timeout=TIMEOUT)
    assert room.status_code == 200
    body = room.json()
    assert body["conference_name"] == "My Room"
    assert body["conference_member_count"] == "2"
    assert body["conference_run_time"].isdigit()
    assert body["api_id"]
    first, second = body["members"]
    assert (first["from"], first["to"], first["caller_name"], first["muted"]) == (
        "14155550123",
        FROM,
        "Ada",
        False,
    )
    assert second["muted"] is True and second["member_id"] == "2"
    assert first["call_uuid"] != second["call_uuid"]

    assert session.get(f"{conferences}Nope/", timeout=TIMEOUT).status_code == 404
    ended = session.delete(f"{conferences}Standup/", timeout=TIMEOUT)
    assert ended.status_code == 204 and ended.content == b""
    assert session.delete(f"{conferences}Standup/", timeout=TIMEOUT).status_code == 404
    assert session.delete(conferences, timeout=TIMEOUT).status_code == 204
    assert session.get(conferences, timeout=TIMEOUT).json()["conferences"] == []
