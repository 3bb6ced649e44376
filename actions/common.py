"""Helpers shared by the actions: reading the tracker, sending replies, running database work off the loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from answers.procedure import legal_suggestions, with_suggestions
from answers.reply import RATED_TYPES, Reply
from answers.scope import decline_reply, decline_topic
from knowledge_base.conversations import record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.settings import get_settings
from knowledge_base.usage import record_usage

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: The action that ends a turn: the rule policy has no rule for a turn another action routed.
ACTION_LISTEN = "action_listen"


class KnowledgeBaseUnavailableError(Exception):
    """The knowledge base did not answer in time or could not be reached."""


#: Worker threads for knowledge-base work: as many as the engine's connection pool holds (5 + 10
#: overflow), so a burst of citizens waits for a connection, not for a thread.
_KB_WORKERS = ThreadPoolExecutor(max_workers=15, thread_name_prefix="kb")
#: Longest a query may wait for a free worker before the citizen is told the system is busy (s).
_QUEUE_LIMIT_S = 30.0


async def in_session(work: Callable[[Session], T], *, commit: bool = False) -> T:
    """Run `work(session)` in a worker thread with its own short-lived session, within KB_QUERY_TIMEOUT.

    rasa-sdk runs actions on one event loop: a slow query done inline would stall every
    conversation. The timeout counts from when the query starts, not while it queues behind other
    citizens' queries (a busy hour makes answers slower, not refused). Past it, or when the database
    is unreachable, `KnowledgeBaseUnavailableError` is raised: the action fails and the Rasa server
    tells the citizen the system is busy (bot/rasa_patches.py), rather than keeping them waiting.
    """
    loop = asyncio.get_running_loop()
    started = asyncio.Event()

    def run() -> T:
        loop.call_soon_threadsafe(started.set)
        with session_scope() as session:
            result = work(session)
            if commit:
                session.commit()
            return result

    timeout = get_settings().kb_query_timeout
    future = loop.run_in_executor(_KB_WORKERS, run)
    try:
        await asyncio.wait_for(started.wait(), timeout=_QUEUE_LIMIT_S)
        return await asyncio.wait_for(asyncio.shield(future), timeout=timeout)
    except asyncio.TimeoutError as error:
        # The thread finishes (or PostgreSQL's statement_timeout ends it) on its own.
        future.add_done_callback(_consume)
        logger.error(
            "knowledge base query took longer than %.1f s (or waited %.0f s)", timeout, _QUEUE_LIMIT_S
        )
        raise KnowledgeBaseUnavailableError("timeout") from error
    except (OperationalError, InterfaceError) as error:
        logger.error("knowledge base unreachable (%s)", type(error).__name__)
        raise KnowledgeBaseUnavailableError("unreachable") from error


def _consume(future: asyncio.Future[object]) -> None:
    # Read the abandoned query's outcome so asyncio does not log "exception never retrieved".
    if not future.cancelled():
        future.exception()


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send an answer-layer reply: a domain response (fixed text) or a composed text, with its payload."""
    if reply.response:
        dispatcher.utter_message(
            response=reply.response, buttons=reply.buttons or None, json_message=reply.custom, **reply.kwargs
        )
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.custom)


def routed_here(tracker: Tracker) -> bool:
    """Whether this action runs as another action's FollowupAction (not predicted after a message).

    No rule covers such a turn, so the action ends it itself (`FollowupAction("action_listen")`);
    otherwise the rule policy's fallback would predict `action_fallback` again.
    """
    return tracker.latest_action_name not in (None, ACTION_LISTEN)


def user_text(tracker: Tracker) -> str:
    """The latest user message's text."""
    return str((tracker.latest_message or {}).get("text") or "")


def intent_of(tracker: Tracker) -> tuple[str, float]:
    """The latest user message's intent name and confidence."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of one entity type in the latest user message, in order, without repeats."""
    values: list[str] = []
    for item in (tracker.latest_message or {}).get("entities") or []:
        value = item.get("value")
        if item.get("entity") == entity and isinstance(value, str) and value not in values:
            values.append(value)
    return values


