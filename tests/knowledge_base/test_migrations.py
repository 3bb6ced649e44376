"""The one model registry and the Alembic migrations describe the same schema.

The staff and usage tables moved into `knowledge_base.models` without a new migration: this proves the
migrated database is exactly what the models declare (tables, columns, types, indexes, constraints),
so a model edit without its migration fails here, not in production.
"""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from knowledge_base.db import make_engine
from knowledge_base.maintenance import migrate
from knowledge_base.models import Base


def _differences(url: str) -> list[object]:
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_migrations_match_the_models_on_sqlite(fresh_sqlite: str) -> None:
    assert _differences(fresh_sqlite) == []


def test_every_table_of_the_registry_is_migrated(fresh_sqlite: str) -> None:
    migrate(fresh_sqlite)
    engine = make_engine(fresh_sqlite)
    try:
        with engine.connect() as connection:
            names = set(connection.dialect.get_table_names(connection))
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= names
    assert {"staff_user", "usage_event", "import_batch"} <= set(Base.metadata.tables)  # one registry


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_migrations_match_the_models_on_postgresql() -> None:
    import uuid

    from sqlalchemy import text

    base = os.environ["TEST_DATABASE_URL"]
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}"
        assert _differences(url) == []
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
