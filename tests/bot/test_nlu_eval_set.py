"""The held-out NLU test set (tests/nlu_eval/nlu_test.yml) has the shape the evaluation relies on.

It must load with Rasa's own reader, be large and varied enough for the figures to mean something
(size, share typed without diacritics, every intent of the domain and of docs/conversation.md),
never share an example with the training data (or it is not held out), and carry entity
annotations that rasa's entity evaluation can use. Also checks scripts/eval_report.py's intent
scores against scikit-learn, since the `make eval` gate depends on them.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_yaml_file

from vntext import fold
from vntext.patterns import DOSSIER_CODE, find_protected

ROOT = Path(__file__).resolve().parents[2]
TEST_SET = ROOT / "tests" / "nlu_eval" / "nlu_test.yml"
TRAINING_DATA = ROOT / "nlu_data" / "nlu"
CONVERSATION_DOC = ROOT / "docs" / "conversation.md"

MIN_EXAMPLES = 300
MIN_WITHOUT_DIACRITICS_SHARE = 0.30
MIN_PER_INTENT = 12
# Aspect questions are what the assistant is for: each needs more examples than small talk.
MIN_PER_ASPECT_INTENT = 18
# The FallbackClassifier's label: predicted, never a target.
FALLBACK_INTENT = "nlu_fallback"


def _doc_section(title: str) -> str:
    """Return the text of one `## title` section of docs/conversation.md."""
    text = CONVERSATION_DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/conversation.md has no '## {title}' section"
    return match.group(1)


def _doc_intents() -> set[str]:
    """Intents of the table in docs/conversation.md (a cell may list several: "greet / goodbye")."""
    intents: set[str] = set()
    for line in _doc_section("Intents").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in {"intent", ""} or set(cells[0]) <= {"-", ":"}:
            continue
        intents.update(name.strip() for name in cells[0].split("/"))
    return intents


def _payload_intents() -> set[str]:
    """Intents only ever sent by buttons (`/choose_procedure{...}`): citizens never type them."""
    return set(re.findall(r"`/(\w+)\{", CONVERSATION_DOC.read_text(encoding="utf-8")))


def _aspect_values() -> set[str]:
    """Canonical aspect values, as docs/conversation.md lists them for the `aspect` entity."""
    match = re.search(r"`aspect`: values `([^`]+)`", _doc_section("Entities"), re.DOTALL)
    assert match, "docs/conversation.md lists no aspect values"
    return {value.strip() for value in match.group(1).split(",")}


def _entity_types() -> set[str]:
    """Entity names listed in docs/conversation.md (`- \\`procedure\\`: ...`, `- \\`a\\`, \\`b\\`: ...`)."""
    names: set[str] = set()
    for line in _doc_section("Entities").splitlines():
        if line.startswith("- "):
            head = line[2:].split(":", 1)[0]
            names.update(re.findall(r"`(\w+)`", head))
    return names


def _domain_intents() -> set[str]:
    """Intents declared in domain.yml (or in domain/*.yml once the domain is split by topic)."""
    single = ROOT / "domain.yml"
    paths = [single] if single.is_file() else sorted((ROOT / "domain").glob("*.yml"))
    intents: set[str] = set()
    for path in paths:
        for entry in read_yaml_file(str(path)).get("intents", []) or []:
            # An intent is a name or a one-key mapping {name: {use_entities: ...}}.
            intents.update([entry] if isinstance(entry, str) else entry.keys())
    return intents


def _normalise(text: str) -> str:
    """Fold case, diacritics, punctuation and spacing: "Cảm ơn!" and "cam on" are one example."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def _load_eval_report() -> ModuleType:
    """Import scripts/eval_report.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("eval_report", ROOT / "scripts" / "eval_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: dataclasses look their module up while the class is being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def test_data() -> TrainingData:
    return load_data(str(TEST_SET))


@pytest.fixture(scope="module")
def examples(test_data: TrainingData) -> list[Message]:
    return test_data.intent_examples


def test_loads_with_rasa_reader_and_is_large_enough(test_data: TrainingData, examples: list[Message]) -> None:
    assert len(examples) >= MIN_EXAMPLES
    # Every example of the file is an intent example (nothing dropped by the reader).
    assert len(test_data.training_examples) == len(examples)


def test_enough_examples_typed_without_diacritics(examples: list[Message]) -> None:
    plain = [m for m in examples if fold(m.get("text")) == m.get("text").lower()]
    assert len(plain) / len(examples) >= MIN_WITHOUT_DIACRITICS_SHARE


def test_no_duplicate_examples(examples: list[Message]) -> None:
    counts = Counter(_normalise(m.get("text")) for m in examples)
    assert [text for text, count in counts.items() if count > 1] == []


def test_every_intent_is_covered(examples: list[Message]) -> None:
    # EXTERNAL_ intents are injected by servers (staff replies), never typed: nothing to evaluate.
    injected = {intent for intent in _domain_intents() if intent.startswith("EXTERNAL_")}
    expected = (_domain_intents() | _doc_intents()) - _payload_intents() - {FALLBACK_INTENT} - injected
    counts = Counter(m.get("intent") for m in examples)
    too_few = {intent: counts[intent] for intent in expected if counts[intent] < MIN_PER_INTENT}
    assert too_few == {}
    # And nothing the conversation does not define (a typo in an intent name).
    assert set(counts) - expected == set()


def test_aspect_intents_have_more_examples(examples: list[Message]) -> None:
    counts = Counter(m.get("intent") for m in examples)
    aspect_intents = {f"ask_{aspect}" for aspect in _aspect_values()}
    assert aspect_intents <= _doc_intents()
    too_few = {intent: counts[intent] for intent in aspect_intents if counts[intent] < MIN_PER_ASPECT_INTENT}
    assert too_few == {}


def test_aspect_questions_include_follow_ups_and_multi_aspect_ones(examples: list[Message]) -> None:
    aspect_intents = {f"ask_{aspect}" for aspect in _aspect_values()}
    asked = [m for m in examples if m.get("intent") in aspect_intents]
    entity_types = [{e["entity"] for e in m.get("entities", [])} for m in asked]
    follow_ups = sum("procedure" not in types for types in entity_types)
    multi_aspect = sum(
        len({e["value"] for e in m.get("entities", []) if e["entity"] == "aspect"}) > 1 for m in asked
    )
    assert follow_ups >= len(aspect_intents)
    assert multi_aspect >= len(aspect_intents) // 2


def test_aspect_annotations_include_the_labelled_aspect(examples: list[Message]) -> None:
    """A multi-aspect question is labelled by one of the aspects it asks about."""
    aspect_intents = {f"ask_{aspect}": aspect for aspect in _aspect_values()}
    mislabelled = []
    for message in examples:
        aspect = aspect_intents.get(message.get("intent"))
        annotated = {e["value"] for e in message.get("entities", []) if e["entity"] == "aspect"}
        if aspect and annotated and aspect not in annotated:
            mislabelled.append(message.get("text"))
    assert mislabelled == []


def test_entity_annotations_are_in_bounds_and_valid(examples: list[Message]) -> None:
    entity_types = _entity_types()
    aspects = _aspect_values()
    problems: list[str] = []
    for message in examples:
        text = message.get("text")
        entities = sorted(message.get("entities", []), key=lambda e: e["start"])
        for entity in entities:
            start, end = entity["start"], entity["end"]
            span = text[start:end]
            where = f"{entity['entity']} {span!r} in {text!r}"
            if not (0 <= start < end <= len(text)) or span != span.strip():
                problems.append(f"out of bounds or padded: {where}")
            # A span that starts or ends inside a word cannot align with any tokenizer's tokens.
            if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
                problems.append(f"cuts a word: {where}")
            if entity["entity"] not in entity_types:
                problems.append(f"unknown entity: {where}")
            if entity["entity"] == "aspect" and entity.get("value") not in aspects:
                problems.append(f"unknown aspect value {entity.get('value')!r}: {where}")
            if entity["entity"] == "dossier_code" and not DOSSIER_CODE.fullmatch(span):
                problems.append(f"not a dossier code: {where}")
            if entity["entity"] == "procedure" and entity.get("value", span) != span:
                problems.append(f"procedure value differs from its text: {where}")
        for before, after in itertools.pairwise(entities):
            if after["start"] < before["end"]:
                problems.append(f"overlapping entities in {text!r}")
        # Every dossier code in the text is annotated, or the regex extractor's hits count as errors.
        annotated = {(e["start"], e["end"]) for e in entities if e["entity"] == "dossier_code"}
        for span in find_protected(text):
            if span.kind == "DOSSIER_CODE" and (span.start, span.end) not in annotated:
                problems.append(f"unannotated dossier code {span.text!r} in {text!r}")
    assert problems == []


def test_no_example_is_also_in_the_training_data(examples: list[Message]) -> None:
    if not TRAINING_DATA.exists():
        pytest.skip("no training data yet")
    training = {
        _normalise(m.get("text")) for m in load_data(str(TRAINING_DATA)).training_examples if m.get("text")
    }
    shared = sorted(m.get("text") for m in examples if _normalise(m.get("text")) in training)
    assert not shared, "also in the training data:\n" + "\n".join(shared)


def test_eval_report_intent_scores_agree_with_scikit_learn(examples: list[Message]) -> None:
    """The gate's figures: accuracy and macro-F1 (over the target intents) as scikit-learn computes them."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    eval_report = _load_eval_report()
    intents = sorted({m.get("intent") for m in examples})
    # A deterministic, imperfect "classifier": every 7th example goes to the next intent or to the
    # fallback label, so both confusions and a predicted-only label are exercised.
    targets = [m.get("intent") for m in examples]
    predicted = [
        (intents[(intents.index(t) + 1) % len(intents)] if i % 14 else FALLBACK_INTENT) if i % 7 == 0 else t
        for i, t in enumerate(targets)
    ]
    scores = eval_report.intent_scores(list(zip(targets, predicted, strict=True)))
    assert scores.accuracy == pytest.approx(accuracy_score(targets, predicted))
    assert scores.macro_f1 == pytest.approx(f1_score(targets, predicted, labels=intents, average="macro"))
    per_intent = f1_score(targets, predicted, labels=intents, average=None)
    assert [scores.per_intent[i]["f1"] for i in intents] == pytest.approx(list(per_intent))
    # The most confused pairs are the largest off-diagonal cells of the confusion matrix.
    labels = [*intents, FALLBACK_INTENT]
    matrix = confusion_matrix(targets, predicted, labels=labels)
    cells = sorted(
        ((int(matrix[r][c]), labels[r], labels[c]) for r in range(len(labels)) for c in range(len(labels))),
        key=lambda cell: (-cell[0], cell[1], cell[2]),
    )
    off_diagonal = [(t, p, n) for n, t, p in cells if t != p and n > 0]
    assert eval_report.confused_pairs(zip(targets, predicted, strict=True), top=5) == off_diagonal[:5]


def test_eval_report_span_scores_exact_and_overlapping(examples: list[Message], tmp_path: Path) -> None:
    """An extractor that predicts the annotations scores 1; one that widens every span scores 1 only
    on overlap; one that gives aspects a wrong canonical value scores 0 on aspects either way."""
    eval_report = _load_eval_report()
    annotated = [m for m in examples if m.get("entities")]
    aspects = sorted(_aspect_values())

    def widened(entity: dict, text: str) -> dict:
        start = entity["start"]
        while start > 0 and text[start - 1] == " ":
            start -= 1
        start = text.rfind(" ", 0, start) + 1 if start > 0 else 0
        # A procedure's or a code's value is its words; an aspect keeps its canonical value.
        value = entity["value"] if entity["entity"] == "aspect" else text[start : entity["end"]]
        return {**entity, "start": start, "value": value}

    def wrong_value(entity: dict, text: str) -> dict:
        if entity["entity"] != "aspect":
            return entity
        return {**entity, "value": aspects[(aspects.index(entity["value"]) + 1) % len(aspects)]}

    def scores_of(name: str, change) -> dict:
        items = [
            {
                "text": m.get("text"),
                "entities": m.get("entities"),
                "predicted_entities": [
                    {**change(dict(e), m.get("text")), "extractor": name} for e in m.get("entities")
                ],
            }
            for m in annotated
        ]
        (tmp_path / f"{name}_errors.json").write_text(json.dumps(items), encoding="utf-8")
        return eval_report.span_scores(tmp_path, name)

    perfect = scores_of("Perfect", lambda e, text: e)
    assert {label: s["exact"]["f1"] for label, s in perfect.items()} == {label: 1.0 for label in perfect}
    wide = scores_of("Wide", widened)
    for scores in wide.values():
        assert scores["overlap"]["f1"] == 1.0
        assert scores["exact"]["f1"] <= scores["overlap"]["f1"]
    assert wide["aspect"]["exact"]["f1"] < 1.0
    wrong = scores_of("Wrong", wrong_value)
    assert wrong["aspect"]["exact"]["f1"] == wrong["aspect"]["overlap"]["f1"] == 0.0
    assert wrong["procedure"]["exact"]["f1"] == 1.0
