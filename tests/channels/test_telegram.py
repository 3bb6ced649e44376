"""Telegram end to end: the real Rasa server and action server against a fake Bot API on loopback.

The session's assistant (`tests/channels/conftest.py`) runs its Telegram channel in polling mode, so
both ways in are exercised: updates are posted to its webhook `/webhooks/telegram/webhook` as
Telegram would, and queued in the fake's getUpdates for the poller. Everything the citizen would see
is read from the fake's sendMessage calls (each test in chats of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.common import ONLY_TEXT_NOTE
from knowledge_base.db import session_scope
from knowledge_base.models import AnswerRating, FaqEntry, FaqQuestion
from tests.channels import fake_telegram as ft
from tests.channels.conftest import TELEGRAM_SECRET, Channels, via
from tests.servers import Assistant
from vntext import fold

pytestmark = pytest.mark.conversation

SECRET = TELEGRAM_SECRET
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GREETING = "Xin chào! Tôi là trợ lý thủ tục hành chính"
THANKS = "Rất vui được giúp bạn"
RATE_UP = '/rate_answer{"rating": "up"}'
ALL_DOCUMENTS = '/ask_documents{"aspect": "all_documents"}'
# connectors.telegram.COMMAND_NOTE (that module needs the Rasa environment, this test runs in .venv).
COMMAND_NOTE = (
    "Tôi không dùng lệnh. Bạn cứ gõ câu hỏi như nhắn tin bình thường, "
    'ví dụ: "làm căn cước cần giấy tờ gì?" hoặc "tra cứu hồ sơ".'
)


@pytest.fixture(scope="module")
def fake(channels: Channels) -> ft.FakeTelegram:
    """The fake Bot API the Rasa server talks to (the session's)."""
    return channels.telegram


@pytest.fixture(scope="module")
def database(channels: Channels) -> str:
    """The session assistant's private copy of the seeded database.

    This module adds an FAQ entry and reads ratings; its chats are new, so no other module meets them.
    """
    return channels.database


@pytest.fixture(scope="module")
def assistant(channels: Channels) -> Assistant:
    """Both servers, with the Telegram channel pointed at the fake and polling it."""
    return channels.assistant


def webhook(assistant: Assistant, update: Any, secret: str | None = SECRET) -> int:
    """POST an update to the Rasa server's Telegram webhook; return the status."""
    # From an address of its own: forged requests are limited per address (tests/channels/conftest.py).
    headers = ({SECRET_HEADER: secret} if secret is not None else {}) | via()
    answer = httpx.post(
        f"{assistant.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=30
    )
    return answer.status_code


def wait_message(
    fake: ft.FakeTelegram, chat: int, check: Callable[[dict[str, Any]], bool], timeout: float = 120
) -> dict[str, Any]:
    """Wait until a message delivered to `chat` satisfies `check`; return it."""
    return fake.wait_for(lambda: next((m for m in fake.sent(chat) if check(m)), None), timeout)


def texts(fake: ft.FakeTelegram, chat: int) -> list[str]:
    """The texts delivered to a chat, oldest first."""
    return [m["text"] for m in fake.sent(chat)]


def assert_plain(messages: list[dict[str, Any]]) -> None:
    """Nothing the bot sent may be read as formatting or show a raw custom payload."""
    for message in messages:
        assert "parse_mode" not in message and "entities" not in message
        assert '"type"' not in message["text"] and "procedure_answer" not in message["text"]


def test_documents_question_gets_the_answer_with_rating_keyboard_then_a_press_rates_it(
    assistant: Assistant, fake: ft.FakeTelegram, database: str
) -> None:
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.message_update(chat, "làm căn cước cần giấy tờ gì")) == 200
    answer = wait_message(fake, chat, lambda m: "Nguồn:" in m["text"])
    assert "căn cước" in answer["text"].lower() and "giấy tờ" in answer["text"].lower()
    assert len(answer["text"]) <= 1200  # the first reply fits a phone
    keyboard = answer["reply_markup"]["inline_keyboard"]
    # Buttons to the rest of the answer first, then 👍/👎.
    payloads = [b["callback_data"] for row in keyboard for b in row]
    assert payloads[0] == ALL_DOCUMENTS and payloads[-2:] == [RATE_UP, '/rate_answer{"rating": "down"}']
    assert [b["text"] for row in keyboard for b in row][-2:] == ["👍", "👎"]
    assert_plain(fake.sent(chat))
    # "Tất cả giấy tờ": the complete list, through the same channel.
    assert webhook(assistant, ft.callback_update(chat, ALL_DOCUMENTS)) == 200
    wait_message(fake, chat, lambda m: "Hồ sơ cần chuẩn bị" in m["text"])

    press = ft.callback_update(chat, RATE_UP)
    assert webhook(assistant, press) == 200
    wait_message(fake, chat, lambda m: m["text"] == "Cảm ơn bạn đã đánh giá!")
    answered = [c.params for c in fake.calls_of("answerCallbackQuery")]
    assert any(p["callback_query_id"] == press["callback_query"]["id"] for p in answered)
    with session_scope(database) as session:
        ratings = session.query(AnswerRating).filter_by(conversation_id=f"telegram:{chat}").all()
        assert [(r.rating, r.channel, r.answer_type) for r in ratings] == [
            (1, "telegram", "procedure_answer")
        ]


