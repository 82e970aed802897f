"""Figure 3: one send to 1, 10, 100 and 1,000 recipients: requests made, and overhead per recipient.

Both plugins run under the stand-in daemon against the sandbox with no added latency. This plugin
gets the recipients as a comma-separated ``to``; the SDK-based plugin gets them joined with
``<`` (Plivo's bulk syntax, which the official tool passes through unchanged) so that it, too,
sends one request. Overhead is measured against a replay: right after each send, the exact
request body that plugin sent is posted again by a minimal ``http.client`` connection that is
already open, which costs the server the same work (N messages stored, N UUIDs returned) and the
client almost nothing. ``(send − replay) / N`` is what the tool adds per recipient: stdio
protocol, parameter reading, number parsing, JSON, HTTP client and, for the SDK's way, a new TLS
handshake per call.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import logging
import ssl
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rig import CREDENTIALS, SDK_CREDENTIALS, SENDER, Rig, rig
from bench.stats import Sample
from devtools.daemon import StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN
from plivo_api.features import send_sms

SIZES = (1, 10, 100, 1000)
TEXT = "Reminder: the clinic is closed on Friday. Appointments move to Monday, same time."
MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
REPLAY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class BulkSide:
    seconds: Sample  # the whole tool call, through the daemon
    replay_seconds: Sample  # the same body posted by a minimal client
    overhead_per_recipient: Sample  # (send − replay) / N, run by run
    requests_per_send: float
    handshakes_per_send: float


@dataclass(frozen=True)
class BulkRow:
    recipients: int
    ours: BulkSide
    sdk: BulkSide
    planning_per_recipient: Sample  # in-process send_sms.plan (parse + validate numbers)


def recipients(count: int, run: int = 0) -> list[str]:
    """Distinct valid US numbers, new ones in every run (so no cache of earlier runs helps);
    their last four digits avoid the sandbox's magic outcomes."""
    return [f"+1415{550 + run:03d}{2000 + index:04d}" for index in range(count)]


class _Replayer:
    """Posts a recorded body over one kept-alive HTTPS connection, as cheaply as Python can."""

    def __init__(self, rig: Rig) -> None:
        context = ssl.create_default_context(cafile=rig.ca_bundle)
        self._connection = http.client.HTTPSConnection(
            "127.0.0.1", rig.sandbox.port, context=context, timeout=REPLAY_TIMEOUT_SECONDS
        )
        token = base64.b64encode(f"{DEMO_AUTH_ID}:{DEMO_AUTH_TOKEN}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def post(self, body: bytes) -> float:
        started = time.perf_counter()
        self._connection.request("POST", MESSAGE_PATH, body=body, headers=self._headers)
        response = self._connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 202:
            raise RuntimeError(f"replay answered {response.status}: {payload[:200]!r}")
        return elapsed

    def close(self) -> None:
        self._connection.close()


def measure_bulk(rig: Rig, runs: int, warmups: int) -> list[BulkRow]:
    url = rig.direct_url
    with contextlib.ExitStack() as stack:
        ours, theirs = rig.start_both(stack, url)
        replayer = _Replayer(rig)
        stack.callback(replayer.close)
        rows = []
        for size in SIZES:
            rig.sandbox.reset()  # keeps the sandbox's store and log small
            rows.append(_row(rig, ours, theirs, replayer, size, runs, warmups))
        return rows


def _row(
    rig: Rig,
    ours: StandInDaemon,
    theirs: StandInDaemon,
    replayer: _Replayer,
    size: int,
    runs: int,
    warmups: int,
) -> BulkRow:
    numbers = recipients(size)
    our_params = {"to": ", ".join(numbers), "message": TEXT, "max_recipients": size}
    sdk_params = {
        "to_number": "<".join(n.lstrip("+") for n in numbers),
        "from_number": SENDER,
        "message": TEXT,
    }

    def send_ours() -> None:
        result = ours.invoke_tool("send_sms", our_params, CREDENTIALS)
        if not result.ok or len(result.json["message_uuids"]) != size:
            raise RuntimeError(f"plugin bulk send failed: {result.error or result.texts}")

    def send_sdk() -> None:
        result = theirs.invoke_tool("send_sms", sdk_params, SDK_CREDENTIALS, provider="bench_sdk")
        if not result.ok:
            raise RuntimeError(f"SDK plugin bulk send failed: {result.error}")

    sides = {"ours": _Side(send_ours), "sdk": _Side(send_sdk)}
    planning: list[float] = []
    for run in range(warmups + runs):
        our_params["to"] = ", ".join(recipients(size, run))
        for side in sides.values():
            side.run(rig, replayer, size, measured=run >= warmups)
        started = time.perf_counter()
        send_sms.plan(our_params, SENDER)
        if run >= warmups:
            planning.append((time.perf_counter() - started) / size)
    return BulkRow(size, sides["ours"].result(size), sides["sdk"].result(size), Sample.of(planning))


class _Side:
    def __init__(self, send: Callable[[], None]) -> None:
        self._send = send
        self._seconds: list[float] = []
        self._replays: list[float] = []
        self._requests = 0
        self._connections = 0

    def run(self, rig: Rig, replayer: _Replayer, size: int, *, measured: bool) -> None:
        control = rig.sandbox.control
        before = control.health()
        started = time.perf_counter()
        self._send()
        elapsed = time.perf_counter() - started
        after = control.health()
        body = _last_send_body(control.requests())
        control.clear_requests()
        replayed = replayer.post(body)
        if not measured:
            return
        self._seconds.append(elapsed)
        self._replays.append(replayed)
        self._requests += after["requests"] - before["requests"]
        self._connections += after["connections_opened"] - before["connections_opened"]

    def result(self, size: int) -> BulkSide:
        runs = len(self._seconds)
        overhead = [(s - r) / size for s, r in zip(self._seconds, self._replays, strict=True)]
        return BulkSide(
            Sample.of(self._seconds),
            Sample.of(self._replays),
            Sample.of(overhead),
            self._requests / runs,
            self._connections / runs,
        )


def _last_send_body(logged: Sequence[Mapping[str, Any]]) -> bytes:
    sends = [r for r in logged if r["method"] == "POST" and r["path"] == MESSAGE_PATH]
    if not sends:
        raise RuntimeError("the sandbox logged no send")
    body = sends[-1]["body"]
    json.loads(body)  # a send body is JSON; anything else means the log changed shape
    return str(body).encode()


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.bulk``: this figure alone, medians printed (RESULTS.md untouched)."""
    parser = argparse.ArgumentParser(prog="python -m bench.bulk", description=main.__doc__)
    parser.add_argument("--runs", type=int, default=11, help="measured runs per size and plugin")
    parser.add_argument("--warmups", type=int, default=1, help="excluded runs per size and plugin")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="plivo-bench-") as work, rig(Path(work), 0.0) as bench:
        rows = measure_bulk(bench, args.runs, args.warmups)
    for row in rows:
        ours, sdk = row.ours.overhead_per_recipient.median, row.sdk.overhead_per_recipient.median
        sys.stdout.write(
            f"{row.recipients:5} recipients: overhead per recipient {ours * 1e6:8.1f} µs ours, "
            f"{sdk * 1e6:8.1f} µs SDK, {ours / sdk:5.2f}×; parsing "
            f"{row.planning_per_recipient.median * 1e6:6.1f} µs (medians of {args.runs})\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
