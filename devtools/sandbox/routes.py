"""Routing and handlers for the Plivo endpoints the plugin uses (plivo-api.md §2–§10).

Authentication comes first on every ``/v1/`` path, as on Plivo: a wrong token never learns whether
a resource exists. Both ``/Message/`` and ``/Message`` are accepted (Plivo redirects the latter).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.catalog import lookup, strip_number
from devtools.sandbox.messages import StoredMessage
from devtools.sandbox.state import SandboxState
from devtools.sandbox.validation import SendRejected, check_permissions, parse_send

LIST_LIMIT_MAX = 20
LIST_WINDOW_SECONDS = 24 * 3600
LOOKUP_NOT_FOUND = 20404
LOOKUP_BAD_REQUEST = 20400
_ISO2 = re.compile(r"^[A-Z]{2}$")
_TIME_FORMATS = (
    ("%Y-%m-%d %H:%M:%S.%f", dt.timedelta(microseconds=1)),
    ("%Y-%m-%d %H:%M:%S", dt.timedelta(seconds=1)),
    ("%Y-%m-%d %H:%M", dt.timedelta(minutes=1)),
)
_LIST_FILTERS: dict[str, Callable[[StoredMessage], str]] = {
    "message_direction": lambda m: m.direction,
    "message_type": lambda m: m.message_type,
    "from_number": lambda m: m.from_number,
    "to_number": lambda m: m.to_number,
    "destination_country_iso2": lambda m: m.country_iso2,
    "powerpack_id": lambda m: str(m.options.get("powerpack_uuid", "")),
}


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


class ListQueryError(ValueError):
    pass


def _parse_time(name: str, value: str) -> tuple[dt.datetime, dt.timedelta]:
    for fmt, resolution in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC), resolution
        except ValueError:
            continue
    raise ListQueryError(f"{name} must look like YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (UTC)")


@dataclass(frozen=True)
class TimeFilter:
    """One ``message_time`` filter; plain ``message_time`` matches at the given resolution."""

    operator: str
    moment: dt.datetime
    resolution: dt.timedelta

    def accepts(self, created: dt.datetime) -> bool:
        if self.operator == "":
            return self.moment <= created < self.moment + self.resolution
        return bool(_COMPARISONS[self.operator](created, self.moment))


_COMPARISONS: dict[str, Callable[[dt.datetime, dt.datetime], bool]] = {
    "__gt": operator.gt,
    "__gte": operator.ge,
    "__lt": operator.lt,
    "__lte": operator.le,
}


def _time_filters(args: Mapping[str, str]) -> list[TimeFilter]:
    filters = []
    for name, value in args.items():
        if name != "message_time" and not name.startswith("message_time__"):
            continue
        suffix = name.removeprefix("message_time")
        if suffix and suffix not in _COMPARISONS:
            raise ListQueryError(f"unknown filter {name}")
        moment, resolution = _parse_time(name, value)
        filters.append(TimeFilter(suffix, moment, resolution))
    return filters


def _int_arg(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ListQueryError(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _send_params(request: Request) -> dict[str, object]:
    """The send parameters from a JSON body (Plivo's way) or a form body (also accepted)."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params: dict[str, object] = {}
        for key in request.form:
            values = request.form.getlist(key)
            params[key] = values if key in ("media_urls", "media_ids") else values[0]
        return params
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise SendRejected(400, "request body is not valid JSON") from error
    if not isinstance(parsed, dict):
        raise SendRejected(400, "request body must be a JSON object")
    return parsed


class PlivoApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.url_map = Map(
            [
                Rule("/v1/Account/<auth_id>/", endpoint="account", methods=["GET"]),
                Rule("/v1/Account/<auth_id>/Message/", endpoint="list_messages", methods=["GET"]),
                Rule("/v1/Account/<auth_id>/Message/", endpoint="send_message", methods=["POST"]),
                Rule(
                    "/v1/Account/<auth_id>/Message/<message_uuid>/",
                    endpoint="get_message",
                    methods=["GET"],
                ),
                Rule("/v1/Account/<auth_id>/Pricing/", endpoint="pricing", methods=["GET"]),
                Rule("/v1/Number/<number>", endpoint="lookup", methods=["GET"]),
            ],
            strict_slashes=False,
        )

    def dispatch(self, request: Request, account: SandboxAccount | None) -> Response:
        if request.path.startswith("/v1/") and account is None:
            return error_response(401, "authentication_failed")
        try:
            endpoint, matched = self.url_map.bind_to_environ(request.environ).match()
        except NotFound:
            return error_response(404, "not found")
        except MethodNotAllowed as error:
            allow = ", ".join(error.valid_methods or ())
            return json_response(405, {"error": "method not allowed"}, {"Allow": allow})
        assert account is not None  # every rule lives under /v1/
        args = dict(matched)
        if args.pop("auth_id", account.auth_id) != account.auth_id:
            return error_response(401, "authentication_failed")
        handler: Callable[..., Response] = getattr(self, endpoint)
        return handler(request, account, **args)

    def account(self, request: Request, account: SandboxAccount) -> Response:
        return Response(json.dumps(account.to_json(new_api_id())), 200, mimetype="application/json")

    def send_message(self, request: Request, account: SandboxAccount) -> Response:
        try:
            send = parse_send(_send_params(request))
            check_permissions(send, account, self.state.geo_blocked)
        except SendRejected as rejected:
            return error_response(rejected.status, rejected.error, **rejected.extra)
        uuids = self.state.create_outbound(account, send, request.remote_addr or "")
        body: dict[str, object] = {"message": "message(s) queued", "message_uuid": uuids}
        if send.invalid:
            body["invalid_number"] = list(send.invalid)
        return json_response(202, body)

    def get_message(self, request: Request, account: SandboxAccount, message_uuid: str) -> Response:
        message = self.state.message(account.auth_id, message_uuid)
        if message is None:
            return error_response(404, "not found")
        mdr = message.to_mdr(now=time.time(), timeline=self.state.timeline, api_id=new_api_id())
        return Response(json.dumps(mdr), 200, mimetype="application/json")

    def list_messages(self, request: Request, account: SandboxAccount) -> Response:
        if not self.state.allow_list_call(account.auth_id):
            return error_response(429, "too many requests")
        args = request.args.to_dict()
        try:
            limit = _int_arg(args, "limit", LIST_LIMIT_MAX, 1, LIST_LIMIT_MAX)
            offset = _int_arg(args, "offset", 0, 0, 10**9)
            time_filters = _time_filters(args)
        except ListQueryError as error:
            return error_response(400, str(error))
        now = time.time()
        if not time_filters:  # Plivo's default window (§7)
            since = dt.datetime.fromtimestamp(now - LIST_WINDOW_SECONDS, dt.UTC)
            time_filters = [TimeFilter("__gte", since, dt.timedelta(0))]
        selected = [
            m
            for m in self.state.newest_first(account.auth_id)
            if self._keep(m, args, now)
            and all(f.accepts(dt.datetime.fromtimestamp(m.created, dt.UTC)) for f in time_filters)
        ]
        page = selected[offset : offset + limit]
        base = f"/v1/Account/{account.auth_id}/Message/?"

        def page_url(new_offset: int) -> str:
            return base + urlencode({**args, "limit": limit, "offset": new_offset})

        meta = {
            "limit": limit,
            "next": page_url(offset + limit) if offset + limit < len(selected) else None,
            "offset": offset,
            "previous": page_url(max(0, offset - limit)) if offset > 0 else None,
            "total_count": len(selected),
        }
        timeline = self.state.timeline
        objects = [m.to_mdr(now=now, timeline=timeline, api_id=None) for m in page]
        return json_response(200, {"meta": meta, "objects": objects})

    def _keep(self, message: StoredMessage, args: Mapping[str, str], now: float) -> bool:
        for name, field in _LIST_FILTERS.items():
            wanted = args.get(name)
            if wanted is None:
                continue
            if name in ("from_number", "to_number"):
                wanted = strip_number(wanted)
            if field(message) != wanted:
                return False
        state = args.get("message_state")
        if state is not None and message.current_state(now, self.state.timeline) != state:
            return False
        error_code = args.get("error_code")
        if error_code is not None:
            record = message.to_mdr(now=now, timeline=self.state.timeline, api_id=None)
            return record["error_code"] == error_code
        return True

    def pricing(self, request: Request, account: SandboxAccount) -> Response:
        iso = request.args.get("country_iso", "")
        if not _ISO2.match(iso):
            return error_response(400, "country_iso must be a two-letter ISO 3166 code, e.g. US")
        pricing = self.state.pricing(iso)
        if pricing is None:
            return error_response(404, "not found")
        return Response(json.dumps(pricing.to_json(new_api_id())), 200, mimetype="application/json")

    def lookup(self, request: Request, account: SandboxAccount, number: str) -> Response:
        kind = request.args.get("type")
        if kind != "carrier":
            return json_response(
                400,
                {"error_code": LOOKUP_BAD_REQUEST, "message": "type must be given as type=carrier"},
            )
        body = lookup(number, new_api_id())
        if body is None:
            return json_response(
                404,
                {
                    "error_code": LOOKUP_NOT_FOUND,
                    "message": "Phone number is invalid or does not exist; use E.164 format",
                },
            )
        return Response(json.dumps(body), 200, mimetype="application/json")
