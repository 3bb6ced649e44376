"""Procedure names in a citizen's message, found with a spaCy PhraseMatcher over folded syllables.

`ProcedureMatcher` adds a `procedure` entity for every name or alias of an administrative procedure
it finds ("làm cccd", "dang ky khai sinh", "Cấp hộ chiếu phổ thông"); its value is the text as the
citizen typed it, and the knowledge base's search (behind the actions) turns it into procedure
codes. The phrases come from `bot/data/procedure_phrases.txt`, generated from the knowledge base's
seed by `scripts/make_procedure_phrases.py` (this package never imports the knowledge base), read
at training time and stored in the trained model.

Matching works on syllables, not on the tokenizer's words, because word segmentation is unreliable
exactly where matching matters: underthesea segments text typed without diacritics badly, and a
phrase must match whether "khai sinh" came out as one token, two, or glued to a neighbour. So each
token is split into its syllables (letter/digit runs of its text, each with exact character
offsets), and every syllable gets one canonical spelling used on both sides:

- folded (no diacritics, lower case, đ -> d), from the token's lemma where it has one per syllable
  (the tokenizer's lemma carries underthesea's respellings such as "qui" -> "quy");
- abbreviations expanded ("cccd" -> "can cuoc cong dan", "dk" -> "dang ky"; `vntext.abbreviations`):
  the expanded syllables all point at the abbreviation's characters, and a match may not start or
  end inside an expansion;
- a final "y" after a consonant written as "i" ("ký"/"kí", "quy"/"qui", "lý"/"lí" are spelled both
  ways by citizens and by official texts alike).

Overlaps are resolved longest first (in syllables), then leftmost, so "đăng ký khai sinh" is one
entity, not "khai sinh" inside it. `FoldedPhraseMatcher` and `message_syllables` are public because
`bot.aspects` matches its gazetteer the same way.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE, TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from vntext import fold
from vntext.abbreviations import ABBREVIATIONS

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher

logger = logging.getLogger(__name__)

DEFAULT_PHRASES_PATH = Path(__file__).resolve().parent / "data" / "procedure_phrases.txt"

# A syllable: a run of letters and digits, with the combining marks of text typed in decomposed
# form (NFD) kept inside it.
_SYLLABLE_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
# A syllable ending in "y" right after its initial consonant(s): "ky", "ly", "quy", "my", "ty".
_FINAL_Y_RE = re.compile(r"^(?:ngh|ch|gh|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])y$")
# Stands for every syllable no phrase contains, so that unknown words never grow the spaCy vocabulary
# of a long-running server.
_UNKNOWN = "_"


class Syllable(NamedTuple):
    """One canonical syllable of a message, located in the original text."""

    word: str
    start: int
    end: int
    # Whether a match may start / end here: not inside an expanded abbreviation.
    can_start: bool
    can_end: bool


class PhraseMatch(NamedTuple):
    """A phrase found in a message, as character offsets into the message text."""

    label: str
    start: int
    end: int


@functools.lru_cache(maxsize=8192)
def canonical_syllable(folded: str) -> str:
    """Spell one folded syllable the one way both sides use ("ky" -> "ki", "quy" -> "qui")."""
    word = "".join(char for char in folded if not unicodedata.category(char).startswith("M"))
    if _FINAL_Y_RE.match(word):
        return word[:-1] + "i"
    return word


def _expand(words: Iterable[str], abbreviations: Mapping[str, str]) -> list[list[str]]:
    """Each folded word as the list of canonical syllables it stands for."""
    return [
        [canonical_syllable(part) for part in abbreviations.get(word, word).split()] or [word]
        for word in words
    ]


def phrase_syllables(phrase: str, abbreviations: Mapping[str, str] = ABBREVIATIONS) -> list[str]:
    """The canonical syllables of a phrase ("Đăng kí CCCD" -> dang ki can cuoc cong dan)."""
    words = [fold(match.group()) for match in _SYLLABLE_RE.finditer(phrase)]
    return [syllable for group in _expand(words, abbreviations) for syllable in group]


def _token_syllables(token: Token) -> list[tuple[str, int, int]]:
    """The folded syllables of a token with their offsets in the message."""
    pieces = list(_SYLLABLE_RE.finditer(token.text))
    lemma = token.get("lemma") or token.lemma or ""
    lemma_pieces = _SYLLABLE_RE.findall(fold(lemma)) if isinstance(lemma, str) else []
    # The lemma may carry underthesea's respelling ("qui" -> "quy"); use it when it lines up with the
    # surface syllables, else fold the surface.
    words = lemma_pieces if len(lemma_pieces) == len(pieces) else [fold(piece.group()) for piece in pieces]
    return [
        (word, token.start + piece.start(), token.start + piece.end())
        for word, piece in zip(words, pieces, strict=True)
    ]


def message_syllables(message: Message, abbreviations: Mapping[str, str] = ABBREVIATIONS) -> list[Syllable]:
    """The canonical syllables of a message's text, from its tokens (or its text if untokenized).

    Args:
        message: A message, normally tokenized by `bot.tokenizer.VietnameseTokenizer`.
        abbreviations: Folded abbreviations and what they stand for.

    Returns:
        The syllables in text order; an expanded abbreviation gives several syllables that all
        span the abbreviation's characters.
    """
    text = message.get(TEXT)
    if not isinstance(text, str) or not text:
        return []
    tokens: list[Token] | None = message.get(TOKENS_NAMES[TEXT])
    if tokens:
        located = [syllable for token in tokens for syllable in _token_syllables(token)]
    else:
        located = [(fold(match.group()), match.start(), match.end()) for match in _SYLLABLE_RE.finditer(text)]

    syllables: list[Syllable] = []
    groups = _expand((word for word, _, _ in located), abbreviations)
    for (_, start, end), group in zip(located, groups, strict=True):
        last = len(group) - 1
        syllables.extend(
            Syllable(word, start, end, can_start=index == 0, can_end=index == last)
            for index, word in enumerate(group)
        )
    return syllables


def _spacy() -> tuple[Any, Any, Any]:
    """spaCy's Doc, Vocab and PhraseMatcher, imported on first use.

    Importing spaCy takes seconds (it pulls in thinc and, here, TensorFlow), so it happens when a
    matcher is built, not when Rasa imports this module.
    """
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    return Doc, Vocab, PhraseMatcher


class FoldedPhraseMatcher:
    """Finds labelled phrases in messages: canonical syllables, spaCy PhraseMatcher, longest first.

    Phrases labelled None block: they are matched like the others and win overlaps like the others,
    but produce nothing (so "phí nông nghiệp" keeps "phí" from meaning a fee).
    """

    def __init__(
        self,
        phrases: Iterable[tuple[str, str | None]],
        abbreviations: Mapping[str, str] = ABBREVIATIONS,
    ) -> None:
        """Build the matcher.

        Args:
            phrases: (phrase, label) pairs; phrases in any spelling (they are canonicalised here).
            abbreviations: Folded abbreviations expanded on both sides.
        """
        doc_class, vocab_class, matcher_class = _spacy()
        self._doc_class = doc_class
        self._abbreviations = abbreviations
        self._vocab = vocab_class()
        self._matcher: PhraseMatcher = matcher_class(self._vocab)
        self._known: set[str] = set()
        # Label per spaCy match key; the blocking label None gets a key of its own.
        self._labels: dict[int, str | None] = {}

        by_label: dict[str | None, dict[tuple[str, ...], None]] = {}
        for phrase, label in phrases:
            syllables = tuple(phrase_syllables(phrase, abbreviations))
            if syllables:
                by_label.setdefault(label, {})[syllables] = None
        for label, patterns in by_label.items():
            key = "\x00blocked" if label is None else label
            self._labels[self._vocab.strings.add(key)] = label
            self._known.update(word for pattern in patterns for word in pattern)
            self._matcher.add(key, [doc_class(self._vocab, words=list(pattern)) for pattern in patterns])
        self.size = sum(len(patterns) for patterns in by_label.values())

    def find_in_syllables(self, syllables: Sequence[Syllable]) -> list[tuple[str | None, int, int]]:
        """Non-overlapping matches as (label, first syllable, end syllable), longest first won.

        Args:
            syllables: A message's syllables (`message_syllables`).

        Returns:
            The matches in text order, blocking ones (label None) included.
        """
        if not syllables or not self.size:
            return []
        words = [syllable.word if syllable.word in self._known else _UNKNOWN for syllable in syllables]
        doc = self._doc_class(self._vocab, words=words)
        candidates = [
            (start, end, self._labels[key])
            for key, start, end in self._matcher(doc)
            if syllables[start].can_start and syllables[end - 1].can_end
        ]
        # Longest first, then leftmost; on the very same span a blocking phrase wins, then labels
        # in alphabetical order (so the outcome never depends on spaCy's order of matches).
        candidates.sort(
            key=lambda match: (match[0] - match[1], match[0], match[2] is not None, match[2] or "")
        )
        taken = [False] * len(syllables)
        chosen: list[tuple[str | None, int, int]] = []
        for start, end, label in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            chosen.append((label, start, end))
        chosen.sort(key=lambda match: match[1])
        return chosen

    def find(self, message: Message) -> list[PhraseMatch]:
        """The labelled phrases of a message as character spans, in text order (blocked ones left out)."""
        syllables = message_syllables(message, self._abbreviations)
        return [
            PhraseMatch(label, syllables[start].start, syllables[end - 1].end)
            for label, start, end in self.find_in_syllables(syllables)
            if label is not None
        ]


def entity(entity_type: str, value: str, start: int, end: int, extractor: str) -> dict[str, Any]:
    """A Rasa entity found by a rule: exact offsets, full confidence, the extractor's name."""
    return {
        ENTITY_ATTRIBUTE_TYPE: entity_type,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
        EXTRACTOR: extractor,
    }


