"""A stand-in for the Dify plugin daemon's public endpoint route, over real HTTP (dev tooling only).

The daemon serves every enabled endpoint at ``{base}/e/{hook_id}{path}``, hands the request to the
plugin (``invoke_endpoint``, the raw request hex-encoded, with ``Dify-Hook-Id`` and
``Dify-Hook-Url`` added) and relays the plugin's answer; when the caller hangs up, the daemon
closes the plugin session, so the plugin's later storage and app calls are never answered
(``internal/service/endpoint.go`` and ``internal/core/io_tunnel`` in
https://github.com/langgenius/dify-plugin-daemon).

``DifyEndpointFront`` does the same in front of a :class:`~devtools.daemon.StandInDaemon`, so the
Plivo sandbox can send its signed webhooks, with Plivo's timeout and retries, to an endpoint URL::

    with DifyEndpointFront(daemon) as front:
        url = front.enable(settings) + "/sms/inbound"      # what Dify shows the user
        sandbox.send_inbound_sms(url, from_number=..., to_number=..., text="hi")

``session_timeout`` plays the caller hanging up: a plugin session still running after that many
seconds is abandoned as the daemon abandons it (the caller gets 504 from the front, as it would
have given up anyway).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from devtools.daemon import DaemonError, EndpointResult, StandInDaemon

logger = logging.getLogger(__name__)

ROUTE_PREFIX = "/e/"
DEFAULT_SESSION_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
# Hop-by-hop headers and those Go's server writes itself are not copied from the plugin's answer.
_NOT_RELAYED = frozenset({"content-length", "transfer-encoding", "connection", "date"})


@dataclass(frozen=True)
class Call:
    """One request the front received and what it answered (status None: abandoned)."""

    hook_id: str
    method: str
    path: str
    status: int | None
    result: EndpointResult | None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("endpoint front %s %s", self.requestline, code)


class DifyEndpointFront:
    """Dify's ``/e/<hook_id>/...`` route for one plugin under the stand-in daemon."""

    def __init__(
        self,
        daemon: StandInDaemon,
        *,
        host: str = "127.0.0.1",
        session_timeout: float = DEFAULT_SESSION_TIMEOUT_SECONDS,
    ) -> None:
        self.daemon = daemon
        self.host = host
        self.session_timeout = session_timeout
        self._settings: dict[str, dict[str, Any]] = {}
        self._calls: list[Call] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> DifyEndpointFront:
        self._server = make_server(
            self.host, 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="dify-endpoint-front"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
        self._server = self._thread = None

    def __enter__(self) -> DifyEndpointFront:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the endpoint front is not started")
        return f"http://{self.host}:{self._server.server_port}"

    # -- endpoints -------------------------------------------------------------------------

    def enable(self, settings: Mapping[str, Any], hook_id: str | None = None) -> str:
        """Enable an endpoint with ``settings``; returns its base URL ``{url}/e/{hook_id}``."""
        hook = hook_id or secrets.token_hex(16)
        with self._lock:
            self._settings[hook] = dict(settings)
        return f"{self.url}{ROUTE_PREFIX}{hook}"

    def update(self, hook_id: str, settings: Mapping[str, Any]) -> None:
        with self._lock:
            self._settings[hook_id] = dict(settings)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    # -- serving ---------------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self._handle(Request(environ))
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        rest = request.path.removeprefix(ROUTE_PREFIX)
        hook_id, _, path = rest.partition("/")
        with self._lock:
            settings = self._settings.get(hook_id)
        if not request.path.startswith(ROUTE_PREFIX) or settings is None:
            return Response("endpoint not found", status=404)
        headers = [(name, value) for name, value in request.headers.items()]
        try:
            result = self.daemon.invoke_endpoint(
                request.method,
                "/" + path,
                headers=headers,
                body=request.get_data(),
                query=request.query_string.decode("latin-1"),
                settings=settings,
                hook_id=hook_id,
                base_url=self.url,
                timeout=self.session_timeout,
            )
        except DaemonError:
            self._record(Call(hook_id, request.method, "/" + path, None, None))
            return Response("the plugin did not answer in time", status=504)
        self._record(Call(hook_id, request.method, "/" + path, result.status, result))
        relayed = {k: v for k, v in result.headers.items() if k.lower() not in _NOT_RELAYED}
        return Response(result.body, status=result.status, headers=relayed)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)


__all__ = ["DEFAULT_SESSION_TIMEOUT_SECONDS", "Call", "DifyEndpointFront"]
