"""FAQ entries as staff edit them: several question variants, an answer, an optional procedure.

The assistant reads only published entries (`knowledge_base.faq.search_faq`), and rebuilds its index
whenever the published questions or answers change, so publishing is seen by the very next message
and unpublishing at once too. Every change is audited with before and after, and saved as a version
of the entry (`FaqVersion`) that an officer can look at and restore.

The first question is the entry's title: it must be written in Vietnamese with diacritics (a
citizen's unaccented words are a useful way of asking, not a title). `similar_entries` warns about
near-duplicates with the assistant's own matching; `apply_draft` puts an unsaved edit into a session
the caller rolls back, so the "thử câu hỏi" box can ask what the assistant would answer after it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.faq import FaqIndex
from knowledge_base.models import FaqEntry, FaqQuestion, FaqVersion, Procedure, UnansweredQuestion
from knowledge_base.settings import get_settings
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, aware, clean_text, iso, now
from vntext import fold

MAX_QUESTIONS = 20
MIN_QUESTION_CHARS = 5
MAX_QUESTION_CHARS = 300
MAX_ANSWER_CHARS = 2000
#: A draft's question this close to another entry's (the FAQ search's score, 0..1) is a near-duplicate.
NEAR_DUPLICATE_SCORE = 0.75
MAX_SIMILAR = 5
#: What each version's action means, for the history list.
VERSION_ACTIONS = {
    "create": "Tạo mục",
    "update": "Sửa nội dung",
    "publish": "Đăng",
    "unpublish": "Gỡ xuống",
    "restore": "Khôi phục phiên bản cũ",
}
# One syllable of Vietnamese typed without diacritics: an initial consonant, one to three vowels, a
# final consonant ("nghieng", "khuyen", "duoc"). English and brand words rarely fit ("online", "VNeID").
_UNACCENTED_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?$"
)
_LETTERS = re.compile(r"[^\W\d_]+")
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


def looks_unaccented(text: str) -> bool:
    """Whether `text` is Vietnamese typed without diacritics ("lam can cuoc can giay to gi").

    True when it has no letter outside ASCII and most of its words (at least two) are Vietnamese
    syllables; "CCCD online" or "VNeID" alone are not.
    """
    words = [w.lower() for w in _LETTERS.findall(text)]
    if not words or any(not w.isascii() for w in words):
        return False
    syllables = sum(1 for w in words if _UNACCENTED_SYLLABLE.match(w))
    return syllables >= 2 and syllables * 5 >= len(words) * 3


def check_title(questions: list[str]) -> None:
    """Refuse a title (the first question) written without diacritics, with a message saying why."""
    title = questions[0] if questions else ""
    if looks_unaccented(title):
        raise StaffError(
            f"Câu hỏi đầu tiên là tiêu đề của mục, cần viết tiếng Việt có dấu (“{title[:80]}” chưa có dấu), "
            "ví dụ “Làm căn cước cần giấy tờ gì?”. Câu không dấu vẫn có thể giữ ở dòng dưới làm một "
            "cách hỏi khác.",
            field="questions",
        )


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


def _version_snapshot(session: Session, entry: FaqEntry) -> dict[str, Any]:
    return {
        "questions": [q.text for q in entry.questions],
        "answer": entry.answer,
        "published": entry.published,
        "procedure_id": entry.procedure_id,
        "procedure_code": _code_of(session, entry)[0],
    }


def _latest_version(session: Session, faq_id: int) -> int:
    return int(session.scalar(select(func.max(FaqVersion.version)).where(FaqVersion.faq_id == faq_id)) or 0)


def _save_version(
    session: Session, entry: FaqEntry, action: str, actor: str, at: dt.datetime, **extra: Any
) -> FaqVersion:
    version = FaqVersion(
        faq_id=entry.id,
        version=_latest_version(session, entry.id) + 1,
        snapshot={**_version_snapshot(session, entry), **extra},
        action=action,
        saved_by=actor,
        saved_at=at,
    )
    session.add(version)
    session.flush()
    return version


def _keep_baseline(session: Session, entry: FaqEntry) -> None:
    """Before the first change of an entry saved without history (seeded, or older than the history),
    keep its state as it was as version 1, so it can be restored."""
    if _latest_version(session, entry.id) == 0:
        never_edited = abs((aware(entry.updated_at) - aware(entry.created_at)).total_seconds()) < 1
        action = "create" if never_edited else "update"
        _save_version(session, entry, action, entry.updated_by, entry.updated_at)


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
        "version": _latest_version(session, entry.id),
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


def _check_fresh(entry: FaqEntry, expected_updated_at: dt.datetime | None) -> None:
    # The version the officer edited: if someone saved since, refuse (409) rather than overwrite theirs.
    if (
        expected_updated_at is not None
        and abs((aware(entry.updated_at) - aware(expected_updated_at)).total_seconds()) > 0.001
    ):
        raise StaffError(
            f"Mục này vừa được {entry.updated_by} sửa. Vui lòng tải lại trang để xem bản mới rồi sửa tiếp.",
            status=409,
        )


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
    check_title(cleaned)
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
    _save_version(session, entry, "create", principal.username, stamp)
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
    _check_fresh(entry, expected_updated_at)
    cleaned = clean_questions(questions)
    check_title(cleaned)
    text = clean_answer(answer)
    procedure_id = _procedure_id(session, procedure_code)
    before = _snapshot(session, entry)
    _keep_baseline(session, entry)
    if [q.text for q in entry.questions] != cleaned:
        _set_questions(entry, cleaned)
    entry.answer = text
    entry.procedure_id = procedure_id
    entry.updated_by = principal.username
    entry.updated_at = now()
    session.flush()
    _save_version(session, entry, "update", principal.username, entry.updated_at)
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
    _keep_baseline(session, entry)
    entry.published = published
    entry.updated_by = principal.username
    entry.updated_at = now()
    session.flush()
    action = "publish" if published else "unpublish"
    _save_version(session, entry, action, principal.username, entry.updated_at)
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


# --- History ---------------------------------------------------------------------------------------


def _version_row(version: FaqVersion, current: int) -> dict[str, Any]:
    snapshot = version.snapshot or {}
    questions = [str(q) for q in snapshot.get("questions") or []]
    return {
        "version": version.version,
        "action": version.action,
        "action_label": VERSION_ACTIONS.get(version.action, "Sửa nội dung"),
        "saved_by": version.saved_by,
        "saved_at": iso(version.saved_at),
        "title": questions[0] if questions else "",
        "published": bool(snapshot.get("published")),
        "restored_from": snapshot.get("restored_from"),
        "current": version.version == current,
    }


def list_versions(session: Session, faq_id: int) -> list[dict[str, Any]]:
    """An entry's saved versions, newest first (the newest is the entry as it is now)."""
    _load(session, faq_id)
    versions = list(
        session.scalars(
            select(FaqVersion).where(FaqVersion.faq_id == faq_id).order_by(FaqVersion.version.desc())
        )
    )
    current = versions[0].version if versions else 0
    return [_version_row(v, current) for v in versions]


