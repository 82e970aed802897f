"""The stand-in daemon: one plugin process, its stdio sessions and the answers Dify would give.

What the real daemon does for a local install, and where (langgenius/dify-plugin-daemon):

* start ``python -m main`` in the plugin root with ``INSTALL_METHOD=local``; the first heartbeat
  marks the instance ready (``internal/core/local_runtime/``); stdin EOF does not stop the SDK, so
  stopping is SIGTERM;
* one request line per session (``internal/core/session_manager/session.go`` ``Message``): the
  envelope carries ``session_id``, ``conversation_id``, ``message_id``, ``app_id``,
  ``endpoint_id``, ``context``, ``event: "request"`` and ``data`` = ``{user_id, type, action}`` plus
  the action's fields (``internal/core/io_tunnel/mapping.go``);
* the plugin answers with ``session`` lines of type ``stream``, ``invoke``, ``error`` and ``end``;
  the daemon stops listening to a session at ``end`` (``internal/core/io_tunnel/generic.go``), so
  a backwards invocation sent after that is never answered;
* an ``invoke`` is answered with ``backwards_response`` lines whose ``data`` is
  ``{backwards_request_id, event: response|error|end, message, data}``; a refused or failed
  invocation is ``error`` then ``end``; a manifest without the matching permission is refused
  before anything runs (``internal/core/io_tunnel/backwards_invocation/task.go``).

Storage and apps are answered locally (``StandInStorage``, ``StandInApp``); every other
invocation type is refused with an error.
"""

from __future__ import annotations

import atexit
import binascii
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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devtools.daemon.apps import AppCall, StandInApp
from devtools.daemon.backwards import Backwards, BackwardsCall
from devtools.daemon.httpwire import (
    EndpointRequest,
    HeaderInput,
    QueryInput,
    encode_query,
    header_pairs,
    host_of,
    request_body,
    serialize_dify_request,
    serialize_endpoint_request,
)
from devtools.daemon.results import (
    DaemonError,
    EndpointResult,
    SessionResult,
    SubscriptionResult,
    TriggerDispatchResult,
    TriggerEventResult,
    decode_dispatch_session,
    decode_endpoint_session,
)
from devtools.daemon.storage import StandInStorage

logger = logging.getLogger(__name__)

PLUGIN_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 60.0
SESSION_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0
DEFAULT_USER_ID = "stand-in-user"
DEFAULT_HOOK_ID = "0123456789abcdef0123456789abcdef"
DEFAULT_ENDPOINT_ID = "stand-in-endpoint"
DEFAULT_BASE_URL = "http://127.0.0.1:5002"
"""Where the stand-in pretends the daemon's HTTP server listens (Dify's default port)."""
ENDPOINT_USER_ID = ""
"""Endpoint sessions carry no user (``internal/service/endpoint.go`` ``UserID: ""``)."""
_END = object()


