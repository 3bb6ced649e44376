"""Life events: the seed (lexicon/life_events.yml) in the database, and matching citizens' messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge_base.db import session_scope
from knowledge_base.life_events import (
    MIN_SCORE,
    LifeEventIndex,
    LifeEventMatch,
    get_life_event,
    get_life_events,
    load_life_events_seed,
    match_life_event,
    read_seed,
    words_of,
)
from knowledge_base.models import LifeEvent, Procedure


@pytest.fixture
def session(seeded_sqlite: str) -> Iterator[Session]:
    """A read-only session on the shared seeded database."""
    with session_scope(seeded_sqlite) as opened:
        yield opened


def _slug(session: Session, text: str) -> str | None:
    found = match_life_event(session, text)
    return found.event.slug if found is not None and found.score >= MIN_SCORE else None


# --- The seed ----------------------------------------------------------------------------------


def test_the_seed_loads_at_least_thirty_events_each_with_procedures(session: Session) -> None:
    events = get_life_events(session)
    assert len(events) >= 30
    assert len({e.slug for e in events}) == len(events)
    for event in events:
        assert event.title and event.triggers and event.steps, event.slug
        assert event.procedure_codes(), event.slug
        for step in event.steps:
            assert step.label and (step.codes or step.where), (event.slug, step)
            assert len(step.label) <= 60, step.label


def test_every_code_of_the_seed_file_exists_in_the_seeded_database(session: Session) -> None:
    known = set(session.scalars(select(Procedure.code)))
    written = {code for item in read_seed() for step in item["steps"] for code in step["codes"]}
    assert written and written <= known, sorted(written - known)
    # None was left out on the way in: the database holds the steps as written.
    for item in read_seed():
        event = get_life_event(session, item["slug"])
        assert event is not None
        assert [list(s.codes) for s in event.steps] == [s["codes"] for s in item["steps"]]


def test_the_situations_the_issue_names_are_there(session: Session) -> None:
    slugs = {e.slug for e in get_life_events(session)}
    assert {
        "sinh_con",
        "sinh_con_yeu_to_nuoc_ngoai",
        "nguoi_than_qua_doi",
        "ket_hon",
        "ket_hon_nuoc_ngoai",
        "xac_nhan_doc_than",
        "mua_xe_cu",
        "mua_nha_dat",
        "xay_nha",
        "mo_ho_kinh_doanh",
        "thanh_lap_cong_ty",
        "mo_quan_an",
        "mat_can_cuoc",
        "mat_bang_lai",
        "mat_the_bhyt",
        "mat_ho_chieu",
        "mat_giay_khai_sinh",
        "chuyen_nha",
        "di_lam_viec_nuoc_ngoai",
        "du_hoc",
        "nghi_huu",
        "that_nghiep",
        "khuyet_tat",
        "nguoi_co_cong",
        "nuoi_con_nuoi",
        "nuoi_con_nuoi_nuoc_ngoai",
        "thay_doi_ho_tich",
        "con_du_14_tuoi",
        "nhan_cha_me_con",
        "xin_viec",
    } <= slugs


def test_birth_offers_the_national_bundle_first_and_death_the_register_and_funeral_allowance(
    session: Session,
) -> None:
    birth = get_life_event(session, "sinh_con")
    assert birth is not None
    assert birth.procedure_codes(alternatives=False)[:3] == ["2.000986", "1.001193", "1.004222"]
    assert "6 tuổi" in birth.steps[0].condition
    death = get_life_event(session, "nguoi_than_qua_doi")
    assert death is not None
    codes = death.procedure_codes()
    assert codes[:2] == ["1.000656", "1.001766"]  # khai tử, then its foreign-element variant
    assert "1.003197" in codes and "2.000821" in codes  # xóa thường trú, tử tuất (mai táng)
    assert any("người có công" in s.condition for s in death.steps)


def test_every_trigger_finds_its_own_event(session: Session) -> None:
    for event in get_life_events(session):
        for trigger in event.triggers:
            found = match_life_event(session, trigger)
            assert found is not None and found.event.slug == event.slug, (event.slug, trigger, found)
            assert found.score >= MIN_SCORE and not found.names_specific, (event.slug, trigger)


def test_reseeding_changes_nothing_and_keeps_a_staff_edit(seeded_copy: str) -> None:
    with session_scope(seeded_copy) as session:
        assert load_life_events_seed(session) == 0
        row = session.scalar(select(LifeEvent).where(LifeEvent.slug == "sinh_con"))
        assert row is not None
        row.title = "Có em bé"
        row.updated_by = "bien.tap"
        session.commit()
    with session_scope(seeded_copy) as session:
        assert load_life_events_seed(session) == 0
        session.commit()
        assert get_life_event(session, "sinh_con").title == "Có em bé"  # type: ignore[union-attr]


def test_reseeding_restores_a_seed_event_nobody_edited(seeded_copy: str) -> None:
    with session_scope(seeded_copy) as session:
        session.execute(update(LifeEvent).where(LifeEvent.slug == "ly_hon").values(title="x"))
        session.execute(LifeEvent.__table__.delete().where(LifeEvent.slug == "du_hoc"))
        session.commit()
        assert load_life_events_seed(session) == 2
        session.commit()
        assert get_life_event(session, "ly_hon").title == "Ly hôn xong"  # type: ignore[union-attr]
        assert get_life_event(session, "du_hoc") is not None


# --- Matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Tôi vừa sinh con thì cần làm những thủ tục gì?", "sinh_con"),
        ("vợ chồng tôi mới sinh bé", "sinh_con"),
        ("vua sinh con can lam gi", "sinh_con"),
        ("sinh em be xong thi lam giay to gi", "sinh_con"),
        ("vua sihn con", "sinh_con"),  # a typo
        ("tôi sinh con với người nước ngoài", "sinh_con_yeu_to_nuoc_ngoai"),
        ("con tôi sinh ở nước ngoài giờ về nước", "sinh_con_o_nuoc_ngoai"),
        ("mẹ tôi mất", "nguoi_than_qua_doi"),
        ("me toi mat roi can lam gi", "nguoi_than_qua_doi"),
        ("bố tôi mới mất tuần trước", "nguoi_than_qua_doi"),
        ("ông tôi qua đời", "nguoi_than_qua_doi"),
        ("tôi sắp kết hôn", "ket_hon"),
        ("sap cuoi vo thi can giay to gi", "ket_hon"),
        ("tôi kết hôn với người nước ngoài", "ket_hon_nuoc_ngoai"),
        ("ket hon voi nguoi nuoc ngoai", "ket_hon_nuoc_ngoai"),
        ("tôi muốn lấy chồng Hàn Quốc", "ket_hon_nuoc_ngoai"),
        ("cưới vợ Việt kiều", "ket_hon_nuoc_ngoai"),
        ("làm mất ví rồi", "mat_vi"),
        ("lam mat vi", "mat_vi"),
        ("mat cccd", "mat_can_cuoc"),
        ("tôi bị mất căn cước", "mat_can_cuoc"),
        ("mẹ tôi làm mất căn cước", "mat_can_cuoc"),
        ("mat gplx", "mat_bang_lai"),
        ("mất thẻ bhyt", "mat_the_bhyt"),
        ("lam mat ho chieu", "mat_ho_chieu"),
        ("mo quan an", "mo_quan_an"),
        ("tôi muốn mở quán cà phê", "mo_quan_an"),
        ("mo tiem tap hoa", "mo_ho_kinh_doanh"),
        ("mở công ty cần làm gì", "thanh_lap_cong_ty"),
        ("mua xe cũ", "mua_xe_cu"),
        ("mua mảnh đất ở quê", "mua_nha_dat"),
        ("xây nhà có cần xin phép không", "xay_nha"),
        ("tôi mới chuyển nhà", "chuyen_nha"),
        ("đi xuất khẩu lao động", "di_lam_viec_nuoc_ngoai"),
        ("con tôi sắp đi du học", "du_hoc"),
        ("tôi sắp nghỉ hưu", "nghi_huu"),
        ("tôi bị mất việc", "that_nghiep"),
        ("con tôi sắp đủ 14 tuổi", "con_du_14_tuoi"),
        ("nhận con nuôi", "nuoi_con_nuoi"),
        ("người nước ngoài nhận con nuôi", "nuoi_con_nuoi_nuoc_ngoai"),
        ("muốn đổi tên cho con", "thay_doi_ho_tich"),
        ("bố đẻ muốn nhận con", "nhan_cha_me_con"),
    ],
)
def test_a_situation_finds_its_event(session: Session, text: str, slug: str) -> None:
    assert _slug(session, text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("mẹ tôi mất", "nguoi_than_qua_doi"),
        ("mẹ tôi làm mất căn cước", "mat_can_cuoc"),
        ("bố tôi bị mất bằng lái", "mat_bang_lai"),
        ("bố tôi mất, cần làm giấy tờ gì", "nguoi_than_qua_doi"),
        ("tôi bị mất giấy khai sinh", "mat_giay_khai_sinh"),
    ],
)
def test_mat_after_a_person_is_a_death_and_before_a_document_a_loss(
    session: Session, text: str, slug: str
) -> None:
    assert _slug(session, text) == slug


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "cảm ơn bạn nhiều",
        "ok",
        "mất bao lâu",
        "khai tử cho bố mất bao lâu",
        "tôi mất ngủ mấy hôm nay",
        "đăng ký khai sinh cần giấy tờ gì",
        "thủ tục cấp lại căn cước",
        "thời gian cấp giấy phép xây dựng",
        "học sinh có cần làm căn cước không",
        "",
    ],
)
def test_small_talk_and_procedure_questions_find_no_event(session: Session, text: str) -> None:
    assert _slug(session, text) is None


@pytest.mark.parametrize(
    "text",
    ["đăng ký kết hôn cần giấy tờ gì", "dang ky ket hon o dau", "khai sinh cho con ở đâu"],
)
def test_a_message_naming_one_procedure_is_flagged_and_scores_low(session: Session, text: str) -> None:
    found = match_life_event(session, text)
    assert found is None or (found.names_specific and found.score < MIN_SCORE), found


def test_a_match_says_how_and_how_well(session: Session) -> None:
    exact = match_life_event(session, "vừa sinh con")
    spaced = match_life_event(session, "vừa mới sinh được con")
    assert isinstance(exact, LifeEventMatch) and isinstance(spaced, LifeEventMatch)
    assert exact.trigger == "vua sinh con" and exact.score == 1.0 and not exact.names_specific
    assert spaced.event.slug == "sinh_con" and MIN_SCORE <= spaced.score < exact.score
    specific = match_life_event(session, "đăng ký kết hôn cần giấy tờ gì")
    assert specific is not None and specific.specific_phrase == "dang ky ket hon"


def test_text_is_folded_expanded_and_foreign_words_read_as_nuoc_ngoai() -> None:
    assert words_of("Mất CCCD") == ["mat", "can", "cuoc", "cong", "dan"]
    assert words_of("lấy chồng Hàn Quốc") == ["lay", "chong", "nuoc", "ngoai"]
    assert words_of("người nước ngoài") == ["nuoc", "ngoai"]


def test_the_longest_trigger_wins_and_excludes_block_only_their_words() -> None:
    index = LifeEventIndex(
        [
            _event("a", ["ket hon"], []),
            _event("b", ["ket hon voi nuoc ngoai"], []),
            _event("c", ["me mat"], ["lam mat"]),
        ]
    )
    assert index.match("ket hon voi nguoi nuoc ngoai").event.slug == "b"  # type: ignore[union-attr]
    assert index.match("ket hon").event.slug == "a"  # type: ignore[union-attr]
    assert index.match("me toi lam mat") is None
    assert index.match("me mat, toi lam mat giay").event.slug == "c"  # type: ignore[union-attr]


def _event(slug: str, triggers: list[str], excludes: list[str]):  # type: ignore[no-untyped-def]
    from knowledge_base.life_events import LifeEventData, LifeEventStep

    return LifeEventData(
        slug=slug,
        title=slug,
        triggers=tuple(triggers),
        excludes=tuple(excludes),
        steps=(LifeEventStep("x", ("1.001193",)),),
    )


# --- Freshness ---------------------------------------------------------------------------------


def test_an_edit_in_the_database_is_used_by_the_next_match(seeded_copy: str) -> None:
    with session_scope(seeded_copy) as session:
        assert _slug(session, "tôi vừa cưới xong") is None
        row = session.scalar(select(LifeEvent).where(LifeEvent.slug == "ket_hon"))
        assert row is not None
        row.triggers = [*row.triggers, "vua cuoi xong"]
        row.updated_at = dt.datetime.now(dt.timezone.utc)
        session.commit()
        assert _slug(session, "tôi vừa cưới xong") == "ket_hon"
        row.published = False
        session.commit()
        assert _slug(session, "tôi vừa cưới xong") is None
        assert _slug(session, "tôi sắp kết hôn") is None
