"""The Zalo OA channel end to end: the real Rasa server and action server, a fake Zalo API.

Webhook events are signed like Zalo signs them and posted over HTTP to the Rasa server's
`/webhooks/zalo/webhook`; the answers are read from what the fake Zalo API received (each test
for users of its own). The session's assistant (`tests/channels/conftest.py`) points its ZALO_*
settings at the fake, with short retry delays.
"""

from __future__ import annotations

import json
import os
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.conftest import Channels, via
from tests.channels.fake_zalo import (
    OA_SECRET_KEY,
    FakeZalo,
    follow_event,
    image_event,
    signed,
    text_event,
)
from tests.servers import Assistant

pytestmark = pytest.mark.conversation

GREETING = "Xin chào! Tôi là trợ lý thủ tục hành chính"
THANKS = "Rất vui được giúp bạn"
ONLY_TEXT_NOTE = "Hiện tôi chỉ đọc được tin nhắn chữ"
HANDOFF = "chuyển yêu cầu của bạn cho cán bộ"
COMPLAINT = "Luật Khiếu nại"
DOSSIER_FORM_PHONE = "4 số cuối"


@dataclass
class Running:
    """The assistant with its Zalo channel pointed at the fake."""

    assistant: Assistant
    zalo: FakeZalo
    token_file: Path

    @property
    def webhook(self) -> str:
        return f"{self.assistant.rasa_url}/webhooks/zalo/webhook"

    def post(self, event: dict[str, Any], *, key: str = OA_SECRET_KEY, signature: bool = True) -> int:
        """Post a webhook event signed with `key` (or unsigned); return the HTTP status."""
        raw, headers = signed(event, key)
        if not signature:
            headers.pop("X-ZEvent-Signature")
        # From an address of its own: refused requests are limited per address (conftest.py).
        return httpx.post(self.webhook, content=raw, headers=headers | via(), timeout=30).status_code


@pytest.fixture(scope="module")
def running(channels: Channels) -> Running:
    """The session's assistant (actions write ratings and tickets to its private database copy)."""
    return Running(channels.assistant, channels.zalo, channels.zalo_token_file)


def new_user() -> str:
    return str(uuid.uuid4().int % 10**18)


def test_signed_question_is_answered_with_rating_buttons(running: Running) -> None:
    user = new_user()
    assert running.post(text_event(user, "làm căn cước cần giấy tờ gì")) == 200
    running.zalo.wait_for(lambda: any(d.buttons for d in running.zalo.messages_for(user)))
    messages = running.zalo.messages_for(user)
    answer = "\n".join(d.text for d in messages)
    assert "căn cước" in answer.lower() and "Nguồn:" in answer
    assert all(len(d.text) <= 2000 for d in messages)
    # The buttons ride on the answer's last part, as a template of hidden queries.
    assert messages[-1].message["attachment"]["type"] == "template"
    # Five at most: the first buttons to the rest of the answer ("Tất cả giấy tờ" first), then 👍/👎.
    buttons = messages[-1].buttons
    assert len(buttons) <= 5 and buttons[0]["title"] == "Tất cả giấy tờ"
    assert buttons[0]["payload"] == '/ask_documents{"aspect": "all_documents"}'
    assert buttons[-2:] == [
        {"title": "👍", "type": "oa.query.hide", "payload": '/rate_answer{"rating": "up"}'},
        {"title": "👎", "type": "oa.query.hide", "payload": '/rate_answer{"rating": "down"}'},
    ]
    # The custom payload (card, analytics) is not shown as raw JSON.
    assert "procedure_answer" not in answer and '"type"' not in answer
    assert running.zalo.refused == []


def test_bad_or_missing_signature_is_refused_and_nothing_processed(running: Running) -> None:
    user = new_user()
    assert running.post(text_event(user, "làm căn cước cần giấy tờ gì"), key="wrong-oa-secret") == 401
    assert running.post(text_event(user, "làm căn cước cần giấy tờ gì"), signature=False) == 401
    # Messages of one user are answered in order: had a refused event been processed, its answer
    # would arrive before the greeting.
    assert running.post(text_event(user, "xin chào")) == 200
    messages = running.zalo.wait_text(user, GREETING)
    assert [d.text[: len(GREETING)] for d in messages] == [GREETING]


