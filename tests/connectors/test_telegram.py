"""The Telegram channel over real HTTP on loopback, with a stand-in for Rasa's message handler.

The channel's blueprint runs in a real Sanic server (as inside `rasa run`), the webhook is called
with aiohttp, and the channel talks to the fake Bot API (`tests.channels.fake_telegram`) through
python-telegram-bot. Rasa itself is replaced by `FakeRasa`, which records what it gets and answers
through the channel's output channel; the real Rasa server is in `tests/channels/test_telegram.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.common import MAX_MESSAGE_CHARS, ONLY_TEXT_NOTE, TOO_LONG_NOTE
from connectors.telegram import (
    COMMAND_NOTE,
    EXPIRED_BUTTON_NOTE,
    GREETING_TEXT,
    MAX_TEXT,
    SECRET_HEADER,
    CallbackData,
    TelegramInput,
    TelegramOutput,
    TelegramSettings,
    card_text,
    command_name,
    split_text,
    utf16_len,
)
from connectors.telegram_api import TelegramBotApi, TelegramNetworkError, TelegramRetryAfterError
from tests.channels import fake_telegram as ft

SECRET = "s3cr3t-Webhook_token"
RATING = [
    {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
]


def free_port() -> int:
    """A TCP port free on loopback right now (tests.servers needs httpx, absent here)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", autouse=True)
def sanic_test_mode() -> Iterator[None]:
    """Let several Sanic apps start in one process (what sanic-testing sets)."""
    before, Sanic.test_mode = Sanic.test_mode, True
    yield
    Sanic.test_mode = before


@pytest.fixture(scope="module")
def fake() -> Iterator[ft.FakeTelegram]:
    """The fake Bot API for this module."""
    yield from ft.serve()


def _settings(fake: ft.FakeTelegram, **changes: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "token": ft.TOKEN,
        "webhook_secret": SECRET,
        "api_base_url": fake.url,
        "mode": "webhook",
        "poll_timeout": 1,
    }
    return TelegramSettings(**(values | changes))


class FakeRasa:
    """Stands in for Rasa's `on_new_message`: records messages, answers through the output channel."""

    def __init__(self, delay: Callable[[UserMessage], float] | None = None, fail: bool = False) -> None:
        self.messages: list[UserMessage] = []
        self.delay = delay
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.delay is not None:
            await asyncio.sleep(self.delay(message))
        if self.fail:
            raise RuntimeError("the tracker store is down")
        await message.output_channel.send_response(
            message.sender_id,
            {"text": f"Bạn hỏi: {message.text}", "buttons": RATING, "custom": {"type": "smalltalk"}},
        )

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


