"""What the citizen and the officer are told when a conversation is handed over to the desk.

A handoff never strands the citizen: asking for a person opens a ticket and the assistant keeps
answering until an officer takes the conversation (claims the ticket or first answers it); only then
is the bot paused, with one short note that an officer is helping, and a bare receipt afterwards.
Misunderstandings only *offer* a person (a button), they never open a ticket on their own.
"""

from __future__ import annotations

from typing import Any

from answers.reply import Reply
from answers.scope import acknowledges

#: Why a conversation was handed over, in the officer's words.
REASONS = {
    "asked": "người dân yêu cầu gặp cán bộ",
    "fallback": "trợ lý không hiểu hai lần liên tiếp, người dân chọn gặp cán bộ",
}

#: The button that asks for a person: the payload of the `ask_human` intent (connectors let it through).
HUMAN_BUTTON: dict[str, str] = {"title": "Gặp cán bộ", "payload": "/ask_human"}


def conversation_summary(reason: str, procedure_code: str | None, recent_texts: list[str]) -> str:
    """A short summary for the officer: why, which procedure, the citizen's last messages.

    Args:
        reason: "asked" or "fallback".
        procedure_code: The procedure the conversation is about, if any.
        recent_texts: The citizen's last messages, oldest first (button payloads are left out).

    Returns:
        Lines for the ticket (redacted by the knowledge base when stored).
    """
    lines = [f"Lý do: {REASONS.get(reason, reason)}"]
    if procedure_code:
        lines.append(f"Thủ tục đang hỏi: {procedure_code}")
    texts = [text for text in recent_texts if not text.startswith("/")]
    if texts:
        lines.append("Tin nhắn gần nhất của người dân:")
        lines += [f"- {text[:300]}" for text in texts]
    return "\n".join(lines)


def handoff_reply(reason: str, ticket_id: int, *, hours: str, hotline: str) -> Reply:
    """Tell the citizen staff will answer here, when, the hotline, and that the assistant keeps answering."""
    custom = {"type": "handoff", "status": "open", "ticket_id": ticket_id, "reason": reason}
    return Reply.fixed("utter_handoff_asked", custom, hours=hours, hotline=hotline)


def with_staff_reply(ticket_id: int, *, first: bool) -> Reply:
    """An officer has the conversation: say so once, then only acknowledge (never an empty reply)."""
    response = "utter_handoff_with_staff" if first else "utter_handoff_message_kept"
    return Reply.fixed(response, {"type": "handoff", "status": "with_staff", "ticket_id": ticket_id})


def waiting_reply(ticket_id: int) -> Reply:
    """Deprecated name of the bare acknowledgement while an officer has the conversation."""
    return with_staff_reply(ticket_id, first=False)


def released_reply() -> Reply:
    """Staff gave the conversation back: the assistant answers again."""
    return Reply.fixed("utter_handoff_released", {"type": "handoff", "status": "released"})


#: Intents of messages that need no answer once the officer gives the conversation back (greetings,
#: thanks, ratings, another request for a person): only a question is kept for the assistant.
NOT_KEPT_INTENTS = frozenset(
    {"greet", "goodbye", "thank", "rate_answer", "feedback", "ask_human", "complaint", "nlu_fallback"}
)
#: Longest question quoted back to the citizen when the assistant answers it after a handoff.
MAX_QUOTED_CHARS = 200


def pending_question(parse_data: dict[str, Any] | None) -> dict[str, Any] | None:
    """What to keep of a message sent while an officer has the conversation, to answer it on release.

    Args:
        parse_data: the message as the Rasa server parsed it (text, intent, entities, metadata).

    Returns:
        The parse data to replay (without its message id), or None for a message that needs no
        answer from the assistant later ("cảm ơn", "ok", a greeting, a rating, a button payload).
    """
    if not isinstance(parse_data, dict):
        return None
    text = str(parse_data.get("text") or "").strip()
    intent = str((parse_data.get("intent") or {}).get("name") or "")
    if not text or text.startswith("/") or intent.startswith("EXTERNAL_") or intent in NOT_KEPT_INTENTS:
        return None
    if acknowledges(text):
        return None
    return {key: value for key, value in parse_data.items() if key != "message_id"}


def back_reply(question: str | None = None) -> Reply:
    """The officer gave the conversation back: the assistant is back (and answers the pending question)."""
    custom = {"type": "handoff", "status": "released"}
    if not question:
        return Reply.fixed("utter_handoff_back", custom)
    quoted = " ".join(question.split())
    if len(quoted) > MAX_QUOTED_CHARS:
        quoted = quoted[: MAX_QUOTED_CHARS - 1].rstrip() + "…"
    return Reply.fixed("utter_handoff_back_answering", custom, question=quoted)


def not_understood_reply() -> Reply:
    """The first misunderstanding: say so, with an example and the way to a person."""
    return Reply.fixed("utter_not_understood", {"type": "out_of_scope", "reason": "not_understood"})


def offer_human_reply() -> Reply:
    """Misunderstood again: how to rephrase, and a button to reach a person (no ticket yet)."""
    return Reply(
        response="utter_offer_human",
        buttons=[dict(HUMAN_BUTTON)],
        custom={"type": "handoff_offer"},
    )


#: The entity the staff workspace puts the officer's text in.
STAFF_MESSAGE_ENTITY = "staff_message"
#: Longest relayed reply; the workspace validates the same limit.
MAX_STAFF_REPLY_CHARS = 4000


def staff_reply(texts: list[str]) -> Reply | None:
    """The officer's reply to the citizen, marked as coming from the desk (None when it is empty)."""
    text = "\n".join(t.strip() for t in texts if t.strip())[:MAX_STAFF_REPLY_CHARS]
    if not text:
        return None
    return Reply(text=f"Cán bộ Một cửa trả lời:\n{text}", custom={"type": "staff_reply"})
