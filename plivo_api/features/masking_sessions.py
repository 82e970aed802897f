"""masking_sessions: number masking, two parties who call each other through a virtual number.

Creating a session lets both parties ring each other (billed calls) through a number of the
account's masking pool, so it follows send_sms's rules for whom the plugin may reach: each
party is a phone number in international format (E.164), never a premium-rate number, and
inside the builder's ``allowed_countries``. Create, update and delete change the account and
need ``allow_changes``; every check runs before anything is sent, and a create or update is
never repeated once it may have reached Plivo. ``record`` (form) is sent when a session is
created; an update sends only the parties and the expiry given.
"""

from __future__ import annotations

from typing import Final

from .. import params as read
from ..errors import InputError, NotFoundError
from ..messaging.digits import to_plivo
from ..messaging.identifiers import parse_uuid
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..params import Limits, NumberRange, Params
from ..resources.connect import client_from
from ..resources.masking import (
    MaskingSession,
    SessionAnswer,
    create_session,
    delete_session,
    get_session,
    list_sessions,
    update_session,
)
from ..toolkit.operations import CHANGING, OPERATION_CHOICE, require_changes_allowed
from ..toolkit.recipients import outside_allowed, parse_allowed_countries
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE, Page, page_summary
from . import Invocation, ToolOutput

SESSION_EXPIRY: Final = NumberRange(60, 2_592_000)
"""The plugin's bounds (one minute to 30 days); Plivo's default is 3,600 s."""
LIMITS: Limits = {
    "operation": OPERATION_CHOICE,
    "session_expiry": SESSION_EXPIRY,
    "limit": LIMIT_RANGE,
    "offset": OFFSET_RANGE,
}
PARTIES: Final = ("first_party", "second_party")
UUID_SOURCE: Final = "operation list shows the sessions with their session_uuid"
CREATE_CHECK: Final = (
    "The masking session may or may not have been created: list the sessions (operation list "
    "with first_party) before creating it again, so the parties do not get two numbers."
)


def party_from(params: Params, name: str, countries: frozenset[str]) -> str | None:
    """The party as E.164, or None when not given; refused with the reason otherwise."""
    raw = read.text(params, name)
    if raw is None:
        return None
    number = e164(raw, name)
    refused = outside_allowed(countries, number, verb="connect")
    if refused is not None:
        raise InputError(
            name,
            f"{name}: {number} is {refused.reason}. Nothing was sent; ask the user for another "
            "number.",
        )
    return number


def e164(raw: str, name: str) -> str:
    """``raw`` as E.164; an error names the parameter (the reader's default is ``to``)."""
    try:
        return normalize_number(raw, None)
    except InvalidNumberError as error:
        raise InvalidNumberError(error.reason, raw, parameter=name, kind=error.kind) from None


def parties_from(params: Params) -> dict[str, str]:
    countries = parse_allowed_countries(read.text(params, "allowed_countries"))
    parties = {name: number for name in PARTIES if (number := party_from(params, name, countries))}
    if parties.get("first_party") and parties.get("first_party") == parties.get("second_party"):
        raise InputError(
            "second_party",
            "second_party is the same number as first_party; a session connects two different "
            "people. Nothing was sent.",
        )
    return parties


def session_uuid_from(params: Params) -> str:
    return parse_uuid(
        read.text(params, "session_uuid"), "session_uuid", what="session", source=UUID_SOURCE
    )


def create_body(params: Params) -> dict[str, object]:
    parties = parties_from(params)
    for name in PARTIES:
        if name not in parties:
            raise InputError(
                name,
                f"{name} is required to create a session: both parties' phone numbers in "
                "international format, e.g. +14155552671. Nothing was sent.",
            )
    body: dict[str, object] = {name: to_plivo(number) for name, number in parties.items()}
    expiry = SESSION_EXPIRY.read(params, "session_expiry")
    if expiry is not None:
        body["session_expiry"] = expiry
    body["record"] = read.boolean(params, "record", default=False)
    return body


def update_body(params: Params) -> dict[str, object]:
    body: dict[str, object] = {
        name: to_plivo(number) for name, number in parties_from(params).items()
    }
    expiry = SESSION_EXPIRY.read(params, "session_expiry")
    if expiry is not None:
        body["session_expiry"] = expiry
    if not body:
        raise InputError(
            "operation",
            "update: give first_party, second_party or session_expiry to change. Nothing was sent.",
        )
    return body


