"""What Plivo posts after a trigger answered a call: the menu keys and the voicemail.

The answer (:mod:`plivo_api.trigger.call_answers`) points Plivo back at the subscription's
endpoint with a ``step`` in the query; here each step becomes what Plivo gets back and, at most,
one event:

- ``input`` (the ``<GetInput>`` action: ``Digits`` and the call's ``CallUUID, From, To``):
  ``call_input``; the caller hears the closing sentence;
- ``recorded`` (the ``<Record>`` action, when the caller finished the message): the closing
  sentence, no event (the file may not be ready yet);
- ``recording`` (the ``<Record callbackUrl>``: ``record_url``, ``recording_duration``... when the
  file is ready) and ``transcription`` (the ``transcriptionUrl``: ``transcription`` or ``error``):
  ``voicemail_received``.

One voicemail starts workflows once. Without transcription it fires on the recording. With
transcription it fires when both the recording and the transcription arrived, with the
transcript (Plivo transcribes within minutes, https://www.plivo.com/docs/voice/xml/record), or
with ``transcript`` null when Plivo reports it could not transcribe. Waiting costs no request:
whichever callback arrives first leaves its half in the plugin's storage (the recording's URL and
length, or the transcript) and the second one starts the event. Each callback reads the other
half before and after writing its own, so two arriving together cannot both miss it (both firing
is dropped as a repeat, like any repeated event). No phone number is stored: the caller and the
called number travel in the callback URLs' query, which Plivo signs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from ..messaging.digits import display_number
from ..webhooks.door import CLOCK_SKEW_SECONDS
from ..webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    guarded,
    number_of,
    read_record_or_none,
    slot_of,
    text_of,
    write_record,
)
from .call_answers import (
    CALL_PARAMETER,
    FROM_PARAMETER,
    STEP_PARAMETER,
    STEPS,
    TO_PARAMETER,
    TRANSCRIBED_PARAMETER,
)

logger = logging.getLogger(__name__)

VOICEMAIL_MEMORY_SECONDS: Final = 6 * 3600
"""How long the first half of a voicemail waits for the second: far beyond the minutes Plivo
takes to transcribe a two-minute message."""
VOICEMAIL_SLOTS: Final = 4096
"""Halves live one per slot key, so storage stays bounded (see ``DispatchedEvents``)."""
MAX_DIGITS_CHARS: Final = 64
MAX_TRANSCRIPT_CHARS: Final = 20_000
"""Two minutes of speech is about 300 words; longer text is not Plivo's transcription."""
MAX_URL_CHARS: Final = 2048
_DIGIT_KEYS = frozenset("0123456789*#")
_HALF_RECORDING: Final = "recording"
_HALF_TRANSCRIPT: Final = "transcript"

Form = Mapping[str, list[str]]


def step_of(query: str) -> str | None:
    """The step named in a request's query, ``""`` for a step this version does not know, or
    ``None`` when the request is no step (a new call, a message, a report)."""
    values = parse_qs(query.lstrip("?"), keep_blank_values=True).get(STEP_PARAMETER)
    if not values:
        return None
    step = values[0].strip().lower()
    return step if step in STEPS else ""


def waits_for_transcription(query: str) -> bool:
    """Whether the recording's callback URL says a transcription was asked for."""
    values = parse_qs(query.lstrip("?"), keep_blank_values=True).get(TRANSCRIBED_PARAMETER) or []
    return bool(values) and values[0].strip() == "1"


@dataclass(frozen=True)
class CallIdentity:
    """The call a step belongs to: Plivo's fields when it sent them, else the callback URL's."""

    call_uuid: str
    from_number: str
    to_number: str

    @classmethod
    def of(cls, form: Form, query: str) -> CallIdentity:
        carried = parse_qs(query.lstrip("?"), keep_blank_values=True)
        return cls(
            call_uuid=_first(form, "CallUUID", "call_uuid") or _first(carried, CALL_PARAMETER),
            from_number=_number(_first(form, "From") or _first(carried, FROM_PARAMETER)),
            to_number=_number(_first(form, "To") or _first(carried, TO_PARAMETER)),
        )

    @property
    def complete(self) -> bool:
        return bool(self.call_uuid and self.from_number and self.to_number)


def input_variables(identity: CallIdentity, form: Form) -> dict[str, Any] | None:
    """``call_input``'s variables, or ``None`` when no key was pressed (speech, or nothing)."""
    digits = _first(form, "Digits")[:MAX_DIGITS_CHARS]
    if not digits or any(key not in _DIGIT_KEYS for key in digits):
        return None
    return {
        "call_uuid": identity.call_uuid,
        "from": identity.from_number,
        "to": identity.to_number,
        "digits": digits,
    }


