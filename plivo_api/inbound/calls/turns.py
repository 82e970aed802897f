"""One turn of a phone-assistant call: what the caller said, and what they hear back.

A turn is one request to ``/voice/turn?turn=N``: Plivo's GetInput action (the caller spoke or
pressed a key) or the redirect that follows a GetInput that heard nothing (``&silence=S``).

- **Silence**: the first gets one re-prompt, the second in a row a goodbye and a hang-up.
- **A person**: "operator", "human", "agent", "person" (as words, any case) or the key 0 connect
  the caller to ``transfer_to`` with ``<Dial>``; without one, the caller hears that nobody is
  available and the conversation goes on.
- **Anything else** runs the app that talks on calls, with the words as the query, the call's
  ``call_uuid``, ``from`` and ``to`` as inputs and the call's own conversation. The answer is
  spoken without reasoning blocks or markdown (:func:`~plivo_api.inbound.plain_text.plain_text`)
  and followed by the next prompt. An app that fails, answers nothing, or has not answered within
  :data:`~.budget.APP_BUDGET_SECONDS` gives the caller a short apology and a new prompt.

**A turn runs the app once however often Plivo sends it.** Plivo sends an action again when it
got no answer within its read timeout (:mod:`.budget`). Each turn therefore takes a lease
(:mod:`plivo_api.inbound.leases`) on ``(CallUUID, N)`` and records what the caller heard under
its number (:mod:`.record`). A delivery that finds the turn finished repeats that recorded
answer; one that finds it still running waits up to :data:`~.budget.RETRY_WAIT_SECONDS` for it,
then apologises and prompts again; in neither case does the app run a second time. When storage
fails before the app ran, the turn runs without a lease: a caller waiting on the line matters
more than exactly-once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ...errors import PlivoError
from ...messaging.numbers import normalize_number
from ...webhooks.kvstore import StorageError, StorageScope
from ..apps import AppFailedError, run_app
from ..leases import Acquired, Busy, Finished, Lease, LeaseBook
from ..plain_text import plain_text
from ..services import Services, log_id
from ..settings import EndpointSettings
from . import phrases
from .budget import (
    APP_BUDGET_SECONDS,
    POLL_SECONDS,
    RETRY_WAIT_SECONDS,
    BudgetExceededError,
    within,
)
from .documents import goodbye, listen, spoken, transfer
from .record import CallBook, CallRecord

logger = logging.getLogger(__name__)

TRANSFER_WORDS: Final = ("operator", "human", "agent", "person")
TRANSFER_DIGIT: Final = "0"
MAX_SILENCES: Final = 2
"""The first silence is re-prompted; the second in a row ends the call."""
_TRANSFER = re.compile(rf"\b(?:{'|'.join(TRANSFER_WORDS)})s?\b", re.IGNORECASE)

OUTCOME_ANSWERED: Final = "app answered"
OUTCOME_APP_FAILED: Final = "app failed; apology spoken"
OUTCOME_EMPTY: Final = "app answered nothing; apology spoken"
OUTCOME_TOO_SLOW: Final = "app did not answer in time; apology spoken"
OUTCOME_REPEATED: Final = "a retry of a finished turn; its answer repeated"
OUTCOME_STILL_RUNNING: Final = "a retry while the turn still runs; asked to say it again"
OUTCOME_WAITED: Final = "a retry; spoke the first delivery's answer"
OUTCOME_TRANSFERRED: Final = "caller asked for a person; transferred"
OUTCOME_NOBODY: Final = "caller asked for a person; no transfer number"
OUTCOME_REPROMPTED: Final = "silence; prompted again"
OUTCOME_GOODBYE: Final = "silence again; goodbye"
OUTCOME_NO_APP: Final = "no app that talks on calls; caller told and call ended"


@dataclass(frozen=True)
class VoiceTiming:
    """The turn's waits (the defaults are the product's; tests shorten them)."""

    app_budget: float = APP_BUDGET_SECONDS
    retry_wait: float = RETRY_WAIT_SECONDS
    poll: float = POLL_SECONDS


@dataclass(frozen=True)
class CallerInput:
    """What Plivo heard: ``Speech`` (the recognised words) or ``Digits`` (the key pressed)."""

    speech: str
    digits: str

    @classmethod
    def from_fields(cls, fields: Mapping[str, list[str]]) -> CallerInput:
        def first(*names: str) -> str:
            for name in names:
                values = fields.get(name)
                if values and values[0].strip():
                    return " ".join(values[0].split())
            return ""

        return cls(first("Speech", "speech"), first("Digits", "digits"))

    @property
    def silent(self) -> bool:
        return not self.speech and not self.digits

    @property
    def asks_for_person(self) -> bool:
        return self.digits == TRANSFER_DIGIT or bool(_TRANSFER.search(self.speech))

    @property
    def words(self) -> str:
        return self.speech or self.digits


@dataclass(frozen=True)
class Turn:
    """One turn's request: the call, where its XML lives (``base``), its number and silences."""

    call_uuid: str
    from_number: str
    to_number: str
    base: str
    number: int
    silence: int
    heard: CallerInput


