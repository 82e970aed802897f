"""The stand-in daemon's answers to backwards invocations: storage rules and stand-in apps."""

import threading

import pytest

from devtools.daemon import (
    CONVERSATION_NOT_EXISTS,
    AppCall,
    AppError,
    AppRunFailed,
    StandInApp,
    StandInStorage,
    StorageError,
)
from devtools.daemon.apps import AppFailure
from devtools.daemon.backwards import Backwards, Reply
from devtools.daemon.storage import KEY_TOO_LONG, LOAD_FAILED, OVER_QUOTA, TRAVERSAL

# -- storage rules ------------------------------------------------------------------------------


def test_set_get_exist_delete_round_trip():
    store = StandInStorage(quota=1024)
    store.set("conv/+14155550100", b"abc")
    assert store.get("conv/+14155550100") == b"abc"
    assert store.exist("conv/+14155550100") == 1
    store.delete("conv/+14155550100")
    assert store.exist("conv/+14155550100") == 0
    assert store.snapshot() == {}
    assert store.used_bytes == 0


def test_a_missing_key_fails_on_get_and_on_delete():
    store = StandInStorage()
    with pytest.raises(StorageError, match=LOAD_FAILED):
        store.get("nope")
    with pytest.raises(StorageError, match="delete data failed: stat nope: no such file"):
        store.delete("nope")
    assert [call.error is not None for call in store.calls] == [True, True]


@pytest.mark.parametrize("key", ["../x", "a..b", "a\\b", "a/../../b"])
def test_keys_that_escape_or_hold_dots_or_backslashes_are_refused(key):
    store = StandInStorage()
    with pytest.raises(StorageError, match=f"save data failed: {TRAVERSAL}"):
        store.set(key, b"1")
    with pytest.raises(StorageError, match=f"exist data failed: {TRAVERSAL}"):
        store.exist(key)
    with pytest.raises(StorageError, match=LOAD_FAILED):
        store.get(key)


def test_keys_are_cleaned_like_go_paths_so_aliases_share_a_value():
    store = StandInStorage()
    store.set("a/../b", b"1")  # accepted: path.Clean leaves "b"
    store.set("c//d", b"2")
    assert store.get("b") == b"1"
    assert store.get("c/d") == b"2"
    assert store.snapshot() == {"b": b"1", "c/d": b"2"}


def test_key_length_is_counted_in_bytes_on_set_only():
    store = StandInStorage()
    store.set("k" * 256, b"1")
    with pytest.raises(StorageError, match=KEY_TOO_LONG):
        store.set("é" * 129, b"1")  # 258 bytes
    assert store.exist("k" * 300) == 0


def test_the_quota_counts_stored_bytes_and_an_overwrite_counts_the_difference():
    store = StandInStorage(quota=10)
    store.set("a", b"12345")
    store.set("a", b"1234567890")  # +5 only
    assert store.used_bytes == 10
    store.delete("a")
    store.set("b", b"1234567890")
    assert store.used_bytes == 10


def test_over_quota_set_fails_but_the_value_is_written_as_the_daemon_does():
    store = StandInStorage(quota=8)
    store.set("a", b"123456")
    with pytest.raises(StorageError, match=OVER_QUOTA):
        store.set("b", b"12345")
    assert store.get("b") == b"12345"
    assert store.used_bytes == 6


def test_the_daemon_ceiling_applies_even_with_a_larger_manifest_quota():
    store = StandInStorage(quota=1000, global_quota=4)
    with pytest.raises(StorageError, match=OVER_QUOTA):
        store.set("a", b"12345")


def test_deleted_num_counts_read_cache_entries():
    store = StandInStorage()
    store.set("a", b"1")
    store.set("b", b"1")
    store.get("a")
    assert store.delete("a") == 1  # read within five minutes: cached
    assert store.delete("b") == 0  # never read: deleted from storage, nothing in the cache


