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


def _document(xml: str) -> str:
    if len(xml.encode("utf-8")) > MAX_XML_BYTES:
        raise ValueError(f"the XML answer is larger than Plivo's {MAX_XML_BYTES:,}-byte limit")
    return xml


__all__ = [
    "DEFAULT_MESSAGE_TYPE",
    "MAX_XML_BYTES",
    "XML_CONTENT_TYPE",
    "clean_text",
    "empty_response",
    "message_response",
    "speak_and_hangup",
]
