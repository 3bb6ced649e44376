"""The guarded REST channel (connectors.rest) in the Rasa environment.

The channel is served as `rasa run` serves it (registered under /webhooks/, app-wide sanic-cors without
--cors) on a real Sanic server on loopback, with a stand-in agent; every assertion is on what an HTTP
client of the channel receives. The channel against the real Rasa server: tests/channels/test_guards.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.server import configure_cors
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from connectors.common import BUSY_NOTE, MAX_MESSAGE_CHARS, TOO_FAST_NOTE, TOO_LONG_NOTE
from connectors.limits import LimitSettings, RateLimiter
from connectors.rest import RestInput, RestSettings
from connectors.web import DEFAULT_ORIGINS

RATING_BUTTONS = [
    {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
]
CCCD = "001099012345"


class StandInAgent:
    """Answers each message with one text, buttons and a custom payload, as the assistant does."""

    def __init__(self, fail: bool = False) -> None:
        self.received: list[UserMessage] = []
        self.fail = fail

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(
            message.sender_id, {"text": "Câu trả lời một phần"}
        )  # part of a turn that then fails: never shown
        if self.fail:
            # An exception whose text quotes the message, as some do: it must not reach the log.
            raise RuntimeError(f"tracker store unreachable while saving {message.text!r}")
        await message.output_channel.send_response(
            message.sender_id,
            {"text": f"Bạn hỏi: {message.text}", "buttons": RATING_BUTTONS, "custom": {"type": "smalltalk"}},
        )


Request = Callable[..., Awaitable[tuple[int, dict[str, str], Any]]]


class FrozenClock:
    """A wall clock the test moves by hand (windows never roll over during a test by accident)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a window

    def __call__(self) -> float:
        return self.now


def run_channel(
    test: Callable[[Request, StandInAgent], Awaitable[None]],
    *,
    fail: bool = False,
    channel: RestInput | None = None,
    proxies: int = 0,
) -> None:
    """Serve `channel` (default: generous limits) as `rasa run` does and run `test` against it."""
    channel = channel or RestInput(
        max_body_bytes=4096, limiter=RateLimiter(LimitSettings(sender_per_minute=0, ip_per_minute=0))
    )

    async def main() -> None:
        app = Sanic(f"rest_test_{uuid.uuid4().hex[:12]}")
        if proxies:
            app.config.PROXIES_COUNT = proxies
        configure_cors(app, None)  # what `rasa run` does without --cors
        agent = StandInAgent(fail)
        app.ctx.agent = agent
        register([channel], app, route="/webhooks/")
        server = await app.create_server(
            host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()
        port = server.server.sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}/webhooks/rest"
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

    before, Sanic.test_mode = Sanic.test_mode, True
    try:
        asyncio.run(main())
    finally:
        Sanic.test_mode = before


def post(
    request: Request, sender: Any, message: Any, **extra: Any
) -> Awaitable[tuple[int, dict[str, str], Any]]:
    return request("POST", "/webhook", json={"sender": sender, "message": message, **extra})


def test_rasa_shapes_in_and_out_and_the_channel_is_always_rest() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        assert (await request("GET", "/"))[2] == {"status": "ok"}
        status, _, data = await post(
            request,
            "khach-01",
            "  làm khai sinh\u200b cần gì ",
            input_channel="telegram",
            metadata={"web_display": "giả", "channel": "zalo"},
        )
        assert status == 200
        assert data == [
            {"recipient_id": "khach-01", "text": "Câu trả lời một phần"},
            {"recipient_id": "khach-01", "text": "Bạn hỏi: làm khai sinh cần gì", "buttons": RATING_BUTTONS},
            {"recipient_id": "khach-01", "custom": {"type": "smalltalk"}},
        ]
        [message] = agent.received
        assert (message.sender_id, message.input_channel) == ("khach-01", "rest")
        # What a client claims about channel and metadata is not recorded.
        assert message.metadata == {"channel": "rest"}

    run_channel(test)


def test_typed_intents_are_text_and_only_our_button_payloads_are_intents() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        for message in (
            "/greet",
            '/inform{"dossier_code": "000.00.12.H37-251012-0001"}',
            '/choose_procedure{"procedure_code": "1.001193"}',
            '/rate_answer{"rating":"up"}',
            '/rate_answer{"rating": "up", "handoff_until": 0}',
            "/EXTERNAL_staff_reply",
        ):
            assert (await post(request, "khach-02", message))[0] == 200
        assert [m.text for m in agent.received] == [
            "greet",
            'inform{"dossier_code": "000.00.12.H37-251012-0001"}',
            '/choose_procedure{"procedure_code": "1.001193"}',
            '/rate_answer{"rating": "up"}',
            'rate_answer{"rating": "up", "handoff_until": 0}',
            "EXTERNAL_staff_reply",
        ]

    run_channel(test)


