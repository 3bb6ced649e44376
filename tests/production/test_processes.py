"""The processes `make run` starts, seen from the same machine: secrets, the action server, deadlines.

scripts/run.sh (local profile) is started for real, with every secret of every process set in its
environment as an operator would export them, on free ports. Then, through /proc and over HTTP:

- no secret is on any process's command line (``/proc/<pid>/cmdline`` is readable by every local
  user; the Rasa server used to get ``--jwt-secret`` there);
- each process's environment holds only the secrets that process uses (the action server no JWT
  secret and no channel token, the app no channel token, ...);
- the Rasa HTTP API still takes tokens signed with the secret, and only those;
- the action server refuses calls without the Rasa server's token, while conversations still work;
- the app takes no client address from X-Forwarded-For when no proxy is configured, so rotating the
  header does not lift the staff login limit;
- the Rasa server and the action server close a request whose header trickles in.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.rasa_client import make_jwt
from tests.servers import PROJECT_ROOT, free_port

#: Secrets an operator exports before `make run`, and which process may see each.
RASA_ONLY = {
    "WEB_SESSION_SECRET",
    "TELEGRAM_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_APP_ID",
    "ZALO_OA_SECRET_KEY",
    "ZALO_APP_SECRET",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
}
SEEN_BY = {
    "rasa": RASA_ONLY | {"RASA_JWT_SECRET", "ACTION_SERVER_TOKEN"},
    "actions": {"ACTION_SERVER_TOKEN", "ANALYTICS_HASH_KEY", "DOSSIER_SOURCE_TOKEN"},
    "app": {"RASA_JWT_SECRET", "DOSSIER_SOURCE_TOKEN"},
}
#: Secrets no server uses (`make admin` reads the first admin's password).
NOBODY = {"STAFF_ADMIN_PASSWORD"}
#: How the processes are told apart by their command lines.
PROCESS_MARKS = {"rasa": "bot.serve", "actions": "rasa_sdk", "app": "uvicorn"}


@dataclass
class Running:
    """scripts/run.sh and what it started."""

    pid: int
    ports: dict[str, int]
    #: Every secret's value, by name (ACTION_SERVER_TOKEN: the one run.sh generated).
    secrets: dict[str, str]
    #: The started servers' process ids, by "rasa", "actions", "app".
    servers: dict[str, int]

    def url(self, server: str) -> str:
        """A server's base URL."""
        return f"http://127.0.0.1:{self.ports[server]}"


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def cmdline(pid: int) -> str:
    """A process's command line as every local user reads it."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")


def environ(pid: int) -> dict[str, str]:
    """A process's environment (readable by its owner)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")
    return dict(item.partition("=")[::2] for item in raw.split("\0") if "=" in item)


@pytest.fixture(scope="module")
def running(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("run")
    database = folder / "tthc.db"
    shutil.copy(seeded_sqlite.split("///", 1)[1], database)
    values = {name: secrets.token_hex(32) for name in set().union(*SEEN_BY.values(), NOBODY)}
    values["TELEGRAM_TOKEN"] = f"123456:{secrets.token_hex(16)}"
    del values["ACTION_SERVER_TOKEN"]  # run.sh makes one for the run (local profile)
    ports = {"rasa": free_port(), "actions": free_port(), "app": free_port()}
    # The test run's own environment, without anything that would change what run.sh starts.
    dropped_prefixes = ("RASA_", "TELEGRAM_", "ZALO_", "ACTION_SERVER", "SANIC_", "REST_CHANNEL")
    dropped = {"DATABASE_URL", "REDIS_URL", "PROFILE", "FORWARDED_ALLOW_IPS", *values}
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(dropped_prefixes)
    }
    env = (
        inherited
        | values
        | {
            "PROFILE": "local",
            "BIND_HOST": "127.0.0.1",
            "RASA_PORT": str(ports["rasa"]),
            "ACTIONS_PORT": str(ports["actions"]),
            "APP_PORT": str(ports["app"]),
            "DATABASE_URL": f"sqlite:///{database}",
            # The channels never reach a real platform.
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
            "ZALO_API_BASE_URL": "http://127.0.0.1:9",
            "ZALO_OAUTH_BASE_URL": "http://127.0.0.1:9",
            "ZALO_TOKEN_FILE": str(folder / "zalo_tokens.json"),
            "RATE_LIMIT_SENDER_PER_MINUTE": "0",
            "RATE_LIMIT_IP_PER_MINUTE": "0",
            # Three failures per (username, address) lock; the per-account limit stays out of the way.
            "STAFF_LOGIN_MAX_FAILURES": "3",
            "STAFF_LOGIN_ACCOUNT_MAX_FAILURES": "1000",
        }
    )
    log = folder / "run.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing of it outlives the test
        )
    try:
        deadline = time.monotonic() + 420
        while "tthc-assistant is up" not in log.read_text(errors="replace"):
            assert process.poll() is None, f"scripts/run.sh exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"scripts/run.sh did not come up:\n{log.read_text()[-4000:]}"
            time.sleep(1)
        servers: dict[str, int] = {}
        for pid in descendants(process.pid):
            for server, mark in PROCESS_MARKS.items():
                if mark in cmdline(pid) and "python" in cmdline(pid):
                    servers[server] = pid
        assert set(servers) == set(PROCESS_MARKS), {pid: cmdline(pid) for pid in descendants(process.pid)}
        values["ACTION_SERVER_TOKEN"] = environ(servers["rasa"]).get("ACTION_SERVER_TOKEN", "")
        yield Running(process.pid, ports, values, servers)
    finally:
        process.send_signal(signal.SIGTERM)  # run.sh's trap stops what it started
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_no_secret_is_on_any_command_line(running: Running) -> None:
    processes = descendants(running.pid)
    assert set(running.servers.values()) <= set(processes)
    for pid in [running.pid, *processes]:
        try:
            line = cmdline(pid)
        except OSError:
            continue  # a short-lived helper (curl of wait_http) already gone
        leaked = [name for name, value in running.secrets.items() if value and value in line]
        assert not leaked, (line.split(" ")[:4], leaked)


