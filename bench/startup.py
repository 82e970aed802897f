"""Figure 1: spawn → first heartbeat, the first tool call, and memory, against reference plugins.

Each run spawns ``python -m main`` under the stand-in daemon (same interpreter for all) and waits
for the first heartbeat (the moment Dify's daemon considers the plugin ready); ``VmHWM`` read then
is the memory of a plugin that has served nothing. This plugin does not import its tools' code
before that heartbeat: it loads it in the background right after. So a fast start could just move
the cost to the first call, and each run measures that call twice, in two processes: once
``SETTLE_SECONDS`` after ready (Dify's daemon starts a plugin when it is installed or the daemon
starts, and a user's first workflow comes later than that), and once the moment the plugin is ready
(the worst case: the call waits for the code it needs). The calls are ``preview_sms`` for this
plugin (it needs no network) and the echo tool for the bare plugin; the process is then stopped
and ``VmHWM`` read again, the peak of a plugin in use. The SDK-based plugin's only tool sends over
the network, so it gets no first call. The plugins take turns in a rotating order, so drift (page
cache, CPU frequency) falls on all alike. All plugins start from compiled bytecode, as a deployed
plugin does after its first start: a cache in the run's work directory, filled by the warm-ups.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.plugins import BARE_PROVIDER
from bench.rig import CREDENTIALS, Rig, rig
from bench.stats import Sample
from devtools.daemon import PLUGIN_ROOT, StandInDaemon

OURS, BARE, SDK = "ours", "bare", "sdk"
SETTLE_SECONDS = 0.5  # idle time between ready and the settled first call
BYTECODE_CACHE = "pycache"  # under the run's work directory
PROC_STATUS = "/proc/{pid}/status"
KIB = 1024


@dataclass(frozen=True)
class FirstCall:
    provider: str
    tool: str
    parameters: Mapping[str, Any]
    credentials: Mapping[str, Any]


FIRST_CALLS: Mapping[str, FirstCall] = {
    OURS: FirstCall(
        "plivo_sms",
        "preview_sms",
        {"to": "+14155552671", "message": "Your code is 482913. It expires in 10 minutes."},
        CREDENTIALS,
    ),
    BARE: FirstCall(BARE_PROVIDER, "echo", {"text": "hello"}, {}),
}


@dataclass(frozen=True)
class StartupResult:
    ready_seconds: dict[str, Sample]
    ready_rss_bytes: dict[str, Sample]  # VmHWM right after the first heartbeat
    first_call_seconds: dict[str, Sample]  # SETTLE_SECONDS after ready; plugins in FIRST_CALLS
    first_call_at_once_seconds: dict[str, Sample]  # the moment the plugin is ready
    peak_rss_bytes: dict[str, Sample]  # VmHWM at stop, after the settled first call


def vm_hwm(pid: int) -> int | None:
    """Peak resident set size of a live process in bytes (Linux), None when unavailable."""
    with contextlib.suppress(OSError):
        for line in Path(PROC_STATUS.format(pid=pid)).read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * KIB
    return None


def _first_call(daemon: StandInDaemon, call: FirstCall) -> float:
    started = time.perf_counter()
    result = daemon.invoke_tool(call.tool, call.parameters, call.credentials, call.provider)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise RuntimeError(f"first {call.tool} call failed: {result.error or result.raw}")
    return elapsed


@dataclass(frozen=True)
class _Spawn:
    ready_seconds: float
    ready_rss_bytes: float
    peak_rss_bytes: float
    call_seconds: float | None


def _spawn(root: Path, env: Mapping[str, str], call: FirstCall | None, settle: float) -> _Spawn:
    """Start one plugin, make its first call ``settle`` seconds after ready, stop it."""
    daemon = StandInDaemon(root, env=env).start()
    try:
        assert daemon.process is not None
        at_ready = vm_hwm(daemon.process.pid)
        call_seconds = None
        if call is not None:
            time.sleep(settle)
            call_seconds = _first_call(daemon, call)
    finally:
        daemon.stop()
    if daemon.time_to_ready is None or daemon.peak_rss_bytes is None or at_ready is None:
        raise RuntimeError(f"{root}: no start-up time or memory figure (needs Linux /proc)")
    return _Spawn(daemon.time_to_ready, float(at_ready), float(daemon.peak_rss_bytes), call_seconds)


def measure_startup(rig: Rig, runs: int, warmups: int) -> StartupResult:
    roots: dict[str, Path] = {OURS: PLUGIN_ROOT, BARE: rig.bare_root, SDK: rig.sdk_root}
    # A deployed plugin starts from compiled bytecode (Python writes it on the first start), so
    # every plugin gets a cache that the warm-up runs fill, whatever the caller's environment says.
    bytecode = {
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(rig.work / BYTECODE_CACHE),
    }
    envs: dict[str, dict[str, str]] = {
        OURS: {**rig.our_env(rig.direct_url), **bytecode},
        BARE: bytecode,
        SDK: {**rig.sdk_env(rig.direct_url), **bytecode},
    }
    # Each plugin once with its settled first call, then each plugin that has a first call once
    # more with that call at once; the order rotates run by run.
    turns = [(name, SETTLE_SECONDS) for name in roots] + [(name, 0.0) for name in FIRST_CALLS]
    ready: dict[str, list[float]] = {name: [] for name in roots}
    ready_rss: dict[str, list[float]] = {name: [] for name in roots}
    first: dict[str, list[float]] = {name: [] for name in FIRST_CALLS}
    at_once: dict[str, list[float]] = {name: [] for name in FIRST_CALLS}
    peak: dict[str, list[float]] = {name: [] for name in roots}
    for run in range(warmups + runs):
        shift = run % len(turns)
        for name, settle in turns[shift:] + turns[:shift]:
            spawn = _spawn(roots[name], envs[name], FIRST_CALLS.get(name), settle)
            if run < warmups:
                continue
            if settle == 0.0:
                assert spawn.call_seconds is not None
                at_once[name].append(spawn.call_seconds)
                continue
            ready[name].append(spawn.ready_seconds)
            ready_rss[name].append(spawn.ready_rss_bytes)
            peak[name].append(spawn.peak_rss_bytes)
            if spawn.call_seconds is not None:
                first[name].append(spawn.call_seconds)
    return StartupResult(
        {name: Sample.of(values) for name, values in ready.items()},
        {name: Sample.of(values) for name, values in ready_rss.items()},
        {name: Sample.of(values) for name, values in first.items()},
        {name: Sample.of(values) for name, values in at_once.items()},
        {name: Sample.of(values) for name, values in peak.items()},
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.startup``: this figure alone, medians printed (RESULTS.md untouched)."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=main.__doc__)
    parser.add_argument("--runs", type=int, default=11, help="measured runs per plugin")
    parser.add_argument("--warmups", type=int, default=1, help="excluded runs per plugin")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with tempfile.TemporaryDirectory(prefix="plivo-bench-") as work, rig(Path(work), 0.0) as bench:
        result = measure_startup(bench, args.runs, args.warmups)
    figures = [("ready", result.ready_seconds), ("first call", result.first_call_seconds)]
    figures.append(("first call at once", result.first_call_at_once_seconds))
    for label, samples in figures:
        bare = samples[BARE].median
        for name, sample in samples.items():
            value = sample.median
            sys.stdout.write(
                f"{label:18} {name:4} {value * 1e3:7.1f} ms  {value / bare:.3f}× bare  "
                f"(median of {sample.runs})\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
