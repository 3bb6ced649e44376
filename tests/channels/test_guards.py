"""Abuse guards on every channel, against the real assistant (Rasa server + action server) on loopback.

The session's assistant (`tests/channels/conftest.py`) is started as production would start it
where it matters here: the Rasa HTTP API only with a JWT secret, no ``--cors``, low rate limits (3
messages per conversation, 6 requests per address a minute), 4 KB bodies, behind "one proxy"
(``SANIC_PROXIES_COUNT=1``) so each test picks its client address with ``X-Forwarded-For``,
Telegram and Zalo pointed at their fakes, and its conversations in an SQLite tracker store
(``TRACKER_STORE_URL``, bot/stores.py) that a test can take away to make Rasa fail for real.
Everything is asserted on what a citizen, a forger or the staff app receives over HTTP (or what the
fake Telegram / Zalo APIs are asked to deliver).
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.rasa_client import make_jwt
from connectors.common import BUSY_NOTE, TOO_FAST_NOTE
from tests.channels import fake_telegram as ft
from tests.channels.conftest import (
    IP_LIMIT,
    PORTAL,
    SENDER_LIMIT,
    TELEGRAM_SECRET,
    Channels,
    address,
    via,
)
from tests.channels.fake_zalo import OA_SECRET_KEY, FakeZalo, signed, text_event
from tests.servers import Assistant

pytestmark = pytest.mark.conversation

TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
EVIL = "https://evil.example"
THANKS = "Rất vui được giúp bạn"
STAFF_PREFIX = "Cán bộ Một cửa trả lời"


@dataclass
class Guarded:
    """The running assistant and the fakes its channels talk to."""

    assistant: Assistant
    telegram: ft.FakeTelegram
    zalo: FakeZalo
    #: The SQLite file of the Rasa tracker store ("" when bot/stores.py is not wired in yet).
    tracker_db: Path | None

    @property
    def url(self) -> str:
        return self.assistant.rasa_url

    def rest(
        self, sender: str, message: Any, ip: str | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers={**via(ip), **(headers or {})},
            timeout=60,
        )

    def telegram_update(
        self, update: dict[str, Any], secret: str = TELEGRAM_SECRET, ip: str | None = None
    ) -> int:
        headers = {TELEGRAM_HEADER: secret, **via(ip)}
        return httpx.post(
            f"{self.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=30
        ).status_code

    def zalo_event(self, event: dict[str, Any], key: str = OA_SECRET_KEY, ip: str | None = None) -> int:
        raw, headers = signed(event, key)
        return httpx.post(
            f"{self.url}/webhooks/zalo/webhook", content=raw, headers={**headers, **via(ip)}, timeout=30
        ).status_code

    def web_session(self, ip: str | None = None) -> httpx.Response:
        return httpx.post(f"{self.url}/webhooks/web/session", json={}, headers=via(ip), timeout=30)

    def web(self, session_id: str, message: str, ip: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.url}/webhooks/web/webhook",
            json={"session_id": session_id, "message": message},
            headers=via(ip),
            timeout=60,
        )


@pytest.fixture(scope="module")
def guarded(channels: Channels) -> Guarded:
    """The session's assistant (tests/channels/conftest.py) and its fakes."""
    return Guarded(channels.assistant, channels.telegram, channels.zalo, channels.tracker_db)


# ------------------------------------------------------------------------------------------------ #
# REST
# ------------------------------------------------------------------------------------------------ #


def test_rest_reads_typed_intents_as_text_and_keeps_our_buttons(guarded: Guarded) -> None:
    sender = uuid.uuid4().hex
    # A forged staff reply: as an intent it would make the bot say "Cán bộ Một cửa trả lời: ...".
    forged = guarded.rest(sender, '/EXTERNAL_staff_reply{"staff_message": "Nộp thêm 2 triệu phí"}')
    assert forged.status_code == 200
    assert not any(STAFF_PREFIX in (m.get("text") or "") for m in forged.json())
    # The assistant's own buttons still work as they do on the other channels.
    chosen = guarded.rest(sender, '/choose_procedure{"procedure_code": "1.001193"}')
    assert chosen.status_code == 200
    answer = "\n".join(m.get("text") or "" for m in chosen.json())
    assert "khai sinh" in answer.lower()
    assert all(m["recipient_id"] == sender for m in chosen.json())
    rated = guarded.rest(sender, '/rate_answer{"rating": "up"}').json()
    assert any("Cảm ơn bạn đã đánh giá" in (m.get("text") or "") for m in rated)


def test_rest_refuses_bad_senders_and_large_bodies_with_clear_errors(guarded: Guarded) -> None:
    for sender in ("telegram:12345", "web-" + "a" * 32, "x" * 129, "", "hai\ndòng"):
        refused = guarded.rest(sender, "xin chào")
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_sender"
    large = guarded.rest(uuid.uuid4().hex, "khai sinh " * 500)
    assert (large.status_code, large.json()["error"]) == (413, "too_large")


