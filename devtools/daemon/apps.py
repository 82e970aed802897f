"""Stand-in Dify apps that answer ``session.app.*.invoke`` from a plugin.

Dify runs an invoked app as a Service API call (langgenius/dify
``api/core/plugin/backwards_invocation/app.py``) and relays its answer through the daemon
(langgenius/dify-plugin-daemon ``internal/core/io_tunnel/backwards_invocation/task.go``
``executeDifyInvocationAppTask``). Blocking answers have the Service API shapes of
``api/core/app/apps/*/generate_response_converter.py`` ``convert_blocking_full_response``:

* chat / advanced-chat / agent-chat: ``event, task_id, id, message_id, conversation_id, mode,
  answer, metadata, created_at``;
* completion: the same without ``conversation_id``;
* workflow: ``task_id, workflow_run_id, data{id, workflow_id, status, outputs, error,
  elapsed_time, total_tokens, total_steps, created_at, finished_at}``.

Failures before the run (unknown app, chat without query, unknown conversation) are exceptions
Dify's inner API turns into HTTP 400 ``{"code": "invalid_param", "message": str(e), "status":
400}`` (``api/libs/external_api.py``); the daemon relays them as ``invoke app failed: request
failed with status code: 400 and respond with: <body>`` (``calldify/http_request.go`` and
``pkg/utils/http_requests/http_warpper.go``). A stale ``conversation_id`` raises
``ConversationNotExistsError()``, which has no message, so its body carries ``"message": ""``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

AppKind = Literal["chat", "workflow", "completion"]
CHAT_MODES = ("chat", "advanced-chat", "agent-chat")


@dataclass(frozen=True)
class AppError:
    """A failure Dify's inner API answers with an HTTP error; the plugin sees ``daemon_message``."""

    message: str
    status: int = 400
    code: str = "invalid_param"

    @property
    def body(self) -> str:
        """The JSON body flask-restx writes (``json.dumps`` and a newline)."""
        body = {"code": self.code, "message": self.message, "status": self.status}
        return json.dumps(body) + "\n"

    @property
    def daemon_message(self) -> str:
        return (
            f"invoke app failed: request failed with status code: {self.status} "
            f"and respond with: {self.body}"
        )


class AppFailure(Exception):
    """Raised by ``StandInApp.respond``: the invocation fails with ``error``."""

    def __init__(self, error: AppError) -> None:
        super().__init__(error.daemon_message)
        self.error = error


APP_NOT_FOUND = AppError("app not found")
MISSING_QUERY = AppError("missing query")
CONVERSATION_NOT_EXISTS = AppError("")
"""``ConversationNotExistsError()`` through the ValueError handler: an empty message."""
RUN_FAILED = AppError("Internal Server Error", status=500, code="unknown")
"""A chat/completion run that fails in blocking mode reaches the generic 500 handler."""


class AppRunFailed(Exception):
    """Raise from an ``answer`` callable to make the run fail.

    A workflow app then answers normally with ``status: "failed"`` and ``error`` set; chat and
    completion apps fail the invocation with ``RUN_FAILED``.
    """


@dataclass
class AppCall:
    """One app invocation as the plugin sent it, with what the stand-in answered."""

    app_id: str
    session_id: str
    user_id: str  # the daemon session's user; "" for endpoint sessions
    inputs: dict[str, Any]
    query: str | None
    conversation_id: str | None
    response_mode: str
    user: str | None  # the SDK's optional ``user`` argument
    kind: str | None = None  # None when no app is registered under app_id
    started_at: float = 0.0
    finished_at: float | None = None
    response: dict[str, Any] | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.response is not None


Answer = str | Mapping[str, Any] | Callable[[AppCall], Any]
Failure = AppError | str | Callable[[AppCall], "AppError | str | None"] | None


@dataclass
class StandInApp:
    """A Dify app the plugin may invoke.

    ``answer``: the answer text (chat, completion) or the outputs mapping (workflow), or a
    callable that receives the ``AppCall`` and returns one of those. A mapping returned for a chat
    or completion app is merged into the response (``{"answer": ..., "metadata": {...}}``).
    ``delay``: seconds the run takes. ``fail``: an ``AppError`` (or a message for one), or a
    callable returning one or None, checked after ``delay``. Conversations the app created are
    kept in ``conversations``; ``forget_conversations()`` makes stored ids stale.
    """

    kind: AppKind = "chat"
    answer: Answer = ""
    delay: float = 0.0
    fail: Failure = None
    mode: str | None = None
    workflow_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    conversations: set[str] = field(default_factory=set)
    calls: list[AppCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.mode is None:
            self.mode = self.kind
        if self.kind == "chat" and self.mode not in CHAT_MODES:
            raise ValueError(f"a chat app's mode is one of {CHAT_MODES}, not {self.mode!r}")

    def forget_conversations(self) -> None:
        with self._lock:
            self.conversations.clear()

    def respond(self, call: AppCall) -> dict[str, Any]:
        """Run the app for ``call``: the blocking response, or ``AppFailure`` as Dify fails."""
        call.kind = self.kind
        with self._lock:
            self.calls.append(call)
        conversation_id = self._conversation(call)
        started = time.time()
        if self.delay > 0:
            time.sleep(self.delay)
        failure = self.fail(call) if callable(self.fail) else self.fail
        if failure is not None:
            raise AppFailure(failure if isinstance(failure, AppError) else AppError(str(failure)))
        try:
            produced = self.answer(call) if callable(self.answer) else self.answer
        except AppRunFailed as error:
            if self.kind != "workflow":
                raise AppFailure(RUN_FAILED) from error
            return self._workflow_response(None, started, error=str(error))
        if self.kind == "workflow":
            outputs = dict(produced) if isinstance(produced, Mapping) else {"text": produced}
            return self._workflow_response(outputs, started)
        return self._message_response(produced, conversation_id)

    def _conversation(self, call: AppCall) -> str | None:
        if self.kind != "chat":
            return None  # workflow and completion apps ignore query and conversation
        if not call.query:
            raise AppFailure(MISSING_QUERY)
        with self._lock:
            if call.conversation_id:
                if call.conversation_id not in self.conversations:
                    raise AppFailure(CONVERSATION_NOT_EXISTS)
                return call.conversation_id
            created = str(uuid.uuid4())
            self.conversations.add(created)
            return created

    def _message_response(self, produced: Any, conversation_id: str | None) -> dict[str, Any]:
        message_id = str(uuid.uuid4())
        response: dict[str, Any] = {
            "event": "message",
            "task_id": str(uuid.uuid4()),
            "id": message_id,
            "message_id": message_id,
            "conversation_id": conversation_id,
            "mode": self.mode,
            "answer": "",
            "metadata": {},
            "created_at": int(time.time()),
        }
        if self.kind == "completion":
            del response["conversation_id"]
        if isinstance(produced, Mapping):
            response.update(produced)
        else:
            response["answer"] = str(produced)
        return response

    def _workflow_response(
        self, outputs: dict[str, Any] | None, started: float, *, error: str | None = None
    ) -> dict[str, Any]:
        run_id = str(uuid.uuid4())
        finished = time.time()
        return {
            "task_id": str(uuid.uuid4()),
            "workflow_run_id": run_id,
            "data": {
                "id": run_id,
                "workflow_id": self.workflow_id,
                "status": "failed" if error is not None else "succeeded",
                "outputs": outputs if outputs is not None else {},
                "error": error,
                "elapsed_time": round(finished - started, 6),
                "total_tokens": 0,
                "total_steps": 1,
                "created_at": int(started),
                "finished_at": int(finished),
            },
        }
