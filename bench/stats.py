"""Medians, 90th percentiles and ratios of repeated measurements."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """Measured values of one quantity over the repeated runs (warm-ups already left out)."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Sample:
        if not values:
            raise ValueError("a sample needs at least one value")
        return cls(tuple(values))

    @property
    def runs(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p90(self) -> float:
        """Nearest-rank 90th percentile: an observed value, never an interpolation."""
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def ratio(ours: float, theirs: float) -> float:
    """``ours / theirs``; below 1 means this plugin needs less."""
    return ours / theirs if theirs else math.inf
