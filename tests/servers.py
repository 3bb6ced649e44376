"""Start the real action server and Rasa server (with the trained model) on loopback for tests.

Used by the conversation tests and the channel tests (`tests/channels`), which add the settings a
channel needs (fake API base URLs, secrets) through `extra_env`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Wait until `url` answers below 500; fail with the log's tail if `process` exits or time runs out."""
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
    #: The folder holding actions.log and rasa.log.
    logs: Path
    #: The token of the Rasa HTTP API ("" when the API is not enabled).
    api_token: str = ""

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


def model_path() -> Path:
    """The trained model `make model` points models/current at."""
    current = PROJECT_ROOT / "models" / "current"
    if not current.is_file():
        raise RuntimeError("No trained model: run `make model` (make test does it)")
    return PROJECT_ROOT / current.read_text().strip()


@contextlib.contextmanager
def start_assistant(
    database_url: str, logs: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Assistant]:
    """Start the action server and the Rasa server on free loopback ports; stop them on exit.

    Args:
        database_url: the knowledge base the action server reads (migrated and seeded).
        logs: a folder for the servers' logs (shown when a server fails to start).
        extra_env: more environment for both servers (channel secrets, fake API base URLs).
    """
    model = model_path()
    actions_port, rasa_port = free_port(), free_port()
    env = (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
        "SANIC_KEEP_ALIVE_TIMEOUT": "30",  # as scripts/services.sh: no closed connections under load
            "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
        }
        | (extra_env or {})
    )
    # The HTTP API (staff replies through trigger_intent) only behind a token.
    api_flags = ["--enable-api", "--auth-token", env["RASA_API_TOKEN"]] if env.get("RASA_API_TOKEN") else []
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
            [
                str(PROJECT_ROOT / ".venv/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(actions_port),
            ],
            actions_log,
        )
        rasa = spawn(
            [
                str(PROJECT_ROOT / ".venv-bot/bin/rasa"),
                "run",
                "--model",
                str(model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
                *api_flags,
            ],
            rasa_log,
        )
        wait_http(f"http://127.0.0.1:{actions_port}/health", actions, actions_log, 60)
        wait_http(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log, 240)
        yield Assistant(
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{actions_port}",
            logs,
            env.get("RASA_API_TOKEN", ""),
        )
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


@contextlib.contextmanager
def serve_app(
    database_url: str, logs: Path, extra_env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """Run the FastAPI app with uvicorn on loopback (`port`, or a free one); yield its base URL."""
    port = port or free_port()
    env = os.environ | {"DATABASE_URL": database_url} | (extra_env or {})
    log = logs / f"app-{port}.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                str(PROJECT_ROOT / ".venv/bin/python"),
                "-m",
                "uvicorn",
                "knowledge_base.api:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/health", process, log, 120)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
