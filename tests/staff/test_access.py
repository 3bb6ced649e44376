"""Every staff API route demands the right role and, for changes, the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.staff.conftest import API, SignIn, Staff, copy_database, using_database

# Every route of the staff API and who may use it. A new route must be added here (the first test
# fails otherwise), so none escapes these checks.
ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/auth/login"): "public",
    # The second step of a sign-in: a pending session's cookie and a code (401 without them).
    ("POST", "/auth/login/totp"): "public",
    ("POST", "/auth/totp/setup"): "editor",
    ("POST", "/auth/totp/confirm"): "editor",
    ("POST", "/auth/totp/disable"): "editor",
    ("POST", "/auth/logout"): "editor",
    ("GET", "/auth/me"): "editor",
    ("POST", "/auth/password"): "editor",
    ("GET", "/auth/sessions"): "editor",
    ("DELETE", "/auth/sessions/{session_id}"): "editor",
    ("GET", "/users"): "admin",
    ("POST", "/users"): "admin",
    ("PATCH", "/users/{user_id}"): "admin",
    ("GET", "/faq"): "editor",
    ("POST", "/faq"): "editor",
    ("GET", "/faq/{faq_id}"): "editor",
    ("PUT", "/faq/{faq_id}"): "editor",
    ("POST", "/faq/{faq_id}/publish"): "editor",
    ("POST", "/faq/{faq_id}/unpublish"): "editor",
    ("POST", "/faq/try"): "editor",
    ("POST", "/faq/similar"): "editor",
    ("GET", "/faq/{faq_id}/versions"): "editor",
    ("GET", "/faq/{faq_id}/versions/{version}"): "editor",
    ("POST", "/faq/{faq_id}/versions/{version}/restore"): "editor",
    ("GET", "/fees"): "editor",
    ("POST", "/fees"): "editor",
    ("PUT", "/fees/{fee_id}"): "editor",
    ("GET", "/offices"): "editor",
    ("POST", "/offices"): "editor",
    ("GET", "/offices/{office_id}"): "editor",
    ("PUT", "/offices/{office_id}"): "editor",
    ("DELETE", "/offices/{office_id}"): "editor",
    ("POST", "/offices/{office_id}/assign/preview"): "editor",
    ("POST", "/offices/{office_id}/assign"): "editor",
    ("DELETE", "/offices/{office_id}/procedures/{code}"): "editor",
    ("GET", "/offices/{office_id}/preview"): "editor",
    ("PUT", "/procedures/{code}/office"): "editor",
    ("GET", "/life-events"): "editor",
    ("POST", "/life-events"): "editor",
    ("GET", "/life-events/match"): "editor",
    ("GET", "/life-events/{event_id}"): "editor",
    ("PUT", "/life-events/{event_id}"): "editor",
    ("POST", "/life-events/{event_id}/publish"): "editor",
    ("POST", "/life-events/{event_id}/unpublish"): "editor",
    ("GET", "/procedures"): "editor",
    ("GET", "/procedures/{code}"): "editor",
    ("PUT", "/procedures/{code}/override"): "editor",
    ("GET", "/inbox"): "editor",
    ("GET", "/inbox/questions/{question_id}"): "editor",
    ("POST", "/inbox/questions/{question_id}/reply"): "editor",
    ("POST", "/inbox/questions/{question_id}/dismiss"): "editor",
    ("GET", "/inbox/tickets/{ticket_id}"): "editor",
    ("POST", "/inbox/tickets/{ticket_id}/claim"): "editor",
    ("POST", "/inbox/tickets/{ticket_id}/reply"): "editor",
    ("POST", "/inbox/tickets/{ticket_id}/release"): "editor",
    ("GET", "/inbox/counts"): "editor",
    ("GET", "/inbox/question-groups"): "editor",
    ("POST", "/inbox/questions/dismiss"): "editor",
    ("GET", "/dashboard"): "editor",
    ("GET", "/dashboard.csv"): "editor",
    ("GET", "/imports"): "admin",
    ("POST", "/imports"): "admin",
    ("GET", "/imports/{batch_id}"): "admin",
    ("POST", "/imports/{batch_id}/apply"): "admin",
    ("POST", "/imports/{batch_id}/discard"): "admin",
    ("GET", "/audit"): "admin",
    ("GET", "/settings/days-off"): "admin",
    ("POST", "/settings/days-off"): "admin",
    ("DELETE", "/settings/days-off/{day_id}"): "admin",
}
SAMPLE = {"code": "1.001193"}
QUERY = {
    "/procedures": {"q": "khai sinh"},
    "/life-events/match": {"q": "vừa sinh con"},
    "/offices/{office_id}/preview": {"code": "1.001193"},
}
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Clients:
    """Signed-in clients shared by this module's tests (none of them changes anything)."""

    anonymous: TestClient
    admin: Staff
    editor: Staff
    editor2: Staff


