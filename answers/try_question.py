"""What the assistant would answer to a question, for the staff's "thử câu hỏi" box.

The actions decide in two steps: the Rasa server's NLU reads an intent and entities, its rules pick an
action (nlu_data/rules/), and the action calls the answer layer. This module repeats the second step
for the FIRST message of a new conversation (no procedure in the slots, no buttons offered yet), with
the same answer-layer functions and the same inputs the actions give them:

* procedure questions (``ask_*``, ``choose_procedure``, ``inform``) -> `actions.procedures`
  ``ActionAnswerProcedure`` (`answer_procedure`, legal questions declined first);
* ``ask_general`` -> ``ActionAnswerFaq`` (`find_faq`, else the procedure answer when retrieval places
  the message, else "no answer");
* ``nlu_fallback`` -> ``ActionFallback`` (dossier codes, acknowledgements, retrieval, the FAQ);
* out of scope, legal advice, complaints, feedback -> ``ActionDecline``;
* greetings, thanks, handoffs, dossier lookups: fixed behaviour, said so.

Without the NLU (the Rasa server unreachable) `approximate_verdict` does what ``ActionAnswerFaq`` does
with the text alone; the caller says the result is approximate. Keep this module in step with the
actions: tests/conversation/test_try_question.py compares its verdicts with real conversations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from answers.dossier import asks_about_the_code
from answers.faq import find_faq
from answers.procedure import (
    ASPECT_BY_INTENT,
    LEGAL_PRONE_INTENTS,
    UNPLACED_SCORE,
    VIETNAM,
    ProcedureQuestion,
    answer_procedure,
    asked_aspects,
    declines_as_legal,
    faq_with_procedures,
    opening_hours_answer,
    retrieval_places,
    says_something,
    submission_day,
    switched_aspects,
    typed_choice,
)
from answers.reply import Reply
from answers.scope import acknowledges
from knowledge_base.faq import faq_view
from knowledge_base.queries import get_procedure

#: Intents whose rule runs action_answer_procedure (nlu_data/rules/procedure.yml, dossier.yml).
PROCEDURE_INTENTS = frozenset(
    {
        *ASPECT_BY_INTENT,
        "ask_procedure",
        "choose_procedure",
        "inform",
    }
)
#: Intents whose rule runs action_decline (nlu_data/rules/handoff.yml, smalltalk.yml).
DECLINE_INTENTS = frozenset({"out_of_scope", "legal_advice", "complaint", "feedback"})
#: Intents answered with a fixed text, and how an officer would describe it.
FIXED_INTENTS = {
    "greet": "Chào hỏi: trợ lý chào lại.",
    "goodbye": "Chào tạm biệt: trợ lý chào lại.",
    "thank": "Lời cảm ơn: trợ lý đáp lại.",
    "bot_capabilities": "Hỏi trợ lý làm được gì: trợ lý giới thiệu các việc nó giúp được.",
    "rate_answer": "Đánh giá câu trả lời trước: trợ lý cảm ơn.",
    "ask_human": "Muốn gặp cán bộ: trợ lý chuyển cuộc trò chuyện cho cán bộ.",
    "ask_dossier_status": "Tra cứu hồ sơ: trợ lý hỏi mã hồ sơ để tra cứu.",
}
#: How much of a composed reply the try box shows.
MAX_TEXT = 700


@dataclass(frozen=True)
class Understanding:
    """What the NLU read in a message: intent, its confidence, entities ({"entity", "value"})."""

    intent: str
    confidence: float = 1.0
    entities: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_parse(cls, body: Mapping[str, Any]) -> Understanding:
        """From the Rasa server's ``POST /model/parse`` answer."""
        intent = body.get("intent") if isinstance(body.get("intent"), Mapping) else {}
        entities = body.get("entities") if isinstance(body.get("entities"), list) else []
        return cls(
            intent=str((intent or {}).get("name") or ""),
            confidence=float((intent or {}).get("confidence") or 0.0),
            entities=tuple(e for e in entities if isinstance(e, Mapping)),
        )

    def values(self, entity: str) -> list[str]:
        """Values of one entity type, in order, without repeats (as `actions.common.entity_values`)."""
        found: list[str] = []
        for item in self.entities:
            value = item.get("value")
            if item.get("entity") == entity and isinstance(value, str) and value not in found:
                found.append(value)
        return found


