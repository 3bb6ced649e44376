"""The staff pages (static HTML from web/staff), each gated by sign-in and role on the server.

The pages hold no data: their scripts fetch it from the API, which checks the role again. Gating the
pages as well means an editor never even loads an admin page.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from app.staff.deps import principal_from_cookie, record_denied
from knowledge_base.db import session_scope
from knowledge_base.settings import PROJECT_ROOT

WEB_DIR = PROJECT_ROOT / "web" / "staff"
# page -> the role it needs ("editor": any signed-in officer)
PAGES = {
    "inbox": "editor",
    "faq": "editor",
    "life_events": "editor",
    "fees": "editor",
    "offices": "editor",
    "procedures": "editor",
    "dashboard": "editor",
    "account": "editor",
    "import": "admin",
    "users": "admin",
    "audit": "admin",
    "settings": "admin",
}

router = APIRouter(include_in_schema=False)


def _page(name: str, status: int = 200) -> Response:
    path: FsPath = WEB_DIR / f"{name}.html"
    return FileResponse(path, status_code=status, media_type="text/html; charset=utf-8")


@router.get("/staff")
@router.get("/staff/")
def home() -> Response:
    """The workspace opens on the inbox."""
    return RedirectResponse("/staff/inbox", status_code=303)


@router.get("/staff/login")
def login_page() -> Response:
    """The sign-in page."""
    return _page("login")


@router.get("/staff/{page}")
def page(page: str, request: Request) -> Response:
    """A workspace page: sign-in required; admin pages answer 403 to editors."""
    role = PAGES.get(page)
    if role is None:
        return _page("notfound", 404)
    with session_scope() as session:
        principal = principal_from_cookie(request, session)
    if principal is None:
        return RedirectResponse(f"/staff/login?next={quote('/staff/' + page)}", status_code=303)
    if principal.must_enrol and page != "account":
        # An admin without two-step sign-in where it is required: enrol first (the API says the same).
        return RedirectResponse("/staff/account?totp=required", status_code=303)
    if role == "admin" and not principal.is_admin:
        record_denied(request, principal, "admin_only")
        return _page("forbidden", 403)
    return _page(page)
