"""One-stop desks (văn phòng một cửa) that procedures inherit: address, opening hours, phone.

An officer types a desk once and assigns it to every procedure it receives, in bulk by implementing
agency ("Ủy ban nhân dân cấp xã") or one procedure at a time on the procedure's page. A procedure's
own address and hours (its local override) still win over its office's. The assignment lives in
`local_override.office_id`, which a national re-import never touches; the answers read it with every
question, so a change shows in the next answer. Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.models import LocalOverride, Office, Procedure
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import OfficeOut, OverrideOut, ProcedureOut
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, clean_text, iso, now
from knowledge_base.staff.labels import LEVEL_LABELS, levels_label
from vntext import fold
from vntext.abbreviations import expand

# field -> (label, max characters, multi-line)
FIELDS: dict[str, tuple[str, int, bool]] = {
    "name": ("Tên văn phòng", 255, False),
    "address": ("Địa chỉ", 500, False),
    "opening_hours": ("Giờ làm việc", 500, True),
    "phone": ("Số điện thoại", 64, False),
    "note": ("Ghi chú nội bộ", 1000, True),
}
# Digits with the separators people write: "0203 3822 111", "(0203) 3.822.111", "+84 203 …", "1022".
_PHONE = re.compile(r"^\+?[0-9 .()\-]{3,40}(?:\s*(?:,|;|/|hoặc)\s*\+?[0-9 .()\-]{3,40})*$")
# Shortest agency text a bulk assignment accepts: "xã" alone would catch "Bảo hiểm xã hội".
MIN_AGENCY_CHARS = 4
MAX_AGENCY_CHARS = 200
# How many matching procedures a preview of a bulk assignment lists (the count covers them all).
SAMPLE_SIZE = 20


def _state(row: Office) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def _counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(LocalOverride.office_id, func.count())
        .where(LocalOverride.office_id.is_not(None))
        .group_by(LocalOverride.office_id)
    )
    return {int(office_id): int(count) for office_id, count in rows}


def view(row: Office, procedure_count: int = 0) -> dict[str, Any]:
    """One office as the workspace shows it."""
    return {
        "id": row.id,
        **_state(row),
        "procedure_count": procedure_count,
        "updated_by": row.updated_by,
        "updated_at": iso(row.updated_at),
    }


def list_offices(session: Session) -> list[dict[str, Any]]:
    """Every office, by name, with how many procedures inherit it."""
    counts = _counts(session)
    return [view(row, counts.get(row.id, 0)) for row in session.scalars(select(Office).order_by(Office.name))]


def office_choices(session: Session) -> list[dict[str, Any]]:
    """Id and name of every office, for a procedure's choice of office."""
    return [
        {"id": i, "name": n} for i, n in session.execute(select(Office.id, Office.name).order_by(Office.name))
    ]


def _row(session: Session, office_id: int) -> Office:
    row = session.get(Office, office_id)
    if row is None:
        raise StaffError("Không tìm thấy văn phòng này (có thể đã bị xóa).", status=404)
    return row


def get_office(session: Session, office_id: int) -> dict[str, Any]:
    """One office with the procedures that inherit it."""
    row = _row(session, office_id)
    procedures = [
        {
            "code": code,
            "name": name,
            "levels_label": levels_label(levels),
            "own_address": bool(address),
            "own_hours": bool(hours),
        }
        for code, name, levels, address, hours in session.execute(
            select(
                Procedure.code,
                Procedure.name,
                Procedure.levels,
                LocalOverride.agency_address,
                LocalOverride.opening_hours,
            )
            .join(LocalOverride, LocalOverride.procedure_id == Procedure.id)
            .where(LocalOverride.office_id == office_id)
            .order_by(Procedure.name)
        )
    ]
    return {**view(row, len(procedures)), "procedures": procedures}


