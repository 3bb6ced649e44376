"""FAQ entries and procedures' local overrides (editors and admins)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import FaqIn, FaqUpdateIn, OverrideIn, RowId
from knowledge_base.staff import faq_admin, procedures_admin

router = APIRouter(tags=["staff: nội dung"])
Code = Annotated[str, Path(max_length=32, pattern=r"^[0-9A-Za-z.\-_]{3,32}$")]


@router.get("/faq")
def list_faq(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Literal["all", "published", "draft"] = "all",
) -> list[dict[str, Any]]:
    """FAQ entries, newest edit first."""
    return faq_admin.list_entries(session, q=q, status=status)


@router.get("/faq/{faq_id}")
def get_faq(faq_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """One FAQ entry."""
    return faq_admin.get_entry(session, faq_id)


@router.post("/faq", status_code=201)
def create_faq(body: FaqIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Create an entry (a draft unless `published`)."""
    view = faq_admin.create_entry(
        session,
        principal,
        questions=body.questions,
        answer=body.answer,
        procedure_code=body.procedure_code,
        published=body.published,
        source_question_id=body.source_question_id,
    )
    session.commit()
    return view


@router.put("/faq/{faq_id}")
def update_faq(faq_id: RowId, body: FaqUpdateIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Replace an entry's questions, answer and procedure."""
    view = faq_admin.update_entry(
        session,
        principal,
        faq_id,
        questions=body.questions,
        answer=body.answer,
        procedure_code=body.procedure_code,
        expected_updated_at=body.updated_at,
    )
    session.commit()
    return view


@router.post("/faq/{faq_id}/publish")
def publish_faq(faq_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Publish: the assistant uses the entry from the next message on."""
    view = faq_admin.set_published(session, principal, faq_id, True)
    session.commit()
    return view


@router.post("/faq/{faq_id}/unpublish")
def unpublish_faq(faq_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Unpublish: the assistant never uses the entry."""
    view = faq_admin.set_published(session, principal, faq_id, False)
    session.commit()
    return view


@router.get("/procedures")
def search_procedures(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[dict[str, Any]]:
    """Procedures by code or by a citizen's words."""
    return procedures_admin.search(session, q, limit=limit)


@router.get("/procedures/{code}")
def get_procedure(code: Code, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """The national text and the local override."""
    return procedures_admin.detail(session, code)


@router.put("/procedures/{code}/override")
def put_override(code: Code, body: OverrideIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Set the local override (address, hours, fee note, notes, not offered here)."""
    view = procedures_admin.update_override(
        session,
        principal,
        code,
        values={
            "agency_address": body.agency_address,
            "opening_hours": body.opening_hours,
            "fee_note": body.fee_note,
            "notes": body.notes,
        },
        not_offered=body.not_offered,
    )
    session.commit()
    return view
