"""Unit tests of the Zalo OA channel (Rasa environment): signature, events, output, tokens, refresh.

The connector talks real HTTP to the fake Zalo API on loopback (`tests/channels/fake_zalo.py`);
Rasa itself is replaced by a function that records the messages it would get (the end-to-end tests
in `tests/channels/test_zalo.py` use the real Rasa server).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from connectors import common
from connectors.zalo import (
    DEFAULT_MAX_SKEW_SECONDS,
    FOLLOW_MESSAGE,
    MAX_TEXT_CHARS,
    Delivery,
    ZaloEvent,
    ZaloInput,
    ZaloOutput,
    ZaloSettings,
    button_template,
    expected_signature,
    parse_event,
    signature_valid,
    split_text,
)
from connectors.zalo_api import ZaloClient, ZaloRefreshError
from connectors.zalo_tokens import TokenPair, TokenStore
from tests.channels.fake_zalo import (
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    FakeZalo,
    click_event,
    follow_event,
    image_event,
    sign,
    signed,
    text_event,
)

RATING_BUTTONS = [
    {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
]


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


def make_client(fake: FakeZalo, token_file: Path, pair: tuple[str, str] | None = None) -> ZaloClient:
    access, refresh = pair or fake.pair()
    store = TokenStore(token_file, TokenPair(access, refresh))
    return ZaloClient(
        tokens=store,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        api_base_url=fake.base_url,
        oauth_base_url=fake.base_url,
        timeout=5,
    )


def make_channel(
    fake: FakeZalo,
    token_file: Path,
    *,
    app_id: str = APP_ID,
    oa_secret_key: str = OA_SECRET_KEY,
    max_skew_seconds: int = DEFAULT_MAX_SKEW_SECONDS,
    clock: Callable[[], float] = time.time,
) -> ZaloInput:
    settings = ZaloSettings(
        app_id=app_id,
        oa_secret_key=oa_secret_key,
        retry_delays=(0.05, 0.1, 0.2),
        max_skew_seconds=max_skew_seconds,
    )
    return ZaloInput(settings, make_client(fake, token_file), clock=clock)


class FakeRasa:
    """Records the messages Rasa would get; answers each with a text ("đã nhận") and buttons."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_with_buttons(message.sender_id, "đã nhận", RATING_BUTTONS)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


class WebhookRequest:
    """What the webhook reads of a Sanic request: headers, an already-read body, the client address."""

    def __init__(self, body: bytes, headers: dict[str, Any]) -> None:
        self.body, self.headers, self.stream = body, headers, None
        self.remote_addr, self.ip = "", "127.0.0.1"


async def post(channel: ZaloInput, event: dict[str, Any] | bytes, rasa: Callable[..., Any], **kw: Any) -> int:
    """Post one webhook request to the channel (all the webhook's steps); return the HTTP status."""
    if isinstance(event, bytes):
        raw, headers = event, {"X-ZEvent-Signature": kw.pop("signature", None)}
    else:
        raw, headers = signed(event, kw.pop("key", OA_SECRET_KEY))
    signature = kw.pop("signature", headers.get("X-ZEvent-Signature"))
    request = WebhookRequest(raw, {"X-ZEvent-Signature": signature})
    result = await channel.handle_webhook(request, rasa)  # type: ignore[arg-type]
    return int(result.status)


async def settle(channel: ZaloInput) -> None:
    """Let the background work (Rasa jobs, then deliveries) finish."""
    await channel.queues.drain()
    await channel.delivery.drain()
    await channel.client.close()


# --- signature --------------------------------------------------------------------------------------


def test_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret() -> None:
    raw = json.dumps(text_event("8123", "làm căn cước cần giấy tờ gì")).encode()
    assert "mac=" + expected_signature(APP_ID, raw, "1700000000000", OA_SECRET_KEY) == sign(
        APP_ID, raw, "1700000000000", OA_SECRET_KEY
    )


