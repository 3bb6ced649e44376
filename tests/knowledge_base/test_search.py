"""Procedure search as a citizen meets it, on the seeded database.

These check behaviour (folding, shorthand, typos, aliases, levels, question-only messages, limits,
robustness), not accuracy on the labelled evaluation set: that is measured by
``python -m knowledge_base.eval.search_eval``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete, select

from answers.procedure import MIN_SCORE
from bench.micro import ODD_QUERIES
from knowledge_base.db import session_scope
from knowledge_base.importer import PROCEDURES_SEED, procedure_from_dict, read_jsonl, upsert_procedures
from knowledge_base.models import Alias, Procedure
from knowledge_base.search import SearchHit, SearchIndex, get_index, normalise_query, search_procedures
from vntext import fold

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh (xã)
MARRIAGE = "1.000894"  # Thủ tục đăng ký kết hôn (xã)
TEMPORARY_RESIDENCE = "1.004194"  # Đăng ký tạm trú (xã)
PERMANENT_RESIDENCE = "1.004222"  # Đăng ký thường trú (xã)
ID_CARD_ADULT = "1.014061"  # Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (xã)
ID_CARD_EXCHANGE = "1.014063"  # Cấp đổi thẻ căn cước (xã)
ID_CARD_REISSUE = "1.014064"  # Cấp lại thẻ căn cước (xã)
# Cấp thẻ căn cước cho người dưới 14 tuổi: the same name at three levels.
ID_CARD_CHILD = {"xa": "1.014062", "tinh": "1.012549", "bo": "1.012543"}
DRIVING_LICENCE = "3.000346"  # Cấp giấy phép lái xe
DRIVING_LICENCE_EXCHANGE = "3.000347"  # Đổi giấy phép lái xe
DRIVING_LICENCE_REISSUE = "3.000348"  # Cấp lại giấy phép lái xe
PASSPORT = {"1.001456", "1.001471"}  # Cấp hộ chiếu phổ thông ở trong nước (tỉnh, trung ương)
FOREIGNER_PERMANENT_CARD = "1.001010"  # Cấp thẻ thường trú cho người nước ngoài (tỉnh)


@pytest.fixture
def search(seeded_sqlite):
    """Search the shared seeded database (read only)."""

    def run(query: str, limit: int = 5) -> list[SearchHit]:
        with session_scope(seeded_sqlite) as session:
            return search_procedures(session, query, limit)

    return run


def codes(hits: list[SearchHit]) -> list[str]:
    return [hit.code for hit in hits]


@pytest.mark.parametrize(
    "query",
    [
        "Đăng ký khai sinh",
        "đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "dang ky khai sinh",
        "DANG KY KHAI SINH",
        "khai sinh đăng ký",  # word order
        "  đăng   ký\tkhai-sinh  ",
    ],
)
def test_diacritics_case_spacing_and_word_order_do_not_matter(search, query) -> None:
    assert codes(search(query))[0] == BIRTH


def test_d_and_dj_are_the_same_letter(search) -> None:
    assert codes(search("đăng ký kết hôn"))[0] == codes(search("dang ky ket hon"))[0] == MARRIAGE


def test_decomposed_unicode_is_folded_like_composed(search) -> None:
    decomposed = "đăng ký kết hôn".encode().decode()  # NFC source; build the NFD form explicitly
    import unicodedata

    assert codes(search(unicodedata.normalize("NFD", decomposed)))[0] == MARRIAGE


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dk tam tru", TEMPORARY_RESIDENCE),
        ("cccd", ID_CARD_ADULT),
        ("gplx", DRIVING_LICENCE),
        ("dky ket hon o dau", MARRIAGE),
    ],
)
def test_shorthand_is_expanded(search, query, code) -> None:
    assert codes(search(query))[0] == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dang ky thuong truu", PERMANENT_RESIDENCE),  # a letter too many
        ("đăng kí kết hônn", MARRIAGE),
        ("dăng ký tạm trù", TEMPORARY_RESIDENCE),  # wrong tone marks fold away
    ],
)
def test_a_typo_is_corrected(search, query, code) -> None:
    assert codes(search(query))[0] == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bằng lái xe", DRIVING_LICENCE),  # everyday word for "giấy phép lái xe"
        ("làm thẻ căn cước", ID_CARD_ADULT),
        ("làm giấy khai sinh cho con", BIRTH),
    ],
)
def test_everyday_names_find_the_official_procedure(search, query, code) -> None:
    assert codes(search(query))[0] == code


@pytest.mark.parametrize(
    "query",
    [
        "cần giấy tờ gì vậy?",
        "còn lệ phí thì sao?",
        "mất bao lâu vậy ad",
        "nộp ở đâu ạ",
        "làm ở đâu",
        "cần mang theo gì",
        "hồ sơ gồm những gì",
        "làm online được không",
        "bao lâu thì có kết quả",
        "thủ tục thế nào",
        "phí bao nhiêu",
        "xin chào",
        "cảm ơn ạ",
        "gia hạn thì sao",  # an action alone names no procedure
        "cấp lại",
    ],
)
def test_a_question_only_message_names_no_procedure(search, query) -> None:
    # The action then answers about the conversation's current procedure.
    assert search(query) == []


@pytest.mark.parametrize(
    "query",
    [
        "cần giấy tờ gì",
        "mất bao lâu",
        "còn lệ phí thì sao?",
        "nộp online được không",
        "can giay to gi",
        "mat bao lau",
        "con le phi thi sao",
        "nop online duoc ko",
        "mất bao nhiêu tiền",
        "mất mấy ngày vậy",
        "nếu bị mất thì sao",
        "ủy quyền được không",
        "tờ khai ở đâu",
        "hỏi chút",
        "ko biết làm sao",
    ],
)
def test_a_follow_up_question_keeps_the_conversations_procedure(search, query) -> None:
    # actions/procedures.py takes the first hit only from MIN_SCORE up; below it the follow-up is
    # answered about the procedure already being discussed.
    hits = search(query)
    assert not hits or hits[0].score < MIN_SCORE


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("đăng ký khai sinh cho con cần giấy tờ gì", BIRTH),
        ("dang ky ket hon mat bao lau", MARRIAGE),
        ("cho em hỏi làm tạm trú ở đâu ạ", TEMPORARY_RESIDENCE),
    ],
)
def test_a_message_naming_a_procedure_scores_above_the_action_threshold(search, query, code) -> None:
    hits = search(query)
    assert hits[0].code == code
    assert hits[0].score >= 0.45  # actions/procedures.py MIN_SCORE


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # Names made only of common words still name their procedure.
        ("Gia hạn tạm trú", "1.002755"),
        ("Khai báo tạm vắng", "1.003677"),
        ("Gia hạn nộp thuế", {"1.008590", "1.013490"}),  # tax and customs both have it
        ("Xóa đăng ký thường trú", "1.003197"),
    ],
)
def test_an_official_name_finds_its_procedure(search, query, code) -> None:
    assert codes(search(query))[0] in ({code} if isinstance(code, str) else code)


def test_same_name_at_several_levels_ranks_commune_first_and_keeps_the_others(search) -> None:
    hits = search("cấp thẻ căn cước cho người dưới 14 tuổi")
    assert hits[0].code == ID_CARD_CHILD["xa"]
    assert hits[0].level == "xa"
    assert set(ID_CARD_CHILD.values()) <= set(codes(hits))
    ranked = codes(hits)
    assert ranked.index(ID_CARD_CHILD["tinh"]) < ranked.index(ID_CARD_CHILD["bo"])


def test_a_level_named_in_the_query_steers_the_ranking(search) -> None:
    assert codes(search("cấp thẻ căn cước cho người dưới 14 tuổi ở cấp tỉnh"))[0] == ID_CARD_CHILD["tinh"]
    assert codes(search("cấp thẻ căn cước cho người dưới 14 tuổi trung ương"))[0] == ID_CARD_CHILD["bo"]


def test_hits_are_well_formed_best_first(search) -> None:
    hits = search("đăng ký khai sinh", limit=5)
    assert hits and all(isinstance(hit, SearchHit) for hit in hits)
    assert all(0.0 <= hit.score <= 1.0 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert len(set(codes(hits))) == len(hits)
    assert all(hit.name and hit.level is not None for hit in hits)


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 10])
def test_limit_is_respected(search, limit) -> None:
    assert len(search("giấy phép xây dựng", limit=limit)) == limit


@pytest.mark.parametrize("limit", [0, -1])
def test_no_hits_for_a_non_positive_limit(search, limit) -> None:
    assert search("đăng ký khai sinh", limit=limit) == []


# The same odd queries `make bench` times (bench/micro.py): here only their answers are checked.
@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_does_not_raise(search, query) -> None:
    hits = search(query, limit=3)
    assert len(hits) <= 3


@pytest.mark.parametrize(
    ("joined", "spaced"),
    [
        ("lam cancuoc", "lam can cuoc"),
        ("dang ky khaisinh", "dang ky khai sinh"),
        ("dangkykethon", "dang ky ket hon"),
        ("hochieu het han", "ho chieu het han"),
        ("dang ky tamtru online", "dang ky tam tru online"),
        ("doi banglaixe", "doi bang lai xe"),
        ("lamcccd", "lam cccd"),  # shorthand glued to a word
        ("làm căncước cho con", "làm căn cước cho con"),
    ],
)
def test_words_typed_without_spaces_are_cut_into_syllables(search, joined, spaced) -> None:
    assert search(spaced)
    assert codes(search(joined))[0] == codes(search(spaced))[0]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dang ky thuog tru", PERMANENT_RESIDENCE),  # a letter missing
        ("dang ky thuongg tru", PERMANENT_RESIDENCE),  # a letter too many
        ("dang ky thuonh tru", PERMANENT_RESIDENCE),  # a letter replaced
        ("dang ky thuogn tru", PERMANENT_RESIDENCE),  # two letters swapped
        ("kai tu dang ky", "1.000656"),  # "khai" rather than the commoner "tai" or "lai"
        ("xin con noui", "2.001263"),  # "nuôi", which "con" is seen with, not the commoner "nơi"
    ],
)
def test_a_one_edit_typo_is_corrected_from_its_neighbours(search, query, code) -> None:
    assert codes(search(query))[0] == code


@pytest.mark.parametrize("query", ["bzt", "kkk", "hmmm", "xkq qwt"])
def test_a_short_unknown_token_is_not_forced_into_a_procedure(search, query) -> None:
    assert search(query) == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # What a citizen normally wants: the grant, at the commune...
        ("thẻ căn cước", ID_CARD_ADULT),
        ("xin cấp thẻ căn cước", ID_CARD_ADULT),
        ("giấy phép lái xe", DRIVING_LICENCE),
        # ... unless the message says lost, damaged, again or exchanged.
        ("thẻ căn cước bị mất", ID_CARD_REISSUE),
        ("làm lại thẻ căn cước", ID_CARD_REISSUE),
        ("thẻ căn cước bị hỏng", ID_CARD_EXCHANGE),
        ("the can cuoc bi rach", ID_CARD_EXCHANGE),
        ("đổi thẻ căn cước", ID_CARD_EXCHANGE),
        ("bằng lái xe bị mất", DRIVING_LICENCE_REISSUE),
        ("bằng lái xe bị hỏng", DRIVING_LICENCE_EXCHANGE),
        ("cấp đổi giấy phép lái xe", DRIVING_LICENCE_EXCHANGE),
    ],
)
def test_near_identical_names_rank_the_usual_one_first(search, query, code) -> None:
    assert codes(search(query))[0] == code


def test_an_asked_action_no_procedure_of_that_thing_has_does_not_hide_it(search) -> None:
    # No "cấp lại" of a birth certificate copy exists: a copy is simply issued.
    copy = codes(search("cấp bản sao giấy khai sinh"))[0]
    assert codes(search("xin cấp lại bản sao giấy khai sinh"))[0] == copy


@pytest.mark.parametrize(
    "procedure", ["làm hộ chiếu", "làm sổ đỏ", "đăng ký khai sinh", "lam cccd", "xin lý lịch tư pháp"]
)
@pytest.mark.parametrize(
    "question",
    [
        "mất bao lâu",
        "mất bao nhiêu ngày",
        "mất bao nhiêu tiền",
        "mất khoảng bao lâu",
        "mat tam bao lau",
        "thì mất mấy hôm",
        "cần giấy tờ gì",
        "nộp online được không",
    ],
)
def test_question_words_do_not_change_the_procedure(search, procedure, question) -> None:
    # "mất bao lâu" asks what the procedure costs; its "mất" is no loss (no "cấp lại").
    assert codes(search(f"{procedure} {question}"))[0] == codes(search(procedure))[0]


def test_a_passport_question_finds_the_passport_not_the_loss_report(search) -> None:
    assert codes(search("làm hộ chiếu mất bao nhiêu ngày"))[0] in PASSPORT
    assert codes(search("mất hộ chiếu"))[0] not in PASSPORT  # here it is a loss


def test_an_unknown_acronym_stands_for_the_phrase_names_use() -> None:
    names = [
        ("1.000001", "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "tinh"),
        ("1.000002", "Kiểm tra nhà nước về an toàn thực phẩm nhập khẩu", "bo"),
        ("1.000003", "Kiểm tra nhà nước về an toàn thực phẩm xuất khẩu", "bo"),
        ("1.000004", "Cấp lại giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "tinh"),
        ("1.000005", "Cấp giấy phép xây dựng", "xa"),
    ]
    index = SearchIndex(names)
    assert codes(index.search("giay chung nhan attp", limit=1)) == ["1.000001"]
    assert index.search("qwtz") == []  # no phrase of names has these initials


def test_the_longest_alias_found_speaks() -> None:
    index = SearchIndex(
        [
            ("1.000001", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "xa"),
            ("1.000002", "Cấp giấy chứng nhận quyền sở hữu căn hộ nhà chung cư", "tinh"),
        ],
        [("sổ hồng", "1.000001", 1.0), ("sổ hồng chung cư", "1.000002", 1.0)],
    )
    assert codes(index.search("sổ hồng", limit=1)) == ["1.000001"]
    assert codes(index.search("làm sổ hồng căn hộ chung cư", limit=1)) == ["1.000002"]


def test_an_alias_saying_another_action_is_not_used() -> None:
    index = SearchIndex(
        [
            ("1.000001", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "xa"),
            ("1.000002", "Cấp đổi giấy chứng nhận quyền sử dụng đất", "tinh"),
        ],
        [("cấp sổ đỏ", "1.000001", 1.0)],
    )
    assert codes(index.search("cấp sổ đỏ", limit=1)) == ["1.000001"]
    assert codes(index.search("sổ đỏ bị rách cấp đổi", limit=1)) == ["1.000002"]


def test_an_alias_added_by_staff_is_used_by_the_next_search(seeded_copy) -> None:
    query = "thẻ xanh cho chồng"
    with session_scope(seeded_copy) as session:
        assert FOREIGNER_PERMANENT_CARD not in codes(search_procedures(session, query, 3))
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == FOREIGNER_PERMANENT_CARD))
        session.add(
            Alias(alias="thẻ xanh", alias_folded=fold("thẻ xanh"), procedure_id=procedure_id, weight=1.0)
        )
        session.commit()
    with session_scope(seeded_copy) as session:
        assert codes(search_procedures(session, query, 3))[0] == FOREIGNER_PERMANENT_CARD
        session.execute(delete(Alias).where(Alias.alias_folded == fold("thẻ xanh")))
        session.commit()
    with session_scope(seeded_copy) as session:
        assert FOREIGNER_PERMANENT_CARD not in codes(search_procedures(session, query, 3))


def _reimport_renamed(url: str, code: str, name: str) -> None:
    """Re-import one procedure of the shipped seed under another name, as the importer does."""
    record = next(r for r in read_jsonl(PROCEDURES_SEED) if r["code"] == code)
    date = record.pop("source_date", None)
    parsed = dataclasses.replace(procedure_from_dict(record), name=name)
    with session_scope(url) as session:
        report = upsert_procedures(session, [(parsed, dt.date.fromisoformat(date) if date else None)])
        session.commit()
    assert report.updated == 1


def test_an_import_is_seen_once_the_recheck_interval_has_passed(seeded_copy) -> None:
    query = "đăng ký zorblax quixote"  # words no procedure name has
    with session_scope(seeded_copy) as session:
        before = get_index(session, recheck_seconds=0)
        assert BIRTH not in codes(before.search(query))
    _reimport_renamed(seeded_copy, BIRTH, "Thủ tục đăng ký zorblax quixote")
    with session_scope(seeded_copy) as session:
        # Within the interval the import time is not read again (it costs a table scan)...
        assert get_index(session, recheck_seconds=3600) is before
        # ... once it has passed, the next search reads it and sees the import.
        after = get_index(session, recheck_seconds=0)
        assert after is not before
        assert codes(after.search(query))[0] == BIRTH
        assert get_index(session, recheck_seconds=0) is after  # and nothing changed since


def test_the_index_is_reused_while_nothing_changes(seeded_sqlite) -> None:
    with session_scope(seeded_sqlite) as session:
        first = get_index(session)
    with session_scope(seeded_sqlite) as session:
        assert get_index(session) is first


def test_an_index_can_be_built_from_plain_data() -> None:
    index = SearchIndex(
        [
            ("1.000001", "Đăng ký khai sinh", "xa"),
            ("1.000002", "Đăng ký khai sinh (thực hiện tại cấp tỉnh)", "tinh"),
        ],
        [("giấy chứng sinh", "1.000001", 1.0)],
    )
    assert codes(index.search("dang ky khai sinh")) == ["1.000001", "1.000002"]
    assert codes(index.search("giay chung sinh", limit=1)) == ["1.000001"]


def test_normalise_query_folds_expands_and_flags_question_words() -> None:
    words = normalise_query("Cần giấy tờ gì để đăng ký tạm trú? (dk online)")
    assert [w for w, _ in words] == [
        "can", "giay", "to", "gi", "de", "dang", "ky", "tam", "tru", "dang", "ky", "online",
    ]  # fmt: skip
    soft = {w for w, is_soft in words if is_soft}
    assert {"can", "giay", "to", "gi", "online"} <= soft
    assert not any(is_soft for w, is_soft in words if w in {"tam", "tru"})
