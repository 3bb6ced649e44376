"""Score the procedure search against hand-labelled citizen queries.

Run in the app environment (`.venv`):

    python -m knowledge_base.eval.search_eval [--database-url URL] [--limit 3] [--show-misses] [--json]

Each line of ``search_queries.jsonl`` is ``{"query": ..., "codes": [...], "tags": [...]}``: ``codes``
are the acceptable national procedure codes for the query, the ideal one first (the level a citizen
normally uses), others only where the query genuinely leaves the choice open. A hit counts when a
returned code is any of them. The labels were decided from the procedures' names and levels in the
national data, never from this search's output, so the figures measure the search and not a copy of
it.

Exit status: 0 whatever the scores (this is a measurement, not a gate), 2 when the query file is
malformed, 1 when the database cannot be read.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from knowledge_base.db import session_scope
from knowledge_base.models import Procedure
from knowledge_base.search import search_procedures
from knowledge_base.settings import get_settings

DEFAULT_PATH = Path(__file__).resolve().with_name("search_queries.jsonl")
CODE_PATTERN = re.compile(r"^[0-9]\.[0-9]{6}$")
# Top-k figures always reported; `limit` only sets how many hits a search is asked for.
TOP_K = (1, 3)


class QuerySetError(ValueError):
    """The query file is malformed (the message names the line)."""


def load_queries(path: Path | str = DEFAULT_PATH) -> list[dict[str, Any]]:
    """Load and validate the labelled queries.

    Args:
        path: a JSON Lines file, one ``{"query", "codes", "tags"}`` object per line; blank lines are
            ignored.

    Returns:
        The queries in file order, each a dict with ``query`` (str), ``codes`` (non-empty list of
        national codes) and ``tags`` (list of str).

    Raises:
        QuerySetError: a line is not such an object, or a query appears twice (case-insensitive).
        OSError: the file cannot be read.
    """
    queries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuerySetError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            queries.append(_validated(item, f"{path}:{number}"))
            key = item["query"].strip().lower()
            if key in seen:
                raise QuerySetError(f"{path}:{number}: duplicate of the query on line {seen[key]}")
            seen[key] = number
    return queries


def _validated(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise QuerySetError(f"{where}: expected a JSON object")
    query, codes, tags = item.get("query"), item.get("codes"), item.get("tags", [])
    if not isinstance(query, str) or not query.strip():
        raise QuerySetError(f"{where}: 'query' must be a non-empty string")
    if not isinstance(codes, list) or not codes:
        raise QuerySetError(f"{where}: 'codes' must be a non-empty list")
    for code in codes:
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise QuerySetError(f"{where}: {code!r} is not a national procedure code (like 1.001193)")
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise QuerySetError(f"{where}: 'tags' must be a list of non-empty strings")
    return {"query": query, "codes": list(codes), "tags": list(tags)}


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(session: Session, queries: list[dict[str, Any]], limit: int = 3) -> dict[str, Any]:
    """Run every query through the search and score the results.

    Args:
        session: an open session on a seeded database.
        queries: as returned by `load_queries`.
        limit: how many hits each search is asked for. Top-3 accuracy looks at the first
            ``min(limit, 3)`` hits, so it equals top-1 accuracy when ``limit`` is 1.

    Returns:
        A dict with ``queries`` (count), ``limit``, ``top1`` and ``top3`` (fractions in [0, 1]),
        ``hit_at_limit`` (any returned hit acceptable), ``latency_ms`` (``p50``, ``p95``, ``max``,
        ``mean`` over the timed searches, and ``warmup`` for one untimed first search, which may
        build the in-memory index), ``by_tag`` (tag -> ``queries``, ``top1``, ``top3``), ``misses``
        (queries whose first hit is not acceptable: the query, its tags, the expected codes with
        their names, what came back, and whether the top 3 held an acceptable code) and
        ``unknown_codes`` (labelled codes absent from the database, which no search can find).
    """
    limit = max(1, int(limit))
    warmup_ms = 0.0
    if queries:
        started = time.perf_counter()
        search_procedures(session, queries[0]["query"], limit)
        warmup_ms = (time.perf_counter() - started) * 1000

    latencies: list[float] = []
    counts: dict[str, int] = defaultdict(int)
    tag_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: list[dict[str, Any]] = []
    for item in queries:
        started = time.perf_counter()
        hits = search_procedures(session, item["query"], limit)
        latencies.append((time.perf_counter() - started) * 1000)
        acceptable = set(item["codes"])
        returned = [hit.code for hit in hits]
        outcome = {
            "top1": bool(returned) and returned[0] in acceptable,
            "top3": any(code in acceptable for code in returned[:3]),
            "hit_at_limit": any(code in acceptable for code in returned),
        }
        counts["queries"] += 1
        for key, ok in outcome.items():
            counts[key] += ok
        for tag in item["tags"]:
            tag_counts[tag]["queries"] += 1
            tag_counts[tag]["top1"] += outcome["top1"]
            tag_counts[tag]["top3"] += outcome["top3"]
        if not outcome["top1"]:
            misses.append(
                {
                    "query": item["query"],
                    "tags": item["tags"],
                    "expected": list(item["codes"]),
                    "in_top3": outcome["top3"],
                    "returned": [
                        {"code": h.code, "name": h.name, "level": h.level, "score": h.score} for h in hits
                    ],
                }
            )

    labelled = {code for item in queries for code in item["codes"]}
    names = _names(session, labelled)
    for miss in misses:
        miss["expected"] = [{"code": code, "name": names.get(code, "")} for code in miss["expected"]]

    ordered = sorted(latencies)
    n = counts["queries"]
    return {
        "queries": n,
        "limit": limit,
        "top1": _ratio(counts["top1"], n),
        "top3": _ratio(counts["top3"], n),
        "hit_at_limit": _ratio(counts["hit_at_limit"], n),
        "latency_ms": {
            "p50": _percentile(ordered, 0.50),
            "p95": _percentile(ordered, 0.95),
            "max": ordered[-1] if ordered else 0.0,
            "mean": sum(ordered) / len(ordered) if ordered else 0.0,
            "warmup": warmup_ms,
        },
        "by_tag": {
            tag: {
                "queries": c["queries"],
                "top1": _ratio(c["top1"], c["queries"]),
                "top3": _ratio(c["top3"], c["queries"]),
            }
            for tag, c in sorted(tag_counts.items())
        },
        "misses": misses,
        "unknown_codes": sorted(labelled - names.keys()),
    }


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(select(Procedure.code, Procedure.name).where(Procedure.code.in_(sorted(codes))))
    return {code: name for code, name in rows}


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(result: dict[str, Any], *, show_misses: bool = False, database: str = "") -> str:
    """Format the result of `evaluate` for a terminal."""
    n = result["queries"]
    lat = result["latency_ms"]
    lines = [
        f"Procedure search evaluation: {n} queries, limit {result['limit']}"
        + (f", database {database}" if database else ""),
        f"  top-1 accuracy  {result['top1']:.3f}  ({round(result['top1'] * n)}/{n})",
        f"  top-3 accuracy  {result['top3']:.3f}  ({round(result['top3'] * n)}/{n})",
        f"  latency per search  p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms  max {lat['max']:.2f} ms"
        f"  (first search {lat['warmup']:.1f} ms, not counted)",
    ]
    if result["unknown_codes"]:
        lines.append(
            f"  warning: {len(result['unknown_codes'])} labelled codes are not in the database: "
            + ", ".join(result["unknown_codes"][:10])
            + (" …" if len(result["unknown_codes"]) > 10 else "")
        )
    lines += ["", f"  {'tag':<20} {'n':>4}  {'top-1':>6}  {'top-3':>6}"]
    for tag, figures in result["by_tag"].items():
        lines.append(f"  {tag:<20} {figures['queries']:>4}  {figures['top1']:>6.3f}  {figures['top3']:>6.3f}")
    if show_misses:
        lines += ["", f"Top-1 misses ({len(result['misses'])}):"]
        for miss in result["misses"]:
            rescued = "in top 3" if miss["in_top3"] else "not in top 3"
            lines.append(f"- {miss['query']!r}  [{', '.join(miss['tags'])}]  ({rescued})")
            for expected in miss["expected"]:
                name = expected["name"] or "(not in database)"
                lines.append(f"    want {expected['code']}  {_short(name)}")
            if not miss["returned"]:
                lines.append("    got  nothing")
            for rank, hit in enumerate(miss["returned"], start=1):
                lines.append(
                    f"    got{rank:>2} {hit['code']}  {hit['score']:.3f}  [{hit['level']}]  "
                    f"{_short(hit['name'])}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base.eval.search_eval",
        description="Score the procedure search against labelled citizen queries.",
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL / the local SQLite)")
    parser.add_argument("--limit", type=int, default=3, help="hits asked of each search (default 3)")
    parser.add_argument("--queries", default=str(DEFAULT_PATH), help="the labelled query file")
    parser.add_argument("--show-misses", action="store_true", help="list every top-1 miss and its hits")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    try:
        queries = load_queries(args.queries)
    except QuerySetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {args.queries}: {exc}", file=sys.stderr)
        return 2

    url = args.database_url or get_settings().database_url
    parsed = make_url(url)
    shown_url = parsed.render_as_string(hide_password=True)
    # Opening a missing SQLite file would create an empty database; say what is wrong instead.
    database = parsed.database or ""
    missing_file = database not in ("", ":memory:") and not Path(database).is_file()
    if parsed.get_backend_name() == "sqlite" and missing_file:
        print(f"error: no database at {database} (run `make db` first)", file=sys.stderr)
        return 1
    try:
        with session_scope(url) as session:
            result = evaluate(session, queries, limit=args.limit)
    except SQLAlchemyError as exc:
        print(f"error: cannot search the database {shown_url}: {exc}", file=sys.stderr)
        return 1

    if args.json:
        if not args.show_misses:
            result = {key: value for key, value in result.items() if key != "misses"}
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(render(result, show_misses=args.show_misses, database=shown_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
