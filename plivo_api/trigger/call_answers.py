"""What a caller hears when a trigger subscription answers the number's calls.

The subscription's ``call_answer`` picks one of five modes:

- ``speak``: a sentence, then hang up (the default);
- ``forward``: connect the caller to another number (``<Dial>``);
- ``voicemail``: a greeting, then ``<Record>`` (with Plivo's transcription when asked); the
  recording starts ``voicemail_received``;
- ``menu``: a spoken menu, then the caller's keys (``<GetInput>``); they start ``call_input``;
- ``none``: the number's calls are not sent to the trigger at all (they keep going wherever they
  went before).

Every mode ends with the subscription's ``call_greeting`` sentence and a hangup: after a
forwarded call (heard only when the forward fails or the other side hangs up first), after a
voicemail, after the menu keys or when no key was pressed. A blank sentence hangs up at once.

Plivo posts what happens next (the recording, its transcription, the keys) to URLs the answer
names: each is the subscription's own endpoint with a ``step`` query parameter, so the trigger
can tell them from a new call. Plivo's signature covers the query (V3), so the step and the
call's identity carried in it cannot be forged. The recording and transcription callbacks carry
no caller or called number (https://www.plivo.com/docs/voice/xml/record), so the answer puts
them into those URLs.

The answer is built when Plivo calls; an answer that cannot be built (a setting Plivo would not
take) falls back to the sentence and a hangup: a caller never gets an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from .. import params as read
from ..errors import InputError
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..text import shorten
from ..webhooks.xml import (
    call_response,
    dial,
    get_input,
    hangup,
    record,
    speak,
    speak_and_hangup,
)

logger = logging.getLogger(__name__)

MODE_SPEAK: Final = "speak"
MODE_FORWARD: Final = "forward"
MODE_VOICEMAIL: Final = "voicemail"
MODE_MENU: Final = "menu"
MODE_NONE: Final = "none"
MODES: Final = (MODE_SPEAK, MODE_FORWARD, MODE_VOICEMAIL, MODE_MENU, MODE_NONE)

PARAM_CALL_ANSWER: Final = "call_answer"
PARAM_CALL_GREETING: Final = "call_greeting"
PARAM_FORWARD_TO: Final = "forward_to"
PARAM_VOICEMAIL_GREETING: Final = "voicemail_greeting"
PARAM_TRANSCRIBE: Final = "transcribe"
PARAM_MENU_PROMPT: Final = "menu_prompt"
PARAM_MENU_DIGITS: Final = "menu_digits"
PARAM_RECEIVE_CALLS: Final = "receive_calls"
"""Older subscriptions' switch: ``receive_calls: false`` means ``call_answer: none``."""

CALL_GREETING_PROPERTY: Final = PARAM_CALL_GREETING
DEFAULT_CALL_GREETING: Final = "Thank you for calling. Goodbye."
DEFAULT_VOICEMAIL_GREETING: Final = (
    "Please leave a message after the tone, then press the hash key or hang up."
)
MAX_CALL_GREETING_CHARS: Final = 1000
"""A sentence for a caller, not a speech; also keeps the XML answer far below Plivo's size cap."""
MIN_MENU_DIGITS: Final = 1
MAX_MENU_DIGITS: Final = 20
DEFAULT_MENU_DIGITS: Final = 1
MENU_TIMEOUT_SECONDS: Final = 10
"""How long Plivo waits for the first key after the menu was spoken (GetInput allows 5-60)."""
MAX_VOICEMAIL_SECONDS: Final = 120
"""Longest message a caller can leave. Plivo's transcription is meant for voicemails of about
this length, and billed per minute (https://www.plivo.com/docs/voice/xml/record)."""
FINISH_KEY: Final = "#"

STEP_PARAMETER: Final = "step"
STEP_INPUT: Final = "input"
STEP_RECORDED: Final = "recorded"
"""The ``<Record action>``: the caller finished the message; Plivo wants the rest of the call."""
STEP_RECORDING: Final = "recording"
"""The ``<Record callbackUrl>``: the recording file is ready."""
STEP_TRANSCRIPTION: Final = "transcription"
STEPS: Final = (STEP_INPUT, STEP_RECORDED, STEP_RECORDING, STEP_TRANSCRIPTION)
CALL_PARAMETER: Final = "call"
FROM_PARAMETER: Final = "from"
TO_PARAMETER: Final = "to"
TRANSCRIBED_PARAMETER: Final = "transcribed"
"""In the recording callback's query when a transcription was asked for: the voicemail waits
for it (decided by the answer the caller got, not by settings changed since)."""


