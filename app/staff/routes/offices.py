"""One-stop desks that procedures inherit (editors and admins; every change in the audit log).

An office's address, opening hours and phone reach the next answer of every procedure assigned to
it, unless the procedure has its own address or hours.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from answers.formatting import format_answer
from answers.procedure import OVERVIEW, opening_hours_reply, procedure_reply
from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import MAX_ROW_ID, RowId
from knowledge_base.settings import get_settings
from knowledge_base.staff import offices_admin, procedures_admin

router = APIRouter(tags=["staff: văn phòng một cửa"])
Code = Annotated[str, Path(max_length=32, pattern=r"^[0-9A-Za-z.\-_]{3,32}$")]


class _In(BaseModel):
    # Unknown fields are refused: a typo in a field name must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class OfficeIn(_In):
    """An office as the form sends it (the rules and their messages: offices_admin)."""

    name: str = Field(default="", max_length=1000)
    address: str = Field(default="", max_length=2000)
    opening_hours: str = Field(default="", max_length=2000)
    phone: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=4000)


class AssignIn(_In):
    """A bulk assignment: every procedure whose implementing agency holds `agency` (at `level`)."""

    agency: str = Field(default="", max_length=1000)
    level: Literal["", "xa", "tinh", "bo"] = ""
    # The count the officer saw in the preview and confirmed.
    expected: int | None = Field(default=None, ge=0, le=MAX_ROW_ID)


class ProcedureOfficeIn(_In):
    """The office one procedure inherits (null: none)."""

    office_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)


@router.get("/offices")
def list_offices(principal: EditorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every office, with how many procedures inherit it."""
    return offices_admin.list_offices(session)


@router.post("/offices", status_code=201)
def create_office(body: OfficeIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Add an office."""
    view = offices_admin.save_office(session, principal, body.model_dump())
    session.commit()
    return view


@router.get("/offices/{office_id}")
def get_office(office_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """One office and the procedures that inherit it."""
    return offices_admin.get_office(session, office_id)


@router.put("/offices/{office_id}")
def update_office(
    office_id: RowId, body: OfficeIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """Change an office; the next answer of every procedure inheriting it shows the change."""
    view = offices_admin.save_office(session, principal, body.model_dump(), office_id)
    session.commit()
    return view


@router.delete("/offices/{office_id}")
def delete_office(office_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Delete an office; its procedures keep only their own address and hours."""
    offices_admin.delete_office(session, principal, office_id)
    session.commit()
    return {"deleted": office_id}


@router.post("/offices/{office_id}/assign/preview")
def preview_assignment(
    office_id: RowId, body: AssignIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """How many procedures a bulk assignment would reach (nothing is changed)."""
    return offices_admin.preview_assignment(session, office_id, agency=body.agency, level=body.level)


@router.post("/offices/{office_id}/assign")
def assign(office_id: RowId, body: AssignIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Assign the office to every procedure of the agency (the count confirmed in `expected`)."""
    result = offices_admin.assign_by_agency(
        session, principal, office_id, agency=body.agency, level=body.level, expected=body.expected
    )
    session.commit()
    return result


@router.delete("/offices/{office_id}/procedures/{code}")
def unassign(office_id: RowId, code: Code, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Take one procedure off the office."""
    result = offices_admin.unassign(session, principal, office_id, code)
    session.commit()
    return result


@router.get("/offices/{office_id}/preview")
def preview_answer(
    office_id: RowId,
    principal: EditorDep,
    session: SessionDep,
    code: Annotated[str, Query(min_length=3, max_length=32, pattern=r"^[0-9A-Za-z.\-_]{3,32}$")],
) -> dict[str, Any]:
    """The answers a citizen would get about one procedure with this office (nothing is changed)."""
    record, assigned = offices_admin.preview_record(session, office_id, code)
    source_name = get_settings().source_name
    overview = procedure_reply(record, list(OVERVIEW), source_name=source_name)
    hours = opening_hours_reply(record)
    local = record.local
    return {
        "code": record.code,
        "name": record.name,
        "assigned": assigned,
        "own_address": bool(local and local.agency_address),
        "own_hours": bool(local and local.opening_hours),
        "answers": [
            {"question": "Câu trả lời đầu tiên về thủ tục", "text": overview.text},
            {
                "question": "Khi hỏi nộp hồ sơ ở đâu",
                "text": format_answer(record, ["submission"], source_name=source_name),
            },
            {
                "question": "Khi hỏi “mấy giờ làm việc” ngay sau đó",
                "text": hours.text
                if hours
                else "Văn phòng chưa có giờ làm việc: trợ lý trả lời giờ làm việc chung.",
            },
        ],
        "card": overview.custom.get("card"),
    }


@router.put("/procedures/{code}/office")
def set_procedure_office(
    code: Code, body: ProcedureOfficeIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """Choose the office one procedure inherits (its own address and hours still win)."""
    view = procedures_admin.set_office(session, principal, code, body.office_id)
    session.commit()
    return view
