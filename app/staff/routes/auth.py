"""Sign-in (password, then a TOTP code for those who enrolled), sign-out, the signed-in officer, own
password, own two-step sign-in and own sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.staff.deps import COOKIE_NAME, EditorDep, SessionDep, client_ip, cookie_secure
from app.staff.schemas import LoginIn, PasswordChangeIn, RowId, TotpCodeIn
from knowledge_base.models import StaffUser
from knowledge_base.settings import get_settings
from knowledge_base.staff import auth
from knowledge_base.staff.common import StaffError

router = APIRouter(prefix="/auth", tags=["staff: đăng nhập"])


def _me(session: SessionDep, principal: auth.Principal) -> dict[str, Any]:
    user = session.get(StaffUser, principal.user_id)
    return {
        "user": auth.user_view(user) if user else None,
        "csrf_token": principal.csrf_token,
        # An admin who must turn two-step sign-in on first: only the account page works until then.
        "totp_enrol_required": principal.must_enrol,
    }


def _set_cookie(response: Response, result: auth.LoginResult) -> None:
    max_age = (
        auth.TOTP_PENDING.total_seconds()
        if result.totp_required
        else get_settings().staff_session_hours * 3600
    )
    response.set_cookie(
        COOKIE_NAME,
        result.token,
        max_age=int(max_age),
        path="/",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(),
    )


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> dict[str, Any]:
    """Sign in; sets the httpOnly, SameSite=Strict session cookie and returns the CSRF token.

    For an officer with two-step sign-in the answer is ``{"totp_required": true}`` (no user, no CSRF
    token): the cookie then holds a pending session that only ``POST /auth/login/totp`` accepts.
    """
    try:
        result = auth.login(
            session,
            username=body.username,
            password=body.password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except StaffError:
        session.commit()  # the attempt and its audit row count, whatever the outcome
        raise
    session.commit()
    _set_cookie(response, result)
    if result.totp_required:
        return {"user": None, "csrf_token": "", "totp_required": True, "totp_enrol_required": False}
    return _me(session, result.principal) | {"totp_required": False}


@router.post("/login/totp")
def login_totp(body: TotpCodeIn, request: Request, response: Response, session: SessionDep) -> dict[str, Any]:
    """The second step of a sign-in: the code from the authenticator app; opens the session."""
    try:
        result = auth.login_totp(
            session,
            token=request.cookies.get(COOKIE_NAME, ""),
            code=body.totp_code,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except StaffError:
        session.commit()  # wrong codes count towards the rate limit
        raise
    session.commit()
    _set_cookie(response, result)
    return _me(session, result.principal) | {"totp_required": False}


@router.post("/totp/setup")
def totp_setup(principal: EditorDep, session: SessionDep) -> dict[str, str]:
    """Start enrolling an authenticator app: a new secret (base32 and otpauth:// URI), not yet in use."""
    view = auth.start_totp(session, principal)
    session.commit()
    return view


@router.post("/totp/confirm")
def totp_confirm(body: TotpCodeIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Turn two-step sign-in on with the app's first code; the next sign-ins ask for a code."""
    auth.confirm_totp(session, principal, body.totp_code)
    session.commit()
    return _me(session, principal) | {"totp_enrol_required": False}


@router.post("/totp/disable")
def totp_disable(body: TotpCodeIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Turn two-step sign-in off with a current code (not for admins who must use it)."""
    auth.disable_totp(session, principal, body.totp_code)
    session.commit()
    return _me(session, principal)


@router.post("/logout")
def logout(principal: EditorDep, response: Response, session: SessionDep) -> dict[str, bool]:
    """Sign out: the session ends on the server and the cookie is cleared."""
    auth.logout(session, principal)
    session.commit()
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=cookie_secure())
    return {"ok": True}


@router.get("/me")
def me(principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """The signed-in officer and the session's CSRF token."""
    return _me(session, principal)


@router.post("/password")
def change_password(body: PasswordChangeIn, principal: EditorDep, session: SessionDep) -> dict[str, bool]:
    """Change one's own password; other sessions end."""
    auth.change_own_password(session, principal, current=body.current_password, new=body.new_password)
    session.commit()
    return {"ok": True}


@router.get("/sessions")
def sessions(principal: EditorDep, session: SessionDep) -> list[dict[str, object]]:
    """One's own sessions."""
    return auth.list_sessions(session, principal)


@router.delete("/sessions/{session_id}")
def revoke(session_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, bool]:
    """End one of one's own sessions (another officer's is 404)."""
    auth.revoke_session(session, principal, session_id)
    session.commit()
    return {"ok": True}
