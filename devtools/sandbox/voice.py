"""Calls and conferences: the call life cycle, its magic destinations and Plivo's call records.

Like a message, a call's state is derived at read time from how long ago it was created
(``CallTimeline``) and from the outcome its destination number decides; only an API hangup
(``DELETE /Call/{uuid}/`` or ``DELETE /Request/{uuid}/``) is stored. An outbound call goes

    queued  (the request can still be cancelled)  --ring_after-->
    ringing  --answer_after-->  in-progress (answer_url is fetched)  --hangup_after-->  completed

and an inbound call starts ringing at once. The request UUID that ``POST /Call/`` returns is not
the call UUID: the call UUID arrives in the answer and hangup callbacks, in live-call details
(which also carry the request UUID) and in the call detail record
(https://www.plivo.com/docs/voice/api/call/the-call-object). A call detail record exists only
once the call has ended.

Magic destinations (last four digits of the number called; everything else is answered and hung
up normally, hangup cause 4000 "Normal Hangup" from the callee):

    ...0000   answered and never hangs up by itself: stays in progress until hung up via the API
    ...2000   never answered: hangup cause 2000 "Invalid Destination Address" (source Plivo)
    ...2010   never answered: hangup cause 2010 "Destination Out Of Service" (source Carrier)

Calls to a geo-blocked country are accepted and fail with 2030 "Destination Country Barred", and an
API hangup reports 1000 "Canceled" before the answer or 4000 "Normal Hangup" after it, both from
source "API Request" (https://www.plivo.com/docs/voice/troubleshooting/hangup-causes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from devtools.sandbox.messages import plivo_time

# Per-minute outbound voice rate the sandbox charges (it matches the Pricing answer's voice rate).
VOICE_RATE = "0.01000"
BILLING_INTERVAL_SECONDS = 60
NEVER_HANGS_UP_SUFFIX = "0000"


@dataclass(frozen=True)
class CallTimeline:
    """Seconds after creation at which an outbound call rings, is answered and hangs up."""

    ring_after: float = 0.2
    answer_after: float = 0.5
    hangup_after: float = 2.0

    def __post_init__(self) -> None:
        if not 0 <= self.ring_after <= self.answer_after <= self.hangup_after:
            raise ValueError("CallTimeline needs 0 <= ring_after <= answer_after <= hangup_after")

    def scaled(self, factor: float) -> CallTimeline:
        return CallTimeline(
            self.ring_after * factor, self.answer_after * factor, self.hangup_after * factor
        )

    def __mul__(self, factor: float) -> CallTimeline:
        return self.scaled(factor)

    __rmul__ = __mul__


@dataclass(frozen=True)
class CallEnd:
    """How a call ends: hangup cause as Plivo reports it, and ``CallStatus`` for the hangup URL."""

    cause_code: int
    cause_name: str
    source: str
    status: str
    telephony_cause: str


@dataclass(frozen=True)
class CallOutcome:
    """What the destination does: answer or not, hang up by itself or not, and how it ends."""

    answered: bool
    hangs_up: bool
    end: CallEnd


NORMAL_HANGUP = CallEnd(4000, "Normal Hangup", "Callee", "completed", "NORMAL_CLEARING")
API_HANGUP = CallEnd(4000, "Normal Hangup", "API Request", "completed", "NORMAL_CLEARING")
API_CANCEL = CallEnd(1000, "Canceled", "API Request", "cancel", "ORIGINATOR_CANCEL")
INVALID_DESTINATION = CallEnd(
    2000, "Invalid Destination Address", "Plivo", "failed", "UNALLOCATED_NUMBER"
)
OUT_OF_SERVICE = CallEnd(
    2010, "Destination Out Of Service", "Carrier", "failed", "DESTINATION_OUT_OF_ORDER"
)
COUNTRY_BARRED = CallEnd(2030, "Destination Country Barred", "Plivo", "failed", "CALL_REJECTED")

ANSWERED = CallOutcome(answered=True, hangs_up=True, end=NORMAL_HANGUP)
_MAGIC_CALLS: dict[str, CallOutcome] = {
    NEVER_HANGS_UP_SUFFIX: CallOutcome(answered=True, hangs_up=False, end=NORMAL_HANGUP),
    "2000": CallOutcome(answered=False, hangs_up=True, end=INVALID_DESTINATION),
    "2010": CallOutcome(answered=False, hangs_up=True, end=OUT_OF_SERVICE),
}
BARRED = CallOutcome(answered=False, hangs_up=True, end=COUNTRY_BARRED)


def call_outcome_for(number: str) -> CallOutcome:
    """The magic-number rule of the module docstring; ``number`` is digits (or a SIP URI)."""
    return _MAGIC_CALLS.get(number[-4:], ANSWERED)


def magic_calls_help() -> list[str]:
    return [
        f"...{NEVER_HANGS_UP_SUFFIX} answered, stays in progress until hung up via the API",
        "...2000 never answered: 2000 Invalid Destination Address",
        "...2010 never answered: 2010 Destination Out Of Service",
        "anything else: answered, then 4000 Normal Hangup",
    ]


@dataclass(frozen=True)
class ApiHangup:
    time: float
    end: CallEnd


@dataclass(frozen=True)
class CallState:
    """A call at one moment: ``state`` is queued, ringing, in-progress or completed."""

    state: str
    ring_time: float
    answer_time: float | None
    end_time: float | None
    end: CallEnd | None


def _live_time(timestamp: float) -> str:
    """Live-call ``session_start``: UTC with microseconds and no offset, as Plivo shows it."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class StoredCall:
    call_uuid: str
    request_uuid: str
    account: str
    direction: str
    from_number: str
    to_number: str
    created: float
    outcome: CallOutcome = ANSWERED
    caller_name: str = ""
    answer_url: str = ""
    answer_method: str = "POST"
    hangup_url: str = ""
    hangup_method: str = "POST"
    ring_url: str = ""
    ring_method: str = "POST"
    rate: str = VOICE_RATE
    requester_ip: str = ""
    hangup: ApiHangup | None = None
    options: dict[str, object] = field(default_factory=dict)

    def ring_time(self, timeline: CallTimeline) -> float:
        return self.created + (timeline.ring_after if self.direction == "outbound" else 0.0)

    def answer_time(self, timeline: CallTimeline) -> float:
        return self.ring_time(timeline) + timeline.answer_after - timeline.ring_after

    def _natural_end(self, timeline: CallTimeline) -> float | None:
        if not self.outcome.answered:
            return self.answer_time(timeline)
        if not self.outcome.hangs_up:
            return None
        return self.ring_time(timeline) + timeline.hangup_after - timeline.ring_after

    def ending(self, timeline: CallTimeline) -> tuple[float, CallEnd] | None:
        """(time, how) the call ends, or None while it is set to go on forever."""
        natural = self._natural_end(timeline)
        if self.hangup is not None and (natural is None or self.hangup.time < natural):
            return self.hangup.time, self.hangup.end
        return None if natural is None else (natural, self.outcome.end)

    def state_at(self, now: float, timeline: CallTimeline) -> CallState:
        ring, answer = self.ring_time(timeline), self.answer_time(timeline)
        ending = self.ending(timeline)
        end_time = ending[0] if ending else None
        answered = self.outcome.answered and (end_time is None or end_time > answer)
        answer_time = answer if answered and now >= answer else None
        if ending is not None and now >= ending[0]:
            return CallState("completed", ring, answer if answered else None, *ending)
        if now < ring:
            state = "queued"
        elif answer_time is None:
            state = "ringing"
        else:
            state = "in-progress"
        return CallState(state, ring, answer_time, None, None)

    def hung_up(self, now: float, timeline: CallTimeline) -> StoredCall | None:
        """This call hung up via the API now, or None when it has already ended."""
        current = self.state_at(now, timeline)
        if current.state == "completed":
            return None
        end = API_HANGUP if current.state == "in-progress" else API_CANCEL
        return dataclasses.replace(self, hangup=ApiHangup(now, end))

    def durations(self, state: CallState) -> tuple[int, int, Decimal]:
        """(call duration, billed duration, amount): whole seconds, rounded up, per minute."""
        if state.answer_time is None or state.end_time is None:
            return 0, 0, Decimal(0)
        seconds = max(1, math.ceil(state.end_time - state.answer_time))
        billed = math.ceil(seconds / BILLING_INTERVAL_SECONDS) * BILLING_INTERVAL_SECONDS
        amount = Decimal(self.rate) * billed / BILLING_INTERVAL_SECONDS
        return seconds, billed, amount

    def to_cdr(
        self, *, now: float, timeline: CallTimeline, api_id: str | None
    ) -> dict[str, object]:
        """The call detail record of ``GET /Call/{call_uuid}/``; only for completed calls."""
        state = self.state_at(now, timeline)
        if state.end is None or state.end_time is None:
            raise ValueError("a call detail record exists only once the call has ended")
        seconds, billed, amount = self.durations(state)
        record: dict[str, object] = {
            "api_id": api_id,
            "answer_time": None if state.answer_time is None else plivo_time(state.answer_time),
            "bill_duration": seconds,
            "billed_duration": billed,
            "call_direction": self.direction,
            "call_duration": seconds,
            "call_state": "ANSWER" if state.answer_time is not None else "NO_ANSWER",
            "call_uuid": self.call_uuid,
            "end_time": plivo_time(state.end_time),
            "from_number": self.from_number,
            "hangup_cause_code": state.end.cause_code,
            "hangup_cause_name": state.end.cause_name,
            "hangup_source": state.end.source,
            "initiation_time": plivo_time(state.ring_time),
            "parent_call_uuid": None,
            "resource_uri": f"/v1/Account/{self.account}/Call/{self.call_uuid}/",
            "source_ip": self.requester_ip,
            "stir_verification": "Not Applicable",
            "to_number": self.to_number,
            "total_amount": f"{amount:.5f}",
            "total_rate": f"{Decimal(self.rate):.5f}",
        }
        if api_id is None:
            del record["api_id"]
        return record

    def to_live(self, *, now: float, timeline: CallTimeline) -> dict[str, object]:
        """Live-call details (``GET /Call/{uuid}/?status=live``) for a ringing or answered call."""
        state = self.state_at(now, timeline)
        return {
            "call_status": state.state,
            "call_uuid": self.call_uuid,
            "caller_name": self.caller_name,
            "direction": self.direction,
            "from": self.from_number,
            "request_uuid": self.request_uuid,
            "session_start": _live_time(state.ring_time),
            "to": self.to_number,
        }

    def to_queued(self) -> dict[str, object]:
        """Queued-call details (``GET /Call/{request_uuid}/?status=queued``)."""
        return {
            "call_status": "queued",
            "caller_name": self.caller_name,
            "direction": self.direction,
            "from": self.from_number,
            "request_uuid": self.request_uuid,
            "to": self.to_number,
        }


