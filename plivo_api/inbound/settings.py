"""The inbound endpoint's settings, read once and defensively.

Dify hands an endpoint only its own settings (never the tool provider's credentials), so the
Auth ID and Auth Token are entered again in the endpoint dialog. An app-selector value arrives as
a mapping with ``app_id`` (older Dify versions and hand-written settings may give ``id`` or a
plain string); booleans may arrive as ``true``/``"true"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ..transport.redact import mask_auth_id

MAX_HELP_TEXT_CHARS: Final = 1600
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class EndpointSettings:
    auth_id: str
    auth_token: str = field(repr=False)
    app_id: str = ""
    reply: bool = True
    status_app_id: str = ""
    help_text: str = ""
    public_url: str = ""

    def __repr__(self) -> str:
        return f"EndpointSettings(auth_id={mask_auth_id(self.auth_id)!r})"

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object] | None) -> EndpointSettings:
        raw = raw or {}
        return cls(
            auth_id=_text(raw.get("auth_id")),
            auth_token=_text(raw.get("auth_token")),
            app_id=app_id_of(raw.get("app")),
            reply=_boolean(raw.get("reply"), default=True),
            status_app_id=app_id_of(raw.get("status_app")),
            help_text=_text(raw.get("help_text"))[:MAX_HELP_TEXT_CHARS],
            public_url=_text(raw.get("public_url")),
        )


def app_id_of(value: object) -> str:
    """The app id of an app-selector value; ``""`` when none was chosen."""
    if isinstance(value, Mapping):
        for key in ("app_id", "id"):
            found = value.get(key)
            if isinstance(found, str) and found.strip():
                return found.strip()
        return ""
    return _text(value)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _boolean(value: object, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


__all__ = ["MAX_HELP_TEXT_CHARS", "EndpointSettings", "app_id_of"]
