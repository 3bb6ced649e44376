"""Fixtures of the staff workspace tests: accounts, signed-in API clients, the app served for real."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from app.main import create_app
from knowledge_base import settings
from knowledge_base.db import session_scope
from knowledge_base.staff.auth import create_user
from tests.servers import serve_app  # noqa: F401  (re-exported for the staff tests and screenshots)

PASSWORDS = {
    "quan.tri": "Quan-tri-2026!",
    "bien.tap": "Bien-tap-2026!",
    "bien.tap2": "Bien-tap-hai-2026!",
}
ROLES = {"quan.tri": "admin", "bien.tap": "editor", "bien.tap2": "editor"}
API = "/api/staff/v1"


def add_staff(database_url: str) -> None:
    """Create the test accounts: one admin and two editors."""
    with session_scope(database_url) as session:
        for username, password in PASSWORDS.items():
            create_user(
                session,
                username=username,
                password=password,
                role=ROLES[username],
                display_name=username.replace(".", " ").title(),
                created_by="test",
            )
        session.commit()


@dataclass
class Staff:
    """A signed-in API client with its CSRF token sent on every request."""

    client: TestClient
    csrf: str
    username: str

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET an API path."""
        return self.client.get(API + path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        """POST an API path with the CSRF header."""
        return self.client.post(API + path, json=json, headers={"X-CSRF-Token": self.csrf}, **kwargs)

    def put(self, path: str, json: Any = None) -> Any:
        """PUT an API path with the CSRF header."""
        return self.client.put(API + path, json=json, headers={"X-CSRF-Token": self.csrf})

    def patch(self, path: str, json: Any = None) -> Any:
        """PATCH an API path with the CSRF header."""
        return self.client.patch(API + path, json=json, headers={"X-CSRF-Token": self.csrf})

    def delete(self, path: str) -> Any:
        """DELETE an API path with the CSRF header."""
        return self.client.delete(API + path, headers={"X-CSRF-Token": self.csrf})


def copy_database(url: str, target: Path) -> str:
    """Copy a SQLite database (with what is still in its write-ahead log); return the copy's URL."""
    with (
        contextlib.closing(sqlite3.connect(url.split("///", 1)[1])) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def staff_template(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeded database with the test accounts, made once (hashing passwords takes a while)."""
    url = copy_database(seeded_sqlite, tmp_path_factory.mktemp("staff") / "staff.db")
    add_staff(url)
    return url


class SignIn:
    """Signs test accounts in, each on its own client of one app, and closes the clients."""

    def __init__(self) -> None:
        """Build the app (DATABASE_URL must already point at the test database)."""
        self.app = create_app()
        self.clients: list[TestClient] = []

    def __call__(self, username: str) -> Staff:
        """Sign `username` in."""
        client = TestClient(self.app)
        client.__enter__()
        self.clients.append(client)
        response = client.post(
            f"{API}/auth/login", json={"username": username, "password": PASSWORDS[username]}
        )
        assert response.status_code == 200, response.text
        return Staff(client, response.json()["csrf_token"], username)

    def anonymous(self) -> TestClient:
        """A client with no session."""
        client = TestClient(self.app)
        client.__enter__()
        self.clients.append(client)
        return client

    def close(self) -> None:
        """Close every client."""
        for client in self.clients:
            client.__exit__(None, None, None)


@contextlib.contextmanager
def using_database(url: str) -> Iterator[None]:
    """Point this process's settings (and so the app and the knowledge base) at `url`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        settings.get_settings.cache_clear()
        try:
            yield
        finally:
            settings.get_settings.cache_clear()


@pytest.fixture
def staff_db(staff_template: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the seeded database with the test accounts, used by the app and the test."""
    url = copy_database(staff_template, tmp_path / "staff.db")
    with using_database(url):
        yield url


@pytest.fixture
def sign_in(staff_db: str) -> Iterator[SignIn]:
    """Sign test accounts in on the private database."""
    signer = SignIn()
    yield signer
    signer.close()


@pytest.fixture
def app_client(sign_in: SignIn) -> TestClient:
    """An anonymous client of the app."""
    return sign_in.anonymous()


@pytest.fixture
def admin(sign_in: SignIn) -> Staff:
    """The signed-in admin."""
    return sign_in("quan.tri")


@pytest.fixture
def editor(sign_in: SignIn) -> Staff:
    """A signed-in editor."""
    return sign_in("bien.tap")


@pytest.fixture
def editor2(sign_in: SignIn) -> Staff:
    """Another signed-in editor."""
    return sign_in("bien.tap2")


#: Playwright's wait for a page element (ms): the machine is small and shared.
BROWSER_TIMEOUT = 30_000


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium (``CHROMIUM``), closed afterwards."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(browser: Browser) -> Iterator[Page]:
    """A tab in a fresh context (no cookies); afterwards, no script error and nothing the CSP blocked."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(BROWSER_TIMEOUT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # A script or style the Content-Security-Policy blocks shows as a console error "Refused to ...".
    tab.on("console", lambda message: errors.append(message.text) if "Refused" in message.text else None)
    yield tab
    context.close()
    assert errors == [], errors  # no script error on any page
