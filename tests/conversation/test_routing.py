"""The routing between actions shows in the tracker: an action hands a turn on with FollowupAction.

Through the real Rasa server and action server: the routed action runs once, answers, and the turn
ends with action_listen (no rule covers a routed turn, so the rule policy's fallback must not fire).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.rasa_client import make_jwt
from tests.servers import Assistant

pytestmark = pytest.mark.conversation


def _auth(assistant: Assistant) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_jwt(assistant.api_token)}"}


def _last_turn(assistant: Assistant, sender: str) -> list[dict[str, Any]]:
    """The events since the latest user message."""
    events = httpx.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker", headers=_auth(assistant), timeout=30
    ).json()["events"]
    start = max(i for i, event in enumerate(events) if event.get("event") == "user")
    return events[start + 1 :]


def _actions(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "action"]


def test_a_hesitant_follow_up_is_routed_to_the_procedure_answer(assistant: Assistant) -> None:
    sender = uuid.uuid4().hex
    assistant.send("đăng ký khai sinh cần giấy tờ gì", sender)
    # The classifier hesitated (nlu_fallback) on a follow-up naming an aspect.
    response = httpx.post(
        f"{assistant.rasa_url}/conversations/{sender}/trigger_intent",
        params={"output_channel": "latest"},
        headers=_auth(assistant),
        json={"name": "nlu_fallback", "entities": {"aspect": "fee"}},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    turn = _last_turn(assistant, sender)
    assert _actions(turn) == ["action_fallback", "action_answer_procedure", "action_listen"]
    customs = [(e.get("data") or {}).get("custom") or {} for e in turn if e.get("event") == "bot"]
    assert [(c.get("type"), c.get("procedure_code"), c.get("aspects")) for c in customs] == [
        ("procedure_answer", "1.001193", ["fee"])
    ]


def test_the_second_misunderstanding_offers_a_person_and_the_button_opens_a_ticket(
    assistant: Assistant,
) -> None:
    sender = uuid.uuid4().hex
    assistant.send("xkcd qwzz plorf", sender)
    messages = assistant.send("blorp zzkv qqq", sender)
    assert [m["custom"]["type"] for m in messages if m.get("custom")] == ["handoff_offer"]
    assert [b for m in messages for b in m.get("buttons") or []] == [
        {"title": "Gặp cán bộ", "payload": "/ask_human"}
    ]
    # No ticket, no pause: the offer is all.
    assert _actions(_last_turn(assistant, sender)) == ["action_fallback", "action_listen"]
    pressed = assistant.send("/ask_human", sender)
    assert [m["custom"]["type"] for m in pressed if m.get("custom")] == ["handoff"]
    assert _actions(_last_turn(assistant, sender)) == ["action_handoff", "action_listen"]
