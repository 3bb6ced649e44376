"""Helpers for running actions against a real database with hand-built trackers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge_base import settings


@pytest.fixture
def action_db(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Actions read and write a private copy of the seeded database."""
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    settings.get_settings.cache_clear()
    yield seeded_copy
    settings.get_settings.cache_clear()


def make_tracker(
    text: str,
    intent: str,
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    confidence: float = 0.99,
    sender: str = "citizen-1",
) -> Tracker:
    """A tracker whose latest message is `text` classified as `intent`."""
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message=latest,
        events=[
            *(events or []),
            {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"},
        ],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def run_action() -> Callable[[Action, Tracker], tuple[list[dict[str, Any]], list[Any]]]:
    """Run an action; return (messages sent, events returned)."""

    def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        return dispatcher.messages, events

    return run
