"""Life events in the staff workspace: editing, validation, audit, and the next match uses the edit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from knowledge_base.db import session_scope
from knowledge_base.life_events import MIN_SCORE, load_life_events_seed, match_life_event
from knowledge_base.models import AuditLog
from tests.staff.conftest import API, Staff

NEW_EVENT: dict[str, Any] = {
    "slug": "nhap_hoc",
    "title": "Con vào lớp một",
    "triggers": ["con vào lớp một", "CON VAO LOP 1", "  nhập học lớp một "],
    "excludes": [],
    "steps": [
        {
            "label": "Cấp bản sao giấy khai sinh",
            "codes": ["2.000635"],
            "where": "UBND cấp xã",
            "condition": "",
        },
        {"label": "Xác nhận thông tin về cư trú", "codes": ["1.010041"], "where": "Công an cấp xã"},
    ],
}


def _matched(url: str, text: str) -> str | None:
    with session_scope(url) as session:
        found = match_life_event(session, text)
        return found.event.slug if found is not None and found.score >= MIN_SCORE else None


def _event(staff: Staff, slug: str) -> dict[str, Any]:
    return next(e for e in staff.get("/life-events").json() if e["slug"] == slug)


def _body(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    steps = [{k: s[k] for k in ("label", "codes", "where", "condition")} for s in event["steps"]]
    body = {
        "title": event["title"],
        "triggers": event["triggers"],
        "excludes": event["excludes"],
        "steps": steps,
        "updated_at": event["updated_at"],
    }
    return body | changes


def test_the_seeded_events_are_listed_with_the_procedures_names(editor: Staff) -> None:
    events = editor.get("/life-events").json()
    assert len(events) >= 30
    birth = next(e for e in events if e["slug"] == "sinh_con")
    assert birth["published"] is True and birth["from_seed"] is True
    assert birth["steps"][1]["codes"] == ["1.001193"]
    assert birth["steps"][1]["names"] == ["Thủ tục đăng ký khai sinh"]
    found = editor.get("/life-events", params={"q": "ket hon nuoc ngoai"}).json()
    assert [e["slug"] for e in found] == ["ket_hon_nuoc_ngoai"]


def test_an_edit_is_used_by_the_next_match_and_audited(editor: Staff, staff_db: str) -> None:
    assert _matched(staff_db, "hai đứa tôi vừa về chung một nhà") == "ket_hon"
    assert _matched(staff_db, "tôi vừa cưới xong") is None
    event = _event(editor, "ket_hon")
    edited = editor.put(
        f"/life-events/{event['id']}",
        _body(event, triggers=[*event["triggers"], "vừa cưới xong"], title="Kết hôn, cưới vợ/chồng"),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["triggers"][-1] == "vua cuoi xong"  # stored folded
    assert edited.json()["updated_by"] == "bien.tap"
    assert _matched(staff_db, "tôi vừa cưới xong") == "ket_hon"
    with session_scope(staff_db) as session:
        rows = list(
            session.scalars(
                select(AuditLog).where(
                    AuditLog.entity == "life_event", AuditLog.entity_id == str(event["id"])
                )
            )
        )
    assert [r.action for r in rows] == ["life_event_update"]
    assert rows[0].actor == "bien.tap"
    assert rows[0].before["title"] == "Kết hôn" and rows[0].after["title"] == "Kết hôn, cưới vợ/chồng"
    assert "vua cuoi xong" not in rows[0].before["triggers"] and "vua cuoi xong" in rows[0].after["triggers"]


def test_a_new_event_is_a_draft_until_published(editor: Staff, staff_db: str) -> None:
    created = editor.post("/life-events", NEW_EVENT)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["published"] is False and event["from_seed"] is False
    assert event["triggers"] == ["con vao lop mot", "con vao lop 1", "nhap hoc lop mot"]
    assert _matched(staff_db, "năm nay con vào lớp một cần giấy tờ gì") is None
    assert editor.post(f"/life-events/{event['id']}/publish").json()["published"] is True
    assert _matched(staff_db, "năm nay con vào lớp một cần giấy tờ gì") == "nhap_hoc"
    tried = editor.get("/life-events/match", params={"q": "con vao lop 1"}).json()
    assert tried["matched"] is True and tried["slug"] == "nhap_hoc"
    assert editor.post(f"/life-events/{event['id']}/unpublish").json()["published"] is False
    assert _matched(staff_db, "năm nay con vào lớp một cần giấy tờ gì") is None
    with session_scope(staff_db) as session:
        actions = list(
            session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity == "life_event", AuditLog.entity_id == str(event["id"]))
                .order_by(AuditLog.id)
            )
        )
    assert actions == ["life_event_create", "life_event_publish", "life_event_unpublish"]


def test_procedure_codes_must_exist_and_messages_are_vietnamese(editor: Staff) -> None:
    step = NEW_EVENT["steps"][0]
    cases = [
        (
            NEW_EVENT | {"steps": [step | {"codes": ["9.999999"]}]},
            "steps",
            "Không tìm thấy thủ tục mã 9.999999.",
        ),
        (
            NEW_EVENT | {"steps": [step | {"label": ""}]},
            "steps",
            "Bước 1: cần tên thủ tục (ít nhất 3 ký tự).",
        ),
        (
            NEW_EVENT | {"steps": [step | {"codes": [], "where": ""}]},
            "steps",
            "Bước 1: cần mã thủ tục hoặc nơi hỏi.",
        ),
        (
            NEW_EVENT | {"triggers": ["ab"]},
            "triggers",
            "Cụm từ “ab” quá ngắn: cần ít nhất hai tiếng (ví dụ “sinh con”).",
        ),
        (NEW_EVENT | {"triggers": ["  "]}, "triggers", "Cần ít nhất một cách nói của người dân."),
        (NEW_EVENT | {"title": " "}, "title", "Tên sự kiện không được để trống."),
        (
            NEW_EVENT | {"slug": "9x"},
            "slug",
            "Mã sự kiện gồm 3–64 chữ thường không dấu, số và dấu gạch dưới (ví dụ sinh_con).",
        ),
        (NEW_EVENT | {"steps": []}, "steps", "Các bước cần ít nhất 1 mục."),
    ]
    for body, field, message in cases:
        response = editor.post("/life-events", body)
        assert response.status_code == 422, (body, response.text)
        assert {"field": field, "message": message} in response.json()["errors"], response.json()
    taken = editor.post("/life-events", NEW_EVENT | {"slug": "sinh_con"})
    assert taken.status_code == 409
    assert editor.get("/life-events/999999").json()["detail"] == "Không tìm thấy sự kiện cuộc sống này."


def test_a_stale_edit_is_refused(editor: Staff, editor2: Staff) -> None:
    event = _event(editor, "ly_hon")
    assert editor2.put(f"/life-events/{event['id']}", _body(event, title="Ly hôn, ly dị")).status_code == 200
    stale = editor.put(f"/life-events/{event['id']}", _body(event, title="Ly dị"))
    assert stale.status_code == 409
    assert "vừa được bien.tap2 sửa" in stale.json()["detail"]


def test_a_staff_edit_survives_reseeding(editor: Staff, staff_db: str) -> None:
    event = _event(editor, "du_hoc")
    editor.put(f"/life-events/{event['id']}", _body(event, title="Đi học ở nước ngoài"))
    with session_scope(staff_db) as session:
        load_life_events_seed(session)
        session.commit()
    assert editor.get(f"/life-events/{event['id']}").json()["title"] == "Đi học ở nước ngoài"


def test_access_is_as_for_faq_entries(app_client: TestClient, editor: Staff, admin: Staff) -> None:
    assert app_client.get(f"{API}/life-events").status_code == 401
    assert app_client.get("/staff/life_events", follow_redirects=False).status_code == 303
    assert editor.client.get("/staff/life_events").status_code == 200
    assert admin.get("/life-events").status_code == 200
    event = _event(editor, "xay_nha")
    no_csrf = editor.client.put(f"{API}/life-events/{event['id']}", json=_body(event))
    assert no_csrf.status_code == 403
