"""What the sandbox sends to callback URLs, and when: inbound messages, delivery reports and
call events, with Plivo's parameter names.

- Inbound SMS/MMS go to the ``message_url`` of the application linked to the number that received
  them (https://www.plivo.com/docs/messaging/api/message/handling-incoming): ``From, To, Type,
  MessageUUID, Units, TotalRate, TotalAmount, MessageIntent, PowerpackUUID`` and ``Text`` (SMS) or
  ``Body, MediaCount, Media1..MediaN`` (MMS). Plivo's current page numbers media from 1; an older
  support article numbers them from 0 (``media_first_index`` picks either).
- Delivery reports go to the ``url`` given on send, once per status change (queued, sent, then
  delivered/undelivered/failed), ``Sequence`` giving their order; ``ErrorCode`` is set only for
  failed and undelivered messages
  (https://www.plivo.com/docs/messaging/api/message/message-status-callbacks).
- Calls notify ``ring_url`` (``Event=Ring``), ``answer_url`` (``Event=StartApp``) and
  ``hangup_url`` (``Event=Hangup`` with the hangup cause, durations and cost)
  (https://www.plivo.com/docs/voice/xml/request).

Timeline-driven callbacks (delivery reports, call events) are opt-in per sandbox (``enabled``):
most tests send to URLs nobody listens on. Calls started with ``start_inbound_call`` always send
theirs, and so do calls with a call script: once answered, those run their call flow (answer URL,
XML, action URLs, hangup URL; see ``callflow``) instead of a single answer callback.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.callflow import (
    CallFlowEngine,
    CallFlows,
    CallScript,
    VoicePolicy,
    VoiceRequester,
)
from devtools.sandbox.catalog import strip_number
from devtools.sandbox.messages import StoredMessage, Timeline, plivo_time
from devtools.sandbox.state import SandboxState
from devtools.sandbox.voice import CallOutcome, StoredCall
from devtools.sandbox.webhooks import WebhookRecord, WebhookSender

OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
CHARGED_STATES = ("sent", "delivered", "undelivered")
ERROR_STATES = ("failed", "undelivered", "rejected")
FORCE_CALLBACKS = "send_callbacks"
CALL_EVENT_KINDS = {"Ring": "ring", "StartApp": "answer", "Hangup": "hangup"}


def message_intent(text: str) -> str:
    """``optout``/``optin``/``help`` when the whole text is a standard keyword, else ""."""
    word = text.strip().upper()
    if word in OPT_OUT_KEYWORDS:
        return "optout"
    if word in OPT_IN_KEYWORDS:
        return "optin"
    if word in HELP_KEYWORDS:
        return "help"
    return ""


def inbound_sms_params(
    message: StoredMessage,
    *,
    media_urls: Sequence[str] = (),
    intent: str | None = None,
    powerpack_uuid: str = "",
    media_first_index: int = 1,
) -> dict[str, str]:
    amount = Decimal(message.rate) * message.units
    params = {
        "From": message.from_number,
        "To": message.to_number,
        "Type": message.message_type,
        "MessageUUID": message.message_uuid,
        "Units": str(message.units),
        "TotalRate": f"{Decimal(message.rate):.5f}",
        "TotalAmount": f"{amount:.5f}",
        "MessageIntent": message_intent(message.text) if intent is None else intent,
        "PowerpackUUID": powerpack_uuid,
    }
    if message.message_type == "sms":
        params["Text"] = message.text
    else:
        params["Body"] = message.text
        params["MediaCount"] = str(len(media_urls))
        for index, media_url in enumerate(media_urls, start=media_first_index):
            params[f"Media{index}"] = media_url
    return params


def delivery_report_params(
    message: StoredMessage, status: str, sequence: int, timeline: Timeline, at: float
) -> dict[str, str]:
    """One status callback of an outbound message, as Plivo posts it to the send's ``url``."""
    charged = status in CHARGED_STATES
    amount = Decimal(message.rate) * message.units if charged else Decimal(0)
    sent = message.created + timeline.sent_after
    return {
        "MessageUUID": message.message_uuid,
        "ParentMessageUUID": message.message_uuid,
        "PartInfo": "",
        "Sequence": str(sequence),
        "To": message.to_number,
        "From": message.from_number,
        "Type": message.message_type,
        "Status": status,
        "Units": str(message.units),
        "TotalRate": f"{Decimal(message.rate):.5f}",
        "TotalAmount": f"{amount:.5f}",
        "MCC": message.mcc,
        "MNC": message.mnc,
        "ErrorCode": message.outcome.error_code if status in ERROR_STATES else "",
        "MessageTime": plivo_time(message.created),
        "QueuedTime": plivo_time(message.created),
        "SentTime": plivo_time(sent) if charged else "",
        "DeliveryReportTime": plivo_time(at) if status in ("delivered", "undelivered") else "",
        "requester_ip": message.requester_ip,
        "PowerpackUUID": str(message.options.get("powerpack_uuid", "")),
    }


