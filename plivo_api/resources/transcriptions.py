"""The text Plivo transcribed from a recording: ``GET Transcription/{recording_id}/`` (plivo SDK
``resources/transcription.py``, fixture ``transcriptionGetResponse.json``).

The answer is ``{cost, rate, recording_duration_ms, recording_start_ms, status,
transcription}``. Plivo transcribes English only, and only a recording it was asked to
transcribe (``transcription_type`` when recording); for any other recording it has no
transcription and answers 404, which is :class:`~plivo_api.errors.NotFoundError` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..transport.client import PlivoClient
from ..transport.jsonvalues import decimal_of, str_of


@dataclass(frozen=True)
class Transcription:
    text: str | None
    state: str | None  # Plivo's "status": success, or still in progress
    cost: Decimal | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transcription:
        text = data.get("transcription")
        return cls(
            text=text.strip() or None if isinstance(text, str) else None,
            state=str_of(data, "status"),
            cost=decimal_of(data.get("cost")),
            api_id=str_of(data, "api_id"),
        )


def get_transcription(client: PlivoClient, recording_id: str) -> Transcription:
    """Raises :class:`~plivo_api.errors.NotFoundError` when Plivo has no transcription."""
    url = client.resource_url("Transcription", recording_id)
    return Transcription.from_json(client.request("GET", url))


__all__ = ["Transcription", "get_transcription"]
