"""The control API under ``/__sandbox__/``: inspect and steer a sandbox running in another process.

It is the out-of-process twin of ``PlivoSandbox``'s Python API, not a benchmark-only tool: the
benchmarks use it for the request log and faults, and the demo and the end-to-end tests use it to
make the sandbox act as Plivo towards a plugin (inbound messages and calls, delivery reports, any
signed callback) and to read back what was sent and what the receiver answered.
``RemoteSandbox`` is its client.

No authentication (the sandbox listens on 127.0.0.1); these calls are never logged or faulted,
and no answer carries an Auth Token.

    GET    /__sandbox__/                  health: counters
    GET    /__sandbox__/requests          the request log               DELETE: clear it
    POST   /__sandbox__/faults            inject one fault (JSON object) or several (JSON list)
    GET    /__sandbox__/faults            pending faults                DELETE: clear them
    GET    /__sandbox__/messages          every stored message, with its current state and text
    POST   /__sandbox__/messages          seed a message (fields of ``PlivoSandbox.add_message``)
    GET    /__sandbox__/calls             every call, with its current state
    POST   /__sandbox__/inbound-calls     someone calls a number (``start_inbound_call`` fields)
    POST   /__sandbox__/conferences       start a conference (``add_conference`` fields)
    GET    /__sandbox__/phlo-runs         every PHLO run and its payload
    GET    /__sandbox__/webhooks          every callback sent, with its attempts  DELETE: forget
    POST   /__sandbox__/webhooks          send a signed callback: {url, params, method?, account?}
    POST   /__sandbox__/inbound-sms       an inbound message (``send_inbound_sms`` fields)
    POST   /__sandbox__/delivery-reports  a delivery report (``send_delivery_report`` fields)
    POST   /__sandbox__/call-events       a call's Ring, StartApp or Hangup callback
    GET    /__sandbox__/settings          callbacks on/off, webhook timeout and retry delays
    POST   /__sandbox__/settings          change them: {callbacks?, webhook_timeout?, retry_delays?}
    POST   /__sandbox__/reset             forget requests, faults, messages, calls, callbacks and
                                          changes to numbers, applications and endpoints

The callback calls answer 201 with the webhook record right away; its attempts fill in as they
happen (read ``GET /__sandbox__/webhooks``).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.faults import Fault, FaultQueue
from devtools.sandbox.reqlog import RequestLog
from devtools.sandbox.state import SandboxState
from devtools.sandbox.voice import StoredCall, conference_members
from devtools.sandbox.webhooks import WebhookPolicy

CONTROL_PREFIX = "/__sandbox__/"


def _json(status: int, payload: object) -> Response:
    return Response(json.dumps(payload), status, mimetype="application/json")


def _fields(request: Request) -> dict[str, Any]:
    """The JSON object of a control call, as untyped keyword arguments for the Python API."""
    fields = json.loads(request.get_data() or b"{}")
    if not isinstance(fields, dict):
        raise TypeError("send the fields as a JSON object")
    return fields


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.pop(name, None)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value


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
            ("GET", "faults"): self.list_faults,
            ("POST", "faults"): self.add_faults,
            ("DELETE", "faults"): self.clear_faults,
            ("GET", "messages"): self.messages,
            ("POST", "messages"): self.add_message,
            ("GET", "calls"): self.calls,
            ("POST", "inbound-calls"): self.inbound_call,
            ("POST", "conferences"): self.add_conference,
            ("GET", "phlo-runs"): self.phlo_runs,
            ("GET", "webhooks"): self.webhooks,
            ("POST", "webhooks"): self.send_webhook,
            ("DELETE", "webhooks"): self.clear_webhooks,
            ("POST", "inbound-sms"): self.inbound_sms,
            ("POST", "delivery-reports"): self.delivery_report,
            ("POST", "call-events"): self.call_event,
            ("GET", "settings"): self.settings,
            ("POST", "settings"): self.change_settings,
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
        message = self.state.seed_message(**_fields(request))
        return _json(201, {"message_uuid": message.message_uuid})

    # Calls, conferences, PHLO runs ------------------------------------------------------------

    def _call_json(self, call: StoredCall) -> dict[str, object]:
        state = call.state_at(time.time(), self.state.call_timeline)
        return {
            "call_uuid": call.call_uuid,
            "request_uuid": call.request_uuid,
            "account": call.account,
            "direction": call.direction,
            "from": call.from_number,
            "to": call.to_number,
            "state": state.state,
            "hangup_cause_code": None if state.end is None else state.end.cause_code,
            "answer_url": call.answer_url,
            "hangup_url": call.hangup_url,
        }

    def calls(self, request: Request) -> Response:
        return _json(200, {"calls": [self._call_json(c) for c in self.state.calls().values()]})

    def inbound_call(self, request: Request) -> Response:
        call = self.notifier.start_inbound_call(**_fields(request))
        return _json(201, self._call_json(call))

    def add_conference(self, request: Request) -> Response:
        fields = _fields(request)
        name = _text(fields, "name")
        account = fields.pop("account", None) or self.state.default_account().auth_id
        members = fields.pop("members", [])
        if fields:
            raise ValueError(f"unknown conference fields: {sorted(fields)}")
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise TypeError("members must be a list of objects")
        conference = self.state.add_conference(
            str(account), name, conference_members(members, time.time())
        )
        return _json(201, conference.to_json(time.time()))

    def phlo_runs(self, request: Request) -> Response:
        runs = [dataclasses.asdict(run) for run in self.state.directory.runs()]
        return _json(200, {"phlo_runs": runs})

    # Callbacks --------------------------------------------------------------------------------

    def webhooks(self, request: Request) -> Response:
        records = [record.to_json() for record in self.notifier.sender.records()]
        return _json(200, {"webhooks": records})

    def clear_webhooks(self, request: Request) -> Response:
        self.notifier.sender.clear()
        return _json(200, {"cleared": "webhooks"})

    def send_webhook(self, request: Request) -> Response:
        fields = _fields(request)
        params = fields.pop("params", {})
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise TypeError("params must be an object of strings")
        url = _text(fields, "url")
        method = str(fields.pop("method", "POST"))
        account = fields.pop("account", None)
        if fields:
            raise ValueError(f"unknown webhook fields: {sorted(fields)}")
        record = self.notifier.send(
            url, params, method=method, account=None if account is None else str(account)
        )
        return _json(201, record.to_json())

    def inbound_sms(self, request: Request) -> Response:
        fields = _fields(request)
        url = fields.pop("url", None)
        if url is not None and not isinstance(url, str):
            raise TypeError("url must be a string")
        record = self.notifier.send_inbound_sms(url, **fields)
        return _json(201, record.to_json())

    def delivery_report(self, request: Request) -> Response:
        fields = _fields(request)
        url, message_uuid = _text(fields, "url"), _text(fields, "message_uuid")
        record = self.notifier.send_delivery_report(url, message_uuid, **fields)
        return _json(201, record.to_json())

    def call_event(self, request: Request) -> Response:
        fields = _fields(request)
        url, call_uuid, event = (
            _text(fields, "url"),
            _text(fields, "call_uuid"),
            _text(fields, "event"),
        )
        record = self.notifier.send_call_event(url, call_uuid, event, **fields)
        return _json(201, record.to_json())

    def settings(self, request: Request) -> Response:
        policy = self.notifier.sender.policy
        return _json(
            200,
            {
                "callbacks": self.notifier.enabled,
                "webhook_timeout": policy.timeout,
                "retry_delays": list(policy.retry_delays),
            },
        )

    def change_settings(self, request: Request) -> Response:
        fields = _fields(request)
        callbacks = fields.pop("callbacks", None)
        if callbacks is not None:
            if not isinstance(callbacks, bool):
                raise TypeError("callbacks must be true or false")
            self.notifier.enabled = callbacks
        policy = self.notifier.sender.policy
        timeout = fields.pop("webhook_timeout", policy.timeout)
        delays = fields.pop("retry_delays", list(policy.retry_delays))
        if fields:
            raise ValueError(f"unknown settings: {sorted(fields)}")
        if not isinstance(timeout, int | float) or not isinstance(delays, list):
            raise TypeError("webhook_timeout must be a number and retry_delays a list of numbers")
        self.notifier.sender.policy = WebhookPolicy(
            float(timeout), tuple(float(delay) for delay in delays)
        )
        return self.settings(request)

    def reset(self, request: Request) -> Response:
        self.state.reset()
        self.faults.clear()
        self.log.clear()
        self.notifier.sender.scheduler.clear()
        self.notifier.sender.clear()
        return _json(200, {"cleared": "everything"})
