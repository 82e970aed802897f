"""The benchmarks' client for the control API of a sandbox in another process (see ``control``)."""

from __future__ import annotations

from typing import Any

import requests

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

    def reset(self) -> None:
        self._call("POST", "reset")

    def close(self) -> None:
        self._session.close()
