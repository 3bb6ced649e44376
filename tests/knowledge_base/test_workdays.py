"""Working days (lunar holidays from the `holidays` package, staff exceptions from the database) and
the expected result date of each time unit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from knowledge_base.db import session_scope
from knowledge_base.maintenance import migrate
from knowledge_base.models import DayOff
from knowledge_base.workdays import (
    DAYS_OFF_SEED,
    WorkCalendar,
    expected_result_date,
    load_calendar,
    load_days_off_seed,
)

D = dt.date
CALENDAR = WorkCalendar()
# An ordinary fortnight with no holiday: Monday 10 to Sunday 23 November 2025.
MONDAY = D(2025, 11, 10)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _working_days_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    return sum(calendar.is_working_day(d) for d in _days(start + dt.timedelta(days=1), end))


# Lunar New Year's day (mùng 1 Tết), from the published lunar calendar, not from the package.
LUNAR_NEW_YEAR = {2027: D(2027, 2, 6), 2028: D(2028, 1, 26)}


@pytest.mark.parametrize("year", sorted(LUNAR_NEW_YEAR))
def test_tet_is_skipped_with_five_weekdays_off(year: int) -> None:
    tet = LUNAR_NEW_YEAR[year]
    # New Year's Eve and the first four days are off, whatever weekday they fall on.
    assert not any(CALENDAR.is_working_day(tet + dt.timedelta(days=i)) for i in range(-1, 4))
    # Labour Code 2019 Art. 112: five days of Tết, days on a weekend compensated on weekdays.
    window = _days(tet - dt.timedelta(days=10), tet + dt.timedelta(days=10))
    weekdays_off = [d for d in window if d.weekday() < 5 and not CALENDAR.is_working_day(d)]
    assert len(weekdays_off) == 5
    # Counting over Tết jumps the whole break.
    before = max(d for d in window if d < tet and CALENDAR.is_working_day(d))
    after = CALENDAR.add_working_days(before, 1)
    assert after > tet + dt.timedelta(days=3)
    assert all(not CALENDAR.is_working_day(d) for d in _days(before + dt.timedelta(days=1), after)[:-1])
    assert CALENDAR.holiday_name(tet) is not None


# Giỗ Tổ Hùng Vương (10/3 lunar): 2025 on a Monday, 2026 on a Sunday (so Monday 27/4 is off),
# 2027 on a Friday.
@pytest.mark.parametrize("day", [D(2025, 4, 7), D(2026, 4, 27), D(2027, 4, 16)])
def test_hung_kings_day_is_skipped(day: dt.date) -> None:
    assert day.weekday() < 5
    assert not CALENDAR.is_working_day(day)
    assert CALENDAR.add_working_days(day - dt.timedelta(days=1), 1) != day


def test_weekends_are_skipped_and_weekdays_count() -> None:
    week = _days(MONDAY, MONDAY + dt.timedelta(days=6))
    assert [CALENDAR.is_working_day(d) for d in week] == [True] * 5 + [False] * 2
    friday = MONDAY + dt.timedelta(days=4)
    assert CALENDAR.add_working_days(friday, 1) == MONDAY + dt.timedelta(days=7)
    assert CALENDAR.next_working_day(friday) == MONDAY + dt.timedelta(days=7)
    assert CALENDAR.next_working_day(friday, inclusive=True) == friday
    assert CALENDAR.add_working_days(MONDAY + dt.timedelta(days=7), -1) == friday


def test_a_day_cannot_be_both_off_and_working() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(extra_off={MONDAY}, extra_working={MONDAY})


def test_staff_days_from_the_database_are_respected(fresh_sqlite: str) -> None:
    migrate(fresh_sqlite)
    wednesday, saturday = MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=5)
    with session_scope(fresh_sqlite) as session:
        session.add(DayOff(day=wednesday, kind="off", note="Nghỉ bầu cử", created_by="canbo1"))
        session.add(DayOff(day=saturday, kind="working", note="Làm bù", created_by="canbo1"))
        session.commit()
    with session_scope(fresh_sqlite) as session:
        calendar = load_calendar(session)
    assert CALENDAR.is_working_day(wednesday) and not calendar.is_working_day(wednesday)
    assert not CALENDAR.is_working_day(saturday) and calendar.is_working_day(saturday)
    tuesday, friday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=4)
    assert calendar.add_working_days(tuesday, 1) == MONDAY + dt.timedelta(days=3)
    assert expected_result_date(friday, 1, "working_day", calendar=calendar) == saturday
    assert expected_result_date(saturday, 0, "in_day", calendar=calendar) == saturday


def test_days_off_seed_loads_once_and_keeps_staff_rows(fresh_sqlite: str) -> None:
    migrate(fresh_sqlite)
    seed = json.loads(DAYS_OFF_SEED.read_text(encoding="utf-8"))["days"]
    staff_day = D.fromisoformat(seed[0]["day"])
    other_kind = "off" if seed[0]["kind"] == "working" else "working"
    with session_scope(fresh_sqlite) as session:
        session.add(DayOff(day=staff_day, kind=other_kind, note="quyết định của tỉnh", created_by="canbo1"))
        session.commit()
    with session_scope(fresh_sqlite) as session:
        assert load_days_off_seed(session) == len(seed) - 1
        session.commit()
    with session_scope(fresh_sqlite) as session:
        assert load_days_off_seed(session) == 0
        # A seed row edited in place is restored; the staff row is not.
        edited = session.scalar(select(DayOff).where(DayOff.day == D.fromisoformat(seed[1]["day"])))
        assert edited is not None
        edited.note = "sửa tay"
        session.commit()
    with session_scope(fresh_sqlite) as session:
        assert load_days_off_seed(session) == 1
        session.commit()
        rows = {row.day: row for row in session.scalars(select(DayOff))}
        calendar = load_calendar(session)
    assert len(rows) == len(seed)
    assert rows[staff_day].kind == other_kind and rows[staff_day].created_by == "canbo1"
    for entry in seed[1:]:
        day = D.fromisoformat(entry["day"])
        assert rows[day].note == entry["note"] and rows[day].created_by == "seed"
        assert calendar.is_working_day(day) is (entry["kind"] == "working")


def test_days_off_seed_is_well_formed() -> None:
    document = json.loads(DAYS_OFF_SEED.read_text(encoding="utf-8"))
    assert document["_note"]
    days = [D.fromisoformat(entry["day"]) for entry in document["days"]]
    assert len(days) == len(set(days))
    for entry, day in zip(document["days"], days, strict=True):
        assert entry["note"].strip()
        # A make-up working day is a weekend day; an extra day off is a weekday.
        assert (day.weekday() >= 5) is (entry["kind"] == "working"), entry
    # Every swap is balanced: as many make-up days as extra days off.
    kinds = [entry["kind"] for entry in document["days"]]
    assert kinds.count("off") == kinds.count("working")


# --- expected_result_date, unit by unit (dates counted by hand) -----------------------------


def test_working_days_start_the_day_after_receipt() -> None:
    thursday = MONDAY + dt.timedelta(days=3)
    assert expected_result_date(MONDAY, 3, "working_day", calendar=CALENDAR) == thursday
    friday = MONDAY + dt.timedelta(days=4)
    assert expected_result_date(friday, 1, "working_day", calendar=CALENDAR) == MONDAY + dt.timedelta(days=7)
    # Submitted on Saturday: received Monday, day one is Tuesday.
    saturday = MONDAY + dt.timedelta(days=5)
    assert expected_result_date(saturday, 1, "working_day", calendar=CALENDAR) == D(2025, 11, 18)
    # 1.5 working days end during the second working day.
    wednesday = MONDAY + dt.timedelta(days=2)
    assert expected_result_date(MONDAY, 1.5, "working_day", calendar=CALENDAR) == wednesday
    # Across Tết 2026 (16-20/2) and its weekends: Fri 13 (1), Mon 23 (2) ... Thu 26 (5).
    assert expected_result_date(D(2026, 2, 12), 5, "working_day", calendar=CALENDAR) == D(2026, 2, 26)


def test_calendar_days_end_on_a_working_day() -> None:
    assert expected_result_date(MONDAY, 7, "day", calendar=CALENDAR) == MONDAY + dt.timedelta(days=7)
    wednesday = MONDAY + dt.timedelta(days=2)
    # Wednesday + 4 days is Sunday: moved to Monday.
    assert expected_result_date(wednesday, 4, "day", calendar=CALENDAR) == MONDAY + dt.timedelta(days=7)


def test_hours_count_from_the_receipt_day() -> None:
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    assert expected_result_date(MONDAY, 1, "hour", calendar=CALENDAR) == MONDAY
    assert expected_result_date(MONDAY, 8, "hour", calendar=CALENDAR) == MONDAY
    assert expected_result_date(MONDAY, 9, "hour", calendar=CALENDAR) == tuesday
    assert expected_result_date(MONDAY, 24, "hour", calendar=CALENDAR) == wednesday
    sunday = MONDAY + dt.timedelta(days=6)
    assert expected_result_date(sunday, 4, "hour", calendar=CALENDAR) == MONDAY + dt.timedelta(days=7)


def test_in_day_is_the_receipt_day() -> None:
    assert expected_result_date(MONDAY, 0, "in_day", calendar=CALENDAR) == MONDAY
    saturday = MONDAY + dt.timedelta(days=5)
    assert expected_result_date(saturday, 1, "in_day", calendar=CALENDAR) == MONDAY + dt.timedelta(days=7)


def test_months_and_years_keep_the_day_of_month() -> None:
    assert expected_result_date(MONDAY, 3, "month", calendar=CALENDAR) == D(2026, 2, 10)
    # 31/10 + 1 month: November has no 31st, so 30/11, a Sunday, so Monday 1/12.
    assert expected_result_date(D(2025, 10, 31), 1, "month", calendar=CALENDAR) == D(2025, 12, 1)
    assert expected_result_date(MONDAY, 1, "year", calendar=CALENDAR) == D(2026, 11, 10)
    # Half a month is 15 days (Civil Code Art. 146: a month is 30 days).
    assert expected_result_date(MONDAY, 0.5, "month", calendar=CALENDAR) == D(2025, 11, 25)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(None, "working_day"), (5, None), (5, "fortnight"), (-1, "day"), (float("nan"), "day")],
)
def test_missing_or_unknown_time_gives_none(value: float | None, unit: str | None) -> None:
    assert expected_result_date(MONDAY, value, unit, calendar=CALENDAR) is None


# --- properties ------------------------------------------------------------------------------

STAFF = WorkCalendar(extra_off={D(2026, 3, 4), D(2027, 7, 7)}, extra_working={D(2026, 3, 7), D(2027, 1, 2)})
DATES = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=DATES, n=st.integers(min_value=0, max_value=60), calendar=st.sampled_from([CALENDAR, STAFF]))
def test_add_working_days_lands_on_a_working_day_and_is_monotonic(
    start: dt.date, n: int, calendar: WorkCalendar
) -> None:
    end = calendar.add_working_days(start, n)
    after = calendar.add_working_days(start, n + 1)
    assert calendar.is_working_day(after) and after > end >= start
    assert _working_days_between(calendar, start, end) == n
    if n:
        assert calendar.is_working_day(end)
        assert calendar.add_working_days(end, -n) <= start


@settings(max_examples=100, deadline=None)
@given(
    start=DATES,
    value=st.floats(min_value=0, max_value=90, allow_nan=False),
    unit=st.sampled_from(["working_day", "day", "hour", "in_day", "month"]),
)
def test_result_date_is_a_working_day_not_before_submission(start: dt.date, value: float, unit: str) -> None:
    due = expected_result_date(start, value, unit, calendar=CALENDAR)
    assert due is not None and due >= start and CALENDAR.is_working_day(due)
    later = expected_result_date(start, value + 1, unit, calendar=CALENDAR)
    assert later is not None and later >= due
