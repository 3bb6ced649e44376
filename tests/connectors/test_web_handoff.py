"""The web channel follows a handoff: its state in the history and the answers, what the history hides,
where a turn sits in it, and reading only what is new (``since``)."""

from __future__ import annotations

import time
from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered

from connectors.web import all_history_messages, handoff_state, history_messages, turn_span
from tests.connectors.test_web import Client, StandInAgent, _session, run_channel


def test_handoff_state_from_the_slots() -> None:
    now = time.time()
    assert handoff_state({}, now) == {"state": "bot", "officer": None}
    waiting = {"handoff_ticket": 3.0, "handoff_waiting_until": now + 600}
    assert handoff_state(waiting, now) == {"state": "waiting", "officer": None}
    # An officer took it: their display name, if the app gave one.
    taken = {**waiting, "handoff_until": now + 600, "handoff_officer": " Nguyễn Thị Lan "}
    assert handoff_state(taken, now) == {"state": "staff", "officer": "Nguyễn Thị Lan"}
    assert handoff_state({**taken, "handoff_officer": None}, now) == {"state": "staff", "officer": None}
    # Timed out (the pause and the wait are over), or given back (the slots are cleared): the assistant.
    over = {"handoff_ticket": 3.0, "handoff_waiting_until": now - 1, "handoff_until": now - 1}
    assert handoff_state(over, now) == {"state": "bot", "officer": None}
    assert handoff_state({"handoff_until": True}, now)["state"] == "bot"


def _handoff_events() -> list[dict[str, Any]]:
    return [
        UserUttered("làm căn cước cần giấy tờ gì", message_id="m1").as_dict(),
        BotUttered("Đã chuyển tin nhắn tới cán bộ.").as_dict(),
        # A staff reply through trigger_intent: the user event Rasa makes for it is not the citizen's.
        UserUttered.create_external("EXTERNAL_staff_reply").as_dict(),
        BotUttered("Cán bộ Một cửa trả lời:\nChào bạn", {"custom": {"type": "staff_reply"}}).as_dict(),
        UserUttered.create_external("EXTERNAL_handoff_released").as_dict(),
        BotUttered("Trợ lý đã quay lại: …").as_dict(),
        # The question asked while waiting, replayed for the assistant to answer: sent once, shown once.
        UserUttered("làm căn cước cần giấy tờ gì", metadata={"replayed": True}).as_dict(),
        BotUttered("Cấp thẻ căn cước …").as_dict(),
    ]


def test_history_hides_injected_and_replayed_user_events() -> None:
    assert [(m["sender"], m["text"][:14]) for m in history_messages(_handoff_events(), 0)] == [
        ("user", "làm căn cước c"),
        ("bot", "Đã chuyển tin "),
        ("bot", "Cán bộ Một cửa"),
        ("bot", "Trợ lý đã quay"),
        ("bot", "Cấp thẻ căn cư"),
    ]


def test_a_turn_ends_where_the_next_user_event_begins() -> None:
    events = _handoff_events()
    assert turn_span(events, "m1") == {"start": 0, "end": 2}  # the staff reply after it is not this turn's
    assert turn_span(events, "nowhere") is None
    assert len(all_history_messages(events)) == 5


def test_history_since_count_and_state_over_http() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        for text in ("một", "hai"):
            status, _, data = await request(
                "POST", "/webhook", json={"session_id": session_id, "message": text}
            )
            assert status == 200
        assert data["turn"] == {"start": 2, "end": 4}
        status, _, whole = await request("GET", "/history", params={"session_id": session_id})
        assert status == 200 and whole["count"] == 4 and len(whole["messages"]) == 4
        assert whole["handoff"] == {"state": "bot", "officer": None}
        _, _, new = await request("GET", "/history", params={"session_id": session_id, "since": "3"})
        assert new["count"] == 4 and new["messages"] == whole["messages"][3:]
        _, _, none = await request("GET", "/history", params={"session_id": session_id, "since": "4"})
        assert none["messages"] == []
        # A count beyond the conversation (restarted on the server) or a malformed one: everything.
        for since in ("99", "-1", "abc", "1" * 20):
            _, _, again = await request("GET", "/history", params={"session_id": session_id, "since": since})
            assert again["messages"] == whole["messages"], since

    run_channel(test)
