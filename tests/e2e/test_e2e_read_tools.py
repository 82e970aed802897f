"""The read tools (and send_sms's wait, preview_sms's estimate) end to end.

``python -m main`` runs under the stand-in daemon and talks to the Plivo sandbox over HTTP, so each
test covers parameter reading, the client, the sandbox's Plivo behaviour and the Dify messages.
The session's daemon and sandbox (``plugin`` and ``sandbox`` in conftest) serve every test; the
sandbox's timeline is fast (sent after 0.1 s, final after 0.3 s) so that a wait ends at its
first poll, 0.5 s after the send, unless the message never gets a receipt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    Fault,
    PlivoSandbox,
    Timeline,
)
from plivo_api.toolkit.polling import POLL_GRACE_SECONDS, max_polls

pytestmark = pytest.mark.e2e

SENDER = "+14155550199"
CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "default_sender": SENDER}
TRIAL = {"auth_id": DEMO_TRIAL_AUTH_ID, "auth_token": DEMO_TRIAL_AUTH_TOKEN}
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
DELIVERED_TO = "+14155552671"  # sandbox magic numbers: see devtools.sandbox.messages
SPAM_TO = "+14155550030"  # undelivered, error 30
NO_CREDIT_TO = "+14155550900"  # failed, error 900
NO_RECEIPT_TO = "+14155550000"  # stays "sent"
UNKNOWN_UUID = "5f0e4a8c-0000-4000-8000-00000000dead"
TIME_SLACK = 1.0  # scheduling and process overhead on a busy CI machine
TIMELINE = Timeline(sent_after=0.1, final_after=0.3)  # final before the first poll at 0.5 s


@pytest.fixture
def daemon(plugin: StandInDaemon) -> StandInDaemon:
    """The session's plugin process (tests/conftest.py), under this module's name for it."""
    return plugin


@pytest.fixture(autouse=True)
def _fast_timeline(sandbox: PlivoSandbox) -> Iterator[None]:
    """The timings below assume this timeline, whatever another module set before."""
    saved = sandbox.timeline
    sandbox.timeline = TIMELINE
    yield
    sandbox.timeline = saved


def invoke(
    daemon: StandInDaemon, tool: str, params: dict[str, object], credentials: object = None
) -> SessionResult:
    creds = CREDENTIALS if credentials is None else credentials
    return daemon.invoke_tool(tool, params, creds)  # type: ignore[arg-type]


def ok(result: SessionResult) -> SessionResult:
    assert result.error is None, result.error
    return result


def gets(sandbox: PlivoSandbox, path_part: str = "/Message/") -> list[str]:
    return [r.path for r in sandbox.requests if r.method == "GET" and path_part in r.path]


def seed(sandbox: PlivoSandbox, to: str, **kwargs: object) -> str:
    message = sandbox.add_message(
        direction="outbound", from_number=SENDER, to_number=to, text="hello", **kwargs
    )
    return message.message_uuid


# -- get_account ------------------------------------------------------------------------------


def test_get_account_keys_and_paid_account(daemon, sandbox) -> None:
    result = ok(invoke(daemon, "get_account", {}))
    assert result.json == {
        "name": "Sandbox Co",
        "account_type": "standard",
        "is_trial": False,
        "balance": 12.5,
        "currency": "USD",
        "auto_recharge": False,
        "billing_mode": "prepaid",
        "timezone": "America/Los_Angeles",
        "api_id": result.json["api_id"],
    }
    assert result.json["api_id"]
    assert result.variables == {"balance": 12.5, "is_trial": False}
    assert "sandbox numbers" not in result.texts[0]
    assert [r.path for r in sandbox.requests] == [ACCOUNT]


def test_get_account_trial_reminds_of_verified_numbers(daemon) -> None:
    result = ok(invoke(daemon, "get_account", {}, TRIAL))
    assert result.json["is_trial"] is True
    assert result.json["account_type"] == "developer"
    assert "only send to numbers verified as sandbox numbers" in result.texts[0]


# -- get_message ------------------------------------------------------------------------------


def test_get_message_maps_the_record(daemon, sandbox) -> None:
    uuid = seed(sandbox, DELIVERED_TO, state="delivered")
    result = ok(invoke(daemon, "get_message", {"message_uuid": uuid.upper()}))
    assert gets(sandbox) == [f"{ACCOUNT}Message/{uuid}/"]
    data = result.json
    assert {k: data[k] for k in ("message_uuid", "state", "final", "to", "from")} == {
        "message_uuid": uuid,
        "state": "delivered",
        "final": True,
        "to": DELIVERED_TO,
        "from": SENDER,
    }
    assert (data["direction"], data["type"], data["units"]) == ("outbound", "sms", 1)
    assert data["total_amount"] == 0.0055
    assert data["total_rate"] == 0.0055
    assert data["error_code"] is None and data["error"] is None and data["retryable"] is None
    assert data["message_time"] and data["sent_time"] and data["delivered_time"]
    assert result.variables == {"state": "delivered", "error_code": None, "final": True}


def test_get_message_failed_message_carries_advice(daemon, sandbox) -> None:
    uuid = seed(sandbox, SPAM_TO, state="undelivered", error_code="30")
    result = ok(invoke(daemon, "get_message", {"message_uuid": uuid}))
    data = result.json
    assert (data["state"], data["final"], data["error_code"], data["retryable"]) == (
        "undelivered",
        True,
        "30",
        False,
    )
    assert "spam" in data["error"]
    assert "10DLC" in data["advice"]
    assert data["delivered_time"] is None
    assert result.variables["error_code"] == "30"
    assert "Error 30" in result.texts[0]


def test_get_message_unknown_uuid_is_no_such_message(daemon, sandbox) -> None:
    result = invoke(daemon, "get_message", {"message_uuid": UNKNOWN_UUID})
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert result.error["message"].startswith(
        f"No such message: Plivo has no message {UNKNOWN_UUID}"
    )
    assert DEMO_AUTH_TOKEN not in result.error["message"]
    assert gets(sandbox) == [f"{ACCOUNT}Message/{UNKNOWN_UUID}/"]


def test_get_message_malformed_uuid_fails_before_any_request(daemon, sandbox) -> None:
    result = invoke(daemon, "get_message", {"message_uuid": UNKNOWN_UUID[:-2], "wait_seconds": 5})
    assert result.error is not None
    assert result.error["error_type"] == "InputError"
    assert "8-4-4-4-12" in result.error["message"]
    assert sandbox.requests == []


def test_get_message_waits_until_final(daemon, sandbox) -> None:
    uuid = seed(sandbox, NO_CREDIT_TO)  # follows the timeline: failed (900) after 0.3 s
    started = time.monotonic()
    result = ok(invoke(daemon, "get_message", {"message_uuid": uuid, "wait_seconds": "20"}))
    elapsed = time.monotonic() - started
    data = result.json
    assert (data["state"], data["final"], data["error_code"]) == ("failed", True, "900")
    assert "credit" in data["advice"]
    # Reads at about 0 s and 0.5 s: final at the second, long before the 20 s budget.
    assert len(gets(sandbox)) == 2
    assert elapsed < 0.5 + TIME_SLACK


def test_get_message_wait_ends_at_the_budget_with_sent(daemon, sandbox) -> None:
    uuid = seed(sandbox, NO_RECEIPT_TO)  # "sent" for good, as in the US without receipts
    started = time.monotonic()
    result = ok(invoke(daemon, "get_message", {"message_uuid": uuid, "wait_seconds": 2}))
    elapsed = time.monotonic() - started
    data = result.json
    assert (data["state"], data["final"], data["error"]) == ("sent", False, None)
    assert "handed to the carrier, no delivery receipt yet" in data["state_description"]
    assert "handed to the carrier, no delivery receipt yet" in result.texts[0]
    assert 2 <= data["waited_seconds"] <= 2 + POLL_GRACE_SECONDS
    assert len(gets(sandbox)) == max_polls(2, first_look=True)
    assert 2 <= elapsed < 2 + TIME_SLACK


# -- send_sms with wait_seconds ---------------------------------------------------------------


def test_send_with_wait_reports_each_outcome(daemon, sandbox) -> None:
    started = time.monotonic()
    result = ok(
        invoke(
            daemon,
            "send_sms",
            {
                "to": f"{DELIVERED_TO}, {SPAM_TO}, {NO_RECEIPT_TO}",
                "message": "Your order shipped",
                "wait_seconds": 2,
            },
        )
    )
    elapsed = time.monotonic() - started
    posts = [r for r in sandbox.requests if r.method == "POST"]
    assert len(posts) == 1
    assert all(r.method in ("GET", "POST") for r in sandbox.requests)
    assert all(r.path.startswith(f"{ACCOUNT}Message/") for r in sandbox.requests)
    polls = gets(sandbox)
    assert len(polls) <= max_polls(2, 3)
    # The two final messages stop being polled; only the "sent" one is read at every step.
    assert polls.count(polls[-1]) == max_polls(2)
    assert elapsed < 2 + TIME_SLACK

    delivery = {entry["to"]: entry for entry in result.json["delivery"]}
    assert set(delivery) == {DELIVERED_TO, SPAM_TO, NO_RECEIPT_TO}
    assert set(result.json["message_uuids"]) == {e["message_uuid"] for e in delivery.values()}
    assert delivery[DELIVERED_TO]["state"] == "delivered"
    spam = delivery[SPAM_TO]
    assert (spam["state"], spam["error_code"]) == ("undelivered", "30")
    assert "spam" in spam["error"] and "10DLC" in spam["advice"]
    assert delivery[NO_RECEIPT_TO]["state"] == "sent"
    assert delivery[NO_RECEIPT_TO]["error"] is None
    assert result.variables["all_delivered"] is False
    assert "1 delivered" in result.texts[0] and "no delivery receipt yet" in result.texts[0]


def test_send_with_wait_all_delivered(daemon, sandbox) -> None:
    result = ok(
        invoke(
            daemon,
            "send_sms",
            {"to": f"{DELIVERED_TO}, +12025550143", "message": "hi", "wait_seconds": 10},
        )
    )
    assert [e["state"] for e in result.json["delivery"]] == ["delivered", "delivered"]
    assert result.variables["all_delivered"] is True
    assert len(gets(sandbox)) == 2  # delivered at 0.3 s: both seen at the first poll (0.5 s)


def test_send_without_wait_makes_no_get(daemon, sandbox) -> None:
    result = ok(invoke(daemon, "send_sms", {"to": DELIVERED_TO, "message": "hi"}))
    assert result.json["delivery"] is None
    assert result.json["all_delivered"] is None
    assert result.variables["all_delivered"] is None  # declared, so always set
    assert gets(sandbox) == []


def test_failing_polls_do_not_fail_the_send(daemon, sandbox) -> None:
    sandbox.inject(
        Fault.plivo_error(500, "internal server error", method="GET", path="/Message/.+", times=50)
    )
    result = ok(
        invoke(daemon, "send_sms", {"to": DELIVERED_TO, "message": "hi", "wait_seconds": 1})
    )
    [entry] = result.json["delivery"]
    assert entry["state"] == "unknown"
    assert entry["to"] == DELIVERED_TO
    assert entry["error"].startswith("Could not read the delivery status: Plivo had a server error")
    assert result.variables["all_delivered"] is False
    assert result.json["state"] == "queued"


def test_send_rejects_a_bad_wait_before_sending(daemon, sandbox) -> None:
    result = invoke(daemon, "send_sms", {"to": DELIVERED_TO, "message": "hi", "wait_seconds": 61})
    assert result.error is not None
    assert "wait_seconds" in result.error["message"]
    assert sandbox.requests == []


# -- list_messages ----------------------------------------------------------------------------


def test_list_messages_pages_through_the_history(daemon, sandbox) -> None:
    for _ in range(5):
        seed(sandbox, DELIVERED_TO, state="delivered")
    offsets, seen = [], []
    offset: object = 0
    while offset is not None:
        result = ok(invoke(daemon, "list_messages", {"limit": 2, "offset": offset}))
        offsets.append(offset)
        seen += [m["message_uuid"] for m in result.json["messages"]]
        assert result.json["total_count"] == 5
        offset = result.json["next_offset"]
        assert result.variables["next_offset"] == offset
    assert offsets == [0, 2, 4]
    assert len(set(seen)) == 5
    assert [r.query for r in sandbox.requests] == [
        {"limit": "2", "offset": "0"},
        {"limit": "2", "offset": "2"},
        {"limit": "2", "offset": "4"},
    ]
    assert "last 24 hours" in result.texts[0]


def test_list_messages_filters_reach_plivo(daemon, sandbox) -> None:
    two_days_ago = time.time() - 2 * 86400
    old = seed(sandbox, SPAM_TO, state="undelivered", error_code="30", created=two_days_ago)
    seed(sandbox, SPAM_TO, state="delivered")
    seed(sandbox, DELIVERED_TO, state="undelivered", error_code="30")
    since = time.strftime("%Y-%m-%d", time.gmtime(two_days_ago))
    result = ok(
        invoke(
            daemon,
            "list_messages",
            {
                "direction": "outbound",
                "state": "undelivered",
                "to_number": "+1 (415) 555-0030",
                "from_number": SENDER,
                "since": since,
                "until": "2099-12-31T23:00:00+01:00",
                "limit": "20",
            },
        )
    )
    assert sandbox.requests[0].query == {
        "limit": "20",
        "offset": "0",
        "message_direction": "outbound",
        "message_state": "undelivered",
        "to_number": "14155550030",
        "from_number": "14155550199",
        "message_time__gte": f"{since} 00:00:00",
        "message_time__lte": "2099-12-31 22:00:00",
    }
    [message] = result.json["messages"]
    assert message["message_uuid"] == old
    assert (message["state"], message["error_code"], message["to"]) == (
        "undelivered",
        "30",
        SPAM_TO,
    )
    assert "spam" in message["error"]
    assert set(message) >= {"message_uuid", "state", "direction", "from", "to", "message_time"}
    assert result.json["next_offset"] is None
    assert result.json["total_count"] == 1


def test_list_messages_default_window_is_24_hours(daemon, sandbox) -> None:
    seed(sandbox, DELIVERED_TO, state="delivered", created=time.time() - 2 * 86400)
    result = ok(invoke(daemon, "list_messages", {}))
    assert result.json == {
        "messages": [],
        "state_counts": [],
        "total_count": 0,
        "next_offset": None,
        "api_id": result.json["api_id"],
    }
    assert result.texts[0].startswith("No messages match")


def test_list_messages_problem_finds_failed_and_undelivered_together(daemon, sandbox) -> None:
    seed(sandbox, SPAM_TO, state="undelivered", error_code="30")
    seed(sandbox, NO_CREDIT_TO, state="failed", error_code="900")
    seed(sandbox, DELIVERED_TO, state="delivered")
    result = ok(invoke(daemon, "list_messages", {"state": "problem", "since": "yesterday"}))
    assert [r.query["message_state"] for r in sandbox.requests] == [
        "failed",
        "undelivered",
        "rejected",
    ]
    assert sorted(m["to"] for m in result.json["messages"]) == sorted([SPAM_TO, NO_CREDIT_TO])
    assert result.json["state_counts"] == [
        {"state": "undelivered", "count": 1},
        {"state": "failed", "count": 1},
    ]
    assert result.json["total_count"] == 2
    assert ": 1 undelivered, 1 failed." in result.texts[0]


def test_list_messages_offset_past_the_end_names_the_offsets_that_exist(daemon, sandbox) -> None:
    for _ in range(3):
        seed(sandbox, DELIVERED_TO, state="delivered")
    result = ok(invoke(daemon, "list_messages", {"offset": 40, "limit": 2}))
    assert result.json["messages"] == []
    assert result.texts[0].startswith(
        "Offset 40 is past the end: 3 messages match, so offsets 0 to 2 exist"
    )


def test_list_messages_bad_state_fails_before_any_request(daemon, sandbox) -> None:
    result = invoke(daemon, "list_messages", {"state": "lost"})
    assert result.error is not None and result.error["error_type"] == "InputError"
    assert "state" in result.error["message"]
    assert sandbox.requests == []


# -- lookup_number ----------------------------------------------------------------------------


def test_lookup_number_normalises_and_maps(daemon, sandbox) -> None:
    result = ok(
        invoke(daemon, "lookup_number", {"number": "07400 123456", "default_country": "gb"})
    )
    [request] = sandbox.requests
    assert (request.path, request.query) == ("/v1/Number/+447400123456", {"type": "carrier"})
    assert result.json == {
        "number": "+447400123456",
        "country_iso": "GB",
        "country": "United Kingdom",
        "carrier": "Example Wireless",
        "line_type": "mobile",
        "ported": None,
        "mcc": "234",
        "mnc": "10",
        "national_format": "07400 123456",
        "international_format": "+44 7400 123456",
        "api_id": result.json["api_id"],
    }
    assert result.json["api_id"]
    assert result.variables == {
        "line_type": "mobile",
        "carrier": "Example Wireless",
        "country_iso": "GB",
    }


def test_lookup_404_is_not_a_valid_number(daemon, sandbox) -> None:
    sandbox.inject(
        Fault(
            path="^/v1/Number/",
            status=404,
            body={"error_code": 20404, "message": "Phone number is invalid or does not exist"},
        )
    )
    result = invoke(daemon, "lookup_number", {"number": DELIVERED_TO})
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert "is not a valid or known phone number" in result.error["message"]
    assert "does not exist" in result.error["message"]


def test_lookup_refuses_garbage_without_paying(daemon, sandbox) -> None:
    result = invoke(daemon, "lookup_number", {"number": "1-800-FLOWERS"})
    assert result.error is not None
    assert result.error["message"].startswith(
        "number: '1-800-FLOWERS' is not a usable phone number"
    )
    assert sandbox.requests == []


# -- get_pricing ------------------------------------------------------------------------------


def test_get_pricing_maps_rates_as_numbers(daemon, sandbox) -> None:
    result = ok(invoke(daemon, "get_pricing", {"country_iso": "gb"}))
    [request] = sandbox.requests
    assert (request.path, request.query) == (f"{ACCOUNT}Pricing/", {"country_iso": "GB"})
    data = result.json
    assert (data["country"], data["country_iso"]) == ("United Kingdom", "GB")
    assert (data["sms_outbound_rate"], data["sms_inbound_rate"]) == (0.04, 0.0)
    assert data["sms_networks"] == [
        {"name": "Example Wireless", "rate": 0.04},
        {"name": "Example Mobile", "rate": 0.04},
    ]
    assert {"name": "local", "rate": 0.01} in data["voice_outbound_rates"]
    assert {"name": "tollfree", "rate": 0.021} in data["voice_inbound_rates"]
    assert result.variables == {"sms_outbound_rate": 0.04}


def test_get_pricing_unknown_country_and_bad_code(daemon, sandbox) -> None:
    missing = invoke(daemon, "get_pricing", {"country_iso": "NZ"})
    assert missing.error is not None and missing.error["error_type"] == "NotFoundError"
    assert "no price list for country NZ" in missing.error["message"]
    bad = invoke(daemon, "get_pricing", {"country_iso": "GBR"})
    assert bad.error is not None and bad.error["error_type"] == "InputError"
    assert len(sandbox.requests) == 1


# -- preview_sms estimate_cost ----------------------------------------------------------------


def test_preview_estimate_prices_each_country_once(daemon, sandbox) -> None:
    result = ok(
        invoke(
            daemon,
            "preview_sms",
            {
                "message": "x" * 200,
                "to": f"{DELIVERED_TO}, +12025550143, +447400123456",
                "estimate_cost": True,
            },
        )
    )
    assert sorted(r.query["country_iso"] for r in sandbox.requests) == ["GB", "US"]
    estimate = result.json["cost_estimate"]
    assert estimate["currency"] == "USD"
    assert estimate["total"] == pytest.approx(2 * 2 * 0.0055 + 2 * 0.04)
    assert result.json["cost_note"] is None
    assert result.variables["estimated_cost"] == pytest.approx(estimate["total"])
    assert "Estimated cost" in result.texts[0]


def test_preview_estimate_without_credentials_is_a_note(daemon, sandbox) -> None:
    result = ok(
        invoke(
            daemon,
            "preview_sms",
            {"message": "hi", "to": DELIVERED_TO, "estimate_cost": "true"},
            {},
        )
    )
    assert result.json["cost_estimate"] is None
    assert "credentials" in result.json["cost_note"]
    assert result.json["segments"] == 1
    assert sandbox.requests == []


def test_preview_without_estimate_makes_no_request(daemon, sandbox) -> None:
    result = ok(invoke(daemon, "preview_sms", {"message": "hi", "to": DELIVERED_TO}, {}))
    assert result.json["cost_estimate"] is None
    assert result.json["cost_note"].startswith("No cost estimate: this tool is set up without")
    assert sandbox.requests == []
