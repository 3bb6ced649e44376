"""Personal numbers sent through every channel never reach the database, analytics or logs in clear.

A citizen's CCCD/CMND number, phone number and e-mail address go through REST, the web widget,
Telegram (fake Bot API) and Zalo OA (fake API) into a production-profile stack (PostgreSQL tracker
store). Afterwards every row of every table (the Rasa tracker's events, handoff tickets, the staff
inbox, ratings, usage analytics) and every server log are searched for them. The citizen still gets
their answers (the clear text lives only in memory for the turn).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from tests.channels import fake_telegram as ft
from tests.channels.fake_zalo import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZalo, signed, text_event
from tests.production.conftest import prod_env
from tests.servers import Stack, start_stack

pytestmark = pytest.mark.postgres

TELEGRAM_SECRET = "pii-Webhook_secret-0123456789"


def _numbers(rng: random.Random) -> dict[str, str]:
    """A fresh set of personal data (random, so a hit can only come from this test)."""
    return {
        "cccd": "0" + "".join(rng.choice("0123456789") for _ in range(11)),
        # Not "1...": Unix timestamps (stored with every event) start with 17 these years.
        "cmnd": "2" + "".join(rng.choice("0123456789") for _ in range(8)),
        "phone": "09" + "".join(rng.choice("0123456789") for _ in range(8)),
        "email": f"cong.dan.{rng.randrange(10**6)}@example.vn",
    }


def _messages(data: dict[str, str]) -> list[str]:
    phone = data["phone"]
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return [
        f"tôi muốn làm căn cước, số cccd cũ {data['cccd']}, cmnd {data['cmnd']}",
        f"lệ phí làm căn cước bao nhiêu ạ? email em là {data['email']}, sđt {spaced}",
        f"cho tôi gặp cán bộ, sđt {phone}",
    ]


@pytest.fixture(scope="module")
def running(
    prod_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, ft.FakeTelegram, FakeZalo]]:
    folder = tmp_path_factory.mktemp("pii")
    fake_tg_gen = ft.serve()
    fake_tg = next(fake_tg_gen)
    try:
        with FakeZalo() as zalo:
            access, refresh = zalo.pair()
            env = prod_env(
                redis_url,
                TELEGRAM_TOKEN=ft.TOKEN,
                TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
                TELEGRAM_API_BASE_URL=fake_tg.url,
                ZALO_API_BASE_URL=zalo.base_url,
                ZALO_OAUTH_BASE_URL=zalo.base_url,
                ZALO_APP_ID=APP_ID,
                ZALO_OA_SECRET_KEY=OA_SECRET_KEY,
                ZALO_APP_SECRET=APP_SECRET,
                ZALO_ACCESS_TOKEN=access,
                ZALO_REFRESH_TOKEN=refresh,
                ZALO_TOKEN_FILE=str(folder / "zalo_tokens.json"),
            )
            with start_stack(prod_database, folder, replicas=1, extra_env=env) as stack:
                yield stack, fake_tg, zalo
    finally:
        fake_tg_gen.close()


def _all_rows_as_text(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        chunks: list[str] = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT t::text FROM "{table}" t')):
                    chunks.append(row[0])
        return "\n".join(chunks)
    finally:
        engine.dispose()


def _digits_variants(data: dict[str, str]) -> list[str]:
    phone = data["phone"]
    return [
        data["cccd"],
        data["cmnd"],
        phone,
        phone[1:],
        f"{phone[:4]} {phone[4:7]} {phone[7:]}",
        data["email"],
    ]


def test_personal_numbers_from_every_channel_are_stored_and_logged_redacted(
    running: tuple[Stack, ft.FakeTelegram, FakeZalo], prod_database: str
) -> None:
    stack, telegram, zalo = running
    rng = random.Random()
    before = _all_rows_as_text(prod_database)

    def fresh_numbers() -> dict[str, str]:
        # Numbers that nothing in the database already contains, so a hit below can only be a leak.
        while True:
            data = _numbers(rng)
            if not any(needle in before for needle in _digits_variants(data)):
                return data

    sent: dict[str, dict[str, str]] = {}

    # REST
    data = sent["rest"] = fresh_numbers()
    sender = f"pii-rest-{uuid.uuid4().hex[:8]}"
    for message in _messages(data):
        assert stack.send(message, sender), "the citizen got no answer"

    # Web widget
    data = sent["web"] = fresh_numbers()
    web = f"{stack.rasa_urls[0]}/webhooks/web"
    session_id = httpx.post(f"{web}/session", timeout=30).json()["session_id"]
    for message in _messages(data):
        answer = httpx.post(f"{web}/webhook", json={"session_id": session_id, "message": message}, timeout=60)
        assert answer.status_code == 200 and answer.json()["messages"], answer.text

    # Telegram (webhook)
    data = sent["telegram"] = fresh_numbers()
    chat = ft.new_chat_id()
    for count, message in enumerate(_messages(data), start=1):
        status = httpx.post(
            f"{stack.rasa_urls[0]}/webhooks/telegram/webhook",
            json=ft.message_update(chat, message),
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            timeout=30,
        ).status_code
        assert status == 200
        telegram.wait_sent(chat, count=count, timeout=120)

    # Zalo OA
    data = sent["zalo"] = fresh_numbers()
    user = str(uuid.uuid4().int % 10**18)
    for count, message in enumerate(_messages(data), start=1):
        raw, headers = signed(text_event(user, message))
        assert (
            httpx.post(
                f"{stack.rasa_urls[0]}/webhooks/zalo/webhook", content=raw, headers=headers, timeout=30
            ).status_code
            == 200
        )
        zalo.wait_messages(user, count=count, timeout=120)

    stored = _all_rows_as_text(prod_database)
    # The conversations were stored (redacted), so the search below searched something.
    assert "[SỐ ĐỊNH DANH]" in stored and "[SĐT]" in stored and "[EMAIL]" in stored
    logs = {log.name: log.read_text(errors="replace") for log in Path(stack.logs).glob("*.log")}
    for channel, data in sent.items():
        for needle in _digits_variants(data):
            assert needle not in stored, f"{channel}: {needle!r} stored in clear"
            for name, content in logs.items():
                assert needle not in content, f"{channel}: {needle!r} in {name}"


def test_the_dossier_form_keeps_the_phone_check_only_until_the_lookup(
    running: tuple[Stack, ft.FakeTelegram, FakeZalo], prod_database: str
) -> None:
    stack, _, _ = running
    sender = f"pii-dossier-{uuid.uuid4().hex[:8]}"
    assert "4 số cuối" in stack.texts("hồ sơ 000.00.12.H37-251012-0002 tới đâu rồi", sender)
    assert "000.00.12.H37-251012-0002" in stack.texts("0202", sender)
    engine = create_engine(prod_database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id"),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    import json

    slots = [json.loads(row[0]) for row in rows]
    phone_values = [s["value"] for s in slots if s["name"] == "phone_last4"]
    # Set for the lookup, then cleared right after it.
    assert phone_values and phone_values[-1] is None, phone_values
