"""Dossier form, handoff, fallback, ratings and refusals against a real SQLite database."""

from __future__ import annotations

import asyncio
import time

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.dossiers import ActionDossierStatus, ValidateDossierForm
from actions.feedback import ActionDecline, ActionRateAnswer
from actions.handoff import ActionFallback, ActionHandoff, ActionHandoffWait
from knowledge_base.conversations import release_handoff
from knowledge_base.db import session_scope
from knowledge_base.models import AnswerRating, HandoffTicket, UnansweredQuestion
from tests.actions.conftest import make_tracker, run_routed, text_of


def _validate(slot: str, value: str, slots: dict) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    form = ValidateDossierForm()
    method = getattr(form, f"validate_{slot}")
    result = asyncio.run(method(value, dispatcher, make_tracker(value, "inform", slots=slots), {}))
    return result, dispatcher.messages


def test_code_is_taken_from_a_sentence(action_db) -> None:
    result, messages = _validate("dossier_code", "mã của tôi là 000.00.12.h37-251012-0001 nhé", {})
    assert result == {"dossier_code": "000.00.12.H37-251012-0001"}
    assert messages == []


def test_bad_code_format_is_explained_without_counting_a_try(action_db) -> None:
    result, messages = _validate("dossier_code", "không nhớ", {})
    assert result == {"dossier_code": None}
    assert "định dạng" in text_of(messages[0])


def test_wrong_phone_counts_a_try_and_asks_again(action_db) -> None:
    slots = {"dossier_code": "000.00.12.H37-251012-0001", "dossier_failures": 0}
    result, messages = _validate("phone_last4", "9999", slots)
    assert result == {"dossier_code": None, "phone_last4": None, "dossier_failures": 1.0}
    assert "còn 2 lần" in text_of(messages[0])


def test_right_phone_is_accepted(action_db) -> None:
    slots = {"dossier_code": "000.00.12.H37-251012-0003", "dossier_failures": 1}
    result, _ = _validate("phone_last4", "số cuối 0303", slots)
    assert result == {"phone_last4": "0303"}


def test_no_more_questions_after_three_failures(action_db) -> None:
    form = ValidateDossierForm()
    tracker = make_tracker("0101", "inform", slots={"dossier_failures": 3})
    slots = asyncio.run(
        form.required_slots(["dossier_code", "phone_last4"], CollectingDispatcher(), tracker, {})
    )
    assert slots == []


def test_status_answer_has_dates_next_step_and_no_personal_data(action_db, run_action) -> None:
    tracker = make_tracker(
        "0303", "inform", slots={"dossier_code": "000.00.12.H37-251012-0003", "phone_last4": "0303"}
    )
    messages, events = run_action(ActionDossierStatus(), tracker)
    text = text_of(messages[0])
    assert "Yêu cầu bổ sung hồ sơ" in text and "Ngày tiếp nhận" in text and "Hẹn trả kết quả" in text
    assert "Lê Văn Cường" not in text and "0912000303" not in text
    assert messages[0]["custom"]["status"] == "supplement_requested"
    assert SlotSet("dossier_code", None) in events and SlotSet("phone_last4", None) in events


def test_overdue_dossier_is_flagged(action_db, run_action) -> None:
    tracker = make_tracker(
        "0707", "inform", slots={"dossier_code": "000.00.12.H37-251012-0007", "phone_last4": "0707"}
    )
    messages, _ = run_action(ActionDossierStatus(), tracker)
    assert messages[0]["custom"]["overdue"] is True
    assert "quá hạn" in text_of(messages[0])


def test_handoff_opens_a_redacted_ticket_and_pauses(action_db, run_action) -> None:
    events = [{"event": "user", "text": "số cccd của tôi là 001203004567, sđt 0912345678"}]
    tracker = make_tracker(
        "cho tôi gặp cán bộ", "ask_human", events=events, slots={"procedure_code": "1.001193"}
    )
    messages, returned = run_action(ActionHandoff(), tracker)
    assert messages[0]["custom"]["type"] == "handoff"
    assert "1022" in text_of(messages[0])
    until = next(e["value"] for e in returned if e["name"] == "handoff_until")
    assert until > time.time()
    with session_scope(action_db) as session:
        ticket = session.scalars(select(HandoffTicket)).one()
        assert ticket.status == "open" and ticket.reason == "asked"
        assert "1.001193" in ticket.summary
        assert "001203004567" not in ticket.summary and "0912345678" not in ticket.summary


