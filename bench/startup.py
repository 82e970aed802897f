"""Figure 1: spawn → first heartbeat, the first tool call, and memory, against reference plugins.

Each run spawns ``python -m main`` under the stand-in daemon (same interpreter for all) and waits
for the first heartbeat (the moment Dify's daemon considers the plugin ready); ``VmHWM`` read then
is the memory of a plugin that has served nothing. This plugin imports a tool's code on that
tool's first call, so a fast start could just move the cost there: the run therefore makes one
first call right away (this plugin: ``preview_sms``, which needs no network; the bare plugin: its
echo tool) and times it, then stops the process and reads ``VmHWM`` again, the peak of a plugin in
use. The SDK-based plugin's only tool sends over the network, so it gets no first call. The
plugins take turns in a rotating order, so drift (page cache, CPU frequency) falls on all alike.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.plugins import BARE_PROVIDER
from bench.rig import CREDENTIALS, Rig
from bench.stats import Sample
from devtools.daemon import PLUGIN_ROOT, StandInDaemon

OURS, BARE, SDK = "ours", "bare", "sdk"
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
    first_call_seconds: dict[str, Sample]  # only for the plugins in FIRST_CALLS
    peak_rss_bytes: dict[str, Sample]  # VmHWM at stop, after the first call


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


def measure_startup(rig: Rig, runs: int, warmups: int) -> StartupResult:
    roots: dict[str, Path] = {OURS: PLUGIN_ROOT, BARE: rig.bare_root, SDK: rig.sdk_root}
    envs: dict[str, dict[str, str]] = {
        OURS: rig.our_env(rig.direct_url),
        BARE: {},
        SDK: rig.sdk_env(rig.direct_url),
    }
    names = list(roots)
    ready: dict[str, list[float]] = {name: [] for name in names}
    ready_rss: dict[str, list[float]] = {name: [] for name in names}
    first: dict[str, list[float]] = {name: [] for name in FIRST_CALLS}
    peak: dict[str, list[float]] = {name: [] for name in names}
    for run in range(warmups + runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            daemon = StandInDaemon(roots[name], env=envs[name]).start()
            try:
                assert daemon.process is not None
                at_ready = vm_hwm(daemon.process.pid)
                call = FIRST_CALLS.get(name)
                call_seconds = _first_call(daemon, call) if call is not None else None
            finally:
                daemon.stop()
            if run < warmups:
                continue
            if daemon.time_to_ready is None or daemon.peak_rss_bytes is None or at_ready is None:
                raise RuntimeError(f"{name}: no start-up time or memory figure (needs Linux /proc)")
            ready[name].append(daemon.time_to_ready)
            ready_rss[name].append(float(at_ready))
            peak[name].append(float(daemon.peak_rss_bytes))
            if call_seconds is not None:
                first[name].append(call_seconds)
    return StartupResult(
        {name: Sample.of(values) for name, values in ready.items()},
        {name: Sample.of(values) for name, values in ready_rss.items()},
        {name: Sample.of(values) for name, values in first.items()},
        {name: Sample.of(values) for name, values in peak.items()},
    )
