"""Call recordings: list, read and delete them (``GET Recording/``, ``GET``/``DELETE
Recording/{id}/``; plivo SDK ``resources/recordings.py``, fixture ``recordingGetResponse.json``).

Plivo writes the lengths as decimal strings of milliseconds (``"345100.00000"``) and lists
recordings newest first, ``limit`` at most 20. The filters used here: ``call_uuid`` and
``add_time__gte``/``add_time__lte`` (UTC ``YYYY-MM-DD HH:MM:SS``). Plivo keeps a recording, and
bills its storage, until it is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..transport.jsonvalues import decimal_of, str_of
from . import rest

MS_PER_SECOND: Final = Decimal(1000)


@dataclass(frozen=True)
class Recording:
    recording_id: str | None
    call_uuid: str | None
    recording_url: str | None
    duration_seconds: float | None
    recording_format: str | None
    add_time: str | None
    recording_type: str | None = None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recording:
        duration_ms = decimal_of(data.get("recording_duration_ms"))
        return cls(
            recording_id=str_of(data, "recording_id"),
            call_uuid=str_of(data, "call_uuid"),
            recording_url=str_of(data, "recording_url"),
            duration_seconds=(
                None if duration_ms is None else float(round(duration_ms / MS_PER_SECOND, 3))
            ),
            recording_format=str_of(data, "recording_format"),
            add_time=str_of(data, "add_time"),
            recording_type=str_of(data, "recording_type"),
            api_id=str_of(data, "api_id"),
        )


def recording_fields(recording: Recording) -> dict[str, object]:
    """A recording in the tools' output."""
    return {
        "recording_id": recording.recording_id,
        "call_uuid": recording.call_uuid,
        "recording_url": recording.recording_url,
        "duration_seconds": recording.duration_seconds,
        "recording_format": recording.recording_format,
        "add_time": recording.add_time,
    }


RECORDINGS: Final = rest.Collection(
    path="Recording",
    noun="recording",
    plural="recordings",
    id_key="recording_id",
    parse=Recording.from_json,
    fields=recording_fields,
    name_of=lambda recording: recording.add_time,
)


__all__ = ["RECORDINGS", "Recording", "recording_fields"]
