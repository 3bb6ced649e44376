"""The answer layer on the real seeded SQLite database, without Rasa."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from knowledge_base.db import session_scope


@pytest.fixture
def session(seeded_sqlite: str) -> Iterator[Session]:
    """A read-only session on the shared seeded database."""
    with session_scope(seeded_sqlite) as opened:
        yield opened
