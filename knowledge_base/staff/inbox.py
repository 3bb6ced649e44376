"""The staff inbox's data: questions the assistant could not answer well, and handoff tickets.

From one item an officer can answer the citizen, give a handed-over conversation back to the bot,
dismiss a question, or turn it into an FAQ entry (`faq_admin.create_entry(source_question_id=...)`).
A ticket is taken by the officer who claims or first answers it; other editors may then not answer
or release it (admins may). Until a ticket is taken the assistant keeps answering the citizen; once it
is taken the bot pauses until it is released or times out (`pause_until`: the app sets the pause in
the Rasa tracker).

Only the database side lives here: the app (`app.staff.inbox`) sends a reply through the Rasa server
first and records it with `record_ticket_reply` / `record_question_reply` once it is delivered, and
adds the conversation it reads from the Rasa server to the views built here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.conversations import release_handoff
from knowledge_base.models import AuditLog, HandoffTicket, StaffUser, TicketClaim, UnansweredQuestion
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, aware, clean_text, iso, now

MAX_REPLY_CHARS = 2000
QUESTION_REASONS = {
    "fallback": "Trợ lý không hiểu",
    "no_answer": "Chưa có câu trả lời",
    "low_confidence": "Trả lời với độ tin cậy thấp",
    "out_of_scope": "Ngoài phạm vi",
    "legal_advice": "Hỏi giải thích pháp luật",
    "complaint": "Khiếu nại, tố cáo",
    "feedback": "Góp ý",
    "no_procedure": "Không tìm thấy thủ tục",
}
QUESTION_STATUS = {
    "open": "Chờ xử lý",
    "answered": "Đã trả lời",
    "dismissed": "Đã bỏ qua",
    "faq": "Đã thành câu hỏi thường gặp",
}
TICKET_REASONS = {
    "asked": "Người dân yêu cầu gặp cán bộ",
    "fallback": "Trợ lý không hiểu hai lần liên tiếp",
    "dossier": "Tra cứu hồ sơ không thành",
}


def _ticket_status(ticket: HandoffTicket, at: dt.datetime, claimed: bool = False) -> tuple[str, str]:
    if ticket.status == "open":
        if aware(ticket.expires_at) > at:
            if claimed:
                return "open", "Cán bộ đang hỗ trợ (trợ lý tạm dừng)"
            return "open", "Đang chờ cán bộ nhận (trợ lý vẫn trả lời người dân)"
        return "expired", "Hết thời gian chờ (trợ lý đã trả lời lại)"
    if ticket.status == "released":
        return "released", "Đã trả lại cho trợ lý"
    return ticket.status, "Đã đóng"


def _claims(session: Session, ticket_ids: list[int]) -> dict[int, tuple[int, str]]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketClaim.ticket_id, StaffUser.id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == TicketClaim.user_id)
        .where(TicketClaim.ticket_id.in_(ticket_ids))
    )
    return {ticket_id: (user_id, name) for ticket_id, user_id, name in rows}


def _question_item(row: UnansweredQuestion) -> dict[str, Any]:
    return {
        "kind": "question",
        "id": row.id,
        "created_at": iso(row.created_at),
        "channel": row.channel,
        "text": row.text,
        "intent": row.intent,
        "confidence": round(float(row.confidence), 3),
        "reason": row.reason,
        "reason_label": QUESTION_REASONS.get(row.reason, row.reason),
        "status": row.status,
        "status_label": QUESTION_STATUS.get(row.status, row.status),
        "open": row.status == "open",
    }


def _ticket_item(row: HandoffTicket, claim: tuple[int, str] | None, at: dt.datetime) -> dict[str, Any]:
    status, label = _ticket_status(row, at, claimed=claim is not None)
    return {
        "kind": "ticket",
        "id": row.id,
        "created_at": iso(row.created_at),
        "channel": row.channel,
        "text": row.summary,
        "reason": row.reason,
        "reason_label": TICKET_REASONS.get(row.reason, row.reason),
        "status": status,
        "status_label": label,
        "open": row.status == "open",
        "expires_at": iso(row.expires_at),
        "released_by": row.released_by,
        "claimed_by_id": claim[0] if claim else None,
        "claimed_by": claim[1] if claim else "",
    }


def list_inbox(
    session: Session, *, kind: str = "all", status: str = "open", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """Inbox items (questions and tickets), newest first, with the open counts."""
    at = now()
    items: list[dict[str, Any]] = []
    fetch = limit + offset
    if kind in ("all", "question"):
        statement = select(UnansweredQuestion)
        if status == "open":
            statement = statement.where(UnansweredQuestion.status == "open")
        elif status == "done":
            statement = statement.where(UnansweredQuestion.status != "open")
        rows = session.scalars(statement.order_by(UnansweredQuestion.created_at.desc()).limit(fetch))
        items += [_question_item(r) for r in rows]
    if kind in ("all", "ticket"):
        statement = select(HandoffTicket)
        if status == "open":
            statement = statement.where(HandoffTicket.status == "open")
        elif status == "done":
            statement = statement.where(HandoffTicket.status != "open")
        tickets = list(session.scalars(statement.order_by(HandoffTicket.created_at.desc()).limit(fetch)))
        claims = _claims(session, [t.id for t in tickets])
        items += [_ticket_item(t, claims.get(t.id), at) for t in tickets]
    # Waiting tickets first (a citizen is waiting for a person), then newest first.
    items.sort(key=lambda item: item["created_at"] or "", reverse=True)
    items.sort(key=lambda item: item["kind"] != "ticket" or item["status"] != "open")
    counts = {
        "questions_open": int(
            session.scalar(
                select(func.count(UnansweredQuestion.id)).where(UnansweredQuestion.status == "open")
            )
            or 0
        ),
        "tickets_open": int(
            session.scalar(
                select(func.count(HandoffTicket.id)).where(
                    HandoffTicket.status == "open", HandoffTicket.expires_at > at
                )
            )
            or 0
        ),
    }
    return {"items": items[offset : offset + limit], "counts": counts}


def get_question(session: Session, question_id: int) -> UnansweredQuestion:
    """The inbox question `question_id`.

    Raises:
        StaffError: 404 when there is none.
    """
    row = session.get(UnansweredQuestion, question_id)
    if row is None:
        raise StaffError("Không tìm thấy câu hỏi này trong hộp thư.", status=404)
    return row


def get_ticket(session: Session, ticket_id: int) -> HandoffTicket:
    """The handoff ticket `ticket_id`.

    Raises:
        StaffError: 404 when there is none.
    """
    row = session.get(HandoffTicket, ticket_id)
    if row is None:
        raise StaffError("Không tìm thấy yêu cầu gặp cán bộ này.", status=404)
    return row


def _replies(session: Session, entity: str, entity_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.entity == entity, AuditLog.entity_id == str(entity_id), AuditLog.action == "staff_reply"
        )
        .order_by(AuditLog.at)
    )
    return [{"at": iso(r.at), "by": r.actor, "message": (r.after or {}).get("message", "")} for r in rows]


def question_detail(session: Session, question_id: int) -> dict[str, Any]:
    """One question and the replies sent from it (the app adds the conversation it came from)."""
    row = get_question(session, question_id)
    return {**_question_item(row), "replies": _replies(session, "unanswered_question", row.id)}


def ticket_detail(session: Session, ticket_id: int) -> dict[str, Any]:
    """One ticket with its summary, claim and replies (the app adds the conversation)."""
    row = get_ticket(session, ticket_id)
    claim = _claims(session, [row.id]).get(row.id)
    return {**_ticket_item(row, claim, now()), "replies": _replies(session, "handoff_ticket", row.id)}


def _check_claim(session: Session, principal: Principal, ticket: HandoffTicket) -> TicketClaim | None:
    claim = session.scalar(select(TicketClaim).where(TicketClaim.ticket_id == ticket.id))
    if claim is not None and claim.user_id != principal.user_id and not principal.is_admin:
        owner = session.get(StaffUser, claim.user_id)
        name = owner.display_name if owner else "cán bộ khác"
        raise StaffError(
            f"Yêu cầu này đang do {name} xử lý; chỉ người đó hoặc quản trị viên được thao tác.", 403
        )
    return claim


def _extend(ticket: HandoffTicket) -> None:
    # Taking or answering an open ticket gives the officer another HANDOFF_TIMEOUT_MINUTES.
    if ticket.status == "open":
        extended = now() + dt.timedelta(minutes=get_settings().handoff_timeout_minutes)
        if aware(ticket.expires_at) < extended:
            ticket.expires_at = extended


def is_taken(session: Session, ticket_id: int) -> bool:
    """Whether an officer has claimed (or answered) the ticket."""
    return ticket_id in _claims(session, [ticket_id])


def pause_until(ticket: HandoffTicket) -> float | None:
    """Unix time until which the bot stays quiet for a taken ticket, or None when it must answer."""
    if ticket.status != "open" or aware(ticket.expires_at) <= now():
        return None
    return aware(ticket.expires_at).timestamp()


def claim_ticket(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """Take a ticket (audited); an admin may take it over from another officer.

    The bot pauses from now on (the app sets `pause_until` in the Rasa tracker) for another
    HANDOFF_TIMEOUT_MINUTES.
    """
    ticket = get_ticket(session, ticket_id)
    claim = _check_claim(session, principal, ticket)
    before = {"claimed_by": claim.user_id} if claim else None
    if claim is None:
        claim = TicketClaim(ticket_id=ticket.id, user_id=principal.user_id, claimed_at=now())
        session.add(claim)
    else:
        claim.user_id = principal.user_id
        claim.claimed_at = now()
    _extend(ticket)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="ticket_claim",
        entity="handoff_ticket",
        entity_id=ticket.id,
        before=before,
        after={"claimed_by": principal.user_id},
    )
    return ticket


def clean_reply(message: str) -> str:
    """An officer's reply, tidied and checked."""
    text = clean_text(message, multiline=True)
    if not text:
        raise StaffError("Nội dung trả lời không được để trống.", field="message")
    if len(text) > MAX_REPLY_CHARS:
        raise StaffError(f"Nội dung trả lời tối đa {MAX_REPLY_CHARS} ký tự.", field="message")
    return text


