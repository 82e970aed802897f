"""The endpoint's side of the webhook front door (:mod:`plivo_api.webhooks.door`): which URL
Plivo signed, and the door's checks with the endpoint's settings.

The URL Plivo
called is not the URL the plugin sees (Dify strips ``/e/<hook_id>``): it is rebuilt from the
``Dify-Hook-Url`` header the daemon adds, or from the ``public_url`` setting when a reverse proxy
hides the real host or scheme (see :mod:`plivo_api.webhooks.signature`).

Answers never reveal why a request was refused: a 403 has a fixed body, and the log line names
the kind of failure only (no URL, number, text or token).
"""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import urlsplit

from ..webhooks.door import (
    RETRY_AFTER_SECONDS,
    Verified,
    WebhookAnswer,
    WebhookRequest,
    accepted,
    forbidden,
    retry_later,
)
from ..webhooks.door import check_signature as check_door_signature
from ..webhooks.door import refuse_replay as refuse_door_replay
from ..webhooks.kvstore import KeyValueStore, StorageScope
from ..webhooks.signature import HOOK_URL_HEADER, candidate_urls
from .settings import EndpointSettings

logger = logging.getLogger(__name__)

HOOK_ID_HEADER: Final = "Dify-Hook-Id"
ENDPOINT_PATH_PREFIX: Final = "/e/"
"""Dify's public endpoint URLs are ``<base>/e/<hook_id><path>``."""


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


def check_signature(
    request: WebhookRequest, settings: EndpointSettings, what: str
) -> Verified | WebhookAnswer:
    """:class:`Verified` when Plivo signed the request; otherwise the 403 to answer (and one log
    line). Nothing is read from storage before this passes."""
    return check_door_signature(request, signed_urls(request, settings), settings.auth_token, what)


def refuse_replay(
    verified: Verified,
    subject: str,
    settings: EndpointSettings,
    what: str,
    store: KeyValueStore,
) -> WebhookAnswer | None:
    """None unless the signature's nonce already vouched for another ``subject`` (a message UUID,
    a report): see :func:`plivo_api.webhooks.door.refuse_replay`."""
    scope = StorageScope.for_account(settings.auth_id)
    return refuse_door_replay(verified, subject, store, scope, what)


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
