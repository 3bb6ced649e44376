"""Unit tests for `bot.tokenizer.VietnameseTokenizer` through Rasa's component API.

Built the way RasaHQ/rasa-3.x-component-examples tests its tokenizer: create the component with a
`LocalModelStorage`, a `Resource` and an `ExecutionContext`, run `process`/`process_training_data`
on `Message`s, and inspect the tokens.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ACTION_TEXT, INTENT, RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.tokenizer
from bot.tokenizer import VietnameseTokenizer
from vntext import fold
from vntext.patterns import PROTECTED_PATTERNS, find_protected


def make_tokenizer(
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
    **overrides: Any,
) -> VietnameseTokenizer:
    """Create the component as Rasa's graph does, with the default config plus `overrides`."""
    config: dict[str, Any] = {**VietnameseTokenizer.get_default_config(), **overrides}
    return VietnameseTokenizer.create(config, model_storage, Resource("tokenizer"), execution_context)


@pytest.fixture(scope="module")
def tokenizer(model_storage: LocalModelStorage, execution_context: ExecutionContext) -> VietnameseTokenizer:
    return make_tokenizer(model_storage, execution_context)


def tokenize(tokenizer: VietnameseTokenizer, text: str) -> list[Token]:
    message = Message.build(text=text)
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def texts(tokens: list[Token]) -> list[str]:
    return [token.text for token in tokens]


def assert_well_formed(text: str, tokens: list[Token]) -> None:
    """Offsets are exact, in order and non-overlapping; the token text is the surface text."""
    previous_end = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert token.start >= previous_end
        assert text[token.start : token.end] == token.text
        assert fold(text[token.start : token.end]) == fold(token.text)
        assert token.lemma
        previous_end = token.end


# --- Component contract --------------------------------------------------------------------


def test_component_metadata() -> None:
    assert VietnameseTokenizer.supported_languages() == ["vi"]
    assert VietnameseTokenizer.required_packages() == ["underthesea"]
    config = VietnameseTokenizer.get_default_config()
    for key in ("intent_tokenization_flag", "intent_split_symbol", "token_pattern"):
        assert key in config
    assert config["fold_lemma"] is True


def test_load_returns_a_working_tokenizer(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    loaded = VietnameseTokenizer.load(
        VietnameseTokenizer.get_default_config(),
        model_storage,
        Resource("tokenizer"),
        execution_context,
    )
    assert texts(tokenize(loaded, "đăng ký khai sinh")) == ["đăng ký", "khai sinh"]


# --- Segmentation and offsets --------------------------------------------------------------


def test_multi_syllable_words_are_single_tokens(tokenizer: VietnameseTokenizer) -> None:
    text = "Đăng ký khai sinh ở đâu"
    tokens = tokenize(tokenizer, text)
    assert texts(tokens) == ["Đăng ký", "khai sinh", "ở", "đâu"]
    assert [(t.start, t.end) for t in tokens] == [(0, 7), (8, 17), (18, 19), (20, 23)]


def test_offsets_survive_underthesea_rewriting_characters(
    tokenizer: VietnameseTokenizer,
) -> None:
    # underthesea returns "hòa" for "hoà"; the token must still be the user's "hoà".
    text = "Thủ tục hoà bình"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert texts(tokens) == ["Thủ tục", "hoà", "bình"]
    assert tokens[1].lemma == "hoa"


def test_offsets_survive_underthesea_respelling_words(tokenizer: VietnameseTokenizer) -> None:
    # underthesea respells "nghành" as "ngành" (one character shorter) and "qui" as "quy".
    text = "nghành nghề, qui định"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert texts(tokens) == ["nghành nghề", "qui định"]
    assert [t.lemma for t in tokens] == ["nganh_nghe", "quy_dinh"]


def test_decomposed_input_maps_offsets_to_the_original_string(
    tokenizer: VietnameseTokenizer,
) -> None:
    composed = "Thủ tục đăng ký hoà giải ở đâu?"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)

    nfc_tokens = tokenize(tokenizer, composed)
    nfd_tokens = tokenize(tokenizer, decomposed)

    assert_well_formed(decomposed, nfd_tokens)
    assert [unicodedata.normalize("NFC", t) for t in texts(nfd_tokens)] == texts(nfc_tokens)
    assert [t.lemma for t in nfd_tokens] == [t.lemma for t in nfc_tokens]
    # The token texts are slices of the decomposed string itself.
    assert all(unicodedata.is_normalized("NFD", t.text) for t in nfd_tokens)


