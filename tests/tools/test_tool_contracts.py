"""The tool YAML is bound to the code: limits, options and output variables cannot drift apart.

Three promises are checked here, for every tool:

- every ``min``/``max``/``default``/``options`` in a tool's YAML equals its feature module's
  ``LIMITS`` (the constants the parameter readers use), and every limit the code applies is
  declared in the YAML;
- the variables a tool yields end to end are exactly its ``output_schema`` properties, of the
  declared type, and ``null`` only where the YAML says ``nullable: true`` (a flag Dify ignores:
  its workflow editor reads ``type`` as a single string, so JSON Schema's ``["string", "null"]``
  cannot be used); every property declared nullable is seen null in some run;
- every JSON key any tool emits (at any depth) is in the outputs glossary (docs/outputs.md,
  linked from the README), so the same thing always has the same name.
"""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.daemon import StandInStorage
from devtools.sandbox import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_WABA_ID,
    DEMO_WHATSAPP_NUMBER,
    Fault,
)
from devtools.sandbox.directory import (
    DEMO_APP_ID,
    DEMO_ENDPOINT_ID,
    DEMO_IVR_APP_ID,
    DEMO_NUMBER,
    DEMO_PHLO_ID,
)
from devtools.sandbox.signing import signature_headers
from plivo_api.inbound.messages import handle_inbound
from plivo_api.inbound.replies import MessageSender
from plivo_api.inbound.reports import handle_status
from plivo_api.inbound.services import Services
from plivo_api.inbound.settings import EndpointSettings
from plivo_api.inbound.webhook import WebhookRequest
from plivo_api.params import Choice, NumberRange
from plivo_api.transport.credentials import Credentials

ROOT = Path(__file__).resolve().parents[2]
TOOL_YAMLS = sorted(yaml.safe_load((ROOT / "provider/plivo_sms.yaml").read_text())["tools"])
TOOLS = [Path(p).stem for p in TOOL_YAMLS]
GLOSSARY_ROW = re.compile(r"^\|\s*`([a-z_]+)`")
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def tool_yaml(tool: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "tools" / f"{tool}.yaml").read_text(encoding="utf-8"))


def glossary() -> set[str]:
    section = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    return {m.group(1) for line in section.splitlines() if (m := GLOSSARY_ROW.match(line))}


# -- limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_yaml_limits_and_options_equal_the_code(tool):
    limits = importlib.import_module(f"plivo_api.features.{tool}").LIMITS
    declared = {p["name"]: p for p in tool_yaml(tool).get("parameters", [])}
    for name, parameter in declared.items():
        bounded = parameter["type"] == "number" or "options" in parameter
        assert not bounded or name in limits, f"{tool}.{name} is bounded in YAML but not in code"
    for name, limit in limits.items():
        assert name in declared, f"{tool}.{name} is limited in code but not declared in YAML"
        parameter = declared[name]
        if isinstance(limit, NumberRange):
            assert parameter["type"] == "number"
            assert (parameter.get("min"), parameter.get("max")) == (limit.minimum, limit.maximum)
            assert parameter.get("default") == limit.default
        else:
            assert isinstance(limit, Choice)
            assert parameter["type"] == "select"
            assert tuple(o["value"] for o in parameter["options"]) == limit.options
            assert parameter.get("default") == limit.default


# -- end-to-end runs ------------------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    parameters: dict[str, Any]
    faults: list[Fault] = field(default_factory=list)
    credentials: dict[str, Any] = field(default_factory=dict)


ACCOUNT = f"/v1/Account/{DEMO_AUTH_ID}/"
SPARSE = {"api_id": "0b1c2d3e-0000-4000-8000-000000000001"}

