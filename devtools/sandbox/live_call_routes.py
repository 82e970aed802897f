"""Actions on a live call: speak text, play audio, send digits, record.

Plivo's paths and answers (plivo SDK ``resources/calls.py``; fixtures
``liveCallSpeakCreateResponse.json``, ``liveCallPlayCreateResponse.json``,
``liveCallRecordCreateResponse.json``; https://www.plivo.com/docs/voice/api/call/):

    POST   /Call/{uuid}/Speak/   text (required), voice WOMAN|MAN, language, legs, loop, mix
                                 -> 202 {"message": "speak started"}
    DELETE /Call/{uuid}/Speak/   -> 204
    POST   /Call/{uuid}/Play/    urls (required, comma-separated), length, legs, loop, mix
                                 -> 202 {"message": "play started"}
    DELETE /Call/{uuid}/Play/    -> 204
    POST   /Call/{uuid}/DTMF/    digits (required), leg -> 202 {"message": "digits sent"}
    POST   /Call/{uuid}/Record/  time_limit, file_format mp3|wav, transcription_type auto,
                                 transcription_url, callback_url
                                 -> 202 {"url", "message": "call recording started",
                                 "recording_id"}
    DELETE /Call/{uuid}/Record/  optional URL (one recording), else all -> 204

A call that is not in progress (never was, still ringing, or ended) answers 404: Plivo acts only
on an answered call. Every action is kept in :attr:`LiveCallApi.actions` for tests to read.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import (
    bad_request,
    error_response,
    json_response,
    no_content,
    request_params,
    text_param,
    url_param,
)
from devtools.sandbox.recordings import RECORDING_FORMATS
from devtools.sandbox.state import SandboxState
from devtools.sandbox.voice import StoredCall

VOICES = ("WOMAN", "MAN")
LEGS = ("aleg", "bleg", "both")
MAX_SPEAK_CHARS = 3000
RECORD_TIME_LIMIT_MAX = 14_400
SANDBOX_TRANSCRIPT = "Hello, this is the sandbox's transcript of the recorded call."
_DIGITS = re.compile(r"[0-9A-Da-d*#wW]+")
CALL_NOT_LIVE = "call not found or not in progress"


@dataclass(frozen=True)
class LiveAction:
    """One accepted action: ``kind`` speak, stop_speak, play, stop_play, dtmf, record,
    stop_record; ``params`` as sent."""

    account: str
    call_uuid: str
    kind: str
    params: dict[str, object] = field(default_factory=dict)


class LiveCallApi:
    """Handlers for ``/Call/{uuid}/Speak/``, ``/Play/``, ``/DTMF/`` and ``/Record/``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self.actions: list[LiveAction] = []

    def rules(self) -> list[Rule]:
        call = "/v1/Account/<auth_id>/Call/<call_uuid>"
        return [
            Rule(f"{call}/Speak/", endpoint="speak_on_call", methods=["POST"]),
            Rule(f"{call}/Speak/", endpoint="stop_speaking", methods=["DELETE"]),
            Rule(f"{call}/Play/", endpoint="play_on_call", methods=["POST"]),
            Rule(f"{call}/Play/", endpoint="stop_playing", methods=["DELETE"]),
            Rule(f"{call}/DTMF/", endpoint="send_digits", methods=["POST"]),
            Rule(f"{call}/Record/", endpoint="record_call", methods=["POST"]),
            Rule(f"{call}/Record/", endpoint="stop_recording", methods=["DELETE"]),
        ]

    def reset(self) -> None:
        with self._lock:
            self.actions.clear()

    def _in_progress(self, account: SandboxAccount, call_uuid: str) -> StoredCall | None:
        call = self.state.call(account.auth_id, call_uuid)
        if call is None:
            return None
        state = call.state_at(time.time(), self.state.call_timeline).state
        return call if state == "in-progress" else None

    def _keep(
        self, account: SandboxAccount, call_uuid: str, kind: str, params: dict[str, object]
    ) -> None:
        with self._lock:
            self.actions.append(LiveAction(account.auth_id, call_uuid, kind, params))

    def speak_on_call(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        params = request_params(request)
        text = text_param(params, "text", required=True) or ""
        if len(text) > MAX_SPEAK_CHARS:
            raise bad_request(f"text is limited to {MAX_SPEAK_CHARS} characters")
        voice = text_param(params, "voice") or "WOMAN"
        if voice.upper() not in VOICES:
            raise bad_request("voice must be WOMAN or MAN")
        _check_legs(params)
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        self._keep(account, call_uuid, "speak", params)
        return json_response(202, {"message": "speak started"})

    def stop_speaking(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        self._keep(account, call_uuid, "stop_speak", {})
        return no_content()

    def play_on_call(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        params = request_params(request)
        urls = text_param(params, "urls", required=True) or ""
        for url in urls.split(","):
            url_param({"urls": url.strip()}, "urls", required=True)
        _check_legs(params)
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        self._keep(account, call_uuid, "play", params)
        return json_response(202, {"message": "play started"})

    def stop_playing(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        self._keep(account, call_uuid, "stop_play", {})
        return no_content()

    def send_digits(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        params = request_params(request)
        digits = text_param(params, "digits", required=True) or ""
        if not _DIGITS.fullmatch(digits):
            raise bad_request("digits may only contain 0-9, A-D, *, #, w and W")
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        self._keep(account, call_uuid, "dtmf", params)
        return json_response(202, {"message": "digits sent"})

    def record_call(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        params = request_params(request)
        file_format = text_param(params, "file_format") or "mp3"
        if file_format not in RECORDING_FORMATS:
            raise bad_request("file_format must be mp3 or wav")
        raw_limit = params.get("time_limit", 60)
        limit = int(raw_limit) if isinstance(raw_limit, str) and raw_limit.isdigit() else raw_limit
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise bad_request("time_limit must be a whole number of seconds")
        if not 1 <= limit <= RECORD_TIME_LIMIT_MAX:
            raise bad_request(f"time_limit must be from 1 to {RECORD_TIME_LIMIT_MAX}")
        transcription = text_param(params, "transcription_type")
        if transcription not in (None, "auto"):
            raise bad_request("transcription_type must be auto")
        for name in ("transcription_url", "callback_url"):
            url_param(params, name)
        call = self._in_progress(account, call_uuid)
        if call is None:
            return error_response(404, CALL_NOT_LIVE)
        recording = self.state.recordings.start_recording(
            account.auth_id,
            call_uuid,
            recording_format=file_format,
            time_limit=limit,
            transcript=SANDBOX_TRANSCRIPT if transcription else None,
            from_number=call.from_number,
            to_number=call.to_number,
        )
        self._keep(account, call_uuid, "record", params)
        return json_response(
            202,
            {
                "message": "call recording started",
                "recording_id": recording.recording_id,
                "url": recording.recording_url,
            },
        )

    def stop_recording(self, request: Request, account: SandboxAccount, call_uuid: str) -> Response:
        params = request_params(request)
        if self._in_progress(account, call_uuid) is None:
            return error_response(404, CALL_NOT_LIVE)
        url = text_param(params, "URL")
        self.state.recordings.stop_recordings(account.auth_id, call_uuid, url)
        self._keep(account, call_uuid, "stop_record", params)
        return no_content()


def _check_legs(params: dict[str, object]) -> None:
    legs = text_param(params, "legs")
    if legs is not None and legs not in LEGS:
        raise bad_request("legs must be aleg, bleg or both")


__all__ = ["CALL_NOT_LIVE", "SANDBOX_TRANSCRIPT", "LiveAction", "LiveCallApi"]
