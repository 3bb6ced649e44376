"""Targets, the printed/Markdown table and the PNG chart of a bench run (app environment).

Everything here reads the results dictionary `bench.run` writes to ``bench/results/latest.json``,
so the table and the chart can be redrawn from a saved run (``python -m bench.report``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.phoatis import JOINTIDSF

RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: "Clearly more accurate without diacritics": at least this many points of accuracy above stock.
CLEARLY_BETTER = 0.05


def get(results: dict[str, Any], path: str) -> Any:
    """The value at a dotted `path` of `results` (None when any part is missing)."""
    value: Any = results
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


@dataclass(frozen=True)
class Target:
    """One target of issue 7: a measured value compared with a limit."""

    key: str
    label: str
    unit: str
    limit: float
    at_most: bool
    value: Callable[[dict[str, Any]], float | None]

    def check(self, results: dict[str, Any]) -> dict[str, Any]:
        """The target's row: label, limit, value and whether it is met (None: not measured)."""
        value = self.value(results)
        met = None if value is None else (value <= self.limit if self.at_most else value >= self.limit)
        return {
            "key": self.key,
            "label": self.label,
            "target": f"{'≤' if self.at_most else '≥'} {self.limit:g}{self.unit}",
            "value": value,
            "unit": self.unit,
            "met": met,
        }


def _accuracy_gap(results: dict[str, Any]) -> float | None:
    ours = get(results, "stock_comparison.accuracy.ours.without_diacritics.accuracy")
    stock = get(results, "stock_comparison.accuracy.stock.without_diacritics.accuracy")
    return None if ours is None or stock is None else ours - stock


def _training_s(results: dict[str, Any]) -> float | None:
    production = get(results, "training.production") or {}
    return production.get("seconds") if production.get("ok") else None


TARGETS: tuple[Target, ...] = (
    Target(
        "nlu_p95_c1", "NLU parse p95, concurrency 1", " ms", 25, True, lambda r: get(r, "nlu_parse.c1.p95")
    ),
    Target(
        "rest_p95_c1", "REST round trip p95, concurrency 1", " ms", 60, True, lambda r: get(r, "rest.c1.p95")
    ),
    Target(
        "rest_rate_c50",
        "REST messages/s, 50 conversations",
        "/s",
        100,
        False,
        lambda r: get(r, "rest.c50.per_s"),
    ),
    Target(
        "kb_p95", "Knowledge base search p95", " ms", 10, True, lambda r: get(r, "kb_search.in_process.p95")
    ),
    Target("training", "Training the production model", " s", 180, True, _training_s),
    Target(
        "rasa_memory", "Rasa server peak RSS", " MB", 1200, True, lambda r: get(r, "memory.rasa.peak_rss_mb")
    ),
    Target(
        "stock_ratio",
        "Parse latency ours / stock (p50)",
        "×",
        1.15,
        True,
        lambda r: get(r, "stock_comparison.latency.ratio_p50"),
    ),
    Target(
        "stock_gain", "Accuracy gain without diacritics vs stock", "", CLEARLY_BETTER, False, _accuracy_gap
    ),
)


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Check every target against a run's results."""
    return [target.check(results) for target in TARGETS]


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def _value(row: dict[str, Any]) -> str:
    value = row["value"]
    if value is None:
        return "–"
    if row["key"] == "stock_gain":
        return f"{100 * value:+.1f} points"
    if row["key"] == "stock_ratio":
        return f"{value:.2f}×"
    return f"{value:.1f}{row['unit']}"


_PROCESS_NAMES = {
    "rasa": "Rasa",
    "rasa_stock": "Rasa (stock)",
    "actions": "actions",
    "app": "app",
    "client": "load generator",
}


def _cpu(row: dict[str, Any]) -> str:
    """``Rasa 30.1, actions 12.0, load generator 2.0 ms`` from a phase's CPU per request."""
    cpu = row.get("cpu_ms_per_request") or {}
    order = [name for name in _PROCESS_NAMES if name in cpu] + [
        name for name in cpu if name not in _PROCESS_NAMES
    ]
    parts = [f"{_PROCESS_NAMES.get(name, name)} {cpu[name]:.1f}" for name in order if cpu[name] >= 0.05]
    return f"{', '.join(parts)} ms" if parts else ""


def machine_line(results: dict[str, Any]) -> str:
    """One line saying where and when the run happened, and how busy the machine was."""
    machine = results.get("machine") or {}
    load = results.get("load") or {}
    before, after = load.get("before") or [], load.get("after") or []
    loads = ""
    peak = load.get("max_during_services")
    if before and after:
        during = f", up to {peak:.2f} while the services ran" if peak else ""
        loads = f"; load average (1 min) {before[0]:.2f} before{during}, {after[0]:.2f} after"
    return (
        f"{machine.get('cpu_model', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('ram_gb', 0):.1f} GB RAM, {machine.get('os', '?')}; "
        f"run {str(results.get('generated_at', '?'))[:16].replace('T', ' ')} UTC"
        f"{' (--quick)' if results.get('quick') else ''}{loads}"
    )


