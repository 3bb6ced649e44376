"""The knowledge base on PostgreSQL (TEST_DATABASE_URL; CI sets it, elsewhere these are skipped)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from knowledge_base.db import get_engine
from knowledge_base.maintenance import setup_database
from tests.plugin_app import PROJECT_ROOT, serve_api

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_seeded(postgres_url: str) -> str:
    """A clean schema in the test database, migrated and seeded."""
    with get_engine(postgres_url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    report = setup_database(postgres_url)
    assert report.added > 2000
    again = setup_database(postgres_url)
    assert again.added == again.updated == 0
    return postgres_url


@pytest.fixture
def client(pg_seeded, monkeypatch):
    yield from serve_api(pg_seeded, monkeypatch)


def test_api_on_postgres(client) -> None:
    hits = client.get("/api/v1/procedures/search", params={"q": "dang ky khai sinh", "limit": 3}).json()
    assert hits[0]["code"] == "1.001193"
    record = client.get("/api/v1/procedures/1.001193").json()
    assert record["documents"] and record["channels"]
    assert client.get("/api/v1/procedures/9.999999").status_code == 404
    ok = client.get("/api/v1/dossiers/000.00.12.H37-251012-0007", params={"phone_last4": "0707"})
    assert ok.status_code == 200 and ok.json()["overdue"] is True
    wrong = client.get("/api/v1/dossiers/000.00.12.H37-251012-0007", params={"phone_last4": "0000"})
    assert wrong.status_code == 404


def test_cli_search_json_on_postgres(pg_seeded) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "search", "Đăng ký khai sinh", "--limit", "3", "--json"],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": pg_seeded, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    hits = json.loads(result.stdout)
    assert hits[0]["code"] == "1.001193"
    assert set(hits[0]) >= {"code", "name", "level", "score"} and len(hits) <= 3
