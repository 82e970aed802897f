"""Endpoints, storage and app invocations through the stand-in daemon, on a throwaway plugin.

The probe plugin (``tests.devtools.probe_plugins``) is a tool + endpoint plugin whose endpoint
reports the request it saw, keeps a chat conversation per sender in storage, runs workflows and
touches storage; its tool uses storage too.
"""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.daemon import DEFAULT_HOOK_ID, StandInApp, StandInDaemon, StandInStorage
from tests.devtools.probe_plugins import PROBE_PROVIDER, PROBE_TOOL, write_probe_plugin

pytestmark = pytest.mark.e2e

PROBE_QUOTA = 4096
SENDER = "+14155550100"


@pytest.fixture(scope="module")
def probe_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_probe_plugin(tmp_path_factory.mktemp("probe"), storage_size=PROBE_QUOTA)


@pytest.fixture(scope="module")
def daemon(probe_root: Path) -> Iterator[StandInDaemon]:
    with StandInDaemon(probe_root) as running:
        yield running
    assert not running.stdout_noise, running.stdout_noise[:5]


@pytest.fixture(autouse=True)
def _fresh_state(daemon: StandInDaemon) -> None:
    daemon.storage.clear()
    daemon.apps.clear()


def tool(daemon: StandInDaemon, **parameters: str) -> dict:
    return daemon.invoke_tool(PROBE_TOOL, parameters, {}, provider=PROBE_PROVIDER).json


def chat_settings(app_id: str = "bot") -> dict:
    return {"app": {"app_id": app_id}}


# -- the request the plugin sees ----------------------------------------------------------------


def test_the_endpoint_sees_its_path_the_hook_headers_query_form_and_settings(daemon):
    result = daemon.invoke_endpoint(
        "POST",
        "/probe/sms",
        form={"op": "echo", "Text": "hi there", "From": SENDER},
        query={"b": "2", "a": "x y"},
        headers={"X-Plivo-Signature-V3": "sig", "X-Forwarded-For": "203.0.113.7"},
        settings={"token": "t-1"},
    )
    assert result.status == 200
    seen = result.json()
    headers = dict(seen["headers"])
    assert seen["path"] == "/probe/sms"
    assert seen["values"] == {"kind": "sms"}
    assert seen["args"] == [["a", "x y"], ["b", "2"]]
    assert dict(seen["form"]) == {"op": "echo", "Text": "hi there", "From": SENDER}
    assert seen["settings"] == {"token": "t-1"}
    assert headers["Dify-Hook-Id"] == DEFAULT_HOOK_ID
    assert headers["Dify-Hook-Url"] == f"http://127.0.0.1:5002/e/{DEFAULT_HOOK_ID}/probe/sms"
    assert headers["X-Plivo-Signature-V3"] == "sig"
    assert "X-Forwarded-For" not in headers
    assert result.request.startswith(b"POST /probe/sms?a=x+y&b=2 HTTP/1.1\r\n")


def test_a_public_base_url_and_a_proxy_hook_url_reach_the_plugin(daemon):
    composed = daemon.invoke_endpoint(
        "GET", "/probe/a", query={"op": "echo"}, base_url="https://dify.example.com"
    ).json()
    passed = daemon.invoke_endpoint(
        "GET", "/probe/a", query={"op": "echo"}, hook_url="https://edge.example.com/hook"
    ).json()
    assert dict(composed["headers"])["Dify-Hook-Url"] == (
        f"https://dify.example.com/e/{DEFAULT_HOOK_ID}/probe/a"
    )
    assert dict(composed["headers"])["Host"] == "dify.example.com"
    assert dict(passed["headers"])["Dify-Hook-Url"] == "https://edge.example.com/hook"


def test_an_unrouted_path_gets_the_sdks_404(daemon):
    result = daemon.invoke_endpoint("GET", "/nowhere")
    assert result.status == 404
    assert "Failed to dispatch endpoint request" in result.text


def test_a_request_the_sdk_cannot_parse_becomes_the_daemons_500(daemon):
    result = daemon.invoke_endpoint("GET", "/probe/a", headers={"X_Under": "1"})
    assert result.status == 500
    assert not result.session.ok
    assert "Invalid HTTP header" in result.json()["message"]


