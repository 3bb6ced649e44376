"""Fixtures for the tests of the app environment (.venv): knowledge base, actions, conversations.

Loaded with ``pytest -p tests.plugin_app`` (scripts/test.sh), so the Rasa environment's test run
never imports SQLAlchemy 2 code.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from knowledge_base import settings
from knowledge_base.maintenance import setup_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database migrated and loaded with the shipped seed, built once per test run.

    Under pytest-xdist (`make check`) the first worker builds it in the run's shared folder and each
    worker takes its own copy: seeding costs ~10 s of CPU, a copy a fraction of one, and no worker
    ever writes to another's file.
    """
    path = tmp_path_factory.mktemp("db") / "seeded.db"
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        setup_database(f"sqlite:///{path}")
        return f"sqlite:///{path}"
    shared = tmp_path_factory.getbasetemp().parent / "seeded-shared"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        built = shared / "seeded.db"
        if not (shared / "done").exists():
            setup_database(f"sqlite:///{built}")
            (shared / "done").touch()
    shutil.copy(built, path)
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> str:
    """An empty SQLite database URL (not migrated)."""
    return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
def seeded_copy(seeded_sqlite: str, tmp_path: Path) -> str:
    """A private copy of the seeded database, for tests that write."""
    source = Path(seeded_sqlite.split("///", 1)[1])
    target = tmp_path / "copy.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL test database (TEST_DATABASE_URL); tests using it are skipped without it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL tests run in CI)")
    yield url


def serve_api(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Yield a test client of the FastAPI app bound to `database_url` (for client fixtures)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    settings.get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client
    settings.get_settings.cache_clear()


@pytest.fixture
def client(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on the seeded SQLite database."""
    yield from serve_api(seeded_sqlite, monkeypatch)
