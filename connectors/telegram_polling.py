"""Long polling (getUpdates) for deployments without a public HTTPS address (`make telegram`).

It runs inside the Rasa server (`TELEGRAM_MODE=polling`, started by `connectors.telegram`) and hands
every update to the same `TelegramInput.accept` the webhook uses, so dedupe, per-chat order, the
guards and the answers are one code path whichever way an update arrives. One process per bot:
Telegram answers 409 to a second poller, and to getUpdates while a webhook is set (so the webhook is
deleted first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import telegram

from connectors.telegram_api import (
    TelegramApiError,
    TelegramBotApi,
    TelegramConflictError,
    TelegramUnauthorizedError,
)

logger = logging.getLogger(__name__)


class TelegramPoller:
    """Fetches updates with getUpdates and passes each one on, confirming it with the next offset."""

    def __init__(
        self,
        client: TelegramBotApi,
        on_update: Callable[[telegram.Update], Any],
        *,
        timeout: int = 30,
        max_backoff: float = 60.0,
    ) -> None:
        """Create the poller.

        Args:
            client: the Bot API client.
            on_update: called (synchronously) with every update, in update_id order.
            timeout: seconds one long poll may wait for an update.
            max_backoff: longest pause after failed calls (it doubles from 1 s).
        """
        self.client = client
        self.on_update = on_update
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.offset: int | None = None

    async def run(self) -> None:
        """Poll until cancelled (or until Telegram refuses the token)."""
        backoff = 1.0
        webhook_deleted = False
        while True:
            try:
                if not webhook_deleted:
                    await self.client.delete_webhook()
                    webhook_deleted = True
                await self.poll_once()
                backoff = 1.0
            except TelegramUnauthorizedError as error:
                logger.error("Telegram refused the token (%s): polling stopped", error)
                return
            except TelegramConflictError as error:
                # A webhook set again meanwhile, or another process polling the same bot.
                logger.warning("Telegram polling conflict (%s): retrying in %.0f s", error, backoff)
                webhook_deleted = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            except TelegramApiError as error:
                logger.warning("Telegram polling failed (%s): retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    async def poll_once(self) -> int:
        """One getUpdates call; returns how many updates were passed on."""
        updates = await self.client.get_updates(self.offset, timeout=self.timeout)
        for update in sorted(updates, key=lambda u: u.update_id):
            # The next call's offset confirms this update, so Telegram never sends it again.
            self.offset = update.update_id + 1
            try:
                self.on_update(update)
            except Exception:  # one bad update must not stop polling
                logger.exception("Telegram: update %s could not be taken", update.update_id)
        return len(updates)