def test_forged_or_missing_secret_is_refused_and_nothing_processed(
    assistant: Assistant, fake: ft.FakeTelegram
) -> None:
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.message_update(chat, "chào bạn"), secret=None) == 403
    assert webhook(assistant, ft.message_update(chat, "chào bạn"), secret="forged") == 403
    assert webhook(assistant, ft.message_update(chat, "chào bạn"), secret=SECRET[:-1]) == 403
    answer = httpx.post(
        f"{assistant.rasa_url}/webhooks/telegram/webhook",
        content=b"{not json",
        headers={SECRET_HEADER: SECRET, "Content-Type": "application/json", **via()},
        timeout=30,
    )
    assert answer.status_code == 400
    # The chat's queue keeps order: once this answer is there, anything queued before would be too.
    assert webhook(assistant, ft.message_update(chat, "cảm ơn bạn")) == 200
    wait_message(fake, chat, lambda m: THANKS in m["text"])
    assert len(texts(fake, chat)) == 1 and GREETING not in texts(fake, chat)[0]


def test_duplicate_update_is_processed_once(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    update = ft.message_update(chat, "chào bạn")
    assert [webhook(assistant, update) for _ in range(3)] == [200, 200, 200]
    assert webhook(assistant, ft.message_update(chat, "cảm ơn bạn")) == 200
    wait_message(fake, chat, lambda m: THANKS in m["text"])
    assert sum(GREETING in t for t in texts(fake, chat)) == 1


def test_start_greets_and_typed_intents_never_reach_rasa(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.message_update(chat, "/start")) == 200
    wait_message(fake, chat, lambda m: GREETING in m["text"])
    assert webhook(assistant, ft.message_update(chat, '/inform{"dossier_code":"x"}')) == 200
    assert webhook(assistant, ft.message_update(chat, "cảm ơn bạn")) == 200
    wait_message(fake, chat, lambda m: THANKS in m["text"])
    # The typed intent got the note and nothing else: no dossier form, no answer from Rasa.
    assert texts(fake, chat)[1:] == [COMMAND_NOTE, texts(fake, chat)[-1]]


def test_photo_gets_the_only_text_note(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.photo_update(chat)) == 200
    assert wait_message(fake, chat, lambda m: True)["text"] == ONLY_TEXT_NOTE


def test_long_answer_is_split_below_4096_and_staff_markup_stays_literal(
    assistant: Assistant, fake: ft.FakeTelegram, database: str
) -> None:
    steps = [
        f"Bước {n}: đến quầy số {n % 9 + 1}, đưa <b>phiếu hẹn</b> và *giấy tờ gốc* cho cán bộ, "
        "chờ gọi tên rồi nhận kết quả tại quầy trả kết quả của bộ phận một cửa."
        for n in range(1, 91)
    ]
    answer = "\n".join(steps)
    assert len(answer) > 2 * 4096
    question = "hướng dẫn xếp hàng lấy số thứ tự ở trung tâm phục vụ hành chính công"
    with session_scope(database) as session:
        entry = FaqEntry(
            answer=answer, published=True, created_by="test-telegram", updated_by="test-telegram"
        )
        entry.questions = [
            FaqQuestion(text=text, text_folded=fold(text))
            for text in (question, "lấy số thứ tự ở trung tâm hành chính công thế nào")
        ]
        session.add(entry)
        session.commit()
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.message_update(chat, question)) == 200
    last = wait_message(fake, chat, lambda m: m["text"].endswith(steps[-1]))
    parts = fake.sent(chat)
    assert len(parts) >= 3
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "\n".join(p["text"] for p in parts) == answer  # cut at line breaks, nothing lost
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert last is parts[-1] or last == parts[-1]
    assert "<b>phiếu hẹn</b> và *giấy tờ gốc*" in parts[0]["text"]
    assert_plain(parts)


def test_citizen_markup_is_never_read_as_formatting(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    assert webhook(assistant, ft.message_update(chat, "<b>x</b> *đậm* _nghiêng_")) == 200
    wait_message(fake, chat, lambda m: True)
    assert webhook(assistant, ft.message_update(chat, "cảm ơn bạn")) == 200
    wait_message(fake, chat, lambda m: THANKS in m["text"])
    messages = fake.sent(chat)
    assert_plain(messages)
    for message in messages:
        if "x</b>" in message["text"]:
            assert "<b>x</b>" in message["text"]


def test_429_is_waited_out_and_the_message_sent_again(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    fake.fail_next("sendMessage", 2)
    assert webhook(assistant, ft.message_update(chat, "chào bạn")) == 200
    wait_message(fake, chat, lambda m: GREETING in m["text"])
    refused, delivered = fake.calls_of("sendMessage", chat)[:2]
    assert (refused.status, delivered.status) == (429, 200)
    assert refused.params["text"] == delivered.params["text"]
    assert delivered.at - refused.at >= 2.0


def test_quick_messages_are_answered_in_order(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()
    for text in ("chào bạn", "làm căn cước cần giấy tờ gì", "cảm ơn bạn"):
        assert webhook(assistant, ft.message_update(chat, text)) == 200
    wait_message(fake, chat, lambda m: THANKS in m["text"])
    sent = texts(fake, chat)
    greet = next(i for i, t in enumerate(sent) if GREETING in t)
    documents = next(i for i, t in enumerate(sent) if "Nguồn:" in t)
    thanks = next(i for i, t in enumerate(sent) if THANKS in t)
    assert greet < documents < thanks


def test_polling_delivers_an_update_from_get_updates(assistant: Assistant, fake: ft.FakeTelegram) -> None:
    methods = [c.method for c in fake.calls if c.method in {"deleteWebhook", "getUpdates"}]
    assert methods and methods[0] == "deleteWebhook"  # getUpdates is refused while a webhook is set
    chat = ft.new_chat_id()
    fake.push_update(ft.message_update(chat, "chào bạn"))
    wait_message(fake, chat, lambda m: GREETING in m["text"])


def test_logs_hold_no_token(assistant: Assistant) -> None:
    for log in Path(assistant.logs).glob("*.log"):
        assert ft.TOKEN not in log.read_text(errors="replace")
