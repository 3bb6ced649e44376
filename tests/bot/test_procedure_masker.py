"""ProcedureMasker: the classifier sees a placeholder where a procedure name was, in training and use."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.procedure_masker import ProcedureMasker
from bot.tokenizer import VietnameseTokenizer

PLACEHOLDER = ProcedureMasker.get_default_config()["placeholder"]


@pytest.fixture(scope="module")
def masker(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> ProcedureMasker:
    """Trained on the shipped phrases, then loaded back from the model storage as the server does."""
    config = ProcedureMasker.get_default_config()
    ProcedureMasker.create(config, model_storage, Resource("masker"), execution_context).train(TrainingData())
    return ProcedureMasker.load(config, model_storage, Resource("masker"), execution_context)


def _lemmas(tokenizer: VietnameseTokenizer, masker: ProcedureMasker, text: str) -> list[tuple[str, str]]:
    message = Message({TEXT: text})
    tokenizer.process([message])
    masker.process([message])
    assert not message.get(ENTITIES), "the masker adds no entities"
    return [(token.text, token.lemma) for token in message.get(TOKENS_NAMES[TEXT])]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("đăng ký khai sinh cần giấy tờ gì", "giấy tờ"),
        ("dang ky khai sinh can giay to gi", "giay to"),
        ("làm cccd hết bao nhiêu tiền", "tiền"),
    ],
)
def test_name_tokens_are_masked_and_question_words_kept(tokenizer, masker, text: str, question: str) -> None:
    lemmas = _lemmas(tokenizer, masker, text)
    assert PLACEHOLDER in [lemma for _, lemma in lemmas]
    kept = " ".join(token for token, lemma in lemmas if lemma != PLACEHOLDER)
    assert question in kept


def test_a_question_without_a_name_is_unchanged(tokenizer, masker) -> None:
    assert PLACEHOLDER not in [lemma for _, lemma in _lemmas(tokenizer, masker, "cần giấy tờ gì vậy?")]


def test_training_examples_are_masked_like_messages(tokenizer, masker) -> None:
    example = Message({TEXT: "đăng ký kết hôn mất bao lâu", INTENT: "ask_processing_time"})
    data = TrainingData([example])
    tokenizer.process_training_data(data)
    masker.process_training_data(data)
    trained = [token.lemma for token in example.get(TOKENS_NAMES[TEXT])]
    assert trained == [lemma for _, lemma in _lemmas(tokenizer, masker, "đăng ký kết hôn mất bao lâu")]
    assert PLACEHOLDER in trained
