"""The request log: every Plivo API request the sandbox saw, in arrival order.

Tests assert on it (what did the client actually send, with which credentials, on which
connection); the control API serves it to other processes. Control-API calls are not logged.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedRequest:
    """One request. ``account`` is the Auth ID whose credentials were valid, else None.

    ``headers`` keys are in werkzeug's canonical case (``Authorization``, ``Content-Type``).
    ``body`` is empty when a ``drop_before_body`` fault closed the connection unread.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: object | None
    form: dict[str, str]
    account: str | None
    connection_id: int
    time: float

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body.decode("utf-8", errors="replace"),
            "json": self.json,
            "form": self.form,
            "account": self.account,
            "connection_id": self.connection_id,
            "time": self.time,
        }


class RequestLog:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._requests: list[RecordedRequest] = []

    def record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def snapshot(self) -> list[RecordedRequest]:
        with self._changed:
            return list(self._requests)

    def clear(self) -> None:
        with self._changed:
            self._requests.clear()

    def wait_for(self, count: int, timeout: float) -> list[RecordedRequest]:
        """Block until at least ``count`` requests are logged; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"sandbox saw {len(self._requests)} requests, expected {count} "
                        f"within {timeout} s"
                    )
                self._changed.wait(remaining)
            return list(self._requests)
