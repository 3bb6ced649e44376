"""Summarise the NLU evaluation written by scripts/eval.sh and gate on intent accuracy.

Reads what `rasa test nlu` leaves behind (``intent_successes.json`` and ``intent_errors.json`` for
every held-out example, ``<Extractor>_report.json`` for every entity extractor, and the
cross-validation report and log), prints one table and writes ``reports/eval_summary.json``.

Why not just read rasa's ``intent_report.json``: the targets are split by whether the citizen typed
diacritics, which rasa knows nothing about, and the per-example predictions are all we need to
compute every figure the same way for the whole set and for both halves.

Optionally (``--real-questions FILE``, one question a line) the trained model parses real citizens'
questions, to show how many it would answer as procedure questions and how many it would decline.

Runs in ``.venv-bot`` (Rasa 3.6 is needed only for ``--real-questions``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script (scripts/ is not a package): make the repository's vntext importable.
    sys.path.insert(0, str(ROOT))

from bot.aspects import ASPECTS  # noqa: E402
from vntext import fold  # noqa: E402

#: Intents that mean "the citizen asks about a procedure": ask_procedure and one per aspect.
PROCEDURE_INTENTS: frozenset[str] = frozenset({"ask_procedure", *(f"ask_{aspect}" for aspect in ASPECTS)})
#: Intents the assistant declines to answer (nlu_fallback: the FallbackClassifier's label).
DECLINED_INTENTS: frozenset[str] = frozenset({"out_of_scope", "legal_advice", "complaint", "nlu_fallback"})
# Report files rasa writes next to the entity extractors' reports.
_NON_ENTITY_REPORTS = {"intent_report.json", "response_selection_report.json"}
_AVERAGE_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
# rasa.nlu.test.log_results: "test Accuracy: 0.950 (0.012)" (mean and std over the folds), first
# under "Intent evaluation results", then again per entity extractor under "Entity evaluation results".
_CV_LOG_RE = re.compile(r"\btest (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")
_CV_INTENT_BLOCK_RE = re.compile(
    r"- Intent evaluation results\n(.*?)(?=- Entity evaluation results|- Response Selection|\Z)", re.DOTALL
)


@dataclass(frozen=True)
class Prediction:
    """One held-out example as rasa predicted it."""

    text: str
    target: str
    predicted: str
    confidence: float


@dataclass(frozen=True)
class IntentScores:
    """Intent classification scores over a set of predictions."""

    size: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        """Return the scores as plain JSON-serialisable data."""
        return {
            "size": self.size,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_intent": self.per_intent,
        }


def has_diacritics(text: str) -> bool:
    """Tell whether `text` carries Vietnamese diacritics (or đ) anywhere.

    >>> has_diacritics("Làm căn cước"), has_diacritics("lam CCCD can gi")
    (True, False)
    """
    return fold(text) != text.lower()


def load_predictions(report_dir: Path) -> list[Prediction]:
    """Read every evaluated example from rasa's intent successes and errors files.

    Args:
        report_dir: The `--out` directory of `rasa test nlu --successes`.

    Returns:
        One `Prediction` per example with an intent (rasa skips examples without one).
    """
    predictions: list[Prediction] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = report_dir / name
        if not path.is_file():
            # rasa writes no file when there is nothing to write (no errors, say).
            continue
        for item in json.loads(path.read_text(encoding="utf-8")):
            predicted = item.get("intent_prediction") or {}
            predictions.append(
                Prediction(
                    text=item["text"],
                    target=item["intent"],
                    predicted=predicted.get("name") or "",
                    confidence=float(predicted.get("confidence") or 0.0),
                )
            )
    return predictions


def intent_scores(pairs: Sequence[tuple[str, str]]) -> IntentScores:
    """Compute accuracy, macro-F1 and per-intent precision/recall/F1.

    Macro-F1 averages over the intents present among the targets: a label that is only ever
    predicted (``nlu_fallback``) costs the intents it was predicted for, not a class of its own.

    Args:
        pairs: ``(target, predicted)`` intent names, one pair per example.

    Returns:
        The scores; all zeros for an empty input.
    """
    if not pairs:
        return IntentScores(size=0, accuracy=0.0, macro_f1=0.0, per_intent={})
    true_positive: Counter[str] = Counter()
    predicted_count: Counter[str] = Counter()
    target_count: Counter[str] = Counter()
    for target, predicted in pairs:
        target_count[target] += 1
        predicted_count[predicted] += 1
        if target == predicted:
            true_positive[target] += 1
    per_intent: dict[str, dict[str, float]] = {}
    for intent in sorted(target_count):
        hits = true_positive[intent]
        precision = hits / predicted_count[intent] if predicted_count[intent] else 0.0
        recall = hits / target_count[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": target_count[intent],
        }
    accuracy = sum(true_positive.values()) / len(pairs)
    macro_f1 = sum(scores["f1"] for scores in per_intent.values()) / len(per_intent)
    return IntentScores(size=len(pairs), accuracy=accuracy, macro_f1=macro_f1, per_intent=per_intent)


def confused_pairs(pairs: Iterable[tuple[str, str]], top: int = 10) -> list[tuple[str, str, int]]:
    """Return the most frequent ``(target, predicted, count)`` mistakes, most frequent first."""
    mistakes = Counter((target, predicted) for target, predicted in pairs if target != predicted)
    ranked = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))
    return [(target, predicted, count) for (target, predicted), count in ranked[:top]]


def _prf(hits: int, predicted: int, support: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0 where undefined), with the counts themselves."""
    precision = hits / predicted if predicted else 0.0
    recall = hits / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": support, "predicted": predicted}