@dataclass
class Verdict:
    """What the assistant would do with a message.

    Attributes:
        kind: "faq" (an FAQ entry's answer), "procedure" (a procedure's answer), "choice" (asks which
            procedure, or offers a life event's list), "not_covered" (says it is not in the data),
            "none" (no answer: the question goes to the staff inbox), "fixed" (a fixed text: greeting,
            handoff, dossier lookup, decline).
        summary: One sentence for the officer.
        faq_id: The FAQ entry answered with (kind "faq").
        faq_question: Its title (first question).
        procedure_code: The procedure answered (kind "procedure").
        procedure_name: Its name.
        candidates: Procedures offered ({"code", "name"}).
        text: The composed reply, shortened ("" for fixed texts).
    """

    kind: str
    summary: str
    faq_id: int | None = None
    faq_question: str = ""
    procedure_code: str = ""
    procedure_name: str = ""
    candidates: list[dict[str, str]] = field(default_factory=list)
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "kind": self.kind,
            "summary": self.summary,
            "faq_id": self.faq_id,
            "faq_question": self.faq_question,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "candidates": self.candidates,
            "text": self.text,
        }


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _candidates(session: Session, reply: Reply) -> list[dict[str, str]]:
    offered: list[dict[str, str]] = []
    for code in reply.custom.get("candidates") or []:
        procedure = get_procedure(session, code=str(code))
        offered.append({"code": str(code), "name": procedure.name if procedure else ""})
    return offered


def _faq_verdict(session: Session, reply: Reply) -> Verdict:
    faq_id = int(reply.custom["faq_id"])
    entry = faq_view(session, faq_id)
    return Verdict(
        kind="faq",
        summary="Trả lời bằng một mục câu hỏi thường gặp.",
        faq_id=faq_id,
        faq_question=entry.question if entry else "",
        candidates=_candidates(session, reply),
        text=_short(reply.text),
    )


def _none() -> Verdict:
    return Verdict(
        kind="none",
        summary="Trợ lý chưa có câu trả lời: nói với người dân là chưa trả lời được, "
        "câu hỏi vào hộp thư của cán bộ.",
    )


def _procedure_verdict(
    session: Session, text: str, understanding: Understanding, *, source_name: str, hotline: str
) -> Verdict:
    """`ActionAnswerProcedure` for a first message."""
    intent = understanding.intent
    if intent in LEGAL_PRONE_INTENTS and declines_as_legal(session, text):
        return Verdict(kind="fixed", summary="Câu hỏi giải thích pháp luật: trợ lý từ chối lịch sự.")
    chosen = understanding.values("procedure_code") if intent == "choose_procedure" else []
    if intent == "choose_procedure" and not chosen:
        pick = typed_choice(text, [])
        chosen = [pick] if pick else []
    aspect_values = understanding.values("aspect")
    aspects = switched_aspects(intent, aspect_values, text, []) or asked_aspects(intent, aspect_values, None)
    question = ProcedureQuestion(
        text=text,
        intent=intent,
        confidence=understanding.confidence,
        aspects=aspects,
        named=understanding.values("procedure"),
        chosen_code=chosen[0] if chosen else None,
        current_code=None,
        submitted=submission_day(text, aspects, dt.datetime.now(VIETNAM).date()),
    )
    answer = answer_procedure(session, question, source_name=source_name, hotline=hotline)
    if answer.kind == "faq":
        return _faq_verdict(session, answer.reply)
    if answer.kind == "answer":
        procedure = get_procedure(session, code=answer.procedure_code)
        return Verdict(
            kind="procedure",
            summary="Trả lời về một thủ tục.",
            procedure_code=answer.procedure_code,
            procedure_name=procedure.name if procedure else "",
            text=_short(answer.reply.text),
        )
    if answer.kind == "not_covered":
        return Verdict(
            kind="not_covered",
            summary="Trợ lý nói việc này không có trong dữ liệu thủ tục và chỉ nơi hỏi; "
            "câu hỏi vào hộp thư của cán bộ.",
            candidates=_candidates(session, answer.reply),
        )
    offered = _candidates(session, answer.reply)
    return Verdict(
        kind="choice",
        summary="Trợ lý hỏi lại người dân muốn hỏi thủ tục nào"
        + (" và đưa ra các thủ tục gần nhất." if offered else "."),
        candidates=offered,
        text=_short(answer.reply.text),
    )


def _hours(session: Session, text: str) -> Verdict | None:
    """The desk's hours for an hours question naming a procedure clearly (`send_opening_hours`)."""
    answer = opening_hours_answer(session, text, None)
    if answer is None:
        return None
    procedure = get_procedure(session, code=answer.procedure_code)
    return Verdict(
        kind="procedure",
        summary="Trả lời giờ làm việc của nơi tiếp nhận thủ tục.",
        procedure_code=answer.procedure_code,
        procedure_name=procedure.name if procedure else "",
        text=_short(answer.reply.text),
    )


