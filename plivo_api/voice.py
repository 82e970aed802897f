"""Plivo's voice resources as typed values: call destinations, call requests, call records and
conferences, parsed once and defensively.

A ``POST Call/`` answers with a *request* UUID, not a call UUID: the call UUID arrives in the
answer and hangup callbacks (``CallUUID``) and names the call in ``GET Call/{uuid}/``, whose call
detail record exists once the call has ended; a call still ringing or in progress is read with
``?status=live`` (https://www.plivo.com/docs/voice/api/call/make-a-call,
https://www.plivo.com/docs/voice/api/call/the-call-object).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from .errors import OutcomeUnknownError
from .jsonvalues import bool_of, decimal_of, int_of, str_of
from .models import display_number
from .numbers import InvalidRecipient, Recipients, parse_recipients
from .text import shorten

CALL_OUTCOME_CHECK: Final = (
    "The call may or may not have been placed: before calling again, check the calls still "
    'ringing or live (plivo_request with GET Call/ and query {"status": "live"}), the '
    "ended ones (GET Call/), the Plivo console's voice logs or the hangup_url callbacks."
)
"""What to do when a call request may have reached Plivo; Plivo has no idempotency key."""

STATE_COMPLETED: Final = "completed"
SIP_PREFIX: Final = "sip:"
REASON_SIP: Final = (
    "not a SIP URI Plivo can call: write sip:user@host, e.g. sip:alice@phone.plivo.com"
)
REASON_SIP_COUNTRY: Final = (
    "a SIP URI has no country, and this tool may only call the countries in allowed_countries"
)

# A SIP URI as one token of a destination list; the separators of a list end it.
# URI parameters (";transport=tcp") belong to the URI; a ";" not followed by a parameter name
# separates recipients, as it does for numbers.
_SIP_PARAMETERS = r"(?:;[A-Za-z][\w.!~*'()%-]*(?:=[\w.!~*'()%:-]*)?)*"
_SIP_TOKEN = re.compile(r"(?<![\w.+-])sip:[^\s,;<>\"'`]*" + _SIP_PARAMETERS, re.IGNORECASE)
_SIP_URI = re.compile(
    r"sip:(?P<user>[A-Za-z0-9._~+!$&'()*=%-]+)@(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?P<port>:\d{1,5})?(?P<parameters>" + _SIP_PARAMETERS + ")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CallDestinations:
    """Phone numbers (E.164) and SIP URIs to call, and the entries that cannot be called."""

    numbers: tuple[str, ...]
    sip_uris: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]


def parse_sip_uri(text: str) -> str | None:
    """``SIP:alice@Phone.Plivo.com`` → ``sip:alice@phone.plivo.com``; None when not a SIP URI."""
    match = _SIP_URI.fullmatch(text.strip())
    if match is None:
        return None
    host = match["host"].lower()
    return f"{SIP_PREFIX}{match['user']}@{host}{match['port'] or ''}{match['parameters']}"


def parse_call_destinations(raw: str, default_country: str | None = None) -> CallDestinations:
    """SIP URIs are taken out of the list first; everything else is read exactly as send_sms
    reads its recipients (:func:`plivo_api.numbers.parse_recipients`)."""
    sip_uris: dict[str, None] = {}
    invalid: list[InvalidRecipient] = []
    for token in _SIP_TOKEN.findall(raw):
        uri = parse_sip_uri(token)
        if uri is None:
            invalid.append(InvalidRecipient(shorten(token), REASON_SIP))
        else:
            sip_uris.setdefault(uri)
    rest = _SIP_TOKEN.sub("\n", raw)
    numbers: Recipients = (
        parse_recipients(rest, default_country) if rest.strip() else Recipients((), ())
    )
    return CallDestinations(numbers.valid, tuple(sip_uris), (*numbers.invalid, *invalid))


@dataclass(frozen=True)
class CallRequest:
    """Plivo's answer to ``POST Call/``: one request UUID per destination."""

    request_uuids: tuple[str, ...]
    api_id: str | None
    message: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallRequest:
        """``request_uuid`` is a string for one destination and a list for several."""
        raw = data.get("request_uuid")
        uuids = [raw] if isinstance(raw, str) else raw
        if not isinstance(uuids, list) or not uuids:
            raise OutcomeUnknownError(
                "Plivo accepted the call request but its answer has no request UUID. "
                + CALL_OUTCOME_CHECK,
                api_id=str_of(data, "api_id"),
            )
        return cls(
            request_uuids=tuple(str(uuid) for uuid in uuids),
            api_id=str_of(data, "api_id"),
            message=str_of(data, "message"),
        )