#: A released or closed ticket's conversation is the bot's again: an officer's message there would
#: reach a citizen who is talking to the bot, about something else, with nobody to read the answer.
CLOSED_TICKET = (
    "Yêu cầu này đã được trả lại cho trợ lý hoặc đã đóng, nên không thể gửi thêm tin nhắn. "
    "Nếu người dân cần cán bộ, họ sẽ yêu cầu lại."
)


def _check_open(ticket: HandoffTicket) -> None:
    if ticket.status != "open":
        raise StaffError(CLOSED_TICKET, status=409)


def ticket_reply_target(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """The ticket an officer is about to answer, once they may (404 / 403 / 409 otherwise)."""
    ticket = get_ticket(session, ticket_id)
    _check_claim(session, principal, ticket)
    _check_open(ticket)
    return ticket


def record_ticket_reply(session: Session, principal: Principal, ticket_id: int, text: str) -> HandoffTicket:
    """Record a delivered reply to a ticket's citizen: the ticket becomes the officer's (audited).

    While the ticket is open, answering keeps the bot paused for another HANDOFF_TIMEOUT_MINUTES.

    Args:
        session: an open session.
        principal: the officer who answered.
        ticket_id: the ticket answered.
        text: the reply as sent (from `clean_reply`).
    """
    ticket = get_ticket(session, ticket_id)
    claim = _check_claim(session, principal, ticket)
    _check_open(ticket)
    if claim is None:
        session.add(TicketClaim(ticket_id=ticket.id, user_id=principal.user_id, claimed_at=now()))
    _extend(ticket)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="staff_reply",
        entity="handoff_ticket",
        entity_id=ticket.id,
        after={"message": text, "channel": ticket.channel},
    )
    return ticket


