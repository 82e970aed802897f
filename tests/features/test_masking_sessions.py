"""masking_sessions: the parties meet send_sms's rules (E.164, no premium rate,
allowed_countries), changes need allow_changes, and nothing is sent when refused."""

from __future__ import annotations

import pytest

from devtools.sandbox import DEMO_AUTH_ID, Fault, PlivoSandbox
from plivo_api.errors import InputError, InvalidRequestError, NotFoundError, OutcomeUnknownError
from plivo_api.features import Invocation
from plivo_api.features.masking_sessions import run
from tests.features.voice_fixtures import CREDENTIALS, plivo, plugin_requests

__all__ = ["plivo"]
ALICE = "+14155552671"
BOB = "+14155552672"
CHANGES = {"allow_changes": True}
MISSING = "9e0d3e0c-0000-4000-8000-00000000000b"


def create(**params: object):
    return run(
        Invocation(
            {"operation": "create", "first_party": ALICE, "second_party": BOB, **CHANGES, **params},
            CREDENTIALS,
        )
    )


def test_create_gets_a_virtual_number_of_the_first_partys_country(plivo: PlivoSandbox) -> None:
    output = create(session_expiry=600, record=True)
    session = output.json["session"]
    assert session["virtual_number"] == "+14155550100"  # the demo account's US number
    assert (session["first_party"], session["second_party"], session["state"]) == (
        ALICE,
        BOB,
        "active",
    )
    assert output.variables["session_uuid"] == session["session_uuid"]
    [request] = plivo.requests
    assert request.json == {
        "first_party": "14155552671",
        "second_party": "14155552672",
        "session_expiry": 600,
        "record": True,
    }
    assert "reach each other by calling +14155550100" in output.text


def test_get_update_list_and_delete(plivo: PlivoSandbox) -> None:
    uuid = create().variables["session_uuid"]
    got = run(Invocation({"operation": "get", "session_uuid": uuid}, CREDENTIALS))
    assert got.json["session"]["session_uuid"] == uuid
    updated = run(
        Invocation(
            {
                "operation": "update",
                "session_uuid": uuid,
                "second_party": "+14155552673",
                **CHANGES,
            },
            CREDENTIALS,
        )
    )
    assert updated.json["session"]["second_party"] == "+14155552673"
    assert plivo.requests[-1].json == {"second_party": "14155552673"}  # record is not re-sent
    listed = run(Invocation({"first_party": ALICE}, CREDENTIALS))
    assert listed.variables["total_count"] == 1
    assert plivo.requests[-1].query["first_party"] == "14155552671"
    run(Invocation({"operation": "delete", "session_uuid": uuid, **CHANGES}, CREDENTIALS))
    with pytest.raises(NotFoundError, match=f"No masking session {uuid}"):
        run(Invocation({"operation": "get", "session_uuid": uuid}, CREDENTIALS))


def test_a_create_is_never_repeated(plivo: PlivoSandbox) -> None:
    plivo.inject(Fault(path="/Masking/Session/", status=503))
    with pytest.raises(OutcomeUnknownError, match="list the sessions"):
        create()
    assert plugin_requests(plivo) == [("POST", "Masking/Session/")]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"first_party": "+19005550100"}, "first_party"),  # premium rate
        ({"second_party": "+447911123456", "allowed_countries": "US"}, "second_party"),
        ({"first_party": "4155552671"}, "first_party"),  # no country code
        ({"second_party": ALICE}, "second_party"),  # the same person twice
        ({"second_party": None}, "second_party"),
        ({"session_expiry": 10}, "session_expiry"),
    ],
)
def test_refused_parties_send_nothing(plivo: PlivoSandbox, params: dict, parameter: str) -> None:
    with pytest.raises(InputError) as raised:
        create(**params)
    assert raised.value.parameter == parameter
    assert plivo.requests == []


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_changes_without_allow_changes_send_nothing(plivo: PlivoSandbox, operation: str) -> None:
    params = {
        "operation": operation,
        "session_uuid": MISSING,
        "first_party": ALICE,
        "second_party": BOB,
    }
    with pytest.raises(InputError, match="Allow changes") as raised:
        run(Invocation(params, CREDENTIALS))
    assert raised.value.parameter == "allow_changes"
    assert plivo.requests == []


def test_update_without_a_change_sends_nothing(plivo: PlivoSandbox) -> None:
    with pytest.raises(InputError, match="update: give first_party"):
        run(Invocation({"operation": "update", "session_uuid": MISSING, **CHANGES}, CREDENTIALS))
    assert plivo.requests == []


def test_no_virtual_number_in_the_pool_is_plivos_error(plivo: PlivoSandbox) -> None:
    plivo.masking.set_pool(DEMO_AUTH_ID, ["447700900123"])
    with pytest.raises(InvalidRequestError, match="no virtual number"):
        create()
