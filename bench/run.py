"""Run every benchmark of issue 7 and write ``bench/results/latest.{json,md,png}`` (`make bench`).

Steps (app environment ``.venv``; the Rasa parts run as ``.venv-bot`` processes):

1. training time: a fresh ``rasa train`` of config.yml into a scratch folder with an empty Rasa
   cache, then the same for the stock pipeline (bench/config_stock.yml);
2. a fresh seeded SQLite database in a scratch folder (the assistant writes to it);
3. the action server, the app and the Rasa server with the production model (models/current),
   plus a second Rasa server with the stock model, all on free loopback ports, the Rasa servers
   with ``--enable-api --auth-token <random>``; their memory is sampled throughout;
4. the held-out NLU set parsed once by each Rasa server, alternating (latency at concurrency 1,
   intent accuracy with and without diacritics, ours against stock); then the stock server stops;
5. ``/model/parse`` at concurrency 10, the REST channel at 1, 10 and 50 concurrent conversations;
6. the knowledge base search in process over the labelled queries, and through the app's HTTP API;
7. optionally PhoATIS (``--phoatis DIR`` or ``PHOATIS_DIR``): bench/phoatis.py in ``.venv-bot``.

``--quick`` sends few requests and skips both trainings, the stock server and PhoATIS: for
developing the bench, never for figures. Exit status 0 when the run completed (missed targets are
reported, not failed), 1 when a step could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

from bench import conversations, heldout, load, micro, report
from bench.procs import ROOT, MemorySampler, Services, base_env
from bench.stats import ratio, summarize

RESULTS_DIR = ROOT / "bench" / "results"
BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"
RASA = ROOT / ".venv-bot" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
STOCK_CONFIG = ROOT / "bench" / "config_stock.yml"
#: The search limit the action server uses (actions/procedures.py).
SEARCH_LIMIT = 8

#: Requests per phase: (full run, --quick).
SIZES = {
    "heldout": (None, 60),  # None: the whole held-out set
    "parse_c10": (900, 100),
    "rest_c1": (40, 8),
    "rest_c10": (120, 20),
    "rest_c50": (250, 50),
    "kb_rounds": (3, 1),
}


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine_info() -> dict[str, Any]:
    """CPU model (from /proc/cpuinfo), cores, RAM, OS and Python of this machine."""
    cpu_model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "ram_gb": psutil.virtual_memory().total / 1e9,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def git_revision() -> str:
    """The repository's commit, with "+changes" when the working tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if dirty.strip() else "")


