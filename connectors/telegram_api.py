"""The one client of the Telegram Bot API: python-telegram-bot's `Bot`, made safe to await.

python-telegram-bot 13 is synchronous (urllib3), so every call runs on this client's own small thread
pool (never Rasa's default executor, which a 30 s long poll would otherwise hold). The client:

- builds `{base_url}/bot{token}/{method}` (`TELEGRAM_API_BASE_URL`, so tests use a local fake);
- returns python-telegram-bot objects or raises a `TelegramApiError` subclass, never talks to a user;
- honours 429 `retry_after`: waits and repeats the same call (a few times, for waits up to
  `max_retry_wait` seconds), then gives up with `TelegramRetryAfterError`;
- keeps the token out of every error message and log line (urllib3 errors quote the URL, and
  python-telegram-bot logs whole responses, message text included, at DEBUG).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import telegram
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
    Unauthorized,
)
from telegram.utils.request import Request

logger = logging.getLogger(__name__)

#: Where the Bot API lives unless `TELEGRAM_API_BASE_URL` says otherwise.
DEFAULT_BASE_URL = "https://api.telegram.org"
#: The updates the assistant handles (webhook and polling ask Telegram for these only).
ALLOWED_UPDATES = ["message", "callback_query"]

T = TypeVar("T")

# python-telegram-bot logs each API result (message text included) at DEBUG, which `rasa run --debug`
# would print: only its warnings may pass. Its vendored urllib3 quotes the URL, token included, even
# in warnings ("Retrying ... /bot<token>/sendMessage"): silenced (overriding the WARNING level
# python-telegram-bot sets on it when imported, above); the client raises a redacted error instead.
logging.getLogger("telegram").setLevel(logging.WARNING)
logging.getLogger("telegram.vendor.ptb_urllib3.urllib3").setLevel(logging.CRITICAL)


class TelegramApiError(Exception):
    """A Bot API call failed; `description` never contains the token."""

    def __init__(self, method: str, description: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{method}: {description}")
        self.method = method
        self.description = description
        self.retry_after = retry_after


class TelegramRetryAfterError(TelegramApiError):
    """Telegram still asked to wait (429) after the retries, or asked for too long a wait."""


class TelegramUnauthorizedError(TelegramApiError):
    """The token is wrong (401/404), or the user blocked the bot (403)."""


class TelegramBadRequestError(TelegramApiError):
    """Telegram refused the request itself (400): a bad chat id, text too long, ..."""


class TelegramConflictError(TelegramApiError):
    """getUpdates while a webhook is set, or while another process polls the same bot (409)."""


class TelegramNetworkError(TelegramApiError):
    """The Bot API could not be reached, timed out, or answered with a server error."""


class TelegramBotApi:
    """Async access to the Bot API methods the assistant uses."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        pool_size: int = 8,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
    ) -> None:
        """Create the client (no network call).

        Args:
            token: the bot token from @BotFather.
            base_url: the Bot API server, without `/bot<token>`.
            max_retries: how many times one call is repeated after a 429.
            max_retry_wait: the longest `retry_after` waited for; a longer one raises at once.
            pool_size: threads and HTTP connections (long polling holds one).
            connect_timeout: seconds to connect.
            read_timeout: seconds to wait for an answer (long polls add their own timeout).

        Raises:
            TelegramUnauthorizedError: the token is not shaped like a bot token.
        """
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        try:
            self.bot = telegram.Bot(
                token,
                base_url=f"{self.base_url}/bot",
                request=Request(
                    con_pool_size=pool_size, connect_timeout=connect_timeout, read_timeout=read_timeout
                ),
            )
        except InvalidToken as error:
            raise TelegramUnauthorizedError("init", "malformed bot token") from error
        self._executor = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="telegram-api")

    def parse_update(self, data: dict[str, Any]) -> telegram.Update:
        """Turn a webhook body into an Update.

        Raises:
            ValueError: `data` is not a Telegram update.
        """
        try:
            update = telegram.Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError("not a Telegram update") from error
        if update is None or not isinstance(data.get("update_id"), int):
            raise ValueError("not a Telegram update")
        return update

    async def send_message(
        self, chat_id: int | str, text: str, *, reply_markup: telegram.InlineKeyboardMarkup | None = None
    ) -> telegram.Message:
        """Send plain text (no parse_mode: nothing in it is read as formatting)."""
        return await self._call(
            "sendMessage",
            self.bot.send_message,
            chat_id=chat_id,
            text=text,
            reply_markup=reply_markup,
            disable_web_page_preview=True,
        )

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None) -> bool:
        """Stop the button's spinner, optionally with a short notice."""
        return await self._call(
            "answerCallbackQuery", self.bot.answer_callback_query, callback_query_id, text=text
        )

    async def get_updates(self, offset: int | None, timeout: int = 30) -> list[telegram.Update]:
        """Long-poll for updates from `offset` on (confirms every update before it)."""
        return await self._call(
            "getUpdates",
            self.bot.get_updates,
            offset=offset,
            timeout=timeout,
            allowed_updates=ALLOWED_UPDATES,
            _daemon=True,
        )

    async def delete_webhook(self) -> bool:
        """Remove the webhook so getUpdates may be used (pending updates are kept)."""
        return await self._call("deleteWebhook", self.bot.delete_webhook, drop_pending_updates=False)

    async def set_webhook(self, url: str, secret_token: str) -> bool:
        """Point Telegram at `url`; it will send `secret_token` in X-Telegram-Bot-Api-Secret-Token."""
        return await self._call(
            "setWebhook",
            self.bot.set_webhook,
            url=url,
            secret_token=secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )

    async def get_me(self) -> telegram.User:
        """The bot's own account (checks the token)."""
        return await self._call("getMe", self.bot.get_me)

    def close(self) -> None:
        """Release the threads (calls still running finish first)."""
        self._executor.shutdown(wait=False)

    async def _call(
        self, method: str, function: Callable[..., T], *args: Any, _daemon: bool = False, **kwargs: Any
    ) -> T:
        loop = asyncio.get_running_loop()
        attempt = 0
        job = functools.partial(function, *args, **kwargs)
        while True:
            try:
                if _daemon:
                    return await _in_daemon_thread(job)
                return await loop.run_in_executor(self._executor, job)
            except RetryAfter as error:
                wait = float(error.retry_after)
                if attempt >= self.max_retries or wait > self.max_retry_wait:
                    raise TelegramRetryAfterError(method, "too many requests", retry_after=wait) from None
                attempt += 1
                logger.warning("Telegram %s: 429, retrying in %.0f s (attempt %d)", method, wait, attempt)
                await asyncio.sleep(wait)
            except (Unauthorized, InvalidToken) as error:
                raise TelegramUnauthorizedError(method, self._safe(error)) from None
            except BadRequest as error:
                raise TelegramBadRequestError(method, self._safe(error)) from None
            except Conflict as error:
                raise TelegramConflictError(method, self._safe(error)) from None
            except (TimedOut, NetworkError) as error:
                raise TelegramNetworkError(method, self._safe(error)) from None
            except TelegramError as error:
                raise TelegramApiError(method, self._safe(error)) from None

    def _safe(self, error: Exception) -> str:
        # `from None` above drops the cause too: urllib3's exception text quotes the URL with the token.
        return str(error).replace(self._token, "<token>")


async def _in_daemon_thread(job: Callable[[], T]) -> T:
    """Run `job` on a daemon thread of its own.

    For long polls: the executor's threads are joined when the interpreter exits, so a poll still
    waiting (up to its timeout) would hold up the server's shutdown; a daemon thread does not.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result, error = job(), None
        except BaseException as raised:  # handed to the awaiting coroutine
            result, error = None, raised
        # RuntimeError: the loop closed meanwhile, nobody waits any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="telegram-poll", daemon=True).start()
    return await future
