"""Figure 4: client CPU per send, and segment analysis throughput.

CPU per send is ``time.process_time`` of this process around one in-process send against the
sandbox with no added latency. The sandbox and relay run in other processes, so only the client's
CPU is counted and waiting on the network costs nothing. This plugin's core reuses its pooled
connection; the SDK's way pays a new TLS handshake every call, which is part of its CPU cost.

Segment analysis is timed on a 1,600-character GSM-7 text and a 737-character UCS-2 text (the
longest Plivo accepts), next to a straightforward per-character implementation written here as
a reference; both must agree on units and segments, or the benchmark stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.latency import core_sender, sdk_sender
from bench.rig import SENDER, Rig, patched_environ
from bench.stats import Sample
from plivo_api.features import send_sms
from plivo_api.messaging import segments

GSM_SENTENCE = (
    "Your appointment at the clinic is confirmed for Tuesday at 10:30. "
    "Reply YES to confirm or call us on 020 7946 0018 to change it. "
)
UCS2_SENTENCE = "Ваша запись в клинику подтверждена на вторник, 10:30. Ответьте ДА. "
GSM_TEXT = (GSM_SENTENCE * 20)[: segments.GSM7_MAX_CHARACTERS]
UCS2_TEXT = (UCS2_SENTENCE * 20)[: segments.UCS2_MAX_CHARACTERS]
ANALYSES_PER_BATCH = 100


@dataclass(frozen=True)
class CpuResult:
    ours: Sample  # seconds of CPU per send
    ours_planning: Sample  # of which send_sms.plan (parameters read, numbers parsed, text checked)
    sdk: Sample


@dataclass(frozen=True)
class SegmentRow:
    name: str
    characters: int
    encoding: str
    segments: int
    ours: Sample  # seconds per analysis
    reference: Sample


def measure_cpu(rig: Rig, runs: int, warmups: int) -> CpuResult:
    url = rig.direct_url
    send_ours, send_sdk = core_sender(), sdk_sender(rig, url)
    params = {"to": "+14155552671", "message": GSM_SENTENCE}

    def plan() -> Any:
        return send_sms.plan(params, SENDER)

    measured: dict[str, list[float]] = {"ours": [], "planning": [], "sdk": []}
    steps: dict[str, Callable[[], Any]] = {"ours": send_ours, "planning": plan, "sdk": send_sdk}
    with patched_environ(rig.our_env(url)):
        for run in range(warmups + runs):
            for name, step in steps.items():
                started = time.process_time()
                step()
                used = time.process_time() - started
                if run >= warmups:
                    measured[name].append(used)
    return CpuResult(
        Sample.of(measured["ours"]), Sample.of(measured["planning"]), Sample.of(measured["sdk"])
    )


def reference_analysis(text: str) -> tuple[str, int, int, dict[str, list[int]]]:
    """Encoding, units, segments and non-GSM positions, one character at a time."""
    gsm = all(char in segments.GSM7_CHARACTERS for char in text)
    if gsm:
        costs = [2 if c in segments.GSM7_EXTENSION_CHARACTERS else 1 for c in text]
        single, multipart = segments.GSM7_SINGLE_SEGMENT_UNITS, segments.GSM7_MULTIPART_UNITS
    else:
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, multipart = segments.UCS2_SINGLE_SEGMENT_UNITS, segments.UCS2_MULTIPART_UNITS
    units = sum(costs)
    if units == 0:
        count = 0
    elif units <= single:
        count = 1
    else:
        count, used = 1, 0
        for cost in costs:
            if used + cost > multipart:
                count, used = count + 1, 0
            used += cost
    non_gsm: dict[str, list[int]] = {}
    if not gsm:
        for position, char in enumerate(text, 1):
            if char not in segments.GSM7_CHARACTERS:
                non_gsm.setdefault(char, []).append(position)
    return ("GSM-7" if gsm else "UCS-2"), units, count, non_gsm


def measure_segments(batches: int, warmups: int) -> list[SegmentRow]:
    rows = []
    for name, text in (("GSM-7", GSM_TEXT), ("UCS-2", UCS2_TEXT)):
        analysis = segments.analyze(text)
        encoding, units, count, _ = reference_analysis(text)
        if (analysis.encoding, analysis.units, analysis.segments) != (encoding, units, count):
            raise RuntimeError(
                f"{name}: analyze() says {analysis.encoding}/{analysis.units}/"
                f"{analysis.segments}, the reference {encoding}/{units}/{count}"
            )
        timings: dict[str, list[float]] = {"ours": [], "reference": []}
        steps: dict[str, Callable[[str], Any]] = {
            "ours": segments.analyze,
            "reference": reference_analysis,
        }
        for batch in range(warmups + batches):
            for key, step in steps.items():
                started = time.perf_counter()
                for _ in range(ANALYSES_PER_BATCH):
                    step(text)
                per_analysis = (time.perf_counter() - started) / ANALYSES_PER_BATCH
                if batch >= warmups:
                    timings[key].append(per_analysis)
        rows.append(
            SegmentRow(
                name,
                len(text),
                analysis.encoding,
                analysis.segments,
                Sample.of(timings["ours"]),
                Sample.of(timings["reference"]),
            )
        )
    return rows