class StandInDaemon:
    """Runs one plugin and speaks the daemon's side of the stdio protocol.

    ``storage`` may be shared between instances to keep a plugin's state across restarts;
    ``storage_quota`` overrides the manifest's ``resource.permission.storage.size``. Register
    apps in ``apps`` (``daemon.apps["app-id"] = StandInApp(...)``) before the plugin invokes them.
    Every public method is safe to call from several threads at once.
    """

    def __init__(
        self,
        plugin_root: Path = PLUGIN_ROOT,
        *,
        python: str = sys.executable,
        env: Mapping[str, str] | None = None,
        storage: StandInStorage | None = None,
        storage_quota: int | None = None,
        apps: Mapping[str, StandInApp] | None = None,
        user_id: str = DEFAULT_USER_ID,
    ) -> None:
        self.plugin_root = Path(plugin_root)
        self.python = python
        self.extra_env = dict(env or {})
        self.user_id = user_id
        self._storage_quota = storage_quota
        self.backwards = Backwards(
            storage if storage is not None else StandInStorage(),
            dict(apps or {}),
            self._permitted,
        )
        self.orphans: list[dict[str, Any]] = []  # session lines for sessions no longer open
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
        self._records_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._readers: list[threading.Thread] = []
        self._workers: set[threading.Thread] = set()

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
        if self._storage_quota is not None:
            self.storage.quota = self._storage_quota
        elif self.storage.quota is None:
            self.storage.quota = self._manifest_storage_size()
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
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
        with self._sessions_lock:
            workers = list(self._workers)
        for worker in workers:  # answers still running find a closed pipe and give up
            worker.join(timeout)
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

    @property
    def storage(self) -> StandInStorage:
        """The plugin's storage, shared by every session (inspect or clear it in tests)."""
        return self.backwards.storage

    @storage.setter
    def storage(self, storage: StandInStorage) -> None:
        self.backwards.storage = storage

    @property
    def apps(self) -> dict[str, StandInApp]:
        """Apps the plugin may invoke, by app id; register before the plugin calls them."""
        return self.backwards.apps

    @apps.setter
    def apps(self, apps: dict[str, StandInApp]) -> None:
        self.backwards.apps = apps

    @property
    def app_calls(self) -> list[AppCall]:
        """Every app invocation, in arrival order, with the answer it got."""
        return self.backwards.app_calls

    @property
    def invocations(self) -> list[BackwardsCall]:
        """Every backwards invocation (storage, app, refused ones), in arrival order."""
        return self.backwards.invocations

    # -- tools -----------------------------------------------------------------------------

    def validate_credentials(
        self, credentials: Mapping[str, Any], provider: str = "plivo_sms"
    ) -> SessionResult:
        return self.request(
            {
                "user_id": self.user_id,
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
                "user_id": self.user_id,
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

    # -- endpoints -------------------------------------------------------------------------

    def invoke_endpoint(
        self,
        method: str,
        path: str,
        *,
        headers: HeaderInput | None = None,
        body: bytes | str | None = None,
        form: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        query: QueryInput | None = None,
        settings: Mapping[str, Any] | None = None,
        hook_id: str = DEFAULT_HOOK_ID,
        hook_url: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        endpoint_id: str = DEFAULT_ENDPOINT_ID,
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> EndpointResult:
        """Call the plugin's endpoint as a request to ``{base_url}/e/{hook_id}{path}`` would.

        ``headers`` are what the caller sent (Host defaults to ``base_url``'s); ``form`` is sent
        urlencoded with its Content-Type; ``hook_url`` is a ``Dify-Hook-Url`` header the caller
        (a proxy) already set, which the daemon passes through instead of composing its own;
        ``settings`` are the endpoint's decrypted settings. The daemon's own execution limit
        (``PLUGIN_MAX_EXECUTION_TIMEOUT``, 600 s) and a caller hanging up are not emulated:
        ``timeout`` bounds the wait and raises ``DaemonError``.
        """
        host, tls = host_of(base_url)
        raw_body, content_type = request_body(body, form)
        header_list: list[tuple[str, str]] = []
        for name, value in header_pairs(headers):
            if name.lower() == "host":
                host = value
            else:
                header_list.append((name, value))
        names = {name.lower() for name, _ in header_list}
        if content_type and "content-type" not in names:
            header_list.append(("Content-Type", content_type))
        if raw_body and "content-length" not in names:
            header_list.append(("Content-Length", str(len(raw_body))))
        if hook_url is not None:
            header_list.append(("Dify-Hook-Url", hook_url))
        raw = serialize_endpoint_request(
            EndpointRequest(
                method=method,
                path=path if path.startswith("/") else "/" + path,
                hook_id=hook_id,
                host=host,
                tls=tls,
                raw_query=encode_query(query),
                headers=header_list,
                body=raw_body,
            )
        )
        session = self.request(
            {
                "user_id": ENDPOINT_USER_ID,
                "type": "endpoint",
                "action": "invoke_endpoint",
                "settings": dict(settings or {}),
                "raw_http_request": binascii.hexlify(raw).decode(),
            },
            timeout=timeout,
            envelope={"endpoint_id": endpoint_id, "context": None},
        )
        return decode_endpoint_session(session, raw)

    # -- triggers --------------------------------------------------------------------------

    def dispatch_trigger_event(
        self,
        provider: str,
        *,
        subscription: Mapping[str, Any],
        method: str = "POST",
        path: str | None = None,
        headers: HeaderInput | None = None,
        body: bytes | str | None = None,
        form: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        query: QueryInput | None = None,
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "unauthorized",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> TriggerDispatchResult:
        """A webhook reaching ``subscription["endpoint"]``, as Dify hands it to the trigger.

        The request is serialised the way the Dify API does (Host and the other headers as
        received, path ``/triggers/plugin/<id>`` taken from the endpoint URL unless given).
        """
        endpoint = urlsplit(str(subscription.get("endpoint", "")))
        raw_body, content_type = request_body(body, form)
        header_list = [(name, value) for name, value in header_pairs(headers)]
        names = {name.lower() for name, _ in header_list}
        if "host" not in names:
            header_list.insert(0, ("Host", endpoint.netloc or "localhost"))
        if content_type and "content-type" not in names:
            header_list.append(("Content-Type", content_type))
        if raw_body and "content-length" not in names:
            header_list.append(("Content-Length", str(len(raw_body))))
        raw = serialize_dify_request(
            method,
            path if path is not None else endpoint.path or "/",
            raw_query=encode_query(query),
            headers=header_list,
            body=raw_body,
        )
        session = self.request(
            {
                "user_id": "",
                "type": "trigger",
                "action": "dispatch_trigger_event",
                "provider": provider,
                "subscription": dict(subscription),
                "credentials": dict(credentials or {}),
                "credential_type": credential_type,
                "raw_http_request": binascii.hexlify(raw).decode(),
            },
            timeout=timeout,
        )
        return decode_dispatch_session(session, raw)

    def invoke_trigger_event(
        self,
        provider: str,
        event: str,
        *,
        subscription: Mapping[str, Any],
        request: bytes,
        parameters: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "api-key",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> TriggerEventResult:
        """Run one event of a dispatch (``request`` and ``payload`` from the dispatch result)."""
        session = self.request(
            {
                "user_id": self.user_id,
                "type": "trigger",
                "action": "invoke_trigger_event",
                "provider": provider,
                "event": event,
                "credentials": dict(credentials or {}),
                "credential_type": credential_type,
                "subscription": dict(subscription),
                "raw_http_request": binascii.hexlify(request).decode(),
                "parameters": dict(parameters or {}),
                "payload": dict(payload or {}),
            },
            timeout=timeout,
        )
        result = TriggerEventResult(session=session)
        if session.ok and session.messages:
            data = session.payload
            result.variables = dict(data.get("variables") or {})
            result.cancelled = bool(data.get("cancelled"))
        return result

    def subscribe_trigger(
        self,
        provider: str,
        *,
        endpoint: str,
        parameters: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "api-key",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SubscriptionResult:
        return self._subscription_action(
            "subscribe_trigger",
            provider,
            {"endpoint": endpoint, "parameters": dict(parameters or {})},
            credentials,
            credential_type,
            timeout,
        )

    def unsubscribe_trigger(
        self,
        provider: str,
        *,
        subscription: Mapping[str, Any],
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "api-key",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SubscriptionResult:
        return self._subscription_action(
            "unsubscribe_trigger",
            provider,
            {"subscription": dict(subscription)},
            credentials,
            credential_type,
            timeout,
        )

    def refresh_trigger(
        self,
        provider: str,
        *,
        subscription: Mapping[str, Any],
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "api-key",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SubscriptionResult:
        return self._subscription_action(
            "refresh_trigger",
            provider,
            {"subscription": dict(subscription)},
            credentials,
            credential_type,
            timeout,
        )

    def validate_trigger_credentials(
        self,
        provider: str,
        credentials: Mapping[str, Any],
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SessionResult:
        return self.request(
            {
                "user_id": self.user_id,
                "type": "trigger",
                "action": "validate_trigger_credentials",
                "provider": provider,
                "credentials": dict(credentials),
            },
            timeout=timeout,
        )

    def fetch_parameter_options(
        self,
        provider: str,
        provider_action: str,
        parameter: str,
        *,
        credentials: Mapping[str, Any] | None = None,
        credential_type: str = "api-key",
        timeout: float = SESSION_TIMEOUT_SECONDS,
    ) -> SessionResult:
        """Options of a dynamic-select parameter (``payload["options"]``).

        ``provider_action`` is ``"provider"`` for a trigger's subscription constructor, an event
        name for an event parameter, or a tool name (``dify_plugin/core/plugin_executor.py``
        ``_get_dynamic_parameter_action``; daemon ``pkg/entities/requests/dynamic_select.go``).
        """
        return self.request(
            {
                "user_id": self.user_id,
                "type": "dynamic_parameter",
                "action": "fetch_parameter_options",
                "provider": provider,
                "provider_action": provider_action,
                "parameter": parameter,
                "credentials": dict(credentials or {}),
                "credential_type": credential_type,
            },
            timeout=timeout,
        )

    def _subscription_action(
        self,
        action: str,
        provider: str,
        fields: dict[str, Any],
        credentials: Mapping[str, Any] | None,
        credential_type: str,
        timeout: float,
    ) -> SubscriptionResult:
        session = self.request(
            {
                "user_id": self.user_id,
                "type": "trigger",
                "action": action,
                "provider": provider,
                "credentials": dict(credentials or {}),
                "credential_type": credential_type,
                **fields,
            },
            timeout=timeout,
        )
        result = SubscriptionResult(session=session)
        if session.ok and session.messages:
            result.subscription = dict(session.payload.get("subscription") or {})
        return result

    # -- sessions --------------------------------------------------------------------------

    def request(
        self,
        data: Mapping[str, Any],
        timeout: float = SESSION_TIMEOUT_SECONDS,
        *,
        envelope: Mapping[str, Any] | None = None,
    ) -> SessionResult:
        """Send one request envelope and block until its session ends.

        Backwards invocations arriving meanwhile are answered on worker threads, so a session
        may have several in flight, as with the real daemon.
        """
        session_id = f"stand-in-{next(self._ids)}"
        inbox: queue.Queue[Any] = queue.Queue()
        frame: dict[str, Any] = {
            "session_id": session_id,
            "conversation_id": None,
            "message_id": None,
            "app_id": None,
            "endpoint_id": None,
            "context": {},
        }
        frame.update(envelope or {})
        with self._sessions_lock:
            self._sessions[session_id] = inbox
        user_id = str(data.get("user_id", ""))
        result = SessionResult(session_id)
        started = time.monotonic()
        self._write({**frame, "event": "request", "data": dict(data)})
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
                    result.arrivals.append(time.monotonic() - started)
                elif kind == "error":
                    result.error = item.get("data") or {}
                elif kind == "invoke":
                    self._start_worker(frame, user_id, item.get("data") or {})
        finally:
            with self._sessions_lock:
                self._sessions.pop(session_id, None)
        result.elapsed = time.monotonic() - started
        return result

    # -- backwards invocations -------------------------------------------------------------

    def _start_worker(self, frame: dict[str, Any], user_id: str, invoke: dict[str, Any]) -> None:
        worker = threading.Thread(target=self._answer, args=(frame, user_id, invoke), daemon=True)
        with self._sessions_lock:
            self._workers.add(worker)
        worker.start()

    def _answer(self, frame: dict[str, Any], user_id: str, invoke: dict[str, Any]) -> None:
        request_id = str(invoke.get("backwards_request_id", ""))
        try:
            for reply in self.backwards.answer(str(frame["session_id"]), user_id, invoke):
                self._backwards(frame, request_id, reply.event, reply.message, reply.data)
        except Exception:  # a worker must never die silently: the plugin would wait 250 s
            logger.exception("answering a backwards invocation failed")
        finally:
            with self._sessions_lock:
                self._workers.discard(threading.current_thread())

    def _permitted(self, name: str) -> bool:
        resource = (self.manifest or {}).get("resource") or {}
        permission = (resource.get("permission") or {}).get(name) or {}
        return bool(permission.get("enabled"))

    def _manifest_storage_size(self) -> int | None:
        resource = (self.manifest or {}).get("resource") or {}
        storage = (resource.get("permission") or {}).get("storage") or {}
        size = storage.get("size")
        return int(size) if isinstance(size, int) else None

    def _backwards(
        self, frame: dict[str, Any], request_id: str, event: str, message: str, data: Any
    ) -> None:
        """One ``backwards_response`` line, framed like the session's request."""
        try:
            self._write(
                {
                    **frame,
                    "event": "backwards_response",
                    "data": {
                        "backwards_request_id": request_id,
                        "event": event,
                        "message": message,
                        "data": data,
                    },
                }
            )
        except (OSError, ValueError, DaemonError):  # the plugin is gone; nobody waits any more
            logger.debug("backwards response for %s dropped: plugin stopped", frame["session_id"])

    # -- plumbing --------------------------------------------------------------------------

    def _write(self, obj: Mapping[str, Any]) -> None:
        process = self.process
        if process is None or process.stdin is None:
            raise DaemonError("plugin is not running")
        line = (json.dumps(obj) + "\n").encode()
        with self._write_lock:
            process.stdin.write(line)
            process.stdin.flush()

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
                with self._records_lock:
                    self.orphans.append(obj)
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
