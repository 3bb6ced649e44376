"""Search over how citizens really write: the need in a long message, colloquial words, qualifiers,
retrieval over everything a procedure says, and their fusion with name search.

Unit tests of `vntext.need`, `knowledge_base.retrieval` and the fusion features of
`knowledge_base.ranking`, then the development set (retrieval_dev.yml) on the seeded database with a
gate. The development set is the tuner's own; blind sets written by others are the measure.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge_base.db import session_scope
from knowledge_base.importer import PROCEDURES_SEED
from knowledge_base.ranking import (
    DEFAULT_CONTENT_WEIGHTS,
    DEFAULT_FUSION,
    VariantTraits,
    content_confidence,
    content_share,
    fuse,
    qualifier_adjustment,
)
from knowledge_base.retrieval import ContentIndex, ContentRecord, fast_fold, terms_of
from knowledge_base.search import SearchHit, SearchIndex, search_procedures, variant_traits, variant_traits_of
from vntext import fold
from vntext.need import ADDITION_WEIGHT, analyse, colloquial_additions, qualifiers_of

DEV_SET = Path(__file__).with_name("retrieval_dev.yml")
# The gate on the development set: top-3 of the first search. Measured 0.988 (top-1 0.951) when
# the set was written; a change that costs more than a few queries must say why.
DEV_TOP3_GATE = 0.95
DEV_TOP1_GATE = 0.88

F = DEFAULT_FUSION


# --- the need in a message -------------------------------------------------------------------------


def test_greetings_self_introduction_dates_and_thanks_are_set_aside() -> None:
    need = analyse(
        "Kính gửi Ủy ban nhân dân phường. Tôi tên là Nguyễn Văn An, sinh năm 1975, hiện cư trú tại số 12"
        " đường Lê Lợi. Năm 2019 tôi đã được cấp sổ đỏ. Nay tôi làm mất giấy chứng nhận. Xin hỏi tôi cần"
        " hồ sơ gì để được cấp lại? Xin trân trọng cảm ơn."
    )
    text = " ".join(clause for clause, _ in need.clauses)
    for aside in ("kinh gui", "nguyen van an", "1975", "le loi", "tran trong", "2019"):
        assert aside not in text, aside
    assert need.trimmed
    assert "so do" in text and "lam mat giay chung nhan" in text
    assert "cap lai" in need.additions
    assert need.qualifiers.issue == "again"


def test_the_clause_saying_the_need_weighs_most() -> None:
    need = analyse("Năm 2010 tôi được cấp giấy khai sinh. Nay tôi muốn sửa lại ngày sinh cho đúng")
    weights = dict(need.clauses)
    assert weights["nay toi muon sua lai ngay sinh cho dung"] == 1.0
    assert weights["toi duoc cap giay khai sinh"] < 1.0
    assert "muon" in need.cues_found


def test_a_need_said_by_family_members_weighs_most() -> None:
    # "ông bà muốn …": grandparents, not "tôi", say what they want; the death is the background.
    weights = dict(analyse("bố mẹ cháu mất hết, ông bà muốn làm người giám hộ cho cháu").clauses)
    assert weights["ong ba muon lam nguoi giam ho cho chau"] == 1.0
    assert weights["bo me chau mat het"] < 1.0


def test_a_self_introduction_that_also_says_the_need_is_kept() -> None:
    need = analyse("Tôi là Việt kiều muốn kết hôn với người Việt Nam")
    assert need.clauses and "ket hon" in need.clauses[0][0]
    assert need.qualifiers.foreign


def test_a_short_name_is_read_as_typed() -> None:
    need = analyse("đăng ký khai sinh")
    assert need.text_for_search == "dang ky khai sinh"
    assert not need.trimmed and not need.additions
    assert dict(need.terms)["khai_sinh"] == 1.0  # a typed word, not an addition


def test_question_words_are_no_terms() -> None:
    terms = dict(analyse("đăng ký kết hôn cần giấy tờ gì").terms)
    assert "ket" in terms and "hon" in terms
    assert "giay" not in terms and "gi" not in terms


@pytest.mark.parametrize(
    ("text", "added", "not_added"),
    [
        ("mẹ tôi mới qua đời", "khai tu", "cap lai"),
        ("bố em mất rồi thì báo ở đâu", "khai tu", "cap lai"),
        ("tôi bị mất căn cước", "cap lai", "khai tu"),
        ("làm mất sổ đỏ", "cap lai", "khai tu"),
        ("thẻ bị hỏng", "cap doi", "cap lai"),
        ("bằng lái hết hạn", "gia han", "khai tu"),
        (
            "sai tên trong giấy khai sinh",
            "thay doi cai chinh bo sung thong tin ho tich",
            "dinh chinh giay chung nhan",
        ),
        (
            "sổ đỏ bị ghi sai diện tích",
            "dinh chinh giay chung nhan",
            "thay doi cai chinh bo sung thong tin ho tich",
        ),
        ("muốn sang tên sổ đỏ", "chuyen nhuong", "khai tu"),
        ("nhập khẩu cho con về nhà chồng", "dang ky thuong tru", "khai tu"),
        ("mở tiệm tạp hóa", "ho kinh doanh", "thuong tru"),
        ("hộ cá thể", "ho kinh doanh", "thuong tru"),
        ("đi xuất khẩu lao động", "nguoi lao dong di lam viec o nuoc ngoai", "ho kinh doanh"),
        ("làm bằng lái", "giay phep lai xe", "ho kinh doanh"),
        ("nhận lương hưu", "huong luong huu", "khai tu"),
    ],
)
def test_colloquial_words_add_the_words_procedures_use(text: str, added: str, not_added: str) -> None:
    additions = dict(colloquial_additions(fold(text)))
    assert added in additions
    assert not_added not in additions


@pytest.mark.parametrize(
    "text",
    ["mất bao lâu", "làm căn cước mất mấy ngày", "nhập khẩu hàng hóa từ Trung Quốc", "mất phí bao nhiêu"],
)
def test_costs_and_imports_are_no_death_and_no_household(text: str) -> None:
    additions = dict(colloquial_additions(fold(text)))
    assert "khai tu" not in additions and "dang ky thuong tru" not in additions


def test_a_word_meaning_something_else_in_names_is_replaced_for_name_search() -> None:
    need = analyse("bố em mất rồi")
    assert need.replaced
    assert "mat" not in need.text_for_search.split() and "khai tu" in need.text_for_search


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("kết hôn với người Hàn Quốc", True),
        ("chồng tôi là người Nhật", True),
        ("khai sinh cho con lai Mỹ", True),
        ("tôi là Việt kiều", True),
        ("đăng ký kết hôn có yếu tố nước ngoài", True),
        ("đăng ký kết hôn", False),
        ("cấp lại căn cước tại trung ương", False),  # "trung" is no nationality here
        ("đăng ký khai sinh ở Việt Nam", False),
    ],
)
def test_a_foreign_element_is_read(text: str, foreign: bool) -> None:
    assert qualifiers_of(fold(text)).foreign is foreign


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("làm căn cước cho con dưới 14 tuổi", 13),
        ("con tôi tròn 14 tuổi", 14),
        ("trẻ em dưới 6 tuổi", 5),
        ("căn cước", None),
    ],
)
def test_an_age_is_read(text: str, age: int | None) -> None:
    assert qualifiers_of(fold(text)).age == age


def test_the_writers_own_age_is_not_the_needs() -> None:
    assert analyse("Tôi tên Đức, 34 tuổi. Tôi muốn làm căn cước cho con").qualifiers.age is None


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("cấp lại căn cước", "again"),
        ("bị mất bằng lái", "again"),
        ("cấp đổi thẻ căn cước", "exchange"),
        ("làm lại căn cước bị hỏng", "exchange"),  # damage says exchange, however worded
        ("đổi cccd khi đủ 25 tuổi", "exchange"),
        ("thay đổi thông tin đăng ký thuế", None),
        ("làm hộ chiếu lần đầu", "first"),
        ("làm căn cước", None),
    ],
)
def test_first_issue_again_and_exchange_are_told_apart(text: str, issue: str | None) -> None:
    assert qualifiers_of(fold(text)).issue == issue


def test_a_level_named_is_read() -> None:
    assert qualifiers_of(fold("cấp lại căn cước ở cấp tỉnh")).levels == {"tinh"}
    assert qualifiers_of(fold("cấp lại căn cước tại trung ương")).levels == {"bo"}
    assert not qualifiers_of(fold("cấp lại căn cước")).levels


@pytest.mark.parametrize("text", ["", "   ", "?!", "😀", "x" * 5000, "ạ " * 2500, "Kính gửi. Xin cảm ơn."])
def test_odd_input_gives_a_need(text: str) -> None:
    need = analyse(text)
    assert isinstance(need.text_for_search, str)
    assert all(0.0 < weight <= ADDITION_WEIGHT for _, weight in need.terms)


# --- retrieval over everything a procedure says ----------------------------------------------------


def _index() -> ContentIndex:
    return ContentIndex(
        [
            ContentRecord("A", {"name": "Đăng ký khai tử", "result": "Trích lục khai tử"}),
            ContentRecord(
                "B", {"name": "Đăng ký khai sinh", "steps": "Người đi khai tử hoặc khai sinh nộp hồ sơ"}
            ),
            ContentRecord(
                "C", {"name": "Hưởng chế độ tử tuất", "applicants": "Thân nhân người lao động đã chết"}
            ),
        ]
    )


def test_terms_are_folded_syllables_and_bigrams() -> None:
    assert terms_of(fast_fold("Đăng ký khai tử")) == [
        "dang",
        "ky",
        "khai",
        "tu",
        "dang_ky",
        "ky_khai",
        "khai_tu",
    ]
    assert fast_fold("ĐĂNG KÝ Hộ Tịch") == fold("ĐĂNG KÝ Hộ Tịch")


def test_a_word_in_the_name_counts_more_than_one_in_the_steps() -> None:
    top = _index().top([("khai", 1.0), ("tu", 1.0), ("khai_tu", 1.0)], 3)
    assert [code for code, _ in top][:2] == ["A", "B"]
    assert top[0][1] > top[1][1] > 0


def test_fields_other_than_the_name_find_a_procedure() -> None:
    top = _index().top([("chet", 1.0), ("than", 1.0), ("nhan", 1.0)], 3)
    assert top[0][0] == "C"


def test_unknown_terms_and_empty_queries_find_nothing() -> None:
    index = _index()
    assert index.top([("zzz", 1.0), ("zzz_yyy", 1.0)], 3) == []
    assert index.top([], 3) == []
    assert ContentIndex([]).top([("khai", 1.0)], 3) == []


def test_content_weights_are_one_frozen_structure() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_CONTENT_WEIGHTS.name = 1.0  # type: ignore[misc]
    assert DEFAULT_CONTENT_WEIGHTS.field_weights()["name"] == max(
        DEFAULT_CONTENT_WEIGHTS.field_weights().values()
    )


# --- fusion features ----------------------------------------------------------------------------


def test_the_content_share_falls_as_the_name_match_gets_clear() -> None:
    assert content_share(0.0) == pytest.approx(F.content_share_max)
    assert content_share(F.name_clear) == pytest.approx(F.content_share_min)
    assert content_share(1.0) == pytest.approx(F.content_share_min)
    assert content_share(0.2) > content_share(0.5) > content_share(0.7)


def test_content_confidence_grows_with_the_best_score_per_query_weight() -> None:
    assert content_confidence(0.0, 3.0) == 0.0
    assert content_confidence(9.0, 3.0, coverage=0.5) < content_confidence(9.0, 3.0, coverage=1.0)
    assert content_confidence(1.0, 0.0) == 0.0
    assert 0.0 < content_confidence(3.0, 3.0) < content_confidence(9.0, 3.0) < 1.0


def test_fuse_blends_and_stays_monotone() -> None:
    assert fuse(1.0, 1.0, 0.3, 0.0) == pytest.approx(1.0)
    assert fuse(0.8, 0.0, 0.25, 0.0) == pytest.approx(0.6)
    assert fuse(0.8, 0.5, 0.2, 0.0) < fuse(0.9, 0.5, 0.2, 0.0) < fuse(0.9, 0.6, 0.2, 0.0)


def test_qualifiers_choose_only_among_sibling_variants() -> None:
    foreign = VariantTraits(foreign=True, has_siblings=True)
    domestic = VariantTraits(has_siblings=True)
    alone = VariantTraits(foreign=True)
    args: dict[str, Any] = {"age": None, "issue": None, "levels_match": False}
    assert (
        qualifier_adjustment(foreign, foreign=True, **args)
        > 0
        > qualifier_adjustment(domestic, foreign=True, **args)
    )
    assert (
        qualifier_adjustment(foreign, foreign=False, **args)
        < 0
        == qualifier_adjustment(domestic, foreign=False, **args)
    )
    assert qualifier_adjustment(alone, foreign=False, **args) == 0.0
    assert (
        qualifier_adjustment(alone, foreign=False, age=None, issue=None, levels_match=True) == F.level_match
    )


def test_age_and_issue_qualifiers() -> None:
    under = VariantTraits(max_age=13, has_siblings=True)
    older = VariantTraits(min_age=14, has_siblings=True)
    again = VariantTraits(issue="again", has_siblings=True)
    exchange = VariantTraits(issue="exchange", has_siblings=True)
    kw: dict[str, Any] = {"foreign": False, "levels_match": False}
    assert (
        qualifier_adjustment(under, age=5, issue=None, **kw)
        > 0
        > qualifier_adjustment(older, age=5, issue=None, **kw)
    )
    assert qualifier_adjustment(again, age=None, issue="again", **kw) > 0
    assert qualifier_adjustment(exchange, age=None, issue="again", **kw) < 0
    assert qualifier_adjustment(again, age=None, issue=None, **kw) < 0  # re-issue not asked for
    assert qualifier_adjustment(again, age=None, issue="first", **kw) < 0


def test_variant_traits_are_read_from_names() -> None:
    assert variant_traits("Thủ tục đăng ký kết hôn có yếu tố nước ngoài").foreign
    assert not variant_traits("Thủ tục đăng ký kết hôn").foreign
    assert variant_traits("Cấp thẻ căn cước cho người dưới 14 tuổi").max_age == 13
    assert variant_traits("Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên").min_age == 14
    assert variant_traits("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)").issue == "again"
    assert variant_traits("Cấp đổi thẻ căn cước").issue == "exchange"
    assert variant_traits("Đổi giấy phép lái xe").issue == "exchange"
    traits = variant_traits_of(["Đăng ký kết hôn", "Đăng ký kết hôn có yếu tố nước ngoài", "Đăng ký khai tử"])
    assert [t.has_siblings for t in traits] == [True, True, False]


def test_an_index_from_plain_data_fuses_name_and_content() -> None:
    index = SearchIndex(
        [
            ("1", "Thủ tục đăng ký kết hôn", "xa"),
            ("2", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", "xa"),
            ("3", "Thủ tục đăng ký khai tử", "xa"),
        ]
    )
    assert index.search("đăng ký kết hôn", 2)[0].code == "1"
    assert index.search("kết hôn với người Hàn Quốc", 2)[0].code == "2"
    assert index.search("mẹ tôi mới qua đời", 1)[0].code == "3"


# --- on the seeded database ------------------------------------------------------------------------


@pytest.fixture
def search(seeded_sqlite):
    def run(query: str, limit: int = 5) -> list[SearchHit]:
        with session_scope(seeded_sqlite) as session:
            return search_procedures(session, query, limit)

    return run


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("đăng ký kết hôn", "1.000894"),
        ("đăng ký kết hôn với người nước ngoài", "2.000806"),
        ("chồng tôi là người Hàn Quốc, chúng tôi muốn đăng ký kết hôn", "2.000806"),
        ("đăng ký khai tử", "1.000656"),
        ("khai tử cho người nước ngoài chết ở Việt Nam", "1.001766"),
        ("cấp lại thẻ căn cước", "1.014064"),
        ("cấp đổi thẻ căn cước", "1.014063"),
        ("làm căn cước cho con dưới 14 tuổi", "1.014062"),
        ("cấp lại căn cước tại trung ương", "1.000757"),
    ],
)
def test_qualifiers_pick_the_variant(search, query: str, code: str) -> None:
    assert search(query)[0].code == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("mẹ tôi mới qua đời, gia đình cần làm giấy tờ gì", "1.000656"),
        ("sổ đỏ bị mất làm lại thế nào", "1.012786"),
        ("bà ngoại muốn mở tiệm tạp hóa nhỏ trước nhà thì cần giấy phép gì", "1.001612"),
    ],
)
def test_life_events_find_their_procedure(search, query: str, code: str) -> None:
    assert search(query)[0].code == code


def test_a_clear_name_keeps_a_high_score_and_scores_never_rise(search) -> None:
    hits = search("đăng ký khai sinh")
    assert hits[0].code == "1.001193" and hits[0].score >= 0.9
    for query in ("đăng ký khai sinh", "mẹ tôi mới qua đời", "Kính gửi UBND xã. Tôi muốn đăng ký kết hôn."):
        scores = [hit.score for hit in search(query, 10)]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)


def test_a_long_letter_scores_below_a_clear_name(search) -> None:
    letter = search(
        "Kính gửi quý cơ quan, tôi là Trần Thị Bình, thường trú tại xã Yên Phong. Mẹ tôi đã qua đời ngày"
        " 02/03/2024 tại nhà riêng. Nay tôi muốn làm thủ tục cho mẹ thì cần những giấy tờ gì? Trân trọng."
    )
    assert letter[0].code == "1.000656"
    assert 0.45 <= letter[0].score < search("đăng ký khai tử")[0].score


def _dev_queries() -> list[dict[str, Any]]:
    return yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))["queries"]


def test_the_dev_set_is_well_formed() -> None:
    queries = _dev_queries()
    assert len(queries) >= 150
    assert {q["kind"] for q in queries} == {"life", "letter", "loose", "noisy", "variant"}
    assert all(q["q"].strip() and q["codes"] for q in queries)
    assert len({q["q"] for q in queries}) == len(queries)


@pytest.mark.skipif(
    not PROCEDURES_SEED.exists(), reason="knowledge_base/seed/procedures.jsonl.gz not built yet"
)
def test_the_dev_set_meets_its_gate(seeded_sqlite: str) -> None:
    from sqlalchemy import select

    from knowledge_base.models import Procedure

    queries = _dev_queries()
    with session_scope(seeded_sqlite) as session:
        known = set(session.scalars(select(Procedure.code)))
        unknown = sorted({c for q in queries for c in q["codes"]} - known)
        assert not unknown, f"codes not in the database: {unknown}"
        top1 = top3 = 0
        misses = []
        for item in queries:
            got = [hit.code for hit in search_procedures(session, item["q"], 3)]
            top1 += bool(got) and got[0] in item["codes"]
            hit3 = any(code in item["codes"] for code in got)
            top3 += hit3
            if not hit3:
                misses.append((item["q"][:60], item["codes"], got))
    n = len(queries)
    print(f"\nretrieval dev set: {n} queries, top-1 {top1 / n:.3f}, top-3 {top3 / n:.3f}")
    assert top3 / n >= DEV_TOP3_GATE, misses
    assert top1 / n >= DEV_TOP1_GATE, misses
