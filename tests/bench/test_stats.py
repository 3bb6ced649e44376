"""Percentiles and latency summaries (bench/stats.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.stats import percentile, rate, ratio, summarize


def test_nearest_rank_percentiles_of_one_to_a_hundred() -> None:
    values = list(range(100, 0, -1))  # order does not matter
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile(values, 0.0) == 1


def test_percentile_is_always_a_measured_value() -> None:
    # Nearest rank never interpolates: p50 of two values is the lower one, not their mean.
    assert percentile([10.0, 20.0], 0.5) == 10.0
    assert percentile([10.0, 20.0], 0.95) == 20.0


def test_percentile_of_nothing_is_zero_and_fraction_is_checked() -> None:
    assert percentile([], 0.95) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 95)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200))
def test_summary_is_ordered_and_within_range(values: list[float]) -> None:
    summary = summarize(values)
    assert summary["n"] == len(values)
    assert summary["min"] <= summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]
    assert summary["min"] == min(values) and summary["max"] == max(values)
    assert summary["min"] - 1e-6 <= summary["mean"] <= summary["max"] + 1e-6


def test_summary_of_no_requests_is_zeros() -> None:
    assert summarize([]) == {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "min": 0.0, "max": 0.0}


def test_ratio_and_rate_guard_against_zero() -> None:
    assert ratio(23.0, 20.0) == pytest.approx(1.15)
    assert ratio(1.0, 0.0) is None
    assert rate(300, 3.0) == 100.0
    assert rate(5, 0.0) == 0.0
