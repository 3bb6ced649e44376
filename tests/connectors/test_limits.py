"""Abuse limits (connectors.limits) and how every channel applies them, in the Rasa environment.

The limiter with a clock the tests move by hand (no waiting, no timing assertions), in memory and in a
real Redis shared by two limiters as two replicas share it (TEST_REDIS_URL; skipped without it), and
with Redis unreachable. Then each channel (Telegram, Zalo, web) served on a real Sanic server on
loopback against the fake platform APIs, as a citizen or a forger would meet it. The REST channel's
own tests: test_rest.py; everything against the real Rasa server: tests/channels/test_guards.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import configure_cors
from rasa.shared.core.domain import Domain
from sanic import Sanic

from connectors.common import BUSY_NOTE, TOO_FAST_NOTE
from connectors.limits import (
    MAX_JSON_DEPTH,
    BadJsonError,
    JsonTooDeepError,
    LimitSettings,
    MemoryCounters,
    RateLimiter,
    body_limit,
    json_too_deep,
    parse_json,
    sliding_count,
)
from connectors.telegram import TelegramInput, TelegramSettings
from connectors.web import SessionSigner, WebInput
from connectors.zalo import ZaloInput, ZaloSettings
from connectors.zalo_api import ZaloClient
from connectors.zalo_tokens import TokenPair, TokenStore
from tests.channels import fake_telegram as ft
from tests.channels.fake_zalo import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZalo, signed, text_event

START = 1_800_000_000.0  # the start of a one-minute window
SECRET = "limits-Webhook_secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limiter(sender: int = 0, ip: int = 0, clock: Clock | None = None, **kwargs: Any) -> RateLimiter:
    return RateLimiter(
        LimitSettings(sender_per_minute=sender, ip_per_minute=ip), clock=clock or Clock(), **kwargs
    )


async def allowed(limit: RateLimiter, count: int, **who: str) -> list[bool]:
    return [(await limit.check(**who)).allowed for _ in range(count)]


# ------------------------------------------------------------------------------------------------ #
# Settings
# ------------------------------------------------------------------------------------------------ #


def test_settings_defaults_and_environment() -> None:
    assert LimitSettings.from_env({}) == LimitSettings(20, 120, 16384, "")
    env = {
        "RATE_LIMIT_SENDER_PER_MINUTE": "5",
        "RATE_LIMIT_IP_PER_MINUTE": "0",
        "MAX_BODY_BYTES": "2048",
        "REDIS_URL": " redis://cache:6379/2 ",
    }
    assert LimitSettings.from_env(env) == LimitSettings(5, 0, 2048, "redis://cache:6379/2")


@pytest.mark.parametrize(
    ("name", "value"),
    [("RATE_LIMIT_SENDER_PER_MINUTE", "many"), ("RATE_LIMIT_IP_PER_MINUTE", "-1"), ("MAX_BODY_BYTES", "0")],
)
def test_impossible_settings_stop_the_server(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        LimitSettings.from_env({name: value})


def test_body_limit_environment_wins_over_credentials() -> None:
    assert body_limit({"max_body_bytes": 4096}, {}) == 4096
    assert body_limit(None, {}) == 16384
    assert body_limit({"max_body_bytes": 4096}, {"MAX_BODY_BYTES": "1024"}) == 1024


# ------------------------------------------------------------------------------------------------ #
# The limiter, in memory
# ------------------------------------------------------------------------------------------------ #


def test_sender_limit_refuses_the_extra_messages_and_says_so_once() -> None:
    clock = Clock()
    limit = limiter(sender=3, clock=clock)

    async def scenario() -> None:
        assert await allowed(limit, 3, sender="telegram:1") == [True, True, True]
        first, second = await limit.check(sender="telegram:1"), await limit.check(sender="telegram:1")
        assert (first.allowed, first.scope, first.first_refusal) == (False, "sender", True)
        assert (second.allowed, second.first_refusal) == (False, False)
        assert 1 <= first.retry_after <= 120
        # Other conversations are not affected.
        assert await allowed(limit, 3, sender="telegram:2") == [True, True, True]

    asyncio.run(scenario())


def test_the_window_slides_instead_of_resetting_on_the_minute() -> None:
    clock = Clock(START + 50)
    limit = limiter(sender=4, clock=clock)

    async def scenario() -> None:
        assert await allowed(limit, 4, sender="s") == [True] * 4
        # 15 s later a new fixed window has begun, but the 4 messages of 15 s ago still count
        # (weighted by how much of the previous minute is still within the last 60 s).
        clock.now = START + 65
        refused = await limit.check(sender="s")
        assert not refused.allowed
        clock.now = START + 65 + refused.retry_after
        assert (await limit.check(sender="s")).allowed
        # After two quiet minutes everything is forgotten, and the note would be said again.
        clock.now = START + 300
        assert await allowed(limit, 4, sender="s") == [True] * 4
        assert (await limit.check(sender="s")).first_refusal

    asyncio.run(scenario())


def test_the_address_is_checked_first_and_its_refusals_do_not_count_for_the_sender() -> None:
    limit = limiter(sender=2, ip=3)

    async def scenario() -> None:
        assert await allowed(limit, 3, sender="a", ip="203.0.113.9") == [True, True, False]
        verdict = await limit.check(sender="b", ip="203.0.113.9")
        assert (verdict.allowed, verdict.scope) == (False, "ip")
        # "b" was never counted: from another address it has its whole allowance.
        assert await allowed(limit, 2, sender="b", ip="198.51.100.1") == [True, True]

    asyncio.run(scenario())


def test_zero_turns_a_limit_off() -> None:
    limit = limiter(sender=0, ip=0)
    assert asyncio.run(allowed(limit, 500, sender="s", ip="127.0.0.1")) == [True] * 500


def test_sliding_count() -> None:
    assert sliding_count(current=3, previous=0, elapsed=10) == 3
    assert sliding_count(current=1, previous=6, elapsed=30) == 4
    assert sliding_count(current=0, previous=6, elapsed=60) == 0


def test_memory_counters_stay_bounded_under_a_flood_of_made_up_ids() -> None:
    counters = MemoryCounters(max_keys=100)

    async def scenario() -> None:
        for n in range(1000):
            await counters.hit(f"ip:{n}", 7)
            await counters.mark_once(f"ip:{n}", START, 60)

    asyncio.run(scenario())
    assert len(counters._counts) <= 100 and len(counters._marks) <= 100


# ------------------------------------------------------------------------------------------------ #
# Shared through Redis; Redis down
# ------------------------------------------------------------------------------------------------ #


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis tests run in CI)")
    return url


def test_replicas_sharing_redis_count_together_and_say_it_once(redis_url: str) -> None:
    clock, prefix = Clock(), f"tthc:test:{uuid.uuid4().hex}:"
    settings = LimitSettings(sender_per_minute=3, ip_per_minute=0, redis_url=redis_url)
    one, two = (RateLimiter(settings, clock=clock, redis_prefix=prefix) for _ in range(2))

    async def scenario() -> list[tuple[bool, bool]]:
        verdicts = []
        for replica in (one, two, one, two, one):
            verdict = await replica.check(sender="zalo:42")
            verdicts.append((verdict.allowed, verdict.first_refusal))
        assert one.shared and two.shared
        await one.close()
        await two.close()
        return verdicts

    assert asyncio.run(scenario()) == [
        (True, False),
        (True, False),
        (True, False),
        (False, True),
        (False, False),
    ]


def test_a_redelivery_to_another_replica_is_caught_through_redis(redis_url: str) -> None:
    prefix = f"tthc:test:{uuid.uuid4().hex}:"
    settings = LimitSettings(redis_url=redis_url)
    first, second = (
        RateLimiter(settings, clock=Clock(), redis_prefix=prefix) for _ in range(2)
    )  # two replicas
    delivery = f"telegram:{uuid.uuid4().int % 10**12}"

    async def scenario() -> tuple[bool, bool, bool]:
        try:
            return (
                await first.first_delivery(delivery),
                await second.first_delivery(delivery),
                await first.first_delivery(delivery),
            )
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(scenario()) == (True, False, False)


def test_deliveries_with_redis_down_are_never_dropped_the_first_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit = RateLimiter(LimitSettings(redis_url=f"redis://127.0.0.1:{free_port()}/0"), clock=Clock())

    async def scenario() -> tuple[bool, bool]:
        return await limit.first_delivery("zalo:m1"), await limit.first_delivery("zalo:m1")

    assert asyncio.run(scenario()) == (True, False)  # this process's memory still catches its own
    assert "Redis unreachable" in caplog.text


def test_redis_down_fails_open_counts_in_memory_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="connectors.limits")
    url = f"redis://:hunter2-password@127.0.0.1:{free_port()}/0"  # nothing listens there
    limit = RateLimiter(LimitSettings(sender_per_minute=3, ip_per_minute=0, redis_url=url), clock=Clock())

    async def scenario() -> list[bool]:
        result = await allowed(limit, 5, sender="web-x")
        await limit.close()
        return result

    # Citizens are served, and the limit still holds within this process.
    assert asyncio.run(scenario()) == [True, True, True, False, False]
    assert not limit.shared
    [warning] = caplog.records
    assert "Redis unreachable" in warning.getMessage() and "hunter2" not in warning.getMessage()


# ------------------------------------------------------------------------------------------------ #
# The channels on a real Sanic server
# ------------------------------------------------------------------------------------------------ #


class Rasa:
    """Stands in for Rasa's `on_new_message`: records texts, answers one text (or fails)."""

    def __init__(self, fail: bool = False) -> None:
        self.texts: list[str] = []
        self.fail = fail
        self.tracker_store = InMemoryTrackerStore(Domain.empty())  # for the web channel's history

    async def __call__(self, message: UserMessage) -> None:
        self.texts.append(message.text)
        if self.fail:
            raise RuntimeError("the lock store is down")
        await message.output_channel.send_text_message(message.sender_id, f"Bạn hỏi: {message.text}")

    async def handle_message(self, message: UserMessage) -> None:  # as app.ctx.agent for `register`
        await self(message)


