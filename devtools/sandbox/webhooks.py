"""Signed webhooks sent the way Plivo sends them, with Plivo's timeout and retry schedule.

Plivo expects a callback URL to answer within 8 seconds; a non-2xx answer or a timeout is retried
three times, after 60, 120 and 240 seconds
(https://support.plivo.com/hc/en-us/articles/360041344652). ``WebhookPolicy`` holds those numbers
so tests can shrink the delays to fractions of a second.

Every attempt is signed afresh (new nonces, see ``signing``) and recorded with its answer or its
transport error; ``WebhookRecord`` is the immutable snapshot the tests read.
Records never hold an Auth Token: the token used for signing stays inside the sender.

``Scheduler`` runs timed work (retries, and the timeline callbacks of messages and calls) on one
background thread, and every job on a thread of its own, so one slow receiver never delays another.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import requests

from devtools.sandbox.signing import signature_headers

logger = logging.getLogger("devtools.sandbox")

PLIVO_CALLBACK_TIMEOUT = 8.0
PLIVO_RETRY_DELAYS = (60.0, 120.0, 240.0)
ANSWER_PREVIEW_CHARS = 2048
USER_AGENT = "PlivoSandbox/1.0"
SCHEDULER_JOIN_TIMEOUT = 2.0


@dataclass(frozen=True)
class WebhookPolicy:
    """How long one attempt may take and how long to wait before each retry."""

    timeout: float = PLIVO_CALLBACK_TIMEOUT
    retry_delays: tuple[float, ...] = PLIVO_RETRY_DELAYS

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("WebhookPolicy.timeout must be positive")
        if any(delay < 0 for delay in self.retry_delays):
            raise ValueError("WebhookPolicy.retry_delays must not be negative")

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_delays)


@dataclass(frozen=True)
class WebhookAttempt:
    """One HTTP request to the callback URL and what came back.

    ``url`` is the URL actually requested (a GET carries the parameters in its query);
    ``headers`` are the signature headers it carried. ``status`` is None when no answer came
    (timeout, refused connection), and ``error`` then says why.
    """

    number: int
    time: float
    url: str
    headers: Mapping[str, str]
    status: int | None
    answer: str
    error: str | None
    elapsed: float

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class WebhookRecord:
    """One callback and all its attempts; ``finished`` once delivered or out of retries."""

    delivery_id: str
    kind: str
    method: str
    url: str
    params: Mapping[str, str]
    account: str
    created: float
    attempts: tuple[WebhookAttempt, ...] = ()
    finished: bool = False

    @property
    def delivered(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].succeeded


@dataclass(order=True)
class _Job:
    due: float
    sequence: int
    action: Callable[[], None] = field(compare=False)


class Scheduler:
    """Runs callables after a delay; ``clear`` drops everything not yet started."""

    def __init__(self, name: str = "plivo-sandbox-scheduler") -> None:
        self._name = name
        self._changed = threading.Condition()
        self._jobs: list[_Job] = []
        self._sequence = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        with self._changed:
            if self._closed:
                return
            due = time.monotonic() + max(0.0, delay)
            heapq.heappush(self._jobs, _Job(due, next(self._sequence), action))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def clear(self) -> None:
        with self._changed:
            self._jobs.clear()

    def close(self) -> None:
        """Drop pending work and stop the thread; a later ``call_later`` starts a new one."""
        with self._changed:
            self._closed = True
            self._jobs.clear()
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(SCHEDULER_JOIN_TIMEOUT)
        with self._changed:
            self._closed = False
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._closed and (not self._jobs or self._jobs[0].due > time.monotonic()):
                    wait = self._jobs[0].due - time.monotonic() if self._jobs else None
                    self._changed.wait(wait)
                if self._closed:
                    return
                job = heapq.heappop(self._jobs)
            threading.Thread(target=self._guarded, args=(job.action,), daemon=True).start()

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            logger.exception("sandbox background job failed")


def _with_query(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(params)


class WebhookSender:
    """Sends signed callbacks and keeps a record of every attempt."""

    def __init__(self, scheduler: Scheduler, policy: WebhookPolicy | None = None) -> None:
        self.scheduler = scheduler
        self.policy = policy or WebhookPolicy()
        self._changed = threading.Condition()
        self._records: dict[str, WebhookRecord] = {}
        self._tokens: dict[str, tuple[str, str | None]] = {}

    def send(
        self,
        *,
        kind: str,
        method: str,
        url: str,
        params: Mapping[str, str],
        account: str,
        auth_token: str,
        main_auth_token: str | None = None,
        delay: float = 0.0,
    ) -> WebhookRecord:
        """Queue a callback; the first attempt starts after ``delay`` seconds."""
        method = method.upper()
        if method not in ("GET", "POST"):
            raise ValueError("webhook method must be GET or POST")
        if not url.startswith(("http://", "https://")):
            raise ValueError("webhook URL must be an http:// or https:// URL")
        record = WebhookRecord(
            delivery_id=str(uuid.uuid4()),
            kind=kind,
            method=method,
            url=url,
            params=dict(params),
            account=account,
            created=time.time(),
        )
        with self._changed:
            self._records[record.delivery_id] = record
            self._tokens[record.delivery_id] = (auth_token, main_auth_token)
        self._schedule(record.delivery_id, 1, delay)
        return record

    def _schedule(self, delivery_id: str, number: int, delay: float) -> None:
        self.scheduler.call_later(delay, lambda: self._attempt(delivery_id, number))

    def _attempt(self, delivery_id: str, number: int) -> None:
        with self._changed:
            record = self._records.get(delivery_id)
            tokens = self._tokens.get(delivery_id)
        if record is None or tokens is None:
            return  # forgotten by a reset
        target = _with_query(record.url, record.params) if record.method == "GET" else record.url
        signed_params = {} if record.method == "GET" else record.params
        headers = signature_headers(
            record.method, target, signed_params, tokens[0], main_auth_token=tokens[1]
        )
        started, clock = time.time(), time.monotonic()
        status: int | None = None
        answer, error = "", None
        try:
            with requests.Session() as session:
                session.trust_env = False  # never through a proxy from the environment
                response = session.request(
                    record.method,
                    target,
                    data=dict(record.params) if record.method == "POST" else None,
                    headers={**headers, "User-Agent": USER_AGENT},
                    timeout=self.policy.timeout,
                    allow_redirects=False,
                )
                status, answer = response.status_code, response.text[:ANSWER_PREVIEW_CHARS]
        except requests.RequestException as failure:
            error = f"{type(failure).__name__}: {failure}"
        attempt = WebhookAttempt(
            number=number,
            time=started,
            url=target,
            headers=headers,
            status=status,
            answer=answer,
            error=error,
            elapsed=time.monotonic() - clock,
        )
        retry = not attempt.succeeded and number < self.policy.max_attempts
        with self._changed:
            current = self._records.get(delivery_id)
            if current is None:
                return
            self._records[delivery_id] = replace(
                current, attempts=(*current.attempts, attempt), finished=not retry
            )
            if not retry:
                self._tokens.pop(delivery_id, None)
            self._changed.notify_all()
        logger.debug(
            "%s callback attempt %s to %s: %s", record.kind, number, record.url, status or error
        )
        if retry:
            self._schedule(delivery_id, number + 1, self.policy.retry_delays[number - 1])

    # Reading ---------------------------------------------------------------------------------

    def records(self) -> list[WebhookRecord]:
        with self._changed:
            return sorted(self._records.values(), key=lambda record: record.created)

    def record(self, delivery_id: str) -> WebhookRecord:
        with self._changed:
            return self._records[delivery_id]

    def wait(self, delivery_id: str, timeout: float) -> WebhookRecord:
        """Block until the callback is delivered or out of retries; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._records[delivery_id].finished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"webhook {delivery_id} not finished within {timeout} s")
                self._changed.wait(remaining)
            return self._records[delivery_id]

    def wait_for(self, count: int, timeout: float, kind: str | None = None) -> list[WebhookRecord]:
        """Block until ``count`` callbacks (of ``kind``, if given) are finished."""
        deadline = time.monotonic() + timeout

        def finished() -> list[WebhookRecord]:
            return [
                record
                for record in sorted(self._records.values(), key=lambda r: r.created)
                if record.finished and (kind is None or record.kind == kind)
            ]

        with self._changed:
            while len(done := finished()) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(done)} webhooks finished, expected {count} within {timeout} s"
                    )
                self._changed.wait(remaining)
            return done

    def clear(self) -> None:
        with self._changed:
            self._records.clear()
            self._tokens.clear()
            self._changed.notify_all()