def test_concurrent_sets_keep_the_counter_exact():
    store = StandInStorage(quota=100_000)

    def writer(n: int) -> None:
        for i in range(50):
            store.set(f"k{n}/{i}", b"x" * 10)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.used_bytes == 8 * 50 * 10
    assert len(store.snapshot()) == 400


# -- backwards replies --------------------------------------------------------------------------


def backwards(*, storage: bool = True, app: bool = True, **apps: StandInApp) -> Backwards:
    granted = {"storage": storage, "app": app}
    return Backwards(StandInStorage(quota=64), dict(apps), lambda name: granted.get(name, False))


def storage_invoke(opt: str, key: str, value: bytes | None = None) -> dict:
    request: dict = {"opt": opt, "key": key}
    if value is not None:
        request["value"] = value.hex()
    return {"type": "storage", "backwards_request_id": "r1", "request": request}


def test_storage_replies_carry_the_daemon_payloads():
    answering = backwards()
    assert answering.answer("s", "u", storage_invoke("set", "k", b"hi")) == [
        Reply("response", "struct", {"data": "ok"}),
        Reply("end"),
    ]
    assert answering.answer("s", "u", storage_invoke("get", "k"))[0].data == {"data": "6869"}
    assert answering.answer("s", "u", storage_invoke("exist", "k"))[0].data == {
        "data": True,
        "exist_num": 1,
    }
    assert answering.answer("s", "u", storage_invoke("del", "k"))[0].data == {
        "data": "ok",
        "deleted_num": 1,
    }


def test_failures_are_one_error_then_end():
    replies = backwards().answer("s", "u", storage_invoke("get", "missing"))
    assert replies == [Reply("error", LOAD_FAILED), Reply("end")]


def test_without_the_manifest_permission_storage_and_apps_are_refused():
    answering = backwards(storage=False, app=False)
    storage = answering.answer("s", "u", storage_invoke("set", "k", b"1"))
    app = answering.answer("s", "u", {"type": "app", "backwards_request_id": "r", "request": {}})
    assert storage[0].message == (
        "permission denied, you need to enable storage access in plugin manifest"
    )
    assert app[0].message == "permission denied, you need to enable app access in plugin manifest"
    assert answering.storage.snapshot() == {}
    assert answering.app_calls == []


def test_other_invocation_types_are_refused_and_recorded():
    answering = backwards()
    replies = answering.answer("s", "u", {"type": "llm", "backwards_request_id": "r"})
    assert replies[0].event == "error"
    assert "'llm'" in replies[0].message
    assert answering.invocations[0].type == "llm"
    assert answering.invocations[0].error == replies[0].message


def app_invoke(app_id: str, **fields: object) -> dict:
    request = {"app_id": app_id, "inputs": {}, "response_mode": "blocking", "user": None}
    request.update(fields)
    return {"type": "app", "backwards_request_id": "r", "request": request}


def test_an_unknown_app_fails_as_dify_answers_it():
    replies = backwards().answer("s", "", app_invoke("nope", query="hi"))
    assert replies[0].message == (
        "invoke app failed: request failed with status code: 400 and respond with: "
        '{"code": "invalid_param", "message": "app not found", "status": 400}\n'
    )


def test_streaming_app_invocations_are_refused_by_the_stand_in():
    answering = backwards(bot=StandInApp(answer="x"))
    replies = answering.answer("s", "", app_invoke("bot", query="hi", response_mode="streaming"))
    assert "blocking app invocations only" in replies[0].message
    assert answering.app_calls[0].error == replies[0].message


def test_app_calls_record_what_the_plugin_sent_and_the_session_user():
    answering = backwards(bot=StandInApp(answer=lambda call: call.inputs["n"] * 2))
    replies = answering.answer(
        "s1", "", app_invoke("bot", query="q", inputs={"n": "ab"}, user="end-user")
    )
    call = answering.app_calls[0]
    assert (call.session_id, call.user_id, call.user, call.query, call.kind) == (
        "s1",
        "",
        "end-user",
        "q",
        "chat",
    )
    assert replies[0] == Reply("response", "stream", call.response)
    assert call.response is not None and call.response["answer"] == "abab"


