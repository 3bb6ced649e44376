"""The NLU training data: checks that need no training (Rasa's reader only, a few seconds).

`nlu_data/` is the hand-edited source; `scripts/augment_nlu.py` builds the folder `rasa train`
reads (the source plus one surface variant per example). Both are checked:

- no text stands under two intents, compared as typed (NFC, whitespace collapsed) and folded
  (no case, diacritics or punctuation). Folded duplicates count: the featurizers read folded
  lemmas (config.yml, bot/tokenizer.py), so "Xin chào!" and "xin chao" are nearly one input to the
  classifier, and under two intents they teach it a contradiction;
- every intent keeps a share of examples typed without diacritics (as citizens type in chat);
- the dossier_code regex is `vntext.patterns`' own and finds exactly the annotated codes;
- no example of an evaluation set is trained on (compared folded), or its figures mean nothing.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from vntext import fold
from vntext.abbreviations import ABBREVIATIONS
from vntext.patterns import DATE, DOSSIER_CODE, PHONE, find_protected

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "nlu_data"
# Every intent has at least this share of examples typed without diacritics (0.41 to 0.63 today).
MIN_WITHOUT_DIACRITICS_SHARE = 0.40
# The regex Rasa reads: DOSSIER_CODE, except where a whole date or phone number stands (there
# `find_protected` gives the earlier kind, so "20-11-2025" stays a date).
EXPECTED_DOSSIER_REGEX = f"(?!{DATE.pattern})(?!{PHONE.pattern}){DOSSIER_CODE.pattern}"


def _load_augment() -> ModuleType:
    """Import scripts/augment_nlu.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("augment_nlu", ROOT / "scripts" / "augment_nlu.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


augment_nlu = _load_augment()


def _typed(text: str) -> str:
    """The text as typed: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _folded(text: str) -> str:
    """Fold case, diacritics, punctuation and spacing: "Cảm ơn!" and "cam on" are one text."""
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def _without_diacritics(text: str) -> bool:
    return fold(text) == text.lower()


@pytest.fixture(scope="module")
def source() -> TrainingData:
    return load_data(str(SOURCE / "nlu"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TrainingData:
    """What `rasa train` reads: the folder scripts/augment_nlu.py writes, read by Rasa's reader."""
    out = tmp_path_factory.mktemp("build") / "nlu_data"
    augment_nlu.build(SOURCE, out)
    return load_data(str(out / "nlu"))


@pytest.fixture(scope="module", params=["source", "built"])
def training(request: pytest.FixtureRequest) -> TrainingData:
    return request.getfixturevalue(request.param)


def _intent_examples(data: TrainingData) -> list[Message]:
    return [m for m in data.intent_examples if m.get("text")]


def _claims(data: TrainingData, key: Callable[[str], str]) -> dict[str, set[str]]:
    intents: dict[str, set[str]] = defaultdict(set)
    for message in _intent_examples(data):
        intents[key(message.get("text"))].add(message.get("intent"))
    return intents


def test_the_build_holds_every_source_example_and_loads(source: TrainingData, built: TrainingData) -> None:
    source_pairs = {(m.get("intent"), m.get("text")) for m in _intent_examples(source)}
    built_pairs = {(m.get("intent"), m.get("text")) for m in _intent_examples(built)}
    assert source_pairs <= built_pairs
    assert len(built_pairs) > len(source_pairs)
    assert built.regex_features == source.regex_features


def test_no_text_under_two_intents(training: TrainingData) -> None:
    shared = {text: intents for text, intents in _claims(training, _typed).items() if len(intents) > 1}
    assert shared == {}


def test_no_folded_text_under_two_intents(training: TrainingData) -> None:
    shared = {text: intents for text, intents in _claims(training, _folded).items() if len(intents) > 1}
    assert shared == {}


def test_no_text_twice_in_one_intent(training: TrainingData) -> None:
    seen: set[tuple[str, str]] = set()
    twice = []
    for message in _intent_examples(training):
        pair = (message.get("intent"), _typed(message.get("text")))
        if pair in seen:
            twice.append(pair)
        seen.add(pair)
    assert twice == []


def test_every_intent_has_examples_typed_without_diacritics(source: TrainingData) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for message in _intent_examples(source):
        by_intent[message.get("intent")].append(message.get("text"))
    shares = {
        intent: sum(map(_without_diacritics, texts)) / len(texts) for intent, texts in by_intent.items()
    }
    assert {i: round(s, 3) for i, s in shares.items() if s < MIN_WITHOUT_DIACRITICS_SHARE} == {}


def test_dossier_code_regex_is_vntext_patterns(source: TrainingData) -> None:
    patterns = [r["pattern"] for r in source.regex_features if r["name"] == "dossier_code"]
    assert patterns == [EXPECTED_DOSSIER_REGEX], (
        "nlu_data/nlu/dossier.yml's dossier_code regex must be vntext.patterns' own; write:\n"
        f"      - {EXPECTED_DOSSIER_REGEX}"
    )


def test_dossier_code_regex_finds_exactly_the_annotated_codes(training: TrainingData) -> None:
    """Every annotated code is one whole DOSSIER_CODE span; the regex finds those and nothing else.

    So the RegexEntityExtractor never takes a date or a phone number in the data for a code, and
    no code in an example goes unannotated.
    """
    regex = re.compile(EXPECTED_DOSSIER_REGEX)
    problems = []
    for message in _intent_examples(training):
        text = message.get("text")
        annotated = {
            (e["start"], e["end"]) for e in message.get("entities", []) if e["entity"] == "dossier_code"
        }
        spans = {(s.start, s.end) for s in find_protected(text) if s.kind == "DOSSIER_CODE"}
        found = {match.span() for match in regex.finditer(text)}
        if not annotated == spans == found:
            problems.append(f"{text!r}: annotated {annotated}, DOSSIER_CODE {spans}, regex {found}")
    assert problems == []


def _evaluation_sets() -> Iterator[tuple[str, list[str]]]:
    """Every NLU evaluation set's texts: tests/**/nlu_eval.

    Conversation tests are not evaluation sets: tests/conversation (through the servers) and the test
    stories of `rasa test core` (tests/stories) check the dialogue with the messages citizens type
    most ("xin chào", "tạm biệt", "cảm ơn bạn"), which training must hold. Nor are the retrieval sets
    of knowledge_base/eval: they score search and FAQ retrieval over the knowledge base, which the
    NLU training data never feeds (their overlap with it is kept small all the same).
    """
    for path in sorted((ROOT / "tests").rglob("nlu_eval/*.yml")):
        yield str(path.relative_to(ROOT)), [m.get("text") for m in load_data(str(path)).training_examples]


EVALUATION_SETS = dict(_evaluation_sets())


def test_the_evaluation_sets_are_found() -> None:
    assert {
        "tests/nlu_eval/nlu_test.yml",
    } <= set(EVALUATION_SETS)
    assert all(EVALUATION_SETS.values())


@pytest.mark.parametrize("name", sorted(EVALUATION_SETS))
def test_no_evaluation_example_is_trained_on(built: TrainingData, name: str) -> None:
    # The build holds the source too: one comparison covers both.
    trained = {_folded(m.get("text")) for m in _intent_examples(built)}
    shared = sorted(text for text in EVALUATION_SETS[name] if _folded(text) in trained)
    assert shared == [], f"{name} shares with the training data:\n" + "\n".join(shared)


def test_variants_are_seeded_per_example() -> None:
    """Editing one example never changes another one's variant, and builds repeat exactly."""
    texts = [
        "đăng ký khai sinh cần giấy tờ gì",
        "làm hộ chiếu không cần hồ sơ gì sao",
        "hồ sơ [000.00.12.H37-251012-0003](dossier_code) được chưa",
        "bao nhieu tien vay",
    ]
    alone = {text: augment_nlu.variant(text) for text in texts}
    items = {"a.yml": [{"intent": "x", "examples": "".join(f"- {t}\n" for t in texts)}]}
    fewer = {"a.yml": [{"intent": "x", "examples": "".join(f"- {t}\n" for t in texts[1:])}]}
    full = augment_nlu.augment(items)["a.yml"][0]["examples"]
    partial = augment_nlu.augment(fewer)["a.yml"][0]["examples"]
    for text in texts[1:]:
        if alone[text] is not None:
            assert f"- {alone[text]}\n" in full and f"- {alone[text]}\n" in partial
    assert augment_nlu.augment(items) == augment_nlu.augment(items)
    # Annotations are kept verbatim; the text around them changes.
    assert "[000.00.12.H37-251012-0003](dossier_code)" in (alone[texts[2]] or "")


def test_shorthand_is_vntext_abbreviations_read_backwards() -> None:
    for pattern, shorts in augment_nlu._SHORTHAND:
        full = pattern.pattern.replace(r"(?<!\w)", "").replace(r"(?!\w)", "").replace("\\ ", " ")
        assert all(ABBREVIATIONS[short] == full for short in shorts)
