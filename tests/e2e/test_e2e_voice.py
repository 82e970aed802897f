"""make_call, get_call, hangup_call and conferences through the stand-in daemon against the sandbox.

Each test asserts the exact requests the sandbox saw: a refusal sends nothing at all, and a call
request is never sent twice, whatever happens to its answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    Fault,
    PlivoSandbox,
)
from devtools.sandbox.voice import CallTimeline

pytestmark = pytest.mark.e2e

SENDER = "+14155550199"
CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "default_sender": SENDER}
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
CALL_PATH = f"{ACCOUNT}Call/"
ANSWER = "https://example.com/answer"
ANSWERED_TO = "+14155552671"  # sandbox: answered, then the callee hangs up
STAYS_TO = "+14155550000"  # sandbox: answered and stays in progress until hung up
UNKNOWN_UUID = "5f0e4a8c-0000-4000-8000-00000000dead"
FAST = CallTimeline(ring_after=0.05, answer_after=0.1, hangup_after=0.3)
WAIT_SECONDS = 5.0
# With its own answer_url the plugin never sees the call's XML: no answer, state or duration.
NOT_SERVED = dict.fromkeys(("answer", "answered", "state", "call_uuid", "duration"))


@pytest.fixture
def calls(sandbox: PlivoSandbox) -> Iterator[PlivoSandbox]:
    """The sandbox with a fast call timeline (restored afterwards)."""
    saved = sandbox.call_timeline
    sandbox.call_timeline = FAST
    yield sandbox
    sandbox.call_timeline = saved


def invoke(
    plugin: StandInDaemon, tool: str, credentials: Any = None, **params: Any
) -> SessionResult:
    return plugin.invoke_tool(tool, params, CREDENTIALS if credentials is None else credentials)


def ok(result: SessionResult) -> SessionResult:
    assert result.error is None, result.error
    assert_clean(result)
    return result


def assert_clean(result: SessionResult) -> None:
    text = str(result.raw)
    assert DEMO_AUTH_TOKEN not in text
    assert DEMO_AUTH_ID not in text


def call_posts(sandbox: PlivoSandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == CALL_PATH]


def wait_for_state(sandbox: PlivoSandbox, call_uuid: str, state: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while sandbox.call_state(call_uuid) != state:
        assert time.monotonic() < deadline, f"call never became {state}"
        time.sleep(0.02)


def place(plugin: StandInDaemon, sandbox: PlivoSandbox, to: str) -> str:
    """A call through the plugin; returns the call UUID Plivo would send to the callbacks."""
    result = ok(invoke(plugin, "make_call", to=to, answer_url=ANSWER))
    return sandbox.call_for_request(result.variables["request_uuid"]).call_uuid


# -- make_call --------------------------------------------------------------------------------


def test_a_call_is_one_post_with_exactly_the_documented_fields(plugin, calls) -> None:
    result = ok(invoke(plugin, "make_call", to="+1 (415) 555-2671", answer_url=ANSWER))
    [request] = calls.requests
    assert (request.method, request.path) == ("POST", CALL_PATH)
    assert request.json == {
        "from": "14155550199",
        "to": "14155552671",
        "answer_url": ANSWER,
        "answer_method": "POST",
    }
    [stored] = calls.calls.values()
    assert result.json == {
        "request_uuids": [stored.request_uuid],
        "recipients": [ANSWERED_TO],
        "invalid_recipients": [],
        "from": SENDER,
        "answer_url": ANSWER,
        "api_id": result.json["api_id"],
        **NOT_SERVED,
    }
    assert result.json["api_id"]
    assert result.variables == {
        "request_uuid": stored.request_uuid,
        "request_uuids": [stored.request_uuid],
        "recipients": [ANSWERED_TO],
        "invalid_recipients": [],
        "answer_url": ANSWER,
        **NOT_SERVED,
    }
    [text] = result.texts
    assert "not started yet" in text
    assert "The call UUID arrives in the answer and hangup callbacks" in text


def test_options_go_to_plivo_exactly_as_given(plugin, calls) -> None:
    ok(
        invoke(
            plugin,
            "make_call",
            to=ANSWERED_TO,
            answer_url=ANSWER,
            answer_method="GET",
            from_number="+14155550111",
            caller_name="Front desk",
            hangup_url="https://example.com/hangup",
            hangup_method="GET",
            ring_url="",
            ring_method="POST",
            time_limit=120,
            ring_timeout=25,
            machine_detection="true",
            machine_detection_time=4000,
            send_digits="1w2",
        )
    )
    [request] = call_posts(calls)
    assert request.json == {
        "from": "14155550111",
        "to": "14155552671",
        "answer_url": ANSWER,
        "answer_method": "GET",
        "hangup_url": "https://example.com/hangup",
        "hangup_method": "GET",
        "caller_name": "Front desk",
        "time_limit": 120,
        "ring_timeout": 25,
        "machine_detection": "true",
        "machine_detection_time": 4000,
        "send_digits": "1w2",
    }
    [stored] = calls.calls.values()
    assert stored.caller_name == "Front desk"
    assert stored.options["ring_timeout"] == 25


def test_several_destinations_go_in_one_request_with_every_request_uuid(plugin, calls) -> None:
    result = ok(
        invoke(
            plugin,
            "make_call",
            to="+14155552671, sip:alice@phone.plivo.com, 12345, +14155552672",
            answer_url=ANSWER,
            max_recipients=3,
        )
    )
    [request] = call_posts(calls)
    assert request.json["to"] == "14155552671<14155552672<sip:alice@phone.plivo.com"
    assert len(calls.calls) == 3
    assert sorted(result.json["request_uuids"]) == sorted(
        c.request_uuid for c in calls.calls.values()
    )
    assert result.json["recipients"] == [
        "+14155552671",
        "+14155552672",
        "sip:alice@phone.plivo.com",
    ]
    assert result.json["invalid_recipients"] == [{"input": "12345", "reason": "too short"}]
    assert "1 invalid: 12345 (too short)" in result.texts[0]


@pytest.mark.parametrize(
    ("params", "parameter", "phrase"),
    [
        (
            {"to": "+442079460018", "allowed_countries": "US, CA"},
            "to",
            "outside the countries this tool may call (allowed_countries: CA, US)",
        ),
        (
            {"to": "sip:alice@phone.plivo.com", "allowed_countries": "US"},
            "to",
            "a SIP URI has no country",
        ),
        ({"to": "+14155552671, +14155552672"}, "to", "exceed this tool's limit of 1 per request"),
        (
            {"to": ",".join(f"+1415555{n:04d}" for n in range(2001, 2012)), "max_recipients": 10},
            "to",
            "11 recipients exceed this tool's limit of 10",
        ),
        ({"to": "+14155552671", "from_number": "ACME"}, "from_number", "alphanumeric sender ID"),
        ({"to": "+14155552671", "answer_url": ""}, "answer_url", "answer_url is required"),
        ({"to": "4155552671"}, "to", "no valid country code"),
        ({"to": "+14155552671", "send_digits": "12;3"}, "send_digits", "not a DTMF sequence"),
    ],
)
def test_refusals_send_nothing(plugin, calls, params, parameter, phrase) -> None:
    result = invoke(plugin, "make_call", **{"answer_url": ANSWER, **params})
    assert result.error is not None
    assert result.error["error_type"] == "InputError"
    assert phrase in result.error["message"]
    assert calls.requests == []
    assert calls.calls == {}
    assert result.messages == []
    assert_clean(result)


def test_an_alphanumeric_default_sender_is_refused_naming_it(plugin, calls) -> None:
    credentials = {**CREDENTIALS, "default_sender": "ACME"}
    result = invoke(plugin, "make_call", credentials, to=ANSWERED_TO, answer_url=ANSWER)
    assert result.error is not None
    assert result.error["message"].startswith("default_sender: 'ACME' is an alphanumeric sender")
    assert calls.requests == []


def test_a_trial_account_refusal_is_explained(plugin, calls) -> None:
    trial = {"auth_id": DEMO_TRIAL_AUTH_ID, "auth_token": DEMO_TRIAL_AUTH_TOKEN}
    result = invoke(
        plugin, "make_call", trial, to=ANSWERED_TO, answer_url=ANSWER, from_number=SENDER
    )
    assert result.error is not None
    assert result.error["error_type"] == "TrialAccountError"
    assert "verified" in result.error["message"]
    assert [r.path for r in calls.requests] == [f"/v1/Account/{DEMO_TRIAL_AUTH_ID}/Call/"]


# -- make_call faults: a call request is never sent twice ---------------------------------------


def test_a_read_timeout_leaves_one_post_and_says_outcome_unknown() -> None:
    with PlivoSandbox() as slow:
        slow.inject(Fault(method="POST", path="/Call/$", delay=3.0))
        env = {"PLIVO_API_BASE_URL": slow.url, "PLIVO_READ_TIMEOUT_SECONDS": "1"}
        with StandInDaemon(env=env) as daemon:
            result = daemon.invoke_tool(
                "make_call", {"to": ANSWERED_TO, "answer_url": ANSWER}, CREDENTIALS
            )
        slow.wait_for_requests(1)
        assert result.error is not None
        assert result.error["error_type"] == "OutcomeUnknownError"
        assert "did not answer within 1 s" in result.error["message"]
        assert "may have reached Plivo" in result.error["message"]
        assert "check the calls still ringing or live" in result.error["message"]
        assert len([r for r in slow.requests if r.method == "POST"]) == 1
        assert len(slow.calls) == 1  # Plivo placed it: a retry would have called twice
        assert_clean(result)


@pytest.mark.parametrize("action", ["drop_after_body", "drop_before_body"])
def test_a_reset_connection_is_not_retried(plugin, calls, action) -> None:
    calls.inject(Fault(method="POST", path="/Call/$", action=action))
    result = invoke(plugin, "make_call", to=ANSWERED_TO, answer_url=ANSWER)
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert "The connection to Plivo broke" in result.error["message"]
    assert "check the calls still ringing or live" in result.error["message"]
    assert len(call_posts(calls)) == 1
    assert len(calls.calls) == (1 if action == "drop_after_body" else 0)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_never_followed_by_a_second_post(plugin, calls, status) -> None:
    calls.inject(Fault.plivo_error(status, method="POST", path="/Call/$", times=3))
    result = invoke(plugin, "make_call", to=ANSWERED_TO, answer_url=ANSWER)
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert "server error" in result.error["message"]
    assert "before calling again" in result.error["message"]
    assert len(call_posts(calls)) == 1


def test_an_answer_without_request_uuid_is_outcome_unknown(plugin, calls) -> None:
    calls.inject(Fault(method="POST", path="/Call/$", status=201, body={"message": "call fired"}))
    result = invoke(plugin, "make_call", to=ANSWERED_TO, answer_url=ANSWER)
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert len(call_posts(calls)) == 1


def test_a_rate_limit_is_retried_because_plivo_did_nothing(plugin, calls) -> None:
    calls.inject(Fault.rate_limited(retry_after=0.1, method="POST", path="/Call/$"))
    ok(invoke(plugin, "make_call", to=ANSWERED_TO, answer_url=ANSWER))
    assert len(call_posts(calls)) == 2
    assert len(calls.calls) == 1


# -- get_call ---------------------------------------------------------------------------------


def test_an_ended_call_is_read_from_its_record_in_one_request(plugin, calls) -> None:
    call_uuid = place(plugin, calls, ANSWERED_TO)
    wait_for_state(calls, call_uuid, "completed")
    calls.clear()
    result = ok(invoke(plugin, "get_call", call_uuid=call_uuid.upper()))
    assert [(r.method, r.path, r.query) for r in calls.requests] == [
        ("GET", f"{CALL_PATH}{call_uuid}/", {})
    ]
    data = result.json
    assert set(data) == {
        "call_uuid",
        "live",
        "state",
        "direction",
        "from",
        "to",
        "duration",
        "billed_duration",
        "total_amount",
        "initiation_time",
        "answer_time",
        "end_time",
        "hangup_cause",
        "hangup_source",
        "api_id",
    }
    assert {k: data[k] for k in ("call_uuid", "live", "state", "direction", "from", "to")} == {
        "call_uuid": call_uuid,
        "live": False,
        "state": "completed",
        "direction": "outbound",
        "from": SENDER,
        "to": ANSWERED_TO,
    }
    assert (data["hangup_cause"], data["hangup_source"]) == ("Normal Hangup", "Callee")
    assert data["billed_duration"] == 60
    assert data["total_amount"] == 0.01
    assert data["answer_time"] and data["end_time"] and data["api_id"]
    assert data["initiation_time"] and data["initiation_time"] <= data["answer_time"]
    assert f"started {data['initiation_time']}" in result.texts[0]
    assert result.variables == {
        "call_uuid": call_uuid,
        "live": False,
        "state": "completed",
        "duration": data["duration"],
        "hangup_cause": "Normal Hangup",
    }
    assert "has ended, hangup cause Normal Hangup (by Callee)" in result.texts[0]


def test_a_live_call_is_found_with_status_live(plugin, calls) -> None:
    call_uuid = place(plugin, calls, STAYS_TO)
    wait_for_state(calls, call_uuid, "in-progress")
    calls.clear()
    result = ok(invoke(plugin, "get_call", call_uuid=call_uuid))
    path = f"{CALL_PATH}{call_uuid}/"
    assert [(r.method, r.path, r.query) for r in calls.requests] == [
        ("GET", path, {}),
        ("GET", path, {"status": "live"}),
    ]
    data = result.json
    assert (data["live"], data["state"], data["to"], data["from"]) == (
        True,
        "in-progress",
        STAYS_TO,
        SENDER,
    )
    for absent in ("duration", "billed_duration", "total_amount", "end_time", "hangup_cause"):
        assert data[absent] is None
    assert result.variables["duration"] is None
    assert data["initiation_time"]  # the live details' session_start
    assert f"is live: in-progress, started {data['initiation_time']}" in result.texts[0]


def test_an_unknown_call_is_a_readable_error(plugin, calls) -> None:
    result = invoke(plugin, "get_call", call_uuid=UNKNOWN_UUID)
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    message = result.error["message"]
    assert f"No such call: Plivo has neither a record nor a live call {UNKNOWN_UUID}" in message
    assert "not make_call's request UUID" in message
    assert "Traceback" not in message
    assert len(calls.requests) == 2
    assert_clean(result)


def test_a_malformed_call_uuid_sends_nothing(plugin, calls) -> None:
    result = invoke(plugin, "get_call", call_uuid="../Account/")
    assert result.error is not None
    assert "is not a Plivo call UUID" in result.error["message"]
    assert calls.requests == []


# -- hangup_call ------------------------------------------------------------------------------


def test_a_live_call_is_hung_up_with_one_delete(plugin, calls) -> None:
    call_uuid = place(plugin, calls, STAYS_TO)
    wait_for_state(calls, call_uuid, "in-progress")
    calls.clear()
    result = ok(invoke(plugin, "hangup_call", call_uuid=call_uuid))
    assert [(r.method, r.path) for r in calls.requests] == [("DELETE", f"{CALL_PATH}{call_uuid}/")]
    assert result.json == {"call_uuid": call_uuid, "hung_up": True, "api_id": None}
    assert result.variables == {"call_uuid": call_uuid, "hung_up": True}
    assert calls.call_state(call_uuid) == "completed"
    assert result.texts == [
        f"Hung up call {call_uuid}; get_call shows its record once Plivo has it."
    ]


def test_a_request_not_yet_a_call_is_cancelled_with_delete_request(plugin, sandbox) -> None:
    saved = sandbox.call_timeline
    sandbox.call_timeline = CallTimeline(ring_after=30, answer_after=31, hangup_after=32)
    try:
        placed = ok(invoke(plugin, "make_call", to=ANSWERED_TO, answer_url=ANSWER))
        request_uuid = placed.variables["request_uuid"]
        sandbox.clear()
        sandbox.inject(Fault.plivo_error(404, method="DELETE", path="/Call/"))
        result = ok(invoke(plugin, "hangup_call", call_uuid=request_uuid))
        assert [(r.method, r.path) for r in sandbox.requests] == [
            ("DELETE", f"{CALL_PATH}{request_uuid}/"),
            ("DELETE", f"{ACCOUNT}Request/{request_uuid}/"),
        ]
        assert result.json["hung_up"] is True
        assert result.texts == [
            f"Cancelled call request {request_uuid} before Plivo placed the call."
        ]
        call = sandbox.call_for_request(request_uuid)
        assert sandbox.call_state(call.call_uuid) == "completed"
    finally:
        sandbox.call_timeline = saved


def test_nothing_to_hang_up_is_a_readable_error(plugin, calls) -> None:
    result = invoke(plugin, "hangup_call", call_uuid=UNKNOWN_UUID)
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert "Nothing to hang up" in result.error["message"]
    assert [(r.method, r.path) for r in calls.requests] == [
        ("DELETE", f"{CALL_PATH}{UNKNOWN_UUID}/"),
        ("DELETE", f"{ACCOUNT}Request/{UNKNOWN_UUID}/"),
    ]


# -- conferences ------------------------------------------------------------------------------


def test_conferences_list_and_get(plugin, sandbox) -> None:
    sandbox.add_conference(
        "Sales weekly",
        members=[
            {"from_number": "14155552671", "to_number": "14155550100", "caller_name": "Ada"},
            {"from_number": "14155552672", "to_number": "14155550100", "muted": True},
        ],
    )
    listed = ok(invoke(plugin, "conferences"))
    assert listed.json == {
        "operation": "list",
        "conferences": ["Sales weekly"],
        "api_id": listed.json["api_id"],
    }
    assert listed.variables == {
        "operation": "list",
        "conferences": ["Sales weekly"],
        "member_count": None,
    }
    sandbox.clear()
    got = ok(invoke(plugin, "conferences", operation="get", conference_name="Sales weekly"))
    assert [r.path for r in sandbox.requests] == [f"{ACCOUNT}Conference/Sales weekly/"]
    conference = got.json["conference"]
    assert (conference["name"], conference["member_count"]) == ("Sales weekly", 2)
    assert isinstance(conference["run_time"], int)
    first, second = conference["members"]
    assert set(first) == {
        "member_id",
        "call_uuid",
        "from",
        "to",
        "caller_name",
        "direction",
        "muted",
        "deaf",
    }
    assert (first["from"], first["caller_name"], first["muted"]) == ("+14155552671", "Ada", False)
    assert second["muted"] is True
    assert got.variables == {"operation": "get", "conferences": None, "member_count": 2}


def test_a_conference_that_is_not_live_is_not_found(plugin, sandbox) -> None:
    result = invoke(plugin, "conferences", operation="get", conference_name="Gone")
    assert result.error is not None
    assert "No live conference named 'Gone'" in result.error["message"]
    missing = invoke(plugin, "conferences", operation="get")
    assert missing.error is not None
    assert missing.error["message"].startswith("conference_name is required")
    assert len(sandbox.requests) == 1


def test_a_premium_rate_number_is_not_called(plugin, sandbox, demo_credentials):
    params = {
        "to": "+1 900 555 0100",
        "answer_url": "https://example.com/answer.xml",
        "from_number": "+14155550100",
        "allowed_countries": "US",
    }
    result = plugin.invoke_tool("make_call", params, demo_credentials)
    assert result.error is not None and "premium-rate" in result.error["message"]
    assert [r for r in sandbox.requests if r.method == "POST"] == []
