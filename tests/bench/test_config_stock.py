"""The stock pipeline stays config.yml minus our Vietnamese NLU (bench/config_stock.yml).

The comparison in `make bench` means something only while the two files differ exactly where
config_stock.yml's comments say: the tokenizer, and the `bot.` NLU components built on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_stock_pipeline_is_ours_with_whitespace_tokens_and_no_bot_components() -> None:
    ours, stock = _load("config.yml"), _load("bench/config_stock.yml")
    expected = [
        {"name": "WhitespaceTokenizer"}
        if component["name"] == "bot.tokenizer.VietnameseTokenizer"
        else component
        for component in ours["pipeline"]
        if component["name"] == "bot.tokenizer.VietnameseTokenizer"
        or not component["name"].startswith("bot.")
    ]
    assert stock["pipeline"] == expected
    assert not [c["name"] for c in stock["pipeline"] if c["name"].startswith("bot.")]


def test_everything_else_is_identical() -> None:
    ours, stock = _load("config.yml"), _load("bench/config_stock.yml")
    assert stock["policies"] == ours["policies"]
    assert (stock["recipe"], stock["language"]) == (ours["recipe"], ours["language"])
    assert set(stock) == set(ours)
