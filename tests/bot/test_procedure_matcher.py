"""Tests for `bot.procedure_matcher.ProcedureMatcher` through Rasa's component API.

As in test_tokenizer.py: components are created with a `LocalModelStorage`, a `Resource` and an
`ExecutionContext`, trained on `TrainingData`, run on tokenized `Message`s, and loaded back from the
model storage.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.aspects import gazetteer_phrases
from bot.procedure_matcher import DEFAULT_PHRASES_PATH, ProcedureMatcher, read_phrases
from bot.tokenizer import VietnameseTokenizer
from vntext import fold

ROOT = Path(__file__).resolve().parents[2]


def train_matcher(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    resource: str,
    training_data: TrainingData | None = None,
    **overrides: Any,
) -> ProcedureMatcher:
    """Create and train the component as Rasa's graph does, with the default config plus `overrides`."""
    config = {**ProcedureMatcher.get_default_config(), **overrides}
    matcher = ProcedureMatcher.create(config, model_storage, Resource(resource), execution_context)
    matcher.train(training_data or TrainingData())
    return matcher


def load_matcher(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, resource: str, **overrides: Any
) -> ProcedureMatcher:
    config = {**ProcedureMatcher.get_default_config(), **overrides}
    return ProcedureMatcher.load(config, model_storage, Resource(resource), execution_context)


@pytest.fixture(scope="module")
def matcher(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> ProcedureMatcher:
    """Trained on the shipped phrase file, then loaded back from the model storage."""
    train_matcher(model_storage, execution_context, "procedure_matcher")
    return load_matcher(model_storage, execution_context, "procedure_matcher")


def run(
    matcher: ProcedureMatcher, text: str, tokenizer: VietnameseTokenizer | None = None
) -> list[dict[str, Any]]:
    """The entities the matcher adds to a message (tokenized first when a tokenizer is given)."""
    message = Message.build(text=text)
    if tokenizer is not None:
        tokenizer.process([message])
    matcher.process([message])
    return message.get(ENTITIES, [])


def write_phrases(directory: Path, *lines: str) -> Path:
    """A phrase file with `lines`, as the component reads it."""
    path = directory / "phrases.txt"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def values(entities: list[dict[str, Any]]) -> list[str]:
    return [entity["value"] for entity in entities]


def assert_well_formed(text: str, entities: list[dict[str, Any]]) -> None:
    """Exact offsets, the value as typed, no overlaps, the extractor's fields set."""
    previous_end = 0
    for entity in entities:
        assert entity["entity"] == "procedure"
        assert 0 <= entity["start"] < entity["end"] <= len(text)
        assert entity["start"] >= previous_end
        assert text[entity["start"] : entity["end"]] == entity["value"]
        assert entity["extractor"] == "ProcedureMatcher"
        assert entity["confidence_entity"] == 1.0
        previous_end = entity["end"]


# --- Component contract --------------------------------------------------------------------


def test_component_metadata() -> None:
    assert ProcedureMatcher.supported_languages() == ["vi"]
    assert ProcedureMatcher.required_packages() == ["spacy"]
    config = ProcedureMatcher.get_default_config()
    assert config["entity"] == "procedure"
    assert config["phrases_path"] is None
    assert all(phrase == fold(phrase) for phrase in config["blocking_phrases"])


def test_shipped_phrases_are_folded_and_focused() -> None:
    phrases = read_phrases(DEFAULT_PHRASES_PATH)
    assert len(phrases) > 1000
    assert len(phrases) == len(set(phrases))
    for phrase in phrases:
        assert phrase == fold(phrase) == " ".join(phrase.split())


def test_shipped_phrase_file_is_what_the_script_generates() -> None:
    # The script needs only the standard library, vntext and the seed files.
    path = ROOT / "scripts" / "make_procedure_phrases.py"
    spec = importlib.util.spec_from_file_location("make_procedure_phrases", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--check"]) == 0, "run scripts/make_procedure_phrases.py"


# --- Matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("làm cccd cần giấy tờ gì", "cccd"),
        ("dang ky khai sinh o dau", "dang ky khai sinh"),
        ("Cấp hộ chiếu phổ thông mất bao lâu?", "Cấp hộ chiếu phổ thông"),
        ("thủ tục đăng ký kết hôn", "đăng ký kết hôn"),
        ("cho hỏi làm sổ đỏ lần đầu", "làm sổ đỏ"),
        ("xin cấp phiếu lý lịch tư pháp", "cấp phiếu lý lịch tư pháp"),
        ("Đăng ký tạm trú ở đâu", "Đăng ký tạm trú"),
        ("hồ sơ sổ đỏ gồm gì", "sổ đỏ"),
    ],
)
def test_finds_procedure_names(
    matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer, text: str, expected: str
) -> None:
    entities = run(matcher, text, tokenizer)
    assert_well_formed(text, entities)
    assert values(entities) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "cần giấy tờ gì",
        "mất bao lâu, bao nhiêu tiền",
        "hồ sơ 000.00.12.H37-251012-0001 tới đâu rồi",
        "chào bạn",
        "hôm nay thời tiết thế nào",
        # Fold like "sổ đỏ" / "sổ hồng" inside "hồ sơ đó" / "hồ sơ hông" (không).
        "hồ sơ đó nộp ở đâu",
        "ngày lễ có tiếp nhận hồ sơ hông",
        "",
    ],
)
def test_finds_nothing_without_a_procedure(
    matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer, text: str
) -> None:
    assert run(matcher, text, tokenizer) == []


