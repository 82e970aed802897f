"""The inbound endpoint's own cost per message: plugin storage round trips and time.

Each storage call is a round trip through Dify's daemon (over HTTP in Dify's hosted, serverless
runtime), so the count is most of the endpoint's own latency there. Every message here is an
ordinary one: a new sender, a chat app that answers at once, one reply sent to the sandbox. The
time is the daemon's whole endpoint request minus the app's own run (its start to its answer).

``python -m bench.endpoint`` measures this section alone and prints it.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.rig import Rig, rig
from bench.stats import Sample
from devtools.daemon import DEFAULT_BASE_URL, DEFAULT_HOOK_ID, StandInApp, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, DEMO_NUMBER
from devtools.sandbox.signing import signature_headers

logger = logging.getLogger("bench")

INBOUND_PATH = "/sms/inbound"
MAX_ROUND_TRIPS = 6
"""The budget the design is held to (an ordinary message)."""


@dataclass(frozen=True)
class EndpointResult:
    round_trips: Sample
    operations: dict[str, float]  # storage calls per message, by operation
    own_time: Sample  # per message, the app's run excluded
    messages: int


def _message(n: int) -> dict[str, str]:
    return {
        "From": f"1415{7000000 + n:07d}",
        "To": DEMO_NUMBER,
        "Type": "sms",
        "Text": f"hello {n}",
        "MessageUUID": str(uuid.uuid4()),
    }


def _one(plugin: StandInDaemon, n: int) -> tuple[list[str], float]:
    params = _message(n)
    url = f"{DEFAULT_BASE_URL}/e/{DEFAULT_HOOK_ID}{INBOUND_PATH}"
    before_calls, before_apps = len(plugin.storage.calls), len(plugin.app_calls)
    started = time.perf_counter()
    result = plugin.invoke_endpoint(
        "POST",
        INBOUND_PATH,
        form=params,
        headers=signature_headers("POST", url, params, DEMO_AUTH_TOKEN),
        settings={"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "app": {"app_id": "bot"}},
    )
    elapsed = time.perf_counter() - started
    if result.status != 200:
        raise RuntimeError(f"the endpoint answered {result.status}")
    app_seconds = sum(
        (call.finished_at or call.started_at) - call.started_at
        for call in plugin.app_calls[before_apps:]
    )
    return [call.opt for call in plugin.storage.calls[before_calls:]], elapsed - app_seconds


def measure_endpoint(bench: Rig, runs: int, warmups: int) -> EndpointResult:
    plugin = bench.our_plugin(bench.direct_url).start()
    try:
        plugin.apps["bot"] = StandInApp(kind="chat", answer="Thanks, noted.")
        for n in range(warmups):
            _one(plugin, n)
        trips: list[float] = []
        times: list[float] = []
        operations: Counter[str] = Counter()
        for n in range(warmups, warmups + runs):
            calls, seconds = _one(plugin, n)
            trips.append(len(calls))
            times.append(seconds)
            operations.update(calls)
    finally:
        plugin.stop()
    return EndpointResult(
        round_trips=Sample.of(trips),
        operations={opt: count / runs for opt, count in sorted(operations.items())},
        own_time=Sample.of(times),
        messages=runs,
    )


def render_endpoint(result: EndpointResult, number: int = 5) -> str:
    breakdown = ", ".join(f"{count:.1f} {opt}" for opt, count in result.operations.items())
    return "\n".join(
        [
            f"## {number}. Inbound endpoint: storage round trips and time per message",
            "",
            f"{result.messages} ordinary messages (a new sender each, a chat app answering at "
            "once, one reply), each through the stand-in daemon, whose storage counts every "
            "call. Time is the whole endpoint request minus the app's own run.",
            "",
            "| figure | median | p90 | budget |",
            "|---|---|---|---|",
            f"| storage round trips per message | {result.round_trips.median:.0f} | "
            f"{result.round_trips.p90:.0f} | ≤ {MAX_ROUND_TRIPS} |",
            f"| endpoint time per message (app excluded) | "
            f"{result.own_time.median * 1e3:.1f} ms | {result.own_time.p90 * 1e3:.1f} ms | – |",
            "",
            f"Storage calls per message by operation: {breakdown}.",
            "",
        ]
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="plivo-bench-") as work, rig(Path(work), 0.0) as bench:
        result = measure_endpoint(bench, runs=50, warmups=3)
    sys.stdout.write(render_endpoint(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
