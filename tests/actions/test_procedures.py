"""ActionAnswerProcedure against a real seeded SQLite database."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.events import SlotSet

from actions.procedures import ActionAnswerProcedure
from answers.procedure import VIETNAM
from knowledge_base.db import session_scope
from knowledge_base.workdays import expected_result_date, load_calendar
from tests.actions.conftest import make_tracker, text_of


@pytest.fixture
def ask(action_db, run_action):  # type: ignore[no-untyped-def]
    def run(text: str, intent: str, **kwargs):  # type: ignore[no-untyped-def]
        return run_action(ActionAnswerProcedure(), make_tracker(text, intent, **kwargs))

    return run


def test_documents_question_answers_with_the_named_procedure(ask) -> None:
    messages, events = ask("dang ky khai sinh can giay to gi", "ask_documents")
    assert SlotSet("procedure_code", "1.001193") in events
    assert "(mã 1.001193)" in text_of(messages[0])
    custom = messages[0]["custom"]
    assert {k: v for k, v in custom.items() if k != "card"} == {
        "type": "procedure_answer",
        "procedure_code": "1.001193",
        "aspects": ["documents"],
    }
    assert custom["card"]["code"] == "1.001193"
    # Buttons to what the short first reply left out, then the rating buttons.
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[0] == "Tất cả giấy tờ" and titles[-2:] == ["👍", "👎"]


def test_aspect_entities_add_aspects_after_the_intents_own(ask) -> None:
    entities = [{"entity": "aspect", "value": v} for v in ("documents", "fee", "processing_time")]
    messages, _ = ask(
        "đăng ký kết hôn cần giấy tờ gì, mất bao lâu, bao nhiêu tiền", "ask_fee", entities=entities
    )
    assert messages[0]["custom"]["aspects"] == ["fee", "documents", "processing_time"]
    # Documents with how long and how much: the first reply, each on its line.
    text = text_of(messages[0])
    assert text.index("Giấy tờ cần chuẩn bị") < text.index("Thời hạn:") < text.index("Lệ phí:")


def test_follow_up_without_a_procedure_uses_the_current_one(ask) -> None:
    messages, events = ask("còn lệ phí thì sao?", "ask_fee", slots={"procedure_code": "1.001193"})
    assert messages[0]["custom"]["procedure_code"] == "1.001193"
    assert messages[0]["custom"]["aspects"] == ["fee"]
    assert SlotSet("procedure_code", "1.001193") in events


def test_no_procedure_named_asks_which_one_and_remembers_the_aspect(ask) -> None:
    messages, events = ask("cần giấy tờ gì?", "ask_documents")
    assert "thủ tục nào" in text_of(messages[0])
    assert events == [SlotSet("pending_aspects", ["documents"])]
    messages, events = ask("đăng ký khai tử", "ask_procedure", slots={"pending_aspects": ["documents"]})
    assert messages[0]["custom"]["aspects"] == ["documents"]
    assert SlotSet("pending_aspects", None) in events


def test_close_candidates_are_offered_as_buttons(ask) -> None:
    messages, events = ask("đăng ký kinh doanh cần giấy tờ gì", "ask_documents")
    custom = messages[0]["custom"]
    assert custom["type"] == "clarify" and len(custom["candidates"]) >= 2
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert all(p.startswith("/choose_procedure{") for p in payloads)
    assert events == [SlotSet("pending_aspects", ["documents"])]


def test_a_chosen_candidate_is_answered_with_the_pending_aspects(ask) -> None:
    entities = [{"entity": "procedure_code", "value": "1.001612"}]
    messages, _ = ask(
        '/choose_procedure{"procedure_code": "1.001612"}',
        "choose_procedure",
        entities=entities,
        slots={"pending_aspects": ["fee"]},
    )
    custom = messages[0]["custom"]
    assert custom == {"type": "procedure_answer", "procedure_code": "1.001612", "aspects": ["fee"]}


def test_general_question_without_context_goes_to_the_faq(ask) -> None:
    messages, _ = ask("dịch vụ công trực tuyến toàn trình là gì", "ask_online")
    assert messages[0]["custom"]["type"] == "faq_answer"


def test_result_date_counted_in_working_days(ask, action_db) -> None:
    messages, _ = ask("đăng ký thường trú nộp hôm nay thì bao giờ có kết quả", "ask_processing_time")
    today = dt.datetime.now(VIETNAM).date()
    with session_scope(action_db) as session:
        calendar = load_calendar(session)
    from knowledge_base.queries import get_procedure

    with session_scope(action_db) as session:
        channel = next(c for c in get_procedure(session, code="1.004222").channels if c.time_value)
    due = expected_result_date(today, channel.time_value, channel.time_unit, calendar=calendar)
    assert due is not None
    assert due.strftime("%d/%m/%Y") in text_of(messages[0])


def test_no_result_date_is_guessed_when_the_unit_is_missing(ask) -> None:
    # The national data gives "1" without a unit for đăng ký kết hôn.
    messages, _ = ask("đăng ký kết hôn nộp hôm nay thì bao giờ có kết quả", "ask_processing_time")
    assert "Chưa tính được ngày dự kiến" in text_of(messages[0])


def test_a_typed_choice_picks_from_the_offered_candidates(ask) -> None:
    offered = {
        "event": "bot",
        "text": "Bạn hỏi về thủ tục nào",
        "data": {"custom": {"type": "clarify", "candidates": ["1.001612", "2.001610"]}},
    }
    messages, _ = ask("cái thứ hai", "choose_procedure", events=[offered], slots={"pending_aspects": ["fee"]})
    assert messages[0]["custom"]["procedure_code"] == "2.001610"


def test_a_procedure_entity_is_searched_on_its_own(ask) -> None:
    # Extra words dilute the whole message; the name the matcher found decides.
    entities = [{"entity": "procedure", "value": "đăng ký khai tử"}]
    messages, _ = ask(
        "nhà em mới có người mất, cần làm đăng ký khai tử cho ông nội thì mang gì",
        "ask_documents",
        entities=entities,
    )
    assert messages[0]["custom"]["procedure_code"] == "1.000656"


def test_a_legal_interpretation_question_gets_no_procedure_text(ask) -> None:
    messages, events = ask(
        "bố mẹ chưa đăng ký kết hôn thì con ngoài giá thú có được thừa kế không", "ask_conditions"
    )
    assert messages[0]["custom"]["type"] == "out_of_scope" and "procedure_code" not in messages[0]["custom"]
    assert "Nguồn:" not in text_of(messages[0])
    # Procedures may be offered beside the decline (buttons), never answered.
    assert all(b["payload"].startswith("/choose_procedure") for b in messages[0].get("buttons") or [])
    assert events == []


def test_a_procedure_about_a_legal_matter_is_still_answered(ask) -> None:
    # "ly hôn" is a legal-advice word, but the citizen asks for the procedure itself.
    messages, _ = ask("thủ tục ghi vào sổ hộ tịch việc ly hôn đã giải quyết ở nước ngoài", "ask_procedure")
    assert messages[0]["custom"]["type"] in {"procedure_answer", "clarify"}
