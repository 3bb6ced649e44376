"""Staff accounts, passwords (argon2id), two-step sign-in (TOTP), sessions with CSRF tokens, and the
login rate limit.

No web framework here: the FastAPI dependencies (`app.staff.deps`) and the command line
(`python -m knowledge_base.staff create-admin`) both use these functions.

Sessions: the browser holds a random token in an httpOnly, SameSite=Strict cookie; the database
holds only its SHA-256, so a leaked database copy opens no session. Each session has its own CSRF
token, which the pages send back in the ``X-CSRF-Token`` header on every state-changing request.

Two-step sign-in: an officer who enrolled an authenticator app (`start_totp` then `confirm_totp`)
gets, for a right password, a pending session that opens nothing; `login_totp` with a valid code
turns it into a real one (under a new token). Admins must enrol when `totp_required_for` says so
(the prod profile): until then their session may only reach their own account (`Principal.must_enrol`).

The rate limit counts failed passwords and codes per (username, address), per username over every
address, and per address over every username; a blocked sign-in answers the same whatever the
password, and computes no hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from knowledge_base.models import ROLES, LoginAttempt, StaffSession, StaffUser
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit, totp
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
#: Passwords an attacker tries first (common and breached-style ones, composed from public patterns;
#: the file's header says how): refused whatever their length, compared case-insensitively.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
ROLE_LABELS = {"editor": "Biên tập viên", "admin": "Quản trị viên"}
# An IP address may fail this many times the per-account limit in the window (password spraying).
_IP_FACTOR = 4
# last_seen_at is written at most this often per session.
_TOUCH_EVERY = dt.timedelta(minutes=1)
#: How long a right password waits for its TOTP code.
TOTP_PENDING = dt.timedelta(minutes=5)
#: Password hashes computed at once for sign-ins (argon2id: 64 MiB and a core each). More sign-ins at
#: the same moment are turned away (503) rather than queued on the threads the public API needs too.
HASH_SLOTS = threading.BoundedSemaphore(2)
_HASH_WAIT_SECONDS = 2.0


def hash_password(password: str) -> str:
    """The argon2id hash of `password`."""
    return _hasher.hash(password)


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a control character (NUL, line breaks, escapes ...)."""
    return any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value)


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is not acceptable (Vietnamese), or None."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return f"Mật khẩu dài quá {MAX_PASSWORD} ký tự."
    if password != password.strip():
        return "Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách."
    if has_control_characters(password):
        return "Mật khẩu chứa ký tự điều khiển không hợp lệ."
    # One message for both: a common or leaked password is as easy to guess as "aaaaaaaaaa".
    if password.lower() in common_passwords() or len(set(password)) < 4:
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
    # An admin who must use two-step sign-in and has not enrolled yet: only their own account opens.
    must_enrol: bool = False

    @property
    def is_admin(self) -> bool:
        """Whether the officer may manage users, imports and settings."""
        return self.role == "admin"


