"""Start the real action server and Rasa server (with the trained model) for conversation tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plugin_app import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up in {timeout} s:\n{log.read_text()[-4000:]}")


@dataclass
class Assistant:
    """The running assistant, reached over the REST channel."""

    rasa_url: str
    actions_url: str

    def send(self, message: str, sender: str | None = None) -> list[dict[str, Any]]:
        """Post one message to the REST channel and return the bot's messages."""
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender or uuid.uuid4().hex, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    def texts(self, message: str, sender: str | None = None) -> str:
        """Post a message and return the bot's texts joined by blank lines."""
        return "\n\n".join(m["text"] for m in self.send(message, sender) if m.get("text"))


@pytest.fixture(scope="session")
def assistant(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Start both servers once per test run; stop them afterwards."""
    current = PROJECT_ROOT / "models" / "current"
    if not current.is_file():
        pytest.fail("No trained model: run `make model` (make test does it)")
    model = PROJECT_ROOT / current.read_text().strip()
    logs = tmp_path_factory.mktemp("logs")
    actions_port, rasa_port = _free_port(), _free_port()
    env = os.environ | {
        "DATABASE_URL": seeded_sqlite,
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
    }
    started: list[subprocess.Popen[bytes]] = []
    handles: list[Any] = []

    def spawn(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("wb")
        handles.append(handle)
        process = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    try:
        actions_log, rasa_log = logs / "actions.log", logs / "rasa.log"
        actions = spawn(
            [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(actions_port)],
            actions_log,
        )
        rasa = spawn(
            [str(PROJECT_ROOT / ".venv-bot/bin/rasa"), "run", "--model", str(model), "--interface",
             "127.0.0.1", "--port", str(rasa_port), "--credentials", "credentials.yml", "--endpoints",
             "endpoints.yml"],
            rasa_log,
        )
        _wait(f"http://127.0.0.1:{actions_port}/health", actions, actions_log, 60)
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log, 240)
        yield Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}")
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in handles:
            handle.close()


@pytest.fixture
def documents_of() -> Callable[[str, str], list[str]]:
    """Return the names of the non-note documents of a procedure in a database."""
    from knowledge_base.db import session_scope
    from knowledge_base.queries import get_procedure

    def load(url: str, code: str) -> list[str]:
        with session_scope(url) as session:
            procedure = get_procedure(session, code=code)
        assert procedure is not None, code
        return [d.name for d in procedure.documents if not d.is_note and d.section != "note"]

    return load
