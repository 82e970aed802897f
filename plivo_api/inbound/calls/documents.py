"""The call XML documents the phone assistant answers with, built from the escaped, checked
builders of :mod:`plivo_api.webhooks.xml`.

Every prompt is a ``<GetInput>`` that listens for speech and for a key press (a caller who
presses 0 asks for a person, so digits must be heard too; ``numDigits="1"`` sends that key at
once), with the prompt nested in it, followed by a ``<Redirect>``. Plivo posts what it heard to
the ``action`` URL; when it hears nothing within :data:`LISTEN_SECONDS` it runs the next element
instead (https://plivo.com/docs/voice/xml/getinput), so the redirect is the silence path. The
URLs carry the turn number (a retried turn is recognised by it) and, on the redirect, how many
silences in a row the caller has let pass; Plivo's signature covers the query, so neither can be
forged.
"""

from __future__ import annotations

import re
from typing import Final

from ...webhooks.xml import call_response, dial, get_input, hangup, redirect, speak
from ..settings import EndpointSettings
from . import phrases

TURN_PATH: Final = "/voice/turn"
LISTEN_SECONDS: Final = 10
"""How long Plivo listens after the prompt ends (``executionTimeout``, 5-60 s)."""
MAX_SPOKEN_CHARS: Final = 3000
"""An answer longer than this is cut at a sentence end: a phone call is no place for an essay,
and Plivo's text-to-speech takes a few thousand characters at most."""
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)")


def turn_url(base: str, turn: int, *, silence: int = 0) -> str:
    """``{base}/voice/turn?turn=N`` (with ``&silence=S`` on the silence redirect)."""
    url = f"{base}{TURN_PATH}?turn={turn}"
    return f"{url}&silence={silence}" if silence else url


def spoken(text: str) -> str:
    """``text`` as one utterance: lines joined, cut to :data:`MAX_SPOKEN_CHARS` at a sentence."""
    flat = " ".join(text.split())
    if len(flat) <= MAX_SPOKEN_CHARS:
        return flat
    head = flat[:MAX_SPOKEN_CHARS]
    ends = [match.end() for match in _SENTENCE_END.finditer(head)]
    return head[: ends[-1]] if ends else head


def listen(
    base: str, turn: int, *prompts: str, settings: EndpointSettings, silence: int = 0
) -> str:
    """Say ``prompts``, then listen for turn ``turn``; silence redirects with ``silence + 1``."""
    said = [speak(text, voice=settings.voice, language=settings.language) for text in prompts]
    return call_response(
        get_input(
            turn_url(base, turn),
            *said,
            input_type="dtmf speech",
            execution_timeout=LISTEN_SECONDS,
            language=settings.language,
            num_digits=1,
        ),
        redirect(turn_url(base, turn, silence=silence + 1)),
    )


def goodbye(settings: EndpointSettings, sentence: str = phrases.GOODBYE) -> str:
    """Say ``sentence`` and hang up."""
    return call_response(
        speak(sentence, voice=settings.voice, language=settings.language), hangup()
    )


def transfer(number: str, settings: EndpointSettings) -> str:
    """Tell the caller, then connect them to ``number``; the call ends when that leg ends."""
    return call_response(
        speak(phrases.CONNECTING, voice=settings.voice, language=settings.language),
        dial(number),
    )


__all__ = [
    "LISTEN_SECONDS",
    "MAX_SPOKEN_CHARS",
    "TURN_PATH",
    "goodbye",
    "listen",
    "spoken",
    "transfer",
    "turn_url",
]
