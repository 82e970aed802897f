"""The callee's answer and the call's end, kept in plugin storage for the tool that waits.

One record per call, under the call id of its signed instructions (never a phone number):
``{"u": call UUID, "a": answer, "k": "digits" | "speech", "q": confidence, "s": state,
"d": duration, "w": answered}``. The endpoint writes it, the tool reads it.

Storage round trips (each a request to Dify's daemon):

- ``/voice/input`` and the hangup on ``/voice/event``: one read and one write each (the two
  never overlap: Plivo posts the answer, waits for the XML it gets back, and only then can the
  call end);
- the tool: one read per look while it waits (two when nothing is stored yet: the daemon fails a
  read of a missing key, and only then is ``exist`` asked), at most
  :func:`looks` of them for a wait.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ..toolkit.polling import SYSTEM_CLOCK, Clock
from ..webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_optional,
    text_of,
    write_record,
)

POLL_INTERVALS: Final = (0.5, 1.0)
POLL_INTERVAL_CAP: Final = 2.0
MAX_ANSWER_CHARS: Final = 2_000
# Plivo's CallStatus at hangup; an answered call that ended is "completed"
# (https://www.plivo.com/docs/voice/xml/request: busy, failed, timeout and no-answer are the
# outbound calls that were never picked up).
ANSWERED_END_STATE: Final = "completed"


@dataclass(frozen=True)
class CallProgress:
    """What the endpoint has learnt about one call so far."""

    call_uuid: str | None = None
    answer: str | None = None
    answer_kind: str | None = None
    confidence: float | None = None
    state: str | None = None
    duration: int | None = None
    answered: bool | None = None

    @property
    def ended(self) -> bool:
        return self.state is not None

    @property
    def has_answer(self) -> bool:
        return self.answer is not None


def _key(auth_id: str, call_id: str) -> str:
    scope = StorageScope.for_account(auth_id)
    return scope.key("voice", "call", scope.digest_of(call_id))


def read_progress(store: KeyValueStore, auth_id: str, call_id: str) -> CallProgress:
    raw = read_optional(store, _key(auth_id, call_id))
    if raw is None:
        return CallProgress()
    try:
        record = json.loads(raw)
    except ValueError:
        return CallProgress()
    return _progress(record) if isinstance(record, dict) else CallProgress()


def _progress(record: Mapping[str, object]) -> CallProgress:
    answer = record.get("a")
    duration = record.get("d")
    answered = record.get("w")
    confidence = record.get("q")
    return CallProgress(
        call_uuid=text_of(record.get("u")) or None,
        answer=answer if isinstance(answer, str) else None,
        answer_kind=text_of(record.get("k")) or None,
        confidence=number_of(confidence) if isinstance(confidence, int | float) else None,
        state=text_of(record.get("s")) or None,
        duration=int(number_of(duration)) if isinstance(duration, int | float) else None,
        answered=answered if isinstance(answered, bool) else None,
    )


def _merge(store: KeyValueStore, auth_id: str, call_id: str, changes: dict[str, object]) -> None:
    safe = guarded(store)
    key = _key(auth_id, call_id)
    raw = read_optional(safe, key)
    record: dict[str, object] = {}
    if raw is not None:
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = {}
        if isinstance(loaded, dict):
            record = loaded
    record.update({name: value for name, value in changes.items() if value is not None})
    write_record(safe, key, record)


def first(fields: Mapping[str, list[str]], name: str) -> str:
    values = fields.get(name) or []
    return values[0].strip() if values else ""


def save_input(
    store: KeyValueStore, auth_id: str, call_id: str, fields: Mapping[str, list[str]]
) -> CallProgress:
    """Keep the answer Plivo posted to the GetInput action: ``Digits``, or ``Speech`` with its
    ``SpeechConfidenceScore`` (``InputType`` says which; both are read when it is missing)."""
    input_type = first(fields, "InputType").lower()
    digits, speech = first(fields, "Digits"), first(fields, "Speech")
    if input_type == "speech" or (not input_type and speech and not digits):
        kind, answer = "speech", speech
    else:
        kind, answer = "digits", digits
    try:
        confidence: float | None = float(first(fields, "SpeechConfidenceScore"))
    except ValueError:
        confidence = None
    if kind != "speech":
        confidence = None
    progress = CallProgress(
        call_uuid=first(fields, "CallUUID") or None,
        answer=answer[:MAX_ANSWER_CHARS] if answer else None,
        answer_kind=kind if answer else None,
        confidence=confidence,
        answered=True,
    )
    _merge(
        store,
        auth_id,
        call_id,
        {
            "u": progress.call_uuid,
            "a": progress.answer,
            "k": progress.answer_kind,
            "q": progress.confidence,
            "w": True,
        },
    )
    return progress


def save_end(
    store: KeyValueStore, auth_id: str, call_id: str, fields: Mapping[str, list[str]]
) -> None:
    """Keep the call's end from Plivo's hangup callback (``CallStatus``, ``Duration``)."""
    state = first(fields, "CallStatus").lower() or "completed"
    duration_text = first(fields, "Duration")
    duration = int(duration_text) if duration_text.isdigit() else None
    answered = state == ANSWERED_END_STATE and bool(first(fields, "AnswerTime") or duration)
    _merge(
        store,
        auth_id,
        call_id,
        {
            "u": first(fields, "CallUUID") or None,
            "s": state,
            "d": duration,
            "w": answered or None,
        },
    )


def wait_for(
    store: KeyValueStore,
    auth_id: str,
    call_id: str,
    seconds: float,
    *,
    want_answer: bool,
    clock: Clock = SYSTEM_CLOCK,
) -> CallProgress:
    """Look until the call has ended (or, with ``want_answer``, until it has an answer), or
    ``seconds`` have passed; the last look happens at the deadline."""
    deadline = clock.now() + seconds
    index = 0
    while True:
        progress = read_progress(store, auth_id, call_id)
        if progress.ended or (want_answer and progress.has_answer):
            return progress
        remaining = deadline - clock.now()
        if remaining <= 0:
            return progress
        clock.sleep(min(_interval(index), remaining))
        index += 1


def _interval(index: int) -> float:
    return POLL_INTERVALS[index] if index < len(POLL_INTERVALS) else POLL_INTERVAL_CAP


def looks(seconds: float) -> int:
    """The most reads :func:`wait_for` makes in ``seconds`` (one before the first sleep)."""
    remaining, count = float(seconds), 1
    while remaining > 0:
        remaining -= _interval(count - 1)
        count += 1
    return count


__all__ = [
    "ANSWERED_END_STATE",
    "CallProgress",
    "looks",
    "read_progress",
    "save_end",
    "save_input",
    "wait_for",
]