def test_a_streamed_answer_arrives_in_chunks_with_status_and_headers_first(daemon):
    pause = 0.25
    result = daemon.invoke_endpoint("GET", "/stream", query={"pause": str(pause)})
    assert result.status == 201
    assert result.header("x-probe") == "stream"
    assert result.chunks == [b"first;", b"second;", b"third"]
    assert result.body == b"first;second;third"
    assert result.first_body_after is not None
    assert result.first_body_after < pause <= 2 * pause <= result.elapsed


# -- apps ---------------------------------------------------------------------------------------


def test_a_chat_app_keeps_one_conversation_per_sender_through_storage(daemon):
    daemon.apps["bot"] = StandInApp(kind="chat", answer=lambda call: f"echo {call.query}")
    first = daemon.invoke_endpoint(
        "POST",
        "/probe/sms",
        form={"op": "chat", "Text": "one", "From": SENDER},
        settings=chat_settings(),
    ).json()
    second = daemon.invoke_endpoint(
        "POST",
        "/probe/sms",
        form={"op": "chat", "Text": "two", "From": SENDER},
        settings=chat_settings(),
    ).json()
    assert (first["answer"], second["answer"]) == ("echo one", "echo two")
    assert second["conversation_id"] == first["conversation_id"] == second["used"]
    assert first["keys"] == sorted(
        [
            "event",
            "task_id",
            "id",
            "message_id",
            "conversation_id",
            "mode",
            "answer",
            "metadata",
            "created_at",
        ]
    )
    calls = daemon.app_calls[-2:]
    assert [c.conversation_id for c in calls] == [None, first["conversation_id"]]
    assert {c.user_id for c in calls} == {""}  # endpoint sessions carry no user
    assert calls[0].inputs == {"from_number": SENDER}
    assert daemon.storage.snapshot()[f"conv:{SENDER}"] == first["conversation_id"].encode()


def test_a_stale_conversation_fails_as_dify_fails_and_the_plugin_can_start_over(daemon):
    bot = StandInApp(kind="chat", answer="hi")
    daemon.apps["bot"] = bot
    form = {"op": "chat", "Text": "x", "From": SENDER}
    first = daemon.invoke_endpoint("POST", "/probe/sms", form=form, settings=chat_settings())
    bot.forget_conversations()
    again = daemon.invoke_endpoint("POST", "/probe/sms", form=form, settings=chat_settings())
    seen = again.json()
    assert seen["retried"] is True
    assert seen["first_error"] == (
        "invoke app failed: request failed with status code: 400 and respond with: "
        '{"code": "invalid_param", "message": "", "status": 400}\n'
    )
    assert seen["conversation_id"] != first.json()["conversation_id"]
    assert daemon.app_calls[-2].error == seen["first_error"]


def test_a_workflow_app_answers_with_its_outputs(daemon):
    daemon.apps["flow"] = StandInApp(kind="workflow", answer=lambda c: {"n": len(c.inputs["text"])})
    result = daemon.invoke_endpoint(
        "POST",
        "/probe/x",
        form={"op": "workflow", "Text": "abcd"},
        settings=chat_settings("flow"),
    )
    assert result.status == 200
    body = result.json()
    assert body["data"]["outputs"] == {"n": 4}
    assert body["data"]["status"] == "succeeded"


def test_app_failures_reach_the_plugin_as_exceptions(daemon):
    daemon.apps["bot"] = StandInApp(answer="x")
    unknown = daemon.invoke_endpoint("POST", "/probe/x", form={"op": "app_error", "app_id": "no"})
    streaming = daemon.invoke_endpoint(
        "POST",
        "/probe/x",
        form={"op": "app_error", "app_id": "bot", "mode": "streaming", "Text": "hi"},
    )
    assert '"message": "app not found"' in unknown.json()["error"]
    assert "blocking app invocations only" in streaming.json()["error"]


