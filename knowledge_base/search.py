"""Finding procedures from a citizen's words.

Citizens type without diacritics, with abbreviations, typos and in any order, use everyday words
("sổ đỏ", "bằng lái", "làm", "mất") instead of the official ones, and wrap the procedure's name in a
question ("dang ky khai sinh can giay to gi"). The search works on folded syllables (no diacritics,
đ == d, lower case) and scores every procedure name against the query:

* The query is cut into *concepts*: a word, a phrase with everyday wordings (`ACTION_SYNONYMS`,
  `THING_SYNONYMS`, from the lexicon: "sổ đỏ" may also be "giấy chứng nhận quyền sử dụng đất"), or
  the bigram joining two neighbours. A concept is worth what its commonest wording among the names
  is worth (idf), and a name matches it as well as its best-matching wording; the citizen's own
  wording counts most.
* Words saying what the citizen wants to know ("cần giấy tờ gì", "bao lâu") or making conversation
  are *soft*: they weigh little and never select a procedure. A query whose hard words are only
  vague ones ("làm", "đăng ký", "mất") names no procedure and finds nothing, so a follow-up question
  keeps the conversation's procedure.
* A name scores by how much of the query it covers and how much of itself the query covers. Clauses
  that narrow a procedure ("đối với ...", "trong trường hợp ...", the channel it is done through)
  count less, and of a list of actions ("thay đổi, cải chính, bổ sung ...") only the one asked counts.
* A name that only modifies a grant ("Thu hồi", "Cấp lại", "Gia hạn ...") is demoted when the query
  does not ask for that, and a name is demoted when the query asks for such an action it lacks.
  Among near-ties the level a citizen normally goes to comes first (xã, then tỉnh), unless the query
  names a level ("cấp tỉnh", "trung ương").
* Staff-editable aliases (the `alias` table) are names citizens use for a procedure: an alias found
  in the query (as written, or its words close together in any order) stands for that procedure's
  name over the words it spans.
* Words typed without their spaces ("cancuoc", "lamcccd") are cut into known syllables, where the
  cut makes pairs that names or everyday phrases use; an unknown acronym of four letters or more
  stands for the phrase of names it clearly abbreviates ("attp": "an toàn thực phẩm").
* An unknown word is corrected to a known syllable one edit away (a letter missing, added, replaced
  or two swapped), preferring the one that names put beside its neighbours ("kai tu": "khai tử");
  a word of three letters, or a real syllable, only to one its neighbours confirm.
* Actions count as far as a name is about the thing the query names, and a modifying action asked
  for ("làm lại", "bị mất", "bị hỏng", "hết hạn") demotes names without it when names of that
  thing with it exist: "thẻ căn cước" is "Cấp thẻ căn cước", "thẻ căn cước bị hỏng" "Cấp đổi ...".
  "Mất bao lâu", "mất bao nhiêu tiền" ask what a procedure costs: their "mất" is no loss.

Citizens also *describe* what happened to them, at length ("Kính gửi ..., tôi tên là ..., mẹ tôi đã
qua đời ... Nay tôi muốn ... thì cần hồ sơ gì?"). `SearchIndex.search` therefore fuses two readers:

* `vntext.need.analyse` finds the need in the message: greetings, self-introduction, dates and
  addresses set aside, the clause saying what is wanted weighted most, everyday words mapped to
  the words procedures use (colloquial.yml: "mất" said of a person adds "khai tử"), and the
  qualifiers that pick a variant (foreign element, age, first issue / again / exchange, level).
* Name search (above) reads the message as typed when it is short, or the need's clauses (with the
  additions) when something was set aside; it also reads the additions when the message as typed
  names nothing clearly (`FusionWeights.widen_below`).
* `knowledge_base.retrieval.ContentIndex` scores the need's terms (and the words name search read,
  typos corrected) against everything each procedure says (BM25F over name, field, applicants,
  result, conditions, documents, steps).
* `knowledge_base.ranking.fuse` blends them: `(1 - a) * name rank + a * content + qualifiers`,
  where the content's share `a` falls as the best name match gets clear, and the qualifiers adjust
  near-best candidates that have a sibling variant ("... có yếu tố nước ngoài").

What a hit's score means (always in [0, 1], never rising down the list, comparable across queries):

* A clear name match keeps nearly its name rank (0.9 and more for "đăng ký khai sinh"): the
  content then has `content_share_min` of the score, and agrees with it.
* A message naming nothing, found only by what procedures say, scores at most
  `content_share_max` times the content retrieval's confidence (its best score per unit of query
  weight, `content_confidence`): typically 0.5-0.75 for a life event or a letter, lower when the
  words are spread over many procedures. Such hits have `source == "content"`.
* Qualifiers move a variant by about 0.1 among near-best siblings.

The thresholds the dialogue applies (answer, ask which, "names no procedure") are calibrated on
these scores by the dialogue, not here.

The vocabulary is data, in knowledge_base/lexicon/ (read through `vntext.lexicon`): everyday
verbs (actions.yml), things (things.yml), question words and small talk (questions.yml), level words
(levels.yml), abbreviations (abbreviations.yml), colloquial wordings of a need (colloquial.yml).
Every weight of the ranking is a field of `knowledge_base.ranking.RankingWeights`,
`ContentWeights` or `FusionWeights`, used by the small feature functions there.

The index (names, aliases and the content index) is built in memory once per database, in about two
seconds over the national list, and rebuilt when the procedures or aliases change (see `get_index`
for when a change is seen).
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.models import Alias, Procedure
from knowledge_base.ranking import (
    DEFAULT_FUSION,
    DEFAULT_WEIGHTS,
    FusionWeights,
    RankingWeights,
    VariantTraits,
    action_penalty,
    alias_bonus,
    concept_match,
    content_confidence,
    content_share,
    demotes_unasked,
    fuse,
    lead_bonus,
    level_prior,
    name_coverage,
    qualifier_adjustment,
    query_coverage,
    rank,
)
from knowledge_base.retrieval import ContentIndex
from vntext import fold, lexicon
from vntext.abbreviations import ABBREVIATIONS, expand
from vntext.need import Need, analyse

_SYLLABLE = re.compile(r"[a-z0-9]+")
# Long messages are cut: a procedure is named in a few words, and the cost must stay bounded.
_MAX_QUERY_CHARS = 600
_MAX_QUERY_SYLLABLES = 40

# --- Procedure names ---------------------------------------------------------------------------

# Level notes: "(thực hiện tại cấp tỉnh)", "(cấp xã)", "... thực hiện tại cấp trung ương, cấp tỉnh,
# cấp xã". They tell levels apart, which the `levels` column already does.
_LEVEL = r"cap (?:xa|tinh|bo|huyen|trung uong)"
_LEVEL_NOTE = re.compile(
    r"\((?:thay the - )?(?:thuc hien )?(?:(?:tai|o) )?" + _LEVEL + r"\)"
    r"|\(?thuc hien (?:tai|o) " + _LEVEL + r"(?:\s*,\s*" + _LEVEL + r")*\)?"
)
# "(trừ xe mô tô, xe gắn máy)" says what a procedure is *not* for: its words must not match.
_EXCLUSION_NOTE = re.compile(r"\(\s*tru [^)]*\)?")
# Where a name stops naming the procedure and starts narrowing it; the rest weighs less in how much
# of the name a query covers.
_QUALIFIER_START = re.compile(
    r"\b(?:doi voi|trong truong hop|trong cac truong hop|truong hop"
    r"|cho (?:nguoi|cong dan|to chuc|ca nhan|tre em|doanh nghiep|ho gia dinh)"
    r"|(?:thuc hien )?(?:bang|qua) dich vu cong|thuc hien (?:tai|o))\b|[;(:]"
)

# --- Query words -------------------------------------------------------------------------------

# What the citizen wants to know, not which procedure, and small talk: soft. Folded phrases
# (lexicon/questions.yml).
_QUESTIONS = lexicon.load("questions")
_SOFT_PHRASES: tuple[str, ...] = lexicon.soft_phrases()
# "Mất"/"tốn" before (about) a quantity asked for says what a procedure costs: a question, not a loss.
_COST_VERBS = frozenset(_QUESTIONS["cost"]["verbs"])
_COST_FILLERS = frozenset(_QUESTIONS["cost"]["fillers"])
_QUANTITY_WORDS = frozenset(_QUESTIONS["cost"]["quantities"])

# A level named in the query steers the ranking to procedures done at that level. Folded phrases
# (lexicon/levels.yml).
_LEVEL_PHRASES: dict[str, tuple[str, ...]] = lexicon.level_phrases()
# Preferred among near-ties: the level a citizen normally goes to (see `RankingWeights`).
LEVEL_PREFERENCE = DEFAULT_WEIGHTS.level_preference()

# Everyday wordings (folded) of what names say (lexicon/actions.yml `triggers`, lexicon/things.yml).
# A phrase found in the query may match a name through any of its wordings, and its own words still
# count. Verbs first: on their own they name no procedure.
_ACTIONS = lexicon.load("actions")
ACTION_SYNONYMS: dict[str, tuple[str, ...]] = lexicon.action_triggers()
THING_SYNONYMS: dict[str, tuple[str, ...]] = lexicon.things()

# Query words too vague to name a procedure on their own, besides the words of actions and the
# words in a tenth of all names ("cấp", "giấy", "đăng ký").
_VAGUE_WORDS = frozenset(_ACTIONS["vague"])

# --- Actions -----------------------------------------------------------------------------------

# Leading actions of names that change a thing already granted. Folded, longest first.
_MODIFIER_ACTIONS = sorted(_ACTIONS["modifying"], key=len, reverse=True)
# Leading actions that grant something: a name listing one needs no particular action asked.
_GRANT_ACTIONS = tuple(_ACTIONS["granting"])
# Words that only carry an action ("cấp lại" is said by "lại" after "cấp").
_ACTION_FILLER = frozenset({"cap", "dang", "ky", "phe", "duyet"})
# Action words too ambiguous once folded to stand alone: they count only with the word before.
_ACTION_AMBIGUOUS = frozenset({"lai", "doi"})  # "lái"; "đối với", "thay đổi"
# Leading actions of names that citizens also say another way, with the bigram they say it with.
_ACTION_ALSO_SAID = {"doi": "cap_doi"}
# Actions a query may ask for, which a name must then say (unambiguous once folded).
_ASKED_ACTIONS = tuple(_ACTIONS["asked"])

# Words of colloquial additions that name nothing on their own ("bị mất" adds "cấp lại", "bi mat").
_ADDITION_FILLERS = frozenset({"bi", "lai", "doi", "mat"})
# Words that only say an action: a query made of them ("gia hạn thì sao?") names no procedure.
_ACTION_WORDS = _VAGUE_WORDS.union(
    *(phrase.split() for phrase in (*_MODIFIER_ACTIONS, *_GRANT_ACTIONS)),
    *(key.split() for key in ACTION_SYNONYMS),
)

# --- Scoring -----------------------------------------------------------------------------------

# The weights of ranking are `RankingWeights` (knowledge_base/ranking.py); these are limits.
_ALIAS_GAP = 2  # words allowed between an alias's words
_CANDIDATES = 60  # names scored in full, the best by the query's rarer words
_CONTENT_CANDIDATES = 30  # procedures content retrieval adds to the fusion
_COVERAGE_WEIGHT = 0.75  # query words this weighty count in content coverage
_COMMON_FRACTION = 0.1  # words in this share of names only refine the ranking
_COMMON_MIN_DOCS = 20  # ... and in at least this many (a small index has no common words)
_SPECIFIC_NAMES = 8  # vague words name a procedure when no more names than this have them all
_MAX_PIECE_LETTERS = 8  # "nghieng", the longest folded syllable, has 7; "passport" 8
_MAX_CUTS = 64  # ways of cutting one joined word that are compared
_MAX_JOINED_LETTERS = 30  # longer "words" are not corrected or cut (no citizen joins more)
_MAX_ACRONYMS_PER_QUERY = 3  # acronyms looked up in one query (each lookup scans the names)
_ACRONYM_MIN, _ACRONYM_MAX = 4, 6  # words in a phrase an unknown acronym may stand for ("kkk" is none)
_TYPO_MIN_LETTERS = 4  # a shorter unknown word is corrected only to what its neighbours confirm
_MAX_REMEMBERED_ACRONYMS = 10_000  # the memory of acronyms met stays bounded
_ACRONYM_MIN_NAMES = 4  # names that must use the phrase
_ACRONYM_DOMINANCE = 2.0  # ... this many times more than the next phrase with the same initials
_ACRONYM_TIED = 0.8  # a phrase followed by the same word this often is part of a longer one
# Words that link terms rather than make them: no acronym stands for a phrase with one inside.
# fmt: off
_LINKING_WORDS = frozenset({
    "cho", "cua", "va", "voi", "tai", "la", "de", "trong", "cac", "nhung", "hoac", "theo", "ve", "o", "khi",
    "da", "duoc",
})
# fmt: on


@dataclass(frozen=True)
class SearchHit:
    """One search result, best first in a result list."""

    code: str
    name: str
    level: str
    score: float
    #: How the hit was found: "name" (its name or an alias matches), "content" (only what the
    #: procedure says matches the need), or "both".
    source: str = "name"


@dataclass
class _Concept:
    """A part of the query, which a name may match through any of its wordings."""

    alts: list[tuple[str, ...]]  # each wording's terms (syllables and inner bigrams), the citizen's first
    weights: list[float]  # each wording's total idf
    weight: float  # what matching it fully is worth
    hard: bool  # not a question word
    naming: bool  # could name a procedure on its own
    positions: frozenset[int]  # the query positions it covers
    verb: bool = False  # a verb of `ACTION_SYNONYMS` ("làm", "xin"): says nothing of which procedure


# doc -> (alias weight, query positions its aliases cover, hard query weight they span)
_AliasHit = tuple[float, frozenset[int], float]
# A concept as scored: weight, query positions, a verb, each wording's scored terms and weight.
_PlannedConcept = tuple[
    float, frozenset[int], bool, list[tuple[list[tuple[str, float, tuple[str, ...]]], float]]
]


@dataclass
class _Query:
    """What search reads from a query before scoring any name."""

    words: list[str]  # its syllables, joined words cut and typos corrected
    concepts: list[_Concept]
    asked: list[frozenset[str]]  # the terms saying each modifying action it asks for
    alias_matches: list[tuple[frozenset[int], tuple[tuple[int, float], ...], float]]
    terms: set[str]  # every term of every wording
    hard_words: dict[str, frozenset[str] | None]  # hard word -> bigrams one of which must match
    weighted: list[tuple[str, float]]  # hard terms with their share of their concept's weight
    levels: set[str]  # the levels it names
    hard_total: float  # the weight of its hard concepts
    total: float  # the weight of all its concepts
    thing_total: float  # the weight of its concepts that are not verbs


# --- Text helpers ------------------------------------------------------------------------------


def _syllables(folded: str) -> list[str]:
    # Numbers compare by value: "mức độ 02" is "mức 2".
    return [w.lstrip("0") or "0" if w.isdigit() else w for w in _SYLLABLE.findall(folded)]


def _bigram(a: str, b: str) -> str:
    return f"{a}_{b}"


def _phrase_terms(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(words) + tuple(_bigram(a, b) for a, b in pairwise(words))


def _scored_terms(
    terms: tuple[str, ...], idf: dict[str, float], coherent: bool
) -> list[tuple[str, float, tuple[str, ...]]]:
    """The terms of one wording a name may match: (term, idf, bigrams one of which must match too).

    The citizen's own words count wherever they are in a name (word order is free); the words of
    another wording count only beside a neighbour of that wording ("hộ kinh doanh" is not matched
    by the "hỗ" of "hỗ trợ" and the "kinh doanh" of another phrase).
    """
    words = [t for t in terms if "_" not in t]
    out = []
    for term in terms:
        if term not in idf:
            continue
        needs: tuple[str, ...] = ()
        if coherent and "_" not in term and len(words) > 1:
            k = words.index(term)
            neighbours = words[max(k - 1, 0) : k + 2]
            needs = tuple(_bigram(x, y) for x, y in pairwise(neighbours) if term in (x, y))
        out.append((term, idf[term], needs))
    return out


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _is_acronym_shaped(word: str) -> bool:
    """Letters only, not a Vietnamese syllable, and at most one vowel ("xnk", "attp"; not "thanh")."""
    return (
        word.isalpha()
        and _ACRONYM_MIN <= len(word) <= _ACRONYM_MAX
        and sum(letter in "aeiouy" for letter in word) <= 1
        and not _VIETNAMESE_SYLLABLE.match(word)
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter added, removed or replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return a[start:] == b[start + 1 :]
    swapped = start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
    return a[start + 1 :] == b[start + 1 :] or (swapped and a[start + 2 :] == b[start + 2 :])


_PhraseIndex = dict[str, list[tuple[tuple[str, ...], Any]]]


def _by_first_word(phrases: Iterable[tuple[tuple[str, ...], Any]]) -> _PhraseIndex:
    """Index phrases by their first syllable, longest first, for matching at each query position."""
    index: _PhraseIndex = defaultdict(list)
    for words, value in phrases:
        if words:
            index[words[0]].append((words, value))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return dict(index)


# Shorthand of three letters or more that may be typed glued to a word ("lamcccd"), with its syllables.
_SHORTHAND = {
    short: tuple(_SYLLABLE.findall(full)) for short, full in ABBREVIATIONS.items() if len(short) >= 3
}
_NAME_ACRONYMS = {short: full for short, full in ABBREVIATIONS.items() if len(short) >= 3}


def _expand_name(folded: str) -> str:
    """Expand the acronyms a name uses ("BHXH", "TNHH"); chat shorthand ("k", "tt") is left alone."""
    return _SYLLABLE.sub(lambda m: _NAME_ACRONYMS.get(m.group(0), m.group(0)), folded)


def _split(phrase: str) -> tuple[str, ...]:
    return tuple(_syllables(phrase))


_SYNONYM_INDEX = _by_first_word(
    (_split(key), (key in ACTION_SYNONYMS, tuple(_split(alt) for alt in alts)))
    for key, alts in {**THING_SYNONYMS, **ACTION_SYNONYMS}.items()
)
_SOFT_INDEX = _by_first_word((_split(p), None) for p in _SOFT_PHRASES)
_LEVEL_WORDINGS = tuple(p for ps in _LEVEL_PHRASES.values() for p in ps)
_LEVEL_INDEX = _by_first_word((_split(p), level) for level, ps in _LEVEL_PHRASES.items() for p in ps)


def _phrases_at(index: _PhraseIndex, words: list[str], i: int) -> Iterable[tuple[tuple[str, ...], Any]]:
    for phrase, value in index.get(words[i], ()):
        if tuple(words[i : i + len(phrase)]) == phrase:
            yield phrase, value


def _prepare(query: str) -> list[str]:
    return _syllables(expand(fold(query[:_MAX_QUERY_CHARS])))[:_MAX_QUERY_SYLLABLES]


def _soft_flags(words: list[str], known_bigrams: dict[str, float] | None = None) -> list[bool]:
    """Which words belong to a question, small-talk or level phrase (phrases may overlap).

    A soft phrase of one word is ambiguous once folded ("co" is "có" but also "cổ" in "cổ phần",
    "thi" is "thì" but also "thị" in "thị thực"): with `known_bigrams`, such a word followed by a
    hard word it forms a name's bigram with is not soft. (Not preceded: "khai sinh cho ..." is a
    name's bigram too, by chance.)
    """
    soft = [False] * len(words)
    single = [False] * len(words)
    for index in (_SOFT_INDEX, _LEVEL_INDEX):
        for i in range(len(words)):
            for phrase, _ in _phrases_at(index, words, i):
                for k in range(i, i + len(phrase)):
                    if len(phrase) > 1:
                        soft[k] = True
                    else:
                        single[k] = True
    # "Mất (khoảng) bao lâu", "tốn bao nhiêu tiền": the cost of a procedure, not a loss.
    for k, word in enumerate(words):
        if word in _COST_VERBS:
            j = k + 1
            while j < len(words) and words[j] in _COST_FILLERS:
                j += 1
            if j < len(words) and words[j] in _QUANTITY_WORDS and (soft[j] or single[j]):
                for m in range(k, j):
                    soft[m] = True
    hard = [not (s or one) for s, one in zip(soft, single, strict=True)]
    for k, word in enumerate(words):
        if single[k] and not soft[k]:
            soft[k] = known_bigrams is None or not (
                k + 1 < len(words) and hard[k + 1] and _bigram(word, words[k + 1]) in known_bigrams
            )
    return soft


def _actions_in(wordings: Iterable[Iterable[str]]) -> list[str]:
    """The modifying actions (`_ASKED_ACTIONS`) any of these wordings says."""
    texts = [" " + " ".join(words) + " " for words in wordings]
    return [a for a in _ASKED_ACTIONS if any(f" {a} " in text for text in texts)]


def _said_actions(words: list[str]) -> list[str]:
    """The modifying actions that words say, as written or in an everyday wording (for aliases)."""
    wordings: list[Iterable[str]] = [words]
    for i in range(len(words)):
        for _, (_, alternatives) in _phrases_at(_SYNONYM_INDEX, words, i):
            wordings.extend(alternatives)
    return _actions_in(wordings)


def _asked_levels(words: list[str]) -> set[str]:
    return {level for i in range(len(words)) for _, level in _phrases_at(_LEVEL_INDEX, words, i)}


def normalise_query(query: str) -> list[tuple[str, bool]]:
    """Fold a query and expand abbreviations; return its syllables, each flagged as "soft".

    A soft syllable belongs to a phrase that says what the citizen wants to know ("cần giấy tờ gì",
    "bao lâu"), makes conversation, or names a level, rather than which procedure; it still counts,
    but little, because such words also occur in a few procedure names ("cấp giấy ...").
    """
    words = _prepare(query)
    return list(zip(words, _soft_flags(words), strict=True))


# Vietnamese syllable shapes (folded): a syllable that fits none is a typo or a foreign word.
_VIETNAMESE_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:a|ai|ao|au|ay|am|an|ang|anh|ap|at|ac|ach|e|eo|em|en|eng|ep|et|ec|ech|enh|eu|i|ia|iu|im|in|"
    r"inh|ip|it|ich|iem|ien|iep|iet|ieu|ieng|o|oa|oai|oay|oan|oang|oanh|oat|oac|oach|oam|oap|oe|oen|"
    r"oet|oeo|oi|om|on|ong|oong|op|ot|oc|ooc|u|ua|uan|uat|uay|uang|uanh|uac|uach|ue|uen|uet|uenh|ui|"
    r"um|un|ung|up|ut|uc|uy|uya|uyen|uyet|uynh|uyt|uych|uyu|uu|uoi|uom|uon|uong|uop|uot|uoc|uo|uau|"
    r"yeu|yen|yet|y)$"
)


def _action_terms(action: str) -> frozenset[str]:
    """The query terms that say `action`: its own words without "cấp"/"đăng ký" ("cap lai" -> "cap_lai")."""
    words = action.split()
    terms = set()
    for i, word in enumerate(words):
        if word in _ACTION_FILLER:
            continue
        terms.add(_bigram(words[i - 1], word) if word in _ACTION_AMBIGUOUS and i else word)
        if i and words[i - 1] not in _ACTION_FILLER:
            terms.add(_bigram(words[i - 1], word))
    return frozenset(terms or words)


_LEADING_ACTIONS = [(a, True) for a in _MODIFIER_ACTIONS] + [(a, False) for a in _GRANT_ACTIONS]


def _leading_actions(head: str) -> list[tuple[str, bool]]:
    """The actions a name starts with, each flagged True when it modifies a grant.

    "cap lai, doi, dieu chinh thong tin tren so ..." -> [("cap lai", True), ("doi", True),
    ("dieu chinh", True)].
    """
    actions: list[tuple[str, bool]] = []
    for item in re.split(r"\s*(?:,|/|\bva\b|\bhoac\b)\s*", head.strip()):
        words = _syllables(item)
        if not words:
            continue
        text = " ".join(words)
        action = next((a for a in _LEADING_ACTIONS if text == a[0] or text.startswith(a[0] + " ")), None)
        if action is None:
            break
        actions.append(action)
        if text != action[0]:
            break  # the action's object follows: the list of actions is over
    return actions


# --- The index ---------------------------------------------------------------------------------


class SearchIndex:
    """In-memory index over procedure names and aliases, rebuilt when the database changes."""

    def __init__(
        self,
        procedures: Iterable[tuple[str, str, str]],
        aliases: Iterable[tuple[str, str, float]] = (),
        *,
        weights: RankingWeights = DEFAULT_WEIGHTS,
        content: ContentIndex | None = None,
        fusion: FusionWeights = DEFAULT_FUSION,
    ) -> None:
        """Build the index.

        Args:
            procedures: (code, name, levels) of every procedure; levels comma-separated ("xa,tinh").
            aliases: (alias, procedure code, weight); aliases of unknown codes are ignored.
            weights: the ranking's weights (the tuned ones by default).
            content: retrieval over everything the procedures say (`ContentIndex.from_session`);
                by default one over their names alone.
            fusion: how name search and content retrieval are fused, and the qualifiers' weights.
        """
        procedures = list(procedures)
        self.weights = weights
        self.fusion = fusion
        self.codes: list[str] = []
        self.names: list[str] = []
        self.levels: list[list[str]] = []
        self.level_prior: list[float] = []
        self.idf: dict[str, float] = {}
        self.postings: dict[str, list[int]] = {}
        self.doc_terms: list[dict[str, float]] = []  # every term of a name -> how much a match counts
        self.doc_words: list[dict[str, float]] = []  # word -> weight in name coverage
        self.name_total: list[float] = []
        # doc -> weights of each action of the list a name starts with, when it lists several
        self.action_lists: dict[int, list[dict[str, float]]] = {}
        self.action_needs: list[tuple[frozenset[str], ...]] = []  # any one of these must be asked
        self.lead_terms: list[tuple[str, str]] = []  # a name's first bigram and first word
        self._initials: list[tuple[str, list[str]]] = []  # each name's first letters, and its words
        self._acronyms: dict[str, tuple[str, ...] | None] = {}  # acronym -> phrase, filled as met
        self._build_names(list(procedures))
        self._build_aliases(aliases)
        self._build_vocabulary()
        self.traits = variant_traits_of(self.names)
        self.content = content or ContentIndex.from_names((code, name) for code, name, _ in procedures)
        position = {code: doc for doc, code in enumerate(self.codes)}
        # content index order -> this index's order (-1: a procedure only the content index has)
        self._content_doc = [position.get(code, -1) for code in self.content.codes]

    @classmethod
    def from_session(cls, session: Session) -> SearchIndex:
        """Build the index from the procedures and aliases in the database, and the content index."""
        procedures = session.execute(select(Procedure.code, Procedure.name, Procedure.levels)).all()
        aliases = session.execute(
            select(Alias.alias_folded, Procedure.code, Alias.weight).join(
                Procedure, Procedure.id == Alias.procedure_id
            )
        ).all()
        return cls(
            [tuple(row) for row in procedures],
            [tuple(row) for row in aliases],
            content=ContentIndex.from_session(session),
        )

    def _build_names(self, procedures: list[tuple[str, str, str]]) -> None:
        factors_by_doc: list[dict[str, float]] = []
        action_words: dict[int, list[tuple[str, ...]]] = {}
        doc_freq: dict[str, int] = defaultdict(int)
        for doc, (code, name, levels) in enumerate(procedures):
            folded = _EXCLUSION_NOTE.sub(" ", _LEVEL_NOTE.sub(" ", fold(name)))
            folded = re.sub(r"^\s*thu tuc\b", " ", folded)
            cut = _QUALIFIER_START.search(folded)
            head_text = folded[: cut.start()] if cut else folded
            head = _syllables(_expand_name(head_text))
            tail = _syllables(_expand_name(folded[cut.start() :])) if cut else []
            factors: dict[str, float] = {}
            for words, factor in ((head, 1.0), (tail, self.weights.qualifier_factor)):
                for term in _phrase_terms(tuple(words)):
                    factors[term] = max(factors.get(term, 0.0), factor)
            if head and tail:
                factors.setdefault(_bigram(head[-1], tail[0]), self.weights.qualifier_factor)
            actions = _leading_actions(head_text)
            for action, _ in actions:
                # A name saying "Đổi ..." does what a citizen asks as "cấp đổi ...".
                if action in _ACTION_ALSO_SAID:
                    factors.setdefault(_ACTION_ALSO_SAID[action], 1.0)
            factors_by_doc.append(factors)
            for term in factors:
                doc_freq[term] += 1
            self._initials.append(("".join(w[0] for w in head + tail), head + tail))

            level_list = [level for level in levels.split(",") if level]
            self.codes.append(code)
            self.names.append(name)
            self.levels.append(level_list)
            self.level_prior.append(level_prior(level_list, self.weights))
            modifies_only = bool(actions) and all(modifies for _, modifies in actions)
            self.action_needs.append(tuple(_action_terms(a) for a, _ in actions) if modifies_only else ())
            if len(actions) > 1:
                action_words[doc] = [tuple(a.split()) for a, _ in actions]
            self.lead_terms.append((_bigram(*head[:2]) if len(head) > 1 else "", head[0] if head else ""))

        n = max(len(procedures), 1)
        self.idf = {term: math.log(1 + n / df) for term, df in doc_freq.items()}
        self._common_idf = math.log(1 + n / max(_COMMON_FRACTION * n, _COMMON_MIN_DOCS))
        postings: dict[str, list[int]] = defaultdict(list)
        for doc, factors in enumerate(factors_by_doc):
            for term in factors:
                postings[term].append(doc)
            # A query's word found only where the name narrows itself says less about the procedure.
            tail = self.weights.tail_match_factor
            self.doc_terms.append({t: 1.0 if f == 1.0 else tail for t, f in factors.items()})
            # Name coverage counts words (bigrams would count each word twice); of a list of actions
            # ("thay đổi, cải chính, bổ sung ..."), only the best-covered one counts.
            weighted = {t: self.idf[t] * f for t, f in factors.items() if "_" not in t}
            total = 0.0
            if doc in action_words:
                groups = [{w: weighted.get(w, 0.0) for w in action} for action in action_words[doc]]
                listed = {w for action in action_words[doc] for w in action}
                weighted = {w: v for w, v in weighted.items() if w not in listed}
                self.action_lists[doc] = groups
                total = max(sum(g.values()) for g in groups)
            self.doc_words.append(weighted)
            self.name_total.append((total + sum(weighted.values())) or 1.0)
        self.postings = dict(postings)

    def _build_aliases(self, aliases: Iterable[tuple[str, str, float]]) -> None:
        position = {code: doc for doc, code in enumerate(self.codes)}
        targets: dict[tuple[str, ...], dict[int, float]] = defaultdict(dict)
        for alias, code, weight in aliases:
            words = tuple(_syllables(expand(fold(alias))))
            if words and code in position and weight is not None and weight > 0:  # 0 switches it off
                doc = position[code]
                targets[words][doc] = max(targets[words].get(doc, 0.0), float(weight))
        # Each alias under each of its words, to find it in any order.
        self._aliases: dict[str, list[tuple[tuple[str, ...], tuple[tuple[int, float], ...]]]] = defaultdict(
            list
        )
        for words, by_doc in targets.items():
            for word in set(words):
                self._aliases[word].append((words, tuple(by_doc.items())))
        self._alias_phrases = list(targets)
        # The modifying actions each alias says, or None when it says no action at all.
        self._alias_actions: dict[tuple[str, ...], frozenset[str] | None] = {
            words: frozenset(_said_actions(list(words))) if _ACTION_WORDS.intersection(words) else None
            for words in targets
        }

    def _build_vocabulary(self) -> None:
        self._vocab = {t for t in self.idf if "_" not in t}
        phrases = list(self._alias_phrases)
        for key, alts in {**THING_SYNONYMS, **ACTION_SYNONYMS}.items():
            phrases.append(_split(key))
            phrases.extend(_split(alt) for alt in alts)
        phrases.extend(_split(p) for p in (*_SOFT_PHRASES, *_LEVEL_WORDINGS))
        known = set(self._vocab)
        for words in phrases:
            known.update(words)
        self._known = known
        # How many names (or everyday phrases) hold each pair of neighbouring syllables: the context
        # that tells which correction or which split of a word was meant.
        bigram_df = {term: len(docs) for term, docs in self.postings.items() if "_" in term}
        for words in phrases:
            for a, b in pairwise(words):
                bigram_df.setdefault(_bigram(a, b), 1)
        self._bigram_df = bigram_df
        self._delete_map: dict[str, set[str]] = defaultdict(set)
        for word in known:
            if len(word) >= 3 and word.isalpha():
                for deleted in _deletes(word):
                    self._delete_map[deleted].add(word)
        # The syllables a word typed without its spaces ("cancuoc") may be cut into,
        # and the foreign words and shorthand that need no neighbour to be believed ("passport").
        self._pieces = {w for w in known if w.isalpha() and _VIETNAMESE_SYLLABLE.match(w)}
        self._loanwords = {w for w in known if w.isalpha() and len(w) >= 3 and w not in self._pieces}
        self._loanwords.update(_SHORTHAND)

    # -- reading the query --------------------------------------------------------------------

    def _context(self, candidate: str, before: str | None, after: str | None) -> int:
        """How many names (or everyday phrases) put `candidate` beside these neighbours."""
        df = self._bigram_df
        return (df.get(_bigram(before, candidate), 0) if before else 0) + (
            df.get(_bigram(candidate, after), 0) if after else 0
        )

    def _corrections(
        self, word: str, before: str | None, after: str | None, hard_before: bool, hard_after: bool
    ) -> list[str]:
        """Known syllables one edit from `word` when it is unknown, likeliest first.

        A word of four letters or more that is not Vietnamese ("khaii") is corrected to the
        likeliest candidate; a real syllable unknown to every name ("chiu" in "ho chiu") or a
        shorter word ("sih") only to a candidate that makes a known bigram with a neighbour. The
        candidates the names put most often beside the neighbours (`before`, `after`) come first
        ("kai tu": "khai", of "khai tử", rather than "tai" or "lai"), those beside a hard neighbour
        (`hard_before`, `hard_after`) before them, then the commoner words.
        """
        if word in self._known or not 3 <= len(word) <= _MAX_JOINED_LETTERS or not word.isalpha():
            return []
        candidates = set(self._delete_map.get(word, ()))  # a letter missing
        for deleted in _deletes(word):
            if deleted in self._known:  # a letter too many
                candidates.add(deleted)
            candidates |= self._delete_map.get(deleted, set())  # one replaced, or two swapped
        candidates = {c for c in candidates if _one_edit_apart(word, c)}

        def hard_context(candidate: str) -> int:
            return bool(hard_before and self._context(candidate, before, None)) + bool(
                hard_after and self._context(candidate, None, after)
            )

        if _VIETNAMESE_SYLLABLE.match(word) or len(word) < _TYPO_MIN_LETTERS:
            candidates = {c for c in candidates if self._context(c, before, after)}
        return sorted(
            candidates,
            key=lambda c: (-hard_context(c), -self._context(c, before, after), self.idf.get(c, 99.0), c),
        )[:2]

    def _acronym(self, word: str) -> tuple[str, ...] | None:
        """The phrase of names `word` abbreviates ("attp": "an toàn thực phẩm"), or None.

        Only a phrase that clearly dominates the others with the same initials; the answer is
        remembered (up to `_MAX_REMEMBERED_ACRONYMS` acronyms).
        """
        if word in self._acronyms:
            return self._acronyms[word]
        counts: dict[tuple[str, ...], int] = defaultdict(int)
        # The words met right after each phrase: a phrase nearly always followed by the same word
        # ("địa điểm đặt trụ" + "sở") is part of a longer one, not a term of its own.
        following: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for initials, words in self._initials:
            found = set()
            start = initials.find(word)
            while start >= 0:
                end = start + len(word)
                phrase = tuple(words[start:end])
                if all(w.isalpha() and w not in _LINKING_WORDS for w in phrase):
                    found.add(phrase)
                    following[phrase].append(words[end] if end < len(words) else "")
                start = initials.find(word, start + 1)
            for phrase in found:
                counts[phrase] += 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        phrase = None
        if ranked and ranked[0][1] >= _ACRONYM_MIN_NAMES:
            best, count = ranked[0]
            after = following[best]
            whole = max(after.count(w) for w in set(after)) < _ACRONYM_TIED * len(after)
            if whole and (len(ranked) == 1 or count >= _ACRONYM_DOMINANCE * ranked[1][1]):
                phrase = best
        if len(self._acronyms) < _MAX_REMEMBERED_ACRONYMS:
            self._acronyms[word] = phrase
        return phrase

    def _split_joined(self, words: list[str]) -> list[str]:
        """Expand unknown acronyms ("attp"), cut words typed without spaces ("cancuoc") into syllables."""
        out: list[str] = []
        acronyms = 0
        for i, word in enumerate(words):
            pieces = None
            if word not in self._known and _is_acronym_shaped(word) and acronyms < _MAX_ACRONYMS_PER_QUERY:
                acronyms += 1
                phrase = self._acronym(word)
                if phrase:
                    out.extend(phrase)
                    continue
            if word not in self._known and 4 <= len(word) <= _MAX_JOINED_LETTERS and word.isalpha():
                before = out[-1] if out else None
                after = words[i + 1] if i + 1 < len(words) else None
                cut = self._segment(word, before, after)
                # A typo of one word ("cuco") may also cut into syllables ("cu co"): the reading
                # better attested beside the neighbours wins.
                fixes = self._corrections(word, before, after, before is not None, after is not None)
                if cut and (not fixes or cut[0] > self._context(fixes[0], before, after)):
                    pieces = cut[1]
            out.extend(pieces or (word,))
        return out[:_MAX_QUERY_SYLLABLES]

    def _segment(self, word: str, before: str | None, after: str | None) -> tuple[int, list[str]] | None:
        """The likeliest cut of `word` into known syllables or shorthand, expanded, or None.

        Likeliest: the most neighbouring pieces (the query's words around included) that names or
        everyday phrases put side by side, then the fewest pieces. A syllable of one or two letters
        must be linked so to a neighbour, so that a typo ("khaii") is not read as "khai" + "i"; and
        some piece must be linked, or be known shorthand ("cccd"), so that a foreign word or a typo
        is not cut into syllables that were never meant. Returns how many names attest the links
        with the cut, and the cut.
        """

        def is_piece(start: int, end: int) -> bool:
            piece = word[start:end]
            return piece in self._pieces or piece in self._loanwords

        # Where the rest of the word can be cut into pieces, so that the walk below never goes
        # down a dead end (which could take exponential time).
        size = len(word)
        ends_well = [False] * size + [True]
        for start in range(size - 1, -1, -1):
            ends_well[start] = any(
                ends_well[end] and is_piece(start, end)
                for end in range(start + 1, min(size, start + _MAX_PIECE_LETTERS) + 1)
            )
        cuts: list[list[str]] = []

        def walk(start: int, parts: list[str]) -> None:
            if start == size:
                cuts.append(list(parts))
                return
            for end in range(start + 1, min(size, start + _MAX_PIECE_LETTERS) + 1):
                if len(cuts) < _MAX_CUTS and ends_well[end] and is_piece(start, end):
                    parts.append(word[start:end])
                    walk(end, parts)
                    parts.pop()

        if ends_well[0]:
            walk(0, [])
        best: tuple[tuple[int, int, int], list[str]] | None = None  # (links, -pieces, attested), cut
        for parts in cuts:
            if len(parts) < 2:
                continue
            chain = [before, *parts, after]
            linked = [
                (chain[k] is not None and _bigram(chain[k], chain[k + 1]) in self._bigram_df)
                or (chain[k + 2] is not None and _bigram(chain[k + 1], chain[k + 2]) in self._bigram_df)
                for k in range(len(parts))
            ]
            shorthand = [piece in self._loanwords for piece in parts]
            if not any(linked) and not any(shorthand):
                continue
            if any(
                len(piece) < 3 and not (ok or short)
                for piece, ok, short in zip(parts, linked, shorthand, strict=True)
            ):
                continue
            found = [self._bigram_df.get(_bigram(x, y), 0) for x, y in pairwise(chain) if x and y]
            score = (sum(1 for df in found if df), -len(parts), sum(found))
            if best is None or score > best[0]:
                best = (score, parts)
        if best is None:
            return None
        return best[0][2], [syllable for piece in best[1] for syllable in _SHORTHAND.get(piece, (piece,))]

    def _concepts(
        self, words: list[str], soft: list[bool], corrected: dict[int, list[str]]
    ) -> list[_Concept]:
        # Units: synonym phrases (longest first), corrected words, plain words.
        # (wordings, hard, naming, positions, corrected, a verb)
        units: list[tuple[list[tuple[str, ...]], bool, bool, frozenset[int], bool, bool]] = []
        i = 0
        while i < len(words):
            match = next(iter(_phrases_at(_SYNONYM_INDEX, words, i)), None)
            if match is not None:
                phrase, (is_action, alternatives) = match
                j = i + len(phrase)
                hard = not all(soft[i:j])
                alts = [phrase, *alternatives] if hard else [phrase]
                naming = hard and not is_action
                units.append((alts, hard, naming, frozenset(range(i, j)), False, is_action))
                i = j
                continue
            alts = [(w,) for w in corrected[i]] if i in corrected else [(words[i],)]
            naming = not soft[i] and any(
                self.idf.get(a[0], 0.0) >= self._common_idf and a[0] not in _ACTION_WORDS for a in alts
            )
            units.append((alts, not soft[i], naming, frozenset({i}), i in corrected, False))
            i += 1

        concepts: list[_Concept] = []
        for k, (alts, hard, naming, positions, was_corrected, verb) in enumerate(units):
            concepts.append(
                self._concept([_phrase_terms(a) for a in alts], hard, naming, positions, was_corrected)
            )
            concepts[-1].verb = verb
            if k + 1 == len(units):
                break
            next_alts, next_hard, _, next_positions, next_corrected, next_verb = units[k + 1]
            bigrams = [
                b
                for b in dict.fromkeys(_bigram(a[-1], b[0]) for a in alts for b in next_alts)
                if b in self.idf
            ]
            if not bigrams:
                continue
            both_hard = hard and next_hard
            concept = self._concept(
                [(b,) for b in bigrams],
                both_hard,
                # A rare bigram ("khai tử") names a procedure as a phrase does, unless it only says an
                # action ("cấp lại").
                both_hard
                and max(self.idf[b] for b in bigrams) >= self._common_idf
                and not (
                    all(a[-1] in _ACTION_WORDS for a in alts)
                    and all(b[0] in _ACTION_WORDS for b in next_alts)
                ),
                positions | next_positions,
                was_corrected or next_corrected,
            )
            # A bigram mostly confirms its two words; two common words side by side ("trong giấy")
            # are rare only by chance.
            words_worth = max(
                self.idf.get(a[-1], 0.0) + self.idf.get(b[0], 0.0) for a in alts for b in next_alts
            )
            concept.weight = min(concept.weight, self.weights.bigram_factor * words_worth)
            concept.verb = verb or next_verb  # "cấp lại bản": how the action is said
            concepts.append(concept)
        return [c for c in concepts if c.weight > 0]

    def _concept(
        self,
        alts: list[tuple[str, ...]],
        hard: bool,
        naming: bool,
        positions: frozenset[int],
        was_corrected: bool,
    ) -> _Concept:
        idf = self.idf
        kept, weights = [], []
        for terms in alts:
            weight = sum(idf.get(t, 0.0) for t in terms)
            if weight > 0:
                kept.append(terms)
                weights.append(weight)
        # Worth its commonest wording found in names: "làm" is as vague as "cấp"; "sổ đỏ", absent
        # from names, is worth its official wording.
        real = [w for terms, w in zip(kept, weights, strict=True) if all(t in idf for t in terms)]
        worth = min(min(real) if real else max(weights, default=0.0), self.weights.max_concept_weight)
        if not hard:
            worth *= self.weights.soft_weight
        if was_corrected:
            worth *= self.weights.corrected_factor
        return _Concept(
            alts=kept, weights=weights, weight=worth, hard=hard, naming=naming, positions=positions
        )

    def _alias_matches(
        self, words: list[str], soft: list[bool], asked: list[str]
    ) -> list[tuple[frozenset[int], tuple[tuple[int, float], ...], float]]:
        """Aliases in the query: the positions of their words, their (doc, weight)s, and how surely.

        An alias saying another action than a modifying one the query asks for (`asked`) names
        another procedure: "cấp sổ đỏ" is not what "cấp đổi sổ đỏ" asks for. (An alias naming only a
        thing, "hộ chiếu", still names it.)
        """
        matches = []
        seen: set[tuple[str, ...]] = set()
        for loose in (False, True):  # as written first, then out of order or with words between
            for i, word in enumerate(words):
                for phrase, targets in self._aliases.get(word, ()):
                    if phrase in seen:
                        continue
                    said = self._alias_actions[phrase]
                    if asked and said is not None and not said.intersection(asked):
                        continue
                    if loose:
                        positions = self._loose_match(phrase, words, i)
                        if positions is None:
                            continue
                    elif tuple(words[i : i + len(phrase)]) == phrase:
                        positions = frozenset(range(i, i + len(phrase)))
                    else:
                        continue
                    if all(soft[k] for k in positions):
                        continue
                    seen.add(phrase)
                    factor = self.weights.alias_loose_factor if loose else 1.0
                    matches.append((phrase, positions, targets, factor))
        # The longest alias found speaks: "sổ hồng chung cư" over the "sổ hồng" inside it.
        return [
            (positions, targets, factor)
            for phrase, positions, targets, factor in matches
            if not any(set(phrase) < set(other) for other, *_ in matches)
        ]

    @staticmethod
    def _loose_match(phrase: tuple[str, ...], words: list[str], start: int) -> frozenset[int] | None:
        """Positions of `phrase`'s words in a short window of `words` from `start`, if all are there."""
        window = range(start, min(len(words), start + len(phrase) + _ALIAS_GAP))
        positions: set[int] = set()
        for word in phrase:
            k = next((k for k in window if words[k] == word and k not in positions), None)
            if k is None:
                return None
            positions.add(k)
        return frozenset(positions)

    def _few_names_say_all(self, concepts: list[_Concept]) -> bool:
        """Whether the query's hard words, each vague, together fit only a few names ("gia hạn nộp thuế")."""
        found: set[int] | None = None
        for concept in concepts:
            if not concept.hard or concept.verb or any("_" in t for terms in concept.alts for t in terms[:1]):
                continue  # question words, "làm"/"xin", and the bigrams joining words
            docs: set[int] = set()
            for terms in concept.alts:
                words = [t for t in terms if "_" not in t]
                docs |= set.intersection(*(set(self.postings.get(w, ())) for w in words)) if words else set()
            found = docs if found is None else found & docs
            if not found:
                return False
        return found is not None and len(found) <= _SPECIFIC_NAMES

    @staticmethod
    def _asked_actions(words: list[str], concepts: list[_Concept]) -> list[str]:
        """The modifying actions the query asks for, in its words or in another wording of them."""
        wordings = [words] + [[t for t in terms if "_" not in t] for c in concepts for terms in c.alts[1:]]
        return _actions_in(wordings)

    # -- searching ----------------------------------------------------------------------------

    def _read_query(self, query: str) -> _Query | None:
        """Read a query: its words (joined words cut, typos corrected), concepts, actions, aliases.

        Returns None when the query names no procedure: only question words, small talk or vague
        words ("làm", "đăng ký", "mất").
        """
        words = self._split_joined(_prepare(query))
        if not words:
            return None
        corrected: dict[int, list[str]] = {}
        question = _soft_flags(words)
        for i, word in enumerate(words):
            before = words[i - 1] if i else None
            after = words[i + 1] if i + 1 < len(words) else None
            fixes = self._corrections(
                word, before, after, bool(before) and not question[i - 1], bool(after) and not question[i + 1]
            )
            if fixes:
                corrected[i] = fixes
        words = [corrected[i][0] if i in corrected else w for i, w in enumerate(words)]
        soft = _soft_flags(words, self.idf)
        concepts = self._concepts(words, soft, corrected)
        asked_actions = self._asked_actions(words, concepts)
        alias_matches = self._alias_matches(words, soft, asked_actions)
        if (
            not alias_matches
            and not any(c.naming for c in concepts)
            and not self._few_names_say_all(concepts)
        ):
            return None

        idf = self.idf
        query_terms: set[str] = set()
        # The hard words, for name coverage, each with the bigrams one of which a name must have for
        # it to count (None: it counts anywhere), as in `_scored_terms`.
        query_words: dict[str, frozenset[str] | None] = {}
        weighted: list[tuple[str, float]] = []
        for concept in concepts:
            for k, (terms, weight) in enumerate(zip(concept.alts, concept.weights, strict=True)):
                query_terms.update(terms)
                if concept.hard:
                    for word, _, needs_one in _scored_terms(terms, idf, coherent=k > 0):
                        if "_" in word:
                            continue
                        so_far = query_words.get(word, frozenset())
                        unconditional = so_far is None or not needs_one
                        query_words[word] = None if unconditional else so_far | set(needs_one)
                    share = concept.weight / weight
                    weighted.extend((term, idf[term] * share) for term in terms if term in idf)
        return _Query(
            words=words,
            concepts=concepts,
            asked=[_action_terms(a) for a in asked_actions],
            alias_matches=alias_matches,
            terms=query_terms,
            hard_words=query_words,
            weighted=weighted,
            levels=_asked_levels(words),
            hard_total=sum(c.weight for c in concepts if c.hard) or 1.0,
            total=sum(c.weight for c in concepts) or 1.0,
            thing_total=sum(c.weight for c in concepts if not c.verb),
        )

    def _candidates(self, read: _Query) -> tuple[set[int], dict[int, _AliasHit]]:
        """The names worth scoring in full, and the procedures whose aliases the query holds.

        Candidates come from the postings of the query's rarer hard terms: common words ("cấp",
        "giấy", "đăng ký") only refine the ranking, unless the query has nothing rarer.
        """
        idf = self.idf
        rare = [(term, value) for term, value in read.weighted if idf[term] >= self._common_idf]
        rough: dict[int, float] = defaultdict(float)
        for term, value in rare or read.weighted:
            for doc in self.postings[term]:
                rough[doc] += value
        # Among names matching as much, the shorter ones say it more exactly.
        name_total = self.name_total
        shorter_first = self.weights.shorter_first
        for doc in rough:
            rough[doc] -= shorter_first * name_total[doc]
        candidates = set(heapq.nlargest(_CANDIDATES, rough, key=rough.__getitem__))
        aliased: dict[int, _AliasHit] = {}
        for positions, targets, factor in read.alias_matches:
            spanned = sum(c.weight for c in read.concepts if c.hard and c.positions <= positions)
            for doc, weight in targets:
                old_weight, old_positions, old_spanned = aliased.get(doc, (0.0, frozenset(), 0.0))
                aliased[doc] = (
                    max(old_weight, weight * factor),
                    old_positions | positions,
                    min(max(old_spanned, spanned), read.hard_total),
                )
        candidates.update(aliased)
        return candidates, aliased

    def _plan(self, concepts: list[_Concept]) -> list[_PlannedConcept]:
        """Each concept as scored against names: weight, positions, verb, wordings' scored terms."""
        alt_factor = self.weights.alt_factor
        return [
            (
                c.weight,
                c.positions,
                c.verb,
                [
                    (_scored_terms(terms, self.idf, coherent=k > 0), w / (1.0 if k == 0 else alt_factor))
                    for k, (terms, w) in enumerate(zip(c.alts, c.weights, strict=True))
                ],
            )
            for c in concepts
        ]

    def _score(
        self, doc: int, read: _Query, plan: list[_PlannedConcept], alias: _AliasHit | None
    ) -> tuple[float, float, bool]:
        """A candidate's score before the asked-action penalty, its thing coverage, and whether it
        says an action the query asks for."""
        weights = self.weights
        terms_in_name = self.doc_terms[doc]
        matches: list[tuple[float, bool, float]] = []
        spanned = spanned_by_name = 0.0
        for weight, positions, verb, alts in plan:
            best = concept_match(alts, terms_in_name)
            if alias and positions <= alias[1]:
                spanned += weight
                spanned_by_name += weight * best
                best = 1.0
            matches.append((weight, verb, best))
        query_cov, thing_cov = query_coverage(matches, read.thing_total, read.total)

        name_words = self.doc_words[doc]
        said = {
            w
            for w, needs_one in read.hard_words.items()
            if needs_one is None or any(b in terms_in_name for b in needs_one)
        }
        matched = sum(name_words.get(w, 0.0) for w in said)
        if doc in self.action_lists:
            matched += max(sum(v for w, v in g.items() if w in said) for g in self.action_lists[doc])
        name_cov = name_coverage(
            matched, self.name_total[doc], (alias[0], alias[2] / read.hard_total) if alias else None
        )
        score = weights.query_coverage * query_cov + weights.name_coverage * name_cov
        if alias:
            score += alias_bonus(alias[0], spanned, spanned_by_name, weights)
        score += lead_bonus(*self.lead_terms[doc], read.terms, weights)
        score -= action_penalty(self.action_needs[doc], read.terms, weights)
        says_asked = any(need <= terms_in_name.keys() for need in read.asked)
        return score, thing_cov, says_asked

    def _name_ranks(self, query: str) -> tuple[dict[int, float] | None, list[str]]:
        """Name search: every candidate name's rank (None when the query names no procedure), and
        the query's words as name search read them (joined words cut, typos corrected)."""
        read = self._read_query(query)
        if read is None:
            return None, []  # only question words, small talk or vague words: no procedure is named
        candidates, aliased = self._candidates(read)
        plan = self._plan(read.concepts)
        partial = {doc: self._score(doc, read, plan, aliased.get(doc)) for doc in candidates}
        # A name lacking the modifying action asked for is demoted, when names of the same thing
        # with that action exist ("cấp lại sổ đỏ").
        demote = bool(read.asked) and demotes_unasked(
            ((thing_cov, says) for _, thing_cov, says in partial.values()), self.weights
        )
        ranks = {
            doc: rank(
                score,
                self.level_prior[doc],
                demoted=demote and not says_asked,
                level_asked=bool(read.levels.intersection(self.levels[doc])),
                weights=self.weights,
            )
            for doc, (score, _, says_asked) in partial.items()
        }
        return ranks, read.words

    def _content_scores(self, terms: list[tuple[str, float]]) -> tuple[dict[int, float], float]:
        """Content retrieval: the best candidates' scores relative to the best, and its confidence."""
        top = self.content.top(terms, _CONTENT_CANDIDATES)
        if not top:
            return {}, 0.0
        best = top[0][1]
        query_weight = sum(weight for term, weight in terms if "_" not in term)
        # Coverage is read on the need's weightiest words: narration ("mẹ tôi ... tại nhà riêng")
        # need not be in the procedure's text.
        coverage = self.content.coverage([(t, w) for t, w in terms if w >= _COVERAGE_WEIGHT], top[0][0])
        confidence = content_confidence(best, query_weight, coverage, self.fusion)
        out: dict[int, float] = {}
        for code, value in top:
            doc = self._content_doc[self.content.position[code]]
            if doc >= 0:
                out[doc] = confidence * value / best
        return out, confidence

    def _names_something(self, need: Need) -> bool:
        """Whether the colloquial additions name a thing, not only an action ("cấp lại")."""
        return any(
            word not in _ACTION_WORDS and word not in _ADDITION_FILLERS
            for phrase in need.additions
            for word in phrase.split()
        )

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Return up to `limit` procedures matching `query`, best first, with scores in [0, 1].

        Name search and content retrieval are fused (`knowledge_base.ranking.fuse`): a clear name
        match keeps a score near its name rank; a message that only describes a situation ("mẹ tôi
        mới qua đời") is found by what procedures say, with a score that says how sure that is.
        """
        if limit <= 0 or not query or not query.strip():
            return []
        need = analyse(query)
        # A long message is read by name search through its need (greetings, self-introduction,
        # dates and background set aside); a short one as typed, and with the words procedures use
        # for what it says when the lexicon adds some.
        names, read_words = self._name_ranks(need.text_for_search if need.trimmed or need.replaced else query)
        if (
            need.additions
            and not (need.trimmed or need.replaced)
            and max((names or {}).values(), default=0.0) < self.fusion.widen_below
        ):
            widened, _ = self._name_ranks(need.text_for_search)
            if widened:
                names = {doc: max(value, (names or {}).get(doc, 0.0)) for doc, value in widened.items()}
        if names is None and not self._names_something(need):
            return []
        names = names or {}
        content, _ = self._content_scores(_with_read_words(need.terms, read_words))
        best_name = max(names.values(), default=0.0)
        share = content_share(best_name, self.fusion)
        qualifiers = need.qualifiers
        base = {
            doc: fuse(names.get(doc, 0.0), content.get(doc, 0.0), share, 0.0)
            for doc in names.keys() | content.keys()
        }
        # Qualifiers choose among the near-best candidates only: they pick a variant, never a topic.
        band = max(base.values(), default=0.0) - self.fusion.qualifier_band
        scored: list[tuple[float, str, int]] = []
        for doc, value in base.items():
            if value >= band:
                value += qualifier_adjustment(
                    self.traits[doc],
                    foreign=qualifiers.foreign,
                    age=qualifiers.age,
                    issue=qualifiers.issue,
                    levels_match=bool(qualifiers.levels.intersection(self.levels[doc])),
                    weights=self.fusion,
                )
            scored.append((value, self.codes[doc], doc))
        best_first = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], s[1]))
        # The reported score is the fused value itself, so that scores never rise down the list.
        return [
            SearchHit(
                code=self.codes[doc],
                name=self.names[doc],
                level=",".join(self.levels[doc]),
                score=round(min(max(value, 0.0), 1.0), 4),
                source="both" if doc in names and doc in content else ("name" if doc in names else "content"),
            )
            for value, _code, doc in best_first
        ]


def _with_read_words(terms: Iterable[tuple[str, float]], words: list[str]) -> list[tuple[str, float]]:
    """The need's terms, plus the words name search read that the need lacks (a typo corrected,
    "hochieu" cut into "ho chieu") and their bigrams, at full weight."""
    out = dict(terms)
    if words:
        added = [w for w in words if w not in out]
        if added:
            for term in (*words, *(_bigram(a, b) for a, b in pairwise(words))):
                out.setdefault(term, 1.0)
    return list(out.items())


_FOREIGN_NAME = re.compile(
    r"\b(?:yeu to nuoc ngoai|nguoi nuoc ngoai|dinh cu o nuoc ngoai|nguoi khong quoc tich|nuoc ngoai)\b"
)
_AGE_FROM = re.compile(r"\btu (?:du )?(\d+) tuoi\b")
_AGE_UNDER = re.compile(r"\bduoi (\d+) tuoi\b")


_VARIANT_WORDS = re.compile(
    r"\b(?:co |cho |doi voi )?(?:yeu to nuoc ngoai|nguoi nuoc ngoai|nguoi viet nam dinh cu o nuoc ngoai)\b"
    r"|\b(?:cho nguoi )?(?:tu (?:du )?\d+ tuoi(?: tro len)?|duoi \d+ tuoi)\b"
    r"|^(?:cap lai|cap doi|dang ky lai|doi|cap|dang ky)\b|\blan dau\b"
)


def _folded_name(name: str) -> str:
    folded = " ".join(_syllables(_LEVEL_NOTE.sub(" ", fold(name))))
    return re.sub(r"^thu tuc ", "", folded)


def variant_traits(name: str) -> VariantTraits:
    """What a procedure's name says of its variant: foreign element, ages, issue (again/exchange/first)."""
    folded = _folded_name(name)
    under = _AGE_UNDER.search(folded)
    older = _AGE_FROM.search(folded)
    issue = None
    if re.match(r"(?:cap lai|dang ky lai|lam lai)\b", folded):
        issue = "again"
    elif re.match(r"(?:cap doi|doi)\b", folded):
        issue = "exchange"
    elif re.search(r"\blan dau\b", folded):
        issue = "first"
    return VariantTraits(
        foreign=bool(_FOREIGN_NAME.search(folded)),
        min_age=int(older.group(1)) if older else None,
        max_age=int(under.group(1)) - 1 if under else None,
        issue=issue,
    )


def variant_traits_of(names: list[str]) -> list[VariantTraits]:
    """The traits of each name, each knowing whether a sibling differs from it only by them."""
    keys = [" ".join(_VARIANT_WORDS.sub(" ", _folded_name(name)).split()) for name in names]
    count: dict[str, int] = defaultdict(int)
    for key in keys:
        count[key] += 1
    return [
        replace(variant_traits(name), has_siblings=count[key] > 1)
        for name, key in zip(names, keys, strict=True)
    ]


# --- Caching per database ----------------------------------------------------------------------

_cache_lock = threading.Lock()
_build_lock = threading.Lock()
# url -> (cheap signature, import signature, time the import signature was last read, index)
_cache: dict[str, tuple[tuple[object, ...], tuple[object, ...], float, SearchIndex]] = {}
# How often the import signature (a scan of the procedure table, ~2 ms over the full database) is
# re-read; aliases and the set of procedures are checked on every search.
RECHECK_SECONDS = 30.0


def _cheap_signature(session: Session) -> tuple[object, ...]:
    # One round trip, answered from indexes and the small alias table: procedures imported or
    # deleted, and aliases added, removed, re-weighted, re-pointed or re-worded all change it.
    statement = select(
        func.count(Alias.id),
        func.max(Alias.id),
        func.sum(Alias.weight),
        func.sum(Alias.procedure_id),
        func.sum(func.length(Alias.alias_folded)),
        select(func.count(Procedure.id)).scalar_subquery(),
        select(func.max(Procedure.id)).scalar_subquery(),
    )
    return tuple(session.execute(statement).one())


def _import_signature(session: Session) -> tuple[object, ...]:
    # An import that changes a procedure (a new name, new levels) bumps its `imported_at`.
    return tuple(session.execute(select(func.max(Procedure.imported_at))).one())


def get_index(session: Session, *, recheck_seconds: float = RECHECK_SECONDS) -> SearchIndex:
    """Return the search index for the session's database, rebuilding it after changes.

    Freshness rule: aliases and the set of procedures are compared on every call (one cheap
    query), so a staff edit is seen by the next search; an import that changes existing
    procedures (it bumps `procedure.imported_at`) is seen by the first search once
    `recheck_seconds` have passed since the import time was last read, which is at most
    `recheck_seconds` after the import.

    Args:
        session: an open database session.
        recheck_seconds: how long the import time, once read, is trusted.
    """
    key = str(session.get_bind().engine.url)
    cheap = _cheap_signature(session)
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] == cheap:
        if now - cached[2] < recheck_seconds:
            return cached[3]
        imported = _import_signature(session)
        if imported == cached[1]:
            with _cache_lock:
                _cache[key] = (cheap, imported, now, cached[3])
            return cached[3]
    else:
        imported = _import_signature(session)
    with _build_lock:  # one build at a time: building is CPU-bound and memory-hungry
        index = SearchIndex.from_session(session)
    with _cache_lock:
        _cache[key] = (cheap, imported, now, index)
    return index


def search_procedures(session: Session, query: str, limit: int = 5) -> list[SearchHit]:
    """Search procedures by a citizen's words; best first.

    Args:
        session: an open database session.
        query: the citizen's text (any case, with or without diacritics).
        limit: the maximum number of hits.

    Returns:
        Up to `limit` hits with scores in [0, 1]; none when the text names no procedure (only
        question words, small talk or vague verbs).
    """
    return get_index(session).search(query, limit)
