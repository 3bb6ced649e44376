"""Staff accounts, passwords (argon2id), sessions with CSRF tokens, and the login rate limit.

No web framework here: the FastAPI dependencies (`app.staff.deps`) and the command line
(`python -m knowledge_base.staff create-admin`) both use these functions.

Sessions: the browser holds a random token in an httpOnly, SameSite=Strict cookie; the database
holds only its SHA-256, so a leaked database copy opens no session. Each session has its own CSRF
token, which the pages send back in the ``X-CSRF-Token`` header on every state-changing request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from knowledge_base.models import ROLES, LoginAttempt, StaffSession, StaffUser
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.common import StaffError, aware, clean_text, now

# argon2-cffi's defaults: argon2id, 64 MiB, 3 passes (RFC 9106's second recommended option).
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# "seed" marks rows the shipped seed may still update (FAQ entries): no officer may be called that.
RESERVED_USERNAMES = frozenset({"seed", "system", "admin-bot"})
MIN_PASSWORD = 10
MAX_PASSWORD = 256
# Passwords an attacker tries first; refused whatever their length.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "1111111111",
        "0000000000",
        "1234512345",
        "qwertyuiop",
        "password123",
        "password1234",
        "matkhau123",
        "matkhau1234",
        "abc1234567",
        "admin12345",
        "administrator",
        "iloveyou123",
        "123456789a",
        "a123456789",
        "qwerty12345",
    }
)
ROLE_LABELS = {"editor": "Biên tập viên", "admin": "Quản trị viên"}
# An IP address may fail this many times the per-account limit in the window (password spraying).
_IP_FACTOR = 4
# last_seen_at is written at most this often per session.
_TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_password(password: str) -> str:
    """The argon2id hash of `password`."""
    return _hasher.hash(password)


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is not acceptable (Vietnamese), or None."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return f"Mật khẩu dài quá {MAX_PASSWORD} ký tự."
    if password != password.strip():
        return "Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách."
    if password.lower() in _COMMON_PASSWORDS or len(set(password)) < 4:
        return "Mật khẩu quá dễ đoán; hãy chọn mật khẩu khác."
    if username and username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def username_problem(username: str) -> str | None:
    """Why `username` is not acceptable (Vietnamese), or None."""
    if not USERNAME_RE.match(username):
        return (
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc "
            "gạch dưới, bắt đầu bằng chữ hoặc số."
        )
    if username in RESERVED_USERNAMES:
        return "Tên đăng nhập này được dành riêng cho hệ thống; hãy chọn tên khác."
    return None


@dataclass(frozen=True)
class Principal:
    """The signed-in officer of a request."""

    user_id: int
    username: str
    display_name: str
    role: str
    session_id: int
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        """Whether the officer may manage users, imports and settings."""
        return self.role == "admin"


def user_view(user: StaffUser) -> dict[str, object]:
    """A user as the pages see it (never the hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": ROLE_LABELS.get(user.role, user.role),
        "active": user.active,
        "created_at": aware(user.created_at).isoformat(),
        "created_by": user.created_by,
        "last_login_at": aware(user.last_login_at).isoformat() if user.last_login_at else None,
    }


def _audit_user(user: StaffUser) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
    }


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    created_by: str,
) -> StaffUser:
    """Create an officer's account (flushed, audited; the caller commits).

    Raises:
        StaffError: a bad username, role or password, or a username already taken.
    """
    username = username.strip().lower()
    problem = username_problem(username)
    if problem:
        raise StaffError(problem, field="username")
    if role not in ROLES:
        raise StaffError("Vai trò phải là biên tập viên (editor) hoặc quản trị viên (admin).", field="role")
    problem = password_problem(password, username)
    if problem:
        raise StaffError(problem, field="password")
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise StaffError(f"Tên đăng nhập {username} đã có người dùng.", status=409, field="username")
    user = StaffUser(
        username=username,
        display_name=clean_text(display_name)[:128] or username,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_by=created_by[:128],
        created_at=now(),
        password_changed_at=now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=created_by,
        action="user_create",
        entity="staff_user",
        entity_id=user.id,
        after=_audit_user(user),
    )
    return user


