"""The staff inbox's data: questions the assistant could not answer well, and handoff tickets.

From one item an officer can answer the citizen, give a handed-over conversation back to the bot,
dismiss a question, or turn it into an FAQ entry (`faq_admin.create_entry(source_question_id=...)`).
A ticket is taken by the officer who claims or first answers it; other editors may then not answer
or release it (admins may). Until a ticket is taken the assistant keeps answering the citizen; once it
is taken the bot pauses until it is released or times out (`pause_until`: the app sets the pause in
the Rasa tracker).

Tickets fall in buckets an officer works through: *waiting* (nobody has taken it yet), *taken*, *to
call back* (timed out before anyone answered: the assistant answered again, the citizen still waits
for a person) and *done*. `inbox_counts` gives the buckets' sizes in one query, for the page's live
refresh and the count in the navigation.

Open questions are worked through in groups (`question_groups`): the same question asked in other
words is recognised with the assistant's own FAQ retrieval (`knowledge_base.faq.FaqIndex`, each
question a variant of its own), groups come most-asked first, and obvious noise (no words, one key
held down, stacked combining marks) is set aside in a list of its own (`noise_reason`).

Only the database side lives here: the app (`app.staff.inbox`) sends a reply through the Rasa server
first and records it with `record_ticket_reply` / `record_question_reply` once it is delivered, and
adds the conversation it reads from the Rasa server to the views built here.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from knowledge_base.conversations import release_handoff
from knowledge_base.faq import FaqIndex, normalise
from knowledge_base.models import AuditLog, HandoffTicket, StaffUser, TicketClaim, UnansweredQuestion
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, aware, clean_text, iso, now
from knowledge_base.staff.labels import channel_label
from vntext import fold
from vntext.abbreviations import ABBREVIATIONS

MAX_REPLY_CHARS = 2000
QUESTION_REASONS = {
    "fallback": "Trợ lý không hiểu",
    "no_answer": "Chưa có câu trả lời",
    "low_confidence": "Trả lời với độ tin cậy thấp",
    "out_of_scope": "Ngoài phạm vi",
    "legal_advice": "Hỏi giải thích pháp luật",
    "complaint": "Khiếu nại, tố cáo",
    "feedback": "Góp ý",
    "no_procedure": "Không tìm thấy thủ tục",
}
QUESTION_STATUS = {
    "open": "Chờ xử lý",
    "answered": "Đã trả lời",
    "dismissed": "Đã bỏ qua",
    "faq": "Đã thành câu hỏi thường gặp",
}
TICKET_REASONS = {
    "asked": "Người dân yêu cầu gặp cán bộ",
    "fallback": "Trợ lý không hiểu hai lần liên tiếp",
    "dossier": "Tra cứu hồ sơ không thành",
}
#: What the officer reads for a ticket's bucket.
TICKET_BUCKETS = {
    "waiting": "Đang chờ cán bộ nhận",
    "taken": "Cán bộ đang hỗ trợ",
    "callback": "Cần gọi lại",
    "done": "Đã xử lý",
}
#: Why a message was set aside as noise, in the officer's words.
NOISE_REASONS = {
    "no_words": "Chỉ có ký hiệu hoặc biểu tượng cảm xúc",
    "stacked_marks": "Ký tự dấu chồng lên nhau",
    "no_syllable": "Không có từ tiếng Việt nào",
}
#: Two questions are the same question asked again when each finds the other at least this well
#: with the FAQ retrieval (scores in [0, 1]; chosen on knowledge_base/eval/faq_queries.jsonl and
#: search_queries.jsonl: at 0.6 most pairs joined ask the same thing of the same procedure).
GROUP_SIMILARITY = 0.6
#: Only the newest open questions are compared (the cost grows with the square of their number);
#: older ones are listed one by one after them.
MAX_GROUPED = 1000
#: The most questions one bulk "Bỏ qua" may close.
MAX_BULK = 1000
#: The longest search text.
MAX_SEARCH_CHARS = 200


def _ticket_bucket(ticket: HandoffTicket, at: dt.datetime, claimed: bool) -> str:
    if ticket.status != "open":
        return "done"
    if aware(ticket.expires_at) <= at:
        return "callback"
    return "taken" if claimed else "waiting"


def _ticket_status(ticket: HandoffTicket, at: dt.datetime, claimed: bool = False) -> tuple[str, str]:
    if ticket.status == "open":
        if aware(ticket.expires_at) > at:
            if claimed:
                return "open", "Cán bộ đang hỗ trợ (trợ lý tạm dừng)"
            return "open", "Đang chờ cán bộ nhận (trợ lý vẫn trả lời người dân)"
        return "expired", "Cần gọi lại: hết thời gian chờ mà chưa cán bộ nào nhận"
    if ticket.status == "released":
        return "released", "Đã trả lại cho trợ lý"
    return ticket.status, "Đã đóng"


def _claims(session: Session, ticket_ids: list[int]) -> dict[int, tuple[int, str]]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketClaim.ticket_id, StaffUser.id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == TicketClaim.user_id)
        .where(TicketClaim.ticket_id.in_(ticket_ids))
    )
    return {ticket_id: (user_id, name) for ticket_id, user_id, name in rows}


def _question_item(row: UnansweredQuestion) -> dict[str, Any]:
    noise = noise_reason(row.text)
    return {
        "kind": "question",
        "id": row.id,
        "created_at": iso(row.created_at),
        "channel": row.channel,
        "channel_label": channel_label(row.channel),
        "text": row.text,
        "intent": row.intent,
        "confidence": round(float(row.confidence), 3),
        "reason": row.reason,
        "reason_label": QUESTION_REASONS.get(row.reason, "Chưa trả lời được"),
        "status": row.status,
        "status_label": QUESTION_STATUS.get(row.status, row.status),
        "open": row.status == "open",
        "noise": bool(noise),
        "noise_label": NOISE_REASONS.get(noise, ""),
    }


def _waited(row: HandoffTicket, at: dt.datetime) -> int:
    # How long the citizen has waited for a person: until now while the ticket is open (taken,
    # waiting or to call back), until it was released or closed otherwise.
    until = at if row.status == "open" or row.released_at is None else aware(row.released_at)
    return max(0, int((until - aware(row.created_at)).total_seconds()))


def _ticket_item(row: HandoffTicket, claim: tuple[int, str] | None, at: dt.datetime) -> dict[str, Any]:
    status, label = _ticket_status(row, at, claimed=claim is not None)
    bucket = _ticket_bucket(row, at, claim is not None)
    return {
        "kind": "ticket",
        "id": row.id,
        "created_at": iso(row.created_at),
        "channel": row.channel,
        "channel_label": channel_label(row.channel),
        "text": row.summary,
        "reason": row.reason,
        "reason_label": TICKET_REASONS.get(row.reason, "Người dân cần gặp cán bộ"),
        "status": status,
        "status_label": label,
        "open": row.status == "open",
        "bucket": bucket,
        "bucket_label": TICKET_BUCKETS[bucket],
        "waited_seconds": _waited(row, at),
        "expires_at": iso(row.expires_at),
        "released_by": row.released_by,
        "claimed_by_id": claim[0] if claim else None,
        "claimed_by": claim[1] if claim else "",
    }


def inbox_counts(session: Session) -> dict[str, Any]:
    """How many items wait in each bucket, in one query (the page polls it every few seconds).

    Returns:
        ``tickets_waiting`` (nobody has taken them), ``tickets_taken``, ``tickets_open`` (the two
        together: not timed out), ``tickets_callback`` (timed out before anyone answered),
        ``questions_open``, ``attention`` (waiting + to call back: the number in the navigation),
        ``latest_ticket_id`` (a new ticket changes it) and ``now`` (the server's clock, so the page
        counts waiting times from it).
    """
    at = now()
    claimed = exists().where(TicketClaim.ticket_id == HandoffTicket.id)
    is_open = HandoffTicket.status == "open"
    live = HandoffTicket.expires_at > at

    def tickets(*conditions: Any) -> Any:
        return select(func.count(HandoffTicket.id)).where(*conditions).scalar_subquery()

    waiting, taken, callback, questions, latest = session.execute(
        select(
            tickets(is_open, live, ~claimed),
            tickets(is_open, live, claimed),
            tickets(is_open, HandoffTicket.expires_at <= at),
            select(func.count(UnansweredQuestion.id))
            .where(UnansweredQuestion.status == "open")
            .scalar_subquery(),
            select(func.max(HandoffTicket.id)).scalar_subquery(),
        )
    ).one()
    waiting, taken, callback = int(waiting or 0), int(taken or 0), int(callback or 0)
    return {
        "tickets_waiting": waiting,
        "tickets_taken": taken,
        "tickets_open": waiting + taken,
        "tickets_callback": callback,
        "questions_open": int(questions or 0),
        "attention": waiting + callback,
        "latest_ticket_id": int(latest or 0),
        "now": iso(at),
    }


def list_inbox(
    session: Session, *, kind: str = "all", status: str = "open", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """Inbox items (questions and tickets), newest first, with the counts of `inbox_counts`.

    Args:
        session: an open session.
        kind: "all", "question" or "ticket".
        status: "open" (questions to handle, tickets not timed out), "callback" (tickets that timed
            out before anyone answered; no questions), "done" or "all".
        limit: at most this many items.
        offset: skip this many.
    """
    at = now()
    items: list[dict[str, Any]] = []
    fetch = limit + offset
    if kind in ("all", "question") and status != "callback":
        statement = select(UnansweredQuestion)
        if status == "open":
            statement = statement.where(UnansweredQuestion.status == "open")
        elif status == "done":
            statement = statement.where(UnansweredQuestion.status != "open")
        rows = session.scalars(statement.order_by(UnansweredQuestion.created_at.desc()).limit(fetch))
        items += [_question_item(r) for r in rows]
    if kind in ("all", "ticket"):
        statement = select(HandoffTicket)
        if status == "open":
            statement = statement.where(HandoffTicket.status == "open", HandoffTicket.expires_at > at)
        elif status == "callback":
            statement = statement.where(HandoffTicket.status == "open", HandoffTicket.expires_at <= at)
        elif status == "done":
            statement = statement.where(HandoffTicket.status != "open")
        tickets = list(session.scalars(statement.order_by(HandoffTicket.created_at.desc()).limit(fetch)))
        claims = _claims(session, [t.id for t in tickets])
        items += [_ticket_item(t, claims.get(t.id), at) for t in tickets]
    # Waiting tickets first (a citizen is waiting for a person), then taken ones, the ones to call
    # back, and the rest; newest first within each.
    order = {"waiting": 0, "taken": 1, "callback": 2}
    items.sort(key=lambda item: item["created_at"] or "", reverse=True)
    items.sort(key=lambda item: order.get(item.get("bucket", ""), 3))
    return {"items": items[offset : offset + limit], "counts": inbox_counts(session)}


# --------------------------------------------------------------------------------------------- #
# Noise and groups of the same question
# --------------------------------------------------------------------------------------------- #

_WORD = re.compile(r"[a-z0-9]+")
# A Vietnamese syllable, folded: an initial consonant, a vowel group, a final consonant.
_SYLLABLE = re.compile(
    r"^(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?$"
)
_REPEATED = re.compile(r"(.)\1\1")
# More combining marks on one letter than Vietnamese ever puts (a hat or a horn, and a tone).
_STACKED = 3


def _plausible(word: str) -> bool:
    if word.isdigit() or word in ABBREVIATIONS:
        return True
    return bool(_SYLLABLE.match(word)) and not _REPEATED.search(word)


def noise_reason(text: str) -> str:
    """Why `text` is obviously not a question ("" when it may be one): a key of `NOISE_REASONS`.

    Noise is what no officer needs to read: only symbols or emoji ("???", "😀😀😀"), letters
    buried under stacked combining marks, or no word that could be Vietnamese, a number or a known
    abbreviation ("xxxx", "asdfgh"). Anything with one plausible word stays a question.
    """
    run = 0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.category(char) == "Mn":
            run += 1
            if run >= _STACKED:
                return "stacked_marks"
        else:
            run = 0
    words = _WORD.findall(fold(text))
    if not words:
        return "no_words"
    if not any(_plausible(word) for word in words):
        return "no_syllable"
    return ""


@dataclass(frozen=True)
class _Open:
    id: int
    text: str
    channel: str
    reason: str
    created_at: dt.datetime


_groups_lock = threading.Lock()
# database -> (the ids grouped, newest first; their groups as lists of ids, leader first)
_groups_cache: dict[str, tuple[tuple[int, ...], list[list[int]]]] = {}


def _similar_groups(questions: Sequence[_Open]) -> list[list[int]]:
    """Group questions asked in other words (leader clustering; `questions` newest first).

    Each question is a variant of its own in a `FaqIndex`; a question joins the first group whose
    leader and it find each other at `GROUP_SIMILARITY` or better (both ways: a short question is
    not glued to every longer one that contains its words), else it leads a new group. Comparing
    with leaders only keeps chains of near neighbours from growing into one group.
    """
    index = FaqIndex([(q.id, q.text) for q in questions])
    near: dict[int, dict[int, float]] = {}
    for q in questions:
        near[q.id] = {
            other: score
            for other, score, _text in index.score(q.text)
            if other != q.id and score >= GROUP_SIMILARITY
        }
    groups: dict[int, list[int]] = {}
    for q in questions:
        leaders = sorted(
            (leader for leader in near[q.id] if leader in groups and q.id in near[leader]),
            key=lambda leader: -min(near[q.id][leader], near[leader][q.id]),
        )
        if leaders:
            groups[leaders[0]].append(q.id)
        else:
            groups[q.id] = [q.id]
    return list(groups.values())


def _cached_groups(session: Session, questions: Sequence[_Open]) -> list[list[int]]:
    key = str(session.get_bind().url)
    ids = tuple(q.id for q in questions)
    with _groups_lock:
        cached = _groups_cache.get(key)
    if cached is not None and cached[0] == ids:
        return cached[1]
    groups = _similar_groups(questions)
    with _groups_lock:
        _groups_cache[key] = (ids, groups)
    return groups


def _search_words(search: str) -> list[str]:
    text = clean_text(search)
    if len(text) > MAX_SEARCH_CHARS:
        raise StaffError(f"Từ khóa tìm kiếm tối đa {MAX_SEARCH_CHARS} ký tự.", field="q")
    return normalise(text)


def _matches(words: list[str], text: str) -> bool:
    # Each searched word starts some word of the text (typing "khai si" finds "khai sinh"), both
    # folded and with shorthand expanded ("cccd" finds "căn cước công dân").
    have = normalise(text)
    return all(any(word.startswith(w) for word in have) for w in words)


def question_groups(
    session: Session, *, search: str = "", noise: bool = False, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """Open questions grouped by what they ask, most-asked first; or the noise set aside.

    Args:
        session: an open session.
        search: words the group's questions must contain (folded, shorthand expanded).
        noise: list the messages set aside as noise (one per group) instead of the questions.
        limit: groups per page.
        offset: groups to skip.

    Returns:
        ``groups`` (each: ``id`` of its newest question, ``text``, ``count``, ``ids``, ``variants``
        (other wordings), ``channels``, ``reason_label``, ``first_at``, ``last_at``,
        ``noise_label``), ``total_groups``, ``total_questions`` (in the groups listed),
        ``questions_open``, ``noise_count``, ``offset``, ``limit``.
    """
    words = _search_words(search)
    rows = session.execute(
        select(
            UnansweredQuestion.id,
            UnansweredQuestion.text,
            UnansweredQuestion.channel,
            UnansweredQuestion.reason,
            UnansweredQuestion.created_at,
        )
        .where(UnansweredQuestion.status == "open")
        .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
    ).all()
    questions = [_Open(*row) for row in rows]
    noisy = {q.id: noise_reason(q.text) for q in questions}
    by_id = {q.id: q for q in questions}
    meaningful = [q for q in questions if not noisy[q.id]]
    if noise:
        groups = [[q.id] for q in questions if noisy[q.id]]
    else:
        groups = _cached_groups(session, meaningful[:MAX_GROUPED])
        groups = groups + [[q.id] for q in meaningful[MAX_GROUPED:]]
        # Most asked first; among as many, the one asked last first (the order of `groups`).
        groups = sorted(groups, key=lambda ids: -len(ids))
    if words:
        groups = [ids for ids in groups if any(_matches(words, by_id[i].text) for i in ids)]
    page = [_group_view([by_id[i] for i in ids], noisy) for ids in groups[offset : offset + limit]]
    return {
        "groups": page,
        "total_groups": len(groups),
        "total_questions": sum(len(ids) for ids in groups),
        "questions_open": len(questions),
        "noise_count": sum(1 for reason in noisy.values() if reason),
        "offset": offset,
        "limit": limit,
    }


def _group_view(members: list[_Open], noisy: dict[int, str]) -> dict[str, Any]:
    leader = members[0]
    seen = {" ".join(normalise(leader.text))}
    variants: list[str] = []
    for member in members[1:]:
        key = " ".join(normalise(member.text))
        if key not in seen and len(variants) < 5:
            seen.add(key)
            variants.append(member.text)
    times = [aware(m.created_at) for m in members]
    return {
        "id": leader.id,
        "text": leader.text,
        "count": len(members),
        "ids": [m.id for m in members],
        "variants": variants,
        "channels": sorted({channel_label(m.channel) for m in members}),
        "reason_label": QUESTION_REASONS.get(leader.reason, "Chưa trả lời được"),
        "first_at": iso(min(times)),
        "last_at": iso(max(times)),
        "noise_label": NOISE_REASONS.get(noisy.get(leader.id, ""), ""),
    }


def get_question(session: Session, question_id: int) -> UnansweredQuestion:
    """The inbox question `question_id`.

    Raises:
        StaffError: 404 when there is none.
    """
    row = session.get(UnansweredQuestion, question_id)
    if row is None:
        raise StaffError("Không tìm thấy câu hỏi này trong hộp thư.", status=404)
    return row


def get_ticket(session: Session, ticket_id: int) -> HandoffTicket:
    """The handoff ticket `ticket_id`.

    Raises:
        StaffError: 404 when there is none.
    """
    row = session.get(HandoffTicket, ticket_id)
    if row is None:
        raise StaffError("Không tìm thấy yêu cầu gặp cán bộ này.", status=404)
    return row


def _replies(session: Session, entity: str, entity_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.entity == entity, AuditLog.entity_id == str(entity_id), AuditLog.action == "staff_reply"
        )
        .order_by(AuditLog.at)
    )
    rows = list(rows)
    names = dict(
        session.execute(
            select(StaffUser.username, StaffUser.display_name).where(
                StaffUser.username.in_({r.actor for r in rows})
            )
        ).all()
    )
    return [
        {
            "at": iso(r.at),
            "by": r.actor,
            "by_name": names.get(r.actor) or r.actor,
            "message": (r.after or {}).get("message", ""),
            "channel": (r.after or {}).get("channel", ""),
        }
        for r in rows
    ]


def question_detail(session: Session, question_id: int) -> dict[str, Any]:
    """One question and the replies sent from it (the app adds the conversation it came from)."""
    row = get_question(session, question_id)
    return {**_question_item(row), "replies": _replies(session, "unanswered_question", row.id)}


def ticket_detail(session: Session, ticket_id: int) -> dict[str, Any]:
    """One ticket with its summary, claim and replies (the app adds the conversation)."""
    row = get_ticket(session, ticket_id)
    claim = _claims(session, [row.id]).get(row.id)
    return {**_ticket_item(row, claim, now()), "replies": _replies(session, "handoff_ticket", row.id)}


def _check_claim(session: Session, principal: Principal, ticket: HandoffTicket) -> TicketClaim | None:
    claim = session.scalar(select(TicketClaim).where(TicketClaim.ticket_id == ticket.id))
    if claim is not None and claim.user_id != principal.user_id and not principal.is_admin:
        owner = session.get(StaffUser, claim.user_id)
        name = owner.display_name if owner else "cán bộ khác"
        raise StaffError(
            f"Yêu cầu này đang do {name} xử lý; chỉ người đó hoặc quản trị viên được thao tác.", 403
        )
    return claim


def _extend(ticket: HandoffTicket) -> None:
    # Taking or answering an open ticket gives the officer another HANDOFF_TIMEOUT_MINUTES.
    if ticket.status == "open":
        extended = now() + dt.timedelta(minutes=get_settings().handoff_timeout_minutes)
        if aware(ticket.expires_at) < extended:
            ticket.expires_at = extended


def is_taken(session: Session, ticket_id: int) -> bool:
    """Whether an officer has claimed (or answered) the ticket."""
    return ticket_id in _claims(session, [ticket_id])


def pause_until(ticket: HandoffTicket) -> float | None:
    """Unix time until which the bot stays quiet for a taken ticket, or None when it must answer."""
    if ticket.status != "open" or aware(ticket.expires_at) <= now():
        return None
    return aware(ticket.expires_at).timestamp()


def claim_ticket(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """Take a ticket (audited); an admin may take it over from another officer.

    The bot pauses from now on (the app sets `pause_until` in the Rasa tracker) for another
    HANDOFF_TIMEOUT_MINUTES.
    """
    ticket = get_ticket(session, ticket_id)
    claim = _check_claim(session, principal, ticket)
    before = {"claimed_by": claim.user_id} if claim else None
    if claim is None:
        claim = TicketClaim(ticket_id=ticket.id, user_id=principal.user_id, claimed_at=now())
        session.add(claim)
    else:
        claim.user_id = principal.user_id
        claim.claimed_at = now()
    _extend(ticket)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="ticket_claim",
        entity="handoff_ticket",
        entity_id=ticket.id,
        before=before,
        after={"claimed_by": principal.user_id},
    )
    return ticket


def clean_reply(message: str) -> str:
    """An officer's reply, tidied and checked."""
    text = clean_text(message, multiline=True)
    if not text:
        raise StaffError("Nội dung trả lời không được để trống.", field="message")
    if len(text) > MAX_REPLY_CHARS:
        raise StaffError(f"Nội dung trả lời tối đa {MAX_REPLY_CHARS} ký tự.", field="message")
    return text


