"""Fault injection: scripted misbehaviour for the next matching request(s).

Faults are checked before normal handling, in the order they were injected; the first one whose
``method`` and ``path`` (a regex, ``re.search`` against the URL path) match is used, and consumed
after ``times`` uses. What each ``action`` does, and whether the request still has its normal
effect (a message is created) — which is what makes "outcome unknown" testable:

    respond          answer ``status`` (default 500) with ``body``; no effect. With ``status=None``
                     the request is handled normally (use it with ``delay`` for a slow answer that
                     still creates the message, or with ``headers`` to add headers).
    html             a proxy's HTML error page, status default 502; no effect.
    malformed_json   normal handling, then the body is replaced by invalid JSON (status kept
                     unless ``status`` is given). The message is created.
    truncated_json   normal handling, then the JSON body is cut in half (a well-framed response
                     whose JSON does not parse). The message is created.
    drop_before_body close the connection without reading the body or answering; no effect.
    drop_after_body  read the body, handle it normally, then close without answering. The message
                     is created: Plivo got it, the client cannot know.

``side_effects=True/False`` overrides whether normal handling runs (e.g. a 500 after sending).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Literal, get_args

FaultAction = Literal[
    "respond", "drop_before_body", "drop_after_body", "malformed_json", "truncated_json", "html"
]
FAULT_ACTIONS: tuple[str, ...] = get_args(FaultAction)
_PROCESSING_ACTIONS = ("drop_after_body", "malformed_json", "truncated_json")

# Default ``error`` texts, in the style of Plivo's error bodies.
DEFAULT_ERRORS = {
    400: "invalid_parameter",
    401: "authentication_failed",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    422: "unprocessable entity",
    429: "rate_limit_exceeded",
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}


class DropConnection(Exception):
    """Raised by the app: the transport closes the socket without writing a response."""


@dataclass
class Fault:
    method: str | None = None
    path: str | None = None
    status: int | None = None
    body: bytes | str | dict[str, object] | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int = 1
    action: FaultAction = "respond"
    side_effects: bool | None = None

    def __post_init__(self) -> None:
        if self.action not in FAULT_ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; use one of {FAULT_ACTIONS}")
        if self.times < 1:
            raise ValueError("Fault.times must be at least 1")
        if self.path is not None:
            re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    @property
    def processes_request(self) -> bool:
        """Whether the request still has its normal effect (see the module docstring)."""
        if self.side_effects is not None:
            return self.side_effects
        if self.action == "respond":
            return self.status is None
        return self.action in _PROCESSING_ACTIONS

    @classmethod
    def plivo_error(
        cls,
        status: int,
        error_text: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """A Plivo-shaped error answer ``{"api_id": <fresh>, "error": error_text}``."""
        text = error_text if error_text is not None else DEFAULT_ERRORS.get(status, "error")
        return cls(
            method=method,
            path=path,
            status=status,
            body={"error": text},
            headers=dict(headers or {}),
            delay=delay,
            times=times,
        )

    @classmethod
    def rate_limited(
        cls,
        retry_after: float | None = 1,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
    ) -> Fault:
        """A 429; with ``Retry-After`` unless ``retry_after`` is None (Plivo documents none)."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        return cls.plivo_error(429, method=method, path=path, times=times, headers=headers)


def fault_body(fault: Fault, api_id: str) -> tuple[bytes, str]:
    """(body, content type) for a ``respond`` fault; dicts get a fresh ``api_id``."""
    status = fault.status or 500
    body = fault.body
    if body is None:
        body = {"error": DEFAULT_ERRORS.get(status, "error")}
    if isinstance(body, dict):
        payload = {"api_id": api_id, **body}
        return json.dumps(payload).encode(), fault.content_type or "application/json"
    raw = body.encode() if isinstance(body, str) else body
    return raw, fault.content_type or "application/json"


@dataclass
class _Entry:
    fault: Fault
    remaining: int


class FaultQueue:
    """Thread-safe ordered faults with their remaining use counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._entries.append(_Entry(fault, fault.times))

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for entry in self._entries:
                if entry.fault.matches(method, path):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                    return entry.fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [entry.fault for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
