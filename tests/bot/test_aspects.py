"""Tests for `bot.aspects.AspectExtractor` through Rasa's component API.

As in test_tokenizer.py: the component is created (and loaded) with a `LocalModelStorage`, a
`Resource` and an `ExecutionContext`, and runs on `Message`s tokenized by the project's tokenizer.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.aspects import (
    ASPECT_ABBREVIATIONS,
    ASPECTS,
    GAZETTEER,
    AspectExtractor,
    expand_pattern,
    gazetteer_phrases,
)
from bot.procedure_matcher import ProcedureMatcher, phrase_syllables
from bot.tokenizer import VietnameseTokenizer
from vntext import fold, lexicon


def make_extractor(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, **overrides: Any
) -> AspectExtractor:
    config = {**AspectExtractor.get_default_config(), **overrides}
    return AspectExtractor.create(config, model_storage, Resource("aspects"), execution_context)


@pytest.fixture(scope="module")
def extractor(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> AspectExtractor:
    """The component as the Rasa server gets it: loaded (there is nothing to train)."""
    config = AspectExtractor.get_default_config()
    return AspectExtractor.load(config, model_storage, Resource("aspects"), execution_context)


def run(
    extractor: AspectExtractor, text: str, tokenizer: VietnameseTokenizer | None = None
) -> list[dict[str, Any]]:
    """The entities the extractor adds to a message (tokenized first when a tokenizer is given)."""
    message = Message.build(text=text)
    if tokenizer is not None:
        tokenizer.process([message])
    extractor.process([message])
    return message.get(ENTITIES, [])


def aspects(extractor: AspectExtractor, text: str, tokenizer: VietnameseTokenizer) -> list[str]:
    entities = run(extractor, text, tokenizer)
    assert_well_formed(text, entities)
    return [entity["value"] for entity in entities]


def assert_well_formed(text: str, entities: list[dict[str, Any]]) -> None:
    """Canonical values once each, exact offsets in text order, the extractor's fields set."""
    previous_end = 0
    for entity in entities:
        assert entity["entity"] == "aspect"
        assert entity["value"] in ASPECTS
        assert 0 <= entity["start"] < entity["end"] <= len(text)
        assert entity["start"] >= previous_end
        # The span is the words that asked: it starts and ends on a letter or digit.
        span = text[entity["start"] : entity["end"]]
        assert span[0].isalnum() and (span[-1].isalnum() or unicodedata.category(span[-1]).startswith("M"))
        assert entity["extractor"] == "AspectExtractor"
        assert entity["confidence_entity"] == 1.0
        previous_end = entity["end"]
    assert len({entity["value"] for entity in entities}) == len(entities)


# --- Component contract --------------------------------------------------------------------


def test_component_metadata() -> None:
    assert AspectExtractor.supported_languages() == ["vi"]
    assert AspectExtractor.required_packages() == ["spacy"]
    assert AspectExtractor.get_default_config() == {
        "entity": "aspect",
        "aspects": None,
        "skip_entities": ["procedure"],
    }


def test_gazetteer_covers_every_aspect_and_nothing_else() -> None:
    assert set(GAZETTEER) == {*ASPECTS, None}
    assert all(GAZETTEER[aspect] for aspect in ASPECTS)


def test_gazetteer_is_the_lexicon_file_in_the_order_of_aspects() -> None:
    # The gazetteer is data (knowledge_base/lexicon/aspects.yml), read by path: the Rasa server
    # imports no knowledge_base code.
    patterns = lexicon.load("aspects")["patterns"]
    assert list(patterns) == [*ASPECTS, "blocking"]
    assert list(GAZETTEER) == [*ASPECTS, None]
    assert all(GAZETTEER[aspect] == tuple(patterns[aspect]) for aspect in ASPECTS)
    assert "tt" not in ASPECT_ABBREVIATIONS and ASPECT_ABBREVIATIONS["bnh"] == "bao nhieu"


def test_no_phrase_has_two_aspects() -> None:
    # After folding and expanding abbreviations, a phrase must mean one aspect (or be a blocker).
    labels: dict[tuple[str, ...], set[str | None]] = {}
    for phrase, aspect in gazetteer_phrases():
        labels.setdefault(tuple(phrase_syllables(phrase, ASPECT_ABBREVIATIONS)), set()).add(aspect)
    assert {phrase: found for phrase, found in labels.items() if len(found) > 1} == {}


def test_expand_pattern() -> None:
    assert expand_pattern("thanh toan [le] phi {online|qua mang}") == [
        "thanh toan le phi online",
        "thanh toan le phi qua mang",
        "thanh toan phi online",
        "thanh toan phi qua mang",
    ]
    assert expand_pattern("{a|<x>} b", {"x": "c|d e"}) == ["a b", "c b", "d e b"]
    assert expand_pattern("giay to") == ["giay to"]


# --- One aspect per phrase, with and without diacritics ------------------------------------

