"""Abuse limits every channel applies: request body size, message rates per sender and per client IP.

A channel asks `RateLimiter.check` before it hands anything to Rasa, so a refused message is never
half-processed: either all of it reaches Rasa or none of it does. Rates are counted in one-minute
sliding windows (the current minute's count plus the previous minute's, weighted by how much of it
still overlaps the last 60 s), which stops the double burst a fixed window allows at its edges.

Counters live in memory, one set per process shared by all its channels (`shared_limiter`); with
``REDIS_URL`` set they live in Redis instead, so every Rasa replica counts the same sender and the
same address together. If Redis cannot be reached the limiter counts in memory, logs one warning,
and tries Redis again after `REDIS_RETRY_SECONDS`: citizens keep being served (fail open) rather
than refused because a counter store is down.

Settings (environment, read here only; `LimitSettings.from_env`):
    RATE_LIMIT_SENDER_PER_MINUTE  messages one conversation may send per minute (default 20; 0: off).
    RATE_LIMIT_IP_PER_MINUTE      requests one client address may make per minute (default 120; 0: off).
    MAX_BODY_BYTES                largest request body a channel reads (default 16384; 413 above;
                                  Telegram and Zalo webhooks read up to `PLATFORM_MIN_BODY_BYTES`).
                                  Bodies are parsed by `parse_json`, which refuses JSON nested deeper
                                  than `MAX_JSON_DEPTH` (400) before Python's parser could recurse.
    REDIS_URL                     share the counters between replicas (``redis://host:port/db``).

The client address is Sanic's ``request.remote_addr or request.ip``. Behind a load balancer or
reverse proxy every request comes from the proxy's address: set Sanic's ``SANIC_PROXIES_COUNT``
(number of proxies in front, e.g. 1) or ``SANIC_REAL_IP_HEADER`` (e.g. ``X-Real-IP``) so that
``remote_addr`` is the citizen's address; without them one busy proxy address would be limited for
everyone. Set them only when a proxy really sits in front, or anyone could pick their own address.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sanic.request import Request

logger = logging.getLogger(__name__)

#: Length of one counting window (seconds).
WINDOW_SECONDS = 60
DEFAULT_SENDER_PER_MINUTE = 20
DEFAULT_IP_PER_MINUTE = 120
DEFAULT_MAX_BODY_BYTES = 16 * 1024
#: Body limit of the Telegram and Zalo webhooks at the least, whatever MAX_BODY_BYTES says: their
#: largest genuine update (a 4,096-character message quoting another, JSON-escaped at 6 bytes a
#: letter) passes 16 KB, and a refused update is re-sent by the platform for hours.
PLATFORM_MIN_BODY_BYTES = 64 * 1024
#: After Redis failed, count in memory this long before trying it again (a down Redis would otherwise
#: cost every message a connection timeout).
REDIS_RETRY_SECONDS = 30.0
#: Redis must answer within this (seconds): a limiter slower than that only delays citizens.
REDIS_TIMEOUT_SECONDS = 0.5
#: Keys of the counters in Redis. Ids are hashed: Redis needs no chat ids or addresses in clear.
REDIS_KEY_PREFIX = "tthc:rl:"
#: Most keys kept in memory (oldest dropped first), so a flood of made-up ids cannot exhaust memory.
MAX_MEMORY_KEYS = 100_000
#: How long a platform delivery id (Telegram update_id, Zalo msg_id) is remembered across replicas.
DELIVERY_TTL_SECONDS = 24 * 3600
#: Deepest nesting of arrays and objects a channel parses. Genuine bodies nest a few levels (a Telegram
#: update quoting a message with a keyboard: about 8); thousands of levels would make Python's parser
#: recurse until it fails (a 500 with a traceback, and stack for nothing).
MAX_JSON_DEPTH = 32

# What the depth scan looks at: brackets, and the quotes and backslashes that tell strings apart.
_JSON_STRUCTURE_RE = re.compile(r'[\[\]{}"\\]')


class BodyTooLargeError(Exception):
    """The request body exceeds the channel's limit."""


class BadJsonError(ValueError):
    """The request body is not JSON, or nests deeper than a channel parses."""


class JsonTooDeepError(BadJsonError):
    """The request body nests arrays/objects deeper than a channel parses."""


