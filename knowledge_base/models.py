"""SQLAlchemy 2.x models of the knowledge base: the one model registry (`Base.metadata`).

National text (imported from the national procedure database) and local edits (made by a province's
desk officers) live in separate tables, so that re-importing the national file never loses a local
edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Procedure(Base):
    """One national administrative procedure (thủ tục hành chính), as published nationally."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    name: Mapped[str] = mapped_column(Text)
    ministry: Mapped[str] = mapped_column(String(64), default="")
    field: Mapped[str] = mapped_column(String(255), default="", index=True)
    # Comma-separated subset of "xa", "tinh", "bo" (cấp xã / tỉnh / bộ).
    levels: Mapped[str] = mapped_column(String(32), default="")
    procedure_type: Mapped[str] = mapped_column(Text, default="")
    decision_number: Mapped[str] = mapped_column(Text, default="")
    applicants: Mapped[str] = mapped_column(Text, default="")
    competent_agency: Mapped[str] = mapped_column(Text, default="")
    implementing_agency: Mapped[str] = mapped_column(Text, default="")
    receiving_address: Mapped[str] = mapped_column(Text, default="")
    delegated_agency: Mapped[str] = mapped_column(Text, default="")
    coordinating_agency: Mapped[str] = mapped_column(Text, default="")
    related_procedures: Mapped[str] = mapped_column(Text, default="")
    # Steps, one per line.
    steps: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    # "full" (toàn trình) | "partial" (một phần) | None where the data does not say.
    online_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    online_payment: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    source_url: Mapped[str] = mapped_column(Text, default="")
    source_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Search helpers kept in the row so a search needs no recomputation.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Fields whose parse was doubtful at import: {field: reason}.
    doubtful: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Hash of the imported national record: an identical re-import is recognised without a deep compare.
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # Indexed: the search index checks max(imported_at) to notice a re-import.
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)

    channels: Mapped[list[SubmissionChannel]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="SubmissionChannel.position"
    )
    documents: Mapped[list[RequiredDocument]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="RequiredDocument.position"
    )
    legal_bases: Mapped[list[LegalBasis]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="LegalBasis.position"
    )
    aliases: Mapped[list[Alias]] = relationship(back_populates="procedure", cascade="all, delete-orphan")
    override: Mapped[LocalOverride | None] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", uselist=False
    )

    @property
    def level_list(self) -> list[str]:
        """Levels as a list, e.g. ["xa", "tinh"]."""
        return [lvl for lvl in self.levels.split(",") if lvl]


class SubmissionChannel(Base):
    """One way to submit (direct / online / postal) with its processing time and fee."""

    __tablename__ = "submission_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16))  # direct | online | postal
    time_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    # working_day | day | hour | month | year | in_day | None (unit missing in the source)
    time_unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    time_text: Mapped[str] = mapped_column(Text, default="")
    fee_kind: Mapped[str] = mapped_column(String(8), default="none")  # free | amount | text | none
    fee_amount_vnd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fee_text: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The case this row's time and fee belong to ("Đối với xe ô tô") and the fee regulation it cites.
    condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    fee_basis: Mapped[str | None] = mapped_column(String(64), nullable=True)

    procedure: Mapped[Procedure] = relationship(back_populates="channels")


class RequiredDocument(Base):
    """One row of the required documents table (thành phần hồ sơ)."""

    __tablename__ = "required_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str] = mapped_column(String(16), default="")  # submit | present | note | ""
    name: Mapped[str] = mapped_column(Text)
    form_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # original | copy | certified_copy | photo
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    case: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_note: Mapped[bool] = mapped_column(Boolean, default=False)
    # The count cell as written ("1 bản chính, 1 bản sao" keeps both); None without a count cell.
    originals: Mapped[int | None] = mapped_column(Integer, nullable=True)
    copies: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Rows of which only one is needed ("một trong các giấy tờ sau") share a label.
    alternatives: Mapped[str | None] = mapped_column(String(16), nullable=True)

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class LegalBasis(Base):
    """A legal document the procedure rests on (căn cứ pháp lý)."""

    __tablename__ = "legal_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str] = mapped_column(String(128), default="")

    procedure: Mapped[Procedure] = relationship(back_populates="legal_bases")


