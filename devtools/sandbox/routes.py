"""Routing for every Plivo endpoint the sandbox serves, and the messaging handlers.

Authentication comes first on every ``/v1/`` path, as on Plivo: a wrong token never learns whether
a resource exists. Trailing slashes are optional (Plivo redirects ``/Message`` to ``/Message/``).
The voice, account-configuration and PHLO handlers live in ``voice_routes``, ``directory_routes``
and ``phlo_routes``; message sending, Get/List Message, Pricing and Lookup live here
(https://www.plivo.com/docs/messaging/api/message, https://www.plivo.com/docs/lookup/api).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import operator
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    Rejected,
    error_response,
    json_response,
    list_page,
    new_api_id,
    paging,
    request_params,
)
from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.catalog import lookup, strip_number
from devtools.sandbox.directory_routes import DirectoryApi
from devtools.sandbox.live_call_routes import LiveCallApi
from devtools.sandbox.masking_routes import MaskingApi
from devtools.sandbox.messages import StoredMessage
from devtools.sandbox.phlo_routes import PhloApi
from devtools.sandbox.recording_routes import RecordingApi
from devtools.sandbox.state import SandboxState
from devtools.sandbox.validation import check_permissions, parse_send
from devtools.sandbox.voice_routes import VoiceApi
from devtools.sandbox.whatsapp import whatsapp_content

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


class RouteGroup(Protocol):
    """A set of handlers: ``rules()`` names each handler method as its endpoint."""

    def rules(self) -> list[Rule]: ...


class ListQueryError(Rejected):
    def __init__(self, error: str) -> None:
        super().__init__(400, error)


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


class PlivoApi:
    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier
        self.live_calls = LiveCallApi(state)
        groups: list[RouteGroup] = [
            self,
            VoiceApi(state, notifier),
            DirectoryApi(state.directory),
            PhloApi(state.directory),
            self.live_calls,
            RecordingApi(state),
            MaskingApi(state),
        ]
        rules: list[Rule] = []
        self._handlers: dict[str, Callable[..., Response]] = {}
        for group in groups:
            for rule in group.rules():
                name = str(rule.endpoint)
                if name in self._handlers:
                    raise RuntimeError(f"two handlers named {name}")
                self._handlers[name] = getattr(group, name)
                rules.append(rule)
        self.url_map = Map(rules, strict_slashes=False)

    def rules(self) -> list[Rule]:
        base = "/v1/Account/<auth_id>"
        return [
            Rule(f"{base}/", endpoint="account", methods=["GET"]),
            Rule(f"{base}/Message/", endpoint="list_messages", methods=["GET"]),
            Rule(f"{base}/Message/", endpoint="send_message", methods=["POST"]),
            Rule(f"{base}/Message/<message_uuid>/", endpoint="get_message", methods=["GET"]),
            Rule(f"{base}/Pricing/", endpoint="pricing", methods=["GET"]),
            Rule(
                f"{base}/WhatsApp/Template/<waba_id>/",
                endpoint="whatsapp_templates",
                methods=["GET"],
            ),
            Rule("/v1/Number/<number>", endpoint="lookup", methods=["GET"]),
        ]

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
        try:
            return self._handlers[str(endpoint)](request, account, **args)
        except Rejected as rejected:
            return rejected.response()

    def account(self, request: Request, account: SandboxAccount) -> Response:
        return Response(json.dumps(account.to_json(new_api_id())), 200, mimetype="application/json")

    def send_message(self, request: Request, account: SandboxAccount) -> Response:
        params = request_params(request, lists=("media_urls", "media_ids"))
        send = parse_send(params)
        check_permissions(send, account, self.state.geo_blocked)
        if send.message_type == "whatsapp" and send.src is not None:
            text, options = whatsapp_content(
                self.state.whatsapp,
                account.auth_id,
                send.src,
                send.destinations,
                params,
                self.state.messages().values(),
                time.time(),
            )
            send = dataclasses.replace(send, text=text, options={**send.options, **options})
        uuids = self.state.create_outbound(account, send, request.remote_addr or "")
        self.notifier.messages_queued(uuids)
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
        limit, offset = paging(args)
        time_filters = _time_filters(args)
        now = time.time()
        if not time_filters:  # Plivo lists the last 24 hours unless a message_time filter is given
            since = dt.datetime.fromtimestamp(now - LIST_WINDOW_SECONDS, dt.UTC)
            time_filters = [TimeFilter("__gte", since, dt.timedelta(0))]
        selected = [
            m
            for m in self.state.newest_first(account.auth_id)
            if self._keep(m, args, now)
            and all(f.accepts(dt.datetime.fromtimestamp(m.created, dt.UTC)) for f in time_filters)
        ]
        path = f"/v1/Account/{account.auth_id}/Message/"
        page, meta = list_page(path, args, selected, limit, offset)
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

    def whatsapp_templates(
        self, request: Request, account: SandboxAccount, waba_id: str
    ) -> Response:
        """The WABA's templates, paged like every Plivo list (``meta`` and ``objects``)."""
        templates = self.state.whatsapp.templates(account.auth_id, waba_id)
        if templates is None:
            return error_response(404, "not found")
        args = request.args.to_dict()
        limit, offset = paging(args)
        path = f"/v1/Account/{account.auth_id}/WhatsApp/Template/{waba_id}/"
        page, meta = list_page(path, args, templates, limit, offset)
        return json_response(200, {"meta": meta, "objects": [t.to_json() for t in page]})

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
