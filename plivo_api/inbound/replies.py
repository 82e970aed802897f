"""An app's answer turned into SMS or WhatsApp replies Plivo accepts, and sent with
``POST Message/``.

Plivo refuses a text longer than 1,600 GSM-7 or 737 UCS-2 characters (error 110), and an LLM's
answer can be any length. The answer is cut into up to :data:`MAX_REPLY_MESSAGES` messages, each
made of whole segments as a carrier would split the full text (so no segment is cut in two and
an emoji or an escape pair is never split), each within Plivo's limit however Plivo counts it
(code points or UTF-16 units, characters or septets). What does not fit in those messages is
dropped: a reply that costs 30+ segments is a bill nobody expects from one inbound text.
Before that, the answer becomes what a phone can show (:mod:`.plain_text`): no reasoning
blocks, no markdown.

A WhatsApp reply has no segments: WhatsApp takes up to :data:`WHATSAPP_MAX_TEXT_CHARS`
characters of free text per message, which is what the answer is cut into (at a line break or
a space when one is near the cut), and it goes with ``type: "whatsapp"``. Free text is allowed
because the customer has just written, which opens WhatsApp's 24-hour customer-service window.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from ..errors import OutcomeUnknownError, PlivoError
from ..messaging.digits import to_plivo
from ..messaging.segments import analyze, split_parts
from ..messaging.whatsapp_limits import MAX_TEXT_CHARS, text_length
from ..resources.connect import client_for
from ..resources.messages import Messenger, SendResult
from ..transport.client import Timeouts
from ..transport.credentials import Credentials
from ..webhooks.payloads import MESSAGE_TYPE_SMS, MESSAGE_TYPE_WHATSAPP
from .plain_text import plain_text

MAX_REPLY_MESSAGES: Final = 3
WHATSAPP_MAX_TEXT_CHARS: Final = MAX_TEXT_CHARS
WHATSAPP_BREAK_WINDOW: Final = 1000
"""How far before the limit a line break (else a space) is looked for to end a message, so a
paragraph, or at least a word, stays whole."""
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
    message_type: str = MESSAGE_TYPE_SMS

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


def plan_reply(answer: str, *, message_type: str = MESSAGE_TYPE_SMS) -> ReplyPlan:
    """The messages to send for ``answer`` as ``message_type`` (``sms``, or ``whatsapp``); none
    for an empty answer."""
    text = clean_answer(answer)
    if message_type == MESSAGE_TYPE_WHATSAPP:
        return _plan_whatsapp(text)
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


def _plan_whatsapp(text: str) -> ReplyPlan:
    messages: list[str] = []
    rest = text
    while rest and len(messages) < MAX_REPLY_MESSAGES:
        cut = _whatsapp_cut(rest)
        message = rest[:cut].rstrip()
        if message:
            messages.append(message)
        rest = rest[cut:].lstrip()
    dropped = len(rest)
    return ReplyPlan(tuple(messages), dropped, MESSAGE_TYPE_WHATSAPP)


def _whatsapp_cut(text: str) -> int:
    """Where the first message of ``text`` ends: all of it when it fits, else at the last line
    break (or space) near the limit, else at the limit itself."""
    if text_length(text) <= WHATSAPP_MAX_TEXT_CHARS:
        return len(text)
    limit = 0
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > WHATSAPP_MAX_TEXT_CHARS:
            limit = index
            break
    window_start = max(1, limit - WHATSAPP_BREAK_WINDOW)
    for separator in ("\n", " "):
        found = text.rfind(separator, window_start, limit + 1)
        if found > 0:
            return found
    return limit


def plivo_messenger(credentials: Credentials) -> MessageSender:
    """The pooled Plivo client of ``credentials`` with timeouts that fit the webhook budget."""
    client = client_for(credentials)
    timeouts = Timeouts(
        connect=min(client.timeout.connect, REPLY_CONNECT_TIMEOUT_SECONDS),
        read=min(client.timeout.read, REPLY_READ_TIMEOUT_SECONDS),
    )
    return Messenger(client.limited(timeout=timeouts, retry=client.retry))


def send_reply(sender: MessageSender, *, src: str, dst: str, plan: ReplyPlan) -> ReplyResult:
    """Send the planned messages in order, each from ``src`` (the number that received the
    inbound message) as the plan's message type; stop at the first failure, never repeat one."""
    uuids: list[str] = []
    for text in plan.messages:
        payload = {"src": to_plivo(src), "dst": to_plivo(dst), "text": text}
        if plan.message_type != MESSAGE_TYPE_SMS:
            payload["type"] = plan.message_type
        try:
            result = sender.send_message(payload)
        except PlivoError as error:
            return ReplyResult(len(uuids), tuple(uuids), error)
        uuids.extend(result.message_uuids)
    return ReplyResult(len(uuids), tuple(uuids))


__all__ = [
    "MAX_REPLY_MESSAGES",
    "WHATSAPP_MAX_TEXT_CHARS",
    "MessageSender",
    "ReplyPlan",
    "ReplyResult",
    "clean_answer",
    "plan_reply",
    "plivo_messenger",
    "send_reply",
]
