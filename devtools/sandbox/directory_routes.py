"""Account configuration endpoints: rented numbers, applications and SIP endpoints.

Shapes follow Plivo's API reference (https://www.plivo.com/docs/numbers/api/account-phone-number,
https://www.plivo.com/docs/account/api/application, https://www.plivo.com/docs/voice/api/endpoint):
creates answer 201 ``{"message": "created", ...}``, updates 202 ``{"message": "changed"}``,
deletes 204 with no body. An update changes only the fields it names. An ``app_id`` that is not
one of the account's applications is a 400 (the parameter is wrong, not the path).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    bad_request,
    bool_param,
    json_response,
    list_page,
    method_param,
    no_content,
    not_found,
    paging,
    request_params,
    text_param,
    url_param,
)
from devtools.sandbox.catalog import strip_number
from devtools.sandbox.directory import NUMBER_TYPES, SERVICES, Application, Directory

APP_NAME_MAX = 200
ENDPOINT_PASSWORD_MIN = 5
ENDPOINT_USERNAME_MAX = 50
CNAM_VALUES = ("enabled", "disabled")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_APP_URLS = ("answer_url", "hangup_url", "fallback_answer_url", "message_url")
_APP_METHODS = ("answer_method", "hangup_method", "fallback_method", "message_method")
# Request parameter -> Application field (Plivo reads "default_number_app", shows "default_app").
_APP_FLAGS = {
    "default_number_app": "default_app",
    "default_endpoint_app": "default_endpoint_app",
    "log_incoming_messages": "log_incoming_messages",
    "public_uri": "public_uri",
}


def _app_changes(params: Mapping[str, object]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    name = text_param(params, "app_name")
    if name is not None:
        if len(name) > APP_NAME_MAX:
            raise bad_request(f"app_name is limited to {APP_NAME_MAX} characters")
        changes["app_name"] = name
    for url in _APP_URLS:
        if url in params:
            changes[url] = url_param(params, url) or ""
    for method in _APP_METHODS:
        if method in params:
            changes[method] = method_param(params, method)
    for parameter, attribute in _APP_FLAGS.items():
        flag = bool_param(params, parameter)
        if flag is not None:
            changes[attribute] = flag
    return changes


def _optional_app_id(
    directory: Directory, account: str, params: Mapping[str, object]
) -> tuple[bool, str | None]:
    """(given, app_id): ``app_id`` "" or null unlinks; an unknown ID is a 400."""
    if "app_id" not in params:
        return False, None
    raw = params["app_id"]
    if raw is None or raw == "" or raw == "null":
        return True, None
    app_id = text_param(params, "app_id")
    if app_id is None or directory.app(account, app_id) is None:
        raise bad_request(f"app_id {raw!r} is not one of this account's applications")
    return True, app_id


class DirectoryApi:
    """Handlers for ``/Number/``, ``/Application/`` and ``/Endpoint/``."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def rules(self) -> list[Rule]:
        base = "/v1/Account/<auth_id>"
        return [
            Rule(f"{base}/Number/", endpoint="list_numbers", methods=["GET"]),
            Rule(f"{base}/Number/<number>/", endpoint="get_number", methods=["GET"]),
            Rule(f"{base}/Number/<number>/", endpoint="update_number", methods=["POST"]),
            Rule(f"{base}/Number/<number>/", endpoint="unrent_number", methods=["DELETE"]),
            Rule(f"{base}/Application/", endpoint="list_apps", methods=["GET"]),
            Rule(f"{base}/Application/", endpoint="create_app", methods=["POST"]),
            Rule(f"{base}/Application/<app_id>/", endpoint="get_app", methods=["GET"]),
            Rule(f"{base}/Application/<app_id>/", endpoint="update_app", methods=["POST"]),
            Rule(f"{base}/Application/<app_id>/", endpoint="delete_app", methods=["DELETE"]),
            Rule(f"{base}/Endpoint/", endpoint="list_endpoints", methods=["GET"]),
            Rule(f"{base}/Endpoint/", endpoint="create_endpoint", methods=["POST"]),
            Rule(f"{base}/Endpoint/<endpoint_id>/", endpoint="get_endpoint", methods=["GET"]),
            Rule(f"{base}/Endpoint/<endpoint_id>/", endpoint="update_endpoint", methods=["POST"]),
            Rule(f"{base}/Endpoint/<endpoint_id>/", endpoint="delete_endpoint", methods=["DELETE"]),
        ]

    # Numbers --------------------------------------------------------------------------------

    def list_numbers(self, request: Request, account: SandboxAccount) -> Response:
        args = request.args.to_dict()
        limit, offset = paging(args)
        kind = args.get("type")
        if kind is not None and kind not in NUMBER_TYPES:
            raise bad_request(f"type must be one of: {', '.join(NUMBER_TYPES)}")
        prefix = args.get("number_startswith")
        if prefix is not None and not strip_number(prefix).isdigit():
            raise bad_request("number_startswith must be digits")
        services = [s.strip() for s in args.get("services", "").split(",") if s.strip()]
        if any(service not in SERVICES for service in services):
            raise bad_request(f"services must be a comma-separated list of: {', '.join(SERVICES)}")
        selected = [
            number
            for number in self.directory.account_numbers(account.auth_id)
            if (kind is None or number.number_type == kind)
            and (prefix is None or number.number.startswith(strip_number(prefix)))
            and ("alias" not in args or number.alias == args["alias"])
            and all(number.offers(service) for service in services)
        ]
        path = f"/v1/Account/{account.auth_id}/Number/"
        page, meta = list_page(path, args, selected, limit, offset)
        return json_response(200, {"meta": meta, "objects": [n.to_json(None) for n in page]})

    def get_number(self, request: Request, account: SandboxAccount, number: str) -> Response:
        rented = self.directory.number(account.auth_id, strip_number(number))
        if rented is None:
            return not_found()
        body = rented.to_json(None)
        return json_response(200, body)

    def update_number(self, request: Request, account: SandboxAccount, number: str) -> Response:
        rented = self.directory.number(account.auth_id, strip_number(number))
        if rented is None:
            return not_found()
        params = request_params(request)
        if params.get("subaccount"):
            raise bad_request("subaccount: this account has no subaccounts")
        given, app_id = _optional_app_id(self.directory, account.auth_id, params)
        changes: dict[str, Any] = {}
        if given:
            changes["app_id"] = app_id
        if "alias" in params:
            changes["alias"] = text_param(params, "alias")
        cnam = text_param(params, "cnam_lookup")
        if cnam is not None:
            if cnam not in CNAM_VALUES:
                raise bad_request("cnam_lookup must be 'enabled' or 'disabled'")
            changes["cnam_lookup"] = cnam
        self.directory.save_number(dataclasses.replace(rented, **changes))
        return json_response(202, {"message": "changed"})

    def unrent_number(self, request: Request, account: SandboxAccount, number: str) -> Response:
        rented = self.directory.number(account.auth_id, strip_number(number))
        if rented is None:
            return not_found()
        self.directory.delete_number(rented)
        return no_content()

    # Applications ---------------------------------------------------------------------------

    def list_apps(self, request: Request, account: SandboxAccount) -> Response:
        args = request.args.to_dict()
        limit, offset = paging(args)
        apps = [
            app
            for app in self.directory.account_apps(account.auth_id)
            if "app_name" not in args or app.app_name == args["app_name"]
        ]
        path = f"/v1/Account/{account.auth_id}/Application/"
        page, meta = list_page(path, args, apps, limit, offset)
        return json_response(200, {"meta": meta, "objects": [a.to_json(None) for a in page]})

    def create_app(self, request: Request, account: SandboxAccount) -> Response:
        params = request_params(request)
        text_param(params, "app_name", required=True)
        changes = _app_changes(params)
        app = Application(self.directory.new_app_id(), account.auth_id, str(changes["app_name"]))
        self.directory.save_app(dataclasses.replace(app, **changes))
        return json_response(201, {"message": "created", "app_id": app.app_id})

    def get_app(self, request: Request, account: SandboxAccount, app_id: str) -> Response:
        app = self.directory.app(account.auth_id, app_id)
        if app is None:
            return not_found()
        return json_response(200, app.to_json(None))

    def update_app(self, request: Request, account: SandboxAccount, app_id: str) -> Response:
        app = self.directory.app(account.auth_id, app_id)
        if app is None:
            return not_found()
        changes = _app_changes(request_params(request))
        self.directory.save_app(dataclasses.replace(app, **changes))
        return json_response(202, {"message": "changed"})

    def delete_app(self, request: Request, account: SandboxAccount, app_id: str) -> Response:
        app = self.directory.app(account.auth_id, app_id)
        if app is None:
            return not_found()
        params = request_params(request)
        cascade = bool_param(params, "cascade")
        replacement = text_param(params, "new_endpoint_application")
        if replacement is not None and (
            replacement == app_id or self.directory.app(account.auth_id, replacement) is None
        ):
            raise bad_request("new_endpoint_application must be another of this account's apps")
        self.directory.delete_app(
            app, cascade=True if cascade is None else cascade, new_endpoint_app=replacement
        )
        return no_content()

    # Endpoints ------------------------------------------------------------------------------

    def list_endpoints(self, request: Request, account: SandboxAccount) -> Response:
        args = request.args.to_dict()
        limit, offset = paging(args)
        endpoints = self.directory.account_endpoints(account.auth_id)
        path = f"/v1/Account/{account.auth_id}/Endpoint/"
        page, meta = list_page(path, args, endpoints, limit, offset)
        return json_response(200, {"meta": meta, "objects": [e.to_json(None) for e in page]})

    def create_endpoint(self, request: Request, account: SandboxAccount) -> Response:
        params = request_params(request)
        username = text_param(params, "username", required=True)
        password = text_param(params, "password", required=True)
        alias = text_param(params, "alias", required=True)
        assert username is not None and password is not None and alias is not None
        if not _USERNAME.match(username) or len(username) > ENDPOINT_USERNAME_MAX:
            raise bad_request(
                "username must start with a letter and hold only letters, digits, '-' and '_' "
                f"(at most {ENDPOINT_USERNAME_MAX} characters)"
            )
        _check_password(password)
        _, app_id = _optional_app_id(self.directory, account.auth_id, params)
        endpoint = self.directory.new_endpoint(account.auth_id, username, password, alias, app_id)
        return json_response(
            201,
            {
                "alias": endpoint.alias,
                "endpoint_id": endpoint.endpoint_id,
                "message": "created",
                "username": endpoint.username,
            },
        )

    def get_endpoint(self, request: Request, account: SandboxAccount, endpoint_id: str) -> Response:
        endpoint = self.directory.endpoint(account.auth_id, endpoint_id)
        if endpoint is None:
            return not_found()
        return json_response(200, endpoint.to_json(None))

    def update_endpoint(
        self, request: Request, account: SandboxAccount, endpoint_id: str
    ) -> Response:
        endpoint = self.directory.endpoint(account.auth_id, endpoint_id)
        if endpoint is None:
            return not_found()
        params = request_params(request)
        changes: dict[str, Any] = {}
        password = text_param(params, "password")
        if password is not None:
            _check_password(password)
            changes["password"] = password
        alias = text_param(params, "alias")
        if alias is not None:
            changes["alias"] = alias
        given, app_id = _optional_app_id(self.directory, account.auth_id, params)
        if given:
            changes["app_id"] = app_id
        self.directory.save_endpoint(dataclasses.replace(endpoint, **changes))
        return json_response(202, {"message": "changed"})

    def delete_endpoint(
        self, request: Request, account: SandboxAccount, endpoint_id: str
    ) -> Response:
        endpoint = self.directory.endpoint(account.auth_id, endpoint_id)
        if endpoint is None:
            return not_found()
        self.directory.delete_endpoint(endpoint)
        return no_content()


def _check_password(password: str) -> None:
    if len(password) < ENDPOINT_PASSWORD_MIN:
        raise bad_request(f"password must be at least {ENDPOINT_PASSWORD_MIN} characters long")
