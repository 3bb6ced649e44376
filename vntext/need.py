"""Finding the need in a citizen's message: what they want done, apart from how they say it.

Citizens write to a portal as to an office: "Kính gửi UBND phường. Tôi tên là ..., sinh năm 1975,
hiện cư trú tại ... Năm 2019 tôi đã ... Nay tôi muốn ... thì cần hồ sơ gì? Xin trân trọng cảm ơn."
The procedure is named (or described) in one or two clauses; the rest is greeting, the writer's own
name, address and dates, and background. And they say what happened to them in everyday words ("mẹ
tôi mới mất", "sổ đỏ bị mất", "mở tiệm tạp hóa"), which procedures say otherwise ("khai tử", "cấp
lại giấy chứng nhận", "đăng ký thành lập hộ kinh doanh").

`analyse` reads a message (pure text, no database) into a `Need`:

* The message is folded (`vntext.fold`), shorthand expanded, dates and numbers of documents removed,
  and cut into clauses at punctuation.
* A clause opening with a greeting, politeness or self-introduction (colloquial.yml `background`)
  is set aside, unless it also says a need ("tôi là Việt kiều, muốn ...").
* A clause holding a need cue ("muốn", "thủ tục gì", "làm thế nào để", "xin hỏi", "nay ...")
  weighs `CUE_WEIGHT`, one asking about it ("cần giấy tờ gì") `QUESTION_WEIGHT`, any other kept
  clause (background narration: "năm 2019 tôi đã được cấp sổ đỏ") `CONTEXT_WEIGHT`.
* Colloquial rules (colloquial.yml `rules`) add the words procedures use for what the message says:
  "mất" said of a person adds "khai tử", said of a document "cấp lại"; each addition weighs what
  the clause saying its trigger weighs. Where a trigger means something else in procedure names
  ("mất", "nhập khẩu"), name search reads the additions instead of it (`Need.replaced`).
* Qualifiers that pick a variant are read: a foreign element, an age, first issue / again /
  exchange, and a level of government named (levels.yml).

The vocabulary is data (knowledge_base/lexicon/colloquial.yml, levels.yml, questions.yml, things.yml
`countries`), read through `vntext.lexicon`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vntext import fold, lexicon
from vntext.abbreviations import expand

__all__ = [
    "ADDITION_WEIGHT",
    "CONTEXT_WEIGHT",
    "CUE_WEIGHT",
    "QUESTION_WEIGHT",
    "Need",
    "Qualifiers",
    "analyse",
    "colloquial_additions",
    "qualifiers_of",
]

CUE_WEIGHT = 1.0  # a clause saying what the citizen wants ("nay tôi muốn ...")
QUESTION_WEIGHT = 0.8  # a clause asking about it ("cần hồ sơ gì?")
CONTEXT_WEIGHT = 0.5  # any other kept clause: narration that may still name the procedure
# An addition is the need in the words procedures use ("khai tử" for "mẹ tôi mất"): it weighs more
# than a word the citizen typed. (Tuned on tests/knowledge_base/retrieval_dev.yml.)
ADDITION_WEIGHT = 1.5
_MAX_CHARS = 4000  # a longer message is cut: no need takes more words than that
_THIN_NEED = 3  # need clauses with fewer words that are not question words are read with the rest
_STRONG_CLAUSE = 0.75  # additions from a clause this weighty are read by name search too
_STRONG_ADDITION = _STRONG_CLAUSE * ADDITION_WEIGHT

# Dates, years, phone and document numbers: never the need. (Ages, "14 tuổi", stay: they qualify it.)
_NOISE = re.compile(
    r"\b(?:ngay\s+)?\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?\b"
    r"|\bngay\s+\d{1,2}(?:\s+thang\s+\d{1,2})?(?:\s+nam\s+\d{2,4})?\b"
    r"|\bthang\s+\d{1,2}(?:\s+nam\s+\d{2,4})?\b"
    r"|\bnam\s+(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\b"
    r"|\b\d{7,}\b"
)
# Clause edges; a dot, comma or slash between digits is part of a date or a number.
_CLAUSE_BREAK = re.compile(r"(?<!\d)[.,:](?!\d)|[.,:](?=\s)|[!?;\n()\[\]\"“”…]+|\s-\s")
_SYLLABLE = re.compile(r"[a-z0-9]+")
# "Tròn 14 tuổi" is 14; "dưới 14 tuổi" younger. An age said in a set-aside clause ("tôi 34 tuổi")
# is the writer's, not the need's.
_AGE = re.compile(
    r"\b(?P<under>duoi|chua du|chua toi|nho hon)?\s*(?P<from>tu du|tu|du|tron|tren|hon)?\s*"
    r"(?P<n>\d{1,2})\s*tuoi\b"
)
# "Đổi" alone asks for an exchange, but not in "thay đổi" or "đổi tên/họ/chủ ..." (a change).
_EXCHANGE_VERB = re.compile(r"(?<!thay )\bdoi\b(?! ten\b| ho\b| chu\b| dia\b| mau\b| moi\b)")
_BARE_DETAIL = re.compile(r"\d+ tuoi|so \d+.*|\d+ duong .*")  # a writer's age, a house number


@dataclass(frozen=True)
class Qualifiers:
    """What picks one variant of a procedure among its siblings.

    Attributes:
        foreign: a foreign element is said (a foreigner, a Việt kiều, a foreign country).
        age: the age the need is about, when said ("dưới 14 tuổi" gives 13).
        issue: "first" (lần đầu), "again" (cấp lại: lost, re-issued) or "exchange" (cấp đổi:
            damaged, expired), or None when not said.
        levels: the levels of government named ("xa", "tinh", "bo"; levels.yml).
    """

    foreign: bool = False
    age: int | None = None
    issue: str | None = None
    levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Need:
    """What a message asks for, ready for search.

    Attributes:
        text_for_search: the folded need: its weightiest clauses, then the words procedures use for
            what they say (`additions`); what name search reads.
        clauses: the kept clauses (folded) with their weights, in message order.
        terms: folded syllables and bigrams ("khai_tu") with their weights, additions included:
            what retrieval over everything a procedure says reads.
        additions: the phrases the colloquial rules added ("khai tu", "cap lai").
        qualifiers: what picks a variant.
        cues_found: the need cues met ("muon", "thu tuc gi").
        trimmed: whether anything was set aside (greeting, self-introduction, dates, address).
        replaced: whether a colloquial word was read as another meaning than names give it ("mất":
            died), so that `text_for_search` says the additions instead of it.
    """

    text_for_search: str
    clauses: tuple[tuple[str, float], ...]
    terms: tuple[tuple[str, float], ...]
    additions: tuple[str, ...] = ()
    qualifiers: Qualifiers = field(default_factory=Qualifiers)
    cues_found: tuple[str, ...] = ()
    trimmed: bool = False
    replaced: bool = False


# --- the lexicon, as matching structures -----------------------------------------------------------


class _Phrases:
    """Folded phrases, matched on whole syllables (indexed by their first syllable)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(phrase.split())
            if words:
                by_first.setdefault(words[0], []).append(words)
        for entries in by_first.values():
            entries.sort(key=len, reverse=True)  # longest first
        self._by_first = by_first

    def at(self, words: Sequence[str], i: int) -> tuple[str, ...] | None:
        """The longest phrase starting at position `i`, or None."""
        for phrase in self._by_first.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                return phrase
        return None

    def found(self, words: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
        """Every (position, phrase) found, all phrases starting at each position included."""
        out = []
        for i, word in enumerate(words):
            for phrase in self._by_first.get(word, ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    out.append((i, phrase))
        return out

    def has(self, words: Sequence[str]) -> bool:
        """Whether any phrase is in `words`."""
        return any(self.at(words, i) for i in range(len(words)))

    def starts(self, words: Sequence[str]) -> int:
        """The length of the longest phrase `words` starts with, or 0."""
        phrase = self.at(words, 0) if words else None
        return len(phrase) if phrase else 0


@dataclass(frozen=True)
class _Vocabulary:
    """colloquial.yml (and the level, soft and country words) as matching structures."""

    openers: _Phrases
    intro: _Phrases
    addressees: _Phrases
    need: _Phrases
    start: _Phrases
    subjects: _Phrases
    question: _Phrases
    foreign: _Phrases
    nationalities: _Phrases
    heads: _Phrases
    issues: dict[str, _Phrases]  # "exchange", "again", "first"
    soft: _Phrases
    levels: dict[str, _Phrases]
    rules: tuple[lexicon.ColloquialRule, ...]
    rule_phrases: _Phrases  # every phrase a rule tests


@functools.cache
def _vocabulary() -> _Vocabulary:
    data = lexicon.load("colloquial")
    background, cues, qualifiers = data["background"], data["cues"], data["qualifiers"]
    rules = lexicon.colloquial_rules()
    return _Vocabulary(
        openers=_Phrases(background["openers"]),
        intro=_Phrases(background["phrases"]),
        addressees=_Phrases(background["addressees"]),
        need=_Phrases(cues["need"]),
        start=_Phrases(cues["start"]),
        subjects=_Phrases(cues["subjects"]),
        question=_Phrases(cues["question"]),
        foreign=_Phrases([*qualifiers["foreign"], *lexicon.load("things")["countries"]]),
        nationalities=_Phrases(qualifiers["nationalities"]),
        heads=_Phrases(qualifiers["nationality_heads"]),
        issues={name: _Phrases(qualifiers[name]) for name in ("exchange", "again", "first")},
        soft=_Phrases(lexicon.soft_phrases()),
        levels={level: _Phrases(ps) for level, ps in lexicon.level_phrases().items()},
        rules=rules,
        rule_phrases=_Phrases({p for r in rules for p in (*r.when, *r.with_any, *r.without)}),
    )


def _after_subject(words: Sequence[str], i: int, vocabulary: _Vocabulary) -> bool:
    """Whether position `i` follows a subject ("tôi", "gia đình", "chúng tôi")."""
    return any(vocabulary.subjects.at(words, k) == tuple(words[k:i]) for k in range(max(i - 2, 0), i))


def _cues(words: Sequence[str], vocabulary: _Vocabulary) -> list[str]:
    """The need cues of a clause. A cue of one syllable ("muốn", "cần"), or a verb of `cues.start`
    ("làm", "đăng ký"), counts only at the clause's start or after a subject ("tôi muốn ...")."""
    out = []
    for phrases, long_anywhere in ((vocabulary.need, True), (vocabulary.start, False)):
        for i, phrase in phrases.found(words):
            if (long_anywhere and len(phrase) > 1) or i == 0 or _after_subject(words, i, vocabulary):
                out.append(" ".join(phrase))
    return out


# --- the parts of the analysis, each usable alone --------------------------------------------------


def _is_background(words: list[str], vocabulary: _Vocabulary) -> bool:
    """Whether a clause is greeting, politeness or self-introduction with no need said after it."""
    # "Dạ", "vâng", "xin" before the opener change nothing.
    start = 0
    while start < len(words) and words[start] in ("da", "vang", "a", "xin"):
        start += 1
    rest = words[start:]
    if not rest:
        return True
    cut = vocabulary.openers.starts(rest) or vocabulary.intro.starts(rest)
    if not cut:
        # "34 tuổi" alone, or a bare address ("số 12 đường Lê Lợi"): nothing to search.
        return bool(_BARE_DETAIL.fullmatch(" ".join(rest)))
    rest = rest[cut:]
    rest = rest[vocabulary.addressees.starts(rest) :]
    return not _cues(rest, vocabulary)


def _fired(folded: str) -> list[lexicon.ColloquialRule]:
    """The colloquial rules a folded message fires."""
    vocabulary = _vocabulary()
    present = {" ".join(phrase) for _, phrase in vocabulary.rule_phrases.found(_SYLLABLE.findall(folded))}
    return [
        rule
        for rule in vocabulary.rules
        if present.intersection(rule.when)
        and (not rule.with_any or present.intersection(rule.with_any))
        and not present.intersection(rule.without)
    ]


def colloquial_additions(folded: str) -> list[tuple[str, float]]:
    """The phrases procedures use for what a folded message says, with their weights.

    >>> colloquial_additions("me toi moi qua doi")
    [('khai tu', 1.0)]
    """
    out: dict[str, float] = {}
    for rule in _fired(folded):
        for phrase in rule.add:
            out[phrase] = max(out.get(phrase, 0.0), rule.weight)
    return list(out.items())


def _fired_in(rule: lexicon.ColloquialRule, clause: str) -> bool:
    """Whether one of the rule's triggers is in a (folded) clause."""
    padded = f" {clause} "
    return any(f" {phrase} " in padded for phrase in rule.when)


def _hard_words(folded: str) -> list[str]:
    """The words of a folded text that are not question words or small talk (questions.yml)."""
    words = folded.split()
    soft = [False] * len(words)
    for i, phrase in _vocabulary().soft.found(words):
        for k in range(i, i + len(phrase)):
            soft[k] = True
    return [word for word, is_soft in zip(words, soft, strict=True) if not is_soft]


def _without_replaced(folded: str, rules: Iterable[lexicon.ColloquialRule]) -> str:
    """`folded` less the triggers of replacing rules ("bố em mất" -> "bố em")."""
    padded = " " + folded + " "
    for rule in rules:
        if rule.replace:
            for phrase in sorted(rule.when, key=len, reverse=True):
                padded = padded.replace(f" {phrase} ", " ")
    return " ".join(padded.split())


def qualifiers_of(folded: str) -> Qualifiers:
    """The qualifiers a folded need says: foreign element, age, issue, levels.

    >>> qualifiers_of("ket hon voi nguoi han quoc").foreign
    True
    """
    vocabulary = _vocabulary()
    words = _SYLLABLE.findall(folded)
    text = " ".join(words)
    foreign = vocabulary.foreign.has(words) or any(
        # a nationality said of a person: "người Nhật", "chồng Hàn", "quốc tịch Mỹ"
        vocabulary.heads.at(words, k) is not None
        for i, _ in vocabulary.nationalities.found(words)
        for k in range(max(i - 2, 0), i)
    )
    age = None
    for match in _AGE.finditer(text):
        n = int(match.group("n"))
        age = n - 1 if match.group("under") else n
    # "Đăng ký lại" is re-registration whatever else is said; damage or expiry says exchange even
    # when worded "làm lại" ("làm lại thẻ bị hỏng"); "đổi" alone too, but for "thay đổi" and "đổi
    # tên/họ/chủ" (a change, not a new card).
    issue = "again" if " dang ky lai " in f" {text} " else None
    issue = issue or next(
        (
            name
            for name, phrases in vocabulary.issues.items()
            if phrases.has(words) or (name == "exchange" and _EXCHANGE_VERB.search(text))
        ),
        None,
    )
    levels = frozenset(level for level, phrases in vocabulary.levels.items() if phrases.has(words))
    return Qualifiers(foreign=foreign, age=age, issue=issue, levels=levels)


def _terms(
    clauses: Sequence[tuple[str, float]], additions: Sequence[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Syllables and bigrams of the clauses (soft words left out) and additions, with weights."""
    soft = _vocabulary().soft
    weights: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        weights[term] = max(weights.get(term, 0.0), weight)

    for text, weight in clauses:
        words = text.split()
        is_soft = [False] * len(words)
        for i, phrase in soft.found(words):
            for k in range(i, i + len(phrase)):
                is_soft[k] = True
        for k, word in enumerate(words):
            if not is_soft[k]:
                add(word, weight)
            if k and not (is_soft[k] and is_soft[k - 1]):
                add(f"{words[k - 1]}_{word}", weight)
    for phrase, weight in additions:
        words = phrase.split()
        for k, word in enumerate(words):
            add(word, weight)
            if k:
                add(f"{words[k - 1]}_{word}", weight)
    return sorted(weights.items(), key=lambda item: -item[1])


def _clauses(folded: str, vocabulary: _Vocabulary) -> tuple[list[tuple[str, float]], list[str], bool]:
    """The kept clauses with their weights (the weightiest 1), the cues met, and whether anything
    was set aside."""
    trimmed = False
    clauses: list[tuple[str, float]] = []
    cues: list[str] = []
    for part in _CLAUSE_BREAK.split(folded):
        if not _SYLLABLE.search(part):
            continue
        if _is_background(_SYLLABLE.findall(part), vocabulary):
            trimmed = True
            continue
        cleaned = _NOISE.sub(" ", part)
        trimmed = trimmed or cleaned != part
        words = _SYLLABLE.findall(cleaned)
        if not words:
            continue
        found = _cues(words, vocabulary)
        if found:
            cues.extend(found)
            weight = CUE_WEIGHT
        elif vocabulary.question.has(words):
            weight = QUESTION_WEIGHT
        else:
            weight = CONTEXT_WEIGHT
        clauses.append((" ".join(words), weight))
    if not clauses:  # only greetings: keep the words anyway, a short message may be a name
        words = _SYLLABLE.findall(folded)
        clauses = [(" ".join(words), CONTEXT_WEIGHT)] if words else []
    top = max((w for _, w in clauses), default=1.0)
    return [(clause, weight / top) for clause, weight in clauses], cues, trimmed


def analyse(text: str) -> Need:
    """Read a citizen's message into its need (see the module's docstring).

    Args:
        text: the message, as typed (any case, with or without diacritics, any length).

    Returns:
        The need; a message with nothing but greetings gives a need with no terms.
    """
    vocabulary = _vocabulary()
    clauses, cues, trimmed = _clauses(expand(fold(text[:_MAX_CHARS])), vocabulary)
    need_text = " ".join(clause for clause, _ in clauses)
    fired = _fired(need_text)
    # An addition weighs what the clause saying its trigger weighs: "tôi lấy chồng xa" (background)
    # adds "kết hôn" more softly than "giờ muốn chuyển khẩu về nhà chồng" adds "thường trú".
    # A replaced trigger ("mất" = died) is what the message is about, wherever it is said.
    additions: dict[str, float] = {}
    for rule in fired:
        said = (
            1.0
            if rule.replace
            else max((w for c, w in clauses if _fired_in(rule, c)), default=CONTEXT_WEIGHT)
        )
        for phrase in rule.add:
            additions[phrase] = max(additions.get(phrase, 0.0), ADDITION_WEIGHT * rule.weight * said)
    replaced = any(rule.replace for rule in fired)
    # Name search reads the weightiest clauses, and the one just before each (it often holds the
    # object: "giấy chứng nhận bị ghi sai diện tích, tôi muốn được sửa lại"), then the additions
    # those clauses make. When they name little ("nay tôi muốn đăng ký lại"), the rest follows.
    kept = [
        clause
        for k, (clause, weight) in enumerate(clauses)
        if weight >= 1.0 or (k + 1 < len(clauses) and clauses[k + 1][1] >= 1.0)
    ]
    if len(_hard_words(" ".join(kept))) < _THIN_NEED:
        kept += [clause for clause in (c for c, _ in clauses) if clause not in kept]
    trimmed = trimmed or len(kept) < len(clauses)
    kept_text = _without_replaced(" ".join(kept), fired) if replaced else " ".join(kept)
    # Name search reads the additions of the weightiest clauses when there are any (then "tôi lấy
    # chồng xa" adds no "kết hôn" to "giờ muốn chuyển khẩu về nhà chồng"), else all of them; a
    # replaced trigger's additions stand for it, however weighty its clause.
    replacing = {phrase for rule in fired if rule.replace for phrase in rule.add}
    strong = [p for p, weight in additions.items() if weight >= _STRONG_ADDITION or p in replacing]
    if not any(additions[p] >= _STRONG_ADDITION for p in strong):
        strong = list(additions)
    return Need(
        text_for_search=" ".join([kept_text, *strong]).strip(),
        clauses=tuple(clauses),
        terms=tuple(_terms(clauses, list(additions.items()))),
        additions=tuple(additions),
        qualifiers=qualifiers_of(need_text),
        cues_found=tuple(dict.fromkeys(cues)),
        trimmed=trimmed,
        replaced=replaced,
    )
