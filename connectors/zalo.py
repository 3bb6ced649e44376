"""Zalo Official Account channel: `connectors.zalo.ZaloInput` in credentials.yml.

Webhook ``POST /webhooks/zalo/webhook`` (``GET /webhooks/zalo/`` is the health check). The steps and
their order are `connectors.webhook.WebhookInput`'s (the same for Telegram); what is Zalo's own:

1. Without ZALO_APP_ID / ZALO_OA_SECRET_KEY / a token pair the channel still loads, but the webhook
   answers 503 (logged once), so Zalo keeps its events until the OA is configured.
2. Bodies over ``MAX_BODY_BYTES`` (64 KB at the least) get 413. ``X-ZEvent-Signature: mac=<hex>``
   with ``hex = sha256(app_id + raw body + timestamp + OA secret key)`` (the body's ``timestamp`` as
   a string) is checked with `hmac.compare_digest` once the body is read; missing or wrong: 401. A
   body that is not a JSON object, or nests deeper than ``limits.MAX_JSON_DEPTH``: 400 (before the
   signature is checked: the signed timestamp is in the body). An address whose requests keep failing
   these checks gets 429 once over the per-address limit (Zalo's own requests are limited per user).
3. Replays: a correctly signed event whose ``timestamp`` (ms) is more than ``ZALO_MAX_SKEW_SECONDS``
   (default 300) away from this server's clock is acknowledged (200, ``"ignored"``) but not processed,
   and logged as a warning. 200 rather than 4xx: Zalo re-sends what is not acknowledged, for hours,
   and every re-sent copy would be as old; refusing would only get the webhook disabled. A signature
   has no expiry, so without this an event captured once could be replayed once its msg_id was
   forgotten. Within the window, re-deliveries are dropped by ``message.msg_id`` (in this process and,
   with Redis, across replicas; remembered 24 h, so the window may be at most 12 h) before anything is
   queued; the request is acknowledged (200) at once and the event handled in the background, in
   order per user, because Zalo re-sends (and may disable the webhook) when it waits more than about
   2 s.
4. An event over its user's rate limit is acknowledged but not processed, and the user is told once
   per minute (`TOO_FAST_NOTE`). A message cut to ``MAX_MESSAGE_CHARS`` gets `TOO_LONG_NOTE` before
   its answer. When Rasa fails on an event the user gets `BUSY_NOTE`.

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
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic.request import Request

from connectors import common, limits
from connectors.webhook import WebhookInput, WebhookRefusalError
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
#: How far (seconds) an event's timestamp may be from this server's clock; older (or newer) events are
#: possible replays and are not processed (ZALO_MAX_SKEW_SECONDS).
DEFAULT_MAX_SKEW_SECONDS = 300
#: The largest window allowed: re-deliveries are remembered for `limits.DELIVERY_TTL_SECONDS` (24 h),
#: and an event accepted at one edge of the window must still be remembered at the other edge.
MAX_SKEW_LIMIT_SECONDS = limits.DELIVERY_TTL_SECONDS // 2

_SIGNATURE_RE = re.compile(r"\s*mac=([0-9a-fA-F]{64})\s*")
_TIMESTAMP_RE = re.compile(r"[0-9]{1,17}")
_EVENT_NAME_RE = re.compile(r"[a-z_]{1,40}")


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


def timestamp_skew(body: dict[str, Any], now: float) -> float | None:
    """Seconds between the event's ``timestamp`` (ms since the epoch) and `now`; None if unreadable."""
    text = (_timestamp_text(body) or "").strip()
    if not _TIMESTAMP_RE.fullmatch(text):
        return None
    return abs(int(text) / 1000 - now)


def _max_skew(value: str | None) -> int:
    if not value or not value.strip():
        return DEFAULT_MAX_SKEW_SECONDS
    try:
        seconds = int(value.strip())
    except ValueError:
        raise ValueError(f"ZALO_MAX_SKEW_SECONDS must be a whole number of seconds, not {value!r}") from None
    if not 1 <= seconds <= MAX_SKEW_LIMIT_SECONDS:
        raise ValueError(f"ZALO_MAX_SKEW_SECONDS must be between 1 and {MAX_SKEW_LIMIT_SECONDS}")
    return seconds


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
    if len(converted) > MAX_BUTTONS:
        # Zalo shows five: the first content buttons ("Tất cả giấy tờ", a case ...) and, when the
        # answer has them, the two rating buttons, which the staff figures need.
        ratings = [b for b in converted if str(b.get("payload", "")).startswith("/rate_answer")]
        content = [b for b in converted if b not in ratings]
        converted = content[: MAX_BUTTONS - len(ratings)] + ratings if len(ratings) < MAX_BUTTONS else ratings
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
    #: Events whose timestamp is further than this from now (seconds) are not processed.
    max_skew_seconds: int = DEFAULT_MAX_SKEW_SECONDS

    @classmethod
    def from_env(cls, options: dict[str, Any] | None = None) -> ZaloSettings:
        """Read ZALO_APP_ID, ZALO_OA_SECRET_KEY, ZALO_RETRY_DELAYS, ZALO_MAX_SKEW_SECONDS; `options`
        from credentials.yml.

        Raises:
            ValueError: ZALO_MAX_SKEW_SECONDS is not a whole number from 1 to `MAX_SKEW_LIMIT_SECONDS`.
        """
        options = options or {}
        return cls(
            app_id=os.environ.get("ZALO_APP_ID", "").strip(),
            oa_secret_key=os.environ.get("ZALO_OA_SECRET_KEY", "").strip(),
            retry_delays=_retry_delays(os.environ.get("ZALO_RETRY_DELAYS")),
            greet_on_follow=bool(options.get("greet_on_follow", True)),
            max_skew_seconds=_max_skew(os.environ.get("ZALO_MAX_SKEW_SECONDS")),
        )


