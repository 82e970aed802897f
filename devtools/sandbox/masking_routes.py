"""Number-masking sessions (plivo SDK ``resources/maskingsession.py``; fixtures
``maskingSession*Response.json``;
https://www.plivo.com/docs/number-masking/api/session-object/create-a-number-masking-session):

    POST   /Masking/Session/          first_party, second_party (required), session_expiry,
                                      record, record_file_format, geomatch
                                      -> 200 {session_uuid, virtual_number "+…", message
                                      "Session created", session {…}}
    GET    /Masking/Session/          filters first_party, second_party, virtual_number, status,
                                      limit (1-20), offset -> {"response": {meta, objects}}
    GET    /Masking/Session/{uuid}/   -> {"response": {…}}
    POST   /Masking/Session/{uuid}/   the fields to change -> {message "Session updated",
                                      session {…}}
    DELETE /Masking/Session/{uuid}/   -> {message "Session Deleted"}

The virtual number comes from the account's masking pool: :meth:`MaskingStore.set_pool`, else
the account's voice-enabled rented numbers; with ``geomatch`` (the default) only one in the
first party's country will do, and none is a 400.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    bad_request,
    bool_param,
    json_response,
    list_page,
    not_found,
    paging,
    request_params,
    text_param,
)
from devtools.sandbox.catalog import country_code_of, is_valid_destination, strip_number
from devtools.sandbox.masking import MaskingSession
from devtools.sandbox.recordings import RECORDING_FORMATS
from devtools.sandbox.state import SandboxState

SESSION_EXPIRY_RANGE = (60, 2_592_000)
_LIST_FILTERS = ("first_party", "second_party", "virtual_number", "status")


def _party(params: Mapping[str, object], name: str, *, required: bool) -> str | None:
    raw = text_param(params, name, required=required)
    if raw is None:
        return None
    digits = strip_number(raw)
    if not is_valid_destination(digits):
        raise bad_request(f"{name} must be a phone number with its country code")
    return digits


def _expiry(params: Mapping[str, object]) -> int | None:
    raw = params.get("session_expiry")
    if raw is None or raw == "":
        return None
    value = int(raw) if isinstance(raw, str) and raw.isdigit() else raw
    low, high = SESSION_EXPIRY_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_request(f"session_expiry must be a whole number of seconds from {low} to {high}")
    return value


def _format(params: Mapping[str, object]) -> str | None:
    value = text_param(params, "record_file_format")
    if value is not None and value not in RECORDING_FORMATS:
        raise bad_request("record_file_format must be mp3 or wav")
    return value


class MaskingApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def rules(self) -> list[Rule]:
        sessions = "/v1/Account/<auth_id>/Masking/Session"
        one = f"{sessions}/<session_uuid>/"
        return [
            Rule(f"{sessions}/", endpoint="create_masking_session", methods=["POST"]),
            Rule(f"{sessions}/", endpoint="list_masking_sessions", methods=["GET"]),
            Rule(one, endpoint="get_masking_session", methods=["GET"]),
            Rule(one, endpoint="update_masking_session", methods=["POST"]),
            Rule(one, endpoint="delete_masking_session", methods=["DELETE"]),
        ]

    def _pool(self, account: SandboxAccount) -> tuple[str, ...]:
        pool = self.state.masking.pool(account.auth_id)
        if pool is not None:
            return pool
        numbers = self.state.directory.account_numbers(account.auth_id)
        return tuple(n.number for n in numbers if n.voice_enabled)

    def _virtual_number(self, account: SandboxAccount, first_party: str, geomatch: bool) -> str:
        country = country_code_of(first_party)
        for number in self._pool(account):
            if not geomatch or country_code_of(number) == country:
                return number
        raise bad_request(
            "no virtual number available: the account's masking pool has no number"
            + (" in the first party's country" if geomatch else "")
        )

    def create_masking_session(self, request: Request, account: SandboxAccount) -> Response:
        params = request_params(request)
        first = _party(params, "first_party", required=True)
        second = _party(params, "second_party", required=True)
        assert first is not None and second is not None
        if first == second:
            raise bad_request("first_party and second_party must differ")
        expiry = _expiry(params)
        record = bool_param(params, "record")
        file_format = _format(params)
        geomatch = bool_param(params, "geomatch")
        virtual = self._virtual_number(account, first, geomatch is not False)
        session = self.state.masking.create(
            account.auth_id,
            first,
            second,
            virtual,
            **({"session_expiry": expiry} if expiry is not None else {}),
            record=bool(record),
            record_file_format=file_format or "mp3",
        )
        return json_response(
            200,
            {
                "message": "Session created",
                "session": session.to_json(time.time()),
                "session_uuid": session.session_uuid,
                "virtual_number": "+" + session.virtual_number,
            },
        )

    def list_masking_sessions(self, request: Request, account: SandboxAccount) -> Response:
        args = request.args.to_dict()
        limit, offset = paging(args)
        now = time.time()
        wanted = {
            name: strip_number(args[name]) if name != "status" else args[name]
            for name in _LIST_FILTERS
            if args.get(name)
        }
        selected = [
            s
            for s in self.state.masking.newest_first(account.auth_id)
            if all(str(s.to_json(now)[name]) == value for name, value in wanted.items())
        ]
        path = f"/v1/Account/{account.auth_id}/Masking/Session/"
        page, meta = list_page(path, args, selected, limit, offset)
        objects = [s.to_json(now) for s in page]
        return json_response(200, {"response": {"meta": meta, "objects": objects}})

    def _session(self, account: SandboxAccount, session_uuid: str) -> MaskingSession | None:
        return self.state.masking.get(account.auth_id, session_uuid)

    def get_masking_session(
        self, request: Request, account: SandboxAccount, session_uuid: str
    ) -> Response:
        session = self._session(account, session_uuid)
        if session is None:
            return not_found()
        return json_response(200, {"response": session.to_json(time.time())})

    def update_masking_session(
        self, request: Request, account: SandboxAccount, session_uuid: str
    ) -> Response:
        params = request_params(request)
        changes: dict[str, object] = {}
        for name in ("first_party", "second_party"):
            party = _party(params, name, required=False)
            if party is not None:
                changes[name] = party
        expiry = _expiry(params)
        record = bool_param(params, "record")
        file_format = _format(params)
        session = self._session(account, session_uuid)
        if session is None:
            return not_found()
        if expiry is not None:
            changes["expiry"] = time.time() + expiry
        if record is not None:
            changes["record"] = record
        if file_format is not None:
            changes["record_file_format"] = file_format
        first = str(changes.get("first_party", session.first_party))
        if first == changes.get("second_party", session.second_party):
            raise bad_request("first_party and second_party must differ")
        updated = self.state.masking.update(session, **changes)
        return json_response(
            200, {"message": "Session updated", "session": updated.to_json(time.time())}
        )

    def delete_masking_session(
        self, request: Request, account: SandboxAccount, session_uuid: str
    ) -> Response:
        if not self.state.masking.delete(account.auth_id, session_uuid):
            return not_found()
        return json_response(200, {"message": "Session Deleted"})


__all__ = ["MaskingApi"]
