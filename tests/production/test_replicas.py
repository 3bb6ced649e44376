"""Two Rasa replicas sharing PostgreSQL (tracker store) and Redis (locks): nothing lost, nothing doubled.

50 citizens talk at the same time; each sends its messages alternately to replica 0 and replica 1
(as a load balancer without sticky sessions would), waiting for each answer like a person does.
Afterwards every conversation's stored tracker holds every message once, in order, each followed by
the answers the citizen actually received.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.channels import fake_telegram as ft
from tests.production.conftest import prod_env, stored_events
from tests.servers import Stack, start_stack

pytestmark = pytest.mark.postgres

TELEGRAM_SECRET = "replicas-Webhook_secret-0123456789"
CONVERSATIONS = 50
#: What each citizen says, in order (varied so the dialogue runs actions, forms and plain answers).
SCRIPTS = [
    ["xin chào", "đăng ký khai sinh cần giấy tờ gì", "mất bao lâu", "cảm ơn"],
    ["lam can cuoc can giay to gi", "le phi bao nhieu", "nop online duoc ko", "cam on ban"],
    ["chào bạn", "cấp lại giấy phép lái xe", "ở đâu làm", "tạm biệt"],
]


@pytest.fixture(scope="module")
def telegram() -> Iterator[ft.FakeTelegram]:
    """A fake Bot API both replicas send to (webhook mode)."""
    yield from ft.serve()


@pytest.fixture(scope="module")
def stack(
    prod_database: str, redis_url: str, telegram: ft.FakeTelegram, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("replicas")
    env = prod_env(
        redis_url,
        TELEGRAM_TOKEN=ft.TOKEN,
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        TELEGRAM_API_BASE_URL=telegram.url,
    )
    with start_stack(prod_database, logs, replicas=2, extra_env=env) as running:
        yield running


async def _talk(
    client: httpx.AsyncClient, stack: Stack, sender: str, script: list[str], offset: int
) -> list[list[str]]:
    answers: list[list[str]] = []
    for turn, message in enumerate(script):
        replica = (turn + offset) % len(stack.rasa_urls)
        response = await client.post(
            f"{stack.rasa_urls[replica]}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=stack.rest_headers(),
        )
        response.raise_for_status()
        answers.append([m["text"] for m in response.json() if m.get("text")])
    return answers


def test_fifty_conversations_across_two_replicas_lose_and_double_nothing(
    stack: Stack, prod_database: str
) -> None:
    senders = [f"replica-test-{uuid.uuid4().hex[:12]}" for _ in range(CONVERSATIONS)]
    scripts = [SCRIPTS[i % len(SCRIPTS)] for i in range(CONVERSATIONS)]

    async def run_all() -> list[list[list[str]]]:
        async with httpx.AsyncClient(timeout=120) as client:
            return await asyncio.gather(
                *(
                    _talk(client, stack, sender, script, i % 2)
                    for i, (sender, script) in enumerate(zip(senders, scripts, strict=True))
                )
            )

    results = asyncio.run(run_all())

    for sender, script, answers in zip(senders, scripts, results, strict=True):
        # Every message got an answer (and not the busy note).
        assert all(answers), f"{sender}: a message went unanswered: {answers}"
        assert not any("hệ thống đang bận" in " ".join(a).lower() for a in answers), answers

        events = stored_events(prod_database, sender)
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        assert user_texts == script, f"{sender}: stored {user_texts}, sent {script}"
        # Each turn's stored bot messages are exactly what the citizen received, in order.
        turns: list[list[str]] = []
        for event in events:
            if event["event"] == "user":
                turns.append([])
            elif event["event"] == "bot" and turns and event.get("text"):
                turns[-1].append(event["text"])
        assert turns == answers, f"{sender}: stored answers differ from the answers sent"
        # No event stored twice (two replicas writing the same turn would duplicate timestamps).
        keys = [(e["event"], e.get("timestamp"), e.get("name"), e.get("text")) for e in events]
        assert len(keys) == len(set(keys)), f"{sender}: duplicated events"
        # One session start, at the beginning.
        assert [e["event"] for e in events].count("session_started") == 1


def test_a_conversation_continues_on_the_other_replica(stack: Stack) -> None:
    sender = f"replica-form-{uuid.uuid4().hex[:12]}"
    # The dossier form starts on one replica and is answered on the other: the form state is shared.
    first = stack.texts("tra cứu hồ sơ", sender, replica=0)
    assert "mã hồ sơ" in first.lower()
    second = stack.texts("000.00.12.H37-251012-0001", sender, replica=1)
    assert "4 số cuối" in second.lower() or "số điện thoại" in second.lower()


BURST = [
    "đăng ký khai sinh cần giấy tờ gì",
    "làm căn cước cần giấy tờ gì",
    "lệ phí cấp lại giấy phép lái xe",
    "xin chào",
    "cảm ơn",
    "đăng ký kết hôn mất bao lâu",
]


def test_messages_sent_at_once_to_both_replicas_are_processed_one_at_a_time(
    stack: Stack, prod_database: str
) -> None:
    """A citizen who taps send several times: the shared Redis lock serialises the turns across replicas."""
    senders = [f"replica-burst-{uuid.uuid4().hex[:12]}" for _ in range(10)]

    async def burst(client: httpx.AsyncClient, sender: str) -> dict[str, list[str]]:
        async def one(index: int, message: str) -> tuple[str, list[str]]:
            url = stack.rasa_urls[index % 2]
            response = await client.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                headers=stack.rest_headers(),
            )
            response.raise_for_status()
            return message, [m["text"] for m in response.json() if m.get("text")]

        return dict(await asyncio.gather(*(one(i, m) for i, m in enumerate(BURST))))

    async def run_all() -> list[dict[str, list[str]]]:
        async with httpx.AsyncClient(timeout=180) as client:
            return await asyncio.gather(*(burst(client, sender) for sender in senders))

    for sender, answers in zip(senders, asyncio.run(run_all()), strict=True):
        assert all(answers.values()), f"{sender}: unanswered: {answers}"
        events = stored_events(prod_database, sender)
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        assert sorted(user_texts) == sorted(BURST), f"{sender}: stored {user_texts}"
        # Turns did not interleave: after each stored message come exactly the answers it received.
        current = None
        stored: dict[str, list[str]] = {}
        for event in events:
            if event["event"] == "user":
                current = event["text"]
                stored[current] = []
            elif event["event"] == "bot" and current is not None and event.get("text"):
                stored[current].append(event["text"])
        assert stored == answers, f"{sender}: turns interleaved or answers lost"


def test_a_telegram_update_redelivered_to_the_other_replica_is_answered_once(
    stack: Stack, telegram: ft.FakeTelegram
) -> None:
    """Telegram retries a webhook it thinks failed; behind a load balancer the retry hits another replica."""
    chat = ft.new_chat_id()
    update = ft.message_update(chat, "đăng ký khai sinh cần giấy tờ gì")
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    for url in stack.rasa_urls:  # the delivery, then the retry on the other replica
        assert (
            httpx.post(
                f"{url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=30
            ).status_code
            == 200
        )
    first = telegram.wait_sent(chat, count=1, timeout=120)
    time.sleep(3)  # time enough for a second answer to arrive, if one were coming
    answers = [m for m in telegram.sent(chat) if "khai sinh" in (m.get("text") or "").lower()]
    assert first and len(answers) == 1, [m.get("text", "")[:60] for m in telegram.sent(chat)]