@dataclass(frozen=True)
class CallAnswer:
    """A subscription's call answer, as its properties keep it."""

    mode: str = MODE_SPEAK
    closing: str = DEFAULT_CALL_GREETING
    forward_to: str | None = None
    voicemail_greeting: str = DEFAULT_VOICEMAIL_GREETING
    transcribe: bool = False
    menu_prompt: str = ""
    menu_digits: int = DEFAULT_MENU_DIGITS

    @property
    def receives_calls(self) -> bool:
        return self.mode != MODE_NONE

    @classmethod
    def from_parameters(
        cls, parameters: Mapping[str, object], *, own_number: str | None = None
    ) -> CallAnswer:
        """The constructor's settings, checked. Raises :class:`InputError` naming the setting
        that cannot work (nothing is sent to Plivo before this passes)."""
        legacy_off = not read.boolean(parameters, PARAM_RECEIVE_CALLS, default=True)
        mode = read.choice(parameters, PARAM_CALL_ANSWER, MODES, default=MODE_SPEAK)
        if legacy_off and PARAM_CALL_ANSWER not in parameters:
            mode = MODE_NONE
        closing = (
            read.text(parameters, PARAM_CALL_GREETING) or ""
            if PARAM_CALL_GREETING in parameters
            else DEFAULT_CALL_GREETING
        )
        _check_sentence(PARAM_CALL_GREETING, closing)
        answer = cls(mode=mode, closing=closing)
        if mode == MODE_FORWARD:
            return cls(mode=mode, closing=closing, forward_to=_forward_to(parameters, own_number))
        if mode == MODE_VOICEMAIL:
            greeting = (
                read.text(parameters, PARAM_VOICEMAIL_GREETING) or ""
                if PARAM_VOICEMAIL_GREETING in parameters
                else DEFAULT_VOICEMAIL_GREETING
            )
            _check_sentence(PARAM_VOICEMAIL_GREETING, greeting)
            return cls(
                mode=mode,
                closing=closing,
                voicemail_greeting=greeting,
                transcribe=read.boolean(parameters, PARAM_TRANSCRIBE, default=False),
            )
        if mode == MODE_MENU:
            prompt = read.text(parameters, PARAM_MENU_PROMPT) or ""
            if not prompt:
                raise InputError(
                    PARAM_MENU_PROMPT,
                    f"{PARAM_MENU_PROMPT} is required when {PARAM_CALL_ANSWER} is menu: write "
                    "what callers hear, e.g. 'Press 1 for sales, 2 for support.'",
                )
            _check_sentence(PARAM_MENU_PROMPT, prompt)
            digits = read.number(
                parameters,
                PARAM_MENU_DIGITS,
                default=DEFAULT_MENU_DIGITS,
                minimum=MIN_MENU_DIGITS,
                maximum=MAX_MENU_DIGITS,
            )
            return cls(
                mode=mode,
                closing=closing,
                menu_prompt=prompt,
                menu_digits=digits or DEFAULT_MENU_DIGITS,
            )
        return answer

    def to_properties(self) -> dict[str, Any]:
        """The mode, the closing sentence, and the settings of this mode only."""
        properties: dict[str, Any] = {
            PARAM_CALL_ANSWER: self.mode,
            CALL_GREETING_PROPERTY: self.closing,
        }
        if self.mode == MODE_FORWARD:
            properties[PARAM_FORWARD_TO] = self.forward_to or ""
        elif self.mode == MODE_VOICEMAIL:
            properties[PARAM_VOICEMAIL_GREETING] = self.voicemail_greeting
            properties[PARAM_TRANSCRIBE] = self.transcribe
        elif self.mode == MODE_MENU:
            properties[PARAM_MENU_PROMPT] = self.menu_prompt
            properties[PARAM_MENU_DIGITS] = self.menu_digits
        return properties

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> CallAnswer:
        """Never raises: properties were checked when the subscription was made, and anything
        unusable (an older or a manual subscription) reads as ``speak``."""
        mode = properties.get(PARAM_CALL_ANSWER)
        closing = call_greeting_of(properties)
        forward_to = _text(properties.get(PARAM_FORWARD_TO))
        digits = properties.get(PARAM_MENU_DIGITS)
        if mode == MODE_FORWARD and forward_to:
            return cls(mode=mode, closing=closing, forward_to=forward_to)
        if mode == MODE_VOICEMAIL:
            greeting = properties.get(PARAM_VOICEMAIL_GREETING)
            return cls(
                mode=mode,
                closing=closing,
                voicemail_greeting=greeting.strip()
                if isinstance(greeting, str)
                else DEFAULT_VOICEMAIL_GREETING,
                transcribe=properties.get(PARAM_TRANSCRIBE) is True,
            )
        if mode == MODE_MENU and _text(properties.get(PARAM_MENU_PROMPT)):
            return cls(
                mode=mode,
                closing=closing,
                menu_prompt=_text(properties.get(PARAM_MENU_PROMPT)),
                menu_digits=digits
                if isinstance(digits, int) and MIN_MENU_DIGITS <= digits <= MAX_MENU_DIGITS
                else DEFAULT_MENU_DIGITS,
            )
        return cls(mode=MODE_NONE if mode == MODE_NONE else MODE_SPEAK, closing=closing)

    # -- the XML Plivo gets -------------------------------------------------------------------

    def answer_xml(self, endpoint: str, *, call_uuid: str, from_number: str, to_number: str) -> str:
        """The answer URL's document for a new call (``none`` answers like ``speak``: Plivo
        only calls when the number was linked before the mode was chosen)."""
        try:
            if self.mode == MODE_FORWARD and self.forward_to:
                return call_response(dial(self.forward_to), *self._closing())
            if self.mode == MODE_VOICEMAIL:
                identity = {
                    CALL_PARAMETER: call_uuid,
                    FROM_PARAMETER: from_number,
                    TO_PARAMETER: to_number,
                }
                recording_query = (
                    {**identity, TRANSCRIBED_PARAMETER: "1"} if self.transcribe else identity
                )
                transcription = (
                    step_url(endpoint, STEP_TRANSCRIPTION, identity) if self.transcribe else None
                )
                return call_response(
                    *_spoken(self.voicemail_greeting),
                    record(
                        action=step_url(endpoint, STEP_RECORDED),
                        callback_url=step_url(endpoint, STEP_RECORDING, recording_query),
                        max_length=MAX_VOICEMAIL_SECONDS,
                        finish_on_key=FINISH_KEY,
                        transcription_url=transcription,
                    ),
                    *self._closing(),
                )
            if self.mode == MODE_MENU and self.menu_prompt:
                return call_response(
                    get_input(
                        step_url(endpoint, STEP_INPUT),
                        speak(self.menu_prompt[:MAX_CALL_GREETING_CHARS]),
                        input_type="dtmf",
                        execution_timeout=MENU_TIMEOUT_SECONDS,
                        num_digits=self.menu_digits,
                        finish_on_key=FINISH_KEY,
                    ),
                    *self._closing(),
                )
        except ValueError as error:
            logger.warning("call answer fell back to the sentence: %s", error)
        return self.closing_xml()

    def closing_xml(self) -> str:
        """The sentence, then hang up; a sentence Plivo could not take just hangs up."""
        try:
            return speak_and_hangup(self.closing[:MAX_CALL_GREETING_CHARS])
        except ValueError:
            return speak_and_hangup("")

    def _closing(self) -> tuple[str, ...]:
        return (*_spoken(self.closing), hangup())


