"""Relaying a desk officer's reply (sent from the staff workspace) to the citizen's channel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values_raw, send
from answers.handoff import MAX_STAFF_REPLY_CHARS, STAFF_MESSAGE_ENTITY, staff_reply

__all__ = ["MAX_STAFF_REPLY_CHARS", "STAFF_MESSAGE_ENTITY", "ActionRelayStaffReply"]


class ActionRelayStaffReply(Action):
    """Say the officer's reply to the citizen, marked as coming from the desk."""

    def name(self) -> str:
        """The domain name of the action."""
        return "action_relay_staff_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the text of the latest EXTERNAL_staff_reply event (nothing if it carries none).

        The officer answered after the citizen's latest question: the assistant will not answer that
        question again when the conversation is given back (`action_handoff_released`).
        """
        reply = staff_reply(entity_values_raw(tracker, STAFF_MESSAGE_ENTITY))
        if reply is None:
            return []
        send(dispatcher, reply)
        return [SlotSet("handoff_pending", None)] if tracker.get_slot("handoff_pending") else []
