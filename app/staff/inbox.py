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

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session, object_session

from app.rasa_client import RasaClient, RasaClientError
from knowledge_base.staff import inbox
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import StaffError, iso
from knowledge_base.staff.labels import delivery_note

logger = logging.getLogger(__name__)


#: Who a timeline message is from, in the officer's words.
SENDERS = {"user": "Người dân", "bot": "Trợ lý", "staff": "Cán bộ"}


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


def timeline(
    conversation: list[dict[str, Any]] | None, replies: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One timeline, oldest first: the conversation with the officers' replies in it, by name.

    A relayed reply in the conversation is matched to the recorded reply with its text (the record
    names the officer). Recorded replies the conversation lacks (the Rasa server unreachable, or the
    reply older than the messages read) are put in by their time, unless older than the first
    message read: the timeline never shows a reply without what came before it.
    """
    pending = list(replies)
    items: list[dict[str, Any]] = []
    for message in conversation or []:
        item = {**message, "who": SENDERS.get(message["sender"], message["sender"])}
        if message["sender"] == "staff":
            match = next((r for r in pending if r["message"].strip() == message["text"].strip()), None)
            if match is not None:
                pending.remove(match)
                item["who"] = f"Cán bộ {match['by_name']}"
                item["at"] = item["at"] or match["at"]
        items.append(item)
    first = next((m["at"] for m in items if m["at"]), None)
    for reply in pending:
        if first is not None and reply["at"] and _time(reply["at"]) < _time(first):
            continue
        items.append(
            {
                "sender": "staff",
                "text": reply["message"],
                "at": reply["at"],
                "who": f"Cán bộ {reply['by_name']}",
            }
        )
    # By time; a message without one keeps its place after the message before it.
    keyed: list[tuple[dt.datetime, int, dict[str, Any]]] = []
    last = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    for position, item in enumerate(items):
        last = _time(item["at"]) if item["at"] else last
        keyed.append((last, position, item))
    return [item for _at, _position, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _time(at: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at)


def _with_timeline(view: dict[str, Any], sender_id: str, client: RasaClient | None) -> dict[str, Any]:
    conversation = _conversation(client, sender_id)
    return {
        **view,
        **conversation,
        "timeline": timeline(conversation["conversation"], view["replies"]),
        "delivery_note": delivery_note(view["channel"]),
    }


def question_detail(session: Session, question_id: int, client: RasaClient | None = None) -> dict[str, Any]:
    """One question, the replies sent from it, and (if reachable) the conversation it came from.

    ``timeline`` is the conversation with the replies in it (`timeline`); ``delivery_note`` says
    where and when a reply on the question's channel reaches the citizen.
    """
    view = inbox.question_detail(session, question_id)
    return _with_timeline(view, inbox.get_question(session, question_id).conversation_id, client)


def ticket_detail(session: Session, ticket_id: int, client: RasaClient | None = None) -> dict[str, Any]:
    """One ticket with its summary, claim, replies, (if reachable) the conversation and the timeline."""
    view = inbox.ticket_detail(session, ticket_id)
    return _with_timeline(view, inbox.get_ticket(session, ticket_id).conversation_id, client)


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


def _officer_name(ticket: Any) -> str:
    """The display name of the officer who has the ticket ("" when none): the citizen sees it."""
    session = object_session(ticket)
    return str(inbox.ticket_detail(session, ticket.id).get("claimed_by") or "") if session else ""


def _pause(
    client: RasaClient | None, ticket: Any, failure: tuple[str, str] = _NOT_TAKEN, officer: str | None = None
) -> None:
    """Pause the bot for the ticket's conversation while it is open (502 if the Rasa server refuses).

    The officer's display name (`officer`, else the ticket's claim) goes with the pause: the web widget
    shows "Cán bộ … đang trả lời" (never a username or an e-mail address).
    """
    until = inbox.pause_until(ticket)
    if client is None or until is None:
        return
    name = officer if officer is not None else _officer_name(ticket)
    try:
        client.set_handoff_pause(ticket.conversation_id, until=until, ticket_id=ticket.id, officer=name)
    except RasaClientError as exc:
        logger.warning("inbox: bot not paused: %s", exc)
        raise _failure(exc, *failure) from None


def _resume(client: RasaClient | None, sender_id: str, *, announce: bool = False) -> None:
    """Let the bot answer the conversation again (best effort).

    With `announce` (the officer gave the conversation back) the citizen is told "Trợ lý đã quay lại"
    and the question asked while waiting is answered (`RasaClient.release_handoff`); without it (a
    first reply that could not go out) the pause is lifted silently.
    """
    if client is None:
        return
    try:
        # The pause first: the bot answers again even if telling the citizen fails. The question kept
        # stays for the announcement, which answers it (and clears it).
        client.set_handoff_pause(sender_id, until=None, keep_pending=announce)
    except RasaClientError as exc:
        # Safe to go on: the bot's wait action sees the released ticket and resumes by itself.
        logger.warning("inbox: bot not resumed through the API: %s", exc)
    if announce:
        try:
            client.release_handoff(sender_id)
        except RasaClientError as exc:
            logger.warning("inbox: the citizen was not told the assistant is back: %s", exc)


def claim_ticket(
    session: Session, principal: Principal, ticket_id: int, client: RasaClient | None = None
) -> dict[str, Any]:
    """Take a ticket (audited): the bot pauses for its conversation; an admin may take it over."""
    ticket = inbox.claim_ticket(session, principal, ticket_id)
    _pause(client, ticket, officer=principal.display_name)
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
    """Give the conversation back to the bot (audited): the citizen is told the assistant is back, and
    the question they asked while waiting is answered."""
    ticket = inbox.release_ticket(session, principal, ticket_id)
    _resume(client, ticket.conversation_id, announce=True)
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
