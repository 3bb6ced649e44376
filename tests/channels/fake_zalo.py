"""A fake Zalo Official Account API on loopback, for the channel tests of both environments.

Standard library only (the app environment has no aiohttp). It speaks the protocol the connector
uses (`connectors/zalo_api.py`):

- ``POST /v3.0/oa/message/cs`` with header ``access_token`` and a JSON body ``{"recipient":
  {"user_id": ...}, "message": {"text": ..., "attachment"?: {"type": "template", "payload":
  {"buttons": [...]}}}}``; answers ``{"error": 0, "message": "Success", "data": {"message_id",
  "user_id"}}``, ``{"error": -216, "message": "Access token is invalid"}`` for any token but the
  current one, ``{"error": -201, ...}`` for a malformed body (text over 2,000 characters, a button
  of the wrong shape).
- ``POST /v4/oa/access_token`` with header ``secret_key`` and the form ``refresh_token``, ``app_id``,
  ``grant_type=refresh_token``: accepts each refresh token ONCE, issuing a new pair (the old access
  token dies with it), like Zalo; a used or unknown refresh token gets an ``error``.

Switches: `expire_access_token()`, `fail_next(n)` (HTTP 500), `go_down()` / `come_up()` (connection
refused), `refresh_delay` (keeps a refresh in flight so concurrent senders overlap). It records the
delivered messages and counts refreshes and -216 answers. `signed(event)` signs a webhook event the
way Zalo does, for posting to the connector.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

APP_ID = "1234567890123456789"
APP_SECRET = "fake-app-secret-key"
OA_SECRET_KEY = "fake-oa-secret-key"
OA_ID = "579745863508352884"

MESSAGE_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
MAX_TEXT_CHARS = 2000
BUTTON_TYPES = {"oa.query.hide", "oa.query.show", "oa.open.url"}

_msg_ids = itertools.count(1)


def sign(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo sends: ``mac=`` + sha256(app_id + body + timestamp + key)."""
    data = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


def text_event(user_id: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
    """A ``user_send_text`` webhook event."""
    return _user_event("user_send_text", user_id, {"text": text}, msg_id)


def click_event(user_id: str, payload: str, msg_id: str | None = None) -> dict[str, Any]:
    """A ``user_click_button`` event (the payload in ``message.text``, as for oa.query.hide)."""
    return _user_event("user_click_button", user_id, {"text": payload}, msg_id)


def image_event(user_id: str, msg_id: str | None = None) -> dict[str, Any]:
    """A ``user_send_image`` event."""
    attachment = {
        "type": "image",
        "payload": {"thumbnail": "https://example.org/t.jpg", "url": "https://example.org/i.jpg"},
    }
    return _user_event("user_send_image", user_id, {"attachments": [attachment]}, msg_id)


def follow_event(user_id: str) -> dict[str, Any]:
    """A ``follow`` event (the user is in ``follower.id``)."""
    return {
        "app_id": APP_ID,
        "oa_id": OA_ID,
        "user_id_by_app": "55" + user_id,
        "event_name": "follow",
        "source": "oa_profile",
        "follower": {"id": user_id},
        "timestamp": str(int(time.time() * 1000)),
    }


def _user_event(name: str, user_id: str, message: dict[str, Any], msg_id: str | None) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "user_id_by_app": "55" + user_id,
        "event_name": name,
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "message": {"msg_id": msg_id or secrets.token_hex(16), **message},
    }


