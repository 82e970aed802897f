"""Plivo-shaped answers and request reading shared by every route group.

Every JSON answer starts with a fresh ``api_id`` (Plivo's request identifier), errors are
``{"api_id": ..., "error": "..."}``, deletes answer 204 with an empty body, and lists carry
``meta {limit, next, offset, previous, total_count}`` with ``limit`` from 1 to 20.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

LIST_LIMIT_MAX = 20
OFFSET_MAX = 10**9
HTTP_METHODS = ("GET", "POST")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Rejected(Exception):
    """Plivo refuses the request; ``extra`` goes into the JSON error body."""

    def __init__(self, status: int, error: str, **extra: object) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.extra = extra

    def response(self) -> Response:
        return error_response(self.status, self.error, **self.extra)


def bad_request(error: str) -> Rejected:
    return Rejected(400, error)


def new_api_id() -> str:
    return str(uuid.uuid4())


def json_response(
    status: int, payload: Mapping[str, object], headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer that, like every Plivo answer, starts with a fresh ``api_id``."""
    body = {"api_id": new_api_id(), **payload}
    return Response(
        json.dumps(body), status, headers=dict(headers or {}), mimetype="application/json"
    )


def error_response(status: int, error: str, **extra: object) -> Response:
    return json_response(status, {"error": error, **extra})


def not_found() -> Response:
    return error_response(404, "not found")


def no_content() -> Response:
    """Plivo's answer to a successful DELETE: 204 and no body at all (nor a content type)."""
    response = Response(b"", 204)
    del response.headers["Content-Type"]
    return response


def request_params(request: Request, lists: Sequence[str] = ()) -> dict[str, object]:
    """The body parameters: a JSON object (what Plivo's SDKs send) or form fields.

    Form fields named in ``lists`` keep every value; others keep the first. DELETE and GET
    calls may carry their parameters in the query string instead, which is merged underneath.
    """
    params: dict[str, object] = {}
    if request.method in ("GET", "DELETE"):
        params.update(request.args.to_dict())
    if request.mimetype in _FORM_TYPES:
        for key in request.form:
            values = request.form.getlist(key)
            params[key] = values if key in lists else values[0]
        return params
    data = request.get_data(cache=True)
    if not data.strip():
        return params
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request("request body is not valid JSON") from error
    if not isinstance(parsed, dict):
        raise bad_request("request body must be a JSON object")
    params.update(parsed)
    return params


def int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_request(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def paging(args: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset) of a list call; ``limit`` defaults to and is capped at 20, as on Plivo."""
    limit = int_arg(args, "limit", LIST_LIMIT_MAX, 1, LIST_LIMIT_MAX)
    offset = int_arg(args, "offset", 0, 0, OFFSET_MAX)
    return limit, offset


def list_page[T](
    path: str, args: Mapping[str, str], items: Sequence[T], limit: int, offset: int
) -> tuple[list[T], dict[str, object]]:
    """The page of ``items`` and its ``meta``; ``next``/``previous`` keep the caller's filters."""
    page = list(items[offset : offset + limit])

    def page_url(new_offset: int) -> str:
        return f"{path}?" + urlencode({**args, "limit": limit, "offset": new_offset})

    meta: dict[str, object] = {
        "limit": limit,
        "next": page_url(offset + limit) if offset + limit < len(items) else None,
        "offset": offset,
        "previous": page_url(max(0, offset - limit)) if offset > 0 else None,
        "total_count": len(items),
    }
    return page, meta


def text_param(params: Mapping[str, object], name: str, *, required: bool = False) -> str | None:
    """A string parameter; numbers are accepted as their text, anything else is a 400."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"missing required parameter: {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad_request(f"{name} must be a string")
    return str(value)


def method_param(params: Mapping[str, object], name: str, default: str = "POST") -> str:
    value = text_param(params, name)
    if value is None:
        return default
    if value.upper() not in HTTP_METHODS:
        raise bad_request(f"{name} must be GET or POST")
    return value.upper()


def url_param(params: Mapping[str, object], name: str, *, required: bool = False) -> str | None:
    value = text_param(params, name, required=required)
    if value is None:
        return None
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise bad_request(f"{name} must be an http:// or https:// URL")
    return value


def bool_param(params: Mapping[str, object], name: str) -> bool | None:
    """A boolean given as JSON true/false or as the text "true"/"false" (any case)."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"{name} must be true or false")
