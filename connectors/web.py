"""The web widget's channel: signed session ids, JSON answers, conversation history, strict CORS.

Routes (under ``/webhooks/web/``):

- ``GET  /``          health.
- ``POST /session``   issues a new session id: 128 random bits plus an HMAC-SHA256 signature made
  with ``WEB_SESSION_SECRET``, so the channel can tell the ids it issued from forged ones without
  storing them. Rasa's REST channel trusts any ``sender``; this channel talks only to ids it issued.
- ``POST /webhook``   ``{"session_id", "message"}`` or ``{"session_id", "payload", "title"}`` (a
  pressed button); answers ``{"messages": [{"text", "buttons", "custom"}, ...]}`` once the bot is
  done, one entry per bot message (text, its buttons and its custom payload kept together).
- ``GET  /history?session_id=...[&since=N]``  the conversation so far, read from the agent's tracker
  store, so the widget can restore it after a page reload, and find what arrived without a request of
  its own (a desk officer's reply, the assistant back after a handoff): ``{"messages": [...],
  "count": N, "handoff": {"state", "officer"}}``. ``count`` is how many messages the conversation
  holds; with ``since`` only the messages after the first ``since`` are returned. ``handoff`` is
  where the conversation stands: ``"waiting"`` (a ticket waits for an officer), ``"staff"`` (an
  officer has it; ``officer`` their display name or null) or ``"bot"``.

The webhook's answer also carries ``handoff`` and ``turn``: ``{"start", "end"}``, the positions in the
history of this message and its answers, so the widget knows which history messages it has shown.

Every message takes the shared path (`connectors.common.prepare`); a cut message is answered with
`TOO_LONG_NOTE` first. Request bodies are read up to a limit (413 above it) on every route, and
parsed only when they nest at most `limits.MAX_JSON_DEPTH` levels (400, never a parser's traceback);
messages are rate-limited per session and per address, sessions and history per address
(`connectors.limits`; 429 with ``Retry-After``). When Rasa fails on a message the answer is 500
``{"error": "failed"}``: the widget then shows its "busy, try again" note (the words of
`connectors.common.BUSY_NOTE`) and keeps the citizen's text in the input box for the retry.

CORS headers are sent only to the origins listed in ``WEB_ALLOWED_ORIGINS`` (comma-separated;
default the app's own origins): a preflight from any other origin gets none, so the browser refuses,
and a request that a page of another origin sends anyway (a "simple" request needs no preflight) is
refused with 403.

Settings (environment; nothing secret in credentials.yml):
    WEB_SESSION_SECRET   HMAC key (at least 32 characters). Unset in the local profile: a random key
                         is generated once and kept in ``var/web_session_secret``; unset or weak in
                         another profile: the server refuses to start.
    WEB_ALLOWED_ORIGINS  browser origins allowed to call the channel.
    PROFILE              ``local`` (default), ``test`` or ``prod``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import limits
from connectors.common import MAX_MESSAGE_CHARS, TOO_LONG_NOTE, log_safe, normalise, prepare

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where the local profile keeps its generated session key (var/ is never committed).
LOCAL_SECRET_FILE = PROJECT_ROOT / "var" / "web_session_secret"
DEFAULT_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")
#: Largest request body read (bytes). A citizen's message is cut to MAX_MESSAGE_CHARS anyway; this
#: only stops a client from making the server buffer megabytes.
DEFAULT_MAX_BODY_BYTES = 16 * 1024
#: Most messages the history returns (the latest ones).
DEFAULT_HISTORY_LIMIT = 200
MIN_SECRET_CHARS = 32
_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "test", "placeholder"}

#: Prefix of the Rasa sender ids of web conversations (the random part follows).
SENDER_PREFIX = "web-"
_SESSION_RE = re.compile(r"(?P<random>[0-9a-f]{32})\.(?P<signature>[0-9a-f]{64})")
_SIGNATURE_CONTEXT = b"tthc-web-session:v1:"
_ORIGIN_RE = re.compile(r"https?://[a-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?")
_TITLE_MAX_CHARS = 200
_CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


# --------------------------------------------------------------------------------------------- #
# Session ids
# --------------------------------------------------------------------------------------------- #


class SessionSigner:
    """Issues session ids and recognises the ones it issued (HMAC-SHA256, no server-side state)."""

    def __init__(self, secret: str) -> None:
        """Use `secret` as the HMAC key."""
        self._key = secret.encode("utf-8")

    def _sign(self, random_part: str) -> str:
        return hmac.new(
            self._key, _SIGNATURE_CONTEXT + random_part.encode("ascii"), hashlib.sha256
        ).hexdigest()

    def issue(self) -> str:
        """A new session id: 128 random bits and their signature, ``<32 hex>.<64 hex>``."""
        random_part = secrets.token_hex(16)
        return f"{random_part}.{self._sign(random_part)}"

    def sender_id(self, session_id: object) -> str | None:
        """The Rasa sender id of a session id this signer issued, or None for anything else.

        The tracker is keyed by the random part only, so the signature (the bearer secret) never
        reaches the tracker store, logs or staff pages.
        """
        if not isinstance(session_id, str):
            return None
        match = _SESSION_RE.fullmatch(session_id)
        if match is None:
            return None
        if not hmac.compare_digest(self._sign(match["random"]), match["signature"]):
            return None
        return SENDER_PREFIX + match["random"]


#: Profiles in which secrets may be generated or weak (any other profile is production).
LOCAL_PROFILES = frozenset({"local", "test"})


def is_local_profile(env: Mapping[str, str] | None = None) -> bool:
    """True in the local and test profiles (``PROFILE``, default ``local``); False in production."""
    env = os.environ if env is None else env
    return (env.get("PROFILE", "local") or "local") in LOCAL_PROFILES


def weak_secret(secret: str) -> bool:
    """True for a secret too short or a placeholder (refused outside the local profile)."""
    return len(secret) < MIN_SECRET_CHARS or secret.lower() in _PLACEHOLDER_SECRETS


def load_secret(env: dict[str, str] | None = None, local_file: Path = LOCAL_SECRET_FILE) -> str:
    """The session key from ``WEB_SESSION_SECRET``, or the local profile's generated one.

    Raises:
        RasaException: outside the local/test profiles when the key is unset, short or a placeholder.
    """
    env = dict(os.environ) if env is None else env
    local = is_local_profile(env)
    secret = env.get("WEB_SESSION_SECRET", "")
    if secret:
        if not local and weak_secret(secret):
            raise RasaException(
                f"WEB_SESSION_SECRET must be a random string of at least {MIN_SECRET_CHARS} characters"
            )
        return secret
    if not local:
        raise RasaException("WEB_SESSION_SECRET is not set (required outside the local profile)")
    return _local_secret(local_file)


def _local_secret(path: Path) -> str:
    """Read the generated local key, creating it (mode 0600) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= MIN_SECRET_CHARS:
            return secret
        raise RasaException(f"{path} holds no usable key: delete it to have a new one generated") from None
    secret = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    logger.info("Generated a local web session key in %s", path)
    return secret


