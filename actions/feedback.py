"""Ratings (👍/👎) of answers, and the polite refusals of what the assistant does not do."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    channel_of,
    entity_values,
    in_session,
    intent_of,
    last_rated_answer,
    log_unanswered,
    track,
    user_text,
)
from actions.faq import faq_message, find_faq
from knowledge_base.conversations import record_rating
from knowledge_base.settings import get_settings
from vntext import fold

DECLINES = {
    "out_of_scope": (
        "Xin lỗi, câu hỏi này nằm ngoài phạm vi tôi hỗ trợ. Tôi trả lời về thủ tục hành chính: giấy tờ, "
        "thời hạn, lệ phí, nơi nộp, nộp và thanh toán trực tuyến, tra cứu hồ sơ. Với việc khác, bạn vui lòng "
        "liên hệ tổng đài {hotline}."
    ),
    "legal_advice": (
        "Tôi không giải thích pháp luật hay đánh giá trường hợp cụ thể của bạn, vì câu trả lời cần người có "
        "chuyên môn xem xét hồ sơ. Bạn có thể liên hệ Trung tâm Trợ giúp pháp lý nhà nước của tỉnh (miễn phí "
        "cho người thuộc diện được trợ giúp), một luật sư, hoặc cơ quan có thẩm quyền giải quyết việc "
        "của bạn. "
        "Tôi vẫn có thể cho bạn biết giấy tờ, thời hạn, lệ phí của một thủ tục cụ thể."
    ),
    "complaint": (
        "Tôi không tiếp nhận khiếu nại, tố cáo qua trò chuyện. Bạn có thể:\n"
        "- gửi phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia (mục Phản ánh kiến nghị) "
        "hoặc gọi {hotline};\n"
        "- nộp đơn khiếu nại, tố cáo tại Ban tiếp công dân hoặc trực tiếp cơ quan có thẩm quyền.\n"
        "Đơn cần ghi rõ họ tên, địa chỉ, nội dung và ký tên theo quy định của Luật Khiếu nại, Luật Tố cáo."
    ),
}
FEEDBACK_REPLY = "Cảm ơn góp ý của bạn! Góp ý đã được chuyển tới cán bộ phụ trách để cải thiện trợ lý."


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
        return await decline(dispatcher, tracker, intent)


async def decline(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str) -> list[EventType]:
    """Answer feedback, out-of-scope, legal-interpretation and complaint messages (see ActionDecline)."""
    if intent == "feedback":
        await log_unanswered(tracker, "feedback")
        dispatcher.utter_message(text=FEEDBACK_REPLY, json_message={"type": "smalltalk"})
        return []
    if intent != "legal_advice":
        # A topic the classifier does not know may still have an FAQ entry staff added since training.
        hit = await find_faq(user_text(tracker))
        if hit is not None:
            faq_message(dispatcher, hit)
            await track(tracker, "faq")
            return []
    await log_unanswered(tracker, intent if intent in DECLINES else "out_of_scope")
    await track(tracker, "decline")
    text = DECLINES.get(intent, DECLINES["out_of_scope"]).format(hotline=get_settings().desk_hotline)
    dispatcher.utter_message(text=text, json_message={"type": "out_of_scope"})
    return []


def typed_rating(text: str) -> str:
    """A rating typed instead of pressed: "👎", "không hữu ích", "dislike" are down; the rest up."""
    folded = fold(text)
    negative = (
        "👎" in text
        or "dislike" in folded
        or any(f" {w} " in f" {folded} " for w in ("khong", "chua", "ko", "k"))
    )
    return "down" if negative else "up"


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
            dispatcher.utter_message(text="Cảm ơn bạn!", json_message={"type": "smalltalk"})
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
        text = (
            "Cảm ơn bạn đã đánh giá!"
            if rating > 0
            else 'Cảm ơn bạn đã cho biết. Câu trả lời sẽ được cán bộ xem lại; bạn có thể nhắn "gặp cán bộ" '
            "để được hỗ trợ ngay."
        )
        dispatcher.utter_message(text=text, json_message={"type": "smalltalk"})
        return []
