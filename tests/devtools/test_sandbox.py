# ruff: noqa: I001
"""The Plivo sandbox, driven over real HTTP with ``requests``.

``dify_plugin`` is imported first, as the suite's conftest does: it turns on gevent monkey
patching, so these tests prove the sandbox also works when its threads are greenlets.
"""

import dify_plugin  # noqa: F401  (gevent patching first: see the module docstring)

import base64
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest
import requests

from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    DEMO_TRIAL_VERIFIED_NUMBER,
    Fault,
    PlivoSandbox,
    RemoteSandbox,
    SandboxAccount,
    Timeline,
)
from devtools.sandbox.messages import Outcome, StoredMessage, count_units, outcome_for
from devtools.sandbox.state import POWERPACK_SENDER
from devtools.tls import make_certificate

TIMEOUT = 5
SRC = "14155550100"
DST = "14155550123"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox(timeline=Timeline(0.05, 0.1)) as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        yield client


def account_url(sandbox: PlivoSandbox, auth_id: str = DEMO_AUTH_ID) -> str:
    return f"{sandbox.url}/v1/Account/{auth_id}"


def send(session: requests.Session, sandbox: PlivoSandbox, **body: object) -> requests.Response:
    payload = {"src": SRC, "dst": DST, "text": "hello", **body}
    payload = {key: value for key, value in payload.items() if value is not None}
    return session.post(f"{account_url(sandbox)}/Message/", json=payload, timeout=TIMEOUT)


def get_message(
    session: requests.Session, sandbox: PlivoSandbox, message_uuid: str
) -> requests.Response:
    return session.get(f"{account_url(sandbox)}/Message/{message_uuid}/", timeout=TIMEOUT)


# Authentication, account, routing ---------------------------------------------------------------


def test_account_with_good_credentials(sandbox: PlivoSandbox, session: requests.Session) -> None:
    first = session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    second = session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert first.status_code == 200
    body = first.json()
    assert body["auth_id"] == DEMO_AUTH_ID
    assert body["cash_credits"] == "12.50000"
    assert body["account_type"] == "standard"
    assert body["resource_uri"] == f"/v1/Account/{DEMO_AUTH_ID}/"
    assert body["api_id"] != second.json()["api_id"]
    assert sandbox.requests[0].account == DEMO_AUTH_ID


@pytest.mark.parametrize(
    ("auth", "auth_id"),
    [
        ((DEMO_AUTH_ID, "wrong-token-beta"), DEMO_AUTH_ID),
        (None, DEMO_AUTH_ID),
        (("MA" + "Q" * 18, DEMO_AUTH_TOKEN), DEMO_AUTH_ID),
        ((DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN), DEMO_AUTH_ID),  # valid, other account's path
    ],
    ids=["wrong-token", "missing", "unknown-id", "path-mismatch"],
)
def test_authentication_failures_are_401(
    sandbox: PlivoSandbox, auth: tuple[str, str] | None, auth_id: str
) -> None:
    response = requests.get(f"{account_url(sandbox, auth_id)}/", auth=auth, timeout=TIMEOUT)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "authentication_failed"
    assert body["api_id"]


def test_auth_is_checked_before_the_resource(sandbox: PlivoSandbox) -> None:
    response = requests.get(f"{account_url(sandbox)}/NoSuchThing/", timeout=TIMEOUT)
    assert response.status_code == 401


