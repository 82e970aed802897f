"""Keep credentials out of every text a user, a log or a traceback can see.

The Auth Token never appears anywhere; the Auth ID is shown masked because it is half of the
credential pair and also appears in every REST path (``/v1/Account/{auth_id}/``).
"""

from __future__ import annotations

VISIBLE_PREFIX = 2
VISIBLE_SUFFIX = 4
MASK = "…"


def mask_auth_id(auth_id: str) -> str:
    """``MAABCDEFGHIJKLMNOPQR`` → ``MA…OPQR``: enough to tell accounts apart, not to reuse one."""
    auth_id = auth_id.strip()
    if len(auth_id) <= VISIBLE_PREFIX + VISIBLE_SUFFIX:
        return MASK
    return f"{auth_id[:VISIBLE_PREFIX]}{MASK}{auth_id[-VISIBLE_SUFFIX:]}"


class Redactor:
    """Scrubs one credential set out of arbitrary text (Plivo bodies, exception texts)."""

    def __init__(self, auth_id: str, auth_token: str) -> None:
        self._replacements: list[tuple[str, str]] = []
        if auth_token:
            self._replacements.append((auth_token, "[auth token]"))
        if auth_id:
            self._replacements.append((auth_id, mask_auth_id(auth_id)))

    def __call__(self, text: str) -> str:
        for secret, replacement in self._replacements:
            text = text.replace(secret, replacement)
        return text