def test_mixed_normalisation_input(tokenizer: VietnameseTokenizer) -> None:
    text = "Đăng " + unicodedata.normalize("NFD", "ký kết hôn") + " ở UBND xã"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert [t.lemma for t in tokens][:2] == ["dang_ky", "ket_hon"]


def test_line_breaks_end_words(tokenizer: VietnameseTokenizer) -> None:
    text = "x\ty\nz"
    assert texts(tokenize(tokenizer, text)) == ["x", "y", "z"]


# --- Lemmas --------------------------------------------------------------------------------


def test_lemma_is_folded_lowercase_with_underscores(tokenizer: VietnameseTokenizer) -> None:
    tokens = tokenize(tokenizer, "Đăng ký KẾT HÔN")
    assert texts(tokens) == ["Đăng ký", "KẾT HÔN"]
    assert [t.lemma for t in tokens] == ["dang_ky", "ket_hon"]
    # Also in the token data, for components that read it from there.
    assert [t.get("lemma") for t in tokens] == ["dang_ky", "ket_hon"]


def test_fold_lemma_off_keeps_the_surface_text(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    plain = make_tokenizer(model_storage, execution_context, fold_lemma=False)
    tokens = tokenize(plain, "Đăng ký khai sinh")
    assert [t.lemma for t in tokens] == ["Đăng ký", "khai sinh"]


def test_count_vectors_featurizer_uses_the_folded_lemma(
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(),
        model_storage,
        Resource("count_vectors_featurizer"),
        execution_context,
    )
    training_data = TrainingData(
        [
            Message.build(text="Đăng ký khai sinh", intent="hoi_khai_sinh"),
            Message.build(text="Thủ tục kết hôn", intent="hoi_ket_hon"),
        ]
    )
    tokenizer.process_training_data(training_data)
    featurizer.train(training_data)

    vocabulary = featurizer.vectorizers[TEXT].vocabulary_
    assert set(vocabulary) == {"dang_ky", "khai_sinh", "thu_tuc", "ket_hon"}

    # Typed without diacritics: "khai sinh" still hits the feature learnt from "khai sinh".
    message = Message.build(text="dang ky khai sinh")
    tokenizer.process([message])
    featurizer.process([message])
    _, sentence_features = message.get_sparse_features(TEXT)
    assert sentence_features is not None
    assert sentence_features.features.toarray()[0][vocabulary["khai_sinh"]] > 0


# --- Protected spans -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "000.00.12.H37-251012-0001",
        "H37.99-251012-0001",
        "1.001193",
        "2.000123",
        "001099012345",
        "012345678",
        "0912345678",
        "0912 345 678",
        "+84 912 345 678",
        "0912.345.678",
        "12/10/2025",
        "12-10-2025",
        "50.000đ",
        "50.000 đồng",
        "50.000 VND",
        "1,5 triệu",
    ],
)
def test_codes_stay_single_tokens(tokenizer: VietnameseTokenizer, code: str) -> None:
    text = f"cho em hỏi {code}, được không?"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert code in texts(tokens)
    assert len(find_protected(code)) == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("000.00.12.H37-251012-0001", "DOSSIER_CODE"),
        ("1.001193", "PROCEDURE_CODE"),
        ("001099012345", "ID_NUMBER"),
        ("0912 345 678", "PHONE"),
        ("12/10/2025", "DATE"),
        ("50.000đ", "AMOUNT"),
        ("50.000 VND", "AMOUNT"),
    ],
)
def test_protected_span_kinds(text: str, kind: str) -> None:
    assert [(span.kind, span.text) for span in find_protected(f"số {text} nhé")] == [(kind, text)]
    assert dict(PROTECTED_PATTERNS)[kind].fullmatch(text)


