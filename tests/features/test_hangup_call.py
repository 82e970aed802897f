"""hangup_call: the UUID checked first (a DELETE Call/ without one ends every call), a live
call hung up, a waiting request cancelled, and what is shown."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.hangup_call import run
from tests.conftest import AUTH_ID, AUTH_TOKEN

UUID = "eba53b9e-8fbd-45c1-9444-696d2172fbc8"
ACCOUNT = f"/v1/Account/{AUTH_ID}/"
CALL_PATH = f"{ACCOUNT}Call/{UUID}/"
REQUEST_PATH = f"{ACCOUNT}Request/{UUID}/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
NOT_FOUND = {"api_id": "nf", "error": "not found"}


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_a_live_call_is_hung_up_with_one_delete(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(CALL_PATH, method="DELETE").respond_with_data(status=204)
    output = run(Invocation({"call_uuid": f" {UUID.upper()} "}, CREDENTIALS))
    assert output.json == {"call_uuid": UUID, "hung_up": True, "api_id": None}
    assert output.variables == {"call_uuid": UUID, "hung_up": True}
    assert output.text == f"Hung up call {UUID}; get_call shows its record once Plivo has it."
    assert [request.path for request, _ in plivo.log] == [CALL_PATH]


def test_a_request_not_yet_a_call_is_cancelled(plivo: HTTPServer) -> None:
    plivo.expect_ordered_request(CALL_PATH, method="DELETE").respond_with_json(
        NOT_FOUND, status=404
    )
    plivo.expect_ordered_request(REQUEST_PATH, method="DELETE").respond_with_data(status=204)
    output = run(Invocation({"call_uuid": UUID}, CREDENTIALS))
    assert output.text == f"Cancelled call request {UUID} before Plivo placed the call."
    assert output.json["hung_up"] is True
    assert len(plivo.log) == 2


def test_nothing_to_hang_up_says_what_to_check(plivo: HTTPServer) -> None:
    plivo.expect_ordered_request(CALL_PATH, method="DELETE").respond_with_json(
        NOT_FOUND, status=404
    )
    plivo.expect_ordered_request(REQUEST_PATH, method="DELETE").respond_with_json(
        NOT_FOUND, status=404
    )
    with pytest.raises(NotFoundError, match="Nothing to hang up: Plivo has no live call"):
        run(Invocation({"call_uuid": UUID}, CREDENTIALS))


@pytest.mark.parametrize("call_uuid", [None, "", "   ", "*", "all", UUID + "/"])
def test_without_a_valid_uuid_nothing_is_deleted(plivo: HTTPServer, call_uuid: str | None) -> None:
    with pytest.raises(InputError) as caught:
        run(Invocation({"call_uuid": call_uuid}, CREDENTIALS))
    assert caught.value.parameter == "call_uuid"
    assert plivo.log == []
