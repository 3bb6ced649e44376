"""Start the real action server and Rasa server (with the trained model) on loopback for tests.

`start_stack` starts one or more Rasa server + action server pairs as restartable processes (the
production-profile and fault tests use several, kill and restart them); `start_assistant` is one
pair, for the conversation tests and the channel tests (`tests/channels`), which add the settings a
channel needs (fake API base URLs, secrets) through `extra_env`. `serve_app` runs the FastAPI app.
"""

from __future__ import annotations

import contextlib
import os
import secrets
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
    #: The JWT secret of the Rasa HTTP API ("" when the API is not enabled).
    api_token: str = ""
    #: The REST channel's bearer token (REST_CHANNEL_TOKEN; "" when none is required).
    rest_token: str = ""
    #: The token the Rasa server sends the action server with every call (ACTION_SERVER_TOKEN).
    actions_token: str = ""

    def send(self, message: str, sender: str | None = None) -> list[dict[str, Any]]:
        """Post one message to the REST channel and return the bot's messages."""
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender or uuid.uuid4().hex, "message": message},
            headers=rest_headers({"REST_CHANNEL_TOKEN": self.rest_token}),
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


def actions_command(port: int) -> list[str]:
    """The action server's command line, as scripts/services.sh starts it."""
    return [
        str(PROJECT_ROOT / ".venv/bin/python"),
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        str(port),
    ]


def rasa_command(model: Path, port: int, env: dict[str, str]) -> list[str]:
    """The Rasa server's command line, as scripts/services.sh starts it (`python -m bot.serve run`).

    The HTTP API (staff replies through trigger_intent) only behind JWT, as in production, when `env`
    has a secret (RASA_API_TOKEN: the deprecated name of RASA_JWT_SECRET). bot/serve.py takes the
    secret from the environment: it is never on the command line.
    """
    api = ["--enable-api", "--jwt-method", "HS256"] if api_secret(env) else []
    return [
        str(PROJECT_ROOT / ".venv-bot/bin/python"),
        "-m",
        "bot.serve",
        "run",
        "--model",
        str(model),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
        *api,
    ]


def api_secret(env: dict[str, str]) -> str:
    """The Rasa HTTP API's JWT secret in `env` ("" when the API stays off)."""
    return env.get("RASA_JWT_SECRET") or env.get("RASA_API_TOKEN") or ""


def rest_headers(env: dict[str, str]) -> dict[str, str]:
    """The headers a REST channel client sends: the bearer token when `env` sets REST_CHANNEL_TOKEN."""
    token = env.get("REST_CHANNEL_TOKEN", "")
    return {"Authorization": f"Bearer {token}"} if token else {}


@contextlib.contextmanager
def start_assistant(
    database_url: str, logs: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Assistant]:
    """Start the action server and the Rasa server on free loopback ports; stop them on exit.

    Args:
        database_url: the knowledge base the action server reads (migrated and seeded).
        logs: a folder for the servers' logs (``actions-0.log``, ``rasa-0.log``; shown when a
            server fails to start).
        extra_env: more environment for both servers (channel secrets, fake API base URLs).
    """
    with start_stack(database_url, logs, extra_env=extra_env) as stack:
        yield Assistant(
            stack.rasa_urls[0],
            stack.actions_urls[0],
            logs,
            api_secret(stack.env),
            stack.env.get("REST_CHANNEL_TOKEN", ""),
            stack.env["ACTION_SERVER_TOKEN"],
        )


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
                "app.main:app",
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


# --------------------------------------------------------------------------------------------- #
# Several replicas, with processes the tests can kill and restart (production profile, faults)
# --------------------------------------------------------------------------------------------- #


