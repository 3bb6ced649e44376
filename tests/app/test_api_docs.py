"""/docs and /redoc: no script the browser does not check, a Content-Security-Policy, never in prod."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

import app.main
from app.main import create_app
from knowledge_base import settings


class Resources(HTMLParser):
    """The scripts and stylesheets a page loads, with their attributes, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[dict[str, str | None]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in found
            if "src" in found:
                self.loaded.append(found | {"url": found["src"]})
        elif tag == "link" and {"stylesheet", "icon"} & set((found.get("rel") or "").split()):
            self.loaded.append(found | {"url": found["href"]})

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def client_for(profile: str, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[TestClient]:
    monkeypatch.setenv("PROFILE", profile)
    monkeypatch.setenv("DATABASE_URL", database_url)
    # The prod profile's settings check has its own tests; here only the documentation pages count.
    monkeypatch.setattr(app.main, "check_production", lambda *args, **kwargs: None)
    settings.get_settings.cache_clear()
    try:
        with TestClient(create_app()) as test_client:
            yield test_client
    finally:
        settings.get_settings.cache_clear()


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch, seeded_sqlite: str) -> Iterator[TestClient]:
    yield from client_for("local", monkeypatch, seeded_sqlite)


@pytest.fixture
def prod(monkeypatch: pytest.MonkeyPatch, seeded_sqlite: str) -> Iterator[TestClient]:
    yield from client_for("prod", monkeypatch, seeded_sqlite)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_loads_no_script_the_browser_does_not_check(local: TestClient, path: str) -> None:
    response = local.get(path)
    assert response.status_code == 200
    page = Resources()
    page.feed(response.text)
    assert page.loaded and page.inline_scripts == []
    for resource in page.loaded:
        url = str(resource["url"])
        if urlsplit(url).netloc:  # another origin: one exact version, checked against its hash
            assert url.startswith("https://"), url
            assert re.search(r"@\d+\.\d+\.\d+/", url), url
            assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", str(resource.get("integrity"))), url
            assert resource.get("crossorigin") == "anonymous", url
    # The Content-Security-Policy allows scripts from this app and those exact files only.
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    script_sources = directives["script-src"].split()
    assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources
    external = sorted(str(r["url"]) for r in page.loaded if r.get("src") and urlsplit(str(r["url"])).netloc)
    assert sorted(s for s in script_sources if s != "'self'") == external
    # ... and the staff pages' other headers.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The page's own scripts come from this app, with the same headers.
    for resource in page.loaded:
        if not urlsplit(str(resource["url"])).netloc:
            own = local.get(str(resource["url"]))
            assert own.status_code == 200 and "javascript" in own.headers["content-type"]
            assert own.headers["X-Content-Type-Options"] == "nosniff"
            assert "/openapi.json" in own.text


def test_the_openapi_document_is_still_served(local: TestClient, prod: TestClient) -> None:
    for client in (local, prod):
        assert client.get("/openapi.json").json()["info"]["title"] == "tthc-assistant API"


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/swagger-init.js", "/docs/oauth2-redirect"])
def test_no_documentation_pages_in_the_prod_profile(prod: TestClient, path: str) -> None:
    assert prod.get(path).status_code == 404
