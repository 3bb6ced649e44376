"""A life event's reply: a short ordered checklist, one button per procedure, and its payload."""

from __future__ import annotations

import json
import re

from sqlalchemy.orm import Session

from answers.life_event import (
    MAX_CHARS,
    answer_life_event,
    available_codes,
    life_event_codes,
    life_event_reply,
)
from answers.reply import Reply
from knowledge_base.life_events import LifeEventData, LifeEventStep, get_life_event, get_life_events

PAYLOAD = re.compile(r'^/choose_procedure(\{"procedure_code": "[0-9A-Za-z.\-_]+"\})$')


def _event(session: Session, slug: str) -> LifeEventData:
    event = get_life_event(session, slug)
    assert event is not None
    return event


def test_the_birth_checklist_is_ordered_with_a_button_per_procedure(session: Session) -> None:
    reply = life_event_reply(_event(session, "sinh_con"))
    assert isinstance(reply, Reply) and reply.text is not None and reply.response is None
    lines = reply.text.split("\n")
    assert lines[0] == "Khi sinh con, bạn cần làm các thủ tục sau, theo thứ tự:"
    assert lines[1].startswith("1. Liên thông khai sinh, thường trú, thẻ BHYT (nếu bé dưới 6 tuổi")
    assert "— nơi làm: UBND cấp xã" in lines[1]
    assert lines[2].startswith("2. Đăng ký khai sinh")
    codes = []
    for button in reply.buttons:
        found = PAYLOAD.match(button["payload"])
        assert found, button
        codes.append(json.loads(found.group(1))["procedure_code"])
    assert codes[:3] == ["2.000986", "1.001193", "1.004222"]
    assert [b["title"][:2] for b in reply.buttons[:2]] == ["1.", "2."]
    assert reply.custom == {"type": "life_event", "event": "sinh_con", "candidates": codes}


def test_every_event_fits_the_length_and_its_buttons_match_the_candidates(session: Session) -> None:
    for event in get_life_events(session):
        reply = life_event_reply(event, available_codes(session, event))
        assert reply.text is not None and len(reply.text) <= MAX_CHARS, event.slug
        assert reply.custom["type"] == "life_event" and reply.custom["event"] == event.slug
        assert reply.custom["candidates"] == [
            json.loads(PAYLOAD.match(b["payload"]).group(1))["procedure_code"]  # type: ignore[union-attr]
            for b in reply.buttons
        ]
        assert reply.buttons and all(len(b["title"]) <= 60 for b in reply.buttons), event.slug
        assert reply.text.count("\n") >= len(event.steps)


def test_a_step_without_a_procedure_is_listed_without_a_button(session: Session) -> None:
    death = _event(session, "nguoi_than_qua_doi")
    reply = life_event_reply(death)
    assert "hỏi tại: UBND cấp xã" in reply.text  # type: ignore[operator]
    assert len(reply.buttons) == sum(1 for s in death.steps if s.codes)
    assert reply.custom["candidates"][:3] == ["1.000656", "1.003197", "2.000821"]


def test_codes_the_database_lacks_get_no_button() -> None:
    event = LifeEventData(
        slug="thu",
        title="Thử",
        triggers=("thu nghiem",),
        excludes=(),
        steps=(LifeEventStep("Một", ("1.001193",), "xã"), LifeEventStep("Hai", ("9.999999",), "tỉnh")),
    )
    reply = life_event_reply(event, {"1.001193"})
    assert reply.custom["candidates"] == ["1.001193"]
    assert "2. Hai — hỏi tại: tỉnh." in reply.text  # type: ignore[operator]


def test_a_long_event_is_shortened_to_the_limit() -> None:
    steps = tuple(
        LifeEventStep(f"Thủ tục số {i} có tên khá dài", (f"1.00{i:04d}",), "nơi làm " * 20, "điều kiện " * 20)
        for i in range(10)
    )
    event = LifeEventData(slug="dai", title="Việc dài", triggers=("viec dai",), excludes=(), steps=steps)
    reply = life_event_reply(event)
    assert len(reply.text) <= MAX_CHARS  # type: ignore[arg-type]
    assert all(f"{i + 1}. Thủ tục số {i}" in reply.text for i in range(10))  # type: ignore[operator]
    assert len(reply.buttons) == 10


def test_the_codes_in_order_with_or_without_alternatives(session: Session) -> None:
    death = _event(session, "nguoi_than_qua_doi")
    assert life_event_codes(death)[:3] == ["1.000656", "1.001766", "1.003197"]
    assert life_event_codes(death, alternatives=False)[:2] == ["1.000656", "1.003197"]


def test_answer_life_event_answers_situations_only(session: Session) -> None:
    reply = answer_life_event(session, "vợ chồng tôi mới sinh bé")
    assert reply is not None and reply.custom["event"] == "sinh_con"
    foreign = answer_life_event(session, "tôi sắp kết hôn với người nước ngoài")
    assert foreign is not None and foreign.custom["candidates"][1] == "2.000806"
    assert answer_life_event(session, "đăng ký kết hôn cần giấy tờ gì") is None
    assert answer_life_event(session, "xin chào") is None
