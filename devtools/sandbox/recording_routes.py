"""Recordings and transcriptions (plivo SDK ``resources/recordings.py`` and
``resources/transcription.py``; https://www.plivo.com/docs/voice/api/recording/):

    GET    /Recording/                filters call_uuid, from_number, to_number,
                                      add_time[__gt|__gte|__lt|__lte], limit (1-20), offset
    GET    /Recording/{id}/           one recording
    DELETE /Recording/{id}/           -> 204
    GET    /Transcription/{id}/       the text Plivo transcribed from recording {id}; 404 when
                                      there is none (no transcription asked for, or not English)
"""

from __future__ import annotations

import time

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    bad_request,
    error_response,
    json_response,
    list_page,
    no_content,
    not_found,
    paging,
)
from devtools.sandbox.catalog import strip_number
from devtools.sandbox.list_filters import accepts_all, time_filters
from devtools.sandbox.state import SandboxState

NO_TRANSCRIPTION = "transcription not found"
TRANSCRIPTION_TYPES = ("transcription", "raw", "diarized")


class RecordingApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def rules(self) -> list[Rule]:
        base = "/v1/Account/<auth_id>"
        return [
            Rule(f"{base}/Recording/", endpoint="list_recordings", methods=["GET"]),
            Rule(f"{base}/Recording/<recording_id>/", endpoint="get_recording", methods=["GET"]),
            Rule(
                f"{base}/Recording/<recording_id>/",
                endpoint="delete_recording",
                methods=["DELETE"],
            ),
            Rule(
                f"{base}/Transcription/<recording_id>/",
                endpoint="get_transcription",
                methods=["GET"],
            ),
        ]

    def list_recordings(self, request: Request, account: SandboxAccount) -> Response:
        args = request.args.to_dict()
        limit, offset = paging(args)
        added = time_filters(args, "add_time")
        call_uuid = args.get("call_uuid")
        from_number = strip_number(args.get("from_number", ""))
        to_number = strip_number(args.get("to_number", ""))
        selected = [
            r
            for r in self.state.recordings.newest_first(account.auth_id)
            if (call_uuid is None or r.call_uuid == call_uuid)
            and r.from_number.startswith(from_number)
            and r.to_number.startswith(to_number)
            and accepts_all(added, r.started)
        ]
        path = f"/v1/Account/{account.auth_id}/Recording/"
        page, meta = list_page(path, args, selected, limit, offset)
        now = time.time()
        return json_response(200, {"meta": meta, "objects": [r.to_json(now) for r in page]})

    def get_recording(
        self, request: Request, account: SandboxAccount, recording_id: str
    ) -> Response:
        recording = self.state.recordings.get(account.auth_id, recording_id)
        if recording is None:
            return not_found()
        return json_response(200, recording.to_json(time.time()))

    def delete_recording(
        self, request: Request, account: SandboxAccount, recording_id: str
    ) -> Response:
        if not self.state.recordings.delete(account.auth_id, recording_id):
            return not_found()
        return no_content()

    def get_transcription(
        self, request: Request, account: SandboxAccount, recording_id: str
    ) -> Response:
        kind = request.args.get("type", "transcription")
        if kind not in TRANSCRIPTION_TYPES:
            raise bad_request("type must be transcription, raw or diarized")
        recording = self.state.recordings.get(account.auth_id, recording_id)
        if recording is None:
            return not_found()
        if recording.transcript is None:
            return error_response(404, NO_TRANSCRIPTION)
        return json_response(200, recording.to_transcription(time.time()))


__all__ = ["NO_TRANSCRIPTION", "RecordingApi"]
