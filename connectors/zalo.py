"""Zalo Official Account channel: `connectors.zalo.ZaloInput` in credentials.yml.

Webhook ``POST /webhooks/zalo/webhook`` (``GET /webhooks/zalo/`` is the health check):

1. Without ZALO_APP_ID / ZALO_OA_SECRET_KEY / a token pair the channel still loads, but the webhook
   answers 503 (logged once), so Zalo keeps its events until the OA is configured.
2. ``X-ZEvent-Signature: mac=<hex>`` with ``hex = sha256(app_id + raw body + timestamp + OA secret
   key)`` (the body's ``timestamp`` as a string) is checked with `hmac.compare_digest`; missing or
   wrong: 401. A body that is not a JSON object: 400.
3. Re-deliveries are dropped by ``message.msg_id``; the request is acknowledged (200) at once and the
   event handled in the background, in order per user (`connectors.common.ChatQueues`), because Zalo
   re-sends (and may disable the webhook) when it waits more than about 2 s.
4. Abuse limits (`connectors.limits`): bodies over ``MAX_BODY_BYTES`` (64 KB at the least) get 413;
   an address whose requests keep failing verification gets 429 once over the per-address limit
   (Zalo's own requests are limited per user instead); an event over its user's rate limit is
   acknowledged but not processed, and the user is told once per minute (`TOO_FAST_NOTE`). When Rasa
   fails on an event the user gets `BUSY_NOTE`.

Events: ``user_send_text`` -> the text, through `connectors.common.prepare` (a typed ``/intent{...}``
never reaches Rasa as an intent); ``user_click_button`` -> the button's payload (``message.payload``
or, as Zalo sends ``oa.query.hide`` payloads, ``message.text``). A ``user_send_text`` whose whole text
is one of the assistant's own button payloads is read as that payload too, since Zalo may deliver a
hidden-query button press as a text message: only payloads `prepare_payload` accepts qualify, so
this lets a citizen do by typing nothing they could not do by pressing the button.
``follow`` -> ``/greet`` is sent through Rasa as the connector's own intent message (not citizen text),
so the citizen gets the domain's greeting (``utter_greet``) and the follow is in the tracker.
Other ``user_send_*`` events (image, sticker, file, audio, video, location, link, gif...) ->
`ONLY_TEXT_NOTE`. ``unfollow``, ``anonymous_*``, OA and delivery events: ignored.
Rasa's sender id is ``zalo:<sender.id>``.

Answers go out through `connectors.zalo_api.ZaloClient` (``/v3.0/oa/message/cs``), queued per user
and delivered in order in the background: texts longer than Zalo's 2,000 characters are split; an
answer's buttons are a ``template`` attachment on its last part::

    {"recipient": {"user_id": "<id>"},
     "message": {"text": "<answer>",
                 "attachment": {"type": "template",
                                "payload": {"buttons": [
                                    {"title": "👍", "type": "oa.query.hide",
                                     "payload": "/rate_answer{\\"rating\\": \\"up\\"}"},
                                    {"title": "Cổng DVC", "type": "oa.open.url",
                                     "payload": {"url": "https://dichvucong.gov.vn"}}]}}}}

Custom JSON payloads (widget cards, analytics) are not shown: the text carries the answer. When
Zalo cannot be reached, a message is retried after each of ZALO_RETRY_DELAYS seconds, then given
up (logged; the conversation is in the Rasa tracker anyway).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import common, limits
from connectors.zalo_api import (
    ZaloApiError,
    ZaloClient,
    ZaloError,
    ZaloNotConfiguredError,
    ZaloRefreshError,
    ZaloUnavailableError,
)
from connectors.zalo_tokens import TokenStore

logger = logging.getLogger(__name__)

CHANNEL_NAME = "zalo"
SENDER_PREFIX = "zalo:"
SIGNATURE_HEADER = "X-ZEvent-Signature"
#: Longest text Zalo accepts in one customer-service message.
MAX_TEXT_CHARS = 2000
#: Buttons shown under one message, and the longest button title (longer titles are shortened).
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100
#: Seconds to wait before each new attempt to deliver a message while Zalo is unreachable.
DEFAULT_RETRY_DELAYS = (2.0, 5.0, 15.0, 30.0, 60.0)
#: How long a stopping server waits for queued answers to be delivered.
SHUTDOWN_WAIT_SECONDS = 5.0
#: What a follow is answered with: the connector's own intent message, never citizen text.
FOLLOW_MESSAGE = "/greet"
#: Text under buttons when an answer has buttons but no text (Zalo requires a text).
BUTTONS_ONLY_TEXT = "Bạn chọn một mục dưới đây:"

_SIGNATURE_RE = re.compile(r"\s*mac=([0-9a-fA-F]{64})\s*")


# --- signature -------------------------------------------------------------------------------------


def expected_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex SHA-256 Zalo puts in ``X-ZEvent-Signature`` (``mac=<hex>``) for this event.

    Args:
        app_id: the Zalo app id (ZALO_APP_ID).
        raw_body: the request body exactly as received.
        timestamp: the body's ``timestamp`` field as a string.
        oa_secret_key: the OA secret key (ZALO_OA_SECRET_KEY).
    """
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(raw_body)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


