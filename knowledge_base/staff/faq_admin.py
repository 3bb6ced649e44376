"""FAQ entries as staff edit them: several question variants, an answer, an optional procedure.

The assistant reads only published entries (`knowledge_base.faq.search_faq`), and rebuilds its index
whenever the published questions or answers change, so publishing is seen by the very next message
and unpublishing at once too. Every change is audited with before and after.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.models import FaqEntry, FaqQuestion, Procedure, UnansweredQuestion
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, aware, clean_text, iso, now
from vntext import fold

MAX_QUESTIONS = 20
MIN_QUESTION_CHARS = 5
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 2000
# What a citizen's chat app turns into a link: an address with a scheme (any host, IP addresses
# included), one starting with "www.", or a bare host name ending in a usual top-level domain ("CCCD.Ban"
# is a typo, not a link; an e-mail address is not a link to a site).
_SCHEME_LINK = re.compile(r"\b(?:https?|ftp)://([^\s/?#<>\"'@]+@)?([^\s/?#<>\"':]+)", re.IGNORECASE)
_HOST = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
_BARE_TLDS = (
    "com|net|org|vn|info|biz|io|me|ly|co|xyz|top|site|online|app|link|click|asia|tk|ml|ga|cf|gq|shop|"
    "store|cc|tv|to|gl|gd|ru|cn|us|uk|live|club|pro|vip|fun|icu|page|dev"
)
_BARE_LINK = re.compile(rf"(?<![@\w.:/-])((?:www\.)?{_HOST}(?:{_BARE_TLDS}))(?![\w-])(?!\.\w)", re.IGNORECASE)
_WWW_LINK = re.compile(rf"(?<![@\w.:/-])(www\.{_HOST}[a-z]{{2,24}})(?![\w-])", re.IGNORECASE)


def official_domains() -> tuple[str, ...]:
    """The domains (and their subdomains) an answer may link to without a warning (settings)."""
    return tuple(
        d.strip().lower().lstrip(".") for d in get_settings().staff_official_domains.split(",") if d.strip()
    )


def external_links(text: str) -> list[str]:
    """The host names `text` links to that are not official (STAFF_OFFICIAL_DOMAINS), in order, once."""
    allowed = official_domains()
    hosts = [(m.start(), m.group(2)) for m in _SCHEME_LINK.finditer(text)]
    hosts += [(m.start(), m.group(1)) for m in _WWW_LINK.finditer(text)]
    hosts += [(m.start(), m.group(1)) for m in _BARE_LINK.finditer(text)]
    found: list[str] = []
    for _, raw in sorted(hosts):
        host = raw.lower().rstrip(".").removeprefix("www.")
        if any(host == d or host.endswith("." + d) for d in allowed):
            continue
        if host and host not in found:
            found.append(host)
    return found


def link_warnings(answer: str) -> list[str]:
    """What an editor is told about an answer that links outside the official sites (not a refusal)."""
    hosts = external_links(answer)
    if not hosts:
        return []
    return [
        "Câu trả lời có liên kết tới trang không thuộc cơ quan nhà nước: "
        + ", ".join(hosts[:5])
        + ". Người dân sẽ nhận được liên kết này; hãy kiểm tra kỹ trước khi đăng."
    ]


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def clean_questions(questions: list[str]) -> list[str]:
    """Tidy the variants, drop empty ones and repeats (same words without diacritics); check lengths."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in questions:
        text = clean_text(raw)
        if not text:
            continue
        if len(text) < MIN_QUESTION_CHARS:
            raise StaffError(
                f"Câu hỏi “{text}” quá ngắn (tối thiểu {MIN_QUESTION_CHARS} ký tự).", field="questions"
            )
        if len(text) > MAX_QUESTION_CHARS:
            raise StaffError(f"Mỗi cách hỏi tối đa {MAX_QUESTION_CHARS} ký tự.", field="questions")
        key = _folded(text)
        if key not in seen:
            seen.add(key)
            kept.append(text)
    if not kept:
        raise StaffError("Cần ít nhất một cách hỏi.", field="questions")
    if len(kept) > MAX_QUESTIONS:
        raise StaffError(f"Tối đa {MAX_QUESTIONS} cách hỏi cho một mục.", field="questions")
    return kept


def clean_answer(answer: str) -> str:
    """Tidy the answer (kept as typed, markup included: it is shown as text); check its length."""
    text = clean_text(answer, multiline=True)
    if not text:
        raise StaffError("Câu trả lời không được để trống.", field="answer")
    if len(text) > MAX_ANSWER_CHARS:
        raise StaffError(f"Câu trả lời tối đa {MAX_ANSWER_CHARS} ký tự.", field="answer")
    return text


def _procedure_id(session: Session, code: str | None) -> int | None:
    code = (code or "").strip()
    if not code:
        return None
    found = session.scalar(select(Procedure.id).where(Procedure.code == code))
    if found is None:
        raise StaffError(f"Không tìm thấy thủ tục mã {code[:40]}.", field="procedure_code")
    return int(found)


def _load(session: Session, faq_id: int) -> FaqEntry:
    entry = session.scalar(
        select(FaqEntry).where(FaqEntry.id == faq_id).options(selectinload(FaqEntry.questions))
    )
    if entry is None:
        raise StaffError("Không tìm thấy mục câu hỏi thường gặp này.", status=404)
    return entry