CALL_UUID = "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd"
ENDED_CALL = {
    "call_uuid": CALL_UUID,
    "call_direction": "outbound",
    "from_number": "14155550100",
    "to_number": "14155552671",
    "call_duration": 12,
    "bill_duration": 12,
    "billed_duration": 60,
    "total_amount": "0.01000",
    "answer_time": "2026-01-05 10:00:03+00:00",
    "end_time": "2026-01-05 10:00:15+00:00",
    "hangup_cause_name": "Normal Hangup",
    "hangup_cause_code": 4000,
    "hangup_source": "Callee",
}
LIVE_CALL = {"call_status": "in-progress", "call_uuid": CALL_UUID, "direction": "outbound"}
NOT_ENDED = Fault.plivo_error(404, method="GET", path="/Call/.+/$")
CONFERENCE = {
    "conference_name": "Room 1",
    "conference_member_count": "1",
    "conference_run_time": "42",
    "members": [{"member_id": "1", "call_uuid": CALL_UUID, "from": "14155552671", "muted": False}],
}
APP = {"allow_changes": True}
WHATSAPP = {
    "whatsapp_sender": "+" + DEMO_WHATSAPP_NUMBER,
    "whatsapp_business_account_id": DEMO_WABA_ID,
}
TEMPLATE = {"template_name": "order_shipped", "template_variables": "Ada, A-17"}
RECORDING_ID = "9e0d3e0c-0000-4000-8000-00000000000b"
RECORDING_PAGE = {
    **SPARSE,
    "meta": {"limit": 20, "offset": 0, "total_count": 1, "next": None},
    "objects": [
        {
            "recording_id": RECORDING_ID,
            "call_uuid": CALL_UUID,
            "recording_url": "https://media.plivo.com/r.mp3",
            "recording_duration_ms": "5000.00000",
            "recording_format": "mp3",
            "add_time": "2026-01-05 10:00:15+00:00",
        }
    ],
}
TRANSCRIBED = [
    Fault(
        path="/Transcription/",
        status=200,
        body={**SPARSE, "status": "success", "transcription": "Yes", "cost": 0.05},
    )
]
ANSWER_URL = "https://example.com/answer"