def take_turn(
    turn: Turn, settings: EndpointSettings, services: Services, timing: VoiceTiming
) -> tuple[str, str]:
    """The XML the caller gets for ``turn``, and the outcome to log."""
    calls = CallBook(
        services.store, StorageScope.for_account(settings.auth_id), clock=services.clock
    )
    if turn.heard.silent:
        if max(turn.silence, 1) >= MAX_SILENCES:
            return goodbye(settings), OUTCOME_GOODBYE
        return (
            listen(turn.base, turn.number, phrases.REPROMPT, settings=settings, silence=1),
            OUTCOME_REPROMPTED,
        )
    if turn.heard.asks_for_person:
        return _person(turn, settings, calls)
    if not settings.voice_app_id:
        return goodbye(settings, phrases.NOT_AVAILABLE), OUTCOME_NO_APP
    return _question(turn, settings, services, timing, calls)


def _person(turn: Turn, settings: EndpointSettings, calls: CallBook) -> tuple[str, str]:
    number = _transfer_number(settings.transfer_to)
    said = phrases.CONNECTING if number else phrases.NOBODY_AVAILABLE
    _remember(calls, turn, said)
    if number:
        return transfer(number, settings), OUTCOME_TRANSFERRED
    return listen(turn.base, turn.number + 1, said, settings=settings), OUTCOME_NOBODY


def _transfer_number(configured: str) -> str:
    """``transfer_to`` in E.164, or ``""`` when none is set or it is not a phone number."""
    if not configured:
        return ""
    try:
        return normalize_number(configured)
    except (PlivoError, ValueError):
        logger.warning("the transfer number is not a phone number; nobody can be reached")
        return ""


def _question(
    turn: Turn,
    settings: EndpointSettings,
    services: Services,
    timing: VoiceTiming,
    calls: CallBook,
) -> tuple[str, str]:
    leases = LeaseBook(
        services.store, StorageScope.for_account(settings.auth_id), clock=services.clock
    )
    job = f"voice-turn:{turn.call_uuid.lower()}:{turn.number}"
    lease: Lease | None = None
    try:
        decision = leases.acquire(job)
    except StorageError:
        logger.warning(
            "phone call %s: plugin storage failed; the turn runs without a lease",
            log_id(turn.call_uuid),
        )
    else:
        if isinstance(decision, Finished):
            said = calls.read(turn.call_uuid).answer_of(turn.number) or phrases.APOLOGY
            return _next_prompt(turn, said, settings), OUTCOME_REPEATED
        if isinstance(decision, Busy):
            return _wait_for_first(turn, settings, timing, calls)
        if isinstance(decision, Acquired):
            lease = decision.lease
    said, outcome = _ask_app(turn, settings, services, timing, calls)
    if lease is not None:
        try:
            leases.finish(lease, outcome)
        except StorageError:
            logger.warning(
                "phone call %s: the turn's outcome could not be stored", log_id(turn.call_uuid)
            )
    return _next_prompt(turn, said, settings), outcome