def test_unknown_path_is_404_and_wrong_method_405(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    missing = session.get(f"{account_url(sandbox)}/NoSuchThing/", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not found"
    assert session.get(f"{sandbox.url}/elsewhere", timeout=TIMEOUT).status_code == 404
    wrong = session.delete(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method not allowed"


def test_trailing_slash_is_optional(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = session.get(account_url(sandbox), timeout=TIMEOUT, allow_redirects=False)
    assert response.status_code == 200


# Sending ---------------------------------------------------------------------------------------


def test_send_json_queues_one_message_per_destination(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    response = send(session, sandbox, dst="+1 (415) 555-0123<14155550124<14155550123")
    assert response.status_code == 202
    body = response.json()
    assert body["message"] == "message(s) queued"
    assert len(body["message_uuid"]) == 2  # duplicates removed
    assert "invalid_number" not in body
    stored = [sandbox.messages[uuid] for uuid in body["message_uuid"]]
    assert [m.to_number for m in stored] == ["14155550123", "14155550124"]
    assert all(m.from_number == SRC and m.text == "hello" and m.units == 1 for m in stored)
    recorded = sandbox.requests[-1]
    assert recorded.json == {
        "src": SRC,
        "dst": "+1 (415) 555-0123<14155550124<14155550123",
        "text": "hello",
    }
    assert recorded.headers["Content-Type"] == "application/json"


def test_send_form_encoded_is_accepted(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = session.post(
        f"{account_url(sandbox)}/Message/",
        data={"src": SRC, "dst": DST, "text": "form", "log": "number_only"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 202
    (message,) = sandbox.messages.values()
    assert message.text == "form"
    assert message.options["log"] == "number_only"
    assert sandbox.requests[-1].form["dst"] == DST


def test_invalid_numbers_are_reported_with_their_original_text(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    response = send(session, sandbox, dst=f"{DST}<12345<0044 20 7183 8750<abc")
    assert response.status_code == 202
    body = response.json()
    assert len(body["message_uuid"]) == 1
    assert body["invalid_number"] == ["12345", "0044 20 7183 8750", "abc"]


def test_all_destinations_invalid_is_400(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = send(session, sandbox, dst="12345<999999999999999")
    assert response.status_code == 400
    assert response.json()["invalid_number"] == ["12345", "999999999999999"]
    assert sandbox.messages == {}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"src": SRC, "powerpack_uuid": "pp-1"}, "both"),
        ({"src": None}, "either src or powerpack_uuid"),
        ({"dst": None}, "dst"),
        ({"text": None}, "text"),
        ({"text": "a" * 1601}, "1600"),
        ({"text": "ü" * 1601}, "1600"),  # ü is in the GSM set
        ({"text": "я" * 738}, "737"),
        ({"type": "fax"}, "type"),
        ({"type": "mms", "media_urls": ["https://example.com/a.png"] * 11}, "media_urls"),
        ({"media_urls": ["https://example.com/a.png"]}, "mms"),
        ({"log": False}, "log must be a string"),
        ({"log": "sometimes"}, "log"),
        ({"message_expiry": 4}, "message_expiry"),
        ({"message_expiry": 10800}, "message_expiry"),
        ({"message_expiry": True}, "message_expiry"),
        ({"method": "PUT"}, "method"),
        ({"url": "ftp://example.com/cb"}, "url"),
        ({"src": "ABCDEFGHIJKL"}, "alphanumeric"),
    ],
)
def test_send_validation_errors_are_400(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, object], fragment: str
) -> None:
    response = send(session, sandbox, **body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]
    assert sandbox.messages == {}


def test_send_accepts_documented_options(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = send(
        session,
        sandbox,
        url="https://example.com/status",
        method="GET",
        log="false",
        message_expiry=300,
        trackable=True,
    )
    assert response.status_code == 202
    (uuid,) = response.json()["message_uuid"]
    assert sandbox.messages[uuid].options["message_expiry"] == 300
    assert get_message(session, sandbox, uuid).json()["to_number"] == DST[:-3] + "***"


def test_mms_needs_no_text_and_is_one_unit(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    response = send(
        session, sandbox, type="mms", text=None, media_urls=["https://example.com/a.png"]
    )
    assert response.status_code == 202
    (message,) = sandbox.messages.values()
    assert message.message_type == "mms"
    assert message.units == 1


def test_invalid_json_body_is_400(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = session.post(
        f"{account_url(sandbox)}/Message/",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_powerpack_instead_of_src(sandbox: PlivoSandbox, session: requests.Session) -> None:
    response = send(session, sandbox, src=None, powerpack_uuid="pp-uuid-1")
    assert response.status_code == 202
    (message,) = sandbox.messages.values()
    assert message.from_number == POWERPACK_SENDER
    mdr = get_message(session, sandbox, message.message_uuid).json()
    assert mdr["powerpack_id"] == "pp-uuid-1"


def test_destination_limit_is_1000_unique(sandbox: PlivoSandbox, session: requests.Session) -> None:
    numbers = [f"1415556{i:04d}" for i in range(1001)]
    too_many = send(session, sandbox, dst="<".join(numbers))
    assert too_many.status_code == 400
    assert "1000" in too_many.json()["error"]
    duplicated = "<".join(numbers[:1000] + numbers[:5])
    accepted = send(session, sandbox, dst=duplicated)
    assert accepted.status_code == 202
    assert len(accepted.json()["message_uuid"]) == 1000


def test_geo_blocked_country_refuses_the_whole_request(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    response = send(session, sandbox, dst=f"{DST}<8613800138000")
    assert response.status_code == 403
    assert response.json()["error"] == "destination country is not enabled in geo permissions"
    assert sandbox.messages == {}
    sandbox.geo_blocked = set()
    assert send(session, sandbox, dst="8613800138000").status_code == 202


def test_trial_account_sends_only_to_verified_numbers(sandbox: PlivoSandbox) -> None:
    with requests.Session() as trial:
        trial.auth = (DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN)
        url = f"{account_url(sandbox, DEMO_TRIAL_AUTH_ID)}/Message/"
        refused = trial.post(
            url, json={"src": SRC, "dst": "14155550124", "text": "x"}, timeout=TIMEOUT
        )
        allowed = trial.post(
            url,
            json={"src": SRC, "dst": DEMO_TRIAL_VERIFIED_NUMBER, "text": "x"},
            timeout=TIMEOUT,
        )
    assert refused.status_code == 400
    assert "verified" in refused.json()["error"]
    assert allowed.status_code == 202


def test_segments_follow_gsm_and_ucs2_rules() -> None:
    assert count_units("a" * 160, "sms") == 1
    assert count_units("a" * 161, "sms") == 2
    assert count_units("a" * 306, "sms") == 2
    assert count_units("{" * 80, "sms") == 1  # extension characters take two septets
    assert count_units("{" * 81, "sms") == 2
    assert count_units("я" * 70, "sms") == 1
    assert count_units("я" * 71, "sms") == 2
    assert count_units("😀" * 35, "sms") == 1  # two UTF-16 code units each
    assert count_units("😀" * 36, "sms") == 2


# Message state ---------------------------------------------------------------------------------


def _message(outcome: Outcome) -> StoredMessage:
    return StoredMessage(
        "u", DEMO_AUTH_ID, "outbound", SRC, DST, "t", "sms", 1, 100.0, "0.00550", "US", outcome
    )


@pytest.mark.parametrize(
    ("outcome", "states"),
    [
        (Outcome(), ["queued", "sent", "delivered"]),
        (Outcome("undelivered", "30"), ["queued", "sent", "undelivered"]),
        (Outcome("failed", "900"), ["queued", "queued", "failed"]),
        (Outcome("sent"), ["queued", "sent", "sent"]),
    ],
)
def test_state_follows_the_timeline(outcome: Outcome, states: list[str]) -> None:
    timeline = Timeline(sent_after=1.0, final_after=2.0)
    message = _message(outcome)
    assert [message.current_state(100.0 + t, timeline) for t in (0.5, 1.5, 2.5)] == states
    assert [message.current_state(100.0 + t, timeline * 10) for t in (0.5, 15, 25)] == states


def test_state_progresses_over_http(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.timeline = Timeline(0.3, 0.6)
    (uuid,) = send(session, sandbox).json()["message_uuid"]
    created = sandbox.messages[uuid].created
    seen = [get_message(session, sandbox, uuid).json()]
    for moment in (0.45, 0.75):
        time.sleep(max(0.0, created + moment - time.time()))
        seen.append(get_message(session, sandbox, uuid).json())
    assert [mdr["message_state"] for mdr in seen] == ["queued", "sent", "delivered"]
    assert seen[0]["message_sent_time"] is None
    assert seen[0]["total_amount"] == "0.00000"
    delivered = seen[-1]
    assert delivered["error_code"] == "000"
    assert delivered["total_amount"] == delivered["total_rate"] == "0.00550"
    assert delivered["to_number"] == DST and delivered["from_number"] == SRC
    assert delivered["destination_country_iso2"] == "US"
    assert delivered["message_direction"] == "outbound"
    assert delivered["resource_uri"] == f"/v1/Account/{DEMO_AUTH_ID}/Message/{uuid}/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00", delivered["message_time"])


@pytest.mark.parametrize(
    ("number", "state", "error_code"),
    [
        ("14155550030", "undelivered", "30"),
        ("14155550020", "undelivered", "20"),
        ("14155550900", "failed", "900"),
        ("14155550420", "failed", "420"),
        ("14155550000", "sent", "000"),
        ("14155550001", "rejected", "10"),
        ("14155550123", "delivered", "000"),
    ],
)
def test_magic_destinations_decide_the_outcome(
    sandbox: PlivoSandbox, session: requests.Session, number: str, state: str, error_code: str
) -> None:
    sandbox.timeline = Timeline.instant()
    (uuid,) = send(session, sandbox, dst=number).json()["message_uuid"]
    mdr = get_message(session, sandbox, uuid).json()
    assert (mdr["message_state"], mdr["error_code"]) == (state, error_code)
    assert outcome_for(number).final_state == state


def test_unknown_or_foreign_message_is_404(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    missing = get_message(session, sandbox, "00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not found"
    foreign = sandbox.add_message(
        account=DEMO_TRIAL_AUTH_ID, from_number="14155550999", to_number=SRC, text="hi"
    )
    assert get_message(session, sandbox, foreign.message_uuid).status_code == 404


# Listing ---------------------------------------------------------------------------------------


def test_list_filters_pages_and_24_hour_window(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    now = time.time()
    for i in range(5):
        sandbox.add_message(
            from_number=f"1415555{i:04d}", to_number=SRC, text=f"in {i}", created=now - 60 * (5 - i)
        )
    old = sandbox.add_message(from_number="14155559999", to_number=SRC, created=now - 2 * 86400)
    send(session, sandbox, dst="14155550124")
    url = f"{account_url(sandbox)}/Message/"

    inbound = session.get(
        url, params={"message_direction": "inbound", "limit": 2}, timeout=TIMEOUT
    ).json()
    assert inbound["meta"]["total_count"] == 5  # the 2-day-old message is outside the window
    assert [m["from_number"] for m in inbound["objects"]] == ["14155550004", "14155550003"]
    assert inbound["meta"]["previous"] is None
    next_page = session.get(sandbox.url + inbound["meta"]["next"], timeout=TIMEOUT).json()
    assert next_page["meta"]["offset"] == 2
    assert [m["from_number"] for m in next_page["objects"]] == ["14155550002", "14155550001"]
    assert next_page["meta"]["previous"].endswith("offset=0")
    assert "message_direction=inbound" in next_page["meta"]["next"]

    outbound = session.get(
        url, params={"message_direction": "outbound", "to_number": "+14155550124"}, timeout=TIMEOUT
    ).json()
    assert [m["to_number"] for m in outbound["objects"]] == ["14155550124"]
    assert all(m["message_state"] == "received" for m in inbound["objects"])

    since = time.strftime("%Y-%m-%d %H:%M", time.gmtime(now - 3 * 86400))
    everything = session.get(url, params={"message_time__gte": since}, timeout=TIMEOUT).json()
    assert everything["meta"]["total_count"] == 7
    assert everything["objects"][-1]["message_uuid"] == old.message_uuid


@pytest.mark.parametrize(
    "params",
    [{"limit": "21"}, {"limit": "0"}, {"offset": "-1"}, {"message_time__gt": "yesterday"}],
)
def test_list_rejects_bad_paging_and_times(
    sandbox: PlivoSandbox, session: requests.Session, params: dict[str, str]
) -> None:
    response = session.get(f"{account_url(sandbox)}/Message/", params=params, timeout=TIMEOUT)
    assert response.status_code == 400


def test_list_rate_limit_when_enabled(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.list_rate_limit = 2
    statuses = [
        session.get(f"{account_url(sandbox)}/Message/", timeout=TIMEOUT).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


# Lookup and pricing ----------------------------------------------------------------------------


def test_lookup_returns_carrier_data(sandbox: PlivoSandbox, session: requests.Session) -> None:
    us = session.get(
        f"{sandbox.lookup_url}/v1/Number/+14155550123", params={"type": "carrier"}, timeout=TIMEOUT
    )
    assert us.status_code == 200
    body = us.json()
    assert body["phone_number"] == "+14155550123"
    assert body["country"] == {"name": "United States", "iso2": "US", "iso3": "USA"}
    assert body["format"]["national"] == "(415) 555-0123"
    assert body["carrier"]["type"] == "mobile"
    assert body["carrier"]["name"] == "Example Wireless"
    london = session.get(
        f"{sandbox.lookup_url}/v1/Number/442071838750", params={"type": "carrier"}, timeout=TIMEOUT
    ).json()
    assert london["carrier"]["type"] == "fixed"
    assert london["carrier"]["mobile_country_code"] == ""


def test_lookup_errors(sandbox: PlivoSandbox, session: requests.Session) -> None:
    invalid = session.get(
        f"{sandbox.lookup_url}/v1/Number/12345", params={"type": "carrier"}, timeout=TIMEOUT
    )
    assert invalid.status_code == 404
    assert invalid.json()["error_code"] == 20404
    assert invalid.json()["message"]
    no_type = session.get(f"{sandbox.lookup_url}/v1/Number/+14155550123", timeout=TIMEOUT)
    assert no_type.status_code == 400
    anonymous = requests.get(
        f"{sandbox.lookup_url}/v1/Number/+14155550123", params={"type": "carrier"}, timeout=TIMEOUT
    )
    assert anonymous.status_code == 401


def test_pricing(sandbox: PlivoSandbox, session: requests.Session) -> None:
    url = f"{account_url(sandbox)}/Pricing/"
    body = session.get(url, params={"country_iso": "GB"}, timeout=TIMEOUT).json()
    assert body["country_iso"] == "GB"
    assert body["country_code"] == 44
    assert body["message"]["outbound"]["rate"] == "0.04000"
    assert body["message"]["outbound_networks_list"][0]["rate"] == "0.04000"
    assert session.get(url, params={"country_iso": "gbr"}, timeout=TIMEOUT).status_code == 400
    assert session.get(url, timeout=TIMEOUT).status_code == 400
    assert session.get(url, params={"country_iso": "ZZ"}, timeout=TIMEOUT).status_code == 404
    sandbox.set_pricing("GB", outbound="0.05000", inbound="0.00100")
    changed = session.get(url, params={"country_iso": "GB"}, timeout=TIMEOUT).json()
    assert changed["message"]["outbound"]["rate"] == "0.05000"
    assert changed["country"] == "United Kingdom"


# Faults ----------------------------------------------------------------------------------------


def test_fault_default_is_plivo_shaped_500_without_effect(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.inject(Fault(method="POST", path=r"/Message/$", status=500))
    response = send(session, sandbox)
    assert response.status_code == 500
    assert response.json()["error"] == "internal server error"
    assert response.json()["api_id"]
    assert sandbox.messages == {}
    assert send(session, sandbox).status_code == 202  # consumed after one use


def test_fault_matching_and_times(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.inject(Fault.plivo_error(503, "try later", path=r"/Pricing/", times=2))
    sandbox.inject(Fault.plivo_error(409, method="GET"))
    account = session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert account.status_code == 409
    assert account.json()["error"] == "conflict"
    pricing_url = f"{account_url(sandbox)}/Pricing/?country_iso=US"
    statuses = [session.get(pricing_url, timeout=TIMEOUT).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert sandbox.pending_faults == []


def test_fault_429_with_retry_after(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.inject(Fault.rate_limited(retry_after=2))
    response = send(session, sandbox)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.json()["error"] == "rate_limit_exceeded"


def test_fault_html_and_empty_bodies(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.inject(Fault(action="html"))
    sandbox.inject(Fault(status=500, body=b""))
    html = session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert html.status_code == 502
    assert html.headers["Content-Type"].startswith("text/html")
    assert "<html>" in html.text
    empty = session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert (empty.status_code, empty.content) == (500, b"")


@pytest.mark.parametrize("action", ["malformed_json", "truncated_json"])
def test_unparsable_2xx_still_sends(
    sandbox: PlivoSandbox, session: requests.Session, action: str
) -> None:
    sandbox.inject(Fault(action=action))  # type: ignore[arg-type]
    response = send(session, sandbox)
    assert response.status_code == 202
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert len(sandbox.messages) == 1


def test_drop_before_body_is_a_connection_error_without_effect(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.inject(Fault(action="drop_before_body"))
    with pytest.raises(requests.ConnectionError):
        send(session, sandbox)
    assert sandbox.messages == {}
    assert sandbox.requests[-1].body == b""
    assert send(session, sandbox).status_code == 202  # the session recovers on a new connection


def test_drop_after_body_creates_the_message(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.inject(Fault(action="drop_after_body", path=r"/Message/$"))
    with pytest.raises(requests.ConnectionError):
        send(session, sandbox)
    (message,) = sandbox.messages.values()
    assert message.to_number == DST
    assert sandbox.requests[-1].json["dst"] == DST  # type: ignore[index]


def test_delay_slows_the_answer_and_still_sends(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.inject(Fault(delay=0.3, path=r"/Message/$"))
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        session.post(
            f"{account_url(sandbox)}/Message/",
            json={"src": SRC, "dst": DST, "text": "slow"},
            timeout=(TIMEOUT, 0.1),
        )
    assert time.monotonic() - started < 0.3
    sandbox.wait_for_requests(1)
    deadline = time.monotonic() + TIMEOUT
    while not sandbox.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(sandbox.messages) == 1


def test_fault_with_side_effects_and_extra_headers(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    sandbox.inject(Fault(status=500, side_effects=True, headers={"X-Trace": "abc"}))
    response = send(session, sandbox)
    assert response.status_code == 500
    assert response.headers["X-Trace"] == "abc"
    assert len(sandbox.messages) == 1


def test_global_latency(sandbox: PlivoSandbox, session: requests.Session) -> None:
    sandbox.latency = 0.2
    started = time.monotonic()
    session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT)
    assert time.monotonic() - started >= 0.2


def test_fault_rejects_unknown_action() -> None:
    with pytest.raises(ValueError, match="unknown fault action"):
        Fault(action="explode")  # type: ignore[arg-type]


# Connections -----------------------------------------------------------------------------------


def test_session_reuses_one_connection(sandbox: PlivoSandbox, session: requests.Session) -> None:
    before = sandbox.connections_opened
    for _ in range(5):
        assert session.get(f"{account_url(sandbox)}/", timeout=TIMEOUT).status_code == 200
    assert sandbox.connections_opened - before == 1
    assert len({r.connection_id for r in sandbox.requests}) == 1
    for _ in range(3):
        with requests.Session() as fresh:
            fresh.get(
                f"{account_url(sandbox)}/", auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN), timeout=TIMEOUT
            )
    assert sandbox.connections_opened - before == 4


def test_connection_stays_open_across_error_answers(sandbox: PlivoSandbox) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=TIMEOUT)
    try:
        body = json.dumps({"text": "x" * 5000})
        connection.request(
            "POST",
            f"/v1/Account/{DEMO_AUTH_ID}/Message/",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        refused = connection.getresponse()
        assert refused.status == 401
        refused.read()
        credentials = base64.b64encode(f"{DEMO_AUTH_ID}:{DEMO_AUTH_TOKEN}".encode()).decode()
        connection.request(
            "GET", f"/v1/Account/{DEMO_AUTH_ID}/", headers={"Authorization": f"Basic {credentials}"}
        )
        accepted = connection.getresponse()
        assert accepted.status == 200
        assert json.loads(accepted.read())["auth_id"] == DEMO_AUTH_ID
    finally:
        connection.close()
    assert len({r.connection_id for r in sandbox.requests}) == 1


def test_stop_closes_idle_keepalive_connections() -> None:
    sandbox = PlivoSandbox().start()
    url = sandbox.url
    with requests.Session() as client:
        client.get(
            f"{account_url(sandbox)}/", auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN), timeout=TIMEOUT
        )
        started = time.monotonic()
        sandbox.stop()
        assert time.monotonic() - started < 2
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/", timeout=TIMEOUT)


CAN_MAKE_CERTIFICATES = shutil.which("openssl") is not None or find_spec("cryptography") is not None


@pytest.mark.skipif(not CAN_MAKE_CERTIFICATES, reason="needs openssl or the cryptography package")
def test_tls_with_keepalive(tmp_path: Path) -> None:
    certificate = make_certificate(tmp_path)
    with (
        PlivoSandbox(ssl_context=certificate.server_context()) as sandbox,
        requests.Session() as client,
    ):
        assert sandbox.url.startswith("https://127.0.0.1:")
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        statuses = [
            client.get(
                f"{account_url(sandbox)}/", verify=str(certificate.cert_path), timeout=TIMEOUT
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 200]
        assert sandbox.connections_opened == 1


def test_custom_accounts(sandbox: PlivoSandbox) -> None:
    sandbox.add_account(SandboxAccount("SA" + "Z" * 18, "sub-token-gamma", cash_credits="1.00000"))
    response = requests.get(
        f"{account_url(sandbox, 'SA' + 'Z' * 18)}/",
        auth=("SA" + "Z" * 18, "sub-token-gamma"),
        timeout=TIMEOUT,
    )
    assert response.json()["cash_credits"] == "1.00000"


# Request log, control API, command line ---------------------------------------------------------


def test_wait_for_requests_and_clear(sandbox: PlivoSandbox, session: requests.Session) -> None:
    send(session, sandbox)
    assert len(sandbox.wait_for_requests(1, timeout=1)) == 1
    with pytest.raises(TimeoutError):
        sandbox.wait_for_requests(2, timeout=0.05)
    sandbox.inject(Fault())
    sandbox.clear()
    assert sandbox.requests == [] and sandbox.pending_faults == []
    assert len(sandbox.messages) == 1
    sandbox.reset()
    assert sandbox.messages == {}


def test_control_api(sandbox: PlivoSandbox, session: requests.Session) -> None:
    """What the benchmarks read from a sandbox in another process: counters, the log, a reset."""
    remote = RemoteSandbox(sandbox.url)
    try:
        sandbox.inject(Fault.plivo_error(500, path=r"/Message/$"))
        assert send(session, sandbox).status_code == 500
        assert send(session, sandbox).status_code == 202
        logged = remote.requests()
        assert [r["method"] for r in logged] == ["POST", "POST"]
        assert logged[0]["account"] == DEMO_AUTH_ID
        assert logged[0]["json"]["dst"] == DST
        health = remote.health()
        assert health["requests"] == 2 and health["messages"] == 1
        assert health["connections_opened"] >= 1
        remote.clear_requests()
        assert remote.requests() == [] and len(sandbox.messages) == 1
        remote.reset()
        assert remote.health()["messages"] == 0
        unknown = requests.post(f"{sandbox.url}/__sandbox__/faults", json={}, timeout=TIMEOUT)
        assert unknown.status_code == 404
        wrong_method = requests.get(f"{sandbox.url}/__sandbox__/reset", timeout=TIMEOUT)
        assert wrong_method.status_code == 405
    finally:
        remote.close()
    assert sandbox.requests == []  # control calls are not logged


def test_command_line_serves_until_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.sandbox", "--port", "0"],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        url = None
        for _ in range(20):
            line = process.stderr.readline()
            found = re.search(r"export PLIVO_API_BASE_URL=(\S+) PLIVO_LOOKUP_BASE_URL=", line)
            if found:
                url = found.group(1)
                break
        assert url is not None
        response = requests.get(
            f"{url}/v1/Account/{DEMO_AUTH_ID}/",
            auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
