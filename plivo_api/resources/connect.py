"""Where credentials become a client: the single place that reads the environment overrides.

``PLIVO_API_BASE_URL``, ``PLIVO_LOOKUP_BASE_URL`` and ``PLIVO_PHLO_BASE_URL`` point a running
plugin at a Plivo stand-in (the demo, the end-to-end tests and outside checks use them);
``PLIVO_READ_TIMEOUT_SECONDS`` shortens the read timeout so fault tests need not wait 20 s.
Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..messaging.sender import parse_sender
from ..transport.client import (
    DEFAULT_API_BASE_URL,
    DEFAULT_LOOKUP_BASE_URL,
    DEFAULT_PHLO_BASE_URL,
    READ_TIMEOUT_SECONDS,
    PlivoClient,
    Timeouts,
)
from ..transport.credentials import Credentials
from ..transport.retry import DEFAULT_RETRY_POLICY
from .account import Account, get_account

API_BASE_URL_ENV = "PLIVO_API_BASE_URL"
LOOKUP_BASE_URL_ENV = "PLIVO_LOOKUP_BASE_URL"
PHLO_BASE_URL_ENV = "PLIVO_PHLO_BASE_URL"
READ_TIMEOUT_ENV = "PLIVO_READ_TIMEOUT_SECONDS"
VALIDATION_READ_TIMEOUT_SECONDS = 10.0


def _read_timeout() -> float:
    raw = os.environ.get(READ_TIMEOUT_ENV, "")
    try:
        read = float(raw) if raw else READ_TIMEOUT_SECONDS
    except ValueError:
        return READ_TIMEOUT_SECONDS
    return read if read > 0 else READ_TIMEOUT_SECONDS


def client_for(credentials: Credentials) -> PlivoClient:
    """The pooled client for a credential set (one HTTP session per set, reused across calls)."""
    return PlivoClient(
        credentials,
        base_url=os.environ.get(API_BASE_URL_ENV) or DEFAULT_API_BASE_URL,
        lookup_base_url=os.environ.get(LOOKUP_BASE_URL_ENV) or DEFAULT_LOOKUP_BASE_URL,
        phlo_base_url=os.environ.get(PHLO_BASE_URL_ENV) or DEFAULT_PHLO_BASE_URL,
        timeout=Timeouts(read=_read_timeout()),
    )


def client_from(raw: Mapping[str, object] | None) -> PlivoClient:
    """The pooled client for the credentials Dify passes a tool, the trigger or the provider
    (checked and trimmed by :meth:`Credentials.from_mapping`, which raises on bad ones)."""
    return client_for(Credentials.from_mapping(raw))


def verify(raw: Mapping[str, object] | None) -> Account:
    """What Dify's "Authorize" dialog runs: local checks, then one cheap read of the account.

    The read timeout is shorter than for tool calls: a person is waiting in a dialog.
    """
    credentials = Credentials.from_mapping(raw)
    if credentials.default_sender:
        parse_sender(credentials.default_sender, parameter="default_sender")
    client = client_for(credentials)
    timeouts = Timeouts(
        connect=client.timeout.connect,
        read=min(client.timeout.read, VALIDATION_READ_TIMEOUT_SECONDS),
    )
    return get_account(client.limited(timeout=timeouts, retry=DEFAULT_RETRY_POLICY))


__all__ = ["client_for", "client_from", "verify"]
