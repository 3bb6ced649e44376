"""The web widget's channel (connectors.web) in the Rasa environment.

Session ids, secrets and origins as functions; the routes through a real Sanic server on loopback
set up as `rasa run` sets up its channels (app-wide sanic-cors included), with a stand-in agent that
answers like the assistant and keeps a real Rasa tracker store. The channel against the real Rasa
server and the widget in a browser: tests/web/test_widget.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import configure_cors
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from connectors.common import MAX_MESSAGE_CHARS, TOO_LONG_NOTE
from connectors.web import (
    DEFAULT_ORIGINS,
    SessionSigner,
    WebInput,
    WebOutput,
    history_messages,
    load_secret,
    parse_origins,
)

SECRET = "k" * 40
ORIGIN = "https://dichvucong.example.gov.vn"
CARD = {"title": "Thủ tục đăng ký khai sinh", "code": "1.001193", "documents": ["Tờ khai"]}
RATING_BUTTONS = [
    {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
]


# ------------------------------------------------------------------------------------------------ #
# Session ids and settings
# ------------------------------------------------------------------------------------------------ #


def test_issued_ids_are_random_and_recognised() -> None:
    signer = SessionSigner(SECRET)
    ids = {signer.issue() for _ in range(200)}
    assert len(ids) == 200
    for session_id in ids:
        random_part, signature = session_id.split(".")
        assert len(random_part) == 32 and len(signature) == 64  # 128 random bits, HMAC-SHA256
        assert signer.sender_id(session_id) == f"web-{random_part}"


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0, max_value=96), replacement=st.sampled_from("0123456789abcdef."))
def test_any_changed_character_is_refused(position: int, replacement: str) -> None:
    signer = SessionSigner(SECRET)
    session_id = signer.issue()
    forged = session_id[:position] + replacement + session_id[position + 1 :]
    if forged != session_id:
        assert signer.sender_id(forged) is None


@pytest.mark.parametrize("value", [None, 42, "", "web-" + "a" * 32, "a" * 32, ["x"], {"id": 1}])
def test_non_ids_are_refused(value: object) -> None:
    assert SessionSigner(SECRET).sender_id(value) is None


def test_ids_of_another_key_are_refused() -> None:
    assert SessionSigner(SECRET).sender_id(SessionSigner("another key " * 4).issue()) is None


def test_secret_from_the_environment() -> None:
    assert load_secret({"WEB_SESSION_SECRET": SECRET, "PROFILE": "prod"}) == SECRET


@pytest.mark.parametrize("secret", ["", "short", "changeme"])
def test_production_refuses_a_missing_or_weak_secret(secret: str) -> None:
    with pytest.raises(RasaException, match="WEB_SESSION_SECRET"):
        load_secret({"WEB_SESSION_SECRET": secret, "PROFILE": "prod"})


def test_local_profile_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "var" / "web_session_secret"
    first = load_secret({}, local_file=path)
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_secret({"PROFILE": "local"}, local_file=path) == first


def test_local_profile_refuses_a_damaged_secret_file(tmp_path: Path) -> None:
    path = tmp_path / "web_session_secret"
    path.write_text("x\n")
    with pytest.raises(RasaException, match="delete it"):
        load_secret({}, local_file=path)


def test_origins() -> None:
    assert parse_origins(None) == frozenset(DEFAULT_ORIGINS)
    assert parse_origins(" https://A.example/ , http://127.0.0.1:8000") == {
        "https://a.example",
        "http://127.0.0.1:8000",
    }


@pytest.mark.parametrize("value", ["*", "null", "javascript:alert(1)", "https://a.example/path", "a.example"])
def test_origins_refuse_anything_but_origins(value: str) -> None:
    with pytest.raises(RasaException, match="WEB_ALLOWED_ORIGINS"):
        parse_origins(value)


# ------------------------------------------------------------------------------------------------ #
# Messages out and history
# ------------------------------------------------------------------------------------------------ #


def test_output_keeps_each_message_whole() -> None:
    output = WebOutput()
    text = "Thủ tục đăng ký khai sinh (mã 1.001193)\n\nNguồn: Cổng DVC quốc gia"
    custom = {"type": "procedure_answer", "card": CARD}
    message = {"text": text, "buttons": RATING_BUTTONS, "custom": custom}
    asyncio.run(output.send_response("web-x", dict(message)))
    asyncio.run(output.send_response("web-x", {"text": "Cảm ơn", "custom": {"type": "smalltalk"}}))
    asyncio.run(output.send_response("web-x", {"text": "  "}))
    assert output.messages == [message, {"text": "Cảm ơn", "custom": {"type": "smalltalk"}}]


def test_output_buttons_are_payloads_or_web_links() -> None:
    output = WebOutput()
    buttons = [
        {"title": "Mở cổng", "url": "https://dichvucong.gov.vn", "type": "web_url"},
        {"title": "Xấu", "url": "javascript:alert(1)"},
        {"title": "Chọn", "payload": '/choose_procedure{"procedure_code": "1.001193"}', "extra": 1},
        {"payload": "/x"},
        "text",
    ]
    asyncio.run(output.send_text_with_buttons("web-x", "Bạn hỏi thủ tục nào?", buttons))
    assert output.messages == [
        {
            "text": "Bạn hỏi thủ tục nào?",
            "buttons": [
                {"title": "Mở cổng", "url": "https://dichvucong.gov.vn"},
                {"title": "Chọn", "payload": '/choose_procedure{"procedure_code": "1.001193"}'},
            ],
        }
    ]


def _events() -> list[dict[str, Any]]:
    return [
        {"event": "action", "name": "action_session_start"},
        UserUttered("làm khai sinh cần gì").as_dict(),
        BotUttered(
            "Thủ tục đăng ký khai sinh", {"buttons": RATING_BUTTONS, "custom": {"card": CARD}}
        ).as_dict(),
        UserUttered('/rate_answer{"rating": "up"}', metadata={"web_display": "👍"}).as_dict(),
        UserUttered('/rate_answer{"rating": "down"}').as_dict(),
        BotUttered("Cảm ơn bạn!").as_dict(),
        BotUttered(None, {}).as_dict(),
    ]


def test_history_shows_user_and_bot_messages_in_order() -> None:
    assert history_messages(_events(), 200) == [
        {"sender": "user", "text": "làm khai sinh cần gì"},
        {
            "sender": "bot",
            "text": "Thủ tục đăng ký khai sinh",
            "buttons": RATING_BUTTONS,
            "custom": {"card": CARD},
        },
        {"sender": "user", "text": "👍"},
        {"sender": "bot", "text": "Cảm ơn bạn!"},
    ]
    assert history_messages(_events(), 2) == history_messages(_events(), 200)[-2:]


# ------------------------------------------------------------------------------------------------ #
# The routes on a real Sanic server
# ------------------------------------------------------------------------------------------------ #


class StandInAgent:
    """Answers like the assistant (text, rating buttons, a card) and keeps a real tracker store."""

    def __init__(self, fail: bool = False) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.received: list[UserMessage] = []
        self.fail = fail

    async def handle_message(self, message: UserMessage) -> None:
        if self.fail:
            raise RuntimeError("the model is not loaded")
        self.received.append(message)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(
            UserUttered(
                message.text,
                metadata=message.metadata,
                input_channel=message.input_channel,
                message_id=message.message_id,
            )
        )
        answer = {
            "text": f"Trả lời: {message.text}\n\nNguồn: Cổng DVC quốc gia",
            "buttons": RATING_BUTTONS,
            "custom": {"type": "procedure_answer", "card": CARD},
        }
        tracker.update(BotUttered(answer["text"], {"buttons": answer["buttons"], "custom": answer["custom"]}))
        await self.tracker_store.save(tracker)
        await message.output_channel.send_response(message.sender_id, dict(answer))


Client = Callable[..., Awaitable[tuple[int, dict[str, str], Any]]]


def run_channel(test: Callable[[Client, StandInAgent], Awaitable[None]], fail: bool = False) -> None:
    """Serve the channel as `rasa run` would and run `test(request, agent)` against it."""

    async def main() -> None:
        app = Sanic(f"web_test_{uuid.uuid4().hex[:12]}")
        configure_cors(app, None)  # what `rasa run` does without --cors
        agent = StandInAgent(fail)
        app.ctx.agent = agent
        channel = WebInput(SessionSigner(SECRET), allowed_origins=[ORIGIN], max_body_bytes=4096)
        register([channel], app, route="/webhooks/")
        server = await app.create_server(
            host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()
        port = server.server.sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}/webhooks/web"
        async with aiohttp.ClientSession() as session:

            async def request(method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, str], Any]:
                async with session.request(method, base + path, **kwargs) as response:
                    body = await response.read()
                    data = json.loads(body) if body and response.content_type == "application/json" else None
                    return response.status, dict(response.headers), data

            try:
                await test(request, agent)
            finally:
                server.close()
                await server.wait_closed()

    # Several Sanic apps in one process need Sanic's test mode (what sanic-testing sets).
    before, Sanic.test_mode = Sanic.test_mode, True
    try:
        asyncio.run(main())
    finally:
        Sanic.test_mode = before


async def _session(request: Client) -> str:
    status, _, data = await request("POST", "/session")
    assert status == 201
    return str(data["session_id"])


def test_message_round_trip() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        status, headers, data = await request(
            "POST", "/webhook", json={"session_id": session_id, "message": "  làm khai sinh\u200b cần gì "}
        )
        assert status == 200
        assert headers["Cache-Control"] == "no-store"
        [message] = agent.received
        assert message.text == "làm khai sinh cần gì"
        assert message.sender_id == "web-" + session_id.split(".")[0]
        assert message.input_channel == "web"
        assert data == {
            "messages": [
                {
                    "text": "Trả lời: làm khai sinh cần gì\n\nNguồn: Cổng DVC quốc gia",
                    "buttons": RATING_BUTTONS,
                    "custom": {"type": "procedure_answer", "card": CARD},
                }
            ],
            # Where the conversation stands, and this turn's place in the history (for the widget).
            "handoff": {"state": "bot", "officer": None},
            "turn": {"start": 0, "end": 2},
        }

    run_channel(test)


def test_buttons_typed_intents_and_long_text() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        pressed = {"session_id": session_id, "payload": '/rate_answer{"rating":"up"}', "title": " 👍 "}
        assert (await request("POST", "/webhook", json=pressed))[0] == 200
        forged = {"session_id": session_id, "payload": '/inform{"dossier_code": "x"}', "title": "x"}
        assert (await request("POST", "/webhook", json=forged))[0] == 200
        typed = {"session_id": session_id, "message": "/greet"}
        assert (await request("POST", "/webhook", json=typed))[0] == 200
        assert [m.text for m in agent.received] == [
            '/rate_answer{"rating": "up"}',
            'inform{"dossier_code": "x"}',
            "greet",
        ]
        assert agent.received[0].metadata == {"channel": "web", "web_display": "👍"}
        assert agent.received[1].metadata == {"channel": "web"}
        long = {"session_id": session_id, "message": "khai sinh " * 200}
        status, _, data = await request("POST", "/webhook", json=long)
        assert status == 200
        assert data["messages"][0] == {"text": TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS)}
        assert len(agent.received[-1].text) <= MAX_MESSAGE_CHARS
        status, _, data = await request("GET", "/history", params={"session_id": session_id})
        assert status == 200
        assert [(m["sender"], m["text"][:12]) for m in data["messages"]][:6] == [
            ("user", "👍"),
            ("bot", "Trả lời: /ra"),
            ("user", 'inform{"doss'),
            ("bot", "Trả lời: inf"),
            ("user", "greet"),
            ("bot", "Trả lời: gre"),
        ]

    run_channel(test)


def test_refusals() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        forged = SessionSigner("another key " * 4).issue()
        assert (await request("POST", "/webhook", json={"session_id": forged, "message": "chào"}))[0] == 403
        assert (await request("GET", "/history", params={"session_id": forged}))[0] == 403
        assert (await request("GET", "/history"))[0] == 403
        assert (await request("POST", "/webhook", data="not json"))[0] == 400
        assert (await request("POST", "/webhook", json=["a"]))[0] == 400
        assert (await request("POST", "/webhook", json={"session_id": session_id, "message": " \u200b"}))[
            0
        ] == 400
        big = {"session_id": session_id, "message": "a" * 5000}
        assert (await request("POST", "/webhook", json=big))[0] == 413

        async def chunked() -> Any:
            yield json.dumps(big).encode()

        assert (await request("POST", "/webhook", data=chunked()))[0] == 413
        assert agent.received == []

    run_channel(test)


def test_cors() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        status, headers, _ = await request("OPTIONS", "/webhook", headers={"Origin": ORIGIN, **preflight})
        assert status in {200, 204}
        assert headers["Access-Control-Allow-Origin"] == ORIGIN
        assert headers["Access-Control-Allow-Headers"] == "Content-Type"
        assert headers["Vary"] == "Origin"
        status, headers, _ = await request(
            "OPTIONS", "/webhook", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "Access-Control-Allow-Origin" not in headers
        status, headers, data = await request("POST", "/session", headers={"Origin": "https://evil.example"})
        assert (status, data) == (403, {"error": "origin_not_allowed"})
        assert "Access-Control-Allow-Origin" not in headers
        status, headers, _ = await request("POST", "/session", headers={"Origin": ORIGIN})
        assert status == 201 and headers["Access-Control-Allow-Origin"] == ORIGIN

    run_channel(test)


def test_a_failing_bot_gives_an_error_not_a_hang() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        status, _, data = await request(
            "POST", "/webhook", json={"session_id": session_id, "message": "chào"}
        )
        assert (status, data) == (500, {"error": "failed"})

    run_channel(test, fail=True)


def test_json_nested_too_deep_is_a_400_not_a_traceback() -> None:
    async def test(request: Client, agent: StandInAgent) -> None:
        session_id = await _session(request)
        # Within the 4 KB body limit, far past Python's recursion limit (the parser failed with a 500).
        deep = json.dumps({"session_id": session_id, "message": "X"}).replace('"X"', "[" * 1900 + "]" * 1900)
        headers = {"Content-Type": "application/json", "Origin": ORIGIN}
        status, response_headers, data = await request(
            "POST", "/webhook", data=deep.encode(), headers=headers
        )
        assert (status, data) == (400, {"error": "bad_request"})
        assert response_headers["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read why
        assert (await request("POST", "/webhook", data=b"{" * 3000))[0] == 400
        assert agent.received == []

    run_channel(test)
