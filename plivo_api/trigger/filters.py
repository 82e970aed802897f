"""Which incoming events a workflow wants: the filters a trigger node sets on its event.

Each trigger node in a Dify workflow sets its own filters; one webhook can start several
workflows, each deciding here whether the event is for it. Every filter left empty lets
everything through; filters that are set must all match.

Filters are read when an event is checked, so a filter that cannot work (a number that is not
one, a regular expression that does not compile) fails that check with a sentence naming the
filter: a silently ignored filter would start workflows the user meant to exclude. The ``regex``
filter runs on text the sender chooses, so it is matched by a linear-time engine
(:mod:`plivo_api.trigger.linear_regex`): no message can hold the plugin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..errors import InputError
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..messaging.states import DELIVERY_REPORT_STATES
from ..text import shorten
from ..webhooks.payloads import WHATSAPP_CONTENT_TYPES
from .linear_regex import LinearPattern, PatternError, compile_linear

MAX_FILTER_ENTRIES: Final = 100
"""More numbers or keywords than this in one filter is a pasted list gone wrong."""
MAX_REGEX_CHARS: Final = 500
MAX_SHORT_CODE_DIGITS: Final = 8
"""Up to 8 digits is a short code (sent as is); from 9 digits on it must read as a phone number
in international format (Plivo's short codes have 3 to 8 digits)."""

MESSAGE_STATES: Final = DELIVERY_REPORT_STATES
CALL_END_STATES: Final = ("completed", "busy", "failed", "timeout", "no-answer", "canceled")
"""A call's ``CallStatus`` when it ended (https://www.plivo.com/docs/voice/api/call), as the
``states`` filter of ``call_completed`` offers them."""
_CALL_STATE_SPELLINGS: Final = {"cancel": "canceled", "cancelled": "canceled"}

PARAM_FROM_NUMBERS: Final = "from_numbers"
PARAM_TO_NUMBERS: Final = "to_numbers"
PARAM_KEYWORD: Final = "keyword"
PARAM_CONTAINS: Final = "contains"
PARAM_REGEX: Final = "regex"
PARAM_STATES: Final = "states"
PARAM_CONTENT_TYPES: Final = "content_types"

_ENTRY_SEPARATORS = re.compile(r"[,;\n\r，；、]+")
_WORD_TRIM = " \t\r\n\f\v.,;:!?¡¿\"'`()[]{}<>*~_-“”‘’«»。！？，"
_SENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")


@dataclass(frozen=True)
class Verdict:
    """Whether an event passes a node's filters; ``reason`` names the filter that stopped it
    (never the message text or a number: it may reach logs)."""

    matched: bool
    reason: str = ""


PASS: Final = Verdict(True)


def fold(text: str) -> str:
    """Compare texts the way people read them: full-width letters and case do not matter."""
    return unicodedata.normalize("NFKC", text).casefold()


def first_word(text: str) -> str:
    """The message's first word, folded, without the punctuation around it (``"Stop!"`` →
    ``"stop"``)."""
    for word in fold(text).split():
        trimmed = word.strip(_WORD_TRIM)
        if trimmed:
            return trimmed
    return ""


@dataclass(frozen=True)
class AddressSet:
    """Phone numbers (compared in E.164) and short codes or sender IDs (compared as written,
    ignoring case), from a comma-separated filter."""

    addresses: frozenset[str]

    @classmethod
    def parse(cls, raw: str | None, parameter: str) -> AddressSet | None:
        if raw is None:
            return None
        found: set[str] = set()
        for entry in _entries(raw, parameter):
            found.add(_address(entry, parameter))
        return cls(frozenset(found)) if found else None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and fold(value.strip()) in self.addresses


@dataclass(frozen=True)
class MessageFilter:
    """The filters of ``sms_received``: sender, receiving number, first word, text, pattern."""

    from_numbers: AddressSet | None = None
    to_numbers: AddressSet | None = None
    keywords: frozenset[str] = frozenset()
    contains: str = ""
    regex: LinearPattern | None = None

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, object]) -> MessageFilter:
        """Raises :class:`InputError` naming the filter that cannot work."""
        keyword_text = read.text(parameters, PARAM_KEYWORD)
        contains = read.text(parameters, PARAM_CONTAINS)
        return cls(
            from_numbers=AddressSet.parse(
                read.text(parameters, PARAM_FROM_NUMBERS), PARAM_FROM_NUMBERS
            ),
            to_numbers=AddressSet.parse(read.text(parameters, PARAM_TO_NUMBERS), PARAM_TO_NUMBERS),
            keywords=_keywords(keyword_text),
            contains=fold(contains) if contains else "",
            regex=_regex(read.text(parameters, PARAM_REGEX, strip=False)),
        )

    def check(self, *, from_number: str, to_number: str, text: str) -> Verdict:
        if self.from_numbers is not None and from_number not in self.from_numbers:
            return Verdict(False, f"the sender is not one of {PARAM_FROM_NUMBERS}")
        if self.to_numbers is not None and to_number not in self.to_numbers:
            return Verdict(False, f"the receiving number is not one of {PARAM_TO_NUMBERS}")
        if self.keywords and first_word(text) not in self.keywords:
            return Verdict(False, f"the first word is not one of the {PARAM_KEYWORD} filter")
        if self.contains and self.contains not in fold(text):
            return Verdict(False, f"the text does not contain the {PARAM_CONTAINS} filter")
        if self.regex is not None and not self.regex.search(text):
            return Verdict(False, f"the text does not match the {PARAM_REGEX} filter")
        return PASS