def test_signature_checks() -> None:
    event = text_event("8123", "xin chào")
    raw, headers = signed(event)
    good = headers["X-ZEvent-Signature"]
    ts = event["timestamp"]
    check = {"app_id": APP_ID, "raw_body": raw, "timestamp": ts, "oa_secret_key": OA_SECRET_KEY}
    assert signature_valid(good, **check)
    assert signature_valid(good.upper().replace("MAC=", "mac="), **check)
    assert not signature_valid(None, **check)
    assert not signature_valid("", **check)
    assert not signature_valid(good[4:], **check)  # without "mac="
    assert not signature_valid(good, **{**check, "oa_secret_key": "other"})
    assert not signature_valid(good, **{**check, "app_id": "42"})
    assert not signature_valid(good, **{**check, "timestamp": "1"})
    assert not signature_valid(good, **{**check, "raw_body": raw.replace(b"xin", b"XIN")})
    assert not signature_valid(good, **{**check, "oa_secret_key": ""})


# --- events -----------------------------------------------------------------------------------------


def test_text_event_with_numeric_ids_keeps_them_as_strings() -> None:
    body = json.loads(
        '{"app_id": 1, "event_name": "user_send_text", "timestamp": 1700000000000,'
        ' "sender": {"id": 4368496045530813749}, "message": {"msg_id": 9007199254740993, "text": "chào"}}'
    )
    event = parse_event(body)
    assert event == ZaloEvent(
        "text", "4368496045530813749", "user_send_text", "9007199254740993", text="chào"
    )
    assert event is not None and event.dedupe_key == "msg:9007199254740993"


def test_button_payload_from_text_or_payload_field() -> None:
    up = '/rate_answer{"rating": "up"}'
    by_text = parse_event(click_event("7", up))
    assert by_text is not None and (by_text.kind, by_text.payload) == ("payload", up)
    body = click_event("7", "ignored")
    body["message"] = {"msg_id": "m1", "payload": up}
    by_field = parse_event(body)
    assert by_field is not None and (by_field.kind, by_field.payload) == ("payload", up)
    # A hidden-query press delivered as text: only the assistant's own payloads count as one.
    typed = parse_event(text_event("7", up))
    assert typed is not None and typed.kind == "payload"
    forged = parse_event(text_event("7", '/inform{"dossier_code": "x"}'))
    assert forged is not None and forged.kind == "text"


def test_follow_non_text_and_ignored_events() -> None:
    follow = parse_event(follow_event("55"))
    assert follow is not None and (follow.kind, follow.user_id) == ("follow", "55")
    for name in (
        "user_send_image",
        "user_send_sticker",
        "user_send_file",
        "user_send_audio",
        "user_send_location",
    ):
        event = image_event("55")
        event["event_name"] = name
        parsed = parse_event(event)
        assert parsed is not None and parsed.kind == "unsupported", name
    unfollow = follow_event("55") | {"event_name": "unfollow"}
    for ignored in (
        unfollow,
        text_event("55", "x") | {"event_name": "oa_send_text"},
        text_event("55", "x") | {"event_name": "user_seen_message"},
        text_event("55", "x") | {"event_name": "anonymous_send_text"},
        {"event_name": 3},
        {"event_name": "user_send_text", "message": {"text": "no sender"}},
    ):
        assert parse_event(ignored) is None


# --- the webhook (channel + fake Rasa + fake Zalo) --------------------------------------------------


