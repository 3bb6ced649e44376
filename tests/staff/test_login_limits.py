"""Issue 17, finding 2: the login limit per account, a lock that tells nothing and costs nothing,
the bound on password hashing, common passwords refused, control characters refused (finding 11)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from knowledge_base.db import get_engine, session_scope
from knowledge_base.maintenance import migrate
from knowledge_base.models import AuditLog, LoginAttempt
from knowledge_base.staff import auth
from knowledge_base.staff.common import StaffError
from tests.staff.conftest import API, PASSWORDS, SignIn, Staff, add_staff, using_database

LOCKED = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."


def _try(url: str, password: str, ip: str, username: str = "bien.tap") -> StaffError | None:
    """One sign-in through the knowledge base, committed as the route does; the refusal, if any."""
    with session_scope(url) as session:
        try:
            auth.login(session, username=username, password=password, ip=ip)
        except StaffError as refused:
            session.commit()
            return refused
        session.commit()
        return None


def test_an_account_locks_whatever_address_the_guesses_come_from(staff_db: str) -> None:
    # Ten wrong passwords, each from another address (a forged or rotated X-Forwarded-For): the
    # account locks for everyone, the right password included, with the same answer.
    for n in range(10):
        refused = _try(staff_db, "doan-mo-1234", f"203.0.113.{n}")
        assert refused is not None and refused.status == 401
    right = _try(staff_db, PASSWORDS["bien.tap"], "198.51.100.7")
    wrong = _try(staff_db, "doan-mo-5678", "198.51.100.8")
    assert right is not None and wrong is not None
    assert (right.status, right.message) == (wrong.status, wrong.message) == (429, LOCKED)
    # Another account is not locked by someone guessing this one.
    assert _try(staff_db, PASSWORDS["bien.tap2"], "203.0.113.1", "bien.tap2") is None
    with session_scope(staff_db) as session:
        blocked = session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == "login_blocked", AuditLog.actor == "bien.tap"
            )
        )
    assert blocked == 2


def test_a_locked_account_computes_no_hash_and_answers_identically(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = sign_in.anonymous()
    for _ in range(5):
        client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-1234"})
    hashed: list[str] = []
    real_verify = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, p: hashed.append(p) or real_verify(h, p))
    right = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]})
    wrong = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-9999"})
    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content
    assert right.headers["retry-after"] == wrong.headers["retry-after"]
    assert "set-cookie" not in right.headers
    assert hashed == []  # the lock is decided before any argon2 hash


def test_a_deactivated_account_answers_the_same_whatever_the_password(
    admin: Staff, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = {u["username"]: u for u in admin.get("/users").json()}
    assert admin.patch(f"/users/{users['bien.tap']['id']}", {"active": False}).status_code == 200
    hashed: list[str] = []
    real_verify = auth._verify
    monkeypatch.setattr(auth, "_verify", lambda h, p: hashed.append(p) or real_verify(h, p))
    client = sign_in.anonymous()
    right = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]})
    wrong = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-9999"})
    assert right.status_code == wrong.status_code == 403
    assert right.content == wrong.content
    assert right.json()["detail"] == "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên."
    assert hashed == []


def test_sign_ins_beyond_the_hash_slots_are_turned_away_not_queued(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every argon2 hash takes 64 MiB and a core: a flood of sign-ins must not take the threads and
    # cores the public API needs. With every slot busy, a sign-in is told to come back.
    monkeypatch.setattr(auth, "_HASH_WAIT_SECONDS", 0.05)
    client = sign_in.anonymous()
    held = 0
    while auth.HASH_SLOTS.acquire(blocking=False):
        held += 1
    try:
        busy = client.post(
            f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
        )
    finally:
        for _ in range(held):
            auth.HASH_SLOTS.release()
    assert held == 2
    assert busy.status_code == 503
    assert busy.json()["detail"] == "Hệ thống đang bận. Vui lòng thử lại sau ít giây."
    ok = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]})
    assert ok.status_code == 200


@pytest.mark.parametrize("password", ["Matkhau@2024", "Anhyeuem123456", "QWERTYUIOP123", "123456789a@"])
def test_common_and_leaked_passwords_are_refused_when_set(admin: Staff, editor: Staff, password: str) -> None:
    assert password.lower() in auth.common_passwords()  # from the shipped list, any letter case
    created = admin.post("/users", {"username": "can.bo.moi", "role": "editor", "password": password})
    assert created.status_code == 422
    assert created.json()["detail"] == "Mật khẩu quá dễ đoán; hãy chọn mật khẩu khác."
    changed = editor.post(
        "/auth/password", {"current_password": PASSWORDS["bien.tap"], "new_password": password}
    )
    assert changed.status_code == 422
    assert changed.json()["errors"] == [
        {"field": "new_password", "message": "Mật khẩu quá dễ đoán; hãy chọn mật khẩu khác."}
    ]
    users = {u["username"]: u for u in admin.get("/users").json()}
    reset = admin.patch(f"/users/{users['bien.tap2']['id']}", {"password": password})
    assert reset.status_code == 422


def test_the_shipped_list_is_a_few_thousand_entries_and_says_how_it_was_made() -> None:
    header = auth.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[:12]
    assert any("How it was made" in line for line in header)
    entries = auth.common_passwords()
    assert 3000 <= len(entries) <= 20000
    assert {"matkhau123", "anhyeuem", "123456a@", "1qaz2wsx3edc", "iloveyou123"} <= entries
    assert all(entry == entry.lower() for entry in entries)
    # The accounts of the tests are not in it (nor a strong password).
    assert not {p.lower() for p in PASSWORDS.values()} & entries


# --------------------------------------------------------------------------------------------- #
# Finding 11: control characters in the login name or password are refused before any query
# --------------------------------------------------------------------------------------------- #


def _nul_refusals(client_app: SignIn, url: str) -> None:
    client = client_app.anonymous()
    before = _attempts(url)
    for body, field, message in (
        (
            {"username": "bien\x00tap", "password": "x" * 12},
            "username",
            "Tên đăng nhập chứa ký tự không hợp lệ.",
        ),
        (
            {"username": "bien.tap\n", "password": "x" * 12},
            "username",
            "Tên đăng nhập chứa ký tự không hợp lệ.",
        ),
        (
            {"username": "bien.tap", "password": "abc\x00defghij"},
            "password",
            "Mật khẩu chứa ký tự không hợp lệ.",
        ),
    ):
        response = client.post(f"{API}/auth/login", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == [{"field": field, "message": message}]
    assert _attempts(url) == before  # refused before the database was asked anything


def _attempts(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count(LoginAttempt.id))) or 0)


def test_a_nul_in_the_login_is_a_422_on_sqlite(sign_in: SignIn, staff_db: str) -> None:
    _nul_refusals(sign_in, staff_db)


@pytest.fixture
def staff_postgres(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, with the test accounts (dropped afterwards)."""
    name = f"tthc_staff_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        add_staff(url)
        with using_database(url):
            yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_a_nul_in_the_login_is_a_422_on_postgresql(staff_postgres: str) -> None:
    signer = SignIn()
    try:
        _nul_refusals(signer, staff_postgres)
        # ... and the account still signs in normally there.
        ok = signer.anonymous().post(
            f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
        )
        assert ok.status_code == 200
    finally:
        signer.close()
