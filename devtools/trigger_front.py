"""A stand-in for the Dify API's side of plugin triggers, over real HTTP (dev tooling only).

Dify serves every trigger subscription at ``{TRIGGER_URL}/triggers/plugin/{endpoint_id}``. For
each request it asks the plugin to dispatch it (``dispatch_trigger_event``), answers the caller
with the plugin's response at once, and only then, in the background, runs every workflow whose
trigger node listens to one of the dispatched events (``invoke_trigger_event`` with that node's
parameters and the dispatch payload); a cancelled invocation is an event the node's filters
ignored. Sources: ``api/controllers/trigger/trigger.py`` and
``api/services/trigger/trigger_service.py`` in https://github.com/langgenius/dify.

``DifyTriggerFront`` does the same in front of a :class:`~devtools.daemon.StandInDaemon`, so the
Plivo sandbox can send its signed webhooks to a subscription's endpoint URL and tests and the demo
see what Dify would: the answer Plivo got, and each workflow's variables::

    with DifyTriggerFront(daemon, "plivo_trigger") as front:
        created = front.create_subscription({"phone_number": "+14155550100"}, credentials)
        front.add_node(created.subscription["endpoint"], "sms_received", {"keyword": "BOOK"})
        sandbox.send_inbound_sms(from_number="+14155550123", to_number="+14155550100", text="Book")
        [run] = front.wait_for_runs(1)
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from devtools.daemon import HttpResponse, StandInDaemon, SubscriptionResult
from devtools.packaging import build_package, repository_plugins

logger = logging.getLogger(__name__)

TRIGGER_FOLDER = "plivo_trigger"
ROUTE_PREFIX = "/triggers/plugin/"
API_KEY = "api-key"
UNAUTHORIZED = "unauthorized"
WAIT_TIMEOUT_SECONDS = 10.0
NEVER_EXPIRES = -1


@dataclass(frozen=True)
class WorkflowNode:
    """A trigger node of some workflow: listens to one event of one subscription."""

    endpoint: str
    event: str
    parameters: dict[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class WorkflowRun:
    """What a node got: its variables, ``cancelled`` when its filters ignored the event, or the
    plugin's error."""

    node: WorkflowNode
    variables: dict[str, Any]
    cancelled: bool
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Delivery:
    """One request to a subscription endpoint and the answer its caller got."""

    endpoint: str
    method: str
    events: tuple[str, ...]
    response: HttpResponse
    user_id: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None


