"""The inbox: replies reach the citizen through the Rasa HTTP API (a fake Rasa server on loopback),
release gives the conversation back to the bot, other officers' tickets are theirs, all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from knowledge_base import settings
from knowledge_base.conversations import create_handoff, get_handoff, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.models import AuditLog, UnansweredQuestion
from tests.servers import free_port
from tests.staff.conftest import Staff
from tests.staff.fake_rasa import FakeRasa, fake_rasa

SENDER = "telegram:12345/abc"  # characters that must be quoted in the URL path


@pytest.fixture
def rasa(staff_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    """A fake Rasa server the app is pointed at."""
    with fake_rasa() as fake:
        monkeypatch.setenv("RASA_URL", fake.url)
        monkeypatch.setenv("RASA_API_TOKEN", fake.token)
        settings.get_settings.cache_clear()
        yield fake
    settings.get_settings.cache_clear()


def _ticket(url: str, sender: str = SENDER) -> int:
    with session_scope(url) as session:
        ticket = create_handoff(
            session,
            conversation_id=sender,
            channel="telegram",
            reason="asked",
            summary="Lý do: người dân yêu cầu gặp cán bộ\nTin nhắn gần nhất của người dân:\n"
            "- <b>cần gặp</b> cán bộ",
            timeout=dt.timedelta(minutes=5),
        )
        session.commit()
        return ticket.id


def _question(url: str, text: str = "làm sao xin lại giấy hẹn bị mất") -> int:
    with session_scope(url) as session:
        qid = record_unanswered(
            session,
            conversation_id="web-abc",
            channel="rest",
            text=text,
            intent="nlu_fallback",
            confidence=0.31,
            reason="fallback",
        )
        session.commit()
        return qid


def test_a_reply_goes_to_the_citizen_through_rasa_trigger_intent(
    editor: Staff, rasa: FakeRasa, staff_db: str
) -> None:
    ticket_id = _ticket(staff_db)
    response = editor.post(
        f"/inbox/tickets/{ticket_id}/reply",
        {"message": "Chào anh, em là cán bộ Một cửa.\nAnh cần hỗ trợ gì ạ?"},
    )
    assert response.status_code == 200, response.text
    call = next(r for r in rasa.requests if r["path"].endswith("/trigger_intent"))
    assert call["path"] == "/conversations/telegram%3A12345%2Fabc/trigger_intent"
    assert call["query"] == {"output_channel": ["latest"]}
    assert call["jwt"]["user"] == {"username": "tthc-staff-app", "role": "admin"}
    assert call["json"] == {
        "name": "EXTERNAL_staff_reply",
        "entities": {"staff_message": "Chào anh, em là cán bộ Một cửa.\nAnh cần hỗ trợ gì ạ?"},
    }
    detail = response.json()
    assert detail["claimed_by"] == "Bien Tap"
    assert detail["replies"][0]["message"].startswith("Chào anh") and detail["replies"][0]["by"] == "bien.tap"
    with session_scope(staff_db) as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action == "staff_reply")).one()
        assert row.actor == "bien.tap" and row.entity == "handoff_ticket" and row.entity_id == str(ticket_id)
        assert row.after["message"].startswith("Chào anh")
        # Talking to the citizen keeps the bot paused for another HANDOFF_TIMEOUT_MINUTES.
        ticket = get_handoff(session, ticket_id=ticket_id)
    assert ticket.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=25)
    # The first reply takes the conversation: the bot is paused (before the reply went out) until then.
    paused = rasa.slots(SENDER)
    assert paused["handoff_until"] == ticket.expires_at.timestamp() and paused["handoff_ticket"] == ticket_id
    paths = [r["path"].rsplit("/", 2)[-2:] for r in rasa.requests if r["method"] == "POST"]
    assert paths == [["tracker", "events"], ["telegram%3A12345%2Fabc", "trigger_intent"]]


def test_a_refused_token_or_a_dead_server_is_a_clear_error_and_nothing_is_recorded(
    editor: Staff, rasa: FakeRasa, staff_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket_id = _ticket(staff_db)
    monkeypatch.setenv("RASA_API_TOKEN", "wrong")
    settings.get_settings.cache_clear()
    refused = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Xin chào"})
    assert refused.status_code == 502
    assert refused.json()["detail"] == (
        "Chưa gửi được tin nhắn: máy chủ trợ lý từ chối khóa API (kiểm tra RASA_JWT_SECRET). "
        "Vui lòng thử lại sau hoặc liên hệ người dân qua điện thoại."
    )
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    settings.get_settings.cache_clear()
    down = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Xin chào"})
    assert down.status_code == 502 and "máy chủ trợ lý không trả lời" in down.json()["detail"]
    with session_scope(staff_db) as session:
        assert session.scalars(select(AuditLog).where(AuditLog.action == "staff_reply")).first() is None


def test_another_officers_ticket_cannot_be_answered_or_released_but_an_admin_can(
    editor: Staff, editor2: Staff, admin: Staff, rasa: FakeRasa, staff_db: str
) -> None:
    ticket_id = _ticket(staff_db)
    assert editor.post(f"/inbox/tickets/{ticket_id}/claim").json()["claimed_by"] == "Bien Tap"
    for path, body in (("reply", {"message": "Để tôi"}), ("release", None), ("claim", None)):
        denied = editor2.post(f"/inbox/tickets/{ticket_id}/{path}", body)
        assert denied.status_code == 403, path
        assert denied.json()["detail"] == (
            "Yêu cầu này đang do Bien Tap xử lý; chỉ người đó hoặc quản trị viên được thao tác."
        )
    assert not [r for r in rasa.requests if r["path"].endswith("/trigger_intent")]
    assert (
        admin.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Quản trị viên trả lời"}).status_code
        == 200
    )


def test_release_gives_the_conversation_back_to_the_bot(editor: Staff, staff_db: str) -> None:
    ticket_id = _ticket(staff_db)
    listed = editor.get("/inbox").json()
    assert listed["counts"]["tickets_open"] == 1
    assert listed["items"][0]["kind"] == "ticket" and listed["items"][0]["status"] == "open"
    released = editor.post(f"/inbox/tickets/{ticket_id}/release")
    assert released.status_code == 200 and released.json()["status"] == "released"
    with session_scope(staff_db) as session:
        ticket = get_handoff(session, ticket_id=ticket_id)
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "ticket_release")).one()
    assert not ticket.active()
    assert audit.before == {"status": "open"} and audit.after == {"status": "released"}
    assert editor.get("/inbox").json()["counts"]["tickets_open"] == 0


def test_questions_can_be_answered_or_dismissed(editor: Staff, rasa: FakeRasa, staff_db: str) -> None:
    answered, dismissed = (
        _question(staff_db),
        _question(staff_db, "<img src=x onerror=alert(1)> hỏi linh tinh"),
    )
    items = editor.get("/inbox?kind=question").json()["items"]
    assert {i["id"] for i in items} == {answered, dismissed}
    shown = next(i for i in items if i["id"] == dismissed)
    assert shown["text"] == "<img src=x onerror=alert(1)> hỏi linh tinh"  # as typed; the page shows text
    reply = editor.post(
        f"/inbox/questions/{answered}/reply", {"message": "Bạn đến bộ phận Một cửa để xin cấp lại."}
    )
    assert reply.status_code == 200 and reply.json()["status"] == "answered"
    call = next(r for r in rasa.requests if r["method"] == "POST")
    assert call["path"] == "/conversations/web-abc/trigger_intent"
    assert rasa.appended == {}  # answering a question takes no conversation: the bot keeps answering
    assert editor.post(f"/inbox/questions/{dismissed}/dismiss").json()["status"] == "dismissed"
    with session_scope(staff_db) as session:
        statuses = dict(session.execute(select(UnansweredQuestion.id, UnansweredQuestion.status)).all())
    assert statuses == {answered: "answered", dismissed: "dismissed"}
    assert editor.get("/inbox?kind=question").json()["items"] == []
    assert len(editor.get("/inbox?kind=question&status=done").json()["items"]) == 2


def test_the_conversation_is_read_from_the_rasa_tracker(editor: Staff, rasa: FakeRasa, staff_db: str) -> None:
    ticket_id = _ticket(staff_db)
    rasa.events = [
        {"event": "user", "text": "cho tôi gặp cán bộ", "timestamp": 1764000000.0},
        {"event": "bot", "text": "Tôi đã chuyển cuộc trò chuyện cho cán bộ", "timestamp": 1764000001.0},
        {"event": "user", "text": '/rate_answer{"rating": "up"}', "timestamp": 1764000002.0},
        {"event": "action", "name": "action_listen"},
    ]
    detail = editor.get(f"/inbox/tickets/{ticket_id}").json()
    assert [(m["sender"], m["text"]) for m in detail["conversation"]] == [
        ("user", "cho tôi gặp cán bộ"),
        ("bot", "Tôi đã chuyển cuộc trò chuyện cho cán bộ"),
    ]
    assert rasa.requests[-1]["jwt"]["user"]["role"] == "admin"


def test_reply_validation_is_vietnamese(editor: Staff, rasa: FakeRasa, staff_db: str) -> None:
    ticket_id = _ticket(staff_db)
    empty = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "  \n "})
    assert empty.status_code == 422 and empty.json()["detail"] == "Nội dung trả lời không được để trống."
    long = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "x" * 2001})
    assert long.json()["detail"] == "Nội dung trả lời tối đa 2000 ký tự."
    missing = editor.post("/inbox/tickets/999999/reply", {"message": "xin chào"})
    assert missing.status_code == 404 and missing.json()["detail"] == "Không tìm thấy yêu cầu gặp cán bộ này."
    assert not [r for r in rasa.requests if r["method"] == "POST"]


def test_an_open_ticket_does_not_pause_the_bot_until_an_officer_claims_it(
    editor: Staff, rasa: FakeRasa, staff_db: str
) -> None:
    ticket_id = _ticket(staff_db)
    waiting = editor.get(f"/inbox/tickets/{ticket_id}").json()
    assert waiting["status_label"] == "Đang chờ cán bộ nhận (trợ lý vẫn trả lời người dân)"
    assert rasa.appended == {}
    claimed = editor.post(f"/inbox/tickets/{ticket_id}/claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status_label"] == "Cán bộ đang hỗ trợ (trợ lý tạm dừng)"
    events = rasa.appended[SENDER]
    # The officer leads now: any form is ended, and the pause lasts another HANDOFF_TIMEOUT_MINUTES.
    assert {"event": "active_loop", "name": None} in events
    with session_scope(staff_db) as session:
        ticket = get_handoff(session, ticket_id=ticket_id)
    assert ticket.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=25)
    assert rasa.slots(SENDER) == {
        "requested_slot": None,
        "handoff_until": ticket.expires_at.timestamp(),
        "handoff_ticket": float(ticket_id),
    }
    call = next(r for r in rasa.requests if r["path"].endswith("/tracker/events"))
    assert call["jwt"]["user"]["role"] == "admin"
    # Released: the bot answers again at once (the pause and the ticket are cleared in the tracker).
    assert editor.post(f"/inbox/tickets/{ticket_id}/release").status_code == 200
    assert rasa.slots(SENDER)["handoff_until"] is None and rasa.slots(SENDER)["handoff_ticket"] is None


def test_a_claim_the_rasa_server_cannot_take_is_not_recorded(
    editor: Staff, rasa: FakeRasa, staff_db: str
) -> None:
    ticket_id = _ticket(staff_db)
    rasa.fail_with = 500
    refused = editor.post(f"/inbox/tickets/{ticket_id}/claim")
    assert refused.status_code == 502
    assert refused.json()["detail"] == (
        "Chưa nhận được yêu cầu: máy chủ trợ lý không trả lời. "
        "Trợ lý vẫn đang trả lời người dân; vui lòng thử lại sau."
    )
    rasa.fail_with = None
    assert editor.get(f"/inbox/tickets/{ticket_id}").json()["claimed_by"] == ""
