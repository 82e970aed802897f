"""The HTTP transport every call to Plivo goes through; what each resource's requests and
answers look like is :mod:`plivo_api.resources`'.

It owns what must be right once: Basic auth, JSON, the User-Agent, explicit connect and read
timeouts on every call, the retry policy (:mod:`plivo_api.transport.retry`), translating answers
into :mod:`plivo_api.errors`, and scrubbing credentials out of every message it raises. Exceptions
are raised ``from None``: the chained ``requests`` exception would carry the request URL, and with
it the unmasked Auth ID, into the traceback Dify shows.
"""

from __future__ import annotations

import copy
import logging
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from ..errors import (
    ConnectionFailedError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    PlivoError,
    RequestTimeoutError,
)
from .credentials import Credentials
from .http_errors import error_for_status, parse_error_body
from .redact import Redactor, mask_auth_id
from .retry import DEFAULT_RETRY_POLICY, Outcome, RetryPolicy, classify_status, parse_retry_after
from .sessions import DEFAULT_POOL, SessionPool

logger = logging.getLogger(__name__)

_PHONE_LIKE = re.compile(r"\+?\d{6,}")  # numbers in URL paths (Lookup) are kept out of logs

DEFAULT_API_BASE_URL = "https://api.plivo.com"
DEFAULT_LOOKUP_BASE_URL = "https://lookup.plivo.com"
DEFAULT_PHLO_BASE_URL = "https://phlorunner.plivo.com"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 20.0
NO_CONTENT = 204
NOT_FOUND = 404
"""Plivo answers a successful DELETE with 204 and no body at all."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds to open a connection, and to wait between bytes of the answer."""

    connect: float = CONNECT_TIMEOUT_SECONDS
    read: float = READ_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: its status and its JSON body (``None`` when empty or not JSON)."""

    status: int
    body: object | None


SECRET_KEYS = frozenset({"auth_token", "password", "secret"})
"""Keys whose values are secrets wherever they appear in an answer (a subaccount's Auth Token,
an endpoint's password): the raw request tool never shows them."""
SECRET_SHOWN = "[redacted]"  # noqa: S105 - what replaces a secret, not one


def _redacted(value: object, redact: Callable[[str], str]) -> object:
    """A JSON value with ``redact`` applied to every string in it, keys included, and the values
    of :data:`SECRET_KEYS` replaced whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(item, redact) for item in value]
    if isinstance(value, dict):
        return {
            redact(str(key)): (
                SECRET_SHOWN
                if str(key).lower() in SECRET_KEYS and item not in (None, "")
                else _redacted(item, redact)
            )
            for key, item in value.items()
        }
    return value


def _not_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the request provably never reached the server (safe to repeat even a send)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | NameResolutionError | ConnectTimeoutError)


class PlivoClient:
    """Plivo REST, Lookup and PHLO requests for one credential set."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        lookup_base_url: str = DEFAULT_LOOKUP_BASE_URL,
        phlo_base_url: str = DEFAULT_PHLO_BASE_URL,
        timeout: Timeouts | None = None,
        retry: RetryPolicy = DEFAULT_RETRY_POLICY,
        pool: SessionPool = DEFAULT_POOL,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._auth_id = credentials.auth_id
        self._auth = (credentials.auth_id, credentials.auth_token)
        self.base_url = base_url.rstrip("/")
        self.lookup_base_url = lookup_base_url.rstrip("/")
        self.phlo_base_url = phlo_base_url.rstrip("/")
        self.timeout = timeout or Timeouts()
        self.retry = retry
        self.masked_auth_id = mask_auth_id(self._auth_id)
        self._redact = Redactor(*self._auth)
        self._session = pool.get(*self._auth)
        self._sleep = sleep
        self._account_url = f"{self.base_url}/v1/Account/{quote(self._auth_id, safe='')}/"

    def keeping_secret(self, secret: str, shown: str) -> PlivoClient:
        """The same client whose errors also never carry ``secret`` (a password in the body)."""
        clone = copy.copy(self)
        clone._redact = self._redact.with_secret(secret, shown)
        return clone

    def limited(self, *, timeout: Timeouts, retry: RetryPolicy) -> PlivoClient:
        """The same client (and pooled session) with other timeouts and retry policy."""
        clone = copy.copy(self)
        clone.timeout = timeout
        clone.retry = retry
        return clone

    def __repr__(self) -> str:
        return f"PlivoClient(auth_id={self.masked_auth_id!r}, base_url={self.base_url!r})"

    # -- where Plivo's resources live -----------------------------------------------------

    @property
    def account_url(self) -> str:
        """``{base}/v1/Account/{auth_id}/``: every REST resource of this account lives below it."""
        return self._account_url

    def resource_url(self, *segments: str) -> str:
        """``{account_url}Call/{uuid}/``: each segment percent-encoded whole, so no value given
        by a user or an agent can add a path level, a query or a fragment."""
        return self._account_url + "".join(f"{quote(segment, safe='')}/" for segment in segments)

    def phlo_run_url(self, phlo_id: str) -> str:
        """``{PHLO base}/v1/account/{auth_id}/phlo/{phlo_id}``: the PHLO runner's own host and
        lower-case path (https://www.plivo.com/docs/phlo/api/phlo/run-a-phlo/)."""
        auth_id = quote(self._auth_id, safe="")
        return f"{self.phlo_base_url}/v1/account/{auth_id}/phlo/{quote(phlo_id, safe='')}"

    def redact(self, text: str) -> str:
        """``text`` without this client's Auth Token, with its Auth ID masked."""
        return self._redact(text)

    # -- transport -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Mapping[str, Any] | None = None,
        creates: str | None = None,
        billed: bool = False,
        reaches_destinations: bool = False,
    ) -> dict[str, Any]:
        """One logical call, repeated only as :class:`RetryPolicy` allows; returns JSON.

        ``creates`` marks a request that creates something at Plivo (a message, a call): it is
        never repeated once it may have reached Plivo, and the text says what to check before
        trying again when its outcome is unknown. ``reaches_destinations`` marks a message or a
        call, whose 403 means a destination country Plivo's Geo Permissions block. A 204
        (Plivo's answer to a DELETE), an empty answer to a DELETE, and the 404 of a DELETE
        repeated after an attempt that may have done it, are an empty object.
        """
        response = self._send(
            method,
            url,
            params=params,
            json_body=json_body,
            creates=creates,
            billed=billed,
            reaches_destinations=reaches_destinations,
        )
        if response.status_code in (NO_CONTENT, NOT_FOUND) or (
            method.upper() == "DELETE" and not response.content.strip()
        ):
            return {}
        return self._json_object(response, creates)

    def exchange(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Mapping[str, Any] | None = None,
        creates: str | None = None,
    ) -> Answer:
        """Like :meth:`request`, for any JSON a 2xx answer carries (or none): the status and the
        parsed body with this client's credentials redacted from every key and text in it."""
        response = self._send(method, url, params=params, json_body=json_body, creates=creates)
        try:
            data: object = response.json() if response.content.strip() else None
        except ValueError:  # not JSON: the caller shows null, as for an empty body
            data = None
        return Answer(response.status_code, _redacted(data, self._redact))

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None,
        json_body: Mapping[str, Any] | None,
        creates: str | None,
        billed: bool = False,
        reaches_destinations: bool = False,
    ) -> requests.Response:
        """The attempts of one logical call; returns the 2xx answer or raises its error.

        A DELETE repeated after an attempt that may have been carried out (no answer, a
        gateway error) and then answered 404 did its job: that 404 is returned, not raised.
        """
        # A billed read (Lookup) is repeated only when Plivo provably did not act on it.
        repeatable = not creates and not billed
        may_have_acted = False
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json_body,
                    auth=self._auth,
                    timeout=(self.timeout.connect, self.timeout.read),
                )
            except requests.exceptions.RequestException as exc:
                outcome = self._transport_outcome(exc)
                self._log_attempt(method, url, attempt, f"{type(exc).__name__}", started)
                if self.retry.may_retry(outcome, idempotent=repeatable, attempt=attempt):
                    may_have_acted = may_have_acted or outcome is Outcome.NO_ANSWER
                    self._sleep(self.retry.delay(attempt))
                    continue
                raise self._transport_error(exc, outcome, creates, url) from None
            self._log_attempt(method, url, attempt, str(response.status_code), started)
            if 200 <= response.status_code < 300:
                return response
            if method.upper() == "DELETE" and response.status_code == NOT_FOUND and may_have_acted:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            outcome = classify_status(response.status_code)
            too_long = outcome is Outcome.RATE_LIMITED and self.retry.retry_after_too_long(
                retry_after
            )
            if not too_long and self.retry.may_retry(
                outcome, idempotent=repeatable, attempt=attempt
            ):
                may_have_acted = may_have_acted or outcome is Outcome.GATEWAY_ERROR
                self._sleep(self.retry.delay(attempt, retry_after))
                continue
            body = parse_error_body(
                response.content, response.headers.get("Content-Type"), self._redact
            )
            raise error_for_status(
                response.status_code,
                body,
                creates=creates,
                reaches_destinations=reaches_destinations,
                masked_auth_id=self.masked_auth_id,
                retry_after=retry_after,
            )

    @staticmethod
    def _transport_outcome(exc: requests.exceptions.RequestException) -> Outcome:
        if isinstance(exc, requests.exceptions.SSLError):
            return Outcome.FINAL  # a TLS failure is not fixed by asking again
        if isinstance(exc, requests.exceptions.ConnectionError) and _not_sent(exc):
            return Outcome.NOT_SENT
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return Outcome.FINAL
        return Outcome.NO_ANSWER

    def _transport_error(
        self,
        exc: requests.exceptions.RequestException,
        outcome: Outcome,
        creates: str | None,
        url: str,
    ) -> PlivoError:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if isinstance(exc, requests.exceptions.SSLError) and (
            not creates or _certificate_rejected(exc)
        ):
            # A rejected certificate ends the handshake before the request is written.
            return ConnectionFailedError(
                f"Could not establish a secure (TLS) connection to Plivo at {host}; nothing was "
                "sent. Check the machine's clock, proxy and CA certificates."
            )
        if outcome is Outcome.NOT_SENT or outcome is Outcome.FINAL:
            return ConnectionFailedError(
                f"Plivo could not be reached at {host} ({type(exc).__name__}); nothing was sent. "
                "Check the network, proxy and firewall of the Dify plugin daemon, then try again."
            )
        timed_out = isinstance(exc, requests.exceptions.Timeout)
        what = (
            f"Plivo did not answer within {self.timeout.read:g} s"
            if timed_out
            else "The connection to Plivo broke before an answer arrived"
        )
        if creates:
            return OutcomeUnknownError(f"{what}. The request may have reached Plivo. {creates}")
        if timed_out:
            return RequestTimeoutError(f"{what}; try again in a moment.")
        return ConnectionFailedError(f"{what}; try again in a moment.")

    def _json_object(self, response: requests.Response, creates: str | None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:  # json.JSONDecodeError included
            data = None
        if isinstance(data, dict):
            return data
        if creates:
            raise OutcomeUnknownError(
                f"Plivo answered HTTP {response.status_code} with a body that is not the JSON it "
                f"documents. {creates}",
                status=response.status_code,
            )
        raise MalformedResponseError(
            f"Plivo answered HTTP {response.status_code} with a body that is not the JSON it "
            "documents; try again in a moment.",
            status=response.status_code,
        )

    def _log_attempt(
        self, method: str, url: str, attempt: int, result: str, started: float
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s attempt %d -> %s in %.0f ms",
                method,
                _PHONE_LIKE.sub("…", self._redact(urlsplit(url).path)),  # no numbers in logs
                attempt,
                result,
                (time.monotonic() - started) * 1000,
            )


def _certificate_rejected(exc: BaseException) -> bool:
    """Whether an SSL failure was the certificate check (so the handshake never completed)."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        pending.extend([*current.args, getattr(current, "reason", None), current.__context__])
    return False


def reworded_not_found(error: NotFoundError, message: str) -> NotFoundError:
    """The same 404, worded for the resource; Plivo's own text is kept when it says more."""
    said = error.plivo_error
    if said and said.strip().lower() not in {"not found", "not_found"}:
        message = f"{message} Plivo said: {said}"
    return NotFoundError(
        message, status=error.status, api_id=error.api_id, plivo_error=error.plivo_error
    )
