"""Start the real action server and Rasa server (with the trained model) for conversation tests."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.servers import Assistant, start_assistant


@pytest.fixture(scope="session")
def assistant_db(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The assistant's own copy of the seeded database: conversations write ratings, tickets and usage
    events, and the staff tests count those on their own copies of a pristine seed."""
    target = tmp_path_factory.mktemp("assistant-db") / "assistant.db"
    shutil.copy(seeded_sqlite.split("///", 1)[1], target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def assistant(assistant_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Start both servers once per test run; stop them afterwards."""
    # The HTTP API is on (behind a token) for the staff-reply tests, as in production.
    token = {"RASA_API_TOKEN": secrets.token_hex(16)}
    with start_assistant(assistant_db, tmp_path_factory.mktemp("logs"), token) as running:
        yield running


@pytest.fixture
def documents_of() -> Callable[[str, str], list[str]]:
    """Return the names of the non-note documents of a procedure in a database."""
    from knowledge_base.db import session_scope
    from knowledge_base.queries import get_procedure

    def load(url: str, code: str) -> list[str]:
        with session_scope(url) as session:
            procedure = get_procedure(session, code=code)
        assert procedure is not None, code
        return [d.name for d in procedure.documents if not d.is_note and d.section != "note"]

    return load
