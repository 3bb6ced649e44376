"""The action server answers only the Rasa servers: a shared token on every call but ``/health``.

Rasa sends ``Authorization: Bearer $ACTION_SERVER_TOKEN`` with every action call (endpoints.yml
``action_endpoint.headers``); the action server compares it in constant time and refuses a call
without it (401) or with another token (403) before any action runs. Without a token of at least
`MIN_TOKEN_CHARS` characters the action server does not start, in every profile (`make run`
generates one per run; deploy/ takes it from the secret store).

The check is a rasa-sdk plugin (rasa-sdk calls ``attach_sanic_app_extensions`` with its Sanic app
before serving), registered when rasa-sdk loads this package, so every way of starting the action
server (``python -m rasa_sdk --actions actions``) gets it.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

import pluggy

logger = logging.getLogger(__name__)

#: Where the token comes from (the Rasa server's environment holds the same value).
TOKEN_ENV = "ACTION_SERVER_TOKEN"
#: Shortest token accepted: a random key, not a word (``openssl rand -hex 32``).
MIN_TOKEN_CHARS = 32
#: Paths answered without the token: the probes of scripts/run.sh, compose and Kubernetes.
OPEN_PATHS = frozenset({"/health"})

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def configured_token(environ: dict[str, str] | None = None) -> str:
    """The shared token from the environment; exits (the server does not start) when it is unusable."""
    token = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise SystemExit(
            f"{TOKEN_ENV} must be set to a random key of at least {MIN_TOKEN_CHARS} characters "
            "(the same value as the Rasa server's): the action server runs actions for Rasa only"
        )
    return token


def presented_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (None without one)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def refusal(path: str, authorization: str | None, expected: str) -> int | None:
    """The status refusing a call to `path` (401 no token, 403 another one), or None to let it in."""
    if path in OPEN_PATHS:
        return None
    token = presented_token(authorization)
    if token is None:
        return 401
    if not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        return 403
    return None


class TokenCheck:
    """The rasa-sdk plugin that puts the token check in front of every route of the action server."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        """Refuse, before any action runs, every call without the shared token (rasa-sdk's hook)."""
        # The response helpers of rasa-sdk's own endpoint (no web framework imported here).
        from rasa_sdk.endpoint import response

        expected = configured_token()

        async def check_token(request: Any) -> Any:
            status = refusal(request.path, request.headers.get("Authorization"), expected)
            if status is None:
                return None
            logger.warning(
                "Action server: a call to %s without a valid token refused (%s)", request.path, status
            )
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
            return response.json({"error": "unauthorized"}, status=status, headers=headers)

        app.register_middleware(check_token, "request")


_PLUGIN = TokenCheck()


def install() -> None:
    """Register the check with rasa-sdk's plugin manager (idempotent; nothing runs until it serves)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not manager.is_registered(_PLUGIN):
        manager.register(_PLUGIN, name="tthc-action-server-token")
