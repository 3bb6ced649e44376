"""A fake Rasa server speaking the parts of its HTTP API the app uses (trigger_intent, tracker, events)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class FakeRasa:
    """What the fake received, and how it should answer."""

    url: str = ""
    #: The ``--jwt-secret`` the fake checks tokens against.
    token: str = "rasa-jwt-secret-for-the-fake-0123456789"
    requests: list[dict[str, Any]] = field(default_factory=list)
    #: The tracker's events (every conversation's: tests use one at a time); a staff reply through
    #: ``trigger_intent`` appends the events the real server records for it.
    events: list[dict[str, Any]] = field(default_factory=list)
    #: The events appended through ``POST .../tracker/events``, per conversation, in order.
    appended: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_with: int | None = None
    #: What ``POST /model/parse`` answers per text (default: a general question, no entities).
    parses: dict[str, dict[str, Any]] = field(default_factory=dict)

    def parse(self, text: str) -> dict[str, Any]:
        """The NLU reading the fake gives `text`."""
        return self.parses.get(
            text, {"text": text, "intent": {"name": "ask_general", "confidence": 0.9}, "entities": []}
        )

    def slots(self, sender_id: str) -> dict[str, Any]:
        """The slot values the appended events leave in a conversation."""
        values: dict[str, Any] = {}
        for event in self.appended.get(sender_id, []):
            if event.get("event") == "slot":
                values[event["name"]] = event["value"]
        return values


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_payload(authorization: str | None, secret: str) -> dict[str, Any] | None:
    """The payload of a valid, unexpired HS256 ``Bearer`` token signed with `secret`, else None."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    try:
        header, payload, signature = authorization[len("Bearer ") :].split(".")
        expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if json.loads(_unb64(header)).get("alg") != "HS256" or not hmac.compare_digest(
            _unb64(signature), expected
        ):
            return None
        claims = json.loads(_unb64(payload))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) and claims.get("exp", 0) > time.time() else None


def _handler(state: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self, body: Any) -> tuple[str, dict[str, list[str]]]:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            claims = jwt_payload(self.headers.get("Authorization"), state.token)
            state.requests.append(
                {"method": self.command, "path": parts.path, "query": query, "json": body, "jwt": claims}
            )
            return parts.path, query

        def _authorised(self, query: dict[str, list[str]]) -> bool:
            # Rasa's --jwt-secret: a valid token of an admin, else 401 (a plain ?token= is no token).
            claims = state.requests[-1]["jwt"]
            if not claims or (claims.get("user") or {}).get("role") != "admin":
                self._answer(401, {"status": "failure", "reason": "NotAuthenticated", "code": 401})
                return False
            return True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            path, query = self._record(body)
            if not self._authorised(query):
                return
            if state.fail_with:
                self._answer(state.fail_with, {"status": "failure"})
                return
            if path.endswith("/tracker/events"):
                sender = unquote(path.split("/")[2])
                events = body if isinstance(body, list) else [body]
                state.appended.setdefault(sender, []).extend(events)
                self._answer(200, {"sender_id": sender, "events": None})
                return
            if path == "/model/parse":
                self._answer(200, state.parse(str((body or {}).get("text") or "")))
                return
            if path.endswith("/trigger_intent"):
                text = (body.get("entities") or {}).get("staff_message", "")
                # What the real server keeps in the tracker: an external user event in the citizen's
                # name, the relay action, and its message under the desk's heading.
                stamp = time.time()
                state.events.extend(
                    [
                        {
                            "event": "user",
                            "timestamp": stamp,
                            "metadata": {"is_external": True},
                            "text": f"EXTERNAL: {body.get('name')}",
                            "parse_data": {"intent": {"name": body.get("name"), "confidence": 1.0}},
                        },
                        {"event": "action", "timestamp": stamp, "name": "action_relay_staff_reply"},
                        {
                            "event": "bot",
                            "timestamp": stamp + 0.01,
                            "text": f"Cán bộ Một cửa trả lời:\n{text}",
                            "data": {"custom": {"type": "staff_reply"}},
                        },
                        {"event": "action", "timestamp": stamp + 0.02, "name": "action_listen"},
                    ]
                )
                self._answer(200, {"tracker": {}, "messages": [{"recipient_id": "x", "text": text}]})
                return
            self._answer(404, {"status": "failure"})

        def do_GET(self) -> None:
            path, query = self._record(None)
            if not self._authorised(query):
                return
            if path.endswith("/tracker"):
                self._answer(200, {"sender_id": path.split("/")[2], "events": state.events})
                return
            self._answer(404, {"status": "failure"})

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_rasa() -> Iterator[FakeRasa]:
    """Run the fake on a free loopback port."""
    state = FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
