"""get_number: one number this account rents (``GET Number/{number}/``).

The number is read like any destination (:func:`plivo_api.messaging.numbers.normalize_number`) and
sent as Plivo stores it, digits with the country code
(https://www.plivo.com/docs/numbers/api/account-phone-number/).
"""

from __future__ import annotations

from .. import params as read
from ..errors import InputError, NotFoundError
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..params import Limits, Params
from ..resources.connect import client_from
from ..resources.numbers import RentedNumber, get_number, number_fields
from ..transport.client import reworded_not_found
from . import Invocation, ToolOutput

LIMITS: Limits = {}


def number_from(params: Params) -> str:
    text = read.text(params, "number")
    if text is None:
        raise InputError(
            "number", "number is required: give one of the account's numbers, e.g. +14155550100."
        )
    try:
        return normalize_number(text)
    except InvalidNumberError as error:
        raise InvalidNumberError(error.reason, text, parameter="number") from None


def run(call: Invocation) -> ToolOutput:
    number = number_from(call.parameters)
    client = client_from(call.credentials)
    try:
        record = get_number(client, number)
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"{number} is not a number this Plivo account rents. list_numbers shows the "
            "account's numbers.",
        ) from None
    return present(record, number)


def present(record: RentedNumber, number: str) -> ToolOutput:
    fields = number_fields(record)
    fields["number"] = fields["number"] or number
    blocked = record.sms_blocked_reason
    services = [
        name
        for name in ("sms", "voice", "mms")
        if fields[f"{name}_enabled"] and not (blocked and name == "sms")
    ]
    enabled = ", ".join(services).upper()
    warning = f"SMS enabled but {blocked}, so US carriers block or filter its texts; "
    warning = warning if blocked else ""
    app = fields["application"]
    text = (
        f"{fields['number']}"
        + (f" ({fields['alias']})" if fields["alias"] else "")
        + (f", {fields['type']}" if fields["type"] else "")
        + (f", {fields['country']}" if fields["country"] else "")
        + (f": {enabled or 'no services'} enabled; " if enabled or not blocked else ": ")
        + (
            f"SMS enabled but {blocked}, so US carriers block or filter its texts; "
            if blocked
            else ""
        )
        + (f"linked to application {app}." if app else "not linked to an application.")
    )
    data: dict[str, object] = {**fields, "api_id": record.api_id}
    variables = {
        "number": fields["number"],
        "application": app,
        "sms_enabled": fields["sms_enabled"],
        "voice_enabled": fields["voice_enabled"],
    }
    return ToolOutput(text, data, variables)


__all__ = ["LIMITS", "number_from", "present", "run"]
