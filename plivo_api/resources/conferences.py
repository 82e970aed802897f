"""Conferences: the names of the live ones (``GET Conference/``) and one with its members
(``GET Conference/{name}/``) (https://www.plivo.com/docs/voice/api/conference/). Plivo keeps no
list of ended conferences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..transport.client import PlivoClient
from ..transport.jsonvalues import bool_of, int_of, str_of
from .calls import live_number


@dataclass(frozen=True)
class ConferenceMember:
    member_id: str | None
    call_uuid: str | None
    from_number: str | None
    to_number: str | None
    caller_name: str | None
    direction: str | None
    muted: bool | None
    deaf: bool | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConferenceMember:
        return cls(
            member_id=str_of(data, "member_id"),
            call_uuid=str_of(data, "call_uuid"),
            from_number=live_number(str_of(data, "from")),
            to_number=live_number(str_of(data, "to")),
            caller_name=str_of(data, "caller_name"),
            direction=str_of(data, "direction"),
            muted=bool_of(data.get("muted")),
            deaf=bool_of(data.get("deaf")),
        )


@dataclass(frozen=True)
class Conference:
    """A live conference; Plivo writes its numbers as strings."""

    name: str | None
    member_count: int | None
    run_time: int | None  # seconds since the conference started
    members: tuple[ConferenceMember, ...]
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Conference:
        members = data.get("members")
        return cls(
            name=str_of(data, "conference_name"),
            member_count=int_of(data.get("conference_member_count")),
            run_time=int_of(data.get("conference_run_time")),
            members=tuple(
                ConferenceMember.from_json(m)
                for m in (members if isinstance(members, list) else [])
                if isinstance(m, Mapping)
            ),
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class ConferenceNames:
    """``GET Conference/``: the names of the account's live conferences."""

    names: tuple[str, ...]
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConferenceNames:
        return cls(conference_names(data), str_of(data, "api_id"))


def conference_names(data: Mapping[str, Any]) -> tuple[str, ...]:
    names = data.get("conferences")
    if not isinstance(names, list):
        return ()
    return tuple(str(name) for name in names if isinstance(name, str | int) and str(name))


def list_conferences(client: PlivoClient) -> ConferenceNames:
    return ConferenceNames.from_json(client.request("GET", client.resource_url("Conference")))


def get_conference(client: PlivoClient, name: str) -> Conference:
    """Raises :class:`~plivo_api.errors.NotFoundError` when no live conference has ``name``."""
    return Conference.from_json(client.request("GET", client.resource_url("Conference", name)))


__all__ = [
    "Conference",
    "ConferenceMember",
    "ConferenceNames",
    "conference_names",
    "get_conference",
    "list_conferences",
]
