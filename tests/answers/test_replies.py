"""Fixed texts: every reply naming a domain response finds it, filled with the variables it needs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from answers import dossier, faq, handoff, scope
from answers.reply import Reply
from tests.actions.conftest import domain_responses

ANSWERS = Path(__file__).resolve().parents[2] / "answers"
FIXED_REPLIES = [
    faq.no_answer_reply(hotline="1022"),
    *(scope.decline_reply(topic, hotline="1022") for topic in ("out_of_scope", "legal_advice", "complaint")),
    scope.feedback_reply(),
    scope.rating_reply(None),
    scope.rating_reply(1),
    scope.rating_reply(-1),
    handoff.handoff_reply("asked", 7, hours="Giờ làm việc", hotline="1022"),
    handoff.handoff_reply("fallback", 7, hours="Giờ làm việc", hotline="1022"),
    handoff.released_reply(),
    handoff.not_understood_reply(),
    dossier.ask_code_reply(),
    dossier.ask_phone_reply(),
    dossier.bad_code_reply(),
    dossier.bad_phone_reply(),
    dossier.retry_reply(2),
    dossier.desk_reply(hotline="1022", hours="Giờ làm việc"),
    dossier.unavailable_reply("X", hotline="1022"),
    dossier.not_found_reply("X"),
]


def render(reply: Reply) -> str:
    """The text Rasa's templated NLG sends for a reply (variables from its kwargs)."""
    if not reply.response:
        return reply.text or ""
    template = domain_responses()[reply.response]
    return re.sub(r"{([^\n{}]+?)}", lambda match: str(reply.kwargs[match.group(1)]), template)


@pytest.mark.parametrize("reply", FIXED_REPLIES, ids=lambda reply: reply.response)
def test_fixed_replies_are_domain_responses_with_their_variables(reply: Reply) -> None:
    assert reply.response in domain_responses() and reply.text is None
    text = render(reply)  # a missing variable raises KeyError
    assert text and "{" not in text
    assert reply.custom.get("type")


def test_declines_name_the_hotline_and_their_topic() -> None:
    assert "1022" in render(scope.decline_reply("out_of_scope", hotline="1022"))
    assert "khiếu nại" in render(scope.decline_reply("complaint", hotline="1022"))
    assert "pháp lý" in render(scope.decline_reply("legal_advice", hotline="1022"))
    # An intent without a text of its own is declined as out of scope.
    assert scope.decline_reply("greet", hotline="1").response == "utter_decline_out_of_scope"


def test_handoff_texts_say_the_hours_and_hotline() -> None:
    text = render(handoff.handoff_reply("asked", 3, hours="Thứ Hai - Thứ Sáu", hotline="1900"))
    assert "\nThứ Hai - Thứ Sáu.\n" in text and text.endswith("tổng đài 1900.")
    assert handoff.handoff_reply("asked", 3, hours="", hotline="").custom == {
        "type": "handoff",
        "status": "open",
        "ticket_id": 3,
        "reason": "asked",
    }


def test_the_offer_of_a_person_is_a_button_of_the_ask_human_intent() -> None:
    offer = handoff.offer_human_reply()
    assert offer.buttons == [{"title": "Gặp cán bộ", "payload": "/ask_human"}]
    assert "Gặp cán bộ" in render(offer) and "ví dụ" in render(offer)


@pytest.mark.parametrize(
    ("text", "needs_help"),
    [
        ("không nhớ", True),
        ("tôi không nhớ mã hồ sơ", True),
        ("ko nho ma", True),
        ("mất giấy hẹn rồi", True),
        ("mã hồ sơ xem ở đâu vậy", True),
        ("không biết làm căn cước cần gì", False),
        ("hồ sơ mất bao lâu", False),
        ("quên mật khẩu dịch vụ công thì làm sao", False),
        ("000.00.12.H37-251012-0001", False),
    ],
)
def test_a_citizen_who_cannot_give_the_code_is_recognised(text: str, needs_help: bool) -> None:
    assert dossier.needs_code_help(text) is needs_help


def test_retry_tells_the_tries_left() -> None:
    assert "(còn 2 lần thử)" in render(dossier.retry_reply(2))


def test_typed_ratings() -> None:
    assert scope.typed_rating("👎") == "down"
    assert scope.typed_rating("không hữu ích") == "down"
    assert scope.typed_rating("hay lắm") == "up"


def test_handoff_summary_leaves_payloads_out() -> None:
    summary = handoff.conversation_summary("asked", "1.001193", ["/greet", "cho tôi gặp cán bộ"])
    assert summary.splitlines() == [
        "Lý do: người dân yêu cầu gặp cán bộ",
        "Thủ tục đang hỏi: 1.001193",
        "Tin nhắn gần nhất của người dân:",
        "- cho tôi gặp cán bộ",
    ]


def test_staff_reply_is_marked_and_capped() -> None:
    assert handoff.staff_reply(["  ", ""]) is None
    reply = handoff.staff_reply(["Chào anh", "x" * 5000])
    assert reply is not None and reply.text is not None
    assert reply.text.startswith("Cán bộ Một cửa trả lời:\nChào anh\n")
    assert len(reply.text) == len("Cán bộ Một cửa trả lời:\n") + handoff.MAX_STAFF_REPLY_CHARS


def test_dossier_inputs_are_read_from_sentences() -> None:
    assert dossier.dossier_code_in("mã là 000.00.12.h37-251012-0001 nhé") == "000.00.12.H37-251012-0001"
    assert dossier.dossier_code_in("không nhớ") is None
    assert dossier.phone_last4_in("số cuối 0303") == "0303"
    assert dossier.phone_last4_in("0303 hay 0404") is None


FORBIDDEN = ("actions", "app", "bot", "connectors", "rasa", "rasa_sdk", "sanic", "fastapi")


@pytest.mark.parametrize("path", sorted(ANSWERS.glob("*.py")), ids=lambda path: path.name)
def test_the_answer_layer_knows_no_dialogue(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] in FORBIDDEN]


def test_every_response_the_answer_layer_names_is_in_the_domain() -> None:
    named = {
        node.value
        for path in ANSWERS.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("utter_")
    }
    # utter_decline_<topic> is built from the topic.
    named |= {f"utter_decline_{topic}" for topic in scope.DECLINED_TOPICS}
    assert "utter_ask_which_procedure" in named
    assert named - {"utter_decline_"} <= set(domain_responses())