def read_phrases(path: Path) -> list[str]:
    """The phrases of a phrase file: one per line, blank lines and "#" comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _phrases_path(config: Mapping[str, Any]) -> Path:
    configured = config.get("phrases_path")
    return Path(configured) if configured else DEFAULT_PHRASES_PATH


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class ProcedureMatcher(GraphComponent, EntityExtractorMixin):
    """Finds names and aliases of administrative procedures (entity `procedure`)."""

    PHRASES_FILE_NAME = "procedure_phrases.txt"

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
            # File of folded phrases, one per line, read at training time; None means the one
            # shipped with this package (bot/data/procedure_phrases.txt, written by
            # scripts/make_procedure_phrases.py). A relative path is taken from the directory
            # Rasa runs in.
            "phrases_path": None,
            # Also take the elements of a lookup table of the training data named like the
            # entity ("procedure"), for names that only the NLU data knows.
            "use_lookup_tables": True,
            # Expand abbreviations (vntext.abbreviations: "cccd", "dk", "gplx" ...) in phrases
            # and messages alike, so "làm cccd" meets "căn cước công dân".
            "expand_abbreviations": True,
            # Entity type of the matches.
            "entity": "procedure",
            # Folded phrases that must not be read as a procedure although one is inside them:
            # words that fold like an alias ("hồ sơ đó" holds "so do" = "sổ đỏ", "hồ sơ hông"
            # holds "so hong" = "sổ hồng"). The longest phrase wins, so these block the alias.
            "blocking_phrases": ["ho so do", "ho so hong"],
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The phrase file's hash: Rasa retrains the component when the file changes."""
        path = _phrases_path({**cls.get_default_config(), **config})
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        phrases: list[str] | None = None,
    ) -> None:
        """Creates the component; `phrases` are the folded phrases it matches (none before training)."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._entity = str(self._config["entity"])
        self._abbreviations: Mapping[str, str] = ABBREVIATIONS if self._config["expand_abbreviations"] else {}
        self.phrases: list[str] = phrases or []
        self._matcher: FoldedPhraseMatcher | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ProcedureMatcher:
        """Creates a new untrained component (see parent class for full docstring)."""
        return cls(config, model_storage, resource)

    @property
    def matcher(self) -> FoldedPhraseMatcher:
        """The phrase matcher, built on first use (building imports spaCy)."""
        if self._matcher is None:
            phrases: list[tuple[str, str | None]] = [(phrase, self._entity) for phrase in self.phrases]
            phrases.extend((phrase, None) for phrase in self._config["blocking_phrases"] or ())
            self._matcher = FoldedPhraseMatcher(phrases, self._abbreviations)
        return self._matcher

    def train(self, training_data: TrainingData) -> Resource:
        """Reads the phrases (file and lookup table), persists them and builds the matcher."""
        phrases = read_phrases(_phrases_path(self._config))
        if self._config["use_lookup_tables"]:
            for table in training_data.lookup_tables:
                elements = table.get("elements")
                if table.get("name") == self._entity and isinstance(elements, list):
                    phrases.extend(str(element) for element in elements)
        # One entry per distinct spelling, in a stable order (the model's content must not depend
        # on set iteration order).
        self.phrases = sorted(set(phrases))
        self._matcher = None
        if not self.phrases:
            logger.warning(f"{self.name} has no phrases to match: it will find no {self._entity}.")
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Stores the phrases in the model, which then needs no file of the repository."""
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.PHRASES_FILE_NAME).write_text(
                "".join(f"{phrase}\n" for phrase in self.phrases), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ProcedureMatcher:
        """Loads the trained component and builds its matcher now, not on the first message."""
        try:
            with model_storage.read_from(resource) as directory:
                phrases = read_phrases(directory / cls.PHRASES_FILE_NAME)
        except (ValueError, FileNotFoundError):
            logger.warning(f"{cls.__name__} found no phrases in the model; it will find no procedures.")
            phrases = []
        component = cls(config, model_storage, resource, phrases)
        _ = component.matcher
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds a `procedure` entity for each name found (see parent class for full docstring)."""
        for message in messages:
            text = message.get(TEXT)
            found = [
                entity(self._entity, text[match.start : match.end], match.start, match.end, self.name)
                for match in self.matcher.find(message)
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