def _values_agree(target: dict[str, Any], prediction: dict[str, Any], text: str) -> bool:
    """Whether two entities of one type say the same thing.

    Where either side gives a value other than its own words (an aspect's canonical name), the
    values must be equal; a procedure or a code is just its words, so there is nothing to compare.
    """
    normalised = [
        str(e.get("value", "")) != text[int(e["start"]) : int(e["end"])] for e in (target, prediction)
    ]
    return not any(normalised) or str(target.get("value")) == str(prediction.get("value"))


def _count_matches(
    targets: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]], text: str, *, exact: bool
) -> Counter[str]:
    """Pair targets with predictions one to one; count the pairs per entity type.

    A pair has the same type, agreeing values and either the same offsets (`exact`) or
    overlapping ones.
    """
    hits: Counter[str] = Counter()
    unused = list(predictions)
    for target in targets:
        for prediction in unused:
            if prediction["entity"] != target["entity"] or not _values_agree(target, prediction, text):
                continue
            if exact:
                found = (prediction["start"], prediction["end"]) == (target["start"], target["end"])
            else:
                found = prediction["start"] < target["end"] and target["start"] < prediction["end"]
            if found:
                hits[target["entity"]] += 1
                unused.remove(prediction)
                break
    return hits


def _entity_examples(report_dir: Path, extractor: str) -> list[dict[str, Any]]:
    """Every example with annotated or predicted entities, from an extractor's successes and errors.

    Rasa lists an example under successes if one of its tokens is right and under errors if one is
    wrong, so together (by text) the two files hold every example that has an entity on either side.
    """
    seen: dict[str, dict[str, Any]] = {}
    for kind in ("successes", "errors"):
        path = report_dir / f"{extractor}_{kind}.json"
        if path.is_file():
            for item in json.loads(path.read_text(encoding="utf-8")):
                seen.setdefault(item["text"], item)
    return list(seen.values())


def span_scores(report_dir: Path, extractor: str) -> dict[str, dict[str, dict[str, float]]]:
    """Span-level scores of one extractor per entity type: exact spans, and overlapping ones.

    Unlike rasa's token-level report these do not depend on how the tokenizer cuts the text, and
    an aspect with the wrong canonical value counts as wrong. `overlap` forgives where a span's
    edges are drawn ("hết bao nhiêu tiền" for "bao nhiêu tiền"), which the bot does not use.

    Args:
        report_dir: The `--out` directory of `rasa test nlu --successes`.
        extractor: The extractor's name as rasa reports it.

    Returns:
        ``{entity: {"exact": scores, "overlap": scores}}`` with ``precision``, ``recall``, ``f1``,
        ``support`` and ``predicted`` each, for every entity type annotated or predicted.
    """
    exact: Counter[str] = Counter()
    overlap: Counter[str] = Counter()
    predicted_count: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for item in _entity_examples(report_dir, extractor):
        text = item["text"]
        targets = item.get("entities") or []
        predictions = [e for e in item.get("predicted_entities") or [] if e.get("extractor") == extractor]
        support.update(e["entity"] for e in targets)
        predicted_count.update(e["entity"] for e in predictions)
        exact.update(_count_matches(targets, predictions, text, exact=True))
        overlap.update(_count_matches(targets, predictions, text, exact=False))
    return {
        label: {
            "exact": _prf(exact[label], predicted_count[label], support[label]),
            "overlap": _prf(overlap[label], predicted_count[label], support[label]),
        }
        for label in sorted(set(support) | set(predicted_count))
    }