class Stack:
    """Rasa servers and action servers started as named processes, each restartable on its port.

    ``rasa-0``, ``rasa-1``, ... talk to ``actions-0``, ``actions-1``, ... (one action server each,
    as `make run PROFILE=prod` starts them; deploy/ balances every Rasa server over all action
    servers instead, which the actions' statelessness makes equivalent); `rasa_urls` lists the
    replicas' base URLs in order.
    """

    def __init__(
        self, logs: Path, env: dict[str, str], rasa_env: dict[str, str], actions_env: dict[str, str]
    ) -> None:
        """Prepare (start nothing yet)."""
        self.logs = logs
        self.env = env
        self.rasa_env = rasa_env
        self.actions_env = actions_env
        # TTHC_MODEL picks another trained model (bench/understanding.py compares models).
        self.model = Path(env["TTHC_MODEL"]) if env.get("TTHC_MODEL") else model_path()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self._handles: list[Any] = []
        self.rasa_urls: list[str] = []
        self.actions_urls: list[str] = []

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        handle = (self.logs / f"{name}.log").open("ab")
        self._handles.append(handle)
        process = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def add_replica(self) -> int:
        """Reserve ports for one more Rasa server + action server pair; return its index."""
        index = len(self.rasa_urls)
        self.ports[f"actions-{index}"] = free_port()
        self.ports[f"rasa-{index}"] = free_port()
        self.rasa_urls.append(f"http://127.0.0.1:{self.ports[f'rasa-{index}']}")
        self.actions_urls.append(f"http://127.0.0.1:{self.ports[f'actions-{index}']}")
        return index

    def start_actions(self, index: int) -> subprocess.Popen[bytes]:
        """Start (or restart) action server `index` on its port."""
        port = self.ports[f"actions-{index}"]
        # Loopback, and keep-alive as scripts/services.sh: no connections closed under Rasa's feet.
        env = {"SANIC_HOST": "127.0.0.1", "SANIC_KEEP_ALIVE_TIMEOUT": "30"} | self.env | self.actions_env
        cmd = actions_command(port)
        return self._spawn(f"actions-{index}", cmd, env)

    def start_rasa(self, index: int) -> subprocess.Popen[bytes]:
        """Start (or restart) Rasa server `index` on its port, talking to action server `index`."""
        port = self.ports[f"rasa-{index}"]
        env = self.env | {"ACTION_SERVER_URL": f"{self.actions_urls[index]}/webhook"} | self.rasa_env
        cmd = rasa_command(self.model, port, env)
        return self._spawn(f"rasa-{index}", cmd, env)

    def wait(self, name: str, timeout: float = 240) -> None:
        """Wait until process `name` answers on its health URL."""
        port = self.ports[name]
        path = "/health" if name.startswith("actions") else "/"
        wait_http(f"http://127.0.0.1:{port}{path}", self.processes[name], self.logs / f"{name}.log", timeout)

    def kill(self, name: str, hard: bool = False) -> None:
        """Stop process `name`: SIGKILL when `hard` (a crash), else SIGTERM."""
        process = self.processes[name]
        if hard:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        """Stop every process and close the logs."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in self._handles:
            handle.close()

    def send(self, message: str, sender: str, replica: int = 0, timeout: float = 60) -> list[dict[str, Any]]:
        """Post one message to replica `replica`'s REST channel; return the bot's messages."""
        response = httpx.post(
            f"{self.rasa_urls[replica]}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=self.rest_headers(),
            timeout=timeout,
        )
        response.raise_for_status()
        return list(response.json())

    def rest_headers(self) -> dict[str, str]:
        """The headers of a REST channel request to these Rasa servers (their bearer token, if any)."""
        return rest_headers(self.env | self.rasa_env)

    def texts(self, message: str, sender: str, replica: int = 0) -> str:
        """Post a message to a replica and return the bot's texts joined by blank lines."""
        return "\n\n".join(m["text"] for m in self.send(message, sender, replica) if m.get("text"))


@contextlib.contextmanager
def start_stack(
    database_url: str,
    logs: Path,
    *,
    replicas: int = 1,
    extra_env: dict[str, str] | None = None,
    rasa_env: dict[str, str] | None = None,
    actions_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Start `replicas` Rasa servers, each with its own action server, on loopback; stop them on exit.

    Args:
        database_url: the knowledge base the action servers read (and, with ``PROFILE=prod`` in
            `extra_env`, the Rasa servers' tracker store).
        logs: a folder for the processes' logs (``rasa-0.log``, ``actions-0.log``, ...).
        replicas: how many Rasa server + action server pairs.
        extra_env: environment for every process (``PROFILE``, ``REDIS_URL``, secrets). With
            ``PROFILE=prod`` and no ``REST_CHANNEL_ENABLED`` the REST channel is enabled with a random
            ``REST_CHANNEL_TOKEN`` (`Stack.rest_headers`).
        rasa_env: environment for the Rasa servers only (wins over `extra_env`).
        actions_env: environment for the action servers only (wins over `extra_env`).
    """
    env = (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "RASA_TELEMETRY_ENABLED": "false",
            # Every test request comes from 127.0.0.1: the channels' rate limits are off unless a
            # test sets them.
            "RATE_LIMIT_SENDER_PER_MINUTE": "0",
            "RATE_LIMIT_IP_PER_MINUTE": "0",
            # The Rasa servers' token for the action servers (actions/auth.py), new for each stack.
            "ACTION_SERVER_TOKEN": secrets.token_hex(32),
        }
        | (extra_env or {})
    )
    if (env.get("PROFILE") or "local") not in {"local", "test"} and "REST_CHANNEL_ENABLED" not in env:
        # The production profile turns the REST channel off; the tests talk to the assistant through
        # it as a server-side client would: on, with a token that `Stack.send` sends.
        env |= {"REST_CHANNEL_ENABLED": "true", "REST_CHANNEL_TOKEN": secrets.token_hex(32)}
    stack = Stack(logs, env, rasa_env or {}, actions_env or {})
    try:
        for _ in range(replicas):
            index = stack.add_replica()
            stack.start_actions(index)
            stack.start_rasa(index)
        for index in range(replicas):
            stack.wait(f"actions-{index}", 60)
        for index in range(replicas):
            stack.wait(f"rasa-{index}", 300)
        yield stack
    finally:
        stack.stop_all()
