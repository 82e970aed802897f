"""One ``requests.Session`` per credential set, shared by every tool call in the process.

Dify's daemon keeps the plugin process alive and runs invocations concurrently on a (gevent)
thread pool; a pooled session means a warm call reuses the TCP/TLS connection instead of paying a
new handshake. ``requests.Session`` is safe for concurrent requests through urllib3's connection
pool; the pool here only has to be safe to *look up* from many threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import requests
from requests.adapters import HTTPAdapter

from .version import USER_AGENT

MAX_POOLED_SESSIONS = 64  # distinct credential sets kept warm; the least recently used is closed
HOSTS_PER_SESSION = 4  # api.plivo.com and lookup.plivo.com, with room to spare
CONNECTIONS_PER_HOST = 32  # concurrent requests one credential set may have in flight per host


def _new_session() -> requests.Session:
    session = requests.Session()
    # Retrying is decided by plivo_api.transport.retry, never silently by urllib3.
    adapter = HTTPAdapter(
        pool_connections=HOSTS_PER_SESSION, pool_maxsize=CONNECTIONS_PER_HOST, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    session.trust_env = True  # honour HTTPS_PROXY set for the daemon
    return session


class SessionPool:
    def __init__(self, max_sessions: int = MAX_POOLED_SESSIONS) -> None:
        self._max = max_sessions
        self._sessions: OrderedDict[str, requests.Session] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(auth_id: str, auth_token: str) -> str:
        """A digest, so the pool never holds the token as a readable dictionary key."""
        material = "\0".join((auth_id, auth_token)).encode()
        return hashlib.sha256(material).hexdigest()

    def get(self, auth_id: str, auth_token: str) -> requests.Session:
        key = self.key(auth_id, auth_token)
        evicted: requests.Session | None = None
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = _new_session()
                self._sessions[key] = session
                if len(self._sessions) > self._max:
                    _, evicted = self._sessions.popitem(last=False)
            else:
                self._sessions.move_to_end(key)
        if evicted is not None:
            evicted.close()
        return session

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def clear(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()


DEFAULT_POOL = SessionPool()
