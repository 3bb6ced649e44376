"""The staff's "thử câu hỏi" box says what the assistant then answers, with the real servers.

The app (in process, on the assistant's database) asks the real Rasa server's NLU (``/model/parse``,
behind its JWT) and the answer layer; the same question is then sent to the assistant over the REST
channel, and both must name the same FAQ entry or procedure: for an FAQ question, a procedure
question, and a new entry before it is saved (the draft's verdict), after it is published, and after
a later edit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.main import create_app
from knowledge_base.db import session_scope
from knowledge_base.models import StaffUser
from knowledge_base.staff.auth import create_user
from tests.servers import Assistant
from tests.staff.conftest import API, Staff, using_database

pytestmark = pytest.mark.conversation

USERNAME = "thu.cau.hoi"
PASSWORD = "Thu-cau-hoi-2026!"
PARKING = "ở bộ phận một cửa có chỗ gửi xe máy miễn phí không"
QUESTIONS = ["Có chỗ gửi xe máy ở bộ phận một cửa không?", "gửi xe ở đâu khi đi làm thủ tục"]
ANSWER = "Có. Bộ phận Một cửa có bãi gửi xe máy miễn phí cho người đến làm thủ tục, ở cổng sau trụ sở."


@pytest.fixture(scope="module")
def editor(assistant: Assistant, assistant_db: str) -> Iterator[Staff]:
    """An editor signed in to the app, which reads the assistant's database and asks its Rasa server."""
    with session_scope(assistant_db) as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == USERNAME)) is None:
            create_user(
                session,
                username=USERNAME,
                password=PASSWORD,
                role="editor",
                display_name="Thử",
                created_by="test",
            )
            session.commit()
    with using_database(assistant_db), pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_URL", assistant.rasa_url)
        patch.setenv("RASA_API_TOKEN", assistant.api_token)
        from knowledge_base import settings

        settings.get_settings.cache_clear()
        with TestClient(create_app()) as client:
            response = client.post(f"{API}/auth/login", json={"username": USERNAME, "password": PASSWORD})
            assert response.status_code == 200, response.text
            yield Staff(client, response.json()["csrf_token"], USERNAME)
        settings.get_settings.cache_clear()


def observed(messages: list[dict[str, Any]]) -> tuple[str, object]:
    """What the assistant did, in the try box's terms: ("faq", id), ("procedure", code), ("choice", None) …"""
    for message in messages:
        custom = message.get("custom") or {}
        kind = custom.get("type")
        if kind == "faq_answer":
            return "faq", custom["faq_id"]
        if kind == "procedure_answer":
            return "procedure", custom["procedure_code"]
        if kind in ("clarify", "variant", "life_event"):
            return "choice", None
        if kind == "not_covered":
            return "not_covered", None
    return "none", None


def expected(verdict: dict[str, Any]) -> tuple[str, object]:
    """The try box's verdict in the same terms."""
    if verdict["kind"] == "faq":
        return "faq", verdict["faq_id"]
    if verdict["kind"] == "procedure":
        return "procedure", verdict["procedure_code"]
    if verdict["kind"] in ("choice", "not_covered"):
        return verdict["kind"], None
    return "none", None


def _try(editor: Staff, question: str, **body: Any) -> dict[str, Any]:
    response = editor.post("/faq/try", {"question": question, **body})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["approximate"] is False, "the try box must have reached the real Rasa server"
    return result


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("đăng ký khai sinh cần giấy tờ gì", "procedure"),
        ("làm hộ chiếu mất bao lâu", "procedure"),
        ("quên mật khẩu tài khoản dịch vụ công thì làm sao", "faq"),
        # An aspect with no procedure named: the assistant asks which one, and the box says so.
        ("nộp hồ sơ trực tuyến như thế nào", "choice"),
    ],
)
def test_the_try_box_names_what_the_assistant_answers(
    assistant: Assistant, editor: Staff, question: str, kind: str
) -> None:
    verdict = _try(editor, question)["before"]
    assert verdict["kind"] == kind, verdict
    assert observed(assistant.send(question, uuid.uuid4().hex)) == expected(verdict)


def test_before_and_after_an_edit_the_try_box_and_the_assistant_agree(
    assistant: Assistant, editor: Staff
) -> None:
    # A new entry, not saved: "now" is what the assistant answers today, "after" is the draft.
    first = _try(editor, PARKING, draft={"questions": QUESTIONS, "answer": ANSWER})
    assert observed(assistant.send(PARKING, uuid.uuid4().hex)) == expected(first["before"])
    assert first["after"]["kind"] == "faq" and first["after"]["this_entry"] is True

    created = editor.post("/faq", {"questions": QUESTIONS, "answer": ANSWER, "published": True})
    assert created.status_code == 201, created.text
    entry = created.json()
    published = _try(editor, PARKING, faq_id=entry["id"])
    assert published["before"]["faq_id"] == entry["id"]
    messages = assistant.send(PARKING, uuid.uuid4().hex)
    assert observed(messages) == ("faq", entry["id"]) == expected(published["before"])
    assert ANSWER in [m.get("text") for m in messages]

    # An edit that makes it another question: the draft's verdict is the next answer.
    pets = ["Có được mang thú cưng vào trụ sở không?", "mang cho meo vao uy ban duoc khong"]
    edit = _try(
        editor,
        PARKING,
        faq_id=entry["id"],
        draft={"questions": pets, "answer": "Không mang thú cưng vào trụ sở."},
    )
    assert edit["before"]["faq_id"] == entry["id"]
    assert edit["after"]["faq_id"] != entry["id"]
    saved = editor.put(
        f"/faq/{entry['id']}",
        {"questions": pets, "answer": "Không mang thú cưng vào trụ sở.", "updated_at": entry["updated_at"]},
    )
    assert saved.status_code == 200, saved.text
    assert observed(assistant.send(PARKING, uuid.uuid4().hex)) == expected(edit["after"])
    # ... and what was "after" is now "before".
    assert expected(_try(editor, PARKING)["before"]) == expected(edit["after"])
    editor.post(f"/faq/{entry['id']}/unpublish")