#: A released or closed ticket's conversation is the bot's again: an officer's message there would
#: reach a citizen who is talking to the bot, about something else, with nobody to read the answer.
CLOSED_TICKET = (
    "Yêu cầu này đã được trả lại cho trợ lý hoặc đã đóng, nên không thể gửi thêm tin nhắn. "
    "Nếu người dân cần cán bộ, họ sẽ yêu cầu lại."
)


def _check_open(ticket: HandoffTicket) -> None:
    if ticket.status != "open":
        raise StaffError(CLOSED_TICKET, status=409)


def ticket_reply_target(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """The ticket an officer is about to answer, once they may (404 / 403 / 409 otherwise)."""
    ticket = get_ticket(session, ticket_id)
    _check_claim(session, principal, ticket)
    _check_open(ticket)
    return ticket


def record_ticket_reply(session: Session, principal: Principal, ticket_id: int, text: str) -> HandoffTicket:
    """Record a delivered reply to a ticket's citizen: the ticket becomes the officer's (audited).

    While the ticket is open, answering keeps the bot paused for another HANDOFF_TIMEOUT_MINUTES.

    Args:
        session: an open session.
        principal: the officer who answered.
        ticket_id: the ticket answered.
        text: the reply as sent (from `clean_reply`).
    """
    ticket = get_ticket(session, ticket_id)
    claim = _check_claim(session, principal, ticket)
    _check_open(ticket)
    if claim is None:
        session.add(TicketClaim(ticket_id=ticket.id, user_id=principal.user_id, claimed_at=now()))
    _extend(ticket)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="staff_reply",
        entity="handoff_ticket",
        entity_id=ticket.id,
        after={"message": text, "channel": ticket.channel},
    )
    return ticket


