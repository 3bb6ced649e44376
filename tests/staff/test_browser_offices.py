"""Issue 18, point 5 in headless Chromium against the app served by uvicorn: an editor adds a one-stop
desk on "Văn phòng một cửa" (hours on several lines), sees how many procedures an agency reaches
before assigning it to them, previews a citizen's answers, and the next answer read from the same
database file uses the desk (line breaks kept); on a procedure's page the office is chosen per
procedure and levels read as words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from answers.formatting import format_answer
from answers.procedure import opening_hours_answer
from knowledge_base.db import session_scope
from knowledge_base.models import AuditLog, LocalOverride, Office, Procedure
from knowledge_base.queries import get_procedure
from tests.staff.conftest import PASSWORDS, browser_page, chromium, copy_database, serve_app

NAME = "Bộ phận Một cửa UBND xã Tân Lập"
ADDRESS = "Số 5 đường Lê Lợi, xã Tân Lập"
HOURS = ["Sáng: 7h30 – 11h30 (thứ Hai đến thứ Sáu)", "Chiều: 13h30 – 17h00"]
PHONE = "0203 3822 111"
AGENCY = "Ủy ban nhân dân cấp xã"
# Implementing agency "Uỷ ban Nhân dân cấp xã, phường, thị trấn", levels "xa,bo".
COOPERATIVE = "1.004901"


@dataclass
class Running:
    """The served app, its database file and the browser."""

    app_url: str
    database_url: str
    browser: Browser


@pytest.fixture(scope="module")
def running(staff_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The app on its own copy of the seeded database (with the test accounts), and Chromium."""
    folder = tmp_path_factory.mktemp("browser-offices")
    url = copy_database(staff_template, folder / "app.db")
    with serve_app(url, folder) as app_url, chromium() as browser:
        yield Running(app_url, url, browser)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; no script error and nothing the CSP blocks."""
    with browser_page(running.browser) as tab:
        yield tab


def sign_in(page: Page, base: str, target: str) -> None:
    """Sign the editor in through the login page and land on `target`."""
    page.goto(f"{base}/staff/{target}")
    page.wait_for_url(f"**/staff/login?next=/staff/{target}")
    page.fill("#username", "bien.tap")
    page.fill("#password", PASSWORDS["bien.tap"])
    page.click("#submit")
    # Not a glob on the target: "/staff/login?next=/staff/offices" ends with it too.
    page.wait_for_url(lambda address: "/staff/login" not in address and f"/staff/{target}" in address)


def _assigned(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).where(LocalOverride.office_id.is_not(None))) or 0)


def _ensure_assigned(url: str) -> None:
    """The office given to COOPERATIVE (done by the first test; here too, so each test runs alone)."""
    with session_scope(url) as session:
        office = session.scalars(select(Office).where(Office.name == NAME)).one_or_none()
        if office is None:
            office = Office(name=NAME, address=ADDRESS, opening_hours="\n".join(HOURS), phone=PHONE)
            session.add(office)
            session.flush()
        procedure = session.scalars(select(Procedure).where(Procedure.code == COOPERATIVE)).one()
        if procedure.override is None:
            procedure.override = LocalOverride(procedure_id=procedure.id)
        procedure.override.office_id = office.id
        session.commit()


def test_an_editor_adds_an_office_assigns_it_by_agency_and_the_next_answer_uses_it(
    running: Running, page: Page
) -> None:
    base, url = running.app_url, running.database_url
    sign_in(page, base, "offices")
    expect(page.locator("h1")).to_have_text("Văn phòng một cửa")
    expect(page.locator("#nav a.active")).to_have_text("Văn phòng một cửa")
    expect(page.locator("#no-offices")).to_be_visible()

    # A name is required: the refusal is said in Vietnamese beside the form, the field marked.
    page.fill("#address", ADDRESS)
    page.click("#office button[type=submit]")
    expect(page.locator("#error")).to_contain_text("Cần ghi tên văn phòng")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")

    page.fill("#name", NAME)
    page.fill("#opening_hours", "\n".join(HOURS))
    page.fill("#phone", PHONE)
    page.click("#office button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("Đã lưu")
    row = page.locator("#offices tr", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row.locator("td.text")).to_have_text("\n".join(HOURS))  # shown on two lines
    expect(page.locator("#office-detail")).to_be_visible()
    expect(page.locator("#detail-title")).to_have_text(NAME)

    # How many procedures the agency reaches, before anything changes.
    page.fill("#agency", AGENCY)
    page.select_option("#level", "xa")
    page.click("#assign button[type=submit]")
    summary = page.locator("#assign-preview .office-count")
    expect(summary).to_contain_text(f"Sẽ gán “{NAME}” cho")
    count = int(re.search(r"cho (\d+) thủ tục", summary.inner_text()).group(1))  # type: ignore[union-attr]
    assert count >= 20
    expect(page.locator("#assign-preview .office-sample li").first).to_contain_text("cấp xã")
    assert _assigned(url) == 0
    page.click("#confirm-assign")
    expect(page.locator("#toast")).to_contain_text(f"Đã gán cho {count} thủ tục")
    expect(page.locator("#office-procedures li")).to_have_count(count)
    expect(row.locator("td").nth(3)).to_have_text(str(count))
    assert _assigned(url) == count

    # The preview: what a citizen would read, hours on their own lines.
    page.fill("#preview-q", COOPERATIVE)
    page.click("#preview-form button[type=submit]")
    answers = page.locator("#preview .office-answer .bubble")
    expect(answers).to_have_count(3)
    first = answers.nth(0).inner_text().split("\n")
    assert f"Nơi nộp: {NAME}, {ADDRESS}" in first
    assert f"+ {HOURS[1]}" in answers.nth(1).inner_text().split("\n")
    expect(answers.nth(2)).to_contain_text(f"Điện thoại: {PHONE}")

    # The next answer, read from the database the page wrote: the office, line breaks kept.
    with session_scope(url) as session:
        record = get_procedure(session, code=COOPERATIVE)
        assert record is not None
        lines = format_answer(record, ["submission"], source_name="Cổng DVC quốc gia").split("\n")
        hours = opening_hours_answer(session, "mấy giờ làm việc", COOPERATIVE)
        actions = [a for (a,) in session.execute(select(AuditLog.action).where(AuditLog.entity == "office"))]
    assert ["- Giờ làm việc:", *(f"+ {line}" for line in HOURS)] == lines[
        lines.index("- Giờ làm việc:") : lines.index("- Giờ làm việc:") + 3
    ]
    assert hours is not None and f"+ {HOURS[0]}" in (hours.reply.text or "").split("\n")
    assert actions == ["office_create", "office_assign"]

    # Reopening the page by its address shows the same office.
    page.goto(f"{base}/staff/offices?office={page.url.rsplit('=', 1)[1]}")
    expect(page.locator("#detail-title")).to_have_text(NAME)


def test_a_procedure_s_page_chooses_its_office_and_names_levels_in_words(
    running: Running, page: Page, tmp_path: Path
) -> None:
    base, url = running.app_url, running.database_url
    _ensure_assigned(url)
    sign_in(page, base, "procedures")
    page.fill("#q", COOPERATIVE)
    page.click("#search-form button[type=submit]")
    hit = page.locator("#results li").first
    expect(hit).to_contain_text("cấp xã, cấp bộ (trung ương)")
    expect(hit).not_to_contain_text("xa,bo")
    hit.locator("button").click()
    expect(page.locator("#detail h2")).not_to_be_empty()
    expect(page.locator("#detail p.muted").first).to_contain_text("cấp xã, cấp bộ (trung ương)")
    select_box = page.locator("#office_id")
    # The office's desk is shown, and can be taken off.
    expect(select_box.locator("option:checked")).to_have_text(NAME)
    expect(page.locator(".office-choice")).to_contain_text(PHONE)
    select_box.select_option("")
    page.click("#save-office")
    expect(page.locator("#toast")).to_contain_text("Đã lưu")
    expect(page.locator(".office-choice")).to_contain_text("Chưa gán văn phòng")
    with session_scope(url) as session:
        procedure = session.scalars(select(Procedure).where(Procedure.code == COOPERATIVE)).one()
        assert procedure.override is not None and procedure.override.office_id is None
    select_box.select_option(label=NAME)
    page.click("#save-office")
    expect(page.locator(".office-choice")).to_contain_text(ADDRESS)
    page.screenshot(path=str(tmp_path / "procedure-office.png"), full_page=True)
