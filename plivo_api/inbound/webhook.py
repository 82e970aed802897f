"""A Plivo webhook request as the endpoint receives it, its signature check and its answers.

The request is described without werkzeug or Dify: method, the path the plugin sees, the
parameters (form body for POST, query for GET), the raw query and the headers. The URL Plivo
called is not the URL the plugin sees (Dify strips ``/e/<hook_id>``): it is rebuilt from the
``Dify-Hook-Url`` header the daemon adds, or from the ``public_url`` setting when a reverse proxy
hides the real host or scheme (see :mod:`plivo_api.signature`).

Answers never reveal why a request was refused: a 403 has a fixed body, and the log line names
the kind of failure only (no URL, number, text or token).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from ..features import KeyValueStore
from ..kvstore import StorageError, StorageScope
from ..nonces import NonceBook
from ..signature import (
    HOOK_URL_HEADER,
    REASON_MISMATCH,
    REASON_NO_KEY,
    REASON_NO_NONCE,
    REASON_NO_SIGNATURE,
    REASON_NO_URL,
    candidate_urls,
    verify_request,
)
from ..xml import XML_CONTENT_TYPE, empty_response
from .settings import EndpointSettings

logger = logging.getLogger(__name__)

HOOK_ID_HEADER: Final = "Dify-Hook-Id"
ENDPOINT_PATH_PREFIX: Final = "/e/"
"""Dify's public endpoint URLs are ``<base>/e/<hook_id><path>``."""
RETRY_AFTER_SECONDS: Final = 60
FORBIDDEN_BODY: Final = "Forbidden"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"

_REASON_NAMES: Final = (
    (REASON_NO_SIGNATURE, "no signature header"),
    (REASON_NO_NONCE, "no nonce"),
    (REASON_NO_KEY, "no Auth Token in the endpoint settings"),
    (REASON_NO_URL, "no public URL to check against"),
    (REASON_MISMATCH, "signature mismatch"),
)


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    path: str
    params: Mapping[str, list[str]]
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return ""


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: str
    content_type: str = XML_CONTENT_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)


def accepted() -> WebhookAnswer:
    """200 with an empty ``<Response>``: Plivo sends nothing itself and does not retry."""
    return WebhookAnswer(200, empty_response())


def retry_later() -> WebhookAnswer:
    """503: Plivo retries a non-2xx answer after 60, 120 and 240 seconds."""
    return WebhookAnswer(503, empty_response(), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def forbidden() -> WebhookAnswer:
    return WebhookAnswer(403, FORBIDDEN_BODY, TEXT_CONTENT_TYPE)


def signed_urls(request: WebhookRequest, settings: EndpointSettings) -> tuple[str, ...]:
    """Every URL Plivo may have signed, most explicit first.

    ``public_url`` may be the full endpoint URL, the endpoint's base (``.../e/<hook_id>``) or
    just the site (``https://dify.example.com``); the last gets ``/e/<hook_id>`` from the
    ``Dify-Hook-Id`` header.
    """
    public = settings.public_url
    hook_id = request.header(HOOK_ID_HEADER)
    # Dify passes a Dify-Hook-Url the caller set through unchanged: it is trusted only when it
    # names this endpoint's own route (a signature made for another URL proves nothing here).
    hook_url = request.header(HOOK_URL_HEADER)
    own_path = f"{ENDPOINT_PATH_PREFIX}{hook_id}{request.path}"
    if not hook_id or not _path_of(hook_url).endswith(own_path):
        hook_url = ""
    publics = [public]
    if public and hook_id and ENDPOINT_PATH_PREFIX not in _path_of(public):
        publics.append(public.rstrip("/") + ENDPOINT_PATH_PREFIX + hook_id)
    found: list[str] = []
    for base in publics:
        for url in candidate_urls(
            hook_url=hook_url or None,
            public_url=base or None,
            route_path=request.path,
            query=request.query,
        ):
            if url not in found:
                found.append(url)
    return tuple(found)


@dataclass(frozen=True)
class Verified:
    """Plivo signed the request; ``nonce`` is the one its signature was made with."""

    nonce: str


def check_signature(
    request: WebhookRequest, settings: EndpointSettings, what: str
) -> Verified | WebhookAnswer:
    """:class:`Verified` when Plivo signed the request; otherwise the 403 to answer (and one log
    line). Nothing is read from storage before this passes."""
    post = request.method.upper() == "POST"
    check = verify_request(
        method=request.method,
        urls=signed_urls(request, settings),
        params=request.params if post else None,  # a GET's parameters are in its URL
        headers=request.headers,
        auth_tokens=settings.auth_token,
    )
    if check.valid:
        return Verified(check.nonce or "")
    reason = next((name for text, name in _REASON_NAMES if check.reason.startswith(text)), "")
    logger.warning(
        "%s request refused: Plivo signature check failed (%s%s)",
        what,
        reason or "invalid",
        "; compare the endpoint URL at Plivo with public_url" if check.version else "",
    )
    return forbidden()


def refuse_replay(
    verified: Verified,
    subject: str,
    settings: EndpointSettings,
    what: str,
    store: KeyValueStore,
) -> WebhookAnswer | None:
    """None unless the signature's nonce already vouched for another ``subject`` (a message UUID,
    a report): a captured signature posted with another body is refused. Called before anything
    with an effect, after the cheap checks that need no storage."""
    book = NonceBook(store, StorageScope.for_account(settings.auth_id))
    try:
        fresh = book.first_use(verified.nonce, subject)
    except StorageError:
        logger.warning("%s: plugin storage failed while checking the signature; retry", what)
        return retry_later()
    if fresh:
        return None
    logger.warning("%s request refused: its signature was already used for another request", what)
    return forbidden()


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


__all__ = [
    "HOOK_ID_HEADER",
    "RETRY_AFTER_SECONDS",
    "Verified",
    "WebhookAnswer",
    "WebhookRequest",
    "accepted",
    "check_signature",
    "forbidden",
    "refuse_replay",
    "retry_later",
    "signed_urls",
]
