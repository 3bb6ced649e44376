"""The inbox as the staff API serves it: the knowledge base's records plus the Rasa server's side.

The knowledge base (`knowledge_base.staff.inbox`) keeps the questions, tickets, claims and the audit
trail; this module adds what only the app can do over HTTP: read the conversation an item came from
and deliver an officer's reply on the citizen's own channel (`app.rasa_client`). A reply is recorded
only once the Rasa server has taken it, so the audit log never shows a message nobody received.

The assistant keeps answering a citizen whose ticket is open until an officer takes it: claiming the
ticket or sending its first reply pauses the bot for that conversation (the slot the Rasa server's
handoff policy reads, set through the Rasa API before anything is recorded); releasing resumes it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from app.rasa_client import RasaClient, RasaClientError
from knowledge_base.staff import inbox
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, iso

logger = logging.getLogger(__name__)


def _conversation(client: RasaClient | None, sender_id: str) -> dict[str, Any]:
    if client is None:
        return {"conversation": None, "conversation_error": ""}
    try:
        messages = client.conversation_messages(sender_id)
    except RasaClientError as exc:
        logger.warning("inbox: conversation not loaded: %s", exc)
        return {
            "conversation": None,
            "conversation_error": "Không tải được nội dung cuộc trò chuyện từ máy chủ trợ lý.",
        }
    return {
        "conversation": [{"sender": m.sender, "text": m.text, "at": iso(m.at)} for m in messages],
        "conversation_error": "",
    }


def question_detail(session: Session, question_id: int, client: RasaClient | None = None) -> dict[str, Any]:
    """One question, the replies sent from it, and (if reachable) the conversation it came from."""
    view = inbox.question_detail(session, question_id)
    return {**view, **_conversation(client, inbox.get_question(session, question_id).conversation_id)}


def ticket_detail(session: Session, ticket_id: int, client: RasaClient | None = None) -> dict[str, Any]:
    """One ticket with its summary, claim, replies and (if reachable) the conversation."""
    view = inbox.ticket_detail(session, ticket_id)
    return {**view, **_conversation(client, inbox.get_ticket(session, ticket_id).conversation_id)}


def _failure(exc: RasaClientError, what: str, then: str) -> StaffError:
    if exc.status in (401, 403):
        detail = "máy chủ trợ lý từ chối khóa API (kiểm tra RASA_JWT_SECRET)"
    else:
        detail = "máy chủ trợ lý không trả lời"
    return StaffError(f"{what}: {detail}. {then}", status=502)


#: What the officer is told when a reply could not go out.
_NOT_SENT = ("Chưa gửi được tin nhắn", "Vui lòng thử lại sau hoặc liên hệ người dân qua điện thoại.")
#: ... and when a ticket could not be taken (the bot could not be paused).
_NOT_TAKEN = ("Chưa nhận được yêu cầu", "Trợ lý vẫn đang trả lời người dân; vui lòng thử lại sau.")


def _send(client: RasaClient, sender_id: str, text: str) -> None:
    try:
        client.send_staff_reply(sender_id, text)
    except RasaClientError as exc:
        logger.warning("inbox: staff reply not delivered: %s", exc)
        raise _failure(exc, *_NOT_SENT) from None


def _pause(client: RasaClient | None, ticket: Any, failure: tuple[str, str] = _NOT_TAKEN) -> None:
    """Pause the bot for the ticket's conversation while it is open (502 if the Rasa server refuses)."""
    until = inbox.pause_until(ticket)
    if client is None or until is None:
        return
    try:
        client.set_handoff_pause(ticket.conversation_id, until=until, ticket_id=ticket.id)
    except RasaClientError as exc:
        logger.warning("inbox: bot not paused: %s", exc)
        raise _failure(exc, *failure) from None


def _resume(client: RasaClient | None, sender_id: str) -> None:
    """Let the bot answer the conversation again (best effort)."""
    if client is None:
        return
    try:
        client.set_handoff_pause(sender_id, until=None)
    except RasaClientError as exc:
        # Safe to go on: the bot's wait action sees the released ticket and resumes by itself.
        logger.warning("inbox: bot not resumed through the API: %s", exc)


def claim_ticket(
    session: Session, principal: Principal, ticket_id: int, client: RasaClient | None = None
) -> dict[str, Any]:
    """Take a ticket (audited): the bot pauses for its conversation; an admin may take it over."""
    ticket = inbox.claim_ticket(session, principal, ticket_id)
    _pause(client, ticket)
    return ticket_detail(session, ticket_id, client)


def reply_ticket(
    session: Session, principal: Principal, ticket_id: int, message: str, client: RasaClient
) -> dict[str, Any]:
    """Answer the citizen of a ticket on their channel; the ticket becomes the officer's (audited).

    While the ticket is open, answering pauses the bot (from the first reply: the citizen's answer is
    for the officer) for another HANDOFF_TIMEOUT_MINUTES.
    """
    ticket = inbox.ticket_reply_target(session, principal, ticket_id)
    text = inbox.clean_reply(message)
    taken_before = inbox.is_taken(session, ticket.id)
    inbox.record_ticket_reply(session, principal, ticket.id, text)
    # Paused before the reply goes out, so the citizen's answer to it is kept for the officer.
    _pause(client, ticket, _NOT_SENT)
    try:
        _send(client, ticket.conversation_id, text)
    except StaffError:
        if not taken_before:
            # Nothing is recorded (the request rolls back): let the assistant answer again meanwhile.
            _resume(client, ticket.conversation_id)
        raise
    return ticket_detail(session, ticket.id, client)


def release_ticket(
    session: Session, principal: Principal, ticket_id: int, client: RasaClient | None = None
) -> dict[str, Any]:
    """Give the conversation back to the bot (audited); the bot answers the citizen's next message."""
    ticket = inbox.release_ticket(session, principal, ticket_id)
    _resume(client, ticket.conversation_id)
    return ticket_detail(session, ticket_id, client)


def reply_question(
    session: Session, principal: Principal, question_id: int, message: str, client: RasaClient
) -> dict[str, Any]:
    """Answer the citizen who asked an inbox question, on their channel (audited)."""
    row = inbox.get_question(session, question_id)
    text = inbox.clean_reply(message)
    _send(client, row.conversation_id, text)
    inbox.record_question_reply(session, principal, row.id, text)
    return question_detail(session, row.id, client)


def dismiss_question(
    session: Session, principal: Principal, question_id: int, client: RasaClient | None = None
) -> dict[str, Any]:
    """Close a question that needs nothing (audited)."""
    inbox.dismiss_question(session, principal, question_id)
    return question_detail(session, question_id, client)
