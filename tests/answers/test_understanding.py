"""How the answer layer places what citizens really say (issue 15), on the real seeded database.

Life events get their checklist, matters outside the list get an honest "not in my data" with who
handles them, variants of one procedure get one short question, and "còn X thì sao?" asks the previous
question again about X. The wording of these messages is ours; the blind evaluation sets are never
used here (tests/test_eval_sets.py keeps them apart).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from answers.coverage import not_covered_reply
from answers.handoff import HUMAN_BUTTON
from answers.procedure import (
    OVERVIEW,
    ProcedureQuestion,
    answer_procedure,
    asks_again,
    retrieval_places,
    switched_aspects,
)
from answers.variants import variant_question
from knowledge_base.coverage import uncovered_topic
from knowledge_base.queries import get_procedure
from knowledge_base.search import SearchHit, search_procedures

SOURCE = "Cổng DVC quốc gia"


def _answer(session: Session, text: str, **question: object) -> object:
    return answer_procedure(
        session,
        ProcedureQuestion(text=text, **question),
        source_name=SOURCE,
        hotline="1022",  # type: ignore[arg-type]
    )


def _names(session: Session, codes: list[str]) -> list[str]:
    return [get_procedure(session, code=code).name.lower() for code in codes]  # type: ignore[union-attr]


def test_a_death_in_the_family_gets_the_ordered_checklist(session: Session) -> None:
    answer = _answer(session, "mẹ tôi mới qua đời tuần trước, gia đình cần làm những gì ạ")
    custom = answer.reply.custom  # type: ignore[attr-defined]
    assert custom["type"] == "life_event"
    names = _names(session, custom["candidates"])
    assert "khai tử" in names[0]
    assert answer.reply.buttons[0]["payload"].startswith("/choose_procedure")  # type: ignore[attr-defined]
    assert len(answer.reply.text) <= 1200  # type: ignore[attr-defined]


def test_lost_is_not_died(session: Session) -> None:
    answer = _answer(session, "me toi lam mat can cuoc roi, lam lai the nao")
    custom = answer.reply.custom  # type: ignore[attr-defined]
    codes = [answer.procedure_code] if answer.kind == "answer" else custom["candidates"]  # type: ignore[attr-defined]
    assert any("cấp lại thẻ căn cước" in name for name in _names(session, codes))
    assert not any("khai tử" in name for name in _names(session, codes))


def test_a_fact_asked_of_the_events_own_procedure_is_answered_directly(session: Session) -> None:
    answer = _answer(session, "kết hôn cần giấy tờ gì", intent="ask_documents", aspects=["documents"])
    assert answer.kind == "answer"  # type: ignore[attr-defined]
    assert "kết hôn" in _names(session, [answer.procedure_code])[0]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("tôi muốn ly hôn đơn phương thì nộp đơn ở đâu", "divorce"),
        ("nhà tôi bị trộm mất xe máy tối qua", "crime_report"),
        ("cho hỏi điểm chuẩn đại học năm nay", "school_admission"),
    ],
)
def test_matters_outside_the_list_are_said_so_with_who_handles_them(
    session: Session, text: str, topic: str
) -> None:
    answer = _answer(session, text)
    assert answer.kind == "not_covered"  # type: ignore[attr-defined]
    custom = answer.reply.custom  # type: ignore[attr-defined]
    assert (custom["type"], custom["topic"]) == ("not_covered", topic)
    # A person is always offered; procedures that come near may be offered beside it, never answered.
    assert answer.reply.buttons[-1] == HUMAN_BUTTON  # type: ignore[attr-defined]
    assert len(answer.reply.buttons) <= 3  # type: ignore[attr-defined]
    assert retrieval_places(session, text)


def test_procedures_the_list_has_are_not_taken_for_uncovered_matters() -> None:
    assert uncovered_topic("ghi vào sổ hộ tịch việc ly hôn đã giải quyết ở nước ngoài") is None
    assert uncovered_topic("tôi bị đánh mất căn cước") is None
    assert uncovered_topic("làm hộ chiếu cần gì") is None
    # Buying a plot from the neighbour is a land transfer, and a neighbour encroaching on land goes to
    # the commune's land-dispute mediation: neither is a quarrel between neighbours.
    assert uncovered_topic("tôi định mua mảnh đất của ông hàng xóm, làm giấy tờ mua bán thế nào") is None
    assert uncovered_topic("hàng xóm lấn đất nhà tôi, muốn hòa giải ở xã thì làm thế nào") is None
    assert uncovered_topic("mâu thuẫn với hàng xóm thì ai giải quyết") is not None


def test_a_foreign_guest_at_home_is_declared_by_the_host(session: Session) -> None:
    text = "Anh bạn người Pháp sang chơi, ngủ lại nhà tôi mấy đêm thì tôi có phải báo công an không"
    codes = [hit.code for hit in search_procedures(session, text, limit=3)]
    assert {"1.000253", "1.001437"} & set(codes[:2])


def test_the_generic_not_in_data_reply_names_the_hotline() -> None:
    reply = not_covered_reply(None, hotline="1022")
    assert reply.response == "utter_not_in_data"
    assert reply.kwargs == {"hotline": "1022"}
    assert reply.custom["type"] == "not_covered"


def test_variants_of_one_procedure_get_one_short_question() -> None:
    hits = [
        SearchHit("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", "xa", 0.8),
        SearchHit("1.000894", "Thủ tục đăng ký kết hôn", "xa", 0.79),
    ]
    reply = variant_question(hits)
    assert reply is not None
    assert [b["title"] for b in reply.buttons] == ["Có yếu tố nước ngoài", "Trong nước"]
    assert reply.kwargs == {"procedure": "Thủ tục đăng ký kết hôn"}
    assert reply.custom["candidates"] == ["2.000806", "1.000894"]
    lost = [
        SearchHit("1", "Cấp lại giấy phép lái xe", "tinh", 0.8),
        SearchHit("2", "Cấp đổi giấy phép lái xe", "tinh", 0.79),
    ]
    assert [b["title"] for b in variant_question(lost).buttons] == ["Cấp lại (mất, hỏng)", "Cấp đổi"]  # type: ignore[union-attr]
    unrelated = [
        SearchHit("1", "Cấp lại giấy phép lái xe", "tinh", 0.8),
        SearchHit("2", "Đăng ký xe", "tinh", 0.79),
    ]
    assert variant_question(unrelated) is None


def test_a_foreign_element_picks_the_foreign_variant(session: Session) -> None:
    answer = _answer(session, "đăng ký kết hôn với người Hàn Quốc cần giấy tờ gì", aspects=["documents"])
    custom = answer.reply.custom  # type: ignore[attr-defined]
    codes = [answer.procedure_code] if answer.kind == "answer" else custom["candidates"][:1]  # type: ignore[attr-defined]
    assert "nước ngoài" in _names(session, codes)[0]


def test_con_x_thi_sao_asks_the_previous_question_again() -> None:
    assert asks_again("còn tạm trú thì sao?")
    assert asks_again("con dang ky tam tru thi sao")
    assert not asks_again("con tôi 5 tuổi làm căn cước được không")
    assert switched_aspects("ask_procedure", [], "còn tạm trú thì sao?", ["documents"]) == ["documents"]
    # A message that asks its own aspect keeps it.
    assert switched_aspects("ask_fee", [], "còn tạm trú thì lệ phí sao?", ["documents"]) is None


def test_switching_procedure_by_naming_it(session: Session) -> None:
    current = get_procedure(session, code="1.004222")  # đăng ký thường trú
    assert current is not None
    answer = _answer(session, "còn tạm trú thì sao?", aspects=["documents"], current_code=current.code)
    assert answer.kind == "answer"  # type: ignore[attr-defined]
    assert "tạm trú" in _names(session, [answer.procedure_code])[0]  # type: ignore[attr-defined]


def test_x_nua_adds_one_more_thing_to_the_same_question() -> None:
    assert asks_again("cà vẹt xe nữa")
    assert asks_again("bằng lái nữa ạ")
    assert not asks_again("tôi muốn hỏi thêm nữa")
    assert not asks_again("hộ chiếu của tôi còn hạn 6 tháng nữa, có được đi Nhật không, thủ tục thế nào ạ")


def test_a_switch_keeps_the_variant_the_conversation_is_about(session: Session) -> None:
    # Lost everything: "cấp lại" of the ID card, then the licence and the vehicle papers.
    licence = _answer(session, "còn bằng lái thì sao", aspects=["documents"], current_code="1.014064")
    assert licence.kind == "answer"  # type: ignore[attr-defined]
    assert _names(session, [licence.procedure_code])[0].startswith("cấp lại")  # type: ignore[attr-defined]
    papers = _answer(session, "cà vẹt xe nữa", aspects=["documents"], current_code=licence.procedure_code)  # type: ignore[attr-defined]
    offered = papers.reply.custom.get("candidates") or [papers.procedure_code]  # type: ignore[attr-defined]
    assert offered and all(name.startswith("cấp lại") for name in _names(session, offered))
    # A variant the message says itself wins; a paper without that variant is not forced into one.
    new = _answer(session, "còn cấp mới bằng lái thì sao", aspects=["documents"], current_code="1.014064")
    said = new.reply.custom.get("candidates") or [new.procedure_code]  # type: ignore[attr-defined]
    assert not _names(session, said)[0].startswith("cấp lại")
    birth = _answer(session, "còn khai sinh thì sao", aspects=["documents"], current_code="1.014062")
    assert "khai sinh" in _names(session, [birth.procedure_code])[0].lower()  # type: ignore[attr-defined]


def test_a_message_nothing_fits_is_told_so_not_guessed(session: Session) -> None:
    answer = _answer(session, "tôi muốn đăng ký nuôi chim yến cảnh trên sao Hỏa")
    assert answer.kind in {"not_covered", "clarify"}  # type: ignore[attr-defined]
    assert answer.kind != "answer"  # type: ignore[attr-defined]
    bare = _answer(session, "cần giấy tờ gì", intent="ask_documents", aspects=["documents"])
    assert bare.reply.response == "utter_ask_procedure_name"  # type: ignore[attr-defined]
    assert OVERVIEW


def test_an_aspect_asked_after_an_offer_shows_the_same_choice_again(session: Session) -> None:
    offered = ["1.001193", "1.000689"]
    answer = _answer(
        session, "hồ sơ gồm những gì?", intent="ask_documents", aspects=["documents"], offered=offered
    )
    assert answer.kind == "clarify"  # type: ignore[attr-defined]
    assert answer.reply.custom["candidates"] == offered  # type: ignore[attr-defined]
    assert answer.aspects == ["documents"]  # type: ignore[attr-defined]
