"""The fee table in the workspace: any signed-in officer keeps it current; every change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.fees import LEGAL_NUMBER, SEED_ACTOR
from knowledge_base.models import FeeSchedule
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, clean_text, iso, now

MAX_AMOUNTS_CHARS = 2000
MAX_TEXT_CHARS = 1000
FIELDS = ("legal_number", "title", "amounts", "source", "note", "valid_until")


def view(row: FeeSchedule) -> dict[str, Any]:
    """One entry as the workspace shows it."""
    return {
        "id": row.id,
        "legal_number": row.legal_number,
        "title": row.title,
        "amounts": row.amounts,
        "source": row.source,
        "note": row.note,
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "from_seed": row.created_by == SEED_ACTOR,
        "updated_by": row.updated_by,
        "updated_at": iso(row.updated_at),
    }


def list_fees(session: Session) -> list[dict[str, Any]]:
    """Every entry, by legal number."""
    return [view(row) for row in session.scalars(select(FeeSchedule).order_by(FeeSchedule.legal_number))]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    number = clean_text(str(data.get("legal_number") or "")).replace(" ", "")
    if not LEGAL_NUMBER.fullmatch(number):
        raise StaffError(
            "Số hiệu văn bản chưa đúng dạng (ví dụ: 244/2016/TT-BTC, 99/2022/NĐ-CP).", field="legal_number"
        )
    amounts = "\n".join(
        line for line in (clean_text(x) for x in str(data.get("amounts") or "").splitlines()) if line
    )
    if not amounts:
        raise StaffError("Cần ghi ít nhất một mức phí, lệ phí.", field="amounts")
    if len(amounts) > MAX_AMOUNTS_CHARS:
        raise StaffError(f"Các mức phí dài quá {MAX_AMOUNTS_CHARS} ký tự.", field="amounts")
    source = clean_text(str(data.get("source") or ""))
    if not source:
        raise StaffError("Cần ghi nguồn (điều, phụ lục của văn bản) để người dân đối chiếu.", field="source")
    valid_until = data.get("valid_until") or None
    if isinstance(valid_until, str):
        try:
            valid_until = dt.date.fromisoformat(valid_until)
        except ValueError as error:
            raise StaffError("Ngày hết hiệu lực chưa đúng (dd/mm/yyyy).", field="valid_until") from error
    return {
        "legal_number": number,
        "title": clean_text(str(data.get("title") or ""))[:MAX_TEXT_CHARS],
        "amounts": amounts,
        "source": source[:MAX_TEXT_CHARS],
        "note": clean_text(str(data.get("note") or ""))[:MAX_TEXT_CHARS],
        "valid_until": valid_until,
    }


def _state(row: FeeSchedule) -> dict[str, Any]:
    state = {key: getattr(row, key) for key in FIELDS}
    state["valid_until"] = row.valid_until.isoformat() if row.valid_until else None
    return state


def save_fee(
    session: Session, principal: Principal, data: dict[str, Any], fee_id: int | None = None
) -> dict[str, Any]:
    """Create (`fee_id` None) or update an entry; audited. Returns its view."""
    clean = _clean(data)
    clash = session.scalar(select(FeeSchedule).where(FeeSchedule.legal_number == clean["legal_number"]))
    if clash is not None and clash.id != fee_id:
        raise StaffError(
            f"Văn bản {clean['legal_number']} đã có trong bảng phí.", status=409, field="legal_number"
        )
    if fee_id is None:
        row = FeeSchedule(created_by=principal.username, **clean)
        session.add(row)
        before = None
        action = "fee_create"
    else:
        found = session.get(FeeSchedule, fee_id)
        if found is None:
            raise StaffError("Không tìm thấy mục phí này.", status=404)
        row = found
        before = _state(row)
        for key, value in clean.items():
            setattr(row, key, value)
        action = "fee_update"
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action=action,
        entity="fee_schedule",
        entity_id=row.legal_number,
        before=before,
        after=_state(row),
    )
    return view(row)
