"""A small client for the control API of a sandbox running in another process."""

from __future__ import annotations

from typing import Any

import requests

from devtools.sandbox.faults import Fault

CONTROL_TIMEOUT = 5.0


class RemoteSandbox:
    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self._session = session or requests.Session()

    def _call(self, method: str, name: str, payload: object = None) -> Any:
        response = self._session.request(
            method, f"{self.url}/__sandbox__/{name}", json=payload, timeout=CONTROL_TIMEOUT
        )
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", ""))

    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "requests")["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def inject(self, *faults: Fault) -> None:
        self._call("POST", "faults", [fault.to_dict() for fault in faults])

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def messages(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "messages")["messages"])

    def add_message(self, **fields: object) -> str:
        return str(self._call("POST", "messages", fields)["message_uuid"])

    def reset(self) -> None:
        self._call("POST", "reset")

    def close(self) -> None:
        self._session.close()
