"""Properties of the shared message path (`connectors.common`), checked by Hypothesis (issue 8).

Whatever a citizen types, on any channel: normalising never raises and gives NFC text without
control or invisible characters, tidy whitespace, and every letter and digit kept in order;
`prepare_text` gives bounded text that Rasa can never read as an intent (Rasa strips the text
before looking for the "/"); only the assistant's own button payloads pass as intents; long answers
are split without losing a character.
"""

from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.common import (
    MAX_MESSAGE_CHARS,
    log_safe,
    normalise,
    prepare,
    prepare_payload,
    prepare_text,
    split_text,
)

# Characters chosen to reach every rule, mixed with arbitrary ones: Vietnamese letters composed and
# decomposed (base letter + tone/vowel marks), control and invisible characters (zero-width,
# bidi, soft hyphen, BOM, private use), the many kinds of whitespace and line breaks, slashes and
# braces of intent messages, emoji.
_VIETNAMESE = "aăâbdđeêioôơuưyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\ufeff\u00ad\ue000\x00\x07\x1b\x1f\x7f\x85"
_SPACES = " \t\n\r\x0b\x0c\u00a0\u1680\u2003\u2028\u2029\u202f\u3000"
_CHARACTERS = st.one_of(
    st.sampled_from(_VIETNAMESE),
    st.sampled_from(_MARKS),
    st.sampled_from(_INVISIBLE),
    st.sampled_from(_SPACES),
    st.sampled_from('/{}":_0123456789?!.'),
    st.sampled_from("😀👍🏽🇻🇳"),  # an emoji, a skin-tone modifier, regional indicators
    st.characters(blacklist_categories=("Cs",)),
)
_FRAGMENTS = st.sampled_from(
    [
        "/inform",
        '{"cccd": "001099012345"}',
        "/rate_answer",
        "\r\n",
        "\n\n\n",
        "làm căn cước",
        "la\u0300m ca\u0306n cu\u031bo\u031b\u0301c",
        "000.00.12.H37-251012-0001",
        "👍🏽🇻🇳",
    ]
)
TYPED = st.lists(st.one_of(_FRAGMENTS, st.text(_CHARACTERS, max_size=10)), max_size=12).map("".join)

_HIDDEN = {"Cc", "Cf", "Co", "Cs"}
PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _visible(text: str) -> list[str]:
    """The letters and digits of `text` as NFC reads them, once invisible characters are gone."""
    kept = "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
    return [c for c in unicodedata.normalize("NFC", kept) if c.isalnum()]


def _rasa_reads_as_intent(text: str) -> bool:
    # Rasa's RegexMessageHandler strips the text (all Unicode whitespace) and then checks for "/".
    return text.strip().startswith("/")


@PROPERTY_SETTINGS
@given(TYPED)
# A zero-width space between a letter and its tone mark kept them apart after NFC.
@example("a\u200b\u0301")
@example("tie\u0302\u200e\u0301ng")
def test_normalised_text_is_nfc_visible_tidy_and_stable(typed: str) -> None:
    text = normalise(typed)
    assert unicodedata.is_normalized("NFC", text)
    assert all(c == "\n" or unicodedata.category(c) not in _HIDDEN for c in text)
    assert "\t" not in text and "\r" not in text and "\n\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n"))
    assert _visible(text) == _visible(typed)
    assert normalise(text) == text


@PROPERTY_SETTINGS
@given(TYPED, st.integers(min_value=1, max_value=60))
# Whitespace Rasa strips but the old guard did not: "/\u2028/inform" reached Rasa as an intent.
@example('/\u2028/inform{"cccd": "001099012345"}', 60)
@example("/\u1680/ask_human", 60)
def test_prepared_text_is_bounded_normalised_and_never_an_intent(typed: str, limit: int) -> None:
    inbound = prepare_text(typed, limit=limit)
    full = prepare_text(typed, limit=10 * len(typed) + 1)
    if inbound is None:
        assert full is None
        return
    assert full is not None and not full.truncated
    assert inbound.text and len(inbound.text) <= limit
    assert not _rasa_reads_as_intent(inbound.text) and not inbound.is_payload
    assert inbound.text == inbound.text.strip() and normalise(inbound.text) == inbound.text
    assert full.text.startswith(inbound.text)
    assert inbound.truncated == (inbound.text != full.text)
    assert prepare_text(full.text, limit=len(full.text)) == full


@PROPERTY_SETTINGS
@given(TYPED)
def test_default_limit_holds(typed: str) -> None:
    inbound = prepare_text(typed * 50)
    assert inbound is None or len(inbound.text) <= MAX_MESSAGE_CHARS


_ENTITY_VALUES = st.one_of(
    st.sampled_from(["1.001193", "up", "down", "1.00119", "x", "", "1.001193 ", "UP"]), st.text(max_size=8)
)
PAYLOADS = st.one_of(
    TYPED,
    st.builds(
        lambda slashes, intent, entities, space: (
            f"{space}{slashes}{intent}"
            + (json.dumps(entities, ensure_ascii=False) if entities is not None else "")
        ),
        st.sampled_from(["/", "//", "/ "]),
        st.sampled_from(["choose_procedure", "rate_answer", "inform", "greet", "ask_human", "Rate_answer"]),
        st.none()
        | st.dictionaries(
            st.sampled_from(["procedure_code", "rating", "cccd", "dossier_code"]), _ENTITY_VALUES, max_size=2
        ),
        st.sampled_from(["", " ", "\n", "\u2028"]),
    ),
)
_OWN_PAYLOAD = re.compile(
    r'/choose_procedure(\{"procedure_code": "[0-9]\.[0-9]{6}"\})?|/rate_answer(\{"rating": "(up|down)"\})?'
    r"|/ask_human"
)


@PROPERTY_SETTINGS
@given(PAYLOADS)
def test_only_our_own_payloads_pass_as_intents(payload: str) -> None:
    inbound = prepare(payload=payload)
    if inbound is None:
        assert prepare_text(payload) is None
    elif inbound.is_payload:
        assert _OWN_PAYLOAD.fullmatch(inbound.text)
        assert prepare_payload(inbound.text) == inbound
    else:
        assert not _rasa_reads_as_intent(inbound.text)


@PROPERTY_SETTINGS
@given(TYPED, st.integers(min_value=1, max_value=100))
def test_log_lines_are_one_bounded_line(typed: str, limit: int) -> None:
    line = log_safe(typed, limit=limit)
    assert "\n" not in line and len(line) <= limit


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


@PROPERTY_SETTINGS
@given(TYPED, st.integers(min_value=1, max_value=40), st.booleans())
def test_split_answers_fit_the_channel_and_lose_nothing(text: str, limit: int, utf16: bool) -> None:
    units = _utf16_units if utf16 else (lambda _char: 1)
    chunks = split_text(text, limit, units)
    assert all(chunks)
    # One character alone may exceed a tiny limit (an emoji counts 2 units on Telegram).
    assert all(sum(units(c) for c in chunk) <= limit or len(chunk) == 1 for chunk in chunks)
    assert "".join("".join(chunk.split()) for chunk in chunks) == "".join(text.split())
