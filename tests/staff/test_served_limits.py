"""Issue 17, findings 2 and 3, through the real app served by uvicorn on loopback.

Bodies over the caller's limit are refused (413) before the app reads them: the answer comes while
the client is still sending. Forwarded client addresses are taken from the configured proxy only, and
rotating them does not lift an account's login lock.
"""

from __future__ import annotations

import json
import select
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select as sql_select

from knowledge_base.db import session_scope
from knowledge_base.models import LoginAttempt
from tests.staff.conftest import API, PASSWORDS, copy_database, serve_app

MB = 1 << 20


@dataclass
class Answer:
    """What came back for a request sent in pieces."""

    status: int
    body: dict[str, object]
    sent: int
    total: int


def send_streaming(
    base: str,
    path: str,
    total: int,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    chunked: bool = False,
    prefix: bytes = b"",
) -> Answer:
    """POST `total` body bytes piece by piece, stopping as soon as the server answers.

    Returns the status, the JSON body and how many bytes of the body had been sent by then.
    """
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", f"Content-Type: {content_type}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    piece = 64 * 1024
    remaining = total
    out = b""
    sent = 0
    ending = chunked  # a chunked body still owes its last, empty chunk
    sock.setblocking(False)
    try:
        while True:
            if not out:
                if remaining > 0:
                    data = ((prefix if remaining == total else b"") + b"x" * piece)[:remaining]
                    remaining -= len(data)
                    out = f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data
                elif ending:
                    out, ending = b"0\r\n\r\n", False
                else:
                    break  # all sent: wait for the answer below
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                break  # the server answered (or hung up) before the body was all there
            if writable:
                try:
                    written = sock.send(out)
                except (BrokenPipeError, ConnectionResetError):
                    break
                out = out[written:]
                sent += written
        sock.setblocking(True)
        sock.settimeout(120)
        raw = b""
        while b"\r\n\r\n" not in raw or len(raw.split(b"\r\n\r\n", 1)[1]) < _length(raw):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            raw += chunk
    finally:
        sock.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return Answer(status, json.loads(body[: _length(raw)] or b"{}"), sent, total)


def _length(raw: bytes) -> int:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            return int(line.split(":", 1)[1])
    return 0


@dataclass
class Served:
    """The app on uvicorn and its database."""

    url: str
    database_url: str


