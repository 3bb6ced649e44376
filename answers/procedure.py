"""Questions about one procedure: which procedure a message means, and the answer to its aspects.

`answer_procedure` is the whole path: a button choice, a procedure the message names (or a
clarifying question when several are close), a general question the FAQ answers, or the procedure
the conversation is already about; then one combined answer of every aspect asked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from answers.faq import faq_reply
from answers.formatting import answer_card, format_answer
from answers.reply import RATING_BUTTONS, Reply
from knowledge_base.faq import MIN_FAQ_SCORE, FaqHit, search_faq
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ProcedureOut
from knowledge_base.search import SearchHit, normalise_query, search_procedures
from knowledge_base.workdays import expected_result_date, load_calendar
from vntext import fold
from vntext.dates import parse_submission_date

ASPECT_BY_INTENT = {
    "ask_documents": "documents",
    "ask_processing_time": "processing_time",
    "ask_fee": "fee",
    "ask_submission": "submission",
    "ask_online": "online",
    "ask_payment": "payment",
    "ask_steps": "steps",
    "ask_forms": "forms",
    "ask_conditions": "conditions",
    "ask_result": "result",
    "ask_legal_basis": "legal_basis",
}
ASPECT_ORDER = list(ASPECT_BY_INTENT.values())
# What "tell me about procedure X" answers.
OVERVIEW = ["documents", "processing_time", "fee", "submission"]
# Below this search score the message is taken to name no procedure.
MIN_SCORE = 0.45
# Candidates with different names scoring within this margin of the best one are "close": the
# citizen is asked which one they mean, unless the best one matches (nearly) exactly.
CLARIFY_MARGIN = 0.05
CLEAR_MATCH = 0.9
# With a procedure already under discussion, a message not naming another one (no procedure entity)
# switches only on a search score this high.
SWITCH_SCORE = 0.8
MAX_CANDIDATES = 4
# Aspects that are often asked in general ("nộp online thế nào?", "thanh toán bằng gì?"): without a
# procedure in sight the FAQ is tried at its usual threshold. A question about documents, time, fee …
# without a procedure needs the procedure, unless an FAQ entry matches it very well.
GENERAL_ASPECTS = {"online", "payment", "submission"}
STRONG_FAQ_SCORE = 0.6
# Answers whose procedure match or intent is below this go to the staff inbox for review.
REVIEW_BELOW = 0.6
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time in Vietnam: "today" is counted here


@dataclass
class Resolution:
    """What a message's procedure lookup found."""

    procedure: ProcedureOut | None = None
    candidates: list[SearchHit] = field(default_factory=list)
    score: float = 0.0
    faq: FaqHit | None = None
    due_dates: dict[str, dt.date] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcedureQuestion:
    """What a message asks about a procedure, as the dialogue layer read it.

    Attributes:
        text: The message as typed ("" when a candidate was chosen).
        intent: The classifier's intent.
        confidence: The classifier's confidence in it.
        aspects: The aspects asked, the main one first (see `asked_aspects`).
        named: Procedure names the NLU matcher found in the message.
        chosen_code: The candidate the citizen pressed or typed, if any.
        current_code: The procedure the conversation is already about, if any.
        submitted: The day the citizen says they submit (for the expected result date), if any.
    """

    text: str
    intent: str = ""
    confidence: float = 1.0
    aspects: list[str] = field(default_factory=lambda: list(OVERVIEW))
    named: list[str] = field(default_factory=list)
    chosen_code: str | None = None
    current_code: str | None = None
    submitted: dt.date | None = None


@dataclass(frozen=True)
class ProcedureAnswer:
    """The reply to a procedure question and what the conversation should remember.

    Attributes:
        reply: The message to send.
        kind: "answer" (a procedure's aspects), "faq" (a general question), "clarify" (which one?).
        procedure_code: The procedure answered ("" unless `kind` is "answer").
        aspects: The aspects answered (or still pending when `kind` is "clarify").
        needs_review: Whether the match or the intent was weak enough for staff to look at it.
    """

    reply: Reply
    kind: str
    procedure_code: str = ""
    aspects: list[str] = field(default_factory=list)
    needs_review: bool = False


def asked_aspects(intent: str, aspect_values: list[str], pending: list[str] | None = None) -> list[str]:
    """The aspects a message asks about: its intent's plus every aspect entity, in order.

    Args:
        intent: The message's intent (ask_fee, ...).
        aspect_values: Values of its aspect entities.
        pending: Aspects asked earlier while the procedure was unknown, used when the message asks none.

    Returns:
        The intent's own aspect first (it is what the question is mainly about), then the usual order;
        else the pending aspects; else the overview.
    """
    asked = {ASPECT_BY_INTENT[intent]} if intent in ASPECT_BY_INTENT else set()
    asked |= {value for value in aspect_values if value in ASPECT_ORDER}
    first = ASPECT_BY_INTENT.get(intent)
    ordered = sorted(asked, key=lambda aspect: (aspect != first, ASPECT_ORDER.index(aspect)))
    if ordered:
        return ordered
    kept = [aspect for aspect in pending or [] if aspect in ASPECT_ORDER]
    return kept or list(OVERVIEW)


