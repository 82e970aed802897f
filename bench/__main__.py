"""``python -m bench``: measure every figure and write ``bench/RESULTS.md``.

``--quick`` runs each figure a few times only, to check that the benchmark works; it writes to
``bench/.work/RESULTS-quick.md`` unless ``--output`` says otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench.bulk import measure_bulk
from bench.cpu import ANALYSES_PER_BATCH, measure_cpu, measure_segments
from bench.endpoint import measure_endpoint
from bench.latency import measure_latency
from bench.machine import describe
from bench.report import Results, Runs, render
from bench.rig import rig
from bench.startup import measure_startup

logger = logging.getLogger("bench")

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"
QUICK_RESULTS_PATH = BENCH_DIR / ".work" / "RESULTS-quick.md"
RTT_SECONDS = 0.050

FULL_RUNS = Runs(
    startup=11,
    startup_warmups=1,
    latency=50,
    latency_warmups=3,
    tls_calibrations=20,
    bulk=11,
    bulk_warmups=1,
    cpu=200,
    cpu_warmups=10,
    segment_batches=30,
    segment_warmups=3,
    analyses_per_batch=ANALYSES_PER_BATCH,
)
QUICK_RUNS = Runs(
    startup=2,
    startup_warmups=1,
    latency=5,
    latency_warmups=1,
    tls_calibrations=3,
    bulk=2,
    bulk_warmups=1,
    cpu=10,
    cpu_warmups=2,
    segment_batches=3,
    segment_warmups=1,
    analyses_per_batch=ANALYSES_PER_BATCH,
    endpoint=5,
    endpoint_warmups=1,
)


def run(runs: Runs, work: Path) -> Results:
    started = time.monotonic()
    machine = describe()
    with rig(work, RTT_SECONDS) as bench:
        logger.info("1/5 start-up: %d runs of 3 plugins", runs.startup)
        startup = measure_startup(bench, runs.startup, runs.startup_warmups)
        logger.info("2/5 warm send latency: %d sends each of 4 ways", runs.latency)
        latency = measure_latency(bench, runs.latency, runs.latency_warmups, runs.tls_calibrations)
        logger.info("3/5 bulk: %d runs per size and plugin", runs.bulk)
        bulk = measure_bulk(bench, runs.bulk, runs.bulk_warmups)
        logger.info("4/5 CPU per send (%d each) and segment analysis", runs.cpu)
        cpu = measure_cpu(bench, runs.cpu, runs.cpu_warmups)
        logger.info("5/5 inbound endpoint: %d messages", runs.endpoint)
        endpoint = measure_endpoint(bench, runs.endpoint, runs.endpoint_warmups)
    segments = measure_segments(runs.segment_batches, runs.segment_warmups)
    return Results(
        machine=machine,
        runs=runs,
        startup=startup,
        latency=latency,
        bulk=bulk,
        cpu=cpu,
        segments=segments,
        endpoint=endpoint,
        wall_seconds=time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few runs only (smoke test)")
    parser.add_argument("--output", type=Path, help="where to write the Markdown results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    output = args.output or (QUICK_RESULTS_PATH if args.quick else RESULTS_PATH)
    with tempfile.TemporaryDirectory(prefix="plivo-bench-") as work:
        results = run(QUICK_RUNS if args.quick else FULL_RUNS, Path(work))
    text = render(results)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    summary = text[text.index("## Summary") : text.index("## 1.")]
    sys.stdout.write(summary + f"Written to {output} in {results.wall_seconds:.0f} s.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
