"""Life events as staff edit them: title, trigger phrases, excluded phrases and the ordered steps.

The assistant reads only published events (`knowledge_base.life_events`) and rebuilds its index
whenever an event changes, so an edit is used by the very next message. Every procedure code of a
step must exist; every change is audited with before and after, as FAQ entries are.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.life_events import folded_phrase, match_life_event, words_of
from knowledge_base.models import LifeEvent, Procedure
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, aware, clean_text, iso, now

MAX_TITLE_CHARS = 120
MAX_PHRASES = 80
MAX_PHRASE_CHARS = 100
MAX_STEPS = 10
MAX_CODES_PER_STEP = 6
MIN_LABEL_CHARS = 3
MAX_LABEL_CHARS = 80
MAX_PLACE_CHARS = 200
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,62}[a-z0-9]$")
_CODE = re.compile(r"^[0-9A-Za-z.\-_]{3,32}$")


def clean_slug(slug: str) -> str:
    """A new event's slug: lower-case ASCII letters, digits and underscores (e.g. "sinh_con")."""
    text = "_".join(folded_phrase(slug).split())
    if not _SLUG.match(text):
        raise StaffError(
            "Mã sự kiện gồm 3–64 chữ thường không dấu, số và dấu gạch dưới (ví dụ sinh_con).", field="slug"
        )
    return text


def clean_title(title: str) -> str:
    """Tidy the title; check its length."""
    text = clean_text(title)
    if not text:
        raise StaffError("Tên sự kiện không được để trống.", field="title")
    if len(text) > MAX_TITLE_CHARS:
        raise StaffError(f"Tên sự kiện tối đa {MAX_TITLE_CHARS} ký tự.", field="title")
    return text


def clean_phrases(phrases: list[str], *, field: str, required: bool) -> list[str]:
    """Fold the phrases (no diacritics, lower case), drop empty ones and repeats; check them.

    A trigger needs two words or more, or one word of four letters or more ("xkld"): one short
    syllable would match far too much.
    """
    kept: list[str] = []
    for raw in phrases:
        text = folded_phrase(clean_text(raw))
        if not text or text in kept:
            continue
        if len(text) > MAX_PHRASE_CHARS:
            raise StaffError(f"Mỗi cụm từ tối đa {MAX_PHRASE_CHARS} ký tự.", field=field)
        words = words_of(text)
        if field == "triggers" and len(words) < 2 and len(text) < 4:
            raise StaffError(
                f"Cụm từ “{text}” quá ngắn: cần ít nhất hai tiếng (ví dụ “sinh con”).", field=field
            )
        kept.append(text)
    if required and not kept:
        raise StaffError("Cần ít nhất một cách nói của người dân.", field=field)
    if len(kept) > MAX_PHRASES:
        raise StaffError(f"Tối đa {MAX_PHRASES} cụm từ.", field=field)
    return kept


