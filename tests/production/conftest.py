"""The production profile's fixtures: a private PostgreSQL database, Redis, secrets, a running stack.

Each module gets its own database on the test server (TEST_DATABASE_URL), created from a seeded
template made once per run, so these tests never touch the schema other tests use; Redis keys are
namespaced by random conversation ids. Without TEST_DATABASE_URL / TEST_REDIS_URL (CI sets both) the
tests are skipped.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from knowledge_base.maintenance import setup_database

pytestmark = pytest.mark.postgres


def _admin(url: str):  # type: ignore[no-untyped-def]
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    engine = _admin(admin_url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis test server (TEST_REDIS_URL)."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis tests run in CI)")
    return url


@pytest.fixture(scope="session")
def prod_template(postgres_url: str) -> Iterator[str]:
    """A database migrated and seeded once per run, used as the template of each module's database."""
    name = f"tthc_tpl_{uuid.uuid4().hex[:8]}"
    engine = _admin(postgres_url)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = _with_database(postgres_url, name)
    setup_database(url)
    from knowledge_base.db import get_engine

    get_engine(url).dispose()  # a template must have no open connections
    yield name
    _drop(postgres_url, name)


def fresh_database(postgres_url: str, template: str) -> tuple[str, str]:
    """Create a database from `template`; return (its name, its URL)."""
    name = f"tthc_prod_{uuid.uuid4().hex[:8]}"
    engine = _admin(postgres_url)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine.dispose()
    return name, _with_database(postgres_url, name)


@pytest.fixture(scope="module")
def prod_database(postgres_url: str, prod_template: str) -> Iterator[str]:
    """This module's own seeded PostgreSQL database (dropped afterwards)."""
    name, url = fresh_database(postgres_url, prod_template)
    yield url
    from knowledge_base.db import get_engine

    get_engine(url).dispose()
    _drop(postgres_url, name)


def stored_events(database_url: str, sender: str) -> list[dict]:  # type: ignore[type-arg]
    """The events of one conversation as the tracker store keeps them (table ``events``), in order."""
    import json

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
            ).all()
        return [json.loads(row[0]) for row in rows]
    finally:
        engine.dispose()


def prod_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-profile stack (secrets random for the run)."""
    return {
        "PROFILE": "prod",
        "REDIS_URL": redis_url,
        "WEB_SESSION_SECRET": secrets.token_hex(32),
        "ANALYTICS_HASH_KEY": secrets.token_hex(32),
        "RASA_JWT_SECRET": secrets.token_hex(32),
        # Every test message comes from 127.0.0.1: the per-IP limit is for the abuse tests.
        "RATE_LIMIT_IP_PER_MINUTE": "100000",
        "RATE_LIMIT_SENDER_PER_MINUTE": "1000",
        # 50 citizens at once on 2 shared cores: answers get slow, and these tests are not about that
        # (test_faults.py sets its own timeout).
        "KB_QUERY_TIMEOUT": "30",
        # Rasa's and TensorFlow's start-up chatter off; errors still reach the logs.
        "PYTHONWARNINGS": "ignore",
    } | extra
