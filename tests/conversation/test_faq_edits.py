"""A staff edit of the FAQ is used by the very next answer, without retraining; unpublished never."""

from __future__ import annotations

import uuid

import pytest

from knowledge_base.db import session_scope
from knowledge_base.models import FaqEntry, FaqQuestion
from vntext import fold

pytestmark = pytest.mark.conversation

QUESTION = "ở bộ phận một cửa có chỗ gửi xe máy miễn phí không"


def _faq_ids(messages: list[dict]) -> list[int]:
    return [m["custom"]["faq_id"] for m in messages if (m.get("custom") or {}).get("type") == "faq_answer"]


def test_new_entry_is_used_at_once_and_unpublished_never(assistant, assistant_db) -> None:
    answer = "Có. Bộ phận Một cửa có bãi gửi xe máy miễn phí cho người đến làm thủ tục, ở cổng sau trụ sở."
    with session_scope(assistant_db) as session:
        entry = FaqEntry(answer=answer, published=True, created_by="can-bo-test", updated_by="can-bo-test")
        entry.questions = [
            FaqQuestion(text=text, text_folded=fold(text))
            for text in ("Có chỗ gửi xe máy ở bộ phận một cửa không?", "gửi xe ở đâu khi đi làm thủ tục")
        ]
        session.add(entry)
        session.commit()
        entry_id = entry.id
    sender = uuid.uuid4().hex
    messages = assistant.send(QUESTION, sender)
    assert entry_id in _faq_ids(messages)
    assert answer in "\n".join(m.get("text") or "" for m in messages)

    with session_scope(assistant_db) as session:
        session.get(FaqEntry, entry_id).published = False
        session.commit()
    messages = assistant.send(QUESTION, uuid.uuid4().hex)
    assert entry_id not in _faq_ids(messages)
