"""The app's client for the Rasa server's HTTP API (``rasa run --enable-api --auth-token ...``).

Used by the staff workspace to send an officer's reply to a citizen: the app triggers the external
intent ``EXTERNAL_staff_reply`` with the text as the ``staff_message`` entity, and the Rasa server
runs ``action_relay_staff_reply``, which utters it on the citizen's own channel
(``output_channel=latest``). Also reads a conversation's recent messages for the inbox.

The API must never be public: it sits behind the token (RASA_API_TOKEN) on a private network.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from knowledge_base.settings import get_settings

STAFF_REPLY_INTENT = "EXTERNAL_staff_reply"
STAFF_MESSAGE_ENTITY = "staff_message"


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

    sender: str  # "user" | "bot"
    text: str
    at: dt.datetime | None


class RasaClient:
    """Calls the Rasa server's HTTP API; returns data or raises `RasaClientError`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create the client.

        Args:
            base_url: the Rasa server, e.g. ``http://127.0.0.1:5005``.
            token: the server's ``--auth-token`` (sent as the ``token`` query parameter).
            timeout: seconds per request.
            transport: an httpx transport (tests).
        """
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._transport = transport

    def _url(self, sender_id: str, tail: str) -> str:
        # Sender ids come from channels (Telegram chat ids, widget session ids): quote every character
        # that could change the path.
        return f"{self._base}/conversations/{quote(sender_id, safe='')}/{tail}"

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", {}))
        if self._token:
            params["token"] = self._token
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as client:
                response = client.request(method, url, params=params, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaClientError(f"Rasa server unreachable: {type(exc).__name__}") from exc
        if response.status_code in (401, 403):
            raise RasaClientError("Rasa server refused the API token", response.status_code)
        if response.status_code >= 400:
            raise RasaClientError(f"Rasa server answered {response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            raise RasaClientError("Rasa server answered something that is not JSON") from exc

    def send_staff_reply(self, sender_id: str, text: str) -> list[dict[str, Any]]:
        """Send an officer's text to a citizen through their latest channel; return the bot messages.

        ``POST /conversations/{sender_id}/trigger_intent?output_channel=latest&token=...`` with
        ``{"name": "EXTERNAL_staff_reply", "entities": {"staff_message": text}}``.

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

    def conversation_messages(self, sender_id: str, *, limit: int = 30) -> list[ConversationMessage]:
        """The latest user and bot messages of a conversation, oldest first.

        Raises:
            RasaClientError: the server is down, refused the token, or failed.
        """
        body = self._request("GET", self._url(sender_id, "tracker"), params={"include_events": "ALL"})
        events = body.get("events") if isinstance(body, dict) else None
        messages: list[ConversationMessage] = []
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
                continue
            text = event.get("text")
            if not isinstance(text, str) or not text or text.startswith("/"):
                continue  # button payloads and custom-only messages
            stamp = event.get("timestamp")
            at = (
                dt.datetime.fromtimestamp(float(stamp), tz=dt.timezone.utc)
                if isinstance(stamp, (int, float))
                else None
            )
            messages.append(ConversationMessage(str(event["event"]), text, at))
        return messages[-limit:]


@functools.lru_cache(maxsize=4)
def _client(base_url: str, token: str, timeout: float) -> RasaClient:
    return RasaClient(base_url, token, timeout=timeout)


def get_rasa_client() -> RasaClient:
    """The client configured by RASA_URL, RASA_API_TOKEN and RASA_TIMEOUT."""
    settings = get_settings()
    return _client(settings.rasa_url, settings.rasa_api_token, settings.rasa_timeout)
