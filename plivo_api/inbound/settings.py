"""The inbound endpoint's settings, read once and defensively.

Dify hands an endpoint only its own settings (never the tool provider's credentials), so the
Auth ID and Auth Token are entered again in the endpoint dialog. An app-selector value arrives as
a mapping with ``app_id`` (older Dify versions and hand-written settings may give ``id`` or a
plain string); booleans may arrive as ``true``/``"true"``. A voice or language the phone
assistant does not know falls back to Plivo's default: a value Plivo rejects would end the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ..transport.redact import mask_auth_id

MAX_HELP_TEXT_CHARS: Final = 1600
MAX_GREETING_CHARS: Final = 1000
DEFAULT_VOICE: Final = "WOMAN"
VOICES: Final = ("WOMAN", "MAN")
DEFAULT_LANGUAGE: Final = "en-US"
LANGUAGES: Final = (
    "en-US",
    "en-GB",
    "en-AU",
    "es-US",
    "es-ES",
    "fr-FR",
    "fr-CA",
    "de-DE",
    "it-IT",
    "nl-NL",
    "pt-BR",
    "pt-PT",
    "pl-PL",
    "ru-RU",
    "da-DK",
    "sv-SE",
)
"""The languages of Plivo's ``<Speak>`` (https://plivo.com/docs/voice/xml/audio-output)."""
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
    voice_app_id: str = ""
    greeting: str = ""
    transfer_to: str = ""
    voice: str = DEFAULT_VOICE
    language: str = DEFAULT_LANGUAGE

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
            voice_app_id=app_id_of(raw.get("voice_app")),
            greeting=_text(raw.get("greeting"))[:MAX_GREETING_CHARS],
            transfer_to=_text(raw.get("transfer_to")),
            voice=_choice(raw.get("voice"), VOICES, DEFAULT_VOICE),
            language=_choice(raw.get("language"), LANGUAGES, DEFAULT_LANGUAGE),
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


def _choice(value: object, allowed: tuple[str, ...], default: str) -> str:
    text = _text(value)
    return next((option for option in allowed if option.lower() == text.lower()), default)


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


__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_VOICE",
    "LANGUAGES",
    "MAX_GREETING_CHARS",
    "MAX_HELP_TEXT_CHARS",
    "VOICES",
    "EndpointSettings",
    "app_id_of",
]
