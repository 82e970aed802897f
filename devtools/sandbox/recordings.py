"""Call recordings and their transcriptions, as Plivo keeps them.

A recording belongs to an account and to the call it was made on. It is created whole (a call's
XML ``<Record>`` that has finished, or a seeded one: :meth:`RecordingStore.add_recording`) or
started on a live call with ``POST /Call/{uuid}/Record/`` and finished by ``DELETE`` or by its
time limit (:meth:`RecordingStore.start_recording`, :meth:`RecordingStore.stop_recordings`).

Plivo answers ``GET /Recording/{id}/`` with the fields of the SDK's fixture
``recordingGetResponse.json`` (numbers written as strings with five decimals), and
``GET /Transcription/{id}/`` with ``{cost, rate, recording_duration_ms, recording_start_ms,
status, transcription}`` (fixture ``transcriptionGetResponse.json``). Plivo transcribes only
English and only when it was asked to (``transcription_type`` on the recording); a recording
without a transcription answers 404 here.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass

from devtools.sandbox.messages import plivo_time

RECORDING_FORMATS = ("mp3", "wav")
MEDIA_BASE_URL = "https://media.plivo.com/v1/Account"
STORAGE_RATE = "0.00040"
TRANSCRIPTION_RATE = 0.05  # USD per minute, the fixture's rate
DEFAULT_TIME_LIMIT_SECONDS = 60  # Plivo's time_limit of a live recording


@dataclass(frozen=True)
class StoredRecording:
    """One recording; ``stopped`` is None while a live recording runs."""

    recording_id: str
    account: str
    call_uuid: str
    started: float
    duration_ms: int | None
    recording_format: str = "mp3"
    recording_type: str = "call"
    from_number: str = ""
    to_number: str = ""
    transcript: str | None = None
    time_limit: int = DEFAULT_TIME_LIMIT_SECONDS

    def duration_at(self, now: float) -> int:
        """Milliseconds recorded: the final length, or what a running one has so far."""
        if self.duration_ms is not None:
            return self.duration_ms
        return int(min(now - self.started, self.time_limit) * 1000)

    @property
    def recording_url(self) -> str:
        name = f"{self.recording_id}.{self.recording_format}"
        return f"{MEDIA_BASE_URL}/{self.account}/Recording/{name}"

    def to_json(self, now: float) -> dict[str, object]:
        duration = self.duration_at(now)
        start_ms = int(self.started * 1000)
        return {
            "add_time": plivo_time(self.started),
            "call_uuid": self.call_uuid,
            "conference_name": None,
            "from_number": self.from_number,
            "monthly_recording_storage_amount": 0,
            "recording_duration_ms": f"{duration:.5f}",
            "recording_end_ms": f"{start_ms + duration:.5f}",
            "recording_format": self.recording_format,
            "recording_id": self.recording_id,
            "recording_start_ms": f"{start_ms:.5f}",
            "recording_storage_duration": 0,
            "recording_storage_rate": float(STORAGE_RATE),
            "recording_type": self.recording_type,
            "recording_url": self.recording_url,
            "resource_uri": f"/v1/Account/{self.account}/Recording/{self.recording_id}/",
            "rounded_recording_duration": -(-duration // 60_000) * 60,
            "to_number": self.to_number,
        }

    def to_transcription(self, now: float) -> dict[str, object]:
        """``GET /Transcription/{id}/``; only for a recording with a transcript."""
        duration = self.duration_at(now)
        cost = round(TRANSCRIPTION_RATE * max(1, -(-duration // 60_000)), 5)
        return {
            "cost": cost,
            "rate": TRANSCRIPTION_RATE,
            "recording_duration_ms": duration,
            "recording_start_ms": int(self.started * 1000),
            "status": "success",
            "transcription": self.transcript,
        }


class RecordingStore:
    """Every account's recordings, newest last; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recordings: dict[str, StoredRecording] = {}

    def add_recording(
        self,
        auth_id: str,
        call_uuid: str,
        duration_ms: int,
        *,
        transcript: str | None = None,
        recording_format: str = "mp3",
        from_number: str = "",
        to_number: str = "",
        started: float | None = None,
    ) -> StoredRecording:
        """A finished recording of ``call_uuid``; ``transcript`` is the text Plivo would have
        transcribed (None: no transcription was asked for)."""
        if recording_format not in RECORDING_FORMATS:
            raise ValueError(f"recording_format must be one of {RECORDING_FORMATS}")
        if duration_ms < 0:
            raise ValueError("duration_ms must not be negative")
        now = time.time()
        recording = StoredRecording(
            recording_id=str(uuid.uuid4()),
            account=auth_id,
            call_uuid=call_uuid,
            started=(now - duration_ms / 1000) if started is None else started,
            duration_ms=duration_ms,
            recording_format=recording_format,
            from_number=from_number,
            to_number=to_number,
            transcript=transcript,
        )
        self._save(recording)
        return recording

    def start_recording(
        self,
        auth_id: str,
        call_uuid: str,
        *,
        recording_format: str = "mp3",
        time_limit: int = DEFAULT_TIME_LIMIT_SECONDS,
        transcript: str | None = None,
        from_number: str = "",
        to_number: str = "",
    ) -> StoredRecording:
        """A recording that runs until :meth:`stop_recordings` or its ``time_limit``."""
        recording = StoredRecording(
            recording_id=str(uuid.uuid4()),
            account=auth_id,
            call_uuid=call_uuid,
            started=time.time(),
            duration_ms=None,
            recording_format=recording_format,
            from_number=from_number,
            to_number=to_number,
            transcript=transcript,
            time_limit=time_limit,
        )
        self._save(recording)
        return recording

    def stop_recordings(self, auth_id: str, call_uuid: str, url: str | None = None) -> int:
        """Stop the call's running recordings (only the one at ``url`` when given); returns how
        many were stopped."""
        now = time.time()
        stopped = 0
        with self._lock:
            for key, recording in list(self._recordings.items()):
                if (
                    recording.account != auth_id
                    or recording.call_uuid != call_uuid
                    or recording.duration_ms is not None
                    or (url is not None and recording.recording_url != url)
                ):
                    continue
                final = recording.duration_at(now)
                self._recordings[key] = dataclasses.replace(recording, duration_ms=final)
                stopped += 1
        return stopped

    def _save(self, recording: StoredRecording) -> None:
        with self._lock:
            self._recordings[recording.recording_id] = recording

    def get(self, auth_id: str, recording_id: str) -> StoredRecording | None:
        with self._lock:
            recording = self._recordings.get(recording_id)
        return recording if recording is not None and recording.account == auth_id else None

    def delete(self, auth_id: str, recording_id: str) -> bool:
        with self._lock:
            recording = self._recordings.get(recording_id)
            if recording is None or recording.account != auth_id:
                return False
            del self._recordings[recording_id]
            return True

    def newest_first(self, auth_id: str) -> list[StoredRecording]:
        with self._lock:
            own = [r for r in reversed(self._recordings.values()) if r.account == auth_id]
        return sorted(own, key=lambda r: r.started, reverse=True)

    def all(self) -> list[StoredRecording]:
        with self._lock:
            return list(self._recordings.values())

    def reset(self) -> None:
        with self._lock:
            self._recordings.clear()


__all__ = ["RECORDING_FORMATS", "RecordingStore", "StoredRecording"]
