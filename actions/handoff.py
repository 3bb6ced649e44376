"""Handing a conversation over to one-stop-desk staff, and the fallback that offers it.

Asking for a person opens a ticket and the assistant keeps answering; the bot pauses only once an
officer takes the conversation in the staff workspace (the app sets the slot `handoff_until` through
the Rasa HTTP API, see `app.staff.inbox`), and `bot.handoff_policy` then routes every message to
`action_handoff_wait`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    ACTION_LISTEN,
    channel_of,
    entity_values,
    in_session,
    log_unanswered,
    recent_user_texts,
    routed_here,
    send,
    track,
    user_text,
)
from actions.faq import send_opening_hours
from actions.procedures import offered_candidates
from answers.dossier import asks_about_the_code
from answers.faq import find_faq
from answers.handoff import (
    back_reply,
    conversation_summary,
    handoff_reply,
    not_understood_reply,
    offer_human_reply,
    pending_question,
    with_staff_reply,
)
from answers.procedure import UNPLACED_SCORE, faq_with_procedures, retrieval_places, says_something
from answers.scope import acknowledgement_reply, acknowledges
from knowledge_base.conversations import create_handoff, get_handoff
from knowledge_base.settings import get_settings

#: Misunderstandings in a row after which a person is offered (a button; no ticket until pressed).
FALLBACKS_BEFORE_OFFER = 2
#: The slots of a handoff: the pause (set by the staff app), the open ticket, the note said once, how
#: long the ticket waits for an officer, the officer's display name, the question kept for the bot.
HANDOFF_SLOTS = (
    "handoff_until",
    "handoff_ticket",
    "handoff_noted",
    "handoff_waiting_until",
    "handoff_officer",
    "handoff_pending",
)
#: Marks a message the assistant replays to answer it after a handoff (the channel's history hides it:
#: the citizen sent it once).
REPLAYED = "replayed"


def _last_bot_custom(tracker: Tracker) -> dict[str, Any]:
    """The custom payload of the bot's latest message before the current user message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return {}
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            custom = (event.get("data") or {}).get("custom")
            if custom:
                return dict(custom)
    return {}


class ActionHandoff(Action):
    """The citizen asked for a person (typed, or the "Gặp cán bộ" button): open a ticket, keep answering."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Open a ticket and tell the citizen when staff will answer; the bot is not paused yet."""
        # The button under the offer after misunderstandings: the officer is told why.
        reason = "fallback" if _last_bot_custom(tracker).get("type") == "handoff_offer" else "asked"
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
        # No pause here: the assistant keeps answering until an officer takes the conversation.
        events: list[EventType] = [
            SlotSet("handoff_ticket", float(ticket.id)),
            SlotSet("handoff_noted", None),
            # The web widget shows "Đang kết nối cán bộ…" until an officer takes it or it times out.
            SlotSet("handoff_waiting_until", ticket.expires_at.timestamp()),
        ]
        if routed_here(tracker):
            events.append(FollowupAction(ACTION_LISTEN))
        return events


def replay(tracker: Tracker, parse_data: dict[str, Any]) -> list[EventType]:
    """Events that put a citizen's earlier message back as the latest one, so that the Rasa server's
    prediction loop answers it as if just sent (the parse data is the server's own, kept unchanged).

    An `action_listen` first: the rules see a user turn, as after any message.
    """
    metadata = dict(parse_data.get("metadata") or {}) | {REPLAYED: True}
    return [
        ActionExecuted(ACTION_LISTEN),
        {
            "event": "user",
            "timestamp": None,
            "text": parse_data.get("text"),
            "parse_data": {**parse_data, "metadata": metadata},
            "input_channel": tracker.get_latest_input_channel(),
            "metadata": metadata,
        },
    ]