def _faq_or(session: Session, text: str) -> Verdict | None:
    hit = find_faq(session, text)
    if hit is None:
        return None
    return _faq_verdict(session, faq_with_procedures(session, text, hit))


def assistant_verdict(
    session: Session, text: str, understanding: Understanding, *, source_name: str, hotline: str
) -> Verdict:
    """What the assistant answers to `text` as the first message of a conversation.

    Args:
        session: A database session (what it sees is what the verdict is about: the saved state, or
            a draft applied in a transaction the caller rolls back).
        text: The question, as a citizen would type it.
        understanding: The NLU's reading of it (`Understanding.from_parse`).
        source_name: Where the national data comes from (settings).
        hotline: The desk's hotline (settings).
    """
    intent = understanding.intent

    def procedure() -> Verdict:
        return _procedure_verdict(session, text, understanding, source_name=source_name, hotline=hotline)

    if intent == "inform" and understanding.values("dossier_code"):
        return Verdict(kind="fixed", summary=FIXED_INTENTS["ask_dossier_status"])
    if intent in PROCEDURE_INTENTS:
        return procedure()
    if intent == "ask_general":
        found = _hours(session, text) or _faq_or(session, text)
        if found is not None:
            return found
        if retrieval_places(session, text, min_score=UNPLACED_SCORE):
            return procedure()
        return _none()
    if intent == "nlu_fallback":
        if understanding.values("dossier_code") or asks_about_the_code(text):
            return Verdict(kind="fixed", summary=FIXED_INTENTS["ask_dossier_status"])
        if acknowledges(text):
            return Verdict(kind="fixed", summary="Lời đáp ngắn (“vâng”, “ok”): trợ lý đáp lại một câu.")
        hours = _hours(session, text)
        if hours is not None:
            return hours
        if retrieval_places(session, text, min_score=UNPLACED_SCORE):
            return procedure()
        found = _faq_or(session, text) if says_something(text) else None
        return found or _none()
    if intent in DECLINE_INTENTS:
        if intent != "complaint" and not declines_as_legal(session, text) and retrieval_places(session, text):
            return procedure()
        if intent == "feedback":
            return Verdict(kind="fixed", summary="Góp ý: trợ lý cảm ơn và chuyển cho cán bộ.")
        if intent != "legal_advice":
            found = _faq_or(session, text)
            if found is not None:
                return found
        topic = {
            "legal_advice": "Câu hỏi giải thích pháp luật",
            "complaint": "Khiếu nại, tố cáo",
        }.get(intent, "Ngoài phạm vi")
        return Verdict(kind="fixed", summary=f"{topic}: trợ lý từ chối lịch sự và chỉ nơi hỏi đúng.")
    if intent in FIXED_INTENTS:
        return Verdict(kind="fixed", summary=FIXED_INTENTS[intent])
    return Verdict(kind="fixed", summary="Trợ lý trả lời bằng một câu cố định.")


def approximate_verdict(session: Session, text: str, *, source_name: str, hotline: str) -> Verdict:
    """Without the NLU: what ``ActionAnswerFaq`` does (the FAQ, else the procedure answer), an estimate."""
    return assistant_verdict(
        session, text, Understanding(intent="ask_general"), source_name=source_name, hotline=hotline
    )


def understood_label(understanding: Understanding) -> str:
    """What the assistant took the message for, in an officer's words (never an intent name)."""
    intent = understanding.intent
    if intent in PROCEDURE_INTENTS:
        return "Hỏi về một thủ tục"
    if intent == "ask_general":
        return "Câu hỏi chung (hướng dẫn, tài khoản, nộp trực tuyến …)"
    if intent == "nlu_fallback":
        return "Trợ lý không chắc hiểu câu hỏi"
    return {
        "out_of_scope": "Ngoài phạm vi thủ tục hành chính",
        "legal_advice": "Hỏi giải thích pháp luật",
        "complaint": "Khiếu nại, tố cáo",
        "feedback": "Góp ý",
        "greet": "Chào hỏi",
        "goodbye": "Chào tạm biệt",
        "thank": "Cảm ơn",
        "bot_capabilities": "Hỏi trợ lý làm được gì",
        "rate_answer": "Đánh giá câu trả lời",
        "ask_human": "Muốn gặp cán bộ",
        "ask_dossier_status": "Tra cứu hồ sơ",
    }.get(intent, "Câu khác")
