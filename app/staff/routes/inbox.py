"""The inbox: unanswered questions and handoff tickets; replies go to the citizen through Rasa.

``GET /inbox/counts`` is the page's live refresh (one query, polled every few seconds);
``GET /inbox/question-groups`` lists open questions grouped by what they ask (or the noise set aside);
``POST /inbox/questions/dismiss`` closes many questions at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.rasa_client import get_rasa_client
from app.staff import inbox
from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import MAX_ROW_ID, ReplyIn, RowId
from knowledge_base.staff.inbox import (
    MAX_BULK,
    MAX_SEARCH_CHARS,
    dismiss_questions,
    inbox_counts,
    list_inbox,
    question_groups,
)

router = APIRouter(prefix="/inbox", tags=["staff: hộp thư"])


@router.get("")
def list_items(
    principal: EditorDep,
    session: SessionDep,
    kind: Literal["all", "question", "ticket"] = "all",
    status: Literal["open", "callback", "done", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Questions and tickets, waiting tickets first ("callback": tickets that timed out unanswered)."""
    return list_inbox(session, kind=kind, status=status, limit=limit, offset=offset)


@router.get("/counts")
def counts(principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """How many tickets wait, are taken or must be called back, and how many questions are open."""
    return inbox_counts(session)


@router.get("/question-groups")
def groups(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=MAX_SEARCH_CHARS)] = "",
    status: Literal["open", "noise"] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Open questions grouped by what they ask, most asked first ("noise": the messages set aside)."""
    return question_groups(session, search=q, noise=status == "noise", limit=limit, offset=offset)


class DismissManyIn(BaseModel):
    """The questions to close at once."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int] = Field(default_factory=list, validate_default=True)

    # Checked here with the officer's words (the generic messages would name the field "ids").
    @field_validator("ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("Chọn ít nhất một câu hỏi để bỏ qua.")
        if len(value) > MAX_BULK:
            raise ValueError(f"Mỗi lần bỏ qua tối đa {MAX_BULK} câu hỏi.")
        if not all(type(item) is int and 1 <= item <= MAX_ROW_ID for item in value):
            raise ValueError("Danh sách câu hỏi chỉ gồm mã câu hỏi (số nguyên dương).")
        return value


@router.post("/questions/dismiss")
def dismiss_many(body: DismissManyIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Close many questions that need nothing (each audited); answer how many were still open."""
    dismissed = dismiss_questions(session, principal, body.ids)
    session.commit()
    return {"dismissed": dismissed, "counts": inbox_counts(session)}


@router.get("/questions/{question_id}")
def question(question_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """One question, its replies and its conversation."""
    return inbox.question_detail(session, question_id, get_rasa_client())


@router.post("/questions/{question_id}/reply")
def reply_question(
    question_id: RowId, body: ReplyIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """Answer the citizen who asked, on their channel."""
    view = inbox.reply_question(session, principal, question_id, body.message, get_rasa_client())
    session.commit()
    return view


@router.post("/questions/{question_id}/dismiss")
def dismiss_question(question_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Close a question that needs nothing."""
    view = inbox.dismiss_question(session, principal, question_id, get_rasa_client())
    session.commit()
    return view


@router.get("/tickets/{ticket_id}")
def ticket(ticket_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """One ticket, its summary, claim, replies and conversation."""
    return inbox.ticket_detail(session, ticket_id, get_rasa_client())


@router.post("/tickets/{ticket_id}/claim")
def claim(ticket_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Take a ticket."""
    view = inbox.claim_ticket(session, principal, ticket_id, get_rasa_client())
    session.commit()
    return view


@router.post("/tickets/{ticket_id}/reply")
def reply_ticket(
    ticket_id: RowId, body: ReplyIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """Answer the citizen on their channel."""
    view = inbox.reply_ticket(session, principal, ticket_id, body.message, get_rasa_client())
    session.commit()
    return view


@router.post("/tickets/{ticket_id}/release")
def release(ticket_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Give the conversation back to the bot."""
    view = inbox.release_ticket(session, principal, ticket_id, get_rasa_client())
    session.commit()
    return view
