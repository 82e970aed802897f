"""An inbound SMS, MMS or WhatsApp message: signature, exactly-once lease, compliance keywords,
the app, the reply.

The order is fixed and each step has a reason:

1. the signature, before anything else: nothing is read, written, run or sent for a request
   Plivo did not sign;
2. the lease on the MessageUUID (:mod:`.leases`): a retry of a finished message is answered at
   once, a retry of one still being handled is asked to come back later;
3. STOP/START keywords (Plivo's ``MessageIntent`` or the keyword lists): recorded, nothing run,
   nothing sent; START and the other opt-in words only from a sender who opted out
   (:func:`opts_back_in`), from anyone else they are ordinary messages;
4. the account's own numbers: never answered (two bots would text each other forever);
5. HELP/INFO: the configured help text, and no app run;
6. a sender who opted out: nothing run, nothing sent;
7. the reply rate limit per sender: over it, nothing run, nothing sent;
8. the app, in blocking mode, with the conversation of (Plivo number, sender, app);
9. the reply, split to Plivo's limits, after it is claimed in the sender's record together with
   the conversation (:mod:`.senders`), so at most one is sent; a WhatsApp message is answered
   on WhatsApp (free text, from the number that received it), anything else by SMS;
10. a handling that recorded nothing there marks the lease done with its outcome; Plivo gets an
    empty ``<Response>`` with 200.

A storage failure before the app ran leaves the lease to expire and answers 503, so Plivo's
retry (60 s later, after the lease expired) handles the message again; after the app ran, the
handling finishes and answers 200, because the app must not run twice. Every handled request
logs one line with the MessageUUID and the outcome, never a number, a text or a token.

WhatsApp follows the same steps and rules (one opt-out list per number, whatever the channel);
its differences are in what the app gets: a quick-reply button press arrives as the button's
title, with ``button_payload`` as an input, and media URLs are appended to a chat app's query
(a chat app has no other way to see them; workflow apps read ``media_urls``).
"""

from __future__ import annotations

import logging
from typing import Final

from ..errors import PlivoError
from ..messaging.sender import UUID_PATTERN
from ..transport.credentials import Credentials
from ..webhooks.kvstore import StorageError, StorageScope
from ..webhooks.payloads import (
    INTENT_HELP,
    INTENT_OPTIN,
    INTENT_OPTOUT,
    MESSAGE_TYPE_SMS,
    MESSAGE_TYPE_WHATSAPP,
    InboundMessage,
)
from .apps import AppFailedError, run_app
from .guards import Flags, NumberFlags, can_receive
from .leases import Acquired, Busy, Lease, LeaseBook
from .optouts import SOURCE_KEYWORD, SOURCE_PLIVO, OptOutList
from .replies import plan_reply, send_reply
from .senders import Sender, SenderBook
from .services import Services, log_id
from .settings import EndpointSettings
from .webhook import (
    Verified,
    WebhookAnswer,
    WebhookRequest,
    accepted,
    check_signature,
    refuse_replay,
    retry_later,
)

logger = logging.getLogger(__name__)

EMPTY_QUERY: Final = "(no text)"
"""Chat apps refuse an empty query; an MMS with only a picture still reaches them."""
MEDIA_URL_SEPARATOR: Final = "\n"

OUTCOME_REPLIED: Final = "replied"
OUTCOME_REPLIED_SHORTENED: Final = "replied (answer shortened)"
OUTCOME_REPLY_OFF: Final = "app answered; replies are off"
OUTCOME_EMPTY_ANSWER: Final = "app answered nothing; no reply"
OUTCOME_APP_FAILED: Final = "app failed; no reply"
OUTCOME_CANNOT_RECEIVE: Final = "app answered; the sender cannot receive replies"
OUTCOME_OPTED_OUT: Final = "sender opted out (STOP); recorded"
OUTCOME_OPTED_IN: Final = "sender opted in (START); recorded"
OUTCOME_HELP_SENT: Final = "help text sent"
OUTCOME_HELP_WITHOUT_TEXT: Final = "help asked; no help text configured"
OUTCOME_HELP_UNREACHABLE: Final = "help asked; the sender cannot receive replies"
OUTCOME_HELP_REPLIES_OFF: Final = "help asked; replies are off"
OUTCOME_NOT_A_MESSAGE: Final = "a delivery report sent to the inbound URL; ignored"
OUTCOME_SENDER_OPTED_OUT: Final = "sender has opted out; ignored"
OUTCOME_OWN_NUMBER: Final = "sender is one of the account's numbers; ignored"
OUTCOME_RATE_LIMITED: Final = "reply rate limit reached for this sender; ignored"
OUTCOME_SUPERSEDED: Final = "a later handling took over; nothing sent"
OUTCOME_REPLY_FAILED: Final = "reply refused or failed"
OUTCOME_REPLY_UNKNOWN: Final = "reply outcome unknown; not repeated"
OUTCOME_NO_APP: Final = "no app configured"
OUTCOME_ALREADY_HANDLED: Final = "already handled (the app ran); not repeated"
_SEND_HELP: Final = "(send the help text)"


