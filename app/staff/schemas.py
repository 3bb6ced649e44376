"""Request bodies of the staff API, the body of its refusals, and row ids. Lengths here stop oversized
input early; the rules with their Vietnamese messages live in the service modules (faq_admin,
procedures_admin, inbox ...)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge_base.staff.auth import has_control_characters

# Row ids (path parameters and fields): positive and within the databases' INTEGER columns. A larger
# number made the database driver raise (a 500, found by tests/fuzz) instead of "not found".
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class _In(BaseModel):
    # Unknown fields are refused: a typo in a field name must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    """Sign-in form."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)

    # Refused before any database query: PostgreSQL cannot even compare a string holding NUL.
    @field_validator("username")
    @classmethod
    def _plain_username(cls, value: str) -> str:
        if has_control_characters(value):
            raise ValueError("Tên đăng nhập chứa ký tự không hợp lệ.")
        return value

    @field_validator("password")
    @classmethod
    def _plain_password(cls, value: str) -> str:
        if has_control_characters(value):
            raise ValueError("Mật khẩu chứa ký tự không hợp lệ.")
        return value


class TotpCodeIn(_In):
    """A code from the officer's authenticator app (6 digits)."""

    totp_code: str = Field(min_length=6, max_length=8, pattern=r"^[0-9 ]{6,8}$")


class PasswordChangeIn(_In):
    """Change one's own password."""

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserCreateIn(_In):
    """A new officer's account (admins)."""

    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(default="", max_length=128)
    role: Literal["editor", "admin"]
    password: str = Field(min_length=1, max_length=256)


class UserUpdateIn(_In):
    """Changes to an account (admins); absent fields stay as they are."""

    display_name: str | None = Field(default=None, max_length=128)
    role: Literal["editor", "admin"] | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=256)
    # Turn the user's two-step sign-in off (a lost phone); they enrol again at the next sign-in.
    reset_totp: bool = False


class FaqIn(_In):
    """An FAQ entry as the form sends it."""

    questions: list[str] = Field(min_length=1, max_length=50)
    answer: str = Field(max_length=5000)
    procedure_code: str | None = Field(default=None, max_length=32)
    published: bool = False
    # The inbox question this entry answers (closed when the entry is created).
    source_question_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)


class FaqUpdateIn(_In):
    """An edited FAQ entry; `updated_at` is the version the officer started from."""

    questions: list[str] = Field(min_length=1, max_length=50)
    answer: str = Field(max_length=5000)
    procedure_code: str | None = Field(default=None, max_length=32)
    updated_at: dt.datetime | None = None


class LifeEventStepIn(_In):
    """One step of a life event: a procedure (codes: the usual one first), where and when."""

    label: str = Field(max_length=200)
    codes: list[str] = Field(default_factory=list, max_length=20)
    where: str = Field(default="", max_length=500)
    condition: str = Field(default="", max_length=500)


class LifeEventUpdateIn(_In):
    """An edited life event; `updated_at` is the version the officer started from."""

    title: str = Field(max_length=300)
    triggers: list[str] = Field(min_length=1, max_length=200)
    excludes: list[str] = Field(default_factory=list, max_length=200)
    steps: list[LifeEventStepIn] = Field(min_length=1, max_length=20)
    updated_at: dt.datetime | None = None


class LifeEventIn(_In):
    """A new life event as the form sends it."""

    slug: str = Field(min_length=1, max_length=64)
    title: str = Field(max_length=300)
    triggers: list[str] = Field(min_length=1, max_length=200)
    excludes: list[str] = Field(default_factory=list, max_length=200)
    steps: list[LifeEventStepIn] = Field(min_length=1, max_length=20)
    published: bool = False


class FeeIn(_In):
    """An entry of the fee table (the fees one legal document sets)."""

    legal_number: str = Field(min_length=1, max_length=64)
    title: str = Field(default="", max_length=1000)
    amounts: str = Field(min_length=1, max_length=2000)
    source: str = Field(min_length=1, max_length=1000)
    note: str = Field(default="", max_length=1000)
    valid_until: dt.date | None = None


class OverrideIn(_In):
    """A procedure's local override."""

    agency_address: str = Field(default="", max_length=2000)
    opening_hours: str = Field(default="", max_length=2000)
    fee_note: str = Field(default="", max_length=4000)
    notes: str = Field(default="", max_length=8000)
    not_offered: bool = False


class ReplyIn(_In):
    """An officer's message to a citizen."""

    message: str = Field(max_length=5000)


class ApplyImportIn(_In):
    """Applying a staged import."""

    remove_missing: bool = False


class DayOffIn(_In):
    """A calendar exception."""

    day: dt.date
    kind: Literal["off", "working"]
    note: str = Field(default="", max_length=500)


class FieldErrorOut(BaseModel):
    """One form field at fault and what the officer reads about it."""

    field: str
    message: str


class StaffErrorOut(BaseModel):
    """Every refusal of the staff API (app.staff.workspace's handlers answer in this shape)."""

    detail: str
    # Present when the refusal is about form fields (validation errors, a username already taken).
    errors: list[FieldErrorOut] = Field(default_factory=list)
