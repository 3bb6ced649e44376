"""Starting, waiting for, stopping and measuring services (bench/procs.py), on a real process."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from bench.procs import MemorySampler, Services, base_env, tree_rss_mb, vm_hwm_mb


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_service_is_started_awaited_measured_and_stopped(tmp_path: Path) -> None:
    port = _free_port()
    sampler = MemorySampler(interval_s=0.05)
    sampler.start()
    with Services(logs=tmp_path, sampler=sampler) as services:
        service = services.start(
            "web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], base_env()
        )
        services.wait_http("web", f"http://127.0.0.1:{port}/", timeout_s=60)
        assert tree_rss_mb(service.process.pid) > 1
        services.stop("web")
        assert service.process.poll() is not None  # really ended
        assert "web" not in services.running
    sampler.stop()
    report = services.memory_report()["web"]
    assert report["peak_rss_mb"] > 1 and report["samples"] >= 1
    assert report["vm_hwm_mb"] >= 1  # read before the process ended
    assert (tmp_path / "web.log").is_file()


def test_a_service_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    with Services(logs=tmp_path) as services:
        services.start(
            "bad", [sys.executable, "-c", "print('cannot start'); raise SystemExit(3)"], base_env()
        )
        with pytest.raises(RuntimeError, match=r"bad exited \(3\)[\s\S]*cannot start"):
            services.wait_http("bad", f"http://127.0.0.1:{_free_port()}/", timeout_s=60)


def test_memory_of_a_gone_process_is_unknown() -> None:
    assert tree_rss_mb(2**22 + 12345) is None
    assert vm_hwm_mb(2**22 + 12345) is None
