"""Plivo XML documents a webhook answers with.

Plivo expects XML back from ``message_url`` and ``answer_url``, served as ``text/xml`` or
``application/xml`` (https://www.plivo.com/docs/voice/xml/response). A message URL may answer only
with ``<Message>`` elements, or with an empty ``<Response>`` to send nothing
(https://www.plivo.com/docs/messaging/xml/request/messages); a call can be answered with
``<Speak>`` and ended with ``<Hangup>`` (https://www.plivo.com/docs/voice/xml/audio-output,
https://www.plivo.com/docs/voice/xml/hangup).

Everything that comes from a user or an LLM is escaped, and characters XML 1.0 cannot carry at all
(control characters, lone surrogates) are dropped: one stray ``\\x00`` in an app's answer would
otherwise make Plivo reject the whole document and the caller hear an error. The documents carry
no XML declaration; XML's default encoding is UTF-8, which is what callers must send.
"""

from __future__ import annotations

import re
from typing import Final

XML_CONTENT_TYPE: Final = "application/xml"
MAX_XML_BYTES: Final = 100_000
"""Plivo accepts an XML answer of at most 100 KB (https://www.plivo.com/docs/voice/xml/request)."""

DEFAULT_MESSAGE_TYPE: Final = "sms"
MAX_ATTRIBUTE_CHARS: Final = 64

# Voice names (WOMAN, MAN, Polly.Joanna, Polly.Joanna-Neural) and language tags (en-US, arb):
# letters, digits, dot, hyphen, underscore only. Anything else is not a Plivo value.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Sender and destination: a number (digits, optional +), a short code or an alphanumeric ID;
# several destinations are joined with "<" by Plivo, which the caller does not do here.
_ADDRESS = re.compile(r"\+?[A-Za-z0-9][A-Za-z0-9 ._-]*")
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A raw "\r" would reach Plivo as "\n" (XML end-of-line normalisation); "&#13;" keeps it.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def empty_response() -> str:
    """``<Response></Response>``: the answer to a message URL that sends no reply."""
    return "<Response></Response>"


def speak_and_hangup(
    sentence: str, *, language: str | None = None, voice: str | None = None
) -> str:
    """Say ``sentence`` to the caller with Plivo's text-to-speech, then hang up.

    ``voice`` is ``WOMAN`` (Plivo's default), ``MAN`` or an Amazon Polly voice such as
    ``Polly.Joanna``; ``language`` a tag such as ``en-GB``. Blank values use Plivo's defaults; a
    value with other characters raises ``ValueError`` (Plivo would reject the document). A blank
    sentence only hangs up. ``ValueError`` too when the document would exceed :data:`MAX_XML_BYTES`.
    """
    text = clean_text(sentence).strip()
    if not text:
        return _document("<Response><Hangup/></Response>")
    attributes = _attributes(
        ("voice", _token("voice", voice)), ("language", _token("language", language))
    )
    return _document(f"<Response><Speak{attributes}>{_text(text)}</Speak><Hangup/></Response>")


def message_response(
    *, src: str, dst: str, text: str, message_type: str = DEFAULT_MESSAGE_TYPE
) -> str:
    """Reply to an inbound message from the message URL itself, without an API call.

    ``src`` is the Plivo number that received the message (the inbound ``To``), ``dst`` the sender
    (the inbound ``From``); both may be E.164 or Plivo's digits-only form and are sent without
    ``+`` as Plivo's examples write them. ``ValueError`` for an empty or malformed address, an
    empty text, or a document over :data:`MAX_XML_BYTES`.
    """
    body = clean_text(text)
    if not body.strip():
        raise ValueError("a reply message needs text")
    attributes = _attributes(
        ("src", _address("src", src)),
        ("dst", _address("dst", dst)),
        ("type", _token("type", message_type) or DEFAULT_MESSAGE_TYPE),
    )
    return _document(f"<Response><Message{attributes}>{_text(body)}</Message></Response>")


