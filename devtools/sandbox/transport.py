"""HTTP/1.1 transport on werkzeug's threaded server, with keep-alive and dropped connections.

werkzeug's own request handler answers every request with ``Connection: close``, so a client's
connection pool would never be exercised. This handler writes complete responses with a
``Content-Length``, drains unread request bodies, and keeps the connection open, which lets tests
prove that the plugin reuses one connection. It also implements the "drop" faults: when the app
raises ``DropConnection`` nothing is written and the socket is closed — the client sees a reset
or ``RemoteDisconnected``, as with a real network failure.

Connections are counted and tracked here, so ``stop()`` can close idle keep-alive connections
instead of waiting for clients to hang up.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import IO, Any, cast

from werkzeug.exceptions import ClientDisconnected
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from devtools.sandbox.faults import DropConnection

logger = logging.getLogger("devtools.sandbox")

CONNECTION_ID_KEY = "sandbox.connection_id"
KEEPALIVE_IDLE_TIMEOUT = 60.0
_NO_BODY_STATUSES = frozenset({204, 304})
_HOP_BY_HOP = frozenset({"content-length", "connection", "transfer-encoding", "keep-alive"})
_INTERNAL_ERROR = b'{"api_id": null, "error": "internal server error"}'


class ConnectionTracker:
    """Counts accepted connections and remembers the open ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened = 0
        self._open: dict[int, socket.socket] = {}

    @property
    def opened(self) -> int:
        with self._lock:
            return self._opened

    def register(self, connection: socket.socket) -> int:
        with self._lock:
            self._opened += 1
            self._open[self._opened] = connection
            return self._opened

    def forget(self, connection_id: int) -> None:
        with self._lock:
            self._open.pop(connection_id, None)

    def close_all(self) -> None:
        """Wake every handler blocked on an idle keep-alive connection."""
        with self._lock:
            connections = list(self._open.values())
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


def _drain(stream: IO[bytes]) -> None:
    """Read what the app left unread, so the next request on this connection parses cleanly."""
    if isinstance(stream, LimitedStream):
        stream.exhaust()
        return
    while stream.read(65536):
        pass


class KeepAliveRequestHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = KEEPALIVE_IDLE_TIMEOUT
    server: SandboxServer
    connection_id = 0

    def setup(self) -> None:
        super().setup()
        # Without TCP_NODELAY, Nagle's algorithm holds the first answer on a new connection for
        # ~40 ms (until the client's delayed ACK): it would punish fresh connections unfairly.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection_id = self.server.tracker.register(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.tracker.forget(self.connection_id)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError as error:
            # The peer went away, or stop() shut the socket (under gevent that surfaces as
            # EBADF "closed in another greenlet"): either way the connection is simply over.
            logger.debug("connection %s ended: %s", self.connection_id, error)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        environ[CONNECTION_ID_KEY] = self.connection_id
        if not environ.get("wsgi.input_terminated"):  # chunked bodies are already wrapped
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length, self.close_connection = 0, True
            environ["wsgi.input"] = LimitedStream(cast(IO[bytes], self.rfile), max(length, 0))
            environ["wsgi.input_terminated"] = True
        try:
            status, headers, body = _call_app(self.server.app, environ)
        except (DropConnection, ClientDisconnected) as reason:
            logger.debug("closing connection %s unanswered: %r", self.connection_id, reason)
            self.close_connection = True
            return
        except Exception:
            logger.exception("sandbox failed on %s %s", self.command, self.path)
            status, headers, body = "500 INTERNAL SERVER ERROR", [], _INTERNAL_ERROR
            headers.append(("Content-Type", "application/json"))
            self.close_connection = True
        try:
            _drain(environ["wsgi.input"])
        except (OSError, ValueError):
            self.close_connection = True
        self._write(status, headers, body)

    def _write(self, status: str, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        if int(code) not in _NO_BODY_STATUSES:  # RFC 9110: no Content-Length on a 204 or 304
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and int(code) not in _NO_BODY_STATUSES:
            self.wfile.write(body)
        self.wfile.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("%s %s -> %s", self.command, self.path, code)

    def log_error(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


def _call_app(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion; the sandbox's answers are small, so buffering is fine."""
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], None]:
        started["status"], started["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return started["status"], list(started["headers"]), b"".join(chunks)


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bind here rather than in werkzeug, which calls ``sys.exit`` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


class SandboxServer(ThreadedWSGIServer):
    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[..., Iterable[bytes]],
        tracker: ConnectionTracker,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.tracker = tracker
        self._stopping = threading.Event()
        self._adopted = False
        listener = _listening_socket(host, port)
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(
                host,
                port,
                app,
                handler=KeepAliveRequestHandler,
                ssl_context=ssl_context,
                fd=listener.fileno(),
            )
        except BaseException:
            self._close_wake_pair()
            raise
        finally:
            listener.close()  # werkzeug keeps its own duplicate of the descriptor
        self._adopted = True

    def serve(self) -> None:
        """Accept connections until ``stop_serving``; unlike ``serve_forever`` it stops at once.

        ``serve_forever`` only notices a shutdown at its next poll, which made every test
        teardown wait; a self-pipe wakes this loop immediately instead.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopping.is_set():
                        # socketserver's own accept-and-dispatch step, as serve_forever uses it
                        self._handle_request_noblock()  # type: ignore[attr-defined]

    def stop_serving(self) -> None:
        self._stopping.set()
        self._wake_writer.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        if self._adopted:  # werkzeug also calls this while adopting the listening socket
            self._close_wake_pair()

    def _close_wake_pair(self) -> None:
        self._wake_reader.close()
        self._wake_writer.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.exception("sandbox connection from %s failed", client_address)