@contextlib.asynccontextmanager
async def serving(channel: Any, rasa: Rasa, prefix: str) -> AsyncIterator[str]:
    """Serve the channel as `rasa run` does; yield its base URL."""
    app = Sanic(f"limits_test_{uuid.uuid4().hex[:12]}")
    configure_cors(app, None)
    app.ctx.agent = rasa
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/{prefix}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@pytest.fixture(scope="module", autouse=True)
def sanic_test_mode() -> Iterator[None]:
    """Let several Sanic apps start in one process (what sanic-testing sets)."""
    before, Sanic.test_mode = Sanic.test_mode, True
    yield
    Sanic.test_mode = before


async def http(
    method: str, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=data, headers=headers) as answer,
    ):
        body = await answer.read()
        parsed = json.loads(body) if body and answer.content_type == "application/json" else None
        return answer.status, dict(answer.headers), parsed


async def until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met in {timeout} s")


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[ft.FakeTelegram]:
    yield from ft.serve()


def telegram_channel(api: ft.FakeTelegram, limit: RateLimiter) -> TelegramInput:
    settings = TelegramSettings(token=ft.TOKEN, webhook_secret=SECRET, api_base_url=api.url, mode="webhook")
    return TelegramInput(settings, limiter=limit)


def test_telegram_over_the_chat_limit_is_acknowledged_not_processed_and_told_once(
    telegram_api: ft.FakeTelegram,
) -> None:
    channel, rasa, chat = telegram_channel(telegram_api, limiter(sender=2)), Rasa(), ft.new_chat_id()
    header = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    async def scenario() -> None:
        async with serving(channel, rasa, "telegram") as base:
            for text in ("một", "hai", "ba", "bốn", "năm"):
                update = json.dumps(ft.message_update(chat, text)).encode()
                assert (await http("POST", f"{base}/webhook", data=update, headers=header))[0] == 200
            await channel.queues.drain()

    asyncio.run(scenario())
    assert rasa.texts == ["một", "hai"]
    assert [m["text"] for m in telegram_api.sent(chat)] == ["Bạn hỏi: một", "Bạn hỏi: hai", TOO_FAST_NOTE]