@pytest.mark.parametrize("text", ["50.000.000", "1.001193.5", "2 trường", "số 123", "12/10"])
def test_plain_numbers_and_words_are_not_protected(text: str) -> None:
    assert find_protected(text) == []


def test_dossier_code_is_not_split(tokenizer: VietnameseTokenizer) -> None:
    # underthesea alone gives "000.00.12", ".", "H37-221012-0001".
    text = "hồ sơ 000.00.12.H37-221012-0001 đến đâu rồi"
    tokens = tokenize(tokenizer, text)
    assert "000.00.12.H37-221012-0001" in texts(tokens)
    assert tokens[texts(tokens).index("000.00.12.H37-221012-0001")].start == 6


# --- Punctuation, emoji and odd input ------------------------------------------------------


def test_punctuation_never_glues_to_words(tokenizer: VietnameseTokenizer) -> None:
    # underthesea alone gives "? phí".
    text = "bao lâu?? phí bn"
    tokens = tokenize(tokenizer, text)
    assert texts(tokens) == ["bao lâu", "phí", "bn"]
    assert tokens[1].start == 10


def test_edge_punctuation_is_cut_from_words(tokenizer: VietnameseTokenizer) -> None:
    # underthesea alone gives "CCCD. Phí" as one word.
    text = "Tp. HCM cấp CCCD. Phí bao nhiêu!"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert "CCCD" in texts(tokens)
    assert "Phí" in texts(tokens)
    assert not any(ch in token.text for token in tokens for ch in ".!?")


def test_emoji_are_dropped(tokenizer: VietnameseTokenizer) -> None:
    text = "Đăng ký khai sinh 😀😀 ở đâu 👍"
    assert texts(tokenize(tokenizer, text)) == ["Đăng ký", "khai sinh", "ở", "đâu"]


@pytest.mark.parametrize("text", ["??", "👍", ":)"])
def test_only_punctuation_keeps_one_token(tokenizer: VietnameseTokenizer, text: str) -> None:
    # As Rasa's WhitespaceTokenizer does, rather than leave the message without tokens.
    tokens = tokenize(tokenizer, f" {text} ")
    assert texts(tokens) == [text]
    assert tokens[0].start == 1


@pytest.mark.parametrize("text", ["", " ", "  \n\t "])
def test_empty_and_whitespace_messages_have_no_tokens(tokenizer: VietnameseTokenizer, text: str) -> None:
    assert tokenize(tokenizer, text) == []


def test_text_without_diacritics(tokenizer: VietnameseTokenizer) -> None:
    text = "lam can cuoc can giay to gi"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    # However underthesea groups them, every syllable is covered exactly once.
    assert " ".join(texts(tokens)).split() == text.split()