def update_user(
    session: Session,
    user: StaffUser,
    *,
    actor: Principal,
    display_name: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> StaffUser:
    """Change an account (admins only; checked by the caller). Audited without the password.

    An admin cannot demote or lock themselves out: there must always be someone able to manage users.
    A new password or a locked account ends the user's sessions.
    """
    before = _audit_user(user)
    if user.id == actor.user_id and (role not in (None, "admin") or active is False):
        raise StaffError("Bạn không thể tự hạ quyền hoặc khóa tài khoản của chính mình.", status=422)
    if role is not None:
        if role not in ROLES:
            raise StaffError(
                "Vai trò phải là biên tập viên (editor) hoặc quản trị viên (admin).", field="role"
            )
        user.role = role
    if display_name is not None:
        user.display_name = clean_text(display_name)[:128] or user.username
    if active is not None:
        user.active = active
    if password is not None:
        problem = password_problem(password, user.username)
        if problem:
            raise StaffError(problem, field="password")
        user.password_hash = hash_password(password)
        user.password_changed_at = now()
    if password is not None or active is False:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.flush()
    after = _audit_user(user) | ({"password": "đã đặt lại"} if password is not None else {})
    audit.record(
        session,
        actor=actor.username,
        action="user_update",
        entity="staff_user",
        entity_id=user.id,
        before=before,
        after=after,
    )
    return user


def change_own_password(session: Session, principal: Principal, *, current: str, new: str) -> None:
    """Change the signed-in officer's password; their other sessions end."""
    user = session.get(StaffUser, principal.user_id)
    if user is None or not _verify(user.password_hash, current):
        raise StaffError("Mật khẩu hiện tại không đúng.", status=422, field="current_password")
    problem = password_problem(new, user.username)
    if problem:
        raise StaffError(problem, field="new_password")
    user.password_hash = hash_password(new)
    user.password_changed_at = now()
    session.execute(
        delete(StaffSession).where(StaffSession.user_id == user.id, StaffSession.id != principal.session_id)
    )
    audit.record(
        session,
        actor=user.username,
        action="password_change",
        entity="staff_user",
        entity_id=user.id,
        after={"other_sessions_ended": True},
    )
    session.flush()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    """A new session: the cookie value (shown once) and the signed-in officer."""

    token: str
    principal: Principal
    expires_at: dt.datetime


def _failures(session: Session, *, since: dt.datetime, username: str | None, ip: str) -> int:
    statement = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    if username is not None:
        statement = statement.where(LoginAttempt.username == username)
        last_success = session.scalar(
            select(func.max(LoginAttempt.at)).where(
                LoginAttempt.ip == ip, LoginAttempt.username == username, LoginAttempt.success.is_(True)
            )
        )
        if last_success is not None and aware(last_success) > since:
            statement = statement.where(LoginAttempt.at > last_success)
    return int(session.scalar(statement) or 0)


def login(session: Session, *, username: str, password: str, ip: str, user_agent: str = "") -> LoginResult:
    """Check a sign-in and open a session (the caller commits, whatever the outcome).

    The rate limit counts failures per username and IP address within STAFF_LOGIN_WINDOW_MINUTES
    (a success starts the count again), and per IP address over all usernames. Attempts, failures
    and blocks are written to the audit log.

    Raises:
        StaffError: 429 while rate-limited, 401 for a wrong username or password (the same message
            for both), 403 for a locked account.
    """
    settings = get_settings()
    username = username.strip().lower()[:64]
    ip = ip[:64]
    window = dt.timedelta(minutes=settings.staff_login_window_minutes)
    since = now() - window
    # Housekeeping: attempts older than a day count for nothing (the audit log keeps every login),
    # and expired sessions open nothing.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now() - max(window, dt.timedelta(days=1))))
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now()))
    limit = settings.staff_login_max_failures
    if (
        _failures(session, since=since, username=username, ip=ip) >= limit
        or _failures(session, since=since, username=None, ip=ip) >= limit * _IP_FACTOR
    ):
        audit.record(
            session, actor=username or "?", action="login_blocked", entity="staff_user", after={"ip": ip}
        )
        minutes = max(1, round(settings.staff_login_window_minutes))
        raise StaffError(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.", status=429)
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    ok = _verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    session.add(LoginAttempt(username=username, ip=ip, at=now(), success=ok))
    if not ok or user is None:
        audit.record(
            session,
            actor=username or "?",
            action="login_failed",
            entity="staff_user",
            entity_id=user.id if user else "",
            after={"ip": ip},
        )
        raise StaffError("Tên đăng nhập hoặc mật khẩu không đúng.", status=401)
    if not user.active:
        audit.record(
            session,
            actor=username,
            action="login_failed",
            entity="staff_user",
            entity_id=user.id,
            after={"ip": ip, "reason": "locked"},
        )
        raise StaffError("Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.", status=403)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    expires = now() + dt.timedelta(hours=settings.staff_session_hours)
    row = StaffSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now(),
        expires_at=expires,
        last_seen_at=now(),
        ip=ip,
        user_agent=clean_text(user_agent)[:255],
    )
    session.add(row)
    user.last_login_at = now()
    session.flush()
    audit.record(
        session,
        actor=username,
        action="login",
        entity="staff_user",
        entity_id=user.id,
        after={"ip": ip, "session_id": row.id},
    )
    return LoginResult(token, _principal(user, row), expires)


