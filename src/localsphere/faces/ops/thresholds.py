"""Dynamic thresholds, as ``POST /api/resources/stats/dt/query`` answers them: each stat with the
band Operations considers normal at each of its samples (``dtTimestamps``, ``minThresholdData``,
``maxThresholdData``) and, when asked (``showSmooth``), its smoothed values (``smoothValues``).

Operations learns a metric's normal band from its history; here the band is learnt from the
series itself, so it follows the one world's metric model: at each sample, the mean of the hour
before it (``WINDOW`` samples, itself included) plus and minus ``SPREAD`` standard deviations,
never below zero. Smoothing is a moving average over ``smoothFactor`` samples each side.
Shapes: the spec's ``dt-stat-query`` and ``stats`` (vcf-operations-9.1.json).
"""

from __future__ import annotations

from statistics import fmean, pstdev
from typing import Any

WINDOW = 12  # samples of 5 minutes: an hour of history
SPREAD = 2.0  # standard deviations each side of the mean
MAX_SMOOTH = 100  # samples each side


def band(data: list[float]) -> tuple[list[float], list[float]]:
    """The lower and upper threshold at each sample."""
    low, high = [], []
    for i in range(len(data)):
        past = data[max(0, i - WINDOW + 1) : i + 1]
        mean, spread = fmean(past), SPREAD * pstdev(past)
        low.append(round(max(mean - spread, 0.0), 3))
        high.append(round(mean + spread, 3))
    return low, high


def smooth(data: list[float], factor: float) -> list[float]:
    """A centred moving average over ``factor`` samples each side (at least one)."""
    reach = min(max(round(factor), 1), MAX_SMOOTH)
    return [round(fmean(data[max(0, i - reach) : i + reach + 1]), 3) for i in range(len(data))]


def with_thresholds(stat: dict[str, Any], smooth_factor: float | None) -> dict[str, Any]:
    """``stat`` (a ``stats`` of raw samples) with its thresholds, and smoothed when
    ``smooth_factor`` is given."""
    low, high = band(stat["data"])
    found = {**stat, "dtTimestamps": stat["timestamps"], "minThresholdData": low, "maxThresholdData": high}
    if smooth_factor is not None:
        found["smoothValues"] = smooth(stat["data"], smooth_factor)
    return found
