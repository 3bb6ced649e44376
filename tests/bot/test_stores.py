"""The profile's stores (bot/stores.py): redaction before storage, configuration, the Redis lock."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot  # noqa: F401  (applies the patches, as the Rasa server does)
from bot.stores import (
    ConfigurationError,
    LockStore,
    RedactingInMemoryTrackerStore,
    RedactingSQLTrackerStore,
    RedisLockStore,
    TrackerStore,
    rasa_sqlalchemy_url,
    redact_event,
    tracker_store_url,
)

CCCD, PHONE, EMAIL = "001099012345", "0912345678", "a.b@example.vn"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load("domain.yml")


def _tracker(domain: Domain, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(
        UserUttered(
            f"cccd {CCCD} sdt {PHONE} mail {EMAIL}, hồ sơ 000.00.12.H37-251012-0001",
            intent={"name": "ask_dossier_status", "confidence": 0.9},
            entities=[
                {"entity": "dossier_code", "value": "000.00.12.H37-251012-0001", "start": 0, "end": 1},
                {"entity": "phone", "value": PHONE, "start": 0, "end": 1},
            ],
            parse_data={"text": f"cccd {CCCD}", "intent": {"name": "ask_dossier_status"}, "entities": []},
        )
    )
    tracker.update(SlotSet("phone_last4", "5678"))
    tracker.update(BotUttered(f"Bạn đã gửi số {PHONE}"))
    return tracker


def test_redaction_removes_personal_numbers_and_keeps_what_the_dialogue_needs(domain: Domain) -> None:
    events = [redact_event(e.as_dict()) for e in _tracker(domain, "x").events]
    dumped = repr(events)
    for secret in (CCCD, PHONE, EMAIL):
        assert secret not in dumped
    user = events[0]
    assert "000.00.12.H37-251012-0001" in user["text"]  # dossier codes identify a case, not a person
    assert user["parse_data"]["intent"]["name"] == "ask_dossier_status"
    assert {"event": "slot", "name": "phone_last4", "value": "5678"}.items() <= events[1].items()


def test_in_memory_store_keeps_conversations_redacted(domain: Domain) -> None:
    store = TrackerStore(domain=domain)
    assert isinstance(store, RedactingInMemoryTrackerStore)
    tracker = _tracker(domain, "mem")
    asyncio.run(store.save(tracker))
    assert CCCD not in store.store["mem"] and PHONE not in store.store["mem"]
    loaded = asyncio.run(store.retrieve("mem"))
    assert loaded.get_slot("phone_last4") == "5678"
    # The live tracker (the turn in progress) still has the clear text.
    assert CCCD in tracker.latest_message.text


def test_sql_store_on_sqlite_appends_redacted_events(domain: Domain, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = RedactingSQLTrackerStore(domain, url=f"sqlite:///{tmp_path / 't.db'}")
    tracker = _tracker(domain, "sql")
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # saving again adds nothing
    tracker.update(UserUttered("cảm ơn"))
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("sql"))
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)][-1] == "cảm ơn"
    assert len(loaded.events) == len(tracker.events)
    raw = (tmp_path / "t.db").read_bytes()
    assert CCCD.encode() not in raw and PHONE.encode() not in raw
    assert asyncio.run(store.keys()) == ["sql"]


def test_store_choice_follows_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tracker_store_url({}) == ""
    assert tracker_store_url({"TRACKER_STORE_URL": "sqlite:///x.db"}) == "sqlite:///x.db"
    assert tracker_store_url({"PROFILE": "prod", "DATABASE_URL": "postgresql+psycopg://u@h/db"}) == (
        "postgresql+psycopg2://u@h/db"
    )
    with pytest.raises(ConfigurationError):
        tracker_store_url({"PROFILE": "prod"})
    with pytest.raises(ConfigurationError):
        tracker_store_url({"PROFILE": "prod", "DATABASE_URL": "sqlite:///var/tthc.db"})
    assert rasa_sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg2://u@h/db"
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("PROFILE", raising=False)
    assert isinstance(LockStore(), InMemoryLockStore)
    monkeypatch.setenv("PROFILE", "prod")
    with pytest.raises(ConfigurationError):
        LockStore()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis tests run in CI)")
    return url


def test_tickets_drawn_at_once_by_many_replicas_are_unique(redis_url: str) -> None:
    stores = [RedisLockStore(redis_url) for _ in range(4)]  # four "replicas"
    conversation = f"lock-test-{uuid.uuid4().hex}"
    tickets: list[int] = []
    guard = threading.Lock()

    def draw(store: RedisLockStore) -> None:
        for _ in range(25):
            ticket = store.issue_ticket(conversation, 60)
            with guard:
                tickets.append(ticket)

    threads = [threading.Thread(target=draw, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(100))  # unique and gapless (Rasa numbers from 0)
    for ticket in tickets:
        stores[0].cleanup(conversation, ticket)
    assert stores[0].get_lock(conversation) is None


def test_lock_serialises_turns_across_replicas(redis_url: str) -> None:
    first, second = RedisLockStore(redis_url), RedisLockStore(redis_url)
    conversation = f"lock-order-{uuid.uuid4().hex}"
    order: list[str] = []

    async def turn(store: RedisLockStore, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock(conversation, wait_time_in_seconds=0.05):
            order.append(f"{name}-start")
            await asyncio.sleep(0.3)
            order.append(f"{name}-end")

    async def both() -> None:
        await asyncio.gather(turn(first, "a", 0), turn(second, "b", 0.05))

    asyncio.run(both())
    assert order == ["a-start", "a-end", "b-start", "b-end"]


def test_lock_falls_back_to_memory_while_redis_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    store = RedisLockStore(f"redis://127.0.0.1:{port}/0", socket_timeout=0.5)

    async def use() -> str:
        async with store.lock("fallback-conversation") as lock:
            return lock.conversation_id

    assert asyncio.run(use()) == "fallback-conversation"
    assert "Redis lock store unreachable" in caplog.text


def test_session_expiration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import rasa_patches

    monkeypatch.setenv("SESSION_EXPIRATION_MINUTES", "7.5")
    original = Domain.__dict__.get("session_config")
    try:
        rasa_patches._patch_session_expiration()
        domain = Domain.load("domain.yml")
        assert domain.session_config.session_expiration_time == 7.5
        assert domain.session_config.carry_over_slots is False
    finally:
        if original is None and "session_config" in Domain.__dict__:
            delattr(Domain, "session_config")