def _principal(user: StaffUser, row: StaffSession) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        session_id=row.id,
        csrf_token=row.csrf_token,
    )


def session_principal(session: Session, token: str) -> Principal | None:
    """The officer a session cookie belongs to, or None when unknown, expired, idle too long or locked."""
    if not token or len(token) > 200:
        return None
    found = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    current = now()
    idle = dt.timedelta(minutes=get_settings().staff_session_idle_minutes)
    if not user.active or aware(row.expires_at) <= current or aware(row.last_seen_at) + idle <= current:
        session.delete(row)
        session.commit()
        return None
    if current - aware(row.last_seen_at) >= _TOUCH_EVERY:
        row.last_seen_at = current
        session.commit()
    return _principal(user, row)


def csrf_ok(principal: Principal, sent: str | None) -> bool:
    """Whether the CSRF token sent with a request is the session's (constant-time compare)."""
    return bool(sent) and hmac.compare_digest(principal.csrf_token.encode(), str(sent).encode())


def logout(session: Session, principal: Principal) -> None:
    """End the current session (audited)."""
    session.execute(delete(StaffSession).where(StaffSession.id == principal.session_id))
    audit.record(
        session, actor=principal.username, action="logout", entity="staff_user", entity_id=principal.user_id
    )


def list_sessions(session: Session, principal: Principal) -> list[dict[str, object]]:
    """The signed-in officer's own sessions (never anyone else's)."""
    rows = session.scalars(
        select(StaffSession).where(StaffSession.user_id == principal.user_id).order_by(StaffSession.id.desc())
    )
    return [
        {
            "id": row.id,
            "created_at": aware(row.created_at).isoformat(),
            "last_seen_at": aware(row.last_seen_at).isoformat(),
            "expires_at": aware(row.expires_at).isoformat(),
            "ip": row.ip,
            "user_agent": row.user_agent,
            "current": row.id == principal.session_id,
        }
        for row in rows
    ]


def revoke_session(session: Session, principal: Principal, session_id: int) -> None:
    """End one of the officer's own sessions; someone else's is "not found"."""
    row = session.get(StaffSession, session_id)
    if row is None or row.user_id != principal.user_id:
        raise StaffError("Không tìm thấy phiên đăng nhập này.", status=404)
    session.delete(row)
    audit.record(
        session,
        actor=principal.username,
        action="session_revoke",
        entity="staff_session",
        entity_id=session_id,
    )
    session.flush()


def ensure_admin(
    session: Session, *, username: str, password: str, display_name: str = "", reset_password: bool = False
) -> tuple[StaffUser, bool]:
    """Create the first admin (or reset an existing admin's password); return (user, created).

    Used by `make admin`. There is no default password: the caller supplies one.
    """
    username = username.strip().lower()
    existing = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if existing is None:
        return (
            create_user(
                session,
                username=username,
                password=password,
                role="admin",
                display_name=display_name,
                created_by="make-admin",
            ),
            True,
        )
    if not reset_password:
        raise StaffError(f"Tài khoản {username} đã có. Dùng --reset-password để đặt lại mật khẩu.", 409)
    problem = password_problem(password, username)
    if problem:
        raise StaffError(problem, field="password")
    before = _audit_user(existing)
    existing.password_hash = hash_password(password)
    existing.password_changed_at = now()
    existing.role = "admin"
    existing.active = True
    session.execute(delete(StaffSession).where(StaffSession.user_id == existing.id))
    audit.record(
        session,
        actor="make-admin",
        action="user_update",
        entity="staff_user",
        entity_id=existing.id,
        before=before,
        after=_audit_user(existing) | {"password": "đã đặt lại"},
    )
    session.flush()
    return existing, False
