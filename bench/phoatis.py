"""PhoATIS: our NLU pipeline on a public Vietnamese intent + slot benchmark.

    .venv-bot/bin/python bench/phoatis.py --data /path/to/PhoATIS [--level word|syllable] [--json out.json]

PhoATIS (VinAI Research, https://github.com/VinAIResearch/JointIDSF) is the Vietnamese ATIS: flight
questions with an intent each and BIO slot tags. Each of its ``train``, ``dev`` and ``test`` folders
holds three line-aligned files: ``seq.in`` (space-separated tokens; at word level a word's syllables
are joined by "_"), ``seq.out`` (one BIO tag per token) and ``label`` (the intent). Its licence
forbids redistribution: it is never in this repository; `--data` points at a copy obtained from
VinAI (a root with ``word-level/`` and ``syllable-level/``, or one of those folders).

This script trains our pipeline — config.yml's components and settings, read from config.yml at run
time — on ``train`` and scores ``test``: intent accuracy, slot F1 (CoNLL chunks, micro-averaged, as
JointIDSF computes it with seqeval) and sentence accuracy (intent and every slot tag right), beside
the published JointIDSF figures. One setting differs, and the output says so: DIET's
``entity_recognition`` is switched on, because PhoATIS scores slots and production leaves
procedure names to ProcedureMatcher instead. ``dev`` is not used (there is no model selection).

The reading, conversion and scoring functions use only the standard library, so the tests run
them in either environment; training and parsing need Rasa (``.venv-bot``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script: make the repository's packages (bench.stats) importable.
    sys.path.insert(0, str(ROOT))

from bench.heldout import scored_intent  # noqa: E402
from bench.stats import summarize  # noqa: E402

SPLITS = ("train", "dev", "test")
FILES = ("seq.in", "seq.out", "label")
#: JointIDSF on PhoATIS as published (PhoBERT, word level, GPU), in percent.
JOINTIDSF = {"intent_accuracy": 97.62, "slot_f1": 94.98, "sentence_accuracy": 86.25}


class PhoATISFormatError(ValueError):
    """A PhoATIS folder is not in the expected format (the message says where)."""


@dataclass(frozen=True)
class Utterance:
    """One PhoATIS example: its tokens, one BIO tag per token, and its intent."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str

    @property
    def text(self) -> str:
        """The sentence as a person types it: tokens joined by spaces, word-level "_" as spaces."""
        return " ".join(token.replace("_", " ") for token in self.tokens)

    def token_spans(self) -> list[tuple[int, int]]:
        """Each token's ``(start, end)`` character offsets in `text`."""
        spans: list[tuple[int, int]] = []
        position = 0
        for token in self.tokens:
            spans.append((position, position + len(token)))
            position += len(token) + 1
        return spans


def _split_tag(tag: str) -> tuple[str, str]:
    """``"B-toloc.city_name"`` -> ``("B", "toloc.city_name")``; ``"O"`` -> ``("O", "")``."""
    if tag == "O":
        return "O", ""
    prefix, _, label = tag.partition("-")
    return prefix, label


def _check_tag(tag: str, where: str) -> None:
    prefix, label = _split_tag(tag)
    if tag != "O" and (prefix not in ("B", "I") or not label):
        raise PhoATISFormatError(f"{where}: {tag!r} is not a BIO tag (O, B-<slot>, I-<slot>)")


