"""`make load`: the production profile under load on this machine — two Rasa replicas, PostgreSQL, Redis.

Starts what `make run PROFILE=prod` starts (two Rasa servers, each with its action server, the
tracker store in a fresh PostgreSQL database seeded like the knowledge base, locks in Redis), then
replays the bench's citizen conversations (bench/conversations.py) with each conversation's messages
alternating between the replicas, at rising numbers of citizens typing at once. For comparison the
same load runs against one replica. Prints, and writes bench/results/load.{json,md}:
sustained messages per second (answered ones only), latency percentiles, errors (a "busy" answer
counts as an error).

    make load                              # defaults: PostgreSQL and Redis on this machine
    LOAD_DATABASE_URL=postgresql+psycopg://user@host/db LOAD_REDIS_URL=redis://host:6379/3 make load
    LOAD_ARGS="--conversations 100 --concurrency 10 50" make load

The database named in LOAD_DATABASE_URL is only used to create (and afterwards drop) a scratch
database next to it; nothing in it is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import conversations, load
from bench.procs import ROOT, MemorySampler, Services, base_env
from bench.run import free_port, git_revision, machine_info

RESULTS = ROOT / "bench" / "results"
RASA = ROOT / ".venv-bot" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"


def scratch_database(admin_url: str) -> tuple[str, str]:
    """Create a scratch database next to `admin_url`'s, migrated and seeded; return (name, URL)."""
    from knowledge_base.maintenance import setup_database

    name = f"tthc_load_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    setup_database(url)
    return name, url


def drop_database(admin_url: str, name: str) -> None:
    """Drop the scratch database."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def start_replicas(services: Services, database_url: str, redis_url: str, replicas: int) -> list[str]:
    """Start `replicas` Rasa servers with an action server each, as `make run PROFILE=prod` does."""
    model = ROOT / (ROOT / "models" / "current").read_text().strip()
    urls: list[str] = []
    for index in range(replicas):
        actions_port, rasa_port = free_port(), free_port()
        env = base_env(
            PROFILE="prod",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            WEB_SESSION_SECRET=secrets.token_hex(32),
            ANALYTICS_HASH_KEY=secrets.token_hex(32),
            # The REST channel is off in prod unless enabled, then behind a bearer token
            # (bench/load.py sends REST_CHANNEL_TOKEN from this process's environment).
            REST_CHANNEL_ENABLED="true",
            REST_CHANNEL_TOKEN=os.environ.setdefault("REST_CHANNEL_TOKEN", secrets.token_hex(32)),
            SANIC_HOST="127.0.0.1",
            SANIC_KEEP_ALIVE_TIMEOUT="30",
            ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
            # One client address by design: the channels' abuse limits would refuse the load.
            RATE_LIMIT_SENDER_PER_MINUTE="0",
            RATE_LIMIT_IP_PER_MINUTE="0",
        )
        services.start(
            f"actions-{index}",
            [
                str(APP_PYTHON),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(actions_port),
                "--quiet",
            ],
            env,
        )
        services.start(
            f"rasa-{index}",
            [
                str(RASA),
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
                "--quiet",
            ],
            env,
        )
        urls.append(f"http://127.0.0.1:{rasa_port}")
    for index, url in enumerate(urls):
        services.wait_http(f"rasa-{index}", f"{url}/", 300)
    return urls


def run_phases(
    urls: Sequence[str], counts: Sequence[int], conversations_per_phase: int, label: str
) -> list[dict[str, Any]]:
    """Warm up, then one load phase per concurrency level; return the phases' summaries."""
    asyncio.run(
        load.conversation_load(
            urls,
            conversations.conversation_messages(8),
            concurrency=4,
            sender_prefix=f"warm-{label}-{uuid.uuid4().hex[:6]}",
        )
    )
    phases = []
    for concurrency in counts:
        result = asyncio.run(
            load.conversation_load(
                urls,
                conversations.conversation_messages(conversations_per_phase),
                concurrency=concurrency,
                sender_prefix=f"{label}-{concurrency}-{uuid.uuid4().hex[:6]}",
            )
        )
        summary = result.summary()
        summary["replicas"] = len(urls)
        phases.append(summary)
        print(
            f"  {len(urls)} replica(s), {concurrency:>3} citizens at once: {summary['per_s']:6.1f} msg/s, "
            f"p50 {summary.get('p50', 0):6.0f} ms, p95 {summary.get('p95', 0):6.0f} ms, "
            f"errors {summary['errors']}/{summary['requests']}",
            flush=True,
        )
    return phases


def markdown(report: dict[str, Any]) -> str:
    """The results as a Markdown table (for the README)."""
    lines = [
        f"Load test (`make load`), {report['date']}, {report['machine']['cores']} cores, "
        f"commit {report['git']}: PostgreSQL tracker store + Redis locks, "
        "each conversation alternating between replicas.",
        "",
        "| replicas | citizens at once | messages | answered msg/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in report["phases"]:
        lines.append(
            f"| {phase['replicas']} | {phase['concurrency']} | {phase['requests']} | {phase['per_s']:.1f} | "
            f"{phase.get('p50', 0):.0f} | {phase.get('p95', 0):.0f} | {phase.get('p99', 0):.0f} | "
            f"{phase['errors']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test; print and write the results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--conversations", type=int, default=200, help="conversations per phase (default 200)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[10, 50, 100],
        help="citizens typing at once, one phase each (default 10 50 100)",
    )
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas (default 2)")
    parser.add_argument("--no-single", action="store_true", help="skip the one-replica comparison")
    args = parser.parse_args(argv)

    admin_url = os.environ.get("LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")
    started = time.time()
    print("Creating a scratch PostgreSQL database ...", flush=True)
    name, database_url = scratch_database(admin_url)
    phases: list[dict[str, Any]] = []
    memory: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="tthc-load-") as logs:
            sampler = MemorySampler()
            sampler.start()
            with Services(Path(logs), sampler=sampler) as services:
                print(f"Starting {args.replicas} Rasa replicas (PROFILE=prod) ...", flush=True)
                urls = start_replicas(services, database_url, redis_url, args.replicas)
                phases += run_phases(urls, args.concurrency, args.conversations, "load")
                if not args.no_single and len(urls) > 1:
                    print("Same load on one replica (the other idle) for comparison ...", flush=True)
                    phases += run_phases(urls[:1], args.concurrency, args.conversations, "single")
                memory = services.memory_report()
            sampler.stop()
    finally:
        drop_database(admin_url, name)
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "git": git_revision(),
        "machine": machine_info(),
        "seconds": round(time.time() - started),
        "phases": phases,
        "memory": memory,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "load.md").write_text(markdown(report))
    print()
    print(markdown(report))
    print(f"Written: {RESULTS / 'load.json'}, {RESULTS / 'load.md'}")
    return 0 if all(phase["errors"] == 0 for phase in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