def release_ticket(session: Session, principal: Principal, ticket_id: int) -> HandoffTicket:
    """Give the conversation back to the bot (audited)."""
    ticket = get_ticket(session, ticket_id)
    _check_claim(session, principal, ticket)
    before = {"status": ticket.status}
    release_handoff(session, ticket_id=ticket.id, by=principal.username)
    audit.record(
        session,
        actor=principal.username,
        action="ticket_release",
        entity="handoff_ticket",
        entity_id=ticket.id,
        before=before,
        after={"status": ticket.status},
    )
    return ticket


def record_question_reply(
    session: Session, principal: Principal, question_id: int, text: str
) -> UnansweredQuestion:
    """Record a delivered reply to the citizen who asked an inbox question (audited).

    Args:
        session: an open session.
        principal: the officer who answered.
        question_id: the question answered.
        text: the reply as sent (from `clean_reply`).
    """
    row = get_question(session, question_id)
    before = {"status": row.status}
    if row.status == "open":
        row.status = "answered"
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="staff_reply",
        entity="unanswered_question",
        entity_id=row.id,
        before=before,
        after={"message": text, "channel": row.channel, "status": row.status},
    )
    return row


def dismiss_question(session: Session, principal: Principal, question_id: int) -> UnansweredQuestion:
    """Close a question that needs nothing (audited)."""
    row = get_question(session, question_id)
    before = {"status": row.status}
    row.status = "dismissed"
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="question_dismiss",
        entity="unanswered_question",
        entity_id=row.id,
        before=before,
        after={"status": row.status},
    )
    return row


