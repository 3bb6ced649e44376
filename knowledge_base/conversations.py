"""What conversations leave in the knowledge base: handoff tickets, ratings, unanswered questions.

Called by the action server (and later the staff workspace); no dialogue logic here. Every text stored
is redacted first: no phone, CCCD or other long numbers reach the database in clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import AnswerRating, HandoffTicket, UnansweredQuestion
from vntext.redact import redact

# Field lengths of the tables (the rest is Text).
_ID_MAX = 128


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class TicketView:
    """A handoff ticket as the dialogue sees it."""

    id: int
    status: str
    # Always timezone-aware (UTC), also when SQLite hands back a naive value.
    expires_at: dt.datetime

    def active(self, now: dt.datetime | None = None) -> bool:
        """Open and not yet timed out."""
        return self.status == "open" and (now or _now()) < self.expires_at


def _view(ticket: HandoffTicket) -> TicketView:
    return TicketView(ticket.id, ticket.status, _aware(ticket.expires_at))


def create_handoff(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    reason: str,
    summary: str,
    timeout: dt.timedelta,
) -> TicketView:
    """Open a handoff ticket for a conversation (one open ticket per conversation)."""
    existing = session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id[:_ID_MAX], HandoffTicket.status == "open")
        .order_by(HandoffTicket.id.desc())
    ).first()
    now = _now()
    if existing is not None and _aware(existing.expires_at) > now:
        existing.expires_at = now + timeout
        existing.summary = redact(summary)
        session.flush()
        return _view(existing)
    ticket = HandoffTicket(
        conversation_id=conversation_id[:_ID_MAX],
        channel=channel[:32],
        reason=reason,
        summary=redact(summary),
        status="open",
        created_at=now,
        expires_at=now + timeout,
    )
    session.add(ticket)
    session.flush()
    return _view(ticket)


def get_handoff(session: Session, *, ticket_id: int) -> TicketView | None:
    """The ticket's current state, or None."""
    ticket = session.get(HandoffTicket, ticket_id)
    return None if ticket is None else _view(ticket)


def release_handoff(session: Session, *, ticket_id: int, by: str) -> TicketView | None:
    """Give the conversation back to the bot."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        return None
    if ticket.status == "open":
        ticket.status = "released"
        ticket.released_at = _now()
        ticket.released_by = by[:128]
        session.flush()
    return _view(ticket)


def record_rating(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    rating: int,
    answer_type: str,
    procedure_code: str = "",
    aspects: list[str] | None = None,
    faq_id: int | None = None,
    question: str = "",
    answer: str = "",
) -> int:
    """Store a 👍 (+1) or 👎 (-1) with the answer it rates; return its id."""
    if rating not in (1, -1):
        raise ValueError("rating must be +1 or -1")
    row = AnswerRating(
        conversation_id=conversation_id[:_ID_MAX],
        channel=channel[:32],
        rating=rating,
        answer_type=answer_type[:32],
        procedure_code=procedure_code[:32],
        aspects=list(aspects or []),
        faq_id=faq_id,
        question=redact(question),
        answer=answer,
    )
    session.add(row)
    session.flush()
    return row.id


def record_unanswered(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    text: str,
    intent: str,
    confidence: float,
    reason: str,
) -> int:
    """Put a question the assistant could not answer well into the staff inbox; return its id."""
    row = UnansweredQuestion(
        conversation_id=conversation_id[:_ID_MAX],
        channel=channel[:32],
        text=redact(text)[:4000],
        intent=intent[:64],
        confidence=float(confidence),
        reason=reason[:32],
    )
    session.add(row)
    session.flush()
    return row.id
