"""Invoking the answering app: answers of every app type, a stale conversation, failures."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from devtools.daemon import CONVERSATION_NOT_EXISTS, MISSING_QUERY, RUN_FAILED
from plivo_api.inbound.apps import (
    AppFailedError,
    AppInvocationError,
    http_status,
    read_answer,
    refused_before_running,
    run_app,
)

CONVERSATION = "3f1c2a9e-0000-4000-8000-0000000000c1"


class Invoker:
    """Answers from a script: an exception or a result per call, recording every call."""

    def __init__(self, *script: Mapping[str, object] | Exception) -> None:
        self.script = list(script)
        self.calls: list[str | None] = []

    def invoke(
        self,
        app_id: str,
        *,
        query: str,
        inputs: Mapping[str, object],
        conversation_id: str | None,
    ) -> Mapping[str, object]:
        self.calls.append(conversation_id)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def chat(answer: str, conversation: str = CONVERSATION) -> dict[str, object]:
    return {"event": "message", "answer": answer, "conversation_id": conversation, "mode": "chat"}


def workflow(outputs: object, status: str = "succeeded") -> dict[str, object]:
    return {"workflow_run_id": "r", "data": {"status": status, "outputs": outputs, "error": None}}


def test_a_chat_answer_and_its_conversation() -> None:
    answer = read_answer(chat("Hi there"))
    assert (answer.kind, answer.text, answer.conversation_id) == ("chat", "Hi there", CONVERSATION)


@pytest.mark.parametrize(
    ("outputs", "text"),
    [
        ({"answer": "A", "text": "T"}, "A"),
        ({"text": "T", "other": "O"}, "T"),
        ({"reply": "R", "count": 3}, "R"),
        ({"summary": "only one text output", "count": 3}, "only one text output"),
        ({"one": "1", "two": "2"}, ""),  # ambiguous: no reply rather than a guess
        ({}, ""),
        (None, ""),
    ],
)
def test_a_workflow_answers_with_its_answer_output(outputs: object, text: str) -> None:
    answer = read_answer(workflow(outputs))
    assert (answer.kind, answer.text, answer.conversation_id) == ("workflow", text, None)


def test_a_failed_workflow_run_is_a_failure() -> None:
    with pytest.raises(AppFailedError, match="failed"):
        read_answer(workflow({"answer": "partial"}, status="failed"))


def test_a_stale_conversation_is_dropped_and_the_call_made_once_more() -> None:
    invoker = Invoker(
        AppInvocationError(CONVERSATION_NOT_EXISTS.daemon_message), chat("Hello again", "new")
    )
    answer, stale = run_app(invoker, "bot", query="hi", inputs={}, conversation_id=CONVERSATION)
    assert stale
    assert invoker.calls == [CONVERSATION, None]
    assert answer.conversation_id == "new"


def test_a_run_that_failed_is_not_repeated() -> None:
    invoker = Invoker(AppInvocationError(RUN_FAILED.daemon_message))
    with pytest.raises(AppFailedError) as failure:
        run_app(invoker, "bot", query="hi", inputs={}, conversation_id=CONVERSATION)
    assert invoker.calls == [CONVERSATION]
    assert str(failure.value) == "the app invocation failed (HTTP 500)"


def test_a_refusal_without_a_stored_conversation_is_not_retried() -> None:
    invoker = Invoker(AppInvocationError(MISSING_QUERY.daemon_message))
    with pytest.raises(AppFailedError):
        run_app(invoker, "bot", query="hi", inputs={}, conversation_id=None)
    assert invoker.calls == [None]


def test_failure_texts_never_quote_the_error() -> None:
    secret_text = "text in input form must be less than 48 characters: Call me at +14155552671"
    invoker = Invoker(AppInvocationError(secret_text))
    with pytest.raises(AppFailedError) as failure:
        run_app(invoker, "bot", query="hi", inputs={}, conversation_id=None)
    assert "4155552671" not in str(failure.value)
    assert failure.value.__cause__ is None


def test_dify_refusals_are_recognised_by_status_or_wording() -> None:
    assert http_status(Exception(CONVERSATION_NOT_EXISTS.daemon_message)) == 400
    assert refused_before_running(Exception("Conversation Not Exists."))
    assert not refused_before_running(Exception(RUN_FAILED.daemon_message))
    assert http_status(Exception("no status here")) is None