@dataclass(frozen=True)
class StateFilter:
    """The filter of ``message_status``: which delivery states start the workflow."""

    states: frozenset[str] = frozenset()

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, object]) -> StateFilter:
        return cls(_choices(parameters, PARAM_STATES, MESSAGE_STATES, "delivery state"))

    def check(self, state: str) -> Verdict:
        if self.states and state.strip().lower() not in self.states:
            return Verdict(False, f"the state is not one of {PARAM_STATES}")
        return PASS


@dataclass(frozen=True)
class WhatsAppFilter:
    """The filters of ``whatsapp_received``: those of ``sms_received`` (on the text, the media
    caption or the button's title) plus the kinds of content (text, media, button, unknown)."""

    message: MessageFilter = MessageFilter()
    content_types: frozenset[str] = frozenset()

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, object]) -> WhatsAppFilter:
        """Raises :class:`InputError` naming the filter that cannot work."""
        return cls(
            MessageFilter.from_parameters(parameters),
            _choices(parameters, PARAM_CONTENT_TYPES, WHATSAPP_CONTENT_TYPES, "content type"),
        )

    def check(self, *, from_number: str, to_number: str, text: str, content_type: str) -> Verdict:
        if self.content_types and content_type.strip().lower() not in self.content_types:
            return Verdict(False, f"the content type is not one of {PARAM_CONTENT_TYPES}")
        return self.message.check(from_number=from_number, to_number=to_number, text=text)