def test_long_message(tokenizer: VietnameseTokenizer) -> None:
    sentence = "Tôi muốn hỏi thủ tục đăng ký kết hôn, lệ phí 50.000đ, hồ sơ H37.99-251012-0001?? 😀 "
    text = (sentence * (5000 // len(sentence) + 1))[:5000]
    assert len(text) == 5000
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert texts(tokens).count("H37.99-251012-0001") == text.count("H37.99-251012-0001??")


def test_segment_words_off_gives_one_token_per_syllable(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    syllables = make_tokenizer(model_storage, execution_context, segment_words=False)
    tokens = tokenize(syllables, "Đăng ký khai sinh, phí 50.000 đồng?")
    assert texts(tokens) == ["Đăng", "ký", "khai", "sinh", "phí", "50.000 đồng"]
    assert [t.lemma for t in tokens][:2] == ["dang", "ky"]


def test_token_pattern_from_the_base_class(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    split = make_tokenizer(model_storage, execution_context, token_pattern=r"\w+")
    tokens = tokenize(split, "e-mail của tôi")
    assert texts(tokens) == ["e", "mail", "của", "tôi"]
    assert [t.start for t in tokens] == [0, 2, 7, 11]


def test_falls_back_when_underthesea_fails(
    tokenizer: VietnameseTokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str) -> list[str]:
        raise RuntimeError("model missing")

    monkeypatch.setattr(bot.tokenizer, "_word_tokenize", broken)
    text = "Đăng ký e-mail, phí 50.000đ?"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert texts(tokens) == ["Đăng", "ký", "e-mail", "phí", "50.000đ"]


def test_falls_back_when_underthesea_output_does_not_fit(
    tokenizer: VietnameseTokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.tokenizer, "_word_tokenize", lambda text: ["something", "else"])
    text = "Đăng ký khai sinh"
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    assert texts(tokens) == ["Đăng", "ký", "khai", "sinh"]


# --- Intents, responses and actions (the base class's job) --------------------------------


@pytest.mark.parametrize("flag", [False, True])
def test_intents_are_split_as_the_base_class_does(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, flag: bool
) -> None:
    ours = make_tokenizer(model_storage, execution_context, intent_tokenization_flag=flag)
    whitespace_config = {
        **WhitespaceTokenizer.get_default_config(),
        "intent_tokenization_flag": flag,
    }
    reference = WhitespaceTokenizer(whitespace_config)

    def intent_tokens(component: Any) -> list[Token]:
        training_data = TrainingData([Message.build(text="lệ phí bao nhiêu", intent="hoi_le_phi")])
        component.process_training_data(training_data)
        return training_data.training_examples[0].get(TOKENS_NAMES[INTENT])

    assert intent_tokens(ours) == intent_tokens(reference)
    assert texts(intent_tokens(ours)) == (["hoi", "le", "phi"] if flag else ["hoi_le_phi"])


def test_response_and_action_text_are_tokenized(tokenizer: VietnameseTokenizer) -> None:
    message = Message(
        data={
            TEXT: "thủ tục kết hôn",
            INTENT: "hoi_ket_hon",
            RESPONSE: "Bạn cần mang căn cước công dân.",
        }
    )
    training_data = TrainingData([message])
    tokenizer.process_training_data(training_data)
    response_tokens = message.get(TOKENS_NAMES[RESPONSE])
    assert texts(response_tokens) == ["Bạn", "cần", "mang", "căn cước", "công dân"]
    assert response_tokens[-1].lemma == "cong_dan"

    action_message = Message(data={ACTION_TEXT: "Xin chào bạn!"})
    tokenizer.process([action_message])
    action_tokens = action_message.get(TOKENS_NAMES[ACTION_TEXT])
    assert_well_formed("Xin chào bạn!", action_tokens)
    assert " ".join(texts(action_tokens)) == "Xin chào bạn"


def test_intent_like_message_does_not_crash(tokenizer: VietnameseTokenizer) -> None:
    for text in ["/greet", '/inform{"cccd": "001099012345"}']:
        tokens = tokenize(tokenizer, text)
        assert_well_formed(text, tokens)
    assert texts(tokenize(tokenizer, "/greet")) == ["greet"]


# --- Property: offsets always hold ---------------------------------------------------------

_FRAGMENTS = [
    "Đăng ký",
    "hoà",
    "thuỷ",
    "nghành",
    "000.00.12.H37-251012-0001",
    "1.001193",
    "0912 345 678",
    "+84 912 345 678",
    "12/10/2025",
    "50.000đ",
    "1,5 triệu",
    "??",
    "😀",
    "\u0301",
    "\u0323\u0302",
    " ",
    "\n",
]
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyĐĂÂÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_CHARACTERS = st.one_of(
    st.sampled_from(list(_LETTERS)),
    st.sampled_from(list("0123456789 .,?!-/:;()\"'_+@\t\n")),
    # Combining marks: the Vietnamese tone and vowel marks, as NFD input would carry them.
    st.sampled_from(list("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")),
    st.characters(blacklist_categories=("Cs",)),
)
_TEXTS = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(_CHARACTERS, max_size=12)), max_size=12).map(
    "".join
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_TEXTS, _TEXTS.map(lambda s: unicodedata.normalize("NFD", s))))
def test_tokens_always_have_exact_ordered_offsets(tokenizer: VietnameseTokenizer, text: str) -> None:
    tokens = tokenize(tokenizer, text)
    assert_well_formed(text, tokens)
    if text.strip():
        assert tokens
