"""Usage analytics: the dashboard's figures from the `usage_event` rows and the ratings.

The rows are written by `knowledge_base.usage.record_usage` (the action server's import). No message
text is kept, and the sender id only as a keyed hash. Ratings come from `answer_rating`.

Days are Vietnam days (UTC+7). "Conversations per day" counts distinct sender hashes per day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import AnswerRating, Procedure, UsageEvent
from knowledge_base.staff.common import VIETNAM, aware
from knowledge_base.usage import OUTCOMES

__all__ = ["MAX_DAYS", "Dashboard", "compute_dashboard", "dashboard_csv"]

OUTCOME_LABELS = {
    "answer": "Trả lời thủ tục",
    "faq": "Câu hỏi thường gặp",
    "fallback": "Không hiểu / chưa có câu trả lời",
    "handoff": "Chuyển cán bộ",
    "decline": "Từ chối (ngoài phạm vi, pháp lý, khiếu nại)",
    "dossier": "Tra cứu hồ sơ",
}
ASPECT_LABELS = {
    "documents": "Giấy tờ",
    "processing_time": "Thời hạn",
    "fee": "Lệ phí",
    "submission": "Nơi nộp",
    "online": "Trực tuyến",
    "payment": "Thanh toán",
    "steps": "Trình tự",
    "forms": "Mẫu đơn",
    "conditions": "Điều kiện",
    "result": "Kết quả",
    "legal_basis": "Căn cứ pháp lý",
}
CHANNEL_LABELS = {"rest": "REST / web", "telegram": "Telegram", "zalo": "Zalo", "web": "Web", "": "Không rõ"}
MAX_DAYS = 366


@dataclass
class Dashboard:
    """The dashboard's figures over a range of Vietnam days (both ends included)."""

    start: dt.date
    end: dt.date
    # One row per day: date, conversations, messages, and a count per outcome.
    days: list[dict[str, Any]] = field(default_factory=list)
    conversations: int = 0
    messages: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    top_procedures: list[dict[str, Any]] = field(default_factory=list)
    top_aspects: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    fallback_rate: float = 0.0
    handoff_rate: float = 0.0
    ratings_up: int = 0
    ratings_down: int = 0

    @property
    def up_ratio(self) -> float | None:
        """Share of 👍 among the ratings, or None without ratings."""
        total = self.ratings_up + self.ratings_down
        return round(self.ratings_up / total, 4) if total else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "conversations": self.conversations,
            "messages": self.messages,
            "outcomes": [
                {"outcome": o, "label": OUTCOME_LABELS[o], "count": self.outcomes.get(o, 0)} for o in OUTCOMES
            ],
            "top_procedures": self.top_procedures,
            "top_aspects": self.top_aspects,
            "channels": self.channels,
            "fallback_rate": self.fallback_rate,
            "handoff_rate": self.handoff_rate,
            "ratings": {"up": self.ratings_up, "down": self.ratings_down, "up_ratio": self.up_ratio},
        }


def _utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(start, dt.time(), tzinfo=VIETNAM).astimezone(dt.timezone.utc)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=VIETNAM).astimezone(
        dt.timezone.utc
    )
    return begin, finish


def _vn_day(value: dt.datetime) -> dt.date:
    return aware(value).astimezone(VIETNAM).date()