def test_aspect_questions_never_name_a_procedure(matcher: ProcedureMatcher) -> None:
    # Every phrase of the aspect gazetteer ("giấy tờ", "lệ phí", "thanh toán online" ...) is a
    # question about a procedure, not the name of one.
    named = {phrase: values(run(matcher, phrase)) for phrase, _ in gazetteer_phrases()}
    assert {phrase: found for phrase, found in named.items() if found} == {}


def test_with_and_without_diacritics_alike(matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer) -> None:
    text = "Thủ tục đăng ký khai sinh cho con cần gì"
    typed = run(matcher, text, tokenizer)
    unaccented = run(matcher, fold(text), tokenizer)
    assert values(typed) == ["đăng ký khai sinh"]
    assert [(e["start"], e["end"]) for e in unaccented] == [(e["start"], e["end"]) for e in typed]


def test_spelling_variants_of_i_and_y(matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer) -> None:
    assert values(run(matcher, "đăng kí khai sinh", tokenizer)) == ["đăng kí khai sinh"]
    assert values(run(matcher, "cấp phiếu lí lịch tư pháp", tokenizer)) == ["cấp phiếu lí lịch tư pháp"]


def test_longest_match_wins_without_overlaps(
    matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer
) -> None:
    # "khai sinh", "giấy khai sinh" and "làm giấy khai sinh" are all phrases: one entity, the longest.
    text = "làm giấy khai sinh cho bé"
    entities = run(matcher, text, tokenizer)
    assert_well_formed(text, entities)
    assert values(entities) == ["làm giấy khai sinh"]


def test_several_procedures_in_one_message(matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer) -> None:
    text = "đăng ký kết hôn xong thì đăng ký thường trú được không"
    entities = run(matcher, text, tokenizer)
    assert_well_formed(text, entities)
    assert values(entities) == ["đăng ký kết hôn", "đăng ký thường trú"]


def test_abbreviations_are_expanded(matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer) -> None:
    assert values(run(matcher, "dk ket hon can gi", tokenizer)) == ["dk ket hon"]
    assert values(run(matcher, "cap lai gplx", tokenizer)) == ["cap lai gplx"]


