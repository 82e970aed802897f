# ruff: noqa: I001
"""The sandbox's account configuration (numbers, applications, SIP endpoints) and PHLO runner,
driven over real HTTP.

``dify_plugin`` is imported first, as the suite's conftest does (gevent patching).
"""

import dify_plugin  # noqa: F401  (gevent patching first: see the module docstring)

import json
from collections.abc import Iterator

import pytest
import requests

from devtools.sandbox import (
    DEMO_APP_ID,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_ENDPOINT_ID,
    DEMO_IVR_APP_ID,
    DEMO_NUMBER,
    DEMO_PHLO_ID,
    DEMO_TOLLFREE_NUMBER,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    DEMO_UK_NUMBER,
    PlivoSandbox,
)

TIMEOUT = 5
SECRET_PASSWORD = "sw0rdfish-not-for-answers"


@pytest.fixture
def sandbox() -> Iterator[PlivoSandbox]:
    with PlivoSandbox() as running:
        yield running


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.auth = (DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
        yield client


def base(sandbox: PlivoSandbox) -> str:
    return f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}"


def app_uri(app_id: str) -> str:
    return f"/v1/Account/{DEMO_AUTH_ID}/Application/{app_id}/"


# Numbers --------------------------------------------------------------------------------------


def test_list_numbers_shows_the_seeded_numbers(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = session.get(f"{base(sandbox)}/Number/", timeout=TIMEOUT)
    assert answer.status_code == 200
    body = answer.json()
    assert body["api_id"]
    assert body["meta"] == {
        "limit": 20,
        "next": None,
        "offset": 0,
        "previous": None,
        "total_count": 3,
    }
    by_number = {o["number"]: o for o in body["objects"]}
    assert set(by_number) == {DEMO_NUMBER, DEMO_TOLLFREE_NUMBER, DEMO_UK_NUMBER}
    main = by_number[DEMO_NUMBER]
    assert main["application"] == app_uri(DEMO_APP_ID)
    assert (main["alias"], main["number_type"], main["country"]) == (
        "Main line",
        "local",
        "United States",
    )
    assert (main["sms_enabled"], main["voice_enabled"], main["mms_enabled"]) == (True, True, True)
    assert main["monthly_rental_rate"] == "0.50000"
    assert main["resource_uri"] == f"/v1/Account/{DEMO_AUTH_ID}/Number/{DEMO_NUMBER}/"
    assert by_number[DEMO_TOLLFREE_NUMBER]["application"] is None
    assert all("api_id" not in o for o in body["objects"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "tollfree"}, [DEMO_TOLLFREE_NUMBER]),
        ({"number_startswith": "44"}, [DEMO_UK_NUMBER]),
        ({"alias": "Main line"}, [DEMO_NUMBER]),
        ({"services": "voice,sms"}, [DEMO_NUMBER, DEMO_TOLLFREE_NUMBER]),
        ({"services": "mms"}, [DEMO_NUMBER]),
        ({"type": "mobile", "services": "voice"}, []),
    ],
)
def test_list_numbers_filters(
    sandbox: PlivoSandbox,
    session: requests.Session,
    params: dict[str, str],
    expected: list[str],
) -> None:
    body = session.get(f"{base(sandbox)}/Number/", params=params, timeout=TIMEOUT).json()
    assert [o["number"] for o in body["objects"]] == expected
    assert body["meta"]["total_count"] == len(expected)


