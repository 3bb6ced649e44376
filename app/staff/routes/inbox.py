"""The inbox: unanswered questions and handoff tickets; replies go to the citizen through Rasa."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from app.rasa_client import get_rasa_client
from app.staff import inbox
from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import ReplyIn, RowId
from knowledge_base.staff.inbox import list_inbox

router = APIRouter(prefix="/inbox", tags=["staff: hộp thư"])


@router.get("")
def list_items(
    principal: EditorDep,
    session: SessionDep,
    kind: Literal["all", "question", "ticket"] = "all",
    status: Literal["open", "done", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Questions and tickets, waiting tickets first."""
    return list_inbox(session, kind=kind, status=status, limit=limit, offset=offset)


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