# "(thực hiện tại cấp tỉnh)": the national base's way of naming the same procedure at another level.
_LEVEL_SUFFIX_RE = re.compile(r"\(\s*thuc hien tai cap[^)]*\)")


def _distinct(hits: list[SearchHit]) -> list[SearchHit]:
    """One hit per procedure name: the same name at several levels is one choice for a citizen."""
    seen: set[str] = set()
    result = []
    for hit in hits:
        key = _LEVEL_SUFFIX_RE.sub("", fold(hit.name)).strip()
        if key not in seen:
            seen.add(key)
            result.append(hit)
    return result


def close_candidates(hits: list[SearchHit]) -> list[SearchHit]:
    """The candidates too close to the best one to pick silently (empty when the best is clear)."""
    distinct = _distinct(hits)
    if len(distinct) < 2 or distinct[0].score >= CLEAR_MATCH:
        return []
    best = distinct[0].score
    close = [hit for hit in distinct if hit.score >= max(MIN_SCORE, best - CLARIFY_MARGIN)]
    return close[:MAX_CANDIDATES] if len(close) > 1 else []


def _due_dates(session: Session, procedure: ProcedureOut, submitted: dt.date) -> dict[str, dt.date]:
    calendar = load_calendar(session)
    dates: dict[str, dt.date] = {}
    for channel in procedure.channels:
        if channel.channel in dates:
            continue
        due = expected_result_date(submitted, channel.time_value, channel.time_unit, calendar=calendar)
        if due is not None:
            dates[channel.channel] = due
    return dates


_ORDINALS = {
    "nhat": 1,
    "dau": 1,
    "dau tien": 1,
    "mot": 1,
    "1": 1,
    "hai": 2,
    "nhi": 2,
    "2": 2,
    "ba": 3,
    "3": 3,
    "bon": 4,
    "thu tu": 4,
    "4": 4,
}


def typed_choice(text: str, candidates: list[str]) -> str | None:
    """The candidate a typed answer picks ("cái thứ hai", "số 1", "cái cuối"), or None."""
    if not candidates:
        return None
    words = fold(text).replace(".", " ").split()
    if "cuoi" in words:
        return candidates[-1]
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            number = _ORDINALS.get(" ".join(words[i : i + size]))
            if number and number <= len(candidates):
                return candidates[number - 1]
    return None


# Intents a legal-interpretation question is mistaken for ("... có được ... không theo luật").
LEGAL_PRONE_INTENTS = {"ask_legal_basis", "ask_conditions", "ask_procedure", "ask_result", "nlu_fallback"}
# Folded words that ask for a judgement on a personal legal situation, not how a procedure works.
_LEGAL_ADVICE_RE = re.compile(
    r"\b(?:thua ke|ly hon|tranh chap|bi phat|phat bao nhieu|khoi kien|kien ai|kien nguoi|hop phap khong|"
    r"dung luat khong|sai luat|trai luat|mang ho|quyen nuoi con|chia tai san|boi thuong|ngoai gia thu|"
    r"ngoai hon nhan)\b"
)


# "Thủ tục ghi chú ly hôn", "hồ sơ bồi thường nhà nước": asking for the procedure itself, not a judgement.
_PROCEDURAL_FRAMING_RE = re.compile(r"\b(?:thu tuc|ho so|giay to|mau don|to khai)\b")


def looks_like_legal_advice(text: str) -> bool:
    """Whether a message asks for a legal judgement (inheritance, divorce, penalties, disputes ...)."""
    folded = fold(text)
    return bool(_LEGAL_ADVICE_RE.search(folded)) and not _PROCEDURAL_FRAMING_RE.search(folded)


def says_something(text: str) -> bool:
    """Whether a message says more than an aspect question ("cần giấy tờ gì?", "nộp online được không").

    A bare follow-up like that needs a procedure, not a general FAQ entry that happens to share its words.
    """
    return sum(1 for _word, soft in normalise_query(text) if not soft) >= 2


