"""A new conversation gets no new tries at a dossier's phone check (issue 17), through the real servers.

The chat counted its 3 tries per conversation: a new sender id got 3 more, so the 4 digits could be
guessed over enough conversations. Wrong checks are now counted per dossier code in the knowledge
base the action server and the app share: conversations with different sender ids, then the API,
all see one count, and a locked code sends the citizen to the desk even with the right digits.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from knowledge_base.db import session_scope
from knowledge_base.models import Dossier
from tests.plugin_app import serve_api
from tests.servers import Assistant

pytestmark = pytest.mark.conversation


@pytest.fixture
def private_dossier(assistant_db: str) -> str:
    """A dossier of this test alone (locking a demo code would change the other conversation tests)."""
    code = f"000.00.12.H37-{secrets.randbelow(10**6):06d}-{secrets.randbelow(10**4):04d}"
    with session_scope(assistant_db) as session:
        session.add(
            Dossier(
                code=code,
                procedure_code="1.001193",
                applicant_name="Người Thử Khóa",
                applicant_phone="0912000999",
                status="in_progress",
                received_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1),
                due_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3),
            )
        )
        session.commit()
    return code


@pytest.fixture
def api(assistant_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on the assistant's database (another process than the action server)."""
    yield from serve_api(assistant_db, monkeypatch)


def test_new_conversations_get_no_new_tries_and_the_api_sees_the_same_lock(
    assistant: Assistant, private_dossier: str, api: TestClient
) -> None:
    code = private_dossier
    first, second, third = (uuid.uuid4().hex for _ in range(3))
    # One conversation uses its 3 tries and is sent to the desk, as before.
    assert "4 số cuối" in assistant.texts(f"hồ sơ {code} đến đâu rồi", first)
    assert "còn 2 lần" in assistant.texts("1111", first)
    assistant.texts(code, first)
    assert "còn 1 lần" in assistant.texts("2222", first)
    assistant.texts(code, first)
    assert "bộ phận Một cửa" in assistant.texts("3333", first)
    # A new sender id used to start again at 3 tries: its 2 wrong checks are the code's 4th and 5th.
    assert "4 số cuối" in assistant.texts(f"tra cứu hồ sơ {code}", second)
    assert "còn 2 lần" in assistant.texts("4444", second)
    assistant.texts(code, second)
    assistant.texts("5555", second)
    # A third conversation, with the right digits: the code is locked, the citizen goes to the desk.
    assert "4 số cuối" in assistant.texts(f"hồ sơ {code} tới đâu rồi", third)
    answer = assistant.texts("0999", third)
    assert "bộ phận Một cửa" in answer, answer
    assert "Tình trạng" not in answer and "Đang giải quyết" not in answer
    # The API shares the count: the right check is refused like a wrong one.
    right = api.get(f"/api/v1/dossiers/{code}", params={"phone_last4": "0999"})
    wrong = api.get(f"/api/v1/dossiers/{code}", params={"phone_last4": "1234"})
    assert right.status_code == wrong.status_code == 429 and right.json() == wrong.json()
    assert "Một cửa" in right.json()["detail"] and int(right.headers["Retry-After"]) > 0
