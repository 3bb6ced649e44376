"""`rasa test core` on test stories with the trained model: every predicted action must match."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_test_stories_pass(tmp_path: Path) -> None:
    current = ROOT / "models" / "current"
    if not current.is_file():
        pytest.fail("No trained model: run `make model` (make test does it)")
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [
            str(rasa),
            "test",
            "core",
            "--model",
            str(ROOT / current.read_text().strip()),
            "--stories",
            str(ROOT / "tests" / "stories"),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path / "results"),
            "--endpoints",
            str(ROOT / "endpoints.yml"),
        ],
        cwd=ROOT,
        env=os.environ
        | {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": "ignore",
            "ACTION_SERVER_URL": "http://127.0.0.1:9/webhook",
            # endpoints.yml sends it with every action call (none is made here, but Rasa reads it).
            "ACTION_SERVER_TOKEN": "stories-" + "0" * 32,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text() if failed.is_file() else ""
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{details}"