class ZaloInput(WebhookInput[ZaloEvent]):
    """Receives Zalo OA webhook events at ``/webhooks/zalo/webhook``.

    The steps and their order are `connectors.webhook`'s; this class adds the signature check, the
    event parsing and the delivery of answers through the OA message API.
    """

    SENDER_PREFIX = SENDER_PREFIX
    LABEL = "Zalo"
    NOT_CONFIGURED_ERROR = "zalo channel not configured"
    TOO_LARGE_ERROR = "body too large"
    SHUTDOWN_WAIT_SECONDS = SHUTDOWN_WAIT_SECONDS

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
        self,
        settings: ZaloSettings,
        client: ZaloClient,
        limiter: limits.RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the channel.

        Args:
            settings: the channel's settings.
            client: the Zalo OA API client.
            limiter: message rates per user; per address, only requests that fail verification are
                counted (default: from the environment).
            clock: wall-clock seconds, against which event timestamps are checked.
        """
        super().__init__(limiter)
        self.settings = settings
        self.client = client
        self.clock = clock
        self.delivery = Delivery(client, settings.retry_delays)

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
        """The output channel answers go through (also for messages Rasa sends outside a webhook)."""
        return ZaloOutput(self.delivery)

    # --- the platform's parts of the webhook -------------------------------------------------------

    def _verify_body(self, request: Request, body: bytes) -> dict[str, Any]:
        """The signature covers the body and its timestamp: checked once the body is read (401/400)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise WebhookRefusalError(401, "missing signature")
        try:
            data = limits.parse_json(body)
        except limits.JsonTooDeepError:
            raise WebhookRefusalError(400, "body nests too deeply") from None
        except limits.BadJsonError:
            raise WebhookRefusalError(400, "body is not JSON") from None
        if not isinstance(data, dict):
            raise WebhookRefusalError(400, "body is not a JSON object")
        if not signature_valid(
            signature,
            app_id=self.settings.app_id,
            raw_body=body,
            timestamp=_timestamp_text(data),
            oa_secret_key=self.settings.oa_secret_key,
        ):
            logger.warning("Zalo webhook: bad signature, event refused")
            raise WebhookRefusalError(401, "bad signature")
        return data

    def _extract_update(self, data: dict[str, Any]) -> ZaloEvent | None:
        # The timestamp is signed: an old one is a replay of a captured event (or a clock gone wrong,
        # hence the warning), never processed; 200 so that Zalo does not keep re-sending it.
        skew = timestamp_skew(data, self.clock())
        if skew is None or skew > self.settings.max_skew_seconds:
            offset = "unreadable" if skew is None else f"{skew:.0f} s from now"
            name = data.get("event_name")
            logger.warning(
                "Zalo webhook: %s event with a timestamp %s (ZALO_MAX_SKEW_SECONDS=%d) not processed",
                name if isinstance(name, str) and _EVENT_NAME_RE.fullmatch(name) else "unnamed",
                offset,
                self.settings.max_skew_seconds,
            )
            return None
        return parse_event(data)

    def _extract_delivery_id(self, update: ZaloEvent) -> str:
        return update.dedupe_key

    def _extract_chat_id(self, update: ZaloEvent) -> str | None:
        return update.user_id

    def _extract_message_id(self, update: ZaloEvent) -> str | None:
        return update.msg_id or None

    def _extract_metadata(self, update: ZaloEvent) -> dict[str, Any]:
        return {"zalo_event": update.event_name}

    def _describe(self, update: ZaloEvent) -> str:
        return f"{update.event_name} {update.msg_id}".rstrip()

    async def _extract_inbound(self, update: ZaloEvent, chat_id: str) -> common.Inbound | None:
        if update.kind == "unsupported":
            logger.info("Zalo %s: not text, answered with the only-text note", self._describe(update))
            await self._send_note(chat_id, common.ONLY_TEXT_NOTE)
            return None
        if update.kind == "follow":
            logger.info("Zalo follow: %s", "greeted" if self.settings.greet_on_follow else "not greeted")
            # The connector's own intent message, never citizen text: the greeting is in the tracker.
            return common.Inbound(FOLLOW_MESSAGE) if self.settings.greet_on_follow else None
        if update.kind == "payload":
            return common.prepare(payload=update.payload)
        return common.prepare(text=update.text)

    async def _send_note(self, chat_id: str, text: str) -> None:
        # Queued behind the answers already waiting for this user, so notes and answers keep order.
        self.delivery.enqueue_text(chat_id, text)

    # --- shutdown ----------------------------------------------------------------------------------

    async def _drain(self) -> None:
        # The events first (they queue answers), then the answers they queued.
        await self.queues.drain()
        await self.delivery.drain()

    def _pending(self) -> int:
        return self.queues.pending() + self.delivery.pending()

    async def _close_clients(self) -> None:
        await self.client.close()