@dataclass
class _Registered:
    subscription: dict[str, Any]
    credentials: dict[str, Any]
    credential_type: str


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class DifyTriggerFront:
    """Dify's trigger endpoints for one provider of the plugin the daemon runs."""

    def __init__(self, daemon: StandInDaemon, provider: str, host: str = "127.0.0.1") -> None:
        self.daemon = daemon
        self.provider = provider
        self.host = host
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self._subscriptions: dict[str, _Registered] = {}
        self._nodes: list[WorkflowNode] = []
        self._deliveries: list[Delivery] = []
        self._runs: list[WorkflowRun] = []
        self._workers: list[threading.Thread] = []

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> DifyTriggerFront:
        self._server = make_server(
            self.host, 0, self._app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="dify-trigger-front"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        for worker in list(self._workers):
            worker.join(WAIT_TIMEOUT_SECONDS)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(WAIT_TIMEOUT_SECONDS)

    def __enter__(self) -> DifyTriggerFront:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the front is not started")
        return f"http://{self.host}:{self._server.server_port}"

    # -- subscriptions, as Dify's subscription builder makes them --------------------------

    def new_endpoint(self) -> str:
        """A fresh endpoint URL (Dify's endpoint IDs are UUIDs)."""
        return f"{self.url}{ROUTE_PREFIX}{uuid.uuid4()}"

    def create_subscription(
        self, parameters: Mapping[str, Any], credentials: Mapping[str, Any]
    ) -> SubscriptionResult:
        """An automatic subscription: the plugin's constructor sets it up; kept when it worked."""
        endpoint = self.new_endpoint()
        result = self.daemon.subscribe_trigger(
            self.provider, endpoint=endpoint, parameters=parameters, credentials=credentials
        )
        if result.ok:
            self.register(result.subscription, credentials, API_KEY)
        return result

    def create_manual_subscription(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        """A manual subscription: no plugin call, the properties are what the user typed."""
        subscription = {
            "expires_at": NEVER_EXPIRES,
            "endpoint": self.new_endpoint(),
            "parameters": {},
            "properties": dict(properties),
        }
        self.register(subscription, {}, UNAUTHORIZED)
        return subscription

    def delete_subscription(self, endpoint: str) -> SubscriptionResult:
        """Dify removes the subscription whatever the plugin answers."""
        registered = self._subscriptions.pop(_endpoint_id(endpoint))
        return self.daemon.unsubscribe_trigger(
            self.provider,
            subscription=registered.subscription,
            credentials=registered.credentials,
            credential_type=registered.credential_type,
        )

    def register(
        self, subscription: Mapping[str, Any], credentials: Mapping[str, Any], credential_type: str
    ) -> None:
        with self._changed:
            self._subscriptions[_endpoint_id(str(subscription["endpoint"]))] = _Registered(
                dict(subscription), dict(credentials), credential_type
            )

    def add_node(
        self, endpoint: str, event: str, parameters: Mapping[str, Any] | None = None, name: str = ""
    ) -> WorkflowNode:
        node = WorkflowNode(endpoint, event, dict(parameters or {}), name or event)
        with self._changed:
            self._nodes.append(node)
        return node

    # -- what happened ---------------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    @property
    def runs(self) -> list[WorkflowRun]:
        with self._changed:
            return list(self._runs)

    def wait_for_runs(self, count: int, timeout: float = WAIT_TIMEOUT_SECONDS) -> list[WorkflowRun]:
        """The first ``count`` runs, once they exist; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._runs) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(self._runs)} of {count} workflow runs after {timeout} s"
                    )
                self._changed.wait(remaining)
            return list(self._runs[:count])

    def settle(self, timeout: float = WAIT_TIMEOUT_SECONDS) -> list[WorkflowRun]:
        """Every run of the deliveries so far, once their background work is done."""
        for worker in list(self._workers):
            worker.join(timeout)
        return self.runs

    # -- the HTTP side ---------------------------------------------------------------------

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if not request.path.startswith(ROUTE_PREFIX):
            return Response('{"error": "Endpoint not found"}', 404, mimetype="application/json")
        with self._changed:
            registered = self._subscriptions.get(request.path[len(ROUTE_PREFIX) :])
        if registered is None:
            return Response('{"error": "Endpoint not found"}', 404, mimetype="application/json")
        dispatched = self.daemon.dispatch_trigger_event(
            self.provider,
            subscription=registered.subscription,
            method=request.method,
            path=request.path,
            headers=list(request.headers.items()),
            body=request.get_data(),
            query=request.query_string.decode("latin-1"),
            credentials=registered.credentials,
            credential_type=registered.credential_type,
        )
        endpoint = str(registered.subscription["endpoint"])
        if not dispatched.ok or dispatched.response is None:
            # Dify's controller turns a failed dispatch into a 500 with a fixed body.
            body = b'{"error": "Internal server error"}'
            failed = HttpResponse(500, {"Content-Type": "application/json"}, body)
            self._record(Delivery(endpoint, request.method, (), failed, error=dispatched.error))
            return Response(body, 500, mimetype="application/json")
        delivery = Delivery(
            endpoint,
            request.method,
            tuple(dispatched.events),
            dispatched.response,
            dispatched.user_id,
            dispatched.payload,
        )
        self._record(delivery)
        if dispatched.events:
            worker = threading.Thread(
                target=self._run_workflows,
                args=(registered, delivery, dispatched.request),
                daemon=True,
                name="dify-trigger-workflows",
            )
            self._workers.append(worker)
            worker.start()
        answer = dispatched.response
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() != "content-length"]
        return Response(answer.body, answer.status, headers=headers)

    def _record(self, delivery: Delivery) -> None:
        with self._changed:
            self._deliveries.append(delivery)
            self._changed.notify_all()

    def _run_workflows(self, registered: _Registered, delivery: Delivery, raw: bytes) -> None:
        with self._changed:
            nodes = [
                node
                for node in self._nodes
                if _endpoint_id(node.endpoint) == _endpoint_id(delivery.endpoint)
                and node.event in delivery.events
            ]
        for node in nodes:
            result = self.daemon.invoke_trigger_event(
                self.provider,
                node.event,
                subscription=registered.subscription,
                request=raw,
                parameters=node.parameters,
                payload=delivery.payload,
                credentials=registered.credentials,
                credential_type=registered.credential_type,
            )
            run = WorkflowRun(node, result.variables, result.cancelled, result.error)
            with self._changed:
                self._runs.append(run)
                self._changed.notify_all()


def install_trigger_plugin(repository: Path, dest: Path) -> Path:
    """The trigger plugin as Dify installs it: its ``.difypkg`` built (the shared core copied in
    by the packager) and unpacked into ``dest/plugin``; the root to run it from."""
    [source] = [s for s in repository_plugins(repository) if s.root.name == TRIGGER_FOLDER]
    built = build_package(source, dest / "dist")
    root = dest / "plugin"
    with zipfile.ZipFile(built.path) as package:
        package.extractall(root)
    return root


def _endpoint_id(endpoint: str) -> str:
    return endpoint.rstrip("/").rsplit("/", 1)[-1]


__all__ = [
    "API_KEY",
    "TRIGGER_FOLDER",
    "UNAUTHORIZED",
    "Delivery",
    "DifyTriggerFront",
    "WorkflowNode",
    "WorkflowRun",
    "install_trigger_plugin",
]
