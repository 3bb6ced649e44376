"""'mấy giờ làm việc' right after a procedure's answer: the action server answers with the hours of
that procedure's office (read from the database with every message), not the general FAQ entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy import select

from actions.faq import ActionAnswerFaq
from actions.handoff import ActionFallback
from actions.procedures import ActionAnswerProcedure
from knowledge_base.db import session_scope
from knowledge_base.models import LocalOverride, Office, Procedure, UsageEvent
from tests.actions.conftest import make_tracker, text_of

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh: given the office below
DEATH = "1.000656"  # Thủ tục đăng ký khai tử: no office
HOURS = "Sáng: 7h30 – 11h30\nChiều: 13h30 – 17h00"


@pytest.fixture
def office_db(action_db: str) -> Iterator[str]:
    """The action server's database, with an office given to BIRTH."""
    with session_scope(action_db) as session:
        office = Office(name="Bộ phận Một cửa UBND xã Tân Lập", opening_hours=HOURS, phone="0203 3822 111")
        session.add(office)
        session.flush()
        birth = session.scalars(select(Procedure).where(Procedure.code == BIRTH)).one()
        session.add(LocalOverride(procedure_id=birth.id, office_id=office.id))
        session.commit()
    yield action_db


def _lines(message: dict) -> list[str]:
    return text_of(message).split("\n")


@pytest.mark.parametrize("text", ["mấy giờ làm việc", "lam viec gio nao", "thứ bảy có làm không"])
def test_the_faq_action_answers_the_hours_of_the_procedure_under_discussion(
    office_db: str, run_action, text: str
) -> None:
    tracker = make_tracker(text, "ask_general", slots={"procedure_code": BIRTH})
    messages, events = run_action(ActionAnswerFaq(), tracker)
    assert len(messages) == 1
    lines = _lines(messages[0])
    assert lines[0] == "Thủ tục đăng ký khai sinh (mã 1.001193)"
    assert lines[1:5] == [
        "Nơi tiếp nhận hồ sơ: Bộ phận Một cửa UBND xã Tân Lập",
        "Giờ làm việc:",
        "+ Sáng: 7h30 – 11h30",
        "+ Chiều: 13h30 – 17h00",
    ]
    assert messages[0]["custom"]["type"] == "procedure_answer"
    assert messages[0]["custom"]["procedure_code"] == BIRTH
    assert SlotSet("procedure_code", BIRTH) in events
    with session_scope(office_db) as session:
        usage = session.scalars(select(UsageEvent)).one()
    assert (usage.outcome, usage.procedure_code) == ("answer", BIRTH)


def test_without_a_procedure_or_its_office_the_general_faq_answers(office_db: str, run_action) -> None:
    for slots in ({}, {"procedure_code": DEATH}):
        messages, _ = run_action(
            ActionAnswerFaq(), make_tracker("mấy giờ làm việc", "ask_general", slots=slots)
        )
        assert messages[0]["custom"]["type"] == "faq_answer", slots
        assert "Tân Lập" not in text_of(messages[0])


def test_a_hesitant_hours_question_gets_the_hours_too(office_db: str, run_action) -> None:
    tracker = make_tracker("thu 7 co lam ko", "nlu_fallback", slots={"procedure_code": BIRTH})
    messages, _ = run_action(ActionFallback(), tracker)
    assert "+ Chiều: 13h30 – 17h00" in _lines(messages[0])


def test_read_as_a_submission_question_it_gets_the_hours_too(office_db: str, run_action) -> None:
    tracker = make_tracker("làm việc giờ nào", "ask_submission", slots={"procedure_code": BIRTH})
    messages, _ = run_action(ActionAnswerProcedure(), tracker)
    assert _lines(messages[0])[2:5] == ["Giờ làm việc:", "+ Sáng: 7h30 – 11h30", "+ Chiều: 13h30 – 17h00"]


def test_the_next_answer_reads_the_office_as_staff_left_it(office_db: str, run_action) -> None:
    with session_scope(office_db) as session:
        session.scalars(select(Office)).one().opening_hours = "Cả ngày: 7h00 – 17h00"
        session.commit()
    tracker = make_tracker("mấy giờ làm việc", "ask_general", slots={"procedure_code": BIRTH})
    messages, _ = run_action(ActionAnswerFaq(), tracker)
    assert "Giờ làm việc: Cả ngày: 7h00 – 17h00" in _lines(messages[0])
