"""The Telegram channel: a Rasa input channel (webhook or long polling) and its output channel.

Configured in credentials.yml as `connectors.telegram.TelegramInput` (non-secret options only) and
from the environment:

- `TELEGRAM_TOKEN`: the bot token from @BotFather. Unset: the channel still loads, its webhook
  answers 503 (logged once) and nothing polls.
- `TELEGRAM_WEBHOOK_SECRET`: the `secret_token` given to setWebhook; Telegram sends it back in
  `X-Telegram-Bot-Api-Secret-Token` and any other request gets 403 (unset: every request gets 403).
- `TELEGRAM_API_BASE_URL` (default https://api.telegram.org), `TELEGRAM_MODE` (`webhook` or
  `polling`), `TELEGRAM_POLL_TIMEOUT` (seconds of one getUpdates long poll).

The webhook's steps and their order are `connectors.webhook.WebhookInput`'s (the same for Zalo):
configured (503 without a token) -> secret token (403; 429 for an address sending forgeries) ->
body of at most ``MAX_BODY_BYTES`` (64 KB at the least: `limits.PLATFORM_MIN_BODY_BYTES`; 413) ->
Update (400) -> drop a re-delivered `update_id` -> queue per chat and answer 200 at once. Then, in
order per chat: the chat's rate limit (over it the update is skipped and the chat told once per
minute, `TOO_FAST_NOTE`), `connectors.common.prepare`, `TOO_LONG_NOTE` before the answer to a cut
message, Rasa as sender `telegram:<chat_id>` (`BUSY_NOTE` when it fails). What is Telegram's own
is here: the secret token, `/start` and other commands (`COMMAND_NOTE`, never an intent), button
presses (answered at once, payloads guarded), and long polling: `TELEGRAM_MODE=polling`
(`make telegram`) runs a poller inside the Rasa server that feeds `accept` like the webhook does.

Answers leave as plain text (no parse_mode: a citizen's `<b>` or `*` is shown as typed), split at
4,096 characters, buttons as an inline keyboard whose callback data is the button's payload.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

import telegram
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic.request import Request

from connectors import limits
from connectors.common import ONLY_TEXT_NOTE, Inbound, normalise, prepare
from connectors.common import (
    split_text as common_split_text,
)
from connectors.telegram_api import DEFAULT_BASE_URL, TelegramApiError, TelegramBotApi
from connectors.telegram_polling import TelegramPoller
from connectors.webhook import WebhookInput, WebhookRefusalError

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Sender ids given to Rasa: `telegram:<chat_id>` (stable per chat).
SENDER_PREFIX = "telegram:"
#: Telegram's limit for one message, in UTF-16 code units (what Telegram counts).
MAX_TEXT = 4096
#: Telegram's limit for a button's callback_data, in bytes.
MAX_CALLBACK_BYTES = 64
#: Button labels longer than this are numbered and listed in full in the message text, because
#: Telegram cuts long labels to one line and the citizen could not tell the choices apart.
MAX_BUTTON_LABEL = 40
#: What `/start` sends to Rasa: the greeting takes the same path as a typed "xin chào".
GREETING_TEXT = "xin chào"

COMMAND_NOTE = (
    "Tôi không dùng lệnh. Bạn cứ gõ câu hỏi như nhắn tin bình thường, "
    'ví dụ: "làm căn cước cần giấy tờ gì?" hoặc "tra cứu hồ sơ".'
)
EXPIRED_BUTTON_NOTE = "Nút này đã cũ. Bạn vui lòng gõ lại câu hỏi."
CHOOSE_PROMPT = "Bạn chọn một mục dưới đây:"

# A Telegram command: "/start", "/start@bot_name", "/start payload".
_COMMAND_RE = re.compile(r"/(?P<name>[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?=\s|$)")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MODES = ("webhook", "polling")
_SECRET_KEYS = ("token", "access_token", "webhook_secret", "secret_token", "secret")


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's settings: secrets from the environment, the rest from credentials.yml or it."""

    token: str | None
    webhook_secret: str | None
    api_base_url: str = DEFAULT_BASE_URL
    mode: str = "webhook"
    poll_timeout: int = 30

    @classmethod
    def load(
        cls, credentials: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> TelegramSettings:
        """Read the settings; the environment wins over credentials.yml.

        Raises:
            ValueError: an option has an impossible value (the server should not start half-configured).
        """
        options = dict(credentials or {})
        env = os.environ if environ is None else environ
        for key in _SECRET_KEYS:
            if options.pop(key, None) is not None:
                logger.warning(
                    "credentials.yml: Telegram option %r ignored; secrets come from the environment", key
                )
        mode = (env.get("TELEGRAM_MODE") or str(options.get("mode") or "webhook")).strip().lower()
        if mode not in _MODES:
            raise ValueError(f"TELEGRAM_MODE must be one of {', '.join(_MODES)}, not {mode!r}")
        secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
        if secret and not _SECRET_RE.fullmatch(secret):
            # Telegram's setWebhook accepts only these characters, so no request could ever match.
            logger.warning("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return cls(
            token=(env.get("TELEGRAM_TOKEN") or "").strip() or None,
            webhook_secret=secret,
            api_base_url=(
                env.get("TELEGRAM_API_BASE_URL") or str(options.get("api_base_url") or DEFAULT_BASE_URL)
            ),
            mode=mode,
            poll_timeout=int(env.get("TELEGRAM_POLL_TIMEOUT") or options.get("poll_timeout") or 30),
        )


# -- pure helpers ---------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into messages of at most `limit` UTF-16 units (`connectors.common.split_text`)."""
    return common_split_text(text, limit, _utf16_units)


def command_name(text: str) -> str | None:
    """The Telegram command `text` starts with, lower-cased ("start" for "/start@bot x").

    Returns "" for other text with a non-space right after a leading "/" (`/inform{...}`, `/làm`),
    and None for ordinary text (which `prepare` guards like any other).
    """
    if len(text) < 2 or not text.startswith("/") or text[1].isspace():
        return None
    match = _COMMAND_RE.match(text)
    return match["name"].lower() if match else ""


def card_text(card: Any) -> str | None:
    """A procedure card (`custom.card`) as plain text, for a message that came without text."""
    if not isinstance(card, dict) or not isinstance(card.get("title"), str):
        return None

    def strings(key: str) -> list[str]:
        values = card.get(key)
        return [v for v in values if isinstance(v, str) and v] if isinstance(values, list) else []

    code = card.get("code")
    lines = [f"{card['title']} ({code})" if isinstance(code, str) and code else card["title"]]
    for key, heading in (
        ("documents", "Giấy tờ cần chuẩn bị:"),
        ("processing_time", "Thời hạn giải quyết:"),
        ("fee", "Phí, lệ phí:"),
    ):
        if strings(key):
            lines += [heading, *(f"- {value}" for value in strings(key))]
            more = card.get("documents_more") if key == "documents" else 0
            if isinstance(more, int) and more > 0:
                lines.append(f"- … và {more} giấy tờ khác")
    if strings("channels"):
        lines.append("Cách nộp: " + ", ".join(strings("channels")))
    for key in ("source", "source_url"):
        value = card.get(key)
        if (
            isinstance(value, str)
            and value
            and (key != "source_url" or value.startswith(("https://", "http://")))
        ):
            lines.append(value)
    return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chat_of_recipient(recipient_id: str) -> int | None:
    """The chat id in a Rasa sender id `telegram:<chat_id>`."""
    value = recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else recipient_id
    try:
        return int(value)
    except ValueError:
        return None


class CallbackData:
    """Button payloads as callback_data: ours fit in 64 bytes as they are; a longer one is swapped
    for a key remembered here (in memory: after a restart such an old button answers with a note)."""

    PREFIX = "#k:"

    def __init__(self, max_size: int = 10_000) -> None:
        self._keys: OrderedDict[str, str] = OrderedDict()
        self._max_size = max_size

    def encode(self, payload: str) -> str:
        """The callback_data for `payload`."""
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._keys[key] = payload
        self._keys.move_to_end(key)
        while len(self._keys) > self._max_size:
            self._keys.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """The payload behind `data`; None for a key no longer known."""
        return self._keys.get(data) if data.startswith(self.PREFIX) else data


# -- output ---------------------------------------------------------------------------------------


class TelegramOutput(OutputChannel):
    """Sends Rasa's messages to a Telegram chat as plain text with inline keyboards."""

    @classmethod
    def name(cls) -> str:
        """The channel's name."""
        return "telegram"

    def __init__(self, client: TelegramBotApi | None, callbacks: CallbackData | None = None) -> None:
        """Create the output channel.

        Args:
            client: the Bot API client (None when no token is configured: nothing is sent).
            callbacks: where over-long button payloads are remembered (shared with the input channel).
        """
        self.client = client
        self.callbacks = callbacks or CallbackData()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send one bot message: its text (or its card as text), with its buttons.

        Custom JSON payloads are for widgets and analytics and are never shown as raw JSON.
        """
        text = message.get("text") or ""
        buttons = message.get("buttons") or message.get("quick_replies") or []
        custom = message.get("custom")
        if not text.strip() and isinstance(custom, dict):
            text = card_text(custom.get("card")) or ""
        image = message.get("image")
        if isinstance(image, str) and image.startswith(("https://", "http://")):
            text = f"{text}\n{image}" if text.strip() else image
        await self._send(recipient_id, text, buttons)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split below Telegram's limit."""
        await self._send(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with an inline keyboard (on its last part when it is split)."""
        await self._send(recipient_id, text, buttons)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Show nothing: custom payloads are machine-readable (see `send_response` for cards)."""

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image's http(s) link as text."""
        if image.startswith(("https://", "http://")):
            await self._send(recipient_id, image, [])

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Attachments are not sent on this channel (the assistant sends none)."""

    async def send_note(self, chat_id: int, text: str) -> None:
        """Send one of the channel's own short notes."""
        await self._send(f"{SENDER_PREFIX}{chat_id}", text, [])

    async def _send(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        chat_id = chat_of_recipient(recipient_id)
        if chat_id is None or self.client is None:
            logger.warning(
                "Telegram: cannot send to recipient %r (no chat id or no token)", recipient_id[:40]
            )
            return
        text, markup = self._keyboard(text, buttons)
        parts = split_text(text)
        for number, part in enumerate(parts, start=1):
            try:
                await self.client.send_message(
                    chat_id, part, reply_markup=markup if number == len(parts) else None
                )
            except TelegramApiError as error:
                # Description and method only: Telegram's descriptions never quote the message.
                logger.warning("Telegram: sending to a chat failed (%s)", error)
                return

    def _keyboard(
        self, text: str, buttons: list[dict[str, Any]]
    ) -> tuple[str, telegram.InlineKeyboardMarkup | None]:
        usable = [
            b
            for b in buttons
            if isinstance(b, dict)
            and isinstance(b.get("title"), str)
            and b["title"].strip()
            and (
                isinstance(b.get("payload"), str) or str(b.get("url", "")).startswith(("https://", "http://"))
            )
        ]
        if not usable:
            return text, None
        titles = [" ".join(b["title"].split()) for b in usable]
        numbered = any(len(title) > MAX_BUTTON_LABEL for title in titles)
        if numbered:
            listing = "\n".join(f"{n}. {title}" for n, title in enumerate(titles, start=1))
            text = f"{text.rstrip()}\n\n{listing}" if text.strip() else listing
            titles = [f"{n}. {_shorten(title, MAX_BUTTON_LABEL)}" for n, title in enumerate(titles, start=1)]
        keys = [
            telegram.InlineKeyboardButton(title, url=b["url"])
            if not isinstance(b.get("payload"), str)
            else telegram.InlineKeyboardButton(title, callback_data=self.callbacks.encode(b["payload"]))
            for title, b in zip(titles, usable, strict=True)
        ]
        # Short labels (👍 / 👎) side by side; names one per row so each stays readable.
        short = len(keys) <= 4 and all(len(title) <= 8 for title in titles)
        rows = [keys] if short else [[key] for key in keys]
        return (text if text.strip() else CHOOSE_PROMPT), telegram.InlineKeyboardMarkup(rows)


# -- input ----------------------------------------------------------------------------------------


class TelegramInput(WebhookInput[telegram.Update]):
    """Telegram webhook (`/webhooks/telegram/webhook`) and long polling, one processing path.

    The steps and their order are `connectors.webhook`'s; this class adds the secret token check,
    the Update parsing, commands, button presses and polling.
    """

    SENDER_PREFIX = SENDER_PREFIX
    LABEL = "Telegram"
    NOT_CONFIGURED_ERROR = "not configured"
    TOO_LARGE_ERROR = "too large"
    SHUTDOWN_WAIT_SECONDS = 10.0

    @classmethod
    def name(cls) -> str:
        """The channel's name (its URL prefix `/webhooks/telegram`)."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        """Build the channel from credentials.yml's non-secret options and the environment."""
        return cls(TelegramSettings.load(credentials), limiter=limits.shared_limiter())

    def __init__(
        self,
        settings: TelegramSettings,
        client: TelegramBotApi | None = None,
        limiter: limits.RateLimiter | None = None,
    ) -> None:
        """Create the channel.

        Args:
            settings: the channel's settings.
            client: a Bot API client (default: built from the settings; None without a token).
            limiter: message rates per chat, forged requests per address (default: from the environment).
        """
        super().__init__(limiter)
        self.settings = settings
        self.client = client if client is not None else self._make_client(settings)
        self.callbacks = CallbackData()
        self.output = TelegramOutput(self.client, self.callbacks)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poller: asyncio.Task[None] | None = None

    @staticmethod
    def _make_client(settings: TelegramSettings) -> TelegramBotApi | None:
        if not settings.token:
            return None
        try:
            return TelegramBotApi(settings.token, settings.api_base_url)
        except TelegramApiError:
            logger.error(
                "TELEGRAM_TOKEN is not a bot token (<digits>:<letters>); the Telegram channel is off"
            )
            return None

    def get_output_channel(self) -> TelegramOutput:
        """The output channel answers go through."""
        return self.output

    def missing_settings(self) -> list[str]:
        """["TELEGRAM_TOKEN"] while there is no usable token (the webhook answers 503), else []."""
        return ["TELEGRAM_TOKEN"] if self.client is None else []

    # -- the platform's parts of the webhook ------------------------------------------------------

    def _verify_headers(self, request: Request) -> None:
        """Telegram sends setWebhook's secret_token back in a header; anything else is forged (403)."""
        if not self._secret_matches(request.headers.get(SECRET_HEADER)):
            raise WebhookRefusalError(403, "forbidden")

    def _extract_update(self, data: bytes) -> telegram.Update:
        assert self.client is not None  # step 1 refused the request otherwise
        try:
            # Bounded: a body nested thousands deep is refused, never a parser's RecursionError (500).
            body = limits.parse_json(data or b"")
            update = self.client.parse_update(body) if isinstance(body, dict) else None
        except ValueError:  # limits.BadJsonError included
            update = None
        if update is None:
            raise WebhookRefusalError(400, "not a Telegram update")
        return update

    def _extract_delivery_id(self, update: telegram.Update) -> str:
        return str(update.update_id)

    def _extract_chat_id(self, update: telegram.Update) -> str | None:
        chat = update.effective_chat
        if chat is None or (update.message is None and update.callback_query is None):
            return None  # edited messages, channel posts, inline queries: nothing to answer
        return str(chat.id)

    def _extract_metadata(self, update: telegram.Update) -> dict[str, Any]:
        # Channel and chat type only: never the user's name, username or phone.
        chat = update.effective_chat
        return {"channel": self.name(), "chat_type": chat.type if chat is not None else None}

    def _describe(self, update: telegram.Update) -> str:
        return f"update {update.update_id}"

    def _on_accepted(self, update: telegram.Update) -> None:
        query = update.callback_query
        if query is not None:
            # At once, outside the chat's queue: the button's spinner stops even while Rasa works.
            known = self.callbacks.decode(query.data or "") is not None
            self._spawn(self._answer_callback(query.id, None if known else EXPIRED_BUTTON_NOTE))

    async def _extract_inbound(self, update: telegram.Update, chat_id: str) -> Inbound | None:
        """What Rasa gets for an update, or None (after any note the citizen needs)."""
        query = update.callback_query
        if query is not None:
            payload = self.callbacks.decode(query.data or "")
            return prepare(payload=payload) if payload is not None else None
        message = update.message
        if message is None or (message.from_user is not None and message.from_user.is_bot):
            return None
        if message.text is None:
            if message.effective_attachment is not None:
                await self._send_note(chat_id, ONLY_TEXT_NOTE)
            return None  # service messages (members joined, pinned, ...) need no answer
        command = command_name(normalise(message.text))
        if command == "start":
            return Inbound(GREETING_TEXT)
        if command is not None:
            # Never to Rasa: "/inform{...}" typed by a citizen must not become an intent.
            await self._send_note(chat_id, COMMAND_NOTE)
            return None
        return prepare(text=message.text)

    async def _send_note(self, chat_id: str, text: str) -> None:
        await self.output.send_note(int(chat_id), text)

    # -- polling, button presses, shutdown --------------------------------------------------------

    def _on_server_start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.start_polling(on_new_message)

    def start_polling(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Start long polling when the mode says so (called once the server runs)."""
        if self.settings.mode != "polling":
            return
        if self.client is None:
            self._warn_once("configuration", "TELEGRAM_MODE=polling but TELEGRAM_TOKEN is unset: not polling")
            return
        poller = TelegramPoller(
            self.client,
            functools.partial(self.accept, on_new_message=on_new_message),
            timeout=self.settings.poll_timeout,
        )
        self._poller = asyncio.get_running_loop().create_task(poller.run())
        logger.info("Telegram: polling getUpdates")

    async def _stop_intake(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    async def _close_clients(self) -> None:
        if self.client is not None:
            self.client.close()

    async def _answer_callback(self, query_id: str, notice: str | None) -> None:
        if self.client is None:
            return
        try:
            await self.client.answer_callback_query(query_id, notice)
        except TelegramApiError as error:
            logger.warning("Telegram: answering a button press failed (%s)", error)

    def _secret_matches(self, header: str | None) -> bool:
        secret = self.settings.webhook_secret
        if not secret:
            self._warn_once(
                "secret", "TELEGRAM_WEBHOOK_SECRET is unset: the Telegram webhook refuses every request"
            )
            return False
        return header is not None and hmac.compare_digest(header.encode(), secret.encode())

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
