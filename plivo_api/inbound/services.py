"""What a webhook handling needs from its surroundings, so the core never imports Dify."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..messaging.sender import UUID_PATTERN
from ..transport.credentials import Credentials
from ..webhooks.kvstore import KeyValueStore
from .apps import AppInvoker
from .replies import MessageSender


@dataclass(frozen=True)
class Services:
    """Dify's storage and app invocation (from the endpoint's session) and a Plivo client."""

    store: KeyValueStore
    apps: AppInvoker
    messenger: Callable[[Credentials], MessageSender]
    clock: Callable[[], float] = time.time


def log_id(message_uuid: str) -> str:
    """The MessageUUID for a log line, or a placeholder when it is not a UUID."""
    return message_uuid.lower() if UUID_PATTERN.fullmatch(message_uuid) else "(no valid uuid)"


__all__ = ["Services", "log_id"]
