"""``PlivoSandbox``: a Plivo-compatible API server on 127.0.0.1 for tests, demos and benchmarks.

In-process use (tests)::

    with PlivoSandbox(timeline=Timeline(0.05, 0.1)) as sandbox:
        sandbox.inject(Fault(path="/Message/$", action="drop_after_body"))
        # point the client at sandbox.url (REST) and sandbox.lookup_url (Lookup), then:
        assert sandbox.requests[0].account == DEMO_AUTH_ID
        assert len(sandbox.messages) == 1  # the dropped send still reached "Plivo"

The same server answers both the REST API (``/v1/Account/...``) and Lookup (``/v1/Number/...``).
See ``messages`` for the magic destination numbers, ``faults`` for the fault actions,
``validation`` for the send rules and ``control`` for the HTTP control API.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable
from types import TracebackType

from devtools.sandbox.accounts import DEMO_ACCOUNTS, SandboxAccount
from devtools.sandbox.app import SandboxApp
from devtools.sandbox.catalog import CountryPricing
from devtools.sandbox.control import ControlApi
from devtools.sandbox.faults import Fault, FaultQueue
from devtools.sandbox.messages import StoredMessage, Timeline
from devtools.sandbox.reqlog import RecordedRequest, RequestLog
from devtools.sandbox.state import SandboxState
from devtools.sandbox.transport import ConnectionTracker, SandboxServer
from devtools.sandbox.validation import DEFAULT_GEO_BLOCKED

logger = logging.getLogger("devtools.sandbox")

STOP_TIMEOUT = 5.0


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
    ) -> None:
        """``geo_blocked`` holds calling codes ("86", "7") whose sends are refused with 403.

        ``list_rate_limit`` enables Plivo's per-minute limit on List Messages (Plivo: 20).
        """
        self.host = host
        self._port = port
        self._ssl_context = ssl_context
        self._state = SandboxState(
            accounts if accounts is not None else DEMO_ACCOUNTS,
            timeline or Timeline(),
            geo_blocked,
            list_rate_limit,
        )
        self._faults = FaultQueue()
        self._log = RequestLog()
        self._tracker = ConnectionTracker()
        control = ControlApi(self._state, self._faults, self._log, lambda: self._tracker.opened)
        self._app = SandboxApp(self._state, self._faults, self._log, control, latency)
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
        """Forget requests, faults, messages, custom prices and rate-limit history."""
        self.clear()
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