# --------------------------------------------------------------------------------------------- #
# Origins
# --------------------------------------------------------------------------------------------- #


def parse_origins(value: str | None) -> frozenset[str]:
    """The allowed browser origins from a comma-separated list (default: the app's own origins).

    Raises:
        RasaException: for an entry that is not a plain ``http(s)://host[:port]`` origin ("*" included).
    """
    entries = [e.strip() for e in (value or "").split(",") if e.strip()] or list(DEFAULT_ORIGINS)
    origins = set()
    for entry in entries:
        origin = entry.rstrip("/").lower()
        if not _ORIGIN_RE.fullmatch(origin):
            raise RasaException(f"WEB_ALLOWED_ORIGINS: {entry!r} is not an origin like https://host[:port]")
        origins.add(origin)
    return frozenset(origins)


# --------------------------------------------------------------------------------------------- #
# Messages out
# --------------------------------------------------------------------------------------------- #


def _clean_buttons(buttons: Iterable[Any] | None) -> list[dict[str, str]]:
    """Buttons as the widget draws them: a title and either a payload or an http(s) link."""
    cleaned: list[dict[str, str]] = []
    for button in buttons or []:
        if not isinstance(button, dict) or not isinstance(button.get("title"), str):
            continue
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            cleaned.append({"title": button["title"], "url": url})
        elif isinstance(button.get("payload"), str):
            cleaned.append({"title": button["title"], "payload": button["payload"]})
    return cleaned


def widget_message(
    text: Any = None, buttons: Iterable[Any] | None = None, custom: Any = None
) -> dict[str, Any] | None:
    """One bot message in the widget's JSON shape, or None when it has nothing to show."""
    message: dict[str, Any] = {}
    if isinstance(text, str) and text.strip():
        message["text"] = text.strip()
    cleaned = _clean_buttons(buttons)
    if cleaned:
        message["buttons"] = cleaned
    if isinstance(custom, dict) and custom:
        message["custom"] = custom
    return message or None


