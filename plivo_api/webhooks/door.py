"""The one way in for Plivo webhooks: the request, the answer, and the three checks every
receiver makes before anything has an effect.

Both receivers use it: the SMS plugin's endpoint (:mod:`plivo_api.inbound`) and the trigger
(:mod:`plivo_api.trigger.dispatch`). A request is described without werkzeug or Dify; the answer
is what Plivo gets back (and, for the trigger, the event to start).

The checks, in order:

1. **verify the signature** (:func:`check_signature`): a request Plivo did not sign gets a 403
   with a fixed body and starts nothing; nothing is read from storage before this passes;
2. **refuse a replay** (:func:`refuse_replay`): a V2 signature covers only the URL and a nonce,
   so a captured V2 header could carry any other body; the nonce is remembered with what it
   vouched for (:mod:`plivo_api.webhooks.nonces`). A V3 signature covers the parameters: posting it
   again posts the same message, which step 3 drops, so V3 requests cost no storage here;
3. **drop a duplicate**: Plivo retries every callback that got no 2xx answer within 8 seconds,
   after 60, 120 and 240 seconds, each time signed anew (a fresh nonce). The trigger remembers
   each event it dispatched (:class:`DispatchedEvents`); the endpoint's handlings take a lease
   (:mod:`plivo_api.inbound.leases`), because they run an app and may need to run it again when
   a handling died.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs

from .kvstore import (
    KeyValueStore,
    StorageError,
    StorageScope,
    guarded,
    number_of,
    read_record_or_none,
    slot_of,
    text_of,
    write_record,
)
from .nonces import NonceBook
from .signature import (
    REASON_MISMATCH,
    REASON_NO_KEY,
    REASON_NO_NONCE,
    REASON_NO_SIGNATURE,
    REASON_NO_URL,
    VERSION_V2,
    FormParams,
    HeaderSource,
    form_lists,
    verify_request,
)
from .xml import XML_CONTENT_TYPE, empty_response

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS: Final = 60
FORBIDDEN_BODY: Final = "Forbidden"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
EVENT_MEMORY_SECONDS: Final = 3600
"""How long a dispatched event is remembered. Plivo's last retry comes about 7.5 minutes after
the first attempt (8 s timeouts, then 60, 120 and 240 s); an hour is eight times that."""
CLOCK_SKEW_SECONDS: Final = 60
"""A remembered time this far ahead of the clock still counts as now: times are stored rounded
to the millisecond (so a delivery right after the first reads a slightly future time), and two
plugin processes' clocks may differ a little."""
EVENT_SLOTS: Final = 4096
"""Dispatched events live one per slot key: storage stays bounded (about 4096 x 60 bytes), and
two events never share a record (an unrelated event can only take a slot whose event is older
than :data:`EVENT_MEMORY_SECONDS`, or collide with a one in 4096 chance, which costs a dropped
memory, never a dispatch)."""

_REASON_NAMES: Final = (
    (REASON_NO_SIGNATURE, "no signature header"),
    (REASON_NO_NONCE, "no nonce"),
    (REASON_NO_KEY, "no Auth Token"),
    (REASON_NO_URL, "no public URL to check against"),
    (REASON_MISMATCH, "signature mismatch"),
)


@dataclass(frozen=True, kw_only=True)
class WebhookRequest:
    """The parts of an incoming request its answer depends on.

    ``path`` is the path the plugin sees (the endpoint rebuilds the signed URL from it and the
    daemon's headers); ``endpoint`` is the URL Plivo was given, when the receiver knows it (a
    trigger subscription). ``query`` is the raw query string; ``params`` the form fields of a
    POST. A GET's parameters are read from ``query`` itself, the part its signature covers.
    """

    method: str
    params: FormParams | None = None
    query: str = ""
    headers: HeaderSource | Mapping[str, str] = field(default_factory=dict)
    path: str = ""
    endpoint: str = ""

    @property
    def is_post(self) -> bool:
        return self.method.strip().upper() == "POST"

    def header(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self.headers.items():
            if str(key).lower() == wanted:
                return str(value)
        return ""

    def fields(self) -> dict[str, list[str]]:
        """Every parameter with all its values: the form of a POST, the query of a GET."""
        if self.is_post:
            return form_lists(self.params)
        return parse_qs(
            self.query.lstrip("?"), keep_blank_values=True, encoding="utf-8", errors="replace"
        )


@dataclass(frozen=True)
class WebhookAnswer:
    """The HTTP answer for Plivo, and the event (if any) a trigger starts workflows with.

    ``note`` says why nothing starts (refused, a duplicate, not an event); it never holds a
    token, a number or a message text, so it can be logged and shown.
    """

    status: int
    body: str
    content_type: str = XML_CONTENT_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)
    event: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    user_id: str = ""
    note: str = ""

    @property
    def events(self) -> list[str]:
        return [self.event] if self.event else []


