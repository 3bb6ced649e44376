"""The REST channel in the production profile (issue 17, finding 8), on the real Rasa server.

In ``PROFILE=prod`` citizens' browsers use the widget channel; the REST channel, which trusts the
``sender`` it is given, is off unless ``REST_CHANNEL_ENABLED=true``, then answers only requests
carrying ``Authorization: Bearer $REST_CHANNEL_TOKEN`` and never a browser's. Everything is asserted
on what a client receives and on what the tracker store (PostgreSQL) holds.
"""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path

import httpx
import pytest

from tests.production.conftest import prod_env, stored_events
from tests.servers import start_stack

pytestmark = pytest.mark.postgres

QUESTION = "Đăng ký khai sinh cần những giấy tờ gì?"


def _post(url: str, sender: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": QUESTION},
        headers=headers or {},
        timeout=60,
    )


def test_the_rest_channel_is_off_unless_enabled(prod_database: str, redis_url: str, tmp_path: Path) -> None:
    # REST_CHANNEL_ENABLED empty is unset (start_stack would otherwise enable it for its own use).
    env = prod_env(redis_url, REST_CHANNEL_ENABLED="", REST_CHANNEL_TOKEN=secrets.token_hex(32))
    with start_stack(prod_database, tmp_path, extra_env=env) as stack:
        url, sender = stack.rasa_urls[0], f"rest-off-{uuid.uuid4().hex[:8]}"
        assert httpx.get(f"{url}/webhooks/rest/", timeout=30).status_code == 404
        answer = _post(url, sender, {"Authorization": f"Bearer {env['REST_CHANNEL_TOKEN']}"})
        assert (answer.status_code, answer.json()["error"]) == (404, "not_found")
        # The widget channel, the browser's way in, is on.
        assert httpx.post(f"{url}/webhooks/web/session", json={}, timeout=30).status_code == 201
    assert stored_events(prod_database, sender) == []


def test_enabled_it_needs_the_token_and_refuses_browsers(
    prod_database: str, redis_url: str, tmp_path: Path
) -> None:
    token = secrets.token_hex(32)
    env = prod_env(redis_url, REST_CHANNEL_ENABLED="true", REST_CHANNEL_TOKEN=token)
    bearer = {"Authorization": f"Bearer {token}"}
    with start_stack(prod_database, tmp_path, extra_env=env) as stack:
        url, sender = stack.rasa_urls[0], f"rest-token-{uuid.uuid4().hex[:8]}"
        for headers in ({}, {"Authorization": "Bearer " + secrets.token_hex(32)}, {"Authorization": token}):
            answer = _post(url, sender, headers)
            assert (answer.status_code, answer.json()["error"]) == (401, "unauthorized")
        # A page of any origin, even the widget's own, holding the token: refused.
        for browser in (
            {"Origin": "https://evil.example"},
            {"Origin": "http://localhost:8000"},
            {"Sec-Fetch-Site": "same-origin"},
        ):
            answer = _post(url, sender, bearer | browser)
            assert (answer.status_code, answer.json()["error"]) == (403, "origin_not_allowed")
        assert stored_events(prod_database, sender) == []
        deep = json.dumps({"sender": sender, "message": "X"}).replace('"X"', "[" * 5000 + "]" * 5000)
        refused = httpx.post(
            f"{url}/webhooks/rest/webhook",
            content=deep.encode(),
            headers=bearer | {"Content-Type": "application/json"},
            timeout=30,
        )
        assert refused.status_code == 400
        answered = _post(url, sender, bearer)
        assert answered.status_code == 200
        assert "1.001193" in " ".join(m.get("text") or "" for m in answered.json())
        assert stack.rest_headers() == bearer  # what the other production tests send
    assert [e["text"] for e in stored_events(prod_database, sender) if e["event"] == "user"] == [QUESTION]