def totp_required_for(role: str) -> bool:
    """Whether officers of `role` must sign in with a TOTP code (admins, in the prod profile)."""
    settings = get_settings()
    return role == "admin" and (settings.profile == "prod" or settings.staff_totp_admins)


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
        "totp_enabled": user.totp_enabled_at is not None,
        "totp_required": totp_required_for(user.role),
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
    reset_totp: bool = False,
) -> StaffUser:
    """Change an account (admins only; checked by the caller). Audited without the password.

    An admin cannot demote or lock themselves out: there must always be someone able to manage users.
    A new password, a locked account or a reset two-step sign-in (a lost phone: the officer enrols
    again at the next sign-in) ends the user's sessions.
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
    if reset_totp:
        _clear_totp(user)
    if password is not None or active is False or reset_totp:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.flush()
    after = _audit_user(user) | ({"password": "đã đặt lại"} if password is not None else {})
    if reset_totp:
        after["totp"] = "đã tắt, cần cài lại"
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
    """A new session: the cookie value (shown once) and the signed-in officer.

    With `totp_required`, the session is pending: it opens nothing until `login_totp` gets a code.
    """

    token: str
    principal: Principal
    expires_at: dt.datetime
    totp_required: bool = False


def _failures(session: Session, *, since: dt.datetime, username: str | None, ip: str | None) -> int:
    """Failed attempts since `since` (and since the last success, when counting per username)."""
    statement = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    if ip is not None:
        statement = statement.where(LoginAttempt.ip == ip)
    if username is not None:
        statement = statement.where(LoginAttempt.username == username)
        last = select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(True)
        )
        if ip is not None:
            last = last.where(LoginAttempt.ip == ip)
        last_success = session.scalar(last)
        if last_success is not None and aware(last_success) > since:
            statement = statement.where(LoginAttempt.at > last_success)
    return int(session.scalar(statement) or 0)


def _check_rate_limit(session: Session, *, username: str, ip: str) -> None:
    """Refuse (429, audited) while the account, the address or the pair has failed too often.

    Nothing here depends on the password, and no hash is computed: a blocked sign-in answers the
    same whether the password was right or wrong.
    """
    settings = get_settings()
    since = now() - dt.timedelta(minutes=settings.staff_login_window_minutes)
    limit = settings.staff_login_max_failures
    if (
        _failures(session, since=since, username=username, ip=ip) >= limit
        or _failures(session, since=since, username=username, ip=None)
        >= settings.staff_login_account_max_failures
        or _failures(session, since=since, username=None, ip=ip) >= limit * _IP_FACTOR
    ):
        audit.record(
            session, actor=username or "?", action="login_blocked", entity="staff_user", after={"ip": ip}
        )
        minutes = max(1, round(settings.staff_login_window_minutes))
        raise StaffError(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.", status=429)


def _verify_login_password(password_hash: str, password: str) -> bool:
    """Check a sign-in's password within the hash slots (503 when they are all busy)."""
    if not HASH_SLOTS.acquire(timeout=_HASH_WAIT_SECONDS):
        raise StaffError("Hệ thống đang bận. Vui lòng thử lại sau ít giây.", status=503)
    try:
        return _verify(password_hash, password)
    finally:
        HASH_SLOTS.release()


def _housekeeping(session: Session) -> None:
    # Attempts older than a day count for nothing (the audit log keeps every login), and expired
    # sessions (pending ones included) open nothing.
    window = dt.timedelta(minutes=get_settings().staff_login_window_minutes)
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now() - max(window, dt.timedelta(days=1))))
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now()))


def _open_session(
    session: Session, user: StaffUser, *, ip: str, user_agent: str, pending: bool = False
) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    lifetime = TOTP_PENDING if pending else dt.timedelta(hours=get_settings().staff_session_hours)
    row = StaffSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now(),
        expires_at=now() + lifetime,
        last_seen_at=now(),
        ip=ip,
        user_agent=clean_text(user_agent)[:255],
        mfa_pending=pending,
    )
    session.add(row)
    session.flush()
    return token, row


def _signed_in(session: Session, user: StaffUser, *, ip: str, user_agent: str, how: str) -> LoginResult:
    session.add(LoginAttempt(username=user.username, ip=ip, at=now(), success=True))
    token, row = _open_session(session, user, ip=ip, user_agent=user_agent)
    user.last_login_at = now()
    audit.record(
        session,
        actor=user.username,
        action="login",
        entity="staff_user",
        entity_id=user.id,
        after={"ip": ip, "session_id": row.id, "method": how},
    )
    return LoginResult(token, _principal(user, row), aware(row.expires_at))


