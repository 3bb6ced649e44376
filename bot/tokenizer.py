"""Vietnamese word tokenizer for Rasa, built on underthesea's word segmentation.

Three things underthesea 9.5 does that a Rasa tokenizer must not pass on (see ENGINEERING.md):
it rewrites characters ("hoà" comes back as "hòa", "nghành" as "ngành"), it splits codes
("000.00.12.H37-221012-0001" into three pieces) and it glues punctuation to words ("? phí").
So this component

1. NFC-normalises the text and remembers how NFC offsets map back to the original string;
2. takes protected spans (codes, ID and phone numbers, dates, amounts; `vntext.patterns`) out as
   whole tokens before segmenting;
3. segments the text between them with `underthesea.word_tokenize` and aligns every returned
   syllable back to the text by comparing accent-folded forms, never with ``text.index(word)``;
4. drops punctuation and emoji, and never lets a token run across punctuation (protected spans
   such as "0912.345.678" aside);
5. gives every token an accent-folded, lower-cased lemma ("Đăng ký" -> "dang_ky") so that text
   typed with and without diacritics shares features (CountVectorsFeaturizer reads `Token.lemma`).

Token offsets are exact character offsets into the original message and ``text[start:end]`` is
always the token's text, which entity extraction relies on.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from vntext import fold, nfc
from vntext.patterns import PROTECTED_RE

logger = logging.getLogger(__name__)

# Any run of whitespace inside a multi-syllable word becomes one "_" in its lemma, the
# convention underthesea's own `format="text"` output uses ("dang_ky").
_WHITESPACE_RUN_RE = re.compile(r"\s+")
# A word is anything with a letter or digit; "_" alone is not (underscores are connectors).
_ALNUM_RE = re.compile(r"[^\W_]")
# Fallback segmentation when underthesea fails or its output cannot be aligned: alphanumeric runs,
# kept whole across inner connectors (e-mail, 50.000, H'Mông) as Rasa's whitespace tokenizer does.
_FALLBACK_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’/@&+:_\-][^\W_]+)*")
# Lines of a message: the text between line breaks (str.splitlines' set of line boundaries).
_LINE_RE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
# A plain word to underthesea's pre-tokenizer; its spelling fixes apply only to these.
_WORD_RUN_RE = re.compile(r"\w+")

_word_tokenize: Callable[[str], list[str]] | None = None
_word_tokenize_lock = threading.Lock()


def _get_word_tokenize() -> Callable[[str], list[str]]:
    """Import underthesea and load its segmentation model once per process.

    The import and the CRF model load take about a second, so they happen on first use (or in
    `VietnameseTokenizer.load`), not when Rasa imports this module. The lock keeps two threads
    from loading the model twice.
    """
    global _word_tokenize
    if _word_tokenize is None:
        with _word_tokenize_lock:
            if _word_tokenize is None:
                from underthesea import word_tokenize

                # An empty call loads the CRF model (underthesea loads it lazily itself).
                word_tokenize("")
                _word_tokenize = word_tokenize
    return _word_tokenize


def _is_mark(char: str) -> bool:
    """Whether `char` is a combining mark (a diacritic that NFC could not compose)."""
    return unicodedata.category(char).startswith("M")


def _match_key(text: str) -> str:
    """Key for comparing a syllable from underthesea with the text it came from.

    underthesea maps "ð" to "đ" and moves tone marks ("hoà" -> "hòa"); folding removes both
    differences while keeping one character per character of NFC input.
    """
    return fold(text).replace("ð", "d")


def _fold_lemma(text: str) -> str:
    """Accent-folded, lower-cased lemma with whitespace runs replaced by "_"."""
    folded = "".join(c for c in fold(text) if not _is_mark(c))
    return _WHITESPACE_RUN_RE.sub("_", folded.strip())


class _Span(NamedTuple):
    """A token found in the NFC text, before mapping back to the original string."""

    start: int
    end: int
    # Lemma source: underthesea's normalised spelling, or the text itself.
    pieces: tuple[str, ...]


class _Syllable(NamedTuple):
    """One of underthesea's syllables, located in the segmented text and trimmed of punctuation."""

    start: int
    end: int
    # Lemma source; empty when the syllable was only punctuation (or an emoji).
    piece: str
    # Punctuation was cut off before / after it, so it must not join its neighbour in one token.
    cut_before: bool
    cut_after: bool