RUNS = [
    Run("send_sms", {"to": "+14155552671, 12345", "message": "Hello"}),
    Run("send_sms", {"to": "+14155552671", "message": "Hi", "wait_seconds": 2}),
    Run("send_sms", {"to": "+14155552671", "message": "Hi", "media_urls": "https://e.com/a.png"}),
    Run("send_whatsapp", {"to": "+14155552671, 12345", **TEMPLATE}, credentials=WHATSAPP),
    Run(
        "send_whatsapp", {"to": "+14155552671", **TEMPLATE, "wait_seconds": 2}, credentials=WHATSAPP
    ),
    Run("whatsapp_templates", {"name": "order"}, credentials=WHATSAPP),
    Run(
        "whatsapp_templates",
        {"status": "any"},
        [Fault(path="/WhatsApp/Template/", status=200, body={**SPARSE, "objects": []})],
        credentials=WHATSAPP,
    ),
    Run("preview_sms", {"message": "Hi it’s me", "to": "+14155552671, 999"}),
    Run("preview_sms", {"message": "Hello", "to": "+14155552671", "estimate_cost": True}),
    Run("get_message", {"message_uuid": "{sent}"}),
    Run("get_message", {"message_uuid": "{sent}", "wait_seconds": 1}),
    Run(
        "get_message",
        {"message_uuid": "{sent}"},
        [Fault(method="GET", path="/Message/.+/", status=200, body=SPARSE)],
    ),
    Run("list_messages", {"limit": 1}),
    Run("list_messages", {"state": "problem", "since": "today"}),
    Run(
        "list_messages",
        {},
        [Fault(method="GET", path="/Message/$", status=200, body={**SPARSE, "objects": []})],
    ),
    Run("get_account", {}),
    Run("get_account", {}, [Fault(method="GET", path=f"^{ACCOUNT}$", status=200, body=SPARSE)]),
    Run("lookup_number", {"number": "+14155552671"}),
    Run(
        "lookup_number",
        {"number": "+14155552671"},
        [Fault(path="/v1/Number/", status=200, body=SPARSE)],
    ),
    Run("get_pricing", {"country_iso": "GB"}),
    Run("get_pricing", {"country_iso": "GB"}, [Fault(path="/Pricing/", status=200, body=SPARSE)]),
    Run("make_call", {"to": "+14155552671, 12345", "answer_url": ANSWER_URL, "max_recipients": 5}),
    Run(
        "get_call",
        {"call_uuid": CALL_UUID},
        [Fault(path="/Call/.+/$", status=200, body=ENDED_CALL)],
    ),
    Run(
        "get_call",
        {"call_uuid": CALL_UUID},
        [NOT_ENDED, Fault(path="/Call/", status=200, body=LIVE_CALL)],
    ),
    Run(
        "get_call",
        {"call_uuid": CALL_UUID},
        [NOT_ENDED, Fault(path="/Call/", status=200, body=SPARSE)],
    ),
    Run("hangup_call", {"call_uuid": CALL_UUID}, [Fault(path="/Call/.+/$", status=204, body=b"")]),
    Run("list_numbers", {"limit": 1}),
    Run("list_numbers", {}, [Fault(path="/Number/$", status=200, body={**SPARSE, "objects": []})]),
    Run("get_number", {"number": "+" + DEMO_NUMBER}),
    Run(
        "get_number",
        {"number": "+" + DEMO_NUMBER},
        [Fault(path="/Number/", status=200, body=SPARSE)],
    ),
    Run("applications", {}),
    Run("applications", {"operation": "get", "app_id": DEMO_APP_ID}),
    Run("applications", {"operation": "create", "app_name": "x", "answer_url": ANSWER_URL, **APP}),
    Run(
        "applications",
        {"operation": "update", "app_id": DEMO_IVR_APP_ID, "public_uri": True, **APP},
    ),
    Run("applications", {"operation": "delete", "app_id": DEMO_IVR_APP_ID, **APP}),
    Run("sip_endpoints", {}),
    Run("sip_endpoints", {"operation": "get", "endpoint_id": DEMO_ENDPOINT_ID}),
    Run(
        "sip_endpoints",
        {"operation": "create", "username": "ada", "password": "pw-12345", "alias": "Ada", **APP},
    ),
    Run("conferences", {}),
    Run(
        "conferences",
        {"operation": "get", "conference_name": "Room 1"},
        [Fault(path="/Conference/.+/$", status=200, body=CONFERENCE)],
    ),
    Run(
        "call_actions",
        {"call_uuid": CALL_UUID, "action": "speak", "text": "Hello"},
        [Fault(path="/Speak/$", status=202, body={**SPARSE, "message": "speak started"})],
    ),
    Run(
        "call_actions",
        {"call_uuid": CALL_UUID, "action": "start_recording"},
        [Fault(path="/Record/$", status=202, body={**SPARSE, "recording_id": RECORDING_ID})],
    ),
    Run(
        "list_calls",
        {},
        [
            Fault(method="GET", path="/Call/$", status=200, body={"calls": [CALL_UUID]}),
            Fault(method="GET", path="/Call/.+/$", status=200, body=LIVE_CALL),
        ],
    ),
    Run("list_calls", {"state": "ended"}, [Fault(path="/Call/$", status=200, body=SPARSE)]),
    Run("recordings", {}, [Fault(path="/Recording/$", status=200, body=RECORDING_PAGE)]),
    Run("recordings", {"operation": "transcript", "recording_id": RECORDING_ID}, TRANSCRIBED),
    Run(
        "masking_sessions",
        {"operation": "create", "first_party": "+14155552671", "second_party": "+14155552672"}
        | APP,
    ),
    Run("masking_sessions", {}),
    Run("run_phlo", {"phlo_id": DEMO_PHLO_ID, "payload": '{"to": "+14155552671"}'}),
    Run("run_phlo", {"phlo_id": DEMO_PHLO_ID}, [Fault(path="/phlo/", status=201, body="{}")]),
    Run("plivo_request", {"path": "Call/"}, [Fault(path="/Call/$", status=200, body=SPARSE)]),
    Run(
        "plivo_request",
        {"method": "DELETE", "path": f"Endpoint/{DEMO_ENDPOINT_ID}/", "allow_writes": True},
    ),
]


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@pytest.fixture(scope="module")
def outcomes(plugin, sandbox_server):
    """Every run above through the plugin process, as Dify would invoke it."""
    credentials = {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "default_sender": "+14155550199",
    }
    sandbox_server.reset()
    first = plugin.invoke_tool("send_sms", {"to": "+14155552671", "message": "x"}, credentials)
    sent = first.variables["message_uuid"]
    results = []
    for run in RUNS:
        for fault in run.faults:
            sandbox_server.inject(fault)
        parameters = {k: (sent if v == "{sent}" else v) for k, v in run.parameters.items()}
        result = plugin.invoke_tool(run.tool, parameters, {**credentials, **run.credentials})
        assert result.ok, (run, result.error)
        results.append((run.tool, result))
    sandbox_server.reset()
    return results