def _code_of(session: Session, entry: FaqEntry) -> tuple[str | None, str]:
    if entry.procedure_id is None:
        return None, ""
    procedure = session.get(Procedure, entry.procedure_id)  # the session's identity map: one query each
    return (procedure.code, procedure.name) if procedure else (None, "")


def _snapshot(session: Session, entry: FaqEntry) -> dict[str, Any]:
    return {
        "questions": [q.text for q in entry.questions],
        "answer": entry.answer,
        "procedure_code": _code_of(session, entry)[0],
        "published": entry.published,
    }


def entry_view(session: Session, entry: FaqEntry) -> dict[str, Any]:
    """An entry as the pages see it."""
    code, name = _code_of(session, entry)
    return {
        "id": entry.id,
        "seed_key": entry.seed_key,
        "questions": [q.text for q in entry.questions],
        "answer": entry.answer,
        "procedure_code": code,
        "procedure_name": name,
        "published": entry.published,
        "created_by": entry.created_by,
        "created_at": iso(entry.created_at),
        "updated_by": entry.updated_by,
        "updated_at": iso(entry.updated_at),
        # Links to sites outside STAFF_OFFICIAL_DOMAINS: a warning, not a refusal (shown by the page).
        "external_links": external_links(entry.answer),
        "warnings": link_warnings(entry.answer),
    }


def list_entries(session: Session, *, q: str = "", status: str = "all") -> list[dict[str, Any]]:
    """Entries matching `q` (words of a question or the answer, diacritics optional), newest edit first."""
    statement = select(FaqEntry).options(selectinload(FaqEntry.questions))
    if status == "published":
        statement = statement.where(FaqEntry.published.is_(True))
    elif status == "draft":
        statement = statement.where(FaqEntry.published.is_(False))
    entries = list(session.scalars(statement.order_by(FaqEntry.updated_at.desc(), FaqEntry.id.desc())))
    words = _folded(clean_text(q)).split()
    if words:
        entries = [
            e
            for e in entries
            if all(w in " ".join([_folded(e.answer), *(x.text_folded for x in e.questions)]) for w in words)
        ]
    return [entry_view(session, e) for e in entries]


def get_entry(session: Session, faq_id: int) -> dict[str, Any]:
    """One entry."""
    return entry_view(session, _load(session, faq_id))


def _set_questions(entry: FaqEntry, questions: list[str]) -> None:
    entry.questions = [FaqQuestion(text=q, text_folded=_folded(q)) for q in questions]


def create_entry(
    session: Session,
    principal: Principal,
    *,
    questions: list[str],
    answer: str,
    procedure_code: str | None = None,
    published: bool = False,
    source_question_id: int | None = None,
) -> dict[str, Any]:
    """Create an entry (audited); with `source_question_id`, the inbox question it answers is closed."""
    cleaned = clean_questions(questions)
    text = clean_answer(answer)
    procedure_id = _procedure_id(session, procedure_code)
    source = None
    if source_question_id is not None:
        source = session.get(UnansweredQuestion, source_question_id)
        if source is None:
            raise StaffError("Không tìm thấy câu hỏi trong hộp thư.", status=404, field="source_question_id")
    stamp = now()
    entry = FaqEntry(
        answer=text,
        procedure_id=procedure_id,
        published=published,
        created_by=principal.username,
        created_at=stamp,
        updated_by=principal.username,
        updated_at=stamp,
    )
    _set_questions(entry, cleaned)
    session.add(entry)
    session.flush()
    after = _snapshot(session, entry)
    if source is not None:
        after["from_inbox_question"] = source.id
        source.status = "faq"
    audit.record(
        session,
        actor=principal.username,
        action="faq_create",
        entity="faq_entry",
        entity_id=entry.id,
        after=after,
    )
    return entry_view(session, entry)


def update_entry(
    session: Session,
    principal: Principal,
    faq_id: int,
    *,
    questions: list[str],
    answer: str,
    procedure_code: str | None,
    expected_updated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Replace an entry's questions, answer and procedure (audited).

    Args:
        expected_updated_at: the version the officer edited; if someone saved since, the edit is
            refused (409) instead of silently overwriting theirs.
    """
    entry = _load(session, faq_id)
    if (
        expected_updated_at is not None
        and abs((aware(entry.updated_at) - aware(expected_updated_at)).total_seconds()) > 0.001
    ):
        raise StaffError(
            f"Mục này vừa được {entry.updated_by} sửa. Vui lòng tải lại trang để xem bản mới rồi sửa tiếp.",
            status=409,
        )
    cleaned = clean_questions(questions)
    text = clean_answer(answer)
    procedure_id = _procedure_id(session, procedure_code)
    before = _snapshot(session, entry)
    if [q.text for q in entry.questions] != cleaned:
        _set_questions(entry, cleaned)
    entry.answer = text
    entry.procedure_id = procedure_id
    entry.updated_by = principal.username
    entry.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="faq_update",
        entity="faq_entry",
        entity_id=entry.id,
        before=before,
        after=_snapshot(session, entry),
    )
    return entry_view(session, entry)


def set_published(session: Session, principal: Principal, faq_id: int, published: bool) -> dict[str, Any]:
    """Publish (used from the next message on) or unpublish (never used) an entry (audited)."""
    entry = _load(session, faq_id)
    before = _snapshot(session, entry)
    entry.published = published
    entry.updated_by = principal.username
    entry.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="faq_publish" if published else "faq_unpublish",
        entity="faq_entry",
        entity_id=entry.id,
        before=before,
        after=_snapshot(session, entry),
    )
    return entry_view(session, entry)