class FeeSchedule(Base):
    """The fees a legal document sets (e.g. the circular on criminal-record certificate fees).

    Keyed by the document's number; applied to every procedure whose fee cell or legal basis cites
    it. Seeded from the published amounts (created_by "seed"), kept current by staff (audited);
    a re-import of the national file never touches it.
    """

    __tablename__ = "fee_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_number: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    # One amount per line: "Cấp mới: 200.000 đồng/hộ chiếu".
    amounts: Mapped[str] = mapped_column(Text, default="")
    # Where the amounts are published (article, annex), shown to citizens with them.
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Amounts that apply only until a date (a temporary reduction) are not shown after it.
    valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LocalOverride(Base):
    """A province's own additions to a procedure; never touched by a national re-import."""

    __tablename__ = "local_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedure.id", ondelete="CASCADE"), unique=True, index=True
    )
    agency_address: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    fee_note: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    not_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    # The office (desk address, hours, phone) the procedure inherits; its own address and hours above,
    # when set, override the office's (migration 0008).
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("office.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    procedure: Mapped[Procedure] = relationship(back_populates="override")
    office: Mapped[Office | None] = relationship()


class Office(Base):
    """A one-stop desk of the province (address, opening hours, phone) that procedures inherit."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    # As typed, line breaks kept ("Sáng: 7h30–11h30\nChiều: 13h30–17h00").
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class Alias(Base):
    """A name citizens use for a procedure (cccd, sổ đỏ, làm giấy khai sinh ...)."""

    __tablename__ = "alias"
    __table_args__ = (UniqueConstraint("alias_folded", "procedure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(255))
    alias_folded: Mapped[str] = mapped_column(String(255), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"), index=True)
    # Higher weight ranks this procedure first among those sharing the alias.
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_by: Mapped[str] = mapped_column(String(128), default="seed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    procedure: Mapped[Procedure] = relationship(back_populates="aliases")


class FaqEntry(Base):
    """A staff-maintained answer to general questions (not one procedure)."""

    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set on entries that come from the shipped seed, so re-seeding never overwrites a staff edit.
    seed_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    answer: Mapped[str] = mapped_column(Text)
    procedure_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure.id", ondelete="SET NULL"), nullable=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(128), default="seed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(String(128), default="seed")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    questions: Mapped[list[FaqQuestion]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="FaqQuestion.id"
    )


class FaqVersion(Base):
    """One saved state of an FAQ entry (its history; an officer can restore any of them)."""

    __tablename__ = "faq_version"
    __table_args__ = (UniqueConstraint("faq_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[int] = mapped_column(ForeignKey("faq_entry.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # The entry as it was: {"answer", "questions": [...], "published", "procedure_id"}.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # create | update | publish | unpublish | restore
    action: Mapped[str] = mapped_column(String(32), default="update")
    saved_by: Mapped[str] = mapped_column(String(128), default="")
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FaqQuestion(Base):
    """One way of asking an FAQ entry's question."""

    __tablename__ = "faq_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[int] = mapped_column(ForeignKey("faq_entry.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    text_folded: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[FaqEntry] = relationship(back_populates="questions")


class LifeEvent(Base):
    """A situation in a citizen's life ("sinh con", "người thân qua đời") and the procedures it calls for.

    Seeded from lexicon/life_events.yml and edited by staff; `steps` is an ordered list of
    {"label", "codes", "where", "condition"} (see knowledge_base.life_events).
    """

    __tablename__ = "life_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Folded phrases citizens say it with, and phrases whose words the triggers may not use.
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    excludes: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Unpublished events are never matched.
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    # True for events from the shipped seed: re-seeding updates them only while `updated_by` is "seed".
    from_seed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(128), default="seed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(String(128), default="seed")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class Dossier(Base):
    """A citizen's dossier (hồ sơ) at the one-stop desk."""

    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    procedure_code: Mapped[str] = mapped_column(String(32), default="")
    # Kept only to verify the asker (last 4 digits of the phone); never shown back.
    applicant_name: Mapped[str] = mapped_column(Text, default="")
    applicant_phone: Mapped[str] = mapped_column(String(32), default="")
    # received | in_progress | supplement_requested | payment_requested | ready_for_pickup
    # | returned | rejected  ("overdue" is derived from due_at)
    status: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.at"
    )


class DossierCheck(Base):
    """The wrong checks of one dossier code (existing or not) in the current window, and its lock."""

    __tablename__ = "dossier_check"

    # The normalised (upper-case) dossier code, as `knowledge_base.dossiers.validate_lookup` gives it.
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Attempts counted in the window: every lookup is counted first, a right check deletes the row.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DossierEvent(Base):
    """One step in a dossier's status history."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class AuditLog(Base):
    """Who changed what and when, with before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class DayOff(Base):
    """A calendar exception for working-day counting, kept by staff.

    ``kind`` is "off" for an extra day off the government announces (e.g. a bridge day beside Tết or
    2 September) and "working" for a Saturday or Sunday declared a make-up working day.
    """

    __tablename__ = "day_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="off")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128), default="seed")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class HandoffTicket(Base):
    """A conversation handed over to one-stop-desk staff; the bot stays quiet while it is open."""

    __tablename__ = "handoff_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="")
    # asked (the citizen asked for a person) | fallback (two misunderstandings in a row) | dossier
    reason: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    # open | released (back to the bot) | closed
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str] = mapped_column(String(128), default="")


class AnswerRating(Base):
    """A citizen's 👍/👎 on one answer, stored with the answer it rates."""

    __tablename__ = "answer_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="")
    # +1 or -1
    rating: Mapped[int] = mapped_column(Integer)
    answer_type: Mapped[str] = mapped_column(String(32), default="")
    procedure_code: Mapped[str] = mapped_column(String(32), default="")
    aspects: Mapped[list[str]] = mapped_column(JSON, default=list)
    faq_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class UnansweredQuestion(Base):
    """A question the assistant could not answer or answered with low confidence (the staff inbox)."""

    __tablename__ = "unanswered_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="")
    # Redacted before storing: no CCCD or phone numbers.
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(64), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # fallback | no_procedure | out_of_scope
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


# --------------------------------------------------------------------------------------------- #
# The staff workspace's tables (migration 0003): officers, their sessions and sign-in attempts,
# usage events for the dashboard, staged imports and ticket claims.
# --------------------------------------------------------------------------------------------- #

#: The roles of a staff user.
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
    # Two-step sign-in (TOTP, RFC 6238): the base32 secret (set at enrolment, in use once
    # totp_enabled_at is set) and the last time step accepted, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


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
    # The password was right but the TOTP code is still to come: this row opens nothing yet.
    mfa_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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
