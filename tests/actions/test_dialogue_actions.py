"""Dossier form, handoff, fallback, ratings and refusals against a real SQLite database."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, FollowupAction, SlotSet
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
    result, messages = _validate("dossier_code", "HS12345", {})
    assert result == {"dossier_code": None}
    assert "định dạng" in text_of(messages[0])


def test_wrong_phone_counts_a_try_keeps_the_code_and_asks_the_digits_again(action_db) -> None:
    slots = {"dossier_code": "000.00.12.H37-251012-0001", "dossier_failures": 0}
    result, messages = _validate("phone_last4", "9999", slots)
    # The code is kept (25 characters the citizen need not retype): only the digits are asked again.
    assert result == {"phone_last4": None, "dossier_failures": 1.0}
    text = text_of(messages[0])
    assert "còn 2 lần" in text and "000.00.12.H37-251012-0001" in text and "mã hồ sơ khác" in text


def test_another_code_typed_for_the_digits_replaces_the_kept_one(action_db) -> None:
    slots = {"dossier_code": "000.00.12.H37-251012-0001", "dossier_failures": 1}
    result, messages = _validate("phone_last4", "à nhầm, mã là 000.00.12.H37-251012-0003", slots)
    assert result == {"dossier_code": "000.00.12.H37-251012-0003", "phone_last4": None}
    assert messages == []


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


def test_handoff_opens_a_redacted_ticket_and_keeps_answering(action_db, run_action) -> None:
    events = [{"event": "user", "text": "số cccd của tôi là 001203004567, sđt 0912345678"}]
    tracker = make_tracker(
        "cho tôi gặp cán bộ", "ask_human", events=events, slots={"procedure_code": "1.001193"}
    )
    messages, returned = run_action(ActionHandoff(), tracker)
    assert messages[0]["custom"]["type"] == "handoff" and messages[0]["custom"]["status"] == "open"
    text = text_of(messages[0])
    assert "1022" in text and "trong giờ làm việc" in text.lower() and "trả lời bạn ngay tại đây" in text
    assert "Thứ Hai" in text or "thứ Hai" in text  # the desk hours from the settings
    # No pause: only the staff app sets handoff_until, when an officer takes the conversation.
    assert not [e for e in returned if e["name"] == "handoff_until"]
    assert next(e["value"] for e in returned if e["name"] == "handoff_ticket") > 0
    with session_scope(action_db) as session:
        ticket = session.scalars(select(HandoffTicket)).one()
        assert ticket.status == "open" and ticket.reason == "asked"
        assert "1.001193" in ticket.summary
        assert "001203004567" not in ticket.summary and "0912345678" not in ticket.summary


def test_wait_says_once_an_officer_helps_then_only_a_receipt_and_ends_after_release(
    action_db, run_action
) -> None:
    _, returned = run_action(ActionHandoff(), make_tracker("gặp cán bộ", "ask_human"))
    ticket_id = next(e["value"] for e in returned if e["name"] == "handoff_ticket")
    slots = {"handoff_ticket": ticket_id, "handoff_until": time.time() + 600}
    messages, events = run_action(ActionHandoffWait(), make_tracker("alo", "greet", slots=slots))
    assert "đang hỗ trợ bạn" in text_of(messages[0]) and messages[0]["custom"]["status"] == "with_staff"
    assert events == [SlotSet("handoff_noted", True)]
    noted = {**slots, "handoff_noted": True}
    messages, events = run_action(ActionHandoffWait(), make_tracker("còn gì nữa không", "greet", slots=noted))
    assert events == [] and len(messages) == 1
    assert text_of(messages[0]) and "đang hỗ trợ" not in text_of(messages[0])
    with session_scope(action_db) as session:
        release_handoff(session, ticket_id=int(ticket_id), by="can-bo-1")
        session.commit()
    messages, events = run_action(ActionHandoffWait(), make_tracker("alo", "greet", slots=noted))
    assert SlotSet("handoff_until", None) in events and SlotSet("handoff_noted", None) in events
    assert text_of(messages[0])


def test_button_under_the_offer_opens_a_ticket_that_says_why(action_db, run_action) -> None:
    offer = {
        "event": "bot",
        "text": "Xin lỗi, tôi vẫn chưa hiểu",
        "data": {"custom": {"type": "handoff_offer"}},
    }
    earlier = {"event": "user", "text": "plorf", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    messages, _ = run_action(
        ActionHandoff(), make_tracker("/ask_human", "ask_human", events=[earlier, offer])
    )
    assert messages[0]["response"] == "utter_handoff_asked"
    with session_scope(action_db) as session:
        assert session.scalars(select(HandoffTicket)).one().reason == "fallback"


def test_second_fallback_in_a_row_offers_a_person_without_a_ticket(action_db, run_action) -> None:
    first = {"event": "user", "text": "qwzz", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = make_tracker("plorf", "nlu_fallback", events=[first])
    messages, events = run_action(ActionFallback(), tracker)
    assert len(messages) == 1 and messages[0]["custom"] == {"type": "handoff_offer"}
    assert messages[0]["buttons"] == [{"title": "Gặp cán bộ", "payload": "/ask_human"}]
    text = text_of(messages[0])
    assert "chưa hiểu" in text and "ví dụ" in text and "Gặp cán bộ" in text
    assert events == []
    with session_scope(action_db) as session:
        assert session.scalars(select(HandoffTicket)).first() is None
        assert session.scalars(select(UnansweredQuestion)).one().reason == "fallback"


def test_first_fallback_says_so(action_db, run_action) -> None:
    messages, events = run_action(ActionFallback(), make_tracker("plorf", "nlu_fallback"))
    # The payload tells "not understood" from a declined topic (the evaluation counts the former as bad).
    assert messages[0]["custom"] == {"type": "out_of_scope", "reason": "not_understood"}
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
    assert messages[0]["custom"]["type"] == "out_of_scope"
    assert "pháp lý" in text_of(messages[0])
    # Declined plainly, with the procedures its words match offered as buttons, never answered: the
    # acknowledgement of a child's father or mother is what such a family usually needs to do.
    offered = messages[0]["custom"]["candidates"]
    assert "1.001022" in offered
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        f'/choose_procedure{{"procedure_code": "{code}"}}' for code in offered
    ]
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
    # A fee answer carries no card: the widget's card goes with the first reply (overview) only.
    assert custom == {"type": "procedure_answer", "procedure_code": "1.001193", "aspects": ["fee"]}


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


@pytest.mark.parametrize("text", ["ok", "Dạ vâng ạ", "oke!", "hiểu rồi", "👍"])
def test_a_bare_acknowledgement_gets_a_friendly_word_not_a_misunderstanding(
    action_db, run_action, text
) -> None:
    messages, _ = run_action(ActionFallback(), make_tracker(text, "nlu_fallback"))
    assert messages[0]["custom"] == {"type": "smalltalk"}
    assert "chưa hiểu" not in text_of(messages[0])
    with session_scope(action_db) as session:
        assert session.scalars(select(UnansweredQuestion)).first() is None


def test_an_aspect_asked_after_a_choice_without_pressing_offers_the_choice_again(action_db) -> None:
    offer = {
        "event": "bot",
        "text": "Bạn hỏi về thủ tục nào dưới đây?",
        "data": {"custom": {"type": "clarify", "candidates": ["1.001193", "1.000656"]}},
    }
    tracker = make_tracker(
        "hồ sơ thế nào", "nlu_fallback", events=[offer], entities=[{"entity": "aspect", "value": "documents"}]
    )
    messages, _, ran = run_routed(ActionFallback(), tracker)
    assert ran == ["action_fallback", "action_answer_procedure"]
    assert messages[0]["custom"]["type"] == "clarify"
    assert [b["payload"] for b in messages[0]["buttons"]][:2] == [
        '/choose_procedure{"procedure_code": "1.001193"}',
        '/choose_procedure{"procedure_code": "1.000656"}',
    ]


def test_asked_handoff_does_not_apologise(action_db, run_action) -> None:
    messages, _ = run_action(ActionHandoff(), make_tracker("cho tôi gặp cán bộ", "ask_human"))
    assert text_of(messages[0]).startswith("Tôi đã chuyển yêu cầu của bạn cho cán bộ")
    assert messages[0]["response"] == "utter_handoff_asked"
    assert "vẫn có thể hỏi tôi" in text_of(messages[0])


def test_faq_action_routes_a_named_procedure_to_its_action(action_db) -> None:
    from actions.faq import ActionAnswerFaq

    messages, _, ran = run_routed(ActionAnswerFaq(), make_tracker("thủ tục đăng ký khai tử", "ask_general"))
    assert ran == ["action_answer_faq", "action_answer_procedure"]
    assert messages[0]["custom"]["procedure_code"] == "1.000656"


def _in_form(text: str, intent: str, *, requested: str = "dossier_code", events=None, slots=None):  # type: ignore[no-untyped-def]
    """A tracker inside the dossier form, asking for `requested`."""
    from rasa_sdk import Tracker

    base = make_tracker(text, intent, events=events, slots={"requested_slot": requested, **(slots or {})})
    return Tracker(
        sender_id=base.sender_id,
        slots=base.slots,
        latest_message=base.latest_message,
        events=base.events,
        paused=False,
        followup_action=None,
        active_loop={"name": "dossier_form"},
        latest_action_name="action_listen",
    )


def _run_form(tracker) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateDossierForm().run(dispatcher, tracker, {"forms": {}}))
    return dispatcher.messages, events


@pytest.mark.parametrize(
    "text", ["tôi không nhớ mã hồ sơ", "ko nho ma ho so", "không có mã", "mất mã rồi", "không biết"]
)
def test_not_remembering_the_code_explains_where_it_is_and_leaves_the_form(action_db, text: str) -> None:
    messages, events = _run_form(_in_form(text, "inform"))
    assert len(messages) == 1 and messages[0]["response"] == "utter_dossier_code_help"
    help_text = text_of(messages[0])
    for where in ("giấy tiếp nhận hồ sơ và hẹn trả kết quả", "SMS", "e-mail", "Quản lý hồ sơ", "VNeID"):
        assert where in help_text
    assert messages[0]["buttons"] == [{"title": "Gặp cán bộ", "payload": "/ask_human"}]
    assert "định dạng" not in help_text
    assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events
    assert events[-1] == FollowupAction("action_listen")


def test_not_remembering_the_code_when_asking_for_the_status_never_starts_the_questions(action_db) -> None:
    # The message that starts the form (no loop active yet) is checked too.
    messages, events = _run_form(make_tracker("tôi không nhớ mã hồ sơ thì tra thế nào", "ask_dossier_status"))
    assert messages[0]["response"] == "utter_dossier_code_help" and ActiveLoop(None) in events


def test_a_second_answer_that_is_no_code_does_not_loop(action_db) -> None:
    format_error = {
        "event": "bot",
        "text": "Mã hồ sơ chưa đúng định dạng.",
        "data": {"custom": {"type": "dossier_form", "error": "format", "slot": "dossier_code"}},
    }
    asked_again = {
        "event": "bot",
        "text": "Bạn cho tôi mã hồ sơ",
        "data": {"custom": {"type": "dossier_form"}},
    }
    earlier = {"event": "user", "text": "abc"}
    tracker = _in_form("xyz 123", "inform", events=[earlier, format_error, asked_again])
    messages, events = _run_form(tracker)
    assert [m["response"] for m in messages] == ["utter_dossier_code_help"]
    assert ActiveLoop(None) in events


def test_not_remembering_the_phone_leaves_the_form_with_a_person_offered(action_db) -> None:
    slots = {"dossier_code": "000.00.12.H37-251012-0001"}
    messages, events = _run_form(
        _in_form("không nhớ số điện thoại", "inform", requested="phone_last4", slots=slots)
    )
    assert messages[0]["response"] == "utter_dossier_phone_help" and messages[0]["buttons"]
    assert SlotSet("dossier_code", None) in events and ActiveLoop(None) in events


def test_a_procedure_question_in_the_form_leaves_it_for_the_rules_to_answer(action_db) -> None:
    messages, events = _run_form(_in_form("đăng ký khai sinh cần giấy tờ gì", "ask_documents"))
    assert messages == []
    # Rejected and ended: Rasa logs no form action and predicts on as if no form were active.
    assert events[:2] == [ActionExecutionRejected("dossier_form"), ActiveLoop(None)]


def test_a_code_in_the_form_is_validated_as_before(action_db) -> None:
    messages, events = _run_form(_in_form("000.00.12.H37-251012-0001", "inform"))
    assert not any(e.get("event") == "active_loop" for e in events)
    assert messages == []


def test_a_hesitant_message_about_a_lost_code_goes_to_the_form_which_explains(action_db, run_action) -> None:
    tracker = make_tracker("tôi không nhớ mã hồ sơ", "nlu_fallback")
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionFallback().run(dispatcher, tracker, {})) == [FollowupAction("dossier_form")]
    # The form's validation, run at its activation, explains where the code is.
    messages, events = _run_form(make_tracker("tôi không nhớ mã hồ sơ", "nlu_fallback"))
    assert messages[0]["response"] == "utter_dossier_code_help" and ActiveLoop(None) in events


def test_asking_where_the_code_is_inside_the_form_is_answered(action_db) -> None:
    messages, events = _run_form(_in_form("mã hồ sơ xem ở đâu vậy", "ask_general"))
    assert messages[0]["response"] == "utter_dossier_code_help" and ActiveLoop(None) in events
