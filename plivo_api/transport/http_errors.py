"""Turn an HTTP error answer into the right :class:`~plivo_api.errors.PlivoError` with advice.

This is the only place that knows which status means what; the client calls :func:`error_for_status`
and raises what it returns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import (
    AuthenticationError,
    GeoPermissionError,
    InsufficientCreditError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PlivoError,
    RateLimitedError,
    ServerError,
    TrialAccountError,
)
from ..text import SHOWN_INPUT_CHARS
from .credentials import CONSOLE_URL

MAX_QUOTED_BODY_CHARS = 200
MAX_SHOWN_RETRY_AFTER_SECONDS = 3600
"""A ``Retry-After`` further away than this is shown as "later": a date decades ahead is a
misconfigured proxy, not advice."""
SHOWN_INVALID_NUMBERS = 5
STATUS_PAGE_URL = "https://status.plivo.com"

# What Plivo's ``error`` text says decides the advice, before the HTTP status does. Each pattern is
# matched case-insensitively against Plivo's own words.
_INSUFFICIENT_CREDIT = re.compile(
    r"insufficient (credit|balance|fund)|out of credit|low balance", re.I
)
_TRIAL = re.compile(r"trial|sandbox number|not verified|unverified|verified number", re.I)
_GEO = re.compile(
    r"geo[ -]?permission|country is not enabled|not enabled for (this )?country", re.I
)
_SENDER = re.compile(r"\bsrc\b|source number|sender|from number|powerpack", re.I)
_DESTINATION = re.compile(r"\bdst\b|destination", re.I)
_TEXT = re.compile(r"\btext\b|message (is )?too long|message length", re.I)
_MEDIA = re.compile(r"\bmedia", re.I)
_CALLBACK = re.compile(r"\burl\b|\bmethod\b", re.I)
_TAG = re.compile(r"<[^>]*>")
_HEAD = re.compile(r"<head[^>]*>.*?</head>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>([^<]+)</title>", re.IGNORECASE)
_JSON_FIELD = re.compile(r'"(api_id|error|message)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ErrorBody:
    """What a Plivo error body told us: its ``api_id``, a readable reason, refused numbers."""

    api_id: str | None
    reason: str | None
    invalid_numbers: tuple[str, ...] = ()


def _unchanged(text: str) -> str:
    return text


def parse_error_body(
    body: bytes, content_type: str | None, redact: Callable[[str], str] = _unchanged
) -> ErrorBody:
    """Plivo sends ``{"api_id", "error"}`` (sometimes ``message``); proxies send HTML or nothing.

    ``redact`` runs before the text is shortened, so a credential cut in half by the length
    limit cannot survive in part.
    """
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return ErrorBody(None, None)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        api_id = data.get("api_id")
        reason = data.get("error") or data.get("message") or data.get("detail")
        if isinstance(reason, dict):
            reason = "; ".join(f"{k}: {v}" for k, v in reason.items())
        invalid = data.get("invalid_number") or []
        if isinstance(invalid, str):
            invalid = [part for part in invalid.split("<") if part]
        return ErrorBody(
            _shorten(redact(str(api_id))) if api_id else None,
            _shorten(redact(str(reason))) if reason else None,
            tuple(_shorten(redact(str(n)), SHOWN_INPUT_CHARS) for n in invalid)
            if isinstance(invalid, list)
            else (),
        )
    if text.startswith("{"):  # JSON cut short: keep what its fields say, not the raw braces
        fields = dict(_JSON_FIELD.findall(text))
        reason = fields.get("error") or fields.get("message")
        api_id = fields.get("api_id")
        return ErrorBody(
            _shorten(redact(api_id)) if api_id else None,
            _shorten(redact(reason)) if reason else None,
        )
    if (content_type and "html" in content_type.lower()) or text.startswith("<"):
        text = _html_text(text)
    return ErrorBody(None, _shorten(redact(text)) or None)


def _html_text(page: str) -> str:
    """A proxy's error page as one line: its body text, led by the title if the body lacks it."""
    title = _TITLE.search(page)
    body = _SPACE.sub(" ", _TAG.sub(" ", _HEAD.sub(" ", page))).strip()
    if title and title.group(1).strip() not in body:
        return f"{title.group(1).strip()}: {body}" if body else title.group(1).strip()
    return body


