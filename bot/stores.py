"""Where the Rasa server keeps conversations and per-conversation locks, chosen by the profile.

endpoints.yml names the two classes here for every profile; the environment decides what they are:

=====================  ===============================================  ===========================
                       tracker store (conversations)                    lock store
=====================  ===============================================  ===========================
local (default)        in memory, or SQL at ``TRACKER_STORE_URL``        in memory, or Redis at
                                                                        ``REDIS_URL``
prod (``PROFILE``)     SQL at ``TRACKER_STORE_URL``, else                Redis at ``REDIS_URL``
                       ``DATABASE_URL`` (PostgreSQL, shared by all        (required)
                       replicas; the knowledge base's database)
=====================  ===============================================  ===========================

Both tracker stores redact personal data before anything is stored: the text of every user and bot
message, entity values and slot values go through `vntext.redact` (CCCD/CMND numbers, phone
numbers, e-mail addresses, long digit runs). The conversation being processed keeps the clear text
in memory for its turn only; the dossier form needs nothing that redaction removes (a dossier code
and the last 4 digits of a phone number). Stored trackers therefore never hold such numbers in
clear, whichever channel they came through.

The SQL store is Rasa's `SQLTrackerStore` table (``events``) with three changes: it takes a URL
(``postgresql+psycopg://`` as the app writes it is accepted), it checks pooled connections before
use so a database that went away and came back needs no restart, and database work runs off the
event loop so one slow query does not stall every conversation on the replica. Errors propagate
(`bot.rasa_patches` keeps Rasa from wrapping it in its fail-safe store, which on an error would
start the citizen's conversation over in memory and lose what they said): the channel then tells
the citizen the system is busy and nothing half-done is stored.

The Redis lock store makes Rasa's ticket lock safe across replicas: every read-modify-write of a
lock is one Redis transaction (Rasa 3.6's own store reads and writes separately, so two replicas
could draw the same ticket and process one conversation at once, storing events twice or losing
some). If Redis is unreachable the replica falls back to its own in-memory lock and says so in the
log once: citizens keep getting answers, and the lock is shared again as soon as Redis is back.

Environment:
    PROFILE                     ``local`` (default), ``test`` or ``prod``.
    TRACKER_STORE_URL           SQLAlchemy URL of the tracker store (any profile).
    DATABASE_URL                the prod profile's tracker store when TRACKER_STORE_URL is unset.
    REDIS_URL                   ``redis://[:password@]host:port/db`` (``rediss://`` for TLS).
    TRACKER_STORE_POOL_SIZE     connections per replica (default 5).
    TRACKER_STORE_TIMEOUT       seconds a statement may run and a connection may take (default 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError
from rasa.core.lock_store import RedisLockStore as _RasaRedisLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from vntext.redact import redact

logger = logging.getLogger(__name__)

#: Keys of the lock store in Redis (prefix + conversation id).
LOCK_KEY_PREFIX = "tthc:lock:"
#: A lock key left behind by a crashed replica disappears after this long (its tickets expire sooner).
LOCK_KEY_TTL_SECONDS = 3600


class ConfigurationError(RuntimeError):
    """The environment does not describe a usable store for the profile."""


# --------------------------------------------------------------------------------------------- #
# Redaction
# --------------------------------------------------------------------------------------------- #


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    return value


def redact_event(data: dict[str, Any]) -> dict[str, Any]:
    """Return a serialised event with personal data redacted from everything a person wrote or was told.

    Only message texts, entity values and slot values change; ids, names, intents and timestamps are
    kept so the conversation replays exactly as before.
    """
    event = data.get("event")
    data = dict(data)
    if event == "user":
        if isinstance(data.get("text"), str):
            data["text"] = redact(data["text"])
        parse = data.get("parse_data")
        if isinstance(parse, dict):
            parse = dict(parse)
            if isinstance(parse.get("text"), str):
                parse["text"] = redact(parse["text"])
            if isinstance(parse.get("entities"), list):
                parse["entities"] = [
                    {**entity, "value": _redact_value(entity.get("value"))}
                    if isinstance(entity, dict)
                    else entity
                    for entity in parse["entities"]
                ]
            data["parse_data"] = parse
    elif event == "bot":
        if isinstance(data.get("text"), str):
            data["text"] = redact(data["text"])
        if isinstance(data.get("data"), dict):
            data["data"] = _redact_value(data["data"])
    elif event == "slot":
        data["value"] = _redact_value(data.get("value"))
    elif event == "entities":
        data["entities"] = _redact_value(data.get("entities"))
    return data


# --------------------------------------------------------------------------------------------- #
# Tracker stores
# --------------------------------------------------------------------------------------------- #


def _profile(env: dict[str, str]) -> str:
    return env.get("PROFILE", "local") or "local"


def tracker_store_url(env: dict[str, str] | None = None) -> str:
    """The SQL tracker store's URL for this environment, or "" for the in-memory store."""
    env = dict(os.environ if env is None else env)
    url = env.get("TRACKER_STORE_URL", "").strip()
    if not url and _profile(env) == "prod":
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            raise ConfigurationError(
                "PROFILE=prod needs DATABASE_URL (or TRACKER_STORE_URL) for the tracker store"
            )
    if url and _profile(env) == "prod" and url.startswith("sqlite"):
        raise ConfigurationError("PROFILE=prod keeps conversations in PostgreSQL, not SQLite")
    return rasa_sqlalchemy_url(url) if url else ""