def _get_version(session: Session, faq_id: int, number: int) -> FaqVersion:
    version = session.scalar(
        select(FaqVersion).where(FaqVersion.faq_id == faq_id, FaqVersion.version == number)
    )
    if version is None:
        raise StaffError(f"Mục này không có phiên bản số {number}.", status=404)
    return version


def get_version(session: Session, faq_id: int, number: int) -> dict[str, Any]:
    """One saved version with its content (questions, answer, procedure)."""
    _load(session, faq_id)
    version = _get_version(session, faq_id, number)
    snapshot = version.snapshot or {}
    code = snapshot.get("procedure_code")
    name = session.scalar(select(Procedure.name).where(Procedure.code == code)) if code else None
    return {
        **_version_row(version, _latest_version(session, faq_id)),
        "questions": [str(q) for q in snapshot.get("questions") or []],
        "answer": str(snapshot.get("answer") or ""),
        "procedure_code": code,
        "procedure_name": name or "",
    }


def restore_version(
    session: Session,
    principal: Principal,
    faq_id: int,
    number: int,
    *,
    expected_updated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Put a saved version's questions, answer and procedure back (audited; a new version).

    Whether the entry is published does not change: restoring the text of a draft does not publish
    it, and a published entry stays published with the restored text (used from the next message).
    """
    entry = _load(session, faq_id)
    _check_fresh(entry, expected_updated_at)
    version = _get_version(session, faq_id, number)
    snapshot = version.snapshot or {}
    questions = [str(q) for q in snapshot.get("questions") or []]
    if not questions or not snapshot.get("answer"):
        raise StaffError("Phiên bản này không có đủ nội dung để khôi phục.")
    code = snapshot.get("procedure_code")
    procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == code)) if code else None
    before = _snapshot(session, entry)
    _keep_baseline(session, entry)
    if [q.text for q in entry.questions] != questions:
        _set_questions(entry, questions)
    entry.answer = str(snapshot["answer"])
    entry.procedure_id = procedure_id
    entry.updated_by = principal.username
    entry.updated_at = now()
    session.flush()
    _save_version(session, entry, "restore", principal.username, entry.updated_at, restored_from=number)
    after = {**_snapshot(session, entry), "restored_from": number}
    audit.record(
        session,
        actor=principal.username,
        action="faq_restore",
        entity="faq_entry",
        entity_id=entry.id,
        before=before,
        after=after,
    )
    return entry_view(session, entry)


# --- Near-duplicates and drafts -------------------------------------------------------------------


def similar_entries(
    session: Session, questions: list[str], *, exclude_id: int | None = None
) -> list[dict[str, Any]]:
    """Other entries (published or not) whose questions are close to `questions`, closest first.

    The FAQ search's own scoring (`knowledge_base.faq.FaqIndex`: folded words, shorthand, common
    wordings, typos) over every entry's questions; an entry is listed when one of its questions
    scores at least `NEAR_DUPLICATE_SCORE` for one of the draft's.
    """
    texts = [clean_text(q) for q in questions if clean_text(q)][:MAX_QUESTIONS]
    if not texts:
        return []
    statement = select(FaqQuestion.faq_id, FaqQuestion.text).order_by(FaqQuestion.id)
    if exclude_id is not None:
        statement = statement.where(FaqQuestion.faq_id != exclude_id)
    rows = [(int(fid), str(text)) for fid, text in session.execute(statement)]
    if not rows:
        return []
    index = FaqIndex(rows)
    best: dict[int, tuple[float, str, str]] = {}
    for text in texts:
        for faq_id, score, theirs in index.score(text)[:3]:
            if score >= NEAR_DUPLICATE_SCORE and score > best.get(faq_id, (0.0, "", ""))[0]:
                best[faq_id] = (score, theirs, text)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_SIMILAR]
    entries = {
        e.id: e
        for e in session.scalars(
            select(FaqEntry)
            .where(FaqEntry.id.in_([fid for fid, _ in ranked]))
            .options(selectinload(FaqEntry.questions))
        )
    }
    return [
        {
            "id": faq_id,
            "title": entries[faq_id].questions[0].text if entries[faq_id].questions else "",
            "published": entries[faq_id].published,
            "score": round(score, 2),
            "their_question": theirs,
            "your_question": yours,
        }
        for faq_id, (score, theirs, yours) in ranked
        if faq_id in entries
    ]


def apply_draft(
    session: Session,
    *,
    faq_id: int | None,
    questions: list[str],
    answer: str,
    procedure_code: str | None,
) -> int:
    """Write an unsaved edit into `session` as a published entry and flush; return the entry's id.

    Only for asking what the assistant would answer after the edit: the CALLER MUST ROLL `session`
    BACK (nothing is audited or versioned). An answer not written yet is stood in for, so the
    questions can be tried first.

    Raises:
        StaffError: the draft's questions or procedure code are not valid.
    """
    cleaned = clean_questions(questions)
    text = clean_text(answer, multiline=True) or "(câu trả lời đang soạn)"
    procedure_id = _procedure_id(session, procedure_code)
    if faq_id is None:
        entry = FaqEntry(answer=text, procedure_id=procedure_id, published=True, created_by="", updated_by="")
        _set_questions(entry, cleaned)
        session.add(entry)
    else:
        entry = _load(session, faq_id)
        if [q.text for q in entry.questions] != cleaned:
            _set_questions(entry, cleaned)
        entry.answer = text
        entry.procedure_id = procedure_id
        entry.published = True
    session.flush()
    return entry.id
