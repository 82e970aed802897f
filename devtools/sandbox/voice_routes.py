"""Voice endpoints: make, read, list and hang up calls, cancel queued requests, conferences.

``POST /Call/`` follows https://www.plivo.com/docs/voice/api/call/make-a-call: ``from``, ``to``
(several destinations joined with ``<``, at most 1,000 unique) and ``answer_url`` are required;
the answer is 201 ``{"message": "call fired", "request_uuid": ...}``, with a list of request UUIDs
when several destinations were called (Plivo's Go SDK types the field as "string or list").
Validation texts are the sandbox's own; Plivo's wording differs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    bad_request,
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
from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.catalog import is_valid_destination, strip_number
from devtools.sandbox.list_filters import accepts_all, live_call_matches, time_filters
from devtools.sandbox.state import SandboxState
from devtools.sandbox.voice import StoredCall

MAX_CALL_DESTINATIONS = 1000
MAX_CALLER_NAME = 50
SIP_PREFIX = "sip:"
CALL_DIRECTIONS = ("inbound", "outbound")
MACHINE_DETECTION_VALUES = ("true", "hangup")
_POSITIVE_INT_OPTIONS = ("time_limit", "ring_timeout", "hangup_on_ring", "machine_detection_time")


@dataclass(frozen=True)
class CallRequest:
    from_number: str
    destinations: tuple[str, ...]
    answer_url: str
    answer_method: str
    hangup_url: str = ""
    hangup_method: str = "POST"
    ring_url: str = ""
    ring_method: str = "POST"
    caller_name: str = ""
    options: dict[str, object] = field(default_factory=dict)


def _destination(part: str) -> str:
    text = part.strip()
    if text.lower().startswith(SIP_PREFIX):
        user, at, host = text[len(SIP_PREFIX) :].partition("@")
        if not (user and at and host):
            raise bad_request(f"to: {text!r} is not a valid SIP URI (sip:user@host)")
        return text
    digits = strip_number(text)
    if not is_valid_destination(digits):
        raise bad_request(
            f"to: {text!r} is not a valid phone number; numbers must begin with the country code"
        )
    return digits


def _options(params: Mapping[str, object]) -> dict[str, object]:
    options: dict[str, object] = {}
    for name in _POSITIVE_INT_OPTIONS:
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        value = int(raw) if isinstance(raw, str) and raw.isdigit() else raw
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad_request(f"{name} must be a positive whole number")
        options[name] = value
    detection = text_param(params, "machine_detection")
    if detection is not None:
        if detection not in MACHINE_DETECTION_VALUES:
            raise bad_request("machine_detection must be 'true' or 'hangup'")
        options["machine_detection"] = detection
    for name in ("fallback_url", "machine_detection_url"):
        url = url_param(params, name)
        if url is not None:
            options[name] = url
    for name in ("send_digits", "sip_headers", "parent_call_uuid"):
        text = text_param(params, name)
        if text is not None:
            options[name] = text
    return options


def parse_call(params: Mapping[str, object]) -> CallRequest:
    """Validate a Make Call body; raises ``Rejected`` (400) with a sentence saying what to fix."""
    raw_from = text_param(params, "from", required=True)
    assert raw_from is not None
    from_number = strip_number(raw_from)
    if not is_valid_destination(from_number):
        raise bad_request("from must be a phone number with its country code, e.g. 14155550100")
    raw_to = text_param(params, "to", required=True)
    assert raw_to is not None
    destinations = tuple(
        dict.fromkeys(_destination(part) for part in raw_to.split("<") if part.strip())
    )
    if not destinations:
        raise bad_request("missing required parameter: to")
    if len(destinations) > MAX_CALL_DESTINATIONS:
        raise bad_request(
            f"too many destinations in to: {len(destinations)} unique, "
            f"at most {MAX_CALL_DESTINATIONS} are allowed"
        )
    if from_number in destinations:
        raise bad_request("from and to must differ: a number cannot call itself")
    answer_url = url_param(params, "answer_url", required=True)
    assert answer_url is not None
    caller_name = text_param(params, "caller_name") or ""
    if len(caller_name) > MAX_CALLER_NAME:
        raise bad_request(f"caller_name is limited to {MAX_CALLER_NAME} characters")
    return CallRequest(
        from_number=from_number,
        destinations=destinations,
        answer_url=answer_url,
        answer_method=method_param(params, "answer_method"),
        hangup_url=url_param(params, "hangup_url") or "",
        hangup_method=method_param(params, "hangup_method"),
        ring_url=url_param(params, "ring_url") or "",
        ring_method=method_param(params, "ring_method"),
        caller_name=caller_name,
        options=_options(params),
    )


class VoiceApi:
    """Handlers for ``/Call/``, ``/Request/`` and ``/Conference/``."""

    def __init__(self, state: SandboxState, notifier: Notifier) -> None:
        self.state = state
        self.notifier = notifier

    def rules(self) -> list[Rule]:
        base = "/v1/Account/<auth_id>"
        return [
            Rule(f"{base}/Call/", endpoint="fire_call", methods=["POST"]),
            Rule(f"{base}/Call/", endpoint="list_calls", methods=["GET"]),
            Rule(f"{base}/Call/<call_uuid>/", endpoint="get_call", methods=["GET"]),
            Rule(f"{base}/Call/<call_uuid>/", endpoint="hang_up_call", methods=["DELETE"]),
            Rule(f"{base}/Request/<request_uuid>/", endpoint="cancel_request", methods=["DELETE"]),
            Rule(f"{base}/Conference/", endpoint="list_conferences", methods=["GET"]),
            Rule(f"{base}/Conference/", endpoint="end_all_conferences", methods=["DELETE"]),
            Rule(f"{base}/Conference/<name>/", endpoint="get_conference", methods=["GET"]),
            Rule(f"{base}/Conference/<name>/", endpoint="end_conference", methods=["DELETE"]),
        ]

    # Calls ----------------------------------------------------------------------------------

    def fire_call(self, request: Request, account: SandboxAccount) -> Response:
        call = parse_call(request_params(request))
        if account.is_trial:
            for number in call.destinations:
                if not number.startswith(SIP_PREFIX) and number not in account.verified_numbers:
                    raise bad_request(
                        f"trial account: {number} is not a verified number; verify it on the "
                        "console's Sandbox Numbers page or upgrade the account"
                    )
        fired = [
            self.state.create_call(
                account,
                direction="outbound",
                from_number=call.from_number,
                to_number=number,
                requester_ip=request.remote_addr or "",
                caller_name=call.caller_name,
                answer_url=call.answer_url,
                answer_method=call.answer_method,
                hangup_url=call.hangup_url,
                hangup_method=call.hangup_method,
                ring_url=call.ring_url,
                ring_method=call.ring_method,
                options=call.options,
            )
            for number in call.destinations
        ]
        for stored in fired:
            self.notifier.call_started(stored)
        uuids = [stored.request_uuid for stored in fired]
        request_uuid: str | list[str] = uuids[0] if len(uuids) == 1 else uuids
        return json_response(201, {"message": "call fired", "request_uuid": request_uuid})

    def _status_arg(self, request: Request) -> str | None:
        status = request.args.get("status")
        if status not in (None, "live", "queued"):
            raise bad_request("status must be live or queued")
        return status

    def list_calls(self, request: Request, account: SandboxAccount) -> Response:
        status = self._status_arg(request)
        now, timeline = time.time(), self.state.call_timeline
        calls = self.state.account_calls(account.auth_id)
        if status == "live":  # Plivo filters live calls by direction and number too
            args = request.args.to_dict()
            live = [
                c.call_uuid
                for c in calls
                if _is_live(c, now, self.state) and live_call_matches(c, args)
            ]
            return json_response(200, {"calls": live})
        if status == "queued":
            queued = [c.request_uuid for c in calls if c.state_at(now, timeline).state == "queued"]
            return json_response(200, {"calls": queued})
        args = request.args.to_dict()
        limit, offset = paging(args)
        direction = args.get("call_direction")
        if direction is not None and direction not in CALL_DIRECTIONS:
            raise bad_request("call_direction must be inbound or outbound")
        ended_at = time_filters(args, "end_time")
        cause = args.get("hangup_cause_code")
        if cause is not None and not cause.isdigit():
            raise bad_request("hangup_cause_code must be a whole number")
        selected = []
        for call in calls:
            state = call.state_at(now, timeline)
            if state.end is None:
                continue  # only ended calls have a call detail record
            if direction is not None and call.direction != direction:
                continue
            if not call.from_number.startswith(strip_number(args.get("from_number", ""))):
                continue
            if not call.to_number.startswith(strip_number(args.get("to_number", ""))):
                continue
            if cause is not None and state.end.cause_code != int(cause):
                continue
            if args.get("hangup_source") not in (None, state.end.source):
                continue
            if not accepts_all(ended_at, state.end_time):
                continue
            selected.append(call)
        path = f"/v1/Account/{account.auth_id}/Call/"
        page, meta = list_page(path, args, selected, limit, offset)
        objects = [c.to_cdr(now=now, timeline=timeline, api_id=None) for c in page]
        return json_response(200, {"meta": meta, "objects": objects})

    def get_call(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        status = self._status_arg(request)
        now, timeline = time.time(), self.state.call_timeline
        if status == "queued":
            queued = self.state.call_by_request(account.auth_id, call_uuid)
            if queued is None or queued.state_at(now, timeline).state != "queued":
                return not_found()
            return json_response(200, queued.to_queued())
        call = self.state.call(account.auth_id, call_uuid)
        if call is None:
            return not_found()
        if status == "live":
            if not _is_live(call, now, self.state):
                return not_found()
            return json_response(200, call.to_live(now=now, timeline=timeline))
        if call.state_at(now, timeline).end is None:
            return not_found()  # the call detail record appears once the call has ended
        cdr = call.to_cdr(now=now, timeline=timeline, api_id=None)
        return json_response(200, cdr)

    def hang_up_call(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        """Hang up a live call, or cancel a queued one by its request UUID (Plivo accepts both)."""
        call = self.state.call(account.auth_id, call_uuid) or self.state.call_by_request(
            account.auth_id, call_uuid
        )
        ended = None if call is None else self.state.hang_up(call)
        if ended is None:
            return not_found()
        self.notifier.call_hung_up(ended)
        return no_content()

    def cancel_request(
        self, request: Request, account: SandboxAccount, request_uuid: str
    ) -> Response:
        call = self.state.call_by_request(account.auth_id, request_uuid)
        ended = None if call is None else self.state.hang_up(call, queued_only=True)
        if ended is None:
            return not_found()
        self.notifier.call_hung_up(ended)
        return no_content()

    # Conferences ----------------------------------------------------------------------------

    def list_conferences(self, request: Request, account: SandboxAccount) -> Response:
        names = [c.name for c in self.state.account_conferences(account.auth_id)]
        return json_response(200, {"conferences": names})

    def get_conference(self, request: Request, account: SandboxAccount, name: str) -> Response:
        conference = self.state.conference(account.auth_id, name)
        if conference is None:
            return not_found()
        return json_response(200, conference.to_json(time.time()))

    def end_conference(self, request: Request, account: SandboxAccount, name: str) -> Response:
        if not self.state.end_conference(account.auth_id, name):
            return not_found()
        return no_content()

    def end_all_conferences(self, request: Request, account: SandboxAccount) -> Response:
        self.state.end_all_conferences(account.auth_id)
        return no_content()


def _is_live(call: StoredCall, now: float, state: SandboxState) -> bool:
    return call.state_at(now, state.call_timeline).state in ("ringing", "in-progress")
