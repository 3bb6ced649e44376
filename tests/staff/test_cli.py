"""`make admin` / `python -m knowledge_base.staff create-admin`: no default password, ever."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from knowledge_base.db import session_scope
from knowledge_base.models import StaffUser
from tests.plugin_app import PROJECT_ROOT


def _run(url: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STAFF_ADMIN_")}
    return subprocess.run(
        [sys.executable, "-m", "knowledge_base.staff", "create-admin", *env.pop("args", "").split()],
        cwd=PROJECT_ROOT,
        env=clean | {"DATABASE_URL": url} | env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_the_first_admin_comes_from_the_environment(fresh_sqlite: str) -> None:
    result = _run(
        fresh_sqlite, STAFF_ADMIN_USERNAME="Truong.Phong", STAFF_ADMIN_PASSWORD="Mot-Cua-2026-an-toan"
    )
    assert result.returncode == 0, result.stderr
    assert "Admin truong.phong: created" in result.stdout
    with session_scope(fresh_sqlite) as session:
        user = session.scalar(select(StaffUser))
        assert (user.username, user.role, user.active) == ("truong.phong", "admin", True)
        assert user.password_hash.startswith("$argon2id$")
    again = _run(
        fresh_sqlite, STAFF_ADMIN_USERNAME="truong.phong", STAFF_ADMIN_PASSWORD="Mot-Cua-2026-an-toan"
    )
    assert again.returncode == 2 and "--reset-password" in again.stderr
    reset = _run(
        fresh_sqlite,
        STAFF_ADMIN_USERNAME="truong.phong",
        STAFF_ADMIN_PASSWORD="Mat-khau-moi-2027",
        args="--reset-password",
    )
    assert reset.returncode == 0 and "password reset" in reset.stdout


def test_without_a_password_and_without_a_terminal_it_refuses(fresh_sqlite: str) -> None:
    result = _run(fresh_sqlite, STAFF_ADMIN_USERNAME="truong.phong")
    assert result.returncode == 2
    assert "there is no default" in result.stderr
    weak = _run(fresh_sqlite, STAFF_ADMIN_USERNAME="truong.phong", STAFF_ADMIN_PASSWORD="12345")
    assert weak.returncode == 2 and "ít nhất 10 ký tự" in weak.stderr
    with session_scope(fresh_sqlite) as session:
        assert session.scalar(select(StaffUser)) is None


def test_a_common_password_is_refused_and_a_lost_phone_can_be_reset(fresh_sqlite: str) -> None:
    # Issue 17: the shipped list of common passwords applies here too.
    common = _run(fresh_sqlite, STAFF_ADMIN_USERNAME="truong.phong", STAFF_ADMIN_PASSWORD="Matkhau@2024")
    assert common.returncode == 2 and "quá dễ đoán" in common.stderr
    created = _run(
        fresh_sqlite, STAFF_ADMIN_USERNAME="truong.phong", STAFF_ADMIN_PASSWORD="Mot-Cua-2026-an-toan"
    )
    assert created.returncode == 0, created.stderr
    with session_scope(fresh_sqlite) as session:
        user = session.scalar(select(StaffUser))
        user.totp_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        user.totp_enabled_at = user.created_at
        session.commit()
    reset = _run(
        fresh_sqlite,
        STAFF_ADMIN_USERNAME="truong.phong",
        STAFF_ADMIN_PASSWORD="Mat-khau-moi-2027",
        args="--reset-password --reset-totp",
    )
    assert reset.returncode == 0, reset.stderr
    with session_scope(fresh_sqlite) as session:
        user = session.scalar(select(StaffUser))
        assert user.totp_secret is None and user.totp_enabled_at is None
