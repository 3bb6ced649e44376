"""Percentiles and latency summaries (standard library only, usable from both environments)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

#: The percentiles every latency summary reports.
PERCENTILES: tuple[tuple[str, float], ...] = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile, as `knowledge_base.eval.search_eval` computes it.

    The nearest rank is always one of the measured values (no interpolation), so a p99 over 100
    requests is the slowest but one, never a blend of two.

    Args:
        values: The measurements, in any order.
        fraction: The percentile as a fraction in [0, 1] (0.95 for p95).

    Returns:
        The value at rank ``ceil(fraction * n)`` (at least 1) of the sorted values; 0.0 for no values.

    Raises:
        ValueError: `fraction` is outside [0, 1].
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], not {fraction}")
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def summarize(latencies_ms: Iterable[float]) -> dict[str, Any]:
    """Summarise latencies: count, p50, p95, p99, mean, min and max (milliseconds).

    Args:
        latencies_ms: One latency per successful request, in milliseconds.

    Returns:
        ``{"n", "p50", "p95", "p99", "mean", "min", "max"}``; zeros when there are none.
    """
    values = sorted(float(value) for value in latencies_ms)
    summary: dict[str, Any] = {"n": len(values)}
    for name, fraction in PERCENTILES:
        summary[name] = percentile(values, fraction)
    summary["mean"] = sum(values) / len(values) if values else 0.0
    summary["min"] = values[0] if values else 0.0
    summary["max"] = values[-1] if values else 0.0
    return summary


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, or None when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else None


def rate(count: int, seconds: float) -> float:
    """Events per second (0.0 for an empty or zero-length interval)."""
    return count / seconds if seconds > 0 else 0.0