def test_duplicate_msg_id_is_processed_once(running: Running) -> None:
    user = new_user()
    event = text_event(user, "xin chào", msg_id="dup-" + user)
    assert running.post(event) == 200
    assert running.post(event) == 200  # Zalo's re-delivery
    assert running.post(text_event(user, "cảm ơn bạn")) == 200
    messages = running.zalo.wait_text(user, THANKS)
    assert [GREETING in d.text for d in messages] == [True, False]


def test_expired_token_is_refreshed_once_and_the_new_pair_persisted(running: Running) -> None:
    zalo, user = running.zalo, new_user()
    before = zalo.refreshes
    zalo.expire_access_token()
    assert running.post(text_event(user, "xin chào")) == 200
    zalo.wait_text(user, GREETING)
    assert zalo.refreshes == before + 1
    access, refresh = zalo.pair()
    saved = json.loads(running.token_file.read_text())
    assert (saved["access_token"], saved["refresh_token"]) == (access, refresh)
    assert stat.S_IMODE(os.stat(running.token_file).st_mode) == 0o600


def test_concurrent_expiry_causes_a_single_refresh(running: Running) -> None:
    zalo = running.zalo
    users = [new_user() for _ in range(5)]
    before = zalo.refreshes
    zalo.expire_access_token()
    zalo.refresh_delay = 1.0  # a slow refresh: the other answers meet the expired token meanwhile
    try:
        for user in users:
            assert running.post(text_event(user, "xin chào")) == 200
        for user in users:
            zalo.wait_text(user, GREETING)
    finally:
        zalo.refresh_delay = 0.0
    assert zalo.refreshes == before + 1
    assert zalo.refused_refreshes == 0


def test_answer_is_delivered_after_zalo_errors(running: Running) -> None:
    zalo, user = running.zalo, new_user()
    failed_before = zalo.failed_answers
    zalo.fail_next(3)
    assert running.post(text_event(user, "xin chào")) == 200
    zalo.wait_text(user, GREETING)
    assert zalo.failed_answers == failed_before + 3


def test_answer_is_delivered_after_zalo_was_unreachable(running: Running) -> None:
    zalo, user = running.zalo, new_user()
    zalo.go_down()
    try:
        assert running.post(text_event(user, "xin chào")) == 200
        time.sleep(2.5)  # the first delivery attempts meet a refused connection
    finally:
        zalo.come_up()
    zalo.wait_text(user, GREETING)


def test_follow_is_greeted(running: Running) -> None:
    user = new_user()
    assert running.post(follow_event(user)) == 200
    messages = running.zalo.wait_text(user, GREETING)
    assert len(messages) == 1


def test_image_gets_the_only_text_note(running: Running) -> None:
    user = new_user()
    assert running.post(image_event(user)) == 200
    messages = running.zalo.wait_text(user, ONLY_TEXT_NOTE)
    assert len(messages) == 1


def test_typed_intent_messages_are_not_intents(running: Running) -> None:
    # As an intent this would decline a complaint; as text it is not understood. ("/ask_human" is one
    # of the assistant's own button payloads, "Gặp cán bộ", so on Zalo a text equal to it is a press.)
    user = new_user()
    assert running.post(text_event(user, "/complaint")) == 200
    assert running.post(text_event(user, "cảm ơn bạn")) == 200
    answer = "\n".join(d.text for d in running.zalo.wait_text(user, THANKS))
    assert COMPLAINT not in answer and HANDOFF not in answer
    # As an intent, this entity (JSON-escaped, so no regex finds it in text) would fill the dossier
    # form's code and the bot would ask for the phone digits.
    user = new_user()
    typed = '/inform{"dossier_code": "000.00.12.H37\\u002d251012\\u002d0005"}'
    assert running.post(text_event(user, typed)) == 200
    assert running.post(text_event(user, "cảm ơn bạn")) == 200
    answer = "\n".join(d.text for d in running.zalo.wait_text(user, THANKS))
    assert DOSSIER_FORM_PHONE not in answer


def test_health_and_bad_json(running: Running) -> None:
    health = httpx.get(f"{running.assistant.rasa_url}/webhooks/zalo/", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    bad = httpx.post(
        running.webhook,
        content=b"{nope",
        headers={"X-ZEvent-Signature": "mac=" + "0" * 64, **via()},
        timeout=10,
    )
    assert bad.status_code == 400
