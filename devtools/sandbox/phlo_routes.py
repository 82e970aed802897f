"""PHLO endpoints, served on the PHLO base URL (``phlorunner.plivo.com`` on Plivo).

Run a PHLO: ``POST /v1/account/{auth_id}/phlo/{phlo_id}`` (lower-case path segments, unlike the
REST API; Plivo's Python SDK adds a trailing slash) with HTTP Basic auth and, optionally, a JSON
object holding the keys the PHLO's Start node defines. The answer is 201
``{"phlo_id", "api_id", "message"}`` where ``api_id`` is the run's ID (Plivo calls it
``phlo_run_id``) and ``message`` describes what ran
(https://www.plivo.com/docs/phlo/api/phlo/run-a-phlo/). ``GET /v1/phlo/{phlo_id}/`` reads a PHLO's
name and creation time.
"""

from __future__ import annotations

import json
import time
import uuid

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import json_response, not_found, request_params
from devtools.sandbox.directory import Directory, PhloRun


class PhloApi:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def rules(self) -> list[Rule]:
        return [
            Rule("/v1/account/<auth_id>/phlo/<phlo_id>/", endpoint="run_phlo", methods=["POST"]),
            Rule("/v1/phlo/<phlo_id>/", endpoint="get_phlo", methods=["GET"]),
        ]

    def run_phlo(self, request: Request, account: SandboxAccount, phlo_id: str) -> Response:
        phlo = self.directory.phlo(account.auth_id, phlo_id)
        if phlo is None:
            return not_found()
        payload = request_params(request)
        run = PhloRun(str(uuid.uuid4()), phlo_id, account.auth_id, payload, time.time())
        self.directory.record_run(run)
        keys = ", ".join(sorted(payload)) or "no payload"
        body = {
            "phlo_id": phlo_id,
            "api_id": run.run_id,
            "message": (
                f"'{phlo.name}' with phlo_run_uuid: {run.run_id} executed with payload keys: {keys}"
            ),
        }
        return Response(json.dumps(body), 201, mimetype="application/json")

    def get_phlo(self, request: Request, account: SandboxAccount, phlo_id: str) -> Response:
        phlo = self.directory.phlo(account.auth_id, phlo_id)
        if phlo is None:
            return not_found()
        return json_response(200, phlo.to_json())
