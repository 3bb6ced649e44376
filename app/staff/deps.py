"""FastAPI dependencies of the staff API: database session, signed-in officer, role and CSRF checks.

Every refused authorisation (403: no CSRF token, an editor on an admin route, an admin who must enrol
two-step sign-in first) is written to the audit log (`record_denied`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from knowledge_base.db import session_scope
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal, csrf_ok, session_principal

logger = logging.getLogger(__name__)

COOKIE_NAME = "tthc_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: What an admin who must enrol two-step sign-in may still reach: their own account.
ENROL_PREFIX = "/api/staff/v1/auth/"
MUST_ENROL = (
    "Quản trị viên phải bật xác thực hai bước (mã từ ứng dụng xác thực) trước khi làm việc: "
    "vào trang “Tài khoản của tôi” để cài đặt."
)


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
    """The caller's address.

    uvicorn replaces the peer address by X-Forwarded-For's only for peers in FORWARDED_ALLOW_IPS (the
    reverse proxy): anyone else's header is ignored. The login limit does not rely on it alone: it
    also counts per account, which no header changes.
    """
    return request.client.host if request.client else ""


def record_denied(request: Request, principal: Principal | None, reason: str) -> None:
    """Write a refused authorisation (403) to the audit log, in its own transaction.

    The request's own session may roll back; the refusal must stay on record. A database error here
    is logged and the refusal answered all the same.
    """
    method, path = request.method, request.url.path
    try:
        with session_scope() as session:
            audit.record(
                session,
                actor=principal.username if principal else "?",
                action="access_denied",
                entity="request",
                entity_id=f"{method} {path}",
                after={"method": method, "path": path[:200], "reason": reason, "ip": client_ip(request)},
            )
            session.commit()
    except SQLAlchemyError as exc:
        logger.warning("audit: refused request not recorded (%s)", type(exc).__name__)


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
    request.state.staff_principal = principal
    if request.method not in SAFE_METHODS and not csrf_ok(principal, request.headers.get(CSRF_HEADER)):
        record_denied(request, principal, "csrf")
        raise HTTPException(
            status_code=403,
            detail="Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Vui lòng tải lại trang rồi thử lại.",
        )
    if principal.must_enrol and not request.url.path.startswith(ENROL_PREFIX):
        record_denied(request, principal, "totp_enrolment_required")
        raise HTTPException(status_code=403, detail=MUST_ENROL)
    return principal


EditorDep = Annotated[Principal, Depends(current_principal)]


def require_admin(principal: EditorDep, request: Request) -> Principal:
    """The signed-in officer, who must be an admin (403 otherwise)."""
    if not principal.is_admin:
        record_denied(request, principal, "admin_only")
        raise HTTPException(status_code=403, detail="Chức năng này chỉ dành cho quản trị viên.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
