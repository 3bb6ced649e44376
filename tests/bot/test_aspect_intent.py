"""AspectIntentResolver: a multi-aspect procedure question takes the intent of its first aspect."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.aspect_intent import AspectIntentResolver
from bot.aspects import AspectExtractor
from bot.tokenizer import VietnameseTokenizer


@pytest.fixture(scope="module")
def pipeline(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, tokenizer: VietnameseTokenizer
) -> Any:
    aspects = AspectExtractor.create(
        AspectExtractor.get_default_config(), model_storage, Resource("aspects"), execution_context
    )
    resolver = AspectIntentResolver.create({}, model_storage, Resource("resolver"), execution_context)

    def run(text: str, intent: str) -> Message:
        message = Message({TEXT: text})
        tokenizer.process([message])
        aspects.process([message])
        message.set(INTENT, {"name": intent, "confidence": 0.8})
        message.set(
            INTENT_RANKING_KEY,
            [{"name": intent, "confidence": 0.8}, {"name": "ask_submission", "confidence": 0.1}],
        )
        resolver.process([message])
        return message

    return run


@pytest.mark.parametrize(
    ("text", "predicted", "expected"),
    [
        ("cấp giấy phép lái xe quốc tế nộp ở đâu, mất bao lâu", "ask_processing_time", "ask_submission"),
        ("dang ky ket hon can giay to gi, mat bao lau, bao nhieu tien", "ask_fee", "ask_documents"),
        ("làm hộ chiếu mất bao lâu, có làm online được không", "ask_online", "ask_processing_time"),
        ("lam ho chieu mat bao lau con le phi bao nhieu", "ask_fee", "ask_processing_time"),
    ],
)
def test_first_aspect_decides(pipeline: Any, text: str, predicted: str, expected: str) -> None:
    message = pipeline(text, predicted)
    assert message.get(INTENT)["name"] == expected
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": expected, "confidence": 0.8}
    assert ranking[1]["confidence"] < 0.8, "the replaced intent must not tie (FallbackClassifier ambiguity)"
    assert len({e["value"] for e in message.get(ENTITIES) if e["entity"] == "aspect"}) >= 2


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("đăng ký khai sinh mất bao lâu", "ask_processing_time"),  # one aspect: the classifier decides
        ("cảm ơn, mất bao lâu với bao nhiêu tiền thì tôi biết rồi", "thank"),  # not a procedure question
    ],
)
def test_other_messages_are_left_alone(pipeline: Any, text: str, predicted: str) -> None:
    assert pipeline(text, predicted).get(INTENT)["name"] == predicted


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        # One question whose first aspect word is its object: the classifier decides.
        ("lệ phí làm hộ chiếu có thanh toán online được không", "ask_payment"),
        ("lệ phí đăng ký kết hôn quy định ở thông tư nào", "ask_legal_basis"),
        # "con" (child) inside a procedure name is not "còn" (and what about).
        ("lệ phí đăng ký việc nuôi con nuôi trả qua ví điện tử được không", "ask_payment"),
    ],
)
def test_one_question_with_two_aspect_words_is_left_alone(pipeline: Any, text: str, predicted: str) -> None:
    assert pipeline(text, predicted).get(INTENT)["name"] == predicted
