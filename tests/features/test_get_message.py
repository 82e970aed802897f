"""get_message: the UUID checked before any request, one read (or a wait), and what is shown."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.get_message import (
    MessageQuery,
    parse_message_uuid,
    present,
    query_from_params,
    run,
)
from plivo_api.resources.messages import MessageRecord
from plivo_api.toolkit.polling import MessageStatus
from tests.conftest import AUTH_ID, AUTH_TOKEN

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"
MESSAGE_URL = f"/v1/Account/{AUTH_ID}/Message/{UUID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
MDR = {
    "api_id": "api-6",
    "error_code": "000",
    "from_number": "14155550100",
    "message_direction": "outbound",
    "message_state": "sent",
    "message_time": "2026-01-05 10:00:01+00:00",
    "message_type": "sms",
    "message_uuid": UUID,
    "to_number": "14155550123",
    "units": 1,
}

# -- message UUIDs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [UUID, UUID.upper(), f"  {UUID}\n", f'"{UUID}"', f"'{UUID}'", UUID.replace("-", "")],
)
def test_uuid_is_canonicalised(raw: str) -> None:
    assert parse_message_uuid(raw) == UUID


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (UUID[:-1], "its groups have 8-4-4-4-11 characters"),
        (UUID.replace("5f0e", "5g0e"), "characters other than 0-9, a-f and dashes"),
        ("5f0e4a8c-0000-4000-8000", "it has 4 groups instead of 5"),
        ("5f0e4a8c", "it has 1 group instead of 5"),
        ("message 1", "characters other than"),
    ],
)
def test_malformed_uuid_names_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_message_uuid(raw)
    assert caught.value.parameter == "message_uuid"
    assert problem in str(caught.value)
    assert "8-4-4-4-12" in str(caught.value)


@pytest.mark.parametrize("raw", [None, "", "   ", '""'])
def test_missing_uuid_is_required(raw: str | None) -> None:
    with pytest.raises(InputError, match="message_uuid is required"):
        parse_message_uuid(raw)


# -- parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"message_uuid": UUID}, MessageQuery(UUID, 0)),
        ({"message_uuid": UUID, "wait_seconds": "15"}, MessageQuery(UUID, 15)),
        ({"message_uuid": UUID, "wait_seconds": 60.0}, MessageQuery(UUID, 60)),
        ({"message_uuid": UUID, "wait_seconds": None}, MessageQuery(UUID, 0)),
    ],
)
def test_get_message_params(params: dict[str, object], expected: MessageQuery) -> None:
    assert query_from_params(params) == expected


@pytest.mark.parametrize("wait", [61, -1, "soon", True, 2.5, [5]])
def test_wait_out_of_range_or_wrong_type_is_refused(wait: object) -> None:
    with pytest.raises(InputError) as caught:
        query_from_params({"message_uuid": UUID, "wait_seconds": wait})
    assert caught.value.parameter == "wait_seconds"


def test_a_list_of_uuids_is_checked_as_one_uuid() -> None:
    with pytest.raises(InputError) as caught:
        query_from_params({"message_uuid": [UUID, UUID]})
    assert caught.value.parameter == "message_uuid"


# -- presentation -----------------------------------------------------------------------------


def status(
    waited: float = 0.0, polls: int = 1, poll_error: str | None = None, **fields: object
) -> MessageStatus:
    return MessageStatus(MessageRecord.from_json({**MDR, **fields}), waited, polls, poll_error)


def test_present_shows_the_message_fields_and_api_id() -> None:
    output = present(status(), MessageQuery(UUID, 0))
    assert output.json == {
        "message_uuid": UUID,
        "state": "sent",
        "state_description": output.json["state_description"],
        "final": False,
        "error_code": None,
        "error": None,
        "advice": None,
        "retryable": None,
        "to": "+14155550123",
        "from": "+14155550100",
        "direction": "outbound",
        "type": "sms",
        "units": 1,
        "total_amount": None,
        "total_rate": None,
        "message_time": "2026-01-05 10:00:01+00:00",
        "sent_time": None,
        "delivered_time": None,
        "carrier_fees": None,
        "carrier_fees_rate": None,
        "api_id": "api-6",
        "waited_seconds": None,
        "poll_error": None,
    }
    assert "no delivery receipt yet" in str(output.json["state_description"])
    assert output.variables == {"state": "sent", "final": False, "error_code": None}


def test_summary_of_a_message_not_final_yet() -> None:
    text = present(status(), MessageQuery(UUID, 0)).text
    assert text.startswith(f"Message {UUID} to +14155550123: sent, handed to the carrier")
    assert text.endswith("Not final yet.")


def test_summary_of_a_failed_message_explains_its_error_code() -> None:
    output = present(status(message_state="failed", error_code="900"), MessageQuery(UUID, 0))
    assert "This is final." in output.text
    assert "Error 900: The Plivo account has insufficient credit." in output.text
    assert "credit" in str(output.json["advice"])
    assert output.variables == {"state": "failed", "final": True, "error_code": "900"}


@pytest.mark.parametrize("waited", [0.0, 0.4, 1.7])
def test_without_a_wait_the_summary_never_mentions_waiting(waited: float) -> None:
    """A slow answer is not a wait: "Waited" appears only when the caller asked to wait."""
    output = present(status(waited=waited), MessageQuery(UUID, 0))
    assert "Waited" not in output.text
    assert output.json["waited_seconds"] is None


def test_with_a_wait_the_summary_says_how_long() -> None:
    output = present(status(waited=1.5, polls=3, message_state="delivered"), MessageQuery(UUID, 30))
    assert "Waited 1.5 s." in output.text
    assert output.json["waited_seconds"] == 1.5


def test_a_failed_status_check_during_the_wait_is_reported() -> None:
    output = present(
        status(waited=2.0, polls=2, poll_error="Plivo had a server error"),
        MessageQuery(UUID, 2),
    )
    assert output.json["state"] == "sent"
    assert output.json["poll_error"] == "Plivo had a server error"
    assert output.text.endswith("The last status check failed: Plivo had a server error.")


def test_a_received_inbound_message_is_final() -> None:
    output = present(
        status(message_state="received", message_direction="inbound"), MessageQuery(UUID, 0)
    )
    assert output.json["final"] is True
    assert "This is final." in output.text


# -- run against a local Plivo ----------------------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_reads_the_message_once(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(MESSAGE_URL, method="GET").respond_with_json(MDR)
    output = run(Invocation({"message_uuid": UUID.upper()}, CREDENTIALS))
    assert output.json["state"] == "sent"
    assert output.json["api_id"] == "api-6"
    assert len(plivo.log) == 1


def test_run_with_a_wait_reads_until_final(plivo: HTTPServer) -> None:
    plivo.expect_ordered_request(MESSAGE_URL).respond_with_json(MDR)
    plivo.expect_ordered_request(MESSAGE_URL).respond_with_json(
        {**MDR, "message_state": "delivered"}
    )
    output = run(Invocation({"message_uuid": UUID, "wait_seconds": 5}, CREDENTIALS))
    assert output.json["state"] == "delivered"
    assert output.json["waited_seconds"] is not None
    assert "Waited" in output.text


def test_run_for_an_unknown_message_says_no_such_message(plivo: HTTPServer) -> None:
    plivo.expect_request(MESSAGE_URL).respond_with_json(
        {"api_id": "api-404", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match=f"No such message: Plivo has no message {UUID}"):
        run(Invocation({"message_uuid": UUID}, CREDENTIALS))


def test_a_malformed_uuid_makes_no_request(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"message_uuid": UUID[:-1]}, CREDENTIALS))
    assert plivo.log == []