def entity_values_raw(tracker: Tracker, entity: str) -> list[str]:
    """Every value of one entity type in the latest user message, as text, repeats and blanks included."""
    return [
        str(item.get("value") or "")
        for item in (tracker.latest_message or {}).get("entities") or []
        if item.get("entity") == entity
    ]


def channel_of(tracker: Tracker) -> str:
    """The input channel of the latest user message ("rest", "telegram", ...)."""
    return str(tracker.get_latest_input_channel() or "")


def last_rated_answer(tracker: Tracker) -> tuple[dict[str, Any], str, str] | None:
    """The latest bot answer that can be rated: (its custom payload, its text, the question before it)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("type") not in RATED_TYPES:
            continue
        text = str(event.get("text") or "")
        if not text:
            # The custom payload may come as its own message right after the text.
            for earlier in reversed(events[:index]):
                if earlier.get("event") == "bot" and earlier.get("text"):
                    text = str(earlier["text"])
                    break
                if earlier.get("event") == "user":
                    break
        question = next(
            (str(e.get("text") or "") for e in reversed(events[:index]) if e.get("event") == "user"), ""
        )
        return custom, text, question
    return None


def recent_user_texts(tracker: Tracker, limit: int = 6) -> list[str]:
    """The last user messages of the conversation, oldest first."""
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return texts[-limit:]


async def _record_best_effort(write: Callable[[Any], Any], what: str) -> None:
    """Write a staff-facing record; log and go on if it fails (it is worth less than the citizen's reply)."""
    try:
        await in_session(write, commit=True)
    except Exception:
        logger.exception("could not record %s", what)


async def log_unanswered(tracker: Tracker, reason: str) -> None:
    """Put the latest question into the staff inbox (redacted); never fail the answer over it."""
    intent, confidence = intent_of(tracker)
    text = user_text(tracker)
    if not text or text.startswith("/"):
        return
    await _record_best_effort(
        lambda session: record_unanswered(
            session,
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            text=text,
            intent=intent,
            confidence=confidence,
            reason=reason,
        ),
        f"an unanswered question (reason={reason})",
    )


async def track(
    tracker: Tracker, outcome: str, *, procedure_code: str = "", aspects: list[str] | None = None
) -> None:
    """Record what the assistant did with the latest message, for the staff dashboard; never fails."""
    intent, _ = intent_of(tracker)
    await _record_best_effort(
        lambda session: record_usage(
            session,
            sender_id=tracker.sender_id,
            channel=channel_of(tracker),
            intent=intent,
            outcome=outcome,
            procedure_code=procedure_code,
            aspects=aspects or [],
        ),
        f"a usage event (outcome={outcome})",
    )


async def send_decline(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> None:
    """Decline `topic` (out_of_scope, legal_advice, complaint) and keep the question for staff; a
    legal question gets the procedures its words match well offered beside the decline."""
    await log_unanswered(tracker, decline_topic(topic))
    await track(tracker, "decline")
    reply = decline_reply(topic, hotline=get_settings().desk_hotline)
    if topic == "legal_advice":
        text = user_text(tracker)
        hits = await in_session(lambda session: legal_suggestions(session, text))
        reply = with_suggestions(reply, hits)
    send(dispatcher, reply)


def warm_up() -> None:
    """Build the search, life-event and FAQ indexes before the first citizen asks.

    Building them takes a few seconds over the full database (the content retrieval reads every
    procedure's documents and steps); paid by the first question, it ran past KB_QUERY_TIMEOUT and
    that citizen was told the system is busy. Run once when the action server loads its actions;
    a database that is not reachable yet is not an error here (the first question builds them).
    """
    from knowledge_base.faq import get_faq_index
    from knowledge_base.life_events import get_life_event_index
    from knowledge_base.search import get_index

    started = time.monotonic()
    try:
        with session_scope() as session:
            get_index(session)
            get_life_event_index(session)
            get_faq_index(session)
    except Exception as error:  # a warm-up never stops the server from starting
        logger.warning(
            "indexes not built at start (%s); the first question builds them", type(error).__name__
        )
        return
    logger.info("search, life-event and FAQ indexes built in %.1f s", time.monotonic() - started)
