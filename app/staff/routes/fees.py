"""The fee table keyed by legal document (editors and admins; every change in the audit log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import FeeIn, RowId
from knowledge_base.staff import fees_admin

router = APIRouter(tags=["staff: phí, lệ phí"])


@router.get("/fees")
def list_fees(principal: EditorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every entry of the fee table."""
    return fees_admin.list_fees(session)


@router.post("/fees", status_code=201)
def create_fee(body: FeeIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Add the fees of a legal document."""
    view = fees_admin.save_fee(session, principal, body.model_dump())
    session.commit()
    return view


@router.put("/fees/{fee_id}")
def update_fee(fee_id: RowId, body: FeeIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Change an entry; the next answer of every procedure citing the document shows it."""
    view = fees_admin.save_fee(session, principal, body.model_dump(), fee_id)
    session.commit()
    return view
