"""Accounts (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from app.staff.deps import AdminDep, SessionDep
from app.staff.schemas import RowId, UserCreateIn, UserUpdateIn
from knowledge_base.models import StaffUser
from knowledge_base.staff import auth
from knowledge_base.staff.common import StaffError

router = APIRouter(prefix="/users", tags=["staff: tài khoản"])


@router.get("")
def list_users(principal: AdminDep, session: SessionDep) -> list[dict[str, object]]:
    """Every account."""
    return [auth.user_view(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.username))]


@router.post("", status_code=201)
def create_user(body: UserCreateIn, principal: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Create an account."""
    user = auth.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        created_by=principal.username,
    )
    session.commit()
    return auth.user_view(user)


@router.patch("/{user_id}")
def update_user(
    user_id: RowId, body: UserUpdateIn, principal: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """Change an account's name, role, state or password, or reset its two-step sign-in."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise StaffError("Không tìm thấy tài khoản này.", status=404)
    auth.update_user(
        session,
        user,
        actor=principal,
        display_name=body.display_name,
        role=body.role,
        active=body.active,
        password=body.password,
        reset_totp=body.reset_totp,
    )
    session.commit()
    return auth.user_view(user)