def _trim(text: str, start: int, end: int, normalised: str) -> _Syllable:
    """Locate the word inside the syllable `text[start:end]`, dropping edge punctuation.

    Args:
        text: The segmented text.
        start: Where the syllable starts in `text`.
        end: Where it ends.
        normalised: underthesea's spelling of the syllable.

    Returns:
        The trimmed syllable; an empty one (``piece == ""``) if it holds no letter or digit.
    """
    # Punctuation at the edges belongs to no word ("CCCD." -> "CCCD", "Tp." -> "Tp").
    word_start, word_end = start, end
    while word_start < word_end and not _ALNUM_RE.match(text[word_start]):
        word_start += 1
    while word_end > word_start and not _ALNUM_RE.match(text[word_end - 1]):
        word_end -= 1
    if word_start == word_end:
        return _Syllable(start, start, "", True, True)
    cut_after = word_end < end
    # Combining marks that NFC could not compose belong to the letter before them, although
    # underthesea makes them syllables of their own.
    while word_end < len(text) and _is_mark(text[word_end]):
        word_end += 1
    if (word_start, word_end) == (start, end) and normalised.isalnum():
        # underthesea's spelling ("quy" for "qui") makes a better lemma than the surface.
        piece = normalised
    else:
        piece = text[word_start:word_end]
    return _Syllable(word_start, word_end, piece, word_start > start, cut_after)


def _join_syllables(syllables: list[_Syllable]) -> list[_Span]:
    """Join the syllables of one word into tokens, splitting wherever punctuation was cut."""
    spans: list[_Span] = []
    previous: _Syllable | None = None
    for syllable in syllables:
        if not syllable.piece:
            previous = None
            continue
        if previous is not None and not previous.cut_after and not syllable.cut_before:
            spans[-1] = _Span(spans[-1].start, syllable.end, (*spans[-1].pieces, syllable.piece))
        else:
            spans.append(_Span(syllable.start, syllable.end, (syllable.piece,)))
        previous = syllable
    return spans


