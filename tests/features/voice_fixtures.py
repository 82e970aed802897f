"""Shared setup of the voice-tool tests: the sandbox as Plivo, and a call in progress."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, CallTimeline, PlivoSandbox

CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
NEVER_HANGS_UP = "14155550000"  # the sandbox keeps a call to ...0000 in progress
ANSWERED_AT_ONCE = CallTimeline(ring_after=0.0, answer_after=0.0, hangup_after=0.5)


@pytest.fixture
def plivo(sandbox: PlivoSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlivoSandbox]:
    """The sandbox as Plivo, its calls answered at once (and ended after 0.5 s unless they go
    to a never-hanging-up number)."""
    monkeypatch.setenv("PLIVO_API_BASE_URL", sandbox.url)
    before = sandbox.call_timeline
    sandbox.call_timeline = ANSWERED_AT_ONCE
    yield sandbox
    sandbox.call_timeline = before


def place_call(sandbox: PlivoSandbox, to: str = NEVER_HANGS_UP) -> str:
    """A call placed straight at the sandbox (not through the plugin); its call UUID."""
    answer = requests.post(
        f"{sandbox.url}/v1/Account/{DEMO_AUTH_ID}/Call/",
        json={"from": "14155550100", "to": to, "answer_url": "https://example.com/a"},
        auth=(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
        timeout=5,
    )
    answer.raise_for_status()
    call_uuid = sandbox.call_for_request(answer.json()["request_uuid"]).call_uuid
    sandbox.clear()  # the tests count only the plugin's requests
    return call_uuid


def plugin_requests(sandbox: PlivoSandbox) -> list[tuple[str, str]]:
    return [(r.method, r.path.split(f"/{DEMO_AUTH_ID}/", 1)[-1]) for r in sandbox.requests]
