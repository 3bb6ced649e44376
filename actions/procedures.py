"""The action answering questions about one procedure (the answer itself: answers.procedure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ACTION_LISTEN,
    entity_values,
    in_session,
    intent_of,
    log_unanswered,
    routed_here,
    send,
    send_decline,
    track,
    user_text,
)
from answers.procedure import (
    LEGAL_PRONE_INTENTS,
    VIETNAM,
    ProcedureAnswer,
    ProcedureQuestion,
    answer_procedure,
    asked_aspects,
    declines_as_legal,
    submission_day,
    switched_aspects,
    typed_choice,
)
from knowledge_base.settings import get_settings

__all__ = ["ActionAnswerProcedure", "offered_candidates", "read_question"]


#: Replies whose buttons offer procedures (their payload's `candidates`).
OFFERING_TYPES = {"clarify", "variant", "life_event", "not_covered"}


def offered_candidates(tracker: Tracker) -> list[str]:
    """The codes of the latest offer's buttons (a clarifying question, a life event's checklist …),
    unless a procedure was answered since."""
    for event in reversed(tracker.events):
        custom = ((event.get("data") or {}).get("custom") or {}) if event.get("event") == "bot" else {}
        if custom.get("type") == "procedure_answer":
            return []
        if custom.get("type") in OFFERING_TYPES:
            return [str(code) for code in custom.get("candidates") or []]
    return []


def previous_aspects(tracker: Tracker) -> list[str]:
    """The aspects of the latest procedure answer in the conversation."""
    for event in reversed(tracker.events):
        custom = ((event.get("data") or {}).get("custom") or {}) if event.get("event") == "bot" else {}
        if custom.get("type") == "procedure_answer":
            return [str(aspect) for aspect in custom.get("aspects") or []]
    return []


def read_question(tracker: Tracker) -> ProcedureQuestion:
    """What the latest message asks about a procedure, from its intent, entities, text and the slots."""
    intent, confidence = intent_of(tracker)
    text = user_text(tracker)
    chosen = entity_values(tracker, "procedure_code") if intent == "choose_procedure" else []
    if intent == "choose_procedure" and not chosen:
        # Typed instead of pressed: "cái thứ hai", "số 1", "cái cuối".
        pick = typed_choice(text, offered_candidates(tracker))
        chosen = [pick] if pick else []
    aspect_values = entity_values(tracker, "aspect")
    previous = previous_aspects(tracker)
    aspects = switched_aspects(intent, aspect_values, text, previous) or asked_aspects(
        intent, aspect_values, tracker.get_slot("pending_aspects")
    )
    return ProcedureQuestion(
        text=text,
        intent=intent,
        confidence=confidence,
        aspects=aspects,
        named=entity_values(tracker, "procedure"),
        chosen_code=chosen[0] if chosen else None,
        current_code=tracker.get_slot("procedure_code"),
        submitted=submission_day(text, aspects, dt.datetime.now(VIETNAM).date()),
        previous_aspects=previous,
        offered=offered_candidates(tracker),
    )


class ActionAnswerProcedure(Action):
    """Answer the aspects of a procedure the citizen asked about, from the knowledge base."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Resolve the procedure (or ask which one) and answer every asked aspect in one message."""
        events = await self._answer(dispatcher, tracker)
        if routed_here(tracker):
            events.append(FollowupAction(ACTION_LISTEN))
        return events

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        intent, _ = intent_of(tracker)
        text = user_text(tracker)
        if intent in LEGAL_PRONE_INTENTS and await in_session(
            lambda session: declines_as_legal(session, text)
        ):
            # Never answer a question of legal interpretation with a procedure's text.
            await send_decline(dispatcher, tracker, "legal_advice")
            return []
        question = read_question(tracker)
        source_name = get_settings().source_name
        hotline = get_settings().desk_hotline
        answer: ProcedureAnswer = await in_session(
            lambda session: answer_procedure(session, question, source_name=source_name, hotline=hotline)
        )
        if answer.kind == "clarify":
            send(dispatcher, answer.reply)
            return [SlotSet("pending_aspects", answer.aspects)]
        if answer.kind == "not_covered":
            send(dispatcher, answer.reply)
            # "Không tìm thấy thủ tục" in the staff inbox: a gap in the data staff may want to fill.
            await log_unanswered(tracker, "no_procedure")
            await track(tracker, "decline")
            return [SlotSet("pending_aspects", None)]
        if answer.kind == "faq":
            send(dispatcher, answer.reply)
            await track(tracker, "faq")
            return [SlotSet("pending_aspects", None)]
        if answer.needs_review:
            await log_unanswered(tracker, "low_confidence")
        send(dispatcher, answer.reply)
        await track(tracker, "answer", procedure_code=answer.procedure_code, aspects=answer.aspects)
        return [SlotSet("procedure_code", answer.procedure_code), SlotSet("pending_aspects", None)]