@pytest.mark.e2e
@pytest.mark.parametrize("tool", TOOLS)
def test_variables_are_exactly_the_output_schema_with_true_nullability(tool, outcomes):
    properties = tool_yaml(tool)["output_schema"]["properties"]
    runs = [result for name, result in outcomes if name == tool]
    assert runs, f"no run of {tool}"
    seen_null: set[str] = set()
    for result in runs:
        variables = result.variables
        assert set(variables) == set(properties)
        for name, value in variables.items():
            declared = properties[name]
            if value is None:
                assert declared.get("nullable") is True, f"{tool}.{name} is null, not nullable"
                seen_null.add(name)
                continue
            accepted = JSON_TYPES[declared["type"]]
            assert isinstance(value, accepted), f"{tool}.{name}={value!r} is not {declared}"
            if declared["type"] in ("integer", "number"):
                assert not isinstance(value, bool)
    declared_nullable = {n for n, p in properties.items() if p.get("nullable")}
    assert declared_nullable == seen_null, f"{tool}: nullable but never null, or the reverse"


@pytest.mark.e2e
def test_every_json_key_is_in_the_readme_glossary(outcomes):
    words = glossary()
    used = {key for _, result in outcomes for key in _keys(result.json)}
    assert used - words == set(), "keys missing from docs/outputs.md"


@pytest.mark.parametrize("tool", TOOLS)
def test_every_output_variable_is_in_the_readme_glossary(tool):
    declared = set(tool_yaml(tool)["output_schema"]["properties"])
    assert declared - glossary() == set()


# -- the trigger plugin's variables and the endpoint's app inputs share the glossary -------------

TRIGGER_EVENT_YAMLS = sorted((ROOT / "plivo_trigger" / "events").glob("*/*.yaml"))
HOOK_URL = "https://dify.example.com/e/hook/sms"


@pytest.mark.parametrize("path", TRIGGER_EVENT_YAMLS, ids=lambda path: path.stem)
def test_every_trigger_event_variable_is_in_the_readme_glossary(path: Path) -> None:
    declared = set(yaml.safe_load(path.read_text(encoding="utf-8"))["output_schema"]["properties"])
    assert declared - glossary() == set()


class _RecordingApps:
    def __init__(self) -> None:
        self.inputs: list[Mapping[str, object]] = []

    def invoke(
        self, app_id: str, *, query: str, inputs: Mapping[str, object], conversation_id: str | None
    ) -> Mapping[str, object]:
        self.inputs.append(dict(inputs))
        return {"answer": "", "data": {"status": "succeeded", "outputs": {"answer": ""}}}


def _no_replies(credentials: Credentials) -> MessageSender:
    raise AssertionError("replies are off: nothing may be sent")


def _signed(path: str, form: dict[str, str]) -> WebhookRequest:
    url = f"{HOOK_URL}/{path}"
    return WebhookRequest(
        method="POST",
        path=f"/sms/{path}",
        params={key: [value] for key, value in form.items()},
        headers={
            "Dify-Hook-Url": url,
            "Dify-Hook-Id": "hook",
            **signature_headers("POST", url, form, DEMO_AUTH_TOKEN),
        },
    )


def test_every_input_the_endpoint_hands_an_app_is_in_the_readme_glossary() -> None:
    """Inbound SMS and MMS, delivery reports with and without an error: every input's name is a
    glossary word, and one that does not apply is null, never empty text."""
    apps = _RecordingApps()
    services = Services(store=StandInStorage(), apps=apps, messenger=_no_replies)
    settings = EndpointSettings.from_mapping(
        {
            "auth_id": DEMO_AUTH_ID,
            "auth_token": DEMO_AUTH_TOKEN,
            "app": {"app_id": "bot"},
            "status_app": {"app_id": "reports"},
            "reply": False,
        }
    )
    base = {"From": "14155552671", "To": "14155550199", "MessageUUID": ""}
    for form in (
        {**base, "Text": "hello", "Type": "sms"},
        {**base, "Text": "", "Type": "mms", "Media1": "https://media.example.com/a.jpg"},
    ):
        form["MessageUUID"] = str(uuid.uuid4())
        assert handle_inbound(_signed("inbound", form), settings, services).status == 200
    for extra in (
        {"Status": "delivered", "ErrorCode": "000"},
        {"Status": "failed", "ErrorCode": "30"},
    ):
        form = {**base, **extra, "MessageUUID": str(uuid.uuid4())}
        assert handle_status(_signed("status", form), settings, services).status == 200
    assert len(apps.inputs) == 4
    for inputs in apps.inputs:
        assert set(inputs) - glossary() == set(), "inputs missing from docs/outputs.md"
        assert "status" not in inputs  # a message's state is `state`
        empty = [name for name, value in inputs.items() if value == "" and name != "text"]
        assert empty == [], "an input that does not apply is null, not empty text"
