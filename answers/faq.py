"""General questions answered from the staff-maintained FAQ (retrieval: a new entry needs no retraining)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from answers.reply import RATING_BUTTONS, Reply
from knowledge_base.faq import MIN_FAQ_SCORE, FaqHit, search_faq


def find_faq(session: Session, text: str, *, min_score: float = MIN_FAQ_SCORE) -> FaqHit | None:
    """The best published FAQ entry for `text`, if it is good enough (never for a "/payload")."""
    if not text or text.startswith("/"):
        return None
    hits = search_faq(session, text, limit=1)
    return hits[0] if hits and hits[0].score >= min_score else None


def faq_reply(hit: FaqHit) -> Reply:
    """An FAQ entry's answer (staff text, sent as plain text) with rating buttons."""
    return Reply(text=hit.answer, buttons=RATING_BUTTONS, custom={"type": "faq_answer", "faq_id": hit.faq_id})


def no_answer_reply(*, hotline: str) -> Reply:
    """No FAQ entry and no procedure: say so, and that staff were told."""
    return Reply.fixed("utter_no_answer", {"type": "out_of_scope"}, hotline=hotline)
