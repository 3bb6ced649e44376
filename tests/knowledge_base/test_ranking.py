"""The features of procedure ranking (knowledge_base/ranking.py), each on hand-made inputs."""

from __future__ import annotations

import dataclasses
import math

import pytest

from knowledge_base.ranking import (
    DEFAULT_WEIGHTS,
    RankingWeights,
    action_penalty,
    alias_bonus,
    concept_match,
    demotes_unasked,
    lead_bonus,
    level_prior,
    name_coverage,
    query_coverage,
    rank,
)
from knowledge_base.search import LEVEL_PREFERENCE, SearchIndex

W = DEFAULT_WEIGHTS


def test_weights_are_one_frozen_structure() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        W.lead_bonus = 1.0  # type: ignore[misc]
    assert math.isclose(W.query_coverage + W.name_coverage, 1.0)
    assert all(isinstance(getattr(W, f.name), float) for f in dataclasses.fields(W))
    assert W.level_preference() == LEVEL_PREFERENCE


def test_level_prior_prefers_the_level_citizens_go_to_first() -> None:
    assert level_prior(["xa"]) > level_prior(["tinh"]) > level_prior(["bo"]) == 0.0
    assert level_prior(["tinh", "xa"]) == W.level_xa  # the best of its levels
    assert level_prior([]) == 0.0
    assert level_prior(["huyen"]) == 0.0  # a level without a preference


def test_concept_match_takes_the_best_wording_and_caps_at_one() -> None:
    own = ([("so", 1.0, ()), ("do", 1.0, ())], 2.0)
    official = ([("giay", 1.0, ()), ("chung", 1.0, ())], 2.0 / W.alt_factor)
    assert concept_match([own, official], {"so": 1.0, "do": 1.0}) == 1.0
    # Another wording than the citizen's own counts `alt_factor` as much.
    assert math.isclose(concept_match([own, official], {"giay": 1.0, "chung": 1.0}), W.alt_factor)
    # A term in the name's narrowing clause counts its factor; a missing one nothing.
    assert math.isclose(concept_match([own], {"so": W.tail_match_factor}), W.tail_match_factor / 2)
    assert concept_match([own], {}) == 0.0
    assert concept_match([([("so", 5.0, ())], 1.0)], {"so": 1.0}) == 1.0


def test_concept_match_needs_a_neighbour_for_terms_of_another_wording() -> None:
    # "kinh" of "hộ kinh doanh" counts only beside one of its bigrams.
    wording = ([("kinh", 1.0, ("ho_kinh", "kinh_doanh"))], 1.0)
    assert concept_match([wording], {"kinh": 1.0}) == 0.0
    assert concept_match([wording], {"kinh": 1.0, "kinh_doanh": 1.0}) == 1.0


def test_query_coverage_counts_actions_as_far_as_the_name_has_the_things() -> None:
    # A thing of weight 2 fully matched, an action of weight 1 fully matched: all covered.
    assert query_coverage([(2.0, False, 1.0), (1.0, True, 1.0)], 2.0, 3.0) == (1.0, 1.0)
    # The thing half matched: the action counts half too.
    cov, things = query_coverage([(2.0, False, 0.5), (1.0, True, 1.0)], 2.0, 3.0)
    assert things == 0.5 and math.isclose(cov, (1.0 + 0.5) / 3.0)
    # No thing named: actions count fully.
    assert query_coverage([(1.0, True, 1.0)], 0.0, 1.0) == (1.0, 1.0)


def test_name_coverage_lets_an_alias_stand_for_the_name() -> None:
    assert name_coverage(1.0, 4.0) == 0.25
    assert name_coverage(8.0, 4.0) == 1.0
    # An alias spanning the whole query stands for the whole name; one spanning a quarter, half.
    assert name_coverage(1.0, 4.0, (1.0, 1.0)) == 1.0
    assert name_coverage(0.0, 4.0, (1.0, 0.25)) == 0.5
    assert name_coverage(3.0, 4.0, (0.6, 0.25)) == 0.75  # the name says more than the alias


def test_alias_bonus_matters_most_where_the_name_does_not_say_it() -> None:
    full = alias_bonus(1.0, spanned=2.0, spanned_by_name=0.0)
    assert math.isclose(full, W.alias_bonus)
    assert math.isclose(alias_bonus(1.0, spanned=2.0, spanned_by_name=2.0), W.alias_bonus * W.alias_floor)
    assert math.isclose(alias_bonus(0.6, spanned=2.0, spanned_by_name=0.0), 0.6 * W.alias_bonus)
    assert math.isclose(alias_bonus(1.0, spanned=0.0, spanned_by_name=0.0), W.alias_bonus * W.alias_floor)


def test_lead_bonus_for_a_name_starting_with_the_query_words() -> None:
    assert lead_bonus("giai_the", "giai", {"giai", "the", "giai_the"}) == W.lead_bonus
    assert lead_bonus("giai_the", "giai", {"giai"}) == W.lead_bonus / 2
    assert lead_bonus("giai_the", "giai", {"the"}) == 0.0


def test_action_penalty_for_a_modifying_name_the_query_does_not_ask_for() -> None:
    needs = (frozenset({"thu", "hoi", "thu_hoi"}),)
    assert action_penalty(needs, {"so", "do"}) == W.action_penalty
    assert action_penalty(needs, {"thu", "hoi", "thu_hoi", "so"}) == 0.0
    assert action_penalty((), {"so"}) == 0.0  # a granting name


def test_unasked_names_are_demoted_only_when_a_name_with_the_action_fits() -> None:
    # (thing coverage, says the asked action)
    assert demotes_unasked([(1.0, False), (0.9, True)])
    assert demotes_unasked([(1.0, False), (W.asked_thing_share, True)])
    assert not demotes_unasked([(1.0, False), (0.3, True)])
    assert not demotes_unasked([(1.0, False)])
    assert not demotes_unasked([])


def test_rank_adds_level_prior_and_asked_level_and_subtracts_demotion() -> None:
    assert math.isclose(rank(0.5, 0.05, demoted=False, level_asked=False), 0.5 * W.score_share + 0.05)
    assert math.isclose(
        rank(0.5, 0.0, demoted=True, level_asked=True),
        (0.5 - W.asked_action_penalty) * W.score_share + W.level_asked,
    )


def test_other_weights_change_the_ranking() -> None:
    # The structure is what the index ranks with: the level prior alone orders two twins.
    procedures = [("1", "Cấp giấy phép thử nghiệm", "tinh"), ("2", "Cấp giấy phép thử nghiệm", "xa")]
    default = SearchIndex(procedures).search("giấy phép thử nghiệm")
    assert [hit.code for hit in default] == ["2", "1"]
    swapped = RankingWeights(level_xa=0.0, level_tinh=0.05)
    hits = SearchIndex(procedures, weights=swapped).search("giấy phép thử nghiệm")
    assert [hit.code for hit in hits] == ["1", "2"]