@dataclass(frozen=True)
class CallRecord:
    """One call: its detail record once it has ended, or Plivo's live details while it runs.

    ``state`` is Plivo's live ``call_status`` (ringing, in-progress) or ``completed`` for an
    ended call, whose ``hangup_cause`` says how it ended.
    """

    call_uuid: str | None
    live: bool
    state: str | None
    direction: str | None
    from_number: str | None
    to_number: str | None
    duration: int | None = None
    billed_duration: int | None = None
    total_amount: Decimal | None = None
    answer_time: str | None = None
    end_time: str | None = None
    hangup_cause: str | None = None
    hangup_source: str | None = None
    request_uuid: str | None = None
    api_id: str | None = None

    @classmethod
    def from_cdr(cls, data: Mapping[str, Any]) -> CallRecord:
        """``GET Call/{uuid}/``: the call detail record of an ended call."""
        code = int_of(data.get("hangup_cause_code"))
        cause = str_of(data, "hangup_cause_name") or (f"code {code}" if code is not None else None)
        duration = int_of(data.get("call_duration"))
        return cls(
            call_uuid=str_of(data, "call_uuid"),
            live=False,
            state=STATE_COMPLETED,
            direction=str_of(data, "call_direction"),
            from_number=display_number(str_of(data, "from_number")),
            to_number=display_number(str_of(data, "to_number")),
            duration=duration if duration is not None else int_of(data.get("bill_duration")),
            billed_duration=int_of(data.get("billed_duration")),
            total_amount=decimal_of(data.get("total_amount")),
            answer_time=str_of(data, "answer_time"),
            end_time=str_of(data, "end_time"),
            hangup_cause=cause,
            hangup_source=str_of(data, "hangup_source"),
            api_id=str_of(data, "api_id"),
        )

    @classmethod
    def from_live(cls, data: Mapping[str, Any]) -> CallRecord:
        """``GET Call/{uuid}/?status=live``: a call that is ringing or in progress."""
        status = str_of(data, "call_status")
        return cls(
            call_uuid=str_of(data, "call_uuid"),
            live=True,
            state=status.strip().lower() if status else None,
            direction=str_of(data, "direction"),
            from_number=display_number(_digits_or_text(str_of(data, "from"))),
            to_number=display_number(_digits_or_text(str_of(data, "to"))),
            request_uuid=str_of(data, "request_uuid"),
            api_id=str_of(data, "api_id"),
        )


def _digits_or_text(value: str | None) -> str | None:
    """Live details write ``from`` as ``+1415…`` or ``1415…``; both become E.164 later."""
    return value[1:] if value and value.startswith("+") and value[1:].isdigit() else value


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
            from_number=display_number(_digits_or_text(str_of(data, "from"))),
            to_number=display_number(_digits_or_text(str_of(data, "to"))),
            caller_name=str_of(data, "caller_name"),
            direction=str_of(data, "direction"),
            muted=bool_of(data.get("muted")),
            deaf=bool_of(data.get("deaf")),
        )


@dataclass(frozen=True)
class Conference:
    """A live conference (``GET Conference/{name}/``); Plivo writes its numbers as strings."""

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


def conference_names(data: Mapping[str, Any]) -> tuple[str, ...]:
    """``GET Conference/``: the names of the account's live conferences."""
    names = data.get("conferences")
    if not isinstance(names, list):
        return ()
    return tuple(str(name) for name in names if isinstance(name, str | int) and str(name))


__all__ = [
    "CALL_OUTCOME_CHECK",
    "REASON_SIP",
    "REASON_SIP_COUNTRY",
    "SIP_PREFIX",
    "STATE_COMPLETED",
    "CallDestinations",
    "CallRecord",
    "CallRequest",
    "Conference",
    "ConferenceMember",
    "conference_names",
    "parse_call_destinations",
    "parse_sip_uri",
]
