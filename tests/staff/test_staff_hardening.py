"""Issue 17, finding 14 (staff part): no reply to a released ticket, a warning for links outside the
official sites, refused authorisations on record, an owner-only SQLite file."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge_base import settings
from knowledge_base.conversations import create_handoff
from knowledge_base.db import session_scope
from knowledge_base.maintenance import migrate
from knowledge_base.models import AuditLog
from tests.staff.conftest import API, SignIn, Staff
from tests.staff.fake_rasa import FakeRasa, fake_rasa

SENDER = "telegram:99887/xyz"


@pytest.fixture
def rasa(staff_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    """A fake Rasa server the app is pointed at."""
    with fake_rasa() as fake:
        monkeypatch.setenv("RASA_URL", fake.url)
        monkeypatch.setenv("RASA_API_TOKEN", fake.token)
        settings.get_settings.cache_clear()
        yield fake
    settings.get_settings.cache_clear()


def _ticket(url: str) -> int:
    with session_scope(url) as session:
        ticket = create_handoff(
            session,
            conversation_id=SENDER,
            channel="telegram",
            reason="asked",
            summary="Lý do: người dân yêu cầu gặp cán bộ",
            timeout=dt.timedelta(minutes=5),
        )
        session.commit()
        return ticket.id


def _audit(url: str, action: str) -> list[AuditLog]:
    with session_scope(url) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def test_a_released_ticket_takes_no_more_replies(editor: Staff, rasa: FakeRasa, staff_db: str) -> None:
    ticket_id = _ticket(staff_db)
    assert editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Chào anh"}).status_code == 200
    assert editor.post(f"/inbox/tickets/{ticket_id}/release").status_code == 200
    sent = len([r for r in rasa.requests if r["path"].endswith("/trigger_intent")])
    late = editor.post(f"/inbox/tickets/{ticket_id}/reply", {"message": "Anh còn đó không?"})
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "Yêu cầu này đã được trả lại cho trợ lý hoặc đã đóng, nên không thể gửi thêm tin nhắn. "
        "Nếu người dân cần cán bộ, họ sẽ yêu cầu lại."
    )
    # Nothing reached the citizen, nothing paused the bot again, nothing was recorded.
    assert len([r for r in rasa.requests if r["path"].endswith("/trigger_intent")]) == sent
    assert [r.after["message"] for r in _audit(staff_db, "staff_reply")] == ["Chào anh"]
    assert rasa.slots(SENDER)["handoff_until"] is None


LINKS = (
    "Tải mẫu tờ khai tại https://bit.ly/to-khai-ks hoặc tailieu-mienphi.com, "
    "nộp trực tuyến tại https://dichvucong.gov.vn và www.hanoi.gov.vn."
)


def test_an_answer_linking_outside_the_official_sites_is_saved_with_a_warning(editor: Staff) -> None:
    created = editor.post("/faq", {"questions": ["Mẫu tờ khai khai sinh lấy ở đâu"], "answer": LINKS})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["external_links"] == ["bit.ly", "tailieu-mienphi.com"]
    assert entry["warnings"] == [
        "Câu trả lời có liên kết tới trang không thuộc cơ quan nhà nước: bit.ly, tailieu-mienphi.com. "
        "Người dân sẽ nhận được liên kết này; hãy kiểm tra kỹ trước khi đăng."
    ]
    # A warning, not a refusal: the editor may still publish.
    published = editor.post(f"/faq/{entry['id']}/publish").json()
    assert published["published"] is True and published["warnings"] == entry["warnings"]
    official = editor.put(
        f"/faq/{entry['id']}",
        {
            "questions": ["Mẫu tờ khai khai sinh lấy ở đâu"],
            "answer": "Nộp tại https://dichvucong.gov.vn/p/home, hỏi thêm hotro@dichvucong.gov.vn.",
            "updated_at": published["updated_at"],
        },
    )
    assert official.status_code == 200, official.text
    assert official.json()["warnings"] == [] and official.json()["external_links"] == []


def test_refused_authorisations_are_on_record(editor: Staff, admin: Staff, staff_db: str) -> None:
    assert editor.get("/users").status_code == 403
    assert editor.client.post(f"{API}/faq/1/unpublish").status_code == 403  # no CSRF token
    assert editor.client.get("/staff/audit").status_code == 403
    denied = _audit(staff_db, "access_denied")
    assert [(d.actor, d.entity_id, d.after["reason"]) for d in denied] == [
        ("bien.tap", "GET /api/staff/v1/users", "admin_only"),
        ("bien.tap", "POST /api/staff/v1/faq/1/unpublish", "csrf"),
        ("bien.tap", "GET /staff/audit", "admin_only"),
    ]
    # The admin reads them in the audit log, labelled.
    page = admin.get("/audit", params={"action": "access_denied"}).json()
    assert page["total"] == 3 and page["rows"][0]["action_label"] == "Bị từ chối truy cập"


def test_failed_sign_ins_are_on_record(sign_in: SignIn, staff_db: str) -> None:
    client = sign_in.anonymous()
    client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "sai-mat-khau-roi"})
    client.post(f"{API}/auth/login", json={"username": "khong.co.ai", "password": "sai-mat-khau-roi"})
    failed = _audit(staff_db, "login_failed")
    assert [f.actor for f in failed] == ["bien.tap", "khong.co.ai"]
    assert all(f.after["ip"] == "testclient" for f in failed)


def test_the_sqlite_file_is_created_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask: files world-readable by default
    try:
        fresh = tmp_path / "var" / "tthc.db"
        migrate(f"sqlite:///{fresh}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        # An existing world-readable database (made before this fix) is tightened by the next setup.
        old = tmp_path / "old.db"
        old.touch(mode=0o644)
        old.chmod(0o644)
        migrate(f"sqlite:///{old}")
        assert stat.S_IMODE(old.stat().st_mode) == 0o600
        for extra in (tmp_path / "old.db-wal", tmp_path / "old.db-shm"):
            if extra.exists():
                assert stat.S_IMODE(extra.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