@contextlib.asynccontextmanager
async def serving(channel: TelegramInput, rasa: FakeRasa) -> AsyncIterator[str]:
    """Run the channel's blueprint in a real Sanic server; yield the webhook URL."""
    app = Sanic(f"telegram_test_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/telegram")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/telegram/webhook"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def post(url: str, body: Any, secret: str | None = SECRET, raw: bytes | None = None) -> int:
    """POST an update as Telegram does; return the status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = raw if raw is not None else json.dumps(body).encode()
    async with aiohttp.ClientSession() as session, session.post(url, data=data, headers=headers) as answer:
        return answer.status


async def until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Wait (without blocking the loop) until `check()` is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met in {timeout} s")


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


# -- settings ------------------------------------------------------------------------------------


def test_settings_come_from_the_environment_and_secrets_never_from_yaml(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {
        "TELEGRAM_TOKEN": ft.TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "TELEGRAM_MODE": "polling",
    }
    loaded = TelegramSettings.load({"api_base_url": "https://api.telegram.org", "mode": "webhook"}, env)
    assert (loaded.token, loaded.webhook_secret, loaded.api_base_url, loaded.mode) == (
        ft.TOKEN,
        SECRET,
        "http://127.0.0.1:9",
        "polling",
    )
    with caplog.at_level(logging.WARNING):
        from_yaml = TelegramSettings.load({"access_token": "123:from-yaml", "webhook_secret": "x"}, {})
    assert from_yaml.token is None and from_yaml.webhook_secret is None
    assert from_yaml.api_base_url == "https://api.telegram.org" and from_yaml.mode == "webhook"
    assert "123:from-yaml" not in caplog.text
    with pytest.raises(ValueError):
        TelegramSettings.load({}, {"TELEGRAM_MODE": "push"})


def test_channel_loads_without_a_token_and_its_webhook_answers_503_logging_once(
    fake: ft.FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    channel = TelegramInput(_settings(fake, token=None))
    assert channel.client is None
    rasa = FakeRasa()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            statuses = [await post(url, ft.message_update(ft.new_chat_id(), "chào")) for _ in range(3)]
            assert statuses == [503, 503, 503]
            async with aiohttp.ClientSession() as session, session.get(url.rsplit("/", 1)[0] + "/") as health:
                assert health.status == 200

    with caplog.at_level(logging.WARNING, logger="connectors.telegram"):
        run(scenario)
    assert rasa.messages == []
    assert sum("TELEGRAM_TOKEN is unset" in r.getMessage() for r in caplog.records) == 1


def test_from_credentials_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, fake: ft.FakeTelegram
) -> None:
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    assert TelegramInput.from_credentials(None).client is None
    monkeypatch.setenv("TELEGRAM_TOKEN", "not a token")
    assert TelegramInput.from_credentials({"mode": "webhook"}).client is None
    monkeypatch.setenv("TELEGRAM_TOKEN", ft.TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake.url)
    channel = TelegramInput.from_credentials({"mode": "webhook"})
    assert channel.client is not None and channel.client.base_url == fake.url
    assert channel.name() == "telegram" and channel.url_prefix() == "telegram"


# -- pure helpers --------------------------------------------------------------------------------


def test_split_text_prefers_paragraphs_then_lines_then_spaces() -> None:
    paragraph = "Giấy tờ phải nộp: tờ khai, ảnh 4x6, bản sao giấy khai sinh. " * 10
    text = "\n\n".join([paragraph.strip()] * 12)
    parts = split_text(text)
    assert len(parts) > 1 and all(utf16_len(p) <= MAX_TEXT for p in parts)
    assert all(p.endswith("khai sinh.") for p in parts)  # cut at paragraph ends only
    assert "\n\n".join(parts) == text
    lines = "\n".join(f"- dòng thứ {n}: bản sao có chứng thực" for n in range(400))
    parts = split_text(lines)
    assert all(p.startswith("- dòng") and p.endswith("chứng thực") for p in parts)
    assert "\n".join(parts) == lines
    words = "xin " * 3000
    assert all(p.split() == ["xin"] * len(p.split()) for p in split_text(words))
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904]
    assert split_text("") == [] and split_text("ngắn") == ["ngắn"]


def test_split_text_counts_utf16_units_like_telegram() -> None:
    emoji = "👍" * 3000  # 6,000 UTF-16 units
    parts = split_text(emoji)
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == emoji


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*"aăâđơư bcd\n👍ệ", "\n\n", "hồ sơ "]), max_size=300).map("".join),
    st.integers(min_value=2, max_value=60),
)
def test_split_text_never_exceeds_the_limit_and_loses_nothing(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < utf16_len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_command_name() -> None:
    assert command_name("/start") == "start"
    assert command_name("/start@tthc_bot xyz") == "start"
    assert command_name("/START") == "start"
    assert command_name('/inform{"dossier_code":"x"}') == ""
    assert command_name("/help") == "help"
    assert command_name("/làm cccd") == ""
    assert command_name("/ làm cccd") is None
    assert command_name("làm cccd") is None
    assert command_name("/") is None


def test_card_text_renders_only_strings() -> None:
    card = {
        "title": "Cấp thẻ căn cước",
        "code": "1.012345",
        "documents": ["Tờ khai căn cước", 7],
        "documents_more": 3,
        "processing_time": ["Trực tiếp: 7 ngày làm việc"],
        "fee": ["Miễn phí"],
        "channels": ["Trực tiếp", "Trực tuyến"],
        "source": "Nguồn: Cổng DVC quốc gia, cập nhật 01/07/2026",
        "source_url": "javascript:alert(1)",
    }
    text = card_text(card)
    assert text is not None
    assert text.splitlines()[0] == "Cấp thẻ căn cước (1.012345)"
    assert "- Tờ khai căn cước" in text and "- … và 3 giấy tờ khác" in text
    assert "Cách nộp: Trực tiếp, Trực tuyến" in text and "javascript" not in text
    assert "- 7" not in text.splitlines()
    assert card_text(None) is None and card_text({"code": "1"}) is None


def test_long_payloads_are_mapped_to_short_callback_data() -> None:
    callbacks = CallbackData(max_size=2)
    ours = '/choose_procedure{"procedure_code": "1.001193"}'
    assert callbacks.encode(ours) == ours
    long = '/choose_procedure{"procedure_code": "1.001193", "note": "' + "x" * 80 + '"}'
    key = callbacks.encode(long)
    assert len(key.encode()) <= 64 and callbacks.decode(key) == long
    assert callbacks.decode(CallbackData.PREFIX + "0" * 32) is None
    callbacks.encode(long + "1")
    callbacks.encode(long + "2")
    assert callbacks.decode(key) is None  # bounded memory: the oldest key is forgotten


# -- the webhook ---------------------------------------------------------------------------------


def test_secret_is_checked_and_bad_bodies_refused(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert await post(url, ft.message_update(chat, "chào"), secret=None) == 403
            assert await post(url, ft.message_update(chat, "chào"), secret="wrong") == 403
            assert await post(url, ft.message_update(chat, "chào"), secret=SECRET + "x") == 403
            assert await post(url, ft.message_update(chat, "chào"), secret="") == 403
            assert await post(url, None, raw=b"{not json") == 400
            assert await post(url, [1, 2]) == 400
            assert await post(url, {"message": {"text": "no update id"}}) == 400
            assert await post(url, {"update_id": 1, "message": {"chat": "x"}}) == 400
            assert await post(url, ft.message_update(chat, "chào")) == 200
            await until(lambda: fake.sent(chat))

    run(scenario)
    assert rasa.texts() == ["chào"]
    assert len(fake.sent(chat)) == 1


def test_without_a_secret_configured_every_request_is_refused(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake, webhook_secret=None))
    rasa = FakeRasa()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert await post(url, ft.message_update(ft.new_chat_id(), "chào"), secret=None) == 403
            assert await post(url, ft.message_update(ft.new_chat_id(), "chào"), secret="") == 403

    run(scenario)
    assert rasa.messages == []


def test_text_reaches_rasa_and_the_answer_reaches_the_chat(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert await post(url, ft.message_update(chat, "  làm căn cước\u200b cần giấy tờ gì  ")) == 200
            await until(lambda: fake.sent(chat))

    run(scenario)
    [message] = rasa.messages
    assert message.text == "làm căn cước cần giấy tờ gì"
    assert message.sender_id == f"telegram:{chat}" and message.input_channel == "telegram"
    assert message.metadata == {"channel": "telegram", "chat_type": "private"}
    assert "Nguyễn" not in json.dumps(message.metadata, ensure_ascii=False)
    [sent] = fake.sent(chat)
    assert sent["text"] == "Bạn hỏi: làm căn cước cần giấy tờ gì"
    assert "parse_mode" not in sent and "entities" not in sent
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "👍", "callback_data": '/rate_answer{"rating": "up"}'},
                {"text": "👎", "callback_data": '/rate_answer{"rating": "down"}'},
            ]
        ]
    }
    assert "smalltalk" not in sent["text"]  # the custom payload is not shown


def test_duplicate_update_is_processed_once(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()
    update = ft.message_update(chat, "chào bạn")

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert [await post(url, update) for _ in range(3)] == [200, 200, 200]
            assert await post(url, ft.message_update(chat, "cảm ơn")) == 200
            await until(lambda: len(fake.sent(chat)) >= 2)

    run(scenario)
    assert rasa.texts() == ["chào bạn", "cảm ơn"]


def test_commands_start_greets_others_never_reach_rasa(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()
    typed = ["/start", '/inform{"dossier_code":"x"}', "/help", "/start@tthc_test_bot", "/ hỏi về cccd"]

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            for text in typed:
                assert await post(url, ft.message_update(chat, text)) == 200
            await until(lambda: len(fake.sent(chat)) >= 5)

    run(scenario)
    assert rasa.texts() == [GREETING_TEXT, GREETING_TEXT, "hỏi về cccd"]
    assert [s["text"] for s in fake.sent(chat)] == [
        f"Bạn hỏi: {GREETING_TEXT}",
        COMMAND_NOTE,
        COMMAND_NOTE,
        f"Bạn hỏi: {GREETING_TEXT}",
        "Bạn hỏi: hỏi về cccd",
    ]


def test_photo_and_sticker_get_the_only_text_note_and_edits_are_ignored(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()
    edited = ft.message_update(chat, "sửa lại")
    edited["edited_message"] = edited.pop("message")
    joined = ft.message_update(chat, new_chat_members=[{"id": 5, "is_bot": False, "first_name": "B"}])

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            for update in (ft.photo_update(chat), ft.sticker_update(chat), edited, joined):
                assert await post(url, update) == 200
            assert await post(url, ft.message_update(chat, "xong")) == 200
            await until(lambda: len(fake.sent(chat)) >= 3)

    run(scenario)
    assert rasa.texts() == ["xong"]
    assert [s["text"] for s in fake.sent(chat)] == [ONLY_TEXT_NOTE, ONLY_TEXT_NOTE, "Bạn hỏi: xong"]


def test_long_input_is_cut_and_the_citizen_told(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert await post(url, ft.message_update(chat, "hồ sơ " * 900)) == 200
            await until(lambda: len(fake.sent(chat)) >= 2)

    run(scenario)
    [message] = rasa.messages
    assert len(message.text) <= MAX_MESSAGE_CHARS
    assert fake.sent(chat)[0]["text"] == TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS)


def test_button_press_is_answered_and_its_payload_guarded(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()
    ours = ft.callback_update(chat, '/rate_answer{"rating": "up"}')
    forged = ft.callback_update(chat, '/inform{"dossier_code": "x"}')
    expired = ft.callback_update(chat, CallbackData.PREFIX + "f" * 32)

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            for update in (ours, forged, expired):
                assert await post(url, update) == 200
            await until(lambda: len(fake.sent(chat)) >= 2 and len(fake.calls_of("answerCallbackQuery")) >= 3)

    run(scenario)
    assert rasa.texts() == ['/rate_answer{"rating": "up"}', 'inform{"dossier_code": "x"}']
    answered = {
        c.params["callback_query_id"]: c.params.get("text") for c in fake.calls_of("answerCallbackQuery")
    }
    assert answered[ours["callback_query"]["id"]] is None
    assert answered[forged["callback_query"]["id"]] is None
    assert answered[expired["callback_query"]["id"]] == EXPIRED_BUTTON_NOTE


def test_long_button_payload_round_trips_through_callback_data(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    chat = ft.new_chat_id()
    long = '/choose_procedure{"procedure_code": "1.001193"}' + " " * 40
    got: list[str] = []

    async def rasa(message: UserMessage) -> None:
        got.append(message.text)
        if len(got) == 1:
            await message.output_channel.send_response(
                message.sender_id, {"text": "Chọn:", "buttons": [{"title": "Khai sinh", "payload": long}]}
            )

    async def scenario() -> None:
        async with serving(channel, rasa) as url:  # type: ignore[arg-type]
            assert await post(url, ft.message_update(chat, "khai sinh")) == 200
            [sent] = await until(lambda: fake.sent(chat))
            data = sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            assert len(data.encode()) <= 64
            assert await post(url, ft.callback_update(chat, data)) == 200
            await until(lambda: len(got) >= 2)

    run(scenario)
    assert got[1] == '/choose_procedure{"procedure_code": "1.001193"}'


def test_order_per_chat_is_kept_while_chats_run_concurrently(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    # The first message of each chat takes longest: without per-chat order its answer would come last.
    rasa = FakeRasa(delay=lambda m: 0.4 if m.text.endswith(" 1") else 0.0)
    chats = [ft.new_chat_id(), ft.new_chat_id()]

    async def scenario() -> None:
        async with serving(channel, rasa) as url:

            async def chat_says(chat: int) -> list[int]:
                # Telegram sends one chat's updates one after the other (each waits for our 200),
                # different chats in parallel.
                return [await post(url, ft.message_update(chat, f"câu {n}")) for n in range(1, 6)]

            statuses = await asyncio.gather(*(chat_says(chat) for chat in chats))
            assert statuses == [[200] * 5] * 2
            await until(lambda: all(len(fake.sent(c)) >= 5 for c in chats))

    run(scenario)
    for chat in chats:
        assert [s["text"] for s in fake.sent(chat)] == [f"Bạn hỏi: câu {n}" for n in range(1, 6)]


def test_rasa_failure_tells_the_citizen_and_the_queue_goes_on(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa(fail=True)
    chat = ft.new_chat_id()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            assert await post(url, ft.message_update(chat, "một")) == 200
            assert await post(url, ft.message_update(chat, "hai")) == 200
            await until(lambda: len(fake.sent(chat)) >= 2)

    run(scenario)
    assert rasa.texts() == ["một", "hai"]
    assert {s["text"] for s in fake.sent(chat)} == {"Hệ thống đang bận, vui lòng thử lại sau ít phút."}


def test_logs_hold_neither_the_token_nor_personal_numbers(
    fake: ft.FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    channel = TelegramInput(_settings(fake))
    rasa = FakeRasa()
    chat = ft.new_chat_id()

    async def scenario() -> None:
        async with serving(channel, rasa) as url:
            fake.fail_next("sendMessage", 1)
            assert await post(url, ft.message_update(chat, "số điện thoại tôi 0912345678")) == 200
            await until(lambda: fake.sent(chat))
        broken = TelegramBotApi(ft.TOKEN, f"http://127.0.0.1:{free_port()}")
        with pytest.raises(TelegramNetworkError) as error:
            await broken.send_message(chat, "0912345678")
        assert ft.TOKEN not in str(error.value)

    with caplog.at_level(logging.DEBUG):
        run(scenario)
    assert caplog.records, "the channel logs at DEBUG"
    assert ft.TOKEN not in caplog.text
    assert "0912345678" not in caplog.text
    assert "Nguyễn" not in caplog.text


# -- the output channel --------------------------------------------------------------------------


def test_output_splits_long_answers_and_keeps_markup_literal(fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()

    async def scenario() -> None:
        output = TelegramOutput(TelegramBotApi(ft.TOKEN, fake.url))
        long = "\n".join(f"{n}. <b>Giấy tờ</b> *số* _{n}_ [link](http://x)" + " ý" * 40 for n in range(120))
        await output.send_response(
            f"telegram:{chat}",
            {"text": long, "buttons": RATING, "custom": {"type": "faq_answer", "faq_id": 1}},
        )
        sent = fake.sent(chat)
        assert len(sent) > 1 and all(utf16_len(s["text"]) <= MAX_TEXT for s in sent)
        assert "\n".join(s["text"] for s in sent) == long.strip()
        assert [("reply_markup" in s) for s in sent] == [False] * (len(sent) - 1) + [True]
        assert all("parse_mode" not in s for s in sent)

    run(scenario)


def test_output_never_shows_custom_json_but_renders_a_card_without_text(fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()

    async def scenario() -> None:
        output = TelegramOutput(TelegramBotApi(ft.TOKEN, fake.url))
        await output.send_response(f"telegram:{chat}", {"custom": {"type": "handoff", "ticket_id": 3}})
        await output.send_custom_json(f"telegram:{chat}", {"type": "smalltalk"})
        card = {"title": "Đăng ký khai sinh", "code": "1.001193", "documents": ["Tờ khai"]}
        await output.send_response(f"telegram:{chat}", {"custom": {"type": "procedure_answer", "card": card}})
        await output.send_response(
            f"telegram:{chat}",
            {
                "text": "Chọn một thủ tục:",
                "buttons": [
                    {
                        "title": "Thủ tục đăng ký khai sinh có yếu tố nước ngoài tại Ủy ban nhân dân cấp xã",
                        "payload": '/choose_procedure{"procedure_code": "1.001193"}',
                    },
                    {
                        "title": "Đăng ký khai sinh lưu động",
                        "payload": '/choose_procedure{"procedure_code": "1.000894"}',
                    },
                ],
            },
        )

    run(scenario)
    card_message, choice = fake.sent(chat)
    assert card_message["text"] == "Đăng ký khai sinh (1.001193)\nGiấy tờ cần chuẩn bị:\n- Tờ khai"
    # Long names are listed in full in the text; the buttons carry numbers and short labels.
    assert "1. Thủ tục đăng ký khai sinh có yếu tố nước ngoài tại Ủy ban nhân dân cấp xã" in choice["text"]
    labels = [row[0]["text"] for row in choice["reply_markup"]["inline_keyboard"]]
    assert labels[0].startswith("1. Thủ tục") and labels[0].endswith("…") and len(labels[0]) <= 43
    assert labels[1] == "2. Đăng ký khai sinh lưu động"


def test_429_is_retried_after_retry_after(fake: ft.FakeTelegram) -> None:
    chat = ft.new_chat_id()

    async def scenario() -> None:
        client = TelegramBotApi(ft.TOKEN, fake.url)
        fake.fail_next("sendMessage", 1)
        await TelegramOutput(client).send_text_message(f"telegram:{chat}", "Xin chào")
        fake.fail_next("sendMessage", 120)  # longer than the client waits: raises at once
        with pytest.raises(TelegramRetryAfterError) as error:
            await client.send_message(chat, "Xin chào")
        assert error.value.retry_after == 120

    run(scenario)
    refused, delivered, _ = fake.calls_of("sendMessage", chat)
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.at - refused.at >= 1.0
    assert [s["text"] for s in fake.sent(chat)] == ["Xin chào"]


# -- polling -------------------------------------------------------------------------------------


def test_polling_deletes_the_webhook_then_delivers_updates_in_order(fake: ft.FakeTelegram) -> None:
    channel = TelegramInput(_settings(fake, mode="polling", webhook_secret=None))
    rasa = FakeRasa()
    chat = ft.new_chat_id()
    first = ft.message_update(chat, "một")

    async def scenario() -> None:
        calls_before = len(fake.calls)
        fake.push_update(first)
        async with serving(channel, rasa):
            await until(lambda: fake.sent(chat))
            fake.push_update(ft.message_update(chat, "hai"))
            await until(lambda: len(fake.sent(chat)) >= 2)
        methods = [c.method for c in fake.calls[calls_before:] if c.method in {"deleteWebhook", "getUpdates"}]
        assert methods[0] == "deleteWebhook" and "getUpdates" in methods

    run(scenario)
    assert rasa.texts() == ["một", "hai"]
    offsets = [c.params.get("offset") for c in fake.calls_of("getUpdates")]
    assert str(first["update_id"] + 1) in {str(o) for o in offsets}
