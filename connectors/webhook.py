"""One webhook pipeline for the chat platforms: the order of the steps is decided here, once.

`WebhookInput` is a Rasa input channel shaped like Rasa's own ``rest.py`` / ``telegram.py``:
`name()`, `from_credentials()`, `blueprint()` with ``GET /`` (health) and ``POST /webhook``,
`get_output_channel()` and small ``_extract_*`` helpers. A platform (`connectors.telegram`,
`connectors.zalo`) adds only what is its own: how a request proves it comes from the platform, how
a body becomes an update, what an update asks, how a note reaches the chat, and its limits. Its
client classes stay in their own modules (``telegram_api.py``, ``zalo_api.py``, ...).

Every request to ``/webhook`` goes through these steps, in this order:

1. **Configured?** `missing_settings()` is not empty: 503 (logged once, naming the unset settings,
   never their values). First, whatever the request carries: the platform keeps its events until
   the channel is configured, and nothing is read for a channel that cannot answer.
2. **Verify the headers** (`_verify_headers`; Telegram's secret token): a forgery is refused
   before its body is read, so it never costs a 64 KB read.
3. **Read the body** up to `limits.platform_body_limit` (`MAX_BODY_BYTES`, never under the
   platform's own 64 KB): 413 above it.
4. **Verify the body** (`_verify_body`; Zalo's signature covers the body, so it is checked here).
   A refusal in step 2 or 4 is counted against the client's address (`RateLimiter.check(ip=...)`)
   and answered 429 with ``Retry-After`` once the address is over its limit. Only refused requests
   are counted per address: the platform's own requests come from a few addresses shared by all its
   users, so they are limited per chat instead (step 8).
5. **Parse** (`_extract_update`): a body that is not the platform's update shape gets 400 (not
   counted per address: it passed verification); an update the assistant ignores gets 200.
6. **Drop re-deliveries** by the update's delivery id (`_extract_delivery_id`), in this process
   (`common.RecentIds`) and, with ``REDIS_URL``, across replicas (`RateLimiter.first_delivery`).
   Before queueing, so a retried delivery never runs twice, whichever replica it reaches; it is
   acknowledged like the first.
7. **Queue per chat** (`common.ChatQueues`) and answer 200 at once: Telegram and Zalo re-send what
   is not acknowledged within seconds (Zalo may even disable the webhook).

Then, in the background, one chat's updates strictly in arrival order:

8. **Per-sender limit**, counted before anything else is done, so an update over the limit is not
   processed at all; the chat is told once a minute (`TOO_FAST_NOTE`).
9. **Prepare** (`_extract_inbound`): the update to what Rasa sees (`common.prepare`: a typed
   ``/intent{...}`` never becomes an intent), or None after any note the chat needs (only text is
   read, commands are not used).
10. **A cut message** is announced before the answer (`TOO_LONG_NOTE`), as the REST channel and the
    widget do: the citizen first reads that only the start was read, then the answer to it.
11. **Rasa** (``on_new_message``) with sender ``<prefix><chat>``; when it fails the chat gets
    `BUSY_NOTE` and the log gets the error's type only (its text may quote the citizen).

Long polling (Telegram's getUpdates) enters at step 6 through `accept`: a poller is one process per
bot, so only this process's dedupe applies. Log lines name an update by `_describe` (platform ids,
never names, phone numbers or message text; text only at DEBUG and through `common.log_safe`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, TypeVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import limits
from connectors.common import (
    BUSY_NOTE,
    MAX_MESSAGE_CHARS,
    TOO_FAST_NOTE,
    TOO_LONG_NOTE,
    ChatQueues,
    Inbound,
    RecentIds,
    log_safe,
)

#: One update of a platform (a `telegram.Update`, a `connectors.zalo.ZaloEvent`).
UpdateT = TypeVar("UpdateT")
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WebhookRefusalError(Exception):
    """A webhook request refused by a platform hook, with the HTTP status and error code to answer."""

    def __init__(self, status: int, error: str) -> None:
        """Refuse with `status` and the JSON body ``{"error": error}``."""
        super().__init__(error)
        self.status = status
        self.error = error

    def response(self) -> HTTPResponse:
        """The refusal as an HTTP answer."""
        return response.json({"error": self.error}, status=self.status)


class WebhookInput(InputChannel, Generic[UpdateT]):
    """A chat platform's webhook channel: the steps of the module docstring, platform parts as hooks.

    Subclasses set `SENDER_PREFIX` and `LABEL` and implement `name`, `from_credentials`,
    `get_output_channel`, `missing_settings`, `_extract_update`, `_extract_delivery_id`,
    `_extract_chat_id`, `_extract_inbound`, `_describe` and `_send_note`; the other hooks have
    defaults that do nothing.
    """

    #: Rasa's sender ids of this channel: ``<SENDER_PREFIX><chat id>``.
    SENDER_PREFIX: ClassVar[str] = ""
    #: The platform's name in log lines ("Telegram", "Zalo").
    LABEL: ClassVar[str] = ""
    #: Error codes of the channel's own refusals (its JSON bodies stay as they always were).
    NOT_CONFIGURED_ERROR: ClassVar[str] = "not configured"
    TOO_LARGE_ERROR: ClassVar[str] = "too large"
    #: How long a stopping server waits for queued messages (and their answers) to finish.
    SHUTDOWN_WAIT_SECONDS: ClassVar[float] = 10.0

    def __init__(self, limiter: limits.RateLimiter | None = None) -> None:
        """Set up what every webhook channel has.

        Args:
            limiter: message rates per chat, refused requests per address (default: from the
                environment; Rasa gets the process's shared one through `from_credentials`).
        """
        self.limiter = limiter or limits.RateLimiter()
        self.recent = RecentIds()
        self.queues = ChatQueues()
        # The platform module's logger, so log lines keep naming the channel they come from.
        self.log = logging.getLogger(type(self).__module__)
        self._warned: set[str] = set()

    # -- what a platform provides ------------------------------------------------------------- #

    def missing_settings(self) -> list[str]:
        """The settings the webhook needs that are unset (empty when it can serve)."""
        raise NotImplementedError

    def _verify_headers(self, request: Request) -> None:
        """Check what the headers prove (step 2).

        Raises:
            WebhookRefusalError: the request does not come from the platform.
        """

    def _verify_body(self, request: Request, body: bytes) -> Any:
        """Check what the body proves (step 4); return what `_extract_update` reads (default: the body).

        Raises:
            WebhookRefusalError: the request does not come from the platform.
        """
        return body

    def _extract_update(self, data: Any) -> UpdateT | None:
        """The update in a verified body, or None when the assistant ignores it (step 5).

        Raises:
            WebhookRefusalError: the body is not one of the platform's updates (400).
        """
        raise NotImplementedError

    def _extract_delivery_id(self, update: UpdateT) -> str:
        """The id re-deliveries of `update` share (Telegram's update_id, Zalo's msg_id)."""
        raise NotImplementedError

    def _extract_chat_id(self, update: UpdateT) -> str | None:
        """The chat `update` belongs to, or None when there is nothing to answer."""
        raise NotImplementedError

    async def _extract_inbound(self, update: UpdateT, chat_id: str) -> Inbound | None:
        """What Rasa gets for `update` (step 9), or None after any note the chat needs."""
        raise NotImplementedError

    def _extract_message_id(self, update: UpdateT) -> str | None:
        """The platform's message id given to Rasa (default: none)."""
        return None

    def _extract_metadata(self, update: UpdateT) -> dict[str, Any]:
        """The metadata given to Rasa with the message: never a name, a username or a phone number."""
        return {"channel": self.name()}

    def _describe(self, update: UpdateT) -> str:
        """How log lines name `update`: platform ids only, never personal data or text."""
        raise NotImplementedError

    async def _send_note(self, chat_id: str, text: str) -> None:
        """Send one of the channel's own short notes to a chat."""
        raise NotImplementedError

    def _on_accepted(self, update: UpdateT) -> None:
        """Called for each update taken (not a re-delivery), before it is queued (default: nothing)."""

    def _on_server_start(self, on_new_message: OnNewMessage) -> None:
        """Called once the server runs (Telegram starts polling here; default: nothing)."""

    async def _stop_intake(self) -> None:
        """Stop taking new updates at shutdown (Telegram stops polling here; default: nothing)."""

    async def _drain(self) -> None:
        """Wait until queued work is done (Zalo also waits for its queued answers)."""
        await self.queues.drain()

    def _pending(self) -> int:
        """How many chats still have work queued (logged at shutdown)."""
        return self.queues.pending()

    async def _close_clients(self) -> None:
        """Release the platform's API client at shutdown (default: nothing)."""

    # -- the routes ----------------------------------------------------------------------------- #

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The health route ``/`` and the webhook ``/webhook`` (Rasa adds ``/webhooks/<name>``)."""
        webhook = Blueprint(f"tthc_{self.name()}_webhook_{type(self).__name__}")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "not configured" if self.missing_settings() else "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle_webhook(request, on_new_message)

        @webhook.listener("after_server_start")
        async def started(_app: Any, _loop: Any) -> None:
            self._on_server_start(on_new_message)

        @webhook.listener("before_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await self.shutdown()

        return webhook

    async def handle_webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Take one webhook request through steps 1-7 (see the module docstring)."""
        missing = self.missing_settings()
        if missing:
            unset = ", ".join(f"{name} is unset" for name in missing)
            self._warn_once(
                "configuration",
                f"{self.LABEL} webhook called but the channel is not configured ({unset}): 503",
            )
            return response.json({"error": self.NOT_CONFIGURED_ERROR}, status=503)
        try:
            self._verify_headers(request)
        except WebhookRefusalError as refusal:
            return await self._refuse(request, refusal)
        try:
            body = await limits.read_body(request, limits.platform_body_limit(self.limiter.settings))
        except limits.BodyTooLargeError:
            return response.json({"error": self.TOO_LARGE_ERROR}, status=413)
        try:
            data = self._verify_body(request, body)
        except WebhookRefusalError as refusal:
            return await self._refuse(request, refusal)
        try:
            update = self._extract_update(data)
        except WebhookRefusalError as refusal:
            return refusal.response()
        if update is None:
            return response.json({"status": "ignored"})
        if self._seen_here(update) or not await self._first_across_replicas(update):
            return response.json({"status": "duplicate"})
        return response.json({"status": "ok" if self._enqueue(update, on_new_message) else "ignored"})

    async def _refuse(self, request: Request, refusal: WebhookRefusalError) -> HTTPResponse:
        # Per address, only refused requests are counted (step 4 of the module docstring).
        verdict = await self.limiter.check(ip=limits.client_ip(request))
        if not verdict.allowed:
            return response.json(
                {"error": "too many requests"}, status=429, headers=limits.refusal_headers(verdict)
            )
        return refusal.response()

    # -- steps 6 and 7: dedupe, queue ----------------------------------------------------------- #

    def accept(self, update: UpdateT, on_new_message: OnNewMessage) -> bool:
        """Take one update however it arrived (webhook or polling): dedupe, queue. True if queued."""
        if self._seen_here(update):
            return False
        return self._enqueue(update, on_new_message)

    def _seen_here(self, update: UpdateT) -> bool:
        if self.recent.seen(f"{self.name()}:{self._extract_delivery_id(update)}"):
            self.log.info("%s: %s delivered again, ignored", self.LABEL, self._describe(update))
            return True
        return False

    async def _first_across_replicas(self, update: UpdateT) -> bool:
        if not self.limiter.shared:
            return True
        if await self.limiter.first_delivery(f"{self.name()}:{self._extract_delivery_id(update)}"):
            return True
        self.log.info("%s: %s already taken by another replica, ignored", self.LABEL, self._describe(update))
        return False

    def _enqueue(self, update: UpdateT, on_new_message: OnNewMessage) -> bool:
        self._on_accepted(update)
        chat_id = self._extract_chat_id(update)
        if chat_id is None:
            return False
        self.queues.submit(
            self.SENDER_PREFIX + chat_id, functools.partial(self._process, update, chat_id, on_new_message)
        )
        return True

    # -- steps 8-11, in the chat's queue -------------------------------------------------------- #

    async def _process(self, update: UpdateT, chat_id: str, on_new_message: OnNewMessage) -> None:
        sender_id = self.SENDER_PREFIX + chat_id
        verdict = await self.limiter.check(sender=sender_id)
        if not verdict.allowed:
            self.log.info(
                "%s: %s over the chat's rate limit, not processed", self.LABEL, self._describe(update)
            )
            if verdict.first_refusal:
                await self._send_note(chat_id, TOO_FAST_NOTE)
            return
        inbound = await self._extract_inbound(update, chat_id)
        if inbound is None:
            return
        if inbound.truncated:
            await self._send_note(chat_id, TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS))
        self.log.debug("%s: %s to Rasa: %s", self.LABEL, self._describe(update), log_safe(inbound.text))
        message = UserMessage(
            inbound.text,
            self.get_output_channel(),
            sender_id,
            input_channel=self.name(),
            message_id=self._extract_message_id(update),
            metadata=self._extract_metadata(update),
        )
        try:
            await on_new_message(message)
        except Exception as error:  # the citizen is told; the queue goes on
            # The error's type only: its text or traceback may quote the citizen's message.
            self.log.error(
                "%s: Rasa failed on %s (%s)", self.LABEL, self._describe(update), type(error).__name__
            )
            await self._send_note(chat_id, BUSY_NOTE)

    # -- shutdown and helpers ------------------------------------------------------------------- #

    async def shutdown(self) -> None:
        """Stop taking updates, let queued ones finish (for a while), release the clients."""
        await self._stop_intake()
        try:
            await asyncio.wait_for(self._drain(), self.SHUTDOWN_WAIT_SECONDS)
        except asyncio.TimeoutError:
            # What is still queued is given up; the conversations themselves are in the tracker.
            self.log.warning("%s: %d chat(s) still had work queued at shutdown", self.LABEL, self._pending())
        await self._close_clients()
        await self.limiter.close()

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel answers go through."""
        raise NotImplementedError

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.log.warning(message)
