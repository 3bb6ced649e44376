"""The staff pages in headless Chromium, against the real app, Rasa server and action server.

One database file is shared by the app (uvicorn) and the action server, as in production: an editor
signs in, publishes an FAQ entry, and the assistant's next answer over the REST channel uses it; an
editor cannot reach the user page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from knowledge_base.db import session_scope
from knowledge_base.models import UsageEvent
from tests.servers import Assistant, start_assistant
from tests.staff.conftest import (
    BROWSER_TIMEOUT,
    PASSWORDS,
    add_staff,
    browser_page,
    chromium,
    copy_database,
    serve_app,
)

pytestmark = pytest.mark.conversation

QUESTION = "ở bộ phận một cửa có chỗ gửi xe máy miễn phí không"
# Markup and braces: stored, sent and shown exactly as typed.
ANSWER = "Có. <b>Bãi gửi xe</b> miễn phí ở cổng sau trụ sở {ten_cong} & mở cửa từ 7h."
TIMEOUT = BROWSER_TIMEOUT


@dataclass
class Running:
    """The servers, the browser and the database they share."""

    app_url: str
    assistant: Assistant
    browser: Browser
    database_url: str


@pytest.fixture(scope="module")
def running(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start the Rasa server, the action server and the app on one database file, and Chromium."""
    folder = tmp_path_factory.mktemp("browser")
    url = copy_database(seeded_sqlite, folder / "shared.db")
    add_staff(url)
    # The Rasa HTTP API (behind a token) lets the inbox show the conversation from the tracker.
    token = uuid.uuid4().hex
    with (
        start_assistant(url, folder, {"RASA_API_TOKEN": token}) as assistant,
        serve_app(url, folder, {"RASA_URL": assistant.rasa_url, "RASA_API_TOKEN": token}) as app_url,
        chromium() as browser,
    ):
        yield Running(app_url, assistant, browser, url)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test."""
    with browser_page(running.browser) as tab:
        yield tab


def sign_in(page: Page, base: str, username: str, target: str) -> None:
    """Sign in through the login page and land on `target`."""
    page.goto(f"{base}/staff/{target}")
    page.wait_for_url(f"**/staff/login?next=/staff/{target}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#submit")
    page.wait_for_url(f"**/staff/{target}")


def faq_ids(messages: list[dict[str, Any]]) -> list[int]:
    """The FAQ entries the assistant answered with."""
    return [m["custom"]["faq_id"] for m in messages if (m.get("custom") or {}).get("type") == "faq_answer"]


def test_an_editor_publishes_an_faq_entry_and_the_next_answer_uses_it(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "bien.tap", "faq")
    page.click("#new")
    page.fill("#questions", "Có chỗ gửi xe máy ở bộ phận một cửa không?\ngửi xe ở đâu khi đi làm thủ tục")
    page.fill("#answer", ANSWER)
    # The preview shows the markup as text: no <b> element is created.
    expect(page.locator("#preview")).to_have_text(ANSWER)
    assert page.locator("#preview b").count() == 0
    page.click("#save-publish")
    expect(page.locator("#toast")).to_contain_text("Trợ lý dùng mục này ngay")
    expect(page.locator("#status-line")).to_contain_text("Đã đăng")
    entry_id = int(page.locator("#entries li.selected").get_attribute("data-id") or 0)
    assert entry_id > 0

    messages = running.assistant.send(QUESTION, uuid.uuid4().hex)
    assert entry_id in faq_ids(messages)
    assert ANSWER in [m.get("text") for m in messages]

    page.click("#unpublish")
    expect(page.locator("#status-line")).to_contain_text("Bản nháp")
    assert entry_id not in faq_ids(running.assistant.send(QUESTION, uuid.uuid4().hex))


def test_an_editor_cannot_reach_the_user_page_but_an_admin_can(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "bien.tap", "inbox")
    # Hộp thư, Câu hỏi thường gặp, Sự kiện cuộc sống, Phí lệ phí, Văn phòng một cửa, Thủ tục, Thống kê:
    # no admin page.
    expect(page.locator("#nav a")).to_have_count(7)
    expect(page.locator("#nav")).to_contain_text("Sự kiện cuộc sống")
    expect(page.locator("#nav")).not_to_contain_text("Người dùng")
    response = page.goto(f"{running.app_url}/staff/users")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Không có quyền truy cập")

    admin = page.context.browser.new_context()
    tab = admin.new_page()
    tab.set_default_timeout(TIMEOUT)
    sign_in(tab, running.app_url, "quan.tri", "users")
    expect(tab.locator("#users")).to_contain_text("bien.tap")
    expect(tab.locator("#nav")).to_contain_text("Người dùng")
    admin.close()


def test_a_local_override_edited_in_the_page_shows_in_the_next_answer(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "bien.tap", "procedures")
    page.fill("#q", "đăng ký khai sinh")
    page.click("#search-form button")
    page.locator("#results button", has_text="Thủ tục đăng ký khai sinh").first.click()
    page.fill("#agency_address", "Bộ phận Một cửa UBND phường Hàng Bông, số 16 Lò Sũ")
    page.click("#override-form button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("Câu trả lời tiếp theo")
    text = running.assistant.texts("đăng ký khai sinh nộp hồ sơ ở đâu", uuid.uuid4().hex)
    assert "số 16 Lò Sũ" in text


def test_a_fee_edited_in_the_page_is_the_next_answers_fee(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "bien.tap", "fees")
    row = page.locator("#fees tr", has_text="244/2016/TT-BTC")
    expect(row).to_contain_text("200.000 đồng/lần/người")
    row.get_by_role("button", name="Sửa").click()
    expect(page.locator("#legal_number")).to_have_value("244/2016/TT-BTC")
    page.fill(
        "#amounts", "Phí cấp Phiếu lý lịch tư pháp: 230.000 đồng/lần/người\nSinh viên: 115.000 đồng/lần/người"
    )
    page.click("#fee button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("Câu trả lời tiếp theo dùng mức thu mới")
    expect(row).to_contain_text("230.000 đồng/lần/người")
    expect(row).to_contain_text("bien.tap")
    # A procedure whose fee cell says "Miễn phí (Thực hiện theo Thông tư số 244/2016/TT-BTC ...)".
    text = running.assistant.texts('/choose_procedure{"procedure_code": "3.000330"}', uuid.uuid4().hex)
    assert "230.000 đồng/lần/người" in text and "Thông tư 244/2016/TT-BTC" in text
    # A wrong number is refused in Vietnamese, next to the form.
    page.get_by_role("button", name="Thêm văn bản khác").click()
    page.fill("#legal_number", "thông tư 12")
    page.fill("#amounts", "10.000 đồng")
    page.fill("#source", "Điều 1")
    page.click("#fee button[type=submit]")
    expect(page.locator("#error")).to_contain_text("Số hiệu văn bản chưa đúng dạng")


def test_a_handoff_shows_in_the_inbox_and_release_gives_it_back_to_the_bot(
    running: Running, page: Page
) -> None:
    sender = uuid.uuid4().hex
    running.assistant.send("Đăng ký khai sinh cần giấy tờ gì?", sender)
    handoff = running.assistant.send("cho tôi gặp cán bộ", sender)
    assert any((m.get("custom") or {}).get("type") == "handoff" for m in handoff)

    sign_in(page, running.app_url, "bien.tap", "inbox")
    item = page.locator("#items li[data-kind=ticket]").first
    expect(item).to_contain_text("Đang chờ cán bộ")
    item.locator("button").click()
    expect(page.locator("#item-text")).to_contain_text("Thủ tục đang hỏi: 1.001193")
    # The conversation itself, read from the Rasa tracker through the token-protected HTTP API.
    expect(page.locator(".conversation .bubble.user").last).to_have_text(re.compile("cho tôi gặp cán bộ"))
    # The reply goes through the real Rasa server (EXTERNAL_staff_reply -> action_relay_staff_reply)
    # into the citizen's conversation.
    page.fill("#reply", "Chào bạn, mình là cán bộ Một cửa: bạn mang <giấy chứng sinh> bản chính nhé.")
    page.click("#send-reply")
    expect(page.locator("#toast")).to_contain_text("Đã gửi câu trả lời")
    expect(page.locator(".conversation .bubble.staff").last).to_contain_text(
        "bạn mang <giấy chứng sinh> bản chính nhé."
    )
    page.click("#release")
    expect(page.locator("#toast")).to_contain_text("Đã trả cuộc trò chuyện cho trợ lý")
    # Released through the Rasa API: the assistant answers the next question itself, at once.
    back = running.assistant.texts("lệ phí bao nhiêu", sender)
    assert back and "đang hỗ trợ" not in back and "Đã chuyển tin nhắn" not in back


def test_the_dashboard_draws_the_real_conversations(running: Running, page: Page) -> None:
    running.assistant.send("đăng ký khai sinh cần giấy tờ gì", uuid.uuid4().hex)
    with session_scope(running.database_url) as session:
        channels = set(session.scalars(select(UsageEvent.channel)))
    assert channels == {"rest"}
    sign_in(page, running.app_url, "bien.tap", "dashboard")
    expect(page.locator("#chart-days svg rect").first).to_be_visible()
    expect(page.locator("#chart-procedures")).to_contain_text("1.001193")
    expect(page.locator("#chart-channels")).to_contain_text("Khung chat trên cổng")
