"""sip_endpoints: list, read, create, update or delete the account's SIP endpoints.

A SIP endpoint is a username and password a softphone or SIP device registers with at
``phone.plivo.com``; calls to it are routed by its application
(https://www.plivo.com/docs/voice/api/endpoint/create-an-endpoint/). Plivo appends 12 digits to
the username given at creation, so the created username is returned. Create, update and delete
need the builder's ``allow_changes`` setting.

An update sends only the fields given. The password is a form setting, so it is present in every
call of a tool node that creates endpoints; sending it with every update would reset the
password of whichever endpoint is renamed or relinked to that setting. It is therefore sent on
update only when the builder switched on ``change_password``.

The password is a form-only secret: it goes into the request body and nowhere else. Plivo never
returns it; should an error text ever echo it, it is replaced before the error is raised.
"""

from __future__ import annotations

import re
from typing import Any, Final

from .. import params as read
from ..errors import InputError
from ..messaging.identifiers import parse_numeric_id
from ..params import UNRESOLVED_VARIABLE, Limits, Params
from ..resources.connect import client_from
from ..resources.endpoints import ENDPOINTS
from ..text import shorten
from ..toolkit.operations import (
    CHANGING,
    OPERATION_CHOICE,
    OperationResult,
    create_resource,
    delete_resource,
    get_resource,
    list_resources,
    read_operation,
    require_changes_allowed,
    update_resource,
)
from ..transport.jsonvalues import str_of
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE
from . import Invocation, ToolOutput

LIMITS: Limits = {"operation": OPERATION_CHOICE, "limit": LIMIT_RANGE, "offset": OFFSET_RANGE}
PASSWORD: Final = "password"  # noqa: S105 - the parameter's name, not a password
CHANGE_PASSWORD: Final = "change_password"  # noqa: S105 - the parameter's name
CHANGE_PASSWORD_LABEL: Final = "Change password on update"  # noqa: S105 - a setting's label
PASSWORD_SHOWN: Final = "[password]"  # noqa: S105 - what replaces the password in texts
ID_SOURCE: Final = "operation list shows every endpoint with its endpoint_id"
APP_SOURCE: Final = "the applications tool lists them with their app_id"
PASSWORD_MIN_CHARS: Final = 5  # Plivo's minimum
PASSWORD_MAX_CHARS: Final = 256  # Plivo documents no maximum; longer text is a paste fault
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")  # Plivo: letters and digits, a letter first
CREATE_CHECK: Final = (
    "The endpoint may or may not have been created: list the endpoints before creating it again."
)

KIND: Final = ENDPOINTS


def endpoint_id_from(params: Params) -> str:
    return parse_numeric_id(
        read.text(params, "endpoint_id"), "endpoint_id", what="SIP endpoint", source=ID_SOURCE
    )


def password_from(params: Params) -> str | None:
    """The secret as given (never stripped of inner characters, never quoted back)."""
    value = params.get(PASSWORD)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InputError(PASSWORD, "password: expected text.")
    if any(not char.isprintable() for char in value):
        raise InputError(
            PASSWORD,
            "password contains a control character or line break (often pasted along with it); "
            "set it again in the tool's settings.",
        )
    if UNRESOLVED_VARIABLE.search(value):
        raise InputError(
            PASSWORD,
            "password is an unresolved workflow variable: the variable it refers to was empty or "
            "never set; set the password in the tool's settings.",
        )
    if len(value) > PASSWORD_MAX_CHARS:
        raise InputError(
            PASSWORD,
            f"password: {len(value)} characters is far too long (at most {PASSWORD_MAX_CHARS}); "
            "set it again in the tool's settings.",
        )
    if len(value) < PASSWORD_MIN_CHARS:
        raise InputError(
            PASSWORD,
            f"password: Plivo requires at least {PASSWORD_MIN_CHARS} characters; set a longer "
            "one in the tool's settings.",
        )
    return value