def _clean(data: dict[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, (label, limit, multiline) in FIELDS.items():
        text = clean_text(str(data.get(name) or ""), multiline=multiline)
        if len(text) > limit:
            raise StaffError(f"{label} tối đa {limit} ký tự.", field=name)
        cleaned[name] = text
    if not cleaned["name"]:
        raise StaffError("Cần ghi tên văn phòng (ví dụ: Bộ phận Một cửa UBND xã Tân Lập).", field="name")
    if not (cleaned["address"] or cleaned["opening_hours"] or cleaned["phone"]):
        raise StaffError(
            "Cần ghi ít nhất địa chỉ, giờ làm việc hoặc số điện thoại: đó là điều người dân được trả lời.",
            field="address",
        )
    if cleaned["phone"] and not _PHONE.fullmatch(cleaned["phone"]):
        raise StaffError(
            "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, gạch nối), ví dụ: 0203 3822 111.",
            field="phone",
        )
    return cleaned


def save_office(
    session: Session, principal: Principal, data: dict[str, Any], office_id: int | None = None
) -> dict[str, Any]:
    """Create (`office_id` None) or update an office; audited. Returns its view."""
    clean = _clean(data)
    # Names differing only in case or diacritics are the same office to the officer reading the list.
    key = fold(clean["name"])
    for other_id, other_name in session.execute(select(Office.id, Office.name)):
        if other_id != office_id and fold(other_name) == key:
            raise StaffError(f"Đã có văn phòng tên “{other_name}”.", status=409, field="name")
    if office_id is None:
        row = Office(**clean)
        session.add(row)
        before = None
        action = "office_create"
    else:
        row = _row(session, office_id)
        before = _state(row)
        for name, value in clean.items():
            setattr(row, name, value)
        action = "office_update"
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action=action,
        entity="office",
        entity_id=row.id,
        before=before,
        after=_state(row),
    )
    return view(row, _counts(session).get(row.id, 0))


def delete_office(session: Session, principal: Principal, office_id: int) -> None:
    """Delete an office; its procedures keep their own address and hours (audited)."""
    row = _row(session, office_id)
    codes = list(
        session.scalars(
            select(Procedure.code)
            .join(LocalOverride, LocalOverride.procedure_id == Procedure.id)
            .where(LocalOverride.office_id == office_id)
        )
    )
    before = {**_state(row), "procedures": codes}
    # Not left to ON DELETE SET NULL: SQLite enforces foreign keys only when asked to.
    for override in session.scalars(select(LocalOverride).where(LocalOverride.office_id == office_id)):
        override.office_id = None
        override.updated_by = principal.username
        override.updated_at = now()
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="office_delete",
        entity="office",
        entity_id=office_id,
        before=before,
        after=None,
    )


# --------------------------------------------------------------------------------------------- #
# Bulk assignment by implementing agency


def _folded(text: str) -> str:
    """Case, diacritics, tone-mark placement ("Uỷ"/"Ủy") and "UBND" do not matter when matching."""
    return " ".join(expand(" ".join(re.findall(r"\w+", fold(text)))).split())


@dataclass(frozen=True)
class Selection:
    """The procedures a bulk assignment would give an office."""

    agency: str
    level: str
    procedures: list[tuple[int, str, str, str]]  # id, code, name, levels


def _select(session: Session, agency: str, level: str) -> Selection:
    agency = clean_text(agency)
    if len(agency) < MIN_AGENCY_CHARS:
        raise StaffError(
            f"Cần ghi tên cơ quan thực hiện (ít nhất {MIN_AGENCY_CHARS} ký tự), "
            "ví dụ: Ủy ban nhân dân cấp xã.",
            field="agency",
        )
    if len(agency) > MAX_AGENCY_CHARS:
        raise StaffError(f"Tên cơ quan thực hiện tối đa {MAX_AGENCY_CHARS} ký tự.", field="agency")
    if level and level not in LEVEL_LABELS:
        raise StaffError("Cấp thực hiện không hợp lệ (chọn cấp xã, cấp tỉnh hoặc cấp bộ).", field="level")
    wanted = _folded(agency)
    rows = session.execute(
        select(Procedure.id, Procedure.code, Procedure.name, Procedure.levels, Procedure.implementing_agency)
    )
    found = [
        (pid, code, name, levels)
        for pid, code, name, levels, implementing in rows
        if f" {wanted} " in f" {_folded(implementing)} " and (not level or level in levels.split(","))
    ]
    found.sort(key=lambda item: fold(item[2]))
    return Selection(agency=agency, level=level, procedures=found)


def preview_assignment(session: Session, office_id: int, *, agency: str, level: str = "") -> dict[str, Any]:
    """How many procedures a bulk assignment would give the office, before the officer confirms."""
    office = _row(session, office_id)
    selection = _select(session, agency, level)
    current = _current_offices(session, [pid for pid, *_ in selection.procedures])
    moving = sum(1 for pid, *_ in selection.procedures if current.get(pid) not in (None, office.id))
    already = sum(1 for pid, *_ in selection.procedures if current.get(pid) == office.id)
    return {
        "office": office.name,
        "agency": selection.agency,
        "level": selection.level,
        "level_label": LEVEL_LABELS.get(selection.level, ""),
        "count": len(selection.procedures),
        "already": already,
        "moving": moving,
        "sample": [
            {"code": code, "name": name, "levels_label": levels_label(levels)}
            for _, code, name, levels in selection.procedures[:SAMPLE_SIZE]
        ],
    }