def dismiss_questions(session: Session, principal: Principal, question_ids: Sequence[int]) -> int:
    """Close many questions that need nothing at once (each audited); return how many were open.

    Raises:
        StaffError: 422 with none or more than `MAX_BULK`; 404 when one of them does not exist.
    """
    ids = list(dict.fromkeys(question_ids))
    if not ids:
        raise StaffError("Chọn ít nhất một câu hỏi để bỏ qua.", field="ids")
    if len(ids) > MAX_BULK:
        raise StaffError(f"Mỗi lần bỏ qua tối đa {MAX_BULK} câu hỏi.", field="ids")
    rows = {
        row.id: row
        for row in session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids)))
    }
    missing = [i for i in ids if i not in rows]
    if missing:
        raise StaffError(f"Không tìm thấy câu hỏi #{missing[0]} trong hộp thư.", status=404)
    closed = 0
    for question_id in ids:
        row = rows[question_id]
        if row.status != "open":
            continue  # answered or dismissed meanwhile (by another officer): left as it is
        row.status = "dismissed"
        closed += 1
        audit.record(
            session,
            actor=principal.username,
            action="question_dismiss",
            entity="unanswered_question",
            entity_id=row.id,
            before={"status": "open"},
            after={"status": "dismissed", "bulk": True},
        )
    session.flush()
    return closed