def read_split(folder: Path) -> list[Utterance]:
    """Read one split folder (``seq.in``, ``seq.out``, ``label``, line-aligned).

    Args:
        folder: E.g. ``PhoATIS/word-level/train``.

    Returns:
        The utterances in file order.

    Raises:
        PhoATISFormatError: A file is missing, the files differ in length, a line's token and tag
            counts differ, a tag is not BIO, or an intent is empty.
    """
    lines: dict[str, list[str]] = {}
    for name in FILES:
        path = folder / name
        if not path.is_file():
            raise PhoATISFormatError(f"{path} is missing (a PhoATIS split holds {', '.join(FILES)})")
        lines[name] = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        while lines[name] and not lines[name][-1]:
            lines[name].pop()  # a trailing blank line is not an utterance
    counts = {name: len(values) for name, values in lines.items()}
    if len(set(counts.values())) != 1:
        raise PhoATISFormatError(f"{folder}: files differ in length {counts}")
    utterances: list[Utterance] = []
    for number, (text, tagged, intent) in enumerate(zip(*(lines[name] for name in FILES), strict=True), 1):
        tokens, tags = tuple(text.split()), tuple(tagged.split())
        where = f"{folder} line {number}"
        if not tokens or len(tokens) != len(tags):
            raise PhoATISFormatError(f"{where}: {len(tokens)} tokens but {len(tags)} tags")
        if not intent:
            raise PhoATISFormatError(f"{where}: no intent in label")
        for tag in tags:
            _check_tag(tag, where)
        utterances.append(Utterance(tokens, tags, intent))
    return utterances


def level_folder(data: Path, level: str | None = None) -> Path:
    """The folder holding ``train/dev/test``: `data` itself, or its ``<level>-level`` subfolder.

    Raises:
        PhoATISFormatError: Neither exists.
    """
    if (data / "train").is_dir() and level is None:
        return data
    folder = data / f"{level or 'word'}-level"
    if (folder / "train").is_dir():
        return folder
    raise PhoATISFormatError(
        f"{data}: no train/ folder here nor in {folder.name}/ (give the PhoATIS root or a level folder)"
    )


