"""Keep credentials out of every text a user, a log or a traceback can see.

The Auth Token never appears anywhere; the Auth ID is shown masked because it is half of the
credential pair and also appears in every REST path (``/v1/Account/{auth_id}/``).
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus

VISIBLE_PREFIX = 2
VISIBLE_SUFFIX = 4
MASK = "…"
MIN_REDACTED_LENGTH = 6


def mask_auth_id(auth_id: str) -> str:
    """``MAABCDEFGHIJKLMNOPQR`` → ``MA…OPQR``: enough to tell accounts apart, not to reuse one."""
    auth_id = auth_id.strip()
    if len(auth_id) <= VISIBLE_PREFIX + VISIBLE_SUFFIX:
        return MASK
    return f"{auth_id[:VISIBLE_PREFIX]}{MASK}{auth_id[-VISIBLE_SUFFIX:]}"


class Redactor:
    """Scrubs one credential set out of arbitrary text (Plivo bodies, exception texts).

    Besides the plain values it knows the Basic-auth form (``base64(id:token)``), which a proxy
    or a debugging server may echo. Values shorter than :data:`MIN_REDACTED_LENGTH` are left
    alone: a one-letter "token" cannot be told apart from ordinary text, and replacing every
    such letter would make the advice unreadable (Plivo's own IDs and tokens are 20+ characters).
    """

    def __init__(
        self, auth_id: str, auth_token: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        candidates = [
            (base64.b64encode(f"{auth_id}:{auth_token}".encode()).decode(), "[credentials]"),
            (auth_token, "[auth token]"),
            (auth_id, mask_auth_id(auth_id)),
        ]
        self._replacements = [
            (secret, replacement)
            for secret, replacement in candidates
            if len(secret) >= MIN_REDACTED_LENGTH
        ]
        # Secrets a request carries (a SIP endpoint's password) go first, whatever their length:
        # their caller has checked them, and they must not survive in part.
        self._replacements[:0] = [(secret, shown) for secret, shown in extra if secret]
        self._auth = (auth_id, auth_token)
        self._extra = extra

    def with_secret(self, secret: str, shown: str) -> Redactor:
        """This redactor, also replacing ``secret`` by ``shown``, in the forms an error body may
        echo it: as written, escaped inside a JSON string, and escaped for HTML."""
        forms = dict.fromkeys(
            (
                json.dumps(secret)[1:-1],  # "\"" and "\u00e4" as a JSON body quotes them
                json.dumps(secret, ensure_ascii=False)[1:-1],
                html.escape(secret),
                quote(secret, safe=""),  # as a form body or a URL echoes it
                quote_plus(secret, safe=""),
                secret,
            )
        )
        return Redactor(*self._auth, extra=(*self._extra, *((form, shown) for form in forms)))

    def __call__(self, text: str) -> str:
        for secret, replacement in self._replacements:
            text = text.replace(secret, replacement)
        return text
