"""Actions answering questions about one procedure."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import format_answer
from knowledge_base.db import session_scope
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ProcedureOut
from knowledge_base.search import SearchHit, search_procedures
from knowledge_base.settings import get_settings

ASPECTS_BY_INTENT = {
    "ask_documents": ["documents"],
    "ask_processing_time": ["processing_time"],
    "ask_fee": ["fee"],
}
# Below this search score the message is taken to name no procedure.
MIN_SCORE = 0.45


def _lookup(text: str, current_code: str | None) -> tuple[ProcedureOut | None, list[SearchHit]]:
    """Find the procedure the message names (or keep the current one); runs in a worker thread."""
    with session_scope() as session:
        hits = search_procedures(session, text, limit=3)
        code = hits[0].code if hits and hits[0].score >= MIN_SCORE else current_code
        return (get_procedure(session, code=code) if code else None), hits


class ActionAnswerProcedure(Action):
    """Answer the aspects of a procedure the citizen asked about, from the knowledge base."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Look the procedure up and answer the asked aspects."""
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name", "")
        aspects = ASPECTS_BY_INTENT.get(intent, ["documents"])
        # Database work off the event loop: one slow query must not stall every conversation.
        procedure, _hits = await asyncio.to_thread(_lookup, text, tracker.get_slot("procedure_code"))
        if procedure is None:
            dispatcher.utter_message(
                text="Bạn muốn hỏi về thủ tục nào? Bạn hãy ghi rõ tên thủ tục, ví dụ: "
                "\"đăng ký khai sinh\", \"cấp thẻ căn cước\", \"đăng ký thường trú\"."
            )
            return []
        dispatcher.utter_message(
            text=format_answer(procedure, aspects, source_name=get_settings().source_name),
            json_message={
                "type": "procedure_answer",
                "procedure_code": procedure.code,
                "aspects": aspects,
            },
        )
        return [SlotSet("procedure_code", procedure.code)]