def report_plan(message: StoredMessage, timeline: Timeline) -> list[tuple[str, float]]:
    """(status, seconds after creation) of every status change the message will go through."""
    final = message.outcome.final_state
    plan = [("queued", 0.0)]
    if final in ("failed", "rejected"):
        plan.append((final, timeline.final_after))
        return plan
    plan.append(("sent", timeline.sent_after))
    if final != "sent":
        plan.append((final, timeline.final_after))
    return plan


def call_params(call: StoredCall, event: str, state: SandboxState, at: float) -> dict[str, str]:
    """The parameters of a ring (``Ring``), answer (``StartApp``) or hangup (``Hangup``) call."""
    timeline = state.call_timeline
    params = {
        "CallUUID": call.call_uuid,
        "From": call.from_number,
        "To": call.to_number,
        "Direction": call.direction,
        "CallerName": call.caller_name,
        "Event": event,
    }
    if call.direction == "outbound":
        params |= {
            "ALegUUID": call.call_uuid,
            "ALegRequestUUID": call.request_uuid,
            "RequestUUID": call.request_uuid,
        }
    if event == "Ring":
        return params | {"CallStatus": "ringing"}
    if event == "StartApp":
        answered = "in-progress" if call.direction == "outbound" else "ringing"
        return params | {"CallStatus": answered}
    ending = call.ending(timeline)
    moment = max(at, ending[0]) if ending else at
    current = call.state_at(moment, timeline)
    end = current.end
    if end is None or current.end_time is None:
        raise ValueError("a hangup callback needs a call that has ended")
    seconds, billed, amount = call.durations(current)
    answer = "" if current.answer_time is None else plivo_time(current.answer_time)
    return params | {
        "CallStatus": end.status,
        "HangupCause": end.telephony_cause,
        "HangupCauseName": end.cause_name,
        "HangupCauseCode": str(end.cause_code),
        "HangupSource": end.source,
        "Duration": str(seconds),
        "BillDuration": str(billed),
        "BillRate": f"{Decimal(call.rate):.5f}",
        "TotalCost": f"{amount:.5f}",
        "StartTime": plivo_time(current.ring_time),
        "AnswerTime": answer,
        "EndTime": plivo_time(current.end_time),
    }