@pytest.fixture(scope="module")
def clients(staff_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    """One database and one sign-in per account for the whole module (hashing is slow)."""
    url = copy_database(staff_template, Path(tmp_path_factory.mktemp("access")) / "access.db")
    with using_database(url):
        signer = SignIn()
        yield Clients(signer.anonymous(), signer("quan.tri"), signer("bien.tap"), signer("bien.tap2"))
        signer.close()


def _url(path: str) -> str:
    return API + re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def _call(
    client: TestClient, method: str, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.request(method, _url(path), params=QUERY.get(path), headers=headers or {}, json={})


def test_every_staff_route_is_listed_here() -> None:
    served = {
        (method.upper(), path.removeprefix(API))
        for path, operations in create_app().openapi()["paths"].items()
        if path.startswith(API)
        for method in operations
    }
    assert served == set(ROUTES)


@pytest.mark.parametrize(("method", "path"), [k for k, v in ROUTES.items() if v != "public"])
def test_without_a_session_every_route_is_401(clients: Clients, method: str, path: str) -> None:
    response = _call(clients.anonymous, method, path)
    assert response.status_code == 401, response.text
    assert "đăng nhập" in response.json()["detail"]


def test_a_forged_cookie_is_401(sign_in: SignIn) -> None:
    client = sign_in.anonymous()
    client.cookies.set("tthc_staff", "forged-token")
    assert client.get(f"{API}/auth/me").status_code == 401


@pytest.mark.parametrize(("method", "path"), [k for k, v in ROUTES.items() if v == "admin"])
def test_an_editor_gets_403_on_admin_routes(clients: Clients, method: str, path: str) -> None:
    editor = clients.editor
    response = _call(editor.client, method, path, headers={"X-CSRF-Token": editor.csrf})
    assert response.status_code == 403, response.text
    assert response.json()["detail"] == "Chức năng này chỉ dành cho quản trị viên."


@pytest.mark.parametrize(
    ("method", "path"), [k for k, v in ROUTES.items() if v != "public" and k[0] in CHANGES]
)
def test_changes_without_the_csrf_token_are_403(clients: Clients, method: str, path: str) -> None:
    admin = clients.admin
    missing = _call(admin.client, method, path)
    assert missing.status_code == 403, missing.text
    assert "CSRF" in missing.json()["detail"]
    wrong = _call(admin.client, method, path, headers={"X-CSRF-Token": admin.csrf[:-2] + "xx"})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"), [k for k, v in ROUTES.items() if v == "editor" and k[0] == "GET"]
)
def test_an_editor_reaches_the_editor_pages_data(clients: Clients, method: str, path: str) -> None:
    response = _call(clients.editor.client, method, path)
    assert response.status_code in (200, 404), response.text


def test_the_csrf_token_of_another_session_does_not_work(clients: Clients) -> None:
    response = clients.editor.client.post(
        f"{API}/faq/1/unpublish", headers={"X-CSRF-Token": clients.editor2.csrf}
    )
    assert response.status_code == 403


def test_pages_need_a_session_and_admin_pages_an_admin(clients: Clients) -> None:
    editor, admin = clients.editor, clients.admin
    anonymous = clients.anonymous.get("/staff/inbox", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/staff/login?next=/staff/inbox"
    assert clients.anonymous.get("/staff/login").status_code == 200
    for page in ("inbox", "faq", "life_events", "procedures", "dashboard", "account"):
        assert editor.client.get(f"/staff/{page}").status_code == 200, page
    for page in ("users", "import", "audit", "settings"):
        denied = editor.client.get(f"/staff/{page}")
        assert denied.status_code == 403, page
        assert "quản trị viên" in denied.text
        assert admin.client.get(f"/staff/{page}").status_code == 200, page
    assert editor.client.get("/staff/nope").status_code == 404


def test_pages_send_a_strict_content_security_policy(clients: Clients) -> None:
    response = clients.editor.client.get("/staff/faq")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_the_schema_documents_the_body_of_every_refusal(clients: Clients) -> None:
    # Found by tests/fuzz: the schema promised FastAPI's own 422 body, which the staff API never sends.
    schema = create_app().openapi()
    for path, operations in schema["paths"].items():
        if path.startswith(API):
            for operation in operations.values():
                for status in ("401", "403", "404", "422"):
                    body = operation["responses"][status]["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/StaffErrorOut"}, (path, status)
    refused = clients.admin.post("/users", {"username": "", "role": "x"})
    assert refused.status_code == 422
    assert set(refused.json()) == {"detail", "errors"}
    assert all(set(error) == {"field", "message"} for error in refused.json()["errors"])


@pytest.mark.parametrize(("method", "path"), [key for key in ROUTES if "_id}" in key[1]])
def test_ids_beyond_the_database_columns_are_refused_not_a_500(
    clients: Clients, method: str, path: str
) -> None:
    # Found by tests/fuzz: 2**63 reached the database driver, which raised (a 500).
    admin = clients.admin
    url = API + re.sub(r"\{\w+_id\}", str(2**63), path)
    response = admin.client.request(method, url, headers={"X-CSRF-Token": admin.csrf}, json={})
    assert response.status_code == 422, response.text
    assert "tối đa là 2147483647" in response.json()["detail"]
