"""Targets, the Markdown table and the chart of a bench run (bench/report.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bench.report import evaluate_targets, get, markdown, write_chart


def _latency(p50: float, p95: float, p99: float, concurrency: int = 1, per_s: float = 10.0) -> dict[str, Any]:
    return {
        "n": 100,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "mean": p50,
        "min": 1.0,
        "max": p99,
        "concurrency": concurrency,
        "requests": 100,
        "errors": 0,
        "wall_s": 10.0,
        "per_s": per_s,
    }


def _accuracy(with_marks: float, without: float, declined: int = 0) -> dict[str, Any]:
    return {
        "all": {"n": 10, "correct": 0, "accuracy": (with_marks + without) / 2, "declined": declined},
        "with_diacritics": {"n": 5, "correct": 0, "accuracy": with_marks, "declined": 0},
        "without_diacritics": {"n": 5, "correct": 0, "accuracy": without, "declined": declined},
    }


RESULTS: dict[str, Any] = {
    "generated_at": "2026-11-26T14:00:00+00:00",
    "quick": False,
    "machine": {"cpu_model": "Test CPU", "cores": 2, "ram_gb": 25.3, "os": "Linux"},
    "load": {"before": [0.5, 0.4, 0.3], "after": [1.9, 1.0, 0.5], "max_during_services": 3.25},
    "nlu_parse": {"c1": _latency(18, 24, 30), "c10": _latency(90, 140, 200, 10, 100.0)},
    "rest": {
        "c1": _latency(40, 70, 90),
        "c10": _latency(300, 500, 600, 10, 30.0),
        "c50": _latency(1500, 2500, 3000, 50, 33.0)
        | {"cpu_ms_per_request": {"rasa": 30.0, "actions": 12.04, "app": 0.01, "client": 2.0}},
    },
    "kb_search": {"in_process": _latency(2, 4, 6), "app_http": _latency(5, 9, 12)},
    "training": {"production": {"seconds": 120.0, "ok": True}, "stock": {"seconds": 80.0, "ok": True}},
    "memory": {
        "rasa": {"peak_rss_mb": 1100.0, "vm_hwm_mb": 1090.0},
        "actions": {"peak_rss_mb": 130.0},
        "app": {"peak_rss_mb": 140.0},
    },
    "stock_comparison": {
        "latency": {
            "ours": _latency(18, 24, 30),
            "stock": _latency(15, 20, 25),
            "ratio_p50": 1.2,
            "ratio_p95": 1.2,
        },
        "accuracy": {"ours": _accuracy(0.95, 0.92, 3), "stock": _accuracy(0.93, 0.80, 1)},
    },
    "phoatis": {"skipped": "not run: no dataset given"},
}


def test_each_target_is_judged_against_its_limit() -> None:
    verdicts = {row["key"]: row["met"] for row in evaluate_targets(RESULTS)}
    assert verdicts == {
        "nlu_p95_c1": True,  # 24 <= 25
        "rest_p95_c1": False,  # 70 > 60
        "rest_rate_c50": False,  # 33 < 100
        "kb_p95": True,  # 4 <= 10
        "training": True,  # 120 <= 180
        "rasa_memory": True,  # 1100 <= 1200
        "stock_ratio": False,  # 1.2 > 1.15
        "stock_gain": True,  # 0.92 - 0.80 >= 0.05
    }


def test_unmeasured_targets_are_not_judged() -> None:
    quick = {key: value for key, value in RESULTS.items() if key not in ("training", "stock_comparison")}
    verdicts = {row["key"]: row["met"] for row in evaluate_targets(quick)}
    assert verdicts["training"] is None and verdicts["stock_ratio"] is None and verdicts["stock_gain"] is None
    failed = copy.deepcopy(RESULTS)
    failed["training"]["production"] = {"seconds": 5.0, "ok": False, "error": "boom"}
    assert {row["key"]: row["met"] for row in evaluate_targets(failed)}["training"] is None


def test_markdown_shows_machine_figures_comparison_and_verdicts() -> None:
    table = markdown(RESULTS)
    assert "Test CPU, 2 cores, 25.3 GB RAM" in table
    assert "load average (1 min) 0.50 before, up to 3.25 while the services ran, 1.90 after" in table
    assert (
        "| REST round trip, 50 concurrent conversations | 100 | 1500.0 ms | 2500.0 ms | 3000.0 ms"
        " | 33.0 messages/s | Rasa 30.0, actions 12.0, load generator 2.0 ms |"
    ) in table
    assert "| REST round trip, 1 concurrent conversation | 100 |" in table
    assert "| stock (WhitespaceTokenizer) | 15.0 ms | 20.0 ms | 86.5 % | 93.0 % | 80.0 % | 1 |" in table
    assert "| ours (config.yml) | 18.0 ms | 24.0 ms | 93.5 % | 95.0 % | 92.0 % | 3 |" in table
    assert "| REST round trip p95, concurrency 1 ≤ 60 ms | 70.0 ms | **missed** |" in table
    assert "| Accuracy gain without diacritics vs stock ≥ 0.05 | +12.0 points | met |" in table
    assert "PhoATIS: not run: no dataset given." in table


def test_markdown_shows_phoatis_beside_the_published_figures() -> None:
    results = RESULTS | {
        "phoatis": {
            "level": "word",
            "training_s": 300.0,
            "scores": {"n": 893, "intent_accuracy": 0.95, "slot_f1": 0.9, "sentence_accuracy": 0.7},
        }
    }
    table = markdown(results)
    assert "| our pipeline (DIET, CPU, trained in 300 s) | 95.00 | 90.00 | 70.00 |" in table
    assert "| JointIDSF (PhoBERT, GPU; published) | 97.62 | 94.98 | 86.25 |" in table


def test_chart_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "chart.png"
    write_chart(RESULTS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_get_follows_dotted_paths() -> None:
    assert get(RESULTS, "rest.c50.per_s") == 33.0
    assert get(RESULTS, "rest.c99.per_s") is None
