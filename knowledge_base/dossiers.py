"""Dossier status: where a citizen's dossier (hồ sơ) stands.

Status comes through a `DossierSource`: the local database (demo and small deployments), or the
province's one-stop system over HTTP. Both answer "not found" alike for an unknown code and for a wrong
phone check, so nobody can probe which codes exist; the local source does the same work for both, so
the time it takes tells nothing either. `get_dossier_source` wraps the source in `GuardedDossierSource`:
wrong checks are counted per dossier code over every channel and the API, and a code with too many is
locked for a while (`knowledge_base.dossier_checks`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from knowledge_base import dossier_checks
from knowledge_base.db import session_scope
from knowledge_base.dossier_checks import CheckLimits
from knowledge_base.dossier_checks import DossierLocked as DossierLocked  # raised by the guarded source
from knowledge_base.models import Dossier, DossierEvent, Procedure

# The statuses a dossier can be in ("overdue" is derived from the due date, not stored).
STATUS_LABELS = {
    "received": "Đã tiếp nhận",
    "in_progress": "Đang giải quyết",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "payment_requested": "Yêu cầu thanh toán phí, lệ phí",
    "ready_for_pickup": "Đã có kết quả, chờ trả",
    "returned": "Đã trả kết quả",
    "rejected": "Từ chối giải quyết",
}
FINISHED = {"returned", "rejected"}
DOSSIER_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{5,63}$")
PHONE_LAST4_RE = re.compile(r"^[0-9]{4}$")
DOSSIERS_SEED = Path(__file__).resolve().parent / "seed" / "dossiers.json"
# Compared with the check when the code is unknown, so that an unknown code and a wrong check do the
# same work (a phone of the usual length; a match with it is never a success).
_STAND_IN_PHONE = "0000000000"


class DossierNotFound(Exception):  # noqa: N818 - a public name the actions and the API already catch
    """No dossier with that code and phone check (deliberately the same for both)."""


class DossierSourceError(Exception):
    """The dossier system could not be reached or answered nonsense."""


@dataclass(frozen=True)
class DossierEventView:
    """One step of the status history."""

    status: str
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class DossierStatus:
    """What a citizen may learn about their dossier (never the applicant's name or phone)."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    note: str = ""
    history: list[DossierEventView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """The status in Vietnamese."""
        return STATUS_LABELS.get(self.status, self.status)

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Past its due date without a result (or finished after it)."""
        if self.due_at is None:
            return False
        if self.finished_at is not None:
            return _aware(self.finished_at) > _aware(self.due_at)
        if self.status == "ready_for_pickup":
            return False
        return (now or dt.datetime.now(dt.timezone.utc)) > _aware(self.due_at)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def validate_lookup(code: str, phone_last4: str) -> tuple[str, str]:
    """Normalise and check a lookup's input; raise ValueError with a clear message."""
    code = code.strip().upper()
    if not DOSSIER_CODE_RE.match(code):
        raise ValueError("Mã hồ sơ không đúng định dạng (ví dụ: 000.00.12.H37-251012-0001).")
    phone_last4 = phone_last4.strip()
    if not PHONE_LAST4_RE.match(phone_last4):
        raise ValueError("Cần đúng 4 chữ số cuối của số điện thoại người nộp hồ sơ.")
    return code, phone_last4


def phone_matches(phone: str, last4: str) -> bool:
    """Constant-time check of the last four digits of `phone`."""
    digits = re.sub(r"\D", "", phone)
    return len(digits) >= 4 and hmac.compare_digest(digits[-4:], last4)


class DossierSource(Protocol):
    """Where dossier status comes from."""

    def lookup(self, code: str, phone_last4: str) -> DossierStatus:
        """Return the dossier's status; raise DossierNotFound or DossierSourceError."""
        ...


class LocalDossierSource:
    """Dossiers kept in the knowledge base's own database."""

    def __init__(self, database_url: str | None = None) -> None:
        self.database_url = database_url

    def lookup(self, code: str, phone_last4: str) -> DossierStatus:
        """See DossierSource.lookup."""
        code, phone_last4 = validate_lookup(code, phone_last4)
        with session_scope(self.database_url) as session:
            # The same query and the same comparison for an unknown code and a wrong check; the
            # history and the procedure are read only once the check is right.
            found = session.execute(
                select(Dossier.id, Dossier.applicant_phone).where(Dossier.code == code)
            ).one_or_none()
            matched = phone_matches(found.applicant_phone if found else _STAND_IN_PHONE, phone_last4)
            if found is None or not matched:
                raise DossierNotFound(code)
            dossier = session.scalars(
                select(Dossier).where(Dossier.id == found.id).options(selectinload(Dossier.events))
            ).one()
            name = session.scalar(select(Procedure.name).where(Procedure.code == dossier.procedure_code))
            return DossierStatus(
                code=dossier.code,
                procedure_code=dossier.procedure_code,
                procedure_name=name or "",
                status=dossier.status,
                received_at=_aware(dossier.received_at),
                due_at=_aware(dossier.due_at) if dossier.due_at else None,
                finished_at=_aware(dossier.finished_at) if dossier.finished_at else None,
                note=dossier.note,
                history=[DossierEventView(e.status, e.note, _aware(e.at)) for e in dossier.events],
            )


class HttpDossierSource:
    """A provincial one-stop system's dossier API.

    Protocol: ``GET {base_url}/dossiers/{code}?phone_last4=NNNN`` with ``Authorization: Bearer TOKEN``;
    200 with the JSON of `DossierStatus` (ISO dates, ``history`` as a list of objects), 404 when not
    found or the check fails.
    """

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.client = client or httpx.Client(timeout=timeout)

    def lookup(self, code: str, phone_last4: str) -> DossierStatus:
        """See DossierSource.lookup."""
        code, phone_last4 = validate_lookup(code, phone_last4)
        try:
            response = self.client.get(
                f"{self.base_url}/dossiers/{code}",
                params={"phone_last4": phone_last4},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.HTTPError as exc:
            raise DossierSourceError(f"dossier system unreachable: {type(exc).__name__}") from exc
        if response.status_code == 404:
            raise DossierNotFound(code)
        if response.status_code != 200:
            raise DossierSourceError(f"dossier system answered {response.status_code}")
        try:
            data = response.json()
            return DossierStatus(
                code=str(data["code"]),
                procedure_code=str(data.get("procedure_code", "")),
                procedure_name=str(data.get("procedure_name", "")),
                status=str(data["status"]),
                received_at=dt.datetime.fromisoformat(data["received_at"]),
                due_at=dt.datetime.fromisoformat(data["due_at"]) if data.get("due_at") else None,
                finished_at=dt.datetime.fromisoformat(data["finished_at"])
                if data.get("finished_at")
                else None,
                note=str(data.get("note", "")),
                history=[
                    DossierEventView(
                        str(e["status"]), str(e.get("note", "")), dt.datetime.fromisoformat(e["at"])
                    )
                    for e in data.get("history", [])
                ],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DossierSourceError(f"dossier system answered an unexpected body: {exc}") from exc


class GuardedDossierSource:
    """A source whose lookups are counted per dossier code, with a lock after too many wrong checks.

    Every channel and the API look dossiers up through this (`get_dossier_source`), so the count is
    one per code, not one per conversation or per client. See `knowledge_base.dossier_checks`.
    """

    def __init__(
        self, inner: DossierSource, *, database_url: str | None = None, limits: CheckLimits | None = None
    ) -> None:
        """Wrap `inner`; the counts live in `database_url` (default: the configured knowledge base)."""
        self.inner = inner
        self.database_url = database_url
        self.limits = limits or CheckLimits.from_env()

    def lookup(self, code: str, phone_last4: str) -> DossierStatus:
        """See DossierSource.lookup; also raises DossierLocked (right or wrong check alike)."""
        code, phone_last4 = validate_lookup(code, phone_last4)
        attempts = self._store(dossier_checks.begin_attempt, code)
        try:
            status = self.inner.lookup(code, phone_last4)
        except DossierNotFound:
            # Stays counted; no phone digits in the log, right or wrong.
            if attempts >= self.limits.max_failures:
                dossier_checks.log_locked(code, attempts, self.limits)
            raise
        except Exception:
            # The dossier system did not answer (or failed): not the citizen's mistake.
            self._store(dossier_checks.give_back, code)
            raise
        self._store(dossier_checks.clear, code)
        return status

    def _store(self, operation: Callable[..., int | None], code: str) -> int:
        try:
            with session_scope(self.database_url) as session:
                result = operation(session, code=code, limits=self.limits)
                session.commit()
                return result or 0
        except SQLAlchemyError as exc:
            # Without its count no lookup is made (fail closed); the citizen is told to try later.
            raise DossierSourceError(f"dossier check count unavailable: {type(exc).__name__}") from exc


def get_dossier_source() -> DossierSource:
    """The configured source, guarded: HTTP when DOSSIER_SOURCE_URL is set, else the local database."""
    from knowledge_base.settings import get_settings

    settings = get_settings()
    inner: DossierSource
    if settings.dossier_source_url:
        inner = HttpDossierSource(
            settings.dossier_source_url,
            settings.dossier_source_token,
            timeout=settings.dossier_source_timeout,
        )
    else:
        inner = LocalDossierSource()
    return GuardedDossierSource(inner)


def load_demo_dossiers(
    session: Session, path: Path = DOSSIERS_SEED, *, now: dt.datetime | None = None
) -> int:
    """Add the demo dossiers that are missing; dates are relative to `now`, so statuses stay current."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    present = set(session.scalars(select(Dossier.code)))
    added = 0
    for entry in json.loads(path.read_text(encoding="utf-8")):
        if entry["code"] in present:
            continue

        def at(days: float | None) -> dt.datetime | None:
            return None if days is None else now + dt.timedelta(days=days)

        dossier = Dossier(
            code=entry["code"],
            procedure_code=entry["procedure_code"],
            applicant_name=entry["applicant_name"],
            applicant_phone=entry["applicant_phone"],
            status=entry["status"],
            received_at=at(entry["received_days"]),
            due_at=at(entry.get("due_days")),
            finished_at=at(entry.get("finished_days")),
            note=entry.get("note", ""),
        )
        dossier.events = [
            DossierEvent(status=e["status"], note=e.get("note", ""), at=at(e["days"]))
            for e in entry.get("history", [])
        ]
        session.add(dossier)
        added += 1
    session.flush()
    return added
