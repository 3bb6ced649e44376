"""Imports, the audit log and the calendar settings (admins only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from app.staff.deps import AdminDep, SessionDep
from app.staff.schemas import ApplyImportIn, DayOffIn, RowId
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit, calendar_admin, imports
from knowledge_base.staff.common import StaffError

router = APIRouter(tags=["staff: quản trị"])
_CHUNK = 1 << 20


@router.get("/imports")
def list_imports(principal: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    """The latest import batches."""
    return imports.list_batches(session)


@router.post("/imports", status_code=201)
async def upload_import(
    principal: AdminDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="Tệp dữ liệu quốc gia (.jsonl hoặc .jsonl.gz)")],
    source_date: Annotated[dt.date, Form(description="Ngày lấy dữ liệu")],
) -> dict[str, Any]:
    """Upload a national file: parsed and compared with the database, nothing applied yet (dry run)."""
    limit = int(get_settings().staff_import_max_mb * (1 << 20))
    parts: list[bytes] = []
    size = 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise StaffError(f"Tệp quá lớn (tối đa {get_settings().staff_import_max_mb:g} MB).", status=413)
        parts.append(chunk)
    data = b"".join(parts)
    filename = file.filename or ""

    def stage() -> dict[str, Any]:
        view = imports.stage_upload(session, principal, filename=filename, data=data, source_date=source_date)
        session.commit()
        return view

    # Parsing a full national file takes seconds: keep it off the event loop.
    return await run_in_threadpool(stage)


@router.get("/imports/{batch_id}")
def get_import(batch_id: RowId, principal: AdminDep, session: SessionDep) -> dict[str, Any]:
    """A batch with its dry-run summary."""
    return imports.get_batch(session, batch_id)


@router.post("/imports/{batch_id}/apply")
def apply_import(
    batch_id: RowId, body: ApplyImportIn, principal: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """Apply a staged batch (local overrides survive)."""
    view = imports.apply_batch(session, principal, batch_id, remove_missing=body.remove_missing)
    session.commit()
    return view


@router.post("/imports/{batch_id}/discard")
def discard_import(batch_id: RowId, principal: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Drop a staged batch."""
    view = imports.discard_batch(session, principal, batch_id)
    session.commit()
    return view


@router.get("/audit")
def audit_log(
    principal: AdminDep,
    session: SessionDep,
    actor: Annotated[str, Query(max_length=128)] = "",
    entity: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Who changed what and when, newest first."""
    page = audit.list_audit(session, actor=actor, entity=entity, action=action, limit=limit, offset=offset)
    return {"total": page.total, "rows": page.rows, "action_labels": audit.ACTION_LABELS}


@router.get("/settings/days-off")
def days_off(principal: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    """Calendar exceptions (extra days off, make-up working days)."""
    return calendar_admin.list_days(session)


@router.post("/settings/days-off", status_code=201)
def add_day_off(body: DayOffIn, principal: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Add a calendar exception."""
    view = calendar_admin.add_day(session, principal, day=body.day, kind=body.kind, note=body.note)
    session.commit()
    return view


@router.delete("/settings/days-off/{day_id}")
def delete_day_off(day_id: RowId, principal: AdminDep, session: SessionDep) -> dict[str, bool]:
    """Remove a calendar exception."""
    calendar_admin.delete_day(session, principal, day_id)
    session.commit()
    return {"ok": True}
