"""Rasa's REST channel with this assistant's guards: `connectors.rest.RestInput` in credentials.yml.

The same route and shapes as Rasa's stock ``rest`` channel, so clients and tests need no change:
``POST /webhooks/rest/webhook`` with ``{"sender": "...", "message": "..."}`` answers a list of
``{"recipient_id", "text", "buttons", "custom", ...}``; ``GET /webhooks/rest/`` is the health check.

What differs from the stock channel:

- The message takes the shared path (`connectors.common.prepare`): ``/greet`` or
  ``/inform{"x": "y"}`` typed by anyone is read as text, never as an intent; only the assistant's own
  button payloads (``/choose_procedure{...}``, ``/rate_answer{...}``, values checked) pass as
  intents. A message cut to ``MAX_MESSAGE_CHARS`` is answered with `TOO_LONG_NOTE` first.
- ``sender`` must be 1-128 printable characters and must not start like another channel's sender ids
  (``telegram:``, ``zalo:``, ``web-``): a REST client could otherwise write into, and read the answers
  of, a Telegram, Zalo or widget conversation. Anything else: 400 with a JSON error.
- Bodies over ``MAX_BODY_BYTES``: 413. Over a rate limit (`connectors.limits`): 429 with
  ``Retry-After`` and the Vietnamese `TOO_FAST_NOTE` in Rasa's answer shape.
- When Rasa fails on the message (tracker or lock store down, any exception) the answer is 200 with
  `BUSY_NOTE` alone in Rasa's shape: the citizen is told to retry, never left without an answer, and
  nothing the failed turn produced is shown. The log has the error's type, never the message text
  (the stock channel logs ``text=`` on failure).
- The client's ``input_channel`` and ``metadata`` are ignored: messages are recorded as channel
  ``rest`` (so ``output_channel=latest`` of the HTTP API finds this channel, whose answers Rasa then
  collects and returns) with metadata ``{"channel": "rest"}``, never what a client claims.
- Streaming answers (``?stream=true``) are not offered (400): they would send part of a turn before
  knowing whether it fails, and no client of this assistant uses them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common import BUSY_NOTE, MAX_MESSAGE_CHARS, TOO_FAST_NOTE, TOO_LONG_NOTE, log_safe, prepare
from connectors.limits import (
    BodyTooLargeError,
    LimitSettings,
    RateLimiter,
    body_limit,
    client_ip,
    read_body,
    refusal_headers,
    shared_limiter,
)

logger = logging.getLogger(__name__)

#: Longest sender id accepted.
MAX_SENDER_CHARS = 128
#: Sender id prefixes of the other channels (telegram.SENDER_PREFIX, zalo.SENDER_PREFIX,
#: web.SENDER_PREFIX): those conversations are reached only through their own channels.
RESERVED_SENDER_PREFIXES = ("telegram:", "zalo:", "web-")


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


def sender_problem(sender: Any) -> str | None:
    """Why `sender` is not an acceptable sender id, or None when it is."""
    if not isinstance(sender, str) or not sender:
        return "sender must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"sender must be at most {MAX_SENDER_CHARS} characters"
    if not sender.isprintable() or sender != sender.strip():
        return "sender must be printable characters without surrounding spaces"
    if sender.lower().startswith(RESERVED_SENDER_PREFIXES):
        return "sender must not start with another channel's prefix (telegram:, zalo:, web-)"
    return None


class RestInput(RasaRestInput):
    """The REST channel at ``/webhooks/rest/webhook`` (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the channel: its routes stay under ``/webhooks/rest/``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Build the channel; ``MAX_BODY_BYTES`` in the environment wins over credentials.yml."""
        return cls(max_body_bytes=body_limit(credentials), limiter=shared_limiter())

    def __init__(self, max_body_bytes: int | None = None, limiter: RateLimiter | None = None) -> None:
        """Create the channel.

        Args:
            max_body_bytes: the largest request body read (default ``MAX_BODY_BYTES``).
            limiter: counts messages per sender and per address (default: a new one configured by
                the environment; Rasa gets the process's shared one through `from_credentials`).
        """
        self.max_body_bytes = max_body_bytes or LimitSettings.from_env().max_body_bytes
        self.limiter = limiter or RateLimiter()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route ``/`` and the message route ``/webhook``."""
        rest = Blueprint(f"tthc_rest_{type(self).__name__}")

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        @rest.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.limiter.close()

        return rest

    async def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Guard one request and, if it passes, hand its message to Rasa."""
        if request.args.get("stream", "").lower() in {"true", "1", "yes"}:
            return _error(400, "streaming_not_supported", "this channel answers whole turns only")
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLargeError:
            return _error(413, "too_large", f"the request body must be at most {self.max_body_bytes} bytes")
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            return _error(400, "bad_request", 'the body must be a JSON object {"sender", "message"}')
        sender = data.get("sender")
        problem = sender_problem(sender)
        if problem is not None:
            return _error(400, "invalid_sender", problem)
        verdict = await self.limiter.check(sender=f"rest:{sender}", ip=client_ip(request))
        if not verdict.allowed:
            logger.info("REST: a message over the %s rate limit was refused", verdict.scope)
            return response.json(
                [{"recipient_id": sender, "text": TOO_FAST_NOTE}],
                status=429,
                headers=refusal_headers(verdict),
            )
        message = data.get("message")
        # A whole message that is one of the assistant's own button payloads is that payload (REST
        # clients send a pressed button's payload as the message); anything else is guarded text.
        inbound = prepare(payload=message) if isinstance(message, str) else None
        if inbound is None:
            return _error(400, "empty_message", "message must be a non-empty string")
        logger.debug("REST message: %s", log_safe(inbound.text))
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    inbound.text,
                    collector,
                    sender,
                    input_channel=self.name(),
                    metadata={"channel": self.name()},
                )
            )
        except Exception as error:  # the citizen is told to retry; the type only reaches the log
            # Never the exception's text or traceback: either may quote the citizen's message.
            logger.error("REST: Rasa failed on a message (%s)", type(error).__name__)
            return response.json([{"recipient_id": sender, "text": BUSY_NOTE}])
        messages: list[dict[str, Any]] = list(collector.messages)
        if inbound.truncated:
            note = {"recipient_id": sender, "text": TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS)}
            messages = [note, *messages]
        return response.json(messages)
