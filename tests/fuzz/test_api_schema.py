"""Fuzzing the FastAPI app from its own OpenAPI schema with schemathesis (issue 8).

Every operation of the public API and the staff API gets requests built from the schema, valid ones
and deliberately invalid ones, sent in process (ASGI) to the app on a private copy of the seeded
database, signed in as a staff admin the test creates. Each answer must not be a server error, must
use a status code the schema documents, and must match the schema the app publishes for that status.

Deterministic (Hypothesis derandomized, no example database) and bounded (`MAX_EXAMPLES` generated
requests per operation, on top of schemathesis' coverage cases: boundary and invalid values).
Nothing is excluded: the import upload takes small generated files like any other body.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy import select

from app.main import app
from app.staff.deps import COOKIE_NAME, CSRF_HEADER
from knowledge_base import settings as app_settings
from knowledge_base.conversations import create_handoff, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.models import StaffSession, StaffUser
from knowledge_base.staff.auth import ensure_admin
from tests.staff.conftest import copy_database
from tests.staff.fake_rasa import fake_rasa

schema = schemathesis.openapi.from_asgi("/openapi.json", app)

# Per operation; with the coverage cases the whole file runs in about half a minute on 2 cores.
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

ADMIN = "fuzz.admin"
ADMIN_PASSWORD = "Fuzz-admin-2026!"
# The fuzzed requests come from the test client's "testclient" address: the login rate limit they
# may trip (fuzzed logins with wrong passwords) never blocks the admin signing in from this one.
ADMIN_CLIENT = ("127.0.0.9", 50000)
PARSING_FIXTURES = Path(__file__).resolve().parent.parent / "knowledge_base" / "fixtures" / "parsing"

# Values that name rows of the fuzzing database. Random ids and codes almost never do, so nearly
# every request would stop at a 404; half of the generated requests use these instead.
KNOWN_PATH: dict[str, list[Any]] = {
    "code": ["1.001193", "000.00.12.H37-251012-0001"],  # a procedure; a seeded dossier
    "faq_id": [1, 2],
    "question_id": [1],
    "ticket_id": [1],
    "user_id": [1],  # the fuzzing admin
    "session_id": [1, 2],
    "batch_id": [1],
    "day_id": [1, 2],
}
KNOWN_QUERY: dict[str, list[Any]] = {"phone_last4": ["0101"], "q": ["khai sinh", "1.001193"]}
KNOWN_BODY: dict[str, list[Any]] = {
    "procedure_code": [None, "1.001193"],
    "source_question_id": [None, 1],
    "questions": [["Làm lại giấy khai sinh bị mất ở đâu?"]],
}


def _sometimes_known(values: dict[str, Any] | None, known: dict[str, list[Any]]) -> st.SearchStrategy:
    if not isinstance(values, dict) or not known.keys() & values.keys():
        return st.just(values)
    chosen = {name: st.sampled_from(choices) for name, choices in known.items() if name in values}
    return st.one_of(st.just(values), st.fixed_dictionaries(chosen).map(lambda new: values | new))


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    """Half of the time, path parameters that name existing rows."""
    return _sometimes_known(path_parameters, KNOWN_PATH)


@schema.hook
def flatmap_query(context: schemathesis.HookContext, query: dict[str, Any]) -> Any:
    """Half of the time, a known dossier's phone digits and words that find procedures."""
    return _sometimes_known(query, KNOWN_QUERY)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    """Half of the time, JSON bodies that refer to an existing procedure and inbox question."""
    return _sometimes_known(body, KNOWN_BODY)