def train(config: Path, scratch: Path, name: str) -> dict[str, Any]:
    """Train a model from scratch (empty Rasa cache) and time it, exactly as scripts/train_model.sh does.

    Args:
        config: The pipeline configuration.
        scratch: The run's scratch folder (model, cache and log go below it).
        name: The model's file name (without .tar.gz).

    Returns:
        ``{"seconds", "ok", "model", "log"}`` (and ``error`` when training failed).
    """
    out = scratch / "models"
    out.mkdir(exist_ok=True)
    log = scratch / f"train-{name}.log"
    cache = scratch / f"rasa-cache-{name}"  # empty: nothing is reused from an earlier training
    cmd = [
        str(RASA),
        "train",
        "--config",
        str(config),
        "--domain",
        "domain.yml",
        "--data",
        "build/nlu_data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
        "--force",
        "--quiet",
    ]
    # Rasa trains on the augmented build of the hand-edited data, as scripts/train_model.sh does.
    subprocess.run(
        [
            str(BOT_PYTHON),
            str(ROOT / "scripts" / "augment_nlu.py"),
            "--src",
            "nlu_data",
            "--out",
            "build/nlu_data",
        ],
        cwd=ROOT,
        env=base_env(),
        check=True,
    )
    print(f"Training {name} ({config.relative_to(ROOT)}) ...", flush=True)
    started = time.perf_counter()
    with log.open("wb") as handle:
        completed = subprocess.run(
            cmd,
            cwd=ROOT,
            env=base_env(RASA_CACHE_DIRECTORY=str(cache)),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - started
    model = out / f"{name}.tar.gz"
    result: dict[str, Any] = {
        "seconds": seconds,
        "ok": completed.returncode == 0 and model.is_file(),
        "model": str(model),
        "log": str(log),
    }
    if not result["ok"]:
        result["error"] = log.read_text(errors="replace")[-2000:]
    print(f"  {'done' if result['ok'] else 'FAILED'} in {seconds:.0f} s", flush=True)
    shutil.rmtree(cache, ignore_errors=True)
    return result


def seeded_database(target: Path) -> str:
    """A fresh SQLite database, migrated and loaded with the shipped seed (as the tests build theirs).

    Fresh rather than a copy of var/tthc.db: the assistant writes to it during the run (staff inbox,
    answers, usage events), and var/ may lag behind the current migrations.
    """
    from knowledge_base.maintenance import setup_database

    url = f"sqlite:///{target}"
    print("Creating a seeded database ...", flush=True)
    setup_database(url)
    return url


def current_model() -> Path:
    """The production model `make model` points models/current at."""
    current = ROOT / "models" / "current"
    if not current.is_file():
        raise RuntimeError("No trained model: run `make model` (make bench does)")
    return ROOT / current.read_text().strip()


def start_services(
    services: Services, database_url: str, model: Path, stock_model: Path | None, token: str
) -> dict[str, str]:
    """Start the action server, the app, our Rasa server and (optionally) the stock one; wait for all.

    Returns:
        Service name -> base URL.
    """
    ports = {name: free_port() for name in ("actions", "app", "rasa", "rasa_stock")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = base_env(
        DATABASE_URL=database_url,
        SANIC_HOST="127.0.0.1",
        SANIC_KEEP_ALIVE_TIMEOUT="30",  # as scripts/services.sh
        ACTION_SERVER_URL=f"{urls['actions']}/webhook",
        # The load comes from one address by design: the channels' rate limits would refuse it.
        RATE_LIMIT_SENDER_PER_MINUTE="0",
        RATE_LIMIT_IP_PER_MINUTE="0",
    )
    # As `make run` starts them (scripts/services.sh), plus Rasa's HTTP API behind a random token.
    services.start(
        "actions",
        [
            str(APP_PYTHON),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(ports["actions"]),
            "--quiet",
        ],
        env,
    )
    services.start(
        "app",
        [
            str(APP_PYTHON),
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(ports["app"]),
            "--log-level",
            "warning",
        ],
        env,
    )

    def rasa(name: str, model_path: Path) -> None:
        services.start(
            name,
            [
                str(RASA),
                "run",
                "--model",
                str(model_path),
                "--interface",
                "127.0.0.1",
                "--port",
                str(ports[name]),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
                "--quiet",
                "--enable-api",
                "--auth-token",
                token,
            ],
            env,
        )

    rasa("rasa", model)
    if stock_model is not None:
        rasa("rasa_stock", stock_model)
    print("Starting the services ...", flush=True)
    for name, path, timeout in (
        ("actions", "/health", 120),
        ("app", "/health", 120),
        ("rasa", "/", 300),
        ("rasa_stock", "/", 300),
    ):
        if name in services.running:
            waited = services.wait_http(name, f"{urls[name]}{path}", timeout)
            print(f"  {name} up ({waited:.0f} s after the others)", flush=True)
    return urls


def with_cpu(services: Services, phase: Callable[[], load.LoadResult]) -> dict[str, Any]:
    """Run a load phase; add to its summary the CPU milliseconds each process spent per successful request.

    The bench's own process (the load generator, ``client``) is counted too: on a 2-core machine it
    competes with the servers, and the figures say how much.
    """
    me = psutil.Process()
    before, client_before = services.cpu_snapshot(), sum(me.cpu_times()[:2])
    summary = phase().summary()
    after, client_after = services.cpu_snapshot(), sum(me.cpu_times()[:2])
    if summary["n"]:
        cpu = {name: (after[name] - before[name]) * 1000 / summary["n"] for name in after if name in before}
        cpu["client"] = (client_after - client_before) * 1000 / summary["n"]
        summary["cpu_ms_per_request"] = cpu
    return summary


def warm_up(urls: dict[str, str], token: str, texts: Sequence[str], stock: bool) -> None:
    """First requests load lazy parts (TensorFlow graphs, the search index): keep them out of figures."""
    print("Warming up ...", flush=True)
    asyncio.run(load.parse_load(urls["rasa"], token, texts[:20], concurrency=1, total=20))
    if stock:
        asyncio.run(load.parse_load(urls["rasa_stock"], token, texts[:20], concurrency=1, total=20))
    asyncio.run(
        load.conversation_load(
            urls["rasa"],
            conversations.CONVERSATIONS,
            concurrency=1,
            sender_prefix=f"warmup-{secrets.token_hex(4)}",
        )
    )


def compare_with_stock(
    services: Services, urls: dict[str, str], token: str, examples: Sequence[heldout.Example]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Parse the held-out set on our server (and the stock one, if running), one request at a time.

    Returns:
        Our concurrency-1 latency summary, and the comparison (None without a stock server).
    """
    process = {"ours": "rasa", "stock": "rasa_stock"}
    servers = {name: urls[service] for name, service in process.items() if service in services.running}
    print(f"Parsing the held-out set ({len(examples)} examples) on {', '.join(servers)} ...", flush=True)
    before = services.cpu_snapshot()
    paired = asyncio.run(load.paired_parse(servers, token, [e.text for e in examples]))
    after = services.cpu_snapshot()
    summaries = {}
    for name, (result, _) in paired.items():
        summaries[name] = result.summary()
        if summaries[name]["n"]:
            cpu = (after[process[name]] - before[process[name]]) * 1000 / summaries[name]["n"]
            summaries[name]["cpu_ms_per_request"] = {process[name]: cpu}
    ours_latency = summaries["ours"]
    if "stock" not in servers:
        return ours_latency, None
    comparison: dict[str, Any] = {"latency": {}, "accuracy": {}}
    for name, (_, parses) in paired.items():
        comparison["latency"][name] = summaries[name]
        scored = [heldout.scored_intent(parsed) for parsed in parses]
        comparison["accuracy"][name] = heldout.accuracy_by_diacritics(
            (example.text, example.intent, intent, declined)
            for example, (intent, declined) in zip(examples, scored, strict=True)
        )
    comparison["latency"]["ratio_p50"] = ratio(ours_latency["p50"], comparison["latency"]["stock"]["p50"])
    comparison["latency"]["ratio_p95"] = ratio(ours_latency["p95"], comparison["latency"]["stock"]["p95"])
    # CPU per parse barely depends on what else the machine runs: the steadier measure of the cost.
    cpu = {
        name: (summaries[name].get("cpu_ms_per_request") or {}).get(process[name], 0.0) for name in servers
    }
    comparison["latency"]["cpu_ratio"] = ratio(cpu["ours"], cpu["stock"])
    return ours_latency, comparison


def kb_search(database_url: str, app_url: str, rounds: int) -> dict[str, Any]:
    """Search latency over the labelled queries: in process (as the action server calls it) and over HTTP."""
    from knowledge_base.db import session_scope
    from knowledge_base.eval.search_eval import load_queries
    from knowledge_base.search import search_procedures

    queries = [item["query"] for item in load_queries()]
    print(f"Knowledge base search ({len(queries)} queries × {rounds}) ...", flush=True)
    latencies: list[float] = []
    with session_scope(database_url) as session:
        started = time.perf_counter()
        search_procedures(session, queries[0], SEARCH_LIMIT)  # builds the in-memory index
        index_build_ms = (time.perf_counter() - started) * 1000
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                search_procedures(session, query, SEARCH_LIMIT)
                latencies.append((time.perf_counter() - started) * 1000)
    in_process = summarize(latencies) | {"index_build_ms": index_build_ms, "limit": SEARCH_LIMIT}
    search_urls = [
        f"{app_url}/api/v1/procedures/search?{urlencode({'q': q, 'limit': SEARCH_LIMIT})}" for q in queries
    ]
    asyncio.run(load.get_load(search_urls[:10], concurrency=1))  # the app builds its own index
    app_http = asyncio.run(load.get_load(search_urls, concurrency=1)).summary()
    return {"queries": len(queries), "in_process": in_process, "app_http": app_http}


def micro_benchmarks(database_url: str) -> dict[str, Any]:
    """bench/micro.py: odd-query search, parsing the national file (here), the matcher (Rasa env)."""
    print("Micro-benchmarks (odd queries, parsing, procedure matcher) ...", flush=True)
    results = micro.app_env(database_url)
    completed = subprocess.run(
        [str(BOT_PYTHON), str(ROOT / "bench" / "micro.py"), "matcher"],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
    )
    if completed.returncode == 0 and completed.stdout.strip():
        results |= json.loads(completed.stdout.strip().splitlines()[-1])
    else:
        results["matcher"] = {"skipped": f"bench/micro.py matcher failed (exit {completed.returncode})"}
    micro.report({k: v for k, v in results.items() if k == "parse_all" or "skipped" not in v})
    return results


def run_phoatis(data: Path, level: str | None, scratch: Path) -> dict[str, Any]:
    """Run bench/phoatis.py in the Rasa environment and return its JSON (or why it failed)."""
    out = scratch / "phoatis.json"
    cmd = [
        str(BOT_PYTHON),
        str(ROOT / "bench" / "phoatis.py"),
        "--data",
        str(data),
        "--json",
        str(out),
        "--work",
        str(scratch / "phoatis"),
    ]
    if level:
        cmd += ["--level", level]
    print(f"PhoATIS from {data} ...", flush=True)
    completed = subprocess.run(cmd, cwd=ROOT, env=base_env())
    if completed.returncode != 0 or not out.is_file():
        return {"skipped": f"bench/phoatis.py failed (exit {completed.returncode})"}
    return json.loads(out.read_text(encoding="utf-8"))


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every step of the bench; returns the results (also on a partial run, with ``error``)."""
    quick = bool(args.quick)
    size = {key: value[1] if quick else value[0] for key, value in SIZES.items()}
    scratch = Path(tempfile.mkdtemp(prefix="tthc-bench-"))
    results: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine_info(),
        "revision": git_revision(),
        "load": {"before": list(os.getloadavg())},
    }
    model = Path(args.model) if args.model else current_model()
    results["model"] = str(model.relative_to(ROOT) if model.is_relative_to(ROOT) else model)
    token = secrets.token_urlsafe(24)
    examples = heldout.load_examples()
    if size["heldout"]:
        examples = examples[: size["heldout"]]
    stock_model: Path | None = Path(args.stock_model) if args.stock_model else None
    try:
        if not quick and not args.no_train:
            results["training"] = {"production": train(ROOT / "config.yml", scratch, "bench-production")}
            stock = train(STOCK_CONFIG, scratch, "bench-stock")
            results["training"]["stock"] = stock
            if stock["ok"] and stock_model is None:
                stock_model = Path(stock["model"])
        database_url = seeded_database(scratch / "bench.db")
        sampler = MemorySampler()
        sampler.start()
        with Services(logs=scratch, sampler=sampler) as services:
            urls = start_services(services, database_url, model, stock_model, token)
            warm_up(urls, token, [e.text for e in examples], "rasa_stock" in services.running)
            c1, comparison = compare_with_stock(services, urls, token, examples)
            results["nlu_parse"] = {"c1": c1}
            if comparison:
                results["stock_comparison"] = comparison
            services.stop("rasa_stock")  # not part of the load below

            print(f"/model/parse at concurrency 10 ({size['parse_c10']} requests) ...", flush=True)
            texts = [e.text for e in examples]
            results["nlu_parse"]["c10"] = with_cpu(
                services,
                lambda: asyncio.run(
                    load.parse_load(urls["rasa"], token, texts, concurrency=10, total=size["parse_c10"])
                ),
            )

            results["rest"] = {}
            for concurrency in (1, 10, 50):
                count = size[f"rest_c{concurrency}"]
                print(f"REST channel, {concurrency} at a time ({count} conversations) ...", flush=True)
                results["rest"][f"c{concurrency}"] = with_cpu(
                    services,
                    lambda c=concurrency, n=count: asyncio.run(
                        load.conversation_load(
                            urls["rasa"],
                            conversations.conversation_messages(n),
                            concurrency=c,
                            sender_prefix=f"bench-{c}-{secrets.token_hex(4)}",
                        )
                    ),
                )

            results["kb_search"] = kb_search(database_url, urls["app"], size["kb_rounds"])
            services.stop_all()
            results["micro"] = micro_benchmarks(database_url)
            sampler.stop()
            results["memory"] = services.memory_report()
            results["load"]["max_during_services"] = sampler.peak_load
    except Exception as exc:  # report what ran, then fail
        results["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if args.keep_scratch:
            results["scratch"] = str(scratch)

    phoatis_dir = args.phoatis or os.environ.get("PHOATIS_DIR")
    if "error" in results:
        pass
    elif quick:
        results["phoatis"] = {"skipped": "not run with --quick"}
    elif not phoatis_dir:
        results["phoatis"] = {
            "skipped": "not run: no dataset given (PHOATIS_DIR=/path/to/PhoATIS make bench)"
        }
    else:
        results["phoatis"] = run_phoatis(Path(phoatis_dir), args.phoatis_level, scratch)
    results["load"]["after"] = list(os.getloadavg())
    results["targets"] = report.evaluate_targets(results)
    if not args.keep_scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench, print the table, write latest.json, latest.md and latest.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few requests, no training, no stock server, no PhoATIS (developing only)",
    )
    parser.add_argument(
        "--no-train",
        action="store_true",
        help="skip both training runs (and the stock server unless --stock-model is given)",
    )
    parser.add_argument("--model", help="the model to serve (default: models/current)")
    parser.add_argument("--stock-model", help="serve this trained stock model instead of training one")
    parser.add_argument("--phoatis", help="PhoATIS folder (default: $PHOATIS_DIR; not run when unset)")
    parser.add_argument(
        "--phoatis-level",
        choices=("word", "syllable"),
        default=None,
        help="which level of a PhoATIS root folder (default: word)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="where latest.{json,md,png} go")
    parser.add_argument(
        "--keep-scratch", action="store_true", help="keep the scratch folder (logs, models, database)"
    )
    args = parser.parse_args(argv)

    results = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    table = report.markdown(results)
    (args.out / "latest.md").write_text(table, encoding="utf-8")
    try:
        report.write_chart(results, args.out / "latest.png")
    except Exception as exc:  # a chart is a convenience; the JSON and the table are the record
        print(f"Chart not drawn: {type(exc).__name__}: {exc}", file=sys.stderr)
    print("\n" + table)
    print(f"Written: {args.out / 'latest.json'}, latest.md, latest.png")
    if "error" in results:
        print(f"The bench did not complete: {results['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