def _ask_app(
    turn: Turn,
    settings: EndpointSettings,
    services: Services,
    timing: VoiceTiming,
    calls: CallBook,
) -> tuple[str, str]:
    """Run the app within the budget; what the caller hears (recorded) and the outcome."""
    record = calls.read(turn.call_uuid)
    inputs = {
        "call_uuid": turn.call_uuid,
        "from": turn.from_number or None,
        "to": turn.to_number or None,
    }

    def ask() -> tuple[str, str | None, bool]:
        answer, stale = run_app(
            services.apps,
            settings.voice_app_id,
            query=turn.heard.words,
            inputs=inputs,
            conversation_id=record.conversation_id,
        )
        return answer.text, answer.conversation_id, stale

    conversation: str | None = None
    stale = False
    try:
        text, conversation, stale = within(timing.app_budget, ask)
    except AppFailedError as failure:
        logger.warning("phone call %s: %s", log_id(turn.call_uuid), failure)
        said, outcome = phrases.APOLOGY, OUTCOME_APP_FAILED
    except BudgetExceededError:
        said, outcome = phrases.APOLOGY, OUTCOME_TOO_SLOW
    else:
        said = spoken(plain_text(text))
        outcome = OUTCOME_ANSWERED
        if not said:
            said, outcome = phrases.APOLOGY, OUTCOME_EMPTY
    if stale:
        record = record.without_conversation()
    _save(
        calls,
        record.with_turn(
            turn.number, caller=turn.heard.words, assistant=said, conversation_id=conversation
        ),
        turn,
    )
    return said, outcome


def _wait_for_first(
    turn: Turn, settings: EndpointSettings, timing: VoiceTiming, calls: CallBook
) -> tuple[str, str]:
    """Another delivery of this turn is running: speak its answer if it comes in time."""
    deadline = time.monotonic() + timing.retry_wait
    while True:
        said = calls.read(turn.call_uuid).answer_of(turn.number)
        if said is not None:
            return _next_prompt(turn, said, settings), OUTCOME_WAITED
        if time.monotonic() + timing.poll > deadline:
            break
        time.sleep(timing.poll)
    return _next_prompt(turn, phrases.STILL_WORKING, settings), OUTCOME_STILL_RUNNING


def _next_prompt(turn: Turn, said: str, settings: EndpointSettings) -> str:
    return listen(turn.base, turn.number + 1, said, settings=settings)


def _remember(calls: CallBook, turn: Turn, said: str) -> None:
    _save(
        calls,
        calls.read(turn.call_uuid).with_turn(turn.number, caller=turn.heard.words, assistant=said),
        turn,
    )


def _save(calls: CallBook, record: CallRecord, turn: Turn) -> None:
    try:
        calls.save(record)
    except StorageError:
        logger.warning("phone call %s: the transcript could not be stored", log_id(turn.call_uuid))


__all__ = [
    "MAX_SILENCES",
    "OUTCOME_ANSWERED",
    "OUTCOME_APP_FAILED",
    "OUTCOME_EMPTY",
    "OUTCOME_GOODBYE",
    "OUTCOME_NOBODY",
    "OUTCOME_NO_APP",
    "OUTCOME_REPEATED",
    "OUTCOME_REPROMPTED",
    "OUTCOME_STILL_RUNNING",
    "OUTCOME_TOO_SLOW",
    "OUTCOME_TRANSFERRED",
    "OUTCOME_WAITED",
    "TRANSFER_DIGIT",
    "TRANSFER_WORDS",
    "CallerInput",
    "Turn",
    "VoiceTiming",
    "take_turn",
]