def signed(event: dict[str, Any], oa_secret_key: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would POST for `event`."""
    raw = json.dumps(event, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-ZEvent-Signature": sign(APP_ID, raw, str(event["timestamp"]), oa_secret_key),
    }
    return raw, headers


@dataclass
class Delivered:
    """A message the fake accepted."""

    user_id: str
    message: dict[str, Any]

    @property
    def text(self) -> str:
        """The message's text."""
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The template buttons under the message (empty when none)."""
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])


def _button_error(button: Any) -> str | None:
    if not isinstance(button, dict) or not isinstance(button.get("title"), str) or not button["title"]:
        return "button without title"
    kind, payload = button.get("type"), button.get("payload")
    if kind not in BUTTON_TYPES:
        return f"unknown button type {kind!r}"
    if kind == "oa.open.url":
        if not isinstance(payload, dict) or not str(payload.get("url", "")).startswith(
            ("http://", "https://")
        ):
            return "oa.open.url needs payload.url"
    elif not isinstance(payload, str) or not payload:
        return f"{kind} needs a string payload"
    return None


def message_error(body: Any) -> str | None:
    """Why Zalo would refuse this message body (None when it is well formed)."""
    if not isinstance(body, dict):
        return "body is not an object"
    recipient, message = body.get("recipient"), body.get("message")
    if (
        not isinstance(recipient, dict)
        or not isinstance(recipient.get("user_id"), str)
        or not recipient["user_id"]
    ):
        return "recipient.user_id missing"
    if not isinstance(message, dict):
        return "message missing"
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return "message.text missing"
    if len(text) > MAX_TEXT_CHARS:
        return "message.text longer than 2000 characters"
    attachment = message.get("attachment")
    if attachment is not None:
        if not isinstance(attachment, dict) or attachment.get("type") != "template":
            return "attachment is not a template"
        buttons = (
            (attachment.get("payload") or {}).get("buttons")
            if isinstance(attachment.get("payload"), dict)
            else None
        )
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 5:
            return "template needs 1 to 5 buttons"
        for button in buttons:
            error = _button_error(button)
            if error:
                return error
    return None


class FakeZalo:
    """The fake API's state and server; use as a context manager (or `start()` / `stop()`).

    Args:
        host: interface to listen on.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.app_id = APP_ID
        self.app_secret = APP_SECRET
        self._cond = threading.Condition()
        self.access_token, self.refresh_token = self._new_pair()
        #: Refresh tokens already exchanged (a second use is refused).
        self.used_refresh_tokens: set[str] = set()
        self.delivered: list[Delivered] = []
        #: Message requests refused, as (error code or HTTP status, reason).
        self.refused: list[tuple[int, str]] = []
        self.refreshes = 0
        self.refused_refreshes = 0
        self.expired_answers = 0
        self.failed_answers = 0
        self._fail_remaining = 0
        #: Seconds a refresh takes (so that concurrent senders all meet the expired token).
        self.refresh_delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def __enter__(self) -> FakeZalo:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The base URL of both APIs (ZALO_API_BASE_URL and ZALO_OAUTH_BASE_URL)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Listen (on a free port the first time, on the same port after `go_down`)."""
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-zalo", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (connections are refused until `start`)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- switches ------------------------------------------------------------------------------------

    def go_down(self) -> None:
        """Refuse connections (as when Zalo is unreachable) until `come_up`."""
        self.stop()

    def come_up(self) -> None:
        """Listen again on the same port."""
        self.start()

    def fail_next(self, count: int) -> None:
        """Answer the next `count` message requests with HTTP 500."""
        with self._cond:
            self._fail_remaining = count

    def expire_access_token(self) -> None:
        """The current access token stops working (-216) until a refresh issues a new one."""
        with self._cond:
            self.access_token = "expired-" + secrets.token_hex(4)

    def pair(self) -> tuple[str, str]:
        """The current (access token, refresh token)."""
        with self._cond:
            return self.access_token, self.refresh_token

    # -- what the test reads -------------------------------------------------------------------------

    def messages_for(self, user_id: str) -> list[Delivered]:
        """The messages delivered to a user, oldest first."""
        with self._cond:
            return [d for d in self.delivered if d.user_id == user_id]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 120) -> bool:
        """Wait until `predicate()` holds (re-checked on every delivery); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.5))
            return True

    def wait_messages(self, user_id: str, count: int = 1, timeout: float = 120) -> list[Delivered]:
        """Wait until a user has at least `count` messages; return them (fails the test on timeout)."""
        if not self.wait_for(
            lambda: len([d for d in self.delivered if d.user_id == user_id]) >= count, timeout
        ):
            raise AssertionError(
                f"{count} message(s) for {user_id} not delivered in {timeout} s: {self.messages_for(user_id)}"
            )
        return self.messages_for(user_id)

    def wait_text(self, user_id: str, needle: str, timeout: float = 120) -> list[Delivered]:
        """Wait until a message to the user contains `needle`; return the user's messages."""

        def found() -> bool:
            return any(needle in d.text for d in self.delivered if d.user_id == user_id)

        if not self.wait_for(found, timeout):
            raise AssertionError(
                f"no message with {needle!r} for {user_id} in {timeout} s: {self.messages_for(user_id)}"
            )
        return self.messages_for(user_id)

    # -- protocol ------------------------------------------------------------------------------------

    @staticmethod
    def _new_pair() -> tuple[str, str]:
        return "access-" + secrets.token_urlsafe(12), "refresh-" + secrets.token_urlsafe(12)

    def handle_message(self, access_token: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self._cond:
            if self._fail_remaining > 0:
                self._fail_remaining -= 1
                self.failed_answers += 1
                return 500, {"error": -1, "message": "Internal Server Error"}
            if not access_token or access_token != self.access_token:
                self.expired_answers += 1
                return 200, {"error": -216, "message": "Access token is invalid"}
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        error = message_error(body)
        with self._cond:
            if error:
                self.refused.append((-201, error))
                return 200, {"error": -201, "message": f"Parameters are invalid: {error}"}
            user_id = body["recipient"]["user_id"]
            self.delivered.append(Delivered(user_id, body["message"]))
            self._cond.notify_all()
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"message_id": f"m{next(_msg_ids)}", "user_id": user_id},
        }

    def handle_refresh(self, secret_key: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self._cond:
            if secret_key != self.app_secret or form.get("app_id") != self.app_id:
                self.refused_refreshes += 1
                return 200, {
                    "error": -14002,
                    "error_name": "Invalid app",
                    "error_description": "app id or secret key is wrong",
                }
            token = form.get("refresh_token", "")
            if (
                form.get("grant_type") != "refresh_token"
                or token != self.refresh_token
                or token in self.used_refresh_tokens
            ):
                self.refused_refreshes += 1
                return 200, {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_description": "Refresh token is invalid or used",
                }
            self.used_refresh_tokens.add(token)
            self.access_token, self.refresh_token = self._new_pair()
            self.refreshes += 1
            return 200, {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }


class _Handler(BaseHTTPRequestHandler):
    owner: FakeZalo

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0] == MESSAGE_PATH:
            status, body = self.owner.handle_message(self.headers.get("access_token"), raw)
        elif self.path.split("?")[0] == REFRESH_PATH:
            form = dict(parse_qsl(raw.decode("utf-8", "replace")))
            status, body = self.owner.handle_refresh(self.headers.get("secret_key"), form)
        else:
            status, body = 404, {"error": 404, "message": "not found"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def fake_zalo() -> Iterator[FakeZalo]:
    """A started fake, stopped afterwards."""
    with FakeZalo() as fake:
        yield fake