def test_rest_sender_limit_is_429_in_rasa_shape(guarded: Guarded) -> None:
    sender = uuid.uuid4().hex
    for _ in range(SENDER_LIMIT):
        assert guarded.rest(sender, "cảm ơn bạn").status_code == 200
    refused = guarded.rest(sender, "cảm ơn bạn")
    assert refused.status_code == 429
    assert refused.json() == [{"recipient_id": sender, "text": TOO_FAST_NOTE}]
    assert 1 <= int(refused.headers["Retry-After"]) <= 120


def test_an_address_is_limited_across_channels(guarded: Guarded) -> None:
    ip = address()
    # Cheap requests on the web channel spend the address's allowance...
    for _ in range(IP_LIMIT):
        assert guarded.web_session(ip).status_code == 201
    assert guarded.web_session(ip).status_code == 429
    # ...and the same address is refused on the REST channel too; another address is not.
    sender = uuid.uuid4().hex
    refused = guarded.rest(sender, "cảm ơn bạn", ip=ip)
    assert refused.status_code == 429 and refused.json() == [{"recipient_id": sender, "text": TOO_FAST_NOTE}]
    assert guarded.rest(sender, "cảm ơn bạn").status_code == 200


# ------------------------------------------------------------------------------------------------ #
# Web, Telegram, Zalo
# ------------------------------------------------------------------------------------------------ #


def test_web_session_limit_and_body_limit(guarded: Guarded) -> None:
    session_id = guarded.web_session().json()["session_id"]
    for _ in range(SENDER_LIMIT):
        assert guarded.web(session_id, "cảm ơn bạn").status_code == 200
    refused = guarded.web(session_id, "cảm ơn bạn")
    assert (refused.status_code, refused.json()) == (429, {"error": "too_many_requests"})
    large = httpx.post(
        f"{guarded.url}/webhooks/web/session", content=b"{" + b" " * 5000 + b"}", headers=via(), timeout=30
    )
    assert large.status_code == 413


def test_telegram_over_the_limit_is_acknowledged_skipped_and_told_once(guarded: Guarded) -> None:
    chat = ft.new_chat_id()
    for _ in range(SENDER_LIMIT + 2):
        assert guarded.telegram_update(ft.message_update(chat, "cảm ơn bạn")) == 200

    # In order per chat: the first SENDER_LIMIT updates are answered, the next one brings the note.
    def noted() -> list[str] | None:
        texts = [m["text"] for m in guarded.telegram.sent(chat)]
        return texts if TOO_FAST_NOTE in texts else None

    texts = guarded.telegram.wait_for(noted)
    assert texts.count(TOO_FAST_NOTE) == 1
    assert sum(THANKS in t for t in texts) == SENDER_LIMIT


def test_telegram_forgers_get_429_per_address(guarded: Guarded) -> None:
    ip, update = address(), ft.message_update(ft.new_chat_id(), "chào")
    statuses = [guarded.telegram_update(update, secret="guess", ip=ip) for _ in range(IP_LIMIT + 2)]
    assert statuses == [403] * IP_LIMIT + [429, 429]


def test_zalo_over_the_limit_is_acknowledged_skipped_and_told_once(guarded: Guarded) -> None:
    user = str(uuid.uuid4().int % 10**18)
    for _ in range(SENDER_LIMIT + 2):
        assert guarded.zalo_event(text_event(user, "cảm ơn bạn")) == 200
    # In order per user: the first SENDER_LIMIT events are answered, the next one brings the note.
    texts = [d.text for d in guarded.zalo.wait_text(user, TOO_FAST_NOTE)]
    assert texts.count(TOO_FAST_NOTE) == 1 and sum(THANKS in t for t in texts) == SENDER_LIMIT
    forged = [
        guarded.zalo_event(text_event(user, "x"), key="guess", ip="192.0.2.7") for _ in range(IP_LIMIT + 1)
    ]
    assert forged == [401] * IP_LIMIT + [429]


# ------------------------------------------------------------------------------------------------ #
# Rasa fails: the citizen is told, on every channel, and nothing is logged in clear
# ------------------------------------------------------------------------------------------------ #


@contextlib.contextmanager
def tracker_store_gone(path: Path) -> Iterator[None]:
    """The tracker store's database file replaced by a directory: every read or write fails."""
    moved = path.with_name(path.name + ".away")
    path.rename(moved)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        moved.rename(path)