def resolve(
    session: Session,
    *,
    text: str,
    chosen_code: str | None,
    current_code: str | None,
    named: list[str],
    try_faq: bool,
    submitted: dt.date | None,
    faq_min_score: float = MIN_FAQ_SCORE,
) -> Resolution:
    """Find the procedure a message is about.

    Order: a button choice; a procedure the message names (a clear search hit, or a clarifying question
    when several are close); else, for questions that may be general, the FAQ; else the procedure the
    conversation is already about.
    """
    resolution = Resolution()
    code: str | None = chosen_code
    if code is None and text:
        hits = search_procedures(session, text, limit=8)
        for name in named:
            # The name the matcher found, searched alone, can beat the whole message (whose other
            # words — "cho ông nội", "để đi xuất khẩu lao động" — dilute it).
            alone = search_procedures(session, name, limit=8)
            if alone and (not hits or alone[0].score > hits[0].score):
                hits = alone
        hits = hits if hits and hits[0].score >= MIN_SCORE else []
        clearly_named = bool(hits) and (
            named or (hits[0].score >= CLEAR_MATCH and not close_candidates(hits))
        )
        if try_faq and not clearly_named and says_something(text):
            # "toàn trình là gì" also matches procedures that have "toàn trình" in their names: a question
            # that names no procedure clearly is a general one when an FAQ entry answers it.
            faq_hits = search_faq(session, text, limit=1)
            if faq_hits and faq_hits[0].score >= faq_min_score:
                resolution.faq = faq_hits[0]
                return resolution
        if hits and current_code and not named and hits[0].score < SWITCH_SCORE:
            # A follow-up ("thanh toán trực tuyến được không?") shares words with some procedure names;
            # only a clearly named procedure takes the conversation elsewhere.
            hits = []
        if hits:
            resolution.score = hits[0].score
            close = close_candidates(hits)
            # Staying on the current procedure beats asking, when it is among the close ones.
            if close and current_code in {hit.code for hit in close} and not named:
                code = current_code
            elif close:
                resolution.candidates = close
                return resolution
            else:
                code = hits[0].code
    if code is None:
        code = current_code
    if code:
        resolution.procedure = get_procedure(session, code=code)
        if resolution.procedure is not None and submitted is not None:
            resolution.due_dates = _due_dates(session, resolution.procedure, submitted)
    return resolution


def names_procedure_clearly(session: Session, text: str) -> bool:
    """Whether `text` names one procedure without doubt (used to rescue misrouted questions)."""
    if not text:
        return False
    hits = search_procedures(session, text, limit=8)
    return bool(hits) and hits[0].score >= CLEAR_MATCH and not close_candidates(hits)


def clarify_reply(candidates: list[SearchHit]) -> Reply:
    """Ask which of several close procedures the citizen means, one button each."""
    return Reply(
        response="utter_ask_which_procedure",
        buttons=[
            {"title": hit.name, "payload": f'/choose_procedure{{"procedure_code": "{hit.code}"}}'}
            for hit in candidates
        ],
        custom={"type": "clarify", "candidates": [hit.code for hit in candidates]},
    )


def procedure_reply(
    procedure: ProcedureOut,
    aspects: list[str],
    *,
    source_name: str,
    submitted: dt.date | None = None,
    due_dates: dict[str, dt.date] | None = None,
) -> Reply:
    """The combined answer of `aspects` of one procedure, with its card and the rating buttons."""
    return Reply(
        text=format_answer(
            procedure, aspects, source_name=source_name, submitted_on=submitted, due_dates=due_dates or None
        ),
        buttons=RATING_BUTTONS,
        custom={
            "type": "procedure_answer",
            "procedure_code": procedure.code,
            "aspects": aspects,
            "card": answer_card(procedure, source_name),
        },
    )


def answer_procedure(session: Session, question: ProcedureQuestion, *, source_name: str) -> ProcedureAnswer:
    """Answer a question about a procedure: the answer, a clarifying question, or an FAQ entry.

    Args:
        session: A short-lived database session (the caller runs this off the event loop).
        question: What the message asks.
        source_name: Where the national data comes from, for the source line.

    Returns:
        The reply and what the conversation should remember of it.
    """
    aspects = question.aspects
    chosen = question.chosen_code
    resolution = resolve(
        session,
        text="" if chosen else question.text,
        chosen_code=chosen,
        current_code=question.current_code,
        named=question.named,
        # Aspect questions with no procedure in sight may be general ("nộp online thế nào?").
        try_faq=not question.current_code and not chosen,
        submitted=question.submitted,
        faq_min_score=MIN_FAQ_SCORE if GENERAL_ASPECTS & set(aspects) else STRONG_FAQ_SCORE,
    )
    if resolution.candidates:
        return ProcedureAnswer(clarify_reply(resolution.candidates), "clarify", aspects=aspects)
    if resolution.faq is not None:
        return ProcedureAnswer(faq_reply(resolution.faq), "faq")
    procedure = resolution.procedure
    if procedure is None:
        reply = Reply(response="utter_ask_procedure_name", custom={"type": "clarify", "candidates": []})
        return ProcedureAnswer(reply, "clarify", aspects=aspects)
    weak = question.confidence < REVIEW_BELOW or bool(resolution.score and resolution.score < REVIEW_BELOW)
    return ProcedureAnswer(
        procedure_reply(
            procedure,
            aspects,
            source_name=source_name,
            submitted=question.submitted,
            due_dates=resolution.due_dates,
        ),
        "answer",
        procedure_code=procedure.code,
        aspects=aspects,
        needs_review=not chosen and weak,
    )


def submission_day(text: str, aspects: list[str], today: dt.date) -> dt.date | None:
    """The day the citizen says they submit ("nộp hôm nay", "thứ 2 tuần sau"), for time questions only."""
    return parse_submission_date(text, today) if "processing_time" in aspects else None
