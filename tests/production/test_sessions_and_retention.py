"""Sessions expire when configured to, and the retention command deletes old conversations only.

The stack keeps conversations in an SQL tracker store (SQLite here through TRACKER_STORE_URL; the
production profile's PostgreSQL is tested in test_replicas.py); the session length comes from
SESSION_EXPIRATION_MINUTES without retraining.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from knowledge_base.conversations import create_handoff
from knowledge_base.db import session_scope
from knowledge_base.models import HandoffTicket, UnansweredQuestion
from knowledge_base.retention import EVENTS, apply_retention
from tests.production.conftest import stored_events
from tests.servers import PROJECT_ROOT, Stack, start_stack

SESSION_SECONDS = 8  # long enough for two answers on a loaded CI machine


@pytest.fixture(scope="module")
def stores(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("retention")
    database = folder / "tthc.db"
    shutil.copy(seeded_sqlite.split("///", 1)[1], database)
    return f"sqlite:///{database}", f"sqlite:///{folder / 'tracker.db'}"


@pytest.fixture(scope="module")
def stack(stores: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    database, tracker = stores
    env = {"TRACKER_STORE_URL": tracker, "SESSION_EXPIRATION_MINUTES": str(SESSION_SECONDS / 60)}
    with start_stack(database, tmp_path_factory.mktemp("retention_logs"), extra_env=env) as running:
        yield running


def test_a_session_expires_after_the_configured_time(stack: Stack, stores: tuple[str, str]) -> None:
    sender = f"session-{uuid.uuid4().hex[:10]}"
    assert "khai sinh" in stack.texts("đăng ký khai sinh cần giấy tờ gì", sender).lower()
    # Within the session the follow-up is about the same procedure.
    assert "khai sinh" in stack.texts("mất bao lâu", sender).lower()
    time.sleep(SESSION_SECONDS + 1.5)
    # A new session: the procedure of the old one is forgotten, the citizen is asked which one.
    after = stack.texts("mất bao lâu", sender).lower()
    assert "thủ tục nào" in after, after
    starts = [e for e in stored_events(stores[1], sender) if e["event"] == "session_started"]
    assert len(starts) == 2


def _age(tracker_url: str, sender: str, days: int) -> None:
    engine = create_engine(tracker_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE events SET timestamp = timestamp - :s WHERE sender_id = :sender"),
                {"s": days * 86400, "sender": sender},
            )
    finally:
        engine.dispose()


def _retention(database: str, tracker: str, *args: str) -> str:
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "knowledge_base", "retention", *args],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": database, "TRACKER_STORE_URL": tracker, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_retention_deletes_conversations_older_than_the_limit_only(
    stack: Stack, stores: tuple[str, str]
) -> None:
    database, tracker = stores
    old, recent, edge = (f"ret-{name}-{uuid.uuid4().hex[:8]}" for name in ("old", "recent", "edge"))
    for sender in (old, recent, edge):
        assert stack.texts("làm căn cước cần giấy tờ gì", sender)
    _age(tracker, old, 120)
    _age(tracker, edge, 80)
    # Staff-facing records of an old conversation go with it; a recent ticket stays.
    with session_scope(database) as session:
        create_handoff(
            session,
            conversation_id=old,
            channel="rest",
            reason="asked",
            summary="cũ",
            timeout=dt.timedelta(minutes=5),
        )
        create_handoff(
            session,
            conversation_id=recent,
            channel="rest",
            reason="asked",
            summary="mới",
            timeout=dt.timedelta(minutes=5),
        )
        session.flush()
        for ticket in session.query(HandoffTicket).filter(HandoffTicket.conversation_id == old):
            ticket.created_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=120)
        session.commit()

    dry = _retention(database, tracker, "--dry-run")
    assert "would delete 1 conversations" in dry, dry
    assert stored_events(tracker, old), "a dry run deletes nothing"

    out = _retention(database, tracker)  # default: 90 days
    assert "deleted 1 conversations" in out, out
    assert stored_events(tracker, old) == []
    assert stored_events(tracker, recent) and stored_events(tracker, edge)
    with session_scope(database) as session:
        left = {t.conversation_id for t in session.query(HandoffTicket)}
    assert old not in left and recent in left

    out = _retention(database, tracker, "--days", "30")
    assert "deleted 1 conversations" in out and stored_events(tracker, edge) == []
    assert stored_events(tracker, recent)


def test_retention_refuses_a_nonsense_limit(stores: tuple[str, str]) -> None:
    database, tracker = stores
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "knowledge_base", "retention", "--days", "0"],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": database, "TRACKER_STORE_URL": tracker},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "days must be 1 or more" in result.stderr


@pytest.mark.postgres
def test_retention_on_postgresql(postgres_url: str, prod_template: str) -> None:
    """The production path: conversations in PostgreSQL's events table, next to the knowledge base."""
    from tests.production.conftest import _drop, fresh_database

    name, url = fresh_database(postgres_url, prod_template)
    try:
        engine = create_engine(url)
        EVENTS.metadata.create_all(engine)
        now = time.time()
        with engine.begin() as connection:
            for sender, age_days in (("pg-old", 100), ("pg-new", 1)):
                for offset in range(3):
                    connection.execute(
                        EVENTS.insert().values(
                            sender_id=sender,
                            type_name="user",
                            timestamp=now - age_days * 86400 + offset,
                            data="{}",
                        )
                    )
            with session_scope(url) as session:
                session.add(
                    UnansweredQuestion(
                        conversation_id="pg-old",
                        text="x",
                        reason="fallback",
                        created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=100),
                    )
                )
                session.commit()
        report = apply_retention(days=90, database_url=url, tracker_url=url)
        assert (report.conversations, report.events) == (1, 3)
        assert report.records["unanswered_question"] == 1
        with engine.connect() as connection:
            assert [r[0] for r in connection.execute(text("SELECT DISTINCT sender_id FROM events"))] == [
                "pg-new"
            ]
        engine.dispose()
    finally:
        from knowledge_base.db import get_engine

        get_engine(url).dispose()
        _drop(postgres_url, name)
