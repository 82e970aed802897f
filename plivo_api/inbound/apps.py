"""Running the Dify app that answers a text, without depending on the Dify SDK.

Dify decides by the app's own mode what an invocation means
(``api/core/plugin/backwards_invocation/app.py`` in langgenius/dify): chat-type apps (chatflow,
agent, chatbot) need a ``query`` and continue ``conversation_id``; workflow and completion apps
ignore both and read ``inputs``. So one blocking invocation carrying the text as ``query``, the
message fields as ``inputs`` and the stored conversation works for every app type, and the shape
of the answer says which kind answered:

- chat and completion: ``{"answer": ..., "conversation_id": ...}`` (Service API blocking shape);
- workflow: ``{"data": {"status": ..., "outputs": {...}, "error": ...}}``; the reply is the
  output named ``answer``, else ``text``, else ``reply``, else the only text output.

A failure reaches the plugin as an exception whose text is the daemon's
``invoke app failed: request failed with status code: <N> and respond with: <body>``. A 4xx
status means Dify refused the request before anything ran (unknown app, missing query, a
conversation it no longer has), which is why a stale conversation can be retried once without
it: nothing ran twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, Protocol

AppKind = Literal["chat", "workflow"]
WORKFLOW_ANSWER_OUTPUTS: Final = ("answer", "text", "reply")
WORKFLOW_FAILED_STATES: Final = frozenset({"failed", "stopped"})
_STATUS_CODE = re.compile(r"status code: (\d{3})")
_STALE_CONVERSATION = re.compile(r"conversation\s*not\s*exist", re.IGNORECASE)


class AppInvocationError(Exception):
    """An invocation Dify (or the daemon) answered with an error; the text is theirs."""


class AppInvoker(Protocol):
    """Dify's ``session.app`` as the endpoint uses it: one blocking invocation that raises
    :class:`AppInvocationError` when Dify answers with an error."""

    def invoke(
        self,
        app_id: str,
        *,
        query: str,
        inputs: Mapping[str, object],
        conversation_id: str | None,
    ) -> Mapping[str, object]: ...


class AppFailedError(Exception):
    """The app did not produce an answer. The text is safe to log: a category, never content."""


@dataclass(frozen=True)
class AppAnswer:
    kind: AppKind
    text: str
    conversation_id: str | None


def http_status(error: BaseException) -> int | None:
    """The HTTP status Dify answered a failed invocation with, when the text names it."""
    match = _STATUS_CODE.search(str(error))
    return int(match.group(1)) if match else None


def refused_before_running(error: BaseException) -> bool:
    """Dify refused the invocation itself (4xx, or its "conversation not exists" wording)."""
    status = http_status(error)
    return (status is not None and 400 <= status < 500) or bool(
        _STALE_CONVERSATION.search(str(error))
    )


def read_answer(result: Mapping[str, object]) -> AppAnswer:
    """The reply text (possibly empty) and conversation of a blocking invocation's result."""
    data = result.get("data")
    if isinstance(data, Mapping) and "answer" not in result:
        status = data.get("status")
        if isinstance(status, str) and status in WORKFLOW_FAILED_STATES:
            raise AppFailedError(f"the workflow run ended {status}")
        outputs = data.get("outputs")
        return AppAnswer("workflow", _workflow_text(outputs), None)
    answer = result.get("answer")
    conversation = result.get("conversation_id")
    return AppAnswer(
        "chat",
        answer if isinstance(answer, str) else "",
        conversation if isinstance(conversation, str) and conversation else None,
    )


def _workflow_text(outputs: object) -> str:
    if not isinstance(outputs, Mapping):
        return ""
    for name in WORKFLOW_ANSWER_OUTPUTS:
        value = outputs.get(name)
        if isinstance(value, str):
            return value
    texts = [value for value in outputs.values() if isinstance(value, str)]
    return texts[0] if len(texts) == 1 else ""


def run_app(
    invoker: AppInvoker,
    app_id: str,
    *,
    query: str,
    inputs: Mapping[str, object],
    conversation_id: str | None,
) -> tuple[AppAnswer, bool]:
    """Invoke the app; returns the answer and whether ``conversation_id`` turned out stale.

    A stored conversation Dify refuses is dropped and the call made once more without it.
    Raises :class:`AppFailedError` when the app fails.
    """
    try:
        result = invoker.invoke(app_id, query=query, inputs=inputs, conversation_id=conversation_id)
    except AppInvocationError as error:
        if conversation_id is None or not refused_before_running(error):
            raise AppFailedError(_failure(error)) from None
        try:
            result = invoker.invoke(app_id, query=query, inputs=inputs, conversation_id=None)
        except AppInvocationError as retry_error:
            raise AppFailedError(_failure(retry_error)) from None
        return read_answer(result), True
    return read_answer(result), False


def _failure(error: BaseException) -> str:
    """A loggable description: the HTTP status at most, never the error's text (it may quote
    the app's inputs)."""
    status = http_status(error)
    return (
        f"the app invocation failed (HTTP {status})"
        if status
        else f"the app invocation failed ({type(error).__name__})"
    )


__all__ = [
    "WORKFLOW_ANSWER_OUTPUTS",
    "AppAnswer",
    "AppFailedError",
    "AppInvocationError",
    "AppInvoker",
    "AppKind",
    "http_status",
    "read_answer",
    "refused_before_running",
    "run_app",
]
