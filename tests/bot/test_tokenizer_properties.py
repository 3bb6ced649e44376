"""Properties of the Vietnamese tokenizer and of the folding it builds on, checked by Hypothesis (issue 8).

`bot.tokenizer.VietnameseTokenizer` promises exact character offsets into the original message
("text[start:end] is always the token's text"), whatever the text: Vietnamese with or without
diacritics, composed or decomposed, codes, numbers, punctuation, emoji, any whitespace. Every
configuration is checked: the offsets are valid, in order and never overlap, no token starts or
ends with whitespace, no letter or digit is dropped, the lemma is one folded word.

`vntext.fold` keeps one character per character of NFC text (the tokenizer aligns on that), and
`vntext.abbreviations.expand` maps shorthand to folded full forms in one step.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.tokenizer import VietnameseTokenizer
from vntext import fold, fold_char, nfc
from vntext.abbreviations import ABBREVIATIONS, expand

_LOWER = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
VIETNAMESE_LETTERS = _LOWER + _LOWER.upper() + "fjwz"
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
# What citizens type: words with and without diacritics, codes and numbers the tokenizer protects,
# punctuation glued to words, emoji, and every kind of whitespace and line break.
_FRAGMENTS = [
    "Đăng ký",
    "dang ky",
    "khai sinh",
    "hoà",
    "thuỷ",
    "nghành",
    "qui",
    "H'Mông",
    "000.00.12.H37-251012-0001",
    "1.001193",
    "1.001193.5",
    "001099012345",
    "0912 345 678",
    "0912.345.678",
    "+84 912 345 678",
    "12/10/2025",
    "2025-10-12",
    "50.000đ",
    "50.000 đồng",
    "1,5 triệu",
    "an.nguyen@gmail.com",
    "bao lâu??",
    "phí?",
    "(CCCD).",
    "😀",
    "👍🏽",
    "🇻🇳",
    "_",
    "a_b",
    '/inform{"cccd": "001099012345"}',
]
_CHARACTERS = st.one_of(
    st.sampled_from(VIETNAMESE_LETTERS),
    st.sampled_from("0123456789"),
    st.sampled_from(".,?!-/:;()\"'_+@&%…“”"),
    st.sampled_from(_MARKS),
    st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000\u200b\ufeff"),
    st.characters(blacklist_categories=("Cs",)),
)
_TEXTS = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(_CHARACTERS, max_size=12)), max_size=14).map(
    "".join
)
TEXTS = st.one_of(_TEXTS, _TEXTS.map(lambda text: unicodedata.normalize("NFD", text)))

CONFIGS = {
    "default": {},
    "syllables": {"segment_words": False},
    "unprotected": {"protect_patterns": False},
    "surface_lemma": {"fold_lemma": False},
}
PROPERTY_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tokenizers(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> dict[str, VietnameseTokenizer]:
    """The tokenizer in each configuration, created as Rasa's graph creates it."""
    made = {}
    for name, overrides in CONFIGS.items():
        config: dict[str, Any] = {**VietnameseTokenizer.get_default_config(), **overrides}
        made[name] = VietnameseTokenizer.create(
            config, model_storage, Resource(f"tok_{name}"), execution_context
        )
    return made


def tokenize(tokenizer: VietnameseTokenizer, text: str) -> list[Token]:
    """The tokens of `text` as Rasa's pipeline stores them on the message."""
    message = Message.build(text=text)
    tokenizer.process([message])
    return list(message.get(TOKENS_NAMES[TEXT]))


@PROPERTY_SETTINGS
@given(text=TEXTS, config=st.sampled_from(sorted(CONFIGS)))
@example(text="Đa\u0306ng ky\u0301 \u0301\u0301 0912.345.678!!", config="default")
@example(text="\u2028/inform\u00a0👍🏽", config="syllables")
def test_offsets_are_exact_ordered_and_cover_every_word(
    tokenizers: dict[str, VietnameseTokenizer], text: str, config: str
) -> None:
    tokens = tokenize(tokenizers[config], text)
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text
        assert token.text == token.text.strip()
        previous_end = token.end
    assert bool(tokens) == bool(text.strip())
    covered = {i for token in tokens for i in range(token.start, token.end)}
    assert all(i in covered for i, char in enumerate(text) if char.isalnum())


@PROPERTY_SETTINGS
@given(text=TEXTS, config=st.sampled_from(["default", "syllables", "unprotected"]))
def test_lemmas_are_folded_single_words(
    tokenizers: dict[str, VietnameseTokenizer], text: str, config: str
) -> None:
    for token in tokenize(tokenizers[config], text):
        lemma = token.lemma
        assert lemma and not any(char.isspace() for char in lemma)
        assert token.get("lemma") == lemma
        if all(char in VIETNAMESE_LETTERS or char in "0123456789" or char.isspace() for char in token.text):
            assert lemma.isascii() and lemma == lemma.lower()


@PROPERTY_SETTINGS
@given(text=_TEXTS)
def test_composed_and_decomposed_input_give_the_same_tokens(
    tokenizers: dict[str, VietnameseTokenizer], text: str
) -> None:
    composed = tokenize(tokenizers["default"], nfc(text))
    decomposed = tokenize(tokenizers["default"], unicodedata.normalize("NFD", text))
    assert [nfc(t.text) for t in decomposed] == [t.text for t in composed]
    assert [t.lemma for t in decomposed] == [t.lemma for t in composed]


@PROPERTY_SETTINGS
@given(st.characters())
def test_fold_char_gives_exactly_one_character(char: str) -> None:
    assert len(fold_char(char)) == 1


@PROPERTY_SETTINGS
@given(st.text(st.one_of(st.characters(), st.sampled_from(VIETNAMESE_LETTERS + _MARKS))))
def test_fold_keeps_one_character_per_nfc_character(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(nfc(text))
    assert fold(unicodedata.normalize("NFD", text)) == folded
    assert unicodedata.is_normalized("NFC", nfc(text)) and nfc(nfc(text)) == nfc(text)


@PROPERTY_SETTINGS
@given(st.text(st.sampled_from(VIETNAMESE_LETTERS + "0123456789 .-/\n")))
def test_vietnamese_text_folds_to_lower_case_ascii(text: str) -> None:
    folded = fold(text)
    assert folded.isascii() and folded == folded.lower()
    assert fold(folded) == folded
    assert fold(text.upper()) == fold(text.lower()) == folded


_SHORTHAND = st.lists(
    st.one_of(st.sampled_from(sorted(ABBREVIATIONS)), st.sampled_from(["lam", "o", "dau", "?", ",", " "])),
    max_size=12,
).map(" ".join)


def test_abbreviations_are_folded_both_ways() -> None:
    for short, full in ABBREVIATIONS.items():
        assert fold(short) == short and fold(full) == full


@PROPERTY_SETTINGS
@given(st.one_of(_SHORTHAND, st.text()))
def test_expansion_is_one_step_and_touches_only_whole_shorthand_words(text: str) -> None:
    expanded = expand(text)
    # No full form contains shorthand that would expand again.
    assert expand(expanded) == expanded
    if not any(word in ABBREVIATIONS for word in re.findall(r"[a-z0-9]+", text)):
        assert expanded == text
