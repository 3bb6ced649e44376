"""Client of the Zalo Official Account APIs: the customer-service message API and the OAuth refresh.

One class, `ZaloClient`, returns data or raises a `ZaloError`; it never decides what a citizen is
told (that is `connectors.zalo`). Base URLs come from the environment so tests point them at a local
fake server (`tests/channels/fake_zalo.py`).

Protocol (Zalo OA API v3 / OAuth v4, as implemented by public integrations such as chatwoot):

- ``POST {ZALO_API_BASE_URL}/v3.0/oa/message/cs`` with header ``access_token`` and a JSON body
  ``{"recipient": {"user_id": ...}, "message": {...}}``; the answer is HTTP 200 with
  ``{"error": 0, "data": {"message_id": ...}}`` or an error code, ``-216`` for an invalid or expired
  access token.
- ``POST {ZALO_OAUTH_BASE_URL}/v4/oa/access_token`` with header ``secret_key`` (the app secret) and
  the form ``refresh_token``, ``app_id``, ``grant_type=refresh_token``; the answer holds a new
  ``access_token`` and ``refresh_token`` (the old refresh token is then dead) or an ``error``.

A refresh token works once, so two concurrent refreshes would leave one of them with a dead token
and, worse, may lock the OA out: `ZaloClient.refresh` lets one refresh run at a time and skips it
when another task has already replaced the expired token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from connectors.zalo_tokens import TokenPair, TokenStore

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
MESSAGE_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
#: Redis keys (with REDIS_URL) through which replicas share the pair and take turns refreshing it.
SHARED_PAIR_KEY = "tthc:zalo:tokens"
SHARED_LOCK_KEY = "tthc:zalo:refresh-lock"

#: Zalo's error code for an invalid or expired access token.
ERROR_TOKEN_EXPIRED = -216


class ZaloError(Exception):
    """Any failure talking to Zalo."""


class ZaloNotConfiguredError(ZaloError):
    """A setting the call needs (token pair, app id, app secret) is missing."""


class ZaloUnavailableError(ZaloError):
    """Zalo could not be reached or answered with a server error: worth retrying later."""


class ZaloApiError(ZaloError):
    """Zalo refused the request with an error code (retrying the same request will not help).

    Attributes:
        code: Zalo's error code (or the HTTP status when the answer had none).
    """

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


class ZaloTokenExpiredError(ZaloApiError):
    """The access token is invalid or expired (error -216), also after a refresh."""


class ZaloRefreshError(ZaloError):
    """The OAuth server refused the refresh token (used already, revoked, wrong app secret)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo token refresh refused ({code}): {message}")
        self.code = code


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ZaloClient:
    """Sends OA messages and refreshes the token pair (one refresh at a time).

    Args:
        tokens: where the current token pair is kept (refreshed pairs are saved there).
        app_id: the Zalo app's id (form field of the refresh).
        app_secret: the Zalo app's secret key (header `secret_key` of the refresh).
        api_base_url: base of the OA API (`https://openapi.zalo.me`).
        oauth_base_url: base of the OAuth API (`https://oauth.zaloapp.com`).
        timeout: seconds allowed for one HTTP request.
    """

    def __init__(
        self,
        *,
        tokens: TokenStore,
        app_id: str,
        app_secret: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        oauth_base_url: str = DEFAULT_OAUTH_BASE_URL,
        timeout: float = 10.0,
        redis_url: str = "",
    ) -> None:
        self.tokens = tokens
        # Several replicas share one OA: the current pair and the right to refresh it live in Redis.
        self._redis_url = redis_url.strip()
        self._redis: Any = None
        self._app_id = app_id
        self._app_secret = app_secret
        self.api_base_url = api_base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._refresh_lock = asyncio.Lock()
        #: How many refreshes this client performed (for logs and tests).
        self.refresh_count = 0

    @classmethod
    def from_env(cls, tokens: TokenStore | None = None, environ: dict[str, str] | None = None) -> ZaloClient:
        """A client configured by ZALO_APP_ID, ZALO_APP_SECRET, ZALO_API_BASE_URL, ZALO_OAUTH_BASE_URL,
        ZALO_HTTP_TIMEOUT and the token settings of `TokenStore.from_env`."""
        env = os.environ if environ is None else environ
        return cls(
            tokens=tokens or TokenStore.from_env(dict(env)),
            app_id=env.get("ZALO_APP_ID", ""),
            app_secret=env.get("ZALO_APP_SECRET", ""),
            api_base_url=env.get("ZALO_API_BASE_URL") or DEFAULT_API_BASE_URL,
            oauth_base_url=env.get("ZALO_OAUTH_BASE_URL") or DEFAULT_OAUTH_BASE_URL,
            timeout=float(env.get("ZALO_HTTP_TIMEOUT") or 10),
            redis_url=env.get("REDIS_URL", ""),
        )

    async def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's event loop (a session is bound to its loop).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (at server shutdown)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def send_message(self, user_id: str, message: dict[str, Any]) -> str:
        """Send one customer-service message; on an expired token refresh once and retry once.

        Args:
            user_id: the Zalo user id of the recipient (as a string).
            message: the `message` object (`{"text": ...}`, optionally with an `attachment`).

        Returns:
            Zalo's message id.

        Raises:
            ZaloNotConfiguredError: no access token.
            ZaloTokenExpiredError: the token is refused even after a refresh.
            ZaloRefreshError: the refresh was refused.
            ZaloApiError: Zalo refused the message.
            ZaloUnavailableError: Zalo could not be reached or failed (retry later).
        """
        pair = self.tokens.current
        if pair is None or not pair.access_token:
            raise ZaloNotConfiguredError("no Zalo access token (ZALO_ACCESS_TOKEN or the token file)")
        try:
            return await self._post_message(pair.access_token, user_id, message)
        except ZaloTokenExpiredError:
            fresh = await self.refresh(stale_access_token=pair.access_token)
            return await self._post_message(fresh.access_token, user_id, message)

    async def _post_message(self, access_token: str, user_id: str, message: dict[str, Any]) -> str:
        body = {"recipient": {"user_id": str(user_id)}, "message": message}
        data = await self._post_json(
            f"{self.api_base_url}{MESSAGE_PATH}", headers={"access_token": access_token}, json=body
        )
        code = _as_int(data.get("error"), -1)
        if code == 0:
            result = data.get("data") or {}
            return str(result.get("message_id", "")) if isinstance(result, dict) else ""
        text = str(data.get("message") or "")
        if code == ERROR_TOKEN_EXPIRED:
            raise ZaloTokenExpiredError(code, text)
        raise ZaloApiError(code, text)

    async def refresh(self, stale_access_token: str) -> TokenPair:
        """Replace the pair whose access token is `stale_access_token`, unless that already happened.

        Only one refresh runs at a time, across replicas too when REDIS_URL is set (a Redis lock; the
        new pair is published there); a task that waited for the lock first re-reads the pair (Redis,
        memory and file) and returns it when another task, process or replica already refreshed.

        Returns:
            The current pair after the refresh.

        Raises:
            ZaloNotConfiguredError: no refresh token, app id or app secret.
            ZaloRefreshError: the OAuth server refused the refresh token.
            ZaloUnavailableError: the OAuth server could not be reached or failed.
        """
        async with self._refresh_lock, self._replicas_lock():
            shared = await self._shared_pair()
            mine = self.tokens.current
            if (
                shared is not None
                and shared != mine
                and (mine is None or shared.obtained_at >= mine.obtained_at)
            ):
                self._adopt(shared)  # another replica refreshed: its pair is the live one
            current = self.tokens.reload()
            if current is not None and current.access_token != stale_access_token:
                return current
            if current is None or not current.refresh_token:
                raise ZaloNotConfiguredError("no Zalo refresh token (ZALO_REFRESH_TOKEN or the token file)")
            if not self._app_id or not self._app_secret:
                raise ZaloNotConfiguredError(
                    "ZALO_APP_ID and ZALO_APP_SECRET are needed to refresh the token"
                )
            data = await self._post_json(
                f"{self.oauth_base_url}{REFRESH_PATH}",
                headers={"secret_key": self._app_secret},
                data={
                    "refresh_token": current.refresh_token,
                    "app_id": self._app_id,
                    "grant_type": "refresh_token",
                },
            )
            access, refresh = data.get("access_token"), data.get("refresh_token")
            if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
                code = _as_int(data.get("error"), -1)
                reason = str(
                    data.get("error_description") or data.get("error_name") or data.get("message") or ""
                )
                raise ZaloRefreshError(code, reason)
            pair = TokenPair(
                access_token=access,
                refresh_token=refresh,
                obtained_at=time.time(),
                expires_in=_as_int(data.get("expires_in"), 0),
            )
            self.refresh_count += 1
            await self._publish(pair)
            try:
                self.tokens.save(pair)
            except OSError:
                # The pair stays current in memory; losing it at the next restart is the risk.
                logger.exception("Zalo token pair refreshed but NOT saved to %s", self.tokens.path)
            else:
                logger.info("Zalo access token refreshed and saved to %s", self.tokens.path)
            return pair

    # -- sharing the pair between replicas (REDIS_URL) -------------------------------------------

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio  # in the Rasa environment; only when REDIS_URL is set

            self._redis = redis.asyncio.from_url(self._redis_url, socket_timeout=5, socket_connect_timeout=5)
        return self._redis

    @contextlib.asynccontextmanager
    async def _replicas_lock(self) -> AsyncIterator[None]:
        """Hold the OA's refresh lock in Redis, so one replica refreshes while the others wait.

        Without REDIS_URL, or while Redis is unreachable, only this process's lock applies (logged).
        """
        if not self._redis_url:
            yield
            return
        lock = None
        try:
            lock = self._client().lock(SHARED_LOCK_KEY, timeout=60, blocking_timeout=30)
            acquired = await lock.acquire()
        except Exception as error:
            logger.warning("Zalo: Redis unreachable for the refresh lock (%s)", type(error).__name__)
            acquired = False
        try:
            yield
        finally:
            if acquired and lock is not None:
                with contextlib.suppress(Exception):
                    await lock.release()

    async def _shared_pair(self) -> TokenPair | None:
        if not self._redis_url:
            return None
        try:
            raw = await self._client().get(SHARED_PAIR_KEY)
            data = json.loads(raw) if raw else None
        except Exception as error:
            logger.warning("Zalo: Redis unreachable for the token pair (%s)", type(error).__name__)
            return None
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            return None
        return TokenPair(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            obtained_at=float(data.get("obtained_at") or 0),
            expires_in=_as_int(data.get("expires_in"), 0),
        )

    async def _publish(self, pair: TokenPair) -> None:
        if not self._redis_url:
            return
        document = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "obtained_at": pair.obtained_at,
            "expires_in": pair.expires_in,
        }
        try:
            await self._client().set(SHARED_PAIR_KEY, json.dumps(document))
        except Exception as error:
            logger.warning("Zalo: refreshed pair not shared through Redis (%s)", type(error).__name__)

    def _adopt(self, pair: TokenPair) -> None:
        try:
            self.tokens.save(pair)
        except OSError:
            logger.exception("Zalo token pair from another replica NOT saved to %s", self.tokens.path)

    async def _post_json(self, url: str, *, headers: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        session = await self._http()
        try:
            async with session.post(url, headers=headers, **kwargs) as response:
                if response.status >= 500 or response.status == 429:
                    raise ZaloUnavailableError(f"HTTP {response.status} from {url}")
                try:
                    data = await response.json(content_type=None)
                except ValueError as error:
                    raise ZaloUnavailableError(f"HTTP {response.status} without JSON from {url}") from error
                if not isinstance(data, dict):
                    raise ZaloUnavailableError(f"HTTP {response.status}: unexpected JSON from {url}")
                if response.status != 200 and "error" not in data and "access_token" not in data:
                    raise ZaloApiError(response.status, f"HTTP {response.status} from {url}")
                return data
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise ZaloUnavailableError(f"{type(error).__name__} calling {url}") from error