def test_telegram_forgers_are_limited_per_address_and_large_bodies_refused(
    telegram_api: ft.FakeTelegram,
) -> None:
    channel, rasa = telegram_channel(telegram_api, limiter(sender=0, ip=3)), Rasa()
    update = json.dumps(ft.message_update(ft.new_chat_id(), "chào")).encode()
    forged = {"X-Telegram-Bot-Api-Secret-Token": "guess", "Content-Type": "application/json"}
    genuine = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    async def scenario() -> None:
        async with serving(channel, rasa, "telegram") as base:
            statuses = [
                (await http("POST", f"{base}/webhook", data=update, headers=forged))[0] for _ in range(5)
            ]
            assert statuses == [403, 403, 403, 429, 429]
            # Telegram itself (the right secret) is limited per chat, not per address.
            assert (await http("POST", f"{base}/webhook", data=update, headers=genuine))[0] == 200
            # The webhook reads 64 KB whatever MAX_BODY_BYTES says (Telegram's largest genuine update).
            large = json.dumps(ft.message_update(ft.new_chat_id(), "ố" * 4096), ensure_ascii=True).encode()
            assert len(large) > 16384
            assert (await http("POST", f"{base}/webhook", data=large, headers=genuine))[0] == 200
            big = json.dumps({"update_id": 1, "pad": "x" * 70_000}).encode()
            assert (await http("POST", f"{base}/webhook", data=big, headers=genuine))[0] == 413
            await channel.queues.drain()

    asyncio.run(scenario())
    assert rasa.texts[0] == "chào" and len(rasa.texts) == 2


