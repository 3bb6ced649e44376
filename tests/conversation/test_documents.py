"""A citizen asks which documents a procedure needs, through the real REST channel."""

from __future__ import annotations

import pytest

from answers.formatting import FIRST_REPLY_CHARS

pytestmark = pytest.mark.conversation


@pytest.mark.parametrize(
    "question",
    ["Đăng ký khai sinh cần những giấy tờ gì?", "dang ky khai sinh can giay to gi"],
)
def test_documents_answer_fits_a_phone_and_a_button_gives_every_document(
    assistant, assistant_db, documents_of, question
):
    sender = f"documents-{len(question)}"
    messages = assistant.send(question, sender)
    texts = [m["text"] for m in messages if m.get("text")]
    assert len(texts) == 1, "one answer, one message"
    text = texts[0]
    assert "1.001193" in text and "khai sinh" in text.lower() and "Nguồn:" in text
    assert len(text) <= FIRST_REPLY_CHARS
    assert "Giấy chứng sinh" in text and "Thời hạn:" in text and "Lệ phí:" in text
    custom = [m["custom"] for m in messages if m.get("custom")]
    expected = {"type": "procedure_answer", "procedure_code": "1.001193", "aspects": ["documents"]}
    answers = [c for c in custom if {k: c.get(k) for k in expected} == expected]
    assert len(answers) == 1
    # The card channels draw (the web widget) lists the same documents as the text.
    card = answers[0]["card"]
    assert card["code"] == "1.001193" and card["documents"]
    assert all(document[:30] in text for document in card["documents"])
    buttons = {b["title"]: b["payload"] for m in messages for b in m.get("buttons") or []}
    # "Tất cả giấy tờ": every document of the record, whole, cases under their own headings.
    every = assistant.texts(buttons["Tất cả giấy tờ"], sender)
    expected = documents_of(assistant_db, "1.001193")
    assert expected, "the seed must hold documents for 1.001193"
    for name in expected:
        assert name in every
    # A case's button: that case's documents.
    case = next(title for title in buttons if title.startswith("Trường hợp ủy quyền"))
    assert "Văn bản ủy quyền" in assistant.texts(buttons[case], sender)


def test_greeting_gets_a_greeting(assistant):
    text = assistant.texts("xin chào")
    assert "Xin chào" in text


def test_unknown_procedure_is_asked_for(assistant):
    text = assistant.texts("cần giấy tờ gì vậy?")
    assert "thủ tục nào" in text
