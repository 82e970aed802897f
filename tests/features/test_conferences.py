"""conferences: the live conferences' names, one conference with its members, and a name that is
not live explained."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.conferences import run
from tests.conftest import AUTH_ID, AUTH_TOKEN

CONFERENCES_PATH = f"/v1/Account/{AUTH_ID}/Conference/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
MEMBER = {
    "member_id": "17",
    "call_uuid": "eba53b9e-8fbd-45c1-9444-696d2172fbc8",
    "from": "+14155550100",
    "to": "sip:standup@phone.plivo.com",
    "caller_name": "Ada",
    "direction": "inbound",
    "muted": "false",
    "deaf": "true",
}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_list_names_the_live_conferences(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(CONFERENCES_PATH, method="GET").respond_with_json(
        {"api_id": "c-1", "conferences": ["standup", "support queue"]}
    )
    output = run(Invocation({}, CREDENTIALS))
    assert output.json == {
        "operation": "list",
        "conferences": ["standup", "support queue"],
        "api_id": "c-1",
    }
    assert output.variables == {
        "operation": "list",
        "conferences": ["standup", "support queue"],
        "member_count": None,
    }
    assert output.text == "2 live conferences: standup, support queue."


def test_list_with_none_running(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(CONFERENCES_PATH, method="GET").respond_with_json(
        {"api_id": "c-2", "conferences": []}
    )
    assert run(Invocation({"operation": "List"}, CREDENTIALS)).text == "No live conferences."


def test_get_shows_the_members(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        f"{CONFERENCES_PATH}support queue/", method="GET"
    ).respond_with_json(
        {
            "api_id": "c-3",
            "conference_name": "support queue",
            "conference_member_count": "1",
            "conference_run_time": "95",
            "members": [MEMBER],
        }
    )
    output = run(Invocation({"operation": "get", "conference_name": "support queue"}, CREDENTIALS))
    conference = output.json["conference"]
    assert isinstance(conference, dict)
    assert (conference["name"], conference["member_count"], conference["run_time"]) == (
        "support queue",
        1,
        95,
    )
    [member] = conference["members"]
    assert (member["member_id"], member["from"], member["muted"], member["deaf"]) == (
        "17",
        "+14155550100",
        False,
        True,
    )
    assert output.variables == {"operation": "get", "conferences": None, "member_count": 1}
    assert output.text == "Conference support queue: 1 member, running 95 s (+14155550100)."


def test_get_of_a_conference_that_is_not_live(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(f"{CONFERENCES_PATH}standup/").respond_with_json(
        {"api_id": "c-4", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match="No live conference named 'standup'"):
        run(Invocation({"operation": "get", "conference_name": "standup"}, CREDENTIALS))


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"operation": "get"}, "conference_name"),
        ({"operation": "get", "conference_name": "x" * 257}, "conference_name"),
        ({"operation": "delete", "conference_name": "standup"}, "operation"),
    ],
)
def test_bad_input_sends_nothing(plivo: HTTPServer, params: dict[str, str], parameter: str) -> None:
    with pytest.raises(InputError) as caught:
        run(Invocation(params, CREDENTIALS))
    assert caught.value.parameter == parameter
    assert plivo.log == []
