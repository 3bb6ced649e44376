"""Tables of the staff workspace, on the knowledge base's metadata (migration 0003).

`knowledge_base.models` imports this module at its end, so Alembic and `Base.metadata` see these
tables wherever the main models are loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.models import Base, _now

ROLES = ("editor", "admin")


class StaffUser(Base):
    """A one-stop-desk officer who keeps the assistant right: editor (content) or admin."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    # editor | admin
    role: Mapped[str] = mapped_column(String(16), default="editor")
    # argon2id hash (argon2-cffi); never shown, never logged, never in the audit log.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StaffSession(Base):
    """A signed-in browser: the cookie carries a random token, the table only its SHA-256."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    # Sent back in the X-CSRF-Token header on every state-changing request.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class LoginAttempt(Base):
    """One sign-in attempt, for the rate limit per username and IP address."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class UsageEvent(Base):
    """What the assistant did with one message, for the dashboard (no message text, no raw sender id)."""

    __tablename__ = "usage_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    # Keyed hash of the sender id (ANALYTICS_HASH_KEY): counts conversations, identifies nobody.
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="")
    intent: Mapped[str] = mapped_column(String(64), default="")
    procedure_code: Mapped[str] = mapped_column(String(32), default="")
    aspects: Mapped[list[str]] = mapped_column(JSON, default=list)
    # answer | faq | fallback | handoff | decline | dossier
    outcome: Mapped[str] = mapped_column(String(16), index=True)


class ImportBatch(Base):
    """An uploaded national file: parsed and compared first (dry run), applied on request."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    source_date: Mapped[dt.date] = mapped_column(Date)
    # staged | applied | discarded
    status: Mapped[str] = mapped_column(String(16), default="staged", index=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    applied_by: Mapped[str] = mapped_column(String(128), default="")
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The dry run's figures (added / changed / removed codes ...) and, once applied, the result.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The parsed records (gzip JSON lines), kept until applied or discarded.
    payload: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class TicketClaim(Base):
    """Which officer took a handoff ticket: others may not answer or release it (admins may)."""

    __tablename__ = "ticket_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_ticket.id", ondelete="CASCADE"), unique=True, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