PHRASES = [
    ("cần giấy tờ gì", "documents"),
    ("hồ sơ gồm những gì", "documents"),
    ("thành phần hồ sơ", "documents"),
    ("cần mang theo gì", "documents"),
    ("mất bao lâu", "processing_time"),
    ("mấy ngày thì xong", "processing_time"),
    ("thời hạn giải quyết", "processing_time"),
    ("nộp hôm nay thì bao giờ có", "processing_time"),
    ("khi nào xong", "processing_time"),
    ("lệ phí", "fee"),
    ("phí bao nhiêu", "fee"),
    ("làm hộ chiếu hết bao nhiêu tiền", "fee"),
    ("có mất tiền không", "fee"),
    ("tốn bao nhiêu", "fee"),
    ("nộp hồ sơ ở đâu", "submission"),
    ("cơ quan nào giải quyết", "submission"),
    ("chỗ nào làm", "submission"),
    ("địa chỉ", "submission"),
    ("nộp trực tiếp được không", "submission"),
    ("gửi qua bưu điện", "submission"),
    ("làm online được không", "online"),
    ("nộp trực tuyến", "online"),
    ("qua mạng", "online"),
    ("trên cổng dịch vụ công", "online"),
    ("có toàn trình không", "online"),
    ("thanh toán thế nào", "payment"),
    ("chuyển khoản được không", "payment"),
    ("trả lệ phí qua ví điện tử được không", "payment"),
    ("trả tiền online", "payment"),
    ("các bước", "steps"),
    ("trình tự thực hiện", "steps"),
    ("quy trình", "steps"),
    ("cách làm", "steps"),
    ("mẫu đơn", "forms"),
    ("tờ khai", "forms"),
    ("biểu mẫu", "forms"),
    ("điều kiện", "conditions"),
    ("ai được làm", "conditions"),
    ("đối tượng", "conditions"),
    ("kết quả là gì", "result"),
    ("nhận được gì", "result"),
    ("được cấp giấy gì", "result"),
    ("căn cứ pháp lý", "legal_basis"),
    ("theo nghị định nào", "legal_basis"),
    ("luật nào quy định", "legal_basis"),
    ("văn bản pháp luật", "legal_basis"),
]


@pytest.mark.parametrize(("text", "aspect"), PHRASES)
def test_phrase_with_diacritics(
    extractor: AspectExtractor, tokenizer: VietnameseTokenizer, text: str, aspect: str
) -> None:
    assert aspects(extractor, text, tokenizer) == [aspect]


@pytest.mark.parametrize(("text", "aspect"), PHRASES)
def test_phrase_without_diacritics(
    extractor: AspectExtractor, tokenizer: VietnameseTokenizer, text: str, aspect: str
) -> None:
    assert aspects(extractor, fold(text), tokenizer) == [aspect]


def test_every_aspect_is_in_the_table() -> None:
    assert {aspect for _, aspect in PHRASES} == set(ASPECTS)


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("bn tiền", "fee"),
        ("lệ phí bnh", "fee"),
        ("tg giải quyết", "processing_time"),
        ("làm onl đc ko", "online"),
        ("tt online dc k", "payment"),
        ("ck được ko", "payment"),
        ("hs gồm j", "documents"),
        ("giấy tờ j", "documents"),
        ("lam ntn", "steps"),
    ],
)
def test_abbreviations(
    extractor: AspectExtractor, tokenizer: VietnameseTokenizer, text: str, aspect: str
) -> None:
    assert aspects(extractor, text, tokenizer) == [aspect]


# --- Overlaps, several aspects, duplicates -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "kết quả" alone is the result; asking when it comes is the processing time.
        ("bao giờ có kết quả", ["processing_time"]),
        ("khi nao nhan duoc ket qua", ["processing_time"]),
        ("kết quả là giấy gì", ["result"]),
        # Paying the fee online: how to pay, not how much nor whether the procedure is online.
        ("thanh toán lệ phí online", ["payment"]),
        ("thanh toán lệ phí online hết bao nhiêu", ["payment", "fee"]),
        # Submitting online is the online channel, not where to submit.
        ("nộp online", ["online"]),
        ("nộp hồ sơ trực tuyến ở đâu", ["online", "submission"]),
        ("nhận kết quả ở đâu", ["submission"]),
        ("mất bao nhiêu", ["fee"]),
        ("mất bao nhiêu ngày", ["processing_time"]),
        ("cần giấy gì", ["documents"]),
        # "tt" is "thủ tục" unless it is about paying.
        ("tt đăng ký kết hôn", []),
    ],
)
def test_overlaps_resolve_to_the_longest_phrase(
    extractor: AspectExtractor, tokenizer: VietnameseTokenizer, text: str, expected: list[str]
) -> None:
    assert aspects(extractor, text, tokenizer) == expected


