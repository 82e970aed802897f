"""run_phlo: start a PHLO (a flow built in Plivo's visual editor) with an optional payload.

One run (:func:`plivo_api.resources.phlo.run_phlo`), never repeated once it may have reached
Plivo: a PHLO can send messages and place calls. Which PHLO runs is the builder's choice (a form
setting); the agent only fills in the payload, a JSON object holding the keys the PHLO's Start
node defines.
"""

from __future__ import annotations

from typing import Any, Final

from .. import params as read
from ..client import PlivoClient, reworded_not_found
from ..connect import client_from
from ..errors import NotFoundError
from ..identifiers import parse_uuid
from ..jsonobject import read_json_object
from ..params import Limits, Params
from ..present import sentence
from ..resources.phlo import PhloRun, run_phlo
from . import Invocation, ToolOutput

LIMITS: Limits = {}
PAYLOAD_EXAMPLE: Final = '{"from": "+14155550100", "to": "+14155552671"}'
PHLO_ID_SOURCE: Final = (
    "it is shown on the PHLO's page in the Plivo console; it is a setting of this tool, so if "
    "you are an assistant, tell the user"
)


def phlo_id_from(params: Params) -> str:
    return parse_uuid(read.text(params, "phlo_id"), "phlo_id", what="PHLO", source=PHLO_ID_SOURCE)


def start(client: PlivoClient, phlo_id: str, payload: dict[str, Any] | None) -> PhloRun:
    try:
        return run_phlo(client, phlo_id, payload)
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"No PHLO {phlo_id} on this Plivo account: check the PHLO ID in the tool's settings "
            "(the PHLO's page in the Plivo console shows it). If you are an assistant, tell the "
            "user.",
        ) from None


def run(call: Invocation) -> ToolOutput:
    params = call.parameters
    phlo_id = phlo_id_from(params)
    payload = read_json_object(params, "payload", example=PAYLOAD_EXAMPLE)
    client = client_from(call.credentials)
    return present(start(client, phlo_id, payload))


def present(result: PhloRun) -> ToolOutput:
    said = f" Plivo said: {result.message}" if result.message else ""
    text = sentence(
        f"Started PHLO {result.phlo_id}, run {result.phlo_run_id or 'without an ID'}.{said}"
    )
    data: dict[str, object] = {
        "phlo_id": result.phlo_id,
        "phlo_run_id": result.phlo_run_id,
        "message": result.message,
        "api_id": result.api_id,
    }
    return ToolOutput(text, data, {"phlo_run_id": result.phlo_run_id, "message": result.message})


__all__ = ["LIMITS", "PhloRun", "phlo_id_from", "present", "run", "start"]
