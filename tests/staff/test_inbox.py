"""The inbox: replies reach the citizen through the Rasa HTTP API (a fake Rasa server on loopback),
release gives the conversation back to the bot, other officers' tickets are theirs, all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

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
        # The officer's display name, for the widget's header ("Cán bộ … đang trả lời").
        "handoff_officer": "Bien Tap",
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


# --------------------------------------------------------------------------------------------- #
# Issue 18: buckets and live counts, groups of the same question, plain words, one timeline,
# truthful delivery notes.
# --------------------------------------------------------------------------------------------- #


def _ticket_on(url: str, sender: str, channel: str, *, minutes: float = 30) -> int:
    with session_scope(url) as session:
        ticket = create_handoff(
            session,
            conversation_id=sender,
            channel=channel,
            reason="asked",
            summary=f"Lý do: người dân yêu cầu gặp cán bộ\nTin nhắn gần nhất của người dân:\n- hỏi {sender}",
            timeout=dt.timedelta(minutes=minutes),
        )
        session.commit()
        return ticket.id


def _questions(url: str, texts: list[str], channel: str = "rest") -> list[int]:
    with session_scope(url) as session:
        ids = [
            record_unanswered(
                session,
                conversation_id=f"web-{n}",
                channel=channel,
                text=text,
                intent="nlu_fallback",
                confidence=0.3,
                reason="fallback",
            )
            for n, text in enumerate(texts)
        ]
        session.commit()
        return ids


def test_counts_put_timed_out_tickets_in_their_own_bucket(
    editor: Staff, rasa: FakeRasa, staff_db: str
) -> None:
    waiting = _ticket_on(staff_db, "tg-1", "telegram")
    taken = _ticket_on(staff_db, "tg-2", "telegram")
    timed_out = [_ticket_on(staff_db, f"web-{n}", "rest", minutes=-1) for n in range(3)]
    _questions(staff_db, ["làm lại căn cước bị mất cần gì"])
    assert editor.post(f"/inbox/tickets/{taken}/claim").status_code == 200
    counts = editor.get("/inbox/counts").json()
    assert {k: v for k, v in counts.items() if k != "now"} == {
        "tickets_waiting": 1,
        "tickets_taken": 1,
        "tickets_open": 2,
        "tickets_callback": 3,
        "questions_open": 1,
        "attention": 4,  # the number in "Hộp thư (N)": waiting + to call back
        "latest_ticket_id": max(timed_out),
    }
    assert dt.datetime.fromisoformat(counts["now"]).tzinfo is not None
    # "Chờ xử lý" no longer lists timed-out tickets; "Cần gọi lại" does, oldest wait shown.
    open_items = editor.get("/inbox?kind=ticket&status=open").json()["items"]
    assert [(i["id"], i["bucket"]) for i in open_items] == [(waiting, "waiting"), (taken, "taken")]
    callback = editor.get("/inbox?kind=ticket&status=callback").json()["items"]
    assert sorted(i["id"] for i in callback) == sorted(timed_out)
    assert {i["bucket_label"] for i in callback} == {"Cần gọi lại"}
    assert callback[0]["status_label"] == "Cần gọi lại: hết thời gian chờ mà chưa cán bộ nào nhận"
    assert callback[0]["channel_label"] == "Khung chat trên cổng" and callback[0]["waited_seconds"] >= 0
    assert editor.get("/inbox?kind=question&status=callback").json()["items"] == []
    # Marking a ticket to call back as done ("Đã liên hệ lại") takes it out of the bucket.
    assert editor.post(f"/inbox/tickets/{timed_out[0]}/release").json()["bucket"] == "done"
    assert editor.get("/inbox/counts").json()["tickets_callback"] == 2


def test_the_counts_poll_is_one_query(editor: Staff, staff_db: str) -> None:
    from sqlalchemy import event

    from knowledge_base.staff.inbox import inbox_counts

    _ticket_on(staff_db, "tg-1", "telegram")
    with session_scope(staff_db) as session:
        statements: list[str] = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert inbox_counts(session)["tickets_waiting"] == 1
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert editor.get("/inbox/counts").status_code == 200


def test_counts_need_a_signed_in_officer(app_client: Any) -> None:
    response = app_client.get("/api/staff/v1/inbox/counts")
    assert response.status_code == 401


ASKED = [
    "đăng ký khai sinh cần giấy tờ gì",
    "dang ky khai sinh can giay to gi",
    "cho em hỏi đăng ký khai sinh cần những giấy tờ gì ạ",
    "mất căn cước công dân làm lại thế nào",
    "cccd bị mất thì làm lại ở đâu",
    "đăng ký kết hôn cần giấy tờ gì",
    "công chứng hợp đồng mua bán xe ở đâu",
]
NOISE = ["xxxx", "???", "😀😀😀😀", "Z\u0337\u0322\u031b\u031ba\u0336\u0321l\u0335go"]


def test_questions_come_grouped_most_asked_first_with_noise_set_aside(editor: Staff, staff_db: str) -> None:
    ids = _questions(staff_db, ASKED + NOISE)
    data = editor.get("/inbox/question-groups").json()
    assert data["questions_open"] == 11 and data["noise_count"] == 4
    assert data["total_questions"] == 7
    groups = data["groups"]
    assert [g["count"] for g in groups][:2] == [3, 2]
    birth, card = groups[0], groups[1]
    assert sorted(birth["ids"]) == ids[:3] and birth["id"] == ids[2]  # led by the newest
    # Other wordings, each once ("dang ky khai sinh ..." is the same words without diacritics).
    assert birth["text"] == ASKED[2] and birth["variants"] == [ASKED[1]]
    assert sorted(card["ids"]) == ids[3:5]
    assert birth["channels"] == ["Khung chat trên cổng"] and birth["reason_label"] == "Trợ lý không hiểu"
    # Marriage is not birth: asked in the same words around a different procedure.
    assert {g["text"] for g in groups if g["count"] == 1} == {ASKED[5], ASKED[6]}
    noise = editor.get("/inbox/question-groups?status=noise").json()
    assert sorted(g["text"] for g in noise["groups"]) == sorted(NOISE)
    labels = {g["text"]: g["noise_label"] for g in noise["groups"]}
    assert labels == {
        "xxxx": "Không có từ tiếng Việt nào",
        "???": "Chỉ có ký hiệu hoặc biểu tượng cảm xúc",
        "😀😀😀😀": "Chỉ có ký hiệu hoặc biểu tượng cảm xúc",
        NOISE[3]: "Ký tự dấu chồng lên nhau",
    }


def test_questions_can_be_searched_and_paged(editor: Staff, staff_db: str) -> None:
    _questions(staff_db, ASKED + [f"thủ tục số {n} làm ở đâu" for n in range(30)])
    # Folded, shorthand expanded, a word being typed matches the start of a word.
    found = editor.get("/inbox/question-groups", params={"q": "Căn cuoc"}).json()
    assert [g["count"] for g in found["groups"]] == [2] and found["total_groups"] == 1
    assert editor.get("/inbox/question-groups", params={"q": "khai si"}).json()["total_questions"] == 3
    assert editor.get("/inbox/question-groups", params={"q": "hộ chiếu"}).json()["groups"] == []
    first = editor.get("/inbox/question-groups?limit=20").json()
    second = editor.get("/inbox/question-groups?limit=20&offset=20").json()
    assert first["total_groups"] == second["total_groups"] and len(first["groups"]) == 20
    assert len(second["groups"]) == first["total_groups"] - 20
    assert not {g["id"] for g in first["groups"]} & {g["id"] for g in second["groups"]}
    too_long = editor.get("/inbox/question-groups", params={"q": "x" * 201})
    assert too_long.status_code == 422 and too_long.json()["detail"] == "Từ khóa tối đa 200 ký tự."


def test_bulk_dismiss_closes_many_questions_each_audited(editor: Staff, staff_db: str) -> None:
    ids = _questions(staff_db, [*NOISE, "làm lại căn cước bị mất cần gì"])
    assert editor.post(f"/inbox/questions/{ids[0]}/dismiss").status_code == 200
    response = editor.post("/inbox/questions/dismiss", {"ids": ids[:4]})
    assert response.status_code == 200, response.text
    assert response.json()["dismissed"] == 3  # one was dismissed already
    assert response.json()["counts"]["questions_open"] == 1
    with session_scope(staff_db) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == "question_dismiss")).all()
        statuses = dict(session.execute(select(UnansweredQuestion.id, UnansweredQuestion.status)).all())
    assert len(rows) == 4 and {r.actor for r in rows} == {"bien.tap"}
    assert [statuses[i] for i in ids] == ["dismissed"] * 4 + ["open"]
    assert editor.get("/inbox/question-groups?status=noise").json()["groups"] == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 422, "Chọn ít nhất một câu hỏi để bỏ qua."),
        ({"ids": []}, 422, "Chọn ít nhất một câu hỏi để bỏ qua."),
        ({"ids": list(range(1, 1002))}, 422, "Mỗi lần bỏ qua tối đa 1000 câu hỏi."),
        ({"ids": ["1"]}, 422, "Danh sách câu hỏi chỉ gồm mã câu hỏi (số nguyên dương)."),
        ({"ids": [0]}, 422, "Danh sách câu hỏi chỉ gồm mã câu hỏi (số nguyên dương)."),
        ({"ids": [999999]}, 404, "Không tìm thấy câu hỏi #999999 trong hộp thư."),
        ({"ids": [1], "all": True}, 422, "Trường “all” không được chấp nhận."),
    ],
)
def test_bulk_dismiss_refuses_bad_input_in_vietnamese(
    editor: Staff, staff_db: str, body: dict[str, Any], status: int, detail: str
) -> None:
    _questions(staff_db, ["xxxx"])
    response = editor.post("/inbox/questions/dismiss", body)
    assert response.status_code == status and response.json()["detail"] == detail


def test_items_speak_the_officers_words(editor: Staff, rasa: FakeRasa, staff_db: str) -> None:
    qid = _question(staff_db)
    item = editor.get("/inbox?kind=question").json()["items"][0]
    assert item["channel_label"] == "Khung chat trên cổng" and item["reason_label"] == "Trợ lý không hiểu"
    detail = editor.get(f"/inbox/questions/{qid}").json()
    assert detail["channel_label"] == "Khung chat trên cổng"
    ticket = editor.get(f"/inbox/tickets/{_ticket(staff_db)}").json()
    assert ticket["channel_label"] == "Telegram" and ticket["bucket_label"] == "Đang chờ cán bộ nhận"


def test_the_timeline_is_one_with_the_officers_replies_and_no_internal_events(
    editor: Staff, rasa: FakeRasa, staff_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket_id = _ticket(staff_db)
    rasa.events = [
        {"event": "user", "text": "cho tôi gặp cán bộ", "timestamp": 1764000000.0},
        {"event": "action", "name": "action_handoff", "timestamp": 1764000000.5},
        {"event": "bot", "text": "Tôi đã chuyển cuộc trò chuyện cho cán bộ", "timestamp": 1764000001.0},
        {"event": "slot", "name": "handoff_until", "value": 1.0, "timestamp": 1764000001.5},
    ]
    reply = "Chào anh, em là cán bộ Một cửa.\nAnh cần hỗ trợ gì ạ?"
    detail = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": reply}).json()
    # The Rasa tracker now holds "EXTERNAL: EXTERNAL_staff_reply" in the citizen's name: left out.
    assert [(m["sender"], m["text"]) for m in detail["conversation"]] == [
        ("user", "cho tôi gặp cán bộ"),
        ("bot", "Tôi đã chuyển cuộc trò chuyện cho cán bộ"),
        ("staff", reply),
    ]
    assert [(m["who"], m["text"]) for m in detail["timeline"]] == [
        ("Người dân", "cho tôi gặp cán bộ"),
        ("Trợ lý", "Tôi đã chuyển cuộc trò chuyện cho cán bộ"),
        ("Cán bộ Bien Tap", reply),
    ]
    assert "EXTERNAL" not in str(detail["timeline"]) and "EXTERNAL" not in str(detail["conversation"])
    # The Rasa server unreachable: the timeline still shows what the officers sent.
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    settings.get_settings.cache_clear()
    down = editor.get(f"/inbox/tickets/{ticket_id}").json()
    assert down["conversation"] is None and down["conversation_error"]
    assert [(m["sender"], m["who"], m["text"]) for m in down["timeline"]] == [
        ("staff", "Cán bộ Bien Tap", reply)
    ]


@pytest.mark.parametrize(
    ("channel", "note"),
    [
        ("telegram", "Đã gửi câu trả lời đến ứng dụng Telegram của người dân."),
        ("zalo", "Đã gửi câu trả lời đến Zalo của người dân."),
        (
            "rest",
            "Đã gửi câu trả lời vào khung chat trên cổng: nếu người dân đang mở khung chat, họ thấy ngay "
            "trong vài giây; nếu không, họ sẽ thấy khi mở lại khung chat trên cổng.",
        ),
        (
            "web",
            "Đã gửi câu trả lời vào khung chat trên cổng: nếu người dân đang mở khung chat, họ thấy ngay "
            "trong vài giây; nếu không, họ sẽ thấy khi mở lại khung chat trên cổng.",
        ),
    ],
)
def test_the_delivery_note_is_truthful_per_channel(
    editor: Staff, rasa: FakeRasa, staff_db: str, channel: str, note: str
) -> None:
    ticket_id = _ticket_on(staff_db, f"{channel}-1", channel)
    answered = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Chào bạn"}).json()
    assert answered["delivery_note"] == note
    [qid] = _questions(staff_db, ["lệ phí làm hộ chiếu bao nhiêu"], channel=channel)
    assert (
        editor.post(f"/inbox/questions/{qid}/reply", {"message": "Chào bạn"}).json()["delivery_note"] == note
    )
