"""The webhook-channel base (`connectors.webhook`): the order of its steps, platform-free.

A minimal platform ("echo": a secret header, a JSON body ``{"id", "chat", "text"}``) records
which of its hooks the base called, so each test can assert that a step was never reached: a
forged request is never read or parsed, a re-delivery never reaches Rasa, an update over its
chat's limit is never prepared. Telegram and Zalo add only their parts to this (their own tests
are `test_telegram.py` and `test_zalo.py`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors import limits
from connectors.common import BUSY_NOTE, MAX_MESSAGE_CHARS, TOO_FAST_NOTE, TOO_LONG_NOTE, Inbound, prepare
from connectors.webhook import WebhookInput, WebhookRefusalError

SECRET = "echo-secret"


class Request:
    """What the webhook reads of a Sanic request: headers, an already-read body, the client address."""

    def __init__(self, body: Any, secret: str | None = SECRET, ip: str = "192.0.2.1") -> None:
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = {"X-Echo-Secret": secret} if secret is not None else {}
        self.stream = None
        self.remote_addr, self.ip = ip, ip


class EchoInput(WebhookInput[dict]):
    """A platform as small as one can be, recording the hooks the base calls."""

    SENDER_PREFIX = "echo:"
    LABEL = "Echo"

    def __init__(self, limiter: limits.RateLimiter | None = None, configured: bool = True) -> None:
        super().__init__(limiter or limits.RateLimiter(limits.LimitSettings(0, 0)))
        self.configured = configured
        self.calls: list[str] = []
        self.notes: list[tuple[str, str]] = []
        self.output = CollectingOutputChannel()

    @classmethod
    def name(cls) -> str:
        return "echo"

    def get_output_channel(self) -> CollectingOutputChannel:
        return self.output

    def missing_settings(self) -> list[str]:
        return [] if self.configured else ["ECHO_TOKEN"]

    def _verify_headers(self, request: Any) -> None:
        self.calls.append("verify_headers")
        if request.headers.get("X-Echo-Secret") != SECRET:
            raise WebhookRefusalError(403, "forbidden")

    def _verify_body(self, request: Any, body: bytes) -> Any:
        self.calls.append("verify_body")
        return body

    def _extract_update(self, data: bytes) -> dict | None:
        self.calls.append("extract_update")
        try:
            update = json.loads(data)
        except ValueError:
            raise WebhookRefusalError(400, "not an update") from None
        if not isinstance(update, dict) or "id" not in update:
            raise WebhookRefusalError(400, "not an update")
        return update if update.get("chat") else None

    def _extract_delivery_id(self, update: dict) -> str:
        return str(update["id"])

    def _extract_chat_id(self, update: dict) -> str | None:
        return str(update["chat"])

    async def _extract_inbound(self, update: dict, chat_id: str) -> Inbound | None:
        self.calls.append(f"extract_inbound:{update['id']}")
        return prepare(text=update.get("text"))

    def _describe(self, update: dict) -> str:
        return f"update {update['id']}"

    async def _send_note(self, chat_id: str, text: str) -> None:
        self.notes.append((chat_id, text))


class Rasa:
    """Records what Rasa would get; answers "ok" through the output channel, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.texts: list[str] = []
        self.fail = fail

    async def __call__(self, message: UserMessage) -> None:
        self.texts.append(message.text)
        if self.fail:
            raise RuntimeError("the tracker store is down")
        await message.output_channel.send_text_message(message.sender_id, "ok")


def update(number: int, text: str = "xin chào", chat: str | None = "7") -> dict[str, Any]:
    return {"id": number, "chat": chat, "text": text}


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def post(channel: EchoInput, rasa: Rasa, request: Request) -> tuple[int, dict[str, Any]]:
    answer = await channel.handle_webhook(request, rasa)  # type: ignore[arg-type]
    await channel.queues.drain()
    return answer.status, json.loads(answer.body)


def test_unconfigured_channel_answers_503_before_anything_else() -> None:
    channel, rasa = EchoInput(configured=False), Rasa()
    assert run(post(channel, rasa, Request(update(1), secret=None))) == (503, {"error": "not configured"})
    assert channel.calls == [] and rasa.texts == []


def test_a_forged_request_is_never_read_or_parsed() -> None:
    channel, rasa = EchoInput(), Rasa()
    status, body = run(post(channel, rasa, Request(update(1), secret="guess")))
    assert (status, body) == (403, {"error": "forbidden"})
    assert channel.calls == ["verify_headers"] and rasa.texts == []


def test_an_oversized_body_is_refused_after_the_headers_and_before_it_is_verified() -> None:
    channel, rasa = EchoInput(), Rasa()
    big = Request(update(1, "x" * (limits.PLATFORM_MIN_BODY_BYTES + 10)))
    assert run(post(channel, rasa, big))[0] == 413
    assert channel.calls == ["verify_headers"]


