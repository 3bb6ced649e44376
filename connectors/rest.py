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
- Bodies nested deeper than ``limits.MAX_JSON_DEPTH`` (32) are refused (400) before they are parsed.

Who may post (`RestSettings`, from the environment). Citizens' browsers talk to the widget channel
(`connectors.web`, signed session ids); the REST channel is for servers and the command line, and it
trusts the ``sender`` it is given, so a web page must not be able to make its visitors post to it:

- Local and test profiles: on, as Rasa's. A request from a browser page (an ``Origin`` header) is
  refused (403) unless the origin is one of the widget's (``WEB_ALLOWED_ORIGINS``);
  ``Sec-Fetch-Site: cross-site`` is refused too. With ``REST_CHANNEL_TOKEN`` set, the token is
  required as in production.
- Production profile (``PROFILE=prod``): off (404) unless ``REST_CHANNEL_ENABLED=true``; then every
  request needs ``Authorization: Bearer <REST_CHANNEL_TOKEN>`` (compared in constant time; 401, and
  429 for an address that keeps guessing) and any browser request (an ``Origin`` or
  ``Sec-Fetch-Site`` header) is refused (403). Enabled without a token of 32 characters or more:
  the server refuses to start.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.common import BUSY_NOTE, MAX_MESSAGE_CHARS, TOO_FAST_NOTE, TOO_LONG_NOTE, log_safe, prepare
from connectors.limits import (
    MAX_JSON_DEPTH,
    BadJsonError,
    BodyTooLargeError,
    JsonTooDeepError,
    LimitSettings,
    RateLimiter,
    body_limit,
    client_ip,
    parse_json,
    read_body,
    refusal_headers,
    shared_limiter,
)
from connectors.web import DEFAULT_ORIGINS, MIN_SECRET_CHARS, is_local_profile, parse_origins, weak_secret

logger = logging.getLogger(__name__)

#: Longest sender id accepted.
MAX_SENDER_CHARS = 128
#: Sender id prefixes of the other channels (telegram.SENDER_PREFIX, zalo.SENDER_PREFIX,
#: web.SENDER_PREFIX): those conversations are reached only through their own channels.
RESERVED_SENDER_PREFIXES = ("telegram:", "zalo:", "web-")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status, headers=headers)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in {"true", "1", "yes", "on"}:
        return True
    if value in {"false", "0", "no", "off"}:
        return False
    raise RasaException(f"{name} must be true or false, not {value!r}")


@dataclass(frozen=True)
class RestSettings:
    """Who may post to the REST channel (see the module docstring), from the environment."""

    #: False: every route answers 404, as if the channel were not there.
    enabled: bool = True
    #: The bearer token every request must carry ("" : none required; never "" in production).
    token: str = ""
    #: Browser page origins that may post; None: no browser request at all (production).
    allowed_origins: frozenset[str] | None = frozenset(DEFAULT_ORIGINS)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RestSettings:
        """Read ``PROFILE``, ``REST_CHANNEL_ENABLED``, ``REST_CHANNEL_TOKEN`` and ``WEB_ALLOWED_ORIGINS``.

        Raises:
            RasaException: in production, the channel is enabled without a strong token, or a value
                is malformed (the server should not start half-configured).
        """
        env = os.environ if environ is None else environ
        local = is_local_profile(env)
        enabled = _flag(env, "REST_CHANNEL_ENABLED", default=local)
        token = (env.get("REST_CHANNEL_TOKEN") or "").strip()
        if enabled and not local and weak_secret(token):
            raise RasaException(
                "REST_CHANNEL_ENABLED=true needs REST_CHANNEL_TOKEN, a random string of at least "
                f"{MIN_SECRET_CHARS} characters (clients send it as 'Authorization: Bearer <token>')"
            )
        origins = parse_origins(env.get("WEB_ALLOWED_ORIGINS")) if local else None
        return cls(enabled=enabled, token=token, allowed_origins=origins)


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


def _not_found() -> HTTPResponse:
    return _error(404, "not_found", "the REST channel is not enabled on this server")


class RestInput(RasaRestInput):
    """The REST channel at ``/webhooks/rest/webhook`` (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the channel: its routes stay under ``/webhooks/rest/``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Build the channel; ``MAX_BODY_BYTES`` in the environment wins over credentials.yml."""
        settings = RestSettings.from_env()
        if not settings.enabled:
            logger.info("REST channel off in this profile (REST_CHANNEL_ENABLED): /webhooks/rest answers 404")
        return cls(max_body_bytes=body_limit(credentials), limiter=shared_limiter(), settings=settings)

    def __init__(
        self,
        max_body_bytes: int | None = None,
        limiter: RateLimiter | None = None,
        settings: RestSettings | None = None,
    ) -> None:
        """Create the channel.

        Args:
            max_body_bytes: the largest request body read (default ``MAX_BODY_BYTES``).
            limiter: counts messages per sender and per address (default: a new one configured by
                the environment; Rasa gets the process's shared one through `from_credentials`).
            settings: who may post (default: from the environment).
        """
        self.max_body_bytes = max_body_bytes or LimitSettings.from_env().max_body_bytes
        self.limiter = limiter or RateLimiter()
        self.settings = settings or RestSettings.from_env()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route ``/`` and the message route ``/webhook``."""
        rest = Blueprint(f"tthc_rest_{type(self).__name__}")

        @rest.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return _not_found()
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        @rest.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.limiter.close()

        return rest

    def from_foreign_browser(self, request: Request) -> bool:
        """True for a request a browser page sends that this channel does not take.

        Browsers add ``Origin`` to every cross-origin POST (and ``Sec-Fetch-Site`` to every request);
        servers and curl send neither.
        """
        origin = request.headers.get("origin")
        site = (request.headers.get("sec-fetch-site") or "").strip().lower()
        allowed = self.settings.allowed_origins
        if allowed is None:  # production: no browser at all
            return origin is not None or site not in {"", "none"}
        if origin is not None:
            return origin.strip().rstrip("/").lower() not in allowed
        return site == "cross-site"

    def token_matches(self, authorization: str | None) -> bool:
        """True when no token is required, or `authorization` is ``Bearer <token>`` (constant time)."""
        expected = self.settings.token
        if not expected:
            return True
        scheme, _, given = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8", "surrogatepass"), expected.encode("utf-8"))

    async def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Guard one request and, if it passes, hand its message to Rasa."""
        if not self.settings.enabled:
            return _not_found()
        if self.from_foreign_browser(request):
            logger.debug("REST: a request from a browser page refused")
            return _error(403, "origin_not_allowed", "browsers reach the assistant through the web widget")
        if not self.token_matches(request.headers.get("authorization")):
            # Counted against the address: one that keeps guessing tokens is told to slow down.
            verdict = await self.limiter.check(ip=client_ip(request))
            if not verdict.allowed:
                return _error(429, "too_many_requests", "too many refused requests", refusal_headers(verdict))
            return _error(
                401,
                "unauthorized",
                "this channel needs 'Authorization: Bearer <REST_CHANNEL_TOKEN>'",
                {"WWW-Authenticate": "Bearer"},
            )
        if request.args.get("stream", "").lower() in {"true", "1", "yes"}:
            return _error(400, "streaming_not_supported", "this channel answers whole turns only")
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLargeError:
            return _error(413, "too_large", f"the request body must be at most {self.max_body_bytes} bytes")
        try:
            data = parse_json(body)
        except JsonTooDeepError:
            return _error(400, "bad_request", f"the JSON body must nest at most {MAX_JSON_DEPTH} levels deep")
        except BadJsonError:
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
