"""FAQ entries (with their history and the "thử câu hỏi" box) and procedures' local overrides."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from answers.try_question import (
    Understanding,
    Verdict,
    approximate_verdict,
    assistant_verdict,
    understood_label,
)
from app.rasa_client import RasaClientError, get_rasa_client
from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import MAX_ROW_ID, FaqIn, FaqUpdateIn, OverrideIn, RowId
from knowledge_base.settings import get_settings
from knowledge_base.staff import faq_admin, procedures_admin
from knowledge_base.staff.common import StaffError, clean_text

logger = logging.getLogger(__name__)
router = APIRouter(tags=["staff: nội dung"])
Code = Annotated[str, Path(max_length=32, pattern=r"^[0-9A-Za-z.\-_]{3,32}$")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
MIN_TRY_CHARS = 2
MAX_TRY_CHARS = 300


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FaqDraftIn(_In):
    """The form as it is, not saved: what the assistant would answer after the edit."""

    questions: list[str] = Field(default_factory=list, max_length=50)
    answer: str = Field(default="", max_length=5000)
    procedure_code: str | None = Field(default=None, max_length=32)


class FaqTryIn(_In):
    """A question to try, against the saved entries and (with `draft`) against the edit in the form."""

    question: str = Field(max_length=2000)
    # The entry being edited (None: a new one).
    faq_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    draft: FaqDraftIn | None = None


class FaqSimilarIn(_In):
    """The questions typed in the form, checked against the other entries."""

    questions: list[str] = Field(max_length=50)
    faq_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)


class FaqRestoreIn(_In):
    """The version the officer restores from (`updated_at`: the entry as the page last showed it)."""

    updated_at: dt.datetime | None = None


@router.get("/faq")
def list_faq(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Literal["all", "published", "draft"] = "all",
) -> list[dict[str, Any]]:
    """FAQ entries, newest edit first."""
    return faq_admin.list_entries(session, q=q, status=status)


@router.post("/faq/try")
def try_faq_question(body: FaqTryIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """What the assistant would answer to a question now, and after the unsaved edit (never published).

    The intent and entities come from the Rasa server's NLU (``/model/parse``), the answer from the
    same answer-layer functions the actions call. Without the Rasa server, the FAQ and the procedure
    search alone decide (``approximate``). The draft is written in a separate transaction that is
    always rolled back.
    """
    text = clean_text(body.question).lstrip("/").strip()
    if len(text) < MIN_TRY_CHARS:
        raise StaffError("Hãy gõ một câu hỏi để thử.", field="question")
    if len(text) > MAX_TRY_CHARS:
        raise StaffError(f"Câu hỏi thử tối đa {MAX_TRY_CHARS} ký tự.", field="question")
    understanding: Understanding | None
    try:
        understanding = Understanding.from_parse(get_rasa_client().parse(text))
    except RasaClientError as error:
        logger.warning("try box without the NLU: %s", error)
        understanding = None
    settings = get_settings()

    def verdict(target: Session) -> Verdict:
        if understanding is None:
            return approximate_verdict(
                target, text, source_name=settings.source_name, hotline=settings.desk_hotline
            )
        return assistant_verdict(
            target, text, understanding, source_name=settings.source_name, hotline=settings.desk_hotline
        )

    before = verdict(session).as_dict()
    before["this_entry"] = body.faq_id is not None and before["faq_id"] == body.faq_id
    after = None
    if body.draft is not None:
        # Its own session on the same database, rolled back whatever happens: nothing is saved, and the
        # request's session (and what it read) stays as it was.
        with Session(bind=session.get_bind()) as scratch:
            try:
                draft_id = faq_admin.apply_draft(
                    scratch,
                    faq_id=body.faq_id,
                    questions=body.draft.questions,
                    answer=body.draft.answer,
                    procedure_code=body.draft.procedure_code,
                )
                after = verdict(scratch).as_dict()
            finally:
                scratch.rollback()
        after["this_entry"] = after["faq_id"] == draft_id
        if after["this_entry"] and body.faq_id is None:
            after["faq_id"] = None  # the entry does not exist yet
    return {
        "question": text,
        "approximate": understanding is None,
        "understood": understood_label(understanding) if understanding else "",
        "before": before,
        "after": after,
    }


@router.post("/faq/similar")
def similar_faq(body: FaqSimilarIn, principal: EditorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Other entries whose questions are close to these (near-duplicates), closest first."""
    return faq_admin.similar_entries(session, body.questions, exclude_id=body.faq_id)


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


@router.get("/faq/{faq_id}/versions")
def list_faq_versions(faq_id: RowId, principal: EditorDep, session: SessionDep) -> list[dict[str, Any]]:
    """An entry's saved versions, newest first."""
    return faq_admin.list_versions(session, faq_id)


@router.get("/faq/{faq_id}/versions/{version}")
def get_faq_version(
    faq_id: RowId, version: VersionNumber, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """One saved version with its questions, answer and procedure."""
    return faq_admin.get_version(session, faq_id, version)


@router.post("/faq/{faq_id}/versions/{version}/restore")
def restore_faq_version(
    faq_id: RowId,
    version: VersionNumber,
    body: FaqRestoreIn,
    principal: EditorDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Put a version's questions, answer and procedure back (a new version; published or not as now)."""
    view = faq_admin.restore_version(session, principal, faq_id, version, expected_updated_at=body.updated_at)
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
