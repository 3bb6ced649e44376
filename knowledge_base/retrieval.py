"""Sparse retrieval over everything a procedure says: BM25F over its fields.

Name search (knowledge_base/search.py) reads procedure names and aliases only, and finds what a
citizen names. A citizen who *describes* their situation ("bố tôi đang hưởng lương hưu thì mất, gia
đình nhận tiền tuất thế nào") uses words a procedure's name may lack but its other fields hold: who
applies, the conditions, the documents, the result, the steps. This index scores those too.

* Text is folded (no diacritics, đ == d, lower case), shorthand expanded, and cut into syllables;
  each syllable and each pair of neighbouring syllables ("khai_tu") is a term.
* Each field counts with its weight (`ContentWeights`): a term in the name counts most, one in the
  steps least. A procedure's weighted term frequencies and length feed BM25F (one saturation over
  the weighted sum, Robertson & Zaragoza 2009), so that long steps do not drown a short name.
* Long fields are cut (`ContentWeights.max_field_chars`): the start of a list of documents or steps
  says what the procedure is about; the rest adds time to the build and little to the ranking.
* Scores are precomputed per (term, procedure) at build time; a query adds, for each of its terms,
  its weight times that term's column (numpy), so a search costs a few array additions.

The query is a bag of weighted terms (`vntext.need.Need.terms`: the need's clauses, greetings and
self-introduction set aside, plus the words procedures use for what the citizen said).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import Procedure, RequiredDocument
from knowledge_base.ranking import DEFAULT_CONTENT_WEIGHTS, ContentWeights
from vntext.abbreviations import ABBREVIATIONS

__all__ = ["ContentIndex", "ContentRecord", "fast_fold", "terms_of"]

_SYLLABLE = re.compile(r"[a-z0-9]+")
_MARKS = re.compile(r"[\u0300-\u036f]")
# Acronyms of official terms procedure texts use ("bhxh", "tnhh"); chat shorthand ("k") is left alone.
_ACRONYMS = {short: tuple(full.split()) for short, full in ABBREVIATIONS.items() if len(short) >= 3}
# A bigram's key is (first syllable's id + 1) * _PAIR + second's id; a syllable's key is its id.
_PAIR = 1 << 21


def fast_fold(text: str) -> str:
    """Fold a long text as `vntext.fold` does (lower case, no diacritics, đ == d), in bulk.

    `vntext.fold` goes character by character to keep offsets; the index needs no offsets and
    folds megabytes at build time.
    """
    return _MARKS.sub("", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))).lower()


def _words(folded: str) -> list[str]:
    """The syllables of a folded text, acronyms of official terms expanded ("bhxh")."""
    out: list[str] = []
    for word in _SYLLABLE.findall(folded):
        full = _ACRONYMS.get(word)
        if full is None:
            out.append(word)
        else:
            out.extend(full)
    return out


def terms_of(folded: str) -> list[str]:
    """The terms of a folded text: its syllables, then the bigrams of neighbouring syllables."""
    words = _words(folded)
    return words + [f"{a}_{b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class ContentRecord:
    """What the index reads of one procedure: its code and the text of each field."""

    code: str
    fields: Mapping[str, str]


class ContentIndex:
    """BM25F over the fields of every procedure (see the module's docstring)."""

    def __init__(
        self, records: Sequence[ContentRecord], *, weights: ContentWeights = DEFAULT_CONTENT_WEIGHTS
    ):
        """Build the index.

        Args:
            records: one per procedure; a field missing from `fields` is empty.
            weights: the field weights and BM25 constants.
        """
        self.weights = weights
        self.codes = [r.code for r in records]
        self.position = {code: k for k, code in enumerate(self.codes)}
        self.size = len(records)
        limit = weights.max_field_chars
        vocabulary: dict[str, int] = {}  # syllable -> id
        # One row per (term, procedure): the term's key, the procedure, its weighted frequency.
        keys: list[np.ndarray] = []
        docs: list[np.ndarray] = []
        freqs: list[np.ndarray] = []
        lengths = np.zeros(self.size, dtype=np.float64)
        for doc, record in enumerate(records):
            doc_keys: list[np.ndarray] = []
            doc_weights: list[np.ndarray] = []
            for name, weight in weights.field_weights().items():
                text = record.fields.get(name) or ""
                if not text or not weight:
                    continue
                ids = np.fromiter(
                    (vocabulary.setdefault(w, len(vocabulary)) for w in _words(fast_fold(text[:limit]))),
                    dtype=np.int64,
                )
                if not ids.size:
                    continue
                field_keys = np.concatenate([ids, (ids[:-1] + 1) * _PAIR + ids[1:]])
                doc_keys.append(field_keys)
                doc_weights.append(np.full(field_keys.size, weight, dtype=np.float64))
                lengths[doc] += weight * field_keys.size
            if doc_keys:
                # Summed per procedure now, so that the rows kept are few (memory at build time).
                unique, inverse = np.unique(np.concatenate(doc_keys), return_inverse=True)
                keys.append(unique)
                docs.append(np.full(unique.size, doc, dtype=np.int32))
                freqs.append(np.bincount(inverse, weights=np.concatenate(doc_weights)))
        self._vocabulary = vocabulary
        if not keys:
            self._keys = np.zeros(0, dtype=np.int64)
            self._starts = np.zeros(1, dtype=np.int64)
            self._docs = np.zeros(0, dtype=np.int32)
            self._scores = np.zeros(0, dtype=np.float32)
            return
        row_keys, row_docs, row_freqs = np.concatenate(keys), np.concatenate(docs), np.concatenate(freqs)
        order = np.lexsort((row_docs, row_keys))  # by term, then procedure
        row_keys, row_docs, row_freqs = row_keys[order], row_docs[order], row_freqs[order]
        new_term = np.ones(row_keys.size, dtype=bool)
        new_term[1:] = row_keys[1:] != row_keys[:-1]
        term_starts = np.flatnonzero(new_term)
        df = np.diff(np.append(term_starts, row_keys.size))
        n = max(self.size, 1)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        k1, b = weights.k1, weights.b
        average = float(lengths.mean()) or 1.0
        norm = k1 * (1.0 - b + b * lengths / average)
        row_idf = np.repeat(idf, df)
        scores = row_idf * row_freqs * (k1 + 1.0) / (row_freqs + norm[row_docs])
        self._keys = row_keys[term_starts]
        self._starts = np.append(term_starts, row_keys.size)
        self._docs = row_docs
        self._scores = scores.astype(np.float32)

    def _key(self, term: str) -> int | None:
        vocabulary = self._vocabulary
        if "_" not in term:
            return vocabulary.get(term)
        first, _, second = term.partition("_")
        a, b = vocabulary.get(first), vocabulary.get(second)
        return None if a is None or b is None else (a + 1) * _PAIR + b

    @classmethod
    def from_session(
        cls, session: Session, *, weights: ContentWeights = DEFAULT_CONTENT_WEIGHTS
    ) -> ContentIndex:
        """Build the index from every procedure in the database and its required documents."""
        rows = session.execute(
            select(
                Procedure.id,
                Procedure.code,
                Procedure.name,
                Procedure.field,
                Procedure.applicants,
                Procedure.conditions,
                Procedure.result,
                Procedure.steps,
            ).order_by(Procedure.id)
        ).all()
        documents: dict[int, list[str]] = defaultdict(list)
        for procedure_id, name in session.execute(
            select(RequiredDocument.procedure_id, RequiredDocument.name).order_by(
                RequiredDocument.procedure_id, RequiredDocument.position
            )
        ):
            documents[procedure_id].append(name)
        records = [
            ContentRecord(
                code=code,
                fields={
                    "name": name,
                    "field": field_name,
                    "applicants": applicants,
                    "conditions": conditions,
                    "result": result,
                    "steps": steps,
                    "documents": "\n".join(documents.get(procedure_id, ())),
                },
            )
            for procedure_id, code, name, field_name, applicants, conditions, result, steps in rows
        ]
        return cls(records, weights=weights)

    @classmethod
    def from_names(cls, procedures: Iterable[tuple[str, str]]) -> ContentIndex:
        """An index over names alone: (code, name) pairs (for an index built from plain data)."""
        return cls([ContentRecord(code=code, fields={"name": name}) for code, name in procedures])

    def scores(self, terms: Iterable[tuple[str, float]]) -> np.ndarray:
        """BM25F score of every procedure (in index order) for weighted query terms.

        Args:
            terms: (term, weight) pairs; a term is a folded syllable or a bigram "a_b".
        """
        total = np.zeros(self.size, dtype=np.float32)
        bigram = self.weights.bigram_weight
        keys = self._keys
        for term, weight in terms:
            key = self._key(term)
            if key is None:
                continue
            at = int(np.searchsorted(keys, key))
            if at == keys.size or keys[at] != key:
                continue
            start, end = self._starts[at], self._starts[at + 1]
            total[self._docs[start:end]] += (weight * (bigram if "_" in term else 1.0)) * self._scores[
                start:end
            ]
        return total

    def coverage(self, terms: Iterable[tuple[str, float]], code: str) -> float:
        """The share of the query's syllable weight a procedure's text holds, in [0, 1]."""
        doc = self.position.get(code)
        total = found = 0.0
        for term, weight in terms:
            if "_" in term:
                continue
            total += weight
            key = self._key(term)
            if doc is None or key is None:
                continue
            at = int(np.searchsorted(self._keys, key))
            if at == self._keys.size or self._keys[at] != key:
                continue
            docs = self._docs[self._starts[at] : self._starts[at + 1]]  # sorted
            k = int(np.searchsorted(docs, doc))
            found += weight if k < docs.size and docs[k] == doc else 0.0
        return found / total if total else 0.0

    def top(self, terms: Sequence[tuple[str, float]], k: int) -> list[tuple[str, float]]:
        """The `k` best procedures for weighted query terms: (code, BM25F score), best first."""
        if not terms or not self.size or k <= 0:
            return []
        total = self.scores(terms)
        k = min(k, self.size)
        best = np.argpartition(-total, k - 1)[:k]
        best = best[np.argsort(-total[best], kind="stable")]
        return [(self.codes[doc], float(total[doc])) for doc in best if total[doc] > 0]
