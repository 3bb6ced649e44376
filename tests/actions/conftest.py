"""Helpers for running actions against a real database with hand-built trackers."""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions
from knowledge_base import settings

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


@pytest.fixture
def action_db(seeded_copy: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Actions read and write a private copy of the seeded database."""
    monkeypatch.setenv("DATABASE_URL", seeded_copy)
    # A private copy has its own search index, built by the first search (2-3 s, more on a loaded CI
    # machine): the action server builds it at start (actions.common.warm_up); here the first query
    # of each test pays it, so the query timeout must not count it.
    monkeypatch.setenv("KB_QUERY_TIMEOUT", "60")
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


@functools.cache
def domain_responses() -> dict[str, str]:
    """The first text variation of every response in domain.yml (what Rasa sends on the REST channel)."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    return {name: variations[0]["text"] for name, variations in responses.items()}


def text_of(message: dict[str, Any]) -> str:
    """The text a citizen reads for a dispatched message: its own, or its domain response filled in.

    The response is filled as Rasa's templated NLG does: `{name}` from the message's keyword arguments.
    """
    if not message.get("response"):
        return str(message.get("text") or "")
    template = domain_responses()[message["response"]]
    return re.sub(r"{([^\n{}]+?)}", lambda match: str(message[match.group(1)]), template)


@functools.cache
def registered_actions() -> dict[str, type[Action]]:
    """Every custom action of the action server, by domain name (as rasa-sdk's executor registers them)."""
    found: dict[str, type[Action]] = {}
    for module_info in pkgutil.iter_modules(actions.__path__):
        module = importlib.import_module(f"actions.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            # Defined in the module (not imported into it), as rasa-sdk's executor registers them.
            if issubclass(cls, Action) and cls.__module__ == module.__name__:
                found[cls().name()] = cls
    return found


def _after(tracker: Tracker, action_name: str, events: list[Any]) -> Tracker:
    """The tracker the next action sees after `action_name` ran and returned `events` (as Rasa builds it)."""
    slots = dict(tracker.slots)
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
    return Tracker(
        sender_id=tracker.sender_id,
        slots=slots,
        latest_message=tracker.latest_message,
        events=[*tracker.events, {"event": "action", "name": action_name}, *events],
        paused=False,
        followup_action=None,
        active_loop=tracker.active_loop,
        latest_action_name=action_name,
    )


def run_routed(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any], list[str]]:
    """Run an action and, as Rasa's processor does, the custom actions it routes to (FollowupAction).

    Returns:
        The messages of every action run, their events without the followups that were run, and
        the names of the actions run, in order.
    """
    dispatcher = CollectingDispatcher()
    returned: list[Any] = []
    ran: list[str] = []
    while True:
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        ran.append(action.name())
        followups = [e for e in events if e.get("event") == "followup"]
        target = followups[-1]["name"] if followups else None
        if target not in registered_actions():
            # A form, action_listen or nothing: Rasa takes it from here.
            returned += events
            return dispatcher.messages, returned, ran
        returned += [e for e in events if e not in followups]
        tracker = _after(tracker, action.name(), events)
        action = registered_actions()[target]()


@pytest.fixture
def run_action() -> Callable[[Action, Tracker], tuple[list[dict[str, Any]], list[Any]]]:
    """Run an action and the actions it routes to; return (messages sent, events returned)."""

    def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
        messages, events, _ = run_routed(action, tracker)
        return messages, events

    return run