def signature_valid(
    header: str | None, *, app_id: str, raw_body: bytes, timestamp: str | None, oa_secret_key: str
) -> bool:
    """True when `header` is ``mac=<hex>`` with the event's expected signature (constant-time check)."""
    if not header or timestamp is None or not app_id or not oa_secret_key:
        return False
    match = _SIGNATURE_RE.fullmatch(header)
    if match is None:
        return False
    expected = expected_signature(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(match[1].lower(), expected)


def _timestamp_text(body: dict[str, Any]) -> str | None:
    value = body.get("timestamp")
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        # Zalo sends a string; a number is signed as its decimal digits.
        return str(value)
    return None


# --- events ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZaloEvent:
    """What one webhook event asks of the assistant."""

    #: "text" (typed text), "payload" (a button), "follow", "unsupported" (not text).
    kind: str
    user_id: str
    event_name: str
    #: Zalo's message id (for text and button events; "" otherwise).
    msg_id: str = ""
    text: str | None = None
    payload: str | None = None
    #: The key re-deliveries of this event share.
    dedupe_key: str = field(default="", compare=False)


def _as_id(value: Any) -> str:
    """An id as a string (Zalo ids exceed 2**53; a JSON number is kept as its digits)."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_event(body: dict[str, Any]) -> ZaloEvent | None:
    """The event in a (verified) webhook body, or None when the assistant ignores it."""
    name = body.get("event_name")
    if not isinstance(name, str):
        return None
    message = _dict(body.get("message"))
    msg_id = _as_id(message.get("msg_id"))
    timestamp = _as_id(body.get("timestamp"))
    if name in ("follow", "unfollow"):
        user_id = _as_id(_dict(body.get("follower")).get("id")) or _as_id(_dict(body.get("sender")).get("id"))
        if name == "unfollow" or not user_id:
            return None
        return ZaloEvent("follow", user_id, name, dedupe_key=f"follow:{user_id}:{timestamp}")
    if not name.startswith("user_"):
        # OA-side events (oa_send_*), anonymous chats (replies need another API) and others.
        return None
    user_id = _as_id(_dict(body.get("sender")).get("id"))
    if not user_id:
        return None
    key = f"msg:{msg_id}" if msg_id else f"{name}:{user_id}:{timestamp}"
    text = message.get("text") if isinstance(message.get("text"), str) else None
    if name == "user_click_button":
        payload = message.get("payload")
        if isinstance(payload, dict):
            payload = payload.get("payload") or payload.get("text")
        chosen = payload if isinstance(payload, str) and payload else text
        return ZaloEvent("payload", user_id, name, msg_id, payload=chosen or "", dedupe_key=key)
    if name == "user_send_text":
        if text is not None and common.prepare_payload(text) is not None:
            return ZaloEvent("payload", user_id, name, msg_id, payload=text, dedupe_key=key)
        return ZaloEvent("text", user_id, name, msg_id, text=text or "", dedupe_key=key)
    if name.startswith("user_send_"):
        return ZaloEvent("unsupported", user_id, name, msg_id, dedupe_key=key)
    # user_received_message, user_seen_message, reactions, ...: nothing to answer.
    return None


# --- outgoing messages -----------------------------------------------------------------------------


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Cut `text` into parts of at most `limit` characters (`connectors.common.split_text`)."""
    return common.split_text(text, limit)


def _short(title: str, limit: int = MAX_BUTTON_TITLE) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def zalo_button(button: dict[str, Any]) -> dict[str, Any] | None:
    """One Rasa button as a Zalo template button, or None when it cannot be shown.

    A payload (or ``url``) that is an http(s) link opens it (``oa.open.url``); any other payload is
    sent back without showing it in the chat (``oa.query.hide``).
    """
    title = button.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    url = button.get("url")
    payload = button.get("payload")
    link = url if isinstance(url, str) else payload if isinstance(payload, str) else None
    if link and link.strip().lower().startswith(("https://", "http://")):
        return {"title": _short(title), "type": "oa.open.url", "payload": {"url": link.strip()}}
    if isinstance(payload, str) and payload.strip():
        return {"title": _short(title), "type": "oa.query.hide", "payload": payload.strip()}
    return None


def button_template(buttons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``template`` attachment carrying `buttons`, or None when none can be shown."""
    converted = [b for b in (zalo_button(button) for button in buttons) if b is not None]
    if not converted:
        return None
    return {"type": "template", "payload": {"buttons": converted[:MAX_BUTTONS]}}


def _retry_delays(value: str | None) -> tuple[float, ...]:
    if not value:
        return DEFAULT_RETRY_DELAYS
    try:
        delays = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        logger.warning("ZALO_RETRY_DELAYS is not a comma-separated list of seconds; using the default")
        return DEFAULT_RETRY_DELAYS
    return tuple(max(0.0, d) for d in delays)


class Delivery:
    """Delivers messages to Zalo users in the background, in order per user, retrying while Zalo is down.

    Args:
        client: the Zalo API client.
        retry_delays: seconds to wait before each further attempt after a transient failure.
    """

    def __init__(self, client: ZaloClient, retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS) -> None:
        self.client = client
        self.retry_delays = retry_delays
        self._queues = common.ChatQueues()

    def enqueue(self, user_id: str, message: dict[str, Any]) -> None:
        """Queue `message` (a Zalo `message` object) for `user_id`; returns at once."""

        async def job() -> None:
            await self.deliver(user_id, message)

        self._queues.submit(user_id, job)

    def enqueue_text(self, user_id: str, text: str) -> None:
        """Queue a plain text, split to Zalo's length limit."""
        for part in split_text(text):
            self.enqueue(user_id, {"text": part})

    async def deliver(self, user_id: str, message: dict[str, Any]) -> bool:
        """Send one message now, retrying transient failures; True when Zalo accepted it."""
        attempts = len(self.retry_delays) + 1
        for attempt in range(1, attempts + 1):
            try:
                await self.client.send_message(user_id, message)
                return True
            except ZaloUnavailableError as error:
                if attempt == attempts:
                    logger.error("Zalo delivery given up after %d attempts: %s", attempts, error)
                    return False
                delay = self.retry_delays[attempt - 1]
                logger.warning(
                    "Zalo delivery attempt %d failed (%s); retrying in %.1f s", attempt, error, delay
                )
                await asyncio.sleep(delay)
            except (ZaloNotConfiguredError, ZaloRefreshError) as error:
                logger.error("Zalo delivery impossible, the OA needs attention: %s", error)
                return False
            except ZaloApiError as error:
                logger.error("Zalo refused a message (code %d): %s", error.code, error)
                return False
            except ZaloError as error:
                logger.error("Zalo delivery failed: %s", error)
                return False
        return False

    async def drain(self) -> None:
        """Wait until every queued message has been delivered or given up."""
        await self._queues.drain()

    def pending(self) -> int:
        """How many users have messages waiting."""
        return self._queues.pending()


def user_id_of(recipient_id: str) -> str:
    """The Zalo user id in a Rasa sender id (``zalo:<id>``)."""
    return recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else recipient_id


class ZaloOutput(OutputChannel):
    """Queues the bot's messages for delivery through the Zalo OA message API."""

    @classmethod
    def name(cls) -> str:
        """The channel's name (as the input channel's)."""
        return CHANNEL_NAME

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Queue a text, split to Zalo's length limit."""
        self.delivery.enqueue_text(user_id_of(recipient_id), text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Queue a text with its buttons as a template attachment on the last part."""
        user_id = user_id_of(recipient_id)
        template = button_template(buttons)
        parts = split_text(text or "") or ([BUTTONS_ONLY_TEXT] if template else [])
        for index, part in enumerate(parts):
            message: dict[str, Any] = {"text": part}
            if template is not None and index == len(parts) - 1:
                message["attachment"] = template
            self.delivery.enqueue(user_id, message)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom payloads are for the web widget and analytics: never shown as raw JSON here."""
        logger.debug("Zalo: custom payload of type %r not shown", _dict(json_message).get("type"))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image's http(s) link as text (uploading to Zalo is not needed by the assistant)."""
        if isinstance(image, str) and image.lower().startswith(("https://", "http://")):
            self.delivery.enqueue_text(user_id_of(recipient_id), image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Attachments are not sent (the assistant sends none); never shown as raw data."""
        logger.debug("Zalo: attachment not shown")


# --- input channel ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZaloSettings:
    """The channel's settings, from the environment (secrets) and credentials.yml (options)."""

    app_id: str
    oa_secret_key: str
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    greet_on_follow: bool = True

    @classmethod
    def from_env(cls, options: dict[str, Any] | None = None) -> ZaloSettings:
        """Read ZALO_APP_ID, ZALO_OA_SECRET_KEY, ZALO_RETRY_DELAYS; `options` from credentials.yml."""
        options = options or {}
        return cls(
            app_id=os.environ.get("ZALO_APP_ID", "").strip(),
            oa_secret_key=os.environ.get("ZALO_OA_SECRET_KEY", "").strip(),
            retry_delays=_retry_delays(os.environ.get("ZALO_RETRY_DELAYS")),
            greet_on_follow=bool(options.get("greet_on_follow", True)),
        )


class ZaloInput(InputChannel):
    """Receives Zalo OA webhook events at ``/webhooks/zalo/webhook``."""

    @classmethod
    def name(cls) -> str:
        """The name in the webhook path."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Build the channel: options from credentials.yml, secrets and tokens from the environment."""
        settings = ZaloSettings.from_env(credentials)
        return cls(settings, ZaloClient.from_env(TokenStore.from_env()), limiter=limits.shared_limiter())

    def __init__(
        self, settings: ZaloSettings, client: ZaloClient, limiter: limits.RateLimiter | None = None
    ) -> None:
        self.settings = settings
        #: Message rates per user; per address, only requests that fail verification are counted.
        self.limiter = limiter or limits.RateLimiter()
        self.client = client
        self.delivery = Delivery(client, settings.retry_delays)
        self.chats = common.ChatQueues()
        self.recent = common.RecentIds()
        self._warned_unconfigured = False

    def missing_settings(self) -> list[str]:
        """The settings the webhook needs that are not set (empty when it can serve)."""
        missing = []
        if not self.settings.app_id:
            missing.append("ZALO_APP_ID")
        if not self.settings.oa_secret_key:
            missing.append("ZALO_OA_SECRET_KEY")
        if self.client.tokens.current is None:
            missing.append("ZALO_ACCESS_TOKEN (or the token file)")
        return missing

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel for messages Rasa sends outside a webhook (e.g. triggered intents)."""
        return ZaloOutput(self.delivery)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route ``/`` and the webhook ``/webhook``."""
        # The URL prefix (/webhooks/zalo) is given by Rasa when it registers the blueprint.
        zalo_webhook = Blueprint(f"zalo_webhook_{type(self).__name__}")

        @zalo_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if not self.missing_settings() else "not configured"})

        @zalo_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await limits.read_body(request, limits.platform_body_limit(self.limiter.settings))
            except limits.BodyTooLargeError:
                return response.json({"error": "body too large"}, status=413)
            answer = self.receive(body, request.headers.get(SIGNATURE_HEADER), on_new_message)
            if answer.status in (400, 401):
                # Zalo's own requests come from a few addresses and are limited per user (in
                # `handle`); per address, only requests that fail verification are counted.
                verdict = await self.limiter.check(ip=limits.client_ip(request))
                if not verdict.allowed:
                    return response.json(
                        {"error": "too many requests"}, status=429, headers=limits.refusal_headers(verdict)
                    )
            return answer

        @zalo_webhook.listener("before_server_stop")
        async def finish(app: Any, loop: Any) -> None:
            # Give queued answers a moment to leave; what is still retrying then is given up
            # (the conversation itself is in the tracker).
            try:
                await asyncio.wait_for(self._drain(), SHUTDOWN_WAIT_SECONDS)
            except asyncio.TimeoutError:
                logger.warning(
                    "Zalo: %d user(s) still had answers queued at shutdown", self.delivery.pending()
                )
            await self.client.close()
            await self.limiter.close()

        return zalo_webhook

    async def _drain(self) -> None:
        await self.chats.drain()
        await self.delivery.drain()

    def receive(
        self,
        raw_body: bytes,
        signature: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        """Check and acknowledge one webhook request; its event is handled in the background."""
        missing = self.missing_settings()
        if missing:
            if not self._warned_unconfigured:
                self._warned_unconfigured = True
                logger.warning(
                    "Zalo webhook called but the channel is not configured (missing %s): 503",
                    ", ".join(missing),
                )
            return response.json({"error": "zalo channel not configured"}, status=503)
        if not signature:
            return response.json({"error": "missing signature"}, status=401)
        try:
            body = json.loads(raw_body)
        except ValueError:
            return response.json({"error": "body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return response.json({"error": "body is not a JSON object"}, status=400)
        if not signature_valid(
            signature,
            app_id=self.settings.app_id,
            raw_body=raw_body,
            timestamp=_timestamp_text(body),
            oa_secret_key=self.settings.oa_secret_key,
        ):
            logger.warning("Zalo webhook: bad signature, event refused")
            return response.json({"error": "bad signature"}, status=401)
        event = parse_event(body)
        if event is None:
            return response.json({"status": "ignored"})
        if self.recent.seen(event.dedupe_key):
            logger.info("Zalo webhook: re-delivered %s %s dropped", event.event_name, event.msg_id)
            return response.json({"status": "duplicate"})

        async def job() -> None:
            # A re-delivery that reached another replica first is dropped there (Redis, when shared).
            if self.limiter.shared and not await self.limiter.first_delivery(f"zalo:{event.dedupe_key}"):
                logger.info("Zalo %s %s: already taken by another replica", event.event_name, event.msg_id)
                return
            await self.handle(event, on_new_message)

        self.chats.submit(SENDER_PREFIX + event.user_id, job)
        return response.json({"status": "ok"})

    async def handle(self, event: ZaloEvent, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Answer one event (runs in the user's background queue)."""
        # Counted before anything is done, so an event over the limit is not processed at all.
        verdict = await self.limiter.check(sender=SENDER_PREFIX + event.user_id)
        if not verdict.allowed:
            logger.info(
                "Zalo %s %s: over the user's rate limit, not processed", event.event_name, event.msg_id
            )
            if verdict.first_refusal:
                self.delivery.enqueue_text(event.user_id, common.TOO_FAST_NOTE)
            return
        if event.kind == "unsupported":
            logger.info(
                "Zalo %s %s: not text, answered with the only-text note", event.event_name, event.msg_id
            )
            self.delivery.enqueue_text(event.user_id, common.ONLY_TEXT_NOTE)
            return
        if event.kind == "follow":
            logger.info("Zalo follow: %s", "greeted" if self.settings.greet_on_follow else "not greeted")
            if self.settings.greet_on_follow:
                await self._to_rasa(event, FOLLOW_MESSAGE, on_new_message)
            return
        inbound = (
            common.prepare(payload=event.payload)
            if event.kind == "payload"
            else common.prepare(text=event.text)
        )
        if inbound is None:
            return
        # Debug only, as on the other channels: log_safe redacts numbers, not names.
        logger.debug("Zalo %s %s: %s", event.event_name, event.msg_id, common.log_safe(inbound.text))
        await self._to_rasa(event, inbound.text, on_new_message)
        if inbound.truncated:
            self.delivery.enqueue_text(
                event.user_id, common.TOO_LONG_NOTE.format(limit=common.MAX_MESSAGE_CHARS)
            )

    async def _to_rasa(
        self, event: ZaloEvent, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        message = UserMessage(
            text,
            ZaloOutput(self.delivery),
            SENDER_PREFIX + event.user_id,
            input_channel=CHANNEL_NAME,
            message_id=event.msg_id or None,
            metadata={"zalo_event": event.event_name},
        )
        try:
            await on_new_message(message)
        except Exception as error:  # the citizen is told; the webhook was acknowledged long ago
            # The error's type only: its message or traceback may quote the citizen's text.
            logger.error("Rasa failed on a Zalo %s event: %s", event.event_name, type(error).__name__)
            self.delivery.enqueue_text(event.user_id, common.BUSY_NOTE)
