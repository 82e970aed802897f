"""run_phlo: start a PHLO (a flow built in Plivo's visual editor) with an optional payload.

One run (:func:`plivo_api.resources.phlo.run_phlo`), never repeated once it may have reached
Plivo: a PHLO can send messages and place calls. Which PHLO runs is the builder's choice (a form
setting); the agent only fills in the payload, a JSON object holding the keys the PHLO's Start
node defines, whose phone numbers meet send_sms's recipient rules
(:mod:`plivo_api.toolkit.payload_numbers`): premium-rate numbers and, with the builder's
``allowed_countries``, numbers elsewhere refuse the run before any request.
"""

from __future__ import annotations

from typing import Any, Final

from .. import params as read
from ..errors import InputError, NotFoundError
from ..messaging.identifiers import parse_uuid
from ..params import Limits, Params
from ..resources.connect import client_from
from ..resources.phlo import PhloRun, run_phlo
from ..toolkit.jsonobject import read_json_object
from ..toolkit.payload_numbers import RefusedNumber, refused_numbers
from ..toolkit.present import sentence
from ..toolkit.recipients import ALLOWED_COUNTRIES, parse_allowed_countries
from ..transport.client import PlivoClient, reworded_not_found
from . import Invocation, ToolOutput

LIMITS: Limits = {}
PAYLOAD_EXAMPLE: Final = '{"from": "+14155550100", "to": "+14155552671"}'
PHLO_ID_SOURCE: Final = (
    "it is shown on the PHLO's page in the Plivo console; it is a setting of this tool, so if "
    "you are an assistant, tell the user"
)
MAX_REFUSALS_SHOWN: Final = 5


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
    countries = parse_allowed_countries(read.text(params, ALLOWED_COUNTRIES))
    payload = read_json_object(params, "payload", example=PAYLOAD_EXAMPLE)
    check_numbers(payload, countries)
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


__all__ = ["LIMITS", "PhloRun", "check_numbers", "phlo_id_from", "present", "run", "start"]
