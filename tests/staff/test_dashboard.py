"""Usage analytics: events from the actions (hashed senders), the dashboard's figures and their CSV."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.faq import ActionAnswerFaq
from actions.feedback import ActionDecline
from actions.handoff import ActionHandoff
from actions.procedures import ActionAnswerProcedure
from knowledge_base import settings
from knowledge_base.conversations import record_rating, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.models import UnansweredQuestion, UsageEvent
from knowledge_base.staff import analytics
from knowledge_base.staff.analytics import compute_dashboard
from knowledge_base.staff.common import VIETNAM
from knowledge_base.usage import AnalyticsConfigError, record_usage, sender_hash
from tests.actions.conftest import make_tracker
from tests.staff.conftest import Staff


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VIETNAM).astimezone(dt.timezone.utc)


def _seed_events(url: str, today: dt.date) -> None:
    yesterday = today - dt.timedelta(days=1)
    events = [
        # (sender, channel, outcome, code, aspects, day, hour)
        ("a", "rest", "answer", "1.001193", ["documents"], yesterday, 9),
        ("a", "rest", "answer", "1.001193", ["fee", "documents"], yesterday, 9),
        ("b", "telegram", "answer", "1.000894", ["processing_time"], yesterday, 23),
        ("b", "telegram", "fallback", "", [], today, 0),  # 00:00 in Vietnam is still "today"
        ("b", "telegram", "handoff", "", [], today, 0),
        ("c", "rest", "faq", "", [], today, 10),
        ("e", "web", "faq", "", [], today, 11),  # the widget's own channel: the same chat box as "rest"
        ("c", "rest", "decline", "", [], today, 10),
        ("d", "zalo", "dossier", "", [], today - dt.timedelta(days=40), 10),  # outside 30 days
    ]
    with session_scope(url) as session:
        for sender, channel, outcome, code, aspects, day, hour in events:
            record_usage(
                session,
                sender_id=sender,
                channel=channel,
                intent="x",
                outcome=outcome,
                procedure_code=code,
                aspects=aspects,
                at=_at(day, hour),
            )
        record_rating(session, conversation_id="a", channel="rest", rating=1, answer_type="procedure_answer")
        record_rating(session, conversation_id="a", channel="rest", rating=1, answer_type="procedure_answer")
        record_rating(session, conversation_id="c", channel="rest", rating=-1, answer_type="faq_answer")
        session.commit()


def test_the_figures(staff_db: str) -> None:
    today = dt.datetime.now(VIETNAM).date()
    _seed_events(staff_db, today)
    with session_scope(staff_db) as session:
        board = compute_dashboard(session, start=today - dt.timedelta(days=29), end=today)
    assert len(board.days) == 30
    by_day = {d["date"]: d for d in board.days}
    assert by_day[(today - dt.timedelta(days=1)).isoformat()]["conversations"] == 2  # a, b
    assert by_day[today.isoformat()]["conversations"] == 3  # b, c, e
    assert by_day[today.isoformat()]["handoff"] == 1
    assert board.conversations == 4 and board.messages == 8
    assert board.top_procedures[0] == {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "count": 2}
    assert board.top_aspects[0] == {"aspect": "documents", "label": "Giấy tờ", "count": 2}
    assert board.fallback_rate == round(1 / 8, 4)
    assert board.handoff_rate == round(1 / 4, 4)
    assert (board.ratings_up, board.ratings_down, board.up_ratio) == (2, 1, round(2 / 3, 4))
    # "rest" (the widget before it had its own channel) and "web" are one chat box, counted together.
    assert board.channels == [
        {"label": "Khung chat trên cổng", "conversations": 3, "share": 0.75},
        {"label": "Telegram", "conversations": 1, "share": 0.25},
    ]


def test_the_api_and_the_csv_give_the_same_figures(editor: Staff, staff_db: str) -> None:
    today = dt.datetime.now(VIETNAM).date()
    _seed_events(staff_db, today)
    data = editor.get("/dashboard", params={"days": 30}).json()
    assert data["conversations"] == 4 and data["ratings"] == {"up": 2, "down": 1, "up_ratio": round(2 / 3, 4)}
    response = editor.get("/dashboard.csv", params={"days": 30})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Nhóm", "Mục", "Số lượng", "Tỉ lệ"]
    figures = {(r[0], r[1]): (r[2], r[3]) for r in rows[1:]}
    assert figures[("Tổng", "Số cuộc trò chuyện")] == ("4", "")
    assert figures[("Số cuộc trò chuyện theo ngày", today.strftime("%d/%m/%Y"))] == ("3", "")
    assert figures[("Thủ tục được hỏi nhiều nhất", "1.001193 Thủ tục đăng ký khai sinh")] == ("2", "")
    # Percentages as percentages, channels in the officer's words, counted together.
    assert figures[("Tỉ lệ", "Cuộc trò chuyện chuyển cán bộ")] == ("", "25,0%")
    assert figures[("Kênh (cuộc trò chuyện)", "Khung chat trên cổng")] == ("3", "75,0%")
    assert figures[("Đánh giá của người dân", "Hữu ích")] == ("2", "66,7%")
    assert figures[("Kết quả xử lý tin nhắn", "Câu hỏi thường gặp")] == ("2", "25,0%")
    # No internal name anywhere in the file.
    for internal in ("rest", "fallback", "handoff", "nhom", "gia_tri", "REST / web"):
        assert internal not in text
    bad = editor.get("/dashboard", params={"start": "2026-05-02", "end": "2026-05-01"})
    assert (
        bad.status_code == 422 and bad.json()["detail"] == "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."
    )
    too_long = editor.get("/dashboard", params={"days": 400})
    assert too_long.json()["detail"] == "Số ngày tối đa là 366."


def test_sender_ids_are_never_stored(staff_db: str) -> None:
    with session_scope(staff_db) as session:
        record_usage(session, sender_id="84912345678", channel="zalo", intent="ask_fee", outcome="answer")
        session.commit()
        stored = session.scalars(select(UsageEvent.sender_hash)).all()
    assert stored == [sender_hash("84912345678")] and "84912345678" not in stored[0]
    assert len(stored[0]) == 32


def test_prod_refuses_to_hash_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILE", "prod")
    monkeypatch.delenv("ANALYTICS_HASH_KEY", raising=False)
    settings.get_settings.cache_clear()
    try:
        with pytest.raises(AnalyticsConfigError):
            sender_hash("x")
        monkeypatch.setenv("ANALYTICS_HASH_KEY", "k" * 32)
        settings.get_settings.cache_clear()
        assert sender_hash("x") != sender_hash("y")
    finally:
        settings.get_settings.cache_clear()


def _run(action: Action, tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_the_actions_record_what_they_did(staff_db: str) -> None:
    answer = _run(ActionAnswerProcedure(), make_tracker("đăng ký khai sinh cần giấy tờ gì", "ask_documents"))
    assert answer[0]["custom"]["type"] == "procedure_answer"
    _run(ActionAnswerFaq(), make_tracker("quên mật khẩu tài khoản dịch vụ công thì làm sao", "ask_general"))
    _run(ActionDecline(), make_tracker("hôm nay thời tiết thế nào", "out_of_scope"))
    _run(ActionHandoff(), make_tracker("cho tôi gặp cán bộ", "ask_human"))
    with session_scope(staff_db) as session:
        rows = session.execute(
            select(
                UsageEvent.outcome,
                UsageEvent.procedure_code,
                UsageEvent.aspects,
                UsageEvent.channel,
                UsageEvent.intent,
                UsageEvent.sender_hash,
            ).order_by(UsageEvent.id)
        ).all()
    assert [r[0] for r in rows] == ["answer", "faq", "decline", "handoff"]
    assert rows[0][1:5] == ("1.001193", ["documents"], "rest", "ask_documents")
    assert {r[5] for r in rows} == {sender_hash("citizen-1")}


def test_an_analytics_failure_never_breaks_the_answer(staff_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("analytics table is gone")

    monkeypatch.setattr("actions.common.record_usage", broken)
    messages = _run(
        ActionAnswerProcedure(), make_tracker("đăng ký khai sinh cần giấy tờ gì", "ask_documents")
    )
    assert messages[0]["custom"]["procedure_code"] == "1.001193"
    assert "Thủ tục đăng ký khai sinh" in messages[0]["text"]
    assert analytics.OUTCOMES  # the real module is untouched


def test_far_dates_are_a_clear_refusal(editor: Staff) -> None:
    # Found by tests/fuzz: year 1 or 9999 overflowed the date arithmetic, a 500.
    far = ({"end": "0001-01-01"}, {"start": "9999-12-31", "end": "9999-12-31"}, {"start": "1999-12-31"})
    for params in far:
        for path in ("/dashboard", "/dashboard.csv"):
            response = editor.get(path, params=params)
            assert response.status_code == 422, (path, params, response.text)
            assert "phải trong khoảng 01/01/2000–31/12/2100" in response.json()["detail"]


def test_the_most_asked_unanswered_questions_are_grouped_by_their_words(editor: Staff, staff_db: str) -> None:
    asked = [
        ("c-1", "Xin giấy xác nhận độc thân ở đâu?", "fallback"),
        ("c-2", "xin giay xac nhan doc than o dau", "no_answer"),
        ("c-3", "xin giấy xác nhận độc thân ở đâu", "fallback"),
        ("c-4", "đổi tên cho con ở đâu", "fallback"),
    ]
    with session_scope(staff_db) as session:
        ids = [
            record_unanswered(
                session,
                conversation_id=c,
                channel="web",
                text=t,
                intent="nlu_fallback",
                confidence=0.2,
                reason=r,
            )
            for c, t, r in asked
        ]
        session.commit()
    with session_scope(staff_db) as session:
        session.get(UnansweredQuestion, ids[0]).status = "dismissed"
        session.commit()
    top = editor.get("/dashboard", params={"days": 7}).json()["top_unanswered"]
    assert top[0]["count"] == 3 and top[0]["open"] == 2
    assert top[0]["text"] == "xin giấy xác nhận độc thân ở đâu"  # the latest wording
    assert top[0]["question_id"] == ids[2]  # the newest open one, to answer from the FAQ page
    assert (top[1]["text"], top[1]["count"]) == ("đổi tên cho con ở đâu", 1)
    text = editor.get("/dashboard.csv", params={"days": 7}).content.decode("utf-8-sig")
    assert "Câu hỏi chưa trả lời nhiều nhất,xin giấy xác nhận độc thân ở đâu,3," in text


def test_the_latest_down_ratings_are_listed_with_their_question(editor: Staff, staff_db: str) -> None:
    with session_scope(staff_db) as session:
        record_rating(
            session,
            conversation_id="z",
            channel="zalo",
            rating=-1,
            answer_type="faq_answer",
            faq_id=3,
            question="làm vneid mức 2 ở đâu",
            answer="…",
        )
        session.commit()
    down = editor.get("/dashboard", params={"days": 7}).json()["recent_down"]
    assert down[0]["question"] == "làm vneid mức 2 ở đâu"
    assert down[0]["answered_with"] == "Câu hỏi thường gặp" and down[0]["faq_id"] == 3


def test_percent_is_written_the_vietnamese_way() -> None:
    assert analytics.percent(1 / 3) == "33,3%"
    assert analytics.percent(1.0) == "100,0%"
    assert analytics.percent(None) == ""
