"""deploy/nginx.conf run by the real nginx, in front of stand-ins that record what reaches them.

The configuration is the deployed one with only the machine-specific lines changed (listen addresses,
upstream addresses, certificate, pid and log files; ``http2 on`` dropped where Debian's nginx is older
than 1.25.1, which spells it on the ``listen`` line). Requests are written byte for byte on a TLS
socket, so paths reach nginx exactly as an attacker would send them (an HTTP client library would
normalise ``..`` and may re-encode). `make test` installs nginx (`make nginx`, Debian's package).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.servers import PROJECT_ROOT, free_port

NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
#: `make test` passes NGINX (the Makefile's `nginx` target installs Debian's package there).
NGINX = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"

#: The channels' public routes (connectors/): what nginx forwards to the Rasa servers, and only these.
PUBLIC_WEBHOOKS = [
    ("POST", "/webhooks/rest/webhook"),
    ("POST", "/webhooks/web/session"),
    ("GET", "/webhooks/web/history?session_id=abc"),
    ("POST", "/webhooks/web/webhook"),
    ("POST", "/webhooks/telegram/webhook"),
    ("POST", "/webhooks/zalo/webhook"),
]
#: Paths that lead to the Rasa HTTP API (or anything but a channel's public route) on a server that
#: routes on the raw path: never forwarded to a Rasa server, and never to the app.
ATTACKS = [
    "/webhooks/x/..%2F..%2Fconversations/a/tracker",
    "/webhooks/rest/..%2F..%2Fconversations/a/tracker",
    "/webhooks/rest/webhook/..%2F..%2F..%2Fconversations/a/tracker",
    "/webhooks/rest%2F..%2F..%2Fconversations/a/tracker",
    "/webhooks/rest/%2e%2e/%2e%2e/conversations/a/tracker",
    "/webhooks/rest/webhook%2F..%2F..%2F..%2Fmodel/parse",
    "/webhooks/x/../../conversations/a/tracker",
    "/webhooks/rest/./webhook",
    "/webhooks/rest/webhook/..",
    "/webhooks/rest/..%5C..%5Cconversations/a/tracker",
    "/webhooks/rest/",
    "/webhooks/",
    "/webhooks/rest/webhook/extra",
    "/conversations/a/tracker",
    "/conversations/a/messages",
    "/model/parse",
    "/model",
    "/status",
    "/version",
    "/domain",
]


@dataclass
class Upstream:
    """A stand-in server that records every request that reaches it and answers 200."""

    name: str
    port: int = 0
    seen: list[dict[str, str | int]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> Upstream:
        """Listen on a free loopback port, in a thread."""
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                remaining = length
                while remaining:
                    remaining -= len(self.rfile.read(min(remaining, 1 << 16)))
                upstream.seen.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "body_bytes": length,
                        "x_forwarded_for": self.headers.get("X-Forwarded-For", ""),
                    }
                )
                body = json.dumps({"upstream": upstream.name, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # quiet
                pass

        for verb in ("GET", "POST", "PUT", "DELETE"):
            setattr(Handler, f"do_{verb}", Handler._answer)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Proxy:
    """nginx with deploy/nginx.conf on loopback and its stand-in upstreams."""

    https_port: int
    rasa: list[Upstream]
    app: Upstream
    conf: Path

    def forwarded(self) -> list[dict[str, str | int]]:
        """Every request the Rasa stand-ins received."""
        return [seen for upstream in self.rasa for seen in upstream.seen]

    def clear(self) -> None:
        """Forget what the stand-ins saw."""
        for upstream in (*self.rasa, self.app):
            upstream.seen.clear()


def nginx_version() -> tuple[int, ...]:
    """The installed nginx's version."""
    output = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", output).groups())  # type: ignore[union-attr]


