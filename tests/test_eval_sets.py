"""The blind evaluation sets of `make eval` (tests/eval_sets/) have their shape and stay out of training.

They were written by someone who had read neither the code nor the tests, from the national procedure
list; the figures in the README mean something only while no message of theirs is trained on, tuned
on as a dev example, or copied into the lexicon or the FAQ.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bench.understanding import QUERY_KINDS, load_conversations, load_portal, load_queries, split_of
from vntext import fold

ROOT = Path(__file__).resolve().parent.parent
MIN_QUERIES = 300
MIN_PER_KIND = 50
MIN_CONVERSATIONS = 100
TURN_OUTCOMES = {
    "procedure",
    "not_covered",
    "decline",
    "handoff",
    "dossier",
    "dossier_help",
    "clarify",
    "smalltalk",
}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _codes() -> set[str]:
    with gzip.open(ROOT / "knowledge_base" / "seed" / "procedures.jsonl.gz", "rt", encoding="utf-8") as lines:
        return {json.loads(line)["code"] for line in lines}


def _training_texts() -> set[str]:
    """Every text the assistant learns or is tuned from: NLU examples, dev sets, lexicon, FAQ seed."""
    texts: set[str] = set()
    for path in (ROOT / "nlu_data").rglob("*.yml"):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(entry.get("examples") or "").splitlines():
                texts.add(
                    _norm(re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line.lstrip("- ")))
                )
    dev = ROOT / "tests" / "knowledge_base" / "retrieval_dev.yml"
    if dev.exists():
        texts |= {
            _norm(str(item))
            for item in re.findall(r"(?:text|query):\s*\"?([^\"\n]+)", dev.read_text("utf-8"))
        }
    for path in (ROOT / "knowledge_base" / "lexicon").glob("*.yml"):
        texts |= {_norm(line) for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 30}
    faq = json.loads((ROOT / "knowledge_base" / "seed" / "faq.json").read_text(encoding="utf-8"))
    for entry in faq if isinstance(faq, list) else faq.get("entries", []):
        texts |= {_norm(str(q)) for q in [entry.get("question", ""), *(entry.get("questions") or [])]}
    texts.discard("")
    return texts


def test_queries_have_the_kinds_and_sizes_the_report_quotes() -> None:
    queries = load_queries()
    kinds = Counter(query["kind"] for query in queries)
    assert len(queries) >= MIN_QUERIES
    assert set(kinds) <= set(QUERY_KINDS)
    for kind in QUERY_KINDS[:-1]:
        assert kinds[kind] >= MIN_PER_KIND, kind
    assert len({query["id"] for query in queries}) == len(queries)
    # Both splits hold every kind: the thresholds are calibrated on "dev", the README quotes "test".
    assert {(q["kind"], split_of(q["id"])) for q in queries} >= {
        (k, s) for k in kinds for s in ("dev", "test")
    }


def test_conversations_and_portal_questions_are_labelled() -> None:
    conversations = load_conversations()
    assert len(conversations) >= MIN_CONVERSATIONS
    for conv in conversations:
        for turn in conv["turns"]:
            assert turn["expect"] in TURN_OUTCOMES, (conv["id"], turn)
            assert turn.get("user") or turn.get("press_code"), conv["id"]
    portal = load_portal()
    assert len(portal) == 100
    assert all(q["expect"] for q in portal if q["answerable"])


def test_every_expected_code_exists() -> None:
    codes = _codes()
    expected = {str(c) for q in load_queries() + load_portal() for c in q.get("expect") or []}
    expected |= {str(c) for conv in load_conversations() for t in conv["turns"] for c in t.get("codes") or []}
    assert expected - codes == set()


@pytest.fixture(scope="module")
def training() -> set[str]:
    return _training_texts()


def test_no_evaluation_message_is_trained_or_tuned_on(training: set[str]) -> None:
    messages = [q["text"] for q in load_queries() + load_portal()]
    messages += [t["user"] for conv in load_conversations() for t in conv["turns"] if t.get("user")]
    # Short turns ("cảm ơn", "cái thứ hai") are everyday phrases any training set has; a message of
    # five words or more found in the training data was copied from the evaluation sets.
    leaked = [m for m in messages if len(_norm(m).split()) >= 5 and _norm(m) in training]
    assert leaked == []
