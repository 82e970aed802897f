"""One Plivo signature is good for one request: the nonces of accepted signatures are remembered.

A V2 signature (which Plivo still sends with messaging callbacks) covers only the URL and a nonce,
not the parameters: whoever sees one request's V2 headers (a log, a proxy) could post any other
text, sender or status with them. A V3 signature covers the parameters, but the same request could
be posted again. Remembering every nonce whose signature was accepted, with what it vouched for
(the message UUID, the report), closes both: a known nonce with another subject is refused, and
a known nonce with the same subject (a retry of the same message, which the lease book then
deduplicates) is let through, so no genuine retry is refused whether or not Plivo signs it anew.

The storage has no listing, expiry or compare-and-set, so nonces live in a fixed number of
buckets, each holding the most recent :data:`NONCES_PER_BUCKET` digests (about 8,000 in all, far
more than Plivo sends in the minutes a captured header is worth anything). Two requests writing
the same bucket at the same moment can drop one entry; that nonce could then be replayed once,
which needs an attacker holding its headers within milliseconds: safe enough, and far better
than no memory at all.
"""

from __future__ import annotations

import hashlib
from typing import Final

from .kvstore import KeyValueStore, StorageScope, guarded, read_record, write_record

NONCE_BUCKETS: Final = 64
NONCES_PER_BUCKET: Final = 128


class NonceBook:
    """The accepted-signature nonces of one webhook receiver (an account or a subscription)."""

    def __init__(self, store: KeyValueStore, scope: StorageScope) -> None:
        self._store = guarded(store)
        self._scope = scope

    def first_use(self, nonce: str, subject: str) -> bool:
        """True (and remembered) the first time ``nonce`` is seen, or when it is seen again for
        the same ``subject`` (Plivo retrying the same message); False when it vouched for
        another subject before: a captured signature posted with another body.

        Raises :class:`~plivo_api.webhooks.kvstore.StorageError` when storage fails: the caller
        answers so that Plivo retries, rather than accepting a request it cannot check.
        """
        digest = self._scope.digest_of(f"nonce:{nonce}")
        entry = f"{digest}:{self._scope.digest_of(f'subject:{subject}')}"
        bucket = int(hashlib.sha256(digest.encode()).hexdigest()[:4], 16) % NONCE_BUCKETS
        key = self._scope.key("nonces", f"b{bucket}")
        record = read_record(self._store, key) or {}
        stored = record.get("seen")
        seen = (
            [item for item in stored if isinstance(item, str)] if isinstance(stored, list) else []
        )
        if entry in seen:
            return True
        if any(item.startswith(f"{digest}:") for item in seen):
            return False
        seen.append(entry)
        write_record(self._store, key, {"seen": seen[-NONCES_PER_BUCKET:]})
        return True


__all__ = ["NONCES_PER_BUCKET", "NONCE_BUCKETS", "NonceBook"]
