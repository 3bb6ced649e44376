"""Start and stop the services under test, and sample their memory while they run.

Each service is one process started with `subprocess.Popen` (its log in the run's scratch folder);
the bench stops exactly the processes it started. Memory is the resident set size (RSS) of the
process and all its children, sampled every `MemorySampler.interval_s` by psutil, plus the
kernel's own high-water mark of the main process (``VmHWM`` in ``/proc/<pid>/status``), which
catches peaks between two samples. CPU time per service (`Services.cpu_snapshot`) tells, per load
phase, which process does the work: on 2 cores that is what bounds throughput.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
_MB = 1_000_000


@dataclass
class Service:
    """One running service."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]
    #: The kernel's peak RSS of the main process (MB), read just before it is stopped.
    vm_hwm_mb: float | None = None


def vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set size the kernel recorded for `pid` (``VmHWM``), in MB; None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / _MB
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree_rss_mb(pid: int) -> float | None:
    """Current RSS of a process and all its descendants, in MB (None once it is gone)."""
    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue  # a child that just exited has no memory to count
        return total / _MB
    except psutil.Error:
        return None


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a process and its live descendants (None once gone)."""
    try:
        process = psutil.Process(pid)
        total = sum(process.cpu_times()[:2])
        for child in process.children(recursive=True):
            try:
                total += sum(child.cpu_times()[:2])
            except psutil.Error:
                continue
        return total
    except psutil.Error:
        return None


class MemorySampler(threading.Thread):
    """Samples the RSS (with children) of registered processes in the background; keeps the peaks."""

    def __init__(self, interval_s: float = 0.2) -> None:
        """Create a stopped sampler; `start()` it, `register` processes, `stop()` when done."""
        super().__init__(name="memory-sampler", daemon=True)
        self.interval_s = interval_s
        self._pids: dict[str, int] = {}
        self.peak_mb: dict[str, float] = {}
        self.samples: dict[str, int] = {}
        #: Highest 1-minute load average seen: how busy the machine was while the bench ran.
        self.peak_load = 0.0
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def register(self, name: str, pid: int) -> None:
        """Sample process `pid` (and its children) under `name` from now on."""
        with self._lock:
            self._pids[name] = pid

    def sample_once(self) -> None:
        """Take one sample of every registered process."""
        with self._lock:
            pids = dict(self._pids)
        self.peak_load = max(self.peak_load, os.getloadavg()[0])
        for name, pid in pids.items():
            rss = tree_rss_mb(pid)
            if rss is not None:
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss)
                self.samples[name] = self.samples.get(name, 0) + 1

    def run(self) -> None:
        """Sample until stopped."""
        while not self._stopped.is_set():
            self.sample_once()
            self._stopped.wait(self.interval_s)

    def stop(self) -> None:
        """Stop sampling (takes a last sample first)."""
        self.sample_once()
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=5)


@dataclass
class Services:
    """The processes one bench run started; `stop_all` (or leaving the `with` block) ends them."""

    logs: Path
    sampler: MemorySampler | None = None
    running: dict[str, Service] = field(default_factory=dict)
    stopped: dict[str, Service] = field(default_factory=dict)

    def __enter__(self) -> Services:
        """Use as a context manager that always stops what it started."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop every service still running."""
        self.stop_all()

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> Service:
        """Start `cmd` in the repository root with `env`, logging to ``<logs>/<name>.log``."""
        log = self.logs / f"{name}.log"
        handle = log.open("wb")
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        service = Service(name, process, log, handle)
        self.running[name] = service
        if self.sampler is not None:
            self.sampler.register(name, process.pid)
        return service

    def wait_http(self, name: str, url: str, timeout_s: float) -> float:
        """Wait until `url` answers below 500; return the seconds waited.

        Raises:
            RuntimeError: The service exited or did not answer in time (with its log's tail).
        """
        service = self.running[name]
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if service.process.poll() is not None:
                raise RuntimeError(f"{name} exited ({service.process.returncode}):\n{_tail(service.log)}")
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {url} in {timeout_s:.0f} s:\n{_tail(service.log)}")

    def stop(self, name: str) -> None:
        """Stop one service: record its kernel peak RSS, terminate it, kill it after 20 s."""
        service = self.running.pop(name, None)
        if service is None:
            return
        service.vm_hwm_mb = vm_hwm_mb(service.process.pid)
        if self.sampler is not None:
            self.sampler.sample_once()
        service.process.terminate()
        try:
            service.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait(timeout=10)
        service.handle.close()
        self.stopped[name] = service

    def stop_all(self) -> None:
        """Stop every running service."""
        for name in list(self.running):
            self.stop(name)

    def cpu_snapshot(self) -> dict[str, float]:
        """CPU seconds used so far by each running service (with its children)."""
        snapshot = {name: tree_cpu_s(service.process.pid) for name, service in self.running.items()}
        return {name: seconds for name, seconds in snapshot.items() if seconds is not None}

    def memory_report(self) -> dict[str, dict[str, Any]]:
        """Per service: sampled peak RSS with children, and the kernel's peak of the main process (MB)."""
        report: dict[str, dict[str, Any]] = {}
        for name, service in {**self.stopped, **self.running}.items():
            sampler = self.sampler
            report[name] = {
                "peak_rss_mb": sampler.peak_mb.get(name) if sampler else None,
                "vm_hwm_mb": service.vm_hwm_mb
                if service.vm_hwm_mb is not None
                else vm_hwm_mb(service.process.pid),
                "samples": sampler.samples.get(name, 0) if sampler else 0,
            }
        return report


def _tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


#: The Rasa servers' and action servers' shared token for this bench run (endpoints.yml sends it,
#: actions/auth.py checks it).
ACTION_SERVER_TOKEN = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_hex(32)


def base_env(**extra: str) -> dict[str, str]:
    """The environment for a service: ours, quiet Rasa, the action token, plus `extra`."""
    return (
        os.environ
        | {
            "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        | extra
    )
