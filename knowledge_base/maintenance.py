"""Database set-up: migrations and the shipped seed data."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from knowledge_base.db import get_engine, session_scope
from knowledge_base.dossiers import load_demo_dossiers
from knowledge_base.faq import load_faq_seed
from knowledge_base.fees import load_fee_seed
from knowledge_base.importer import ImportReport, load_aliases, load_seed
from knowledge_base.life_events import load_life_events_seed
from knowledge_base.settings import get_settings
from knowledge_base.workdays import load_days_off_seed

logger = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
#: A SQLite knowledge base holds staff password hashes, sessions and conversations: owner only.
SQLITE_FILE_MODE = 0o600


def restrict_sqlite_file(database_url: str) -> Path | None:
    """Create a SQLite database file readable by its owner only (0600), or tighten an existing one.

    SQLite gives its -wal and -shm files the database file's mode, so they follow. Returns the file's
    path, or None for other databases (and in-memory SQLite).
    """
    if not database_url.startswith("sqlite"):
        return None
    raw = database_url.split("///", 1)[-1].split("?", 1)[0]
    if not raw or raw == ":memory:":
        return None
    path = Path(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_CREAT with the mode: never a moment with the umask's world-readable default.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, SQLITE_FILE_MODE))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists() and (name.stat().st_mode & 0o777) != SQLITE_FILE_MODE:
            try:
                name.chmod(SQLITE_FILE_MODE)
            except PermissionError:  # another user's file: theirs to tighten
                logger.warning("%s is readable by others and not ours to chmod 600", name.name)
    return path


def migrate(database_url: str | None = None) -> None:
    """Bring the database schema to the newest migration (a SQLite file made owner-only first)."""
    config = Config(str(ALEMBIC_INI))
    url = database_url or get_settings().database_url
    restrict_sqlite_file(url)
    config.attributes["database_url"] = url
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def setup_database(database_url: str | None = None) -> ImportReport:
    """Migrate, then upsert the shipped seed; safe to run again, never overwrites a staff edit.

    The seed: procedures, aliases, demo dossiers, the starter FAQ, the announced days off, the
    life events (lexicon/life_events.yml) and the fee table (seed/fees.json). The
    demo dossiers are left out in the prod profile: a citizen must never find a made-up dossier
    (production dossiers come from the province's system, DOSSIER_SOURCE_URL).
    """
    migrate(database_url)
    with session_scope(database_url) as session:
        report = load_seed(session)
        load_aliases(session)
        if get_settings().profile != "prod":
            load_demo_dossiers(session)
        load_faq_seed(session)
        load_days_off_seed(session)
        load_life_events_seed(session)
        load_fee_seed(session)
        session.commit()
    return report
