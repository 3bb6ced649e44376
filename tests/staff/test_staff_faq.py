"""FAQ editing: Vietnamese validation, markup kept as text, publishing seen by the search at once."""

from __future__ import annotations

from sqlalchemy import select

from knowledge_base.conversations import record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.faq import load_faq_seed, search_faq
from knowledge_base.models import AuditLog, FaqEntry, UnansweredQuestion
from tests.staff.conftest import Staff

QUESTIONS = ["Có chỗ gửi xe máy ở bộ phận một cửa không?", "gửi xe ở đâu khi đi làm thủ tục"]
ANSWER = "Có. Bộ phận Một cửa có bãi gửi xe máy miễn phí ở cổng sau trụ sở."


def _hits(url: str, text: str) -> list[int]:
    with session_scope(url) as session:
        return [hit.faq_id for hit in search_faq(session, text, limit=3) if hit.score >= 0.3]


def test_a_draft_is_never_used_and_publishing_is_used_by_the_next_search(
    editor: Staff, staff_db: str
) -> None:
    created = editor.post("/faq", {"questions": QUESTIONS, "answer": ANSWER})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["published"] is False and entry["created_by"] == "bien.tap"
    assert entry["id"] not in _hits(staff_db, "gửi xe máy ở bộ phận một cửa được không")
    published = editor.post(f"/faq/{entry['id']}/publish").json()
    assert published["published"] is True
    assert entry["id"] in _hits(staff_db, "gửi xe máy ở bộ phận một cửa được không")
    assert editor.post(f"/faq/{entry['id']}/unpublish").json()["published"] is False
    assert entry["id"] not in _hits(staff_db, "gửi xe máy ở bộ phận một cửa được không")


def test_every_change_is_audited_with_before_and_after(editor: Staff, staff_db: str) -> None:
    entry = editor.post("/faq", {"questions": QUESTIONS, "answer": ANSWER, "published": True}).json()
    edited = editor.put(
        f"/faq/{entry['id']}",
        {
            "questions": [*QUESTIONS, "xe máy để đâu"],
            "answer": ANSWER + " Mở cửa từ 7h.",
            "procedure_code": None,
            "updated_at": entry["updated_at"],
        },
    )
    assert edited.status_code == 200, edited.text
    editor.post(f"/faq/{entry['id']}/unpublish")
    with session_scope(staff_db) as session:
        rows = list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.entity == "faq_entry", AuditLog.entity_id == str(entry["id"]))
                .order_by(AuditLog.id)
            )
        )
    assert [r.action for r in rows] == ["faq_create", "faq_update", "faq_unpublish"]
    assert all(r.actor == "bien.tap" for r in rows)
    assert rows[0].before is None and rows[0].after["answer"] == ANSWER
    assert rows[1].before["questions"] == QUESTIONS
    assert rows[1].after["questions"] == [*QUESTIONS, "xe máy để đâu"]
    assert rows[1].after["answer"].endswith("Mở cửa từ 7h.")
    assert rows[2].before["published"] is True and rows[2].after["published"] is False


def test_markup_is_stored_and_returned_as_text(editor: Staff, staff_db: str) -> None:
    answer = '<script>alert("x")</script> <b>Đậm</b> {slot} [link](javascript:alert(1)) & "quote"'
    entry = editor.post("/faq", {"questions": ["Thử nội dung có thẻ HTML ở đây"], "answer": answer}).json()
    assert entry["answer"] == answer
    assert editor.get(f"/faq/{entry['id']}").json()["answer"] == answer
    with session_scope(staff_db) as session:
        assert session.get(FaqEntry, entry["id"]).answer == answer


def test_text_is_tidied_blank_lines_and_invisible_characters_go(editor: Staff) -> None:
    entry = editor.post(
        "/faq",
        {
            "questions": [
                "  Giờ   làm việc\u200b thứ bảy? ",
                "gio lam viec thu bay",
                "Giờ làm việc thứ bảy?",
            ],
            "answer": "Dòng một\r\n\r\n\r\nDòng hai\x07  ",
        },
    ).json()
    # The third is the first one again once tidied; the second is another way of typing it, kept.
    assert entry["questions"] == ["Giờ làm việc thứ bảy?", "gio lam viec thu bay"]
    assert entry["answer"] == "Dòng một\nDòng hai"