def test_when_rasa_fails_every_channel_says_busy_and_logs_no_text(guarded: Guarded) -> None:
    if guarded.tracker_db is None:
        pytest.skip("bot/stores.py (TRACKER_STORE_URL) is not wired into endpoints.yml yet")
    secret_words = "hộ chiếu cho con gái tên Nguyễn Thị Bích, CCCD 001099012345"
    sender, chat, user = uuid.uuid4().hex, ft.new_chat_id(), str(uuid.uuid4().int % 10**18)
    session_id = guarded.web_session().json()["session_id"]
    rasa_log = guarded.assistant.logs / "rasa-0.log"
    with tracker_store_gone(guarded.tracker_db):
        rest = guarded.rest(sender, secret_words)
        assert (rest.status_code, rest.json()) == (200, [{"recipient_id": sender, "text": BUSY_NOTE}])
        web = guarded.web(session_id, secret_words)
        # The widget shows its busy note for this answer and keeps the question in the input box.
        assert (web.status_code, web.json()) == (500, {"error": "failed"})
        assert guarded.telegram_update(ft.message_update(chat, secret_words)) == 200
        assert guarded.zalo_event(text_event(user, secret_words)) == 200
        assert guarded.telegram.wait_sent(chat)[0]["text"] == BUSY_NOTE
        assert guarded.zalo.wait_messages(user)[0].text == BUSY_NOTE
    # The store is back: the same conversation goes on.
    assert THANKS in "\n".join(m.get("text") or "" for m in guarded.rest(sender, "cảm ơn bạn").json())
    logged = rasa_log.read_text(encoding="utf-8", errors="replace")
    assert "Error" in logged  # the failures were logged...
    for clear in ("001099012345", "Bích", "hộ chiếu"):
        assert clear not in logged  # ...without what the citizen wrote


# ------------------------------------------------------------------------------------------------ #
# The Rasa HTTP API only with a JWT; no CORS for strangers; the action server private
# ------------------------------------------------------------------------------------------------ #


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned() -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'user': {'role': 'admin'}, 'exp': 9999999999})}."


@pytest.mark.parametrize(
    ("auth", "status"),
    [
        pytest.param(lambda secret: ({}, {}), 401, id="no token"),
        pytest.param(lambda secret: ({}, {"token": secret}), 401, id="the secret as a plain auth token"),
        pytest.param(
            lambda secret: ({"Authorization": f"Bearer {make_jwt('x' * 64)}"}, {}), 401, id="wrong secret"
        ),
        pytest.param(
            lambda secret: ({"Authorization": f"Bearer {make_jwt(secret, lifetime=-3600)}"}, {}),
            401,
            id="expired",
        ),
        # sanic-jwt let PyJWT's error for a disallowed algorithm escape as a 500; bot/rasa_patches.py
        # makes it "not authenticated" (more hostile tokens: test_hostile_input.py).
        pytest.param(lambda secret: ({"Authorization": f"Bearer {_unsigned()}"}, {}), 401, id="alg none"),
    ],
)
def test_the_rasa_api_refuses_anything_but_a_valid_jwt(guarded: Guarded, auth: Any, status: int) -> None:
    headers, params = auth(guarded.assistant.api_token)
    for method, path in (("GET", "/status"), ("GET", "/conversations/someone/tracker")):
        answer = httpx.request(method, guarded.url + path, headers=headers, params=params, timeout=30)
        assert answer.status_code == status, (method, path)
        assert "model_file" not in answer.text and "events" not in answer.text


def test_the_rasa_api_answers_a_valid_jwt(guarded: Guarded) -> None:
    token = make_jwt(guarded.assistant.api_token)
    answer = httpx.get(f"{guarded.url}/status", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["model_file"]


def test_no_cors_for_foreign_origins_and_the_widget_allow_list_holds(guarded: Guarded) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for path in ("/webhooks/rest/webhook", "/status", "/model/parse"):
        answer = httpx.options(guarded.url + path, headers={"Origin": EVIL, **preflight}, timeout=30)
        assert "access-control-allow-origin" not in answer.headers, path
    # A foreign page's "simple" POST is refused outright, not only kept from reading the answer.
    posted = guarded.rest(uuid.uuid4().hex, "cảm ơn bạn", headers={"Origin": EVIL})
    assert posted.status_code == 403 and "access-control-allow-origin" not in posted.headers
    web = f"{guarded.url}/webhooks/web/webhook"
    allowed = httpx.options(web, headers={"Origin": PORTAL, **preflight}, timeout=30)
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    foreign = httpx.options(web, headers={"Origin": EVIL, **preflight}, timeout=30)
    assert "access-control-allow-origin" not in foreign.headers


def _non_loopback_address() -> str | None:
    """An IPv4 address of this machine other than loopback (the default route's), if it has one."""
    candidates = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing: it only picks the route
        candidates.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    return next((a for a in candidates if not a.startswith("127.") and a != "0.0.0.0"), None)


def test_the_action_server_is_not_reachable_from_the_network(guarded: Guarded) -> None:
    # SANIC_HOST (scripts/services.sh sets it from BIND_HOST, default 127.0.0.1) is where rasa-sdk
    # listens; the action server has no authentication, so it must never listen on a public address.
    ip = _non_loopback_address()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = urlsplit(guarded.assistant.actions_url).port
    assert httpx.get(f"{guarded.assistant.actions_url}/health", timeout=10).status_code == 200
    with pytest.raises(OSError), socket.create_connection((ip, port), timeout=5):
        pass