def test_telegram_rasa_failure_is_the_busy_note(telegram_api: ft.FakeTelegram) -> None:
    channel, rasa, chat = telegram_channel(telegram_api, limiter()), Rasa(fail=True), ft.new_chat_id()
    header = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    async def scenario() -> None:
        async with serving(channel, rasa, "telegram") as base:
            update = json.dumps(ft.message_update(chat, "chào")).encode()
            assert (await http("POST", f"{base}/webhook", data=update, headers=header))[0] == 200
            await channel.queues.drain()

    asyncio.run(scenario())
    assert [m["text"] for m in telegram_api.sent(chat)] == [BUSY_NOTE]


@pytest.fixture
def zalo_api() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


def zalo_channel(api: FakeZalo, token_file: Path, limit: RateLimiter) -> ZaloInput:
    access, refresh = api.pair()
    client = ZaloClient(
        tokens=TokenStore(token_file, TokenPair(access, refresh)),
        app_id=APP_ID,
        app_secret=APP_SECRET,
        api_base_url=api.base_url,
        oauth_base_url=api.base_url,
        timeout=5,
    )
    settings = ZaloSettings(app_id=APP_ID, oa_secret_key=OA_SECRET_KEY, retry_delays=(0.05,))
    return ZaloInput(settings, client, limiter=limit)


