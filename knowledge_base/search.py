"""Finding procedures from a citizen's words.

Citizens type without diacritics, with abbreviations, typos and in any order, and wrap the
procedure's name in a question ("dang ky khai sinh can giay to gi"). The index works on folded
syllables (no diacritics, đ == d, lower case): unigrams and bigrams weighted by how rare they are
among procedure names, with one-edit typo correction, staff-editable aliases, and a preference for
the level a citizen normally uses when several procedures share a name.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.models import Alias, Procedure
from vntext import fold
from vntext.abbreviations import expand

_SYLLABLE = re.compile(r"[a-z0-9]+")
# Parenthesised level notes in names: "(thực hiện tại cấp tỉnh)".
_LEVEL_NOTE = re.compile(r"\((?:thuc hien )?(?:tai|o) cap[^)]*\)?")

# Words that say what the citizen wants to know, not which procedure: they must not pull the
# ranking towards procedures whose names happen to contain them. Folded, whole phrases.
_ASPECT_PHRASES = sorted(
    {
        "can nhung giay to gi", "can giay to gi", "giay to gi", "nhung giay to", "can giay to",
        "giay to can", "thanh phan ho so", "ho so gom", "ho so can", "can ho so gi", "ho so gi",
        "mang theo gi", "can mang", "can nhung gi", "can gi", "mat bao lau", "bao lau", "bao nhieu ngay",
        "thoi han", "thoi gian", "bao gio co", "mat phi", "le phi", "bao nhieu tien", "bao nhieu",
        "co mat tien", "mat tien", "phi", "nop o dau", "o dau", "co quan nao", "lam o dau",
        "truc tuyen", "online", "duoc khong", "khong", "the nao", "nhu the nao", "lam sao", "cach",
        "thu tuc", "toi muon", "toi can", "minh muon", "cho hoi", "xin hoi", "hoi", "a", "vay",
        "thi sao", "con", "la gi", "gi", "can", "nhung", "ve", "cua", "cho", "toi", "minh", "em",
        "lam the nao de", "muon", "di", "nhe", "oi", "ad", "admin", "ban",
    },
    key=len,
    reverse=True,
)
_ASPECT_RE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _ASPECT_PHRASES) + r")\b")
# Name words that carry no identity ("thủ tục" prefixes hundreds of names).
_NAME_STOP = {"thu", "tuc"}

LEVEL_PREFERENCE = {"xa": 0.03, "tinh": 0.015, "bo": 0.0}


@dataclass(frozen=True)
class SearchHit:
    """One search result, best first in a result list."""

    code: str
    name: str
    level: str
    score: float


@dataclass
class _Doc:
    code: str
    name: str
    levels: list[str]
    terms: dict[str, float] = field(default_factory=dict)  # term -> weight
    weight_total: float = 0.0


def _syllables(folded: str) -> list[str]:
    return _SYLLABLE.findall(folded)


def _terms(syllables: list[str]) -> list[str]:
    return syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def normalise_query(query: str) -> list[tuple[str, bool]]:
    """Fold a query and expand abbreviations; return its syllables, each flagged as "soft".

    A soft syllable belongs to a phrase that says what the citizen wants to know ("cần giấy tờ gì",
    "bao lâu") rather than which procedure; it still counts, but little, because such words also
    occur in a few procedure names ("cấp giấy ...", "nhận cha, mẹ, con").
    """
    folded = expand(fold(query))
    soft_spans = [m.span() for m in _ASPECT_RE.finditer(folded)]
    out = []
    for m in _SYLLABLE.finditer(folded):
        soft = any(a <= m.start() and m.end() <= b for a, b in soft_spans)
        out.append((m.group(0), soft))
    return out


_SOFT_WEIGHT = 0.12


class SearchIndex:
    """In-memory index over procedure names and aliases, rebuilt when the database changes."""

    def __init__(self, docs: list[_Doc], aliases: dict[str, list[tuple[int, float]]]) -> None:
        self.docs = docs
        self.aliases = aliases
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.idf: dict[str, float] = {}
        self._build()

    @classmethod
    def from_session(cls, session: Session) -> SearchIndex:
        """Build the index from the procedures and aliases in the database."""
        rows = session.execute(select(Procedure.id, Procedure.code, Procedure.name, Procedure.levels)).all()
        position: dict[int, int] = {}
        docs: list[_Doc] = []
        for pid, code, name, levels in rows:
            position[pid] = len(docs)
            docs.append(_Doc(code=code, name=name, levels=[lv for lv in levels.split(",") if lv]))
        aliases: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for alias_folded, pid, weight in session.execute(
            select(Alias.alias_folded, Alias.procedure_id, Alias.weight)
        ):
            if pid in position:
                aliases[" ".join(_syllables(alias_folded))].append((position[pid], weight))
        return cls(docs, dict(aliases))

    def _build(self) -> None:
        doc_freq: dict[str, int] = defaultdict(int)
        doc_terms: list[list[str]] = []
        for doc in self.docs:
            name = _LEVEL_NOTE.sub(" ", fold(doc.name))
            syllables = [s for s in _syllables(name) if s not in _NAME_STOP]
            terms = list(dict.fromkeys(_terms(syllables)))
            doc_terms.append(terms)
            for term in terms:
                doc_freq[term] += 1
        n = max(len(self.docs), 1)
        self.idf = {t: math.log(1 + n / df) for t, df in doc_freq.items()}
        for i, (doc, terms) in enumerate(zip(self.docs, doc_terms)):
            doc.terms = {t: self.idf[t] for t in terms}
            doc.weight_total = sum(doc.terms.values()) or 1.0
            for term in terms:
                self.postings[term].append(i)
        # Symmetric-delete table over single syllables for one-edit typo correction.
        self._vocab = {t for t in self.idf if "_" not in t}
        self._delete_map: dict[str, set[str]] = defaultdict(set)
        for word in self._vocab:
            if len(word) >= 3:
                for d in _deletes(word):
                    self._delete_map[d].add(word)

    def _correct(self, word: str) -> list[str]:
        if word in self._vocab or len(word) < 3 or word.isdigit():
            return [word]
        candidates = set(self._delete_map.get(word, ()))
        for d in _deletes(word):
            if d in self._vocab:
                candidates.add(d)
            candidates |= self._delete_map.get(d, set())
        if not candidates:
            return [word]
        # Prefer the most frequent (lowest idf) candidates: common words are the likelier intent.
        return sorted(candidates, key=lambda w: self.idf.get(w, 99))[:2]

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Return up to `limit` procedures matching `query`, best first, with scores in [0, 1]."""
        if limit <= 0:
            return []
        tokens = normalise_query(query)
        if not tokens:
            return []
        syllables = [self._correct(w)[0] for w, _ in tokens]
        soft = [is_soft for _, is_soft in tokens]
        factors: dict[str, float] = {}
        for i, word in enumerate(syllables):
            factors[word] = max(factors.get(word, 0.0), _SOFT_WEIGHT if soft[i] else 1.0)
            if i + 1 < len(syllables):
                bigram = f"{word}_{syllables[i + 1]}"
                factor = _SOFT_WEIGHT if (soft[i] or soft[i + 1]) else 1.0
                factors[bigram] = max(factors.get(bigram, 0.0), factor)
        query_weight = sum(self.idf.get(t, 0.0) * f for t, f in factors.items())
        scores: dict[int, float] = defaultdict(float)
        name_scores: dict[int, float] = defaultdict(float)
        hard_hits: set[int] = set()
        for term, factor in factors.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i in self.postings[term]:
                scores[i] += idf * factor
                name_scores[i] += idf
                if factor == 1.0:
                    hard_hits.add(i)
        # Only question words matched ("cần giấy tờ gì?"): that names no procedure.
        scores = {i: v for i, v in scores.items() if i in hard_hits}
        results: dict[int, float] = {}
        for i, matched in scores.items():
            doc = self.docs[i]
            query_cov = min(matched / query_weight, 1.0) if query_weight else 0.0
            name_cov = name_scores[i] / doc.weight_total
            results[i] = 0.55 * query_cov + 0.45 * name_cov
        # Aliases: a citizen's name for a procedure found as a phrase in the query.
        padded = " " + " ".join(_syllables(expand(fold(query)))) + " "
        for alias, targets in self.aliases.items():
            if alias and f" {alias} " in padded:
                coverage = len(alias) / max(len(padded.strip()), 1)
                for i, weight in targets:
                    bonus = min(0.35 + 0.5 * coverage, 0.8) * weight
                    results[i] = max(results.get(i, 0.0), 0.2) + bonus
        hits = []
        for i, score in results.items():
            doc = self.docs[i]
            level_bonus = max((LEVEL_PREFERENCE.get(lv, 0.0) for lv in doc.levels), default=0.0)
            hits.append((min(score, 1.0) * 0.97 + level_bonus, i))
        hits.sort(key=lambda h: (-h[0], self.docs[h[1]].code))
        return [
            SearchHit(
                code=self.docs[i].code,
                name=self.docs[i].name,
                level=",".join(self.docs[i].levels),
                score=round(min(score, 1.0), 4),
            )
            for score, i in hits[:limit]
        ]


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], SearchIndex]] = {}


def _signature(session: Session) -> tuple[object, ...]:
    # Cheap change detector: an import or an alias edit changes one of these.
    proc = session.execute(select(func.count(Procedure.id), func.max(Procedure.imported_at))).one()
    alias = session.execute(select(func.count(Alias.id), func.max(Alias.id), func.sum(Alias.weight))).one()
    return (*proc, *alias)


def get_index(session: Session) -> SearchIndex:
    """Return the search index for the session's database, rebuilding it after changes."""
    key = str(session.get_bind().url)
    signature = _signature(session)
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] == signature:
            return cached[1]
    index = SearchIndex.from_session(session)
    with _cache_lock:
        _cache[key] = (signature, index)
    return index


def search_procedures(session: Session, query: str, limit: int = 5) -> list[SearchHit]:
    """Search procedures by a citizen's words; best first.

    Args:
        session: an open database session.
        query: the citizen's text (any case, with or without diacritics).
        limit: the maximum number of hits.
    """
    return get_index(session).search(query, limit)
