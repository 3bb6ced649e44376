"""Issue 17, finding 2: two-step sign-in with an authenticator app (TOTP, RFC 6238), required for
admins in the prod profile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from knowledge_base import settings
from knowledge_base.db import session_scope
from knowledge_base.models import AuditLog, StaffSession
from knowledge_base.staff import totp
from knowledge_base.staff.auth import totp_required_for
from tests.staff.conftest import API, PASSWORDS, SignIn, Staff

# RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" and its 8-digit codes, of which an
# authenticator app shows the last 6.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_CODES = {
    59: "94287082",
    1111111109: "07081804",
    1111111111: "14050471",
    1234567890: "89005924",
    2000000000: "69279037",
    20000000000: "65353130",
}


@pytest.mark.parametrize(("at", "code"), list(RFC_CODES.items()))
def test_codes_are_rfc_6238_sha1(at: int, code: str) -> None:
    assert totp.code_at(RFC_SECRET, at) == code[-6:]


def test_a_code_is_good_one_step_either_side_and_never_twice() -> None:
    at = 1111111111
    step = totp.step_at(at)
    assert totp.match_step(RFC_SECRET, totp.code_at(RFC_SECRET, at - 30), at=at) == step - 1
    assert totp.match_step(RFC_SECRET, totp.code_at(RFC_SECRET, at + 30), at=at) == step + 1
    assert totp.match_step(RFC_SECRET, totp.code_at(RFC_SECRET, at + 60), at=at) is None
    assert totp.match_step(RFC_SECRET, totp.code_at(RFC_SECRET, at), at=at, after=step) is None
    assert totp.match_step(RFC_SECRET, "12345", at=at) is None


def test_the_uri_is_what_authenticator_apps_read() -> None:
    uri = totp.provisioning_uri("ABCDEFGH", "quan.tri")
    assert uri.startswith("otpauth://totp/Tr%E1%BB%A3%20l%C3%BD%20TTHC%3Aquan.tri?secret=ABCDEFGH&")
    assert "algorithm=SHA1&digits=6&period=30" in uri


def test_admins_must_use_it_in_the_prod_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    for profile, switch, admin in (
        ("prod", "", True),
        ("prod", "false", True),  # no way to turn the requirement off in prod
        ("local", "", False),
        ("local", "true", True),
    ):
        monkeypatch.setenv("PROFILE", profile)
        monkeypatch.setenv("STAFF_TOTP_ADMINS", switch or "false")
        settings.get_settings.cache_clear()
        assert totp_required_for("admin") is admin, (profile, switch)
        assert totp_required_for("editor") is False
    settings.get_settings.cache_clear()


class Clock:
    """The time the server checks codes at (a step boundary, moved on by the tests)."""

    def __init__(self) -> None:
        """Start on a step boundary."""
        self.now = 1_800_000_000.0

    def code(self, secret: str, steps: int = 0) -> str:
        """The code an app shows `steps` steps from now."""
        return totp.code_at(secret, self.now + steps * totp.PERIOD)

    def tick(self) -> None:
        """One step later."""
        self.now += totp.PERIOD


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The server's TOTP clock, under the test's control."""
    fake = Clock()
    monkeypatch.setattr(totp, "_now", lambda: fake.now)
    return fake


def _enrol(staff: Staff, clock: Clock) -> str:
    """Turn two-step sign-in on for a signed-in officer (the current step is then spent); the secret."""
    setup = staff.post("/auth/totp/setup")
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["uri"].startswith("otpauth://totp/") and f"secret={secret}" in setup.json()["uri"]
    wrong = staff.post("/auth/totp/confirm", {"totp_code": _other(clock.code(secret))})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "totp_code"
    confirmed = staff.post("/auth/totp/confirm", {"totp_code": clock.code(secret)})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["user"]["totp_enabled"] is True
    clock.tick()
    return secret


def _other(code: str) -> str:
    return str((int(code) + 1) % 10**6).zfill(6)


def _password_step(client: TestClient, username: str) -> Any:
    return client.post(f"{API}/auth/login", json={"username": username, "password": PASSWORDS[username]})