def login(session: Session, *, username: str, password: str, ip: str, user_agent: str = "") -> LoginResult:
    """Check a sign-in and open a session (the caller commits, whatever the outcome).

    The rate limit counts failures per username and IP address within STAFF_LOGIN_WINDOW_MINUTES
    (a success starts the count again), per username over every address, and per IP address over
    all usernames. Attempts, failures and blocks are written to the audit log. An officer with
    two-step sign-in gets a pending session (`LoginResult.totp_required`): `login_totp` finishes it.

    Raises:
        StaffError: 429 while rate-limited, 401 for a wrong username or password (the same message
            for both), 403 for a locked account, 503 when too many sign-ins are being checked at once.
    """
    username = username.strip().lower()[:64]
    ip = ip[:64]
    _housekeeping(session)
    _check_rate_limit(session, username=username, ip=ip)
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is not None and not user.active:
        # A locked (deactivated) account answers the same whatever the password, and costs no hash:
        # nobody learns whether a password of it was right.
        session.add(LoginAttempt(username=username, ip=ip, at=now(), success=False))
        audit.record(
            session,
            actor=username,
            action="login_failed",
            entity="staff_user",
            entity_id=user.id,
            after={"ip": ip, "reason": "locked"},
        )
        raise StaffError("Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.", status=403)
    ok = _verify_login_password(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    if not ok or user is None:
        session.add(LoginAttempt(username=username, ip=ip, at=now(), success=False))
        audit.record(
            session,
            actor=username or "?",
            action="login_failed",
            entity="staff_user",
            entity_id=user.id if user else "",
            after={"ip": ip},
        )
        raise StaffError("Tên đăng nhập hoặc mật khẩu không đúng.", status=401)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_enabled_at is not None:
        # The password is right; the session opens nothing until the code comes (login_totp).
        token, row = _open_session(session, user, ip=ip, user_agent=user_agent, pending=True)
        return LoginResult(token, _principal(user, row), aware(row.expires_at), totp_required=True)
    return _signed_in(session, user, ip=ip, user_agent=user_agent, how="password")


def login_totp(session: Session, *, token: str, code: str, ip: str, user_agent: str = "") -> LoginResult:
    """Finish a two-step sign-in: the pending session's code checked, a real session opened.

    The pending session ends either way on success (the new session has a new token, so a token
    seen before the code opens nothing). Wrong codes count as failed sign-ins (the rate limit).

    Raises:
        StaffError: 401 without a pending session (or past TOTP_PENDING) or for a wrong or already
            used code, 429 while rate-limited.
    """
    ip = ip[:64]
    _housekeeping(session)
    found = None
    if token and len(token) <= 200:
        found = session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.token_hash == _token_hash(token), StaffSession.mfa_pending.is_(True))
        ).first()
    if found is None or aware(found[0].expires_at) <= now():
        raise StaffError("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu.", status=401)
    pending, user = found
    try:
        _check_rate_limit(session, username=user.username, ip=ip)
    except StaffError:
        session.delete(pending)
        raise
    step = None
    if user.active and user.totp_secret and user.totp_enabled_at is not None:
        step = totp.match_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        session.add(LoginAttempt(username=user.username, ip=ip, at=now(), success=False))
        audit.record(
            session,
            actor=user.username,
            action="login_failed",
            entity="staff_user",
            entity_id=user.id,
            after={"ip": ip, "reason": "totp"},
        )
        raise StaffError("Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới.", status=401)
    user.totp_last_step = step
    session.delete(pending)
    return _signed_in(session, user, ip=ip, user_agent=user_agent, how="password+totp")


def _principal(user: StaffUser, row: StaffSession) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        session_id=row.id,
        csrf_token=row.csrf_token,
        must_enrol=user.totp_enabled_at is None and totp_required_for(user.role),
    )


def session_principal(session: Session, token: str) -> Principal | None:
    """The officer a session cookie belongs to, or None when unknown, expired, idle too long, locked,
    or still waiting for its TOTP code."""
    if not token or len(token) > 200:
        return None
    found = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.mfa_pending.is_(False))
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


# --------------------------------------------------------------------------------------------- #
# Enrolling an authenticator app
# --------------------------------------------------------------------------------------------- #