def markdown(results: dict[str, Any]) -> str:
    """The run as Markdown: machine, measurements, stock comparison, PhoATIS, targets."""
    lines = [f"Machine: {machine_line(results)}.", ""]
    lines += [
        "| measurement | n | p50 | p95 | p99 | throughput | CPU per request |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for level in ("c1", "c10"):
        row = get(results, f"nlu_parse.{level}")
        if row:
            lines.append(
                f"| NLU parse `/model/parse`, concurrency {row['concurrency']} | {row['n']}"
                f" | {_ms(row['p50'])} ms | {_ms(row['p95'])} ms | {_ms(row['p99'])} ms"
                f" | {row['per_s']:.1f} parses/s | {_cpu(row)} |"
            )
    for level in ("c1", "c10", "c50"):
        row = get(results, f"rest.{level}")
        if row:
            errors = f", {row['errors']} errors" if row.get("errors") else ""
            lines.append(
                f"| REST round trip, {row['concurrency']} concurrent conversation"
                f"{'s' if row['concurrency'] != 1 else ''} | {row['n']} | {_ms(row['p50'])} ms"
                f" | {_ms(row['p95'])} ms | {_ms(row['p99'])} ms | {row['per_s']:.1f} messages/s{errors}"
                f" | {_cpu(row)} |"
            )
    for key, label in (
        ("in_process", "Knowledge base search (in process)"),
        ("app_http", "Procedure search via the app's HTTP API"),
    ):
        row = get(results, f"kb_search.{key}")
        if row:
            lines.append(
                f"| {label} | {row['n']} | {_ms(row['p50'])} ms | {_ms(row['p95'])} ms"
                f" | {_ms(row['p99'])} ms | | |"
            )
    lines += ["", "| resource | value |", "| --- | --- |"]
    for key, label in (
        ("production", "Training the production model (config.yml, fresh, no cache)"),
        ("stock", "Training the stock pipeline (bench/config_stock.yml)"),
    ):
        row = get(results, f"training.{key}")
        if row:
            value = f"{row['seconds']:.0f} s" if row.get("ok") else f"failed ({row.get('error', '')[:80]})"
            lines.append(f"| {label} | {value} |")
    for name, label in (
        ("rasa", "Rasa server"),
        ("actions", "Action server"),
        ("app", "App (FastAPI)"),
        ("rasa_stock", "Rasa server, stock pipeline"),
    ):
        row = get(results, f"memory.{name}")
        if row and row.get("peak_rss_mb") is not None:
            hwm = row.get("vm_hwm_mb")
            lines.append(
                f"| {label}: peak RSS | {row['peak_rss_mb']:.0f} MB"
                f"{f' (kernel high-water mark {hwm:.0f} MB)' if hwm else ''} |"
            )

    comparison = results.get("stock_comparison")
    if comparison:
        lines += [
            "",
            "Ours against the stock pipeline on the held-out set"
            f" ({get(comparison, 'accuracy.ours.all.n')} examples,"
            " each parsed once by each server, alternating):",
            "",
            "| pipeline | parse p50 | parse p95 | accuracy | with diacritics | without diacritics"
            " | would decline |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, label in (("ours", "ours (config.yml)"), ("stock", "stock (WhitespaceTokenizer)")):
            latency = get(comparison, f"latency.{name}") or {}
            accuracy = get(comparison, f"accuracy.{name}") or {}
            lines.append(
                f"| {label} | {_ms(latency.get('p50'))} ms | {_ms(latency.get('p95'))} ms"
                f" | {_pct(get(accuracy, 'all.accuracy'))}"
                f" | {_pct(get(accuracy, 'with_diacritics.accuracy'))}"
                f" | {_pct(get(accuracy, 'without_diacritics.accuracy'))}"
                f" | {get(accuracy, 'all.declined') if get(accuracy, 'all.declined') is not None else '–'} |"
            )
        ratio50, ratio95 = get(comparison, "latency.ratio_p50"), get(comparison, "latency.ratio_p95")
        cpu_ratio = get(comparison, "latency.cpu_ratio")
        if ratio50 is not None and ratio95 is not None:
            lines.append(
                f"\nLatency ratio ours / stock: {ratio50:.2f}× at p50, {ratio95:.2f}× at p95"
                + (f"; Rasa server CPU per parse {cpu_ratio:.2f}×." if cpu_ratio else ".")
            )

    phoatis = results.get("phoatis") or {}
    lines.append("")
    if phoatis.get("scores"):
        scores = phoatis["scores"]
        lines += [
            f"PhoATIS ({phoatis.get('level', '?')} level, test split, {scores.get('n')} utterances):",
            "",
            "| model | intent accuracy | slot F1 | sentence accuracy |",
            "| --- | --- | --- | --- |",
            f"| our pipeline (DIET, CPU, trained in {phoatis.get('training_s', 0):.0f} s)"
            f" | {100 * scores['intent_accuracy']:.2f} | {100 * scores['slot_f1']:.2f}"
            f" | {100 * scores['sentence_accuracy']:.2f} |",
            f"| JointIDSF (PhoBERT, GPU; published) | {JOINTIDSF['intent_accuracy']:.2f}"
            f" | {JOINTIDSF['slot_f1']:.2f} | {JOINTIDSF['sentence_accuracy']:.2f} |",
        ]
    else:
        lines.append(f"PhoATIS: {phoatis.get('skipped', 'not run')}.")

    lines += ["", "| target | value | verdict |", "| --- | --- | --- |"]
    for row in results.get("targets") or evaluate_targets(results):
        lines.append(f"| {row['label']} {row['target']} | {_value(row)} | {_verdict(row['met'])} |")
    return "\n".join(lines) + "\n"


def write_chart(results: dict[str, Any], path: Path) -> None:
    """Draw the run as a 2×2 PNG: latencies, REST throughput, held-out accuracy, memory."""
    import matplotlib

    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    figure.suptitle(f"tthc-assistant bench — {machine_line(results)}", fontsize=8)

    ax = axes[0][0]
    groups = [
        (f"parse c{row['concurrency']}", row)
        for row in (get(results, "nlu_parse.c1"), get(results, "nlu_parse.c10"))
        if row
    ]
    groups += [
        (f"REST c{row['concurrency']}", row)
        for row in (get(results, "rest.c1"), get(results, "rest.c10"), get(results, "rest.c50"))
        if row
    ]
    width = 0.27
    for offset, name in enumerate(("p50", "p95", "p99")):
        ax.bar(
            [i + (offset - 1) * width for i in range(len(groups))],
            [row[name] for _, row in groups],
            width,
            label=name,
        )
    ax.set_xticks(range(len(groups)), [label for label, _ in groups])
    ax.set_yscale("log")
    ax.set_ylabel("latency (ms, log scale)")
    ax.axhline(25, color="grey", linestyle=":", linewidth=1)
    ax.axhline(60, color="grey", linestyle="--", linewidth=1)
    ax.set_title("Latency (dotted: parse target 25 ms, dashed: REST target 60 ms)", fontsize=9)
    ax.legend(fontsize=8)

    ax = axes[0][1]
    rest = [
        row for row in (get(results, "rest.c1"), get(results, "rest.c10"), get(results, "rest.c50")) if row
    ]
    ax.bar([str(row["concurrency"]) for row in rest], [row["per_s"] for row in rest], color="tab:green")
    ax.axhline(100, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("messages per second")
    ax.set_title("REST channel throughput (dashed: target 100/s at 50)", fontsize=9)

    ax = axes[1][0]
    subsets = ("all", "with_diacritics", "without_diacritics")
    for offset, name in enumerate(("ours", "stock")):
        accuracy = get(results, f"stock_comparison.accuracy.{name}")
        if accuracy:
            ax.bar(
                [i + (offset - 0.5) * 0.4 for i in range(len(subsets))],
                [accuracy[s]["accuracy"] for s in subsets],
                0.4,
                label=name,
            )
    ax.set_xticks(range(len(subsets)), ["all", "with diacritics", "without diacritics"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("intent accuracy (held-out set)")
    ax.set_title("Our pipeline against the stock pipeline", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:
        ax.text(1, 0.5, "not measured in this run", ha="center", color="grey")

    ax = axes[1][1]
    memory = results.get("memory") or {}
    names = [name for name in ("rasa", "actions", "app", "rasa_stock") if get(memory, f"{name}.peak_rss_mb")]
    ax.bar(names, [memory[name]["peak_rss_mb"] for name in names], color="tab:purple")
    ax.axhline(1200, color="grey", linestyle="--", linewidth=1)
    ax.set_ylabel("peak RSS (MB)")
    ax.set_title("Peak resident memory (dashed: Rasa target 1.2 GB)", fontsize=9)

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the Markdown table of a saved run and redraw its chart."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS_DIR / "latest.json")
    parser.add_argument("--chart", type=Path, default=None, help="where to draw the chart (default: none)")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    print(markdown(results))
    if args.chart:
        write_chart(results, args.chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