class WebOutput(CollectingOutputChannel):
    """Collects the bot's messages for one request, keeping each message's text, buttons and custom
    payload together (Rasa's collector splits text on blank lines and buttons from their text)."""

    @classmethod
    def name(cls) -> str:
        """Name of the output channel."""
        return "web"

    def _add(self, text: Any = None, buttons: Iterable[Any] | None = None, custom: Any = None) -> None:
        message = widget_message(text, buttons, custom)
        if message is not None:
            self.messages.append(message)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Collect one bot message whole (images and attachments are not used by this assistant)."""
        self._add(
            message.get("text"), message.get("buttons") or message.get("quick_replies"), message.get("custom")
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Collect a text message."""
        self._add(text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Collect a text with its buttons."""
        self._add(text, buttons)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Collect a custom payload."""
        self._add(custom=json_message)


#: Rasa's text of a user event made through the HTTP API's ``trigger_intent`` (staff replies, release).
EXTERNAL_TEXT_PREFIX = "EXTERNAL: "
#: Metadata of a message the assistant replays to answer it after a handoff (`actions.handoff.replay`).
REPLAYED_KEY = "replayed"
#: The rate limiter's key prefix for history reads (their own budget per conversation).
HISTORY_KEY = "history:"


def _history_entry(event: dict[str, Any]) -> dict[str, Any] | None:
    """One tracker event as the widget shows it, or None for an event the citizen does not see."""
    kind = event.get("event")
    if kind == "user":
        metadata = event.get("metadata") or {}
        metadata = metadata if isinstance(metadata, dict) else {}
        text = event.get("text") or ""
        if metadata.get("is_external") or metadata.get(REPLAYED_KEY) or text.startswith(EXTERNAL_TEXT_PREFIX):
            # Injected by a server (a staff reply's trigger), or a question the citizen sent once and
            # the assistant answers after a handoff: nothing the citizen typed here.
            return None
        shown = metadata.get("web_display")
        if isinstance(shown, str) and shown:
            return {"sender": "user", "text": shown}
        if text and not text.startswith("/"):
            return {"sender": "user", "text": text}
        return None
    if kind == "bot":
        data = event.get("data") or {}
        message = widget_message(
            event.get("text"), data.get("buttons") or data.get("quick_replies"), data.get("custom")
        )
        return None if message is None else {"sender": "bot", **message}
    return None


def all_history_messages(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every user and bot message of a tracker's events the citizen sees, in order."""
    return [entry for entry in map(_history_entry, events) if entry is not None]


def history_messages(events: Iterable[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The user and bot messages of a tracker's events, in order, in the widget's shape (the latest
    `limit`; all when `limit` is 0).

    A pressed button's user message is shown by the button title the widget sent with it
    (kept in the message metadata); the raw intent payload is never shown, nor the user events that
    servers inject (``trigger_intent``) or that the assistant replays after a handoff.
    """
    messages = all_history_messages(events)
    return messages[-limit:] if limit > 0 else messages


def turn_span(events: Iterable[dict[str, Any]], message_id: str) -> dict[str, int] | None:
    """Where the message `message_id` and the bot's answers to it sit in the history: ``{"start", "end"}``
    (positions in `all_history_messages`, end excluded), or None when the message is not there.

    The turn ends at the next user event, typed or injected (a staff reply arriving right after).
    """
    count = 0
    start: int | None = None
    for event in events:
        if event.get("event") == "user":
            if start is not None:
                break
            if event.get("message_id") == message_id:
                start = count
        if _history_entry(event) is not None:
            count += 1
    return None if start is None else {"start": start, "end": count}


#: Slots of a handoff in the tracker (domain.yml), read for the widget's header.
_PAUSE_SLOT, _TICKET_SLOT, _WAITING_SLOT, _OFFICER_SLOT = (
    "handoff_until",
    "handoff_ticket",
    "handoff_waiting_until",
    "handoff_officer",
)


def handoff_state(slots: Mapping[str, Any], now: float | None = None) -> dict[str, Any]:
    """Where a conversation stands with the desk, from its slots: ``{"state", "officer"}``.

    ``"staff"`` while an officer has it (the pause `handoff_until` lasts; ``officer`` is their display
    name, or None), ``"waiting"`` while an open ticket waits for one (`handoff_waiting_until`),
    ``"bot"`` otherwise (no ticket, given back, or timed out).
    """
    at = time.time() if now is None else now

    def future(name: str) -> bool:
        value = slots.get(name)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) > at

    if future(_PAUSE_SLOT):
        officer = slots.get(_OFFICER_SLOT)
        name = officer.strip()[:80] if isinstance(officer, str) and officer.strip() else None
        return {"state": "staff", "officer": name}
    if slots.get(_TICKET_SLOT) and future(_WAITING_SLOT):
        return {"state": "waiting", "officer": None}
    return {"state": "bot", "officer": None}


def _tracker_slots(tracker: Any) -> dict[str, Any]:
    return {
        name: tracker.get_slot(name) for name in (_PAUSE_SLOT, _TICKET_SLOT, _WAITING_SLOT, _OFFICER_SLOT)
    }


def _since(value: Any) -> int | None:
    """The ``since`` query value: a count of messages (0-100000), None when absent or malformed."""
    if not isinstance(value, str) or not value.isdigit() or len(value) > 6:
        return None
    return int(value)


# --------------------------------------------------------------------------------------------- #
# The channel
# --------------------------------------------------------------------------------------------- #


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json({"error": code}, status=status, headers=headers)


def _too_many(verdict: limits.Verdict) -> HTTPResponse:
    # The widget shows its own "busy, try again" note for any refusal; the header is for clients.
    return _error(429, "too_many_requests", limits.refusal_headers(verdict))


class WebInput(InputChannel):
    """The embeddable web widget's channel (see the module docstring for the routes)."""

    @classmethod
    def name(cls) -> str:
        """Name of the channel (routes live under /webhooks/web/)."""
        return "web"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Build the channel from credentials.yml (limits only) and the environment (key, origins)."""
        credentials = credentials or {}
        return cls(
            signer=SessionSigner(load_secret()),
            allowed_origins=parse_origins(os.environ.get("WEB_ALLOWED_ORIGINS")),
            max_body_bytes=limits.body_limit(credentials),
            history_limit=int(credentials.get("history_limit", DEFAULT_HISTORY_LIMIT)),
            limiter=limits.shared_limiter(),
        )

    def __init__(
        self,
        signer: SessionSigner,
        allowed_origins: Iterable[str] = DEFAULT_ORIGINS,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        limiter: limits.RateLimiter | None = None,
    ) -> None:
        """Create the channel.

        Args:
            signer: issues and checks session ids.
            allowed_origins: browser origins that may call the channel.
            max_body_bytes: the largest request body read.
            history_limit: the most messages the history returns.
            limiter: message rates per session and per address (default: from the environment).
        """
        self.signer = signer
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        self.max_body_bytes = max_body_bytes
        self.history_limit = history_limit
        self.limiter = limiter or limits.RateLimiter()

    # -- helpers ------------------------------------------------------------------------------ #

    def origin_allowed(self, origin: str | None) -> bool:
        """True for requests without an Origin header (not from a browser page) or from a listed one."""
        return origin is None or origin.rstrip("/").lower() in self.allowed_origins

    def cors_headers(self, request: Request) -> dict[str, str]:
        """The CORS headers for `request`: only for a listed origin."""
        origin = request.headers.get("origin")
        if origin is None or origin.rstrip("/").lower() not in self.allowed_origins:
            return {}
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        if request.method == "OPTIONS":
            headers |= _CORS_HEADERS
        return headers

    async def _read_json(self, request: Request) -> dict[str, Any] | None:
        """The JSON object of the body, read up to the limit; None when it is not one (or nests deeper
        than `limits.MAX_JSON_DEPTH`).

        Raises:
            limits.BodyTooLargeError: the body is larger than the limit.
        """
        body = await limits.read_body(request, self.max_body_bytes)
        try:
            data = limits.parse_json(body)
        except limits.BadJsonError:  # not JSON, or nested too deep to parse safely
            return None
        return data if isinstance(data, dict) else None

    async def _after_turn(self, request: Request, sender_id: str, message_id: str) -> dict[str, Any]:
        """The handoff state and this turn's place in the history, for the widget (nothing when the
        tracker cannot be read: the widget then reads the history again)."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return {}
        try:
            tracker = await agent.tracker_store.retrieve(sender_id)
        except Exception as error:  # the answer itself went out; the widget re-reads the history
            logger.warning("web: tracker not read after a message (%s)", type(error).__name__)
            return {}
        if tracker is None:
            return {}
        extra: dict[str, Any] = {"handoff": handoff_state(_tracker_slots(tracker))}
        span = turn_span((e.as_dict() for e in tracker.events_after_latest_restart()), message_id)
        if span is not None:
            extra["turn"] = span
        return extra

    @staticmethod
    def _display_title(title: Any) -> str | None:
        if not isinstance(title, str):
            return None
        shown = normalise(title)[:_TITLE_MAX_CHARS]
        return shown or None

    # -- routes -------------------------------------------------------------------------------- #

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The channel's routes."""
        web = Blueprint("web_widget", __name__)

        @web.middleware("request")
        async def refuse_foreign_origins(request: Request) -> HTTPResponse | None:
            # CORS only stops a foreign page from reading the answer; a "simple" cross-site POST
            # would still reach the bot, so requests from unlisted page origins are refused here.
            if not self.origin_allowed(request.headers.get("origin")):
                return _error(403, "origin_not_allowed")
            return None

        @web.middleware("response")
        async def add_cors_headers(request: Request, resp: HTTPResponse) -> None:
            # Rasa's app-wide CORS (sanic-cors) answers every preflight itself and knows only the
            # --cors list; on these routes the channel's own list decides.
            resp.headers.pop("Access-Control-Allow-Origin", None)
            resp.headers.pop("Access-Control-Allow-Credentials", None)
            resp.headers.update(self.cors_headers(request))
            resp.headers.setdefault("Cache-Control", "no-store")
            resp.headers.setdefault("X-Content-Type-Options", "nosniff")

        @web.route("/", methods=["GET", "OPTIONS"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/session", methods=["POST", "OPTIONS"], stream=True)
        async def new_session(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            try:
                # Unused; read anyway so a large one is refused, never buffered unbounded.
                await limits.read_body(request, self.max_body_bytes)
            except limits.BodyTooLargeError:
                return _error(413, "too_large")
            verdict = await self.limiter.check(ip=limits.client_ip(request))
            if not verdict.allowed:
                return _too_many(verdict)
            return response.json({"session_id": self.signer.issue()}, status=201)

        @web.route("/history", methods=["GET", "OPTIONS"], stream=True)
        async def history(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            try:
                # None expected; read anyway so a large one is refused, never buffered unbounded.
                await limits.read_body(request, self.max_body_bytes)
            except limits.BodyTooLargeError:
                return _error(413, "too_large")
            sender_id = self.signer.sender_id(request.args.get("session_id"))
            if sender_id is None:
                return _error(403, "unknown_session")
            # Limited per conversation, not per address: an open widget reads the history every few
            # seconds, and citizens behind one address (a desk's Wi-Fi) must not use up each other's
            # budget for messages. (Sessions themselves are issued under the address limit.)
            verdict = await self.limiter.check(sender=f"{HISTORY_KEY}{sender_id}")
            if not verdict.allowed:
                return _too_many(verdict)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return _error(503, "not_ready")
            tracker = await agent.tracker_store.retrieve(sender_id)
            events = [] if tracker is None else [e.as_dict() for e in tracker.events_after_latest_restart()]
            messages = all_history_messages(events)
            since = _since(request.args.get("since"))
            shown = messages if since is None or since > len(messages) else messages[since:]
            if self.history_limit > 0:
                shown = shown[-self.history_limit :]
            return response.json(
                {
                    "messages": shown,
                    "count": len(messages),
                    "handoff": handoff_state({} if tracker is None else _tracker_slots(tracker)),
                }
            )

        @web.route("/webhook", methods=["POST", "OPTIONS"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            try:
                data = await self._read_json(request)
            except limits.BodyTooLargeError:
                return _error(413, "too_large")
            if data is None:
                return _error(400, "bad_request")
            sender_id = self.signer.sender_id(data.get("session_id"))
            if sender_id is None:
                return _error(403, "unknown_session")
            verdict = await self.limiter.check(sender=sender_id, ip=limits.client_ip(request))
            if not verdict.allowed:
                return _too_many(verdict)
            payload = data.get("payload")
            text = data.get("message")
            inbound = prepare(
                text=text if isinstance(text, str) else None,
                payload=payload if isinstance(payload, str) else None,
            )
            if inbound is None:
                return _error(400, "empty_message")
            metadata: dict[str, Any] = {"channel": self.name()}
            if inbound.is_payload:
                # Shown in the restored history instead of the intent payload.
                shown = self._display_title(data.get("title"))
                if shown:
                    metadata["web_display"] = shown
            logger.debug("web message from %s: %s", sender_id, log_safe(inbound.text))
            collector = WebOutput()
            message_id = uuid.uuid4().hex
            try:
                await on_new_message(
                    UserMessage(
                        inbound.text,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        message_id=message_id,
                        metadata=metadata,
                    )
                )
            except Exception as error:  # the widget shows its "busy, try again" note and keeps the text
                # The type only: the exception's text or traceback may quote the citizen's message.
                logger.error("web message from %s failed (%s)", sender_id, type(error).__name__)
                return _error(500, "failed")
            messages = collector.messages
            if inbound.truncated:
                messages = [{"text": TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS)}, *messages]
            return response.json(
                {"messages": messages, **await self._after_turn(request, sender_id, message_id)}
            )

        return web
