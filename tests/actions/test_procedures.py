"""ActionAnswerProcedure against a real seeded SQLite database."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure
from knowledge_base import settings


@pytest.fixture(autouse=True)
def _use_seeded_db(seeded_sqlite, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_sqlite)
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


def _tracker(text: str, intent: str, slots: dict | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _run(text: str, intent: str, slots: dict | None = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerProcedure().run(dispatcher, _tracker(text, intent, slots), {}))
    return dispatcher.messages, events


def test_documents_question_answers_with_the_named_procedure() -> None:
    messages, events = _run("dang ky khai sinh can giay to gi", "ask_documents")
    assert events == [SlotSet("procedure_code", "1.001193")]
    assert "Thủ tục đăng ký khai sinh (mã 1.001193)" in messages[0]["text"]
    assert messages[0]["custom"]["aspects"] == ["documents"]


def test_follow_up_without_a_procedure_uses_the_current_one() -> None:
    messages, events = _run("còn lệ phí thì sao?", "ask_fee", {"procedure_code": "1.001193"})
    assert "1.001193" in messages[0]["text"]
    assert "Phí, lệ phí" in messages[0]["text"]
    assert events == [SlotSet("procedure_code", "1.001193")]


def test_no_procedure_named_asks_which_one() -> None:
    messages, events = _run("cần giấy tờ gì?", "ask_documents")
    assert events == []
    assert "thủ tục nào" in messages[0]["text"]
