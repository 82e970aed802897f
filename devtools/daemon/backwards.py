"""Answers to the plugin's backwards invocations (``session.storage``, ``session.app``, ...).

Wire shapes: the plugin sends ``{"type", "backwards_request_id", "request"}`` inside an ``invoke``
session message (``dify_plugin/core/runtime.py`` ``_full_duplex_backwards_invoke``); the daemon
answers ``response`` events (``message`` is ``"struct"`` for single objects, ``"stream"`` per app
chunk), or one ``error`` event, and always a final ``end``
(langgenius/dify-plugin-daemon ``internal/core/io_tunnel/backwards_invocation/request.go`` and
``task.go``). The SDK raises ``Exception(message)`` on ``error``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devtools.daemon.apps import APP_NOT_FOUND, AppCall, AppFailure, StandInApp
from devtools.daemon.storage import StandInStorage, StorageError

STORAGE_OPTS = ("get", "set", "del", "exist")
# task.go permissionMapping, for the invocation types the stand-in knows.
PERMISSIONS = {
    "app": ("app", "permission denied, you need to enable app access in plugin manifest"),
    "fetch_app": ("app", "permission denied, you need to enable app access in plugin manifest"),
    "storage": (
        "storage",
        "permission denied, you need to enable storage access in plugin manifest",
    ),
    "tool": ("tool", "permission denied, you need to enable tool access in plugin manifest"),
}


@dataclass(frozen=True)
class Reply:
    """One ``backwards_response`` event: ``event`` is ``response``, ``error`` or ``end``."""

    event: str
    message: str = ""
    data: Any = None


@dataclass
class BackwardsCall:
    """One backwards invocation the plugin made, and how the stand-in answered it."""

    session_id: str
    type: str
    request: dict[str, Any]
    started_at: float
    finished_at: float | None = None
    response: Any = None
    error: str | None = None


class Backwards:
    """Decides the replies to an invocation and records it; thread-safe."""

    def __init__(
        self,
        storage: StandInStorage,
        apps: dict[str, StandInApp],
        permitted: Callable[[str], bool],
    ) -> None:
        self.storage = storage
        self.apps = apps
        self.permitted = permitted
        self.invocations: list[BackwardsCall] = []
        self.app_calls: list[AppCall] = []
        self._lock = threading.Lock()

    def answer(self, session_id: str, user_id: str, invoke: Mapping[str, Any]) -> list[Reply]:
        kind = str(invoke.get("type", ""))
        request = invoke.get("request")
        call = BackwardsCall(
            session_id=session_id,
            type=kind,
            request=dict(request) if isinstance(request, Mapping) else {},
            started_at=time.monotonic(),
        )
        with self._lock:
            self.invocations.append(call)
        permission = PERMISSIONS.get(kind)
        if permission is not None and not self.permitted(permission[0]):
            reply = Reply("error", permission[1])
        elif kind == "storage":
            reply = self._storage(session_id, call.request)
        elif kind == "app":
            reply = self._app(session_id, user_id, call.request)
        else:
            reply = Reply("error", f"the stand-in daemon does not answer {kind!r} invocations")
        call.finished_at = time.monotonic()
        if reply.event == "error":
            call.error = reply.message
        else:
            call.response = reply.data
        return [reply, Reply("end")]

    def _storage(self, session_id: str, request: dict[str, Any]) -> Reply:
        opt, key = request.get("opt"), request.get("key")
        if opt not in STORAGE_OPTS or not isinstance(key, str) or not key:
            return Reply(
                "error",
                "unmarshal backwards invoke request failed: error validating struct: "
                f"opt={opt!r} key={key!r}",
            )
        try:
            data: dict[str, Any]
            if opt == "get":
                data = {"data": self.storage.get(key, session_id=session_id).hex()}
            elif opt == "set":
                try:
                    value = bytes.fromhex(str(request.get("value") or ""))
                except ValueError as error:
                    return Reply("error", f"decode data failed: {error}")
                self.storage.set(key, value, session_id=session_id)
                data = {"data": "ok"}
            elif opt == "del":
                deleted = self.storage.delete(key, session_id=session_id)
                data = {"data": "ok", "deleted_num": deleted}
            else:
                found = self.storage.exist(key, session_id=session_id)
                data = {"data": found > 0, "exist_num": found}
        except StorageError as error:
            return Reply("error", str(error))
        return Reply("response", "struct", data)

    def _app(self, session_id: str, user_id: str, request: dict[str, Any]) -> Reply:
        conversation = request.get("conversation_id")
        query = request.get("query")
        call = AppCall(
            app_id=str(request.get("app_id") or ""),
            session_id=session_id,
            user_id=user_id,
            inputs=dict(request.get("inputs") or {}),
            query=None if query is None else str(query),
            conversation_id=str(conversation) if conversation else None,
            response_mode=str(request.get("response_mode") or ""),
            user=request.get("user"),
            started_at=time.monotonic(),
        )
        with self._lock:
            self.app_calls.append(call)
        reply = self._run_app(call)
        call.finished_at = time.monotonic()
        if reply.event == "error":
            call.error = reply.message
        return reply

    def _run_app(self, call: AppCall) -> Reply:
        app = self.apps.get(call.app_id)
        if app is None:
            return Reply("error", APP_NOT_FOUND.daemon_message)
        call.kind = app.kind
        if call.response_mode != "blocking":
            return Reply(
                "error",
                "the stand-in daemon answers blocking app invocations only "
                f"(response_mode={call.response_mode!r})",
            )
        try:
            call.response = app.respond(call)
        except AppFailure as failure:
            return Reply("error", failure.error.daemon_message)
        return Reply("response", "stream", call.response)
