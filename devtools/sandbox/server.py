"""``PlivoSandbox``: a Plivo-compatible API server on 127.0.0.1 for tests, demos and benchmarks.

In-process use (tests)::

    with PlivoSandbox(timeline=Timeline(0.05, 0.1)) as sandbox:
        sandbox.inject(Fault(path="/Message/$", action="drop_after_body"))
        # point the client at sandbox.url (REST) and sandbox.lookup_url (Lookup), then:
        assert sandbox.requests[0].account == DEMO_AUTH_ID
        assert len(sandbox.messages) == 1  # the dropped send still reached "Plivo"

Acting as Plivo towards a webhook receiver::

    with PlivoSandbox(webhook_policy=WebhookPolicy(timeout=1, retry_delays=(0.1, 0.2))) as sandbox:
        record = sandbox.send_inbound_sms(url, from_number="14155550123",
                                          to_number=DEMO_NUMBER, text="hi")
        record = sandbox.wait_for_webhook(record.delivery_id)
        assert record.delivered  # every attempt, its signature headers and answer are recorded

The same server answers the REST API (``/v1/Account/...``), Lookup (``/v1/Number/...``) and the
PHLO runner (``/v1/account/.../phlo/...``). See ``messages`` and ``voice`` for the magic
destination numbers, ``faults`` for the fault actions, ``validation`` for the send rules,
``directory`` for the seeded numbers and applications, ``callbacks``, ``webhooks`` and
``signing`` for the callbacks, and ``control`` for the HTTP control API.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType

from devtools.sandbox.accounts import DEMO_ACCOUNTS, SandboxAccount
from devtools.sandbox.app import SandboxApp
from devtools.sandbox.callbacks import Notifier
from devtools.sandbox.callflow import CallFlowRecord, CallScript, VoicePolicy
from devtools.sandbox.catalog import CountryPricing, strip_number
from devtools.sandbox.control import ControlApi
from devtools.sandbox.directory import Application, Phlo, PhloRun, RentedNumber
from devtools.sandbox.faults import Fault, FaultQueue
from devtools.sandbox.messages import StoredMessage, Timeline
from devtools.sandbox.recordings import RecordingStore
from devtools.sandbox.reqlog import RecordedRequest, RequestLog
from devtools.sandbox.state import SandboxState
from devtools.sandbox.transport import ConnectionTracker, SandboxServer
from devtools.sandbox.validation import DEFAULT_GEO_BLOCKED
from devtools.sandbox.voice import CallTimeline, Conference, StoredCall, conference_members
from devtools.sandbox.webhooks import Scheduler, WebhookPolicy, WebhookRecord, WebhookSender

logger = logging.getLogger("devtools.sandbox")

STOP_TIMEOUT = 5.0
WAIT_TIMEOUT = 5.0


class PlivoSandbox:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        accounts: list[SandboxAccount] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeline: Timeline | None = None,
        latency: float = 0.0,
        list_rate_limit: int | None = None,
        geo_blocked: Iterable[str] = DEFAULT_GEO_BLOCKED,
        call_timeline: CallTimeline | None = None,
        callbacks: bool = False,
        webhook_policy: WebhookPolicy | None = None,
        voice_policy: VoicePolicy | None = None,
    ) -> None:
        """``geo_blocked`` holds calling codes ("86", "7") whose sends are refused with 403 (and
        whose calls fail as barred).

        ``list_rate_limit`` enables Plivo's per-minute limit on List Messages (Plivo: 20).
        ``callbacks`` turns on the timeline's callbacks: delivery reports to a send's ``url``
        and ring/answer/hangup callbacks of calls. ``webhook_policy`` sets the callback timeout
        and retry delays (Plivo: 8 s; 60, 120, 240 s); ``voice_policy`` the timeouts and retries
        of a scripted call's answer, action and hangup requests (Plivo: 2 s to connect, 40 s to
        answer, one retry).
        """
        self.host = host
        self._port = port
        self._ssl_context = ssl_context
        self._state = SandboxState(
            accounts if accounts is not None else DEMO_ACCOUNTS,
            timeline or Timeline(),
            geo_blocked,
            list_rate_limit,
            call_timeline,
        )
        self._faults = FaultQueue()
        self._log = RequestLog()
        self._tracker = ConnectionTracker()
        self._scheduler = Scheduler()
        self._sender = WebhookSender(self._scheduler, webhook_policy)
        self._notifier = Notifier(self._state, self._sender, callbacks, voice_policy)
        control = ControlApi(
            self._state, self._faults, self._log, lambda: self._tracker.opened, self._notifier
        )
        self._app = SandboxApp(
            self._state, self._faults, self._log, control, self._notifier, latency
        )
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # Life cycle -----------------------------------------------------------------------------

    def start(self) -> PlivoSandbox:
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        server = SandboxServer(self.host, self._port, self._app, self._tracker, self._ssl_context)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve,
            name=f"plivo-sandbox-{server.port}",
            daemon=True,
        )
        self._thread.start()
        logger.debug("Plivo sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stop_serving()
        self._scheduler.close()
        thread.join(STOP_TIMEOUT)
        self._tracker.close_all()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> PlivoSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Addresses ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("start() the sandbox first")
        return self._server.port

    @property
    def url(self) -> str:
        """API base URL: clients append ``/v1/Account/{auth_id}/...``."""
        scheme = "https" if self._ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def lookup_url(self) -> str:
        """Lookup base URL (the same server; clients append ``/v1/Number/{number}``)."""
        return self.url

    @property
    def phlo_url(self) -> str:
        """PHLO runner base URL (the same server; clients append
        ``/v1/account/{auth_id}/phlo/{phlo_id}``)."""
        return self.url

    # Request log and connections -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._log.snapshot()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        return self._log.wait_for(count, timeout)

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted so far; monotonic, never reset (compare before/after)."""
        return self._tracker.opened

    def clear(self) -> None:
        """Forget logged requests and pending faults; messages and accounts stay."""
        self._log.clear()
        self._faults.clear()

    def reset(self) -> None:
        """Forget requests, faults, messages, calls, conferences, callbacks (sent and planned),
        custom prices, rate-limit history and changes to numbers, applications, endpoints and
        PHLOs (the demo seed comes back)."""
        self.clear()
        self._scheduler.clear()
        self._sender.clear()
        self._notifier.callflows.reset()
        self._state.reset()

    # Faults and knobs -----------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        self._faults.add(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        return self._faults.pending()

    @property
    def latency(self) -> float:
        return self._app.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._app.latency = seconds

    @property
    def timeline(self) -> Timeline:
        return self._state.timeline

    @timeline.setter
    def timeline(self, timeline: Timeline) -> None:
        self._state.timeline = timeline

    @property
    def call_timeline(self) -> CallTimeline:
        return self._state.call_timeline

    @call_timeline.setter
    def call_timeline(self, timeline: CallTimeline) -> None:
        self._state.call_timeline = timeline

    @property
    def callbacks(self) -> bool:
        """Whether delivery reports and call callbacks follow the timelines on their own."""
        return self._notifier.enabled

    @callbacks.setter
    def callbacks(self, enabled: bool) -> None:
        self._notifier.enabled = enabled

    @property
    def webhook_policy(self) -> WebhookPolicy:
        return self._sender.policy

    @webhook_policy.setter
    def webhook_policy(self, policy: WebhookPolicy) -> None:
        self._sender.policy = policy

    @property
    def list_rate_limit(self) -> int | None:
        return self._state.list_rate_limit

    @list_rate_limit.setter
    def list_rate_limit(self, per_minute: int | None) -> None:
        self._state.list_rate_limit = per_minute

    @property
    def geo_blocked(self) -> frozenset[str]:
        return self._state.geo_blocked

    @geo_blocked.setter
    def geo_blocked(self, calling_codes: Iterable[str]) -> None:
        self._state.geo_blocked = frozenset(calling_codes)

    # Data -----------------------------------------------------------------------------------

    def add_account(self, account: SandboxAccount) -> None:
        self._state.add_account(account)

    @property
    def messages(self) -> dict[str, StoredMessage]:
        """Snapshot of every stored message by UUID, in creation order."""
        return self._state.messages()

    def message_state(self, message_uuid: str) -> str:
        """The state a Get Message call would report right now."""
        return self._state.messages()[message_uuid].current_state(time.time(), self.timeline)

    def add_message(
        self,
        *,
        from_number: str,
        to_number: str,
        text: str = "",
        direction: str = "inbound",
        account: str | None = None,
        message_type: str = "sms",
        state: str | None = None,
        error_code: str | None = None,
        created: float | None = None,
        message_uuid: str | None = None,
    ) -> StoredMessage:
        """Seed a message (inbound ``received`` by default) for List Messages and Get Message.

        ``created`` is a Unix time, so tests can place messages outside the 24-hour window.
        """
        return self._state.seed_message(
            account=account,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            text=text,
            message_type=message_type,
            state=state,
            error_code=error_code,
            created=created,
            message_uuid=message_uuid,
        )

    def set_pricing(
        self,
        iso: str,
        outbound: str,
        inbound: str,
        *,
        country: str | None = None,
        country_code: int | None = None,
        networks: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Add or replace a country's message prices (rates are decimal strings)."""
        current = self._state.pricing(iso)
        self._state.set_pricing(
            CountryPricing(
                country=country or (current.country if current else iso),
                country_code=country_code or (current.country_code if current else 0),
                country_iso=iso,
                outbound=outbound,
                inbound=inbound,
                networks=tuple(networks),
            )
        )

    # Calls, conferences, numbers, applications, PHLOs ----------------------------------------

    @property
    def calls(self) -> dict[str, StoredCall]:
        """Snapshot of every call by call UUID, in creation order."""
        return self._state.calls()

    @property
    def recordings(self) -> RecordingStore:
        """The call recordings (and their transcripts) of every account."""
        return self._state.recordings

    def call_state(self, call_uuid: str) -> str:
        """queued, ringing, in-progress or completed, right now."""
        call = self._state.calls()[call_uuid]
        return call.state_at(time.time(), self.call_timeline).state

    def call_for_request(self, request_uuid: str) -> StoredCall:
        """The call a ``POST /Call/`` request UUID placed."""
        for call in self._state.calls().values():
            if call.request_uuid == request_uuid:
                return call
        raise KeyError(request_uuid)

    def add_conference(
        self,
        name: str,
        *,
        members: Iterable[Mapping[str, object]] = (),
        account: str | None = None,
    ) -> Conference:
        """Start a live conference; members are fields like ``{"from_number": "14155550123",
        "to_number": "14155550100", "caller_name": "Ada", "muted": False}``."""
        owner = account or self._state.default_account().auth_id
        return self._state.add_conference(owner, name, conference_members(members, time.time()))

    @property
    def numbers(self) -> dict[str, RentedNumber]:
        with self._state.directory.lock:
            return dict(self._state.directory.numbers)

    @property
    def applications(self) -> dict[str, Application]:
        with self._state.directory.lock:
            return dict(self._state.directory.apps)

    def add_number(
        self,
        number: str,
        *,
        account: str | None = None,
        number_type: str = "local",
        country: str = "United States",
        sms_enabled: bool = True,
        voice_enabled: bool = True,
        mms_enabled: bool = False,
        alias: str | None = None,
        app_id: str | None = None,
    ) -> RentedNumber:
        """Rent a number to an account (the default account unless given)."""
        rented = RentedNumber(
            strip_number(number),
            account or self._state.default_account().auth_id,
            number_type,
            country,
            "",
            "",
            sms_enabled=sms_enabled,
            voice_enabled=voice_enabled,
            mms_enabled=mms_enabled,
            alias=alias,
            app_id=app_id,
        )
        self._state.directory.save_number(rented)
        return rented

    def add_application(
        self,
        app_name: str,
        *,
        account: str | None = None,
        answer_url: str = "",
        hangup_url: str = "",
        message_url: str = "",
        message_method: str = "POST",
    ) -> Application:
        directory = self._state.directory
        app = Application(
            directory.new_app_id(),
            account or self._state.default_account().auth_id,
            app_name,
            answer_url=answer_url,
            hangup_url=hangup_url,
            message_url=message_url,
            message_method=message_method,
        )
        directory.save_app(app)
        return app

    def add_phlo(
        self, name: str, *, phlo_id: str | None = None, account: str | None = None
    ) -> Phlo:
        phlo = Phlo(
            phlo_id or str(uuid.uuid4()),
            account or self._state.default_account().auth_id,
            name,
            time.time(),
        )
        self._state.directory.add_phlo(phlo)
        return phlo

    @property
    def phlo_runs(self) -> list[PhloRun]:
        return self._state.directory.runs()

    # Callbacks (the sandbox acting as Plivo towards a webhook receiver) ----------------------

    @property
    def webhooks(self) -> list[WebhookRecord]:
        """Every callback sent (or being retried), oldest first, with all its attempts."""
        return self._sender.records()

    def wait_for_webhook(self, delivery_id: str, timeout: float = WAIT_TIMEOUT) -> WebhookRecord:
        """The callback once delivered or out of retries; TimeoutError otherwise."""
        return self._sender.wait(delivery_id, timeout)

    def wait_for_webhooks(
        self, count: int, timeout: float = WAIT_TIMEOUT, kind: str | None = None
    ) -> list[WebhookRecord]:
        """The finished callbacks (of ``kind``: inbound_sms, delivery_report, ring, answer,
        hangup, custom) once there are at least ``count``."""
        return self._sender.wait_for(count, timeout, kind)

    def send_webhook(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        method: str = "POST",
        account: str | None = None,
    ) -> WebhookRecord:
        """Any callback, signed with the account's Auth Token (V3, Ma-V3, V2, Ma-V2)."""
        return self._notifier.send(url, params, method=method, account=account)

    def send_inbound_sms(
        self,
        url: str | None = None,
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
        """An inbound SMS/MMS, stored and posted to ``url`` (default: the ``message_url`` of the
        application linked to ``to_number``, with its method)."""
        return self._notifier.send_inbound_sms(
            url,
            from_number=from_number,
            to_number=to_number,
            text=text,
            message_type=message_type,
            media_urls=media_urls,
            method=method,
            account=account,
            message_uuid=message_uuid,
            intent=intent,
            media_first_index=media_first_index,
        )

    def send_delivery_report(
        self, url: str, message_uuid: str, *, status: str | None = None, method: str = "POST"
    ) -> WebhookRecord:
        """A delivery report for a stored message (its current state unless ``status``)."""
        return self._notifier.send_delivery_report(url, message_uuid, status=status, method=method)

    def send_call_event(
        self, url: str, call_uuid: str, event: str, *, method: str = "POST"
    ) -> WebhookRecord:
        """A stored call's ``Ring``, ``StartApp`` (answer) or ``Hangup`` callback, sent now."""
        return self._notifier.send_call_event(url, call_uuid, event, method=method)

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
        """Someone calls ``to_number``: the answer URL (default: of the number's application) is
        called at once and the hangup URL when the call ends, whatever ``callbacks`` says.

        With a ``script`` the caller follows the XML the answer URL serves, as on Plivo: read
        what happened with :meth:`wait_for_call_flow` (``call_uuid`` of the returned call)."""
        return self._notifier.start_inbound_call(
            from_number=from_number,
            to_number=to_number,
            account=account,
            answer_url=answer_url,
            hangup_url=hangup_url,
            caller_name=caller_name,
            script=script,
        )

    # Call flows (the sandbox following a call's XML) -----------------------------------------

    def script_calls_to(self, number: str, script: CallScript | None) -> None:
        """Outbound calls to ``number`` (E.164 or digits) from now on are answered by someone
        who follows ``script``: the sandbox fetches the answer URL and runs its XML
        (``callflow``). ``None`` removes the script; ``reset`` removes them all."""
        self._notifier.callflows.script_number(strip_number(number), script)

    @property
    def call_flows(self) -> list[CallFlowRecord]:
        """The flow of every scripted call so far, oldest first."""
        return self._notifier.callflows.records()

    def call_flow(self, call_uuid: str) -> CallFlowRecord:
        """What happened on a scripted call so far: its transcript and every request."""
        return self._notifier.callflows.record(call_uuid)

    def wait_for_call_flow(self, call_uuid: str, timeout: float = WAIT_TIMEOUT) -> CallFlowRecord:
        """The flow of a scripted call once it has ended; TimeoutError otherwise."""
        return self._notifier.callflows.wait(call_uuid, timeout)
