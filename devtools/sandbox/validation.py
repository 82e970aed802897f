"""Validation of ``POST /Message/`` the way Plivo does it, as pure functions.

Decisions where Plivo's docs are silent (the texts are Plivo-like, not Plivo's verbatim):

- every destination invalid → 400 with ``invalid_number`` (a 202 without any UUID helps nobody);
- any valid destination in a geo-blocked country → 403 for the whole request, nothing is sent;
- a trial (``developer``) account sending to an unverified number → 400, nothing is sent (a 403
  would be read as a geo-permission problem by Plivo's SDK);
- the 1,000-destination limit counts unique entries, valid and invalid alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from devtools.sandbox.accounts import SandboxAccount
from devtools.sandbox.answers import Rejected
from devtools.sandbox.catalog import (
    MAX_NUMBER_DIGITS,
    country_code_of,
    is_valid_destination,
    strip_number,
)
from devtools.sandbox.messages import text_length_error

MAX_DESTINATIONS = 1000
MAX_MEDIA = 10
MAX_ALPHANUMERIC_SENDER = 11
MESSAGE_EXPIRY_RANGE = (5, 10_799)
MESSAGE_TYPES = ("sms", "mms", "whatsapp")
LOG_VALUES = ("true", "false", "number_only", "content_only")
DEFAULT_GEO_BLOCKED = frozenset({"86", "7"})  # China, Russia/Kazakhstan
GEO_BLOCKED_ERROR = "destination country is not enabled in geo permissions"
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


class SendRejected(Rejected):
    """Plivo refuses a send; ``extra`` goes into the JSON error body."""


@dataclass(frozen=True)
class SendRequest:
    src: str | None
    powerpack_uuid: str | None
    destinations: tuple[str, ...]
    invalid: tuple[str, ...]
    text: str
    message_type: str
    options: dict[str, object] = field(default_factory=dict)


def _bad(error: str) -> SendRejected:
    return SendRejected(400, error)


def _optional_text(params: Mapping[str, object], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad(f"{name} must be a string")
    return str(value)


def _sender(raw: str, message_type: str) -> str:
    sender = _NOT_ALNUM.sub("", raw)
    if not sender:
        raise _bad("src is not a valid phone number or sender ID")
    if sender.isdigit():
        if len(sender) > MAX_NUMBER_DIGITS:
            raise _bad(f"src is too long: at most {MAX_NUMBER_DIGITS} digits with country code")
    elif len(sender) > MAX_ALPHANUMERIC_SENDER or message_type != "sms":
        raise _bad(
            f"src: alphanumeric sender IDs are limited to {MAX_ALPHANUMERIC_SENDER} characters "
            "and to SMS"
        )
    return sender


def _destinations(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    valid: dict[str, None] = {}
    invalid: dict[str, None] = {}
    for part in raw.split("<"):
        digits = strip_number(part)
        if not digits:
            continue
        if is_valid_destination(digits):
            valid[digits] = None
        else:
            invalid[part] = None
    total = len(valid) + len(invalid)
    if total > MAX_DESTINATIONS:
        raise _bad(
            f"too many destination numbers in dst: {total} unique numbers, "
            f"at most {MAX_DESTINATIONS} are allowed"
        )
    if not valid:
        raise SendRejected(
            400,
            "dst has no valid destination number: numbers must begin with the country code "
            "(E.164 without +)",
            invalid_number=list(invalid),
        )
    return tuple(valid), tuple(invalid)


def _url_list(params: Mapping[str, object], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad(f"{name} must be a list of strings")
    if len(value) > MAX_MEDIA:
        raise _bad(f"{name} accepts at most {MAX_MEDIA} entries, got {len(value)}")
    return [str(item) for item in value]


def _options(params: Mapping[str, object]) -> dict[str, object]:
    options: dict[str, object] = {}
    if "log" in params:
        log = params["log"]
        if not isinstance(log, str):
            raise _bad(
                "log must be a string: 'true', 'false', 'number_only' or 'content_only' "
                f"(got {type(log).__name__})"
            )
        if log not in LOG_VALUES:
            raise _bad("log must be one of 'true', 'false', 'number_only', 'content_only'")
        options["log"] = log
    if params.get("message_expiry") is not None:
        expiry = params["message_expiry"]
        low, high = MESSAGE_EXPIRY_RANGE
        if isinstance(expiry, str) and expiry.strip().isdigit():
            expiry = int(expiry)
        if isinstance(expiry, bool) or not isinstance(expiry, int) or not low <= expiry <= high:
            raise _bad(f"message_expiry must be an integer number of seconds from {low} to {high}")
        options["message_expiry"] = expiry
    if params.get("method") is not None:
        method = params["method"]
        if not isinstance(method, str) or method.upper() not in ("GET", "POST"):
            raise _bad("method must be GET or POST")
        options["method"] = method.upper()
    if params.get("url") is not None:
        url = params["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _bad("url must be an http:// or https:// URL")
        options["url"] = url
    if "trackable" in params:
        trackable = params["trackable"]
        if trackable not in (True, False, "true", "false"):
            raise _bad("trackable must be true or false")
        options["trackable"] = trackable in (True, "true")
    for name in ("dlt_entity_id", "dlt_template_id", "dlt_template_category"):
        value = _optional_text(params, name)
        if value is not None:
            options[name] = value
    return options


def parse_send(params: Mapping[str, object]) -> SendRequest:
    """Validate a send body (JSON object or form fields); raises ``SendRejected``."""
    message_type = params.get("type") or "sms"
    if not isinstance(message_type, str) or message_type not in MESSAGE_TYPES:
        raise _bad(f"type must be one of: {', '.join(MESSAGE_TYPES)}")
    src = _optional_text(params, "src")
    powerpack = _optional_text(params, "powerpack_uuid")
    if src is not None and powerpack is not None:
        raise _bad("src and powerpack_uuid cannot both be given: use exactly one of them")
    if src is None and powerpack is None:
        raise _bad("either src or powerpack_uuid is required")
    if message_type == "whatsapp" and src is None:
        raise _bad("src is required for type whatsapp")
    if "template" in params and message_type != "whatsapp":
        raise _bad("template requires type whatsapp")
    dst = _optional_text(params, "dst")
    if dst is None:
        raise _bad("missing required parameter: dst")
    media_urls = _url_list(params, "media_urls")
    media_ids = _url_list(params, "media_ids")
    if message_type == "sms" and (media_urls or media_ids):
        raise _bad("media_urls and media_ids require type mms or whatsapp")
    if "interactive" in params and message_type != "whatsapp":
        raise _bad("interactive requires type whatsapp")
    if any(not url.startswith(("http://", "https://")) for url in media_urls):
        raise _bad("media_urls must be http:// or https:// URLs")
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        raise _bad("text must be a string")
    text = text or ""
    has_media = bool(media_urls or media_ids)
    if not text and not has_media and "template" not in params and "interactive" not in params:
        raise _bad("missing required parameter: text")
    length_error = None if message_type == "whatsapp" else text_length_error(text)
    if length_error:
        raise _bad(length_error)
    options = _options(params)
    if media_urls:
        options["media_urls"] = media_urls
    if media_ids:
        options["media_ids"] = media_ids
    if powerpack is not None:
        options["powerpack_uuid"] = powerpack
    destinations, invalid = _destinations(dst)
    sender = None if src is None else _sender(src, message_type)
    return SendRequest(sender, powerpack, destinations, invalid, text, message_type, options)


def check_permissions(
    request: SendRequest, account: SandboxAccount, geo_blocked: Sequence[str] | frozenset[str]
) -> None:
    """Account-level refusals that come after the request itself is well-formed."""
    for number in request.destinations:
        if country_code_of(number) in geo_blocked:
            raise SendRejected(403, GEO_BLOCKED_ERROR)
    if account.is_trial:
        for number in request.destinations:
            if number not in account.verified_numbers:
                raise _bad(
                    f"trial account: {number} is not a verified number; verify it on the "
                    "console's Sandbox Numbers page or upgrade the account"
                )
