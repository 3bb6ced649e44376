"""Multi-turn conversations through the real Rasa server and action server (REST channel).

The conversations are data: tests/conversation/conversations/*.yml. Each turn sends a message (or presses
a button of the previous reply) and checks what the assistant did: the custom payload's type, the
procedure and aspects answered, the candidates offered, the dossier status, and facts in the text.
The procedure codes are labels (which procedure a citizen means), never expected answer text.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import Assistant

pytestmark = pytest.mark.conversation

CONVERSATIONS_DIR = Path(__file__).parent / "conversations"
KNOWN_CHECKS = {
    "type",
    "procedure_code",
    "aspects",
    "aspects_exactly",
    "candidates",
    "status",
    "overdue",
    "text",
    "text_not",
    "silent",
    "buttons",
}


def _load() -> list[dict[str, Any]]:
    conversations = []
    for path in sorted(CONVERSATIONS_DIR.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            item["_file"] = path.stem
            conversations.append(item)
    return conversations


CONVERSATIONS = _load()


def _customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def _check(turn: int, said: str, expect: dict[str, Any], messages: list[dict[str, Any]]) -> None:
    unknown = set(expect) - KNOWN_CHECKS
    assert not unknown, f"unknown checks {unknown}"
    text = "\n".join(m.get("text") or "" for m in messages)
    customs = _customs(messages)
    where = f"turn {turn} ({said!r}) got {messages!r}"
    if "type" in expect:
        matching = [c for c in customs if c.get("type") in _as_list(expect["type"])]
        assert matching, where
        custom = matching[-1]
    else:
        custom = customs[-1] if customs else {}
    if "procedure_code" in expect:
        assert custom.get("procedure_code") in _as_list(expect["procedure_code"]), where
    if "aspects" in expect:
        assert set(expect["aspects"]) <= set(custom.get("aspects") or []), where
    if "aspects_exactly" in expect:
        assert list(custom.get("aspects") or []) == list(expect["aspects_exactly"]), where
    if "candidates" in expect:
        assert set(_as_list(expect["candidates"])) & set(custom.get("candidates") or []), where
    if "status" in expect:
        assert custom.get("status") == expect["status"], where
    if "overdue" in expect:
        assert custom.get("overdue") is expect["overdue"], where
    for fact in _as_list(expect.get("text", [])):
        assert fact.lower() in text.lower(), f"{fact!r} missing: {where}"
    for fact in _as_list(expect.get("text_not", [])):
        assert fact.lower() not in text.lower(), f"{fact!r} present: {where}"
    if expect.get("silent"):
        assert not text.strip(), where
    if "buttons" in expect:
        titles = [b.get("title") for m in messages for b in m.get("buttons") or []]
        assert len(titles) >= int(expect["buttons"]), where


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def test_there_are_enough_conversations() -> None:
    assert len(CONVERSATIONS) >= 80
    names = [c["name"] for c in CONVERSATIONS]
    assert len(names) == len(set(names)), "conversation names must be unique"


@pytest.mark.parametrize(
    "conversation", CONVERSATIONS, ids=[f"{c['_file']}:{c['name']}" for c in CONVERSATIONS]
)
def test_conversation(assistant: Assistant, conversation: dict[str, Any]) -> None:
    sender = f"conv-{uuid.uuid4().hex}"
    previous: list[dict[str, Any]] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        if "press" in turn:
            # Press a button of the previous reply: by its position (1-based) or by its payload's code.
            buttons = [b for m in previous for b in m.get("buttons") or []]
            press = turn["press"]
            if isinstance(press, int):
                button = buttons[press - 1]
            else:
                button = next(b for b in buttons if str(press) in b["payload"] or b["title"] == press)
            said = button["payload"]
        else:
            said = turn["user"]
        previous = assistant.send(said, sender)
        _check(number, said, turn.get("expect") or {}, previous)
