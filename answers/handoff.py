"""What the citizen and the officer are told when a conversation is handed over to the desk."""

from __future__ import annotations

from answers.reply import Reply

#: Why a conversation was handed over, in the officer's words.
REASONS = {
    "asked": "người dân yêu cầu gặp cán bộ",
    "fallback": "trợ lý không hiểu hai lần liên tiếp",
}


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
    """Tell the citizen staff will answer here, when, and the hotline for urgent cases."""
    response = "utter_handoff_asked" if reason == "asked" else "utter_handoff_not_understood"
    return Reply.fixed(response, {"type": "handoff", "ticket_id": ticket_id}, hours=hours, hotline=hotline)


def waiting_reply(ticket_id: int) -> Reply:
    """Nothing to say while the officer has the conversation: only the payload."""
    return Reply(custom={"type": "handoff", "status": "waiting", "ticket_id": ticket_id})


def released_reply() -> Reply:
    """Staff gave the conversation back: the assistant answers again."""
    return Reply.fixed("utter_handoff_released", {"type": "handoff", "status": "released"})


def not_understood_reply() -> Reply:
    """The first misunderstanding: say so, with an example and the way to a person."""
    return Reply.fixed("utter_not_understood", {"type": "out_of_scope"})


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