def chunks(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """The slots of a BIO sequence as ``(type, first token, end token exclusive)``.

    Lenient like seqeval's default (CoNLL) mode, which JointIDSF's scores use: an ``I-x`` after
    ``O`` or after another type starts a chunk.

    >>> chunks(["O", "B-from", "I-from", "O", "I-to", "B-to"])
    [('from', 1, 3), ('to', 4, 5), ('to', 5, 6)]
    """
    found: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    for index, tag in enumerate(tags):
        prefix, label = _split_tag(tag)
        continues = prefix == "I" and current is not None and current[0] == label
        if current is not None and not continues:
            found.append((current[0], current[1], index))
            current = None
        if prefix in ("B", "I") and current is None:
            current = (label, index)
    if current is not None:
        found.append((current[0], current[1], len(tags)))
    return found


def to_rasa_example(utterance: Utterance) -> dict[str, Any]:
    """One utterance as a Rasa JSON training example, its slots as character-offset entities."""
    text, spans = utterance.text, utterance.token_spans()
    entities = []
    for label, first, end in chunks(utterance.tags):
        start, stop = spans[first][0], spans[end - 1][1]
        entities.append({"start": start, "end": stop, "value": text[start:stop], "entity": label})
    return {"text": text, "intent": utterance.intent, "entities": entities}


def to_rasa_json(utterances: Iterable[Utterance]) -> dict[str, Any]:
    """Rasa's JSON training data format (``rasa_nlu_data``) for `utterances`."""
    return {"rasa_nlu_data": {"common_examples": [to_rasa_example(u) for u in utterances]}}


def tags_from_entities(utterance: Utterance, entities: Sequence[dict[str, Any]]) -> list[str]:
    """Project predicted entities (character offsets) back onto the dataset's tokens as BIO tags.

    Our tokenizer need not cut the text where PhoATIS did, so a dataset token belongs to the first
    predicted entity that overlaps it; the first token of each entity gets ``B-``, the rest ``I-``.
    """
    tags = ["O"] * len(utterance.tokens)
    ordered = sorted(entities, key=lambda e: (int(e["start"]), int(e["end"])))
    for entity in ordered:
        start, end, label = int(entity["start"]), int(entity["end"]), str(entity["entity"])
        first = True
        for index, (token_start, token_end) in enumerate(utterance.token_spans()):
            if token_start < end and start < token_end and tags[index] == "O":
                tags[index] = f"{'B' if first else 'I'}-{label}"
                first = False
    return tags


def score(gold: Sequence[Utterance], predicted: Sequence[tuple[str, Sequence[str]]]) -> dict[str, Any]:
    """Intent accuracy, slot precision/recall/F1 (micro, CoNLL chunks) and sentence accuracy.

    Args:
        gold: The test utterances.
        predicted: ``(intent, BIO tags over the utterance's tokens)`` for each, in the same order.

    Returns:
        ``{"n", "intent_accuracy", "slot_precision", "slot_recall", "slot_f1", "sentence_accuracy"}``
        as fractions in [0, 1].
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} utterances but {len(predicted)} predictions")
    intents_right = sentences_right = 0
    true_positive = gold_count = predicted_count = 0
    for utterance, (intent, tags) in zip(gold, predicted, strict=True):
        intent_ok = intent == utterance.intent
        intents_right += intent_ok
        sentences_right += intent_ok and tuple(tags) == utterance.tags
        gold_chunks, predicted_chunks = set(chunks(utterance.tags)), set(chunks(tags))
        true_positive += len(gold_chunks & predicted_chunks)
        gold_count += len(gold_chunks)
        predicted_count += len(predicted_chunks)
    n = len(gold)
    precision = true_positive / predicted_count if predicted_count else 0.0
    recall = true_positive / gold_count if gold_count else 0.0
    return {
        "n": n,
        "intent_accuracy": intents_right / n if n else 0.0,
        "slot_precision": precision,
        "slot_recall": recall,
        "slot_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "sentence_accuracy": sentences_right / n if n else 0.0,
    }


def prediction_from_parse(
    utterance: Utterance, parsed: dict[str, Any], slot_types: frozenset[str]
) -> tuple[str, list[str], bool]:
    """Turn a Rasa parse result into ``(intent, BIO tags, fell back)``.

    A FallbackClassifier decline is undone as `rasa test nlu` undoes it (PhoATIS has no "I do not
    know" answer; how often the assistant would have declined is reported separately). Only
    entities of PhoATIS slot types count (our `procedure`/`aspect` extractors also run).
    """
    intent, fell_back = scored_intent(parsed)
    entities = [e for e in parsed.get("entities") or [] if e.get("entity") in slot_types]
    return intent, tags_from_entities(utterance, entities), fell_back


def pipeline_config(config_path: Path, epochs: int | None = None) -> tuple[dict[str, Any], list[str]]:
    """config.yml's NLU pipeline for PhoATIS, and a description of every change made to it.

    Only DIET's ``entity_recognition`` changes (to true: PhoATIS scores slots); the policies are
    dropped because only the NLU part is trained. `epochs` (tests only: every step runs, nothing is
    learnt) caps the epochs of every component that has them.
    """
    import yaml  # PyYAML: in both environments, only needed here

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    changes: list[str] = ["policies dropped (NLU-only training)"]
    for component in config.get("pipeline") or []:
        if component.get("name") == "DIETClassifier" and not component.get("entity_recognition", True):
            component["entity_recognition"] = True
            changes.append("DIETClassifier.entity_recognition: false -> true (PhoATIS scores slots)")
        if epochs is not None and "epochs" in component:
            changes.append(f"{component['name']}.epochs: {component['epochs']} -> {epochs}")
            component["epochs"] = epochs
    config.pop("policies", None)
    return config, changes


def train(train_data: Path, config: Path, out: Path) -> tuple[Path, float]:
    """Train an NLU model with Rasa's CLI; return its path and the seconds it took."""
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [
        str(rasa),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(train_data),
        "--out",
        str(out),
        "--fixed-model-name",
        "phoatis",
        "--quiet",
    ]
    env = os.environ | {
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore"),
        "RASA_CACHE_DIRECTORY": str(out / "cache"),  # not the repository's .rasa/cache
    }
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return out / "phoatis.tar.gz", time.perf_counter() - started


def parse_all(model: Path, texts: Sequence[str]) -> tuple[list[dict[str, Any]], list[float]]:
    """Parse every text with the trained model in process; return the results and latencies (ms)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ notices, before it loads
    from rasa.core.agent import Agent  # heavy (TensorFlow): only when actually parsing
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # As `--quiet` does for the CLI: no debug line per parsed message.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))

    async def run() -> tuple[list[dict[str, Any]], list[float]]:
        results, latencies = [], []
        for text in texts:
            started = time.perf_counter()
            results.append(await agent.parse_message(text))
            latencies.append((time.perf_counter() - started) * 1000)
        return results, latencies

    return asyncio.run(run())


def evaluate(
    data: Path, level: str | None, work: Path, split: str = "test", epochs: int | None = None
) -> dict[str, Any]:
    """Train on PhoATIS ``train`` with our pipeline, score `split`; everything the report needs."""
    folder = level_folder(data, level)
    train_set, test_set = read_split(folder / "train"), read_split(folder / split)
    work.mkdir(parents=True, exist_ok=True)
    train_file = work / "train.json"
    train_file.write_text(json.dumps(to_rasa_json(train_set), ensure_ascii=False), encoding="utf-8")
    config, changes = pipeline_config(ROOT / "config.yml", epochs)
    config_file = work / "config.yml"
    config_file.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    print(f"Training on {len(train_set)} utterances of {folder} ...", flush=True)
    model, training_s = train(train_file, config_file, work)
    print(f"Trained in {training_s:.0f} s; parsing {len(test_set)} {split} utterances ...", flush=True)
    parsed, latencies = parse_all(model, [u.text for u in test_set])
    slot_types = frozenset(label for u in train_set for label, _, _ in chunks(u.tags))
    predictions, fallbacks = [], 0
    for utterance, result in zip(test_set, parsed, strict=True):
        intent, tags, fell_back = prediction_from_parse(utterance, result, slot_types)
        predictions.append((intent, tags))
        fallbacks += fell_back
    scores = score(test_set, predictions) | {"fallbacks": fallbacks}
    return {
        "dataset": str(folder),
        "level": "syllable"
        if "syllable" in folder.name
        else "word"
        if "word" in folder.name
        else folder.name,
        "split": split,
        "train_size": len(train_set),
        "training_s": training_s,
        "config_changes": changes,
        "scores": scores,
        "parse_ms": summarize(latencies),
        "published": {"model": "JointIDSF (PhoBERT, word level, GPU)", **JOINTIDSF},
    }


def print_scores(result: dict[str, Any]) -> None:
    """Print our scores beside the published ones."""
    scores = result["scores"]
    print(
        f"\nPhoATIS {result['level']} level, {result['split']} split ({scores['n']} utterances; "
        f"trained on {result['train_size']} in {result['training_s']:.0f} s)"
    )
    print(f"{'':<34}{'intent acc.':>12}{'slot F1':>10}{'sentence acc.':>15}")
    print(
        f"{'our pipeline (DIET, CPU)':<34}{100 * scores['intent_accuracy']:>12.2f}"
        f"{100 * scores['slot_f1']:>10.2f}{100 * scores['sentence_accuracy']:>15.2f}"
    )
    print(
        f"{'JointIDSF (PhoBERT, GPU), published':<34}{JOINTIDSF['intent_accuracy']:>12.2f}"
        f"{JOINTIDSF['slot_f1']:>10.2f}{JOINTIDSF['sentence_accuracy']:>15.2f}"
    )
    print(
        f"Would have fallen back (nlu_fallback): {scores['fallbacks']}; "
        f"parse p50 {result['parse_ms']['p50']:.1f} ms, p95 {result['parse_ms']['p95']:.1f} ms (in process)"
    )
    print("Changes to config.yml: " + "; ".join(result["config_changes"]))


def main(argv: Sequence[str] | None = None) -> int:
    """Train and score; print the table; write the JSON when asked. Exit 2 on a malformed dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="PhoATIS root or one of its level folders")
    parser.add_argument(
        "--level",
        choices=("word", "syllable"),
        default=None,
        help="level to use under a PhoATIS root (default: word)",
    )
    parser.add_argument("--split", choices=("dev", "test"), default="test", help="split to score")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="cap every component's epochs (for tests)",
    )
    args = parser.parse_args(argv)
    try:
        if args.work:
            result = evaluate(args.data, args.level, args.work, args.split, args.epochs)
        else:
            with tempfile.TemporaryDirectory(prefix="phoatis-") as work:
                result = evaluate(args.data, args.level, Path(work), args.split, args.epochs)
    except PhoATISFormatError as exc:
        print(f"Not a PhoATIS folder: {exc}", file=sys.stderr)
        return 2
    print_scores(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
