"""Settings kept by admins: the calendar exceptions the Government announces (`day_off`).

Extra days off (a bridge day beside Tết or 2 September) and Saturdays or Sundays declared working
days change the expected result dates the assistant computes; it reads them with every answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import DayOff
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, clean_text, iso, now

KIND_LABELS = {"off": "Ngày nghỉ thêm", "working": "Ngày làm bù"}
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _view(row: DayOff) -> dict[str, Any]:
    return {
        "id": row.id,
        "day": row.day.isoformat(),
        "weekday": WEEKDAYS[row.day.weekday()],
        "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind),
        "note": row.note,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
    }


def list_days(session: Session) -> list[dict[str, Any]]:
    """Every calendar exception, latest day first."""
    return [_view(r) for r in session.scalars(select(DayOff).order_by(DayOff.day.desc()))]


def add_day(session: Session, principal: Principal, *, day: dt.date, kind: str, note: str) -> dict[str, Any]:
    """Add an extra day off (a weekday) or a make-up working day (a Saturday or Sunday); audited."""
    if kind not in KIND_LABELS:
        raise StaffError("Loại ngày phải là ngày nghỉ thêm hoặc ngày làm bù.", field="kind")
    if kind == "off" and day.weekday() >= 5:
        raise StaffError("Ngày nghỉ thêm phải là một ngày từ thứ Hai đến thứ Sáu.", field="day")
    if kind == "working" and day.weekday() < 5:
        raise StaffError("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.", field="day")
    if session.scalar(select(DayOff.id).where(DayOff.day == day)) is not None:
        raise StaffError(f"Ngày {day:%d/%m/%Y} đã có trong danh sách.", status=409, field="day")
    text = clean_text(note)[:500]
    row = DayOff(day=day, kind=kind, note=text, created_by=principal.username, created_at=now())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="day_off_create",
        entity="day_off",
        entity_id=row.id,
        after={"day": day.isoformat(), "kind": kind, "note": text},
    )
    return _view(row)


def delete_day(session: Session, principal: Principal, day_id: int) -> None:
    """Remove a calendar exception (audited)."""
    row = session.get(DayOff, day_id)
    if row is None:
        raise StaffError("Không tìm thấy ngày này.", status=404)
    before = {"day": row.day.isoformat(), "kind": row.kind, "note": row.note}
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="day_off_delete",
        entity="day_off",
        entity_id=day_id,
        before=before,
    )
