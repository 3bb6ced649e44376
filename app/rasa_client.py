"""The app's client for the Rasa server's HTTP API (``rasa run --enable-api --jwt-secret ...``).

Used by the staff workspace to send an officer's reply to a citizen: the app triggers the external
intent ``EXTERNAL_staff_reply`` with the text as the ``staff_message`` entity, and the Rasa server
runs ``action_relay_staff_reply``, which utters it on the citizen's own channel
(``output_channel=latest``). Also reads a conversation's recent messages for the inbox, and pauses
or resumes the bot for a conversation an officer takes or gives back: the slot ``handoff_until``
that ``bot.handoff_policy`` reads, appended as events (``POST .../tracker/events``).

The API must never be public: it sits on a private network and answers only requests carrying a
JSON Web Token signed with the shared secret (``RASA_JWT_SECRET``, at least 32 characters; the Rasa
server runs with ``--jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256`` and no ``--auth-token``).
Each request gets a fresh HS256 token valid for `JWT_LIFETIME_SECONDS`, sent as
``Authorization: Bearer``, with the payload Rasa's API checks: ``{"user": {"username":
"tthc-staff-app", "role": "admin"}, "exp": ...}`` (signed here with the standard library: the app
needs no JWT package). ``RASA_API_TOKEN`` is still read as a deprecated name of the secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from knowledge_base.settings import get_settings

STAFF_REPLY_INTENT = "EXTERNAL_staff_reply"
STAFF_MESSAGE_ENTITY = "staff_message"
#: The slots of a handoff in the Rasa tracker (domain.yml): the pause, the ticket, the note said once.
PAUSE_SLOT = "handoff_until"
TICKET_SLOT = "handoff_ticket"
NOTED_SLOT = "handoff_noted"
#: ... the officer's display name (the widget's header), how long an untaken ticket waits, the question
#: kept for the assistant, and the intent that gives the conversation back (``action_handoff_released``).
OFFICER_SLOT = "handoff_officer"
WAITING_SLOT = "handoff_waiting_until"
PENDING_SLOT = "handoff_pending"
RELEASED_INTENT = "EXTERNAL_handoff_released"
#: Longest officer name put in the tracker (the display name only; never a username or an e-mail).
MAX_OFFICER_CHARS = 80
#: Who the app is to the Rasa API: an admin may act on any conversation (a "user" only on its own).
JWT_USER = {"username": "tthc-staff-app", "role": "admin"}
#: Seconds a token is valid: long enough for one request, short enough to be worthless if logged.
JWT_LIFETIME_SECONDS = 60


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(
    secret: str,
    *,
    user: dict[str, str] | None = None,
    lifetime: float = JWT_LIFETIME_SECONDS,
    now: float | None = None,
) -> str:
    """An HS256 JSON Web Token for the Rasa HTTP API (RFC 7519), signed with `secret`.

    Args:
        secret: the Rasa server's ``--jwt-secret``.
        user: the ``user`` claim (default `JWT_USER`).
        lifetime: seconds until the token expires (negative: already expired, for tests).
        now: the current Unix time (default: the clock).
    """
    issued = time.time() if now is None else now
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"user": dict(user or JWT_USER), "exp": int(issued + lifetime)}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode("utf-8")) for part in (header, payload)
    )
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


class RasaClientError(Exception):
    """The Rasa server could not be reached or refused the request."""

    def __init__(self, message: str, status: int | None = None) -> None:
        """Create the error.

        Args:
            message: what went wrong (English, for logs; never contains message text).
            status: the HTTP status the Rasa server answered, if it answered.
        """
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ConversationMessage:
    """One message of a conversation, as kept in the Rasa tracker."""

    sender: str  # "user" (the citizen) | "bot" (the assistant) | "staff" (an officer's relayed reply)
    text: str
    at: dt.datetime | None


#: The ``custom`` payload type of the relayed reply (``answers.handoff.staff_reply``) ...
STAFF_REPLY_TYPE = "staff_reply"
#: ... the action that utters it, and the heading it puts above the officer's text for the citizen.
STAFF_REPLY_ACTION = "action_relay_staff_reply"
STAFF_REPLY_HEADING = "Cán bộ Một cửa trả lời:\n"
#: Rasa's text of a user event made by ``trigger_intent`` (``UserUttered.create_external``).
EXTERNAL_PREFIX = "EXTERNAL: "


def _is_internal_user_event(event: dict[str, Any]) -> bool:
    """An event the API made in the citizen's name (a staff reply's trigger), not something they typed."""
    text = event.get("text")
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    metadata = event.get("metadata") or {}
    return (
        (isinstance(text, str) and text.startswith(EXTERNAL_PREFIX))
        or (isinstance(intent, str) and intent.startswith("EXTERNAL_"))
        or (isinstance(metadata, dict) and metadata.get("is_external") is True)
        # The question the assistant answers again after a handoff (actions.handoff REPLAYED): the
        # citizen sent it once, and the officer's timeline shows it once.
        or (isinstance(metadata, dict) and metadata.get("replayed") is True)
    )


def _is_staff_reply(event: dict[str, Any], last_action: str) -> bool:
    custom = (event.get("data") or {}).get("custom")
    return last_action == STAFF_REPLY_ACTION or (
        isinstance(custom, dict) and custom.get("type") == STAFF_REPLY_TYPE
    )


class RasaClient:
    """Calls the Rasa server's HTTP API; returns data or raises `RasaClientError`."""

    def __init__(
        self,
        base_url: str,
        jwt_secret: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the client.

        Args:
            base_url: the Rasa server, e.g. ``http://127.0.0.1:5005``.
            jwt_secret: the server's ``--jwt-secret`` (each request carries a token signed with it).
            timeout: seconds per request.
            transport: an httpx transport (tests).
            clock: Unix time, for the tokens' expiry (tests).
        """
        self._base = base_url.rstrip("/")
        self._secret = jwt_secret
        self._timeout = timeout
        self._transport = transport
        self._clock = clock

    def _url(self, sender_id: str, tail: str) -> str:
        # Sender ids come from channels (Telegram chat ids, widget session ids): quote every character
        # that could change the path.
        return f"{self._base}/conversations/{quote(sender_id, safe='')}/{tail}"

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", {}))
        headers = {}
        if self._secret:
            headers["Authorization"] = f"Bearer {make_jwt(self._secret, now=self._clock())}"
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as client:
                response = client.request(method, url, params=params, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaClientError(f"Rasa server unreachable: {type(exc).__name__}") from exc
        if response.status_code in (401, 403):
            raise RasaClientError("Rasa server refused the API token (JWT)", response.status_code)
        if response.status_code >= 400:
            raise RasaClientError(f"Rasa server answered {response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            raise RasaClientError("Rasa server answered something that is not JSON") from exc

    def send_staff_reply(self, sender_id: str, text: str) -> list[dict[str, Any]]:
        """Send an officer's text to a citizen through their latest channel; return the bot messages.

        ``POST /conversations/{sender_id}/trigger_intent?output_channel=latest`` with a JWT and the
        body ``{"name": "EXTERNAL_staff_reply", "entities": {"staff_message": text}}``.

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """
        body = self._request(
            "POST",
            self._url(sender_id, "trigger_intent"),
            params={"output_channel": "latest"},
            json={"name": STAFF_REPLY_INTENT, "entities": {STAFF_MESSAGE_ENTITY: text}},
        )
        messages = body.get("messages") if isinstance(body, dict) else None
        return list(messages) if isinstance(messages, list) else []

    def set_handoff_pause(
        self,
        sender_id: str,
        *,
        until: float | None,
        ticket_id: int | None = None,
        officer: str | None = None,
        keep_pending: bool = False,
    ) -> None:
        """Pause the bot for a conversation an officer took (until `until`), or resume it (None).

        ``POST /conversations/{sender_id}/tracker/events`` with slot events: ``handoff_until`` (read by
        the Rasa server's handoff policy), ``handoff_ticket`` and ``handoff_officer`` (the officer's
        display name, shown in the web widget's header: "Cán bộ … đang trả lời"). Pausing also ends an
        active form (the officer leads the conversation now); resuming clears the ticket, its note, the
        officer and the question kept (unless `keep_pending`: `release_handoff` answers it next),
        silently (`release_handoff` tells the citizen).

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """

        def slot(name: str, value: Any) -> dict[str, Any]:
            return {"event": "slot", "name": name, "value": value}

        if until is None:
            cleared = [PAUSE_SLOT, TICKET_SLOT, NOTED_SLOT, OFFICER_SLOT, WAITING_SLOT]
            events = [slot(name, None) for name in [*cleared, *([] if keep_pending else [PENDING_SLOT])]]
        else:
            name = " ".join((officer or "").split())[:MAX_OFFICER_CHARS]
            events = [
                {"event": "active_loop", "name": None},
                slot("requested_slot", None),
                slot(PAUSE_SLOT, float(until)),
                slot(TICKET_SLOT, None if ticket_id is None else float(ticket_id)),
                slot(OFFICER_SLOT, name or None),
            ]
        self._request(
            "POST",
            self._url(sender_id, "tracker/events"),
            params={"include_events": "NONE"},
            json=events,
        )

    def conversation_messages(self, sender_id: str, *, limit: int = 30) -> list[ConversationMessage]:
        """The latest messages of a conversation as the citizen saw them, oldest first.

        Internal events are left out: the user event ``trigger_intent`` makes for a staff reply
        ("EXTERNAL: EXTERNAL_staff_reply"), button payloads ("/intent{...}") and bot messages with
        no text. The reply ``action_relay_staff_reply`` utters is the officer's (sender "staff"),
        without the heading the citizen sees above it.

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """
        body = self._request("GET", self._url(sender_id, "tracker"), params={"include_events": "ALL"})
        events = body.get("events") if isinstance(body, dict) else None
        messages: list[ConversationMessage] = []
        last_action = ""
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            kind = event.get("event")
            if kind == "action":
                last_action = str(event.get("name") or "")
                continue
            if kind not in ("user", "bot"):
                continue
            text = event.get("text")
            if not isinstance(text, str) or not text.strip() or text.startswith("/"):
                continue  # button payloads and custom-only messages
            sender = str(kind)
            if kind == "user" and _is_internal_user_event(event):
                continue
            if kind == "bot" and _is_staff_reply(event, last_action):
                sender = "staff"
                text = text.removeprefix(STAFF_REPLY_HEADING)
            stamp = event.get("timestamp")
            at = (
                dt.datetime.fromtimestamp(float(stamp), tz=dt.timezone.utc)
                if isinstance(stamp, (int, float))
                else None
            )
            messages.append(ConversationMessage(sender, text, at))
        return messages[-limit:]

    def parse(self, text: str) -> dict[str, Any]:
        """The NLU's reading of `text` (intent, confidence, entities), as the assistant would read it.

        ``POST /model/parse`` with ``{"text": text}``: no conversation is touched.

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """
        body = self._request("POST", f"{self._base}/model/parse", json={"text": text})
        if not isinstance(body, dict) or not isinstance(body.get("intent"), dict):
            raise RasaClientError("Rasa server answered a parse without an intent")
        return body

    def release_handoff(self, sender_id: str) -> list[dict[str, Any]]:
        """Give a conversation back to the assistant and tell the citizen; return the bot messages.

        ``POST /conversations/{sender_id}/trigger_intent?output_channel=latest`` with the intent
        ``EXTERNAL_handoff_released``: the Rasa server runs ``action_handoff_released``, which clears the
        handoff's slots, says "Trợ lý đã quay lại" on the citizen's channel and answers the question
        the citizen asked while waiting (unless an officer answered after it).

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """
        body = self._request(
            "POST",
            self._url(sender_id, "trigger_intent"),
            params={"output_channel": "latest"},
            json={"name": RELEASED_INTENT, "entities": {}},
        )
        messages = body.get("messages") if isinstance(body, dict) else None
        return list(messages) if isinstance(messages, list) else []


@functools.lru_cache(maxsize=4)
def _client(base_url: str, jwt_secret: str, timeout: float) -> RasaClient:
    return RasaClient(base_url, jwt_secret, timeout=timeout)


def get_rasa_client() -> RasaClient:
    """The client configured by RASA_URL, RASA_JWT_SECRET and RASA_TIMEOUT."""
    settings = get_settings()
    return _client(settings.rasa_url, settings.rasa_jwt_secret, settings.rasa_timeout)