def _choices(
    parameters: Mapping[str, object],
    parameter: str,
    allowed: tuple[str, ...],
    what: str,
    spellings: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """The values chosen in a checkbox filter (a list, or comma-separated text); empty: all.
    ``spellings`` maps other spellings of a value (``cancelled``) to the one offered."""
    raw = parameters.get(parameter)
    if raw is None or raw == "" or raw == []:
        return frozenset()
    if isinstance(raw, str):
        items: Iterable[object] = _ENTRY_SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise InputError(parameter, f"{parameter}: expected a list of {what}s.")
    chosen: set[str] = set()
    for item in items:
        value = str(item).strip().lower() if isinstance(item, str | int) else None
        if value == "":
            continue
        if spellings and value is not None:
            value = spellings.get(value, value)
        if value not in allowed:
            raise InputError(
                parameter,
                f"{parameter}: {shorten(str(item))!r} is not a {what}; use {', '.join(allowed)}.",
            )
        chosen.add(value)
    return frozenset(chosen)


@dataclass(frozen=True)
class CallFilter:
    """The filters of the call events: the caller, and (``call_completed``) how the call
    ended."""

    from_numbers: AddressSet | None = None
    states: frozenset[str] = frozenset()

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, object]) -> CallFilter:
        """Raises :class:`InputError` naming the filter that cannot work."""
        return cls(
            from_numbers=AddressSet.parse(
                read.text(parameters, PARAM_FROM_NUMBERS), PARAM_FROM_NUMBERS
            ),
            states=_choices(
                parameters,
                PARAM_STATES,
                CALL_END_STATES,
                "final call state",
                _CALL_STATE_SPELLINGS,
            ),
        )

    def check(self, *, from_number: str, state: str = "") -> Verdict:
        if self.from_numbers is not None and from_number not in self.from_numbers:
            return Verdict(False, f"the caller is not one of {PARAM_FROM_NUMBERS}")
        if self.states and _call_state(state) not in self.states:
            return Verdict(False, f"the state is not one of {PARAM_STATES}")
        return PASS


def _call_state(item: object) -> str:
    state = str(item).strip().lower() if isinstance(item, str | int) else ""
    return _CALL_STATE_SPELLINGS.get(state, state)


def _entries(raw: str, parameter: str) -> list[str]:
    entries = [entry.strip() for entry in _ENTRY_SEPARATORS.split(raw) if entry.strip()]
    if len(entries) > MAX_FILTER_ENTRIES:
        raise InputError(
            parameter,
            f"{parameter}: {len(entries)} entries; a filter holds at most {MAX_FILTER_ENTRIES}.",
        )
    return entries


def _address(entry: str, parameter: str) -> str:
    """E.164 for a phone number; the folded text for a short code or an alphanumeric sender."""
    compact = re.sub(r"[\s().-]", "", entry)
    if compact.isascii() and compact.isdigit() and len(compact) <= MAX_SHORT_CODE_DIGITS:
        return compact
    if any(ch.isalpha() for ch in entry) and _SENDER_ID.fullmatch(entry):
        return fold(entry)
    try:
        return normalize_number(entry)
    except InvalidNumberError as error:
        raise InputError(
            parameter,
            f"{parameter}: {shorten(entry)!r} is not a phone number ({error.reason}); write "
            "numbers in international format such as +14155550100, separated by commas.",
        ) from None


def _keywords(raw: str | None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    words: set[str] = set()
    for entry in _entries(raw, PARAM_KEYWORD):
        word = fold(entry).strip(_WORD_TRIM)
        if not word:
            continue
        if len(word.split()) > 1:
            raise InputError(
                PARAM_KEYWORD,
                f"{PARAM_KEYWORD}: {shorten(entry)!r} is more than one word; the filter compares "
                "the message's first word, so list single words separated by commas.",
            )
        words.add(word)
    return frozenset(words)


def _regex(raw: str | None) -> LinearPattern | None:
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_REGEX_CHARS:
        raise InputError(
            PARAM_REGEX, f"{PARAM_REGEX}: at most {MAX_REGEX_CHARS} characters, got {len(raw)}."
        )
    try:
        return compile_linear(raw)
    except PatternError as error:
        raise InputError(
            PARAM_REGEX,
            f"{PARAM_REGEX}: {shorten(raw)!r} cannot be used ({error.reason}).",
        ) from None


__all__ = [
    "CALL_END_STATES",
    "MESSAGE_STATES",
    "PARAM_CONTAINS",
    "PARAM_CONTENT_TYPES",
    "PARAM_FROM_NUMBERS",
    "PARAM_KEYWORD",
    "PARAM_REGEX",
    "PARAM_STATES",
    "PARAM_TO_NUMBERS",
    "PASS",
    "AddressSet",
    "CallFilter",
    "MessageFilter",
    "StateFilter",
    "Verdict",
    "WhatsAppFilter",
    "first_word",
    "fold",
]
