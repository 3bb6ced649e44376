"""Ratings (👍/👎) of answers, and the polite refusals of what the assistant does not do."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    channel_of,
    entity_values,
    in_session,
    intent_of,
    last_rated_answer,
    log_unanswered,
    send,
    send_decline,
    track,
    user_text,
)
from answers.faq import find_faq
from answers.procedure import declines_as_legal, faq_with_procedures, retrieval_places
from answers.scope import feedback_reply, rating_reply, typed_rating
from knowledge_base.conversations import record_rating


class ActionDecline(Action):
    """Out of scope, legal interpretation, complaints: say so plainly and point to the right channel."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Decline by intent; feedback is thanked and passed to staff."""
        intent, _ = intent_of(tracker)
        text = user_text(tracker)
        # Complaints and denunciations keep their own channel, whatever the data holds about them.
        if intent != "complaint" and await in_session(
            lambda session: not declines_as_legal(session, text) and retrieval_places(session, text)
        ):
            # Long formal letters and life stories are often taken for out-of-scope or legal questions
            # for their length or background: what the procedures, life events or the list of matters
            # outside it can place is answered there, never declined for its form.
            return [FollowupAction("action_answer_procedure")]
        if intent == "feedback":
            await log_unanswered(tracker, "feedback")
            send(dispatcher, feedback_reply())
            return []
        if intent != "legal_advice":
            # A topic the classifier does not know may still have an FAQ entry staff added since training.
            hit = await in_session(lambda session: find_faq(session, text))
            if hit is not None:
                send(dispatcher, await in_session(lambda session: faq_with_procedures(session, text, hit)))
                await track(tracker, "faq")
                return []
        await send_decline(dispatcher, tracker, intent)
        return []


class ActionRateAnswer(Action):
    """Store a 👍/👎 with the answer it rates."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_rate_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Record the rating of the latest rateable answer."""
        values = entity_values(tracker, "rating") or [typed_rating(user_text(tracker))]
        rated = last_rated_answer(tracker)
        if values[0] not in ("up", "down") or rated is None:
            send(dispatcher, rating_reply(None))
            return []
        custom, answer, question = rated
        rating = 1 if values[0] == "up" else -1
        await in_session(
            lambda session: record_rating(
                session,
                conversation_id=tracker.sender_id,
                channel=channel_of(tracker),
                rating=rating,
                answer_type=str(custom.get("type")),
                procedure_code=str(custom.get("procedure_code") or ""),
                aspects=list(custom.get("aspects") or []),
                faq_id=custom.get("faq_id"),
                question=question,
                answer=answer,
            ),
            commit=True,
        )
        send(dispatcher, rating_reply(rating))
        return []