@dataclass(frozen=True)
class Recording:
    url: str
    duration: int | None

    @classmethod
    def of(cls, form: Form) -> Recording | None:
        url = _first(form, "record_url", "RecordUrl", "RecordingUrl")
        if not url.lower().startswith(("https://", "http://")) or len(url) > MAX_URL_CHARS:
            return None
        seconds = _first(form, "recording_duration", "RecordingDuration")
        millis = _first(form, "recording_duration_ms", "RecordingDurationMs")
        duration = _int(seconds)
        if duration is None and _int(millis) is not None:
            duration = round((_int(millis) or 0) / 1000)
        return cls(url, duration)


def transcript_of(form: Form) -> str | None:
    """The transcription's text; ``None`` when Plivo reports an error or sends none."""
    text = _first(form, "transcription").strip()
    if not text or _first(form, "error").strip():
        return None
    return text[:MAX_TRANSCRIPT_CHARS]


def voicemail_variables(
    identity: CallIdentity, recording: Recording, transcript: str | None
) -> dict[str, Any]:
    return {
        "call_uuid": identity.call_uuid,
        "from": identity.from_number,
        "to": identity.to_number,
        "recording_url": recording.url,
        "duration": recording.duration,
        "transcript": transcript,
    }


class VoicemailHalves:
    """The half of a transcribed voicemail that arrived first, until the other one comes.

    Raises :class:`~plivo_api.webhooks.kvstore.StorageError` when a half cannot be written (the
    caller answers 503, so Plivo re-sends the callback).
    """

    def __init__(
        self, store: KeyValueStore, scope: StorageScope, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock

    def add_recording(self, call_uuid: str, recording: Recording) -> str | _Missing | None:
        """The transcript (or ``None`` for a failed one) when it is already here; else the
        recording is kept and :data:`MISSING` returned."""
        found = self._read(call_uuid, _HALF_TRANSCRIPT)
        if found is not None:
            return _transcript(found)
        self._write(call_uuid, _HALF_RECORDING, {"u": recording.url, "d": recording.duration})
        found = self._read(call_uuid, _HALF_TRANSCRIPT)
        return _transcript(found) if found is not None else MISSING

    def add_transcript(self, call_uuid: str, transcript: str | None) -> Recording | None:
        """The recording when it is already here; else the transcript is kept and ``None``."""
        found = self._read(call_uuid, _HALF_RECORDING)
        if found is None:
            self._write(call_uuid, _HALF_TRANSCRIPT, {"x": transcript})
            found = self._read(call_uuid, _HALF_RECORDING)
        if found is None:
            return None
        duration = found.get("d")
        return Recording(text_of(found.get("u")), duration if isinstance(duration, int) else None)

    def _key(self, call_uuid: str, half: str) -> tuple[str, str]:
        digest = self._scope.digest_of(f"voicemail:{call_uuid}")
        return self._scope.key("voicemail", half, slot_of(digest, VOICEMAIL_SLOTS)), digest

    def _read(self, call_uuid: str, half: str) -> dict[str, object] | None:
        key, digest = self._key(call_uuid, half)
        record = read_record_or_none(self._store, key)
        if record is None or text_of(record.get("c")) != digest:
            return None
        age = self._clock() - number_of(record.get("t"))
        if not -CLOCK_SKEW_SECONDS <= age < VOICEMAIL_MEMORY_SECONDS:
            return None
        return record

    def _write(self, call_uuid: str, half: str, values: Mapping[str, object]) -> None:
        key, digest = self._key(call_uuid, half)
        write_record(self._store, key, {"c": digest, "t": round(self._clock(), 3), **values})


class _Missing:
    """Marks "the other half has not arrived" (``None`` is a failed transcription)."""


MISSING: Final = _Missing()


def _transcript(record: Mapping[str, object]) -> str | None:
    value = record.get("x")
    return value if isinstance(value, str) and value else None


def _first(form: Mapping[str, list[str]], *names: str) -> str:
    for name in names:
        values = form.get(name)
        if values and values[0].strip():
            return values[0].strip()
    return ""


def _number(value: str) -> str:
    """As the call events show numbers: E.164 for Plivo's digits, anything else as it is."""
    return display_number(value) or ""


def _int(value: str) -> int | None:
    text = value.strip()
    if not text or len(text) > 12:
        return None
    try:
        return max(0, round(float(text)))
    except ValueError:
        return None


__all__ = [
    "MISSING",
    "VOICEMAIL_MEMORY_SECONDS",
    "CallIdentity",
    "Recording",
    "VoicemailHalves",
    "input_variables",
    "step_of",
    "transcript_of",
    "voicemail_variables",
    "waits_for_transcription",
]
