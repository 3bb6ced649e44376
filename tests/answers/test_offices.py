"""The office a procedure inherits, in the answers (issue 18, point 5), on a real seeded SQLite copy:
its address, hours (line breaks kept) and phone in the submission section, the overview and the
card; the procedure's own address and hours first; "mấy giờ làm việc" after an answer gets them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from answers.formatting import answer_card, format_answer
from answers.procedure import (
    OVERVIEW,
    ProcedureQuestion,
    answer_procedure,
    asks_opening_hours,
    opening_hours_answer,
)
from knowledge_base.db import session_scope
from knowledge_base.models import LocalOverride, Office, Procedure
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ProcedureOut

SOURCE = "Cổng DVC quốc gia"
BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh
DEATH = "1.000656"  # Thủ tục đăng ký khai tử: no office
HOURS = "Sáng: 7h30 – 11h30\nChiều: 13h30 – 17h00\nSáng thứ Bảy: 8h00 – 11h00"
OFFICE = {
    "name": "Bộ phận Một cửa UBND phường Hòa Bình",
    "address": "Số 12 đường Trần Phú, phường Hòa Bình",
    "opening_hours": HOURS,
    "phone": "0203 3822 111",
}


@pytest.fixture
def session(seeded_copy: str) -> Iterator[Session]:
    """A session on a private copy of the seeded database, with an office given to BIRTH."""
    with session_scope(seeded_copy) as opened:
        office = Office(**OFFICE)
        opened.add(office)
        opened.flush()
        birth = opened.scalars(select(Procedure).where(Procedure.code == BIRTH)).one()
        opened.add(LocalOverride(procedure_id=birth.id, office_id=office.id))
        opened.commit()
        yield opened


def _record(session: Session, code: str) -> ProcedureOut:
    record = get_procedure(session, code=code)
    assert record is not None
    return record


@pytest.mark.parametrize(
    "text",
    [
        "mấy giờ làm việc",
        "may gio lam viec",
        "làm việc giờ nào",
        "lam viec gio nao vay",
        "thứ bảy có làm không",
        "thu 7 co lam ko",
        "chủ nhật có nhận hồ sơ không",
        "bộ phận một cửa mở cửa lúc mấy giờ",
        "giờ làm việc thế nào ạ",
        "buổi trưa có tiếp nhận hồ sơ không",
    ],
)
def test_hours_questions_are_recognised_with_or_without_diacritics(text: str) -> None:
    assert asks_opening_hours(text)


@pytest.mark.parametrize(
    "text",
    [
        "bao giờ có kết quả",
        "mấy giờ thì có kết quả",
        "giờ làm khai sinh cần gì",
        "sang tên xe có làm không",
        "tôi có làm được không",
        "lệ phí bao nhiêu",
        '/ask_fee{"aspect": "fee"}',
        "",
    ],
)
def test_other_questions_are_not_hours_questions(text: str) -> None:
    assert not asks_opening_hours(text)


def test_the_office_reaches_the_submission_section_the_overview_and_the_card(session: Session) -> None:
    record = _record(session, BIRTH)
    lines = format_answer(record, ["submission"], source_name=SOURCE).split("\n")
    start = lines.index("Tại địa phương:")
    assert lines[start + 1 : start + 8] == [
        f"- Nơi tiếp nhận: {OFFICE['name']}",
        f"- Địa chỉ: {OFFICE['address']}",
        "- Giờ làm việc:",
        "+ Sáng: 7h30 – 11h30",
        "+ Chiều: 13h30 – 17h00",
        "+ Sáng thứ Bảy: 8h00 – 11h00",
        f"- Điện thoại: {OFFICE['phone']}",
    ]
    overview = format_answer(record, OVERVIEW, source_name=SOURCE).split("\n")
    assert f"Nơi nộp: {OFFICE['name']}, {OFFICE['address']}" in overview
    assert "+ Chiều: 13h30 – 17h00" in overview and f"Điện thoại: {OFFICE['phone']}" in overview
    card = answer_card(record, SOURCE)
    assert card["where"] == OFFICE["address"]
    assert card["office_hours"] == HOURS.split("\n")
    assert (card["office_name"], card["office_address"], card["office_phone"]) == (
        OFFICE["name"],
        OFFICE["address"],
        OFFICE["phone"],
    )


def test_the_procedure_s_own_address_and_hours_win_over_its_office(session: Session) -> None:
    override = session.scalars(select(LocalOverride)).one()
    override.agency_address = "Phòng 2, Trung tâm Phục vụ hành chính công"
    override.opening_hours = "7h00 – 17h00 các ngày trong tuần"
    session.commit()
    record = _record(session, BIRTH)
    lines = format_answer(record, ["submission"], source_name=SOURCE).split("\n")
    assert "- Địa chỉ: Phòng 2, Trung tâm Phục vụ hành chính công" in lines
    assert "- Giờ làm việc: 7h00 – 17h00 các ngày trong tuần" in lines
    assert f"- Điện thoại: {OFFICE['phone']}" in lines  # no phone of its own: the office's
    assert not any("13h30" in line for line in lines)
    card = answer_card(record, SOURCE)
    assert card["office_hours"] == ["7h00 – 17h00 các ngày trong tuần"]


def test_a_procedure_without_office_is_answered_as_before(session: Session, seeded_sqlite: str) -> None:
    with session_scope(seeded_sqlite) as untouched:
        before = _record(untouched, DEATH)
    after = _record(session, DEATH)
    for aspects in (["submission"], OVERVIEW, ["documents", "fee"]):
        assert format_answer(after, aspects, source_name=SOURCE) == format_answer(
            before, aspects, source_name=SOURCE
        )
    card = answer_card(after, SOURCE)
    assert (card["office_name"], card["office_address"], card["office_hours"], card["office_phone"]) == (
        "",
        "",
        [],
        "",
    )
    assert opening_hours_answer(session, "mấy giờ làm việc", DEATH) is None  # the general FAQ answers


def test_an_hours_question_after_an_answer_gets_that_procedure_s_hours(session: Session) -> None:
    answer = opening_hours_answer(session, "thu bay co lam khong", BIRTH)
    assert answer is not None and answer.kind == "answer" and answer.procedure_code == BIRTH
    text = answer.reply.text or ""
    assert text.split("\n") == [
        "Thủ tục đăng ký khai sinh (mã 1.001193)",
        f"Nơi tiếp nhận hồ sơ: {OFFICE['name']}",
        "Giờ làm việc:",
        "+ Sáng: 7h30 – 11h30",
        "+ Chiều: 13h30 – 17h00",
        "+ Sáng thứ Bảy: 8h00 – 11h00",
        f"Địa chỉ: {OFFICE['address']}",
        f"Điện thoại: {OFFICE['phone']}",
    ]
    assert answer.reply.custom["topic"] == "opening_hours"
    assert opening_hours_answer(session, "lệ phí bao nhiêu", BIRTH) is None
    assert opening_hours_answer(session, "mấy giờ làm việc", None) is None

    # Read as a submission question (or none in particular) by the classifier: the same answer.
    for intent, aspects in (("ask_submission", ["submission"]), ("ask_procedure", list(OVERVIEW))):
        question = ProcedureQuestion(
            text="làm việc giờ nào", intent=intent, aspects=aspects, current_code=BIRTH
        )
        replied = answer_procedure(session, question, source_name=SOURCE)
        assert replied.reply.text == text, intent
    # A fee question is still a fee question.
    fee = ProcedureQuestion(text="lệ phí bao nhiêu", intent="ask_fee", aspects=["fee"], current_code=BIRTH)
    assert "Giờ làm việc" not in (answer_procedure(session, fee, source_name=SOURCE).reply.text or "")


def test_a_change_of_the_office_shows_in_the_next_answer(session: Session) -> None:
    office = session.scalars(select(Office)).one()
    office.opening_hours = "Cả ngày: 7h00 – 17h00"
    session.commit()
    answer = opening_hours_answer(session, "mấy giờ làm việc", BIRTH)
    assert answer is not None and "Giờ làm việc: Cả ngày: 7h00 – 17h00" in (answer.reply.text or "")