@pytest.fixture(scope="module")
def served(staff_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app served by uvicorn as scripts/services.sh starts it (uvicorn trusts loopback's proxy headers
    by default), with a 2 MB import limit."""
    folder = tmp_path_factory.mktemp("served")
    url = copy_database(staff_template, folder / "served.db")
    with serve_app(url, folder, {"STAFF_IMPORT_MAX_MB": "2"}) as base:
        yield Served(base, url)


def _sign_in(served: Served, username: str) -> tuple[dict[str, str], httpx.Client]:
    client = httpx.Client(base_url=served.url, timeout=60)
    response = client.post(f"{API}/auth/login", json={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 200, response.text
    cookie = f"tthc_staff={client.cookies['tthc_staff']}"
    return {"Cookie": cookie, "X-CSRF-Token": response.json()["csrf_token"]}, client


def test_a_60_mb_upload_without_a_session_is_refused_before_it_is_read(served: Served) -> None:
    boundary = uuid.uuid4().hex
    answer = send_streaming(
        served.url,
        f"{API}/imports",
        60 * MB,
        content_type=f"multipart/form-data; boundary={boundary}",
        prefix=(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
        ).encode(),
    )
    assert answer.status == 413
    assert answer.body == {
        "detail": (
            "Nội dung gửi lên quá lớn (tối đa 64 KB khi chưa đăng nhập). Vui lòng đăng nhập rồi thử lại."
        )
    }
    assert answer.sent < answer.total // 2  # answered while the client was still sending


def test_a_30_mb_json_login_is_refused_before_it_is_parsed(served: Served) -> None:
    answer = send_streaming(
        served.url, f"{API}/auth/login", 30 * MB, prefix=b'{"username": "bien.tap", "password": "'
    )
    assert answer.status == 413  # not the 422 a parsed body would get
    assert answer.sent < answer.total // 2


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(served: Served) -> None:
    answer = send_streaming(
        served.url,
        f"{API}/auth/login",
        40 * MB,
        chunked=True,
        prefix=b'{"username": "bien.tap", "password": "',
    )
    assert answer.status == 413
    assert answer.sent < answer.total // 2


def test_a_small_login_still_goes_through(served: Served) -> None:
    response = httpx.post(
        f"{served.url}{API}/auth/login", json={"username": "bien.tap", "password": "sai-mat-khau-roi"}
    )
    assert response.status_code == 401


def test_signed_in_officers_get_the_staff_limit_and_admins_the_import_limit(served: Served) -> None:
    editor, editor_client = _sign_in(served, "bien.tap")
    admin, admin_client = _sign_in(served, "quan.tri")
    try:
        # An editor: up to 1 MB (well beyond the anonymous 64 KB) reaches the route ...
        body = {"questions": ["Hỏi thử một câu"], "answer": "x" * (200 * 1024)}
        response = editor_client.post(f"{API}/faq", json=body, headers=editor)
        assert response.status_code == 422 and "Câu trả lời" in response.json()["detail"]
        # ... more does not, and an editor does not get the import limit either.
        big = send_streaming(served.url, f"{API}/faq", 3 * MB, headers=editor)
        assert big.status == 413 and big.body["detail"] == "Nội dung gửi lên quá lớn (tối đa 1 MB)."
        boundary = uuid.uuid4().hex
        multipart = f"multipart/form-data; boundary={boundary}"
        editor_upload = send_streaming(
            served.url, f"{API}/imports", 3 * MB, content_type=multipart, headers=editor
        )
        assert editor_upload.status == 413
        # An admin's national file: STAFF_IMPORT_MAX_MB (2 here) and room for the multipart envelope.
        too_big = send_streaming(served.url, f"{API}/imports", 5 * MB, content_type=multipart, headers=admin)
        assert too_big.status == 413 and too_big.body["detail"] == "Tệp quá lớn (tối đa 2 MB)."
        small = admin_client.post(
            f"{API}/imports",
            files={"file": ("quoc-gia.jsonl", b'{"x": 1}\n' * 20000, "application/octet-stream")},
            data={"source_date": "2026-12-01"},
            headers=admin,
        )
        assert small.status_code != 413 and small.status_code < 500, small.text  # the route's own answer
    finally:
        editor_client.close()
        admin_client.close()


def test_rotating_forwarded_addresses_does_not_lift_an_accounts_lock(served: Served) -> None:
    # uvicorn trusts loopback's X-Forwarded-For here (a proxy on the same host): every guess seems to
    # come from another address, as a forged header makes it. The account locks all the same.
    login = f"{served.url}{API}/auth/login"
    for n in range(10):
        guess = httpx.post(
            login,
            json={"username": "bien.tap2", "password": f"doan-mo-{n:04d}"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        assert guess.status_code == 401
    right = httpx.post(
        login,
        json={"username": "bien.tap2", "password": PASSWORDS["bien.tap2"]},
        headers={"X-Forwarded-For": "198.51.100.77"},
    )
    wrong = httpx.post(
        login,
        json={"username": "bien.tap2", "password": "doan-mo-cuoi"},
        headers={"X-Forwarded-For": "198.51.100.78"},
    )
    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content
    with session_scope(served.database_url) as session:
        addresses = set(
            session.scalars(sql_select(LoginAttempt.ip).where(LoginAttempt.username == "bien.tap2"))
        )
    assert len(addresses) == 10  # the addresses were taken from the header, and still locked


def test_a_forwarded_address_from_anyone_but_the_proxy_is_ignored(
    staff_template: str, tmp_path: Path
) -> None:
    # FORWARDED_ALLOW_IPS names the reverse proxy (here one that is not us): our header is ignored,
    # so the per-address limit counts the real peer.
    url = copy_database(staff_template, tmp_path / "proxy.db")
    with serve_app(url, tmp_path, {"FORWARDED_ALLOW_IPS": "10.9.9.9"}) as base:
        for n in range(5):
            httpx.post(
                f"{base}{API}/auth/login",
                json={"username": "bien.tap", "password": "doan-mo-1234"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
        blocked = httpx.post(
            f"{base}{API}/auth/login",
            json={"username": "bien.tap", "password": PASSWORDS["bien.tap"]},
            headers={"X-Forwarded-For": "198.51.100.1"},
        )
    assert blocked.status_code == 429
    with session_scope(url) as session:
        addresses = set(session.scalars(sql_select(LoginAttempt.ip)))
    assert addresses == {"127.0.0.1"}
