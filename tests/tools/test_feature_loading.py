"""The tools' code loads in the background after the first heartbeat, never before it.

Dify's daemon routes requests once a plugin's first heartbeat is out, so anything imported before
it delays readiness; anything left for the first call makes that call slow. ``main.py`` hands the
SDK's heartbeat writer to ``load_features_after_first_heartbeat``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.daemon import PLUGIN_ROOT, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN
from tools._feature import load_features_after_first_heartbeat

TOOL_NAMES = sorted(path.stem for path in (PLUGIN_ROOT / "tools").glob("*.yaml"))
LOAD_TIMEOUT_SECONDS = 10.0


class RecordingWriter:
    """Stands in for the SDK's response writer: records each heartbeat it writes."""

    def __init__(self, events: list[str]) -> None:
        self._events = events

    def heartbeat(self) -> None:
        self._events.append("heartbeat")


def test_loading_starts_after_the_first_heartbeat_is_written_and_only_once() -> None:
    events: list[str] = []
    loaded = threading.Event()

    def load() -> None:
        events.append("load")
        loaded.set()

    writer = RecordingWriter(events)
    load_features_after_first_heartbeat(writer, load)
    assert events == []  # nothing loads before the SDK writes its first heartbeat

    writer.heartbeat()
    assert loaded.wait(LOAD_TIMEOUT_SECONDS)
    writer.heartbeat()
    writer.heartbeat()
    assert events == ["heartbeat", "load", "heartbeat", "heartbeat"]


def test_without_a_heartbeat_writer_nothing_loads_in_the_background() -> None:
    def load() -> None:
        raise AssertionError("the serverless runtime has no heartbeat: tools load on first call")

    load_features_after_first_heartbeat(None, load)


def test_load_features_imports_every_tools_feature_module_and_nothing_else_first() -> None:
    """In a fresh interpreter: before loading no feature module is imported, after it all are."""
    script = (
        "import json, sys\n"
        "from tools._feature import load_features\n"
        "def features():\n"
        "    prefix = 'plivo_api.features.'\n"
        "    return sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))\n"
        "before = features()\n"
        "load_features()\n"
        "print(json.dumps([before, features(), 'phonenumbers' in sys.modules]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(PLUGIN_ROOT),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    before, after, phonenumbers_loaded = json.loads(output)
    assert before == []
    assert after == TOOL_NAMES
    assert phonenumbers_loaded


@pytest.mark.e2e
def test_calls_that_arrive_while_the_code_is_still_loading_get_their_answers(sandbox_server):
    """Two different tools called the instant the plugin is ready, while the load is running."""
    credentials = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
    calls = [
        ("preview_sms", {"to": "+14155552671", "message": "Your code is 482913."}),
        ("get_account", {}),
        ("preview_sms", {"to": "+442079460030", "message": "Ihr Code ist 482913."}),
    ]
    daemon = StandInDaemon(env={"PLIVO_API_BASE_URL": sandbox_server.url}).start()
    try:
        with ThreadPoolExecutor(len(calls)) as pool:
            results = list(
                pool.map(lambda call: daemon.invoke_tool(call[0], call[1], credentials), calls)
            )
    finally:
        daemon.stop()
    for (tool, _), result in zip(calls, results, strict=True):
        assert result.ok, f"{tool}: {result.error}"
    assert results[0].json["recipients"] == ["+14155552671"]
    assert results[1].json["account_type"] == "standard"
    assert results[2].json["recipients"] == ["+442079460030"]
    assert not daemon.stderr_lines, daemon.stderr_lines
