"""General questions answered from the staff-maintained FAQ (retrieval: a new entry needs no retraining)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_session, log_unanswered, send, track, user_text
from answers.faq import find_faq, no_answer_reply
from answers.procedure import UNPLACED_SCORE, faq_with_procedures, opening_hours_answer, retrieval_places
from knowledge_base.settings import get_settings


async def send_opening_hours(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer "mấy giờ làm việc" with the hours of the desk of the procedure under discussion.

    The general FAQ answers hours in general; right after a procedure's answer the citizen means
    the desk that receives that procedure, whose hours staff set (its office's, or its own).
    Returns the events to return, or None when the message is no hours question or the province
    set no hours for the procedure (then the caller goes on as before).
    """
    text = user_text(tracker)
    current = tracker.get_slot("procedure_code")
    answer = await in_session(lambda session: opening_hours_answer(session, text, current))
    if answer is None:
        return None
    send(dispatcher, answer.reply)
    await track(tracker, "answer", procedure_code=answer.procedure_code, aspects=answer.aspects)
    return [SlotSet("procedure_code", answer.procedure_code), SlotSet("pending_aspects", None)]


class ActionAnswerFaq(Action):
    """Answer a general question from the FAQ, or route to the procedure it names, or admit it."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the procedure's desk hours for an hours question about it; else the best FAQ entry;
        else hand a clearly named procedure to its action; else say so."""
        hours = await send_opening_hours(dispatcher, tracker)
        if hours is not None:
            return hours
        text = user_text(tracker)
        hit = await in_session(lambda session: find_faq(session, text))
        if hit is not None:
            send(dispatcher, await in_session(lambda session: faq_with_procedures(session, text, hit)))
            await track(tracker, "faq")
            return []
        if await in_session(lambda session: retrieval_places(session, text, min_score=UNPLACED_SCORE)):
            return [FollowupAction("action_answer_procedure")]
        await log_unanswered(tracker, "no_answer")
        await track(tracker, "fallback")
        send(dispatcher, no_answer_reply(hotline=get_settings().desk_hotline))
        return []
