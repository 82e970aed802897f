"""An app's answer turned into SMS replies Plivo accepts, and sent with ``POST Message/``.

Plivo refuses a text longer than 1,600 GSM-7 or 737 UCS-2 characters (error 110), and an LLM's
answer can be any length. The answer is cut into up to :data:`MAX_REPLY_MESSAGES` messages, each
made of whole segments as a carrier would split the full text (so no segment is cut in two and
an emoji or an escape pair is never split), each within Plivo's limit however Plivo counts it
(code points or UTF-16 units, characters or septets). What does not fit in those messages is
dropped: a reply that costs 30+ segments is a bill nobody expects from one inbound text.
Before that, the answer becomes what a phone can show (:mod:`.plain_text`): no reasoning
blocks, no markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from ..errors import OutcomeUnknownError, PlivoError
from ..messaging.digits import to_plivo
from ..messaging.segments import analyze, split_parts
from ..resources.connect import client_for
from ..resources.messages import Messenger, SendResult
from ..transport.client import Timeouts
from ..transport.credentials import Credentials
from .plain_text import plain_text

MAX_REPLY_MESSAGES: Final = 3
REPLY_CONNECT_TIMEOUT_SECONDS: Final = 2.0
REPLY_READ_TIMEOUT_SECONDS: Final = 4.0
"""Plivo waits 8 s for the webhook's answer and the app has used part of them; a reply send
that hangs longer is abandoned (and, having maybe reached Plivo, never repeated)."""
# Control characters other than tab, line feed, carriage return and form feed mean nothing on
# a phone and some carriers reject them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


class MessageSender(Protocol):
    """What sends one message (:class:`plivo_api.resources.messages.Messenger` is one)."""

    def send_message(self, payload: Mapping[str, Any]) -> SendResult: ...


@dataclass(frozen=True)
class ReplyPlan:
    messages: tuple[str, ...]
    dropped_characters: int  # characters of the answer that did not fit

    @property
    def empty(self) -> bool:
        return not self.messages


@dataclass(frozen=True)
class ReplyResult:
    sent: int  # messages Plivo accepted
    message_uuids: tuple[str, ...]
    error: PlivoError | None = None

    @property
    def outcome_unknown(self) -> bool:
        """The last request may or may not have queued a message (it is never repeated)."""
        return isinstance(self.error, OutcomeUnknownError)


def clean_answer(answer: str) -> str:
    """The answer as plain text, without reasoning, markdown, surrounding whitespace and control
    characters."""
    return _CONTROL.sub("", plain_text(answer)).strip()


def _fits(text: str) -> bool:
    analysis = analyze(text)
    return not analysis.over_limit and analysis.units <= analysis.limit


def plan_reply(answer: str) -> ReplyPlan:
    """The messages to send for ``answer``; none for an empty answer."""
    text = clean_answer(answer)
    if not text:
        return ReplyPlan((), 0)
    if _fits(text):
        return ReplyPlan((text,), 0)
    parts = split_parts(text)
    messages: list[str] = []
    current = ""
    used = 0
    for part in parts:
        if current and not _fits(current + part):
            messages.append(current)
            used += len(current)
            current = ""
            if len(messages) == MAX_REPLY_MESSAGES:
                break
        current += part
    else:
        if current:
            messages.append(current)
            used += len(current)
    return ReplyPlan(tuple(messages), len(text) - used)


def plivo_messenger(credentials: Credentials) -> MessageSender:
    """The pooled Plivo client of ``credentials`` with timeouts that fit the webhook budget."""
    client = client_for(credentials)
    timeouts = Timeouts(
        connect=min(client.timeout.connect, REPLY_CONNECT_TIMEOUT_SECONDS),
        read=min(client.timeout.read, REPLY_READ_TIMEOUT_SECONDS),
    )
    return Messenger(client.limited(timeout=timeouts, retry=client.retry))


def send_reply(sender: MessageSender, *, src: str, dst: str, plan: ReplyPlan) -> ReplyResult:
    """Send the planned messages in order; stop at the first failure, never repeat one."""
    uuids: list[str] = []
    for text in plan.messages:
        payload = {"src": to_plivo(src), "dst": to_plivo(dst), "text": text}
        try:
            result = sender.send_message(payload)
        except PlivoError as error:
            return ReplyResult(len(uuids), tuple(uuids), error)
        uuids.extend(result.message_uuids)
    return ReplyResult(len(uuids), tuple(uuids))


__all__ = [
    "MAX_REPLY_MESSAGES",
    "MessageSender",
    "ReplyPlan",
    "ReplyResult",
    "clean_answer",
    "plan_reply",
    "plivo_messenger",
    "send_reply",
]
