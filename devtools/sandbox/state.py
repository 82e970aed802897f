"""Everything the fake Plivo remembers: accounts, messages, calls, conferences, prices, the List
rate limit, (in ``directory``) numbers, applications, endpoints and PHLOs, and (in
``recordings``) call recordings.

One lock guards it all; the sandbox is small and requests are short, so contention is moot.
"""

from __future__ import annotations

import dataclasses
import hmac
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.catalog import (
    BUILTIN_PRICING,
    DEFAULT_RATE,
    CountryPricing,
    carrier_for,
    country_code_of,
    region_of,
    strip_number,
)
from devtools.sandbox.directory import Directory
from devtools.sandbox.messages import (
    NO_ERROR,
    Outcome,
    StoredMessage,
    Timeline,
    count_units,
    outcome_for,
)
from devtools.sandbox.recordings import RecordingStore
from devtools.sandbox.validation import SendRequest
from devtools.sandbox.voice import (
    BARRED,
    ApiHangup,
    CallEnd,
    CallTimeline,
    Conference,
    ConferenceMember,
    StoredCall,
    call_outcome_for,
)

# Sender shown for messages sent through a Powerpack (Plivo picks a number from the pool).
POWERPACK_SENDER = "14155550199"
LIST_RATE_WINDOW = 60.0