def _nfc_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """NFC-normalise `text`, mapping each NFC character back to the original string.

    Returns:
        The NFC text and, when it differs from `text`, two lists giving for each NFC character the
        start and the end offset in `text` of the smallest chunk of `text` it was normalised from.
        Both lists are None when `text` is already NFC (the common case, kept cheap).
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None, None

    # Split the original into chunks that normalise independently: a character joins the previous
    # chunk when normalising them together differs from normalising them apart (composition,
    # reordering of combining marks).
    chunks: list[tuple[int, int, str]] = []  # (start, end, nfc text)
    chunk_start = 0
    for i in range(1, len(text) + 1):
        if i == len(text):
            chunks.append((chunk_start, i, nfc(text[chunk_start:i])))
            break
        current = text[chunk_start:i]
        if nfc(current + text[i]) != nfc(current) + nfc(text[i]):
            continue
        chunks.append((chunk_start, i, nfc(current)))
        chunk_start = i

    normalised = "".join(chunk for _, _, chunk in chunks)
    if normalised != nfc(text):
        # Should not happen; one chunk for the whole text is coarse but still exact.
        logger.debug("NFC chunking did not reproduce NFC; treating the text as one chunk.")
        chunks = [(0, len(text), nfc(text))]
        normalised = chunks[0][2]

    starts: list[int] = []
    ends: list[int] = []
    for start, end, chunk in chunks:
        starts.extend([start] * len(chunk))
        ends.extend([end] * len(chunk))
    return normalised, starts, ends


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Vietnamese word tokenizer using underthesea (https://github.com/undertheseanlp/underthesea).

    Multi-syllable words become one token ("Đăng ký"), codes and numbers that citizens type stay
    whole, punctuation is dropped, and each token's lemma is its accent-folded form ("dang_ky").
    """

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Supported languages (see parent class for full docstring)."""
        return ["vi"]

    @staticmethod
    def required_packages() -> list[str]:
        """Any extra python dependencies required for this component to run."""
        return ["underthesea"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config (see parent class for full docstring)."""
        return {
            # Flag to check whether to split intents
            "intent_tokenization_flag": False,
            # Symbol on which intent should be split
            "intent_split_symbol": "_",
            # Regular expression to detect tokens
            "token_pattern": None,
            # Symbol on which prefix should be split
            "prefix_separator_symbol": None,
            # Set each token's lemma to its accent-folded, lower-cased form with "_" between
            # syllables ("Đăng ký" -> "dang_ky"), so that featurizers reading lemmas (e.g.
            # CountVectorsFeaturizer with use_lemma: true) treat text typed with and without
            # diacritics alike. False leaves the lemma equal to the token text.
            "fold_lemma": True,
            # Join the syllables of a word as underthesea segments it ("Đăng ký" is one token).
            # False gives one token per syllable (still with protected spans whole and
            # punctuation dropped), for pipelines that rely on word n-grams instead, which is
            # steadier on text typed without diacritics that underthesea segments badly.
            "segment_words": True,
            # Keep codes, ID and phone numbers, dates and amounts (vntext.patterns) as single
            # tokens instead of letting underthesea split them.
            "protect_patterns": True,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Initialize the tokenizer."""
        super().__init__(config)
        self._fold_lemma = bool(config.get("fold_lemma", True))
        self._protect_patterns = bool(config.get("protect_patterns", True))
        self._segment_words = bool(config.get("segment_words", True))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
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
    ) -> VietnameseTokenizer:
        """Loads the component for inference; there is nothing persisted.

        The segmentation model is loaded here, when the server loads the model, so that the first
        user message does not pay for it.
        """
        _get_word_tokenize()
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        if not isinstance(text, str) or not text or text.isspace():
            return []

        normalised, orig_starts, orig_ends = _nfc_with_offsets(text)

        spans: list[_Span] = []
        position = 0
        if self._protect_patterns:
            for match in PROTECTED_RE.finditer(normalised):
                spans.extend(self._segment(normalised, position, match.start()))
                spans.append(_Span(match.start(), match.end(), (match.group(),)))
                position = match.end()
        spans.extend(self._segment(normalised, position, len(normalised)))

        tokens = self._to_tokens(text, spans, orig_starts, orig_ends)
        if not tokens:
            # Only punctuation or emoji ("??", "👍"): like Rasa's whitespace tokenizer, keep the
            # whole (stripped) text as one token rather than leave the message without tokens.
            stripped = text.strip()
            start = text.index(stripped)
            tokens = [self._make_token(text, start, start + len(stripped), (stripped,))]

        return self._apply_token_pattern(tokens)

    def _segment(self, text: str, start: int, end: int) -> list[_Span]:
        """Word-segment `text[start:end]` (no protected spans inside) into spans of `text`."""
        # A line break ends a phrase; underthesea would treat it as a space and could join the
        # last word of one line with the first of the next.
        spans: list[_Span] = []
        for line in _LINE_RE.finditer(text, start, end):
            spans.extend(self._segment_line(text, line.start(), line.end()))
        return spans

    def _segment_line(self, text: str, start: int, end: int) -> list[_Span]:
        """Word-segment `text[start:end]`, one line without protected spans."""
        gap = text[start:end]
        if not _ALNUM_RE.search(gap):
            return []
        try:
            words = _get_word_tokenize()(gap)
            aligned = self._align(gap, words, join_syllables=self._segment_words)
        except Exception as error:
            # A segmentation failure must cost this message its word grouping, not the bot.
            logger.warning(f"underthesea failed on a message ({error!r}); using fallback.")
            aligned = None
        if aligned is None:
            aligned = self._fallback_segment(gap)
        return [_Span(start + span.start, start + span.end, span.pieces) for span in aligned]

    @staticmethod
    def _align(gap: str, words: list[str], join_syllables: bool = True) -> list[_Span] | None:
        """Align underthesea's words with `gap` and cut them at punctuation.

        underthesea joins the syllables of a word with one space, and each syllable is one of its
        regex pre-tokens, which never contain whitespace and cover every other character in order.
        So each syllable is found by skipping whitespace and comparing folded forms; a syllable
        that underthesea respelled ("nghành" -> "ngành", "qui" -> "quy") was a plain word, so it
        spans the word-character run at that point.

        Args:
            gap: The text that was segmented.
            words: underthesea's output for `gap`.
            join_syllables: Whether the syllables of a word form one token.

        Returns:
            The token spans, or None if the output does not fit the text (then the caller falls
            back to a simple segmentation rather than guess offsets).
        """
        spans: list[_Span] = []
        cursor = 0
        for word in words:
            syllables: list[_Syllable] = []
            for syllable in word.split(" "):
                if not syllable:
                    continue
                while cursor < len(gap) and gap[cursor].isspace():
                    cursor += 1
                if cursor >= len(gap):
                    return None
                candidate = gap[cursor : cursor + len(syllable)]
                if _match_key(candidate) == _match_key(syllable):
                    syllable_end = cursor + len(syllable)
                else:
                    run = _WORD_RUN_RE.match(gap, cursor)
                    if run is None:
                        return None
                    syllable_end = run.end()
                syllables.append(_trim(gap, cursor, syllable_end, syllable))
                cursor = syllable_end
            if join_syllables:
                spans.extend(_join_syllables(syllables))
            else:
                spans.extend(_Span(part.start, part.end, (part.piece,)) for part in syllables if part.piece)
        if gap[cursor:].strip():
            return None
        return spans

    @staticmethod
    def _fallback_segment(gap: str) -> list[_Span]:
        """One token per alphanumeric run, for text underthesea could not handle."""
        return [
            _Span(match.start(), match.end(), (match.group(),)) for match in _FALLBACK_WORD_RE.finditer(gap)
        ]

    def _to_tokens(
        self,
        text: str,
        spans: list[_Span],
        orig_starts: list[int] | None,
        orig_ends: list[int] | None,
    ) -> list[Token]:
        """Map spans from the NFC text back to `text` and build Rasa tokens."""
        tokens: list[Token] = []
        for span in spans:
            if orig_starts is None or orig_ends is None:
                start, end = span.start, span.end
            else:
                start, end = orig_starts[span.start], orig_ends[span.end - 1]
            if tokens and start < tokens[-1].end:
                # Two NFC spans from one original chunk (only with odd non-NFC input): merge them
                # so that tokens never overlap.
                previous = tokens.pop()
                start = previous.start
                end = max(end, previous.end)
                span = _Span(start, end, (text[start:end],))
            tokens.append(self._make_token(text, start, end, span.pieces))
        return tokens

    def _make_token(self, text: str, start: int, end: int, pieces: tuple[str, ...]) -> Token:
        """Build a token for `text[start:end]` with its lemma."""
        surface = text[start:end]
        lemma = surface
        if self._fold_lemma:
            lemma = "_".join(_fold_lemma(piece) for piece in pieces) or surface
        token = Token(surface, start, end, lemma=lemma)
        # Also in the token's data, for components that read token data rather than attributes.
        token.set("lemma", lemma)
        return token
