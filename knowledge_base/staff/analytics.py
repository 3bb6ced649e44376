"""Usage analytics: the dashboard's figures from the `usage_event` rows and the ratings.

The rows are written by `knowledge_base.usage.record_usage` (the action server's import). No message
text is kept, and the sender id only as a keyed hash. Ratings come from `answer_rating`; the most
asked unanswered questions from the staff inbox (`unanswered_question`, stored redacted), grouped by
their folded words.

Days are Vietnam days (UTC+7). "Conversations per day" counts distinct sender hashes per day.
Channels are counted under the officer's word for them (`labels.channel_label`): the widget's old
"rest" and its own "web" channel are both the chat box on the portal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import AnswerRating, Procedure, UnansweredQuestion, UsageEvent
from knowledge_base.staff.common import VIETNAM, aware
from knowledge_base.staff.labels import channel_label
from knowledge_base.usage import OUTCOMES
from vntext import fold

__all__ = ["MAX_DAYS", "Dashboard", "compute_dashboard", "dashboard_csv", "percent", "top_unanswered"]

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
ANSWER_TYPE_LABELS = {"procedure_answer": "Trả lời thủ tục", "faq_answer": "Câu hỏi thường gặp"}
MAX_DAYS = 366
#: Rows of the "most asked unanswered questions" table and of the latest 👎 list.
TOP_UNANSWERED = 10
RECENT_DOWN = 10
_WORDS = re.compile(r"\w+")


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
    # The most asked questions the assistant could not answer, grouped by their folded words.
    top_unanswered: list[dict[str, Any]] = field(default_factory=list)
    # The latest answers rated 👎, with the question they answered.
    recent_down: list[dict[str, Any]] = field(default_factory=list)

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
            "top_unanswered": self.top_unanswered,
            "recent_down": self.recent_down,
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
    # One row per word an officer uses: "rest" and "web" are both the chat box on the portal.
    by_label: dict[str, set[str]] = defaultdict(set)
    for channel, channel_set in channel_senders.items():
        by_label[channel_label(channel)] |= channel_set
    board.channels = sorted(
        (
            {
                "label": label,
                "conversations": len(people),
                "share": round(len(people) / len(senders), 4) if senders else 0.0,
            }
            for label, people in by_label.items()
        ),
        key=lambda item: (-int(item["conversations"]), str(item["label"])),
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
    board.top_unanswered = top_unanswered(session, begin=begin, finish=finish)
    board.recent_down = recent_down_ratings(session, begin=begin, finish=finish)
    return board


def _question_key(text: str) -> str:
    # The same question typed with or without diacritics, capitals or punctuation is one row.
    return " ".join(_WORDS.findall(fold(text)))


def top_unanswered(
    session: Session, *, begin: dt.datetime, finish: dt.datetime, limit: int = TOP_UNANSWERED
) -> list[dict[str, Any]]:
    """The inbox questions asked most often between `begin` and `finish` (UTC), grouped by folded words.

    Each row: the latest wording, how many times it was asked, how many of those are still open, when
    it was last asked, and the newest open question's id (to answer it from the FAQ page).
    """
    rows = session.execute(
        select(
            UnansweredQuestion.id,
            UnansweredQuestion.text,
            UnansweredQuestion.status,
            UnansweredQuestion.created_at,
        )
        .where(UnansweredQuestion.created_at >= begin, UnansweredQuestion.created_at < finish)
        .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
    ).all()
    groups: dict[str, dict[str, Any]] = {}
    for question_id, text, status, at in rows:
        key = _question_key(text or "")
        if not key:
            continue
        group = groups.get(key)
        if group is None:
            # Rows come newest first: the first one seen is the latest wording.
            group = groups[key] = {
                "text": text,
                "count": 0,
                "open": 0,
                "last_at": aware(at).isoformat(),
                "question_id": None,
            }
        group["count"] += 1
        if status == "open":
            group["open"] += 1
            if group["question_id"] is None:
                group["question_id"] = question_id
    ranked = sorted(groups.values(), key=lambda g: (-g["count"], -g["open"], g["text"]))
    return ranked[:limit]


def recent_down_ratings(
    session: Session, *, begin: dt.datetime, finish: dt.datetime, limit: int = RECENT_DOWN
) -> list[dict[str, Any]]:
    """The latest answers rated 👎 between `begin` and `finish`: the question, what answered it, when."""
    rows = session.execute(
        select(
            AnswerRating.question,
            AnswerRating.answer_type,
            AnswerRating.procedure_code,
            AnswerRating.faq_id,
            AnswerRating.created_at,
        )
        .where(AnswerRating.rating < 0, AnswerRating.created_at >= begin, AnswerRating.created_at < finish)
        .order_by(AnswerRating.created_at.desc(), AnswerRating.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "question": question or "",
            "answered_with": ANSWER_TYPE_LABELS.get(answer_type, "Câu trả lời khác"),
            "procedure_code": code or "",
            "faq_id": faq_id,
            "at": aware(at).isoformat(),
        }
        for question, answer_type, code, faq_id, at in rows
    ]


def _safe_cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection): make it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def percent(value: float | None) -> str:
    """A share written as an officer reads it: 0.3333 -> "33,3%" (Vietnamese decimal comma)."""
    if value is None:
        return ""
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def dashboard_csv(board: Dashboard) -> str:
    """The same figures as CSV, one row per figure, headed in Vietnamese: group, item, count, share.

    Shares are written as percentages ("33,3%"); items are what the page shows (no internal names).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Nhóm", "Mục", "Số lượng", "Tỉ lệ"])

    def row(group: str, item: object, count: object = "", share: str = "") -> None:
        writer.writerow([_safe_cell(group), _safe_cell(item), _safe_cell(count), _safe_cell(share)])

    def of(count: int, total: int) -> str:
        return percent(count / total) if total else ""

    row("Khoảng thời gian", "Từ ngày " + _day(board.start))
    row("Khoảng thời gian", "Đến ngày " + _day(board.end))
    row("Tổng", "Số cuộc trò chuyện", board.conversations)
    row("Tổng", "Số tin nhắn được xử lý", board.messages)
    row("Tỉ lệ", "Không hiểu / chưa có câu trả lời", "", percent(board.fallback_rate))
    row("Tỉ lệ", "Cuộc trò chuyện chuyển cán bộ", "", percent(board.handoff_rate))
    rated = board.ratings_up + board.ratings_down
    row("Đánh giá của người dân", "Hữu ích", board.ratings_up, of(board.ratings_up, rated))
    row("Đánh giá của người dân", "Chưa hữu ích", board.ratings_down, of(board.ratings_down, rated))
    for outcome in OUTCOMES:
        count = board.outcomes.get(outcome, 0)
        row("Kết quả xử lý tin nhắn", OUTCOME_LABELS[outcome], count, of(count, board.messages))
    for item in board.channels:
        row("Kênh (cuộc trò chuyện)", item["label"], item["conversations"], percent(item["share"]))
    for item in board.top_procedures:
        row("Thủ tục được hỏi nhiều nhất", f"{item['code']} {item['name']}".strip(), item["count"])
    for item in board.top_aspects:
        row("Nội dung được hỏi nhiều nhất", item["label"], item["count"])
    for item in board.top_unanswered:
        row("Câu hỏi chưa trả lời nhiều nhất", item["text"], item["count"])
    for day in board.days:
        row("Số cuộc trò chuyện theo ngày", _day(dt.date.fromisoformat(day["date"])), day["conversations"])
    for day in board.days:
        for outcome in OUTCOMES:
            row(
                f"Kết quả theo ngày: {OUTCOME_LABELS[outcome]}",
                _day(dt.date.fromisoformat(day["date"])),
                day[outcome],
            )
    return out.getvalue()
