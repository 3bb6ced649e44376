"""Database set-up: migrations and the shipped seed data."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from knowledge_base.db import get_engine, session_scope
from knowledge_base.dossiers import load_demo_dossiers
from knowledge_base.faq import load_faq_seed
from knowledge_base.importer import ImportReport, load_aliases, load_seed
from knowledge_base.life_events import load_life_events_seed
from knowledge_base.settings import get_settings
from knowledge_base.workdays import load_days_off_seed

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def migrate(database_url: str | None = None) -> None:
    """Bring the database schema to the newest migration."""
    config = Config(str(ALEMBIC_INI))
    url = database_url or get_settings().database_url
    config.attributes["database_url"] = url
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def setup_database(database_url: str | None = None) -> ImportReport:
    """Migrate, then upsert the shipped seed; safe to run again, never overwrites a staff edit.

    The seed: procedures, aliases, demo dossiers, the starter FAQ, the announced days off and the
    life events (lexicon/life_events.yml). The
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
        session.commit()
    return report
