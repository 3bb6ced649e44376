"""A fake Telegram Bot API server on loopback, for the channel tests of both environments.

Standard library only (the app environment has no aiohttp). It speaks the Bot API's HTTP protocol
as python-telegram-bot uses it: `POST /bot<token>/<method>` with a JSON (or form) body, answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...,
"parameters": {"retry_after": ...}}`. It records every call, can answer the next call of a method
with 429 once, and serves `getUpdates` long polling from a queue the test fills.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TOKEN = "123456:TEST-token_for-the-fake"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Trợ lý TTHC", "username": "tthc_test_bot"}

_update_ids = itertools.count(int(time.time()) % 100_000 * 1000)
_message_ids = itertools.count(1)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    #: time.monotonic() when it arrived.
    at: float
    #: The HTTP status answered.
    status: int = 200


@dataclass
class FakeTelegram:
    """The fake server's state; use `serve()` to run it."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    _failures: dict[str, list[int]] = field(default_factory=dict)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""
    #: getUpdates ends a long poll early after this many seconds (keeps shutdown quick).
    max_poll_seconds: float = 2.0

    # -- what the test sets up -------------------------------------------------------------------

    def fail_next(self, method: str, retry_after: int) -> None:
        """Answer the next `method` call with 429 and `retry_after` (once)."""
        with self._lock:
            self._failures.setdefault(method, []).append(retry_after)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        with self._lock:
            self._updates.append(update)
            self._lock.notify_all()

    # -- what the test reads -----------------------------------------------------------------------

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        """The recorded calls of `method` (answered or not), for one chat if given."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
            ]

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages delivered to a chat (sendMessage calls answered 200), oldest first."""
        return [c.params for c in self.calls_of("sendMessage", chat_id) if c.status == 200]

    def wait_for(self, check: Callable[[], Any], timeout: float = 90.0) -> Any:
        """Wait until `check()` is truthy and return its value; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"condition not met in {timeout} s; calls: {[c.method for c in self.calls]}")

    def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 90.0) -> list[dict[str, Any]]:
        """Wait until at least `count` messages reached `chat_id`; return them all."""
        return self.wait_for(lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout)

    # -- the protocol -----------------------------------------------------------------------------

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call (called from the HTTP handler's thread) and record it."""
        arrived = time.monotonic()
        status, answer = self._answer(token, method, params)
        with self._lock:
            self.calls.append(Call(method, params, arrived, status))
        return status, answer

    def _answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if token != self.token:
            return _error(401, "Unauthorized")
        with self._lock:
            pending = self._failures.get(method)
            retry_after = pending.pop(0) if pending else None
        if retry_after is not None:
            return _error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method == "sendMessage":
            text = params.get("text")
            if not isinstance(text, str) or not text.strip():
                return _error(400, "Bad Request: message text is empty")
            if len(text.encode("utf-16-le")) // 2 > 4096:
                return _error(400, "Bad Request: message is too long")
            message = {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": text,
            }
            return 200, {"ok": True, "result": message}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method in {"answerCallbackQuery", "deleteWebhook", "setWebhook"}:
            return 200, {"ok": True, "result": True}
        return _error(404, "Not Found: method not found")

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        deadline = time.monotonic() + timeout
        with self._lock:
            # An offset confirms every update before it: Telegram forgets them.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._lock.wait(max(0.0, deadline - time.monotonic()))
            return list(self._updates)


def _error(code: int, description: str, retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
    answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        answer["parameters"] = {"retry_after": retry_after}
    return code, answer


def _handler(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")
            if len(segments) != 2 or not segments[0].startswith("bot"):
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            params: dict[str, Any] = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if body:
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(body))
                else:
                    params.update(parse_qsl(body.decode()))
            if isinstance(params.get("reply_markup"), str):
                params["reply_markup"] = json.loads(params["reply_markup"])
            status, answer = fake.handle(segments[0][3:], segments[1], params)
            self._reply(status, answer)

        def _reply(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # the base class names it `format`
            """Keep test output quiet."""

    return Handler


def serve(token: str = TOKEN) -> Iterator[FakeTelegram]:
    """Run a fake Bot API on a free loopback port (a generator for fixtures); `fake.url` is its base."""
    fake = FakeTelegram(token=token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-telegram", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# -- updates as Telegram sends them ---------------------------------------------------------------


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Nguyễn", "last_name": "Văn A"}


def _user(chat_id: int) -> dict[str, Any]:
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Nguyễn",
        "last_name": "Văn A",
        "language_code": "vi",
    }


def message_update(chat_id: int, text: str | None = None, **content: Any) -> dict[str, Any]:
    """An update with a new message: `text`, or other content (`photo=[...]`, `sticker={...}`)."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id),
        "from": _user(chat_id),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(content)
    return {"update_id": next(_update_ids), "message": message}


def photo_update(chat_id: int) -> dict[str, Any]:
    """A photo without caption."""
    return message_update(
        chat_id,
        photo=[{"file_id": "AgAD-photo", "file_unique_id": "AQAD", "width": 90, "height": 90}],
    )


def sticker_update(chat_id: int) -> dict[str, Any]:
    """A sticker."""
    return message_update(
        chat_id,
        sticker={
            "file_id": "CAAD-sticker",
            "file_unique_id": "AgAD",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    )


def callback_update(chat_id: int, data: str) -> dict[str, Any]:
    """A pressed inline button under an earlier bot message."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{next(_message_ids)}",
            "from": _user(chat_id),
            "chat_instance": "-42",
            "data": data,
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": _chat(chat_id),
                "from": BOT_USER,
                "text": "…",
            },
        },
    }


def new_chat_id() -> int:
    """A chat id no other test uses."""
    return 700_000_000 + next(_update_ids)
