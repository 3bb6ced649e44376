"""A life event's answer: the short, ordered checklist of the procedures it calls for.

"Khi sinh con, bạn cần làm các thủ tục sau, theo thứ tự:" then one numbered line per step (label,
its condition, where it is done), each step with a procedure a button that opens it
(`/choose_procedure{"procedure_code": "…"}`, the payload of the clarifying question), so the next
message answers that procedure. Typed "số 2" picks the second button: the payload's `candidates`
are the buttons' codes in order.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from answers.reply import Reply
from knowledge_base.life_events import MIN_SCORE, LifeEventData, LifeEventStep, match_life_event
from knowledge_base.models import Procedure

#: The checklist's text stays within this many characters (chat bubbles, Zalo's limits).
MAX_CHARS = 1200
# Button titles are cut to this (Telegram shows about 30–40 characters of a button).
_MAX_BUTTON_CHARS = 60
_CLOSING = "Bấm vào từng thủ tục để xem giấy tờ, lệ phí và thời gian giải quyết."
_NO_CODE = "hỏi tại"


def _situation(title: str) -> str:
    # "Sinh con" -> "sinh con": the title continues the sentence "Khi …".
    return title[:1].lower() + title[1:] if title[:2] != title[:2].upper() else title


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip(" ,;(") + "…"


def _steps(event: LifeEventData, available: Collection[str] | None) -> list[LifeEventStep]:
    """The steps, each with only the codes the database holds (when `available` is given)."""
    if available is None:
        return list(event.steps)
    return [
        LifeEventStep(
            label=s.label,
            codes=tuple(c for c in s.codes if c in available),
            where=s.where,
            condition=s.condition,
        )
        for s in event.steps
    ]


def _line(number: int, step: LifeEventStep, *, where_limit: int, condition_limit: int) -> str:
    line = f"{number}. {step.label}"
    if step.condition and condition_limit:
        line += f" ({_cut(step.condition, condition_limit)})"
    if step.where:
        lead = "nơi làm" if step.codes else _NO_CODE
        line += f" — {lead}: {_cut(step.where, where_limit)}"
    return line + "."


def life_event_text(event: LifeEventData, steps: list[LifeEventStep] | None = None) -> str:
    """The checklist's text, at most `MAX_CHARS` characters (conditions and places are shortened first)."""
    steps = list(event.steps) if steps is None else steps
    head = f"Khi {_situation(event.title)}, bạn cần làm các thủ tục sau, theo thứ tự:"
    closing = _CLOSING if any(s.codes for s in steps) else ""
    for where_limit, condition_limit in ((200, 200), (90, 80), (60, 50), (40, 30), (25, 0)):
        lines = [
            _line(i, s, where_limit=where_limit, condition_limit=condition_limit)
            for i, s in enumerate(steps, start=1)
        ]
        text = "\n".join([head, *lines, *([closing] if closing else [])])
        if len(text) <= MAX_CHARS:
            return text
    return _cut(text, MAX_CHARS)


def life_event_codes(event: LifeEventData, *, alternatives: bool = True) -> list[str]:
    """The event's procedure codes in step order, each once (the search API and the evaluation use it).

    Args:
        event: the event.
        alternatives: also each step's other codes (another level or case) after its first one;
            False gives one code per step, the checklist's buttons.
    """
    return event.procedure_codes(alternatives=alternatives)


def life_event_reply(event: LifeEventData, procedures: Collection[str] | None = None) -> Reply:
    """The checklist of `event`: its text, one button per step with a procedure, and the payload.

    Args:
        event: the life event.
        procedures: the procedure codes the database holds (e.g. from `available_codes`); codes not
            in it get no button. None trusts the event's codes (staff edits are validated).

    Returns:
        A reply with `custom = {"type": "life_event", "event": slug, "candidates": [codes]}`, the
        candidates being the buttons' procedure codes in order.
    """
    steps = _steps(event, procedures)
    buttons: list[dict[str, str]] = []
    candidates: list[str] = []
    for number, step in enumerate(steps, start=1):
        if not step.codes or step.codes[0] in candidates:
            continue
        code = step.codes[0]
        candidates.append(code)
        buttons.append(
            {
                "title": _cut(f"{number}. {step.label}", _MAX_BUTTON_CHARS),
                "payload": f'/choose_procedure{{"procedure_code": "{code}"}}',
            }
        )
    return Reply(
        text=life_event_text(event, steps),
        buttons=buttons,
        custom={"type": "life_event", "event": event.slug, "candidates": candidates},
    )


def available_codes(session: Session, event: LifeEventData) -> set[str]:
    """Which of the event's procedure codes the database holds."""
    codes = event.procedure_codes()
    if not codes:
        return set()
    return set(session.scalars(select(Procedure.code).where(Procedure.code.in_(codes))))


def answer_life_event(session: Session, text: str, *, min_score: float = MIN_SCORE) -> Reply | None:
    """The checklist of the life event `text` is about, or None (no event, or the text names one
    procedure: then the procedure's answer is the better reply)."""
    found = match_life_event(session, text)
    if found is None or found.score < min_score or found.names_specific:
        return None
    return life_event_reply(found.event, available_codes(session, found.event))
