"""Wrong dossier checks, counted per dossier code across every channel and the API.

A dossier lookup takes the code and the last 4 digits of the applicant's phone: 10,000 possible
checks. Counting wrong ones per conversation (the chat's "3 tries") stops nobody who opens a new
conversation, and the API had no count at all. Here every lookup of a code is counted in the knowledge
base's database, which the app, every action server and every replica share (one SQLite file on one
machine; PostgreSQL in the production profile), whatever asked: the API, the web widget, Telegram or
Zalo. After `DOSSIER_CHECK_MAX_FAILURES` wrong checks within `DOSSIER_CHECK_WINDOW_HOURS` the code is
locked for `DOSSIER_CHECK_LOCK_MINUTES`: every lookup of it, right or wrong, gets the same refusal
(`DossierLocked`), so the lock is no oracle either. After the lock each further wrong check locks the
code again, until a right check or the end of the window clears the count.

An unknown code is counted like an existing one (a lock that only existing codes reached would tell
which codes exist), and each attempt is counted *before* the lookup: guesses sent at the same moment
cannot slip past the limit between a lookup and its count. A right check clears the count; an attempt
the dossier system could not answer is given back.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import DateTime, case, delete, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge_base.models import DossierCheck
from knowledge_base.settings import get_settings

logger = logging.getLogger(__name__)


class DossierLocked(Exception):  # noqa: N818 - reads as what happened, like DossierNotFound
    """Too many wrong checks for this code: no lookup (right or wrong) for `retry_after` seconds."""

    def __init__(self, code: str, retry_after: int) -> None:
        """Create the refusal.

        Args:
            code: the locked dossier code.
            retry_after: whole seconds until the lock ends (at least 1).
        """
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (what a citizen is told)."""
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class CheckLimits:
    """How many wrong checks lock a code, for how long, and how long they are remembered."""

    max_failures: int = 5
    lock: dt.timedelta = dt.timedelta(minutes=15)
    window: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def from_env(cls) -> CheckLimits:
        """The limits set by DOSSIER_CHECK_MAX_FAILURES, _LOCK_MINUTES and _WINDOW_HOURS (the settings)."""
        values = get_settings()
        return cls(
            max_failures=values.dossier_check_max_failures,
            lock=dt.timedelta(minutes=values.dossier_check_lock_minutes),
            window=dt.timedelta(hours=values.dossier_check_window_hours),
        )


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


_TABLE = DossierCheck.__table__


def _insert_missing(session: Session, code: str, now: dt.datetime) -> None:
    values = {"code": code, "failures": 0, "window_started_at": now, "locked_until": None}
    dialect = session.get_bind().dialect.name
    if dialect in {"postgresql", "sqlite"}:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # One statement, safe when two processes count the same new code at once.
        session.execute(insert(_TABLE).values(**values).on_conflict_do_nothing(index_elements=["code"]))
        return
    if session.get(DossierCheck, code) is None:
        try:
            with session.begin_nested():
                session.add(DossierCheck(**values))
        except IntegrityError:
            pass  # another process added it first


def begin_attempt(session: Session, *, code: str, limits: CheckLimits, now: dt.datetime | None = None) -> int:
    """Count a lookup of `code` before it is made, or refuse it while the code is locked.

    The same statements run whether the code exists or not, and whether the check will turn out
    right or wrong. The caller commits.

    Returns:
        The attempts counted in the window, this one included (from `max_failures` on, a wrong
        check leaves the code locked).

    Raises:
        DossierLocked: the code is locked (nothing counted).
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    _insert_missing(session, code, now)
    window_over = _TABLE.c.window_started_at <= now - limits.window
    failures = case((window_over, 1), else_=_TABLE.c.failures + 1)
    lock_end = literal(now + limits.lock, DateTime(timezone=True))
    # One UPDATE: the row is locked while it runs (PostgreSQL re-checks the WHERE on a row another
    # transaction just changed; SQLite runs one writer at a time), so no two attempts read one count.
    result = session.execute(
        update(_TABLE)
        .where(
            _TABLE.c.code == code,
            or_(_TABLE.c.locked_until.is_(None), _TABLE.c.locked_until <= now),
        )
        .values(
            failures=failures,
            window_started_at=case((window_over, now), else_=_TABLE.c.window_started_at),
            locked_until=case((failures >= limits.max_failures, lock_end), else_=null()),
        )
    )
    counted = result.rowcount == 1  # type: ignore[attr-defined]
    attempts, locked_until = session.execute(
        select(_TABLE.c.failures, _TABLE.c.locked_until).where(_TABLE.c.code == code)
    ).one()
    if counted:
        return int(attempts)
    remaining = (_utc(locked_until) - now).total_seconds() if locked_until is not None else 1.0
    raise DossierLocked(code, max(1, math.ceil(remaining)))


def log_locked(code: str, attempts: int, limits: CheckLimits) -> None:
    """Say that a wrong check left `code` locked (a dossier code names a case, not a person)."""
    logger.warning(
        "dossier code %s locked for %g min after %d lookups without a right check",
        code,
        limits.lock.total_seconds() / 60,
        attempts,
    )


def give_back(session: Session, *, code: str, limits: CheckLimits) -> None:
    """Uncount an attempt the dossier system could not answer (not the citizen's mistake).

    The lock goes too when the remaining count is below the limit. The caller commits.
    """
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.code == code, _TABLE.c.failures > 0)
        .values(
            failures=_TABLE.c.failures - 1,
            locked_until=case(
                (_TABLE.c.failures - 1 >= limits.max_failures, _TABLE.c.locked_until), else_=null()
            ),
        )
    )


def clear(session: Session, *, code: str, limits: CheckLimits, now: dt.datetime | None = None) -> None:
    """A right check: forget the code's count, and the counts of other codes that have run out.

    The caller commits.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    session.execute(delete(_TABLE).where(_TABLE.c.code == code))
    # Codes nobody looked up again (an attacker's guesses at unknown codes): dropped here, after a
    # right check, so that a wrong check and an unknown code keep doing the very same work.
    session.execute(
        delete(_TABLE).where(
            _TABLE.c.window_started_at <= now - limits.window,
            or_(_TABLE.c.locked_until.is_(None), _TABLE.c.locked_until <= now),
        )
    )