@dataclass
class AdminSession:
    """The fuzzing admin's session cookie and CSRF token, renewed when a fuzzed request ends it."""

    database_url: str
    token: str = ""
    csrf: str = ""

    def _alive(self) -> bool:
        if not self.token:
            return False
        with session_scope(self.database_url) as session:
            found = session.execute(
                select(StaffUser.role, StaffUser.active)
                .join(StaffSession, StaffSession.user_id == StaffUser.id)
                .where(StaffUser.username == ADMIN, StaffSession.csrf_token == self.csrf)
            ).first()
        return found is not None and found.role == "admin" and bool(found.active)

    def credentials(self) -> tuple[dict[str, str], dict[str, str]]:
        """The cookies and headers of a signed-in admin's request.

        Fuzzed requests may end the session (logging out, revoking it, setting the admin's password):
        then the password is set back and the admin signs in again through the API.
        """
        if not self._alive():
            with session_scope(self.database_url) as session:
                ensure_admin(session, username=ADMIN, password=ADMIN_PASSWORD, reset_password=True)
                session.commit()
            with TestClient(app, client=ADMIN_CLIENT) as client:
                response = client.post(
                    "/api/staff/v1/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
                )
                assert response.status_code == 200, response.text
                self.token = str(client.cookies[COOKIE_NAME])
                self.csrf = str(response.json()["csrf_token"])
        return {COOKIE_NAME: self.token}, {CSRF_HEADER: self.csrf}


def _staged_import(admin: AdminSession) -> None:
    # Import batch 1: two procedures of the parser fixtures, staged (dry run) for the fuzzer to apply.
    records = [json.loads(p.read_text("utf-8"))["raw"] for p in sorted(PARSING_FIXTURES.glob("*.json"))[:2]]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    cookies, headers = admin.credentials()
    with TestClient(app, client=ADMIN_CLIENT, cookies=cookies) as client:
        response = client.post(
            "/api/staff/v1/imports",
            files={"file": ("quoc-gia.jsonl", data, "application/octet-stream")},
            data={"source_date": "2026-01-15"},
            headers=headers,
        )
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def admin_session(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminSession]:
    """The app on a private copy of the seeded database, with an inbox question, a handoff ticket and
    a staged import, and the fuzzing admin signed in. The inbox talks to a fake Rasa server."""
    url = copy_database(seeded_sqlite, tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    with session_scope(url) as session:
        ensure_admin(session, username=ADMIN, password=ADMIN_PASSWORD)
        create_handoff(
            session,
            conversation_id="web-fuzz",
            channel="rest",
            reason="asked",
            summary="Người dân yêu cầu gặp cán bộ",
            timeout=dt.timedelta(hours=1),
        )
        record_unanswered(
            session,
            conversation_id="web-fuzz",
            channel="rest",
            text="xin lại giấy hẹn bị mất",
            intent="nlu_fallback",
            confidence=0.3,
            reason="fallback",
        )
        session.commit()
    with pytest.MonkeyPatch.context() as patch, fake_rasa() as rasa:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("RASA_URL", rasa.url)
        # RASA_JWT_SECRET is the current name of the secret, RASA_API_TOKEN the deprecated one.
        patch.setenv("RASA_JWT_SECRET", rasa.token)
        patch.setenv("RASA_API_TOKEN", rasa.token)
        patch.delenv("DOSSIER_SOURCE_URL", raising=False)
        app_settings.get_settings.cache_clear()
        try:
            admin = AdminSession(url)
            _staged_import(admin)
            yield admin
        finally:
            app_settings.get_settings.cache_clear()


@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # Hooks and the coverage phase make some operations' data slow or often filtered: not a problem.
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case, admin_session: AdminSession
) -> None:
    cookies, headers = admin_session.credentials()
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)


def test_the_fuzzed_schema_holds_the_public_and_the_staff_api() -> None:
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in schema.get_all_operations())}
    assert len(operations) >= 40
    assert {
        ("GET", "/api/v1/procedures/search"),
        ("GET", "/api/v1/dossiers/{code}"),
        ("POST", "/api/staff/v1/auth/login"),
        ("POST", "/api/staff/v1/imports"),
        ("PATCH", "/api/staff/v1/users/{user_id}"),
    } <= operations
