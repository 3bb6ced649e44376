"""Sign-in, sign-out, the signed-in officer, own password and own sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.staff.deps import COOKIE_NAME, EditorDep, SessionDep, client_ip, cookie_secure
from app.staff.schemas import LoginIn, PasswordChangeIn, RowId
from knowledge_base.models import StaffUser
from knowledge_base.settings import get_settings
from knowledge_base.staff import auth
from knowledge_base.staff.common import StaffError

router = APIRouter(prefix="/auth", tags=["staff: đăng nhập"])


def _me(session: SessionDep, principal: auth.Principal) -> dict[str, Any]:
    user = session.get(StaffUser, principal.user_id)
    return {"user": auth.user_view(user) if user else None, "csrf_token": principal.csrf_token}


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> dict[str, Any]:
    """Sign in; sets the httpOnly, SameSite=Strict session cookie and returns the CSRF token."""
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
    response.set_cookie(
        COOKIE_NAME,
        result.token,
        max_age=int(get_settings().staff_session_hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=cookie_secure(),
    )
    return _me(session, result.principal)


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
