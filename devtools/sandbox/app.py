"""The WSGI application: log the request, apply a fault or latency, then answer like Plivo.

Order per request: match a fault (before anything else, so even a 401 can be replaced), sleep
``fault.delay``, record the request, sleep the global ``latency``, then either the normal Plivo
handling or the fault's answer. ``/__sandbox__/`` (the control API) bypasses all of it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from devtools.sandbox.answers import new_api_id
from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.control import CONTROL_PREFIX, ControlApi
from devtools.sandbox.faults import DropConnection, Fault, FaultQueue, fault_body
from devtools.sandbox.reqlog import RecordedRequest, RequestLog
from devtools.sandbox.routes import PlivoApi
from devtools.sandbox.state import SandboxState
from devtools.sandbox.transport import CONNECTION_ID_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_HTML_PAGE = (
    "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)


class SandboxApp:
    def __init__(
        self,
        state: SandboxState,
        faults: FaultQueue,
        log: RequestLog,
        control: ControlApi,
        notifier: Notifier,
        latency: float = 0.0,
    ) -> None:
        self.state = state
        self.faults = faults
        self.log = log
        self.control = control
        self.api = PlivoApi(state, notifier)
        self.latency = latency

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX) or request.path == CONTROL_PREFIX[:-1]:
            response = self.control.dispatch(request)
        else:
            response = self._plivo(request)
        return response(environ, start_response)

    def _plivo(self, request: Request) -> Response:
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        auth = request.authorization
        account = None
        if auth is not None and auth.type == "basic":
            account = self.state.authenticate(auth.username, auth.password)
        if fault is not None and fault.action == "drop_before_body":
            self._record(request, account.auth_id if account else None, b"")
            raise DropConnection
        self._record(request, account.auth_id if account else None, request.get_data(cache=True))
        if self.latency:
            time.sleep(self.latency)
        if fault is None:
            return self.api.dispatch(request, account)
        normal = self.api.dispatch(request, account) if fault.processes_request else None
        return _apply(fault, normal)

    def _record(self, request: Request, account: str | None, body: bytes) -> None:
        form: dict[str, str] = {}
        parsed: object | None = None
        if request.mimetype in _FORM_TYPES:
            form = request.form.to_dict()
        elif body:
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                parsed = None
        self.log.record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.args.to_dict(),
                headers=dict(request.headers.items()),
                body=body,
                json=parsed,
                form=form,
                account=account,
                connection_id=int(request.environ.get(CONNECTION_ID_KEY, 0)),
                time=time.time(),
            )
        )


def _apply(fault: Fault, normal: Response | None) -> Response:
    """The answer a fault gives, built on the normal answer when the request was processed."""
    if fault.action == "drop_after_body":
        raise DropConnection
    if fault.action == "respond" and fault.status is None and normal is not None:
        response = normal
    elif fault.action == "respond":
        body, content_type = fault_body(fault, new_api_id())
        response = Response(body, fault.status or 500, content_type=content_type)
    elif fault.action == "html":
        status = fault.status or 502
        if isinstance(fault.body, str | bytes):
            page = fault.body
        else:
            page = _HTML_PAGE.format(status=f"{status} {HTTPStatus(status).phrase}")
        response = Response(page, status, content_type=fault.content_type or "text/html")
    else:
        status = fault.status or (normal.status_code if normal else 200)
        original = normal.get_data() if normal else json.dumps({"api_id": new_api_id()}).encode()
        if fault.action == "truncated_json":
            body = original[: max(1, len(original) // 2)]
        else:
            body = b'{"api_id": "' + new_api_id().encode() + b'", "message": message(s) queued,}'
        response = Response(body, status, content_type=fault.content_type or "application/json")
    for name, value in fault.headers.items():
        response.headers[name] = value
    if fault.content_type and fault.action == "respond" and fault.status is None:
        response.headers["Content-Type"] = fault.content_type
    return response