def test_app_invocations_are_answered_concurrently(daemon):
    delay, senders = 0.5, 4
    daemon.apps["bot"] = StandInApp(answer="slow", delay=delay)

    def ask(n: int) -> int:
        form = {"op": "chat", "Text": "q", "From": f"+1415555010{n}"}
        return daemon.invoke_endpoint(
            "POST", "/probe/sms", form=form, settings=chat_settings()
        ).status

    started = time.monotonic()
    with ThreadPoolExecutor(senders) as pool:
        statuses = list(pool.map(ask, range(senders)))
    assert statuses == [200] * senders
    assert time.monotonic() - started < delay * senders * 0.8
    assert len(daemon.apps["bot"].conversations) == senders


# -- storage ------------------------------------------------------------------------------------


def test_storage_from_an_endpoint_follows_the_daemon_rules(daemon):
    steps = daemon.invoke_endpoint(
        "POST", "/probe/x", form={"op": "storage", "key": "k", "value": "v"}
    ).json()
    assert steps == {"set": "ok", "get": "v", "exist": False, "del": "ok"}
    missing = daemon.invoke_endpoint(
        "POST", "/probe/x", form={"op": "storage", "key": "gone", "steps": "get,del"}
    ).json()
    assert missing["get"].startswith("error: load data failed")
    assert missing["del"].startswith("error: delete data failed: stat gone")
    escaping = daemon.invoke_endpoint(
        "POST", "/probe/x", form={"op": "storage", "key": "../x", "steps": "set"}
    ).json()
    assert (
        escaping["set"] == "error: save data failed: invalid key: path traversal attempt detected"
    )


def test_a_tool_and_an_endpoint_share_the_plugins_storage(daemon):
    assert tool(daemon, op="set", key=f"optout:{SENDER}", value="STOP") == {"ok": True}
    seen = daemon.invoke_endpoint(
        "POST", "/probe/x", form={"op": "storage", "key": f"optout:{SENDER}", "steps": "get"}
    ).json()
    assert seen == {"get": "STOP"}
    assert tool(daemon, op="exist", key=f"optout:{SENDER}") == {"ok": True, "exist": True}
    assert [call.opt for call in daemon.storage.calls] == ["set", "get", "exist"]


def test_the_manifest_storage_size_is_the_quota(daemon):
    assert daemon.storage.quota == PROBE_QUOTA
    outcome = tool(daemon, op="set", key="big", value="x" * (PROBE_QUOTA + 1))
    assert outcome == {
        "ok": False,
        "error": "save data failed: allocated size is greater than max storage size",
    }


def test_a_storage_call_after_the_response_is_never_answered(daemon):
    result = daemon.invoke_endpoint("POST", "/probe/x", form={"op": "late", "after": "0.2"})
    assert result.json() == {"started": True}
    deadline = time.monotonic() + 5
    while not daemon.orphans and time.monotonic() < deadline:
        time.sleep(0.05)
    late = [o for o in daemon.orphans if o["session_id"] == result.session.session_id]
    assert late and late[0]["data"]["type"] == "invoke"
    assert "late" not in daemon.storage.snapshot()


# -- other plugin states ------------------------------------------------------------------------


def test_without_app_permission_the_invocation_is_refused(tmp_path):
    root = write_probe_plugin(tmp_path / "noapp", app_permission=False)
    with StandInDaemon(root) as restricted:
        restricted.apps["bot"] = StandInApp(answer="x")
        result = restricted.invoke_endpoint(
            "POST",
            "/probe/x",
            form={"op": "chat", "Text": "hi", "From": SENDER},
            settings=chat_settings(),
        )
    assert result.status == 500  # the SDK turns the endpoint's exception into a 500 answer
    assert "permission denied, you need to enable app access in plugin manifest" in result.text
    assert restricted.app_calls == []


def test_storage_survives_a_plugin_restart_when_shared(probe_root):
    shared = StandInStorage()
    with StandInDaemon(probe_root, storage=shared) as first:
        tool(first, op="set", key="kept", value="1")
    with StandInDaemon(probe_root, storage=shared) as second:
        assert tool(second, op="get", key="kept") == {"ok": True, "value": "1"}
    assert shared.snapshot() == {"kept": b"1"}