def test_segmentation_does_not_matter(
    matcher: ProcedureMatcher,
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    syllable_config = {**VietnameseTokenizer.get_default_config(), "segment_words": False}
    syllables = VietnameseTokenizer.create(
        syllable_config, model_storage, Resource("syllables"), execution_context
    )
    for text in [
        "lam can cuoc cho con duoi 14 tuoi",
        "Đăng ký giấy khai sinh, đăng ký kết hôn",
        "cap the can cuoc gan chip",
        "xin giay phep xay dung nha o",
    ]:
        by_words = run(matcher, text, tokenizer)
        assert by_words, text
        assert run(matcher, text, syllables) == by_words
        # Without a tokenizer in front, the text's own syllables are used.
        assert run(matcher, text) == by_words


def test_decomposed_input_keeps_offsets_into_the_original(
    matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer
) -> None:
    text = unicodedata.normalize("NFD", "Hỏi về đăng ký khai tử ạ")
    entities = run(matcher, text, tokenizer)
    assert_well_formed(text, entities)
    assert [unicodedata.normalize("NFC", value) for value in values(entities)] == ["đăng ký khai tử"]


def test_existing_entities_are_kept(matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer) -> None:
    message = Message.build(text="đăng ký khai tử")
    message.set(ENTITIES, [{"entity": "other", "start": 0, "end": 3, "value": "đăn"}])
    tokenizer.process([message])
    matcher.process([message])
    assert [entity["entity"] for entity in message.get(ENTITIES)] == ["other", "procedure"]


# --- Training, configuration and persistence -----------------------------------------------


def test_a_match_may_not_end_inside_an_abbreviation(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    tokenizer: VietnameseTokenizer,
    tmp_path: Path,
) -> None:
    # "cccd" stands for "can cuoc cong dan": "can cuoc" covers only half of it.
    phrases = write_phrases(tmp_path, "# a comment", "can cuoc", "", "can cuoc cong dan cu")
    matcher = train_matcher(model_storage, execution_context, "half", phrases_path=str(phrases))
    assert matcher.phrases == ["can cuoc", "can cuoc cong dan cu"]
    assert run(matcher, "làm cccd", tokenizer) == []
    assert values(run(matcher, "làm căn cước", tokenizer)) == ["căn cước"]
    assert values(run(matcher, "cccd cũ", tokenizer)) == ["cccd cũ"]

    no_expansion = train_matcher(
        model_storage, execution_context, "literal", phrases_path=str(phrases), expand_abbreviations=False
    )
    assert run(no_expansion, "cccd cũ", tokenizer) == []


def test_lookup_table_of_the_training_data_adds_phrases(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    tokenizer: VietnameseTokenizer,
    tmp_path: Path,
) -> None:
    phrases = write_phrases(tmp_path, "dang ky khai sinh")
    training_data = TrainingData(
        lookup_tables=[
            {"name": "procedure", "elements": ["Xin giấy phép bán rượu"]},
            {"name": "city", "elements": ["Hà Nội"]},
        ]
    )
    matcher = train_matcher(
        model_storage, execution_context, "lookup", training_data, phrases_path=str(phrases)
    )
    assert values(run(matcher, "xin giay phep ban ruou o Hà Nội", tokenizer)) == ["xin giay phep ban ruou"]

    without = train_matcher(
        model_storage,
        execution_context,
        "no_lookup",
        training_data,
        phrases_path=str(phrases),
        use_lookup_tables=False,
    )
    assert run(without, "xin giấy phép bán rượu", tokenizer) == []


def test_trained_model_is_self_contained(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    tokenizer: VietnameseTokenizer,
    tmp_path: Path,
) -> None:
    phrases = write_phrases(tmp_path, "dang ky khai sinh", "cap ho chieu")
    trained = train_matcher(model_storage, execution_context, "round_trip", phrases_path=str(phrases))
    text = "Đăng ký khai sinh và cấp hộ chiếu"
    expected = run(trained, text, tokenizer)
    assert values(expected) == ["Đăng ký khai sinh", "cấp hộ chiếu"]

    # The phrases travel in the model: the file is no longer needed, nor read.
    phrases.unlink()
    loaded = load_matcher(model_storage, execution_context, "round_trip", phrases_path=str(phrases))
    assert loaded.phrases == trained.phrases
    assert run(loaded, text, tokenizer) == expected


def test_load_without_a_trained_resource_finds_nothing(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, tokenizer: VietnameseTokenizer
) -> None:
    loaded = load_matcher(model_storage, execution_context, "never_trained")
    assert run(loaded, "đăng ký khai sinh", tokenizer) == []


def test_fingerprint_follows_the_phrase_file(tmp_path: Path) -> None:
    config = {"phrases_path": str(write_phrases(tmp_path, "dang ky khai sinh"))}
    before = ProcedureMatcher.fingerprint_addon(config)
    assert before == ProcedureMatcher.fingerprint_addon(config)
    write_phrases(tmp_path, "dang ky khai sinh", "dang ky ket hon")
    assert ProcedureMatcher.fingerprint_addon(config) not in (None, before)
    assert ProcedureMatcher.fingerprint_addon({}) is not None


# --- Speed and robustness ------------------------------------------------------------------


# How fast the matcher is (median under a millisecond per message) is measured by `make bench`
# (bench/micro.py, ``matcher``), not asserted here.


_WORDS = st.sampled_from(
    [
        "đăng",
        "ký",
        "kí",
        "dk",
        "khai",
        "sinh",
        "cccd",
        "căn",
        "cước",
        "làm",
        "hộ",
        "chiếu",
        "phổ",
        "thông",
        "sổ",
        "đỏ",
        "giấy",
        "tờ",
        "gì",
        "?",
        ",",
        "😀",
        "0912345678",
        "1.001193",
        "\u0301",
        "Đ",
    ]
)
_TEXTS = st.lists(st.tuples(_WORDS, st.sampled_from([" ", "", "  ", "\n", ", "])), max_size=14).map(
    lambda parts: "".join(word + sep for word, sep in parts)
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(_TEXTS, _TEXTS.map(lambda s: unicodedata.normalize("NFD", s))))
def test_entities_always_well_formed(
    matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer, text: str
) -> None:
    assert_well_formed(text, run(matcher, text, tokenizer))
    assert_well_formed(text, run(matcher, text))
