"""Usage events: one `usage_event` row per answered message, written by the action server.

The action server calls `record_usage` where it knows what it did with a message (an answer, an FAQ
entry, a fallback, a handoff, a refusal, a dossier lookup). No message text is kept, and the sender id
only as a keyed hash (HMAC-SHA256 with ANALYTICS_HASH_KEY): enough to count conversations, not to
find a person. The dashboard's figures are computed from these rows by `knowledge_base.staff.analytics`.

This module is what the action server imports to record usage: it needs only the models and the
settings, not the staff workspace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy.orm import Session

from knowledge_base.models import UsageEvent
from knowledge_base.settings import get_settings

#: What the assistant did with a message (the `usage_event.outcome` values).
OUTCOMES = ("answer", "faq", "fallback", "handoff", "decline", "dossier")
# Used when ANALYTICS_HASH_KEY is unset in the local and test profiles only.
_LOCAL_KEY = "tthc-local-analytics-key"


class AnalyticsConfigError(RuntimeError):
    """ANALYTICS_HASH_KEY is missing where it is required."""


def sender_hash(sender_id: str) -> str:
    """The keyed hash standing in for a sender id (32 hex characters).

    Raises:
        AnalyticsConfigError: in the prod profile without ANALYTICS_HASH_KEY (a known key would let
            anyone with the table test guesses of phone-number-like ids).
    """
    settings = get_settings()
    key = settings.analytics_hash_key
    if not key:
        if settings.profile == "prod":
            raise AnalyticsConfigError("ANALYTICS_HASH_KEY must be set in the prod profile")
        key = _LOCAL_KEY
    return hmac.new(key.encode(), sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def record_usage(
    session: Session,
    *,
    sender_id: str,
    channel: str,
    intent: str,
    outcome: str,
    procedure_code: str = "",
    aspects: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> int:
    """Record what the assistant did with one message; return the row id (flushed, caller commits).

    Args:
        session: an open session.
        sender_id: the conversation's sender id (hashed before storing).
        channel: the input channel (``tracker.get_latest_input_channel()``).
        intent: the message's intent.
        outcome: one of `OUTCOMES`.
        procedure_code: the procedure answered, if any.
        aspects: the aspects answered, if any.
        at: when (default: now).

    Raises:
        ValueError: `outcome` is not one of `OUTCOMES`.
        AnalyticsConfigError: see `sender_hash`.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    row = UsageEvent(
        at=at or dt.datetime.now(dt.timezone.utc),
        sender_hash=sender_hash(sender_id),
        channel=(channel or "")[:32],
        intent=(intent or "")[:64],
        procedure_code=(procedure_code or "")[:32],
        aspects=[str(a)[:32] for a in aspects][:20],
        outcome=outcome,
    )
    session.add(row)
    session.flush()
    return row.id