def call_greeting_of(properties: Mapping[str, Any]) -> str:
    """The sentence a caller hears last: the subscription's, else the default. Set but blank
    means "just hang up"."""
    value = properties.get(CALL_GREETING_PROPERTY)
    if value is None:
        return DEFAULT_CALL_GREETING
    return value.strip() if isinstance(value, str) else DEFAULT_CALL_GREETING


def step_url(endpoint: str, step: str, extra: Mapping[str, str] | None = None) -> str:
    """The endpoint with the step (and the call's identity) in its query."""
    query = urlencode({STEP_PARAMETER: step, **(extra or {})})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _spoken(sentence: str) -> tuple[str, ...]:
    text = sentence.strip()[:MAX_CALL_GREETING_CHARS]
    return (speak(text),) if text else ()


def _check_sentence(name: str, sentence: str) -> None:
    if len(sentence) > MAX_CALL_GREETING_CHARS:
        raise InputError(
            name,
            f"{name}: {len(sentence)} characters; callers hear at most "
            f"{MAX_CALL_GREETING_CHARS}. Shorten the sentence.",
        )


def _forward_to(parameters: Mapping[str, object], own_number: str | None) -> str:
    raw = read.text(parameters, PARAM_FORWARD_TO) or ""
    if not raw:
        raise InputError(
            PARAM_FORWARD_TO,
            f"{PARAM_FORWARD_TO} is required when {PARAM_CALL_ANSWER} is forward: the number "
            "callers are connected to, with + and its country code (+14155550100).",
        )
    try:
        number = normalize_number(raw)
    except InvalidNumberError as error:
        raise InputError(
            PARAM_FORWARD_TO,
            f"{PARAM_FORWARD_TO}: {shorten(raw)!r} is not a phone number ({error.reason}); "
            "write it with + and its country code, such as +14155550100.",
        ) from None
    if own_number is not None:
        try:
            own = normalize_number(own_number)
        except InvalidNumberError:
            own = None
        if own == number:
            raise InputError(
                PARAM_FORWARD_TO,
                f"{PARAM_FORWARD_TO}: {number} is the subscribed number itself; forwarding a "
                "call to it would ring this subscription again. Pick another number.",
            )
    return number


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


__all__ = [
    "CALL_GREETING_PROPERTY",
    "CALL_PARAMETER",
    "DEFAULT_CALL_GREETING",
    "DEFAULT_VOICEMAIL_GREETING",
    "FROM_PARAMETER",
    "MAX_CALL_GREETING_CHARS",
    "MAX_VOICEMAIL_SECONDS",
    "MODES",
    "MODE_FORWARD",
    "MODE_MENU",
    "MODE_NONE",
    "MODE_SPEAK",
    "MODE_VOICEMAIL",
    "PARAM_CALL_ANSWER",
    "STEPS",
    "STEP_INPUT",
    "STEP_PARAMETER",
    "STEP_RECORDED",
    "STEP_RECORDING",
    "STEP_TRANSCRIPTION",
    "TO_PARAMETER",
    "TRANSCRIBED_PARAMETER",
    "CallAnswer",
    "call_greeting_of",
    "step_url",
]
