"""The held-out NLU set as the bench reads it (bench/heldout.py)."""

from __future__ import annotations

from pathlib import Path

from bench.heldout import (
    DEFAULT_PATH,
    Example,
    accuracy_by_diacritics,
    has_diacritics,
    load_examples,
    scored_intent,
    strip_annotations,
)


def test_annotations_are_stripped_like_rasa_does() -> None:
    assert strip_annotations("[làm hộ chiếu](procedure) cần gì") == "làm hộ chiếu cần gì"
    assert strip_annotations('cần [giấy tờ]{"entity": "aspect", "value": "documents"} gì') == "cần giấy tờ gì"
    assert strip_annotations("[hà nội](city:Hà Nội) nhé") == "hà nội nhé"
    assert strip_annotations("không có chú thích") == "không có chú thích"


def test_diacritics_split_is_eval_reports_definition() -> None:
    # scripts/eval_report.py: fold(text) != text.lower(); đ alone counts, case does not.
    assert has_diacritics("Đăng ký khai sinh")
    assert has_diacritics("dang ky đ")
    assert not has_diacritics("DANG KY KHAI SINH cccd")
    assert not has_diacritics("ho so 000.00.12.H37-251012-0001")


def test_every_held_out_example_is_read_without_markup() -> None:
    examples = load_examples()
    listed = sum(
        1 for line in DEFAULT_PATH.read_text(encoding="utf-8").splitlines() if line.startswith("    - ")
    )
    assert len(examples) == listed
    assert all(e.text and e.intent for e in examples)
    assert not [e.text for e in examples if "](" in e.text or "]{" in e.text]
    # Both halves of the split are present (the set is written 40 % without diacritics).
    assert any(has_diacritics(e.text) for e in examples)
    assert any(not has_diacritics(e.text) for e in examples)


def test_only_intent_examples_are_read(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - xin chào\n    - chao ban\n'
        "- synonym: cccd\n  examples: |\n    - căn cước\n"
        "- regex: code\n  examples: |\n    - \\d+\n",
        encoding="utf-8",
    )
    assert load_examples(path) == [Example("xin chào", "greet"), Example("chao ban", "greet")]


def test_accuracy_is_split_by_diacritics_and_declines_are_counted() -> None:
    scores = accuracy_by_diacritics(
        [
            ("làm căn cước cần gì", "ask_documents", "ask_documents", False),
            ("lam can cuoc can gi", "ask_documents", "ask_documents", True),
            ("mat bao lau", "ask_processing_time", "ask_fee", True),
            ("lệ phí bao nhiêu", "ask_fee", "ask_documents", False),
        ]
    )
    assert scores["all"] == {"n": 4, "correct": 2, "accuracy": 0.5, "declined": 2}
    assert scores["with_diacritics"] == {"n": 2, "correct": 1, "accuracy": 0.5, "declined": 0}
    assert scores["without_diacritics"] == {"n": 2, "correct": 1, "accuracy": 0.5, "declined": 2}
    assert accuracy_by_diacritics([])["all"] == {"n": 0, "correct": 0, "accuracy": 0.0, "declined": 0}


def test_a_decline_is_undone_as_rasa_test_nlu_does() -> None:
    confident = {"intent": {"name": "ask_fee", "confidence": 0.9}, "intent_ranking": [{"name": "ask_fee"}]}
    assert scored_intent(confident) == ("ask_fee", False)
    declined = {
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "intent_ranking": [{"name": "nlu_fallback"}, {"name": "ask_documents"}, {"name": "ask_fee"}],
    }
    assert scored_intent(declined) == ("ask_documents", True)
    alone = {"intent": {"name": "nlu_fallback"}, "intent_ranking": [{"name": "nlu_fallback"}]}
    assert scored_intent(alone) == ("nlu_fallback", True)
    assert scored_intent(None) == ("", False)
