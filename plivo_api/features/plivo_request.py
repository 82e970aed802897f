"""plivo_request: any Plivo REST call below this account, for what no other tool covers.

The request can only reach ``{API base}/v1/Account/{auth_id}/{path}``: the path is checked before
anything is sent, on the text as given and on every percent-decoding of it, so that no scheme,
host, ``..`` segment, backslash, query, fragment, control character or other account ID can
move it elsewhere (an HTTP library resolves ``..`` before sending, and a server may decode twice).
Reads are always allowed; POST and DELETE can spend money or change the account (``DELETE
Call/`` hangs up every call), so they need the builder's ``allow_writes`` setting. A POST is
never repeated once it may have reached Plivo.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, unquote

from .. import params as read
from ..errors import InputError
from ..params import Choice, Limits, Params
from ..resources.connect import client_from
from ..text import shorten
from ..toolkit.jsonobject import read_json_object
from ..toolkit.permissions import require_enabled
from ..transport.client import Answer
from . import Invocation, ToolOutput

METHOD_CHOICE: Final = Choice(("GET", "POST", "DELETE"), "GET", case_insensitive=False)
LIMITS: Limits = {"method": METHOD_CHOICE}
WRITES: Final = frozenset({"POST", "DELETE"})
ALLOW_WRITES: Final = "allow_writes"
ALLOW_WRITES_LABEL: Final = "Allow writes"
PATH_EXAMPLE: Final = "Call/ or Number/14155550100/"
QUERY_EXAMPLE: Final = '{"limit": 5}'
BODY_EXAMPLE: Final = '{"alias": "Support line"}'
WRITE_CHECK: Final = (
    "The request may or may not have been carried out: check with a GET before repeating it."
)
SUBACCOUNT_SEGMENT: Final = "subaccount"  # Subaccount/{SA…}/ is a resource of this account
MAX_DECODINGS: Final = 4

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_AUTH_ID = re.compile(r"(?:MA|SA)[A-Z0-9]{18}", re.IGNORECASE)


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str  # relative to the account root, percent-encoded, ending with "/"
    query: dict[str, str]
    body: dict[str, Any] | None


def _refuse(path: str, problem: str) -> InputError:
    return InputError(
        "path",
        f"path: {shorten(path)!r} {problem}. Give a path relative to this account's root, e.g. "
        f"{PATH_EXAMPLE} (the root /v1/Account/{{auth_id}}/ is added for you). Nothing was sent.",
    )


def _check_text(path: str, text: str) -> None:
    """The rules every decoding of the path must pass."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf"):
            raise _refuse(path, f"contains the control character U+{ord(char):04X}")
    if "\\" in text:
        raise _refuse(path, "contains a backslash")
    if "?" in text or "#" in text:
        raise _refuse(path, "contains '?' or '#'; put query parameters in query, as JSON")
    if _SCHEME.match(text) or "://" in text:
        raise _refuse(path, "names a scheme (such as https:); only paths are accepted")
    if text.startswith("//"):
        raise _refuse(path, "names a host")
    if any(segment in (".", "..") for segment in text.split("/")):
        raise _refuse(path, "has a '.' or '..' segment")


def account_path(raw: str) -> str:
    """The path below the account root, checked (see the module docstring) and re-encoded."""
    decodings = [raw]
    while len(decodings) <= MAX_DECODINGS:
        _check_text(raw, decodings[-1])
        decoded = unquote(decodings[-1])
        if decoded == decodings[-1]:
            break
        decodings.append(decoded)
    if len(decodings) > 2:
        raise _refuse(raw, "is percent-encoded more than once")
    text = decodings[-1].lstrip("/")
    if not text:
        raise _refuse(raw, "is empty")
    segments = text.removesuffix("/").split("/")
    if "" in segments:
        raise _refuse(raw, "has an empty segment ('//')")
    if segments[0].lower() in ("v1", "account"):
        raise _refuse(raw, "starts at the API root")
    for index, segment in enumerate(segments):
        after_subaccount = index > 0 and segments[index - 1].lower() == SUBACCOUNT_SEGMENT
        if _AUTH_ID.fullmatch(segment) and not (after_subaccount and segment[:2].upper() == "SA"):
            raise _refuse(raw, "names an account ID; this tool only reaches its own account")
    return quote("/".join(segments), safe="/") + "/"


def _query(params: Params) -> dict[str, str]:
    given = read_json_object(params, "query", example=QUERY_EXAMPLE) or {}
    query: dict[str, str] = {}
    for key, value in given.items():
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            query[key] = str(value)
        else:
            raise InputError(
                "query",
                f"query: the value of {shorten(key, 40)!r} must be text, a number or a boolean; "
                f"write e.g. {QUERY_EXAMPLE}. Nothing was sent.",
            )
    return query


def request_from(params: Params) -> RawRequest:
    method = METHOD_CHOICE.read(params, "method")
    if method in WRITES:
        enabled = read.boolean(params, ALLOW_WRITES, default=False)
        require_enabled(enabled, ALLOW_WRITES, ALLOW_WRITES_LABEL, f"send a {method} request")
    raw_path = read.text(params, "path")
    if raw_path is None:
        raise InputError("path", f"path is required, e.g. {PATH_EXAMPLE}")
    path = account_path(raw_path)
    query = _query(params)
    body = read_json_object(params, "body", example=BODY_EXAMPLE)
    if body is not None and method == "GET":
        raise InputError(
            "body", "body: a GET sends no body; put its parameters in query. Nothing was sent."
        )
    return RawRequest(method, path, query, body)


def run(call: Invocation) -> ToolOutput:
    request = request_from(call.parameters)
    client = client_from(call.credentials)
    answer = client.exchange(
        request.method,
        client.account_url + request.path,
        params=request.query or None,
        json_body=request.body,
        creates=WRITE_CHECK if request.method == "POST" else None,
    )
    return present(request, answer)


def present(request: RawRequest, answer: Answer) -> ToolOutput:
    body = answer.body
    if isinstance(body, dict):
        described = f"a JSON object (keys: {', '.join(list(body)[:10])})" if body else "{}"
    elif body is None:
        described = "no JSON body"
    else:
        described = "JSON that is not an object"
    text = f"{request.method} {request.path} answered HTTP {answer.status} with {described}."
    api_id = body.get("api_id") if isinstance(body, dict) else None
    data: dict[str, object] = {
        "status": answer.status,
        "body": body,
        "api_id": api_id if isinstance(api_id, str) else None,
    }
    return ToolOutput(
        text, data, {"status": answer.status, "body": body if isinstance(body, dict) else None}
    )


__all__ = ["LIMITS", "RawRequest", "account_path", "present", "request_from", "run"]
