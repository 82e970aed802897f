"""A small client for the control API of a sandbox running in another process (see ``control``)."""

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

    def calls(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "calls")["calls"])

    def start_inbound_call(self, **fields: object) -> dict[str, Any]:
        return dict(self._call("POST", "inbound-calls", fields))

    def add_conference(self, name: str, **fields: object) -> dict[str, Any]:
        return dict(self._call("POST", "conferences", {"name": name, **fields}))

    def phlo_runs(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "phlo-runs")["phlo_runs"])

    def webhooks(self) -> list[dict[str, Any]]:
        """Every callback sent, with its attempts (signature headers, status, answer)."""
        return list(self._call("GET", "webhooks")["webhooks"])

    def clear_webhooks(self) -> None:
        self._call("DELETE", "webhooks")

    def send_webhook(self, url: str, params: dict[str, str], **fields: object) -> dict[str, Any]:
        return dict(self._call("POST", "webhooks", {"url": url, "params": params, **fields}))

    def send_inbound_sms(self, **fields: object) -> dict[str, Any]:
        return dict(self._call("POST", "inbound-sms", fields))

    def send_delivery_report(self, url: str, message_uuid: str, **fields: object) -> dict[str, Any]:
        payload = {"url": url, "message_uuid": message_uuid, **fields}
        return dict(self._call("POST", "delivery-reports", payload))

    def send_call_event(
        self, url: str, call_uuid: str, event: str, **fields: object
    ) -> dict[str, Any]:
        payload = {"url": url, "call_uuid": call_uuid, "event": event, **fields}
        return dict(self._call("POST", "call-events", payload))

    def settings(self) -> dict[str, Any]:
        return dict(self._call("GET", "settings"))

    def change_settings(self, **settings: object) -> dict[str, Any]:
        """``callbacks`` (bool), ``webhook_timeout`` (s), ``retry_delays`` (list of s)."""
        return dict(self._call("POST", "settings", settings))

    def reset(self) -> None:
        self._call("POST", "reset")

    def close(self) -> None:
        self._session.close()
