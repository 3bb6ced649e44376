"""PhoATIS reading, conversion to Rasa training data, and scoring (bench/phoatis.py).

On `fixtures/phoatis_tiny`, a sample in PhoATIS's real format written for these tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.phoatis import (
    PhoATISFormatError,
    Utterance,
    chunks,
    level_folder,
    pipeline_config,
    prediction_from_parse,
    read_split,
    score,
    tags_from_entities,
    to_rasa_example,
    to_rasa_json,
)

TINY = Path(__file__).resolve().parent / "fixtures" / "phoatis_tiny"
ROOT = Path(__file__).resolve().parents[2]
FROM, TO = "fromloc.city_name", "toloc.city_name"


def test_every_split_of_the_sample_is_read_line_aligned() -> None:
    sizes = {split: len(read_split(TINY / split)) for split in ("train", "dev", "test")}
    assert sizes == {"train": 12, "dev": 3, "test": 5}
    first = read_split(TINY / "train")[0]
    assert first.tokens == ("tôi", "muốn", "bay", "từ", "hà_nội", "đến", "đà_nẵng")
    assert first.tags == ("O", "O", "O", "O", f"B-{FROM}", "O", f"B-{TO}")
    assert first.intent == "flight"
    assert {u.intent for u in read_split(TINY / "train")} >= {
        "flight",
        "airfare",
        "airline",
        "flight#airfare",
    }


def test_word_level_text_has_spaces_where_syllables_were_joined() -> None:
    utterance = read_split(TINY / "train")[0]
    assert utterance.text == "tôi muốn bay từ hà nội đến đà nẵng"
    assert [utterance.text[start:end] for start, end in utterance.token_spans()] == [
        "tôi",
        "muốn",
        "bay",
        "từ",
        "hà nội",
        "đến",
        "đà nẵng",
    ]


def test_slots_become_character_offset_entities() -> None:
    utterance = read_split(TINY / "train")[6]  # "... từ cà_mau đến hà_nội vào buổi sáng"
    example = to_rasa_example(utterance)
    assert example["intent"] == "flight"
    assert example["entities"] == [
        {"start": 26, "end": 32, "value": "cà mau", "entity": FROM},
        {"start": 37, "end": 43, "value": "hà nội", "entity": TO},
        {"start": 48, "end": 57, "value": "buổi sáng", "entity": "depart_time.period_of_day"},
    ]
    for entity in example["entities"]:
        assert example["text"][entity["start"] : entity["end"]] == entity["value"]
    data = to_rasa_json(read_split(TINY / "train"))
    assert len(data["rasa_nlu_data"]["common_examples"]) == 12


def test_chunks_follow_seqeval_default_mode() -> None:
    assert chunks(["O", "B-a", "I-a", "B-a", "O"]) == [("a", 1, 3), ("a", 3, 4)]
    # An I- tag after O, or after another type, starts a chunk (CoNLL's lenient reading).
    assert chunks(["I-a", "I-a", "I-b", "O", "I-b"]) == [("a", 0, 2), ("b", 2, 3), ("b", 4, 5)]
    assert chunks(["O", "O"]) == []


def test_predicted_entities_are_projected_onto_the_dataset_tokens() -> None:
    utterance = Utterance(("bay", "từ", "hà_nội", "đến", "đà_nẵng"), ("O",) * 5, "flight")
    # Our tokenizer may cut differently: an entity covering part of a token still tags it.
    entities = [{"start": 7, "end": 9, "entity": FROM}, {"start": 17, "end": 24, "entity": TO}]
    assert tags_from_entities(utterance, entities) == ["O", "O", f"B-{FROM}", "O", f"B-{TO}"]
    spanning = [{"start": 0, "end": 13, "entity": "x"}]  # "bay từ hà nội": three tokens
    assert tags_from_entities(utterance, spanning) == ["B-x", "I-x", "I-x", "O", "O"]
    assert tags_from_entities(utterance, []) == ["O"] * 5


def test_scores_count_intents_slots_and_whole_sentences() -> None:
    gold = read_split(TINY / "test")
    perfect = [(u.intent, list(u.tags)) for u in gold]
    assert score(gold, perfect) == {
        "n": 5,
        "intent_accuracy": 1.0,
        "slot_precision": 1.0,
        "slot_recall": 1.0,
        "slot_f1": 1.0,
        "sentence_accuracy": 1.0,
    }

    worse = list(perfect)
    worse[0] = ("airfare", worse[0][1])  # wrong intent, right slots
    tags = list(worse[1][1])
    tags[tags.index(f"B-{TO}")] = f"B-{FROM}"  # one of 11 gold slots typed wrong
    worse[1] = (worse[1][0], tags)
    result = score(gold, worse)
    assert result["intent_accuracy"] == pytest.approx(4 / 5)
    assert result["sentence_accuracy"] == pytest.approx(3 / 5)
    assert result["slot_precision"] == pytest.approx(10 / 11)
    assert result["slot_recall"] == pytest.approx(10 / 11)
    assert result["slot_f1"] == pytest.approx(10 / 11)
    with pytest.raises(ValueError):
        score(gold, perfect[:2])


def test_a_fallback_is_scored_by_the_best_real_intent_and_other_entity_types_are_ignored() -> None:
    utterance = read_split(TINY / "test")[0]  # "tôi muốn bay từ đà nẵng đến hải phòng"
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "intent_ranking": [{"name": "nlu_fallback"}, {"name": "flight"}, {"name": "airfare"}],
        "entities": [
            {"entity": FROM, "start": 16, "end": 23},
            {"entity": "procedure", "start": 0, "end": 3},  # ours, not a PhoATIS slot
        ],
    }
    intent, tags, fell_back = prediction_from_parse(utterance, parsed, frozenset({FROM, TO}))
    assert (intent, fell_back) == ("flight", True)
    assert tags == ["O", "O", "O", "O", f"B-{FROM}", "O", "O"]


def test_malformed_folders_are_refused_with_the_place(tmp_path: Path) -> None:
    broken = tmp_path / "train"
    shutil.copytree(TINY / "train", broken)
    (broken / "label").write_text("flight\n", encoding="utf-8")
    with pytest.raises(PhoATISFormatError, match="differ in length"):
        read_split(broken)
    shutil.copy(TINY / "train" / "label", broken / "label")
    (broken / "seq.out").write_text(
        (TINY / "train" / "seq.out").read_text(encoding="utf-8").replace("B-fromloc", "X-fromloc", 1),
        encoding="utf-8",
    )
    with pytest.raises(PhoATISFormatError, match=r"line 1.*not a BIO tag"):
        read_split(broken)
    (broken / "seq.out").unlink()
    with pytest.raises(PhoATISFormatError, match=r"seq\.out is missing"):
        read_split(broken)


def test_a_phoatis_root_or_a_level_folder_is_accepted(tmp_path: Path) -> None:
    assert level_folder(TINY) == TINY
    root = tmp_path / "PhoATIS"
    shutil.copytree(TINY, root / "word-level")
    shutil.copytree(TINY, root / "syllable-level")
    assert level_folder(root) == root / "word-level"
    assert level_folder(root, "syllable") == root / "syllable-level"
    with pytest.raises(PhoATISFormatError):
        level_folder(tmp_path)


def test_the_pipeline_is_config_yml_with_slot_recognition_on() -> None:
    import yaml

    production = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config, changes = pipeline_config(ROOT / "config.yml")
    assert "policies" not in config
    assert [c["name"] for c in config["pipeline"]] == [c["name"] for c in production["pipeline"]]
    diet = next(c for c in config["pipeline"] if c["name"] == "DIETClassifier")
    assert diet["entity_recognition"] is True
    production_diet = next(c for c in production["pipeline"] if c["name"] == "DIETClassifier")
    assert {k: v for k, v in diet.items() if k != "entity_recognition"} == {
        k: v for k, v in production_diet.items() if k != "entity_recognition"
    }
    assert any("entity_recognition" in change for change in changes)