def _current_offices(session: Session, procedure_ids: list[int]) -> dict[int, int | None]:
    if not procedure_ids:
        return {}
    rows = session.execute(
        select(LocalOverride.procedure_id, LocalOverride.office_id).where(
            LocalOverride.procedure_id.in_(procedure_ids)
        )
    )
    return {int(pid): office for pid, office in rows}


def assign_by_agency(
    session: Session,
    principal: Principal,
    office_id: int,
    *,
    agency: str,
    level: str = "",
    expected: int | None = None,
) -> dict[str, Any]:
    """Give the office to every procedure the agency (and level) selects; audited as one change.

    Args:
        session: the request's session (committed by the caller).
        principal: the officer.
        office_id: the office to assign.
        agency: words of the implementing agency ("Ủy ban nhân dân cấp xã"), matched without regard
            to case, diacritics or "UBND".
        level: "xa", "tinh" or "bo" to keep only procedures of that level; "" for every level.
        expected: the count the officer confirmed; when the selection changed meanwhile (a re-import),
            nothing is assigned and the officer is asked to look again.
    """
    office = _row(session, office_id)
    selection = _select(session, agency, level)
    if not selection.procedures:
        raise StaffError("Không có thủ tục nào có cơ quan thực hiện như vậy.", field="agency")
    if expected is not None and expected != len(selection.procedures):
        raise StaffError(
            f"Số thủ tục đã thay đổi ({len(selection.procedures)} thay vì {expected}); "
            "vui lòng xem lại trước khi gán.",
            status=409,
        )
    ids = [pid for pid, *_ in selection.procedures]
    overrides = {
        row.procedure_id: row
        for row in session.scalars(select(LocalOverride).where(LocalOverride.procedure_id.in_(ids)))
    }
    names = dict(session.execute(select(Office.id, Office.name)).tuples().all())
    previous: dict[str, str] = {}
    changed: list[str] = []
    for pid, code, _name, _levels in selection.procedures:
        row = overrides.get(pid)
        if row is None:
            row = LocalOverride(procedure_id=pid)
            session.add(row)
        elif row.office_id == office.id:
            continue
        elif row.office_id is not None:
            previous[code] = names.get(row.office_id, "")
        row.office_id = office.id
        row.updated_by = principal.username
        row.updated_at = now()
        changed.append(code)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="office_assign",
        entity="office",
        entity_id=office.id,
        before={"offices": previous} if previous else None,
        after={
            "office": office.name,
            "agency": selection.agency,
            "level": selection.level,
            "count": len(changed),
            "procedures": changed,
        },
    )
    return {"office": office.name, "count": len(selection.procedures), "assigned": len(changed)}


def unassign(session: Session, principal: Principal, office_id: int, code: str) -> dict[str, Any]:
    """Take one procedure off the office (its own address and hours, if any, stay); audited."""
    office = _row(session, office_id)
    row = session.scalar(
        select(LocalOverride)
        .join(Procedure, LocalOverride.procedure_id == Procedure.id)
        .where(Procedure.code == code, LocalOverride.office_id == office.id)
    )
    if row is None:
        raise StaffError(f"Thủ tục mã {code[:40]} không thuộc văn phòng này.", status=404)
    row.office_id = None
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="office_unassign",
        entity="office",
        entity_id=office.id,
        before={"office": office.name, "procedures": [code]},
        after={"office": None, "procedures": [code]},
    )
    return {"code": code, "office": None}


def preview_record(session: Session, office_id: int, code: str) -> tuple[ProcedureOut, bool]:
    """The procedure's record as the answers would read it with this office assigned.

    Returns:
        The record (the procedure's own address and hours, if any, still win) and whether the
        office is already the procedure's.
    """
    office = _row(session, office_id)
    record = get_procedure(session, code=code)
    if record is None:
        raise StaffError(f"Không tìm thấy thủ tục mã {code[:40]}.", status=404, field="code")
    local = record.local or OverrideOut(
        agency_address="", opening_hours="", fee_note="", notes="", not_offered=False
    )
    assigned = local.office is not None and local.office.name == office.name
    local = local.model_copy(update={"office": OfficeOut.model_validate(office)})
    return record.model_copy(update={"local": local}), assigned