def json_too_deep(text: str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """True when `text` opens more than `max_depth` arrays/objects inside one another.

    One pass over the brackets outside strings (no recursion, linear in the length); brackets in
    strings do not count. Malformed JSON is the parser's business, not this scan's.

    >>> json_too_deep('{"a": [[1]], "b": "[[[["}', max_depth=3)
    False
    >>> json_too_deep("[" * 4 + "]" * 4, max_depth=3)
    True
    """
    depth = 0
    in_string = False
    escaped = -1  # the position a backslash in a string escapes
    for match in _JSON_STRUCTURE_RE.finditer(text):
        position = match.start()
        if position == escaped:
            continue
        char = text[position]
        if in_string:
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON document in a request body, parsed only if it nests at most `max_depth` levels.

    The encoding is detected as `json.loads` does for bytes (UTF-8, with or without BOM, or UTF-16/32).

    Raises:
        BadJsonError: the body is not JSON in one of those encodings.
        JsonTooDeepError: it nests deeper (a `BadJsonError` too).
    """
    try:
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        raise BadJsonError("the body is not UTF-8 JSON") from None
    if json_too_deep(text, max_depth):
        raise JsonTooDeepError(f"the JSON body nests deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: belt and braces behind the scan
        raise BadJsonError("the body is not JSON") from None


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must be 0 (off) or more, not {number}")
    return number


@dataclass(frozen=True)
class LimitSettings:
    """The abuse limits, from the environment (see the module docstring)."""

    sender_per_minute: int = DEFAULT_SENDER_PER_MINUTE
    ip_per_minute: int = DEFAULT_IP_PER_MINUTE
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    redis_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LimitSettings:
        """Read the settings.

        Raises:
            ValueError: a value is not a whole number (the server should not start half-configured).
        """
        env = os.environ if environ is None else environ
        max_body = _env_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
        if max_body == 0:
            raise ValueError("MAX_BODY_BYTES must be more than 0")
        return cls(
            sender_per_minute=_env_int(env, "RATE_LIMIT_SENDER_PER_MINUTE", DEFAULT_SENDER_PER_MINUTE),
            ip_per_minute=_env_int(env, "RATE_LIMIT_IP_PER_MINUTE", DEFAULT_IP_PER_MINUTE),
            max_body_bytes=max_body,
            redis_url=(env.get("REDIS_URL") or "").strip(),
        )


def body_limit(credentials: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """A channel's body limit: ``MAX_BODY_BYTES`` if set, else credentials.yml's ``max_body_bytes``."""
    env = os.environ if environ is None else environ
    if (env.get("MAX_BODY_BYTES") or "").strip():
        return LimitSettings.from_env(env).max_body_bytes
    configured = (credentials or {}).get("max_body_bytes")
    return int(configured) if configured else DEFAULT_MAX_BODY_BYTES


def platform_body_limit(settings: LimitSettings) -> int:
    """The body limit of a chat platform's webhook (`MAX_BODY_BYTES`, never under the platform's own)."""
    return max(settings.max_body_bytes, PLATFORM_MIN_BODY_BYTES)


def client_ip(request: Request) -> str:
    """The client's address: the proxied one when Sanic is told about proxies, else the peer's."""
    return str(request.remote_addr or request.ip or "unknown")


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The body of a request to a ``stream=True`` route, read up to `max_bytes`.

    Raises:
        BodyTooLargeError: the declared or the actual body is larger.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError
    if request.stream is None:  # not a streamed route: Sanic has read the body already
        body = bytes(request.body or b"")
        if len(body) > max_bytes:
            raise BodyTooLargeError
        return body
    chunks = bytearray()
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return bytes(chunks)
        chunks += chunk
        if len(chunks) > max_bytes:
            raise BodyTooLargeError


@dataclass(frozen=True)
class Verdict:
    """What the limiter says about one request."""

    allowed: bool
    #: Which limit refused it: "ip" or "sender" (None when allowed).
    scope: str | None = None
    #: Seconds until a new message would be accepted (for ``Retry-After``; 0 when allowed).
    retry_after: int = 0
    #: True for the first refusal of this sender or address in the window: tell the citizen once.
    first_refusal: bool = False


ALLOWED = Verdict(allowed=True)


def _digest(identity: str) -> str:
    return hashlib.blake2b(identity.encode("utf-8"), digest_size=12).hexdigest()


def sliding_count(current: int, previous: int, elapsed: float, window: float = WINDOW_SECONDS) -> float:
    """The requests of the last `window` seconds, estimated from two fixed windows' counts.

    >>> sliding_count(current=2, previous=10, elapsed=45)
    4.5
    """
    return previous * max(0.0, window - elapsed) / window + current


def _retry_after(current: int, previous: int, elapsed: float, limit: int, window: float) -> int:
    """Whole seconds until one more request fits under `limit`, if nothing else is sent meanwhile."""
    for wait in range(1, int(2 * window) + 1):
        at = elapsed + wait
        if at < window:
            estimate = sliding_count(current, previous, at, window)
        else:
            estimate = sliding_count(0, current, at - window, window) if at < 2 * window else 0.0
        if estimate + 1 <= limit:
            return wait
    return int(2 * window)


class MemoryCounters:
    """Window counters and once-per-window marks in this process (bounded, oldest dropped first)."""

    def __init__(self, max_keys: int = MAX_MEMORY_KEYS) -> None:
        """Create empty counters holding at most `max_keys` keys of each kind."""
        self._counts: OrderedDict[str, tuple[int, int, int]] = OrderedDict()  # key -> (window, cur, prev)
        self._marks: OrderedDict[str, float] = OrderedDict()  # key -> expiry (clock time)
        self._max_keys = max_keys

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one request for `key` in window number `window`; return (current, previous) counts."""
        last, current, previous = self._counts.pop(key, (window, 0, 0))
        if window != last:
            previous = current if window == last + 1 else 0
            current = 0
        current += 1
        self._counts[key] = (window, current, previous)
        while len(self._counts) > self._max_keys:
            self._counts.popitem(last=False)
        # Keys untouched for two windows count nothing any more: drop them from the old end.
        while self._counts:
            oldest, (at, _, _) = next(iter(self._counts.items()))
            if at >= window - 1:
                break
            self._counts.pop(oldest)
        return current, previous

    async def mark_once(self, key: str, now: float, ttl: float) -> bool:
        """True the first time `key` is marked within `ttl` seconds."""
        while self._marks:
            oldest, until = next(iter(self._marks.items()))
            if until > now and len(self._marks) < self._max_keys:
                break
            self._marks.pop(oldest)
        if key in self._marks:
            return False
        self._marks[key] = now + ttl
        return True


