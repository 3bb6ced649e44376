"""The handoff the citizen can follow: the wait keeps a question, giving the conversation back answers it."""

from __future__ import annotations

import time

from rasa_sdk.events import ActionExecuted, SlotSet

from actions.handoff import ActionHandoff, ActionHandoffReleased, ActionHandoffWait
from actions.staff import ActionRelayStaffReply
from answers.handoff import pending_question
from knowledge_base.conversations import release_handoff
from knowledge_base.db import session_scope
from tests.actions.conftest import make_tracker, text_of

QUESTION = "làm căn cước cần giấy tờ gì"


def _taken(action_db, run_action) -> dict:  # type: ignore[no-untyped-def]
    """The slots of a conversation an officer has taken."""
    _, returned = run_action(ActionHandoff(), make_tracker("gặp cán bộ", "ask_human"))
    slots = {e["name"]: e["value"] for e in returned if e.get("event") == "slot"}
    # The widget shows "Đang kết nối cán bộ…" until the ticket's own expiry.
    assert slots["handoff_waiting_until"] > time.time() + 60
    return {**slots, "handoff_until": time.time() + 600, "handoff_officer": "Nguyễn Thị Lan"}


def test_the_wait_keeps_a_question_but_not_thanks(action_db, run_action) -> None:
    slots = _taken(action_db, run_action)
    messages, events = run_action(ActionHandoffWait(), make_tracker(QUESTION, "ask_documents", slots=slots))
    assert messages[0]["custom"]["status"] == "with_staff"  # acknowledged
    [kept] = [e["value"] for e in events if e["name"] == "handoff_pending"]
    assert kept["text"] == QUESTION and kept["intent"]["name"] == "ask_documents"
    noted = {**slots, "handoff_noted": True, "handoff_pending": kept}
    for text, intent in (
        ("cảm ơn", "thank"),
        ("ok", "nlu_fallback"),
        ('/rate_answer{"rating": "up"}', "rate_answer"),
    ):
        messages, events = run_action(ActionHandoffWait(), make_tracker(text, intent, slots=noted))
        assert text_of(messages[0]) == "Đã chuyển tin nhắn tới cán bộ." and events == [], text


def test_giving_back_tells_the_citizen_and_replays_the_question(action_db, run_action) -> None:
    slots = _taken(action_db, run_action)
    pending = {"text": QUESTION, "intent": {"name": "ask_documents", "confidence": 0.9}, "entities": []}
    tracker = make_tracker(
        "EXTERNAL: EXTERNAL_handoff_released",
        "EXTERNAL_handoff_released",
        slots={**slots, "handoff_pending": pending},
    )
    messages, events = run_action(ActionHandoffReleased(), tracker)
    text = text_of(messages[0])
    assert text.startswith("Trợ lý đã quay lại") and f'"{QUESTION}"' in text
    assert messages[0]["custom"] == {"type": "handoff", "status": "released"}
    for slot in (
        "handoff_until",
        "handoff_ticket",
        "handoff_officer",
        "handoff_pending",
        "handoff_waiting_until",
    ):
        assert SlotSet(slot, None) in events
    # A user turn for the prediction loop: the question, parsed as it was, marked as replayed.
    listen, user = events[-2:]
    assert listen == ActionExecuted("action_listen")
    assert user["event"] == "user" and user["text"] == QUESTION
    assert user["parse_data"]["intent"]["name"] == "ask_documents"
    assert user["metadata"]["replayed"] is True and user["input_channel"] == "rest"


def test_giving_back_without_a_question_only_says_so(action_db, run_action) -> None:
    slots = _taken(action_db, run_action)
    tracker = make_tracker("EXTERNAL: x", "EXTERNAL_handoff_released", slots=slots)
    messages, events = run_action(ActionHandoffReleased(), tracker)
    assert text_of(messages[0]) == "Trợ lý đã quay lại: cán bộ đã kết thúc hỗ trợ, tôi tiếp tục trả lời bạn."
    assert not [e for e in events if e.get("event") == "user"]


def test_a_message_after_a_release_the_bot_missed_is_answered_not_asked_again(action_db, run_action) -> None:
    slots = _taken(action_db, run_action)
    with session_scope(action_db) as session:
        release_handoff(session, ticket_id=int(slots["handoff_ticket"]), by="lan.nt")
        session.commit()
    messages, events = run_action(ActionHandoffWait(), make_tracker(QUESTION, "ask_documents", slots=slots))
    assert text_of(messages[0]).startswith("Trợ lý đã quay lại")
    assert "nhắn lại" not in text_of(messages[0])
    assert events[-1]["event"] == "user" and events[-1]["text"] == QUESTION


def test_an_officers_reply_after_the_question_answers_it(action_db, run_action) -> None:
    pending = {"text": QUESTION, "intent": {"name": "ask_documents"}}
    entities = [{"entity": "staff_message", "value": "Bạn cần căn cước cũ và tờ khai."}]
    tracker = make_tracker(
        "EXTERNAL: EXTERNAL_staff_reply",
        "EXTERNAL_staff_reply",
        slots={"handoff_pending": pending},
        entities=entities,
    )
    messages, events = run_action(ActionRelayStaffReply(), tracker)
    assert text_of(messages[0]).startswith("Cán bộ Một cửa trả lời:")
    assert events == [SlotSet("handoff_pending", None)]


def test_pending_question_leaves_out_what_needs_no_answer() -> None:
    assert pending_question({"text": QUESTION, "intent": {"name": "ask_documents"}, "message_id": "x"}) == {
        "text": QUESTION,
        "intent": {"name": "ask_documents"},
    }
    assert pending_question({"text": "dạ vâng", "intent": {"name": "ask_general"}}) is None
    assert pending_question({"text": "xin chào", "intent": {"name": "greet"}}) is None
    assert pending_question({"text": "EXTERNAL: x", "intent": {"name": "EXTERNAL_staff_reply"}}) is None
    assert pending_question(None) is None
