"""Hide procedure names from the intent classifier.

"Khai lệ phí trước bạ cần giấy tờ gì?" asks for documents, but "lệ phí" inside the name pulls the
classifier towards `ask_fee`; with ~100 procedure names in the training data and 2,642 in the base,
the classifier should learn how questions are asked, not which names occur with which aspect. This
featurizer-stage component replaces the lemma of every token inside a procedure name (found with the
same phrases and matcher as `ProcedureMatcher`) by one placeholder, in training and at run time alike,
so the count-vector features see "<tên thủ tục> cần giấy tờ gì".

It must come after the components that read the original lemmas (`ProcedureMatcher`,
`AspectExtractor`) and before the featurizers.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.procedure_matcher import ProcedureMatcher


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class ProcedureMasker(ProcedureMatcher):
    """Replace the lemmas of procedure-name tokens by a placeholder before featurization."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The matcher's settings plus the placeholder."""
        return {
            **ProcedureMatcher.get_default_config(),
            # The lemma every token of a procedure name gets (one word, unlike any real lemma).
            "placeholder": "tenthutuc",
        }

    def _mask(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens or not message.get(TEXT):
            return
        spans = [(match.start, match.end) for match in self.matcher.find(message)]
        if not spans:
            return
        placeholder = str(self._config["placeholder"])
        for token in tokens:
            if any(token.start < end and start < token.end for start, end in spans):
                token.lemma = placeholder

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Mask the training examples as messages will be masked at run time."""
        for message in training_data.training_examples:
            self._mask(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Mask each message's procedure-name tokens (adds no entities)."""
        for message in messages:
            self._mask(message)
        return messages
