"""The app's Rasa API client signs a short-lived HS256 JWT for every request (app.rasa_client).

Tokens are checked by hand (RFC 7519 / 7515) and by a fake Rasa server on loopback that accepts only
valid, unexpired admin tokens; the real Rasa server's verdicts: tests/channels/test_guards.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from app.rasa_client import (
    JWT_LIFETIME_SECONDS,
    RasaClient,
    RasaClientError,
    get_rasa_client,
    make_jwt,
)
from knowledge_base import settings
from tests.staff.fake_rasa import FakeRasa, fake_rasa

SECRET = "s" * 40


def _part(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_the_token_is_hs256_with_the_admin_user_and_a_one_minute_expiry() -> None:
    token = make_jwt(SECRET, now=1_800_000_000)
    header, payload, signature = token.split(".")
    assert _part(header) == {"alg": "HS256", "typ": "JWT"}
    assert _part(payload) == {
        "user": {"username": "tthc-staff-app", "role": "admin"},
        "exp": 1_800_000_000 + JWT_LIFETIME_SECONDS,
    }
    expected = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == signature
    assert "=" not in token  # base64url without padding, as JWS requires
    assert make_jwt("another secret " * 3, now=1_800_000_000).split(".")[2] != signature


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa() as fake:
        yield fake


def test_requests_carry_a_fresh_bearer_token_and_no_token_parameter(rasa: FakeRasa) -> None:
    client = RasaClient(rasa.url, rasa.token)
    assert client.send_staff_reply("web-abc", "Chào bạn")[0]["text"] == "Chào bạn"
    client.conversation_messages("web-abc")
    for request in rasa.requests:
        assert "token" not in request["query"]
        assert request["jwt"]["user"] == {"username": "tthc-staff-app", "role": "admin"}
        assert time.time() < request["jwt"]["exp"] <= time.time() + JWT_LIFETIME_SECONDS + 1


def test_the_officer_sees_a_question_answered_again_after_a_handoff_once(rasa: FakeRasa) -> None:
    asked = {"event": "user", "text": "lệ phí làm hộ chiếu bao nhiêu", "timestamp": 1.0, "metadata": {}}
    rasa.events = [
        asked,
        {"event": "action", "name": "action_handoff_wait", "timestamp": 2.0},
        {"event": "bot", "text": "Cán bộ đang hỗ trợ bạn.", "timestamp": 2.0},
        {"event": "action", "name": "action_handoff_released", "timestamp": 3.0},
        {"event": "bot", "text": "Trợ lý đã quay lại.", "timestamp": 3.0},
        # What action_handoff_released puts back so that the assistant answers it.
        {**asked, "timestamp": 3.0, "metadata": {"replayed": True}},
        {"event": "bot", "text": "Lệ phí: 200.000 đồng.", "timestamp": 4.0},
    ]
    messages = RasaClient(rasa.url, rasa.token).conversation_messages("web-abc")
    assert [(m.sender, m.text) for m in messages] == [
        ("user", "lệ phí làm hộ chiếu bao nhiêu"),
        ("bot", "Cán bộ đang hỗ trợ bạn."),
        ("bot", "Trợ lý đã quay lại."),
        ("bot", "Lệ phí: 200.000 đồng."),
    ]


@pytest.mark.parametrize(
    "client_of",
    [
        lambda fake: RasaClient(fake.url, "not-the-secret-" + "x" * 30),
        lambda fake: RasaClient(fake.url, ""),
        # A clock two hours behind signs tokens that are already expired.
        lambda fake: RasaClient(fake.url, fake.token, clock=lambda: time.time() - 7200),
    ],
)
def test_a_refused_token_is_a_typed_error(rasa: FakeRasa, client_of: Any) -> None:
    with pytest.raises(RasaClientError) as raised:
        client_of(rasa).send_staff_reply("web-abc", "Chào bạn")
    assert raised.value.status == 401


def test_the_secret_comes_from_rasa_jwt_secret_or_its_deprecated_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RASA_JWT_SECRET", raising=False)
    monkeypatch.setenv("RASA_API_TOKEN", "old-name-" + "o" * 32)
    assert settings.Settings().rasa_jwt_secret == "old-name-" + "o" * 32
    monkeypatch.setenv("RASA_JWT_SECRET", SECRET)
    assert settings.Settings().rasa_jwt_secret == SECRET
    settings.get_settings.cache_clear()
    try:
        assert get_rasa_client()._secret == SECRET
    finally:
        settings.get_settings.cache_clear()


def test_production_refuses_a_short_secret_without_repeating_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILE", "prod")
    monkeypatch.setenv("RASA_JWT_SECRET", "short-secret")
    with pytest.raises(ValidationError) as raised:
        settings.Settings()
    assert "at least 32 characters" in str(raised.value) and "short-secret" not in str(raised.value)
    monkeypatch.setenv("PROFILE", "local")
    assert settings.Settings().rasa_jwt_secret == "short-secret"  # a laptop may use anything