def test_sign_in_takes_the_password_then_a_code_used_once(
    editor: Staff, sign_in: SignIn, staff_db: str, clock: Clock
) -> None:
    secret = _enrol(editor, clock)
    client = sign_in.anonymous()
    first = _password_step(client, "bien.tap")
    assert first.status_code == 200
    assert first.json() == {
        "user": None,
        "csrf_token": "",
        "totp_required": True,
        "totp_enrol_required": False,
    }
    # The password alone opens nothing.
    assert client.get(f"{API}/auth/me").status_code == 401
    assert client.get("/staff/faq", follow_redirects=False).status_code == 303
    wrong = client.post(f"{API}/auth/login/totp", json={"totp_code": _other(clock.code(secret))})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới."
    too_late = client.post(f"{API}/auth/login/totp", json={"totp_code": clock.code(secret, -2)})
    assert too_late.status_code == 401
    code = clock.code(secret)
    signed_in = client.post(f"{API}/auth/login/totp", json={"totp_code": code})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["username"] == "bien.tap" and signed_in.json()["csrf_token"]
    assert client.get(f"{API}/auth/me").status_code == 200
    # The same code again, on another sign-in: refused (a code seen over a shoulder is spent).
    other = sign_in.anonymous()
    assert _password_step(other, "bien.tap").json()["totp_required"] is True
    reused = other.post(f"{API}/auth/login/totp", json={"totp_code": code})
    assert reused.status_code == 401
    clock.tick()
    assert other.post(f"{API}/auth/login/totp", json={"totp_code": code}).status_code == 401
    later = other.post(f"{API}/auth/login/totp", json={"totp_code": clock.code(secret)})
    assert later.status_code == 200
    # No code without a password first.
    fresh = sign_in.anonymous()
    alone = fresh.post(f"{API}/auth/login/totp", json={"totp_code": clock.code(secret, 1)})
    assert alone.status_code == 401
    assert alone.json()["detail"] == "Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu."
    with session_scope(staff_db) as session:
        pending = session.scalars(select(StaffSession).where(StaffSession.mfa_pending.is_(True))).all()
        methods = [
            (row.after or {}).get("method")
            for row in session.scalars(
                select(AuditLog).where(AuditLog.action == "login", AuditLog.actor == "bien.tap")
            )
        ]
        failures = session.scalars(
            select(AuditLog).where(AuditLog.action == "login_failed", AuditLog.actor == "bien.tap")
        ).all()
    assert pending == []  # the pending sessions ended when the codes came
    assert methods[-2:] == ["password+totp", "password+totp"]
    assert [(f.after or {}).get("reason") for f in failures] == ["totp"] * 4


def test_wrong_codes_count_towards_the_login_limit(editor: Staff, sign_in: SignIn, clock: Clock) -> None:
    secret = _enrol(editor, clock)
    client = sign_in.anonymous()
    _password_step(client, "bien.tap")
    wrong = _other(clock.code(secret))
    statuses = [
        client.post(f"{API}/auth/login/totp", json={"totp_code": wrong}).status_code for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    # The pending session ended with the block: the right code now opens nothing either.
    late = client.post(f"{API}/auth/login/totp", json={"totp_code": clock.code(secret)})
    assert late.status_code == 401


@pytest.fixture
def totp_for_admins(staff_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Admins must use two-step sign-in (as in the prod profile)."""
    monkeypatch.setenv("STAFF_TOTP_ADMINS", "true")
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


def test_an_admin_without_two_step_sign_in_can_only_enrol(
    totp_for_admins: None, sign_in: SignIn, staff_db: str, clock: Clock
) -> None:
    admin = sign_in("quan.tri")
    me = admin.get("/auth/me").json()
    assert me["totp_enrol_required"] is True and me["user"]["totp_required"] is True
    refused = admin.get("/users")
    assert refused.status_code == 403
    assert "xác thực hai bước" in refused.json()["detail"]
    assert admin.post("/faq", {"questions": ["Hỏi gì đó nhé"], "answer": "Đáp"}).status_code == 403
    page = admin.client.get("/staff/users", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/account?totp=required"
    assert admin.client.get("/staff/account").status_code == 200
    # Enrolling opens everything, in this very session.
    secret = _enrol(admin, clock)
    assert admin.get("/users").status_code == 200
    assert admin.get("/auth/me").json()["totp_enrol_required"] is False
    # ... and it cannot be turned off again by the admin.
    off = admin.post("/auth/totp/disable", {"totp_code": clock.code(secret)})
    assert off.status_code == 403
    with session_scope(staff_db) as session:
        denied = session.scalars(select(AuditLog).where(AuditLog.action == "access_denied")).all()
        enabled = session.scalars(select(AuditLog).where(AuditLog.action == "totp_enable")).all()
    assert {(d.actor, (d.after or {}).get("reason")) for d in denied} >= {
        ("quan.tri", "totp_enrolment_required")
    }
    assert [e.actor for e in enabled] == ["quan.tri"]
    # An editor is not asked to enrol.
    assert sign_in("bien.tap").get("/faq").status_code == 200


def test_an_admin_resets_a_lost_phone_and_the_officer_signs_in_with_the_password(
    admin: Staff, editor: Staff, sign_in: SignIn, clock: Clock
) -> None:
    _enrol(editor, clock)
    users = {u["username"]: u for u in admin.get("/users").json()}
    assert users["bien.tap"]["totp_enabled"] is True
    reset = admin.patch(f"/users/{users['bien.tap']['id']}", {"reset_totp": True})
    assert reset.status_code == 200 and reset.json()["totp_enabled"] is False
    assert editor.get("/auth/me").status_code == 401  # their sessions ended
    again = _password_step(sign_in.anonymous(), "bien.tap")
    assert again.status_code == 200 and again.json()["totp_required"] is False


def test_an_editor_may_turn_it_off_with_a_current_code(editor: Staff, sign_in: SignIn, clock: Clock) -> None:
    secret = _enrol(editor, clock)
    assert editor.post("/auth/totp/setup").status_code == 409  # already on
    off = editor.post("/auth/totp/disable", {"totp_code": clock.code(secret)})
    assert off.status_code == 200 and off.json()["user"]["totp_enabled"] is False
    assert _password_step(sign_in.anonymous(), "bien.tap").json()["totp_required"] is False
