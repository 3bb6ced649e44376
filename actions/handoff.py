"""Handing a conversation over to one-stop-desk staff, and the fallback that leads there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    channel_of,
    entity_values,
    in_session,
    log_unanswered,
    recent_user_texts,
    track,
    user_text,
)
from actions.faq import faq_message, find_faq
from knowledge_base.conversations import create_handoff, get_handoff
from knowledge_base.settings import get_settings


def conversation_summary(tracker: Tracker, reason: str) -> str:
    """A short summary for the officer: why, which procedure, the citizen's last messages."""
    lines = [f"Lý do: {REASONS.get(reason, reason)}"]
    if tracker.get_slot("procedure_code"):
        lines.append(f"Thủ tục đang hỏi: {tracker.get_slot('procedure_code')}")
    texts = [text for text in recent_user_texts(tracker) if not text.startswith("/")]
    if texts:
        lines.append("Tin nhắn gần nhất của người dân:")
        lines += [f"- {text[:300]}" for text in texts]
    return "\n".join(lines)


REASONS = {
    "asked": "người dân yêu cầu gặp cán bộ",
    "fallback": "trợ lý không hiểu hai lần liên tiếp",
}


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Open a ticket, tell the citizen how staff will reach them, and pause the bot for this conversation."""
    settings = get_settings()
    timeout = dt.timedelta(minutes=settings.handoff_timeout_minutes)
    summary = conversation_summary(tracker, reason)

    def open_ticket(session: Any) -> Any:
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
    lead = (
        "Tôi đã chuyển cuộc trò chuyện cho cán bộ bộ phận Một cửa"
        if reason == "asked"
        else "Xin lỗi, tôi chưa hiểu được câu hỏi của bạn. "
        "Tôi đã chuyển cuộc trò chuyện cho cán bộ bộ phận Một cửa"
    )
    dispatcher.utter_message(
        text=f"{lead}; cán bộ sẽ trả lời bạn ngay tại đây trong giờ làm việc.\n"
        f"{settings.desk_hours}.\n"
        f"Cần gấp, bạn gọi tổng đài {settings.desk_hotline}.",
        json_message={"type": "handoff", "ticket_id": ticket.id},
    )
    return [
        SlotSet("handoff_until", ticket.expires_at.timestamp()),
        SlotSet("handoff_ticket", float(ticket.id)),
    ]


class ActionHandoff(Action):
    """The citizen asked for a person."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Hand over to staff."""
        return await hand_over(dispatcher, tracker, "asked")


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
            dispatcher.utter_message(
                json_message={"type": "handoff", "status": "waiting", "ticket_id": ticket.id}
            )
            return []
        dispatcher.utter_message(
            text="Cán bộ đã kết thúc hỗ trợ, tôi tiếp tục trả lời bạn. Bạn nhắn lại câu hỏi giúp tôi nhé.",
            json_message={"type": "handoff", "status": "released"},
        )
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
    """The assistant did not understand: say so plainly; the second time in a row, hand over."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Try the FAQ (staff may have added the answer since training); else record, answer or hand over."""
        # Imported here: actions.procedures imports the FAQ module this one uses too.
        from actions.procedures import ActionAnswerProcedure, names_procedure_clearly, says_something

        text = user_text(tracker)
        if entity_values(tracker, "dossier_code"):
            # A dossier code in the message: whatever the wording, the citizen wants its status.
            return [FollowupAction("dossier_form")]
        follow_up = bool(tracker.get_slot("procedure_code") and entity_values(tracker, "aspect"))
        if follow_up or await names_procedure_clearly(text):
            # The classifier hesitated, but "còn lệ phí thì sao" after an answer, or a bare procedure
            # name, is clear enough to answer from the knowledge base.
            return await ActionAnswerProcedure().run(dispatcher, tracker, domain)
        hit = await find_faq(text) if says_something(text) else None
        if hit is not None:
            faq_message(dispatcher, hit)
            await track(tracker, "faq")
            return []
        await log_unanswered(tracker, "fallback")
        await track(tracker, "fallback")
        if _fallbacks_in_a_row(tracker) >= 2:
            return await hand_over(dispatcher, tracker, "fallback")
        dispatcher.utter_message(
            text="Xin lỗi, tôi chưa hiểu ý bạn. Bạn có thể hỏi lại, "
            'ví dụ: "Đăng ký khai sinh cần giấy tờ gì?", '
            'hoặc nhắn "gặp cán bộ" để được hỗ trợ trực tiếp.',
            json_message={"type": "out_of_scope"},
        )
        return []
