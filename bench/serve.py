"""The sandbox and the delay relay, each in a process of its own.

Out of process so that the server's and the relay's threads never compete for the benchmark
process's GIL: an in-process client (core or SDK) is then timed alone, and ``time.process_time``
counts only the client's CPU. Each child prints one JSON line (its port) and serves until its
stdin closes.

    python -m bench.serve sandbox CERT KEY
    python -m bench.serve relay UPSTREAM_PORT RTT_SECONDS
"""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import requests

from devtools.daemon import PLUGIN_ROOT
from devtools.sandbox import PlivoSandbox, RemoteSandbox
from devtools.sandbox.messages import Timeline

logger = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


class ServerProcess:
    """A child running ``bench.serve``; ``port`` is what it printed when ready."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", *args],
            cwd=PLUGIN_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], READY_TIMEOUT_SECONDS)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError(f"bench.serve {args[0]} did not start; see {log_path}")
        self.port = int(json.loads(line)["port"])

    def stop(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()  # the child's signal to stop
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_SECONDS)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


class SandboxProcess(ServerProcess):
    """The Plivo sandbox over HTTPS, inspected through its control API."""

    def __init__(self, cert: Path, key: Path, log_path: Path) -> None:
        super().__init__(["sandbox", str(cert), str(key)], log_path)
        self.url = f"https://127.0.0.1:{self.port}"
        session = requests.Session()
        session.verify = str(cert)
        session.trust_env = False  # never a proxy, whatever the environment says
        self.control = RemoteSandbox(self.url, session)

    def connections_opened(self) -> int:
        return int(self.control.health()["connections_opened"])

    def requests_seen(self) -> list[dict[str, Any]]:
        return self.control.requests()

    def reset(self) -> None:
        self.control.reset()

    def stop(self) -> None:
        self.control.close()
        super().stop()


def _serve_until_stdin_closes(port: int) -> None:
    sys.stdout.write(json.dumps({"port": port}) + "\n")
    sys.stdout.flush()
    while sys.stdin.buffer.read(4096):
        pass


class _NoDelayContext(ssl.SSLContext):
    """Disables Nagle's algorithm on every socket the sandbox serves, as production servers do.

    The sandbox writes a response's headers and body with separate writes and leaves Nagle on.
    Measured here: the first answer on every *new* TLS connection then stalls about 40 ms (Nagle
    waiting for a delayed ACK) while reused connections do not, so the stall would have been
    charged to the SDK's connection-per-call pattern alone. ``SSLSocket.accept`` passes every
    accepted socket through ``wrap_socket``, which makes this the one public hook.
    """

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().wrap_socket(sock, *args, **kwargs)


def _sandbox(cert: str, key: str) -> None:
    from devtools.tls import Certificate

    context = Certificate(Path(cert), Path(key), "").server_context(_NoDelayContext)
    # Messages never leave "queued" during a run; nothing here polls delivery.
    with PlivoSandbox(ssl_context=context, timeline=Timeline(3600.0, 3600.0)) as sandbox:
        _serve_until_stdin_closes(sandbox.port)


def _relay(upstream_port: str, rtt: str) -> None:
    from bench.relay import DelayRelay

    relay = DelayRelay(int(upstream_port), float(rtt)).start()
    try:
        _serve_until_stdin_closes(relay.port)
    finally:
        relay.stop()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=os.environ.get("BENCH_SERVE_LOG_LEVEL", "WARNING"))
    kinds = {"sandbox": _sandbox, "relay": _relay}
    if len(argv) != 3 or argv[0] not in kinds:
        sys.stderr.write(__doc__ or "")
        return 2
    kinds[argv[0]](*argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
