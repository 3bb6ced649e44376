"""The dashboard's figures, as JSON for the charts and as CSV."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.staff.deps import EditorDep, SessionDep
from knowledge_base.staff.analytics import MAX_DAYS, compute_dashboard, dashboard_csv
from knowledge_base.staff.common import VIETNAM, StaffError

router = APIRouter(prefix="/dashboard", tags=["staff: thống kê"])
Days = Annotated[int, Query(ge=1, le=MAX_DAYS)]
# Dates asked for stay in these years: far ones (year 1, 9999) overflowed the day arithmetic and the
# conversion to UTC, a 500 (found by tests/fuzz); no figures exist outside them anyway.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _range(days: int, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    for field, label, day in (("start", "Từ ngày", start), ("end", "Đến ngày", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise StaffError(f"{label} phải trong khoảng {EARLIEST:%d/%m/%Y}–{LATEST:%d/%m/%Y}.", field=field)
    end = end or dt.datetime.now(VIETNAM).date()
    start = start or end - dt.timedelta(days=days - 1)
    if start > end:
        raise StaffError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", field="start")
    if (end - start).days + 1 > MAX_DAYS:
        raise StaffError(f"Khoảng thời gian tối đa {MAX_DAYS} ngày.", field="start")
    return start, end


@router.get("")
def dashboard(
    principal: EditorDep,
    session: SessionDep,
    days: Days = 30,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """Conversations per day, outcomes, top procedures and aspects, rates, ratings, channels."""
    first, last = _range(days, start, end)
    return compute_dashboard(session, start=first, end=last).as_dict()


@router.get(".csv")
def dashboard_export(
    principal: EditorDep,
    session: SessionDep,
    days: Days = 30,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Response:
    """The same figures as CSV (UTF-8 with a byte order mark, which spreadsheet programs need)."""
    first, last = _range(days, start, end)
    text = dashboard_csv(compute_dashboard(session, start=first, end=last))
    return Response(
        content="\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="thong-ke-{first}-{last}.csv"'},
    )