def handle_inbound(
    request: WebhookRequest, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    verified = check_signature(request, settings, "inbound message")
    if not isinstance(verified, Verified):
        return verified
    fields = request.fields()
    message = InboundMessage.from_params(fields)
    uuid = log_id(message.message_uuid)
    if "Status" in fields and "Text" not in fields and "Body" not in fields:
        # A send's callback_url pointing here by mistake: its From is one of the account's own
        # numbers and its To a customer, who must not be taken for one of ours.
        logger.warning(
            "inbound message %s: %s (use the /sms/status URL)", uuid, OUTCOME_NOT_A_MESSAGE
        )
        return accepted()
    if not UUID_PATTERN.fullmatch(message.message_uuid) or not message.from_number:
        logger.warning("inbound message %s: not a complete Plivo message; ignored", uuid)
        return accepted()
    if not settings.auth_id:
        logger.warning("inbound message %s: the endpoint has no Auth ID; try again later", uuid)
        return retry_later()
    subject = f"inbound:{message.message_uuid.lower()}"
    replayed = refuse_replay(verified, subject, settings, "inbound message", services.store)
    if replayed is not None:
        return replayed
    handling = _Handling(message, settings, services)
    try:
        decision = handling.leases.acquire(f"inbound:{message.message_uuid.lower()}")
    except StorageError:
        if message.intent == INTENT_OPTOUT and handling.record_opt_out():
            # Recording an opt-out twice changes nothing: it needs no lease, and a store too
            # full for a new lease must still take it.
            logger.info("inbound message %s: %s (without a lease)", uuid, OUTCOME_OPTED_OUT)
            return accepted()
        logger.warning("inbound message %s: plugin storage failed; Plivo will retry", uuid)
        return retry_later()
    if isinstance(decision, Busy):
        if handling.answered_already():
            logger.info("inbound message %s: duplicate (%s)", uuid, OUTCOME_ALREADY_HANDLED)
            return accepted()
        logger.info("inbound message %s: already being handled; Plivo will retry", uuid)
        return retry_later()
    if not isinstance(decision, Acquired):
        logger.info("inbound message %s: duplicate (%s)", uuid, decision.outcome)
        return accepted()
    try:
        outcome = handling.run(decision.lease)
    except _NotStartedError:
        logger.warning("inbound message %s: plugin storage failed; Plivo will retry", uuid)
        return retry_later()
    try:
        if not handling.recorded:  # else the sender's record says the message was answered
            handling.leases.finish(decision.lease, outcome)
    except StorageError:
        logger.warning("inbound message %s: the outcome could not be stored", uuid)
    logger.info(
        "inbound message %s: %s%s",
        uuid,
        outcome,
        " (an earlier handling died)" if decision.took_over else "",
    )
    return accepted()


def app_inputs(message: InboundMessage) -> dict[str, object]:
    """What every app gets as inputs; values that do not apply are None."""
    return {
        "from": message.from_number,
        "to": message.to_number,
        "text": message.text,
        "message_uuid": message.message_uuid,
        "media_urls": MEDIA_URL_SEPARATOR.join(message.media_urls) or None,
        "type": message.message_type,
        "content_type": message.content_type or None,
        "button_payload": message.button_payload or None,
    }


def app_query(message: InboundMessage) -> str:
    """A chat app's query: the text, and for WhatsApp the media URLs after it, one per line."""
    lines = [message.text.strip()] if message.text.strip() else []
    if message.is_whatsapp:
        lines.extend(message.media_urls)
    return MEDIA_URL_SEPARATOR.join(lines) or EMPTY_QUERY


def opts_back_in(message: InboundMessage, optouts: OptOutList) -> bool:
    """Whether ``message`` ends its sender's opt-out: an opt-in keyword (START, UNSTOP, YES, GO,
    RESUME...) from a sender who opted out.

    From anyone else those words are ordinary messages that the app answers: a bot that asks
    "reply YES to confirm" must get the YES. Only an opt-in keyword costs the storage read.
    """
    return message.intent == INTENT_OPTIN and optouts.contains(message.from_number)


class _NotStartedError(Exception):
    """Storage failed before anything irreversible happened: the message can be handled again."""


class _Handling:
    """One message's handling. Storage calls of an ordinary message: three for the lease, one
    for the sender's number record, one to read and one to write the sender's record (which
    also claims the reply: see :mod:`.senders`)."""

    def __init__(
        self, message: InboundMessage, settings: EndpointSettings, services: Services
    ) -> None:
        self.message = message
        self.settings = settings
        self.services = services
        scope = StorageScope.for_account(settings.auth_id)
        store, clock = services.store, services.clock
        self.leases = LeaseBook(store, scope, clock=clock)
        self.optouts = OptOutList(store, scope, clock=clock)
        self.numbers = NumberFlags(store, scope, clock=clock)
        self.senders = SenderBook(store, scope, clock=clock)
        self.job = self.senders.job(
            self.leases.job_digest(f"inbound:{message.message_uuid.lower()}")
        )
        self.thread = self.senders.thread(message.to_number, settings.app_id)
        self.sender: Sender | None = None
        self.recorded = False

    def record_opt_out(self) -> bool:
        """Store the sender's opt-out; when the store refuses it (full), make room by dropping
        the sender's own record (conversations, reply times) and store it again."""
        message = self.message
        source = SOURCE_PLIVO if message.intent_source == "plivo" else SOURCE_KEYWORD
        for attempt in range(2):
            try:
                self.optouts.add(message.from_number, source=source)
            except StorageError:
                if attempt:
                    return False
                try:
                    self.senders.forget(message.from_number)
                except StorageError:
                    return False
            else:
                return True
        return False

    def answered_already(self) -> bool:
        """Whether the sender's record says this message was handled (its lease does not say
        so when the handling ended with the write that claimed the reply)."""
        return self.job in self.senders.read(self.message.from_number).state.jobs

    def run(self, lease: Lease) -> str:
        try:
            early = self._before_app()
        except StorageError as error:
            raise _NotStartedError from error
        if early is None:
            return self._answer(lease)
        return self._help(lease) if early == _SEND_HELP else early

    def _before_app(self) -> str | None:
        """Steps 3-7: an outcome that ends the handling, :data:`_SEND_HELP`, or None to run the
        app."""
        message = self.message
        sender = message.from_number
        if message.intent == INTENT_OPTOUT:
            if not self.record_opt_out():
                raise StorageError("the opt-out could not be stored")
            return OUTCOME_OPTED_OUT
        if opts_back_in(message, self.optouts):
            self.optouts.remove(sender)
            return OUTCOME_OPTED_IN
        self.numbers.mark_own(message.to_number)
        flags = self.numbers.read(sender) if sender != message.to_number else Flags(own=True)
        if flags.own:
            return OUTCOME_OWN_NUMBER
        if message.intent == INTENT_HELP:
            return _SEND_HELP
        if flags.opted_out:
            return OUTCOME_SENDER_OPTED_OUT
        if not self.settings.app_id:
            return OUTCOME_NO_APP
        return self._sender_checks()

    def _sender_checks(self) -> str | None:
        """The sender's record: a message it already answered, or the reply rate limit."""
        self.sender = self.senders.read(self.message.from_number)
        if self.job in self.sender.state.jobs:
            self.recorded = True  # a retry of a message whose handling died after the app ran
            return OUTCOME_ALREADY_HANDLED
        if (
            self.settings.reply
            and can_receive(self.message.from_number)
            and not self.senders.allows_reply(self.sender)
        ):
            return OUTCOME_RATE_LIMITED
        return None

    def _help(self, lease: Lease) -> str:
        help_text = self.settings.help_text
        if not help_text:
            return OUTCOME_HELP_WITHOUT_TEXT
        if not self.settings.reply:  # "Send the answer back" off: nothing at all is sent
            return OUTCOME_HELP_REPLIES_OFF
        if not can_receive(self.message.from_number):
            return OUTCOME_HELP_UNREACHABLE
        try:
            stop = self._sender_checks()
        except StorageError as error:
            raise _NotStartedError from error
        if stop is not None:
            return stop
        sent = self._send(lease, help_text, conversation_id=None, stale=False)
        return OUTCOME_HELP_SENT if sent in (OUTCOME_REPLIED, OUTCOME_REPLIED_SHORTENED) else sent

    def _answer(self, lease: Lease) -> str:
        message, settings = self.message, self.settings
        sender = self.sender or self.senders.read(message.from_number)
        conversation = self.senders.conversation(sender, self.thread)
        try:
            answer, stale = run_app(
                self.services.apps,
                settings.app_id,
                query=app_query(message),
                inputs=app_inputs(message),
                conversation_id=conversation,
            )
        except AppFailedError as failure:
            logger.warning("inbound message %s: %s", log_id(message.message_uuid), failure)
            return OUTCOME_APP_FAILED
        if not settings.reply:
            self._keep(answer.conversation_id, stale=stale, reply=False)
            return OUTCOME_REPLY_OFF
        if not can_receive(message.from_number):
            self._keep(answer.conversation_id, stale=stale, reply=False)
            return OUTCOME_CANNOT_RECEIVE
        return self._send(lease, answer.text, conversation_id=answer.conversation_id, stale=stale)

    def _keep(self, conversation_id: str | None, *, stale: bool, reply: bool) -> bool:
        """Write the sender's record: the conversation to continue, this message as handled and
        (with ``reply``) a reply about to be sent. True when it was stored."""
        if self.sender is None:
            self.sender = self.senders.read(self.message.from_number)
        self.senders.record(
            self.sender,
            thread=self.thread,
            conversation_id=conversation_id,
            forget=stale,
            job=self.job,
            reply=reply,
        )
        try:
            self.senders.save(self.sender)
        except StorageError:
            logger.warning(
                "inbound message %s: the sender's record could not be stored",
                log_id(self.message.message_uuid),
            )
            return False
        self.recorded = True
        return True

    def _send(self, lease: Lease, text: str, *, conversation_id: str | None, stale: bool) -> str:
        channel = MESSAGE_TYPE_WHATSAPP if self.message.is_whatsapp else MESSAGE_TYPE_SMS
        plan = plan_reply(text, message_type=channel)
        if plan.empty:
            self._keep(conversation_id, stale=stale, reply=False)
            return OUTCOME_EMPTY_ANSWER
        # The claim: nobody can have taken the lease over yet, and the sender's record says a
        # reply is on its way before it leaves (a retry after a death never sends a second).
        if not self.leases.held(lease) or not self._keep(conversation_id, stale=stale, reply=True):
            return OUTCOME_SUPERSEDED
        message = self.message
        try:
            messenger = self.services.messenger(
                Credentials.from_mapping(
                    {"auth_id": self.settings.auth_id, "auth_token": self.settings.auth_token}
                )
            )
        except PlivoError:
            return OUTCOME_REPLY_FAILED
        result = send_reply(messenger, src=message.to_number, dst=message.from_number, plan=plan)
        if result.error is None:
            return OUTCOME_REPLIED_SHORTENED if plan.dropped_characters else OUTCOME_REPLIED
        error_kind = type(result.error).__name__
        logger.warning(
            "inbound message %s: reply %d of %d not sent (%s)",
            log_id(message.message_uuid),
            result.sent + 1,
            len(plan.messages),
            error_kind,
        )
        return OUTCOME_REPLY_UNKNOWN if result.outcome_unknown else OUTCOME_REPLY_FAILED


__all__ = [
    "EMPTY_QUERY",
    "OUTCOME_ALREADY_HANDLED",
    "OUTCOME_APP_FAILED",
    "OUTCOME_CANNOT_RECEIVE",
    "OUTCOME_EMPTY_ANSWER",
    "OUTCOME_HELP_SENT",
    "OUTCOME_HELP_UNREACHABLE",
    "OUTCOME_HELP_WITHOUT_TEXT",
    "OUTCOME_NO_APP",
    "OUTCOME_OPTED_IN",
    "OUTCOME_OPTED_OUT",
    "OUTCOME_OWN_NUMBER",
    "OUTCOME_RATE_LIMITED",
    "OUTCOME_REPLIED",
    "OUTCOME_REPLIED_SHORTENED",
    "OUTCOME_REPLY_FAILED",
    "OUTCOME_REPLY_OFF",
    "OUTCOME_REPLY_UNKNOWN",
    "OUTCOME_SENDER_OPTED_OUT",
    "OUTCOME_SUPERSEDED",
    "app_inputs",
    "app_query",
    "handle_inbound",
    "opts_back_in",
]
