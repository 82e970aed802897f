"""What a session produced, and the decoded forms endpoint and trigger callers want."""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from devtools.daemon.httpwire import HttpResponse, go_canonical_header_key, parse_http_response

GO_STATUS_CONTINUE = 100
"""``io_tunnel.InvokeEndpoint`` starts from ``http.StatusContinue`` until a chunk sets a status."""


class DaemonError(RuntimeError):
    pass


@dataclass
class SessionResult:
    """Everything one session produced, in arrival order."""

    session_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # the ``stream`` payloads
    error: dict[str, Any] | None = None  # {"error_type", "message", "args"}
    raw: list[dict[str, Any]] = field(default_factory=list)  # every session line as received
    arrivals: list[float] = field(default_factory=list)  # seconds after the request, per message
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

    @property
    def payload(self) -> dict[str, Any]:
        """The one stream message of an action that returns a single object (trigger actions)."""
        if len(self.messages) != 1:
            count = len(self.messages)
            raise AssertionError(f"expected one stream message, got {count}: {self.raw}")
        return self.messages[0]

    @property
    def error_message(self) -> str | None:
        return None if self.error is None else str(self.error.get("message", ""))


@dataclass(frozen=True)
class EndpointResult(HttpResponse):
    """The HTTP answer the daemon gives the endpoint's caller.

    Decoded as ``internal/core/io_tunnel/endpoint_service.go`` and ``internal/service/endpoint.go``
    do: status and headers come from the chunks up to the first one carrying a body (later
    headers are ignored); only the first value of each header name is copied; every body chunk is
    hex-decoded. A session error before the first body chunk becomes the daemon's HTTP 500 JSON;
    an error after it is appended to the body. ``headers`` are those the daemon copies from the
    plugin, not the ones Go's HTTP server adds (Date, Content-Length).
    """

    session: SessionResult = field(default_factory=lambda: SessionResult(""))
    chunks: list[bytes] = field(default_factory=list)
    first_body_after: float | None = None  # seconds from the request to the first body bytes
    request: bytes = b""  # the raw HTTP request the plugin received (before hex)

    @property
    def elapsed(self) -> float:
        return self.session.elapsed


def decode_endpoint_session(session: SessionResult, request: bytes) -> EndpointResult:
    status = GO_STATUS_CONTINUE
    collected: dict[str, list[str]] = {}
    chunks: list[bytes] = []
    first_at: float | None = None
    for message, at in zip(session.messages, session.arrivals, strict=True):
        if first_at is None:
            if message.get("status") is not None:
                status = int(message["status"])
            for key, value in (message.get("headers") or {}).items():
                collected.setdefault(go_canonical_header_key(str(key)), []).append(str(value))
        result = message.get("result")
        if result is not None:
            chunks.append(binascii.unhexlify(result))
            if first_at is None:
                first_at = at
    body = b"".join(chunks)
    if session.error is not None:
        plugin_error = _go_json(
            {
                "args": session.error.get("args"),
                "error_type": session.error.get("error_type"),
                "message": session.error.get("message"),
            }
        )
        if first_at is None:
            status, collected = 500, {"Content-Type": ["application/json; charset=utf-8"]}
            body = daemon_error_body(plugin_error).encode()
        else:
            body += plugin_error.encode()
    return EndpointResult(
        status=status,
        headers={key: values[0] for key, values in collected.items() if values},
        body=body,
        session=session,
        chunks=chunks,
        first_body_after=first_at,
        request=request,
    )


def daemon_error_body(message: str) -> str:
    """``exception.InternalServerError(err).ToResponse()`` as gin writes it."""
    inner = _go_json(
        {"message": message, "error_type": "PluginDaemonInternalServerError", "args": None}
    )
    return _go_json({"code": -500, "message": inner, "data": None})


def _go_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class TriggerDispatchResult:
    """``dispatch_trigger_event``: the events to run and the answer for the webhook's caller."""

    session: SessionResult
    request: bytes  # the raw request the plugin parsed; pass it on to invoke_trigger_event
    user_id: str = ""
    events: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse | None = None

    @property
    def ok(self) -> bool:
        return self.session.ok

    @property
    def error(self) -> dict[str, Any] | None:
        return self.session.error


def decode_dispatch_session(session: SessionResult, request: bytes) -> TriggerDispatchResult:
    result = TriggerDispatchResult(session=session, request=request)
    if not session.ok or not session.messages:
        return result
    data = session.payload
    result.user_id = str(data.get("user_id", ""))
    result.events = [str(event) for event in data.get("events") or []]
    result.payload = dict(data.get("payload") or {})
    result.response = parse_http_response(binascii.unhexlify(data["response"]))
    return result


@dataclass
class TriggerEventResult:
    """``invoke_trigger_event``: the workflow variables, or ``cancelled`` (EventIgnoreError)."""

    session: SessionResult
    variables: dict[str, Any] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.session.ok

    @property
    def error(self) -> dict[str, Any] | None:
        return self.session.error


@dataclass
class SubscriptionResult:
    """``subscribe_trigger`` / ``refresh_trigger`` (a Subscription) and ``unsubscribe_trigger``
    (an UnsubscribeResult: ``success``, ``message``), all under the wire key ``subscription``."""

    session: SessionResult
    subscription: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.session.ok

    @property
    def error(self) -> dict[str, Any] | None:
        return self.session.error
