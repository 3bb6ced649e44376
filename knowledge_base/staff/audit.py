"""The audit log: who changed what and when, with before and after (`audit_log`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.models import AuditLog
from knowledge_base.staff.common import iso, now

# What each action means, for the audit page.
ACTION_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_blocked": "Đăng nhập bị chặn tạm thời",
    "logout": "Đăng xuất",
    "password_change": "Đổi mật khẩu",
    "session_revoke": "Đăng xuất phiên khác",
    "totp_enable": "Bật xác thực hai bước",
    "totp_disable": "Tắt xác thực hai bước",
    "access_denied": "Bị từ chối truy cập",
    "user_create": "Tạo tài khoản",
    "user_update": "Sửa tài khoản",
    "faq_create": "Tạo câu hỏi thường gặp",
    "faq_update": "Sửa câu hỏi thường gặp",
    "faq_publish": "Đăng câu hỏi thường gặp",
    "faq_unpublish": "Gỡ câu hỏi thường gặp",
    "faq_restore": "Khôi phục phiên bản câu hỏi thường gặp",
    "life_event_create": "Tạo sự kiện cuộc sống",
    "life_event_update": "Sửa sự kiện cuộc sống",
    "life_event_publish": "Đăng sự kiện cuộc sống",
    "life_event_unpublish": "Gỡ sự kiện cuộc sống",
    "override_update": "Sửa thông tin địa phương của thủ tục",
    "import_dry_run": "Chạy thử nhập dữ liệu",
    "import_apply": "Nhập dữ liệu quốc gia",
    "import_discard": "Hủy lượt nhập dữ liệu",
    "ticket_claim": "Nhận xử lý yêu cầu",
    "staff_reply": "Trả lời người dân",
    "ticket_release": "Trả cuộc trò chuyện cho trợ lý",
    "question_dismiss": "Bỏ qua câu hỏi",
    "day_off_create": "Thêm ngày nghỉ/làm bù",
    "day_off_delete": "Xóa ngày nghỉ/làm bù",
    "fee_create": "Thêm mức phí, lệ phí theo văn bản",
    "fee_update": "Sửa mức phí, lệ phí theo văn bản",
    "office_create": "Thêm văn phòng một cửa",
    "office_update": "Sửa văn phòng một cửa",
    "office_delete": "Xóa văn phòng một cửa",
    "office_assign": "Gán văn phòng một cửa cho các thủ tục",
    "office_unassign": "Bỏ thủ tục khỏi văn phòng một cửa",
}


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row (flushed with the change it describes, committed by the caller).

    Args:
        session: the session making the change, so the row commits or rolls back with it.
        actor: the officer's username (or what was typed at a failed login).
        action: one of `ACTION_LABELS`.
        entity: the kind of thing changed ("faq_entry", "procedure", "staff_user" ...).
        entity_id: its id or code.
        before: its state before (None when created).
        after: its state after (None when deleted).
    """
    row = AuditLog(
        at=now(),
        actor=actor[:128],
        action=action[:64],
        entity=entity[:64],
        entity_id=str(entity_id)[:64],
        before=before,
        after=after,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, newest first."""

    total: int
    rows: list[dict[str, Any]]


def list_audit(
    session: Session,
    *,
    actor: str = "",
    entity: str = "",
    action: str = "",
    since: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Audit rows matching the filters, newest first."""
    statement = select(AuditLog)
    if actor:
        statement = statement.where(AuditLog.actor == actor)
    if entity:
        statement = statement.where(AuditLog.entity == entity)
    if action:
        statement = statement.where(AuditLog.action == action)
    if since is not None:
        statement = statement.where(AuditLog.at >= since)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    )
    return AuditPage(
        total=int(total),
        rows=[
            {
                "id": row.id,
                "at": iso(row.at),
                "actor": row.actor,
                "action": row.action,
                "action_label": ACTION_LABELS.get(row.action, row.action),
                "entity": row.entity,
                "entity_id": row.entity_id,
                "before": row.before,
                "after": row.after,
            }
            for row in rows
        ],
    )
