"""WhatsApp's size limits, shared by the send tool and the two-way endpoint's replies, so the
two never disagree about what fits in one message."""

from __future__ import annotations

from typing import Final

MAX_TEXT_CHARS: Final = 4096
"""WhatsApp's limit for a free-text message body. The tool and the endpoint count it in UTF-16
units, the stricter of the ways a service may count, so an emoji-heavy text is never refused by
Plivo as too long after we accepted it."""
MAX_BUTTON_BODY_CHARS: Final = 1024
"""The body of an interactive (reply-button) message."""
MAX_BUTTONS: Final = 3
MAX_BUTTON_TITLE_CHARS: Final = 20


def text_length(text: str) -> int:
    """``text``'s length as the limits above count it: UTF-16 units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


__all__ = [
    "MAX_BUTTONS",
    "MAX_BUTTON_BODY_CHARS",
    "MAX_BUTTON_TITLE_CHARS",
    "MAX_TEXT_CHARS",
    "text_length",
]