def _clear_totp(user: StaffUser) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None


def start_totp(session: Session, principal: Principal) -> dict[str, str]:
    """Give the signed-in officer a new TOTP secret to enter in their app (not in use until confirmed).

    Raises:
        StaffError: 409 when two-step sign-in is already on (turn it off first).
    """
    user = session.get(StaffUser, principal.user_id)
    if user is None:
        raise StaffError("Không tìm thấy tài khoản.", status=404)
    if user.totp_enabled_at is not None:
        raise StaffError("Xác thực hai bước đã được bật cho tài khoản này.", status=409)
    user.totp_secret = totp.new_secret()
    session.flush()
    return {
        "secret": user.totp_secret,
        "uri": totp.provisioning_uri(user.totp_secret, user.username),
        "issuer": totp.ISSUER,
        "account": user.username,
    }


def confirm_totp(session: Session, principal: Principal, code: str) -> StaffUser:
    """Turn two-step sign-in on once the app's first code matches the secret of `start_totp` (audited).

    Raises:
        StaffError: 409 without a started enrolment or when already on, 422 for a wrong code.
    """
    user = session.get(StaffUser, principal.user_id)
    if user is None or not user.totp_secret:
        raise StaffError("Hãy bấm “Bắt đầu cài đặt” để nhận mã bí mật trước.", status=409)
    if user.totp_enabled_at is not None:
        raise StaffError("Xác thực hai bước đã được bật cho tài khoản này.", status=409)
    step = totp.match_step(user.totp_secret, code)
    if step is None:
        raise StaffError(
            "Mã xác thực không đúng. Kiểm tra đồng hồ của điện thoại rồi nhập mã đang hiện.",
            field="totp_code",
        )
    user.totp_enabled_at = now()
    user.totp_last_step = step
    session.flush()
    audit.record(session, actor=user.username, action="totp_enable", entity="staff_user", entity_id=user.id)
    return user


def disable_totp(session: Session, principal: Principal, code: str) -> StaffUser:
    """Turn two-step sign-in off with a current code (audited); never for those who must use it.

    Raises:
        StaffError: 403 when the role requires it, 409 when it is off, 422 for a wrong code.
    """
    user = session.get(StaffUser, principal.user_id)
    if user is None or user.totp_enabled_at is None or not user.totp_secret:
        raise StaffError("Xác thực hai bước chưa được bật.", status=409)
    if totp_required_for(user.role):
        raise StaffError("Quản trị viên bắt buộc dùng xác thực hai bước; không thể tắt.", status=403)
    step = totp.match_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        raise StaffError("Mã xác thực không đúng hoặc đã được dùng.", field="totp_code")
    _clear_totp(user)
    session.flush()
    audit.record(session, actor=user.username, action="totp_disable", entity="staff_user", entity_id=user.id)
    return user


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
        select(StaffSession)
        .where(StaffSession.user_id == principal.user_id, StaffSession.mfa_pending.is_(False))
        .order_by(StaffSession.id.desc())
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
    if row is None or row.user_id != principal.user_id or row.mfa_pending:
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
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    reset_password: bool = False,
    reset_totp: bool = False,
) -> tuple[StaffUser, bool]:
    """Create the first admin (or reset an existing admin's password); return (user, created).

    Used by `make admin`. There is no default password: the caller supplies one. `reset_totp` (with
    `reset_password`) also turns two-step sign-in off, for an admin who lost their phone: they enrol
    again at the next sign-in.
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
    if reset_totp:
        _clear_totp(existing)
    session.execute(delete(StaffSession).where(StaffSession.user_id == existing.id))
    audit.record(
        session,
        actor="make-admin",
        action="user_update",
        entity="staff_user",
        entity_id=existing.id,
        before=before,
        after=_audit_user(existing)
        | {"password": "đã đặt lại"}
        | ({"totp": "đã tắt, cần cài lại"} if reset_totp else {}),
    )
    session.flush()
    return existing, False