@pytest.mark.parametrize(
    "sender",
    [
        None,
        "",
        42,
        ["a"],
        "a" * 129,
        "hai\ndòng",
        "tab\there",
        " khoang-trang",
        "telegram:12345",
        "zalo:987",
        "web-" + "a" * 32,
        "Telegram:1",
    ],
)
def test_bad_sender_ids_are_refused_with_a_clear_error(sender: Any) -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        status, _, data = await post(request, sender, "xin chào")
        assert status == 400
        assert data["error"] == "invalid_sender" and data["message"].startswith("sender must")
        assert agent.received == []

    run_channel(test)


def test_long_printable_sender_ids_are_fine() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        assert (await post(request, "người-dân " + "x" * 118, "chào"))[0] == 200
        assert (await post(request, "x" * 128, "chào"))[0] == 200

    run_channel(test)


def test_bodies_messages_and_streaming_that_are_refused() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        assert (await request("POST", "/webhook", data="not json"))[:3:2] == (
            400,
            {"error": "bad_request", "message": 'the body must be a JSON object {"sender", "message"}'},
        )
        assert (await request("POST", "/webhook", json=["a"]))[0] == 400
        for empty in (None, "", " \u200b\n", 7):
            status, _, data = await post(request, "khach-03", empty)
            assert (status, data["error"]) == (400, "empty_message")
        big = {"sender": "khach-03", "message": "a" * 5000}
        status, _, data = await request("POST", "/webhook", json=big)
        assert (status, data["error"]) == (413, "too_large")

        async def chunked() -> Any:
            yield json.dumps(big).encode()

        assert (await request("POST", "/webhook", data=chunked()))[0] == 413
        status, _, data = await request(
            "POST", "/webhook", params={"stream": "true"}, json={"sender": "khach-03", "message": "chào"}
        )
        assert (status, data["error"]) == (400, "streaming_not_supported")
        assert agent.received == []

    run_channel(test)


def test_a_cut_message_is_answered_with_the_note_first() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        status, _, data = await post(request, "khach-04", "khai sinh " * 300)
        assert status == 200
        assert data[0] == {"recipient_id": "khach-04", "text": TOO_LONG_NOTE.format(limit=MAX_MESSAGE_CHARS)}
        assert len(agent.received[0].text) <= MAX_MESSAGE_CHARS

    run_channel(
        test,
        channel=RestInput(
            max_body_bytes=8192, limiter=RateLimiter(LimitSettings(sender_per_minute=0, ip_per_minute=0))
        ),
    )


def test_when_rasa_fails_the_citizen_is_told_to_retry_and_the_log_has_no_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    async def test(request: Request, agent: StandInAgent) -> None:
        status, _, data = await post(request, "khach-05", f"số căn cước của tôi là {CCCD}, làm hộ chiếu")
        # Rasa's status and shape, the busy note only: nothing of the failed turn is shown.
        assert (status, data) == (200, [{"recipient_id": "khach-05", "text": BUSY_NOTE}])

    run_channel(test, fail=True)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert CCCD not in logged  # the only form of message text in logs is log_safe's, redacted
    [failure] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert failure.getMessage() == "REST: Rasa failed on a message (RuntimeError)" and not failure.exc_info


def test_rate_limits_answer_429_in_rasa_shape_and_nothing_reaches_rasa() -> None:
    clock = FrozenClock()
    limiter = RateLimiter(LimitSettings(sender_per_minute=2, ip_per_minute=4), clock=clock)

    async def test(request: Request, agent: StandInAgent) -> None:
        assert (await post(request, "khach-06", "một"))[0] == 200
        assert (await post(request, "khach-06", "hai"))[0] == 200
        status, headers, data = await post(request, "khach-06", "ba")
        assert (status, data) == (429, [{"recipient_id": "khach-06", "text": TOO_FAST_NOTE}])
        assert 1 <= int(headers["Retry-After"]) <= 120
        # Another sender from the same address still gets in, until the address's own limit (the
        # refused message counted for the address too).
        assert (await post(request, "khach-07", "bốn"))[0] == 200
        status, _, data = await post(request, "khach-08", "năm")
        assert (status, data) == (429, [{"recipient_id": "khach-08", "text": TOO_FAST_NOTE}])
        assert [m.text for m in agent.received] == ["một", "hai", "bốn"]
        clock.now += 2 * 60  # two minutes of quiet: everyone may talk again
        assert (await post(request, "khach-06", "sáu"))[0] == 200

    run_channel(test, channel=RestInput(max_body_bytes=4096, limiter=limiter))


