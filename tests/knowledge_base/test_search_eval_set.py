"""The labelled search queries are well-formed and varied enough to measure the search honestly.

The codes were checked against the national data when the set was written; these tests only read the
set itself (and, once the seed exists, run it through the search to check the scorer's output shape).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from knowledge_base.eval.search_eval import DEFAULT_PATH, QuerySetError, evaluate, load_queries

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED = PROJECT_ROOT / "knowledge_base" / "seed" / "procedures.jsonl.gz"
CODE = re.compile(r"^[0-9]\.[0-9]{6}$")
STYLE_TAGS = {"no_diacritics", "abbrev", "typo", "word_order", "question", "colloquial", "short", "long"}
# Shorthand citizens type; every query tagged "abbrev" uses at least one.
SHORTHAND = {
    "antt",
    "bhxh",
    "bhyt",
    "bn",
    "cccd",
    "cmnd",
    "cty",
    "dk",
    "dki",
    "dkkd",
    "đtm",
    "gcn",
    "gks",
    "gplx",
    "gpxd",
    "hkd",
    "htx",
    "iap",
    "ko",
    "lltp",
    "mst",
    "pccc",
    "tncn",
    "tnhh",
    "ubnd",
}


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return [line for line in DEFAULT_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return load_queries()


def _has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in text.lower() or any(unicodedata.combining(c) for c in decomposed)


def test_every_line_is_a_query_with_codes_and_tags(lines: list[str]) -> None:
    for number, line in enumerate(lines, start=1):
        item = json.loads(line)
        assert set(item) == {"query", "codes", "tags"}, f"line {number}: keys {sorted(item)}"
        assert isinstance(item["query"], str) and item["query"].strip() == item["query"] != ""
        assert item["query"] == unicodedata.normalize("NFC", item["query"]), f"line {number}: not NFC"
        assert isinstance(item["codes"], list) and item["codes"], f"line {number}: no codes"
        assert all(CODE.match(code) for code in item["codes"]), f"line {number}: {item['codes']}"
        assert len(set(item["codes"])) == len(item["codes"]), f"line {number}: repeated code"
        assert isinstance(item["tags"], list) and item["tags"], f"line {number}: no tags"
        assert len(set(item["tags"])) == len(item["tags"]), f"line {number}: repeated tag"


def test_loader_accepts_the_set_and_queries_are_unique(queries: list[dict], lines: list[str]) -> None:
    assert len(queries) == len(lines)
    folded = [q["query"].lower() for q in queries]
    assert len(set(folded)) == len(folded)


def test_set_is_large_and_meets_the_style_quotas(queries: list[dict]) -> None:
    def tagged(tag: str) -> int:
        return sum(tag in q["tags"] for q in queries)

    assert len(queries) >= 150
    assert tagged("no_diacritics") * 3 >= len(queries)
    assert tagged("abbrev") >= 20
    assert tagged("typo") >= 15
    assert tagged("word_order") >= 5


def test_style_tags_match_the_text(queries: list[dict]) -> None:
    for q in queries:
        text = q["query"]
        assert ("no_diacritics" in q["tags"]) == (not _has_diacritics(text)), text
        if "abbrev" in q["tags"]:
            words = set(re.findall(r"\w+", text.lower()))
            assert words & SHORTHAND, f"tagged abbrev but uses no known shorthand: {text!r}"


def test_every_query_has_one_topic_tag(queries: list[dict]) -> None:
    for q in queries:
        topics = [t for t in q["tags"] if t not in STYLE_TAGS]
        assert len(topics) == 1, f"{q['query']!r}: topics {topics}"
    assert len({t for q in queries for t in q["tags"]} - STYLE_TAGS) >= 10


def test_loader_rejects_malformed_files(tmp_path: Path) -> None:
    good = {"query": "làm căn cước", "codes": ["1.014061"], "tags": ["can_cuoc"]}
    bad_lines = [
        "{not json",
        json.dumps({**good, "codes": ["1.14061"]}),
        json.dumps({**good, "codes": []}),
        json.dumps({**good, "query": " "}),
        json.dumps(good) + "\n" + json.dumps({**good, "query": "LÀM CĂN CƯỚC"}),
    ]
    for i, text in enumerate(bad_lines):
        path = tmp_path / f"bad{i}.jsonl"
        path.write_text(text + "\n", encoding="utf-8")
        with pytest.raises(QuerySetError):
            load_queries(path)


@pytest.mark.skipif(not SEED.exists(), reason="knowledge_base/seed/procedures.jsonl.gz not built yet")
def test_evaluate_reports_fractions_on_the_seeded_database(seeded_sqlite: str, queries: list[dict]) -> None:
    from knowledge_base.db import session_scope

    with session_scope(seeded_sqlite) as session:
        result = evaluate(session, queries, limit=3)
    print(
        f"\nsearch eval: {result['queries']} queries, "
        f"top-1 {result['top1']:.3f}, top-3 {result['top3']:.3f}, "
        f"p50 {result['latency_ms']['p50']:.2f} ms, p95 {result['latency_ms']['p95']:.2f} ms, "
        f"unknown codes {result['unknown_codes']}"
    )
    assert result["queries"] == len(queries)
    for key in ("top1", "top3", "hit_at_limit"):
        assert isinstance(result[key], float) and 0.0 <= result[key] <= 1.0
    assert result["top1"] <= result["top3"] <= result["hit_at_limit"]
    for figures in result["by_tag"].values():
        assert isinstance(figures["top1"], float) and 0.0 <= figures["top1"] <= figures["top3"] <= 1.0
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p95"]
