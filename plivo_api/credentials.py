"""Read the provider's credential mapping (as Dify stores it) into a validated, typed form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .client import PlivoClient, Timeouts, require_credential
from .models import Account
from .redact import mask_auth_id
from .sender import parse_sender

VALIDATION_READ_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Credentials:
    auth_id: str
    auth_token: str = field(repr=False)
    default_sender: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(auth_id={mask_auth_id(self.auth_id)!r})"

    def client(self) -> PlivoClient:
        """The pooled client for these credentials (one HTTP session per credential set)."""
        return PlivoClient(self.auth_id, self.auth_token)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object] | None) -> Credentials:
        """Whitespace is trimmed (a classic paste error); bad values fail before any request."""
        raw = raw or {}
        return cls(
            require_credential("auth_id", _text(raw.get("auth_id"))),
            require_credential("auth_token", _text(raw.get("auth_token"))),
            _text(raw.get("default_sender")) or None,
        )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def client_for(raw: Mapping[str, object] | None) -> PlivoClient:
    """The client for a tool call's credentials; its session is shared per credential set."""
    return Credentials.from_mapping(raw).client()


def verify(raw: Mapping[str, object] | None) -> Account:
    """What Dify's "Authorize" dialog runs: local checks, then one cheap read of the account.

    The read timeout is shorter than for tool calls: a person is waiting in a dialog.
    """
    creds = Credentials.from_mapping(raw)
    if creds.default_sender:
        parse_sender(creds.default_sender, parameter="default_sender")
    client = creds.client()
    timeouts = Timeouts(
        connect=client.timeout.connect,
        read=min(client.timeout.read, VALIDATION_READ_TIMEOUT_SECONDS),
    )
    return client.limited(timeout=timeouts, retry=client.retry).get_account()