def _shorten(text: str, limit: int = MAX_QUOTED_BODY_CHARS) -> str:
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def error_for_status(
    status: int,
    body: ErrorBody,
    *,
    creates: str | None,
    masked_auth_id: str,
    retry_after: float | None = None,
    reaches_destinations: bool = False,
) -> PlivoError:
    """The error class and the advice for an error answer, from what Plivo said, then its status.

    ``creates`` (what to check before repeating) marks a request that creates something at
    Plivo: a 5xx answer to it does not prove that nothing was created, so it becomes
    :class:`OutcomeUnknownError`.
    """
    said = f": {body.reason}" if body.reason else ""
    if status == 429:
        return RateLimitedError(
            f"Plivo rate limited this request{said}; {_wait_text(retry_after)}. Plivo allows 300 "
            "API requests per 5 seconds per account (List Messages: 20 per minute).",
            retry_after=retry_after,
            status=status,
            api_id=body.api_id,
            plivo_error=body.reason,
        )
    cls, message = _classify(
        status,
        body,
        said,
        creates=creates,
        masked_auth_id=masked_auth_id,
        reaches_destinations=reaches_destinations,
    )
    return cls(message, status=status, api_id=body.api_id, plivo_error=body.reason)


def _wait_text(retry_after: float | None) -> str:
    if retry_after is None:
        return "retry in a minute"
    if retry_after > MAX_SHOWN_RETRY_AFTER_SECONDS:
        return "retry later"
    return f"retry in {max(1, math.ceil(retry_after))} s"


def _classify(
    status: int,
    body: ErrorBody,
    said: str,
    *,
    creates: str | None,
    masked_auth_id: str,
    reaches_destinations: bool,
) -> tuple[type[PlivoError], str]:
    reason = body.reason or ""
    if status == 401:
        return AuthenticationError, (
            f"Plivo rejected the Auth ID or Auth Token (Auth ID {masked_auth_id}){said}. Copy both "
            f"again from the Plivo console overview page ({CONSOLE_URL}) into the plugin's "
            "credentials."
        )
    if 500 <= status < 600 and creates:
        return OutcomeUnknownError, f"Plivo answered with a server error{said}. {creates}"
    if 500 <= status < 600:
        return ServerError, (
            f"Plivo had a server error{said}. Try again in a few seconds; if it persists, check "
            f"{STATUS_PAGE_URL}."
        )
    if status == 404:
        return NotFoundError, f"Plivo found no such resource{said}."
    if _INSUFFICIENT_CREDIT.search(reason):
        return InsufficientCreditError, (
            f"Plivo refused the request{said}. It means the account has no credit left. Add "
            f"credit in the Plivo console ({CONSOLE_URL}); sends keep failing for about 2 "
            "minutes after the credit ran out. If you are an assistant, tell the user; resending "
            "will not help."
        )
    if _TRIAL.search(reason):
        return TrialAccountError, (
            f"Plivo refused the request{said}. This is a trial Plivo account, which can only "
            "send to numbers verified on the console's Sandbox Numbers page. Verify the number "
            "there or upgrade the account; if you are an assistant, tell the user."
        )
    if _GEO.search(reason) or (status == 403 and reaches_destinations):
        return GeoPermissionError, (
            f"Plivo refused this destination{said}. Enable the destination country in the Plivo "
            "console's Geo Permissions (Messaging > Geo Permissions for texts, Voice > Geo "
            "Permissions for calls) and check the sender is allowed for it; if you are an "
            "assistant, tell the user."
        )
    if status == 403:
        return PermissionDeniedError, (
            f"Plivo denied access{said}. This account or subaccount may not use this API; check "
            "its permissions in the Plivo console."
        )
    return InvalidRequestError, f"Plivo refused the request{said}. {_fix_for(body)}"


def _fix_for(body: ErrorBody) -> str:
    """What to change, worded for whoever can change it (the sender is never the agent's)."""
    reason = body.reason or ""
    if body.invalid_numbers:
        numbers = ", ".join(body.invalid_numbers[:SHOWN_INVALID_NUMBERS])
        more = len(body.invalid_numbers) - SHOWN_INVALID_NUMBERS
        numbers += f" and {more} more" if more > 0 else ""
        return (
            f"Plivo refused these numbers: {numbers}. Write them in international format with "
            "the country code (e.g. +14155552671)."
        )
    if _SENDER.search(reason):
        return (
            "The sender is not a number, short code or sender ID this Plivo account may send "
            "from. The sender is part of the tool's setup (From number, or the plugin's Default "
            "sender), not of the request: if you are an assistant, tell the user."
        )
    if _DESTINATION.search(reason):
        return (
            "Check the destination numbers in to: international format with the country code, "
            "e.g. +14155552671."
        )
    if _TEXT.search(reason):
        return "Check message: at most 1,600 GSM-7 or 737 UCS-2 characters."
    if _MEDIA.search(reason):
        return (
            "Check media_urls: public http(s) URLs of images or files that Plivo can fetch "
            "(at most 10, under 5 MB in total)."
        )
    if _CALLBACK.search(reason):
        return (
            "Check the URLs given (callback_url, answer_url, hangup_url, …): public http(s) URLs "
            "that Plivo can reach."
        )
    return "Check the values you passed against the tool's description and try again."