def test_several_aspects_in_one_message(extractor: AspectExtractor, tokenizer: VietnameseTokenizer) -> None:
    for text in ["cần giấy tờ gì, mất bao lâu, bao nhiêu tiền", "can giay to gi, mat bao lau, bn tien"]:
        entities = run(extractor, text, tokenizer)
        assert_well_formed(text, entities)
        assert [entity["value"] for entity in entities] == ["documents", "processing_time", "fee"]
        spans = [fold(text[entity["start"] : entity["end"]]) for entity in entities]
        assert spans == ["giay to", "bao lau", "bao nhieu tien" if "nhiêu" in text else "bn tien"]


def test_each_aspect_once_at_its_first_occurrence(
    extractor: AspectExtractor, tokenizer: VietnameseTokenizer
) -> None:
    text = "phí bao nhiêu, lệ phí có đắt không, mất bao lâu"
    entities = run(extractor, text, tokenizer)
    assert [entity["value"] for entity in entities] == ["fee", "processing_time"]
    assert entities[0]["start"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "chào bạn",
        "hôm nay thời tiết thế nào",
        "hồ sơ 000.00.12.H37-251012-0001 tới đâu rồi",
        "thời gian làm việc của ubnd",
        "chuyển mục đích sử dụng đất phi nông nghiệp",
        "đăng ký khai sinh",
        "",
    ],
)
def test_no_aspect(extractor: AspectExtractor, tokenizer: VietnameseTokenizer, text: str) -> None:
    assert run(extractor, text, tokenizer) == []


def test_decomposed_and_untokenized_text(extractor: AspectExtractor, tokenizer: VietnameseTokenizer) -> None:
    text = unicodedata.normalize("NFD", "Lệ phí bao nhiêu, nộp ở đâu?")
    tokenized = run(extractor, text, tokenizer)
    assert_well_formed(text, tokenized)
    assert [entity["value"] for entity in tokenized] == ["fee", "submission"]
    assert run(extractor, text) == tokenized


# --- Configuration and the rest of the pipeline --------------------------------------------


def test_config_limits_the_aspects(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, tokenizer: VietnameseTokenizer
) -> None:
    only_fees = make_extractor(model_storage, execution_context, aspects=["fee"])
    assert aspects(only_fees, "cần giấy tờ gì, bao nhiêu tiền", tokenizer) == ["fee"]
    with pytest.raises(ValueError, match="fees"):
        make_extractor(model_storage, execution_context, aspects=["fees"])


def test_created_and_loaded_components_agree(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    extractor: AspectExtractor,
    tokenizer: VietnameseTokenizer,
) -> None:
    created = make_extractor(model_storage, execution_context)
    text = "đăng ký kết hôn cần giấy tờ gì, nộp online được không"
    assert run(created, text, tokenizer) == run(extractor, text, tokenizer)


@pytest.fixture(scope="module")
def procedure_matcher(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> ProcedureMatcher:
    config = ProcedureMatcher.get_default_config()
    matcher = ProcedureMatcher.create(config, model_storage, Resource("procedure_matcher"), execution_context)
    matcher.train(TrainingData())
    return matcher


def pipeline(text: str, *components: Any) -> list[tuple[str, str, str]]:
    """(entity, value, span) of each entity after running `components` in order."""
    message = Message.build(text=text)
    for component in components:
        component.process([message])
    return [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in message.get(ENTITIES)]


def test_runs_beside_the_procedure_matcher(
    extractor: AspectExtractor, procedure_matcher: ProcedureMatcher, tokenizer: VietnameseTokenizer
) -> None:
    assert pipeline("làm cccd cần giấy tờ gì, mất bao lâu?", tokenizer, procedure_matcher, extractor) == [
        ("procedure", "cccd", "cccd"),
        ("aspect", "documents", "giấy tờ"),
        ("aspect", "processing_time", "bao lâu"),
    ]


def test_words_of_a_procedure_name_ask_nothing(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    extractor: AspectExtractor,
    procedure_matcher: ProcedureMatcher,
    tokenizer: VietnameseTokenizer,
) -> None:
    # "lệ phí" is part of the procedure's name here, not a question about the fee.
    text = "thủ tục khai lệ phí trước bạ nhà đất"
    assert pipeline(text, tokenizer, procedure_matcher, extractor) == [
        ("procedure", "khai lệ phí trước bạ", "khai lệ phí trước bạ")
    ]
    # A question beside the name still counts.
    assert ("aspect", "fee", "tốn bao nhiêu") in pipeline(
        text + " tốn bao nhiêu", tokenizer, procedure_matcher, extractor
    )
    # Without skipping (or without the matcher in front), the name's words count.
    everything = make_extractor(model_storage, execution_context, skip_entities=[])
    assert ("aspect", "fee", "lệ phí") in pipeline(text, tokenizer, procedure_matcher, everything)
    assert ("aspect", "fee", "lệ phí") in pipeline(text, tokenizer, extractor)