def local_conf(tmp: Path, *, http_port: int, https_port: int, rasa: list[int], app: int) -> str:
    """deploy/nginx.conf with this machine's addresses, files and certificate (nothing else changed)."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    replacements = {
        "pid /var/run/nginx.pid;": f"pid {tmp}/nginx.pid;",
        "access_log /dev/stdout tthc;": f"access_log {tmp}/access.log tthc;",
        "error_log /dev/stderr warn;": f"error_log {tmp}/error.log warn;",
        "server rasa-1:5005 ": f"server 127.0.0.1:{rasa[0]} ",
        "server rasa-2:5005 ": f"server 127.0.0.1:{rasa[1]} ",
        "server app:8000 ": f"server 127.0.0.1:{app} ",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{https_port} ssl default_server;",
        "/etc/nginx/certs/fullchain.pem": f"{tmp}/fullchain.pem",
        "/etc/nginx/certs/privkey.pem": f"{tmp}/privkey.pem",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"deploy/nginx.conf changed shape: {old!r}"
        text = text.replace(old, new)
    if nginx_version() < (1, 25, 1):
        text = text.replace("http2 on;", "")
    # Temporary files in the test's folder (Debian's nginx keeps them under /var/lib/nginx).
    temp = "".join(
        f"    {name}_temp_path {tmp}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {\n", "http {\n" + temp, 1)
    if os.geteuid() == 0:
        text = "user root;\n" + text  # workers may then write the temporary files in the test's folder
    return text


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """nginx running deploy/nginx.conf in front of two Rasa stand-ins and an app stand-in."""
    if not Path(NGINX).is_file():
        pytest.skip("nginx is not installed: `make nginx` (Debian's package) or apt-get install nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-keyout", str(tmp / "privkey.pem"), "-out", str(tmp / "fullchain.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    rasa = [Upstream("rasa-1").start(), Upstream("rasa-2").start()]
    app = Upstream("app").start()
    https_port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(
        local_conf(
            tmp, http_port=free_port(), https_port=https_port, rasa=[u.port for u in rasa], app=app.port
        ),
        encoding="utf-8",
    )
    command = [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp / "error.log").read_text()
                time.sleep(0.1)
        yield Proxy(https_port, rasa, app, conf)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        for upstream in (*rasa, app):
            upstream.stop()


def tls_socket(port: int, timeout: float = 30) -> ssl.SSLSocket:
    """A TLS connection to the proxy (its certificate is the test's own: not verified)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=timeout))


def raw_request(
    proxy: Proxy, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """Send one request with `target` exactly as written; return the status and the body."""
    head = [f"{method} {target} HTTP/1.1", "Host: tro-ly.example.gov.vn", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    with tls_socket(proxy.https_port) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        with contextlib.suppress(OSError):  # refused before the whole body was read (413)
            sock.sendall(body)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except (ConnectionResetError, ssl.SSLError):
            pass
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def test_the_channels_public_routes_reach_the_rasa_servers_as_sent(proxy: Proxy) -> None:
    proxy.clear()
    for method, target in PUBLIC_WEBHOOKS:
        status, body = raw_request(proxy, method, target, b"{}" if method == "POST" else b"")
        assert status == 200, (target, status)
        assert json.loads(body)["upstream"].startswith("rasa-"), target
    assert sorted((seen["method"], seen["path"]) for seen in proxy.forwarded()) == sorted(PUBLIC_WEBHOOKS)
    assert proxy.app.seen == []
    # Both replicas take turns (round robin).
    assert all(upstream.seen for upstream in proxy.rasa)


@pytest.mark.parametrize("target", ATTACKS)
def test_no_other_path_reaches_a_rasa_server(proxy: Proxy, target: str) -> None:
    proxy.clear()
    for method in ("GET", "POST"):
        status, _ = raw_request(proxy, method, target, b"{}" if method == "POST" else b"")
        assert status in (400, 404), (method, target, status)
    assert proxy.forwarded() == [], target
    assert proxy.app.seen == [], target


def test_ordinary_paths_with_dots_and_encoded_queries_still_reach_the_app(proxy: Proxy) -> None:
    proxy.clear()
    for target in (
        "/api/v1/dossiers/000.00.12.H37-251012-0001?phone_last4=1234",
        "/api/v1/procedures/1.001193",
        "/api/v1/procedures/search?q=gi%E1%BA%A5y%20ph%C3%A9p%2Fl%C3%A1i%20xe%20..%2F",
        "/widget/widget.js",
        "/staff/",
        "/",
    ):
        status, body = raw_request(proxy, "GET", target)
        assert status == 200 and json.loads(body) == {"upstream": "app", "path": target}, target
    assert proxy.forwarded() == []


def test_request_bodies_are_limited_per_path(proxy: Proxy) -> None:
    proxy.clear()
    kib = 1024
    too_large = {
        "/webhooks/rest/webhook": 17 * kib,  # MAX_BODY_BYTES, 16 KiB
        "/webhooks/telegram/webhook": 17 * kib,
        "/api/v1/procedures/search": 65 * kib,  # APP_ANONYMOUS_BODY_BYTES, 64 KiB
        "/api/staff/v1/auth/login": 2 * 1024 * kib,  # APP_STAFF_BODY_BYTES, 1 MiB
        "/api/staff/v1/faq": 1025 * kib,
    }
    for target, size in too_large.items():
        status, _ = raw_request(proxy, "POST", target, b"x" * size)
        assert status == 413, (target, size, status)
    assert proxy.forwarded() == [] and proxy.app.seen == []
    fitting = {
        "/webhooks/rest/webhook": 16 * kib,
        "/api/v1/procedures/search": 64 * kib,
        "/api/staff/v1/faq": 1024 * kib,
        # Only the national-file import takes more (STAFF_IMPORT_MAX_MB).
        "/api/staff/v1/imports": 3 * 1024 * kib,
    }
    for target, size in fitting.items():
        status, _ = raw_request(proxy, "POST", target, b"x" * size)
        assert status == 200, (target, size, status)
    assert sorted(
        (seen["path"], seen["body_bytes"]) for seen in proxy.forwarded() + proxy.app.seen
    ) == sorted(fitting.items())


def test_the_client_address_is_the_peers_whatever_the_client_claims(proxy: Proxy) -> None:
    proxy.clear()
    for target in ("/webhooks/rest/webhook", "/api/staff/v1/auth/login"):
        raw_request(proxy, "POST", target, b"{}", headers={"X-Forwarded-For": "203.0.113.7"})
    assert [seen["x_forwarded_for"] for seen in proxy.forwarded() + proxy.app.seen] == ["127.0.0.1"] * 2


def test_a_client_trickling_its_header_in_is_cut_off(proxy: Proxy) -> None:
    # One header line a second, never the blank line that ends the header: nginx's deadline is for the
    # whole header (client_header_timeout, 10 s), not for each read, so the connection is closed.
    # Without it (nginx's default is 60 s) this connection would still be open at the end.
    proxy.clear()
    with tls_socket(proxy.https_port, timeout=1) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: tro-ly.example.gov.vn\r\n")
        closed = False
        for line in range(40):
            try:
                sock.sendall(f"X-Slow-{line}: a\r\n".encode())
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (OSError, ssl.SSLError):
                closed = True
                break
    assert closed, "nginx still held the connection after 40 s of a header that never ends"
    assert proxy.app.seen == []