def list_filters(params: Params) -> dict[str, str]:
    filters: dict[str, str] = {}
    for name in PARTIES:
        raw = read.text(params, name)
        if raw is not None:
            filters[name] = to_plivo(e164(raw, name))
    return filters


def _not_found(error: NotFoundError, session_uuid: str) -> NotFoundError:
    return reworded_not_found(
        error,
        f"No masking session {session_uuid} on this Plivo account (it may have been deleted): "
        f"{UUID_SOURCE}.",
    )


def perform(call: Invocation) -> ToolOutput:
    params = call.parameters
    operation = OPERATION_CHOICE.read(params, "operation")
    if operation in CHANGING:
        require_changes_allowed(params, f"{operation} a masking session")
    if operation == "list":
        filters = list_filters(params)
        limit = LIMIT_RANGE.read_int(params, "limit")
        offset = OFFSET_RANGE.read_int(params, "offset")
        page = list_sessions(
            client_from(call.credentials), limit=limit, offset=offset, filters=filters
        )
        return present_list(page, offset)
    if operation == "create":
        body = create_body(params)
        answer = create_session(client_from(call.credentials), body, check=CREATE_CHECK)
        return present_one("create", answer)
    session_uuid = session_uuid_from(params)
    update = update_body(params) if operation == "update" else None
    client = client_from(call.credentials)
    try:
        return _by_uuid(client, operation, session_uuid, update)
    except NotFoundError as error:
        raise _not_found(error, session_uuid) from None


def _by_uuid(
    client: PlivoClient, operation: str, session_uuid: str, update: dict[str, object] | None
) -> ToolOutput:
    if operation == "get":
        return present_one("get", get_session(client, session_uuid))
    if update is not None:
        return present_one("update", update_session(client, session_uuid, update))
    api_id = delete_session(client, session_uuid)
    text = f"Ended masking session {session_uuid}: its virtual number no longer connects them."
    data: dict[str, object] = {
        "operation": "delete",
        "session_uuid": session_uuid,
        "deleted": True,
        "api_id": api_id,
    }
    return ToolOutput(text, data, _variables("delete", session_uuid, None, None))


def run(call: Invocation) -> ToolOutput:
    return perform(call)


# -- presentation ----------------------------------------------------------------------------


def session_fields(session: MaskingSession) -> dict[str, object]:
    return {
        "session_uuid": session.session_uuid,
        "virtual_number": session.virtual_number,
        "first_party": session.first_party,
        "second_party": session.second_party,
        "state": session.state,
        "expiry_time": session.expiry_time,
    }


def _variables(
    operation: str, session_uuid: str | None, virtual_number: str | None, total: int | None
) -> dict[str, object]:
    return {
        "operation": operation,
        "session_uuid": session_uuid,
        "virtual_number": virtual_number,
        "total_count": total,
    }


def present_one(operation: str, answer: SessionAnswer) -> ToolOutput:
    session = answer.session
    name = f"masking session {session.session_uuid or '(Plivo returned no ID)'}"
    head = {"create": f"Created {name}", "update": f"Updated {name}"}.get(operation, name)
    text = (
        f"{head[0].upper()}{head[1:]}: {session.first_party} and {session.second_party} "
        "reach each other by calling "
        f"{session.virtual_number}; state {session.state or 'unknown'}, expires "
        f"{session.expiry_time or 'at a time Plivo did not say'}."
    )
    data: dict[str, object] = {
        "operation": operation,
        "session": session_fields(session),
        "api_id": answer.api_id,
    }
    return ToolOutput(
        text,
        data,
        _variables(operation, session.session_uuid, session.virtual_number, None),
    )


def present_list(page: Page[MaskingSession], offset: int) -> ToolOutput:
    shown = [
        f"{s.virtual_number} for {s.first_party} and {s.second_party} ({s.state or '?'})"
        for s in page.records
    ]
    text = page_summary("masking sessions", page, offset, shown)
    data: dict[str, object] = {
        "operation": "list",
        "sessions": [session_fields(s) for s in page.records],
        "total_count": page.total_count,
        "next_offset": page.next_offset,
        "api_id": page.api_id,
    }
    return ToolOutput(text, data, _variables("list", None, None, page.total_count))


__all__ = [
    "LIMITS",
    "create_body",
    "list_filters",
    "parties_from",
    "perform",
    "run",
    "session_fields",
    "update_body",
]
