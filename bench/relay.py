"""A TCP relay that delays every byte by half a round-trip time in each direction.

Why not netem: emulating RTT with ``tc qdisc ... netem`` needs root, a network namespace and a
kernel built with ``sch_netem``; this relay needs none of them, so ``make bench`` measures the
same thing on every machine. What it emulates, for a round-trip time ``R``:

* every chunk read from one side is written to the other ``R/2`` after it arrived, chunks in
  order and overlapping in flight (a delay line, not a queue that serialises the delays);
* the TCP handshake: a client's ``connect()`` returns at once on loopback, so its first bytes
  reach the server no earlier than ``1.5 R`` after the connection was accepted (SYN, SYN-ACK,
  then the data), and the server's first bytes reach the client no earlier than ``R``. A new
  connection therefore costs one extra round trip, as on a real network, and TLS adds its own
  round trips because its handshake messages pass through the same delay line.

Not emulated: bandwidth, loss, slow start. Each connection uses four short-lived threads. The
relay's own sockets neither hold back small writes (``TCP_NODELAY``) nor delay their ACKs
(``TCP_QUICKACK``), so it adds no stall of its own beyond the emulated delay.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CHUNK_BYTES = 65536
ACCEPT_BACKLOG = 128
UPSTREAM_CONNECT_TIMEOUT = 5.0
HANDSHAKE_CLIENT_FIRST_RTTS = 1.5  # SYN, SYN-ACK, then the first data byte
HANDSHAKE_SERVER_FIRST_RTTS = 1.0  # SYN, then the first byte back
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@dataclass(frozen=True)
class _Chunk:
    due: float
    data: bytes  # b"" marks end of stream


class _Pipe:
    """One direction of one connection: a reader that stamps chunks and a writer that waits."""

    def __init__(self, source: socket.socket, sink: socket.socket, delay: float, floor: float):
        self._source, self._sink = source, sink
        self._delay, self._floor = delay, floor
        self._chunks: queue.Queue[_Chunk] = queue.Queue()
        self.done = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True, name="relay-read").start()
        threading.Thread(target=self._write, daemon=True, name="relay-write").start()

    def _read(self) -> None:
        while True:
            try:
                data = self._source.recv(CHUNK_BYTES)
            except OSError:
                data = b""
            if data and _QUICKACK is not None:
                # Acknowledge at once: a delayed ACK would let the sender's Nagle algorithm
                # hold its next small write for up to 40 ms, a stall no real network adds here.
                with contextlib.suppress(OSError):
                    self._source.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            due = max(time.monotonic() + self._delay, self._floor)
            self._chunks.put(_Chunk(due, data))
            if not data:
                return

    def _write(self) -> None:
        try:
            while True:
                chunk = self._chunks.get()
                wait = chunk.due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not chunk.data:
                    with contextlib.suppress(OSError):
                        self._sink.shutdown(socket.SHUT_WR)
                    return
                self._sink.sendall(chunk.data)
        except OSError as error:
            logger.debug("relay pipe ended: %s", error)
            for sock in (self._source, self._sink):  # unblock the other direction too
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        finally:
            self.done.set()


class DelayRelay:
    def __init__(self, upstream_port: int, rtt: float, host: str = "127.0.0.1") -> None:
        self.host = host
        self.upstream = (host, upstream_port)
        self.rtt = rtt
        self._listener = socket.create_server((host, 0), backlog=ACCEPT_BACKLOG)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def start(self) -> DelayRelay:
        threading.Thread(target=self._accept_loop, daemon=True, name="relay-accept").start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            accepted = time.monotonic()
            threading.Thread(
                target=self._serve, args=(client, accepted), daemon=True, name="relay-conn"
            ).start()

    def _serve(self, client: socket.socket, accepted: float) -> None:
        try:
            server = socket.create_connection(self.upstream, timeout=UPSTREAM_CONNECT_TIMEOUT)
        except OSError as error:
            logger.warning("relay could not reach %s: %s", self.upstream, error)
            client.close()
            return
        server.settimeout(None)
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._open.update((client, server))
        half = self.rtt / 2
        pipes = (
            _Pipe(client, server, half, accepted + HANDSHAKE_CLIENT_FIRST_RTTS * self.rtt),
            _Pipe(server, client, half, accepted + HANDSHAKE_SERVER_FIRST_RTTS * self.rtt),
        )
        for pipe in pipes:
            pipe.start()
        for pipe in pipes:
            pipe.done.wait()
        with self._lock:
            self._open.difference_update((client, server))
        client.close()
        server.close()
