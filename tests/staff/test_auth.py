"""Signing in: argon2 hashes, the session cookie, the login rate limit, passwords, own sessions."""

from __future__ import annotations

from sqlalchemy import select

from knowledge_base.db import session_scope
from knowledge_base.models import AuditLog, StaffSession, StaffUser
from tests.staff.conftest import API, PASSWORDS, SignIn, Staff


def test_passwords_are_stored_as_argon2id_hashes(staff_db: str) -> None:
    with session_scope(staff_db) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "bien.tap"))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORDS["bien.tap"] not in user.password_hash


def test_sign_in_sets_an_httponly_strict_cookie_and_stores_only_its_hash(
    sign_in: SignIn, staff_db: str
) -> None:
    client = sign_in.anonymous()
    response = client.post(
        f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("tthc_staff=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    body = response.json()
    assert body["user"]["username"] == "bien.tap" and body["user"]["role"] == "editor"
    assert "password_hash" not in body["user"]
    assert len(body["csrf_token"]) >= 32
    with session_scope(staff_db) as session:
        stored = list(session.scalars(select(StaffSession.token_hash)))
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert client.get(f"{API}/auth/me").json()["csrf_token"] == body["csrf_token"]


def test_a_wrong_password_and_an_unknown_user_get_the_same_vietnamese_answer(sign_in: SignIn) -> None:
    client = sign_in.anonymous()
    wrong = client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "sai-mat-khau-roi"})
    unknown = client.post(f"{API}/auth/login", json={"username": "khong.co", "password": "sai-mat-khau-roi"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert "set-cookie" not in wrong.headers


def test_login_is_rate_limited_per_username_and_ip(sign_in: SignIn, staff_db: str) -> None:
    client = sign_in.anonymous()
    for _ in range(5):
        assert (
            client.post(
                f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-1234"}
            ).status_code
            == 401
        )
    blocked = client.post(
        f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
    )
    assert blocked.status_code == 429
    assert blocked.json()["detail"] == "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
    assert int(blocked.headers["retry-after"]) == 900
    # Another account from the same address is not locked out by someone guessing this one.
    other = client.post(
        f"{API}/auth/login", json={"username": "bien.tap2", "password": PASSWORDS["bien.tap2"]}
    )
    assert other.status_code == 200
    with session_scope(staff_db) as session:
        actions = [a for (a,) in session.execute(select(AuditLog.action).where(AuditLog.actor == "bien.tap"))]
    assert actions.count("login_failed") == 5 and "login_blocked" in actions


def test_a_success_resets_the_failure_count(sign_in: SignIn) -> None:
    client = sign_in.anonymous()
    for _ in range(4):
        client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-1234"})
    assert (
        client.post(
            f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
        ).status_code
        == 200
    )
    for _ in range(4):
        client.post(f"{API}/auth/login", json={"username": "bien.tap", "password": "doan-mo-1234"})
    assert (
        client.post(
            f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
        ).status_code
        == 200
    )


def test_logout_ends_the_session_on_the_server(editor: Staff) -> None:
    cookie = editor.client.cookies.get("tthc_staff")
    assert editor.post("/auth/logout").status_code == 200
    editor.client.cookies.set("tthc_staff", cookie)  # a copy of the old cookie is worthless
    assert editor.get("/auth/me").status_code == 401


def test_login_validation_messages_are_vietnamese(sign_in: SignIn) -> None:
    client = sign_in.anonymous()
    response = client.post(f"{API}/auth/login", json={"username": "", "password": "x", "remember": True})
    assert response.status_code == 422
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages["username"] == "Tên đăng nhập không được để trống."
    assert messages["remember"] == "Trường “remember” không được chấp nhận."
    not_json = client.post(f"{API}/auth/login", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 422
    assert "JSON" in not_json.json()["detail"]


def test_a_locked_account_cannot_sign_in_and_loses_its_sessions(
    admin: Staff, editor: Staff, sign_in: SignIn
) -> None:
    users = {u["username"]: u for u in admin.get("/users").json()}
    assert admin.patch(f"/users/{users['bien.tap']['id']}", {"active": False}).status_code == 200
    assert editor.get("/auth/me").status_code == 401
    client = sign_in.anonymous()
    response = client.post(
        f"{API}/auth/login", json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên."


def test_password_change_checks_the_current_one_and_the_rules(editor: Staff, sign_in: SignIn) -> None:
    other = sign_in("bien.tap")
    wrong = editor.post(
        "/auth/password", {"current_password": "khong-dung-dau", "new_password": "Mat-khau-moi-2026"}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"] == "Mật khẩu hiện tại không đúng."
    short = editor.post("/auth/password", {"current_password": PASSWORDS["bien.tap"], "new_password": "ngan"})
    assert short.json()["detail"] == "Mật khẩu cần ít nhất 10 ký tự."
    with_name = editor.post(
        "/auth/password", {"current_password": PASSWORDS["bien.tap"], "new_password": "bien.tap-2026-moi"}
    )
    assert with_name.json()["detail"] == "Mật khẩu không được chứa tên đăng nhập."
    ok = editor.post(
        "/auth/password", {"current_password": PASSWORDS["bien.tap"], "new_password": "Mat-khau-moi-2026"}
    )
    assert ok.status_code == 200
    assert editor.get("/auth/me").status_code == 200  # this session stays
    assert other.get("/auth/me").status_code == 401  # the other one ends


def test_sessions_of_another_user_cannot_be_seen_or_ended(editor: Staff, editor2: Staff) -> None:
    mine = editor.get("/auth/sessions").json()
    theirs = editor2.get("/auth/sessions").json()
    assert [s["current"] for s in mine] == [True]
    assert {s["id"] for s in mine}.isdisjoint({s["id"] for s in theirs})
    response = editor.delete(f"/auth/sessions/{theirs[0]['id']}")
    assert response.status_code == 404
    assert editor2.get("/auth/me").status_code == 200


def test_admins_manage_users_with_vietnamese_validation(admin: Staff) -> None:
    bad = admin.post("/users", {"username": "Ab", "role": "editor", "password": "Mat-khau-dai-2026"})
    assert bad.status_code == 422 and "Tên đăng nhập gồm 3–64 ký tự" in bad.json()["detail"]
    reserved = admin.post("/users", {"username": "seed", "role": "editor", "password": "Mat-khau-dai-2026"})
    assert reserved.json()["detail"] == "Tên đăng nhập này được dành riêng cho hệ thống; hãy chọn tên khác."
    weak = admin.post("/users", {"username": "can.bo.moi", "role": "editor", "password": "1234567890"})
    assert weak.json()["detail"] == "Mật khẩu quá dễ đoán; hãy chọn mật khẩu khác."
    role = admin.post("/users", {"username": "can.bo.moi", "role": "boss", "password": "Mat-khau-dai-2026"})
    assert role.status_code == 422 and role.json()["errors"][0]["field"] == "role"
    created = admin.post(
        "/users", {"username": "can.bo.moi", "role": "editor", "password": "Mat-khau-dai-2026"}
    )
    assert created.status_code == 201 and created.json()["role"] == "editor"
    again = admin.post(
        "/users", {"username": "can.bo.moi", "role": "editor", "password": "Mat-khau-dai-2026"}
    )
    assert again.status_code == 409 and again.json()["detail"] == "Tên đăng nhập can.bo.moi đã có người dùng."
    me = admin.get("/auth/me").json()["user"]
    self_demote = admin.patch(f"/users/{me['id']}", {"role": "editor"})
    assert self_demote.status_code == 422
    assert self_demote.json()["detail"] == "Bạn không thể tự hạ quyền hoặc khóa tài khoản của chính mình."
