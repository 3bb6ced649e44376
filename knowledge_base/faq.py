"""General questions (FAQ): the shipped seed and the search over staff-maintained entries.

An FAQ entry answers a question that is not about one procedure: how to log in to the National Public
Service Portal with VNeID, paying online, tracking a dossier, the one-stop desk's hours ... Each entry
has several ways of asking (`FaqQuestion`); a citizen's message is matched against them.

The search is lexical and needs no model: texts are folded (no diacritics, đ == d, lower case),
shorthand is expanded and common wordings are mapped to one form ("trực tuyến", "qua mạng" ->
"online"; the wordings are data, knowledge_base/lexicon/wordings.yml), then each entry scores by

* the cosine of idf-weighted word unigrams and bigrams with its best question variant (question
  words like "làm sao", "không" weigh little; a query word no FAQ question knows keeps its full
  weight, so it pulls the score down);
* the cosine of character trigrams of the content words (typos, words glued together);
* how much of the query the entry covers: its questions together, and more weakly its answer;

and that base is damped when the entry covers little of the query, and when the query is made of
words of procedure names and aliases that no FAQ question uses ("làm cccd cần giấy tờ gì", "đăng ký
khai sinh mất bao lâu" ask about one procedure, which the procedure search answers).

Staff edits must show at once: every search reads the published questions and answers (two small
queries) and reuses the built index only while they are exactly the same; answers shown are read
after ranking.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.models import Alias, FaqEntry, FaqQuestion, Procedure
from vntext import fold, lexicon
from vntext.abbreviations import expand

DEFAULT_SEED = Path(__file__).resolve().parent / "seed" / "faq.json"
# Under this score the caller should treat the message as having no FAQ answer. Tuned on
# knowledge_base/eval/faq_queries.jsonl (python -m knowledge_base.eval.faq_eval --sweep).
MIN_FAQ_SCORE = 0.30

SEED_ACTOR = "seed"
_KEY = re.compile(r"^[a-z0-9_]{2,64}$")
_WORD = re.compile(r"[a-z0-9]+")
_MAX_QUERY_CHARS = 500

# --- Text normalisation --------------------------------------------------------------------------

# Wordings citizens use for the same thing, mapped (folded, whole words) to one form used in both the
# index and the query: data, knowledge_base/lexicon/wordings.yml.
_CANONICAL: dict[str, str] = dict(lexicon.load("wordings")["wordings"])
_CANONICAL_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(_CANONICAL, key=len, reverse=True)) + r")\b"
)

# Words that say how the citizen asks, not what about: they weigh little. Folded single syllables
# (knowledge_base/lexicon/questions.yml `faq_soft_words`).
_SOFT_WORDS = frozenset(lexicon.load("questions")["faq_soft_words"])


def normalise(text: str) -> list[str]:
    """Fold, expand shorthand and map common wordings to one form; return the words."""
    folded = fold(text[:_MAX_QUERY_CHARS])
    words = " ".join(_WORD.findall(folded))
    words = expand(words)
    words = _CANONICAL_RE.sub(lambda m: _CANONICAL[m.group(0)], words)
    return words.split()


def _word_terms(words: Sequence[str]) -> list[str]:
    # Unigrams plus bigrams of neighbours: "mot cua" and "mot phan" must not be the same thing.
    return list(words) + _bigrams(words)


def _bigrams(words: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(words)]


def _char_terms(words: Sequence[str], n: int) -> list[str]:
    # Character n-grams of the content words only, padded so word starts and ends count.
    grams: list[str] = []
    for word in words:
        if word in _SOFT_WORDS:
            continue
        padded = f" {word} "
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def procedure_vocabulary(names: Iterable[str]) -> frozenset[str]:
    """Word bigrams of procedure names and aliases (question words left out)."""
    return frozenset(
        term
        for name in names
        for term in _bigrams(normalise(name))
        if not all(part in _SOFT_WORDS for part in term.split(" "))
    )


# --- The index -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaqHit:
    """One FAQ answer found for a message."""

    faq_id: int
    question: str
    answer: str
    score: float
    procedure_code: str | None


@dataclass(frozen=True)
class Tuning:
    """Weights of the scorer, chosen on knowledge_base/eval/faq_queries.jsonl (a broad plateau)."""

    # Signals added into the base score; they sum to 1.
    word: float = 0.35  # cosine of word unigrams + bigrams, best question variant
    char: float = 0.30  # cosine of character trigrams of content words, best variant (typos)
    cover: float = 0.35  # share of the query's weight found in the entry (questions, answer)
    # Term weights within a word vector (times idf).
    unigram: float = 1.0
    bigram: float = 1.0
    soft: float = 0.2  # a term made only of question words ("lam sao", "khong")
    char_n: int = 3
    # In `cover`, a query term found only in the entry's answer counts this much.
    answer_cover: float = 0.6
    # The base score is multiplied by share ** cover_power: a message whose main words the entry
    # lacks is about something else, however well its other words match.
    cover_power: float = 0.5
    # ... and by (1 - share of procedure words) ** procedure_power: words of procedure names and
    # aliases ("khai sinh", "hộ chiếu") that no FAQ question uses mean the message is about one
    # procedure, which the procedure search answers.
    procedure_power: float = 1.0


@dataclass(frozen=True)
class _Variant:
    faq_id: int
    text: str
    words: dict[str, float]
    words_norm: float
    chars: dict[str, float]
    chars_norm: float


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


class FaqIndex:
    """The published question variants, weighted for scoring; immutable once built."""

    def __init__(
        self,
        questions: Iterable[tuple[int, str]],
        answers: dict[int, str] | None = None,
        procedure_terms: frozenset[str] = frozenset(),
        tuning: Tuning | None = None,
    ) -> None:
        """Build the index.

        Args:
            questions: (faq_id, question text) pairs of the published entries.
            answers: the entries' answers by faq_id (weak evidence in `cover`).
            procedure_terms: `procedure_vocabulary` of the procedure names and aliases.
            tuning: the scorer's weights.
        """
        self._t = tuning or Tuning()
        prepared = [(faq_id, text, normalise(text)) for faq_id, text in questions]
        # Document frequency over entries, not variants: an entry asked six ways about "mật khẩu"
        # must not make that word look common.
        entry_words: dict[int, set[str]] = defaultdict(set)
        entry_chars: dict[int, set[str]] = defaultdict(set)
        for faq_id, _text, words in prepared:
            entry_words[faq_id].update(_word_terms(words))
            entry_chars[faq_id].update(_char_terms(words, self._t.char_n))
        self._entries = len(entry_words)
        self._word_df: Counter[str] = Counter(t for terms in entry_words.values() for t in terms)
        self._char_df: Counter[str] = Counter(g for grams in entry_chars.values() for g in grams)
        self._entry_words = {fid: frozenset(t) for fid, t in entry_words.items()}
        self._answer_words = {
            fid: frozenset(_word_terms(normalise(text))) for fid, text in (answers or {}).items()
        }
        # A procedure word that FAQ questions use too ("dang ky", "ho so") says nothing.
        self._procedure_terms = procedure_terms - self._word_df.keys()
        self._variants = [self._variant(fid, text, words) for fid, text, words in prepared]
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_char: dict[str, list[int]] = defaultdict(list)
        for position, variant in enumerate(self._variants):
            for term in variant.words:
                self._by_word[term].append(position)
            for gram in variant.chars:
                self._by_char[gram].append(position)

    def _idf(self, df: int) -> float:
        # Smoothed so a term no entry has (df == 0) weighs most: unexplained query words count.
        return math.log((self._entries + 1) / (df + 0.5))

    def _term_weight(self, term: str) -> float:
        parts = term.split(" ")
        weight = self._t.bigram if len(parts) > 1 else self._t.unigram
        if all(p in _SOFT_WORDS for p in parts):
            weight *= self._t.soft
        return weight * self._idf(self._word_df[term])

    def _word_vector(self, words: Sequence[str]) -> dict[str, float]:
        return {t: self._term_weight(t) for t in set(_word_terms(words))}

    def _char_vector(self, words: Sequence[str]) -> dict[str, float]:
        counts = Counter(_char_terms(words, self._t.char_n))
        return {g: (1 + math.log(c)) * self._idf(self._char_df[g]) for g, c in counts.items()}

    def _variant(self, faq_id: int, text: str, words: list[str]) -> _Variant:
        wv = self._word_vector(words)
        cv = self._char_vector(words)
        return _Variant(faq_id, text, wv, _norm(wv), cv, _norm(cv))

    def score(self, query: str) -> list[tuple[int, float, str]]:
        """Rank entries for `query`: (faq_id, score in [0, 1], best matching question), best first."""
        t = self._t
        words = normalise(query)
        if not words or not self._variants:
            return []
        qw = self._word_vector(words)
        qc = self._char_vector(words)
        qw_norm, qc_norm = _norm(qw), _norm(qc)
        if qw_norm == 0:
            return []
        word_dot: dict[int, float] = defaultdict(float)
        char_dot: dict[int, float] = defaultdict(float)
        for term, weight in qw.items():
            for position in self._by_word.get(term, ()):
                word_dot[position] += weight * self._variants[position].words[term]
        for gram, weight in qc.items():
            for position in self._by_char.get(gram, ()):
                char_dot[position] += weight * self._variants[position].chars[gram]

        best: dict[int, tuple[float, str]] = {}
        for position in set(word_dot) | set(char_dot):
            variant = self._variants[position]
            word_cos = word_dot.get(position, 0.0) / (qw_norm * variant.words_norm or 1.0)
            char_cos = 0.0
            if qc_norm and variant.chars_norm:
                char_cos = char_dot.get(position, 0.0) / (qc_norm * variant.chars_norm)
            partial = t.word * word_cos + t.char * char_cos
            if variant.faq_id not in best or partial > best[variant.faq_id][0]:
                best[variant.faq_id] = (partial, variant.text)

        total = qw_norm * qw_norm
        procedure_share = sum(w * w for term, w in qw.items() if term in self._procedure_terms) / total
        penalty = (1.0 - procedure_share) ** t.procedure_power
        empty: frozenset[str] = frozenset()
        ranked: list[tuple[int, float, str]] = []
        for faq_id, (partial, text) in best.items():
            in_questions = self._entry_words[faq_id]
            in_answer = self._answer_words.get(faq_id, empty)
            covered = sum(
                w * w * (1.0 if term in in_questions else t.answer_cover if term in in_answer else 0.0)
                for term, w in qw.items()
            )
            share = covered / total
            raw = (partial + t.cover * share) * share**t.cover_power * penalty
            # The product of fractions bunches scores near 0; the square root spreads them out
            # (order and any threshold's effect are unchanged).
            ranked.append((faq_id, math.sqrt(min(1.0, max(0.0, raw))), text))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        return ranked


# --- Cache ---------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
# database url -> (what the index was built from, the index)
_index_cache: dict[str, tuple[tuple[object, ...], FaqIndex]] = {}
# database url -> (procedure/alias signature, their vocabulary)
_vocabulary_cache: dict[str, tuple[tuple[object, ...], frozenset[str]]] = {}


def _procedure_terms(session: Session, key: str) -> tuple[tuple[object, ...], frozenset[str]]:
    # Procedures change only on a national re-import and aliases when staff edit them; one cheap
    # query tells whether the vocabulary must be rebuilt.
    signature = tuple(
        session.execute(
            select(
                select(func.count(Procedure.id)).scalar_subquery(),
                select(func.max(Procedure.id)).scalar_subquery(),
                select(func.max(Procedure.imported_at)).scalar_subquery(),
                select(func.count(Alias.id)).scalar_subquery(),
                select(func.max(Alias.id)).scalar_subquery(),
                select(func.sum(func.length(Alias.alias_folded))).scalar_subquery(),
            )
        ).one()
    )
    with _cache_lock:
        cached = _vocabulary_cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached
    names = list(session.scalars(select(Procedure.name))) + list(session.scalars(select(Alias.alias)))
    built = (signature, procedure_vocabulary(names))
    with _cache_lock:
        _vocabulary_cache[key] = built
    return built


def get_faq_index(session: Session) -> FaqIndex:
    """Return the index of the published entries, rebuilt whenever any of them changed.

    The published questions and answers themselves are the cache key (a few hundred short rows, read
    in two small queries), so a staff edit made by any means, even one that leaves `updated_at`
    alone, is used by the very next call.
    """
    key = str(session.get_bind().engine.url)
    questions = tuple(
        session.execute(
            select(FaqQuestion.id, FaqQuestion.faq_id, FaqQuestion.text)
            .join(FaqEntry, FaqEntry.id == FaqQuestion.faq_id)
            .where(FaqEntry.published.is_(True))
            .order_by(FaqQuestion.id)
        ).tuples()
    )
    answers = tuple(
        session.execute(
            select(FaqEntry.id, FaqEntry.answer).where(FaqEntry.published.is_(True)).order_by(FaqEntry.id)
        ).tuples()
    )
    vocabulary_signature, vocabulary = _procedure_terms(session, key)
    source: tuple[object, ...] = (questions, answers, vocabulary_signature)
    with _cache_lock:
        cached = _index_cache.get(key)
    if cached is not None and cached[0] == source:
        return cached[1]
    index = FaqIndex(
        ((fid, text) for _qid, fid, text in questions), dict(answers), procedure_terms=vocabulary
    )
    with _cache_lock:
        _index_cache[key] = (source, index)
    return index


# --- Public functions ----------------------------------------------------------------------------


def _entries(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """Published entries by id: (answer, procedure code)."""
    if not ids:
        return {}
    statement = (
        select(FaqEntry.id, FaqEntry.answer, Procedure.code)
        .outerjoin(Procedure, Procedure.id == FaqEntry.procedure_id)
        .where(FaqEntry.id.in_(list(ids)), FaqEntry.published.is_(True))
    )
    return {faq_id: (answer, code) for faq_id, answer, code in session.execute(statement)}


def search_faq(session: Session, query: str, *, limit: int = 3) -> list[FaqHit]:
    """Find published FAQ entries answering a citizen's message; best first.

    Args:
        session: an open database session.
        query: the citizen's text, with or without diacritics, abbreviations allowed.
        limit: the maximum number of hits.

    Returns:
        Up to `limit` hits, scores in [0, 1]. Hits under `MIN_FAQ_SCORE` are returned too (for
        suggestions and evaluation); the caller decides what to do with them.
    """
    limit = max(1, int(limit))
    ranked = get_faq_index(session).score(query)
    if not ranked:
        return []
    # Read answers after ranking, so an answer edited a moment ago is the one shown; an entry
    # unpublished between the two reads is skipped.
    candidates = ranked[: limit * 2]
    entries = _entries(session, [faq_id for faq_id, _s, _t in candidates])
    hits = [
        FaqHit(
            faq_id=fid,
            question=text,
            answer=entries[fid][0],
            score=round(score, 4),
            procedure_code=entries[fid][1],
        )
        for fid, score, text in candidates
        if fid in entries
    ]
    return hits[:limit]


def faq_view(session: Session, faq_id: int) -> FaqHit | None:
    """Return one published entry as a hit (score 1.0, its first question), or None.

    Unpublished entries are not shown to citizens, so they are None too.
    """
    entry = _entries(session, [faq_id]).get(faq_id)
    if entry is None:
        return None
    first = session.scalars(
        select(FaqQuestion.text).where(FaqQuestion.faq_id == faq_id).order_by(FaqQuestion.id).limit(1)
    ).first()
    answer, code = entry
    return FaqHit(faq_id=faq_id, question=first or "", answer=answer, score=1.0, procedure_code=code)


# --- The shipped seed ----------------------------------------------------------------------------


class FaqSeedError(ValueError):
    """The FAQ seed file is malformed."""


@dataclass(frozen=True)
class SeedEntry:
    """One validated entry of the seed file."""

    key: str
    questions: tuple[str, ...]
    answer: str
    procedure_code: str | None
    published: bool


def read_faq_seed(path: Path = DEFAULT_SEED) -> list[SeedEntry]:
    """Read and validate the seed file (a list of entries, or an object with "entries")."""
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FaqSeedError(f"cannot read {path}: {exc}") from exc
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise FaqSeedError(f"{path}: expected a list of entries")
    entries: list[SeedEntry] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{path} entry {number}"
        if not isinstance(item, dict):
            raise FaqSeedError(f"{where}: not an object")
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key) or key in seen:
            raise FaqSeedError(f"{where}: bad or repeated key {key!r}")
        seen.add(key)
        questions = item.get("questions")
        if (
            not isinstance(questions, list)
            or not questions
            or not all(isinstance(q, str) and q.strip() for q in questions)
        ):
            raise FaqSeedError(f"{where} ({key}): questions must be non-empty strings")
        answer = item.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            raise FaqSeedError(f"{where} ({key}): empty answer")
        if "\n\n" in answer or answer != answer.strip():
            # A blank line makes the Rasa channel split the answer into several messages.
            raise FaqSeedError(f"{where} ({key}): answer has a blank line or surrounding space")
        code = item.get("procedure_code")
        if code is not None and not isinstance(code, str):
            raise FaqSeedError(f"{where} ({key}): procedure_code must be a string or null")
        entries.append(
            SeedEntry(
                key=key,
                questions=tuple(" ".join(q.split()) for q in questions),
                answer=answer,
                procedure_code=code,
                published=bool(item.get("published", True)),
            )
        )
    return entries


def _set_questions(entry: FaqEntry, questions: Sequence[str]) -> None:
    entry.questions = [FaqQuestion(text=q, text_folded=" ".join(fold(q).split())) for q in questions]


def load_faq_seed(session: Session, path: Path = DEFAULT_SEED) -> int:
    """Upsert the shipped FAQ seed by `FaqEntry.seed_key`; return how many entries were inserted or updated.

    Missing entries are inserted; an existing seed entry is updated only while no staff member has
    edited it (`updated_by == "seed"`); nothing is deleted. Running it again changes nothing. The
    session is flushed, not committed.

    Args:
        session: an open database session.
        path: the seed file.
    """
    seed = read_faq_seed(path)
    codes = {e.procedure_code for e in seed if e.procedure_code}
    procedure_ids = (
        dict(
            session.execute(
                select(Procedure.code, Procedure.id).where(Procedure.code.in_(sorted(codes)))
            ).all()
        )
        if codes
        else {}
    )
    existing = {
        e.seed_key: e
        for e in session.scalars(
            select(FaqEntry)
            .where(FaqEntry.seed_key.in_([s.key for s in seed]))
            .options(selectinload(FaqEntry.questions))
        )
    }
    changed = 0
    for item in seed:
        procedure_id = procedure_ids.get(item.procedure_code) if item.procedure_code else None
        entry = existing.get(item.key)
        if entry is None:
            entry = FaqEntry(
                seed_key=item.key,
                answer=item.answer,
                procedure_id=procedure_id,
                published=item.published,
                created_by=SEED_ACTOR,
                updated_by=SEED_ACTOR,
            )
            _set_questions(entry, item.questions)
            session.add(entry)
            changed += 1
            continue
        if entry.updated_by != SEED_ACTOR:
            continue  # edited by staff: theirs wins
        current_questions = [(q.text, q.text_folded) for q in entry.questions]
        wanted_questions = [(q, " ".join(fold(q).split())) for q in item.questions]
        if (
            entry.answer == item.answer
            and entry.published == item.published
            and entry.procedure_id == procedure_id
            and current_questions == wanted_questions
        ):
            continue
        entry.answer = item.answer
        entry.published = item.published
        entry.procedure_id = procedure_id
        if current_questions != wanted_questions:
            _set_questions(entry, item.questions)
        changed += 1
    session.flush()
    return changed
