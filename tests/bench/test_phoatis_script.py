"""bench/phoatis.py end to end: trains our pipeline with the real Rasa on the tiny sample and scores it.

Runs the script as `make bench` does, in the Rasa environment (.venv-bot), with one epoch per component
(``--epochs 1``): every step (conversion, training, parsing, projection, scoring, report) runs and works
with the next, without the cost of full training. No score is asserted beyond its range: twelve
training sentences say nothing about accuracy.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"
TINY = Path(__file__).resolve().parent / "fixtures" / "phoatis_tiny"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [str(BOT_PYTHON), str(ROOT / "bench" / "phoatis.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


def test_the_script_trains_parses_and_scores_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "phoatis.json"
    completed = _run(
        "--data", str(TINY), "--json", str(out), "--work", str(tmp_path / "work"), "--epochs", "1"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    scores = result["scores"]
    assert (scores["n"], result["train_size"], result["split"]) == (5, 12, "test")
    for key in ("intent_accuracy", "slot_precision", "slot_recall", "slot_f1", "sentence_accuracy"):
        assert 0.0 <= scores[key] <= 1.0
    assert 0 <= scores["fallbacks"] <= 5
    assert result["parse_ms"]["n"] == 5
    assert result["published"]["slot_f1"] == 94.98
    assert any("entity_recognition" in change for change in result["config_changes"])
    assert "DIETClassifier.epochs: 60 -> 1" in result["config_changes"]
    assert "JointIDSF (PhoBERT, GPU), published" in completed.stdout
    assert (tmp_path / "work" / "phoatis.tar.gz").is_file()


def test_a_folder_that_is_not_phoatis_is_refused(tmp_path: Path) -> None:
    completed = _run("--data", str(tmp_path))
    assert completed.returncode == 2
    assert "Not a PhoATIS folder" in completed.stderr
