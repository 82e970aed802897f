"""The control API under ``/__sandbox__/``: inspect and steer a sandbox in another process.

Used by the demo and the benchmarks, which run the sandbox as ``python -m devtools.sandbox``.
No authentication (the sandbox listens on 127.0.0.1); these calls are never logged or faulted.

    GET    /__sandbox__/            health: counters
    GET    /__sandbox__/requests    the request log            DELETE: clear it
    POST   /__sandbox__/faults      inject one fault (JSON object) or several (JSON list)
    GET    /__sandbox__/faults      pending faults              DELETE: clear them
    GET    /__sandbox__/messages    every stored message, with its current state and text
    POST   /__sandbox__/messages    seed a message (fields of ``PlivoSandbox.add_message``)
    POST   /__sandbox__/reset       forget requests, faults, messages and custom prices
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from devtools.sandbox.faults import Fault, FaultQueue
from devtools.sandbox.reqlog import RequestLog
from devtools.sandbox.state import SandboxState

CONTROL_PREFIX = "/__sandbox__/"


def _json(status: int, payload: object) -> Response:
    return Response(json.dumps(payload), status, mimetype="application/json")


class ControlApi:
    def __init__(
        self,
        state: SandboxState,
        faults: FaultQueue,
        log: RequestLog,
        connections_opened: Callable[[], int],
    ) -> None:
        self.state = state
        self.faults = faults
        self.log = log
        self.connections_opened = connections_opened

    def dispatch(self, request: Request) -> Response:
        name = request.path.removeprefix(CONTROL_PREFIX[:-1]).strip("/")
        routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", ""): self.health,
            ("GET", "requests"): self.requests,
            ("DELETE", "requests"): self.clear_requests,
            ("GET", "faults"): self.list_faults,
            ("POST", "faults"): self.add_faults,
            ("DELETE", "faults"): self.clear_faults,
            ("GET", "messages"): self.messages,
            ("POST", "messages"): self.add_message,
            ("POST", "reset"): self.reset,
        }
        handler = routes.get((request.method, name))
        if handler is None:
            known = any(path == name for _, path in routes)
            return _json(405 if known else 404, {"error": "unknown control call"})
        try:
            return handler(request)
        except (ValueError, TypeError) as error:
            return _json(400, {"error": str(error)})

    def health(self, request: Request) -> Response:
        return _json(
            200,
            {
                "status": "ok",
                "connections_opened": self.connections_opened(),
                "requests": len(self.log.snapshot()),
                "pending_faults": len(self.faults.pending()),
                "messages": len(self.state.messages()),
            },
        )

    def requests(self, request: Request) -> Response:
        return _json(
            200,
            {
                "connections_opened": self.connections_opened(),
                "requests": [r.to_json() for r in self.log.snapshot()],
            },
        )

    def clear_requests(self, request: Request) -> Response:
        self.log.clear()
        return _json(200, {"cleared": "requests"})

    def list_faults(self, request: Request) -> Response:
        return _json(200, {"faults": [f.to_dict() for f in self.faults.pending()]})

    def add_faults(self, request: Request) -> Response:
        payload = json.loads(request.get_data() or b"null")
        items = payload if isinstance(payload, list) else [payload]
        if not all(isinstance(item, dict) for item in items):
            raise TypeError("send a fault object or a list of fault objects")
        for fault in [Fault.from_dict(item) for item in items]:
            self.faults.add(fault)
        return _json(201, {"pending_faults": len(self.faults.pending())})

    def clear_faults(self, request: Request) -> Response:
        self.faults.clear()
        return _json(200, {"cleared": "faults"})

    def messages(self, request: Request) -> Response:
        now, timeline = time.time(), self.state.timeline
        listing = [
            {**m.to_mdr(now=now, timeline=timeline, api_id=None), "text": m.text}
            for m in self.state.messages().values()
        ]
        return _json(200, {"messages": listing})

    def add_message(self, request: Request) -> Response:
        fields = json.loads(request.get_data() or b"{}")
        if not isinstance(fields, dict):
            raise TypeError("send the message fields as a JSON object")
        message = self.state.seed_message(**fields)
        return _json(201, {"message_uuid": message.message_uuid})

    def reset(self, request: Request) -> Response:
        self.state.reset()
        self.faults.clear()
        self.log.clear()
        return _json(200, {"cleared": "everything"})