def test_zalo_limits_per_user_per_forging_address_and_body_size(zalo_api: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = zalo_channel(zalo_api, tmp_path / "tokens.json", limiter(sender=2, ip=2)), Rasa()

    async def scenario() -> None:
        async with serving(channel, rasa, "zalo") as base:
            for text in ("một", "hai", "ba", "bốn"):
                raw, headers = signed(text_event("501", text))
                assert (await http("POST", f"{base}/webhook", data=raw, headers=headers))[0] == 200
            raw, headers = signed(text_event("502", "chào"), "not-the-oa-secret")
            statuses = [
                (await http("POST", f"{base}/webhook", data=raw, headers=headers))[0] for _ in range(4)
            ]
            assert statuses == [401, 401, 429, 429]
            raw, headers = signed(text_event("503", "x" * 70_000))
            assert (await http("POST", f"{base}/webhook", data=raw, headers=headers))[0] == 413
            await channel.queues.drain()
            await channel.delivery.drain()

    asyncio.run(scenario())
    assert rasa.texts == ["một", "hai"]
    assert [d.text for d in zalo_api.messages_for("501")] == ["Bạn hỏi: một", "Bạn hỏi: hai", TOO_FAST_NOTE]
    assert zalo_api.messages_for("502") == [] and zalo_api.messages_for("503") == []


def test_zalo_rasa_failure_is_the_busy_note(zalo_api: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = zalo_channel(zalo_api, tmp_path / "tokens.json", limiter()), Rasa(fail=True)

    async def scenario() -> None:
        async with serving(channel, rasa, "zalo") as base:
            raw, headers = signed(text_event("504", "chào"))
            assert (await http("POST", f"{base}/webhook", data=raw, headers=headers))[0] == 200
            await channel.queues.drain()
            await channel.delivery.drain()

    asyncio.run(scenario())
    assert [d.text for d in zalo_api.messages_for("504")] == [BUSY_NOTE]


def test_web_sessions_messages_and_history_are_limited(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    channel = WebInput(
        SessionSigner("k" * 40), limiter=limiter(sender=2, ip=6, clock=clock), max_body_bytes=1024
    )
    rasa = Rasa()
    json_header = {"Content-Type": "application/json"}

    async def scenario() -> None:
        async with serving(channel, rasa, "web") as base:
            status, _, data = await http("POST", f"{base}/session", data=b"{}", headers=json_header)
            assert status == 201
            session = data["session_id"]
            for text in ("một", "hai", "ba"):
                body = json.dumps({"session_id": session, "message": text}).encode()
                status, headers, data = await http("POST", f"{base}/webhook", data=body, headers=json_header)
            assert (status, data) == (429, {"error": "too_many_requests"})
            assert int(headers["Retry-After"]) >= 1
            history = f"{base}/history?session_id={session}"
            # History reads have their own budget per conversation (the sender limit, 2 here): an open
            # widget polls it, and citizens behind one address must not spend each other's messages.
            assert (await http("GET", history))[0] == 200
            assert (await http("GET", history))[0] == 200
            assert (await http("GET", history))[0] == 429
            # The address's 6 requests: 1 session and 3 messages so far (history reads do not count).
            assert (await http("POST", f"{base}/session", data=b"{}", headers=json_header))[0] == 201
            assert (await http("POST", f"{base}/session", data=b"{}", headers=json_header))[0] == 201
            assert (await http("POST", f"{base}/session", data=b"{}", headers=json_header))[0] == 429
            assert (await http("GET", history))[0] == 429
            clock.now += 120
            big = b"{" + b" " * 2048 + b"}"
            assert (await http("POST", f"{base}/session", data=big, headers=json_header))[0] == 413

    asyncio.run(scenario())
    assert rasa.texts == ["một", "hai"]


# ------------------------------------------------------------------------------------------------ #
# Bounded JSON (issue 17, finding 11)
# ------------------------------------------------------------------------------------------------ #


def test_parse_json_reads_what_json_loads_reads_up_to_the_depth_limit() -> None:
    document = {"sender": "a", "message": 'chào [{ " \\', "n": [1, {"x": None}]}
    for encoding in ("utf-8", "utf-8-sig", "utf-16"):
        assert parse_json(json.dumps(document, ensure_ascii=False).encode(encoding)) == document
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(at_limit.encode()) == json.loads(at_limit)
    # Brackets inside strings, escaped quotes and backslashes do not count.
    assert parse_json(json.dumps(["[" * 100, '\\"[[[', "{" * 100]).encode()) == [
        "[" * 100,
        '\\"[[[',
        "{" * 100,
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b"[" * 5000 + b"]" * 5000,  # what made json.loads raise RecursionError (a 500)
        b'{"a": ' * 5000,
        b'["\\\\", ' + b"[" * 40,  # an escaped backslash ends no string
    ],
)
def test_parse_json_refuses_deep_nesting_without_recursing(body: bytes) -> None:
    with pytest.raises(JsonTooDeepError):
        parse_json(body)


@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe\xfd", b'{"a": 1e99999999999}x', b"9" * 5000])
def test_parse_json_refuses_what_is_not_json(body: bytes) -> None:
    with pytest.raises(BadJsonError):
        parse_json(body)


def test_json_too_deep_counts_nesting_not_brackets() -> None:
    assert not json_too_deep("[[1], [2], [3], [4]]", max_depth=2)
    assert json_too_deep("[[[1]]]", max_depth=2)
    assert not json_too_deep('["[[[[", "\\"[[[["]', max_depth=1)