def entity_scores(report_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Score every extractor rasa evaluated, per entity type it predicts.

    Rasa's report scores each extractor on every annotated type, including the types it never
    predicts by design (the dossier regex on aspects): those are left out here, listed under
    ``never_predicted`` instead.

    Args:
        report_dir: The `--out` directory of `rasa test nlu --successes`.

    Returns:
        ``{extractor: {"entities": {entity: {"token": rasa's token-level scores, "span":
        {"exact": ..., "overlap": ...}}}, "never_predicted": [entity, ...]}}``.
    """
    scores: dict[str, dict[str, Any]] = {}
    for path in sorted(report_dir.glob("*_report.json")):
        if path.name in _NON_ENTITY_REPORTS:
            continue
        extractor = path.name.removesuffix("_report.json")
        report = json.loads(path.read_text(encoding="utf-8"))
        spans = span_scores(report_dir, extractor)
        token = {
            label: {
                "precision": float(values["precision"]),
                "recall": float(values["recall"]),
                "f1": float(values["f1-score"]),
                "support": int(values["support"]),
            }
            for label, values in report.items()
            if label not in _AVERAGE_KEYS and isinstance(values, dict) and "f1-score" in values
        }
        predicted = [label for label, values in spans.items() if values["exact"]["predicted"]]
        scores[extractor] = {
            "entities": {label: {"token": token.get(label), "span": spans[label]} for label in predicted},
            "never_predicted": sorted((set(token) | set(spans)) - set(predicted)),
        }
    return scores


def cross_validation_scores(cv_dir: Path, cv_log: Path | None) -> dict[str, Any] | None:
    """Collect the cross-validation figures, or None when no cross-validation was run.

    Args:
        cv_dir: The `--out` directory of `rasa test nlu --cross-validation`.
        cv_log: Rasa's log of that run, holding the per-fold means (rasa writes them nowhere else).

    Returns:
        ``pooled`` accuracy and macro-F1 over all test folds' predictions (from the intent report),
        and ``fold_mean``/``fold_std`` of accuracy and (weighted) F1 as rasa logs them.
    """
    report_path = cv_dir / "intent_report.json"
    if not report_path.is_file():
        return None
    report = json.loads(report_path.read_text(encoding="utf-8"))
    result: dict[str, Any] = {
        "pooled": {
            "accuracy": float(report.get("accuracy", 0.0)),
            "macro_f1": float(report.get("macro avg", {}).get("f1-score", 0.0)),
            "size": int(report.get("macro avg", {}).get("support", 0)),
        }
    }
    block = None
    if cv_log is not None and cv_log.is_file():
        block = _CV_INTENT_BLOCK_RE.search(cv_log.read_text(encoding="utf-8", errors="replace"))
    if block:
        for metric, mean, std in _CV_LOG_RE.findall(block.group(1)):
            key = metric.lower().replace("-score", "")
            result.setdefault("fold_mean", {})[key] = float(mean)
            result.setdefault("fold_std", {})[key] = float(std)
    return result


def read_questions(path: Path) -> list[str]:
    """Read one question a line, skipping blank lines and ``#`` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def parse_with_model(model_path: Path, texts: Sequence[str]) -> list[tuple[str, float]]:
    """Parse `texts` with a trained Rasa model, returning ``(intent, confidence)`` per text."""
    from rasa.core.agent import Agent  # heavy (TensorFlow): only for the optional report

    agent = Agent.load(str(model_path))

    async def parse_all() -> list[tuple[str, float]]:
        results = []
        for text in texts:
            intent = (await agent.parse_message(text)).get("intent") or {}
            results.append((intent.get("name") or "", float(intent.get("confidence") or 0.0)))
        return results

    return asyncio.run(parse_all())


def real_questions_report(
    questions: Sequence[str], parsed: Sequence[tuple[str, float]], sample_size: int = 15
) -> dict[str, Any]:
    """Count procedure questions and declined ones, and draw a fixed sample for a hand check.

    Args:
        questions: The questions, in file order.
        parsed: ``(intent, confidence)`` for each question.
        sample_size: How many questions to show with their intent.

    Returns:
        Counts per class and per intent, and the sample (the same one on every run).
    """
    intents = Counter(intent for intent, _ in parsed)
    procedure = sum(count for intent, count in intents.items() if intent in PROCEDURE_INTENTS)
    declined = sum(count for intent, count in intents.items() if intent in DECLINED_INTENTS)
    rows = [
        {"text": text, "intent": intent, "confidence": confidence}
        for text, (intent, confidence) in zip(questions, parsed, strict=True)
    ]
    sample = random.Random(0).sample(rows, min(sample_size, len(rows)))
    return {
        "size": len(rows),
        "procedure_question": procedure,
        "declined": declined,
        "other": len(rows) - procedure - declined,
        "per_intent": dict(intents.most_common()),
        "sample": sample,
    }


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def print_report(summary: dict[str, Any]) -> None:
    """Print the summary as a readable table."""
    test_set = summary["test_set"]
    intent = summary["intent"]
    print(f"\nNLU evaluation  (model {summary['model']})")
    print(
        f"Held-out set: {test_set['size']} examples, "
        f"{test_set['without_diacritics']} without diacritics "
        f"({test_set['without_diacritics_share']:.1%})"
    )
    print(f"\n{'subset':<22}{'n':>6}{'accuracy':>10}{'macro-F1':>10}")
    for name in ("overall", "with_diacritics", "without_diacritics"):
        scores = intent[name]
        print(f"{name:<22}{scores['size']:>6}{_fmt(scores['accuracy']):>10}{_fmt(scores['macro_f1']):>10}")

    print(f"\n{'intent':<22}{'n':>5}{'prec':>8}{'recall':>8}{'F1':>8}")
    for name, scores in intent["overall"]["per_intent"].items():
        print(
            f"{name:<22}{scores['support']:>5}{_fmt(scores['precision']):>8}"
            f"{_fmt(scores['recall']):>8}{_fmt(scores['f1']):>8}"
        )

    print("\nMost confused (target -> predicted: count)")
    for row in intent["confused_pairs"]:
        print(f"  {row['target']} -> {row['predicted']}: {row['count']}")
    if not intent["confused_pairs"]:
        print("  none")

    print("\nEntities per extractor: F1 of exact spans, of overlapping spans (same type and canonical")
    print("value both ways), and rasa's token-level F1")
    if not summary["entities"]:
        print("  no entity extractor predicted anything")
    for extractor, result in summary["entities"].items():
        for label, scores in result["entities"].items():
            exact, overlap, token = scores["span"]["exact"], scores["span"]["overlap"], scores["token"] or {}
            print(
                f"  {extractor:<24}{label:<14}n={exact['support']:<4}predicted={exact['predicted']:<4}"
                f"exact P={_fmt(exact['precision'])} R={_fmt(exact['recall'])} F1={_fmt(exact['f1'])}"
                f"  overlap P={_fmt(overlap['precision'])} R={_fmt(overlap['recall'])}"
                f" F1={_fmt(overlap['f1'])}  token F1={_fmt(token.get('f1', 0.0))}"
            )
        if result["never_predicted"]:
            print(f"  {extractor:<24}never predicts: {', '.join(result['never_predicted'])}")

    cv = summary["cross_validation"]
    print("\nCross-validation on the training data")
    if cv is None:
        print("  not run (EVAL_CV=0) or no report")
    else:
        pooled = cv["pooled"]
        print(
            f"  pooled over folds: n={pooled['size']} accuracy={_fmt(pooled['accuracy'])} "
            f"macro-F1={_fmt(pooled['macro_f1'])}"
        )
        if "fold_mean" in cv:
            mean, std = cv["fold_mean"], cv["fold_std"]
            print(
                f"  mean of folds: accuracy={_fmt(mean.get('accuracy', 0.0))}"
                f" (±{_fmt(std.get('accuracy', 0.0))})"
                f" weighted-F1={_fmt(mean.get('f1', 0.0))} (±{_fmt(std.get('f1', 0.0))})"
            )

    real = summary.get("real_questions")
    if real:
        print(f"\nReal questions ({real['size']}):")
        print(
            f"  procedure questions {real['procedure_question']}, declined {real['declined']}, "
            f"other {real['other']}"
        )
        print("  per intent: " + ", ".join(f"{k} {v}" for k, v in real["per_intent"].items()))
        print(f"  sample of {len(real['sample'])} for a hand check:")
        for row in real["sample"]:
            print(f"    {row['intent']:<20} {row['confidence']:.2f}  {row['text'][:110]}")

    gate = summary["gate"]
    verdict = "PASS" if gate["passed"] else "FAIL"
    print(
        f"\nGate: accuracy with diacritics {_fmt(gate['accuracy_with_diacritics'])} "
        f"(min {gate['min_with_diacritics']}), without {_fmt(gate['accuracy_without_diacritics'])} "
        f"(min {gate['min_without_diacritics']}): {verdict}"
    )


def build_summary(
    predictions: Sequence[Prediction],
    *,
    model: str,
    entities: dict[str, dict[str, Any]],
    cross_validation: dict[str, Any] | None,
    min_with: float,
    min_without: float,
) -> dict[str, Any]:
    """Assemble every figure of the evaluation into one JSON-serialisable summary.

    Args:
        predictions: The held-out predictions.
        model: The evaluated model's path, for the record.
        entities: Per-extractor entity scores (`entity_scores`).
        cross_validation: Cross-validation figures (`cross_validation_scores`) or None.
        min_with: Minimum intent accuracy on examples typed with diacritics.
        min_without: Minimum intent accuracy on examples typed without diacritics.

    Returns:
        The summary, including ``gate.passed``.
    """
    pairs = [(p.target, p.predicted) for p in predictions]
    with_marks = [(p.target, p.predicted) for p in predictions if has_diacritics(p.text)]
    without_marks = [(p.target, p.predicted) for p in predictions if not has_diacritics(p.text)]
    overall = intent_scores(pairs)
    with_scores = intent_scores(with_marks)
    without_scores = intent_scores(without_marks)
    passed = bool(predictions) and with_scores.accuracy >= min_with and without_scores.accuracy >= min_without
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model,
        "test_set": {
            "size": len(predictions),
            "without_diacritics": len(without_marks),
            "without_diacritics_share": len(without_marks) / len(predictions) if predictions else 0.0,
        },
        "intent": {
            "overall": overall.as_dict(),
            "with_diacritics": with_scores.as_dict(),
            "without_diacritics": without_scores.as_dict(),
            "confused_pairs": [
                {"target": t, "predicted": p, "count": c} for t, p, c in confused_pairs(pairs)
            ],
        },
        "entities": entities,
        "cross_validation": cross_validation,
        "gate": {
            "accuracy_with_diacritics": with_scores.accuracy,
            "accuracy_without_diacritics": without_scores.accuracy,
            "min_with_diacritics": min_with,
            "min_without_diacritics": min_without,
            "passed": passed,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation table, write the JSON summary; 0 if the gate passes, 1 if not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reports",
        type=Path,
        default=ROOT / "reports" / "nlu",
        help="output directory of `rasa test nlu` on the held-out set",
    )
    parser.add_argument(
        "--cv-reports",
        type=Path,
        default=ROOT / "reports" / "nlu_cv",
        help="output directory of the cross-validation",
    )
    parser.add_argument(
        "--cv-log", type=Path, default=None, help="rasa's log of the cross-validation (per-fold means)"
    )
    parser.add_argument("--summary", type=Path, default=ROOT / "reports" / "eval_summary.json")
    parser.add_argument("--model", default="", help="the evaluated model (for the record)")
    parser.add_argument("--min-accuracy-with-diacritics", type=float, default=0.95)
    parser.add_argument("--min-accuracy-without-diacritics", type=float, default=0.90)
    parser.add_argument(
        "--real-questions",
        type=Path,
        default=None,
        help="file of real questions (one a line) to parse with --model",
    )
    args = parser.parse_args(argv)

    predictions = load_predictions(args.reports)
    if not predictions:
        print(f"No predictions in {args.reports}: did `rasa test nlu --successes` run?", file=sys.stderr)
        return 2
    summary = build_summary(
        predictions,
        model=args.model,
        entities=entity_scores(args.reports),
        cross_validation=cross_validation_scores(args.cv_reports, args.cv_log),
        min_with=args.min_accuracy_with_diacritics,
        min_without=args.min_accuracy_without_diacritics,
    )
    if args.real_questions is not None:
        if not args.model:
            parser.error("--real-questions needs --model")
        questions = read_questions(args.real_questions)
        summary["real_questions"] = real_questions_report(
            questions, parse_with_model(Path(args.model), questions)
        )
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    args.summary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(summary)
    print(f"\nSummary written to {args.summary}")
    return 0 if summary["gate"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
