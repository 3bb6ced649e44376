"""How procedure search ranks names: its weights in one structure, and one small function per feature.

`knowledge_base.search` reads the query (words, concepts, aliases, levels) and finds candidate
names; every number that decides how a candidate ranks is a field of `RankingWeights`, and every
feature that uses them is a function here, testable on hand-made inputs. A candidate's score is

    score = query_coverage * share of the query the name covers
          + name_coverage * share of the name the query covers (an alias may stand for the name)
          + alias bonus + lead bonus - action penalty - asked-action penalty

and its rank `score * score_share + level prior (+ level_asked when the query names its level)`.
The weights were tuned by hand on knowledge_base/eval/search_queries.jsonl
(`python -m knowledge_base.eval.search_eval`); change one only with that evaluation run before and
after.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# One wording of a concept, as scored: (term, idf, bigrams one of which a name must also have).
ScoredTerms = Sequence[tuple[str, float, tuple[str, ...]]]


@dataclass(frozen=True)
class RankingWeights:
    """Every hand-tuned number of procedure ranking, one field per feature."""

    # --- The score: coverage both ways (they sum to 1) ---
    query_coverage: float = 0.62  # share of the query's weight the name matches
    name_coverage: float = 0.38  # share of the name's weight the query says
    # --- Bonuses and penalties added to the score ---
    action_penalty: float = 0.1  # the name only modifies a grant, and the query does not ask for that
    asked_action_penalty: float = 0.06  # the query asks for a modifying action the name does not say
    # ... applied when a name with that action covers this share of what the best name covers
    asked_thing_share: float = 0.6
    # the name starts with the words the query says ("Giải thể", "Đổi"); half for its first word only
    lead_bonus: float = 0.03
    alias_bonus: float = 0.05  # an alias of the procedure is in the query (times the alias's weight)
    alias_floor: float = 0.5  # share of the alias bonus kept when the name itself says the alias's words
    # --- How much one match counts ---
    alias_loose_factor: float = 0.85  # an alias found out of order or with words between
    alt_factor: float = 0.9  # a name matching another wording than the citizen's own
    corrected_factor: float = 0.7  # a typo-corrected word
    soft_weight: float = 0.12  # a question word or small talk ("cần giấy tờ gì", "bao lâu")
    bigram_factor: float = 0.6  # a bigram is worth at most this much of its two words together
    max_concept_weight: float = 9.0  # no phrase outweighs the rest of a query
    qualifier_factor: float = 0.2  # a name's narrowing clause ("đối với ...") in name coverage
    tail_match_factor: float = 0.8  # a query word found only in a name's narrowing clause
    shorter_first: float = 1e-4  # per unit of a name's weight: among candidates, shorter names first
    # --- The rank: the score, then the level a citizen normally goes to ---
    score_share: float = 0.96  # the score's share of the rank; the level prior tops it up
    level_xa: float = 0.05  # prior of procedures done at commune level (where citizens go first)
    level_tinh: float = 0.025  # ... at province level
    level_bo: float = 0.0  # ... at a ministry
    level_asked: float = 0.06  # the query names a level the procedure is done at ("cấp tỉnh")

    def level_preference(self) -> dict[str, float]:
        """Level code -> its prior, for the levels of the `levels` column ("xa", "tinh", "bo")."""
        return {"xa": self.level_xa, "tinh": self.level_tinh, "bo": self.level_bo}


DEFAULT_WEIGHTS = RankingWeights()


def level_prior(levels: Iterable[str], weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    """The prior of a procedure done at `levels`: the best of its levels' preferences."""
    preference = weights.level_preference()
    return max((preference.get(level, 0.0) for level in levels), default=0.0)


def concept_match(wordings: Sequence[tuple[ScoredTerms, float]], terms_in_name: Mapping[str, float]) -> float:
    """How well a name matches one concept of the query, in [0, 1], through its best wording.

    Args:
        wordings: each wording's scored terms and its total idf, divided by `alt_factor` for a
            wording that is not the citizen's own (so that it counts less).
        terms_in_name: the name's terms and how much a match of each counts (1, or
            `tail_match_factor` in its narrowing clause).
    """
    best = 0.0
    for pairs, wording_weight in wordings:
        got = 0.0
        for term, value, needs_one in pairs:
            factor = terms_in_name.get(term, 0.0)
            if factor and (not needs_one or any(b in terms_in_name for b in needs_one)):
                got += value * factor
        if got > best * wording_weight:
            best = got / wording_weight
    return min(best, 1.0)


