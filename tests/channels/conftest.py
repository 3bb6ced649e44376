"""One assistant for every channel test of the session: the Rasa server and the action server.

Starting the pair costs ~40 s; `test_guards.py`, `test_telegram.py` and `test_zalo.py` used to
start one each, and their settings can coexist, so they share the `channels` stack:

- Telegram pointed at one fake Bot API, in polling mode (`test_telegram.py` feeds getUpdates); the
  webhook answers all the same, so the other tests post to it as Telegram would.
- Zalo pointed at one fake OA API with short retry delays (`test_zalo.py` keeps it unreachable
  for 2.5 s and expects the answer afterwards: the delays must add up past that).
- The abuse limits `test_guards.py` tests: 3 messages per conversation and 6 refused requests
  per address a minute, 4 KB bodies, behind "one proxy" (``SANIC_PROXIES_COUNT=1``) so every
  request names its client address in ``X-Forwarded-For``. Every conversation of every module is
  new and sends at most `SENDER_LIMIT` messages a minute, and every request comes from a fresh
  address (`via`), so the limits only ever bite where a test means them to.
- The Rasa HTTP API behind a JWT secret, the widget's origin allow-list, and an SQLite tracker
  store (``TRACKER_STORE_URL``) a guard test can take away to make Rasa fail for real.
- A private copy of the seeded knowledge base (`test_telegram.py` adds an FAQ entry and reads
  ratings; every module's chats and users are new, so they never see each other's data).

The fakes are shared too: tests read only their own chat's or user's messages from them.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels import fake_telegram as ft
from tests.channels.fake_zalo import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZalo
from tests.servers import PROJECT_ROOT, Assistant, start_assistant

TELEGRAM_SECRET = "e2e-Webhook_secret-0123456789"
#: The widget's page origin allowed by CORS.
PORTAL = "https://dichvucong.example.gov.vn"
#: Messages one conversation may send a minute, and refused requests one address may make.
SENDER_LIMIT, IP_LIMIT = 3, 6
#: Zalo delivery retries (seconds): 15.5 s in all, past test_zalo's 2.5 s outage.
ZALO_RETRY_DELAYS = "0.5,1,2,4,8"

_addresses = itertools.count(1)


def address() -> str:
    """A client address no other request of the session uses (so per-address limits stay apart)."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def via(ip: str | None = None) -> dict[str, str]:
    """Headers of a request that the proxy in front forwarded for `ip` (a fresh address by default)."""
    return {"X-Forwarded-For": ip or address()}


@dataclass
class Channels:
    """The running assistant and the fakes its channels talk to."""

    assistant: Assistant
    telegram: ft.FakeTelegram
    zalo: FakeZalo
    #: The knowledge base the action server reads (a private copy of the seeded one).
    database: str
    #: Where the Zalo channel keeps the token pair it refreshed.
    zalo_token_file: Path
    #: The SQLite file of the Rasa tracker store (None when bot/stores.py is not wired in yet).
    tracker_db: Path | None


def _stores_wired() -> bool:
    endpoints = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
    return (PROJECT_ROOT / "bot" / "stores.py").is_file() and "bot.stores.TrackerStore" in endpoints


@pytest.fixture(scope="session")
def channels(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    """Both servers, every channel configured, started once for the session."""
    folder = tmp_path_factory.mktemp("channels")
    database = folder / "tthc.db"
    shutil.copy(seeded_sqlite.split("///", 1)[1], database)
    token_file = folder / "var" / "zalo_tokens.json"
    tracker_db = folder / "tracker" / "conversations.db" if _stores_wired() else None
    with contextlib.ExitStack() as stack:
        telegram = stack.enter_context(contextlib.contextmanager(ft.serve)())
        zalo = stack.enter_context(FakeZalo())
        access, refresh = zalo.pair()
        env = {
            "RATE_LIMIT_SENDER_PER_MINUTE": str(SENDER_LIMIT),
            "RATE_LIMIT_IP_PER_MINUTE": str(IP_LIMIT),
            "MAX_BODY_BYTES": "4096",
            "SANIC_PROXIES_COUNT": "1",
            "RASA_JWT_SECRET": secrets.token_hex(32),
            "TELEGRAM_TOKEN": ft.TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": telegram.url,
            "TELEGRAM_MODE": "polling",
            "TELEGRAM_POLL_TIMEOUT": "2",
            "ZALO_API_BASE_URL": zalo.base_url,
            "ZALO_OAUTH_BASE_URL": zalo.base_url,
            "ZALO_APP_ID": APP_ID,
            "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
            "ZALO_APP_SECRET": APP_SECRET,
            "ZALO_ACCESS_TOKEN": access,
            "ZALO_REFRESH_TOKEN": refresh,
            "ZALO_TOKEN_FILE": str(token_file),
            "ZALO_RETRY_DELAYS": ZALO_RETRY_DELAYS,
            "WEB_SESSION_SECRET": secrets.token_hex(32),
            "WEB_ALLOWED_ORIGINS": PORTAL,
        }
        if tracker_db is not None:
            tracker_db.parent.mkdir()
            env["TRACKER_STORE_URL"] = f"sqlite:///{tracker_db}"
        logs = folder / "logs"
        logs.mkdir()
        assistant = stack.enter_context(start_assistant(f"sqlite:///{database}", logs, env))
        yield Channels(assistant, telegram, zalo, f"sqlite:///{database}", token_file, tracker_db)
