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

from .errors import (
    AuthenticationError,
    GeoPermissionError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PlivoError,
    RateLimitedError,
    ServerError,
)

MAX_QUOTED_BODY_CHARS = 200
CONSOLE_URL = "https://console.plivo.com/dashboard/"
_TAG = re.compile(r"<[^>]*>")
_HEAD = re.compile(r"<head[^>]*>.*?</head>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>([^<]+)</title>", re.IGNORECASE)
_JSON_FIELD = re.compile(r'"(api_id|error|message)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ErrorBody:
    """What a Plivo error body told us: its ``api_id`` and a readable reason."""

    api_id: str | None
    reason: str | None


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
        return ErrorBody(
            _shorten(redact(str(api_id))) if api_id else None,
            _shorten(redact(str(reason))) if reason else None,
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


def _shorten(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    if len(text) > MAX_QUOTED_BODY_CHARS:
        text = text[: MAX_QUOTED_BODY_CHARS - 1] + "…"
    return text


def error_for_status(
    status: int,
    body: ErrorBody,
    *,
    creates: bool,
    masked_auth_id: str,
    retry_after: float | None = None,
) -> PlivoError:
    """The status → error-class mapping, with a sentence that says what to do.

    ``creates`` marks a request that creates something at Plivo (a send): a 5xx answer to it
    does not prove that nothing was created, so it becomes :class:`OutcomeUnknownError`.
    """
    said = f": {body.reason}" if body.reason else ""
    cls, message = _classify(status, said, creates=creates, masked_auth_id=masked_auth_id)
    if cls is RateLimitedError:
        wait = (
            f"retry in {math.ceil(retry_after)} s"
            if retry_after is not None
            else "retry in a minute"
        )
        return RateLimitedError(
            message.replace("{wait}", wait),
            retry_after=retry_after,
            status=status,
            api_id=body.api_id,
            plivo_error=body.reason,
        )
    return cls(message, status=status, api_id=body.api_id, plivo_error=body.reason)


def _classify(
    status: int, said: str, *, creates: bool, masked_auth_id: str
) -> tuple[type[PlivoError], str]:
    if status == 401:
        return AuthenticationError, (
            f"Plivo rejected the Auth ID or Auth Token (Auth ID {masked_auth_id}){said}. Copy both "
            f"again from the Plivo console overview page ({CONSOLE_URL}) into the plugin's "
            "credentials."
        )
    if status == 403 and creates:
        return GeoPermissionError, (
            f"Plivo refused to send to this destination{said}. Enable the destination country "
            "in the Plivo console (Messaging > Geo Permissions) and check the sender is "
            "allowed for it, then try again."
        )
    if status == 403:
        return PermissionDeniedError, (
            f"Plivo denied access{said}. This account or subaccount may not use this API; check "
            "its permissions in the Plivo console."
        )
    if status == 404:
        return NotFoundError, f"Plivo found no such resource{said}."
    if status == 429:
        return RateLimitedError, (
            f"Plivo rate limited this request{said}; {{wait}}. Plivo allows 300 API requests per "
            "5 seconds per account (List Messages: 20 per minute)."
        )
    if 500 <= status < 600 and creates:
        return OutcomeUnknownError, (
            f"Plivo answered with a server error{said}. The message may or may not have been "
            "queued: check list_messages before sending again."
        )
    if 500 <= status < 600:
        return ServerError, (
            f"Plivo had a server error{said}. Try again in a few seconds; if it persists, check "
            "https://status.plivo.com."
        )
    return InvalidRequestError, (
        f"Plivo refused the request{said}. Fix the parameter Plivo names and try again."
    )
