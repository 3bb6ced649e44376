"""Which aspects of a procedure a citizen asks about: the `aspect` entity, from a folded gazetteer.

One message often asks several things at once ("cần giấy tờ gì, mất bao lâu, bao nhiêu tiền"),
which one intent cannot say; `AspectExtractor` adds one `aspect` entity per aspect asked, with a
canonical value (`ASPECTS`) and the exact span of the words that asked it. The actions answer each.

The gazetteer (`GAZETTEER`) is data, `knowledge_base/lexicon/aspects.yml` (read by path through
`vntext.lexicon`: this package never imports the knowledge base). It is written folded (no
diacritics) and matched like procedure names in
`bot.procedure_matcher`: on canonical syllables of the tokens, so text with or without diacritics,
in any word segmentation, matches alike; abbreviations are expanded on both sides ("bn" -> "bao
nhieu", "ko"/"k" -> "khong", "tg" -> "thoi gian", "onl" -> "online", "ck" -> "chuyen khoan").
Patterns use two shorthands: "{a|b}" for alternatives and "[a]" for an optional part.

Overlaps are settled by the longest phrase, which is how the gazetteer encodes the cases where a
word means something else next to its neighbours:

- "bao giờ có kết quả", "khi nào nhận kết quả" ask the processing time, not the result document
  ("kết quả" alone is `result`); "nhận kết quả ở đâu" asks where (`submission`).
- "nộp online", "nộp hồ sơ trực tuyến" ask `online`, not `submission` ("nộp" alone asks nothing;
  "nộp ở đâu", "nộp trực tiếp", "qua bưu điện" are `submission`).
- "thanh toán lệ phí online", "trả phí qua ví điện tử" are `payment` only: the fee there is the
  thing being paid and "online" the means of paying, so the citizen asks how to pay, not how much
  nor whether the procedure is online. A fee question elsewhere in the message ("hết bao nhiêu")
  still adds `fee`.
- "mất bao nhiêu" alone is `fee`, "mất bao nhiêu ngày / thời gian" `processing_time`;
  "cần giấy gì" is `documents`, "được nhận giấy gì" `result`.
- "tt" is "thủ tục" to the rest of the bot (`vntext.abbreviations`); here it counts as "thanh
  toán" only next to a means of paying ("tt online", "tt chuyển khoản", "tt lệ phí").

Blocking phrases (label None) keep common compounds from asking anything: "thời gian làm việc"
(office hours), "đất phi nông nghiệp", "thay đổi địa chỉ".

Words inside a procedure name that `bot.procedure_matcher.ProcedureMatcher` found earlier in the
pipeline ask nothing ("cấp bản sao giấy khai sinh" is not a question about copies, "khai lệ phí
trước bạ" not one about the fee); see the `skip_entities` setting.

Each aspect is reported once, at its first occurrence, in text order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
)
from rasa.shared.nlu.training_data.message import Message

from bot.procedure_matcher import FoldedPhraseMatcher, entity
from vntext import lexicon
from vntext.abbreviations import ABBREVIATIONS

ASPECTS: tuple[str, ...] = (
    "documents",
    "processing_time",
    "fee",
    "submission",
    "online",
    "payment",
    "steps",
    "forms",
    "conditions",
    "result",
    "legal_basis",
)

_LEXICON = lexicon.load("aspects")

# Shorthand citizens type for these questions, on top of vntext's (aspects.yml `shorthand`). "tt" is
# left out on purpose (see the module docstring): it is matched as written, in the payment phrases.
ASPECT_ABBREVIATIONS: dict[str, str] = {
    **{key: value for key, value in ABBREVIATIONS.items() if key not in _LEXICON["shorthand"]["leave_out"]},
    **_LEXICON["shorthand"]["add"],
}

# Alternatives used by several patterns, written "<name>" inside "{...}".
MACROS: dict[str, str] = {name: "|".join(alternatives) for name, alternatives in _LEXICON["macros"].items()}

# Canonical aspect (None: blocking phrase) -> folded patterns.
GAZETTEER: dict[str | None, tuple[str, ...]] = {
    (None if aspect == "blocking" else aspect): tuple(patterns)
    for aspect, patterns in _LEXICON["patterns"].items()
}

_CHOICE_RE = re.compile(r"\{([^{}]*)\}|\[([^\[\]]*)\]")
_MACRO_RE = re.compile(r"<(\w+)>")


def expand_pattern(pattern: str, macros: Mapping[str, str] = MACROS) -> list[str]:
    """The phrases a gazetteer pattern stands for ("[le] phi {online|qua mang}" gives four).

    Args:
        pattern: Words with "{a|b}" alternatives and "[a]" optional parts (not nested); "<name>"
            inside braces stands for the alternatives `macros[name]`.
        macros: Named alternatives.

    Returns:
        Every phrase, with whitespace collapsed.
    """
    literals = _CHOICE_RE.split(_MACRO_RE.sub(lambda match: macros[match.group(1)], pattern))
    # re.split with two groups yields: literal, alternatives-or-None, optional-or-None, literal, ...
    parts: list[list[str]] = []
    for index in range(0, len(literals), 3):
        parts.append([literals[index]])
        if index + 1 < len(literals):
            alternatives, optional = literals[index + 1], literals[index + 2]
            parts.append(alternatives.split("|") if alternatives is not None else [optional, ""])
    return [" ".join("".join(choice).split()) for choice in itertools.product(*parts)]


def gazetteer_phrases(
    gazetteer: Mapping[str | None, tuple[str, ...]] = GAZETTEER,
) -> list[tuple[str, str | None]]:
    """(phrase, aspect) pairs of a gazetteer, patterns expanded."""
    return [
        (phrase, aspect)
        for aspect, patterns in gazetteer.items()
        for pattern in patterns
        for phrase in expand_pattern(pattern)
        if phrase
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class AspectExtractor(GraphComponent, EntityExtractorMixin):
    """Finds the aspects of a procedure a message asks about (entity `aspect`, values `ASPECTS`)."""

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Supported languages (see parent class for full docstring)."""
        return ["vi"]

    @staticmethod
    def required_packages() -> list[str]:
        """Any extra python dependencies required for this component to run."""
        return ["spacy"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config (see parent class for full docstring)."""
        return {
            # Entity type of the matches.
            "entity": "aspect",
            # Aspects to report, a subset of bot.aspects.ASPECTS; None reports them all.
            "aspects": None,
            # Entities found earlier in the pipeline whose words ask nothing: a procedure's name
            # ("cấp bản sao giấy khai sinh", "khai lệ phí trước bạ") names it, it does not ask
            # for documents or fees. So ProcedureMatcher goes before this component.
            "skip_entities": ["procedure"],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Creates the component; its matcher is built on first use (that imports spaCy)."""
        self._config = {**self.get_default_config(), **config}
        self._entity = str(self._config["entity"])
        wanted = self._config["aspects"]
        unknown = set(wanted or ()) - set(ASPECTS)
        if unknown:
            raise ValueError(f"Unknown aspects in the config of {self.name}: {sorted(unknown)}")
        self._aspects = frozenset(wanted or ASPECTS)
        self._skip_entities = frozenset(self._config["skip_entities"] or ())
        self._matcher: FoldedPhraseMatcher | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AspectExtractor:
        """Creates a new component (see parent class for full docstring)."""
        return cls(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AspectExtractor:
        """Loads the component (nothing is persisted) and builds its matcher now."""
        component = cls(config)
        _ = component.matcher
        return component

    @property
    def matcher(self) -> FoldedPhraseMatcher:
        """The gazetteer's matcher, built on first use."""
        if self._matcher is None:
            self._matcher = FoldedPhraseMatcher(gazetteer_phrases(), ASPECT_ABBREVIATIONS)
        return self._matcher

    def aspects(self, message: Message) -> list[dict[str, Any]]:
        """The `aspect` entities of a message: one per aspect, at its first occurrence."""
        skipped = [
            (item[ENTITY_ATTRIBUTE_START], item[ENTITY_ATTRIBUTE_END])
            for item in message.get(ENTITIES, [])
            if item.get(ENTITY_ATTRIBUTE_TYPE) in self._skip_entities
        ]
        found: list[dict[str, Any]] = []
        for match in self.matcher.find(message):
            if match.label not in self._aspects or any(item["value"] == match.label for item in found):
                continue
            if any(match.start < end and start < match.end for start, end in skipped):
                continue
            found.append(entity(self._entity, match.label, match.start, match.end, self.name))
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the aspects asked in each message (see parent class for full docstring)."""
        for message in messages:
            message.set(ENTITIES, message.get(ENTITIES, []) + self.aspects(message), add_to_output=True)
        return messages
