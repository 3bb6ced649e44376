"""The FAQ page in headless Chromium against the real app (uvicorn) and a fake Rasa NLU.

An officer starting from an inbox question gets the citizen's words beside an empty title, tries the
question before and after the edit, is told a title needs diacritics, and goes back to the inbox at
the next item; a near-duplicate is flagged with a link; every save is a version that can be restored.
(The try box's verdicts against the real Rasa server: tests/conversation/test_try_question.py.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from knowledge_base.conversations import record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.models import FaqEntry, FaqVersion, UnansweredQuestion
from tests.staff.conftest import PASSWORDS, add_staff, browser_page, chromium, copy_database, serve_app
from tests.staff.fake_rasa import FakeRasa, fake_rasa

CITIZEN = "xin giay xac nhan doc than o dau"
TITLE = "Xin giấy xác nhận tình trạng hôn nhân ở đâu?"
ANSWER = (
    "Bạn nộp tờ khai tại Bộ phận Một cửa UBND xã, phường nơi thường trú, hoặc nộp trực tuyến trên Cổng DVC."
)
PARKING = "ở bộ phận một cửa có chỗ gửi xe máy miễn phí không"


@dataclass
class Running:
    """The app, the fake Rasa server, the browser and the database."""

    app_url: str
    rasa: FakeRasa
    browser: Browser
    database_url: str


@pytest.fixture(scope="module")
def running(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start the app on its own database, pointed at a fake Rasa server, and Chromium."""
    folder = tmp_path_factory.mktemp("browser-faq")
    url = copy_database(seeded_sqlite, folder / "faq.db")
    add_staff(url)
    with (
        fake_rasa() as rasa,
        serve_app(url, folder, {"RASA_URL": rasa.url, "RASA_API_TOKEN": rasa.token}) as app_url,
        chromium() as browser,
    ):
        yield Running(app_url, rasa, browser, url)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test."""
    with browser_page(running.browser) as tab:
        yield tab


def sign_in(page: Page, base: str, target: str, username: str = "bien.tap") -> None:
    """Sign in through the login page, landing on `target` (a path with its query)."""
    page.goto(f"{base}/staff/login?next={quote(target, safe='')}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#submit")
    page.wait_for_url(re.compile(re.escape(target.split("?")[0])))


def _question(url: str, text: str) -> int:
    with session_scope(url) as session:
        qid = record_unanswered(
            session,
            conversation_id="c-browser",
            channel="web",
            text=text,
            intent="nlu_fallback",
            confidence=0.2,
            reason="fallback",
        )
        session.commit()
    return qid


def _entries(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count(FaqEntry.id))) or 0)


def test_from_an_inbox_question_to_a_published_entry_and_back_to_the_inbox(
    running: Running, page: Page
) -> None:
    qid = _question(running.database_url, CITIZEN)
    count = _entries(running.database_url)
    inbox = "/staff/inbox?kind=question&status=open"
    sign_in(page, running.app_url, f"/staff/faq?from_question={qid}&return={quote(inbox, safe='')}")
    # The citizen's words: beside the title and kept as a way of asking, never the title.
    expect(page.locator("#citizen-words")).to_have_text(f"Người dân hỏi: “{CITIZEN}”")
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator("#questions")).to_have_value(CITIZEN)
    # The try box asked at once what the assistant answers to the citizen's words.
    expect(page.locator("#try-q")).to_have_value(CITIZEN)
    expect(page.locator("#try-before .verdict")).to_be_visible()
    expect(page.locator("#try-understood")).to_have_text(
        "Trợ lý hiểu là: Câu hỏi chung (hướng dẫn, tài khoản, nộp trực tuyến …)"
    )

    page.fill("#answer", ANSWER)
    page.click("#save-publish")
    expect(page.locator("#error")).to_contain_text("Hãy đặt tiêu đề cho mục")
    page.fill("#title", "xin giay xac nhan tinh trang hon nhan")
    page.click("#save-publish")
    expect(page.locator("#error")).to_contain_text("cần viết tiếng Việt có dấu")
    assert _entries(running.database_url) == count  # nothing saved yet

    page.fill("#title", TITLE)
    page.fill("#try-q", CITIZEN)
    page.click("#try-run")
    after = page.locator("#try-after .verdict")
    expect(after).to_have_attribute("data-kind", "faq")
    expect(page.locator("#try-after")).to_contain_text("Mục đang soạn (chưa lưu)")
    expect(page.locator("#try-after .bubble")).to_have_text(ANSWER)

    page.click("#save-publish")
    # Back to the inbox with its filters, at the item after this one.
    page.wait_for_url(re.compile(r"/staff/inbox\?kind=question&status=open&after=" + str(qid) + "$"))
    with session_scope(running.database_url) as session:
        entry = session.scalars(select(FaqEntry).order_by(FaqEntry.id.desc())).first()
        assert entry is not None and entry.published
        assert [q.text for q in entry.questions] == [TITLE, CITIZEN]
        assert session.get(UnansweredQuestion, qid).status == "faq"


def test_the_try_box_shows_now_and_after_the_edit_without_saving(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "/staff/faq")
    page.click("#new")
    page.fill("#title", "Có chỗ gửi xe máy ở bộ phận một cửa không?")
    page.fill("#questions", "gửi xe ở đâu khi đi làm thủ tục")
    page.fill("#answer", "Có. Bãi gửi xe máy miễn phí ở cổng sau trụ sở.")
    count = _entries(running.database_url)
    page.fill("#try-q", PARKING)
    page.click("#try-run")
    expect(page.locator("#try-before h4")).to_have_text("Hiện nay (nội dung đã lưu)")
    expect(page.locator("#try-before .verdict")).not_to_have_attribute("data-kind", "none")
    expect(page.locator("#try-after h4")).to_have_text("Sau khi lưu và đăng bản đang soạn")
    expect(page.locator("#try-after")).to_contain_text("Mục đang soạn (chưa lưu)")
    expect(page.locator("#try-after .bubble")).to_have_text("Có. Bãi gửi xe máy miễn phí ở cổng sau trụ sở.")
    assert _entries(running.database_url) == count  # trying never saves or publishes
    # A procedure question, as the NLU reads it, goes to the procedure.
    question = "đăng ký khai sinh cần giấy tờ gì"
    running.rasa.parses[question] = {
        "text": question,
        "intent": {"name": "ask_documents", "confidence": 0.97},
        "entities": [{"entity": "aspect", "value": "documents"}],
    }
    page.fill("#try-q", question)
    page.click("#try-run")
    expect(page.locator("#try-understood")).to_have_text("Trợ lý hiểu là: Hỏi về một thủ tục")
    expect(page.locator("#try-before .verdict")).to_have_attribute("data-code", "1.001193")
    expect(page.locator("#try-after .verdict")).to_have_attribute("data-code", "1.001193")


def test_a_near_duplicate_is_flagged_with_a_link_to_the_entry(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "/staff/faq")
    page.click("#new")
    page.fill("#title", "Quên mật khẩu tài khoản dịch vụ công thì làm sao?")
    similar = page.locator("#similar")
    expect(similar).to_contain_text("Có thể trùng với mục đã có")
    link = similar.locator("a.similar-link").first
    expect(link).to_contain_text("Quên mật khẩu đăng nhập dịch vụ công thì làm sao?")
    href = link.get_attribute("href") or ""
    assert re.fullmatch(r"/staff/faq\?id=\d+", href)
    page.goto(running.app_url + href)
    expect(page.locator("#title")).to_have_value("Quên mật khẩu đăng nhập dịch vụ công thì làm sao?")
    expect(page.locator("#similar")).to_be_hidden()  # an entry is not its own duplicate


def test_the_history_lists_every_save_and_restores_an_earlier_version(running: Running, page: Page) -> None:
    sign_in(page, running.app_url, "/staff/faq")
    page.click("#new")
    page.fill("#title", "Bộ phận một cửa có wifi miễn phí không?")
    page.fill("#answer", "Có, mạng wifi miễn phí cho người dân.")
    page.click("#save")
    expect(page.locator("#toast")).to_contain_text("Đã lưu bản nháp")
    expect(page.locator("#history li")).to_have_count(1)
    page.fill("#answer", "Không có wifi.")
    page.click("#save")
    expect(page.locator("#history li")).to_have_count(2)
    expect(page.locator("#history li").first).to_contain_text("Phiên bản 2 · Sửa nội dung")
    expect(page.locator("#history li").first).to_contain_text("đang dùng")
    old = page.locator("#history li[data-version='1']")
    old.get_by_role("button", name="Xem").click()
    expect(page.locator("#version-view .bubble")).to_have_text("Có, mạng wifi miễn phí cho người dân.")
    old.get_by_role("button", name="Khôi phục").click()
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Khôi phục các cách hỏi, câu trả lời và thủ tục của phiên bản 1")
    page.click("#confirm-ok")
    expect(page.locator("#toast")).to_contain_text("Đã khôi phục phiên bản 1")
    expect(page.locator("#answer")).to_have_value("Có, mạng wifi miễn phí cho người dân.")
    expect(page.locator("#history li")).to_have_count(3)
    expect(page.locator("#history li").first).to_contain_text("Khôi phục phiên bản cũ (từ phiên bản 1)")
    with session_scope(running.database_url) as session:
        entry = session.scalars(select(FaqEntry).order_by(FaqEntry.id.desc())).first()
        assert entry is not None and entry.answer == "Có, mạng wifi miễn phí cho người dân."
        actions = session.scalars(
            select(FaqVersion.action).where(FaqVersion.faq_id == entry.id).order_by(FaqVersion.version)
        ).all()
        assert actions == ["create", "update", "restore"]
