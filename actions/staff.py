"""Relaying a desk officer's reply (sent from the staff workspace) to the citizen's channel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

#: The entity the staff workspace puts the officer's text in (knowledge_base.rasa_client).
STAFF_MESSAGE_ENTITY = "staff_message"
#: Longest relayed reply; the workspace validates the same limit.
MAX_STAFF_REPLY_CHARS = 4000


class ActionRelayStaffReply(Action):
    """Say the officer's reply to the citizen, marked as coming from the desk."""

    def name(self) -> str:
        """The domain name of the action."""
        return "action_relay_staff_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the text of the latest EXTERNAL_staff_reply event (nothing if it carries none)."""
        texts = [
            str(entity.get("value") or "")
            for entity in (tracker.latest_message or {}).get("entities") or []
            if entity.get("entity") == STAFF_MESSAGE_ENTITY
        ]
        text = "\n".join(t.strip() for t in texts if t.strip())[:MAX_STAFF_REPLY_CHARS]
        if text:
            dispatcher.utter_message(
                text=f"Cán bộ Một cửa trả lời:\n{text}", json_message={"type": "staff_reply"}
            )
        return []