class ActionHandoffWait(Action):
    """A message arrived while an officer has the conversation: keep it for them, say so briefly."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff_wait"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Acknowledge the message (a note once, then a receipt) and keep a question for the assistant;
        once the ticket was released or closed, the assistant is back and answers the message itself."""
        ticket_id = tracker.get_slot("handoff_ticket")
        ticket = await in_session(lambda s: get_handoff(s, ticket_id=int(ticket_id))) if ticket_id else None
        question = pending_question(tracker.latest_message)
        if ticket is not None and ticket.active():
            # The message stays in the conversation, which the officer reads in the workspace; a question
            # is also kept, so the assistant answers it if the officer gives the conversation back first.
            first = not tracker.get_slot("handoff_noted")
            send(dispatcher, with_staff_reply(ticket.id, first=first))
            events: list[EventType] = [SlotSet("handoff_noted", True)] if first else []
            if question is not None:
                events.append(SlotSet("handoff_pending", question))
            return events
        # Released meanwhile (the app could not resume the bot): back, and this message is answered.
        send(dispatcher, back_reply())
        cleared: list[EventType] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        return [*cleared, *replay(tracker, question)] if question is not None else cleared


class ActionHandoffReleased(Action):
    """The officer gave the conversation back: say the assistant is back, answer the question kept."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff_released"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Clear the handoff; replay the question asked while waiting, for the prediction loop to answer."""
        pending = pending_question(tracker.get_slot("handoff_pending"))
        send(dispatcher, back_reply(str(pending["text"]) if pending else None))
        cleared: list[EventType] = [SlotSet(slot, None) for slot in HANDOFF_SLOTS]
        return [*cleared, *replay(tracker, pending)] if pending is not None else cleared


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
    """Not understood: route what it can, say so plainly; the second time in a row, offer a person."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Route to the dossier form or the procedure answer; else try the FAQ; else record and say so."""
        text = user_text(tracker)
        if entity_values(tracker, "dossier_code") or asks_about_the_code(text):
            # A dossier code in the message: whatever the wording, the citizen wants its status. Or
            # "tôi không nhớ mã hồ sơ": the form says where the code is written (and ends at once).
            return [FollowupAction("dossier_form")]
        if acknowledges(text):
            # "ok", "dạ vâng" after an answer or a handoff: a friendly word, not "I did not understand".
            send(dispatcher, acknowledgement_reply())
            return [FollowupAction(ACTION_LISTEN)] if routed_here(tracker) else []
        hours = await send_opening_hours(dispatcher, tracker)
        if hours is not None:
            # "thứ bảy có làm không" after an answer: the hours of that procedure's desk.
            return [*hours, FollowupAction(ACTION_LISTEN)] if routed_here(tracker) else hours
        # "hồ sơ thế nào?" right after the buttons of a choice, without pressing one: the answer layer
        # offers the same choice again (and answers the aspect once one is pressed).
        in_sight = tracker.get_slot("procedure_code") or offered_candidates(tracker)
        follow_up = bool(in_sight and entity_values(tracker, "aspect"))
        if follow_up or await in_session(
            lambda session: retrieval_places(session, text, min_score=UNPLACED_SCORE)
        ):
            # The classifier hesitated, but "còn lệ phí thì sao" after an answer, a procedure name, a
            # life event or a matter the data can place goes to the answer layer (which answers only
            # when sure, else offers the candidates or says what it does not cover).
            return [FollowupAction("action_answer_procedure")]
        hit = await in_session(lambda session: find_faq(session, text)) if says_something(text) else None
        if hit is not None:
            send(dispatcher, await in_session(lambda session: faq_with_procedures(session, text, hit)))
            await track(tracker, "faq")
            return []
        await log_unanswered(tracker, "fallback")
        await track(tracker, "fallback")
        if _fallbacks_in_a_row(tracker) >= FALLBACKS_BEFORE_OFFER:
            # A suggestion how to ask, and a button to a person: a ticket opens only if pressed.
            send(dispatcher, offer_human_reply())
        else:
            send(dispatcher, not_understood_reply())
        return [FollowupAction(ACTION_LISTEN)] if routed_here(tracker) else []
