"""The control API under ``/__sandbox__/``: read a sandbox running in another process.

The benchmarks run the sandbox as a separate process (so its CPU is not the plugin's) and use this
API, through ``RemoteSandbox``, to count connections, read the request log and reset between runs.
In-process users (the tests and the demo) use ``PlivoSandbox``'s Python API instead, so this API
carries only what the benchmarks read.

No authentication (the sandbox listens on 127.0.0.1); these calls are never logged or faulted,
and no answer carries an Auth Token.

    GET    /__sandbox__/                  health: counters
    GET    /__sandbox__/requests          the request log               DELETE: clear it
    POST   /__sandbox__/reset             forget requests, faults, messages, calls, callbacks and
                                          changes to numbers, applications and endpoints
"""

from __future__ import annotations

import json
from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.faults import FaultQueue
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
        notifier: Notifier,
    ) -> None:
        self.state = state
        self.faults = faults
        self.log = log
        self.connections_opened = connections_opened
        self.notifier = notifier

    def dispatch(self, request: Request) -> Response:
        name = request.path.removeprefix(CONTROL_PREFIX[:-1]).strip("/")
        routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", ""): self.health,
            ("GET", "requests"): self.requests,
            ("DELETE", "requests"): self.clear_requests,
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
                "calls": len(self.state.calls()),
                "webhooks": len(self.notifier.sender.records()),
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

    def reset(self, request: Request) -> Response:
        self.state.reset()
        self.faults.clear()
        self.log.clear()
        self.notifier.sender.scheduler.clear()
        self.notifier.sender.clear()
        return _json(200, {"cleared": "everything"})
