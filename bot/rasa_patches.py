"""Fixes to Rasa 3.6 internals, applied when the Rasa server loads `bot`.

1. Performance: the action-response validator built once (below).
2. Failures the citizen sees: when the action server cannot be reached or fails, Rasa 3.6 logs the
   error and says nothing, so the citizen waits for an answer that never comes. The patched
   `RemoteAction.run` answers `BUSY_TEXT` instead and then listens (one message, not one per
   retried prediction). A form's validation rejection (HTTP 400) keeps Rasa's behaviour.
3. Stores: Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error
   starts the conversation over in memory (the citizen's context is lost and what they say next
   is never stored). Our stores (`bot.stores`) are used unwrapped: the error reaches the channel,
   which tells the citizen to try again, and nothing half-done is stored.
4. Sessions: ``SESSION_EXPIRATION_MINUTES`` in the environment overrides the domain's
   ``session_expiration_time`` without retraining (operators tune it per deployment).
5. HTTP API auth: sanic-jwt 1.8 turns only some of PyJWT's errors into "not authenticated"; a token
   with ``alg: none`` (PyJWT's `InvalidAlgorithmError`), a missing required claim or a header nested
   thousands deep (`RecursionError`) escaped as a 500 with a traceback. Every token PyJWT cannot
   accept is now a `DecodeError`, which sanic-jwt and Rasa answer 401. `apply` runs when the Rasa
   server loads the model or the stores (importing `bot`), in Sanic's ``before_server_start``, so
   before the first request; an entry point that builds the server itself calls `apply` first.

Rasa 3.6 validates every action server response against a fixed JSON schema with
``jsonschema.validate(result, schema)``, which checks the schema itself and builds a new validator on
every call. Profiling the running server (py-spy, `make bench`) put ~60 % of its CPU per REST message
there: ~80 ms a response on this 2-core machine against ~3 ms with one validator built once. The
patch keeps Rasa's behaviour (the same schema, the same `ValidationError` with Rasa's hint appended),
only without rebuilding the validator. Rasa 3.6.21 is the last release, so the patched code will not
move under us; `tests/bot/test_rasa_patches.py` checks the patch is in place and still refuses an
invalid response.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

logger = logging.getLogger(__name__)

_APPLIED = False

#: What the citizen reads when the action server is down or failed (Vietnamese, user-facing; the
#: same words as connectors.common.BUSY_NOTE, which bot/ must not import).
BUSY_TEXT = "Hệ thống đang bận, vui lòng thử lại sau ít phút."


def apply() -> None:
    """Install the patches once (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except jsonschema.ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _patch_remote_action_failures()
    _patch_tracker_store_wrapping()
    _patch_session_expiration()
    _patch_jwt_errors()
    _APPLIED = True


def _patch_remote_action_failures() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered, FollowupAction
    from rasa.shared.exceptions import RasaException

    original_run = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        try:
            return await original_run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except (RasaException, OSError, asyncio.TimeoutError) as error:
            # Rasa has logged the cause (no message text in it); the citizen gets a reply, then the
            # bot listens, so a second custom action in the same turn does not fail again.
            logger.error(
                "Custom action %s failed (%s): told the citizen to retry", self.name(), type(error).__name__
            )
            return [BotUttered(BUSY_TEXT, metadata={"busy": True}), FollowupAction("action_listen")]

    RemoteAction.run = run  # type: ignore[method-assign]


def _patch_tracker_store_wrapping() -> None:
    from rasa.core.agent import Agent

    original = Agent._create_tracker_store

    def _create_tracker_store(store: Any, domain: Any) -> Any:
        from bot.stores import RedactingInMemoryTrackerStore, RedactingSQLTrackerStore

        if isinstance(store, (RedactingInMemoryTrackerStore, RedactingSQLTrackerStore)):
            store.domain = domain
            return store
        return original(store, domain)

    Agent._create_tracker_store = staticmethod(_create_tracker_store)  # type: ignore[method-assign]


def _patch_session_expiration() -> None:
    minutes = os.environ.get("SESSION_EXPIRATION_MINUTES", "").strip()
    if not minutes:
        return
    expiration = float(minutes)
    if expiration < 0:
        raise ValueError("SESSION_EXPIRATION_MINUTES must be 0 (never) or more")
    from rasa.shared.core.domain import Domain, SessionConfig

    def get(self: Domain) -> SessionConfig:
        configured = self.__dict__["_tthc_session_config"]
        return SessionConfig(expiration, configured.carry_over_slots)

    def set_(self: Domain, value: SessionConfig) -> None:
        self.__dict__["_tthc_session_config"] = value

    Domain.session_config = property(get, set_)  # type: ignore[assignment]


def _patch_jwt_errors() -> None:
    import jwt
    from sanic_jwt.authentication import Authentication

    original = Authentication._decode
    if getattr(original, "_tthc_patched", False):
        return
    # What sanic-jwt's `_verify` already answers 401 for (it catches these by class).
    handled = (
        jwt.exceptions.DecodeError,
        jwt.exceptions.ExpiredSignatureError,
        jwt.exceptions.InvalidIssuerError,
        jwt.exceptions.ImmatureSignatureError,
        jwt.exceptions.InvalidIssuedAtError,
        jwt.exceptions.InvalidAudienceError,
    )

    async def _decode(
        self: Authentication, token: Any, verify: bool = True, inline_claims: Any = None
    ) -> Any:
        try:
            return await original(self, token, verify=verify, inline_claims=inline_claims)
        except handled:
            raise
        except (jwt.exceptions.PyJWTError, RecursionError, ValueError, TypeError) as error:
            # A token nobody signed with our key: not authenticated (401), never a 500. The class
            # only: the token is the caller's, it does not belong in the log.
            logger.info("Rasa API: a token refused (%s)", type(error).__name__)
            raise jwt.exceptions.DecodeError("Invalid token.") from None

    _decode._tthc_patched = True  # type: ignore[attr-defined]
    Authentication._decode = _decode  # type: ignore[method-assign]
