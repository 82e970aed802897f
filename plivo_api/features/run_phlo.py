"""run_phlo: start a PHLO (a flow built in Plivo's visual editor) with an optional payload.

One ``POST {PHLO base}/v1/account/{auth_id}/phlo/{phlo_id}`` with HTTP Basic auth and, when given,
a JSON object holding the keys the PHLO's Start node defines; Plivo answers 201 with the run's ID
(https://www.plivo.com/docs/phlo/api/phlo/run-a-phlo/). A PHLO can send messages and place
calls, so a run is never repeated once it may have reached Plivo. Which PHLO runs is the
builder's choice (a form setting); the agent only fills in the payload, whose phone numbers meet
send_sms's recipient rules (:mod:`plivo_api.payload_numbers`): premium-rate numbers and, with
the builder's ``allowed_countries``, numbers elsewhere refuse the run before any request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .. import params as read
from ..client import PlivoClient, reworded_not_found
from ..connect import client_for
from ..credentials import Credentials
from ..errors import InputError, NotFoundError
from ..identifiers import parse_uuid
from ..jsonobject import read_json_object
from ..jsonvalues import str_of
from ..params import Limits, Params
from ..payload_numbers import RefusedNumber, refused_numbers
from ..present import sentence
from ..recipients import ALLOWED_COUNTRIES, parse_allowed_countries
from . import Invocation, ToolOutput

LIMITS: Limits = {}
PAYLOAD_EXAMPLE: Final = '{"from": "+14155550100", "to": "+14155552671"}'
PHLO_ID_SOURCE: Final = (
    "it is shown on the PHLO's page in the Plivo console; it is a setting of this tool, so if "
    "you are an assistant, tell the user"
)
MAX_REFUSALS_SHOWN: Final = 5
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
    def from_json(cls, data: dict[str, Any], phlo_id: str) -> PhloRun:
        api_id = str_of(data, "api_id")
        return cls(
            phlo_id=str_of(data, "phlo_id") or phlo_id,
            phlo_run_id=str_of(data, "phlo_run_id") or api_id,
            message=str_of(data, "message"),
            api_id=api_id,
        )


def phlo_id_from(params: Params) -> str:
    return parse_uuid(read.text(params, "phlo_id"), "phlo_id", what="PHLO", source=PHLO_ID_SOURCE)


def check_numbers(payload: dict[str, Any] | None, countries: frozenset[str]) -> None:
    """Refuse the run when the payload names a number send_sms would not text."""
    refused = refused_numbers(payload, countries) if payload else []
    if refused:
        raise refusal(refused, countries)


def refusal(refused: list[RefusedNumber], countries: frozenset[str]) -> InputError:
    shown = "; ".join(f"{r.path} {r.value} ({r.reason})" for r in refused[:MAX_REFUSALS_SHOWN])
    more = len(refused) - MAX_REFUSALS_SHOWN
    rule = "premium-rate numbers are never reached"
    if countries:
        rule += f", and only numbers in {', '.join(sorted(countries))} ({ALLOWED_COUNTRIES})"
    return InputError(
        "payload",
        f"payload: the PHLO was not run: {shown}"
        + (f"; and {more} more" if more > 0 else "")
        + f". A PHLO can text or call the numbers in its payload, so the same rules as for "
        f"send_sms apply: {rule}. Ask the user for another number rather than rewriting it.",
    )


def start(client: PlivoClient, phlo_id: str, payload: dict[str, Any] | None) -> PhloRun:
    try:
        data = client.request(
            "POST", client.phlo_run_url(phlo_id), json_body=payload, creates=RUN_CHECK
        )
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"No PHLO {phlo_id} on this Plivo account: check the PHLO ID in the tool's settings "
            "(the PHLO's page in the Plivo console shows it). If you are an assistant, tell the "
            "user.",
        ) from None
    return PhloRun.from_json(data, phlo_id)


def run(call: Invocation) -> ToolOutput:
    params = call.parameters
    phlo_id = phlo_id_from(params)
    countries = parse_allowed_countries(read.text(params, ALLOWED_COUNTRIES))
    payload = read_json_object(params, "payload", example=PAYLOAD_EXAMPLE)
    check_numbers(payload, countries)
    client = client_for(Credentials.from_mapping(call.credentials))
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


__all__ = ["LIMITS", "PhloRun", "check_numbers", "phlo_id_from", "present", "run", "start"]