def fields_from(params: Params, *, creating: bool) -> dict[str, Any]:
    """The endpoint fields given; a new endpoint needs username, password and alias.

    On update the password is only sent when ``change_password`` is on (see the module
    docstring); an update with nothing to change is refused by the caller.
    """
    body: dict[str, Any] = {}
    if creating:
        username = read.text(params, "username")
        if username is not None:
            if not _USERNAME.fullmatch(username):
                raise InputError(
                    "username",
                    f"username: {shorten(username, 40)!r} is not accepted by Plivo: use letters "
                    "and digits only, starting with a letter (e.g. frontdesk1).",
                )
            body["username"] = username
    password = password_from(params) if creating or _changes_password(params) else None
    if password is not None:
        body[PASSWORD] = password
    alias = read.text(params, "alias")
    if alias is not None:
        body["alias"] = alias
    app_id = read.text(params, "app_id")
    if app_id is not None:
        body["app_id"] = parse_numeric_id(app_id, "app_id", what="application", source=APP_SOURCE)
    if creating:
        missing = [name for name in ("username", PASSWORD, "alias") if name not in body]
        if missing:
            where = " (a setting of this tool)" if PASSWORD in missing else ""
            raise InputError(
                missing[0],
                f"To create an endpoint Plivo needs username, password and alias; missing: "
                f"{', '.join(missing)}{where}. Nothing was sent.",
            )
    elif not body:
        raise InputError(
            "operation",
            "update: no field to change was given; pass alias and/or app_id. The password "
            f"setting is only changed when the builder turned on '{CHANGE_PASSWORD_LABEL}' in "
            "the tool's settings. Nothing was sent.",
        )
    return body


def _changes_password(params: Params) -> bool:
    """Whether an update is meant to set the password: the builder's ``change_password``."""
    if not read.boolean(params, CHANGE_PASSWORD, default=False):
        return False
    if password_from(params) is None:
        raise InputError(
            PASSWORD,
            f"'{CHANGE_PASSWORD_LABEL}' is on but no password is set: set the new password in "
            "the tool's settings, or turn the setting off to leave the password as it is. "
            "Nothing was sent.",
        )
    return True


def perform(call: Invocation) -> OperationResult:
    params = call.parameters
    operation = read_operation(params)
    if operation in CHANGING:
        require_changes_allowed(params, f"{operation} a SIP endpoint")
    client = client_from(call.credentials)
    if operation == "list":
        return list_resources(
            client,
            KIND,
            limit=LIMIT_RANGE.read_int(params, "limit"),
            offset=OFFSET_RANGE.read_int(params, "offset"),
        )
    if operation == "get":
        return get_resource(client, KIND, endpoint_id_from(params))
    if operation == "delete":
        return delete_resource(client, KIND, endpoint_id_from(params))
    body = fields_from(params, creating=operation == "create")
    # Kept out of errors even when an update does not send it: the setting is still a secret.
    password = body.get(PASSWORD) or params.get(PASSWORD)
    if isinstance(password, str) and len(password.strip()) >= PASSWORD_MIN_CHARS:
        client = client.keeping_secret(password, PASSWORD_SHOWN)
    if operation == "update":
        return update_resource(client, KIND, endpoint_id_from(params), body)
    result, answer = create_resource(client, KIND, body, check=CREATE_CHECK)
    username = str_of(answer, "username")
    result.data["username"] = username
    return OperationResult(
        f"Created SIP endpoint {result.data['endpoint_id']} with username {username} (Plivo "
        "appends digits to the name given); register the device with that username and the "
        "password from the tool's settings.",
        result.data,
        result.variables,
    )


def run(call: Invocation) -> ToolOutput:
    result = perform(call)
    return ToolOutput(result.text, result.data, result.variables)


__all__ = ["CHANGE_PASSWORD", "KIND", "LIMITS", "endpoint_id_from", "fields_from", "perform", "run"]
