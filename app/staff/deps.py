"""FastAPI dependencies of the staff API: database session, signed-in officer, role and CSRF checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from knowledge_base.db import session_scope
from knowledge_base.settings import get_settings
from knowledge_base.staff.auth import Principal, csrf_ok, session_principal

COOKIE_NAME = "tthc_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session() -> Iterator[Session]:
    """One short-lived session per request."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def cookie_secure() -> bool:
    """Whether the session cookie is marked Secure (default: in the prod profile)."""
    settings = get_settings()
    return (
        settings.profile == "prod" if settings.staff_cookie_secure is None else settings.staff_cookie_secure
    )


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else ""


def principal_from_cookie(request: Request, session: Session) -> Principal | None:
    """The officer signed in with the request's session cookie, or None."""
    return session_principal(session, request.cookies.get(COOKIE_NAME, ""))


def current_principal(request: Request, session: SessionDep) -> Principal:
    """The signed-in officer; 401 without a valid session, 403 without the CSRF token on a change."""
    principal = principal_from_cookie(request, session)
    if principal is None:
        raise HTTPException(
            status_code=401, detail="Bạn cần đăng nhập (phiên làm việc đã hết hoặc chưa đăng nhập)."
        )
    if request.method not in SAFE_METHODS and not csrf_ok(principal, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            status_code=403,
            detail="Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Vui lòng tải lại trang rồi thử lại.",
        )
    return principal


EditorDep = Annotated[Principal, Depends(current_principal)]


def require_admin(principal: EditorDep) -> Principal:
    """The signed-in officer, who must be an admin (403 otherwise)."""
    if not principal.is_admin:
        raise HTTPException(status_code=403, detail="Chức năng này chỉ dành cho quản trị viên.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
