"""Figure 1: spawn → first heartbeat, and peak RSS, for this plugin and two reference plugins.

Each run spawns ``python -m main`` under the stand-in daemon (same interpreter for all), waits for
the first heartbeat (the moment Dify's daemon considers the plugin ready), then stops it and
reads ``VmHWM``. The three plugins take turns in a rotating order, so drift (page cache, CPU
frequency) falls on all of them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.rig import Rig
from bench.stats import Sample
from devtools.daemon import PLUGIN_ROOT, StandInDaemon

OURS, BARE, SDK = "ours", "bare", "sdk"


@dataclass(frozen=True)
class StartupResult:
    ready_seconds: dict[str, Sample]
    peak_rss_bytes: dict[str, Sample]


def measure_startup(rig: Rig, runs: int, warmups: int) -> StartupResult:
    roots: dict[str, Path] = {OURS: PLUGIN_ROOT, BARE: rig.bare_root, SDK: rig.sdk_root}
    names = list(roots)
    ready: dict[str, list[float]] = {name: [] for name in names}
    rss: dict[str, list[float]] = {name: [] for name in names}
    for run in range(warmups + runs):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            daemon = StandInDaemon(roots[name]).start()
            daemon.stop()
            if run < warmups:
                continue
            assert daemon.time_to_ready is not None and daemon.peak_rss_bytes is not None
            ready[name].append(daemon.time_to_ready)
            rss[name].append(float(daemon.peak_rss_bytes))
    return StartupResult(
        {name: Sample.of(values) for name, values in ready.items()},
        {name: Sample.of(values) for name, values in rss.items()},
    )
