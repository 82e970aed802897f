"""A stand-in for Dify's plugin daemon: runs ``python -m main`` and speaks its stdio protocol.

It does what the real daemon does for a local install (dify-plugin-runtime.md §7–§8): starts the
plugin with ``INSTALL_METHOD=local`` in the plugin root, treats the first heartbeat as "ready",
writes one request line per session, collects that session's ``stream`` messages, ``error`` and
``end``, answers backwards invocations (with an error: this plugin makes none), and stops the
process with SIGTERM because stdin EOF does not stop it. It also measures time-to-ready and
peak RSS.

Used by the end-to-end tests, the demo and the benchmarks.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PLUGIN_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 60.0
SESSION_TIMEOUT_SECONDS = 120.0
_END = object()


class DaemonError(RuntimeError):
    pass


@dataclass
class SessionResult:
    """Everything one session produced, in arrival order."""

    session_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # ToolInvokeMessage-shaped dicts
    error: dict[str, Any] | None = None  # {"error_type", "message", "args"}
    raw: list[dict[str, Any]] = field(default_factory=list)  # every session line as received
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def texts(self) -> list[str]:
        return [m["message"]["text"] for m in self.of_type("text")]

    @property
    def jsons(self) -> list[Any]:
        return [m["message"]["json_object"] for m in self.of_type("json")]

    @property
    def json(self) -> Any:
        found = self.jsons
        if len(found) != 1:
            raise AssertionError(f"expected one json message, got {len(found)}: {self.raw}")
        return found[0]

    @property
    def variables(self) -> dict[str, Any]:
        return {
            m["message"]["variable_name"]: m["message"]["variable_value"]
            for m in self.of_type("variable")
        }

    @property
    def result(self) -> Any:
        """The payload of a non-tool-message stream (``{"result": true}`` for credentials)."""
        for m in self.messages:
            if "result" in m:
                return m["result"]
        return None


class StandInDaemon:
    def __init__(
        self,
        plugin_root: Path = PLUGIN_ROOT,
        *,
        python: str = sys.executable,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.plugin_root = plugin_root
        self.python = python
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.manifest: dict[str, Any] | None = None
        self.logs: list[dict[str, Any]] = []
        self.stderr_lines: list[str] = []
        self.stdout_noise: list[str] = []
        self.top_level_errors: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.time_to_ready: float | None = None
        self.peak_rss_bytes: int | None = None
        self._ready = threading.Event()
        self._sessions: dict[str, queue.Queue[Any]] = {}
        self._sessions_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._readers: list[threading.Thread] = []

    # -- life cycle ------------------------------------------------------------------------

    def start(self, timeout: float = READY_TIMEOUT_SECONDS) -> StandInDaemon:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTE_INSTALL")}
        env.update(self.extra_env)
        env["INSTALL_METHOD"] = "local"  # beats a stray .env, as with the real daemon
        env.setdefault("PYTHONUNBUFFERED", "1")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.python, "-m", "main"],
            cwd=self.plugin_root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        atexit.register(self.stop)  # never leave an orphaned plugin spinning after a crash
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True, name="daemon-stdout"),
            threading.Thread(target=self._read_stderr, daemon=True, name="daemon-stderr"),
        ]
        for reader in self._readers:
            reader.start()
        if not self._ready.wait(timeout):
            self.stop()
            tail = "\n".join(self.stderr_lines[-20:])
            raise DaemonError(f"plugin sent no heartbeat within {timeout:g} s; stderr:\n{tail}")
        if self.heartbeats == 0:
            self.stop()
            tail = "\n".join(self.stderr_lines[-20:])
            raise DaemonError(f"plugin exited before its first heartbeat; stderr:\n{tail}")
        self.time_to_ready = time.monotonic() - started
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        process = self.process
        if process is None:
            return None
        self.peak_rss_bytes = _peak_rss(process.pid) or self.peak_rss_bytes
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if process.stdin is not None:
            with contextlib.suppress(OSError):  # a dead plugin leaves a broken pipe
                process.stdin.close()
        # The readers end at EOF once the process is gone; closing a pipe under a reader that
        # is still inside read() is an error ("reentrant call"), so wait for them instead.
        for reader in self._readers:
            reader.join(timeout)
        for stream in (process.stdout, process.stderr):
            if stream is not None and not any(r.is_alive() for r in self._readers):
                stream.close()
        atexit.unregister(self.stop)
        return process.returncode

    def __enter__(self) -> StandInDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- requests --------------------------------------------------------------------------

    def validate_credentials(
        self, credentials: Mapping[str, Any], provider: str = "plivo_sms"
    ) -> SessionResult:
        return self.request(
            {
                "user_id": "stand-in-user",
                "type": "tool",
                "action": "validate_tool_credentials",
                "provider": provider,
                "credentials": dict(credentials),
            }
        )

    def invoke_tool(
        self,
        tool: str,
        parameters: Mapping[str, Any],
        credentials: Mapping[str, Any],
        provider: str = "plivo_sms",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SessionResult:
        return self.request(
            {
                "user_id": "stand-in-user",
                "type": "tool",
                "action": "invoke_tool",
                "provider": provider,
                "tool": tool,
                "credentials": dict(credentials),
                "credential_type": "api-key",
                "tool_parameters": dict(parameters),
            },
            timeout=timeout,
        )

    def request(
        self, data: Mapping[str, Any], timeout: float = SESSION_TIMEOUT_SECONDS
    ) -> SessionResult:
        """Send one request envelope and block until its session ends."""
        session_id = f"stand-in-{next(self._ids)}"
        inbox: queue.Queue[Any] = queue.Queue()
        with self._sessions_lock:
            self._sessions[session_id] = inbox
        envelope = {
            "session_id": session_id,
            "conversation_id": None,
            "message_id": None,
            "app_id": None,
            "endpoint_id": None,
            "context": {},
            "event": "request",
            "data": dict(data),
        }
        result = SessionResult(session_id)
        started = time.monotonic()
        self._write(envelope)
        deadline = started + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DaemonError(f"session {session_id} did not end within {timeout:g} s")
                try:
                    item = inbox.get(timeout=min(remaining, 1.0))
                except queue.Empty:
                    if not self.alive:
                        raise DaemonError(f"plugin exited during session {session_id}") from None
                    continue
                if item is _END:
                    break
                result.raw.append(item)
                kind = item.get("type")
                if kind == "stream":
                    result.messages.append(item.get("data") or {})
                elif kind == "error":
                    result.error = item.get("data") or {}
                elif kind == "invoke":
                    self._refuse_backwards_invocation(session_id, item.get("data") or {})
        finally:
            with self._sessions_lock:
                self._sessions.pop(session_id, None)
        result.elapsed = time.monotonic() - started
        return result

    # -- plumbing --------------------------------------------------------------------------

    def _write(self, obj: Mapping[str, Any]) -> None:
        process = self.process
        if process is None or process.stdin is None:
            raise DaemonError("plugin is not running")
        line = (json.dumps(obj) + "\n").encode()
        with self._write_lock:
            process.stdin.write(line)
            process.stdin.flush()

    def _refuse_backwards_invocation(self, session_id: str, data: Mapping[str, Any]) -> None:
        request_id = data.get("backwards_request_id")
        for event, payload in (("error", None), ("end", None)):
            self._write(
                {
                    "session_id": session_id,
                    "event": "backwards_response",
                    "data": {
                        "backwards_request_id": request_id,
                        "event": event,
                        "message": "the stand-in daemon answers no backwards invocations"
                        if event == "error"
                        else "",
                        "data": payload,
                    },
                }
            )

    def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                self.stdout_noise.append(line)
                continue
            if not isinstance(obj, dict):
                self.stdout_noise.append(line)
                continue
            self._dispatch(obj)
        self._ready.set()  # unblock start() if the process died before its first heartbeat

    def _dispatch(self, obj: dict[str, Any]) -> None:
        event = obj.get("event")
        if event is None and "meta" in obj and "plugins" in obj and self.manifest is None:
            self.manifest = obj
        elif event == "heartbeat":
            self.heartbeats += 1
            self._ready.set()
        elif event == "log":
            self.logs.append(obj.get("data") or {})
        elif event == "error":
            self.top_level_errors.append(obj)
        elif event == "session":
            with self._sessions_lock:
                inbox = self._sessions.get(str(obj.get("session_id")))
            if inbox is None:
                return
            data = obj.get("data") or {}
            inbox.put(_END if data.get("type") == "end" else data)
        else:
            self.stdout_noise.append(json.dumps(obj))

    def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in self.process.stderr:
            self.stderr_lines.append(raw.decode("utf-8", errors="replace").rstrip("\n"))


def _peak_rss(pid: int) -> int | None:
    """VmHWM (peak resident set) from /proc, in bytes; None where /proc is unavailable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
