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

Retrieval over everything a procedure says (knowledge_base/retrieval.py) has its weights in
`ContentWeights`; the fusion of name search with it, and the qualifiers that pick a variant, in
`FusionWeights` (`fuse`, `content_share`, `content_confidence`, `qualifier_adjustment`). Those were
tuned on tests/knowledge_base/retrieval_dev.yml and the name set together; run both before and
after changing one.
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


@dataclass(frozen=True)
class ContentWeights:
    """The weights of retrieval over everything a procedure says (knowledge_base/retrieval.py).

    Field weights multiply a term's frequency in that field (BM25F); k1 and b are BM25's.
    """

    name: float = 3.0  # the procedure's name: what it is
    field: float = 1.0  # its domain ("Hộ tịch", "Đất đai")
    applicants: float = 0.6  # who applies ("Công dân Việt Nam, người nước ngoài")
    result: float = 0.8  # what the citizen gets ("Giấy chứng nhận kết hôn")
    conditions: float = 0.2  # who may, when
    documents: float = 0.2  # the documents to bring
    steps: float = 0.1  # how it is done (long, and alike across procedures)
    k1: float = 1.2
    b: float = 0.75
    bigram_weight: float = 1.0  # a query bigram ("khai_tu") against a syllable
    max_field_chars: int = 1500  # a longer field is cut (its start says what it is about)

    def field_weights(self) -> dict[str, float]:
        """Field name (as `ContentRecord.fields` names it) -> its weight."""
        return {
            "name": self.name,
            "field": self.field,
            "applicants": self.applicants,
            "result": self.result,
            "conditions": self.conditions,
            "documents": self.documents,
            "steps": self.steps,
        }


DEFAULT_CONTENT_WEIGHTS = ContentWeights()


@dataclass(frozen=True)
class FusionWeights:
    """How name search and retrieval over everything a procedure says are fused, and qualifiers.

    A candidate's fused score (see `fuse`) is

        (1 - a) * name + a * content + qualifier adjustment

    where `name` is its name-search rank (0 when name search did not find it), `content` its BM25F
    score relative to the best one, times how sure retrieval is of the best (`content_confidence`),
    and `a` is the content's share: `content_share_max` when name search names nothing clearly,
    down to `content_share_min` when its best name is a clear match (`content_share`).
    """

    content_share_min: float = 0.1  # the content's share when a name matches clearly
    content_share_max: float = 0.8  # ... when no name matches at all
    name_clear: float = 0.8  # a best name rank from which the name match is clear
    # Name search also reads the words the colloquial lexicon adds ("khai tử" for "mẹ tôi mất")
    # when the message as typed names nothing better than this.
    widen_below: float = 0.7
    # How sure retrieval is of its best procedure: best / (best + content_half); a query's BM25F
    # score grows with its words, so the best score is first divided by the query's weight.
    content_half: float = 1.0
    # ... times (coverage_floor + (1 - coverage_floor) * the share of the query's words it holds)
    coverage_floor: float = 0.4
    # --- qualifiers: what picks a variant (vntext.need.Qualifiers) ---
    # They adjust only candidates within this much of the best one (before adjustment), and (but
    # for the level) only procedures with a sibling variant (`VariantTraits.has_siblings`).
    qualifier_band: float = 0.2
    foreign_match: float = 0.1  # a foreign element is said and the procedure has one
    foreign_missing: float = 0.1  # ... said, and the procedure is the domestic one
    foreign_unasked: float = 0.06  # none said, and the procedure is the foreign variant
    age_match: float = 0.05  # the age said fits the procedure's ("dưới 14 tuổi")
    age_mismatch: float = 0.1  # ... does not
    issue_match: float = 0.08  # again / exchange / first said, and the procedure is that one
    issue_mismatch: float = 0.1  # ... the procedure is another of them
    issue_unasked: float = 0.05  # none said, and the procedure re-issues or exchanges
    level_match: float = 0.04  # a level named, and the procedure is done there


DEFAULT_FUSION = FusionWeights()


@dataclass(frozen=True)
class VariantTraits:
    """What a procedure's name says of its variant (read once, at index build)."""

    foreign: bool = False  # "... có yếu tố nước ngoài", "... người nước ngoài"
    min_age: int | None = None  # "từ đủ 14 tuổi trở lên" -> 14
    max_age: int | None = None  # "dưới 14 tuổi" -> 13
    issue: str | None = None  # "again" (Cấp lại, Đăng ký lại), "exchange" (Cấp đổi, Đổi), "first" (lần đầu)
    # Another procedure's name differs from this one only by these traits ("Đăng ký kết hôn" and
    # "... có yếu tố nước ngoài"): only then do qualifiers choose between them.
    has_siblings: bool = False


def content_share(best_name: float, weights: FusionWeights = DEFAULT_FUSION) -> float:
    """The content's share of the fused score, given the best name-search rank of the query."""
    clear = min(max(best_name, 0.0) / weights.name_clear, 1.0)
    return weights.content_share_max - (weights.content_share_max - weights.content_share_min) * clear


def content_confidence(
    best: float, query_weight: float, coverage: float = 1.0, weights: FusionWeights = DEFAULT_FUSION
) -> float:
    """How sure retrieval is of its best procedure, in [0, 1).

    Args:
        best: the best procedure's BM25F score.
        query_weight: the query's syllable weight (a query's score grows with its words).
        coverage: the share of that weight the best procedure's text holds: a message whose words
            a procedure mostly lacks ("nuôi chim yến trên sao Hỏa") is not about it.
    """
    if best <= 0 or query_weight <= 0:
        return 0.0
    per_unit = best / query_weight
    floor = weights.coverage_floor
    return per_unit / (per_unit + weights.content_half) * (floor + (1.0 - floor) * coverage)


def qualifier_adjustment(
    traits: VariantTraits,
    *,
    foreign: bool,
    age: int | None,
    issue: str | None,
    levels_match: bool,
    weights: FusionWeights = DEFAULT_FUSION,
) -> float:
    """The bonus (or penalty, negative) of a procedure's variant against the need's qualifiers.

    Args:
        traits: what the procedure's name says of its variant.
        foreign: the need says a foreign element.
        age: the age the need is about, if said.
        issue: "first", "again" or "exchange", if said.
        levels_match: the need names a level the procedure is done at.
    """
    value = weights.level_match if levels_match else 0.0
    if not traits.has_siblings:
        return value
    if foreign:
        value += weights.foreign_match if traits.foreign else -weights.foreign_missing
    elif traits.foreign:
        value -= weights.foreign_unasked
    if age is not None and (traits.min_age is not None or traits.max_age is not None):
        fits = (traits.min_age is None or age >= traits.min_age) and (
            traits.max_age is None or age <= traits.max_age
        )
        value += weights.age_match if fits else -weights.age_mismatch
    if issue is not None and issue != "first":
        if traits.issue == issue:
            value += weights.issue_match
        elif traits.issue in ("again", "exchange"):
            value -= weights.issue_mismatch
    elif issue == "first":
        if traits.issue == "first":
            value += weights.issue_match
        elif traits.issue in ("again", "exchange"):
            value -= weights.issue_mismatch
    elif traits.issue in ("again", "exchange"):
        value -= weights.issue_unasked
    return value


def fuse(name: float, content: float, share: float, adjustment: float) -> float:
    """A candidate's fused score: its name rank and content score blended, plus its qualifiers."""
    return (1.0 - share) * name + share * content + adjustment
