"""Issue 17 in headless Chromium against the app served by uvicorn: an admin who must use two-step
sign-in enrols an authenticator app on the account page and then signs in with a code; an editor
saving an FAQ answer with a link outside the official sites sees the warning."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from knowledge_base.staff import totp
from tests.staff.conftest import PASSWORDS, browser_page, chromium, copy_database, serve_app


@dataclass
class Running:
    """The served app and the browser."""

    app_url: str
    browser: Browser


@pytest.fixture(scope="module")
def running(staff_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The app (admins must use two-step sign-in, as in the prod profile) and Chromium."""
    folder = tmp_path_factory.mktemp("browser-totp")
    url = copy_database(staff_template, folder / "app.db")
    with serve_app(url, folder, {"STAFF_TOTP_ADMINS": "true"}) as app_url, chromium() as browser:
        yield Running(app_url, browser)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; no script error and nothing the CSP blocks."""
    with browser_page(running.browser) as tab:
        yield tab


def password_step(page: Page, base: str, username: str, target: str) -> None:
    """Open `target`, get sent to the login page, type the password."""
    page.goto(f"{base}/staff/{target}")
    page.wait_for_url(f"**/staff/login?next=/staff/{target}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#submit")


def test_an_admin_enrols_an_authenticator_app_then_signs_in_with_a_code(running: Running, page: Page) -> None:
    base = running.app_url
    password_step(page, base, "quan.tri", "users")
    # Without two-step sign-in, an admin lands on the account page and can only enrol.
    page.wait_for_url("**/staff/account?totp=required")
    expect(page.locator("#totp-required")).to_be_visible()
    expect(page.locator("#totp-status")).to_contain_text("Chưa bật")
    page.click("#totp-start")
    expect(page.locator("#totp-secret")).not_to_be_empty()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert page.locator("#totp-uri").input_value().startswith("otpauth://totp/")
    page.fill("#totp-confirm-code", totp.code_at(secret))
    page.click("#totp-confirm")
    expect(page.locator("#toast")).to_contain_text("Đã bật xác thực hai bước")
    expect(page.locator("#totp-status")).to_contain_text("Đang bật")
    expect(page.locator("#totp-required")).to_be_hidden()
    response = page.goto(f"{base}/staff/users")
    assert response is not None and response.status == 200
    expect(page.locator("#users")).to_contain_text("bien.tap")

    page.click("#logout")
    page.wait_for_url("**/staff/login")
    password_step(page, base, "quan.tri", "users")
    # The password alone is not enough: the code step shows.
    expect(page.locator("#totp")).to_be_visible()
    expect(page.locator("#login")).to_be_hidden()
    page.fill("#totp_code", str((int(totp.code_at(secret, time.time() + 30)) + 1) % 10**6).zfill(6))
    page.click("#totp-submit")
    expect(page.locator("#totp-error")).to_contain_text("Mã xác thực không đúng")
    # The enrolment's code is spent: the next step's code (an app shows it within 30 s).
    page.fill("#totp_code", totp.code_at(secret, time.time() + 30))
    page.click("#totp-submit")
    page.wait_for_url("**/staff/users")
    expect(page.locator("#users")).to_contain_text("bien.tap")
    expect(page.locator("#users")).to_contain_text("Xác thực hai bước")


def test_an_editor_sees_a_warning_for_a_link_outside_the_official_sites(running: Running, page: Page) -> None:
    password_step(page, running.app_url, "bien.tap", "faq")
    page.wait_for_url("**/staff/faq")  # editors are not asked for a code
    page.click("#new")
    page.fill("#questions", "Mẫu tờ khai đăng ký khai sinh tải ở đâu?")
    page.fill("#answer", "Tải mẫu tại https://bit.ly/to-khai hoặc nộp ở https://dichvucong.gov.vn.")
    page.click("#save")
    expect(page.locator("#toast")).to_contain_text("Lưu ý: có liên kết ngoài trang chính thức")
    warning = page.locator("#link-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("bit.ly")
    expect(warning).not_to_contain_text("dichvucong.gov.vn")
    # Saved all the same (a warning, not a refusal).
    expect(page.locator("#status-line")).to_contain_text("Bản nháp")