@dataclass(frozen=True)
class ConferenceMember:
    member_id: str
    call_uuid: str
    from_number: str
    to_number: str
    caller_name: str = ""
    direction: str = "inbound"
    muted: bool = False
    deaf: bool = False
    joined: float = 0.0

    def to_json(self, now: float) -> dict[str, object]:
        return {
            "call_uuid": self.call_uuid,
            "caller_name": self.caller_name,
            "deaf": self.deaf,
            "direction": self.direction,
            "from": self.from_number,
            "join_time": str(max(0, int(now - self.joined))),
            "member_id": self.member_id,
            "muted": self.muted,
            "to": self.to_number,
        }


@dataclass(frozen=True)
class Conference:
    """A live conference; Plivo reports counts and run times as strings."""

    name: str
    account: str
    created: float
    members: tuple[ConferenceMember, ...] = ()

    def to_json(self, now: float) -> dict[str, object]:
        return {
            "conference_member_count": str(len(self.members)),
            "conference_name": self.name,
            "conference_run_time": str(max(0, int(now - self.created))),
            "members": [member.to_json(now) for member in self.members],
        }


_MEMBER_FIELDS = ("from_number", "to_number", "caller_name", "direction", "muted", "deaf")


def conference_members(
    members: Iterable[Mapping[str, object]], joined: float
) -> tuple[ConferenceMember, ...]:
    """Members from plain fields (``from_number``, ``to_number``, optional ``caller_name``,
    ``direction``, ``muted``, ``deaf``); member IDs count from 1, call UUIDs are fresh."""
    built = []
    for index, fields in enumerate(members, start=1):
        unknown = set(fields) - set(_MEMBER_FIELDS)
        if unknown:
            raise ValueError(f"unknown conference member fields: {sorted(unknown)}")
        built.append(
            ConferenceMember(
                member_id=str(index),
                call_uuid=str(uuid.uuid4()),
                from_number=str(fields.get("from_number", "")),
                to_number=str(fields.get("to_number", "")),
                caller_name=str(fields.get("caller_name", "")),
                direction=str(fields.get("direction", "inbound")),
                muted=fields.get("muted") is True,
                deaf=fields.get("deaf") is True,
                joined=joined,
            )
        )
    return tuple(built)
