"""answers.procedure on the real seeded database: resolution, clarification, FAQ, the answer's shape."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from answers.formatting import FIRST_REPLY_CHARS
from answers.procedure import (
    OVERVIEW,
    ProcedureQuestion,
    answer_procedure,
    asked_aspects,
    looks_like_legal_advice,
    names_procedure_clearly,
    submission_day,
    typed_choice,
)
from answers.reply import RATING_BUTTONS

SOURCE = "Cổng DVC quốc gia"


def test_the_intents_aspect_comes_first_then_the_usual_order() -> None:
    assert asked_aspects("ask_fee", ["documents", "processing_time", "fee"]) == [
        "fee",
        "documents",
        "processing_time",
    ]
    assert asked_aspects("ask_procedure", [], ["fee", "bogus"]) == ["fee"]
    assert asked_aspects("ask_procedure", []) == OVERVIEW


def test_typed_choices() -> None:
    offered = ["1.001612", "2.001610", "1.000001"]
    assert typed_choice("cái thứ hai", offered) == "2.001610"
    assert typed_choice("cái cuối", offered) == "1.000001"
    assert typed_choice("số 1", offered) == "1.001612"
    assert typed_choice("không biết", offered) is None


def test_legal_judgements_are_told_from_procedures() -> None:
    assert looks_like_legal_advice("con ngoài giá thú có được thừa kế không")
    assert not looks_like_legal_advice("thủ tục ghi vào sổ hộ tịch việc ly hôn")


def test_submission_day_only_for_time_questions() -> None:
    today = dt.date(2026, 11, 26)
    assert submission_day("nộp hôm nay", ["processing_time"], today) == today
    assert submission_day("nộp hôm nay", ["fee"], today) is None


def test_a_named_procedure_is_answered_with_its_card_and_rating_buttons(session: Session) -> None:
    answer = answer_procedure(
        session,
        ProcedureQuestion(
            text="đăng ký khai sinh cần giấy tờ gì", intent="ask_documents", aspects=["documents"]
        ),
        source_name=SOURCE,
    )
    assert (answer.kind, answer.procedure_code, answer.aspects) == ("answer", "1.001193", ["documents"])
    reply = answer.reply
    assert reply.response is None and reply.text is not None
    assert reply.text.splitlines()[0].endswith("(mã 1.001193)")
    assert reply.text.splitlines()[-1].startswith(f"Nguồn: {SOURCE}, cập nhật ")
    # The first reply fits a phone; buttons lead to the rest, the rating buttons come last.
    assert len(reply.text) <= FIRST_REPLY_CHARS
    assert reply.buttons[-2:] == RATING_BUTTONS
    titles = [button["title"] for button in reply.buttons]
    assert titles[0] == "Tất cả giấy tờ" and "Các bước thực hiện" in titles and "Căn cứ pháp lý" in titles
    assert any(title.startswith("Trường hợp ủy quyền") for title in titles)
    assert reply.custom["type"] == "procedure_answer" and reply.custom["card"]["code"] == "1.001193"
    assert not answer.needs_review


def test_the_buttons_under_the_first_reply_give_the_rest(session: Session) -> None:
    first = answer_procedure(
        session,
        ProcedureQuestion(
            text="đăng ký khai sinh cần giấy tờ gì", intent="ask_documents", aspects=["documents"]
        ),
        source_name=SOURCE,
    ).reply
    case = next(b for b in first.buttons if b["title"].startswith("Trường hợp ủy quyền"))
    aspect = json.loads("{" + case["payload"].split("{", 1)[1])["aspect"]
    answer = answer_procedure(
        session,
        ProcedureQuestion(text="", intent="ask_documents", aspects=[aspect], current_code="1.001193"),
        source_name=SOURCE,
    )
    text = answer.reply.text or ""
    assert "ủy quyền" in text.splitlines()[1].lower() and "Văn bản ủy quyền" in text
    assert "card" not in answer.reply.custom  # the widget's card goes with the first reply only
    every = answer_procedure(
        session,
        ProcedureQuestion(
            text="", intent="ask_documents", aspects=["all_documents"], current_code="1.001193"
        ),
        source_name=SOURCE,
    ).reply
    assert "Trường hợp trẻ em bị bỏ rơi" in (every.text or "") and "Giấy chứng sinh" in (every.text or "")
    assert not any(b["title"] == "Tất cả giấy tờ" for b in every.buttons)


def test_close_candidates_get_a_question_with_buttons(session: Session) -> None:
    answer = answer_procedure(
        session,
        ProcedureQuestion(
            text="đăng ký kinh doanh cần giấy tờ gì", intent="ask_documents", aspects=["documents"]
        ),
        source_name=SOURCE,
    )
    assert answer.kind == "clarify" and answer.aspects == ["documents"]
    assert answer.reply.response == "utter_ask_which_procedure"
    codes = answer.reply.custom["candidates"]
    assert len(codes) >= 2
    assert [b["payload"] for b in answer.reply.buttons] == [
        f'/choose_procedure{{"procedure_code": "{code}"}}' for code in codes
    ]


def test_no_procedure_asks_for_its_name(session: Session) -> None:
    answer = answer_procedure(
        session,
        ProcedureQuestion(text="cần giấy tờ gì?", intent="ask_documents", aspects=["documents"]),
        source_name=SOURCE,
    )
    assert answer.kind == "clarify" and answer.reply.response == "utter_ask_procedure_name"
    assert answer.reply.custom == {"type": "clarify", "candidates": []}


def test_a_general_question_is_answered_from_the_faq(session: Session) -> None:
    answer = answer_procedure(
        session,
        ProcedureQuestion(
            text="dịch vụ công trực tuyến toàn trình là gì", intent="ask_online", aspects=["online"]
        ),
        source_name=SOURCE,
    )
    assert answer.kind == "faq" and answer.reply.custom["type"] == "faq_answer"


def test_a_chosen_candidate_and_a_weak_intent(session: Session) -> None:
    chosen = answer_procedure(
        session,
        ProcedureQuestion(
            text="", intent="choose_procedure", confidence=0.2, aspects=["fee"], chosen_code="1.001612"
        ),
        source_name=SOURCE,
    )
    assert chosen.procedure_code == "1.001612" and not chosen.needs_review
    weak = answer_procedure(
        session,
        ProcedureQuestion(
            text="còn lệ phí thì sao",
            intent="nlu_fallback",
            confidence=0.3,
            aspects=["fee"],
            current_code="1.001193",
        ),
        source_name=SOURCE,
    )
    assert weak.procedure_code == "1.001193" and weak.needs_review


def test_names_procedure_clearly(session: Session) -> None:
    assert names_procedure_clearly(session, "thủ tục đăng ký khai tử")
    assert not names_procedure_clearly(session, "")


def test_a_name_said_only_in_the_background_does_not_pick_the_procedure(session: Session) -> None:
    # The letter mentions the ID card ("ghi sai so với căn cước") but asks to correct the land certificate.
    letter = (
        "Kính gửi Quý cơ quan, năm 2023 tôi được cấp giấy chứng nhận quyền sử dụng đất nhưng tên đệm của "
        "vợ tôi bị ghi sai so với căn cước. Chúng tôi muốn đề nghị đính chính lại thông tin trên giấy "
        "chứng nhận."
    )
    answer = answer_procedure(
        session,
        ProcedureQuestion(text=letter, intent="ask_procedure", named=["căn cước"]),
        source_name=SOURCE,
    )
    # Not answered with an ID-card procedure (it may be offered among the nearest, never answered).
    assert not answer.procedure_code and answer.kind != "answer"


def test_a_procedure_matched_better_than_any_faq_entry_is_not_answered_with_the_faq(session: Session) -> None:
    # "ông bà muốn làm người giám hộ": the guardianship registration, not the FAQ on filing for parents.
    answer = answer_procedure(
        session,
        ProcedureQuestion(
            text="bố mẹ cháu mất hết, ông bà muốn làm người giám hộ cho cháu", intent="ask_procedure"
        ),
        source_name=SOURCE,
    )
    assert answer.kind != "faq"
    offered = answer.reply.custom.get("candidates") or [answer.procedure_code]
    assert "1.004837" in offered


def test_asking_whether_a_paper_is_needed_stays_on_the_procedure(session: Session) -> None:
    # Removing a dead father's permanent residence: "có cần giấy chứng tử không" asks about its papers,
    # not about the death registration that issues the certificate.
    answer = answer_procedure(
        session,
        ProcedureQuestion(
            text="có cần giấy chứng tử không",
            intent="ask_documents",
            aspects=["documents"],
            current_code="1.003197",
        ),
        source_name=SOURCE,
    )
    assert answer.procedure_code == "1.003197"
