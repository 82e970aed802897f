"""Number masking: sessions in which two parties reach each other through a virtual number, so
neither sees the other's (plivo SDK ``resources/maskingsession.py``, fixtures
``maskingSession*Response.json``;
https://www.plivo.com/docs/number-masking/api/session-object/create-a-number-masking-session).

``POST Masking/Session/`` creates one (``first_party``, ``second_party``, ``session_expiry`` in
seconds, ``record``); Plivo picks the virtual number from the account's masking pool, by default
in the first party's country. ``GET``, ``POST`` (update) and ``DELETE Masking/Session/{uuid}/``
read, change and end one; ``GET Masking/Session/`` pages them. Unlike most resources, a read
wraps the session (and a list its ``meta`` and ``objects``) in ``response``, and a create or an
update returns it under ``session``. Numbers are bare digits with the country code; Plivo calls
a session's state ``status`` (``active``, ``expired``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..messaging.digits import display_number
from ..transport.client import PlivoClient
from ..transport.jsonvalues import bool_of, int_of, mapping_of, str_of
from ..transport.paging import Page, parse_page

PATH: Final = ("Masking", "Session")
SESSION_CHANGE_CHECK: Final = (
    "The masking session may or may not have been changed: read it (operation get or list) "
    "before trying again."
)


@dataclass(frozen=True)
class MaskingSession:
    session_uuid: str | None
    virtual_number: str | None
    first_party: str | None
    second_party: str | None
    state: str | None
    expiry_time: str | None
    created_time: str | None = None
    duration: int | None = None  # seconds from creation to expiry
    record: bool | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MaskingSession:
        status = str_of(data, "status")
        return cls(
            session_uuid=str_of(data, "session_uuid"),
            virtual_number=display_number(str_of(data, "virtual_number")),
            first_party=display_number(str_of(data, "first_party")),
            second_party=display_number(str_of(data, "second_party")),
            state=status.strip().lower() if status else None,
            expiry_time=str_of(data, "expiry_time"),
            created_time=str_of(data, "created_time"),
            duration=int_of(data.get("duration")),
            record=bool_of(data.get("record")),
        )


@dataclass(frozen=True)
class SessionAnswer:
    """A session as Plivo returned it, with the request's ``api_id`` and ``message``."""

    session: MaskingSession
    api_id: str | None
    message: str | None


def _answer(data: Mapping[str, Any], key: str) -> SessionAnswer:
    inner = mapping_of(data, key)
    session = MaskingSession.from_json(inner)
    if session.session_uuid is None or session.virtual_number is None:
        # A create's answer also names both at its top level ("+916361728680").
        session = MaskingSession.from_json({**inner, **_top_level(data)})
    return SessionAnswer(session, str_of(data, "api_id"), str_of(data, "message"))


def _top_level(data: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    uuid = str_of(data, "session_uuid")
    if uuid:
        found["session_uuid"] = uuid
    virtual = str_of(data, "virtual_number")
    if virtual:
        found["virtual_number"] = virtual.lstrip("+")
    return found


def list_sessions(
    client: PlivoClient, *, limit: int, offset: int, filters: Mapping[str, str]
) -> Page[MaskingSession]:
    query: dict[str, str | int] = {**filters, "limit": limit, "offset": offset}
    data = client.request("GET", client.resource_url(*PATH), params=query)
    body = mapping_of(data, "response") or data
    page = parse_page(body, MaskingSession.from_json, requested_offset=offset, what="session")
    return Page(
        page.records, page.total_count, page.offset, page.next_offset, str_of(data, "api_id")
    )


def get_session(client: PlivoClient, session_uuid: str) -> SessionAnswer:
    data = client.request("GET", client.resource_url(*PATH, session_uuid))
    return _answer(data, "response")


def create_session(client: PlivoClient, body: Mapping[str, object], *, check: str) -> SessionAnswer:
    """Never repeated once it may have reached Plivo: a second session takes a second number."""
    data = client.request("POST", client.resource_url(*PATH), json_body=body, creates=check)
    return _answer(data, "session")


def update_session(
    client: PlivoClient, session_uuid: str, body: Mapping[str, object]
) -> SessionAnswer:
    data = client.request(
        "POST",
        client.resource_url(*PATH, session_uuid),
        json_body=body,
        creates=SESSION_CHANGE_CHECK,
    )
    return _answer(data, "session")


def delete_session(client: PlivoClient, session_uuid: str) -> str | None:
    """End the session; returns the request's ``api_id``."""
    data = client.request(
        "DELETE", client.resource_url(*PATH, session_uuid), creates=SESSION_CHANGE_CHECK
    )
    return str_of(data, "api_id")


__all__ = [
    "SESSION_CHANGE_CHECK",
    "MaskingSession",
    "SessionAnswer",
    "create_session",
    "delete_session",
    "get_session",
    "list_sessions",
    "update_session",
]
