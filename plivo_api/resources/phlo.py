"""PHLO runs: ``POST {PHLO base}/v1/account/{auth_id}/phlo/{phlo_id}`` with an optional JSON
payload for the keys the PHLO's Start node defines; Plivo answers 201 with the run's ID
(https://www.plivo.com/docs/phlo/api/phlo/run-a-phlo/). A PHLO can send messages and place
calls, so a run is never repeated once it may have reached Plivo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..transport.client import PlivoClient
from ..transport.jsonvalues import str_of

RUN_CHECK: Final = (
    "The PHLO may or may not have run: check its runs in the Plivo console (PHLO > Logs) before "
    "running it again."
)


@dataclass(frozen=True)
class PhloRun:
    """Plivo's 201: ``api_id`` doubles as the run's ID (some answers also name it phlo_run_id)."""

    phlo_id: str
    phlo_run_id: str | None
    message: str | None
    api_id: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], phlo_id: str) -> PhloRun:
        api_id = str_of(data, "api_id")
        return cls(
            phlo_id=str_of(data, "phlo_id") or phlo_id,
            phlo_run_id=str_of(data, "phlo_run_id") or api_id,
            message=str_of(data, "message"),
            api_id=api_id,
        )


def run_phlo(client: PlivoClient, phlo_id: str, payload: Mapping[str, Any] | None) -> PhloRun:
    """Raises :class:`~plivo_api.errors.NotFoundError` when the account has no such PHLO."""
    data = client.request(
        "POST", client.phlo_run_url(phlo_id), json_body=payload, creates=RUN_CHECK
    )
    return PhloRun.from_json(data, phlo_id)


__all__ = ["RUN_CHECK", "PhloRun", "run_phlo"]
