"""Dialogue that never strands the citizen, through the real Rasa server, action server and staff code.

Asking for a person opens a ticket and the assistant keeps answering; only when an officer takes the
conversation (the staff workspace's claim, which pauses the bot through the Rasa HTTP API) does the bot
hold the citizen's messages for them, saying so once; releasing gives the conversation back at once.
Misunderstandings offer a person with a button; "không nhớ mã" in the dossier form explains where the
code is instead of looping; and every message gets a text.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.rasa_client import RasaClient
from app.staff import inbox as staff_inbox
from knowledge_base.db import session_scope
from knowledge_base.staff.auth import Principal, create_user
from tests.servers import Assistant

pytestmark = pytest.mark.conversation


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages if (m.get("text") or "").strip()]


def _customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def _send(assistant: Assistant, text: str, sender: str) -> list[dict[str, Any]]:
    """Send a message; every message must get at least one text (never an empty reply)."""
    messages = assistant.send(text, sender)
    assert _texts(messages), f"{text!r} got no text: {messages!r}"
    return messages


@pytest.fixture(scope="module")
def officer(assistant_db: str) -> Principal:
    """An editor account in the assistant's database, as the staff workspace signs one in."""
    username = f"can.bo.{uuid.uuid4().hex[:8]}"
    with session_scope(assistant_db) as session:
        user = create_user(
            session,
            username=username,
            password="Can-bo-mot-cua-2026!",
            role="editor",
            display_name="Can Bo",
            created_by="test",
        )
        session.commit()
        return Principal(user.id, username, "Can Bo", "editor", 0, "")


def _client(assistant: Assistant) -> RasaClient:
    return RasaClient(assistant.rasa_url, assistant.api_token)


def test_a_ticket_open_but_not_taken_never_pauses_then_a_claim_does_and_a_release_ends_it(
    assistant: Assistant, assistant_db: str, officer: Principal
) -> None:
    sender = f"stranded-{uuid.uuid4().hex}"
    opened = _send(assistant, "cho tôi gặp cán bộ", sender)
    handoff = next(c for c in _customs(opened) if c.get("type") == "handoff")
    text = "\n".join(_texts(opened))
    assert "trong giờ làm việc" in text.lower() and "ngay tại đây" in text and "1022" in text

    # Not taken yet: a clear new question is answered as usual (and stays in the conversation).
    answered = _send(assistant, "đăng ký khai sinh cần giấy tờ gì", sender)
    assert [c.get("type") for c in _customs(answered)][-1] == "procedure_answer"

    # An officer claims the ticket in the workspace: the app pauses the bot through the Rasa API.
    with session_scope(assistant_db) as session:
        detail = staff_inbox.claim_ticket(session, officer, int(handoff["ticket_id"]), _client(assistant))
        session.commit()
    assert detail["claimed_by"] == "Can Bo"
    assert "khai sinh cần giấy tờ gì" in " ".join(m["text"] for m in detail["conversation"] or [])

    paused = [_send(assistant, text, sender) for text in ("alo", "lệ phí bao nhiêu", "còn ai đó không")]
    notes = [t for messages in paused for t in _texts(messages) if "đang hỗ trợ" in t]
    assert len(notes) == 1, paused  # one short note, then only a receipt
    assert all(c.get("type") == "handoff" for messages in paused for c in _customs(messages))
    assert not any(c.get("type") == "procedure_answer" for messages in paused for c in _customs(messages))

    # Released: the assistant answers the next message itself, at once.
    with session_scope(assistant_db) as session:
        staff_inbox.release_ticket(session, officer, int(handoff["ticket_id"]), _client(assistant))
        session.commit()
    back = _send(assistant, "đăng ký khai tử cần giấy tờ gì", sender)
    assert [c.get("type") for c in _customs(back)][-1] == "procedure_answer"


def test_two_misunderstandings_offer_a_person_with_a_button(assistant: Assistant) -> None:
    sender = f"stranded-{uuid.uuid4().hex}"
    _send(assistant, "xkcd qwzz plorf", sender)
    offer = _send(assistant, "blorp zzkv qqq", sender)
    assert [c.get("type") for c in _customs(offer)] == ["handoff_offer"]
    assert [b["payload"] for m in offer for b in m.get("buttons") or []] == ["/ask_human"]
    # Not paused: a clear question right after is answered.
    answered = _send(assistant, "làm căn cước mất bao lâu", sender)
    assert "procedure_answer" in [c.get("type") for c in _customs(answered)]
    pressed = _send(assistant, "/ask_human", sender)
    assert [c.get("type") for c in _customs(pressed)] == ["handoff"]


@pytest.mark.parametrize("forgot", ["tôi không nhớ mã hồ sơ", "ko nho ma"])
def test_not_remembering_the_dossier_code_is_explained_without_a_loop(
    assistant: Assistant, forgot: str
) -> None:
    sender = f"stranded-{uuid.uuid4().hex}"
    asked = _send(assistant, "tra cứu tình trạng hồ sơ", sender)
    assert "mã hồ sơ" in "\n".join(_texts(asked))
    helped = _send(assistant, forgot, sender)
    text = "\n".join(_texts(helped))
    assert "giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text and "Quản lý hồ sơ" in text and "VNeID" in text
    assert "định dạng" not in text
    assert [b["payload"] for m in helped for b in m.get("buttons") or []] == ["/ask_human"]
    # The form is left: the same words again are not "Mã hồ sơ chưa đúng định dạng".
    again = _send(assistant, forgot, sender)
    assert "định dạng" not in "\n".join(_texts(again))


def test_a_procedure_question_inside_the_dossier_form_leaves_it_and_is_answered(
    assistant: Assistant,
) -> None:
    sender = f"stranded-{uuid.uuid4().hex}"
    _send(assistant, "tra cứu hồ sơ giúp tôi", sender)
    answered = _send(assistant, "đăng ký khai sinh cần giấy tờ gì", sender)
    assert [c.get("type") for c in _customs(answered)][-1] == "procedure_answer"
    assert "mã hồ sơ" not in "\n".join(_texts(answered)).lower()
    # Really left: the next message is not taken as a code.
    greeted = _send(assistant, "cảm ơn bạn", sender)
    assert "định dạng" not in "\n".join(_texts(greeted))


@pytest.mark.parametrize(
    "message",
    [
        "xin chào",
        "asdfgh",
        "cho tôi gặp cán bộ",
        "hồ sơ của tôi đến đâu rồi",
        "không nhớ",
        "thủ tục",
        "?",
        "cảm ơn",
    ],
)
def test_no_reply_is_empty(assistant: Assistant, message: str) -> None:
    _send(assistant, message, f"stranded-{uuid.uuid4().hex}")
