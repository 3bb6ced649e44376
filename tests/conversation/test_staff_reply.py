"""A desk officer's reply, injected through the Rasa HTTP API, reaches the citizen's conversation."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from app.rasa_client import RasaClient, make_jwt
from tests.servers import Assistant

pytestmark = pytest.mark.conversation


def _auth(assistant: Assistant, secret: str | None = None) -> dict[str, str]:
    """The app's way in: a short-lived JWT signed with the server's secret (or with `secret`)."""
    return {"Authorization": f"Bearer {make_jwt(assistant.api_token if secret is None else secret)}"}


def _reply(assistant: Assistant, sender: str, text: str, secret: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{assistant.rasa_url}/conversations/{sender}/trigger_intent",
        params={"output_channel": "latest"},
        headers=_auth(assistant, secret),
        json={"name": "EXTERNAL_staff_reply", "entities": {"staff_message": text}},
        timeout=60,
    )


def _bot_texts(assistant: Assistant, sender: str) -> list[str]:
    tracker = httpx.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker", headers=_auth(assistant), timeout=30
    ).json()
    return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]


def test_staff_reply_during_a_handoff_reaches_the_citizen_and_the_bot_stays_quiet(
    assistant: Assistant,
) -> None:
    sender = uuid.uuid4().hex
    opened = assistant.send("cho tôi gặp cán bộ", sender)
    ticket_id = next(
        m["custom"]["ticket_id"] for m in opened if (m.get("custom") or {}).get("type") == "handoff"
    )
    # The officer takes the conversation as the staff app does: the pause first, then the reply.
    RasaClient(assistant.rasa_url, assistant.api_token).set_handoff_pause(
        sender, until=time.time() + 600, ticket_id=ticket_id
    )
    response = _reply(assistant, sender, "Chào anh, hồ sơ của anh cần thêm bản sao giấy khai sinh.")
    assert response.status_code == 200, response.text
    assert any(
        "Cán bộ Một cửa trả lời:\nChào anh, hồ sơ của anh cần thêm bản sao giấy khai sinh." in text
        for text in _bot_texts(assistant, sender)
    )
    # The conversation is with staff: the citizen's next message is kept for them, and the bot only
    # says (once) that an officer is helping.
    messages = assistant.send("vâng em cảm ơn, em sẽ bổ sung", sender)
    assert [m["custom"].get("status") for m in messages if m.get("custom")] == ["with_staff"]
    assert "đang hỗ trợ bạn" in " ".join(m.get("text") or "" for m in messages)


def test_the_api_refuses_a_reply_without_the_token(assistant: Assistant) -> None:
    sender = uuid.uuid4().hex
    assistant.send("xin chào", sender)
    assert _reply(assistant, sender, "giả mạo", secret="wrong-secret-" + "x" * 32).status_code == 401
    assert not any("giả mạo" in text for text in _bot_texts(assistant, sender))
