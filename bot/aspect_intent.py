"""Settle the intent of a question that asks several aspects at once.

"Cấp giấy phép lái xe quốc tế nộp ở đâu, mất bao lâu?" asks where to submit first and the time second;
DIET, which sees a bag of words, picks either. The convention (docs/conversation.md) is that such a
question is labelled by its first aspect, and the answering action answers the intent's aspect first
and then every other aspect `AspectExtractor` found. When the extractor found two or more aspects and
the classifier chose a procedure question, this component makes the intent the first aspect's, so the
label and the order of the answer follow what the citizen wrote.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.aspects import ASPECTS
from vntext import fold, nfc

# What separates two questions in one message: punctuation or a joining word. Typed with diacritics
# "còn" (and what about) differs from "con" (child, as in "nuôi con nuôi"), so accented text is
# matched as typed and only text typed without diacritics in its folded form.
_LIST_SEPARATOR_RE = re.compile(r"[,;?]|\b(?:và|với|còn|rồi|thêm|cũng như)\b")
_FOLDED_SEPARATOR_RE = re.compile(r"[,;?]|\b(?:va|voi|con|roi|them|cung nhu)\b")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AspectIntentResolver(GraphComponent, IntentClassifier):
    """Make a multi-aspect procedure question's intent that of its first aspect."""

    @classmethod
    def required_components(cls) -> list[type]:
        """An intent classifier must run first."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's defaults."""
        return {
            # The entity type of the aspects (bot.aspects.AspectExtractor).
            "entity": "aspect",
            # Intents this component may replace: the procedure questions.
            "procedure_intents": [*(f"ask_{aspect}" for aspect in ASPECTS), "ask_procedure"],
            # How many distinct aspects a message must ask before its first one decides.
            "min_aspects": 2,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the configuration."""
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AspectIntentResolver:
        """Create the component (nothing to train)."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: list[Message]) -> list[Message]:
        """Re-label multi-aspect procedure questions by their first aspect."""
        allowed = set(self._config["procedure_intents"])
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) not in allowed:
                continue
            aspects = sorted(
                (
                    e
                    for e in message.get(ENTITIES) or []
                    if e.get(ENTITY_ATTRIBUTE_TYPE) == self._config["entity"]
                ),
                key=lambda e: e.get(ENTITY_ATTRIBUTE_START, 0),
            )
            values = list(dict.fromkeys(str(e.get(ENTITY_ATTRIBUTE_VALUE)) for e in aspects))
            if len(values) < int(self._config["min_aspects"]):
                continue
            # Only a list of questions ("nộp ở đâu, mất bao lâu") is led by its first aspect; in one
            # question the first aspect word may be its object ("lệ phí ... thanh toán online được không").
            second = next(e for e in aspects if str(e.get(ENTITY_ATTRIBUTE_VALUE)) == values[1])
            text = str(message.get(TEXT) or "")
            between = text[aspects[0].get(ENTITY_ATTRIBUTE_END, 0) : second.get(ENTITY_ATTRIBUTE_START, 0)]
            if fold(text) != text.lower():
                found = _LIST_SEPARATOR_RE.search(nfc(between).lower())
            else:
                found = _FOLDED_SEPARATOR_RE.search(fold(between))
            if not found:
                continue
            first = f"ask_{values[0]}"
            if first not in allowed or first == intent.get(INTENT_NAME_KEY):
                continue
            # Swap the two intents' confidences: the ranking stays a ranking (the FallbackClassifier
            # compares its top two), and nothing is invented.
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or []]
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY, 0.0))
            other = next((r for r in ranking if r.get(INTENT_NAME_KEY) == first), None)
            for item in ranking:
                if item.get(INTENT_NAME_KEY) == intent.get(INTENT_NAME_KEY):
                    item[PREDICTED_CONFIDENCE_KEY] = other[PREDICTED_CONFIDENCE_KEY] if other else 0.0
            ranking = [r for r in ranking if r.get(INTENT_NAME_KEY) != first]
            ranking.sort(key=lambda r: -float(r.get(PREDICTED_CONFIDENCE_KEY, 0.0)))
            message.set(
                INTENT, {INTENT_NAME_KEY: first, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True
            )
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: first, PREDICTED_CONFIDENCE_KEY: confidence}, *ranking],
                add_to_output=True,
            )
        return messages