# -- stand-in apps ------------------------------------------------------------------------------


def call(query: str | None = "hi", conversation_id: str | None = None, **inputs: object) -> AppCall:
    return AppCall(
        app_id="a",
        session_id="s",
        user_id="",
        inputs=dict(inputs),
        query=query,
        conversation_id=conversation_id,
        response_mode="blocking",
        user=None,
    )


def test_a_chat_app_answers_with_the_service_api_blocking_shape():
    app = StandInApp(kind="chat", mode="advanced-chat", answer="hello")
    response = app.respond(call())
    assert set(response) == {
        "event",
        "task_id",
        "id",
        "message_id",
        "conversation_id",
        "mode",
        "answer",
        "metadata",
        "created_at",
    }
    assert response["event"] == "message"
    assert response["mode"] == "advanced-chat"
    assert response["answer"] == "hello"
    assert response["id"] == response["message_id"]
    assert response["conversation_id"] in app.conversations


def test_a_chat_app_continues_a_known_conversation_and_refuses_a_stale_one():
    app = StandInApp(answer="ok")
    first = app.respond(call())
    again = app.respond(call(conversation_id=first["conversation_id"]))
    assert again["conversation_id"] == first["conversation_id"]
    app.forget_conversations()
    with pytest.raises(AppFailure) as failure:
        app.respond(call(conversation_id=first["conversation_id"]))
    assert failure.value.error == CONVERSATION_NOT_EXISTS
    assert '"message": ""' in str(failure.value)


def test_a_chat_app_needs_a_query():
    with pytest.raises(AppFailure, match="missing query"):
        StandInApp(answer="x").respond(call(query=""))


def test_a_workflow_app_answers_with_outputs_and_ignores_query_and_conversation():
    app = StandInApp(kind="workflow", answer=lambda c: {"reply": c.inputs["text"].upper()})
    response = app.respond(call(query=None, conversation_id="whatever", text="hi"))
    assert set(response) == {"task_id", "workflow_run_id", "data"}
    data = response["data"]
    assert data["status"] == "succeeded"
    assert data["outputs"] == {"reply": "HI"}
    assert data["id"] == response["workflow_run_id"]
    assert data["error"] is None


def test_a_failed_workflow_run_is_an_answer_with_status_failed():
    def broken(_: AppCall) -> dict:
        raise AppRunFailed("node 3 failed")

    response = StandInApp(kind="workflow", answer=broken).respond(call())
    assert response["data"]["status"] == "failed"
    assert response["data"]["error"] == "node 3 failed"


def test_a_failed_chat_run_fails_the_invocation_with_a_500():
    def broken(_: AppCall) -> str:
        raise AppRunFailed("model down")

    with pytest.raises(AppFailure, match="status code: 500"):
        StandInApp(answer=broken).respond(call())


def test_a_completion_app_has_no_conversation():
    response = StandInApp(kind="completion", answer="done").respond(call(query=None))
    assert "conversation_id" not in response
    assert response["mode"] == "completion"


def test_fail_can_be_decided_per_call():
    app = StandInApp(
        answer="fine",
        fail=lambda c: (
            AppError("quota", status=429, code="too_many_requests")
            if c.inputs.get("flood")
            else None
        ),
    )
    assert app.respond(call())["answer"] == "fine"
    with pytest.raises(AppFailure, match="status code: 429"):
        app.respond(call(flood=True))


def test_a_mapping_answer_is_merged_into_a_chat_response():
    response = StandInApp(answer={"answer": "x", "metadata": {"usage": {"total_tokens": 3}}})
    assert response.respond(call())["metadata"] == {"usage": {"total_tokens": 3}}


def test_a_chat_app_mode_must_be_a_chat_mode():
    with pytest.raises(ValueError, match="mode"):
        StandInApp(kind="chat", mode="workflow")
