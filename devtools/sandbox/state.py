"""Everything the fake Plivo remembers: accounts, messages, prices, and the List rate limit.

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
    region_of,
    strip_number,
)
from devtools.sandbox.messages import (
    NO_ERROR,
    Outcome,
    StoredMessage,
    Timeline,
    count_units,
    outcome_for,
)
from devtools.sandbox.validation import SendRequest

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
    ) -> None:
        self._lock = threading.RLock()
        self._accounts = {account.auth_id: dataclasses.replace(account) for account in accounts}
        self._messages: dict[str, StoredMessage] = {}
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
        """Plivo's own limit on List Messages (20/min, §7); off when ``list_rate_limit`` is None."""
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

    def reset(self) -> None:
        """Forget messages, custom prices and rate-limit history; accounts stay."""
        with self._lock:
            self._messages.clear()
            self._pricing = dict(BUILTIN_PRICING)
            self._list_calls.clear()
