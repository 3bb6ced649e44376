"""General questions answered from the staff-maintained FAQ (retrieval: a new entry needs no retraining)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_session, log_unanswered, send, track, user_text
from answers.faq import find_faq, no_answer_reply
from answers.procedure import UNPLACED_SCORE, faq_with_procedures, retrieval_places
from knowledge_base.settings import get_settings


class ActionAnswerFaq(Action):
    """Answer a general question from the FAQ, or route to the procedure it names, or admit it."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the best FAQ entry; else hand a clearly named procedure to its action; else say so."""
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
