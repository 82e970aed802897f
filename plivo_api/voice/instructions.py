"""A call's instructions, signed by the plugin into the URLs Plivo is given, and their XML.

``make_call`` in a speaking mode gives Plivo an answer URL on this plugin's endpoint
(``{endpoint_url}/voice/answer?...``). Anyone who knows the endpoint's address could call that
route, so two checks guard it: Plivo's own signature (only Plivo can make it), and this module's
signature over the call's instructions, so that even a request Plivo signed can only ever speak
what a ``make_call`` of this account asked for. The query carries:

- ``c``: a random call id (the key of the call's answer in plugin storage),
- ``t``: when the instructions were signed (they expire after :data:`MAX_AGE_SECONDS`),
- ``i``: the instructions as compact JSON, base64url-encoded, or ``k``: the id under which they
  were kept in plugin storage when they are too long for a URL (:data:`MAX_INLINE_CHARS`),
- ``s``: base64url(HMAC-SHA256(key, the fields above)), where the key is
  HMAC-SHA256(Auth Token, :data:`PURPOSE_LABEL`): the Auth Token itself never signs anything
  but Plivo's own scheme, and a signature made here is worth nothing anywhere else.

The tool signs with the provider's Auth Token and the endpoint checks with the Auth Token in its
settings, so both must belong to the same Plivo account. The same signed query serves the three
routes of a call (answer, input, event): swapping any field with another call's breaks ``s``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode, urlsplit

from ..errors import InputError
from ..params import http_url
from ..text import shorten
from ..webhooks import xml
from ..webhooks.kvstore import (
    KeyValueStore,
    StorageScope,
    read_optional,
    write_record,
)

MODES: Final = ("speak", "play", "ask")
PURPOSE_LABEL: Final = b"plivo-sms:voice-instructions:v1"
MAX_AGE_SECONDS: Final = 90_000
"""25 hours: Plivo ends every call after 24 hours, so no genuine request comes later."""
MAX_INLINE_CHARS: Final = 1_500
"""Encoded instructions longer than this go to plugin storage: URLs of a few kilobytes are cut
by some proxies, and Plivo documents no limit for its callback URLs."""
CALL_ID_BYTES: Final = 16
STORED_ID_BYTES: Final = 24
DEFAULT_VOICE: Final = "WOMAN"
DEFAULT_LANGUAGE: Final = "en-US"
ENDPOINT_PATH_PREFIX: Final = "/e/"
ROUTE_ANSWER: Final = "/voice/answer"
ROUTE_INPUT: Final = "/voice/input"
ROUTE_EVENT: Final = "/voice/event"
SIGNED_FIELDS: Final = ("c", "t", "i", "k", "s")
WHERE_ENDPOINT_URL: Final = (
    "In Dify open Plugins → Plivo SMS → Endpoints (add an endpoint with the same Auth ID and "
    "Auth Token if there is none) and copy one of the URLs it shows, "
    "https://<your Dify>/e/<id>/..., into the plugin's credential 'Endpoint URL'."
)


@dataclass(frozen=True)
class CallInstructions:
    """What the callee hears: ``text`` is spoken (speak) or asked (ask); ``play_url`` played."""

    mode: str
    text: str = ""
    play_url: str = ""
    input_type: str = "dtmf"
    voice: str = DEFAULT_VOICE
    language: str = DEFAULT_LANGUAGE
    record: bool = False
    transcribe: bool = False

    def to_record(self) -> dict[str, object]:
        record: dict[str, object] = {"m": self.mode, "v": self.voice, "l": self.language}
        if self.text:
            record["x"] = self.text
        if self.play_url:
            record["p"] = self.play_url
        if self.mode == "ask":
            record["n"] = self.input_type
        if self.record:
            record["r"] = 1
        if self.transcribe:
            record["tr"] = 1
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> CallInstructions | None:
        """The instructions of a record this module wrote; None for anything else."""
        mode, text, url = record.get("m"), record.get("x", ""), record.get("p", "")
        voice, language = record.get("v"), record.get("l")
        input_type = record.get("n", "dtmf")
        if not (
            mode in MODES
            and isinstance(text, str)
            and isinstance(url, str)
            and isinstance(voice, str)
            and isinstance(language, str)
            and input_type in xml.INPUT_TYPES
        ):
            return None
        return cls(
            mode=str(mode),
            text=text,
            play_url=url,
            input_type=str(input_type),
            voice=voice,
            language=language,
            record=record.get("r") == 1,
            transcribe=record.get("tr") == 1,
        )


@dataclass(frozen=True)
class SignedCall:
    """The signed query of one call and, when the instructions are long, what to store first."""

    call_id: str
    query: Mapping[str, str]
    stored_key: str | None = None
    stored_record: Mapping[str, object] | None = None

    def url(self, endpoint_base: str, route: str) -> str:
        return f"{endpoint_base}{route}?{urlencode(dict(self.query))}"

    def keep(self, store: KeyValueStore) -> None:
        """Store long instructions (one storage call); nothing for inline ones."""
        if self.stored_key is not None and self.stored_record is not None:
            write_record(store, self.stored_key, self.stored_record)


@dataclass(frozen=True)
class VerifiedQuery:
    """A query this module signed: inline ``instructions``, or ``stored_key`` to read them."""

    call_id: str
    instructions: CallInstructions | None
    stored_key: str | None


def sign_call(
    instructions: CallInstructions, auth_id: str, auth_token: str, *, now: float
) -> SignedCall:
    """The signed query of a new call (a fresh call id each time)."""
    call_id = secrets.token_urlsafe(CALL_ID_BYTES)
    fields = {"c": call_id, "t": str(int(now))}
    encoded = _encode(instructions.to_record())
    stored_key = stored_record = None
    if len(encoded) <= MAX_INLINE_CHARS:
        fields["i"] = encoded
    else:
        stored_id = secrets.token_urlsafe(STORED_ID_BYTES)
        fields["k"] = stored_id
        stored_key = _stored_key(auth_id, stored_id)
        stored_record = instructions.to_record()
    fields["s"] = _signature(fields, auth_token)
    return SignedCall(call_id, fields, stored_key, stored_record)


def verify_query(
    fields: Mapping[str, list[str]], auth_id: str, auth_token: str, *, now: float
) -> VerifiedQuery | None:
    """The call the query was signed for, or None: unsigned, tampered, expired or malformed."""
    single: dict[str, str] = {}
    for name in SIGNED_FIELDS:
        values = fields.get(name) or []
        if len(values) > 1:
            return None
        if values:
            single[name] = values[0]
    signature = single.pop("s", "")
    if not signature or not auth_token or not single.get("c") or not single.get("t"):
        return None
    if ("i" in single) == ("k" in single):
        return None
    expected = _signature(single, auth_token)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    try:
        signed_at = int(single["t"])
    except ValueError:
        return None
    if not 0 <= now - signed_at <= MAX_AGE_SECONDS:
        return None
    if "k" in single:
        return VerifiedQuery(single["c"], None, _stored_key(auth_id, single["k"]))
    record = _decode(single["i"])
    instructions = None if record is None else CallInstructions.from_record(record)
    if instructions is None:
        return None
    return VerifiedQuery(single["c"], instructions, None)


def load_stored(store: KeyValueStore, key: str) -> CallInstructions | None:
    """Instructions kept in storage by :meth:`SignedCall.keep` (one storage call)."""
    raw = read_optional(store, key)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return CallInstructions.from_record(record) if isinstance(record, dict) else None


def answer_xml(instructions: CallInstructions, input_url: str, event_url: str) -> str:
    """The ``<Response>`` Plivo runs when the call is answered."""
    elements: list[str] = []
    if instructions.record:
        elements.append(
            xml.record(
                record_session=True,
                callback_url=event_url,
                transcription_url=event_url if instructions.transcribe else None,
            )
        )
    if instructions.mode == "play":
        elements.append(xml.play(instructions.play_url))
    elif instructions.mode == "speak":
        elements.append(_speak(instructions, instructions.text))
    else:
        prompt = _speak(instructions, instructions.text)
        elements.append(
            xml.get_input(
                input_url,
                prompt,
                input_type=instructions.input_type,
                language=instructions.language,
            )
        )
    return xml.call_response(*elements)


def _speak(instructions: CallInstructions, text: str) -> str:
    return xml.speak(text, voice=instructions.voice, language=instructions.language)


def endpoint_base(value: str | None) -> str:
    """``https://<dify>/e/<hook_id>`` from any URL of the endpoint; InputError naming
    ``endpoint_url`` (and where to find it) when it is missing or is not one."""
    if not value:
        raise InputError(
            "endpoint_url",
            "endpoint_url is not set: speak_text, play_url and ask need this plugin's endpoint "
            f"to serve the call. {WHERE_ENDPOINT_URL} The endpoint URL is part of the plugin's "
            "setup: if you are an assistant, tell the user.",
        )
    # Not public=True: a self-hosted Dify may be reached through a tunnel or a proxy whose
    # address only the builder knows; Plivo must be able to fetch it either way (see the docs).
    url = http_url(value.strip(), "endpoint_url")
    parts = urlsplit(url)
    prefix, marker, rest = parts.path.partition(ENDPOINT_PATH_PREFIX)
    hook_id = rest.split("/", 1)[0]
    if not marker or not hook_id:
        raise InputError(
            "endpoint_url",
            f"endpoint_url: {shorten(value, 200)!r} is not an endpoint URL of Dify (they look "
            f"like https://<your Dify>/e/<id>/...). {WHERE_ENDPOINT_URL}",
        )
    return f"{parts.scheme}://{parts.netloc}{prefix}{ENDPOINT_PATH_PREFIX}{hook_id}"


def _derived_key(auth_token: str) -> bytes:
    return hmac.new(auth_token.encode("utf-8"), PURPOSE_LABEL, hashlib.sha256).digest()


def _signature(fields: Mapping[str, str], auth_token: str) -> str:
    canonical = "\n".join(f"{name}={fields[name]}" for name in sorted(fields))
    mac = hmac.new(_derived_key(auth_token), canonical.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def _stored_key(auth_id: str, stored_id: str) -> str:
    scope = StorageScope.for_account(auth_id)
    return scope.key("voice", "instructions", hashlib.sha256(stored_id.encode()).hexdigest()[:40])


def _encode(record: Mapping[str, object]) -> str:
    data = json.dumps(record, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(text: str) -> dict[str, object] | None:
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        record = json.loads(data.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_VOICE",
    "MAX_AGE_SECONDS",
    "MAX_INLINE_CHARS",
    "MODES",
    "PURPOSE_LABEL",
    "ROUTE_ANSWER",
    "ROUTE_EVENT",
    "ROUTE_INPUT",
    "SIGNED_FIELDS",
    "CallInstructions",
    "SignedCall",
    "VerifiedQuery",
    "answer_xml",
    "endpoint_base",
    "load_stored",
    "sign_call",
    "verify_query",
]