def compute_dashboard(session: Session, *, start: dt.date, end: dt.date, top: int = 10) -> Dashboard:
    """The dashboard over the Vietnam days `start`..`end`.

    Rates: fallback rate = fallback outcomes / messages with an outcome; handoff rate = conversations
    with a handoff / conversations.

    Raises:
        ValueError: `end` before `start`, or more than `MAX_DAYS` days.
    """
    if end < start:
        raise ValueError("end before start")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days")
    begin, finish = _utc_bounds(start, end)
    rows = session.execute(
        select(
            UsageEvent.at,
            UsageEvent.sender_hash,
            UsageEvent.channel,
            UsageEvent.procedure_code,
            UsageEvent.aspects,
            UsageEvent.outcome,
        ).where(UsageEvent.at >= begin, UsageEvent.at < finish)
    ).all()
    senders_by_day: dict[dt.date, set[str]] = defaultdict(set)
    outcomes_by_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
    senders: set[str] = set()
    handed_over: set[str] = set()
    channel_senders: dict[str, set[str]] = defaultdict(set)
    procedures: Counter[str] = Counter()
    aspects: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for at, sender, channel, code, asked, outcome in rows:
        day = _vn_day(at)
        senders_by_day[day].add(sender)
        outcomes_by_day[day][outcome] += 1
        senders.add(sender)
        channel_senders[channel or ""].add(sender)
        outcomes[outcome] += 1
        if outcome == "handoff":
            handed_over.add(sender)
        if outcome == "answer" and code:
            procedures[code] += 1
            aspects.update(a for a in (asked or []) if isinstance(a, str))
    board = Dashboard(start=start, end=end)
    day = start
    while day <= end:
        counts = outcomes_by_day.get(day, Counter())
        board.days.append(
            {
                "date": day.isoformat(),
                "conversations": len(senders_by_day.get(day, ())),
                "messages": sum(counts.values()),
                **{outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
            }
        )
        day += dt.timedelta(days=1)
    board.conversations = len(senders)
    board.messages = len(rows)
    board.outcomes = dict(outcomes)
    top_codes = [code for code, _ in procedures.most_common(top)]
    names = {
        code: name
        for code, name in session.execute(
            select(Procedure.code, Procedure.name).where(Procedure.code.in_(top_codes))
        )
    }
    board.top_procedures = [
        {"code": code, "name": names.get(code, ""), "count": count}
        for code, count in procedures.most_common(top)
    ]
    board.top_aspects = [
        {"aspect": a, "label": ASPECT_LABELS.get(a, a), "count": n} for a, n in aspects.most_common(top)
    ]
    board.channels = sorted(
        (
            {"channel": c, "label": CHANNEL_LABELS.get(c, c), "conversations": len(s)}
            for c, s in channel_senders.items()
        ),
        key=lambda item: (-int(item["conversations"]), str(item["channel"])),
    )
    board.fallback_rate = round(outcomes["fallback"] / len(rows), 4) if rows else 0.0
    board.handoff_rate = round(len(handed_over) / len(senders), 4) if senders else 0.0
    for rating in session.scalars(
        select(AnswerRating.rating).where(AnswerRating.created_at >= begin, AnswerRating.created_at < finish)
    ):
        if rating > 0:
            board.ratings_up += 1
        elif rating < 0:
            board.ratings_down += 1
    return board


def _safe_cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): make it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def dashboard_csv(board: Dashboard) -> str:
    """The same figures as CSV, one row per figure: section, key, label, value (long format)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["nhom", "khoa", "nhan", "gia_tri"])

    def row(section: str, key: object, label: object, value: object) -> None:
        writer.writerow([_safe_cell(section), _safe_cell(key), _safe_cell(label), _safe_cell(value)])

    row("khoang_thoi_gian", "tu_ngay", "Từ ngày", board.start.isoformat())
    row("khoang_thoi_gian", "den_ngay", "Đến ngày", board.end.isoformat())
    row("tong", "cuoc_tro_chuyen", "Số cuộc trò chuyện", board.conversations)
    row("tong", "tin_nhan", "Số tin nhắn có kết quả", board.messages)
    row("ti_le", "fallback", "Tỉ lệ không hiểu", board.fallback_rate)
    row("ti_le", "handoff", "Tỉ lệ chuyển cán bộ", board.handoff_rate)
    row("danh_gia", "up", "Hữu ích (👍)", board.ratings_up)
    row("danh_gia", "down", "Chưa hữu ích (👎)", board.ratings_down)
    row("danh_gia", "up_ratio", "Tỉ lệ hữu ích", "" if board.up_ratio is None else board.up_ratio)
    for day in board.days:
        row("cuoc_tro_chuyen_theo_ngay", day["date"], "Số cuộc trò chuyện", day["conversations"])
    for day in board.days:
        for outcome in OUTCOMES:
            row(f"ket_qua_theo_ngay_{outcome}", day["date"], OUTCOME_LABELS[outcome], day[outcome])
    for outcome in OUTCOMES:
        row("ket_qua", outcome, OUTCOME_LABELS[outcome], board.outcomes.get(outcome, 0))
    for item in board.top_procedures:
        row("thu_tuc_hoi_nhieu", item["code"], item["name"], item["count"])
    for item in board.top_aspects:
        row("noi_dung_hoi_nhieu", item["aspect"], item["label"], item["count"])
    for item in board.channels:
        row("kenh", item["channel"], item["label"], item["conversations"])
    return out.getvalue()
