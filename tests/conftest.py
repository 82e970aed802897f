# ruff: noqa: I001
"""Shared fixtures.

``dify_plugin`` is imported first, as in production: importing it monkey-patches ``socket`` and
``ssl`` with gevent, and ``requests`` must load after that for the tests to exercise the same stack.
"""

import dify_plugin  # noqa: F401  (import order matters: see the module docstring)

import os
from collections.abc import Callable, Iterator

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.transport.client import PlivoClient, Timeouts
from plivo_api.transport.credentials import Credentials
from plivo_api.transport.retry import RetryPolicy
from plivo_api.transport.sessions import SessionPool

AUTH_ID = "MA" + "X" * 18
AUTH_TOKEN = "test-token-alpha"


@pytest.fixture
def server(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """pytest-httpserver that fails the test on any request no expectation matched."""
    yield httpserver
    httpserver.check_assertions()


@pytest.fixture
def pool() -> Iterator[SessionPool]:
    fresh = SessionPool()
    yield fresh
    fresh.clear()


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(
    server: HTTPServer, pool: SessionPool, sleeps: SleepRecorder
) -> Callable[..., PlivoClient]:
    def make(**kwargs: object) -> PlivoClient:
        options: dict[str, object] = {
            "base_url": server.url_for("").rstrip("/"),
            "lookup_base_url": server.url_for("").rstrip("/"),
            "timeout": Timeouts(connect=1.0, read=0.5),
            "retry": RetryPolicy(),
            "pool": pool,
            "sleep": sleeps,
        }
        options.update(kwargs)
        return PlivoClient(Credentials(AUTH_ID, AUTH_TOKEN), **options)  # type: ignore[arg-type]

    return make


@pytest.fixture(autouse=True)
def _no_real_plivo(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach api.plivo.com by accident: point the defaults at a closed local port."""
    if not os.environ.get("PLIVO_LIVE"):
        monkeypatch.setenv("PLIVO_API_BASE_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("PLIVO_LOOKUP_BASE_URL", "http://127.0.0.1:9")
        monkeypatch.setenv("PLIVO_PHLO_BASE_URL", "http://127.0.0.1:9")


# -- end to end: the plugin under the stand-in daemon, against the Plivo sandbox ------------------

E2E_TIMELINE_SENT_AFTER = 0.1
E2E_TIMELINE_FINAL_AFTER = 0.3


@pytest.fixture(scope="session")
def sandbox_server():
    from devtools.sandbox import PlivoSandbox, Timeline

    server = PlivoSandbox(
        timeline=Timeline(sent_after=E2E_TIMELINE_SENT_AFTER, final_after=E2E_TIMELINE_FINAL_AFTER)
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The session's sandbox, emptied of requests, faults and messages before each test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture(scope="session")
def plugin(sandbox_server):
    """One plugin process for the session, driven over stdio like Dify's daemon does."""
    from devtools.daemon import StandInDaemon

    daemon = StandInDaemon(
        env={
            "PLIVO_API_BASE_URL": sandbox_server.url,
            "PLIVO_LOOKUP_BASE_URL": sandbox_server.lookup_url,
            "PLIVO_PHLO_BASE_URL": sandbox_server.phlo_url,
        }
    ).start()
    yield daemon
    daemon.stop()
    assert not daemon.stdout_noise, f"non-protocol output on stdout: {daemon.stdout_noise[:5]}"


@pytest.fixture
def demo_credentials():
    from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN

    return {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "default_sender": "+14155550199",
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives the plugin process is end-to-end, marked or not (``make quick``)."""
    for item in items:
        if "plugin" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