class RedisCounters:
    """The same counters in Redis, shared by every replica (each operation one round trip)."""

    def __init__(self, url: str, prefix: str = REDIS_KEY_PREFIX) -> None:
        """Connect lazily to the Redis at `url`.

        Raises:
            ValueError: `url` is not a Redis URL.
        """
        import redis.asyncio  # the Rasa environment has redis; imported only when REDIS_URL is set

        self._client = redis.asyncio.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._prefix = prefix

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one request for `key` in window number `window`; return (current, previous) counts."""
        current_key = f"{self._prefix}{key}:{window}"
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(current_key)
            pipe.expire(current_key, 2 * WINDOW_SECONDS + 5)
            pipe.get(f"{self._prefix}{key}:{window - 1}")
            current, _, previous = await pipe.execute()
        return int(current), int(previous or 0)

    async def mark_once(self, key: str, now: float, ttl: float) -> bool:
        """True the first time `key` is marked within `ttl` seconds (across replicas)."""
        return bool(await self._client.set(f"{self._prefix}once:{key}", b"1", nx=True, ex=max(1, int(ttl))))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.close()


class RateLimiter:
    """Per-sender and per-IP message rates (see the module docstring)."""

    def __init__(
        self,
        settings: LimitSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        redis_prefix: str = REDIS_KEY_PREFIX,
    ) -> None:
        """Create the limiter.

        Args:
            settings: the limits (default: from the environment).
            clock: wall-clock seconds (replicas sharing Redis agree on window numbers through it).
            redis_prefix: prefix of the Redis keys (tests isolate themselves with their own).
        """
        self.settings = settings or LimitSettings.from_env()
        self._clock = clock
        self._memory = MemoryCounters()
        self._redis: RedisCounters | None = None
        self._redis_retry_at = 0.0
        self._redis_down = False
        if self.settings.redis_url:
            try:
                self._redis = RedisCounters(self.settings.redis_url, redis_prefix)
            except (ImportError, ValueError) as error:
                # Never the URL itself: it may carry the Redis password.
                logger.warning(
                    "Rate limits: REDIS_URL unusable (%s); counting in this process only",
                    type(error).__name__,
                )

    @property
    def shared(self) -> bool:
        """True while the counters are shared through Redis."""
        return self._redis is not None and not self._redis_down

    async def check(self, *, sender: str | None = None, ip: str | None = None) -> Verdict:
        """Count one request from `ip` for the conversation `sender`; say whether it may go on.

        The address is checked first; a request it refuses is not counted against the sender.
        Refused requests count too, so a client that keeps hammering stays refused.

        Args:
            sender: the conversation (channel-prefixed sender id), or None to check the address only.
            ip: the client address, or None to check the sender only (platform webhooks).
        """
        for scope, identity, limit in (
            ("ip", ip, self.settings.ip_per_minute),
            ("sender", sender, self.settings.sender_per_minute),
        ):
            if identity is None or limit <= 0:
                continue
            verdict = await self._check_one(scope, identity, limit)
            if not verdict.allowed:
                return verdict
        return ALLOWED

    async def first_delivery(self, delivery_id: str, ttl: float = DELIVERY_TTL_SECONDS) -> bool:
        """True the first time any replica sharing these counters takes `delivery_id` within `ttl`.

        Telegram and Zalo re-send a webhook they think failed; behind a load balancer the retry can
        reach another replica than the first delivery. `connectors.common.RecentIds` catches
        re-deliveries within one process; this catches them across replicas (Redis ``SET NX``), with
        the limiter's fallback: while Redis is unreachable only this process's memory is asked.
        """
        return bool(await self._call("mark_once", f"delivery:{_digest(delivery_id)}", self._clock(), ttl))

    async def _check_one(self, scope: str, identity: str, limit: int) -> Verdict:
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        elapsed = now - window * WINDOW_SECONDS
        key = f"{scope}:{_digest(identity)}"
        current, previous = await self._call("hit", key, window)
        if sliding_count(current, previous, elapsed) <= limit:
            return ALLOWED
        first = await self._call("mark_once", key, now, WINDOW_SECONDS)
        return Verdict(
            allowed=False,
            scope=scope,
            retry_after=_retry_after(current, previous, elapsed, limit, WINDOW_SECONDS),
            first_refusal=bool(first),
        )

    async def _call(self, method: str, *args: Any) -> Any:
        redis_counters = self._redis
        if redis_counters is not None and time.monotonic() >= self._redis_retry_at:
            try:
                result = await getattr(redis_counters, method)(*args)
            except Exception as error:  # redis.RedisError, OSError, timeouts: fail open, never refuse
                self._redis_failed(error)
            else:
                if self._redis_down:
                    self._redis_down = False
                    logger.info("Rate limits: Redis is reachable again; counters are shared again")
                return result
        return await getattr(self._memory, method)(*args)

    def _redis_failed(self, error: Exception) -> None:
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
        if not self._redis_down:
            self._redis_down = True
            logger.warning(
                "Rate limits: Redis unreachable (%s); counting in this process only until it is back",
                type(error).__name__,
            )

    async def close(self) -> None:
        """Release the Redis connections (if any)."""
        if self._redis is not None:
            try:
                await self._redis.close()
            except Exception:  # closing a pool whose server is gone must not fail a shutdown
                logger.debug("Rate limits: closing the Redis pool failed", exc_info=True)


_SHARED: dict[LimitSettings, RateLimiter] = {}


def shared_limiter(settings: LimitSettings | None = None) -> RateLimiter:
    """The limiter all channels of this process share (each gets it from `from_credentials`).

    An address is then counted once across channels, not once per channel.
    """
    settings = settings or LimitSettings.from_env()
    if settings not in _SHARED:
        _SHARED[settings] = RateLimiter(settings)
    return _SHARED[settings]


def refusal_headers(verdict: Verdict) -> dict[str, str]:
    """The ``Retry-After`` header of a 429 answer."""
    return {"Retry-After": str(max(1, math.ceil(verdict.retry_after)))}
