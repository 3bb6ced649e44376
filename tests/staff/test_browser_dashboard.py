"""The dashboard and the users page in headless Chromium against the real app (uvicorn).

Figures open the list behind them; the most asked unanswered questions are a table that leads to the
FAQ page; channels are in the officer's words; locking an account or changing a role asks first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from knowledge_base.conversations import record_rating, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.staff.common import VIETNAM
from knowledge_base.usage import record_usage
from tests.staff.conftest import PASSWORDS, add_staff, browser_page, chromium, copy_database, serve_app

UNANSWERED = "xin giấy xác nhận độc thân ở đâu"


@dataclass
class Running:
    """The app, the browser and the database."""

    app_url: str
    browser: Browser
    database_url: str


def _seed(url: str) -> None:
    now = dt.datetime.now(VIETNAM)
    with session_scope(url) as session:
        for sender, channel, outcome, code in (
            ("a", "rest", "answer", "1.001193"),
            ("b", "web", "answer", "1.001193"),
            ("c", "web", "fallback", ""),
            ("d", "telegram", "handoff", ""),
        ):
            record_usage(
                session,
                sender_id=sender,
                channel=channel,
                intent="x",
                outcome=outcome,
                procedure_code=code,
                aspects=["documents"] if code else [],
                at=now,
            )
        for sender, text in (
            ("c", UNANSWERED),
            ("e", "xin giay xac nhan doc than o dau"),
            ("f", "đổi tên cho con"),
        ):
            record_unanswered(
                session,
                conversation_id=sender,
                channel="web",
                text=text,
                intent="nlu_fallback",
                confidence=0.2,
                reason="fallback",
            )
        record_rating(
            session,
            conversation_id="a",
            channel="web",
            rating=-1,
            answer_type="procedure_answer",
            procedure_code="1.001193",
            question="khai sinh cho con cần gì",
        )
        session.commit()


@pytest.fixture(scope="module")
def running(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start the app on its own database with a few days of figures, and Chromium."""
    folder = tmp_path_factory.mktemp("browser-dashboard")
    url = copy_database(seeded_sqlite, folder / "dashboard.db")
    add_staff(url)
    _seed(url)
    with serve_app(url, folder) as app_url, chromium() as browser:
        yield Running(app_url, browser, url)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test."""
    with browser_page(running.browser) as tab:
        yield tab


def sign_in(page: Page, base: str, target: str, username: str) -> None:
    """Sign in through the login page and land on `target`."""
    page.goto(f"{base}/staff/{target}")
    page.wait_for_url(f"**/staff/login?next=/staff/{target}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#submit")
    page.wait_for_url(f"**/staff/{target}")


def test_the_figures_open_the_lists_behind_them(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "dashboard", "bien.tap")
    tiles = page.locator("#tiles a.tile")
    expect(tiles).to_have_count(3)
    expect(page.locator("#tiles a.tile", has_text="không hiểu")).to_have_attribute(
        "href", "/staff/inbox?kind=question&status=open"
    )
    expect(page.locator("#tiles a.tile", has_text="chuyển cán bộ")).to_have_attribute(
        "href", "/staff/inbox?kind=ticket&status=all"
    )
    # Channels in the officer's words, the widget's two channel ids counted together.
    channels = page.locator("#chart-channels")
    expect(channels).to_contain_text("Khung chat trên cổng (3)")
    expect(channels).not_to_contain_text("REST")
    expect(channels).not_to_contain_text("Web (")
    # The ratings figure leads to the answers rated "chưa hữu ích".
    page.locator("#tiles a.tile", has_text="hữu ích").click()
    expect(page).to_have_url(re.compile(r"#ratings-down$"))
    expect(page.locator("#recent-down")).to_contain_text("khai sinh cho con cần gì")
    expect(page.locator("#recent-down a")).to_have_attribute("href", "/staff/procedures?code=1.001193")
    # A procedure's bar opens the procedure.
    page.locator("#chart-procedures a.bar-link").first.click()
    page.wait_for_url("**/staff/procedures?code=1.001193")


def test_the_most_asked_unanswered_questions_lead_to_the_faq_page(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "dashboard", "bien.tap")
    rows = page.locator("#top-unanswered tr")
    expect(rows.first.locator("td").nth(0)).to_have_text("xin giay xac nhan doc than o dau")  # latest wording
    expect(rows.first.locator("td").nth(1)).to_have_text("2")
    expect(rows.first.locator("td").nth(2)).to_have_text("2")
    csv_href = page.locator("#csv").get_attribute("href")
    assert csv_href == "/api/staff/v1/dashboard.csv?days=30"
    rows.first.locator("a.to-faq").click()
    page.wait_for_url(re.compile(r"/staff/faq\?from_question=\d+&return="))
    expect(page.locator("#citizen-words")).to_contain_text("xin giay xac nhan doc than o dau")
    expect(page.locator("#back-inbox")).to_have_attribute("href", "/staff/dashboard?days=30")


def test_locking_an_account_and_changing_a_role_ask_first(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "users", "quan.tri")
    row = page.locator("#users tr[data-username='bien.tap2']")
    expect(row).to_contain_text("Đang hoạt động")
    row.locator("button.lock").click()
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Khóa tài khoản Bien Tap2 (bien.tap2)?")
    expect(page.locator("#confirm-ok")).to_have_text("Khóa tài khoản")
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Đang hoạt động")  # cancelled: nothing changed
    row.locator("button.lock").click()
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_contain_text("Đã khóa tài khoản bien.tap2")
    expect(row).to_contain_text("Đã khóa")

    row.locator("button.role-change").click()
    expect(dialog).to_contain_text("Chuyển Bien Tap2 (bien.tap2) thành quản trị viên?")
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_contain_text("Đã đổi vai trò của bien.tap2")
    expect(row.locator("td").nth(2)).to_have_text(re.compile("Quản trị viên"))