def release_ticket(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """Give the conversation back to the bot (audited)."""
    ticket = get_ticket(session, ticket_id)
    _check_claim(session, principal, ticket)
    before = {"status": ticket.status}
    release_handoff(session, ticket_id=ticket.id, by=principal.username)
    audit.record(
        session,
        actor=principal.username,
        action="ticket_release",
        entity="handoff_ticket",
        entity_id=ticket.id,
        before=before,
        after={"status": ticket.status},
    )
    return ticket


def record_question_reply(
    session: Session, principal: Principal, question_id: int, text: str
) -> UnansweredQuestion:
    """Record a delivered reply to the citizen who asked an inbox question (audited).

    Args:
        session: an open session.
        principal: the officer who answered.
        question_id: the question answered.
        text: the reply as sent (from `clean_reply`).
    """
    row = get_question(session, question_id)
    before = {"status": row.status}
    if row.status == "open":
        row.status = "answered"
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="staff_reply",
        entity="unanswered_question",
        entity_id=row.id,
        before=before,
        after={"message": text, "channel": row.channel, "status": row.status},
    )
    return row


def dismiss_question(session: Session, principal: Principal, question_id: int) -> UnansweredQuestion:
    """Close a question that needs nothing (audited)."""
    row = get_question(session, question_id)
    before = {"status": row.status}
    row.status = "dismissed"
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="question_dismiss",
        entity="unanswered_question",
        entity_id=row.id,
        before=before,
        after={"status": row.status},
    )
    return row