# -- Call XML: composable elements --------------------------------------------------------------
#
# Each builder returns one escaped element; :func:`call_response` wraps them in ``<Response>`` and
# enforces the size limit. Plivo runs the elements in order and hangs up after the last one
# (https://www.plivo.com/docs/voice/xml/response). Attribute values the caller chooses (voices,
# languages, input types) are checked here, because Plivo answers a malformed document by hanging
# up on the caller.

INPUT_TYPES: Final = ("dtmf", "speech", "dtmf speech")
"""``<GetInput inputType>``: with both, the first input detected wins
(https://www.plivo.com/docs/voice/xml/getinput)."""
MIN_INPUT_TIMEOUT: Final = 5
MAX_INPUT_TIMEOUT: Final = 60
"""``executionTimeout`` bounds, in seconds, counted after the nested Speak/Play ends."""
MAX_RECORD_SECONDS: Final = 14_400
"""``<Record maxLength>``: Plivo records at most four hours in one file."""
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9*#]{1,32}")


def speak(text: str, *, voice: str | None = None, language: str | None = None) -> str:
    """``<Speak>``: Plivo's text-to-speech; ``ValueError`` for blank text, bad voice or language."""
    body = clean_text(text).strip()
    if not body:
        raise ValueError("there is nothing to speak")
    attributes = _attributes(
        ("voice", _token("voice", voice)), ("language", _token("language", language))
    )
    return f"<Speak{attributes}>{_text(body)}</Speak>"


def play(url: str) -> str:
    """``<Play>``: an mp3 or wav file Plivo fetches and plays; ``ValueError`` unless http(s)."""
    return f"<Play>{_text(_url('url', url))}</Play>"


def get_input(
    action: str,
    *prompts: str,
    input_type: str = "dtmf",
    execution_timeout: int | None = None,
    language: str | None = None,
    num_digits: int | None = None,
    finish_on_key: str | None = None,
    redirect: bool = True,
) -> str:
    """``<GetInput>``: play ``prompts`` (elements from :func:`speak`/:func:`play`), then collect
    one answer and POST it to ``action``.

    ``language`` is the speech-recognition language (speech input only). With ``redirect`` true
    (Plivo's default) the call continues with the XML the action URL answers; the elements after
    ``<GetInput>`` run only when nothing was entered.
    """
    if input_type not in INPUT_TYPES:
        raise ValueError(f"input_type must be one of {', '.join(INPUT_TYPES)}")
    if execution_timeout is not None and not (
        MIN_INPUT_TIMEOUT <= execution_timeout <= MAX_INPUT_TIMEOUT
    ):
        raise ValueError(
            f"execution_timeout must be {MIN_INPUT_TIMEOUT}-{MAX_INPUT_TIMEOUT} seconds"
        )
    if num_digits is not None and not 1 <= num_digits <= 32:
        raise ValueError("num_digits must be 1-32")
    if finish_on_key is not None and not _DIGITS.fullmatch(finish_on_key):
        raise ValueError("finish_on_key must be a key such as # or *")
    attributes = _attributes(
        ("action", _url("action", action)),
        ("method", "POST"),
        ("inputType", input_type),
        ("executionTimeout", _number(execution_timeout)),
        ("language", _token("language", language) if "speech" in input_type else None),
        ("numDigits", _number(num_digits)),
        ("finishOnKey", finish_on_key),
        ("redirect", "true" if redirect else "false"),
    )
    return f"<GetInput{attributes}>{''.join(prompts)}</GetInput>"


