"""Hostile input against the real assistant (issue 17, findings 8, 10 and 11).

The session's assistant (`tests/channels/conftest.py`: the real Rasa server with every channel, the
HTTP API behind a JWT secret, 4 KB bodies, the widget's origin allow-list) is sent what a probe
sends: JSON nested thousands deep on every channel, unsigned and oddly signed JWTs on the HTTP API,
a REST post from a foreign web page and a correctly signed Zalo event from 2017. Each must get a
4xx (or, for the old Zalo event, be acknowledged and dropped), never a 500, and nothing of it may
reach a conversation.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from app.rasa_client import make_jwt
from tests.channels.conftest import PORTAL, TELEGRAM_SECRET, Channels, via
from tests.channels.fake_zalo import signed, text_event

pytestmark = pytest.mark.conversation

EVIL = "https://evil.example"
GREETING = "Xin chào! Tôi là trợ lý thủ tục hành chính"
#: Deep enough to make Python's JSON parser recurse past its limit, small enough for the 4 KB bodies
#: of the REST and web channels here (Telegram and Zalo read 64 KB: they get 5,000 levels).
DEEP = 1900


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def post_json_text(url: str, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        url,
        content=text.encode(),
        headers={"Content-Type": "application/json", **via(), **(headers or {})},
        timeout=30,
    )


def tracker_texts(channels: Channels, sender: str) -> list[str]:
    """The user messages stored for `sender`, read through the Rasa HTTP API with a valid JWT."""
    token = make_jwt(channels.assistant.api_token)
    answer = httpx.get(
        f"{channels.assistant.rasa_url}/conversations/{sender}/tracker",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200
    return [e.get("text") or "" for e in answer.json()["events"] if e["event"] == "user"]


def rasa_log(channels: Channels) -> str:
    return (channels.assistant.logs / "rasa-0.log").read_text(encoding="utf-8", errors="replace")


def assert_parser_never_ran_out_of_stack(channels: Channels) -> None:
    # Before the fix Sanic logged the RecursionError's traceback with each 500.
    assert "RecursionError" not in rasa_log(channels)


# ------------------------------------------------------------------------------------------------ #
# Finding 11: JSON nested thousands deep is a 400 on every channel, not a 500
# ------------------------------------------------------------------------------------------------ #


def test_rest_refuses_deeply_nested_json_with_a_400(channels: Channels) -> None:
    url = f"{channels.assistant.rasa_url}/webhooks/rest/webhook"
    sender = uuid.uuid4().hex
    answer = post_json_text(url, json.dumps({"sender": sender, "message": "X"}).replace('"X"', nested(DEEP)))
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request" and "Traceback" not in answer.text
    assert post_json_text(url, "{" * 3000).status_code == 400
    assert tracker_texts(channels, sender) == []
    assert_parser_never_ran_out_of_stack(channels)


def test_web_refuses_deeply_nested_json_with_a_400(channels: Channels) -> None:
    base = f"{channels.assistant.rasa_url}/webhooks/web"
    session_id = httpx.post(f"{base}/session", json={}, headers=via(), timeout=30).json()["session_id"]
    body = json.dumps({"session_id": session_id, "message": "X"}).replace('"X"', nested(DEEP))
    answer = post_json_text(f"{base}/webhook", body, {"Origin": PORTAL})
    assert (answer.status_code, answer.json()) == (400, {"error": "bad_request"})
    assert tracker_texts(channels, "web-" + session_id.split(".")[0]) == []
    assert_parser_never_ran_out_of_stack(channels)


def test_zalo_refuses_deeply_nested_json_before_the_signature_check(channels: Channels) -> None:
    url = f"{channels.assistant.rasa_url}/webhooks/zalo/webhook"
    body = '{"event_name": "user_send_text", "timestamp": "1", "message": ' + nested(5000) + "}"
    answer = post_json_text(url, body, {"X-ZEvent-Signature": "mac=" + "0" * 64})
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert_parser_never_ran_out_of_stack(channels)


def test_telegram_refuses_deeply_nested_json_with_a_400(channels: Channels) -> None:
    url = f"{channels.assistant.rasa_url}/webhooks/telegram/webhook"
    body = '{"update_id": 1, "message": ' + nested(5000) + "}"
    answer = post_json_text(url, body, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert answer.status_code == 400
    assert_parser_never_ran_out_of_stack(channels)


# ------------------------------------------------------------------------------------------------ #
# Finding 11: tokens nobody signed with the secret are a 401 on the Rasa HTTP API, not a 500
# ------------------------------------------------------------------------------------------------ #


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: Any, payload: Any, signature: str = "") -> str:
    def part(value: Any) -> str:
        return _b64(value if isinstance(value, bytes) else json.dumps(value).encode())

    return f"{part(header)}.{part(payload)}.{signature}"


ADMIN = {"user": {"username": "x", "role": "admin"}, "exp": 9_999_999_999}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_token({"alg": "none", "typ": "JWT"}, ADMIN), id="alg none"),
        pytest.param(_token({"alg": "None", "typ": "JWT"}, ADMIN), id="alg None"),
        pytest.param(_token({"alg": "HS512", "typ": "JWT"}, ADMIN, _b64(b"x" * 64)), id="another algorithm"),
        pytest.param(_token({"alg": ["HS256"]}, ADMIN, "c2ln"), id="alg not a string"),
        # 2,000 levels: past the parser's recursion limit, within Sanic's 8 KB of request headers.
        pytest.param(_token(b"[" * 2000 + b"]" * 2000, ADMIN, "c2ln"), id="header nested 2000 deep"),
        pytest.param(_token({"alg": "HS256"}, b"[" * 2000, "c2ln"), id="payload nested 2000 deep"),
    ],
)
def test_the_rasa_api_answers_401_to_tokens_it_cannot_accept(channels: Channels, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/status", "/conversations/someone/tracker"):
        answer = httpx.get(channels.assistant.rasa_url + path, headers=headers, timeout=30)
        assert answer.status_code == 401, (path, answer.text[:200])
        assert "model_file" not in answer.text and "events" not in answer.text


# ------------------------------------------------------------------------------------------------ #
# Finding 8: a web page cannot make its visitors post to the REST channel
# ------------------------------------------------------------------------------------------------ #


def test_rest_refuses_posts_from_foreign_browser_pages(channels: Channels) -> None:
    url = f"{channels.assistant.rasa_url}/webhooks/rest/webhook"
    sender = uuid.uuid4().hex
    for browser in ({"Origin": EVIL}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = httpx.post(
            url, json={"sender": sender, "message": "xin chào"}, headers={**via(), **browser}, timeout=30
        )
        assert (answer.status_code, answer.json()["error"]) == (403, "origin_not_allowed"), browser
        assert "access-control-allow-origin" not in answer.headers
    assert tracker_texts(channels, sender) == []
    # Servers and curl (no Origin) are served as before (README's example).
    answer = httpx.post(url, json={"sender": sender, "message": "xin chào"}, headers=via(), timeout=60)
    assert answer.status_code == 200 and GREETING in " ".join(m.get("text") or "" for m in answer.json())


# ------------------------------------------------------------------------------------------------ #
# Finding 10: a correctly signed Zalo event from long ago is not processed
# ------------------------------------------------------------------------------------------------ #


def test_a_signed_zalo_event_from_2017_is_acknowledged_but_not_processed(channels: Channels) -> None:
    url = f"{channels.assistant.rasa_url}/webhooks/zalo/webhook"
    user = str(uuid.uuid4().int % 10**18)
    replays = [
        text_event(user, "tin nhắn năm 2017") | {"timestamp": "1500000000000"},
        text_event(user, "tin nhắn từ tương lai") | {"timestamp": str(int((time.time() + 3600) * 1000))},
    ]
    for event in replays:
        raw, headers = signed(event)  # signed with the OA secret key: only the timestamp is wrong
        # 200: Zalo re-sends what it thinks failed, and every copy would be as old.
        assert httpx.post(url, content=raw, headers={**headers, **via()}, timeout=30).status_code == 200
    raw, headers = signed(text_event(user, "xin chào"))
    assert httpx.post(url, content=raw, headers={**headers, **via()}, timeout=30).status_code == 200
    # One user's events are handled in order: had an old one been processed, its answer would
    # have come before the greeting.
    messages = channels.zalo.wait_text(user, GREETING)
    assert [d.text[: len(GREETING)] for d in messages] == [GREETING]
    assert tracker_texts(channels, f"zalo:{user}") == ["xin chào"]
    assert "not processed" in rasa_log(channels)
