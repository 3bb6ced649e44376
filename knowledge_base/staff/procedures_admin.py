"""Procedures as staff see them: the national text (read-only) and the province's local overrides.

Overrides (address, opening hours, local fee note, notes, "not offered here", the office whose desk
the procedure inherits) live in `local_override`, which a national re-import never touches; the
actions read them with every answer, so an edit shows in the next answer. The procedure's own address
and hours, when set, win over its office's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import LocalOverride, Office, Procedure
from knowledge_base.queries import get_procedure
from knowledge_base.search import search_procedures
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, clean_text, iso, now
from knowledge_base.staff.labels import levels_label
from knowledge_base.staff.offices_admin import office_choices

# field -> (label, max characters, multi-line)
OVERRIDE_FIELDS: dict[str, tuple[str, int, bool]] = {
    "agency_address": ("Địa chỉ nơi tiếp nhận", 500, False),
    "opening_hours": ("Giờ làm việc", 500, True),
    "fee_note": ("Ghi chú lệ phí tại địa phương", 1000, True),
    "notes": ("Ghi chú thêm", 2000, True),
}
_CODE_RE = re.compile(r"^\s*(\d\.\d{6}(?:\.\d{6})?)\s*$")


def search(session: Session, q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Procedures for an officer's query: an exact code first, else the assistant's own search."""
    q = clean_text(q)
    if not q:
        return []
    match = _CODE_RE.match(q)
    if match:
        rows = session.execute(
            select(Procedure.code, Procedure.name, Procedure.levels).where(Procedure.code == match.group(1))
        ).all()
        hits = [{"code": c, "name": n, "level": lv, "score": 1.0} for c, n, lv in rows]
    else:
        hits = [
            {"code": h.code, "name": h.name, "level": h.level, "score": h.score}
            for h in search_procedures(session, q, limit)
        ]
    codes = [h["code"] for h in hits]
    overrides = {
        code: not_offered
        for code, not_offered in session.execute(
            select(Procedure.code, LocalOverride.not_offered)
            .join(LocalOverride, LocalOverride.procedure_id == Procedure.id)
            .where(Procedure.code.in_(codes))
        )
    }
    for hit in hits:
        hit["level_label"] = levels_label(hit["level"])
        hit["has_override"] = hit["code"] in overrides
        hit["not_offered"] = bool(overrides.get(hit["code"], False))
    return hits


def _override_view(row: LocalOverride | None) -> dict[str, Any] | None:
    if row is None:
        return None
    office = row.office
    return {
        **{name: getattr(row, name) for name in OVERRIDE_FIELDS},
        "not_offered": row.not_offered,
        "office_id": row.office_id,
        "office": None
        if office is None
        else {
            "id": office.id,
            "name": office.name,
            "address": office.address,
            "opening_hours": office.opening_hours,
            "phone": office.phone,
        },
        "updated_by": row.updated_by,
        "updated_at": iso(row.updated_at),
    }


def _row(session: Session, code: str) -> Procedure:
    procedure = session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise StaffError(f"Không tìm thấy thủ tục mã {code[:40]}.", status=404)
    return procedure


def detail(session: Session, code: str) -> dict[str, Any]:
    """The national record and the local override of one procedure."""
    record = get_procedure(session, code=code)
    if record is None:
        raise StaffError(f"Không tìm thấy thủ tục mã {code[:40]}.", status=404)
    procedure = _row(session, code)
    national = record.model_dump(mode="json", exclude={"local"})
    national["levels_label"] = levels_label(record.levels)
    return {
        "national": national,
        "override": _override_view(procedure.override),
        "offices": office_choices(session),
    }


def update_override(
    session: Session, principal: Principal, code: str, *, values: dict[str, str], not_offered: bool
) -> dict[str, Any]:
    """Set a procedure's local override (audited with before and after); its office stays.

    Empty address and hours fall back to the office's (`set_office`).
    """
    procedure = _row(session, code)
    cleaned: dict[str, str] = {}
    for name, (label, limit, multiline) in OVERRIDE_FIELDS.items():
        text = clean_text(values.get(name) or "", multiline=multiline)
        if len(text) > limit:
            raise StaffError(f"{label} tối đa {limit} ký tự.", field=name)
        cleaned[name] = text

    def change(row: LocalOverride) -> None:
        for name, text in cleaned.items():
            setattr(row, name, text)
        row.not_offered = not_offered

    return _edit_override(session, principal, procedure, change)


def set_office(session: Session, principal: Principal, code: str, office_id: int | None) -> dict[str, Any]:
    """Choose the office whose address, hours and phone a procedure inherits (None: no office).

    Audited like every edit of the local override, with before and after.
    """
    procedure = _row(session, code)
    if office_id is not None and session.get(Office, office_id) is None:
        raise StaffError(
            "Không tìm thấy văn phòng đã chọn (có thể vừa bị xóa).", status=404, field="office_id"
        )

    def change(row: LocalOverride) -> None:
        row.office_id = office_id

    return _edit_override(session, principal, procedure, change)


def _edit_override(
    session: Session, principal: Principal, procedure: Procedure, change: Callable[[LocalOverride], None]
) -> dict[str, Any]:
    """Apply `change` to the procedure's local override (made if missing), stamped and audited."""
    row = procedure.override
    before = _override_view(row)
    if row is None:
        row = LocalOverride(procedure_id=procedure.id)
        session.add(row)
        procedure.override = row
    change(row)
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    session.refresh(row, ["office"])
    after = _override_view(row)
    audit.record(
        session,
        actor=principal.username,
        action="override_update",
        entity="procedure",
        entity_id=procedure.code,
        before=before,
        after=after,
    )
    return {"code": procedure.code, "override": after}