def query_coverage(
    matches: Iterable[tuple[float, bool, float]], thing_total: float, total: float
) -> tuple[float, float]:
    """The share of the query a name covers, and the share of the query's things it covers.

    An action counts as far as the name is about what the query names: "hết hạn làm lại" says what
    to do with "hộ chiếu", and nothing for a name without it.

    Args:
        matches: per concept, (its weight, whether it is an action verb, how well the name
            matches it in [0, 1]).
        thing_total: the weight of the query's concepts that are not verbs.
        total: the weight of all the query's concepts.

    Returns:
        (query coverage in [0, 1], thing coverage: 1 when the query names no thing).
    """
    covered = covered_actions = 0.0
    for weight, verb, match in matches:
        if verb:
            covered_actions += weight * match
        else:
            covered += weight * match
    thing_cov = covered / thing_total if thing_total else 1.0
    covered += covered_actions * thing_cov
    return min(covered / total, 1.0), thing_cov


def name_coverage(matched: float, name_total: float, alias: tuple[float, float] | None = None) -> float:
    """The share of a name the query says, in [0, 1]; an alias in the query may stand for the name.

    Args:
        matched: the weight of the name's words the query says.
        name_total: the weight of all the name's words.
        alias: (the alias's weight, the share of the query's hard weight it spans), when an alias
            of this procedure is in the query: the more of the query it spans, the better.
    """
    coverage = min(matched / name_total, 1.0)
    if alias:
        alias_weight, spanned_share = alias
        coverage = max(coverage, min(alias_weight, 1.0) * math.sqrt(spanned_share))
    return coverage


def alias_bonus(
    alias_weight: float, spanned: float, spanned_by_name: float, weights: RankingWeights = DEFAULT_WEIGHTS
) -> float:
    """The bonus of a procedure whose alias is in the query.

    It matters most where the official name does not say what the citizen said: of the query's
    weight the alias spans (`spanned`), the part the name matches by itself (`spanned_by_name`)
    keeps only `alias_floor` of the bonus.
    """
    gain = 1.0 - spanned_by_name / spanned if spanned else 0.0
    return weights.alias_bonus * alias_weight * (weights.alias_floor + (1.0 - weights.alias_floor) * gain)


def lead_bonus(
    lead_bigram: str, lead_word: str, query_terms: set[str], weights: RankingWeights = DEFAULT_WEIGHTS
) -> float:
    """The bonus of a name that starts with what the query says: its first two words, or its first."""
    if lead_bigram in query_terms:
        return weights.lead_bonus
    if lead_word in query_terms:
        return weights.lead_bonus / 2
    return 0.0


def action_penalty(
    needs: Sequence[frozenset[str]], query_terms: set[str], weights: RankingWeights = DEFAULT_WEIGHTS
) -> float:
    """The penalty of a name that only modifies a grant ("Thu hồi ...") the query does not ask for.

    Args:
        needs: the query terms saying each of the name's leading actions (empty: a granting name).
        query_terms: the query's terms.
    """
    if needs and not any(need <= query_terms for need in needs):
        return weights.action_penalty
    return 0.0


def demotes_unasked(
    candidates: Iterable[tuple[float, bool]], weights: RankingWeights = DEFAULT_WEIGHTS
) -> bool:
    """Whether names lacking the modifying action the query asks for are demoted.

    They are when a name saying it covers the query's things nearly as well as the best name
    ("cấp lại sổ đỏ"); when none does, the citizen's wording is loose ("xin cấp lại bản sao giấy
    khai sinh": a copy is simply issued).

    Args:
        candidates: per candidate name, (its thing coverage, whether it says an asked action).
    """
    candidates = list(candidates)
    if not candidates:
        return False
    best_thing = max(thing_cov for thing_cov, _ in candidates)
    best_asked = max((thing_cov for thing_cov, says in candidates if says), default=-1.0)
    return best_asked >= weights.asked_thing_share * best_thing


def rank(
    score: float,
    prior: float,
    *,
    demoted: bool,
    level_asked: bool,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> float:
    """The rank of a candidate: its score (less the asked-action penalty), then its level.

    Args:
        score: the candidate's score.
        prior: its level prior (`level_prior`).
        demoted: it lacks a modifying action the query asks for (`demotes_unasked`).
        level_asked: the query names a level the procedure is done at.
    """
    if demoted:
        score -= weights.asked_action_penalty
    value = score * weights.score_share + prior
    if level_asked:
        value += weights.level_asked
    return value