def test_list_numbers_pages(sandbox: PlivoSandbox, session: requests.Session) -> None:
    for index in range(22):
        sandbox.add_number(f"1628555{index:04d}")
    url = f"{base(sandbox)}/Number/"
    first = session.get(url, params={"type": "local"}, timeout=TIMEOUT).json()
    assert first["meta"]["total_count"] == 23
    assert len(first["objects"]) == 20
    assert first["meta"]["next"] == (
        f"/v1/Account/{DEMO_AUTH_ID}/Number/?type=local&limit=20&offset=20"
    )
    last = session.get(url, params={"type": "local", "offset": 20}, timeout=TIMEOUT).json()
    assert len(last["objects"]) == 3
    assert last["meta"]["next"] is None
    assert last["meta"]["previous"] == (
        f"/v1/Account/{DEMO_AUTH_ID}/Number/?type=local&offset=0&limit=20"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "21"},
        {"offset": "x"},
        {"type": "premium"},
        {"services": "fax"},
        {"number_startswith": "abc"},
    ],
)
def test_list_numbers_rejects_bad_filters(
    sandbox: PlivoSandbox, session: requests.Session, params: dict[str, str]
) -> None:
    answer = session.get(f"{base(sandbox)}/Number/", params=params, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["error"] and answer.json()["api_id"]


def test_get_number_and_404(sandbox: PlivoSandbox, session: requests.Session) -> None:
    answer = session.get(f"{base(sandbox)}/Number/+{DEMO_NUMBER}/", timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.json()["number"] == DEMO_NUMBER and answer.json()["api_id"]
    missing = session.get(f"{base(sandbox)}/Number/14155559999/", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not found"


def test_link_a_number_to_an_application(sandbox: PlivoSandbox, session: requests.Session) -> None:
    url = f"{base(sandbox)}/Number/{DEMO_TOLLFREE_NUMBER}/"
    changed = session.post(url, json={"app_id": DEMO_IVR_APP_ID, "alias": "IVR"}, timeout=TIMEOUT)
    assert changed.status_code == 202
    assert changed.json()["message"] == "changed" and changed.json()["api_id"]
    number = session.get(url, timeout=TIMEOUT).json()
    assert (number["application"], number["alias"]) == (app_uri(DEMO_IVR_APP_ID), "IVR")

    unlinked = session.post(url, data={"app_id": ""}, timeout=TIMEOUT)  # form bodies work too
    assert unlinked.status_code == 202
    number = session.get(url, timeout=TIMEOUT).json()
    assert (number["application"], number["alias"]) == (None, "IVR")


@pytest.mark.parametrize(
    "body",
    [{"app_id": "12345"}, {"cnam_lookup": "maybe"}, {"subaccount": "SAXXXXXXXXXXXXXXXXXX"}],
)
def test_number_update_validation_is_400(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, str]
) -> None:
    url = f"{base(sandbox)}/Number/{DEMO_NUMBER}/"
    answer = session.post(url, json=body, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert session.get(url, timeout=TIMEOUT).json()["application"] == app_uri(DEMO_APP_ID)


def test_update_or_unrent_unknown_number_is_404(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    url = f"{base(sandbox)}/Number/14155559999/"
    assert session.post(url, json={"alias": "x"}, timeout=TIMEOUT).status_code == 404
    assert session.delete(url, timeout=TIMEOUT).status_code == 404


def test_unrent_a_number_is_204(sandbox: PlivoSandbox, session: requests.Session) -> None:
    url = f"{base(sandbox)}/Number/{DEMO_UK_NUMBER}/"
    answer = session.delete(url, timeout=TIMEOUT)
    assert answer.status_code == 204 and answer.content == b""
    assert session.get(url, timeout=TIMEOUT).status_code == 404
    sandbox.reset()
    assert session.get(url, timeout=TIMEOUT).status_code == 200  # the seed comes back


# Applications ---------------------------------------------------------------------------------


def test_application_create_get_update_delete(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    apps = f"{base(sandbox)}/Application/"
    created = session.post(
        apps,
        json={
            "app_name": "sms-trigger",
            "message_url": "https://hooks.example.com/plivo/inbound",
            "message_method": "get",
            "answer_url": "https://hooks.example.com/answer",
            "log_incoming_messages": "false",
        },
        timeout=TIMEOUT,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["message"] == "created" and body["api_id"]
    app_id = body["app_id"]
    assert app_id.isdigit() and len(app_id) == 17

    app = session.get(f"{apps}{app_id}/", timeout=TIMEOUT).json()
    assert app["app_name"] == "sms-trigger"
    assert (app["message_url"], app["message_method"]) == (
        "https://hooks.example.com/plivo/inbound",
        "GET",
    )
    assert (app["answer_method"], app["hangup_url"], app["log_incoming_messages"]) == (
        "POST",
        "",
        False,
    )
    assert app["resource_uri"] == app_uri(app_id)
    assert app["sip_uri"] == f"sip:{app_id}@app.plivo.com"
    assert app["default_app"] is False

    changed = session.post(
        f"{apps}{app_id}/", json={"hangup_url": "https://hooks.example.com/h"}, timeout=TIMEOUT
    )
    assert changed.status_code == 202
    assert changed.json()["message"] == "changed"
    app = session.get(f"{apps}{app_id}/", timeout=TIMEOUT).json()
    assert app["hangup_url"] == "https://hooks.example.com/h"
    assert app["message_url"] == "https://hooks.example.com/plivo/inbound"  # left as it was

    deleted = session.delete(f"{apps}{app_id}/", timeout=TIMEOUT)
    assert deleted.status_code == 204 and deleted.content == b""
    assert session.get(f"{apps}{app_id}/", timeout=TIMEOUT).status_code == 404
    assert session.post(f"{apps}{app_id}/", json={}, timeout=TIMEOUT).status_code == 404
    assert session.delete(f"{apps}{app_id}/", timeout=TIMEOUT).status_code == 404


def test_only_one_default_number_app(sandbox: PlivoSandbox, session: requests.Session) -> None:
    apps = f"{base(sandbox)}/Application/"
    created = session.post(
        apps, json={"app_name": "new-default", "default_number_app": True}, timeout=TIMEOUT
    )
    new_id = created.json()["app_id"]
    assert session.get(f"{apps}{new_id}/", timeout=TIMEOUT).json()["default_app"] is True
    assert session.get(f"{apps}{DEMO_APP_ID}/", timeout=TIMEOUT).json()["default_app"] is False


def test_deleting_an_application_unlinks_numbers_and_endpoints(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    endpoints = f"{base(sandbox)}/Endpoint/"
    kept = session.post(
        endpoints,
        json={"username": "kept", "password": SECRET_PASSWORD, "alias": "K", "app_id": DEMO_APP_ID},
        timeout=TIMEOUT,
    ).json()["endpoint_id"]
    session.delete(
        f"{base(sandbox)}/Application/{DEMO_APP_ID}/",
        params={"cascade": "false"},
        timeout=TIMEOUT,
    )
    number = session.get(f"{base(sandbox)}/Number/{DEMO_NUMBER}/", timeout=TIMEOUT).json()
    assert number["application"] is None
    endpoint = session.get(f"{endpoints}{kept}/", timeout=TIMEOUT).json()
    assert endpoint["application"] is None

    cascaded = session.post(
        endpoints,
        json={
            "username": "gone",
            "password": SECRET_PASSWORD,
            "alias": "G",
            "app_id": DEMO_IVR_APP_ID,
        },
        timeout=TIMEOUT,
    ).json()["endpoint_id"]
    assert (
        session.delete(
            f"{base(sandbox)}/Application/{DEMO_IVR_APP_ID}/", timeout=TIMEOUT
        ).status_code
        == 204
    )
    assert session.get(f"{endpoints}{cascaded}/", timeout=TIMEOUT).status_code == 404


def test_list_applications_pages_and_filters(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    apps = f"{base(sandbox)}/Application/"
    for index in range(3):
        assert session.post(apps, json={"app_name": f"app-{index}"}, timeout=TIMEOUT).ok
    page = session.get(apps, params={"limit": 2, "offset": 1}, timeout=TIMEOUT).json()
    assert page["meta"]["total_count"] == 5
    assert len(page["objects"]) == 2
    assert page["meta"]["next"] == f"/v1/Account/{DEMO_AUTH_ID}/Application/?limit=2&offset=3"
    assert page["meta"]["previous"] == f"/v1/Account/{DEMO_AUTH_ID}/Application/?limit=2&offset=0"
    named = session.get(apps, params={"app_name": "demo-ivr"}, timeout=TIMEOUT).json()
    assert [o["app_id"] for o in named["objects"]] == [DEMO_IVR_APP_ID]
    assert session.get(apps, params={"limit": 50}, timeout=TIMEOUT).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"app_name": ""},
        {"app_name": "x", "answer_url": "not-a-url"},
        {"app_name": "x", "message_method": "PATCH"},
        {"app_name": "x", "default_number_app": "sometimes"},
        {"app_name": "x" * 201},
    ],
)
def test_application_validation_is_400(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, object]
) -> None:
    answer = session.post(f"{base(sandbox)}/Application/", json=body, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert len(sandbox.applications) == 2


def test_application_delete_replacement_must_exist(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    answer = session.delete(
        f"{base(sandbox)}/Application/{DEMO_APP_ID}/",
        json={"new_endpoint_application": "999"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert DEMO_APP_ID in sandbox.applications


# SIP endpoints --------------------------------------------------------------------------------


def test_endpoint_life_cycle_never_shows_the_password(
    sandbox: PlivoSandbox, session: requests.Session
) -> None:
    endpoints = f"{base(sandbox)}/Endpoint/"
    created = session.post(
        endpoints,
        json={
            "username": "frontdesk",
            "password": SECRET_PASSWORD,
            "alias": "Front desk",
            "app_id": DEMO_APP_ID,
        },
        timeout=TIMEOUT,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["message"] == "created" and body["api_id"]
    assert body["alias"] == "Front desk"
    assert body["username"].startswith("frontdesk") and body["username"][9:].isdigit()
    endpoint_id = body["endpoint_id"]

    got = session.get(f"{endpoints}{endpoint_id}/", timeout=TIMEOUT)
    assert got.json()["application"] == app_uri(DEMO_APP_ID)
    assert got.json()["sip_uri"] == f"sip:{body['username']}@phone.plivo.com"
    changed = session.post(
        f"{endpoints}{endpoint_id}/",
        json={"password": SECRET_PASSWORD + "2", "alias": "Desk"},
        timeout=TIMEOUT,
    )
    assert changed.status_code == 202 and changed.json()["message"] == "changed"
    listed = session.get(endpoints, timeout=TIMEOUT)
    assert {o["endpoint_id"] for o in listed.json()["objects"]} == {DEMO_ENDPOINT_ID, endpoint_id}
    assert session.get(f"{endpoints}{endpoint_id}/", timeout=TIMEOUT).json()["alias"] == "Desk"

    for answer in (created, got, changed, listed):
        assert SECRET_PASSWORD not in answer.text
        assert "password" not in answer.text

    deleted = session.delete(f"{endpoints}{endpoint_id}/", timeout=TIMEOUT)
    assert deleted.status_code == 204 and deleted.content == b""
    assert session.get(f"{endpoints}{endpoint_id}/", timeout=TIMEOUT).status_code == 404
    assert session.post(f"{endpoints}{endpoint_id}/", json={}, timeout=TIMEOUT).status_code == 404
    assert session.delete(f"{endpoints}{endpoint_id}/", timeout=TIMEOUT).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"password": SECRET_PASSWORD, "alias": "A"},
        {"username": "agent", "alias": "A"},
        {"username": "agent", "password": SECRET_PASSWORD},
        {"username": "1agent", "password": SECRET_PASSWORD, "alias": "A"},
        {"username": "agent", "password": "abc", "alias": "A"},
        {"username": "agent", "password": SECRET_PASSWORD, "alias": "A", "app_id": "404"},
    ],
)
def test_endpoint_validation_is_400_without_the_password(
    sandbox: PlivoSandbox, session: requests.Session, body: dict[str, str]
) -> None:
    answer = session.post(f"{base(sandbox)}/Endpoint/", json=body, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert SECRET_PASSWORD not in answer.text


def test_directory_auth_comes_first(sandbox: PlivoSandbox) -> None:
    wrong = (DEMO_AUTH_ID, "wrong-token")
    for method, path in [
        ("GET", "/Number/"),
        ("GET", f"/Number/{DEMO_NUMBER}/"),
        ("POST", f"/Number/{DEMO_NUMBER}/"),
        ("DELETE", "/Number/14155559999/"),
        ("GET", "/Application/"),
        ("POST", "/Application/"),
        ("DELETE", f"/Application/{DEMO_APP_ID}/"),
        ("GET", "/Endpoint/"),
        ("POST", "/Endpoint/"),
        ("GET", "/Endpoint/404/"),
    ]:
        answer = requests.request(
            method, f"{base(sandbox)}{path}", auth=wrong, json={}, timeout=TIMEOUT
        )
        assert answer.status_code == 401, (method, path)
    assert DEMO_APP_ID in sandbox.applications
    with requests.Session() as trial:
        trial.auth = (DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN)
        own = trial.get(f"{sandbox.url}/v1/Account/{DEMO_TRIAL_AUTH_ID}/Number/", timeout=TIMEOUT)
        assert own.json()["objects"] == []  # the seed belongs to the demo account only
        other = trial.get(
            f"{sandbox.url}/v1/Account/{DEMO_TRIAL_AUTH_ID}/Application/{DEMO_APP_ID}/",
            timeout=TIMEOUT,
        )
        assert other.status_code == 404


# PHLO -----------------------------------------------------------------------------------------


def phlo_run_url(sandbox: PlivoSandbox, phlo_id: str = DEMO_PHLO_ID) -> str:
    return f"{sandbox.phlo_url}/v1/account/{DEMO_AUTH_ID}/phlo/{phlo_id}"


def test_run_a_phlo(sandbox: PlivoSandbox, session: requests.Session) -> None:
    payload = {"from": "+14155550100", "to": "+14155550123"}
    answer = session.post(phlo_run_url(sandbox), json=payload, timeout=TIMEOUT)
    assert answer.status_code == 201
    body = answer.json()
    assert body["phlo_id"] == DEMO_PHLO_ID
    assert body["api_id"] in body["message"]  # the api_id is the run's ID
    (run,) = sandbox.phlo_runs
    assert (run.run_id, run.phlo_id, run.payload) == (body["api_id"], DEMO_PHLO_ID, payload)

    with_slash = session.post(phlo_run_url(sandbox) + "/", timeout=TIMEOUT)  # no payload at all
    assert with_slash.status_code == 201
    assert sandbox.phlo_runs[1].payload == {}


def test_phlo_errors(sandbox: PlivoSandbox, session: requests.Session) -> None:
    unknown = session.post(phlo_run_url(sandbox, "no-such-phlo"), json={}, timeout=TIMEOUT)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not found" and unknown.json()["api_id"]
    wrong = requests.post(phlo_run_url(sandbox), auth=(DEMO_AUTH_ID, "nope"), timeout=TIMEOUT)
    assert wrong.status_code == 401
    not_object = session.post(
        phlo_run_url(sandbox),
        data=json.dumps(["from"]),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert not_object.status_code == 400
    assert session.get(phlo_run_url(sandbox) + "/", timeout=TIMEOUT).status_code == 405
    assert sandbox.phlo_runs == []


def test_get_a_phlo(sandbox: PlivoSandbox, session: requests.Session) -> None:
    custom = sandbox.add_phlo("ivr-survey")
    answer = session.get(f"{sandbox.phlo_url}/v1/phlo/{custom.phlo_id}/", timeout=TIMEOUT)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["phlo_id"], body["name"]) == (custom.phlo_id, "ivr-survey")
    assert body["created_on"] and body["api_id"]
    assert session.get(f"{sandbox.phlo_url}/v1/phlo/nope/", timeout=TIMEOUT).status_code == 404