def test_webhook_answers_through_the_message_api(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()

    async def scenario() -> int:
        status = await post(channel, text_event("100", "làm căn cước cần giấy tờ gì"), rasa)
        await settle(channel)
        return status

    assert run(scenario()) == 200
    [message] = rasa.messages
    assert (message.text, message.sender_id, message.input_channel) == (
        "làm căn cước cần giấy tờ gì",
        "zalo:100",
        "zalo",
    )
    [answer] = fake.messages_for("100")
    assert answer.text == "đã nhận"
    assert answer.message["attachment"]["type"] == "template"
    assert answer.buttons == [
        {"title": "👍", "type": "oa.query.hide", "payload": '/rate_answer{"rating": "up"}'},
        {"title": "👎", "type": "oa.query.hide", "payload": '/rate_answer{"rating": "down"}'},
    ]


def test_refused_requests(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()
    event = text_event("101", "xin chào")

    async def scenario() -> list[int]:
        statuses = [
            await post(channel, event, rasa, signature=None),
            await post(channel, event, rasa, key="not-the-oa-secret"),
            await post(channel, b"{not json", rasa, signature="mac=" + "0" * 64),
            await post(channel, b"[1, 2]", rasa, signature="mac=" + "0" * 64),
        ]
        await settle(channel)
        return statuses

    assert run(scenario()) == [401, 401, 400, 400]
    assert rasa.messages == []
    assert fake.messages_for("101") == []


def test_duplicate_msg_id_is_processed_once(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()
    event = text_event("102", "đăng ký khai sinh", msg_id="dup-1")

    async def scenario() -> list[int]:
        statuses = [await post(channel, event, rasa) for _ in range(3)]
        await settle(channel)
        return statuses

    assert run(scenario()) == [200, 200, 200]
    assert [m.text for m in rasa.messages] == ["đăng ký khai sinh"]
    assert len(fake.messages_for("102")) == 1


def at(event: dict[str, Any], seconds: float) -> dict[str, Any]:
    """`event` with its timestamp (ms, as Zalo sends it) set to `seconds` since the epoch."""
    return event | {"timestamp": str(int(seconds * 1000))}


def test_signed_events_from_long_ago_or_ahead_are_acknowledged_but_not_processed(
    fake: FakeZalo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="connectors.zalo")
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()
    now = time.time()
    replays = [
        at(text_event("120", "sự kiện năm 2017"), 1_500_000_000),  # July 2017, correctly signed
        at(text_event("120", "sự kiện tương lai"), now + 3600),
        text_event("120", "không đọc được giờ") | {"timestamp": "hôm qua"},
        at(follow_event("120"), 1_500_000_000),
    ]

    async def scenario() -> list[int]:
        statuses = [await post(channel, event, rasa) for event in replays]
        statuses.append(await post(channel, text_event("120", "câu hỏi hôm nay"), rasa))
        await settle(channel)
        return statuses

    # 200: Zalo would re-send a refused event for hours, each copy as old as the first.
    assert run(scenario()) == [200] * 5
    assert [m.text for m in rasa.messages] == ["câu hỏi hôm nay"]
    assert [d.text for d in fake.messages_for("120")] == ["đã nhận"]
    warnings = [r.getMessage() for r in caplog.records if "not processed" in r.getMessage()]
    assert len(warnings) == 4 and not any("2017" in w or "hôm" in w for w in warnings)


def test_the_replay_window_is_the_setting_on_either_side(fake: FakeZalo, tmp_path: Path) -> None:
    now = 1_800_000_000.0
    channel = make_channel(fake, tmp_path / "t.json", max_skew_seconds=60, clock=lambda: now)
    rasa = FakeRasa()

    async def scenario() -> None:
        for offset in (-61, -59, 0, 59, 61):
            await post(channel, at(text_event("121", f"lệch {offset}"), now + offset), rasa)
        await settle(channel)

    run(scenario())
    assert [m.text for m in rasa.messages] == ["lệch -59", "lệch 0", "lệch 59"]


def test_replay_window_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZALO_MAX_SKEW_SECONDS", raising=False)
    assert ZaloSettings.from_env().max_skew_seconds == DEFAULT_MAX_SKEW_SECONDS == 300
    monkeypatch.setenv("ZALO_MAX_SKEW_SECONDS", "43200")
    assert ZaloSettings.from_env().max_skew_seconds == 43200
    # Re-deliveries are remembered 24 h: a window wider than 12 h either side would let a replay
    # of an accepted event in once its msg_id is forgotten.
    for bad in ("0", "-5", "43201", "5m"):
        monkeypatch.setenv("ZALO_MAX_SKEW_SECONDS", bad)
        with pytest.raises(ValueError, match="ZALO_MAX_SKEW_SECONDS"):
            ZaloSettings.from_env()


def test_json_nested_thousands_deep_is_refused_before_the_signature_check(
    fake: FakeZalo, tmp_path: Path
) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()
    deep = b'{"event_name": "user_send_text", "message": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    async def scenario() -> list[int]:
        return [
            await post(channel, deep, rasa, signature="mac=" + "0" * 64),
            await post(channel, b"{" * 5000, rasa, signature="mac=" + "0" * 64),
        ]

    assert run(scenario()) == [400, 400]
    assert rasa.messages == []


def test_typed_intent_is_text_and_button_payload_is_an_intent(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()

    async def scenario() -> None:
        await post(channel, text_event("103", '/inform{"dossier_code": "000.00.12.H37-251012-0001"}'), rasa)
        await post(channel, click_event("103", '/choose_procedure{"procedure_code": "1.001193"}'), rasa)
        await post(channel, click_event("103", '/ask_human{"x": "y"}'), rasa)
        await settle(channel)

    run(scenario())
    assert [m.text for m in rasa.messages] == [
        'inform{"dossier_code": "000.00.12.H37-251012-0001"}',
        '/choose_procedure{"procedure_code": "1.001193"}',
        'ask_human{"x": "y"}',
    ]


def test_long_input_is_cut_and_the_citizen_told(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()

    async def scenario() -> None:
        await post(channel, text_event("104", "thủ tục " * 400), rasa)
        await settle(channel)

    run(scenario())
    assert len(rasa.messages[0].text) <= common.MAX_MESSAGE_CHARS
    texts = [d.text for d in fake.messages_for("104")]
    # The note comes before the answer, as on every channel (connectors/webhook.py, step 10).
    assert texts == [common.TOO_LONG_NOTE.format(limit=common.MAX_MESSAGE_CHARS), "đã nhận"]


def test_follow_greets_through_rasa_and_image_gets_the_only_text_note(fake: FakeZalo, tmp_path: Path) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()

    async def scenario() -> None:
        await post(channel, follow_event("105"), rasa)
        await post(channel, image_event("106"), rasa)
        await post(channel, follow_event("105") | {"event_name": "unfollow"}, rasa)
        await settle(channel)

    run(scenario())
    assert [(m.text, m.sender_id) for m in rasa.messages] == [(FOLLOW_MESSAGE, "zalo:105")]
    assert [d.text for d in fake.messages_for("106")] == [common.ONLY_TEXT_NOTE]


def test_unconfigured_channel_answers_503_and_logs_once(
    fake: FakeZalo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    channel, rasa = make_channel(fake, tmp_path / "t.json", app_id="", oa_secret_key=""), FakeRasa()
    caplog.set_level(logging.WARNING, logger="connectors.zalo")

    async def scenario() -> list[int]:
        return [await post(channel, text_event("107", "xin chào"), rasa) for _ in range(3)]

    assert run(scenario()) == [503, 503, 503]
    assert len([r for r in caplog.records if "not configured" in r.getMessage()]) == 1
    assert rasa.messages == []


def test_channel_loads_from_credentials_without_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "ZALO_APP_ID",
        "ZALO_OA_SECRET_KEY",
        "ZALO_APP_SECRET",
        "ZALO_ACCESS_TOKEN",
        "ZALO_REFRESH_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZALO_TOKEN_FILE", str(tmp_path / "none.json"))
    channel = ZaloInput.from_credentials({"greet_on_follow": False})
    assert isinstance(channel, ZaloInput)
    assert channel.name() == "zalo"
    assert channel.settings.greet_on_follow is False
    assert channel.missing_settings() == [
        "ZALO_APP_ID",
        "ZALO_OA_SECRET_KEY",
        "ZALO_ACCESS_TOKEN (or the token file)",
    ]


def test_logs_never_hold_tokens_or_secrets(
    fake: FakeZalo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel, rasa = make_channel(fake, tmp_path / "t.json"), FakeRasa()
    old_access, old_refresh = fake.pair()
    fake.expire_access_token()

    async def scenario() -> None:
        await post(channel, text_event("108", "số CCCD của tôi là 001099012345"), rasa)
        await settle(channel)

    run(scenario())
    new_access, new_refresh = fake.pair()
    assert fake.refreshes == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (
        old_access,
        old_refresh,
        new_access,
        new_refresh,
        APP_SECRET,
        OA_SECRET_KEY,
        "001099012345",
    ):
        assert secret not in logged


# --- output -----------------------------------------------------------------------------------------


def test_split_text_keeps_everything_within_the_limit() -> None:
    paragraph = "Giấy tờ cần chuẩn bị: " + "bản sao giấy khai sinh, " * 30
    text = "\n\n".join([paragraph] * 12) + "\n" + "x" * 4500
    parts = split_text(text)
    assert all(0 < len(p) <= MAX_TEXT_CHARS for p in parts)
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())
    assert split_text("ngắn") == ["ngắn"]
    assert split_text("   ") == []


def test_button_template_shapes() -> None:
    template = button_template(
        [
            {"title": "Cổng DVC", "payload": "https://dichvucong.gov.vn/p/home.html"},
            {"title": "Mở", "url": "http://example.org/a", "payload": "/x"},
            {"title": "Xấu", "payload": "javascript:alert(1)"},
            {"title": "", "payload": "/rate_answer"},
            {"title": "T" * 300, "payload": '/choose_procedure{"procedure_code": "1.001193"}'},
        ]
    )
    assert template is not None and template["type"] == "template"
    buttons = template["payload"]["buttons"]
    assert buttons[0] == {
        "title": "Cổng DVC",
        "type": "oa.open.url",
        "payload": {"url": "https://dichvucong.gov.vn/p/home.html"},
    }
    assert buttons[1] == {"title": "Mở", "type": "oa.open.url", "payload": {"url": "http://example.org/a"}}
    assert buttons[2] == {"title": "Xấu", "type": "oa.query.hide", "payload": "javascript:alert(1)"}
    assert len(buttons) == 4 and len(buttons[3]["title"]) <= 100
    assert button_template([{"title": "", "payload": ""}]) is None


def test_five_buttons_at_most_keeping_the_ratings() -> None:
    more = [{"title": f"Nút {n}", "payload": "/ask_steps"} for n in range(6)]
    ratings = [
        {"title": "👍", "payload": '/rate_answer{"rating": "up"}'},
        {"title": "👎", "payload": '/rate_answer{"rating": "down"}'},
    ]
    template = button_template([*more, *ratings])
    assert template is not None
    titles = [b["title"] for b in template["payload"]["buttons"]]
    assert titles == ["Nút 0", "Nút 1", "Nút 2", "👍", "👎"]


def test_long_answer_with_buttons_and_custom_json(fake: FakeZalo, tmp_path: Path) -> None:
    client = make_client(fake, tmp_path / "t.json")
    delivery = Delivery(client, (0.05,))
    output = ZaloOutput(delivery)
    answer = "\n".join(f"{i}. Tờ khai đăng ký khai sinh theo mẫu, bản chính" for i in range(120))

    async def scenario() -> None:
        await output.send_response(
            "zalo:200",
            {
                "text": answer,
                "buttons": RATING_BUTTONS,
                "custom": {"type": "procedure_answer", "card": {"title": "x"}},
            },
        )
        await delivery.drain()
        await client.close()

    run(scenario())
    delivered = fake.messages_for("200")
    assert fake.refused == []
    assert len(delivered) >= 3 and all(len(d.text) <= MAX_TEXT_CHARS for d in delivered)
    assert "\n".join(d.text for d in delivered) == answer
    assert [bool(d.buttons) for d in delivered] == [False] * (len(delivered) - 1) + [True]
    assert not any("procedure_answer" in d.text or "{" in d.text for d in delivered)


# --- tokens -----------------------------------------------------------------------------------------


def test_token_store_prefers_the_file_and_writes_it_atomically_0600(tmp_path: Path) -> None:
    path = tmp_path / "var" / "zalo_tokens.json"
    env = {
        "ZALO_ACCESS_TOKEN": "env-access",
        "ZALO_REFRESH_TOKEN": "env-refresh",
        "ZALO_TOKEN_FILE": str(path),
    }
    store = TokenStore.from_env(env)
    assert store.current == TokenPair("env-access", "env-refresh")
    store.save(TokenPair("file-access", "file-refresh", expires_in=90000))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["zalo_tokens.json"]  # no temporary file left
    assert json.loads(path.read_text())["refresh_token"] == "file-refresh"
    again = TokenStore.from_env(env)
    assert again.current is not None and again.current.access_token == "file-access"
    assert "access" not in repr(again.current) and "refresh-" not in repr(again.current)


def test_token_store_survives_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "zalo_tokens.json"
    path.write_text("{half")
    store = TokenStore(path, TokenPair("env-access", "env-refresh"))
    assert store.current == TokenPair("env-access", "env-refresh")
    assert TokenStore(tmp_path / "missing.json").current is None


# --- refresh ----------------------------------------------------------------------------------------


def test_expired_token_is_refreshed_once_persisted_and_the_message_sent(
    fake: FakeZalo, tmp_path: Path
) -> None:
    token_file = tmp_path / "tokens.json"
    client = make_client(fake, token_file)
    fake.expire_access_token()

    async def scenario() -> str:
        try:
            return await client.send_message("300", {"text": "xin chào"})
        finally:
            await client.close()

    assert run(scenario())
    assert fake.refreshes == 1 and client.refresh_count == 1
    access, refresh = fake.pair()
    saved = json.loads(token_file.read_text())
    assert (saved["access_token"], saved["refresh_token"]) == (access, refresh)
    assert [d.text for d in fake.messages_for("300")] == ["xin chào"]


def test_concurrent_sends_after_expiry_cause_exactly_one_refresh(fake: FakeZalo, tmp_path: Path) -> None:
    client = make_client(fake, tmp_path / "tokens.json")
    fake.expire_access_token()
    fake.refresh_delay = 0.3  # the refresh is in flight while the other senders meet -216
    users = [str(400 + i) for i in range(8)]

    async def scenario() -> list[str]:
        try:
            return await asyncio.gather(*(client.send_message(u, {"text": f"tin {u}"}) for u in users))
        finally:
            await client.close()

    assert all(run(scenario()))
    assert fake.expired_answers == len(users)  # they really overlapped
    assert fake.refreshes == 1 and fake.refused_refreshes == 0
    assert sorted(d.user_id for d in fake.delivered) == users


def test_a_refresh_done_by_another_process_is_reused(fake: FakeZalo, tmp_path: Path) -> None:
    token_file = tmp_path / "tokens.json"
    client = make_client(fake, token_file)
    stale = client.tokens.current
    assert stale is not None
    fake.expire_access_token()
    # Another process refreshed and saved the new pair to the shared file.
    other = make_client(fake, token_file, pair=(stale.access_token, stale.refresh_token))

    async def scenario() -> None:
        try:
            await other.refresh(stale_access_token=stale.access_token)
            await client.send_message("500", {"text": "xin chào"})
        finally:
            await other.close()
            await client.close()

    run(scenario())
    assert fake.refreshes == 1 and fake.refused_refreshes == 0
    assert len(fake.messages_for("500")) == 1


def test_refused_refresh_raises_a_typed_error(fake: FakeZalo, tmp_path: Path) -> None:
    client = make_client(fake, tmp_path / "tokens.json", pair=("old", "used-refresh-token"))

    async def scenario() -> None:
        try:
            await client.send_message("600", {"text": "xin chào"})
        finally:
            await client.close()

    with pytest.raises(ZaloRefreshError):
        run(scenario())
    assert fake.delivered == [] and not (tmp_path / "tokens.json").exists()


# --- Zalo down --------------------------------------------------------------------------------------


def test_delivery_retries_while_zalo_fails(fake: FakeZalo, tmp_path: Path) -> None:
    client = make_client(fake, tmp_path / "tokens.json")
    delivery = Delivery(client, (0.05, 0.1, 0.2, 0.4))
    fake.fail_next(3)

    async def scenario() -> bool:
        try:
            return await delivery.deliver("700", {"text": "trả lời"})
        finally:
            await client.close()

    assert run(scenario())
    assert fake.failed_answers == 3
    assert [d.text for d in fake.messages_for("700")] == ["trả lời"]


def test_delivery_waits_for_zalo_to_come_back(fake: FakeZalo, tmp_path: Path) -> None:
    client = make_client(fake, tmp_path / "tokens.json")
    delivery = Delivery(client, (0.2, 0.4, 0.8, 1.6, 3.2))
    fake.go_down()
    timer = threading.Timer(1.0, fake.come_up)

    async def scenario() -> bool:
        timer.start()
        try:
            return await delivery.deliver("701", {"text": "trả lời"})
        finally:
            await client.close()

    try:
        assert run(scenario())
    finally:
        timer.join()
    assert [d.text for d in fake.messages_for("701")] == ["trả lời"]


def test_delivery_gives_up_after_the_last_attempt(
    fake: FakeZalo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(fake, tmp_path / "tokens.json")
    delivery = Delivery(client, (0.01, 0.01))
    fake.fail_next(10)
    caplog.set_level(logging.WARNING, logger="connectors.zalo")

    async def scenario() -> bool:
        try:
            return await delivery.deliver("702", {"text": "trả lời"})
        finally:
            await client.close()

    assert run(scenario()) is False
    assert fake.failed_answers == 3
    assert any("given up after 3 attempts" in r.getMessage() for r in caplog.records)


def test_replicas_sharing_redis_refresh_the_pair_once(fake: FakeZalo, tmp_path: Path) -> None:
    """Two replicas (own token files) see the token expire at once: one refresh, both get the new pair."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis tests run in CI)")
    import redis

    server = redis.Redis.from_url(url)
    server.delete("tthc:zalo:tokens", "tthc:zalo:refresh-lock")
    pair = fake.pair()
    first, second = (
        ZaloClient(
            tokens=TokenStore(tmp_path / name, TokenPair(*pair)),
            app_id=APP_ID,
            app_secret=APP_SECRET,
            api_base_url=fake.base_url,
            oauth_base_url=fake.base_url,
            timeout=5,
            redis_url=url,
        )
        for name in ("a.json", "b.json")
    )

    async def both() -> tuple[TokenPair, TokenPair]:
        try:
            return tuple(await asyncio.gather(first.refresh(pair[0]), second.refresh(pair[0])))  # type: ignore[return-value]
        finally:
            await first.close()
            await second.close()

    new_first, new_second = asyncio.run(both())
    assert fake.refreshes == 1
    assert new_first.access_token == new_second.access_token != pair[0]
    assert json.loads((tmp_path / "b.json").read_text())["refresh_token"] == new_second.refresh_token
    server.delete("tthc:zalo:tokens")
