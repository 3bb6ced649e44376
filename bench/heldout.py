"""The held-out NLU set (tests/nlu_eval/nlu_test.yml) as plain texts, and intent accuracy on it.

The bench parses every held-out example through each Rasa server's ``/model/parse`` and scores the
returned intent, so latency and accuracy come from the same requests. Scoring follows `make eval`:
the split "with / without diacritics" is `scripts/eval_report.py`'s (`has_diacritics`) and a
FallbackClassifier decline is undone as `rasa test nlu` undoes it (`scored_intent`), so the figures
compare with the README's evaluation table; how often each pipeline would decline is counted too.

Runs in either environment (PyYAML and `vntext` only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vntext import fold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT / "tests" / "nlu_eval" / "nlu_test.yml"

# Rasa 3.6's entity annotation (rasa.shared.nlu.training_data.entities_parser.ENTITY_REGEX):
# [text](entity), [text](entity:value), [text]{"entity": ...} and [text][{...}, {...}].
_ENTITY_RE = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}|\[(?P<list_entity_dicts>.*?)\])"
)


#: The label Rasa's FallbackClassifier puts first when the classifier is unsure.
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    """One held-out example: the text a citizen typed and its intent."""

    text: str
    intent: str


def strip_annotations(example: str) -> str:
    """The plain text of an annotated training example, as Rasa reads it.

    >>> strip_annotations('[dk thuong tru](procedure) can [giay to]{"entity": "aspect"} j')
    'dk thuong tru can giay to j'
    """
    return _ENTITY_RE.sub(lambda match: match.group("entity_text"), example)


def has_diacritics(text: str) -> bool:
    """Whether `text` carries Vietnamese diacritics (or đ); `scripts/eval_report.py`'s definition.

    >>> has_diacritics("Làm căn cước"), has_diacritics("lam CCCD can gi")
    (True, False)
    """
    return fold(text) != text.lower()


def load_examples(path: Path = DEFAULT_PATH) -> list[Example]:
    """Read every example of a Rasa YAML NLU file (intent examples only), in file order.

    Args:
        path: A Rasa 3 YAML training data file.

    Returns:
        The examples with their entity annotations removed.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for block in data.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue  # synonyms, regexes and lookup tables are not examples
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(strip_annotations(line[2:].strip()), str(intent)))
    return examples


def scored_intent(parsed: dict[str, Any] | None) -> tuple[str, bool]:
    """The intent of a Rasa parse result as `rasa test nlu` (so `make eval`) scores it.

    When the FallbackClassifier declined (``nlu_fallback`` first), Rasa's evaluation undoes that
    (``undo_fallback_prediction``) and scores the classifier's own best intent, the next in the
    ranking; whether the assistant would have declined is returned beside it.

    Args:
        parsed: A ``/model/parse`` answer (None for a failed request).

    Returns:
        ``(intent, declined)``; ``("", False)`` for a failed request.
    """
    if not parsed:
        return "", False
    intent = str((parsed.get("intent") or {}).get("name") or "")
    if intent != FALLBACK_INTENT:
        return intent, False
    ranking = parsed.get("intent_ranking") or []
    if len(ranking) < 2:
        return intent, True  # Rasa leaves a lone fallback as it is
    return str(ranking[1].get("name") or ""), True


def accuracy_by_diacritics(results: Iterable[tuple[str, str, str, bool]]) -> dict[str, dict[str, Any]]:
    """Intent accuracy over all examples and over those typed with and without diacritics.

    Args:
        results: ``(text, target intent, predicted intent, declined)`` per example, the intent as
            `scored_intent` gives it (so the figures are `make eval`'s); ``declined`` counts how
            often the assistant would have answered "I did not understand" instead.

    Returns:
        ``{"all" | "with_diacritics" | "without_diacritics": {"n", "correct", "accuracy",
        "declined"}}``.
    """
    counts = {name: [0, 0, 0] for name in ("all", "with_diacritics", "without_diacritics")}
    for text, target, predicted, declined in results:
        subset = "with_diacritics" if has_diacritics(text) else "without_diacritics"
        for name in ("all", subset):
            counts[name][0] += 1
            counts[name][1] += target == predicted
            counts[name][2] += declined
    return {
        name: {"n": n, "correct": correct, "accuracy": correct / n if n else 0.0, "declined": declined}
        for name, (n, correct, declined) in counts.items()
    }
