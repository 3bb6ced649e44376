"""`python -m knowledge_base import FILE`: report, idempotent second run, clear errors."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from knowledge_base.db import session_scope
from knowledge_base.models import Procedure
from tests.plugin_app import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "parsing"


def _run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge_base", *args],
        cwd=PROJECT_ROOT,
        env=os.environ | {"DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _raw_file(tmp_path: Path, count: int = 12) -> Path:
    records = [json.loads(p.read_text())["raw"] for p in sorted(FIXTURES.glob("*.json"))[:count]]
    path = tmp_path / "national.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_import_reports_and_second_run_changes_nothing(tmp_path: Path, fresh_sqlite: str) -> None:
    raw = _raw_file(tmp_path)
    first = _run(fresh_sqlite, "import", str(raw), "--no-progress")
    assert first.returncode == 0, first.stderr
    assert "imported: 12 (added 12, updated 0, unchanged 0); failed: 0" in first.stdout
    assert "field" in first.stdout and "doubtful" in first.stdout and "documents" in first.stdout
    second = _run(fresh_sqlite, "import", str(raw), "--no-progress")
    assert "(added 0, updated 0, unchanged 12)" in second.stdout
    with session_scope(fresh_sqlite) as session:
        assert session.scalar(select(func.count(Procedure.id))) == 12


def test_import_write_seed_round_trips(tmp_path: Path, fresh_sqlite: str) -> None:
    raw = _raw_file(tmp_path, 5)
    seed = tmp_path / "seed.jsonl.gz"
    result = _run(fresh_sqlite, "import", str(raw), "--no-progress", "--write-seed", str(seed))
    assert result.returncode == 0 and "Seed written: 5 procedures" in result.stdout
    assert seed.stat().st_size > 0


def test_import_missing_or_malformed_file_is_a_clear_error(tmp_path: Path, fresh_sqlite: str) -> None:
    missing = _run(fresh_sqlite, "import", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ma_thu_tuc": "1.000001"}\nnot json\n', encoding="utf-8")
    result = _run(fresh_sqlite, "import", str(bad), "--no-progress")
    assert result.returncode == 2
    assert "error:" in result.stderr and "bad.jsonl:2: not a JSON object" in result.stderr
    assert "Traceback" not in result.stderr
    with session_scope(fresh_sqlite) as session:
        assert session.scalar(select(func.count(Procedure.id))) == 0


def test_cli_search_json(seeded_sqlite: str) -> None:
    result = _run(seeded_sqlite, "search", "dang ky khai sinh", "--limit", "3", "--json")
    hits = json.loads(result.stdout)
    assert hits[0]["code"] == "1.001193" and len(hits) <= 3
    assert set(hits[0]) >= {"code", "name", "level", "score"}


def test_import_of_a_cut_off_gzip_or_a_non_object_line_is_a_clear_error(
    tmp_path: Path, fresh_sqlite: str
) -> None:
    # Found by tests/knowledge_base/test_parsing_properties.py: both ended in a traceback.
    packed = gzip.compress(_raw_file(tmp_path, 3).read_bytes(), mtime=0)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    listed = tmp_path / "listed.jsonl"
    listed.write_text('{"ma_thu_tuc": "1.000001"}\n[1, 2]\n', encoding="utf-8")
    expected = {cut: "corrupted or incomplete gzip data", listed: "listed.jsonl:2: not a JSON object"}
    for path, message in expected.items():
        result = _run(fresh_sqlite, "import", str(path), "--no-progress")
        assert result.returncode == 2, result.stderr
        assert "error:" in result.stderr and message in result.stderr
        assert "Traceback" not in result.stderr


def test_import_report_counts_every_doubtful_kind(tmp_path: Path, fresh_sqlite: str) -> None:
    # Every fixture: each doubt the parser records and each "to check" kind is counted by name.
    raw = _raw_file(tmp_path, count=1000)
    result = _run(fresh_sqlite, "import", str(raw), "--no-progress")
    assert result.returncode == 0, result.stderr
    report = result.stdout.split("Doubtful kinds (procedures):", 1)
    assert len(report) == 2, result.stdout
    rows = [re.match(r"\s*(\d+)  (.+)$", line) for line in report[1].splitlines()]
    kinds = {row.group(2).strip(): int(row.group(1)) for row in rows if row}
    assert kinds["to check: document needing both an original and a copy"] >= 1
    assert any(kind.startswith("channels: ") for kind in kinds) and all(count > 0 for count in kinds.values())