def rasa_sqlalchemy_url(url: str) -> str:
    """Translate the app's SQLAlchemy 2 URL for the Rasa server's SQLAlchemy 1.4 (psycopg2 driver).

    >>> rasa_sqlalchemy_url("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    'postgresql+psycopg2://postgres@127.0.0.1:5432/test'
    """
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store, holding conversations with personal data redacted."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the conversation, redacted."""
        await self.stream_events(tracker)
        dialogue = json.loads(self.serialise_tracker(tracker))
        dialogue["events"] = [redact_event(event) for event in dialogue.get("events", [])]
        self.store[tracker.sender_id] = json.dumps(dialogue)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store (table ``events``) from a URL, redacted, resilient, off the event loop."""

    def __init__(
        self,
        domain: Domain | None = None,
        url: str = "",
        event_broker: Any = None,
        pool_size: int | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Connect to `url` and create the table if missing (waits for the database to come up)."""
        import sqlalchemy as sa

        self.timeout = float(timeout or os.environ.get("TRACKER_STORE_TIMEOUT", "10"))
        engine_kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
        if url.startswith("postgresql"):
            engine_kwargs.update(
                pool_size=int(pool_size or os.environ.get("TRACKER_STORE_POOL_SIZE", "5")),
                max_overflow=10,
                pool_timeout=self.timeout,
                connect_args={
                    "connect_timeout": max(1, int(self.timeout)),
                    "options": f"-c statement_timeout={int(self.timeout * 1000)}",
                    "application_name": "tthc-rasa",
                },
            )
        elif url.startswith("sqlite"):
            engine_kwargs["connect_args"] = {"timeout": self.timeout, "check_same_thread": False}
        self.engine = sa.create_engine(url, **engine_kwargs)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        # The database may still be starting (compose, Kubernetes): wait for it, as Rasa's store does.
        while True:
            try:
                self.Base.metadata.create_all(self.engine)
                break
            except sa.exc.IntegrityError:
                break  # another replica created the table at the same moment
            except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
                if "already exists" in str(error):
                    break
                logger.warning(
                    "Tracker store database not reachable yet (%s); retrying in 2 s", type(error).__name__
                )
                time.sleep(2)
        # Skip SQLTrackerStore.__init__ (it builds its engine from host/port/db parts).
        super(SQLTrackerStore, self).__init__(domain, event_broker, **kwargs)

    async def keys(self) -> Iterable[str]:
        """Every stored conversation id."""
        return await asyncio.to_thread(self._keys)

    def _keys(self) -> list[str]:
        with self.sessionmaker() as session:
            return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        events = await asyncio.to_thread(self._load_events, sender_id, fetch_events_from_all_sessions)
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _load_events(self, sender_id: str, all_sessions: bool) -> list[dict[str, Any]]:
        with self.sessionmaker() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            return [json.loads(row.data) for row in rows]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the conversation's new events, redacted, in one transaction."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save, tracker)

    def _save(self, tracker: DialogueStateTracker) -> None:
        with self.sessionmaker() as session:
            for event in self._additional_events(session, tracker):
                data = redact_event(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()


class TrackerStore:
    """The profile's tracker store (endpoints.yml ``tracker_store: type: bot.stores.TrackerStore``).

    Rasa instantiates the configured class; this one hands back the redacting in-memory or SQL store
    the environment asks for (see the module docstring), so one endpoints.yml serves every profile.
    """

    def __new__(  # type: ignore[misc]
        cls, domain: Domain | None = None, event_broker: Any = None, host: str | None = None, **kwargs: Any
    ) -> InMemoryTrackerStore:
        url = tracker_store_url()
        if url:
            logger.info("Tracker store: SQL (%s)", url.split("://", 1)[0])
            return RedactingSQLTrackerStore(domain, url=url, event_broker=event_broker, **kwargs)
        logger.info("Tracker store: in memory")
        return RedactingInMemoryTrackerStore(domain or Domain.empty(), event_broker)


# --------------------------------------------------------------------------------------------- #
# Lock stores
# --------------------------------------------------------------------------------------------- #


def _redis_parts(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ConfigurationError("REDIS_URL must start with redis:// or rediss://")
    db = parts.path.lstrip("/") or "0"
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(db),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


class RedisLockStore(_RasaRedisLockStore):
    """Rasa's ticket lock in Redis with atomic updates and an in-memory fallback while Redis is down."""

    def __init__(self, url: str, socket_timeout: float = 2.0) -> None:
        """Use the Redis server at `url` (``redis://[:password@]host:port/db``)."""
        super().__init__(socket_timeout=socket_timeout, **_redis_parts(url))
        self.key_prefix = LOCK_KEY_PREFIX
        self._fallback = InMemoryLockStore()
        self._redis_down_since: float | None = None

    def _unavailable(self, error: Exception) -> None:
        if self._redis_down_since is None:
            self._redis_down_since = time.monotonic()
            logger.warning(
                "Redis lock store unreachable (%s): this replica uses its own lock until Redis is back",
                type(error).__name__,
            )

    def _available(self) -> None:
        if self._redis_down_since is not None:
            logger.warning(
                "Redis lock store reachable again after %.0f s", time.monotonic() - self._redis_down_since
            )
            self._redis_down_since = None

    def _update(self, conversation_id: str, change: Callable[[TicketLock | None], TicketLock | None]) -> Any:
        """Apply `change` to the stored lock in one Redis transaction; None from `change` deletes it."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result = change(lock)
                    pipe.multi()
                    if result is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, result.dumps(), ex=LOCK_KEY_TTL_SECONDS)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock in between: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Draw the next ticket for the conversation, atomically."""
        ticket: list[int] = []

        def change(lock: TicketLock | None) -> TicketLock:
            lock = lock or self.create_lock(conversation_id)
            ticket.append(lock.issue_ticket(lock_lifetime))
            return lock

        self._update(conversation_id, change)
        return ticket[-1]

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets, atomically."""

        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._update(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, atomically."""

        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._update(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock when no one else waits, in one transaction."""

        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is None:
                return None
            lock.remove_ticket_for(ticket_number)
            return lock if lock.is_someone_waiting() else None

        self._update(conversation_id, change)

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock; this replica's own lock while Redis is unreachable."""
        import redis

        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            self._unavailable(error)
            async with self._fallback.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
                yield lock
            return
        self._available()
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                # The ticket expires on its own (lock_lifetime); nothing else to undo.
                self._unavailable(error)


class LockStore:
    """The profile's lock store (endpoints.yml ``lock_store: type: bot.stores.LockStore``)."""

    def __new__(cls, endpoint_config: Any = None) -> InMemoryLockStore:  # type: ignore[misc]
        url = os.environ.get("REDIS_URL", "").strip()
        if url:
            logger.info("Lock store: Redis")
            return RedisLockStore(url)
        if _profile(dict(os.environ)) == "prod":
            raise ConfigurationError(
                "PROFILE=prod needs REDIS_URL: replicas share their conversation locks in Redis"
            )
        logger.info("Lock store: in memory")
        return InMemoryLockStore()


__all__ = [
    "ConfigurationError",
    "LockError",
    "LockStore",
    "RedactingInMemoryTrackerStore",
    "RedactingSQLTrackerStore",
    "RedisLockStore",
    "TrackerStore",
    "rasa_sqlalchemy_url",
    "redact_event",
    "tracker_store_url",
]