def test_validation_messages_are_vietnamese(editor: Staff) -> None:
    cases = [
        ({"questions": ["   "], "answer": ANSWER}, "questions", "Cần ít nhất một cách hỏi."),
        (
            {"questions": ["abc"], "answer": ANSWER},
            "questions",
            "Câu hỏi “abc” quá ngắn (tối thiểu 5 ký tự).",
        ),
        ({"questions": QUESTIONS, "answer": " \n "}, "answer", "Câu trả lời không được để trống."),
        ({"questions": QUESTIONS, "answer": "x" * 2001}, "answer", "Câu trả lời tối đa 2000 ký tự."),
        (
            {"questions": QUESTIONS, "answer": ANSWER, "procedure_code": "9.999999"},
            "procedure_code",
            "Không tìm thấy thủ tục mã 9.999999.",
        ),
        ({"questions": [], "answer": ANSWER}, "questions", "Các cách hỏi cần ít nhất 1 mục."),
        ({"answer": ANSWER}, "questions", "Các cách hỏi: bắt buộc phải có."),
        ({"questions": "một chuỗi", "answer": ANSWER}, "questions", "Các cách hỏi phải là một danh sách."),
    ]
    for body, field, message in cases:
        response = editor.post("/faq", body)
        assert response.status_code == 422, (body, response.text)
        assert {"field": field, "message": message} in response.json()["errors"], response.json()
    assert editor.get("/faq/999999").json()["detail"] == "Không tìm thấy mục câu hỏi thường gặp này."


def test_a_stale_edit_is_refused_instead_of_overwriting(editor: Staff, editor2: Staff) -> None:
    entry = editor.post("/faq", {"questions": QUESTIONS, "answer": ANSWER}).json()
    first = editor2.put(
        f"/faq/{entry['id']}",
        {"questions": QUESTIONS, "answer": "Bản của người thứ hai.", "updated_at": entry["updated_at"]},
    )
    assert first.status_code == 200
    stale = editor.put(
        f"/faq/{entry['id']}",
        {"questions": QUESTIONS, "answer": "Bản cũ.", "updated_at": entry["updated_at"]},
    )
    assert stale.status_code == 409
    assert "vừa được bien.tap2 sửa" in stale.json()["detail"]


def test_a_staff_edit_of_a_seed_entry_survives_reseeding(editor: Staff, staff_db: str) -> None:
    seeded = next(e for e in editor.get("/faq").json() if e["seed_key"])
    editor.put(
        f"/faq/{seeded['id']}",
        {
            "questions": seeded["questions"],
            "answer": "Câu trả lời của địa phương.",
            "procedure_code": seeded["procedure_code"],
        },
    )
    with session_scope(staff_db) as session:
        load_faq_seed(session)
        session.commit()
    assert editor.get(f"/faq/{seeded['id']}").json()["answer"] == "Câu trả lời của địa phương."


def test_an_inbox_question_becomes_an_entry_and_leaves_the_inbox(editor: Staff, staff_db: str) -> None:
    with session_scope(staff_db) as session:
        qid = record_unanswered(
            session,
            conversation_id="c-1",
            channel="rest",
            text="xin giấy xác nhận độc thân ở đâu",
            intent="nlu_fallback",
            confidence=0.2,
            reason="fallback",
        )
        session.commit()
    entry = editor.post(
        "/faq",
        {
            "questions": ["xin giấy xác nhận độc thân ở đâu"],
            "answer": ANSWER,
            "published": True,
            "source_question_id": qid,
        },
    ).json()
    assert entry["published"] is True
    with session_scope(staff_db) as session:
        assert session.get(UnansweredQuestion, qid).status == "faq"
    assert qid not in [i["id"] for i in editor.get("/inbox?kind=question").json()["items"]]


def test_list_filters_by_words_without_diacritics_and_status(editor: Staff) -> None:
    entry = editor.post("/faq", {"questions": QUESTIONS, "answer": ANSWER}).json()
    found = editor.get("/faq", params={"q": "gui xe may", "status": "draft"}).json()
    assert [e["id"] for e in found] == [entry["id"]]
    assert entry["id"] not in [e["id"] for e in editor.get("/faq", params={"status": "published"}).json()]
