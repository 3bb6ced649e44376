"""What `make check` leaves out: the tests that start servers, train a model or drive a browser.

Loaded by both environments' test runs (it imports nothing but pytest). `make check` runs
``-m "not slow"`` in both environments in a few minutes; `make test` runs everything. One list, here,
rather than a marker line in each module, so the fast set is decided in one place; a test module that
starts a server and is missing here makes `make check` slow, which the check's time budget shows
(README, "Tests").
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

#: Test modules or folders (relative to tests/) that are slow, and why.
SLOW: dict[str, str] = {
    "channels": "start the Rasa server and action server against fake Telegram/Zalo API servers",
    "conversation": "start the Rasa server and action server with the trained model",
    "production": "start Rasa replicas on PostgreSQL and Redis",
    "web/test_widget.py": "starts the servers and drives headless Chromium",
    "staff/test_browser.py": "starts the servers and drives headless Chromium",
    "staff/test_browser_totp.py": "starts the app and drives headless Chromium",
    "staff/test_browser_inbox.py": "starts the app and drives headless Chromium",
    "staff/test_browser_offices.py": "starts the app and drives headless Chromium",
    "staff/test_browser_faq.py": "starts the app and drives headless Chromium",
    "staff/test_browser_dashboard.py": "starts the app and drives headless Chromium",
    "web/test_widget_handoff.py": "starts the servers and drives headless Chromium",
    "staff/test_served_limits.py": "starts the app under uvicorn and sends large bodies",
    "app/test_production_settings.py::test_uvicorn_does_not_start_the_app_with_a_weak_setting": (
        "starts uvicorn"
    ),
    "deploy/test_manifests.py::test_probe_paths_answer_on_the_servers_started_as_the_manifests_start_them": (
        "starts the servers as the manifests do"
    ),
    "bench/test_phoatis_script.py": "trains a Rasa NLU model",
    "bot/test_stories.py": "runs `rasa test` on the trained model",
    "bot/test_training_data.py": "runs `rasa data validate` (loads Rasa's whole importer)",
    "fuzz": "schemathesis over every API operation",
}


def _is_slow(item: pytest.Item) -> bool:
    path = Path(str(item.fspath)).resolve()
    try:
        relative = path.relative_to(TESTS).as_posix()
    except ValueError:
        return False
    node = f"{relative}::{item.name.split('[')[0]}"
    return any(node == key or relative == key or relative.startswith(key.rstrip("/") + "/") for key in SLOW)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: starts servers, trains a model or drives a browser (not in make check)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
