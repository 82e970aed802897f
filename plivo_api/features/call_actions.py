"""call_actions: speak, play, send digits or record on a call that is in progress.

Each action is one request on the live call (``POST``/``DELETE Call/{uuid}/Speak/``, ``/Play/``,
``POST Call/{uuid}/DTMF/``, ``POST``/``DELETE Call/{uuid}/Record/``), checked before it is sent
and never repeated once it may have reached Plivo: a repeated action is heard twice, a repeated
recording billed twice. A call that is not in progress gets a sentence saying so (Plivo's 404).
Text spoken uses the builder's ``voice`` and ``language``; Plivo bills recordings (and their
storage) and text-to-speech on calls as its pricing page says.
"""

from __future__ import annotations

import re
from typing import Final

from .. import params as read
from ..errors import InputError
from ..messaging.identifiers import parse_uuid
from ..params import Choice, Limits, Params, http_url
from ..resources.calls import LiveAction, act_on_call
from ..resources.connect import client_from
from ..text import shorten
from . import Invocation, ToolOutput

ACTIONS: Final = (
    "speak",
    "play",
    "stop_speaking",
    "stop_playing",
    "send_digits",
    "start_recording",
    "stop_recording",
)
VOICES: Final = ("WOMAN", "MAN")
SPEAK_LANGUAGES: Final = (
    "da-DK",
    "nl-NL",
    "en-AU",
    "en-GB",
    "en-US",
    "fr-FR",
    "fr-CA",
    "de-DE",
    "it-IT",
    "pl-PL",
    "pt-PT",
    "pt-BR",
    "ru-RU",
    "es-ES",
    "es-US",
    "sv-SE",
)
"""The languages of Plivo's ``<Speak>`` and Speak API (https://plivo.com/docs/voice/xml/speak)."""
DEFAULT_LANGUAGE: Final = "en-US"
SPEAK_TEXT_MAX: Final = 3000  # the plugin's bound: longer text is a paste fault on a phone call
DIGITS_MAX: Final = 100
_DIGITS = re.compile(r"[0-9A-Da-d*#wW]+")
UUID_SOURCE: Final = (
    "list_calls shows the live calls; the answer and hangup callbacks carry it as CallUUID"
)

ACTION_CHOICE: Final = Choice(ACTIONS, "speak", case_insensitive=True)
VOICE_CHOICE: Final = Choice(VOICES, "WOMAN")
LIMITS: Limits = {"action": ACTION_CHOICE, "voice": VOICE_CHOICE}

# action -> (path segment, method, what the sentence says was done)
REQUESTS: Final = {
    "speak": ("Speak", "POST", "Started speaking the text on"),
    "stop_speaking": ("Speak", "DELETE", "Stopped speaking on"),
    "play": ("Play", "POST", "Started playing the audio on"),
    "stop_playing": ("Play", "DELETE", "Stopped playing audio on"),
    "send_digits": ("DTMF", "POST", "Sent the digits on"),
    "start_recording": ("Record", "POST", "Started recording"),
    "stop_recording": ("Record", "DELETE", "Stopped recording"),
}


def _required(params: Params, name: str, action: str, what: str) -> str:
    value = read.text(params, name)
    if value is None:
        raise InputError(name, f"{name} is required for action {action}: {what}. Nothing was sent.")
    return value


def language_from(params: Params) -> str:
    value = read.text(params, "language") or DEFAULT_LANGUAGE
    for known in SPEAK_LANGUAGES:
        if value.replace("_", "-").lower() == known.lower():
            return known
    raise InputError(
        "language",
        f"language: {shorten(value, 20)!r} is not a language Plivo speaks; use one of "
        f"{', '.join(SPEAK_LANGUAGES)}.",
    )


def request_body(params: Params, action: str) -> dict[str, object] | None:
    """What is sent for ``action``, checked; None for the actions that send nothing."""
    if action == "speak":
        text = read.message_text(params, "text").strip()
        if not text:
            raise InputError(
                "text", "text is required for action speak: the words to say. Nothing was sent."
            )
        if len(text) > SPEAK_TEXT_MAX:
            raise InputError(
                "text",
                f"text: {len(text)} characters; at most {SPEAK_TEXT_MAX} can be spoken at once. "
                "Nothing was sent.",
            )
        return {
            "text": text,
            "voice": VOICE_CHOICE.read(params, "voice"),
            "language": language_from(params),
        }
    if action == "play":
        url = _required(params, "url", action, "the public http(s) URL of an mp3 or wav file")
        return {"urls": http_url(url, "url", public=True)}
    if action == "send_digits":
        digits = _required(params, "digits", action, "the keys to press, e.g. 1234#")
        if len(digits) > DIGITS_MAX or not _DIGITS.fullmatch(digits):
            raise InputError(
                "digits",
                f"digits: {shorten(digits, 40)!r} is not a key sequence; use 0-9, A-D, * and #, "
                f"with w (wait 0.5 s) or W (wait 1 s) between them, at most {DIGITS_MAX}. "
                "Nothing was sent.",
            )
        return {"digits": digits}
    if action == "start_recording":
        return {}
    return None


def run(call: Invocation) -> ToolOutput:
    params = call.parameters
    call_uuid = parse_uuid(
        read.text(params, "call_uuid"), "call_uuid", what="call", source=UUID_SOURCE
    )
    action = ACTION_CHOICE.read(params, "action")
    body = request_body(params, action)
    segment, method, _ = REQUESTS[action]
    done = act_on_call(client_from(call.credentials), call_uuid, segment, method, body)
    return present(call_uuid, action, done)


def present(call_uuid: str, action: str, done: LiveAction) -> ToolOutput:
    said = REQUESTS[action][2]
    text = f"{said} call {call_uuid}."
    if action == "start_recording":
        text = (
            f"Started recording call {call_uuid} (recording {done.recording_id or 'ID not given'}"
            "); Plivo bills the recording and its storage. recordings (operation get) shows it "
            "once it is saved."
        )
    data: dict[str, object] = {
        "call_uuid": call_uuid,
        "action": action,
        "recording_id": done.recording_id,
        "recording_url": done.recording_url,
        "api_id": done.api_id,
    }
    variables = {"call_uuid": call_uuid, "action": action, "recording_id": done.recording_id}
    return ToolOutput(text, data, variables)


__all__ = [
    "ACTIONS",
    "LIMITS",
    "SPEAK_LANGUAGES",
    "language_from",
    "present",
    "request_body",
    "run",
]
