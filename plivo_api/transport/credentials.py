"""The credential set a user enters once, read and checked in exactly one place.

Dify stores what the user typed; pasted values often carry a trailing space, a newline or an
invisible character. :meth:`Credentials.from_mapping` trims them and refuses what Basic auth cannot
carry, before any request, with a sentence that says where to copy the value from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from .redact import mask_auth_id

CONSOLE_URL = "https://console.plivo.com/dashboard/"
CREDENTIAL_LABELS = {"auth_id": "Auth ID", "auth_token": "Auth Token"}
_CREDENTIAL_CHARACTERS = re.compile(r"[!-~]+")  # printable ASCII without spaces


@dataclass(frozen=True)
class Credentials:
    auth_id: str
    auth_token: str = field(repr=False)
    default_sender: str | None = None
    whatsapp_sender: str | None = None
    whatsapp_business_account_id: str | None = None
    endpoint_url: str | None = None  # this plugin's endpoint, for calls it serves itself

    def __repr__(self) -> str:
        return f"Credentials(auth_id={mask_auth_id(self.auth_id)!r})"

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object] | None) -> Credentials:
        """Whitespace is trimmed (a classic paste error); bad values fail before any request."""
        raw = raw or {}
        return cls(
            require_credential("auth_id", _text(raw.get("auth_id"))),
            require_credential("auth_token", _text(raw.get("auth_token"))),
            _text(raw.get("default_sender")) or None,
            _text(raw.get("whatsapp_sender")) or None,
            _text(raw.get("whatsapp_business_account_id")) or None,
            _text(raw.get("endpoint_url")) or None,
        )


def require_credential(name: str, value: str) -> str:
    """The one rule for a usable Auth ID or Token, and how to fix one that is not."""
    label = CREDENTIAL_LABELS[name]
    if not value:
        raise InputError(
            name,
            f"{label} is empty: copy it from the Plivo console overview page ({CONSOLE_URL}) "
            "into the plugin's credentials.",
        )
    if not _CREDENTIAL_CHARACTERS.fullmatch(value):
        # Basic auth cannot carry such characters, and Plivo's never contain them: most often
        # an invisible character was pasted along. The value itself is never quoted.
        raise InputError(
            name,
            f"{label} contains a space or a character that is not part of a Plivo {label} "
            "(often an invisible character pasted along with it). Copy it again from the "
            f"Plivo console overview page ({CONSOLE_URL}).",
        )
    return value


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


__all__ = ["CONSOLE_URL", "Credentials", "require_credential"]
