"""applications: list, read, create, update or delete the account's Plivo applications.

An application holds the URLs Plivo calls for the calls and messages of the numbers and SIP
endpoints linked to it (https://www.plivo.com/docs/account/api/application/). Reading is free;
create, update and delete change the account and need the builder's ``allow_changes`` setting. An
update sends only the fields given.
"""

from __future__ import annotations

from typing import Any, Final

from .. import params as read
from ..errors import InputError
from ..messaging.identifiers import parse_numeric_id
from ..params import Limits, Params, http_url
from ..resources.applications import APPLICATIONS
from ..resources.connect import client_from
from ..toolkit.operations import (
    CHANGING,
    OPERATION_CHOICE,
    OperationResult,
    create_resource,
    delete_resource,
    get_resource,
    list_resources,
    optional_flag,
    optional_method,
    read_operation,
    require_changes_allowed,
    update_resource,
)
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE
from . import Invocation, ToolOutput

LIMITS: Limits = {"operation": OPERATION_CHOICE, "limit": LIMIT_RANGE, "offset": OFFSET_RANGE}
APP_NAME_MAX: Final = 200
URL_FIELDS: Final = ("answer_url", "hangup_url", "fallback_answer_url", "message_url")
METHOD_FIELDS: Final = ("answer_method", "hangup_method", "fallback_method", "message_method")
FLAG_FIELDS: Final = (
    "default_number_app",
    "default_endpoint_app",
    "log_incoming_messages",
    "public_uri",
)
ID_SOURCE: Final = "operation list shows every application with its app_id"
CREATE_CHECK: Final = (
    "The application may or may not have been created: list the applications before creating "
    "it again."
)

KIND: Final = APPLICATIONS


def app_id_from(params: Params) -> str:
    return parse_numeric_id(
        read.text(params, "app_id"), "app_id", what="application", source=ID_SOURCE
    )


def fields_from(params: Params) -> dict[str, Any]:
    """The application fields given, checked; nothing else is sent."""
    body: dict[str, Any] = {}
    name = read.text(params, "app_name")
    if name is not None:
        if len(name) > APP_NAME_MAX:
            raise InputError(
                "app_name", f"app_name: {len(name)} characters; at most {APP_NAME_MAX}."
            )
        body["app_name"] = name
    for field in URL_FIELDS:
        url = read.text(params, field)
        if url is not None:
            body[field] = http_url(url, field)
    for field in METHOD_FIELDS:
        method = optional_method(params, field)
        if method is not None:
            body[field] = method
    for field in FLAG_FIELDS:
        flag = optional_flag(params, field)
        if flag is not None:
            body[field] = flag
    return body


def perform(call: Invocation) -> OperationResult:
    params = call.parameters
    operation = read_operation(params)
    if operation in CHANGING:
        require_changes_allowed(params, f"{operation} an application")
    client = client_from(call.credentials)
    if operation == "list":
        name = read.text(params, "app_name")
        return list_resources(
            client,
            KIND,
            limit=LIMIT_RANGE.read_int(params, "limit"),
            offset=OFFSET_RANGE.read_int(params, "offset"),
            filters={"app_name": name} if name else None,
        )
    if operation == "create":
        body = fields_from(params)
        if "app_name" not in body:
            raise InputError(
                "app_name", "app_name is required to create an application. Nothing was sent."
            )
        return create_resource(client, KIND, body, check=CREATE_CHECK)[0]
    app_id = app_id_from(params)
    if operation == "get":
        return get_resource(client, KIND, app_id)
    if operation == "update":
        return update_resource(client, KIND, app_id, fields_from(params))
    return delete_resource(client, KIND, app_id)


def run(call: Invocation) -> ToolOutput:
    result = perform(call)
    return ToolOutput(result.text, result.data, result.variables)


__all__ = ["KIND", "LIMITS", "app_id_from", "fields_from", "perform", "run"]
