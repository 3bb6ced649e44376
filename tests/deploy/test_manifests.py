"""deploy/ is consistent with what `make run`, scripts/ and the tests run (issue 8, production profile).

Static checks read deploy/docker-compose.yml, deploy/k8s/*.yaml, deploy/nginx.conf, deploy/Dockerfile,
the env templates and .dockerignore against the repository: ports, commands, environment variable
names, secrets, probes, resources, replicas, exposure and the body-size limit. The last test runs what
the manifests run (the migrate Job's command, the images' commands with the manifests' environment,
on loopback) and checks every probe path and healthcheck on those real servers; with
TEST_DATABASE_URL and TEST_REDIS_URL (CI) in the production profile on PostgreSQL and Redis.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from tests.servers import PROJECT_ROOT, free_port, wait_http

DEPLOY = PROJECT_ROOT / "deploy"
K8S = DEPLOY / "k8s"
BOT_SITE = PROJECT_ROOT / ".venv-bot" / "lib" / "python3.10" / "site-packages"

#: What each workload is called in the compose file and in Kubernetes.
COMPOSE_NAMES = {
    "rasa": ["rasa-1", "rasa-2"],
    "actions": ["actions"],
    "app": ["app"],
    "migrate": ["migrate"],
    "retention": ["retention"],
}
K8S_NAMES = {
    "rasa": ("Deployment", "rasa"),
    "actions": ("Deployment", "actions"),
    "app": ("Deployment", "app"),
    "migrate": ("Job", "tthc-migrate"),
    "retention": ("CronJob", "tthc-retention"),
}
#: Secrets the code refuses to run without in the prod profile, and which workload needs each:
#: bot/stores.py (DATABASE_URL, REDIS_URL), connectors/web.py (WEB_SESSION_SECRET),
#: knowledge_base/usage.py (ANALYTICS_HASH_KEY), the Rasa API and the app's client of it
#: (RASA_JWT_SECRET), knowledge_base/settings.py (DATABASE_URL; its default is a local SQLite file),
#: the token between the Rasa servers and the action servers (endpoints.yml, actions/auth.py).
REQUIRED_SECRETS = {
    "rasa": {"DATABASE_URL", "REDIS_URL", "RASA_JWT_SECRET", "WEB_SESSION_SECRET", "ACTION_SERVER_TOKEN"},
    "actions": {"DATABASE_URL", "ANALYTICS_HASH_KEY", "ACTION_SERVER_TOKEN"},
    "app": {"DATABASE_URL", "RASA_JWT_SECRET"},
    "migrate": {"DATABASE_URL"},
    "retention": {"DATABASE_URL"},
}
#: Settings without which a workload would run with the wrong (local) behaviour or address.
REQUIRED_SETTINGS = {
    "rasa": {
        "PROFILE",
        "ACTION_SERVER_URL",
        "WEB_ALLOWED_ORIGINS",
        "SANIC_PROXIES_COUNT",
        "MAX_BODY_BYTES",
        "SANIC_REQUEST_TIMEOUT",
    },
    "actions": {"PROFILE", "SANIC_HOST", "SANIC_KEEP_ALIVE_TIMEOUT", "SANIC_REQUEST_TIMEOUT"},
    "app": {"PROFILE", "RASA_URL", "WEB_RASA_URL", "FORWARDED_ALLOW_IPS"},
    "migrate": {"PROFILE"},
    "retention": {"PROFILE"},
}
#: The channels' public routes (connectors/): the only paths the proxies send to the Rasa servers.
PUBLIC_WEBHOOK_PATHS = [
    "/webhooks/rest/webhook",
    "/webhooks/web/session",
    "/webhooks/web/history",
    "/webhooks/web/webhook",
    "/webhooks/telegram/webhook",
    "/webhooks/zalo/webhook",
]
#: Names that hold secrets wherever they appear.
SECRET_NAME = re.compile(
    r"(SECRET|TOKEN(?!_FILE)|PASSWORD|_KEY$|^DATABASE_URL$|^REDIS_URL$|^ZALO_APP_ID$|REDISCLI_AUTH)"
)
#: Long random-looking runs (hex or base64 keys, tokens) that must never be written into deploy/.
LITERAL_SECRET = re.compile(
    r"(?<![A-Za-z0-9/+_.-])(?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[a-zA-Z])[A-Za-z0-9+/_-]{32,}"
)


# --------------------------------------------------------------------------------------------- #
# Reading the files
# --------------------------------------------------------------------------------------------- #


def k8s_documents() -> list[dict[str, Any]]:
    """Every object of deploy/k8s/*.yaml."""
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return documents


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    """The object `kind`/`name` of the manifests."""
    found = [d for d in k8s_documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_spec(document: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment, Job or CronJob."""
    if document["kind"] == "CronJob":
        return document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return document["spec"]["template"]["spec"]


def workload_container(workload: str) -> dict[str, Any]:
    """The (only) container of a workload's Kubernetes object."""
    containers = pod_spec(k8s_object(*K8S_NAMES[workload]))["containers"]
    assert len(containers) == 1, workload
    return containers[0]


def config_map() -> dict[str, str]:
    """The data of the ConfigMap every container loads."""
    return k8s_object("ConfigMap", "tthc-config")["data"]


def k8s_env(workload: str, secret_values: dict[str, str]) -> dict[str, str]:
    """The environment Kubernetes gives a workload's container, with `secret_values` as the Secret."""
    container = workload_container(workload)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert source["configMapRef"]["name"] == "tthc-config"
        env.update(config_map())
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "tthc-secrets"
        if ref["key"] in secret_values:
            env[entry["name"]] = secret_values[ref["key"]]
        else:
            assert ref.get("optional"), f"{workload}: the Secret key {ref['key']} is required"
    return env


def compose() -> dict[str, Any]:
    """deploy/docker-compose.yml (anchors and merge keys resolved)."""
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def compose_services_built_here() -> dict[str, dict[str, Any]]:
    """The compose services that run our images (built from deploy/Dockerfile)."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def compose_env(service: str) -> dict[str, str]:
    """A compose service's environment, as written (interpolations not resolved)."""
    return {key: str(value) for key, value in compose()["services"][service].get("environment", {}).items()}


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def services_sh_defaults() -> dict[str, int]:
    """The default ports of scripts/services.sh (RASA_PORT, ACTIONS_PORT, APP_PORT)."""
    text = (PROJECT_ROOT / "scripts" / "services.sh").read_text(encoding="utf-8")
    return {name: int(port) for name, port in re.findall(r'^(\w+_PORT)="\$\{\w+:-(\d+)\}"', text, re.M)}


@dataclass
class NginxBlock:
    """One directive of nginx.conf, with its block's directives when it opens one."""

    name: str
    args: list[str]
    children: list[NginxBlock] = field(default_factory=list)

    def find(self, name: str) -> list[NginxBlock]:
        """Every directive called `name` anywhere below this one."""
        found = []
        for child in self.children:
            if child.name == name:
                found.append(child)
            found += child.find(name)
        return found

    def value(self, name: str) -> list[str] | None:
        """The arguments of this block's own directive `name` (None when it has none)."""
        for child in self.children:
            if child.name == name:
                return child.args
        return None


def nginx_conf() -> NginxBlock:
    """deploy/nginx.conf as a tree of directives."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[{};]|[^\s{};]+', text)
    root = NginxBlock("", [])
    stack, words = [root], []
    for token in tokens:
        if token == ";":
            stack[-1].children.append(NginxBlock(words[0], words[1:]))
            words = []
        elif token == "{":
            block = NginxBlock(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token.strip("\"'"))
    assert len(stack) == 1 and not words, "nginx.conf: unbalanced braces"
    return root


def nginx_size(value: str) -> int:
    """An nginx size ("16k", "200m", "1024") in bytes."""
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit.lower()]


@dataclass
class Stage:
    """One stage of the Dockerfile."""

    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def dockerfile_stages() -> dict[str, Stage]:
    """The Dockerfile's stages by name (continuation lines joined; ARGs before FROM resolved)."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [
        line for line in text.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")
    ]
    global_args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            base, _, name = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m[1], m[0]), rest).partition(
                " AS "
            )
            current = stages[name.strip()] = Stage(base.strip())
        elif current is None:
            assert keyword == "ARG", line
            key, _, default = rest.partition("=")
            global_args[key] = default
        else:
            current.instructions.append((keyword, rest))
    return stages


def stage_chain(name: str) -> list[Stage]:
    """The stage `name` and the stages it is built FROM, base first."""
    stages = dockerfile_stages()
    chain = [stages[name]]
    while chain[0].base in stages:
        chain.insert(0, stages[chain[0].base])
    return chain


def image_instructions(target: str, keyword: str) -> list[str]:
    """Every `keyword` instruction that shapes the image `target` (its own and its bases')."""
    return [rest for stage in stage_chain(target) for kw, rest in stage.instructions if kw == keyword]


def image_env(target: str) -> dict[str, str]:
    """The ENV of the image `target`, as written."""
    env: dict[str, str] = {}
    for rest in image_instructions(target, "ENV"):
        for item in shlex.split(rest):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def copy_sources(target: str) -> list[str]:
    """Paths the build context gives the image `target` (COPY without --from), in its own stages."""
    sources = []
    for stage in stage_chain(target):
        for keyword, rest in stage.instructions:
            if keyword == "COPY" and "--from=" not in rest:
                words = [w for w in rest.split() if not w.startswith("--")]
                sources += words[:-1]
    return sources


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative, a file or folder) out of the build context."""
    patterns = [
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path.rstrip("/")).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        assert not pattern.startswith("!"), "exceptions are not modelled here"
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


# --------------------------------------------------------------------------------------------- #
# What the code reads
# --------------------------------------------------------------------------------------------- #

#: Where the deployed code lives (what the images copy), plus the scripts and the Rasa config files.
CODE_DIRS = ("bot", "connectors", "vntext", "actions", "app", "knowledge_base")


def code_env_names() -> set[str]:
    """Environment variable names our code reads: quoted in Python, $NAME in shell, ${NAME} in YAML,
    and the fields of the app environment's pydantic settings (read by name, case-insensitively)."""
    names: set[str] = set()
    for folder in CODE_DIRS:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"[\"']([A-Z][A-Z0-9_]{2,})[\"']", path.read_text(encoding="utf-8")))
    for path in (PROJECT_ROOT / "scripts").glob("*.sh"):
        names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]{2,})", path.read_text(encoding="utf-8")))
    for path in (PROJECT_ROOT / "endpoints.yml", PROJECT_ROOT / "credentials.yml"):
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]{2,})\}", path.read_text(encoding="utf-8")))
    return names | settings_env_names()


def settings_env_names() -> set[str]:
    """The names pydantic-settings reads for the app environment's settings classes."""
    from pydantic import AliasChoices
    from pydantic_settings import BaseSettings

    import app.main  # noqa: F401
    import knowledge_base.retention  # noqa: F401

    names: set[str] = set()
    pending = list(BaseSettings.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if not cls.__module__.startswith(("knowledge_base.", "actions.", "app.")):
            continue
        assert cls.model_config.get("env_prefix", "") == "", cls
        for field_name, info in cls.model_fields.items():
            names.add(field_name.upper())
            if isinstance(info.validation_alias, AliasChoices):
                names |= {str(choice).upper() for choice in info.validation_alias.choices}
    return names


def library_reads(name: str) -> str | None:
    """Which installed library reads `name` (None when none does), checked in its source."""
    checks: list[tuple[str, Path, str]] = [
        ("rasa", BOT_SITE / "rasa", name),
        ("rasa_sdk", Path(importlib.util.find_spec("rasa_sdk").origin).parent, name),  # type: ignore[arg-type]
        ("uvicorn", Path(importlib.util.find_spec("uvicorn").origin).parent, name),  # type: ignore[arg-type]
    ]
    if name.startswith("SANIC_"):
        # Sanic loads every SANIC_<KEY> of the environment into its config: KEY must be a setting.
        key = f'"{name.removeprefix("SANIC_")}"'
        checks += [
            ("sanic (Rasa)", BOT_SITE / "sanic" / "config.py", key),
            (
                "sanic (action server)",
                Path(importlib.util.find_spec("sanic").origin).parent / "config.py",
                key,
            ),  # type: ignore[arg-type]
        ]
    for library, where, needle in checks:
        files = [where] if where.is_file() else list(where.rglob("*.py")) if where.is_dir() else []
        if any(needle in path.read_text(encoding="utf-8", errors="replace") for path in files):
            return library
    return None


# --------------------------------------------------------------------------------------------- #
# Static checks
# --------------------------------------------------------------------------------------------- #


def test_every_manifest_parses_and_names_its_namespace() -> None:
    files = sorted(DEPLOY.rglob("*.yml")) + sorted(DEPLOY.rglob("*.yaml"))
    assert {p.name for p in files} >= {"docker-compose.yml", "31-rasa.yaml", "50-ingress.yaml"}
    for path in files:
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        assert documents, path
    kinds = {(d["kind"], d["metadata"]["name"]) for d in k8s_documents()}
    assert kinds >= {
        ("Namespace", "tthc"),
        ("ConfigMap", "tthc-config"),
        ("Job", "tthc-migrate"),
        ("CronJob", "tthc-retention"),
        ("Deployment", "rasa"),
        ("Deployment", "actions"),
        ("Deployment", "app"),
        ("Service", "rasa"),
        ("Service", "actions"),
        ("Service", "app"),
        ("Ingress", "tthc-webhooks"),
        ("NetworkPolicy", "actions-from-rasa-only"),
    }
    for document in k8s_documents():
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "tthc", document["metadata"]["name"]
    # `kubectl apply -f deploy/k8s/` applies files in name order: the namespace must come first.
    assert sorted(p.name for p in K8S.glob("*.yaml"))[0] == "00-namespace.yaml"


def test_ports_match_the_scripts() -> None:
    ports = services_sh_defaults()
    assert ports == {"RASA_PORT": 5005, "ACTIONS_PORT": 5055, "APP_PORT": 8000}
    by_workload = {"rasa": ports["RASA_PORT"], "actions": ports["ACTIONS_PORT"], "app": ports["APP_PORT"]}
    for workload, port in by_workload.items():
        container = workload_container(workload)
        assert [p["containerPort"] for p in container["ports"]] == [port], workload
        service = k8s_object("Service", workload)
        assert [p["port"] for p in service["spec"]["ports"]] == [port], workload
        command = container.get("command", [])
        if "--port" in command:
            assert command[command.index("--port") + 1] == str(port), workload
        for name in COMPOSE_NAMES[workload]:
            compose_service = compose()["services"][name]
            assert compose_service["expose"] == [str(port)], name
            assert f"127.0.0.1:{port}/" in " ".join(compose_service["healthcheck"]["test"]), name
            compose_command = compose_service.get("command", [])
            if "--port" in compose_command:
                assert compose_command[compose_command.index("--port") + 1] == str(port), name
    assert f'"${{RASA_PORT:-{ports["RASA_PORT"]}}}"' in (DEPLOY / "docker" / "rasa-start.sh").read_text()
    assert urlsplit(config_map()["ACTION_SERVER_URL"]).port == ports["ACTIONS_PORT"]
    assert urlsplit(config_map()["RASA_URL"]).port == ports["RASA_PORT"]
    assert urlsplit(compose_env("rasa-1")["ACTION_SERVER_URL"]).port == ports["ACTIONS_PORT"]
    assert urlsplit(compose_env("app")["RASA_URL"]).port == ports["RASA_PORT"]
    assert image_instructions("rasa", "EXPOSE") == [str(ports["RASA_PORT"])]
    assert image_instructions("app", "EXPOSE") == [f"{ports['ACTIONS_PORT']} {ports['APP_PORT']}"]
    upstreams = {b.args[0]: [s.args[0] for s in b.find("server")] for b in nginx_conf().find("upstream")}
    assert upstreams == {"rasa": ["rasa-1:5005", "rasa-2:5005"], "app": ["app:8000"]}


def test_commands_name_modules_and_files_that_exist() -> None:
    # The app: `uvicorn app.main:app`, as scripts/services.sh and tests/servers.py start it.
    from fastapi import FastAPI

    import app.main

    app_command = ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    assert workload_container("app")["command"] == app_command
    assert compose()["services"]["app"]["command"] == app_command
    assert [json.loads(cmd) for cmd in image_instructions("app", "CMD")] == [app_command]
    assert isinstance(app.main.app, FastAPI)
    assert "app.main:app" in (PROJECT_ROOT / "scripts" / "services.sh").read_text()
    # The action server: `python -m rasa_sdk --actions actions`.
    actions_command = ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
    assert workload_container("actions")["command"] == actions_command
    assert compose()["services"]["actions"]["command"] == actions_command
    assert importlib.util.find_spec("rasa_sdk") is not None
    assert (PROJECT_ROOT / "actions" / "__init__.py").is_file()
    assert "-m rasa_sdk --actions actions" in (PROJECT_ROOT / "scripts" / "services.sh").read_text()
    # The knowledge base's command line: the migrate Job and the retention CronJob.
    assert workload_container("migrate")["command"] == ["python", "-m", "knowledge_base", "setup"]
    assert compose()["services"]["migrate"]["command"] == ["python", "-m", "knowledge_base", "setup"]
    retention = ["python", "-m", "knowledge_base", "retention", "--days", "90"]
    assert workload_container("retention")["command"] == retention
    assert compose()["services"]["retention"]["command"] == retention
    assert k8s_object("CronJob", "tthc-retention")["spec"]["schedule"].split()[2:] == ["*", "*", "*"]  # daily
    for command in (["setup"], ["retention", "--days", "90"]):
        help_run = subprocess.run(
            [sys.executable, "-m", "knowledge_base", command[0], "--help"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert help_run.returncode == 0, help_run.stderr
        for option in command[1:]:
            if option.startswith("--"):
                assert option in help_run.stdout
    # The Rasa server: the image's script runs what scripts/services.sh's start_rasa runs: `rasa run`
    # through bot/serve.py, which takes the API's secret from the environment, never from argv.
    script = (DEPLOY / "docker" / "rasa-start.sh").read_text(encoding="utf-8")
    services = (PROJECT_ROOT / "scripts" / "services.sh").read_text(encoding="utf-8")
    for flag in (
        "-m bot.serve run",
        "--model",
        "--credentials credentials.yml",
        "--endpoints endpoints.yml",
        "--enable-api",
        "--jwt-method HS256",
    ):
        assert flag in script and flag in services, flag
    commands = [
        line for text in (script, services) for line in text.splitlines() if not line.lstrip().startswith("#")
    ]
    for secret_on_argv in ("--jwt-secret", "--auth-token"):
        assert not [line for line in commands if secret_on_argv in line], secret_on_argv
    assert (PROJECT_ROOT / "bot" / "serve.py").is_file() and "bot/" in copy_sources("rasa")
    assert (PROJECT_ROOT / "credentials.yml").is_file() and (PROJECT_ROOT / "endpoints.yml").is_file()
    assert subprocess.run(["sh", "-n", str(DEPLOY / "docker" / "rasa-start.sh")]).returncode == 0
    assert image_instructions("rasa", "CMD") == ['["tthc-rasa-start"]']
    assert any(
        "deploy/docker/rasa-start.sh /usr/local/bin/tthc-rasa-start" in c
        for c in image_instructions("rasa", "COPY")
    )
    # Every class credentials.yml and endpoints.yml load is in a package the rasa image copies.
    rasa_sources = {source.rstrip("/") for source in copy_sources("rasa")}
    config_text = (PROJECT_ROOT / "credentials.yml").read_text() + (
        PROJECT_ROOT / "endpoints.yml"
    ).read_text()
    modules = set(re.findall(r"^([a-z_]+)\.[\w.]+:", config_text, re.M))
    modules |= set(re.findall(r"type:\s*([a-z_]+)\.", config_text))
    assert modules >= {"connectors", "bot"}
    assert modules <= rasa_sources, modules - rasa_sources


def first_party_imports(folder: str) -> set[str]:
    """Top-level first-party packages the Python files under `folder` import."""
    first_party = {p.name for p in PROJECT_ROOT.iterdir() if (p / "__init__.py").is_file()}
    found: set[str] = set()
    for path in (PROJECT_ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found & first_party


def test_images_hold_what_their_code_needs_and_nothing_secret() -> None:
    stages = dockerfile_stages()
    assert {"rasa", "app", "model-copied", "model-trained"} <= set(stages)
    assert stages["base"].base.startswith("python:3.10")
    for target, packages in {
        "rasa": ("bot", "connectors", "vntext"),
        "app": ("actions", "app", "knowledge_base"),
    }.items():
        sources = {source.rstrip("/") for source in copy_sources(target)}
        needed = set(packages)
        for package in packages:
            needed |= first_party_imports(package)
        assert needed <= sources, (target, needed - sources)
        assert image_env(target)["RASA_TELEMETRY_ENABLED"] == "false"
        user = image_instructions(target, "USER")[-1]
        assert re.fullmatch(r"[1-9]\d+:[1-9]\d+", user), user  # numeric, not root
        assert not any(SECRET_NAME.search(name) for name in image_env(target)), image_env(target)
        assert not [a for a in image_instructions(target, "ARG") if SECRET_NAME.search(a.split("=")[0])]
    # The environments are installed with the uv `make setup` uses.
    makefile_uv = re.search(r"^UV_VERSION := (\S+)$", (PROJECT_ROOT / "Makefile").read_text(), re.M)
    assert [a for a in image_instructions("bot-env", "ARG") if a.startswith("UV_VERSION=")] == [
        f"UV_VERSION={makefile_uv[1]}"  # type: ignore[index]
    ]
    assert "requirements/bot.txt" in copy_sources("bot-env") and "requirements/app.txt" in copy_sources(
        "app-env"
    )
    # The trained model comes from the same script `make model` runs; the copied one from models/.
    assert any(
        "scripts/train_model.sh" in rest for kw, rest in stages["model-trained"].instructions if kw == "RUN"
    )
    assert "models/" in copy_sources("model-copied")
    # Everything the build copies exists and is not kept out of the context by .dockerignore.
    for target in ("rasa", "app", "model-trained", "model-copied", "bot-env", "app-env"):
        for source in copy_sources(target):
            if source == "models/":
                continue  # made by `make model`, not committed
            assert (PROJECT_ROOT / source).exists(), source
            assert not dockerignored(source), source
    for kept_out in (".venv", ".venv-bot", "var", ".git", "deploy/.env", "tests", "bot/__pycache__"):
        assert dockerignored(kept_out), kept_out
    # The pods run as the image's user.
    uid = int(image_instructions("app", "USER")[-1].split(":")[0])
    for workload in K8S_NAMES:
        assert pod_spec(k8s_object(*K8S_NAMES[workload]))["securityContext"]["runAsUser"] == uid


def test_every_env_name_in_the_manifests_is_read_by_the_code() -> None:
    names: dict[str, str] = {}
    for service, spec in compose_services_built_here().items():
        names |= {name: f"compose {service}" for name in spec.get("environment", {})}
    names |= {name: "ConfigMap" for name in config_map()}
    for workload in K8S_NAMES:
        for entry in workload_container(workload).get("env", []):
            names[entry["name"]] = f"k8s {workload}"
            if "valueFrom" in entry:
                names[entry["valueFrom"]["secretKeyRef"]["key"]] = "Secret"
    names |= {name: "k8s/secrets.env.example" for name in env_file(K8S / "secrets.env.example")}
    code = code_env_names()
    unread = {
        name: where for name, where in names.items() if name not in code and library_reads(name) is None
    }
    assert not unread, f"set in deploy/ but read by nothing: {unread}"
    # The compose file's own variables are exactly those deploy/.env.example documents.
    text = re.sub(r"(?m)^\s*#.*$", "", (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
    assert set(env_file(DEPLOY / ".env.example")) == interpolated
    for number, line in enumerate(example):
        if re.match(r"[A-Z]", line):
            above = next(prev for prev in reversed(example[:number]) if not re.match(r"[A-Z]", prev))
            assert above.startswith("#"), f".env.example: {line.split('=')[0]} is not documented"


def test_every_required_prod_secret_and_setting_is_provided_from_the_secret_store() -> None:
    secret_template = env_file(K8S / "secrets.env.example")
    compose_example = env_file(DEPLOY / ".env.example")
    code = code_env_names()
    for workload, needed in REQUIRED_SECRETS.items():
        assert needed <= code, needed - code
        container = workload_container(workload)
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"] for e in container.get("env", []) if "valueFrom" in e
        }
        environment = k8s_env(workload, {key: "x" for key in secret_template})
        assert REQUIRED_SETTINGS[workload] <= set(environment), (
            workload,
            REQUIRED_SETTINGS[workload] - set(environment),
        )
        assert environment["PROFILE"] == "prod"
        for name in needed:
            assert name in refs and refs[name]["key"] == name and not refs[name].get("optional"), (
                workload,
                name,
            )
            assert secret_template[name] == "", name  # empty: refused in prod until someone sets it
        for service in COMPOSE_NAMES[workload]:
            environment = compose_env(service)
            assert REQUIRED_SETTINGS[workload] | needed <= set(environment), (service, environment.keys())
            assert environment["PROFILE"] == "prod"
            for name in needed:
                # Required from the env file: compose stops when it is empty or unset.
                required = re.findall(r"\$\{([A-Z_]+):\?", environment[name])
                assert required, (service, name)
                assert all(compose_example[var] == "" for var in required), (service, name)
    # The Secret template lists exactly the keys the manifests take from the Secret.
    keys = {
        entry["valueFrom"]["secretKeyRef"]["key"]
        for workload in K8S_NAMES
        for entry in workload_container(workload).get("env", [])
        if "valueFrom" in entry
    }
    assert keys == set(secret_template)


def test_no_literal_secret_anywhere_in_deploy() -> None:
    files = [p for p in DEPLOY.rglob("*") if p.is_file()] + [PROJECT_ROOT / ".dockerignore"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not LITERAL_SECRET.findall(text), (path, LITERAL_SECRET.findall(text))
    assert not [d for d in k8s_documents() if d["kind"] == "Secret"], "the Secret is made from an env file"
    assert not [name for name in config_map() if SECRET_NAME.search(name)]
    for workload in K8S_NAMES:
        for entry in workload_container(workload).get("env", []):
            if SECRET_NAME.search(entry["name"]):
                assert "secretKeyRef" in entry.get("valueFrom", {}), (workload, entry["name"])
    for name, service in compose()["services"].items():
        for key, value in service.get("environment", {}).items():
            if SECRET_NAME.search(key):
                # Only interpolations of variables from deploy/.env, never a value.
                literal = re.sub(r"\$\{[A-Z_]+(:[?-][^}]*)?\}", "", str(value))
                assert not re.search(r"[:@]?[A-Za-z0-9]{8,}@", literal), (name, key)
                assert "${" in str(value), (name, key)
    for template in (DEPLOY / ".env.example", K8S / "secrets.env.example"):
        for key, value in env_file(template).items():
            if SECRET_NAME.search(key):
                assert value == "", (template.name, key)


def test_probes_resources_and_security_on_every_workload() -> None:
    for workload in ("rasa", "actions", "app"):
        container = workload_container(workload)
        port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            get = container[probe]["httpGet"]
            assert get["path"].startswith("/") and get["port"] in port_names, (workload, probe)
    rasa = workload_container("rasa")
    # Loading the model takes 30-60 s: liveness must not kill it before it is up.
    startup = rasa["startupProbe"]
    assert startup["httpGet"]["path"] == "/" and startup["periodSeconds"] * startup["failureThreshold"] >= 120
    for workload in K8S_NAMES:
        spec = pod_spec(k8s_object(*K8S_NAMES[workload]))
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            resources = container["resources"]
            assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}, workload
            security = container["securityContext"]
            assert (
                security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
            )
            assert security["capabilities"]["drop"] == ["ALL"]
            assert "/tmp" in {m["mountPath"] for m in container.get("volumeMounts", [])}, workload
    # Rasa holds ~1.1 GB with the model loaded (make bench): limit 2Gi, request above that.
    assert rasa["resources"]["limits"]["memory"] == "2Gi"
    assert int(rasa["resources"]["requests"]["memory"].removesuffix("Mi")) >= 1126
    for name, service in compose()["services"].items():
        limits = service["deploy"]["resources"]["limits"]
        assert set(limits) == {"cpus", "memory"}, name
        if name not in ("migrate", "retention"):
            assert service["healthcheck"]["test"], name
    for name in COMPOSE_NAMES["rasa"]:
        assert compose()["services"][name]["deploy"]["resources"]["limits"]["memory"] == "2g"
        assert compose()["services"][name]["healthcheck"]["start_period"] in ("120s", "180s", "240s")


def test_replicas_and_what_is_public() -> None:
    for workload in ("rasa", "actions", "app"):
        assert k8s_object("Deployment", workload)["spec"]["replicas"] >= 2, workload
    services = compose()["services"]
    rasa_services = [n for n, s in compose_services_built_here().items() if s["build"]["target"] == "rasa"]
    assert sum(services[n].get("deploy", {}).get("replicas", 1) for n in rasa_services) >= 2
    assert services["actions"]["deploy"]["replicas"] >= 2
    # Compose: only nginx is published, and nginx shares no network with the action server.
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]
    assert not set(services["nginx"]["networks"]) & set(services["actions"]["networks"])
    for name in ("postgres", "redis", "actions", "migrate", "retention"):
        assert set(services[name]["networks"]) == {"backend"}, name
    # Kubernetes: ClusterIP Services only; the Ingress routes the channels' public routes (Exact
    # paths) to Rasa and the rest to the app.
    for service in (d for d in k8s_documents() if d["kind"] == "Service"):
        assert service["spec"]["type"] == "ClusterIP", service["metadata"]["name"]
    routes = {
        path["path"]: (path["pathType"], path["backend"]["service"]["name"])
        for ingress in (d for d in k8s_documents() if d["kind"] == "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routes == {path: ("Exact", "rasa") for path in PUBLIC_WEBHOOK_PATHS} | {
        "/": ("Prefix", "app"),
        "/api/staff/v1/": ("Prefix", "app"),
        "/api/staff/v1/imports": ("Exact", "app"),
    }
    policies = {d["metadata"]["name"]: d["spec"] for d in k8s_documents() if d["kind"] == "NetworkPolicy"}
    assert policies["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    actions_policies = [
        spec
        for spec in policies.values()
        if spec["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") == "actions"
    ]
    assert actions_policies == [
        {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "actions"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "rasa"}}}],
                    "ports": [{"port": 5055, "protocol": "TCP"}],
                }
            ],
        }
    ]


def test_nginx_routes_webhooks_to_the_rasa_replicas_and_limits_bodies_like_the_channels() -> None:
    conf = nginx_conf()
    http = conf.find("http")[0]
    servers = [block for block in http.children if block.name == "server" and block.children]
    tls = [s for s in servers if s.value("listen") and "ssl" in s.value("listen")]  # type: ignore[operator]
    assert len(tls) == 1
    locations = {tuple(b.args): b for b in tls[0].children if b.name == "location"}
    # The channels' public routes, each an exact location forwarded as its own path; nothing else under
    # /webhooks/, and none of the Rasa HTTP API's paths, is forwarded anywhere.
    for path in PUBLIC_WEBHOOK_PATHS:
        assert locations[("=", path)].value("proxy_pass") == [f"http://rasa{path}"], path
    assert locations[("/webhooks/",)].value("return") == ["404"]
    assert locations[("/webhooks/",)].value("proxy_pass") is None
    blocked = locations[("~", "^/(conversations|model|status|version|domain)(/|$)")]
    assert blocked.value("return") == ["404"]
    assert locations[("/",)].value("proxy_pass") == ["http://app"]
    # Encoded slashes and dot segments are refused before any location is chosen.
    refusals = [b for b in tls[0].children if b.name == "if"]
    assert len(refusals) == 1 and refusals[0].args[:2] == ["($request_uri", "~*"]
    assert refusals[0].value("return") == ["400"]
    # The Rasa upstream is reached from those routes only; nothing proxies to the action server.
    passes = [(tuple(b.args), b.value("proxy_pass")) for b in tls[0].children if b.name == "location"]
    assert sorted(
        args[1] for args, target in passes if target and target[0].startswith("http://rasa")
    ) == sorted(PUBLIC_WEBHOOK_PATHS)
    assert "5055" not in (DEPLOY / "nginx.conf").read_text() and "actions" not in {
        b.args[0] for b in conf.find("upstream")
    }
    # Plain http only redirects (and answers nginx's own healthcheck).
    plain = [s for s in servers if s not in tls]
    assert [loc.value("return") for loc in plain[0].children if loc.name == "location"] == [
        ["200", "ok\\n"],
        ["301", "https://$host$request_uri"],
    ]
    # Body size: the channels' MAX_BODY_BYTES everywhere in front of Rasa.
    max_body = int(compose_env("rasa-1")["MAX_BODY_BYTES"])
    assert max_body == int(config_map()["MAX_BODY_BYTES"]) == 16384
    limits_py = (PROJECT_ROOT / "connectors" / "limits.py").read_text(encoding="utf-8")
    assert re.search(r"^DEFAULT_MAX_BODY_BYTES = 16 \* 1024$", limits_py, re.M)
    assert nginx_size(http.value("client_max_body_size")[0]) == max_body  # type: ignore[index]
    for path in PUBLIC_WEBHOOK_PATHS:  # the http block's limit, not raised
        assert locations[("=", path)].value("client_max_body_size") is None, path
    annotations = k8s_object("Ingress", "tthc-webhooks")["metadata"]["annotations"]
    assert nginx_size(annotations["nginx.ingress.kubernetes.io/proxy-body-size"]) == max_body
    # The app's paths: its own limits (APP_ANONYMOUS_BODY_BYTES; APP_STAFF_BODY_BYTES on the staff
    # API), and STAFF_IMPORT_MAX_MB on the national-file import alone, in nginx and in the Ingress.
    from knowledge_base.settings import Settings

    fields = Settings.model_fields
    anonymous, staff = fields["app_anonymous_body_bytes"].default, fields["app_staff_body_bytes"].default
    import_mb = int(fields["staff_import_max_mb"].default)
    assert int(config_map()["STAFF_IMPORT_MAX_MB"]) == import_mb
    assert compose_env("app")["STAFF_IMPORT_MAX_MB"] == str(import_mb)
    expected = {
        ("/",): anonymous,
        ("/api/staff/v1/",): staff,
        ("=", "/api/staff/v1/imports"): import_mb << 20,
    }
    ingresses = {
        ("/",): "tthc-app",
        ("/api/staff/v1/",): "tthc-staff-api",
        ("=", "/api/staff/v1/imports"): "tthc-import",
    }
    for location, size in expected.items():
        assert locations[location].value("proxy_pass") == ["http://app"], location
        assert nginx_size(locations[location].value("client_max_body_size")[0]) == size, location  # type: ignore[index]
        annotations = k8s_object("Ingress", ingresses[location])["metadata"]["annotations"]
        assert nginx_size(annotations["nginx.ingress.kubernetes.io/proxy-body-size"]) == size, location
    # The client address: replaced (never appended), one proxy for Sanic; the app trusts the header
    # from the proxy's address only (never "*").
    assert ["X-Forwarded-For", "$remote_addr"] in [d.args for d in http.find("proxy_set_header")]
    assert compose_env("rasa-1")["SANIC_PROXIES_COUNT"] == config_map()["SANIC_PROXIES_COUNT"] == "1"
    nginx_address = compose()["services"]["nginx"]["networks"]["frontend"]["ipv4_address"]
    assert compose_env("app")["FORWARDED_ALLOW_IPS"] == nginx_address == "${NGINX_ADDRESS:-172.30.80.10}"
    assert (
        nginx_address.removeprefix("${NGINX_ADDRESS:-").rstrip("}")
        == env_file(DEPLOY / ".env.example")["NGINX_ADDRESS"]
    )
    assert "*" not in config_map()["FORWARDED_ALLOW_IPS"]
    # Deadlines for slow clients (the servers behind have none for a whole header).
    for directive, most in (
        ("client_header_timeout", 15),
        ("client_body_timeout", 15),
        ("keepalive_timeout", 30),
    ):
        value = http.value(directive)
        assert value and int(value[0].removesuffix("s")) <= most, directive
    for env in (compose_env("rasa-1"), compose_env("actions"), config_map()):
        assert 0 < int(env["SANIC_REQUEST_TIMEOUT"]) <= 30


# --------------------------------------------------------------------------------------------- #
# The real servers, started as the manifests start them
# --------------------------------------------------------------------------------------------- #


@dataclass
class Backing:
    """The database (and Redis) the servers run on."""

    database_url: str
    redis_url: str | None

    @property
    def prod(self) -> bool:
        """PostgreSQL and Redis: the production profile as deployed."""
        return self.redis_url is not None


@pytest.fixture(scope="module")
def backing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backing]:
    """A fresh, empty database of our own: PostgreSQL + Redis when the test servers are there (CI),
    else a SQLite file (the local profile; the probes are the same)."""
    postgres, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not (postgres and redis_url):
        yield Backing(f"sqlite:///{tmp_path_factory.mktemp('deploy-db') / 'tthc.db'}", None)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tthc_deploy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Backing(make_url(postgres).set(database=name).render_as_string(hide_password=False), redis_url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_env(target: str, manifest_env: dict[str, str], home: Path) -> dict[str, str]:
    """The process environment of a container: the image's ENV, then the manifest's, on this machine
    (the image's /app is the repository, its HOME a temporary folder)."""
    env = {"LANG": os.environ.get("LANG", "C.UTF-8"), "PATH": os.environ["PATH"]}
    for key, value in image_env(target).items():
        env[key] = value.replace("$PATH", env["PATH"]).replace("/app/", f"{PROJECT_ROOT}/")
    env["HOME"] = str(home)
    env |= manifest_env
    if "ZALO_TOKEN_FILE" in env:
        env["ZALO_TOKEN_FILE"] = str(home / "zalo_tokens.json")
    return env


@pytest.mark.conversation
def test_probe_paths_answer_on_the_servers_started_as_the_manifests_start_them(
    backing: Backing, tmp_path: Path
) -> None:
    secret_values = {
        "DATABASE_URL": backing.database_url,
        "RASA_JWT_SECRET": secrets.token_hex(32),
        "WEB_SESSION_SECRET": secrets.token_hex(32),
        "ANALYTICS_HASH_KEY": secrets.token_hex(32),
        "ACTION_SERVER_TOKEN": secrets.token_hex(32),
        # Empty without Redis: the stores and limiters then keep to the process (not in prod).
        "REDIS_URL": backing.redis_url or "",
    }
    ports = {5005: free_port(), 5055: free_port(), 8000: free_port()}
    local = {port: f"http://127.0.0.1:{free}" for port, free in ports.items()}

    def manifest_env(workload: str) -> dict[str, str]:
        env = k8s_env(workload, secret_values)
        if not backing.prod:
            env["PROFILE"] = "test"  # without PostgreSQL and Redis: the same servers, in-memory stores
        return env

    def loopback(command: list[str]) -> list[str]:
        # The containers listen on 0.0.0.0:<port>; here: loopback, a free port.
        mapped = {"0.0.0.0": "127.0.0.1"} | {str(port): str(free) for port, free in ports.items()}
        return [mapped.get(word, word) for word in command]

    # The three servers: the images' and Deployments' commands and environments.
    actions_env = manifest_env("actions") | {"SANIC_HOST": "127.0.0.1"}
    rasa_env = manifest_env("rasa") | {
        "ACTION_SERVER_URL": f"{local[5055]}/webhook",
        "RASA_PORT": str(ports[5005]),
        "RASA_INTERFACE": "127.0.0.1",
        # Every test request comes from 127.0.0.1, and other test runs count that address in the same
        # Redis: the per-address limit is not what this test is about.
        "RATE_LIMIT_IP_PER_MINUTE": "0",
        # The prod profile turns the REST channel off; this test talks through it as a server-side
        # client would (connectors/rest.py): on, with a token.
        "REST_CHANNEL_ENABLED": "true",
        "REST_CHANNEL_TOKEN": secrets.token_hex(32),
    }
    app_env = manifest_env("app") | {"RASA_URL": local[5005]}
    assert app_env["RASA_JWT_SECRET"] == rasa_env["RASA_JWT_SECRET"]  # the same Secret key
    commands = {
        5005: (["sh", str(DEPLOY / "docker" / "rasa-start.sh")], run_env("rasa", rasa_env, tmp_path)),
        5055: (loopback(workload_container("actions")["command"]), run_env("app", actions_env, tmp_path)),
        8000: (loopback(workload_container("app")["command"]), run_env("app", app_env, tmp_path)),
    }
    processes: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(port: int) -> None:
        command, env = commands[port]
        with (tmp_path / f"{port}.log").open("wb") as log:
            processes[port] = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    try:
        # 1. The Rasa server needs no schema (its tracker store makes its own table) and takes longest
        # to start: it loads its model while the migrate Job's command, with the Job's environment,
        # migrates and seeds the empty database. Then the action server and the app.
        spawn(5005)
        migrate = subprocess.run(
            workload_container("migrate")["command"],
            cwd=PROJECT_ROOT,
            env=run_env("app", manifest_env("migrate"), tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        assert int(re.search(r"Database ready: (\d+) added", migrate.stdout)[1]) > 2000  # type: ignore[index]
        spawn(5055)
        spawn(8000)
        # 2. Up: as the readiness probes and `scripts/run.sh` wait for them.
        for port, timeout in ((5055, 60), (8000, 60), (5005, 240)):
            path = "/" if port == 5005 else "/health"
            wait_http(f"{local[port]}{path}", processes[port], tmp_path / f"{port}.log", timeout)

        # No secret is on a command line (/proc/<pid>/cmdline is readable by every local user): the
        # Rasa server takes its API key from the environment (bot/serve.py).
        for port, process in processes.items():
            cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode("utf-8", "replace")
            for name, value in secret_values.items():
                assert not value or value not in cmdline, (port, name)

        # 3. Every probe of every Deployment, and every compose healthcheck, answers 2xx.
        checked = []
        for workload in ("rasa", "actions", "app"):
            container = workload_container(workload)
            port = container["ports"][0]["containerPort"]
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe in container:
                    url = f"{local[port]}{container[probe]['httpGet']['path']}"
                    assert httpx.get(url, timeout=10).status_code // 100 == 2, (workload, probe, url)
                    checked.append(url)
        for name, service in compose_services_built_here().items():
            if "healthcheck" in service:
                found = re.search(
                    r"http://127\.0\.0\.1:(\d+)(/\S*?)'", " ".join(service["healthcheck"]["test"])
                )
                assert found, name
                url = f"{local[int(found[1])]}{found[2]}"
                assert httpx.get(url, timeout=10).status_code // 100 == 2, (name, url)
                checked.append(url)
        assert len(checked) >= 9

        # 4. The deployed configuration works end to end: a citizen's message is answered (Rasa ->
        # action server -> database), the Rasa API refuses a call without the JWT and the app's
        # client, signing with the app's secret, reads the conversation.
        from app.rasa_client import RasaClient

        sender = f"deploy-{uuid.uuid4().hex}"
        answer = httpx.post(
            f"{local[5005]}/webhooks/rest/webhook",
            json={"sender": sender, "message": "Đăng ký khai sinh cần những giấy tờ gì?"},
            headers={"Authorization": f"Bearer {rasa_env['REST_CHANNEL_TOKEN']}"},
            timeout=60,
        )
        assert answer.status_code == 200
        assert "1.001193" in " ".join(m.get("text", "") for m in answer.json())
        assert httpx.get(f"{local[5005]}/conversations/{sender}/tracker", timeout=10).status_code == 401
        messages = RasaClient(local[5005], app_env["RASA_JWT_SECRET"]).conversation_messages(sender)
        assert [m.sender for m in messages][:2] == ["user", "bot"]
        if backing.prod:
            # The conversation is in PostgreSQL (the tracker store every replica shares).
            from sqlalchemy import create_engine, text

            engine = create_engine(backing.database_url)
            with engine.connect() as connection:
                stored = connection.execute(
                    text("SELECT count(*) FROM events WHERE sender_id = :sender"), {"sender": sender}
                ).scalar_one()
            engine.dispose()
            assert stored > 0

        # 5. The retention CronJob's command runs on this database (counting only).
        retention = subprocess.run(
            [*workload_container("retention")["command"], "--dry-run"],
            cwd=PROJECT_ROOT,
            env=run_env("app", manifest_env("retention"), tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert retention.returncode == 0, retention.stderr[-3000:]
        assert "would delete" in retention.stdout
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