def test_refused_requests_are_limited_per_address_verified_ones_are_not() -> None:
    limiter = limits.RateLimiter(limits.LimitSettings(sender_per_minute=0, ip_per_minute=2))
    channel, rasa = EchoInput(limiter), Rasa()

    async def scenario() -> list[int]:
        forged = [(await post(channel, rasa, Request(update(n), secret="guess")))[0] for n in range(4)]
        # The same address, verified: the platform's own requests are never limited per address.
        genuine = [(await post(channel, rasa, Request(update(10 + n, chat=str(n)))))[0] for n in range(4)]
        return forged + genuine

    assert run(scenario()) == [403, 403, 429, 429, 200, 200, 200, 200]
    assert len(rasa.texts) == 4


def test_a_body_that_is_not_an_update_is_400_and_an_ignored_update_200() -> None:
    channel, rasa = EchoInput(), Rasa()
    assert run(post(channel, rasa, Request(b"{nope"))) == (400, {"error": "not an update"})
    assert run(post(channel, rasa, Request(update(2, chat=None)))) == (200, {"status": "ignored"})
    assert rasa.texts == []


def test_a_re_delivery_is_acknowledged_and_never_reaches_rasa() -> None:
    channel, rasa = EchoInput(), Rasa()

    async def scenario() -> list[tuple[int, dict[str, Any]]]:
        return [await post(channel, rasa, Request(update(5))) for _ in range(3)]

    assert run(scenario()) == [(200, {"status": "ok"})] + [(200, {"status": "duplicate"})] * 2
    assert rasa.texts == ["xin chào"]
    assert channel.calls.count("extract_inbound:5") == 1


def test_polling_and_the_webhook_share_the_dedupe() -> None:
    channel, rasa = EchoInput(), Rasa()

    async def scenario() -> tuple[bool, bool, int]:
        first = channel.accept(update(6), rasa)
        again = channel.accept(update(6), rasa)
        status = (await post(channel, rasa, Request(update(6))))[1]
        return first, again, status

    assert run(scenario()) == (True, False, {"status": "duplicate"})
    assert rasa.texts == ["xin chào"]


class SharedLimiter(limits.RateLimiter):
    """Counters as if shared through Redis (here: one in-memory set two channels share)."""

    @property
    def shared(self) -> bool:
        return True


def test_a_re_delivery_to_another_replica_never_reaches_rasa() -> None:
    limiter = SharedLimiter(limits.LimitSettings(0, 0))
    first, second, rasa = EchoInput(limiter), EchoInput(limiter), Rasa()

    async def scenario() -> list[dict[str, Any]]:
        return [
            (await post(first, rasa, Request(update(8))))[1],
            (await post(second, rasa, Request(update(8))))[1],
        ]

    assert run(scenario()) == [{"status": "ok"}, {"status": "duplicate"}]
    assert rasa.texts == ["xin chào"] and second.calls.count("extract_inbound:8") == 0


def test_over_the_chat_limit_nothing_is_prepared_and_the_chat_is_told_once() -> None:
    limiter = limits.RateLimiter(limits.LimitSettings(sender_per_minute=2, ip_per_minute=0))
    channel, rasa = EchoInput(limiter), Rasa()

    async def scenario() -> None:
        for n in range(1, 6):
            await post(channel, rasa, Request(update(n, f"câu {n}")))

    run(scenario())
    assert rasa.texts == ["câu 1", "câu 2"]
    assert [c for c in channel.calls if c.startswith("extract_inbound")] == [
        "extract_inbound:1",
        "extract_inbound:2",
    ]
    assert channel.notes == [("7", TOO_FAST_NOTE)]


def test_a_cut_message_is_announced_before_the_answer() -> None:
    channel = EchoInput()
    order: list[str] = []

    async def rasa(message: UserMessage) -> None:
        order.append("rasa")

    async def note(chat_id: str, text: str) -> None:
        order.append("note" if text == TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS) else text)

    channel._send_note = note  # type: ignore[method-assign]
    run(post(channel, rasa, Request(update(9, "thủ tục " * 400))))  # type: ignore[arg-type]
    assert order == ["note", "rasa"]


def test_rasa_failing_tells_the_chat_and_the_queue_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    channel, rasa = EchoInput(), Rasa(fail=True)

    async def scenario() -> None:
        await post(channel, rasa, Request(update(11, "CCCD 001099012345")))
        await post(channel, rasa, Request(update(12, "hai")))

    run(scenario())
    assert rasa.texts == ["CCCD 001099012345", "hai"]
    assert channel.notes == [("7", BUSY_NOTE), ("7", BUSY_NOTE)]
    assert "RuntimeError" in caplog.text and "001099012345" not in caplog.text


def test_messages_reach_rasa_in_order_per_chat_with_the_channel_sender() -> None:
    channel = EchoInput()
    got: list[UserMessage] = []

    async def rasa(message: UserMessage) -> None:
        await asyncio.sleep(0.05 if message.text == "một" else 0)
        got.append(message)

    async def scenario() -> None:
        for n, text in enumerate(("một", "hai", "ba"), start=20):
            await channel.handle_webhook(Request(update(n, text)), rasa)  # type: ignore[arg-type]
        await channel.queues.drain()

    run(scenario())
    assert [m.text for m in got] == ["một", "hai", "ba"]
    assert {(m.sender_id, m.input_channel) for m in got} == {("echo:7", "echo")}
    assert got[0].metadata == {"channel": "echo"}