class SandboxState:
    def __init__(
        self,
        accounts: Iterable[SandboxAccount],
        timeline: Timeline,
        geo_blocked: Iterable[str],
        list_rate_limit: int | None,
        call_timeline: CallTimeline | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._accounts = {account.auth_id: dataclasses.replace(account) for account in accounts}
        self._messages: dict[str, StoredMessage] = {}
        self._calls: dict[str, StoredCall] = {}
        self._conferences: dict[tuple[str, str], Conference] = {}
        self.directory = Directory(self._accounts.values())
        self.recordings = RecordingStore()
        self.call_timeline = call_timeline or CallTimeline()
        self._pricing = dict(BUILTIN_PRICING)
        self._list_calls: dict[str, deque[float]] = {}
        self.timeline = timeline
        self.geo_blocked = frozenset(geo_blocked)
        self.list_rate_limit = list_rate_limit

    # Accounts -------------------------------------------------------------------------------

    def add_account(self, account: SandboxAccount) -> None:
        with self._lock:
            self._accounts[account.auth_id] = account

    def account(self, auth_id: str) -> SandboxAccount | None:
        with self._lock:
            return self._accounts.get(auth_id)

    def default_account(self) -> SandboxAccount:
        with self._lock:
            return next(iter(self._accounts.values()))

    def authenticate(self, auth_id: str | None, token: str | None) -> SandboxAccount | None:
        account = self.account(auth_id or "")
        if account is None or token is None:
            return None
        if not hmac.compare_digest(account.auth_token.encode(), token.encode()):
            return None
        return account

    # Pricing --------------------------------------------------------------------------------

    def pricing(self, iso: str) -> CountryPricing | None:
        with self._lock:
            return self._pricing.get(iso)

    def set_pricing(self, pricing: CountryPricing) -> None:
        with self._lock:
            self._pricing[pricing.country_iso] = pricing

    def _rate(self, iso: str, direction: str) -> str:
        pricing = self.pricing(iso)
        if pricing is None:
            return DEFAULT_RATE
        return pricing.outbound if direction == "outbound" else pricing.inbound

    # Messages -------------------------------------------------------------------------------

    def create_outbound(
        self, account: SandboxAccount, request: SendRequest, requester_ip: str
    ) -> list[str]:
        """Store one message per valid destination; returns their UUIDs in ``dst`` order."""
        created = time.time()
        sender = request.src or POWERPACK_SENDER
        sender_region = region_of(sender) if sender.isdigit() else ""
        uuids = []
        for number in request.destinations:
            region = region_of(number)
            carrier = carrier_for(number)
            message = StoredMessage(
                message_uuid=str(uuid.uuid4()),
                account=account.auth_id,
                direction="outbound",
                from_number=sender,
                to_number=number,
                text=request.text,
                message_type=request.message_type,
                units=count_units(request.text, request.message_type),
                created=created,
                rate=self._rate(region, "outbound"),
                country_iso2=region,
                outcome=outcome_for(number),
                mcc=carrier.mcc,
                mnc=carrier.mnc,
                network=carrier.name,
                requester_ip=requester_ip,
                options={**request.options, "is_domestic": sender_region == region},
            )
            self.store(message)
            uuids.append(message.message_uuid)
        return uuids

    def seed_message(
        self,
        *,
        account: str | None = None,
        direction: str = "inbound",
        from_number: str,
        to_number: str,
        text: str = "",
        message_type: str = "sms",
        state: str | None = None,
        error_code: str | None = None,
        created: float | None = None,
        message_uuid: str | None = None,
    ) -> StoredMessage:
        """Add a message as if Plivo had it already: inbound ones are ``received``.

        Outbound messages without ``state`` follow the timeline and magic numbers; with one
        they stay in it.
        """
        if direction not in ("inbound", "outbound"):
            raise ValueError("direction must be 'inbound' or 'outbound'")
        owner = account or self.default_account().auth_id
        src, dst = strip_number(from_number), strip_number(to_number)
        region = region_of(dst)
        fixed = state or ("received" if direction == "inbound" else None)
        outcome = outcome_for(dst) if fixed is None else Outcome(fixed, error_code or NO_ERROR)
        message = StoredMessage(
            message_uuid=message_uuid or str(uuid.uuid4()),
            account=owner,
            direction=direction,
            from_number=src,
            to_number=dst,
            text=text,
            message_type=message_type,
            units=count_units(text, message_type),
            created=time.time() if created is None else created,
            rate=self._rate(region, direction),
            country_iso2=region,
            outcome=outcome,
            fixed_state=fixed,
        )
        self.store(message)
        return message

    def store(self, message: StoredMessage) -> None:
        with self._lock:
            self._messages[message.message_uuid] = message

    def message(self, account: str, message_uuid: str) -> StoredMessage | None:
        with self._lock:
            message = self._messages.get(message_uuid)
        return message if message is not None and message.account == account else None

    def messages(self) -> dict[str, StoredMessage]:
        with self._lock:
            return dict(self._messages)

    def newest_first(self, account: str) -> list[StoredMessage]:
        """The account's messages, newest first; ties keep the reverse order of creation."""
        with self._lock:
            own = [m for m in reversed(self._messages.values()) if m.account == account]
        return sorted(own, key=lambda m: m.created, reverse=True)

    def allow_list_call(self, account: str) -> bool:
        """Plivo's limit on List Messages (20 a minute); off when ``list_rate_limit`` is None."""
        if self.list_rate_limit is None:
            return True
        now = time.monotonic()
        with self._lock:
            calls = self._list_calls.setdefault(account, deque())
            while calls and now - calls[0] >= LIST_RATE_WINDOW:
                calls.popleft()
            if len(calls) >= self.list_rate_limit:
                return False
            calls.append(now)
            return True

    # Calls ----------------------------------------------------------------------------------

    def create_call(
        self,
        account: SandboxAccount,
        *,
        direction: str,
        from_number: str,
        to_number: str,
        request_uuid: str | None = None,
        requester_ip: str = "",
        caller_name: str = "",
        answer_url: str = "",
        answer_method: str = "POST",
        hangup_url: str = "",
        hangup_method: str = "POST",
        ring_url: str = "",
        ring_method: str = "POST",
        options: dict[str, object] | None = None,
    ) -> StoredCall:
        """Store one call; its outcome comes from the magic numbers or the geo permissions."""
        country = country_code_of(to_number) if to_number.isdigit() else None
        barred = direction == "outbound" and country in self.geo_blocked
        call = StoredCall(
            call_uuid=str(uuid.uuid4()),
            request_uuid=request_uuid or str(uuid.uuid4()),
            account=account.auth_id,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            created=time.time(),
            outcome=BARRED if barred else call_outcome_for(to_number),
            caller_name=caller_name,
            answer_url=answer_url,
            answer_method=answer_method,
            hangup_url=hangup_url,
            hangup_method=hangup_method,
            ring_url=ring_url,
            ring_method=ring_method,
            requester_ip=requester_ip,
            options=dict(options or {}),
        )
        self.save_call(call)
        return call

    def save_call(self, call: StoredCall) -> None:
        with self._lock:
            self._calls[call.call_uuid] = call

    def call(self, account: str, call_uuid: str) -> StoredCall | None:
        with self._lock:
            call = self._calls.get(call_uuid)
        return call if call is not None and call.account == account else None

    def call_by_request(self, account: str, request_uuid: str) -> StoredCall | None:
        with self._lock:
            for call in self._calls.values():
                if call.request_uuid == request_uuid and call.account == account:
                    return call
        return None

    def calls(self) -> dict[str, StoredCall]:
        with self._lock:
            return dict(self._calls)

    def account_calls(self, account: str) -> list[StoredCall]:
        """The account's calls, newest first."""
        with self._lock:
            own = [c for c in reversed(self._calls.values()) if c.account == account]
        return sorted(own, key=lambda c: c.created, reverse=True)

    def hang_up(self, call: StoredCall, *, queued_only: bool = False) -> StoredCall | None:
        """Hang up (or cancel) a call via the API; None when it already ended (or left the
        queue, with ``queued_only``)."""
        now = time.time()
        with self._lock:
            current = self._calls.get(call.call_uuid, call)
            state = current.state_at(now, self.call_timeline).state
            if queued_only and state != "queued":
                return None
            ended = current.hung_up(now, self.call_timeline)
            if ended is not None:
                self._calls[ended.call_uuid] = ended
            return ended

    def end_call(self, call_uuid: str, end: CallEnd) -> StoredCall | None:
        """End a call now the way ``end`` says (its call flow ended it); None when it has
        already ended."""
        now = time.time()
        with self._lock:
            current = self._calls.get(call_uuid)
            if current is None or current.state_at(now, self.call_timeline).state == "completed":
                return None
            ended = dataclasses.replace(current, hangup=ApiHangup(now, end))
            self._calls[call_uuid] = ended
            return ended

    # Conferences ----------------------------------------------------------------------------

    def add_conference(
        self, account: str, name: str, members: Iterable[ConferenceMember] = ()
    ) -> Conference:
        conference = Conference(name, account, time.time(), tuple(members))
        with self._lock:
            self._conferences[(account, name)] = conference
        return conference

    def conference(self, account: str, name: str) -> Conference | None:
        with self._lock:
            return self._conferences.get((account, name))

    def account_conferences(self, account: str) -> list[Conference]:
        with self._lock:
            return [c for (owner, _), c in self._conferences.items() if owner == account]

    def end_conference(self, account: str, name: str) -> bool:
        with self._lock:
            return self._conferences.pop((account, name), None) is not None

    def end_all_conferences(self, account: str) -> None:
        with self._lock:
            for key in [key for key in self._conferences if key[0] == account]:
                del self._conferences[key]

    def conferences(self) -> list[Conference]:
        with self._lock:
            return list(self._conferences.values())

    def reset(self) -> None:
        """Forget messages, calls, conferences, custom prices, rate-limit history and changes to
        numbers, applications and endpoints; accounts stay."""
        with self._lock:
            self._messages.clear()
            self._calls.clear()
            self._conferences.clear()
            self.directory.reset()
            self.recordings.reset()
            self._pricing = dict(BUILTIN_PRICING)
            self._list_calls.clear()
