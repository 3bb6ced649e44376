"""Dossier status through the local database, a fake provincial HTTP system, and the public API."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from knowledge_base import settings
from knowledge_base.dossiers import (
    STATUS_LABELS,
    DossierNotFound,
    DossierSourceError,
    HttpDossierSource,
    LocalDossierSource,
)

DEMO = {
    "000.00.12.H37-251012-0001": ("0101", "received", False),
    "000.00.12.H37-251012-0002": ("0202", "in_progress", False),
    "000.00.12.H37-251012-0003": ("0303", "supplement_requested", False),
    "000.00.12.H37-251012-0004": ("0404", "payment_requested", False),
    "000.00.12.H37-251012-0005": ("0505", "ready_for_pickup", False),
    "000.00.12.H37-251012-0006": ("0606", "returned", False),
    "000.00.12.H37-251012-0007": ("0707", "in_progress", True),
    "000.00.12.H37-251012-0008": ("0808", "rejected", False),
}


@pytest.mark.parametrize("code", sorted(DEMO))
def test_local_source_answers_every_demo_status(seeded_sqlite: str, code: str) -> None:
    last4, status, overdue = DEMO[code]
    found = LocalDossierSource(seeded_sqlite).lookup(code.lower(), last4)
    assert found.code == code and found.status == status
    assert found.overdue() is overdue
    assert found.status_label == STATUS_LABELS[status]
    assert found.history and found.procedure_name


def test_demo_dossiers_cover_every_status(seeded_sqlite: str) -> None:
    assert {s for _, s, _ in DEMO.values()} == set(STATUS_LABELS)


@pytest.mark.parametrize(
    ("code", "last4"), [("000.00.12.H37-251012-0001", "9999"), ("000.00.12.H37-999999-0001", "0101")]
)
def test_wrong_phone_and_unknown_code_are_the_same_not_found(
    seeded_sqlite: str, code: str, last4: str
) -> None:
    with pytest.raises(DossierNotFound):
        LocalDossierSource(seeded_sqlite).lookup(code, last4)


@pytest.mark.parametrize(("code", "last4"), [("x", "0101"), ("000.00.12.H37-251012-0001", "12a4"), ("", "")])
def test_bad_input_is_a_clear_error(seeded_sqlite: str, code: str, last4: str) -> None:
    with pytest.raises(ValueError, match=r"Mã hồ sơ|chữ số"):
        LocalDossierSource(seeded_sqlite).lookup(code, last4)


class _FakeOneStop(BaseHTTPRequestHandler):
    """A provincial one-stop system: one dossier, bearer token 'secret', a code that fails with 500."""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if self.headers.get("Authorization") != "Bearer secret":
            self._send(401, {"error": "unauthorized"})
        elif url.path == "/api/dossiers/H37-BROKEN-0001":
            self._send(500, {"error": "boom"})
        elif url.path == "/api/dossiers/H37-250101-0009" and (
            parse_qs(url.query).get("phone_last4") == ["1234"]
        ):
            self._send(
                200,
                {
                    "code": "H37-250101-0009",
                    "procedure_code": "1.001193",
                    "procedure_name": "Đăng ký khai sinh",
                    "status": "in_progress",
                    "received_at": "2025-01-01T08:00:00+07:00",
                    "due_at": "2025-01-02T17:00:00+07:00",
                    "finished_at": None,
                    "history": [{"status": "received", "at": "2025-01-01T08:00:00+07:00", "note": ""}],
                },
            )
        else:
            self._send(404, {"error": "not found"})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_one_stop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOneStop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def test_http_source_reads_the_provincial_system(fake_one_stop: str) -> None:
    found = HttpDossierSource(fake_one_stop, "secret").lookup("h37-250101-0009", "1234")
    assert found.status == "in_progress"
    assert found.due_at == dt.datetime(2025, 1, 2, 17, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert found.overdue(now=dt.datetime(2025, 1, 3, tzinfo=dt.timezone.utc)) is True


def test_http_source_not_found_wrong_token_error_and_down(fake_one_stop: str) -> None:
    with pytest.raises(DossierNotFound):
        HttpDossierSource(fake_one_stop, "secret").lookup("H37-250101-0009", "0000")
    with pytest.raises(DossierSourceError):
        HttpDossierSource(fake_one_stop, "wrong").lookup("H37-250101-0009", "1234")
    with pytest.raises(DossierSourceError):
        HttpDossierSource(fake_one_stop, "secret").lookup("H37-BROKEN-0001", "1234")
    with pytest.raises(DossierSourceError):
        HttpDossierSource("http://127.0.0.1:9/api", "secret", timeout=1).lookup("H37-250101-0009", "1234")


def test_api_dossier_status_without_personal_data(client) -> None:
    response = client.get("/api/v1/dossiers/000.00.12.H37-251012-0003", params={"phone_last4": "0303"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "supplement_requested" and body["overdue"] is False
    assert "Lê Văn Cường" not in response.text and "0912000303" not in response.text


def test_api_unknown_code_and_wrong_check_look_the_same(client) -> None:
    wrong = client.get("/api/v1/dossiers/000.00.12.H37-251012-0003", params={"phone_last4": "0000"})
    unknown = client.get("/api/v1/dossiers/000.00.12.H37-000000-0000", params={"phone_last4": "0303"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize("params", [{}, {"phone_last4": "12"}, {"phone_last4": "abcd"}])
def test_api_bad_phone_check_is_422(client, params) -> None:
    response = client.get("/api/v1/dossiers/000.00.12.H37-251012-0003", params=params)
    assert response.status_code == 422


def test_api_provincial_system_down_is_503(client, monkeypatch) -> None:
    monkeypatch.setenv("DOSSIER_SOURCE_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("DOSSIER_SOURCE_TIMEOUT", "1")
    settings.get_settings.cache_clear()
    response = client.get("/api/v1/dossiers/000.00.12.H37-251012-0003", params={"phone_last4": "0303"})
    assert response.status_code == 503
