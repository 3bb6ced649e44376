"""Handing a conversation over to one-stop-desk staff, and the fallback that leads there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    channel_of,
    entity_values,
    in_session,
    log_unanswered,
    recent_user_texts,
    send,
    track,
    user_text,
)
from answers.faq import faq_reply, find_faq
from answers.handoff import (
    conversation_summary,
    handoff_reply,
    not_understood_reply,
    released_reply,
    waiting_reply,
)
from answers.procedure import names_procedure_clearly, says_something
from knowledge_base.conversations import create_handoff, get_handoff
from knowledge_base.settings import get_settings

#: Misunderstandings in a row after which the conversation goes to staff.
FALLBACKS_BEFORE_HANDOFF = 2


class ActionHandoff(Action):
    """The citizen asked for a person, or the fallback routed here after repeated misunderstandings."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Open a ticket, tell the citizen how staff will reach them, pause the bot for this conversation."""
        # Routed here by action_fallback (FollowupAction): the citizen did not ask, the assistant gave up.
        reason = "fallback" if tracker.latest_action_name == "action_fallback" else "asked"
        settings = get_settings()
        timeout = dt.timedelta(minutes=settings.handoff_timeout_minutes)
        summary = conversation_summary(reason, tracker.get_slot("procedure_code"), recent_user_texts(tracker))

        def open_ticket(session: Session) -> Any:
            return create_handoff(
                session,
                conversation_id=tracker.sender_id,
                channel=channel_of(tracker),
                reason=reason,
                summary=summary,
                timeout=timeout,
            )

        ticket = await in_session(open_ticket, commit=True)
        await track(tracker, "handoff")
        send(
            dispatcher,
            handoff_reply(reason, ticket.id, hours=settings.desk_hours, hotline=settings.desk_hotline),
        )
        return [
            SlotSet("handoff_until", ticket.expires_at.timestamp()),
            SlotSet("handoff_ticket", float(ticket.id)),
        ]


class ActionHandoffWait(Action):
    """A message arrived while staff have the conversation: stay quiet unless they gave it back."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff_wait"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Keep the message for staff; if the ticket was released or closed, end the pause."""
        ticket_id = tracker.get_slot("handoff_ticket")
        ticket = await in_session(lambda s: get_handoff(s, ticket_id=int(ticket_id))) if ticket_id else None
        if ticket is not None and ticket.active():
            # Nothing to say: the officer answers; the message stays in the conversation for them.
            send(dispatcher, waiting_reply(ticket.id))
            return []
        send(dispatcher, released_reply())
        return [SlotSet("handoff_until", None), SlotSet("handoff_ticket", None)]


def _fallbacks_in_a_row(tracker: Tracker) -> int:
    """Messages in a row the assistant did not understand (one answered from the FAQ breaks the run)."""
    count = 0
    for event in reversed(tracker.events):
        if (
            event.get("event") == "bot"
            and ((event.get("data") or {}).get("custom") or {}).get("type") == "faq_answer"
        ):
            break
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "nlu_fallback":
            count += 1
        else:
            break
    return count


class ActionFallback(Action):
    """The assistant did not understand: route what it can, say so plainly; the second time, hand over."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Route to the dossier form or the procedure answer; else try the FAQ; else record and say so."""
        text = user_text(tracker)
        if entity_values(tracker, "dossier_code"):
            # A dossier code in the message: whatever the wording, the citizen wants its status.
            return [FollowupAction("dossier_form")]
        follow_up = bool(tracker.get_slot("procedure_code") and entity_values(tracker, "aspect"))
        if follow_up or await in_session(lambda session: names_procedure_clearly(session, text)):
            # The classifier hesitated, but "còn lệ phí thì sao" after an answer, or a bare procedure
            # name, is clear enough to answer from the knowledge base.
            return [FollowupAction("action_answer_procedure")]
        hit = await in_session(lambda session: find_faq(session, text)) if says_something(text) else None
        if hit is not None:
            send(dispatcher, faq_reply(hit))
            await track(tracker, "faq")
            return []
        await log_unanswered(tracker, "fallback")
        await track(tracker, "fallback")
        if _fallbacks_in_a_row(tracker) >= FALLBACKS_BEFORE_HANDOFF:
            return [FollowupAction("action_handoff")]
        send(dispatcher, not_understood_reply())
        return []