def test_behind_a_proxy_the_forwarded_address_is_limited() -> None:
    limiter = RateLimiter(LimitSettings(sender_per_minute=0, ip_per_minute=1), clock=FrozenClock())

    async def test(request: Request, agent: StandInAgent) -> None:
        def via(address: str) -> dict[str, Any]:
            return {"headers": {"X-Forwarded-For": address}}

        body = {"sender": "khach-09", "message": "chào"}
        assert (await request("POST", "/webhook", json=body, **via("203.0.113.7")))[0] == 200
        assert (await request("POST", "/webhook", json=body, **via("203.0.113.7")))[0] == 429
        assert (await request("POST", "/webhook", json=body, **via("198.51.100.4")))[0] == 200

    run_channel(test, channel=RestInput(max_body_bytes=4096, limiter=limiter), proxies=1)


def test_no_cors_headers_for_any_origin() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        origin = {"Origin": "https://evil.example"}
        preflight = {
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        _, headers, _ = await request("OPTIONS", "/webhook", headers=preflight)
        assert "Access-Control-Allow-Origin" not in headers
        _, headers, _ = await request(
            "POST", "/webhook", json={"sender": "khach-10", "message": "chào"}, headers=origin
        )
        assert "Access-Control-Allow-Origin" not in headers

    run_channel(test)


def test_settings_from_credentials_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAX_BODY_BYTES", raising=False)
    assert RestInput.from_credentials({"max_body_bytes": 2048}).max_body_bytes == 2048
    assert RestInput.from_credentials(None).max_body_bytes == 16384
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    monkeypatch.setenv("RATE_LIMIT_SENDER_PER_MINUTE", "7")
    channel = RestInput.from_credentials({"max_body_bytes": 2048})
    assert channel.max_body_bytes == 1000 and channel.limiter.settings.sender_per_minute == 7
    assert RestInput.name() == "rest"


# ------------------------------------------------------------------------------------------------ #
# Who may post (issue 17, finding 8) and hostile bodies (finding 11)
# ------------------------------------------------------------------------------------------------ #

TOKEN = "rest-token-" + "0123456789abcdef" * 3
PORTAL = "https://dichvucong.example.gov.vn"


def channel_for(environ: dict[str, str], ip_per_minute: int = 0) -> RestInput:
    """The channel with the settings `from_credentials` reads in the environment `environ`."""
    limiter = RateLimiter(
        LimitSettings(sender_per_minute=0, ip_per_minute=ip_per_minute), clock=FrozenClock()
    )
    return RestInput(max_body_bytes=4096, limiter=limiter, settings=RestSettings.from_env(environ))


def test_json_nested_thousands_deep_is_a_400_not_a_traceback() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        for body in ('{"sender": "khach-20", "message": ' + "[" * 5000 + "]" * 5000 + "}", "[" * 5000):
            status, _, data = await request(
                "POST", "/webhook", data=body.encode(), headers={"Content-Type": "application/json"}
            )
            assert (status, data["error"]) == (400, "bad_request")
        # 32 levels are still read as JSON (the message is then not a string: refused as empty).
        nested = {"sender": "khach-20", "message": json.loads("[" * 31 + "]" * 31)}
        status, _, data = await request("POST", "/webhook", json=nested)
        assert (status, data["error"]) == (400, "empty_message")
        assert agent.received == []

    # The default MAX_BODY_BYTES (16 KB) holds 5,000 levels.
    run_channel(test, channel=RestInput(max_body_bytes=16384, limiter=RateLimiter(LimitSettings(0, 0))))


def test_local_profile_refuses_posts_from_foreign_browser_pages() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        body = {"sender": "khach-21", "message": "chào"}
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            status, response_headers, data = await request("POST", "/webhook", json=body, headers=headers)
            assert (status, data["error"]) == (403, "origin_not_allowed"), headers
            assert "Access-Control-Allow-Origin" not in response_headers
        assert agent.received == []
        # The widget's own pages, servers and curl (no Origin) are served as before.
        assert (await request("POST", "/webhook", json=body, headers={"Origin": PORTAL}))[0] == 200
        assert (await request("POST", "/webhook", json=body))[0] == 200
        assert len(agent.received) == 2

    run_channel(test, channel=channel_for({"PROFILE": "local", "WEB_ALLOWED_ORIGINS": PORTAL}))


def test_production_profile_keeps_the_channel_off_unless_enabled() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        assert (await request("GET", "/"))[0] == 404
        status, _, data = await post(request, "khach-22", "chào")
        assert (status, data["error"]) == (404, "not_found")
        status, _, _ = await request(
            "POST", "/webhook", json={"sender": "khach-22", "message": "chào"}, headers={"Authorization": "x"}
        )
        assert status == 404 and agent.received == []

    run_channel(test, channel=channel_for({"PROFILE": "prod"}))


def test_production_profile_needs_the_token_and_refuses_every_browser() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        body = {"sender": "khach-23", "message": "chào"}
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": TOKEN},
            {"Authorization": "Basic x"},
        ):
            status, response_headers, data = await request("POST", "/webhook", json=body, headers=headers)
            assert (status, data["error"]) == (401, "unauthorized"), headers
            assert response_headers["WWW-Authenticate"] == "Bearer"
        # Even with the token: no browser page, not even the widget's own (it has its channel).
        for browser in (
            {"Origin": PORTAL},
            {"Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "same-origin"},
        ):
            status, _, data = await request("POST", "/webhook", json=body, headers={**bearer, **browser})
            assert (status, data["error"]) == (403, "origin_not_allowed"), browser
        assert agent.received == []
        status, _, data = await request("POST", "/webhook", json=body, headers=bearer)
        assert status == 200 and data[1]["text"] == "Bạn hỏi: chào"
        assert (await request("GET", "/"))[2] == {"status": "ok"}

    environ = {"PROFILE": "prod", "REST_CHANNEL_ENABLED": "true", "REST_CHANNEL_TOKEN": TOKEN}
    run_channel(test, channel=channel_for(environ))


def test_an_address_that_keeps_guessing_the_token_is_slowed_down() -> None:
    async def test(request: Request, agent: StandInAgent) -> None:
        body = {"sender": "khach-24", "message": "chào"}
        wrong = {"Authorization": "Bearer guess"}
        assert [(await request("POST", "/webhook", json=body, headers=wrong))[0] for _ in range(3)] == [
            401,
            401,
            429,
        ]

    environ = {"PROFILE": "prod", "REST_CHANNEL_ENABLED": "true", "REST_CHANNEL_TOKEN": TOKEN}
    run_channel(test, channel=channel_for(environ, ip_per_minute=2))


def test_rest_settings_by_profile() -> None:
    local = RestSettings.from_env({})
    assert (local.enabled, local.token, local.allowed_origins) == (True, "", frozenset(DEFAULT_ORIGINS))
    assert RestSettings.from_env({"PROFILE": "local", "REST_CHANNEL_ENABLED": "false"}).enabled is False
    # A token set in the local profile is required there too.
    assert RestSettings.from_env({"REST_CHANNEL_TOKEN": "short"}).token == "short"
    prod = RestSettings.from_env({"PROFILE": "prod", "REST_CHANNEL_TOKEN": TOKEN})
    assert (prod.enabled, prod.allowed_origins) == (False, None)
    enabled = RestSettings.from_env(
        {"PROFILE": "prod", "REST_CHANNEL_ENABLED": "1", "REST_CHANNEL_TOKEN": TOKEN}
    )
    assert (enabled.enabled, enabled.token) == (True, TOKEN)
    # Enabled in production without a strong token: the server must not start.
    for token in ("", "short", "changeme"):
        with pytest.raises(RasaException, match="REST_CHANNEL_TOKEN"):
            RestSettings.from_env(
                {"PROFILE": "prod", "REST_CHANNEL_ENABLED": "true", "REST_CHANNEL_TOKEN": token}
            )
    with pytest.raises(RasaException, match="REST_CHANNEL_ENABLED"):
        RestSettings.from_env({"REST_CHANNEL_ENABLED": "maybe"})


def test_from_credentials_reads_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILE", "prod")
    monkeypatch.delenv("REST_CHANNEL_ENABLED", raising=False)
    assert RestInput.from_credentials(None).settings.enabled is False  # type: ignore[attr-defined]
    monkeypatch.setenv("REST_CHANNEL_ENABLED", "true")
    monkeypatch.delenv("REST_CHANNEL_TOKEN", raising=False)
    with pytest.raises(RasaException):
        RestInput.from_credentials(None)
