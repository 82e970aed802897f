"""list_numbers, get_number, applications and sip_endpoints through the stand-in daemon.

The sandbox starts with the demo numbers, two applications and one SIP endpoint (see
devtools/sandbox/directory.py). Changes without ``allow_changes`` must send nothing at all; an
update sends only the fields given; a SIP password appears in no output and no error.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools.daemon import SessionResult, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault, PlivoSandbox
from devtools.sandbox.directory import (
    DEMO_APP_ID,
    DEMO_ENDPOINT_ID,
    DEMO_IVR_APP_ID,
    DEMO_NUMBER,
    DEMO_TOLLFREE_NUMBER,
)

pytestmark = pytest.mark.e2e

CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
PASSWORD = "Zq7-secret-Pw"  # a test value that must never come back
ALLOW = {"allow_changes": True}


def invoke(plugin: StandInDaemon, tool: str, **params: Any) -> SessionResult:
    return plugin.invoke_tool(tool, params, CREDENTIALS)


def ok(result: SessionResult) -> SessionResult:
    assert result.error is None, result.error
    assert_clean(result)
    return result


def assert_clean(result: SessionResult) -> None:
    text = str(result.raw)
    assert DEMO_AUTH_TOKEN not in text
    assert DEMO_AUTH_ID not in text
    assert PASSWORD not in text


def seen(sandbox: PlivoSandbox) -> list[tuple[str, str, dict[str, str]]]:
    return [(r.method, r.path, r.query) for r in sandbox.requests]


# -- list_numbers and get_number --------------------------------------------------------------


def test_list_numbers_sends_only_the_filters_given(plugin, sandbox) -> None:
    result = ok(
        invoke(
            plugin,
            "list_numbers",
            type="Local",
            number_startswith="+1 (415)",
            services="voice, SMS",
            alias="",
            limit=5,
            offset=0,
        )
    )
    assert seen(sandbox) == [
        (
            "GET",
            f"{ACCOUNT}Number/",
            {
                "limit": "5",
                "offset": "0",
                "type": "local",
                "number_startswith": "1415",
                "services": "voice,sms",
            },
        )
    ]
    assert result.json["numbers"] == [
        {
            "number": f"+{DEMO_NUMBER}",
            "alias": "Main line",
            "type": "local",
            "country": "United States",
            "sms_enabled": True,
            "voice_enabled": True,
            "mms_enabled": True,
            "application": DEMO_APP_ID,
            "monthly_rental_rate": 0.5,
            "tendlc_registration_status": "UNREGISTERED",
            "toll_free_sms_verification": None,
        }
    ]
    assert (result.json["total_count"], result.json["next_offset"]) == (1, None)
    assert result.json["api_id"]
    assert set(result.variables) == {"numbers", "total_count", "next_offset"}
    assert result.texts == [
        f"Numbers 1-1 of 1: +{DEMO_NUMBER}. US carriers block or filter texts from "
        f"+{DEMO_NUMBER}: not registered for 10DLC or not verified for toll-free SMS (get_number "
        "says which)."
    ]


def test_list_numbers_pages(plugin, sandbox) -> None:
    first = ok(invoke(plugin, "list_numbers", limit=2))
    assert first.variables["next_offset"] == 2
    assert "more with offset=2" in first.texts[0]
    second = ok(invoke(plugin, "list_numbers", limit=2, offset=2))
    assert (len(second.json["numbers"]), second.json["next_offset"]) == (1, None)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "premium"}, "type"),
        ({"services": "fax"}, "services"),
        ({"number_startswith": "14x"}, "number_startswith"),
        ({"limit": 21}, "limit"),
    ],
)
def test_bad_filters_send_nothing(plugin, sandbox, params, parameter) -> None:
    result = invoke(plugin, "list_numbers", **params)
    assert result.error is not None
    assert result.error["message"].startswith(parameter)
    assert sandbox.requests == []


def test_get_number_reads_any_way_the_number_is_written(plugin, sandbox) -> None:
    result = ok(invoke(plugin, "get_number", number="+1 (844) 555-0142"))
    assert seen(sandbox) == [("GET", f"{ACCOUNT}Number/{DEMO_TOLLFREE_NUMBER}/", {})]
    assert result.json == {
        "number": f"+{DEMO_TOLLFREE_NUMBER}",
        "alias": "Support",
        "type": "tollfree",
        "country": "United States",
        "sms_enabled": True,
        "voice_enabled": True,
        "mms_enabled": False,
        "application": None,
        "monthly_rental_rate": 1.0,
        "tendlc_registration_status": None,
        "toll_free_sms_verification": "verified",
        "api_id": result.json["api_id"],
    }
    assert result.variables == {
        "number": f"+{DEMO_TOLLFREE_NUMBER}",
        "application": None,
        "sms_enabled": True,
        "voice_enabled": True,
    }
    assert "not linked to an application" in result.texts[0]
    assert "SMS, VOICE enabled" in result.texts[0]  # verified toll-free: no warning


def test_an_unregistered_us_number_is_not_called_simply_sms_enabled(plugin, sandbox) -> None:
    result = ok(invoke(plugin, "get_number", number=f"+{DEMO_NUMBER}"))
    assert result.json["tendlc_registration_status"] == "UNREGISTERED"
    text = result.texts[0]
    assert "VOICE, MMS enabled; SMS enabled but not registered for 10DLC (UNREGISTERED)" in text
    assert "US carriers block or filter its texts" in text
    assert "SMS, VOICE" not in text


def test_a_number_the_account_does_not_rent_is_a_readable_error(plugin, sandbox) -> None:
    result = invoke(plugin, "get_number", number="+14155552671")
    assert result.error is not None
    assert result.error["error_type"] == "NotFoundError"
    assert "+14155552671 is not a number this Plivo account rents" in result.error["message"]
    bad = invoke(plugin, "get_number", number="1-800-FLOWERS")
    assert bad.error is not None
    assert bad.error["message"].startswith("number: '1-800-FLOWERS' is not a usable phone number")
    assert len(sandbox.requests) == 1


# -- applications -----------------------------------------------------------------------------


def test_applications_list_and_get(plugin, sandbox) -> None:
    listed = ok(invoke(plugin, "applications", limit=20))
    assert seen(sandbox) == [("GET", f"{ACCOUNT}Application/", {"limit": "20", "offset": "0"})]
    assert [a["app_id"] for a in listed.json["applications"]] == [DEMO_APP_ID, DEMO_IVR_APP_ID]
    assert listed.variables == {"operation": "list", "app_id": None, "total_count": 2}
    sandbox.clear()
    got = ok(invoke(plugin, "applications", operation="get", app_id=DEMO_APP_ID))
    assert seen(sandbox) == [("GET", f"{ACCOUNT}Application/{DEMO_APP_ID}/", {})]
    app = got.json["application"]
    assert (app["app_name"], app["message_url"], app["default_number_app"]) == (
        "demo-sms-bot",
        "https://example.com/plivo/inbound",
        True,
    )
    assert set(got.json) == {"operation", "application", "api_id"}


def test_list_filters_by_app_name(plugin, sandbox) -> None:
    result = ok(invoke(plugin, "applications", app_name="demo-ivr"))
    assert seen(sandbox)[0][2] == {"app_name": "demo-ivr", "limit": "20", "offset": "0"}
    assert [a["app_id"] for a in result.json["applications"]] == [DEMO_IVR_APP_ID]


@pytest.mark.parametrize(
    "params",
    [
        {"operation": "create", "app_name": "new"},
        {"operation": "update", "app_id": DEMO_APP_ID, "message_url": "https://e.com/in"},
        {"operation": "delete", "app_id": DEMO_APP_ID},
        {"operation": "delete", "app_id": DEMO_APP_ID, "allow_changes": "false"},
    ],
)
def test_changes_without_allow_changes_send_nothing(plugin, sandbox, params) -> None:
    before = sandbox.applications
    result = invoke(plugin, "applications", **params)
    assert result.error is not None
    assert result.error["error_type"] == "InputError"
    message = result.error["message"]
    assert message.startswith(f"Refused to {params['operation']} an application")
    assert "'Allow changes' setting (allow_changes) is off" in message
    assert sandbox.requests == []
    assert sandbox.applications == before


def test_create_sends_the_fields_given_and_returns_the_app_id(plugin, sandbox) -> None:
    result = ok(
        invoke(
            plugin,
            "applications",
            operation="create",
            app_name="sms-bot",
            message_url="https://example.com/in",
            message_method="get",
            log_incoming_messages="false",
            **ALLOW,
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path) == ("POST", f"{ACCOUNT}Application/")
    assert request.json == {
        "app_name": "sms-bot",
        "message_url": "https://example.com/in",
        "message_method": "GET",
        "log_incoming_messages": False,
    }
    app_id = result.json["app_id"]
    assert result.json == {
        "operation": "create",
        "app_id": app_id,
        "created": True,
        "api_id": result.json["api_id"],
    }
    assert sandbox.applications[app_id].app_name == "sms-bot"
    assert result.variables == {"operation": "create", "app_id": app_id, "total_count": None}


def test_create_without_a_name_sends_nothing(plugin, sandbox) -> None:
    result = invoke(plugin, "applications", operation="create", **ALLOW)
    assert result.error is not None
    assert result.error["message"].startswith("app_name is required")
    assert sandbox.requests == []


def test_application_update_sends_only_the_fields_given(plugin, sandbox) -> None:
    result = ok(
        invoke(
            plugin,
            "applications",
            operation="update",
            app_id=DEMO_IVR_APP_ID,
            hangup_url="https://example.com/bye",
            answer_method="",
            default_endpoint_app=None,
            **ALLOW,
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path) == ("POST", f"{ACCOUNT}Application/{DEMO_IVR_APP_ID}/")
    assert request.json == {"hangup_url": "https://example.com/bye"}
    app = sandbox.applications[DEMO_IVR_APP_ID]
    assert (app.hangup_url, app.answer_method) == ("https://example.com/bye", "GET")  # kept
    assert result.json["updated"] is True
    assert result.texts == [f"Updated application {DEMO_IVR_APP_ID}: hangup_url."]


def test_update_with_nothing_to_change_sends_nothing(plugin, sandbox) -> None:
    result = invoke(plugin, "applications", operation="update", app_id=DEMO_APP_ID, **ALLOW)
    assert result.error is not None
    assert "no field to change was given" in result.error["message"]
    assert sandbox.requests == []


def test_delete_and_unknown_ids(plugin, sandbox) -> None:
    result = ok(invoke(plugin, "applications", operation="delete", app_id=DEMO_IVR_APP_ID, **ALLOW))
    assert seen(sandbox) == [("DELETE", f"{ACCOUNT}Application/{DEMO_IVR_APP_ID}/", {})]
    assert result.json == {
        "operation": "delete",
        "app_id": DEMO_IVR_APP_ID,
        "deleted": True,
        "api_id": None,
    }
    assert DEMO_IVR_APP_ID not in sandbox.applications
    gone = invoke(plugin, "applications", operation="get", app_id=DEMO_IVR_APP_ID)
    assert gone.error is not None
    assert f"No application {DEMO_IVR_APP_ID} on this Plivo account" in gone.error["message"]
    malformed = invoke(plugin, "applications", operation="get", app_id="1/../../x")
    assert malformed.error is not None
    assert "is not a Plivo application ID" in malformed.error["message"]
    assert len(sandbox.requests) == 2


def test_a_failed_create_is_never_repeated(plugin, sandbox) -> None:
    sandbox.inject(Fault.plivo_error(503, method="POST", path="/Application/$", times=3))
    result = invoke(plugin, "applications", operation="create", app_name="x", **ALLOW)
    assert result.error is not None
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert "list the applications before creating it again" in result.error["message"]
    assert len(sandbox.requests) == 1


# -- sip_endpoints ----------------------------------------------------------------------------


def test_endpoints_list_and_get(plugin, sandbox) -> None:
    listed = ok(invoke(plugin, "sip_endpoints"))
    assert [e["endpoint_id"] for e in listed.json["endpoints"]] == [DEMO_ENDPOINT_ID]
    assert set(listed.json["endpoints"][0]) == {
        "endpoint_id",
        "username",
        "alias",
        "application",
        "sip_uri",
        "sip_registered",
        "sip_contact",
        "sip_expires",
    }
    device = listed.json["endpoints"][0]
    assert (device["sip_registered"], device["sip_expires"]) == (True, "2031-01-15 09:00:00")
    assert device["sip_contact"].startswith("sip:demoagent250115090000@")
    got = ok(invoke(plugin, "sip_endpoints", operation="get", endpoint_id=DEMO_ENDPOINT_ID))
    assert got.json["endpoint"]["alias"] == "Agent"
    assert got.variables == {
        "operation": "get",
        "endpoint_id": DEMO_ENDPOINT_ID,
        "total_count": None,
    }


def test_create_sends_the_password_only_to_plivo(plugin, sandbox) -> None:
    result = ok(
        invoke(
            plugin,
            "sip_endpoints",
            operation="create",
            username="frontdesk",
            password=PASSWORD,
            alias="Front desk",
            app_id=DEMO_APP_ID,
            **ALLOW,
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path) == ("POST", f"{ACCOUNT}Endpoint/")
    assert request.json == {
        "username": "frontdesk",
        "password": PASSWORD,
        "alias": "Front desk",
        "app_id": DEMO_APP_ID,
    }
    username = result.json["username"]
    assert username.startswith("frontdesk") and username != "frontdesk"
    assert set(result.json) == {"operation", "endpoint_id", "created", "api_id", "username"}
    assert username in result.texts[0]


def test_create_needs_username_password_and_alias(plugin, sandbox) -> None:
    result = invoke(plugin, "sip_endpoints", operation="create", username="x", **ALLOW)
    assert result.error is not None
    assert "missing: password, alias (a setting of this tool)" in result.error["message"]
    assert sandbox.requests == []


def test_endpoint_update_sends_only_the_fields_given(plugin, sandbox) -> None:
    ok(
        invoke(
            plugin,
            "sip_endpoints",
            operation="update",
            endpoint_id=DEMO_ENDPOINT_ID,
            alias="Agent 2",
            username="ignored-on-update",
            **ALLOW,
        )
    )
    [request] = sandbox.requests
    assert (request.method, request.path) == ("POST", f"{ACCOUNT}Endpoint/{DEMO_ENDPOINT_ID}/")
    assert request.json == {"alias": "Agent 2"}


def test_a_plivo_error_echoing_the_password_does_not_show_it(plugin, sandbox) -> None:
    sandbox.inject(
        Fault.plivo_error(400, f"password {PASSWORD} is too weak", method="POST", path="/Endpoint/")
    )
    result = invoke(
        plugin,
        "sip_endpoints",
        operation="update",
        endpoint_id=DEMO_ENDPOINT_ID,
        password=PASSWORD,
        change_password=True,
        **ALLOW,
    )
    assert result.error is not None
    assert "password [password] is too weak" in result.error["message"]
    assert [r.json for r in sandbox.requests] == [{"password": PASSWORD}]
    assert_clean(result)


def test_endpoint_changes_without_allow_changes_send_nothing(plugin, sandbox) -> None:
    result = invoke(
        plugin,
        "sip_endpoints",
        operation="create",
        username="x",
        password=PASSWORD,
        alias="x",
    )
    assert result.error is not None
    assert result.error["message"].startswith("Refused to create a SIP endpoint")
    assert sandbox.requests == []
    assert_clean(result)


def test_delete_endpoint(plugin, sandbox) -> None:
    result = ok(
        invoke(plugin, "sip_endpoints", operation="delete", endpoint_id=DEMO_ENDPOINT_ID, **ALLOW)
    )
    assert seen(sandbox) == [("DELETE", f"{ACCOUNT}Endpoint/{DEMO_ENDPOINT_ID}/", {})]
    assert (result.json["endpoint_id"], result.json["deleted"]) == (DEMO_ENDPOINT_ID, True)


@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        ({"username": "front desk", "password": PASSWORD}, "letters and digits only"),
        ({"username": "1desk", "password": PASSWORD}, "starting with a letter"),
        ({"username": "desk", "password": "abc"}, "at least 5 characters"),
    ],
)
def test_endpoint_fields_plivo_refuses_are_refused_first(plugin, sandbox, params, phrase) -> None:
    result = invoke(plugin, "sip_endpoints", operation="create", alias="Desk", **params, **ALLOW)
    assert result.error is not None
    assert phrase in result.error["message"]
    assert "abc" not in result.error["message"]
    assert sandbox.requests == []
    assert_clean(result)
