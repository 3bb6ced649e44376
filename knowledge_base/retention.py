"""Retention: delete conversations, and what they left behind, once they are older than N days.

A conversation is as old as its latest event: one a citizen is still having is never cut in half.
What goes:

- the Rasa tracker store's conversations (table ``events``; in the production profile it lives in the
  knowledge base's PostgreSQL database, ``TRACKER_STORE_URL`` points elsewhere);
- handoff tickets (with their claims), answer ratings and unanswered questions created before the
  cutoff (they quote the conversation, redacted, and name its id).

Usage analytics stay: they hold no message text and only a keyed hash of the sender. Run daily
(deploy/ has a CronJob): ``python -m knowledge_base retention --days 90`` (``--dry-run`` counts only).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.orm import Session

from knowledge_base.db import get_engine
from knowledge_base.models import AnswerRating, HandoffTicket, TicketClaim, UnansweredQuestion
from knowledge_base.settings import get_settings

DEFAULT_DAYS = 90
#: Conversations deleted per statement: keeps each transaction and its locks short on a busy server.
BATCH = 500

_tracker_metadata = MetaData()
#: Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), read only here.
EVENTS = Table(
    "events",
    _tracker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass
class RetentionReport:
    """What a retention run deleted (or, in a dry run, would delete)."""

    cutoff: dt.datetime
    conversations: int = 0
    events: int = 0
    records: dict[str, int] = field(default_factory=dict)


def tracker_store_url() -> str:
    """Where the Rasa server keeps conversations (as bot/stores.py decides), or "" if in memory."""
    url = os.environ.get("TRACKER_STORE_URL", "").strip()
    if not url and get_settings().profile == "prod":
        url = get_settings().database_url
    # The Rasa server's psycopg2 URL works here with psycopg 3 too.
    return url.replace("postgresql+psycopg2://", "postgresql+psycopg://", 1)


def _delete_conversations(
    engine: Engine, cutoff: dt.datetime, dry_run: bool, report: RetentionReport
) -> None:
    if not inspect(engine).has_table("events"):
        return
    cutoff_ts = cutoff.timestamp()
    old = (
        select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < cutoff_ts)
    )
    with engine.connect() as connection:
        senders = [row[0] for row in connection.execute(old)]
    report.conversations = len(senders)
    for start in range(0, len(senders), BATCH):
        batch = senders[start : start + BATCH]
        with engine.begin() as connection:
            if dry_run:
                report.events += connection.execute(
                    select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(batch))
                ).scalar_one()
            else:
                report.events += connection.execute(
                    delete(EVENTS).where(EVENTS.c.sender_id.in_(batch))
                ).rowcount


def _delete_records(engine: Engine, cutoff: dt.datetime, dry_run: bool, report: RetentionReport) -> None:
    with Session(engine) as session:
        old_tickets = select(HandoffTicket.id).where(HandoffTicket.created_at < cutoff)
        targets = [
            ("ticket_claim", TicketClaim, TicketClaim.ticket_id.in_(old_tickets)),
            ("handoff_ticket", HandoffTicket, HandoffTicket.created_at < cutoff),
            ("answer_rating", AnswerRating, AnswerRating.created_at < cutoff),
            ("unanswered_question", UnansweredQuestion, UnansweredQuestion.created_at < cutoff),
        ]
        for name, model, condition in targets:
            if dry_run:
                report.records[name] = (
                    session.scalar(select(func.count()).select_from(model).where(condition)) or 0
                )
            else:
                report.records[name] = session.execute(delete(model).where(condition)).rowcount
        if not dry_run:
            session.commit()


def apply_retention(
    *,
    days: int = DEFAULT_DAYS,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    database_url: str | None = None,
    tracker_url: str | None = None,
) -> RetentionReport:
    """Delete conversations whose latest event is more than `days` days old, and older records.

    Args:
        days: how many days conversations are kept (at least 1).
        dry_run: count only, delete nothing.
        now: the current time (tests); default the clock.
        database_url: the knowledge base (default DATABASE_URL).
        tracker_url: the Rasa tracker store (default as the Rasa server decides; "" = none).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=days)
    report = RetentionReport(cutoff=cutoff)
    tracker_url = tracker_store_url() if tracker_url is None else tracker_url
    if tracker_url:
        _delete_conversations(get_engine(tracker_url), cutoff, dry_run, report)
    _delete_records(get_engine(database_url), cutoff, dry_run, report)
    return report
