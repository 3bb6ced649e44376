"""Engine and session handling: one engine per process, a short-lived Session per request or action."""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from knowledge_base.settings import get_settings


def make_engine(url: str) -> Engine:
    """Create an engine for `url`, with SQLite made safe for several processes.

    Args:
        url: SQLAlchemy database URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets the action server read while the app writes; FKs are off by default in SQLite.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # pool_pre_ping: a database that went away and came back needs no restart. Timeouts: a
    # connection attempt or a statement never hangs a worker thread for long. hide_parameters: a
    # failed query's log line never carries what a citizen typed.
    timeout = get_settings().kb_query_timeout
    connect_args: dict[str, object] = {}
    if url.startswith("postgresql"):
        connect_args = {
            "connect_timeout": max(2, int(timeout)),
            "options": f"-c statement_timeout={int(max(timeout * 2, 10) * 1000)}",
        }
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=30,
        hide_parameters=True,
        connect_args=connect_args,
    )


def get_engine(url: str | None = None) -> Engine:
    """Return the process-wide engine for `url` (default: the configured DATABASE_URL)."""
    return _engine(url or get_settings().database_url)


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    return make_engine(url)


@functools.lru_cache(maxsize=8)
def _session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


def session_scope(url: str | None = None) -> Session:
    """Open a new Session (use as ``with session_scope() as session:``).

    Args:
        url: database URL; default: the configured DATABASE_URL.
    """
    return _session_factory(url or get_settings().database_url)()
