"""Issue 17, finding 13: the production profile refuses weak settings at start, naming the variable."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from knowledge_base import settings
from knowledge_base.settings import (
    CHOSEN_SECRETS,
    ISSUED_SECRETS,
    ProductionSettingsError,
    production_problems,
)
from tests.production.conftest import prod_env
from tests.servers import PROJECT_ROOT, serve_app

POSTGRES = "postgresql+psycopg://tthc:4f9c1e7a2b8d6e0f3a5c7b9d1e2f4a6c@db.internal:5432/tthc"


def strong() -> dict[str, str]:
    """A production environment nothing is wrong with."""
    return {
        "PROFILE": "prod",
        "DATABASE_URL": POSTGRES,
        "RASA_JWT_SECRET": secrets.token_hex(32),
        "ANALYTICS_HASH_KEY": secrets.token_hex(32),
        "WEB_SESSION_SECRET": secrets.token_hex(32),
    }


#: (variable, weak value): each alone must stop the app, and the error names the variable.
WEAK = [
    ("RASA_JWT_SECRET", ""),
    ("DATABASE_URL", "sqlite:///var/tthc.db"),
    ("DATABASE_URL", "postgresql+psycopg://tthc:changeme@db.internal:5432/tthc"),
    ("STAFF_COOKIE_SECURE", "false"),
    ("STAFF_COOKIE_SECURE", "0"),
    ("RASA_JWT_SECRET", "changeme-changeme-changeme-changeme"),
    ("RASA_JWT_SECRET", "k" * 40),
    ("TELEGRAM_WEBHOOK_SECRET", "a"),
    ("ANALYTICS_HASH_KEY", "k"),
    ("WEB_SESSION_SECRET", "example-session-secret-for-the-widget"),
    ("TELEGRAM_TOKEN", "123:your-bot-token-here"),
    ("DOSSIER_SOURCE_TOKEN", "changeme"),
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A clean environment for the settings (no secret of the machine's leaks in)."""
    for name in (*CHOSEN_SECRETS, *ISSUED_SECRETS, "STAFF_COOKIE_SECURE", "REDIS_URL", "PROFILE"):
        monkeypatch.delenv(name, raising=False)
    settings.get_settings.cache_clear()
    yield monkeypatch
    settings.get_settings.cache_clear()


@pytest.mark.parametrize(("name", "value"), WEAK)
def test_the_app_refuses_to_start_with_a_weak_setting(
    environment: pytest.MonkeyPatch, name: str, value: str
) -> None:
    for key, good in (strong() | {name: value}).items():
        environment.setenv(key, good)
    settings.get_settings.cache_clear()
    with pytest.raises(ProductionSettingsError) as refused:
        create_app()
    message = str(refused.value)
    assert name in message
    if name in (*CHOSEN_SECRETS, *ISSUED_SECRETS, "DATABASE_URL") and len(value) > 3:
        assert value not in message  # a secret is never repeated (logs keep start-up errors)
        assert "changeme" not in message


def test_the_app_starts_with_strong_settings(environment: pytest.MonkeyPatch) -> None:
    for key, value in (strong() | {"STAFF_COOKIE_SECURE": "true"}).items():
        environment.setenv(key, value)
    settings.get_settings.cache_clear()
    with TestClient(create_app()) as client:
        assert client.get("/staff/login").status_code == 200


def test_local_runs_may_use_anything(environment: pytest.MonkeyPatch, seeded_copy: str) -> None:
    environment.setenv("DATABASE_URL", seeded_copy)
    environment.setenv("STAFF_COOKIE_SECURE", "false")
    settings.get_settings.cache_clear()
    with TestClient(create_app()) as client:
        assert client.get("/health").status_code == 200


def test_the_production_tests_environment_passes(environment: pytest.MonkeyPatch) -> None:
    env = prod_env("redis://127.0.0.1:6379/0") | {"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/x"}
    assert production_problems(env, stack=True) == []


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {*CHOSEN_SECRETS, *ISSUED_SECRETS}}
    return subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "knowledge_base.settings", "check-production"],
        cwd=PROJECT_ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_shell_check_names_every_problem_of_a_deployment() -> None:
    weak = _check(
        {
            "DATABASE_URL": "sqlite:///var/tthc.db",
            "RASA_JWT_SECRET": "short",
            "STAFF_COOKIE_SECURE": "false",
            "TELEGRAM_WEBHOOK_SECRET": "x",
        }
    )
    assert weak.returncode == 1
    lines = weak.stderr.splitlines()
    for name in (
        "RASA_JWT_SECRET",
        "DATABASE_URL",
        "STAFF_COOKIE_SECURE",
        "TELEGRAM_WEBHOOK_SECRET",
        "ANALYTICS_HASH_KEY",
        "WEB_SESSION_SECRET",
    ):
        assert any(line.startswith(f"PROFILE=prod: {name}") for line in lines), (name, lines)
    ok = _check(strong())
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "Production settings: ok."


def test_uvicorn_does_not_start_the_app_with_a_weak_setting(tmp_path: Path, seeded_sqlite: str) -> None:
    env = strong() | {"RASA_JWT_SECRET": ""}
    with pytest.raises(RuntimeError) as failed, serve_app(seeded_sqlite, tmp_path, env):
        pass
    assert "process exited" in str(failed.value)
    assert "RASA_JWT_SECRET is empty" in str(failed.value)