def record(
    *,
    action: str | None = None,
    callback_url: str | None = None,
    record_session: bool = False,
    max_length: int | None = None,
    play_beep: bool | None = None,
    finish_on_key: str | None = None,
    transcription_url: str | None = None,
) -> str:
    """``<Record>``: a voicemail-style recording, or with ``record_session`` the whole call in the
    background (no beep, the next element runs at once).

    ``callback_url`` receives the recording's URL when the file is ready; ``transcription_url``
    asks Plivo for an automatic transcription (English only, billed) and receives it.
    """
    if max_length is not None and not 1 <= max_length <= MAX_RECORD_SECONDS:
        raise ValueError(f"max_length must be 1-{MAX_RECORD_SECONDS} seconds")
    if finish_on_key is not None and not _DIGITS.fullmatch(finish_on_key):
        raise ValueError("finish_on_key must be a key such as # or *")
    attributes = _attributes(
        ("action", _url("action", action) if action else None),
        ("method", "POST" if action else None),
        ("callbackUrl", _url("callback_url", callback_url) if callback_url else None),
        ("callbackMethod", "POST" if callback_url else None),
        ("recordSession", "true" if record_session else None),
        ("maxLength", _number(max_length)),
        ("playBeep", None if play_beep is None else ("true" if play_beep else "false")),
        ("finishOnKey", finish_on_key),
        ("transcriptionType", "auto" if transcription_url else None),
        (
            "transcriptionUrl",
            _url("transcription_url", transcription_url) if transcription_url else None,
        ),
        ("transcriptionMethod", "POST" if transcription_url else None),
    )
    return f"<Record{attributes}/>"


def dial(number: str, *, caller_id: str | None = None, timeout: int | None = None) -> str:
    """``<Dial><Number>``: connect the caller to ``number`` (E.164 or digits)."""
    attributes = _attributes(
        ("callerId", _address("caller_id", caller_id) if caller_id else None),
        ("timeout", _number(timeout)),
    )
    return f"<Dial{attributes}><Number>{_address('number', number)}</Number></Dial>"


def redirect(url: str) -> str:
    """``<Redirect>``: continue the call with the XML at ``url`` (fetched with POST)."""
    return f'<Redirect method="POST">{_text(_url("url", url))}</Redirect>'


def hangup() -> str:
    """``<Hangup/>``: end the call now."""
    return "<Hangup/>"


def wait(seconds: int) -> str:
    """``<Wait length>``: silence for ``seconds`` (1-3600)."""
    if not 1 <= seconds <= 3600:
        raise ValueError("wait must be 1-3600 seconds")
    return f'<Wait length="{seconds}"/>'


def call_response(*elements: str) -> str:
    """The ``<Response>`` document for an answer, action or redirect URL of a call."""
    return _document(f"<Response>{''.join(elements)}</Response>")


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent, even escaped."""
    return _NOT_XML_CHAR.sub("", text)


def _text(text: str) -> str:
    return text.translate(_TEXT_ESCAPES)


def _attributes(*pairs: tuple[str, str | None]) -> str:
    return "".join(
        f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"' for name, value in pairs if value
    )


def _token(name: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX_ATTRIBUTE_CHARS or not _TOKEN.fullmatch(text):
        raise ValueError(f"{name} must be a Plivo {name} name such as en-US or WOMAN")
    return text


def _address(name: str, value: str) -> str:
    text = value.strip()
    if len(text) > MAX_ATTRIBUTE_CHARS or not _ADDRESS.fullmatch(text):
        raise ValueError(f"{name} must be a phone number, short code or sender ID")
    digits = text[1:]
    return digits if text.startswith("+") and digits.isdigit() else text


def _url(name: str, value: str) -> str:
    text = value.strip()
    if not _URL.fullmatch(text):
        raise ValueError(f"{name} must be an http:// or https:// URL")
    return text


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


def _document(xml: str) -> str:
    if len(xml.encode("utf-8")) > MAX_XML_BYTES:
        raise ValueError(f"the XML answer is larger than Plivo's {MAX_XML_BYTES:,}-byte limit")
    return xml


__all__ = [
    "DEFAULT_MESSAGE_TYPE",
    "INPUT_TYPES",
    "MAX_INPUT_TIMEOUT",
    "MAX_RECORD_SECONDS",
    "MAX_XML_BYTES",
    "MIN_INPUT_TIMEOUT",
    "XML_CONTENT_TYPE",
    "call_response",
    "clean_text",
    "dial",
    "empty_response",
    "get_input",
    "hangup",
    "message_response",
    "play",
    "record",
    "redirect",
    "speak",
    "speak_and_hangup",
    "wait",
]