def clean_steps(session: Session, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tidy the steps and check them: a label each, codes that exist, at least one code in all."""
    if not steps:
        raise StaffError("Cần ít nhất một bước.", field="steps")
    if len(steps) > MAX_STEPS:
        raise StaffError(f"Tối đa {MAX_STEPS} bước.", field="steps")
    cleaned: list[dict[str, Any]] = []
    wanted: list[str] = []
    for number, step in enumerate(steps, start=1):
        label = clean_text(str(step.get("label") or ""))
        if len(label) < MIN_LABEL_CHARS:
            raise StaffError(
                f"Bước {number}: cần tên thủ tục (ít nhất {MIN_LABEL_CHARS} ký tự).", field="steps"
            )
        if len(label) > MAX_LABEL_CHARS:
            raise StaffError(f"Bước {number}: tên tối đa {MAX_LABEL_CHARS} ký tự.", field="steps")
        codes: list[str] = []
        for raw in step.get("codes") or []:
            code = clean_text(str(raw))
            if not code or code in codes:
                continue
            if not _CODE.match(code):
                raise StaffError(
                    f"Bước {number}: mã thủ tục “{code[:40]}” không đúng định dạng.", field="steps"
                )
            codes.append(code)
        if len(codes) > MAX_CODES_PER_STEP:
            raise StaffError(f"Bước {number}: tối đa {MAX_CODES_PER_STEP} mã thủ tục.", field="steps")
        where = clean_text(str(step.get("where") or ""))
        condition = clean_text(str(step.get("condition") or ""))
        if len(where) > MAX_PLACE_CHARS or len(condition) > MAX_PLACE_CHARS:
            raise StaffError(
                f"Bước {number}: nơi làm và điều kiện tối đa {MAX_PLACE_CHARS} ký tự.", field="steps"
            )
        if not codes and not where:
            raise StaffError(f"Bước {number}: cần mã thủ tục hoặc nơi hỏi.", field="steps")
        wanted.extend(codes)
        cleaned.append({"label": label, "codes": codes, "where": where, "condition": condition})
    known = (
        set(session.scalars(select(Procedure.code).where(Procedure.code.in_(sorted(set(wanted))))))
        if wanted
        else set()
    )
    missing = [c for c in dict.fromkeys(wanted) if c not in known]
    if missing:
        raise StaffError(f"Không tìm thấy thủ tục mã {', '.join(missing)[:120]}.", field="steps")
    if not wanted:
        raise StaffError("Cần ít nhất một bước có mã thủ tục.", field="steps")
    return cleaned


def _load(session: Session, event_id: int) -> LifeEvent:
    row = session.get(LifeEvent, event_id)
    if row is None:
        raise StaffError("Không tìm thấy sự kiện cuộc sống này.", status=404)
    return row


def _snapshot(row: LifeEvent) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "title": row.title,
        "triggers": list(row.triggers or []),
        "excludes": list(row.excludes or []),
        "steps": [dict(s) for s in row.steps or []],
        "published": row.published,
    }


def _names(session: Session, rows: list[LifeEvent]) -> dict[str, str]:
    """Procedure code -> name, for the codes of `rows` (one query)."""
    codes = sorted({c for row in rows for s in row.steps or [] for c in s.get("codes") or []})
    if not codes:
        return {}
    statement = select(Procedure.code, Procedure.name).where(Procedure.code.in_(codes))
    return {code: name for code, name in session.execute(statement)}


def event_view(session: Session, row: LifeEvent, names: dict[str, str] | None = None) -> dict[str, Any]:
    """An event as the pages see it (each step's codes with the procedures' names)."""
    names = _names(session, [row]) if names is None else names
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "triggers": list(row.triggers or []),
        "excludes": list(row.excludes or []),
        "steps": [dict(s, names=[names.get(c, "") for c in s.get("codes") or []]) for s in row.steps or []],
        "published": row.published,
        "from_seed": row.from_seed,
        "position": row.position,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "updated_by": row.updated_by,
        "updated_at": iso(row.updated_at),
    }


def list_events(session: Session, *, q: str = "", status: str = "all") -> list[dict[str, Any]]:
    """Events matching `q` (words of the title or a trigger, diacritics optional), in their order."""
    statement = select(LifeEvent)
    if status == "published":
        statement = statement.where(LifeEvent.published.is_(True))
    elif status == "draft":
        statement = statement.where(LifeEvent.published.is_(False))
    rows = list(session.scalars(statement.order_by(LifeEvent.position, LifeEvent.id)))
    words = folded_phrase(clean_text(q)).split()
    if words:
        rows = [
            r
            for r in rows
            if all(w in " ".join([folded_phrase(r.title), r.slug, *(r.triggers or [])]) for w in words)
        ]
    names = _names(session, rows)
    return [event_view(session, r, names) for r in rows]


def get_event(session: Session, event_id: int) -> dict[str, Any]:
    """One event."""
    return event_view(session, _load(session, event_id))


def create_event(
    session: Session,
    principal: Principal,
    *,
    slug: str,
    title: str,
    triggers: list[str],
    excludes: list[str],
    steps: list[dict[str, Any]],
    published: bool = False,
) -> dict[str, Any]:
    """Create an event (audited), last in the list; a draft unless `published`."""
    key = clean_slug(slug)
    if session.scalar(select(LifeEvent.id).where(LifeEvent.slug == key)) is not None:
        raise StaffError(f"Đã có sự kiện mã {key}.", status=409, field="slug")
    values = {
        "title": clean_title(title),
        "triggers": clean_phrases(triggers, field="triggers", required=True),
        "excludes": clean_phrases(excludes, field="excludes", required=False),
        "steps": clean_steps(session, steps),
    }
    stamp = now()
    last = session.scalar(select(func.max(LifeEvent.position))) or 0
    row = LifeEvent(
        slug=key,
        position=int(last) + 1,
        published=published,
        from_seed=False,
        created_by=principal.username,
        created_at=stamp,
        updated_by=principal.username,
        updated_at=stamp,
        **values,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="life_event_create",
        entity="life_event",
        entity_id=row.id,
        after=_snapshot(row),
    )
    return event_view(session, row)


def update_event(
    session: Session,
    principal: Principal,
    event_id: int,
    *,
    title: str,
    triggers: list[str],
    excludes: list[str],
    steps: list[dict[str, Any]],
    expected_updated_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Replace an event's title, triggers, excludes and steps (audited).

    Args:
        expected_updated_at: the version the officer edited; if someone saved since, the edit is
            refused (409) instead of silently overwriting theirs.
    """
    row = _load(session, event_id)
    if (
        expected_updated_at is not None
        and abs((aware(row.updated_at) - aware(expected_updated_at)).total_seconds()) > 0.001
    ):
        raise StaffError(
            f"Sự kiện này vừa được {row.updated_by} sửa. Vui lòng tải lại trang để xem bản mới rồi sửa tiếp.",
            status=409,
        )
    values = {
        "title": clean_title(title),
        "triggers": clean_phrases(triggers, field="triggers", required=True),
        "excludes": clean_phrases(excludes, field="excludes", required=False),
        "steps": clean_steps(session, steps),
    }
    before = _snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="life_event_update",
        entity="life_event",
        entity_id=row.id,
        before=before,
        after=_snapshot(row),
    )
    return event_view(session, row)


def set_published(session: Session, principal: Principal, event_id: int, published: bool) -> dict[str, Any]:
    """Publish (matched from the next message on) or unpublish (never matched) an event (audited)."""
    row = _load(session, event_id)
    before = _snapshot(row)
    row.published = published
    row.updated_by = principal.username
    row.updated_at = now()
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="life_event_publish" if published else "life_event_unpublish",
        entity="life_event",
        entity_id=row.id,
        before=before,
        after=_snapshot(row),
    )
    return event_view(session, row)


def try_message(session: Session, text: str) -> dict[str, Any]:
    """Which published event a citizen's message would get (the page's "Thử câu hỏi")."""
    found = match_life_event(session, clean_text(text))
    if found is None:
        return {"matched": False}
    return {
        "matched": True,
        "slug": found.event.slug,
        "title": found.event.title,
        "id": found.event.id,
        "score": found.score,
        "trigger": found.trigger,
        "names_specific": found.names_specific,
        "specific_phrase": found.specific_phrase,
    }
