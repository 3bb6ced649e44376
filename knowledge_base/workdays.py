"""Working days at the one-stop desk, and the day a dossier's result is expected.

Public holidays come from the `holidays` package's Vietnam calendar: the fixed days of the Labour
Code 2019 (Art. 112), Tết Nguyên đán and Giỗ Tổ Hùng Vương from its lunar calendar, the compensatory
days off when a holiday falls on a weekend, and the day swaps it knows of. The swaps the Government
announces each year (a bridge day off against a make-up Saturday) and a province's own closures are
`DayOff` rows kept by staff, seeded from ``seed/days_off.json``; they override the package.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import threading
from collections.abc import Iterable
from pathlib import Path

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import DayOff

__all__ = [
    "DAYS_OFF_SEED",
    "HOURS_PER_WORKING_DAY",
    "UNITS",
    "WorkCalendar",
    "expected_result_date",
    "load_calendar",
    "load_days_off_seed",
]

DAYS_OFF_SEED = Path(__file__).resolve().parent / "seed" / "days_off.json"
#: State offices work 8 hours a day, Monday to Friday (40-hour week, Quyết định 188/1999/QĐ-TTg).
HOURS_PER_WORKING_DAY = 8
#: The time units `expected_result_date` understands (SubmissionChannel.time_unit values).
UNITS = frozenset({"working_day", "day", "hour", "in_day", "month", "year"})
DAY_KINDS = frozenset({"off", "working"})
SEED_AUTHOR = "seed"
# A procedure time longer than this is a data error, not a deadline (and would loop for long).
_MAX_WORKING_DAYS = 5000
# Float noise in the imported values ("1.5000000001") must not add a whole day.
_EPSILON = 1e-9


class _VietnamHolidays:
    """One shared `holidays` Vietnam calendar, expanded year by year under a lock.

    Building the calendar costs ~0.2 s (translations), so a process keeps one. The package fills
    a year on first use; a day swap across New Year (Dec 31 off against a January Saturday) is
    recorded while filling the earlier year, so the neighbouring years are filled too.
    """

    def __init__(self) -> None:
        self._calendar = holidays.country_holidays("VN")
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def _ensure(self, year: int) -> None:
        if year in self._years:
            return
        with self._lock:
            for around in (year - 1, year, year + 1):
                # Membership fills the year (the package expands on demand).
                _ = dt.date(around, 1, 1) in self._calendar
            self._years.add(year)

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day.year)
        return self._calendar.is_working_day(day)

    def name(self, day: dt.date) -> str | None:
        self._ensure(day.year)
        return self._calendar.get(day)


@functools.lru_cache(maxsize=1)
def _vietnam() -> _VietnamHolidays:
    return _VietnamHolidays()


class WorkCalendar:
    """Vietnam's working days (Monday to Friday, less public holidays) with staff exceptions.

    Args:
        extra_off: extra days off (a bridge day, a local closure), overriding the package.
        extra_working: make-up working days (a Saturday worked against a bridge day).

    Raises:
        ValueError: when a day is both an extra day off and an extra working day.
    """

    def __init__(
        self, extra_off: Iterable[dt.date] = frozenset(), extra_working: Iterable[dt.date] = frozenset()
    ) -> None:
        self.extra_off = frozenset(extra_off)
        self.extra_working = frozenset(extra_working)
        both = self.extra_off & self.extra_working
        if both:
            raise ValueError(f"days both off and working: {sorted(both)}")
        self._holidays = _vietnam()

    def is_working_day(self, day: dt.date) -> bool:
        """Whether the desk works on `day` (staff exceptions first, then the national calendar)."""
        if day in self.extra_working:
            return True
        if day in self.extra_off:
            return False
        return self._holidays.is_working_day(day)

    def holiday_name(self, day: dt.date) -> str | None:
        """The Vietnamese name of the public holiday on `day` ("Tết Nguyên Đán"), if any."""
        return self._holidays.name(day)

    def next_working_day(self, day: dt.date, *, inclusive: bool = False) -> dt.date:
        """The first working day after `day` (or `day` itself when `inclusive` and it is one)."""
        current = day if inclusive else day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """Count `n` working days from `start`, `start` itself not counted.

        ``add_working_days(friday, 1)`` is the next Monday when that is a working day. A negative
        `n` counts backwards; ``n == 0`` returns `start` unchanged.

        Raises:
            ValueError: when ``abs(n)`` exceeds a sane procedure time (5,000 working days).
        """
        if abs(n) > _MAX_WORKING_DAYS:
            raise ValueError(f"{n} working days is not a procedure time")
        step = dt.timedelta(days=1 if n >= 0 else -1)
        current = start
        for _ in range(abs(n)):
            current += step
            while not self.is_working_day(current):
                current += step
        return current


def load_calendar(session: Session) -> WorkCalendar:
    """Build the calendar with the staff's `DayOff` rows ("off" / "working"; other kinds ignored)."""
    rows = session.execute(select(DayOff.day, DayOff.kind)).all()
    return WorkCalendar(
        extra_off={day for day, kind in rows if kind == "off"},
        extra_working={day for day, kind in rows if kind == "working"},
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it has none (31/01 + 1 -> 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def expected_result_date(
    submitted: dt.date, value: float | None, unit: str | None, *, calendar: WorkCalendar
) -> dt.date | None:
    """The day a dossier's result is due, counted the way one-stop desks count it.

    The rule comes from the Civil Code 2015 (Bộ luật Dân sự 2015) on time limits, which applies
    where a procedure's own text says nothing else: a limit in days, months or years starts the
    day after the event, so the receipt day itself is not counted (Art. 147(2)); a limit in hours
    starts at the moment of the event (Art. 147(1)); a limit ending on a weekend or a holiday ends
    on the next working day (Art. 148(5)). Assumptions, since only the date of submission is
    known (no time of day):

    - Receipt: a dossier submitted on a working day is received that day; one submitted on a
      weekend or holiday (online, by post) is received on the next working day, as the desk's
      receipt slip (giấy tiếp nhận và hẹn trả kết quả) then shows.
    - ``working_day``: that many working days after receipt; a fraction counts as a whole day
      (1.5 days ends during the second working day, so the result is due that day).
    - ``day``: calendar days after receipt, moved to the next working day if the last one is not.
    - ``hour``: working hours, 8 a working day, from the opening of the receipt day: up to 8 hours
      gives the receipt day itself (a dossier handed in late in the day may roll to the next
      morning), 9-16 hours the next working day, and so on.
    - ``in_day`` ("trong ngày"): the receipt day.
    - ``month`` / ``year``: the same day of the month that many months later (the month's last
      day when it has none, Art. 148(3)), then the next working day if needed; a fraction of a
      month counts as that fraction of 30 days (Art. 146(1)(c)), rounded up.

    Args:
        submitted: the day the citizen submits.
        value: the procedure time (SubmissionChannel.time_value).
        unit: its unit (SubmissionChannel.time_unit).
        calendar: working days with the staff's exceptions (`load_calendar`).

    Returns:
        The due date, or None when the value or unit is missing, unknown or negative.
    """
    if value is None or unit not in UNITS or not math.isfinite(value) or value < 0:
        return None
    receipt = calendar.next_working_day(submitted, inclusive=True)
    if unit == "in_day":
        return receipt
    if unit == "working_day":
        return calendar.add_working_days(receipt, math.ceil(value - _EPSILON))
    if unit == "hour":
        # Hours run from the start of the receipt day: h hours end during working day ceil(h/8),
        # counting the receipt day as the first.
        days_touched = max(1, math.ceil(value / HOURS_PER_WORKING_DAY - _EPSILON))
        return calendar.add_working_days(receipt, days_touched - 1)
    if unit == "day":
        end = receipt + dt.timedelta(days=math.ceil(value - _EPSILON))
        return calendar.next_working_day(end, inclusive=True)
    months = value * 12 if unit == "year" else value
    whole = math.floor(months + _EPSILON)
    extra_days = math.ceil((months - whole) * 30 - _EPSILON) if months - whole > _EPSILON else 0
    end = _add_months(receipt, whole) + dt.timedelta(days=extra_days)
    return calendar.next_working_day(end, inclusive=True)


def load_days_off_seed(session: Session, path: Path = DAYS_OFF_SEED) -> int:
    """Upsert the shipped days off / make-up working days by day; staff rows are never touched.

    A row whose ``created_by`` is not "seed" was entered by staff and wins over the seed.

    Args:
        session: an open session (the caller commits).
        path: the seed file: ``{"_note": ..., "days": [{"day", "kind", "note"}, ...]}``.

    Returns:
        The number of rows added or changed.

    Raises:
        ValueError: on a kind other than "off" / "working".
    """
    entries = json.loads(path.read_text(encoding="utf-8"))["days"]
    existing = {row.day: row for row in session.scalars(select(DayOff))}
    changed = 0
    for entry in entries:
        day, kind, note = dt.date.fromisoformat(entry["day"]), entry["kind"], entry.get("note", "")
        if kind not in DAY_KINDS:
            raise ValueError(f"{entry['day']}: kind must be one of {sorted(DAY_KINDS)}, not {kind!r}")
        row = existing.get(day)
        if row is None:
            row = DayOff(day=day, kind=kind, note=note, created_by=SEED_AUTHOR)
            session.add(row)
            existing[day] = row
            changed += 1
        elif row.created_by == SEED_AUTHOR and (row.kind, row.note) != (kind, note):
            row.kind, row.note = kind, note
            changed += 1
    session.flush()
    return changed
