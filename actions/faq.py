"""General questions answered from the staff-maintained FAQ (retrieval: a new entry needs no retraining)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import RATING_BUTTONS, in_session, log_unanswered, track, user_text
from knowledge_base.faq import MIN_FAQ_SCORE, FaqHit, search_faq
from knowledge_base.settings import get_settings


async def find_faq(text: str, *, min_score: float = MIN_FAQ_SCORE) -> FaqHit | None:
    """The best published FAQ entry for `text`, if it is good enough."""
    if not text or text.startswith("/"):
        return None
    hits = await in_session(lambda session: search_faq(session, text, limit=1))
    return hits[0] if hits and hits[0].score >= min_score else None


def faq_message(dispatcher: CollectingDispatcher, hit: FaqHit) -> None:
    """Send an FAQ entry's answer (staff text, sent as plain text) with rating buttons."""
    dispatcher.utter_message(
        text=hit.answer,
        buttons=RATING_BUTTONS,
        json_message={"type": "faq_answer", "faq_id": hit.faq_id},
    )


class ActionAnswerFaq(Action):
    """Answer a general question from the FAQ, or fall back to the procedure it names, or admit it."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the best FAQ entry; else a clearly named procedure's overview; else say so."""
        hit = await find_faq(user_text(tracker))
        if hit is not None:
            faq_message(dispatcher, hit)
            await track(tracker, "faq")
            return []
        # Imported here: actions.procedures imports this module.
        from actions.procedures import ActionAnswerProcedure, names_procedure_clearly

        if await names_procedure_clearly(user_text(tracker)):
            return await ActionAnswerProcedure().run(dispatcher, tracker, domain)
        await log_unanswered(tracker, "no_answer")
        await track(tracker, "fallback")
        dispatcher.utter_message(
            text="Xin lỗi, tôi chưa có câu trả lời cho câu hỏi này. Bạn có thể gọi tổng đài "
            f'{get_settings().desk_hotline} hoặc nhắn "gặp cán bộ" để được hỗ trợ; câu hỏi của bạn đã được '
            "chuyển cho cán bộ để bổ sung.",
            json_message={"type": "out_of_scope"},
        )
        return []