def test_wait_is_quiet_while_open_and_ends_after_release(action_db, run_action) -> None:
    _, returned = run_action(ActionHandoff(), make_tracker("gặp cán bộ", "ask_human"))
    ticket_id = next(e["value"] for e in returned if e["name"] == "handoff_ticket")
    slots = {"handoff_ticket": ticket_id, "handoff_until": time.time() + 600}
    messages, events = run_action(ActionHandoffWait(), make_tracker("alo", "greet", slots=slots))
    assert events == [] and not any(text_of(m) for m in messages)
    with session_scope(action_db) as session:
        release_handoff(session, ticket_id=int(ticket_id), by="can-bo-1")
        session.commit()
    messages, events = run_action(ActionHandoffWait(), make_tracker("alo", "greet", slots=slots))
    assert SlotSet("handoff_until", None) in events
    assert text_of(messages[0])


def test_second_fallback_in_a_row_hands_over(action_db, run_action) -> None:
    first = {"event": "user", "text": "qwzz", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = make_tracker("plorf", "nlu_fallback", events=[first])
    messages, _ = run_action(ActionFallback(), tracker)
    assert messages[0]["custom"]["type"] == "handoff"
    with session_scope(action_db) as session:
        assert session.scalars(select(HandoffTicket)).one().reason == "fallback"
        assert session.scalars(select(UnansweredQuestion)).one().reason == "fallback"


def test_first_fallback_says_so(action_db, run_action) -> None:
    messages, events = run_action(ActionFallback(), make_tracker("plorf", "nlu_fallback"))
    assert messages[0]["custom"] == {"type": "out_of_scope"}
    assert "chưa hiểu" in text_of(messages[0])
    assert events == []


def test_rating_is_stored_with_the_answer(action_db, run_action) -> None:
    answer = {
        "event": "bot",
        "text": "Thủ tục đăng ký khai sinh (mã 1.001193) ...",
        "data": {"custom": {"type": "procedure_answer", "procedure_code": "1.001193", "aspects": ["fee"]}},
    }
    question = {"event": "user", "text": "khai sinh lệ phí bao nhiêu"}
    tracker = make_tracker(
        '/rate_answer{"rating": "down"}',
        "rate_answer",
        events=[question, answer],
        entities=[{"entity": "rating", "value": "down"}],
    )
    run_action(ActionRateAnswer(), tracker)
    with session_scope(action_db) as session:
        rating = session.scalars(select(AnswerRating)).one()
    assert (rating.rating, rating.procedure_code, rating.aspects) == (-1, "1.001193", ["fee"])
    assert (
        rating.answer.startswith("Thủ tục đăng ký khai sinh")
        and rating.question == "khai sinh lệ phí bao nhiêu"
    )


def test_legal_question_is_declined_and_kept_for_staff(action_db, run_action) -> None:
    messages, _ = run_action(
        ActionDecline(), make_tracker("con ngoài giá thú có được thừa kế không", "legal_advice")
    )
    assert messages[0]["custom"] == {"type": "out_of_scope"}
    assert "pháp lý" in text_of(messages[0])
    with session_scope(action_db) as session:
        assert session.scalars(select(UnansweredQuestion.reason)).one() == "legal_advice"


def test_a_typed_thumbs_down_is_a_down_rating(action_db, run_action) -> None:
    answer = {"event": "bot", "text": "Câu trả lời", "data": {"custom": {"type": "faq_answer", "faq_id": 1}}}
    run_action(ActionRateAnswer(), make_tracker("không hữu ích", "rate_answer", events=[answer]))
    with session_scope(action_db) as session:
        rating = session.scalars(select(AnswerRating)).one()
    assert (rating.rating, rating.answer_type, rating.faq_id) == (-1, "faq_answer", 1)


def test_hesitant_follow_up_is_answered_from_the_current_procedure(action_db, run_action) -> None:
    tracker = make_tracker(
        "còn lệ phí thì sao?",
        "nlu_fallback",
        slots={"procedure_code": "1.001193"},
        entities=[{"entity": "aspect", "value": "fee"}],
    )
    messages, _ = run_action(ActionFallback(), tracker)
    custom = messages[0]["custom"]
    assert {k: v for k, v in custom.items() if k != "card"} == {
        "type": "procedure_answer",
        "procedure_code": "1.001193",
        "aspects": ["fee"],
    }
    assert custom["card"]["code"] == "1.001193"


def test_hesitant_bare_procedure_name_gets_its_overview(action_db, run_action) -> None:
    messages, _ = run_action(ActionFallback(), make_tracker("đăng ký khai tử", "nlu_fallback"))
    assert messages[0]["custom"]["procedure_code"] == "1.000656"


def test_hesitant_message_with_a_dossier_code_starts_the_form(action_db, run_action) -> None:
    entities = [{"entity": "dossier_code", "value": "000.00.12.H37-251012-0001"}]
    tracker = make_tracker("hs 000.00.12.H37-251012-0001 sao roi", "nlu_fallback", entities=entities)
    messages, events = run_action(ActionFallback(), tracker)
    assert messages == [] and events == [FollowupAction("dossier_form")]


def test_a_reopened_handoff_keeps_an_aware_expiry(action_db) -> None:
    import datetime as dt

    from knowledge_base.conversations import create_handoff

    with session_scope(action_db) as session:
        first = create_handoff(
            session,
            conversation_id="c",
            channel="rest",
            reason="asked",
            summary="",
            timeout=dt.timedelta(minutes=5),
        )
        session.commit()
    with session_scope(action_db) as session:
        again = create_handoff(
            session,
            conversation_id="c",
            channel="rest",
            reason="asked",
            summary="",
            timeout=dt.timedelta(minutes=5),
        )
        session.commit()
    assert again.id == first.id
    assert again.expires_at.tzinfo is not None and again.expires_at >= first.expires_at


def test_fallback_routes_a_hesitant_follow_up_to_the_procedure_answer(action_db) -> None:
    # The routing shows in the tracker: action_fallback says nothing and names the next action,
    # which ends the turn itself (no rule covers a routed turn).
    tracker = make_tracker(
        "còn lệ phí thì sao?",
        "nlu_fallback",
        slots={"procedure_code": "1.001193"},
        entities=[{"entity": "aspect", "value": "fee"}],
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFallback().run(dispatcher, tracker, {}))
    assert dispatcher.messages == [] and events == [FollowupAction("action_answer_procedure")]
    messages, events, ran = run_routed(ActionFallback(), tracker)
    assert ran == ["action_fallback", "action_answer_procedure"]
    assert events[-1] == FollowupAction("action_listen")
    assert messages[0]["custom"]["type"] == "procedure_answer"


def test_second_fallback_routes_to_the_handoff_which_says_why(action_db) -> None:
    first = {"event": "user", "text": "qwzz", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = make_tracker("plorf", "nlu_fallback", events=[first])
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFallback().run(dispatcher, tracker, {}))
    assert dispatcher.messages == [] and events == [FollowupAction("action_handoff")]
    messages, _, ran = run_routed(ActionFallback(), tracker)
    assert ran == ["action_fallback", "action_handoff"]
    assert text_of(messages[0]).startswith("Xin lỗi, tôi chưa hiểu được câu hỏi của bạn.")


def test_asked_handoff_does_not_apologise(action_db, run_action) -> None:
    messages, _ = run_action(ActionHandoff(), make_tracker("cho tôi gặp cán bộ", "ask_human"))
    assert text_of(messages[0]).startswith("Tôi đã chuyển cuộc trò chuyện cho cán bộ")
    assert messages[0]["response"] == "utter_handoff_asked"


def test_faq_action_routes_a_named_procedure_to_its_action(action_db) -> None:
    from actions.faq import ActionAnswerFaq

    messages, _, ran = run_routed(ActionAnswerFaq(), make_tracker("thủ tục đăng ký khai tử", "ask_general"))
    assert ran == ["action_answer_faq", "action_answer_procedure"]
    assert messages[0]["custom"]["procedure_code"] == "1.000656"