@pytest.mark.parametrize("server", sorted(SEEN_BY))
def test_each_process_is_given_only_the_secrets_it_uses(running: Running, server: str) -> None:
    env = environ(running.servers[server])
    for name in SEEN_BY[server]:
        assert env.get(name) == running.secrets[name], (server, name)
    values = set(env.values())
    for name, value in running.secrets.items():
        if name not in SEEN_BY[server]:
            assert name not in env and value not in values, (server, name)


def test_the_rasa_api_takes_only_tokens_signed_with_its_secret(running: Running) -> None:
    status = f"{running.url('rasa')}/status"
    signed = make_jwt(running.secrets["RASA_JWT_SECRET"])
    assert httpx.get(status, headers={"Authorization": f"Bearer {signed}"}, timeout=30).status_code == 200
    assert httpx.get(status, timeout=30).status_code == 401
    forged = make_jwt(secrets.token_hex(32))
    assert httpx.get(status, headers={"Authorization": f"Bearer {forged}"}, timeout=30).status_code == 401


def test_the_action_server_answers_only_the_rasa_server(running: Running) -> None:
    actions = running.url("actions")
    # What a crafted call would ask: a dossier lookup for a conversation of the caller's choosing.
    call = {
        "next_action": "action_dossier_status",
        "sender_id": "telegram:123456",
        "tracker": {"sender_id": "telegram:123456", "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.21",
    }
    assert httpx.post(f"{actions}/webhook", json=call, timeout=30).status_code == 401
    wrong = {"Authorization": f"Bearer {secrets.token_hex(32)}"}
    assert httpx.post(f"{actions}/webhook", json=call, headers=wrong, timeout=30).status_code == 403
    assert httpx.get(f"{actions}/actions", timeout=30).status_code == 401
    right = {"Authorization": f"Bearer {running.secrets['ACTION_SERVER_TOKEN']}"}
    assert httpx.get(f"{actions}/actions", headers=right, timeout=30).status_code == 200
    assert httpx.get(f"{actions}/health", timeout=30).status_code == 200  # the probes need no token
    # The Rasa server's own calls carry the token: a question that runs actions is answered.
    answer = httpx.post(
        f"{running.url('rasa')}/webhooks/rest/webhook",
        json={
            "sender": f"processes-{secrets.token_hex(6)}",
            "message": "Đăng ký khai sinh cần những giấy tờ gì?",
        },
        timeout=120,
    )
    assert answer.status_code == 200
    assert "1.001193" in " ".join(m.get("text", "") for m in answer.json())


def test_a_forwarded_address_is_not_taken_without_a_proxy(running: Running) -> None:
    # Three failures per (username, address) lock that pair. Were X-Forwarded-For taken from a local
    # client, each attempt below would count for another address and never lock.
    login = f"{running.url('app')}/api/staff/v1/auth/login"
    statuses = [
        httpx.post(
            login,
            json={"username": "kiem-tra-proxy", "password": "sai-mat-khau"},
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
            timeout=30,
        ).status_code
        for attempt in range(1, 5)
    ]
    assert statuses == [401, 401, 401, 429]


def _held_open(port: int, results: dict[int, str]) -> None:
    """Send half a request header and wait (at most 45 s) for the server to close the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=45) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        results[port] = "still open"
        deadline = time.monotonic() + 45
        try:
            while time.monotonic() < deadline:
                if sock.recv(4096) == b"":  # whatever it answered first (408), it hung up
                    results[port] = "closed"
                    break
        except TimeoutError:
            pass
        except OSError:
            results[port] = "closed"


def test_rasa_and_the_action_server_cut_off_a_header_that_never_ends(running: Running) -> None:
    # SANIC_REQUEST_TIMEOUT (scripts/services.sh: 15 s) instead of Sanic's 60 s.
    results: dict[int, str] = {}
    threads = [
        threading.Thread(target=_held_open, args=(running.ports[server], results))
        for server in ("rasa", "actions")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {running.ports["rasa"]: "closed", running.ports["actions"]: "closed"}