class Notifier:
    """Turns messages, calls and explicit requests into signed callbacks."""

    def __init__(
        self,
        state: SandboxState,
        sender: WebhookSender,
        enabled: bool,
        voice_policy: VoicePolicy | None = None,
    ) -> None:
        self.state = state
        self.sender = sender
        self.enabled = enabled
        self.callflows = CallFlows()
        self.requester = VoiceRequester(voice_policy or VoicePolicy())
        self.engine = CallFlowEngine(
            state,
            self.callflows,
            self.requester,
            lambda call, event, at: call_params(call, event, state, at),
        )

    def _account(self, auth_id: str | None) -> SandboxAccount:
        account = self.state.account(auth_id) if auth_id else self.state.default_account()
        if account is None:
            raise ValueError(f"no sandbox account {auth_id!r}")
        return account

    def send(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        method: str = "POST",
        account: str | None = None,
        kind: str = "custom",
    ) -> WebhookRecord:
        """Any signed callback: ``params`` as given, signed with the account's Auth Token."""
        owner = self._account(account)
        return self.sender.send(
            kind=kind,
            method=method,
            url=url,
            params=params,
            account=owner.auth_id,
            auth_token=owner.auth_token,
        )

    # Messages -------------------------------------------------------------------------------

    def messages_queued(self, message_uuids: Sequence[str]) -> None:
        """Plan the delivery reports of freshly sent messages that asked for them (``url``)."""
        if not self.enabled:
            return
        stored = self.state.messages()
        timeline = self.state.timeline
        for message_uuid in message_uuids:
            message = stored[message_uuid]
            url = message.options.get("url")
            if not isinstance(url, str):
                continue
            method = str(message.options.get("method", "POST"))
            for sequence, (status, after) in enumerate(report_plan(message, timeline), start=1):
                self._report_later(message, url, method, status, sequence, after)

    def _report_later(
        self,
        message: StoredMessage,
        url: str,
        method: str,
        status: str,
        sequence: int,
        after: float,
    ) -> None:
        delay = message.created + after - time.time()
        timeline = self.state.timeline

        def report() -> None:
            params = delivery_report_params(message, status, sequence, timeline, time.time())
            self.send(url, params, method=method, account=message.account, kind="delivery_report")

        self.sender.scheduler.call_later(delay, report)

    def send_delivery_report(
        self, url: str, message_uuid: str, *, status: str | None = None, method: str = "POST"
    ) -> WebhookRecord:
        message = self.state.messages().get(message_uuid)
        if message is None:
            raise ValueError(f"no message {message_uuid!r}")
        now = time.time()
        current = status or message.current_state(now, self.state.timeline)
        plan = [name for name, _ in report_plan(message, self.state.timeline)]
        sequence = plan.index(current) + 1 if current in plan else len(plan) + 1
        params = delivery_report_params(message, current, sequence, self.state.timeline, now)
        return self.send(
            url, params, method=method, account=message.account, kind="delivery_report"
        )

    def send_inbound_sms(
        self,
        url: str | None,
        *,
        from_number: str,
        to_number: str,
        text: str = "",
        message_type: str = "sms",
        media_urls: Sequence[str] = (),
        method: str | None = None,
        account: str | None = None,
        message_uuid: str | None = None,
        intent: str | None = None,
        media_first_index: int = 1,
    ) -> WebhookRecord:
        """An inbound message, stored (List Messages shows it) and posted to ``url``.

        Without ``url`` it goes where Plivo sends it: the ``message_url`` (and method) of the
        application linked to ``to_number``; a ValueError says why when there is none.
        """
        to_digits = strip_number(to_number)
        rented = self.state.directory.owner_of(to_digits)
        owner = account or (rented.account if rented else None)
        target, target_method = url, method or "POST"
        if target is None:
            app = None
            if rented is not None and rented.app_id is not None:
                app = self.state.directory.app(rented.account, rented.app_id)
            if app is None or not app.message_url:
                raise ValueError(
                    f"{to_digits} is not a rented number linked to an application with a "
                    "message_url; give url= or link the number first"
                )
            target, target_method = app.message_url, method or app.message_method
        if message_type not in ("sms", "mms"):
            raise ValueError("message_type must be 'sms' or 'mms'")
        stored = self.state.seed_message(
            account=owner,
            direction="inbound",
            from_number=from_number,
            to_number=to_digits,
            text=text,
            message_type=message_type,
            message_uuid=message_uuid,
        )
        params = inbound_sms_params(
            stored, media_urls=media_urls, intent=intent, media_first_index=media_first_index
        )
        return self.send(
            target, params, method=target_method, account=stored.account, kind="inbound_sms"
        )

    # Calls ----------------------------------------------------------------------------------

    def _wants(self, call: StoredCall) -> bool:
        return (
            self.enabled
            or call.options.get(FORCE_CALLBACKS) is True
            or self.callflows.script_for(call) is not None
        )

    def _call_event(self, call_uuid: str, account: str, event: str) -> None:
        call = self.state.call(account, call_uuid)
        if call is None:
            return
        now = time.time()
        timeline = self.state.call_timeline
        current = call.state_at(now, timeline)
        if event == "Hangup":
            if call.hangup is not None:
                return  # an API hangup has already sent it
            url, method = call.hangup_url, call.hangup_method
        elif event == "StartApp":
            if current.answer_time is None and call.direction == "outbound":
                return  # hung up before the answer
            url, method = call.answer_url, call.answer_method
        else:
            if current.state not in ("ringing", "in-progress"):
                return
            url, method = call.ring_url, call.ring_method
        params = call_params(call, event, self.state, now)
        self.send(url, params, method=method, account=account, kind=CALL_EVENT_KINDS[event])

    def call_started(self, call: StoredCall) -> None:
        """Plan the ring, answer and hangup callbacks of a new call along the call timeline."""
        script = self.callflows.script_for(call)
        if script is not None:
            self._start_flow(call, script)
            return
        if not self._wants(call):
            return
        timeline = self.state.call_timeline
        now = time.time()
        events: list[tuple[str, float]] = []
        if call.ring_url and call.direction == "outbound":
            events.append(("Ring", call.ring_time(timeline)))
        if call.answer_url:
            answer_at = call.answer_time(timeline)
            if call.direction == "inbound":
                answer_at = call.ring_time(timeline)  # Plivo fetches the answer URL at once
            if call.outcome.answered or call.direction == "inbound":
                events.append(("StartApp", answer_at))
        ending = call.ending(timeline)
        if call.hangup_url and ending is not None:
            events.append(("Hangup", ending[0]))
        for event, at in events:
            job = functools.partial(self._call_event, call.call_uuid, call.account, event)
            self.sender.scheduler.call_later(at - now, job)

    def _start_flow(self, call: StoredCall, script: CallScript) -> None:
        """A scripted call: it rings, and once answered its flow runs until the XML ends it
        (the call stays up meanwhile); an unanswered one only reports its hangup."""
        timeline = self.state.call_timeline
        now = time.time()
        self.callflows.begin(call, script)
        if call.ring_url and call.direction == "outbound":
            ring = functools.partial(self._call_event, call.call_uuid, call.account, "Ring")
            self.sender.scheduler.call_later(call.ring_time(timeline) - now, ring)
        if call.outcome.answered:
            kept_up = CallOutcome(answered=True, hangs_up=False, end=call.outcome.end)
            call = dataclasses.replace(call, outcome=kept_up)
            self.state.save_call(call)
            answer_at = call.ring_time(timeline)
            if call.direction == "outbound":
                answer_at = call.answer_time(timeline)
            run = functools.partial(self.engine.run, call.call_uuid)
            self.sender.scheduler.call_later(answer_at - now, run)
            return
        ending = call.ending(timeline)
        at = ending[0] if ending else now
        ring_out = functools.partial(self.engine.ring_out, call.call_uuid)
        self.sender.scheduler.call_later(at - now, ring_out)

    def call_hung_up(self, call: StoredCall) -> None:
        """An API hangup: the hangup URL hears about it at once."""
        if self._wants(call) and call.hangup_url:
            params = call_params(call, "Hangup", self.state, time.time())
            self.send(
                call.hangup_url,
                params,
                method=call.hangup_method,
                account=call.account,
                kind=CALL_EVENT_KINDS["Hangup"],
            )

    def send_call_event(
        self, url: str, call_uuid: str, event: str, *, method: str = "POST"
    ) -> WebhookRecord:
        """A ring/answer/hangup callback of a stored call, sent now to ``url``."""
        if event not in CALL_EVENT_KINDS:
            raise ValueError(f"event must be one of {sorted(CALL_EVENT_KINDS)}")
        call = self.state.calls().get(call_uuid)
        if call is None:
            raise ValueError(f"no call {call_uuid!r}")
        params = call_params(call, event, self.state, time.time())
        kind = CALL_EVENT_KINDS[event]
        return self.send(url, params, method=method, account=call.account, kind=kind)

    def start_inbound_call(
        self,
        *,
        from_number: str,
        to_number: str,
        account: str | None = None,
        answer_url: str | None = None,
        hangup_url: str | None = None,
        caller_name: str = "",
        script: CallScript | None = None,
    ) -> StoredCall:
        """Someone calls a number: the call rings, its answer URL is fetched, later it ends.

        The answer and hangup URLs default to those of the application linked to ``to_number``.
        With a ``script`` the caller follows the XML the answer URL serves (``callflow``) and the
        call lasts until that XML ends it.
        """
        to_digits = strip_number(to_number)
        rented = self.state.directory.owner_of(to_digits)
        app = None
        if rented is not None and rented.app_id is not None:
            app = self.state.directory.app(rented.account, rented.app_id)
        owner = self._account(account or (rented.account if rented else None))
        answer = answer_url if answer_url is not None else (app.answer_url if app else "")
        hangup = hangup_url if hangup_url is not None else (app.hangup_url if app else "")
        call = self.state.create_call(
            owner,
            direction="inbound",
            from_number=strip_number(from_number),
            to_number=to_digits,
            request_uuid=str(uuid.uuid4()),
            caller_name=caller_name,
            answer_url=answer,
            answer_method=app.answer_method if app and answer_url is None else "POST",
            hangup_url=hangup,
            hangup_method=app.hangup_method if app and hangup_url is None else "POST",
            options={FORCE_CALLBACKS: True},
        )
        if script is not None:
            self.callflows.script_call(call.call_uuid, script)
        self.call_started(call)
        return call