def accepted() -> WebhookAnswer:
    """200 with an empty ``<Response>``: Plivo sends nothing itself and does not retry."""
    return WebhookAnswer(200, empty_response())


def retry_later(note: str = "") -> WebhookAnswer:
    """503: Plivo retries a non-2xx answer after 60, 120 and 240 seconds."""
    return WebhookAnswer(
        503, empty_response(), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, note=note
    )


def forbidden(note: str = "") -> WebhookAnswer:
    """403 with a fixed body: the caller learns nothing about why."""
    return WebhookAnswer(403, FORBIDDEN_BODY, TEXT_CONTENT_TYPE, note=note)


@dataclass(frozen=True)
class Verified:
    """Plivo signed the request: ``nonce`` is the one its signature was made with, ``version``
    the signature scheme that matched (``v3`` or ``v2``), ``url`` the URL it was made for."""

    nonce: str
    version: str
    url: str = ""


def check_signature(
    request: WebhookRequest, urls: tuple[str, ...], auth_token: str, what: str
) -> Verified | WebhookAnswer:
    """:class:`Verified` when Plivo signed the request for one of ``urls``; otherwise the 403 to
    answer (and one log line naming the kind of failure only: no URL, number, text or token)."""
    check = verify_request(
        method=request.method,
        urls=urls,
        params=request.params if request.is_post else None,  # a GET's are in its URL
        headers=request.headers,
        auth_tokens=auth_token,
    )
    if check.valid:
        return Verified(check.nonce or "", check.version or "", check.url or "")
    reason = next((name for text, name in _REASON_NAMES if check.reason.startswith(text)), "")
    logger.warning(
        "%s request refused: Plivo signature check failed (%s%s)",
        what,
        reason or "invalid",
        "; compare the endpoint URL at Plivo with public_url" if check.version else "",
    )
    checked = ", ".join(check.checked_urls) or "no URL"
    return forbidden(f"Refused: {check.reason}. Checked against: {checked}.")


def refuse_replay(
    verified: Verified, subject: str, store: KeyValueStore, scope: StorageScope, what: str
) -> WebhookAnswer | None:
    """None unless a V2 signature's nonce already vouched for another ``subject`` (a message
    UUID, a report): a captured V2 header posted with another body is refused with 403. Storage
    failing answers 503, so Plivo retries rather than the request being taken unchecked."""
    if verified.version != VERSION_V2:
        return None  # V3 signs the parameters: a replay is the same request, dropped as such
    try:
        fresh = NonceBook(store, scope).first_use(verified.nonce, subject)
    except StorageError:
        logger.warning("%s: plugin storage failed while checking the signature; retry", what)
        return retry_later("Storage failed; Plivo retries.")
    if fresh:
        return None
    logger.warning("%s request refused: its signature was already used for another request", what)
    return forbidden("Refused: the signature was already used for another request (a replay).")


class DispatchedEvents:
    """The events a receiver already dispatched, remembered for :data:`EVENT_MEMORY_SECONDS`.

    Three storage calls at most per event: read the event's slot, write it, read it back (two
    deliveries of one event at the same moment: the one whose write lands last dispatches).
    """

    def __init__(
        self, store: KeyValueStore, scope: StorageScope, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = guarded(store)
        self._scope = scope
        self._clock = clock

    def first_dispatch(self, event_id: str, owner: str) -> bool:
        """True (and remembered) unless ``event_id`` was dispatched within the memory window.

        ``owner`` tells this delivery apart from another delivery of the same event. Raises
        :class:`~plivo_api.webhooks.kvstore.StorageError` when the write fails.
        """
        digest = self._scope.digest_of(f"event:{event_id}")
        key = self._scope.key("events", slot_of(digest, EVENT_SLOTS))
        now = self._clock()
        record = read_record_or_none(self._store, key) or {}
        if (
            text_of(record.get("e")) == digest
            and -CLOCK_SKEW_SECONDS <= now - number_of(record.get("t")) < EVENT_MEMORY_SECONDS
        ):
            return False
        write_record(self._store, key, {"e": digest, "t": round(now, 3), "o": owner})
        back = read_record_or_none(self._store, key) or {}
        return text_of(back.get("e")) != digest or text_of(back.get("o")) == owner


__all__ = [
    "CLOCK_SKEW_SECONDS",
    "EVENT_MEMORY_SECONDS",
    "EVENT_SLOTS",
    "FORBIDDEN_BODY",
    "RETRY_AFTER_SECONDS",
    "TEXT_CONTENT_TYPE",
    "DispatchedEvents",
    "Verified",
    "WebhookAnswer",
    "WebhookRequest",
    "accepted",
    "check_signature",
    "forbidden",
    "refuse_replay",
    "retry_later",
]
