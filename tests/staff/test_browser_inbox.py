"""Issue 18 (points 1-4, staff side) in headless Chromium against the app served by uvicorn.

A desk officer with the inbox open sees a new handoff within a few seconds without reloading, with
"Hộp thư (N)" in the menu and the tab title; timed-out tickets wait in "Cần gọi lại"; unanswered
questions come grouped, most asked first, searchable, paged and dismissed in bulk, with the noise set
aside and clipped to its box; a conversation is one timeline in plain words, opening at the newest
message, with the officer's replies in it; the confirmation of a reply says what the citizen will see.
The conversation comes from a fake Rasa server on loopback (tests/staff/fake_rasa.py).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete

from knowledge_base.conversations import create_handoff, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.models import HandoffTicket, TicketClaim, UnansweredQuestion
from tests.staff.conftest import PASSWORDS, browser_page, chromium, copy_database, serve_app
from tests.staff.fake_rasa import FakeRasa, fake_rasa

WEB_NOTE = (
    "Đã gửi câu trả lời vào khung chat trên cổng: nếu người dân đang mở khung chat, họ thấy ngay "
    "trong vài giây; nếu không, họ sẽ thấy khi mở lại khung chat trên cổng."
)


@dataclass
class Running:
    """The served app, the fake Rasa server, the browser and the database they share."""

    app_url: str
    rasa: FakeRasa
    browser: Browser
    database_url: str


@pytest.fixture(scope="module")
def running(staff_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The app pointed at a fake Rasa server, and Chromium."""
    folder = tmp_path_factory.mktemp("browser-inbox")
    url = copy_database(staff_template, folder / "app.db")
    with fake_rasa() as rasa:
        env = {"RASA_URL": rasa.url, "RASA_API_TOKEN": rasa.token}
        with serve_app(url, folder, env) as app_url, chromium() as browser:
            yield Running(app_url, rasa, browser, url)


@pytest.fixture
def page(running: Running) -> Iterator[Page]:
    """An empty inbox and a fresh browser context per test; no script error, nothing the CSP blocks."""
    with session_scope(running.database_url) as session:
        for table in (TicketClaim, HandoffTicket, UnansweredQuestion):
            session.execute(delete(table))
        session.commit()
    running.rasa.events = []
    with browser_page(running.browser) as tab:
        yield tab


def sign_in(page: Page, base: str, target: str = "inbox", username: str = "bien.tap") -> None:
    """Sign in through the login page and land on `target`."""
    page.goto(f"{base}/staff/{target}")
    page.wait_for_url(f"**/staff/login?next=/staff/{target}")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("#submit")
    # (A glob "**/staff/inbox" would also match the login page's own address, "...?next=/staff/inbox".)
    page.wait_for_url(lambda address: "/staff/login" not in address and f"/staff/{target}" in address)


def add_ticket(url: str, sender: str, channel: str = "telegram", minutes: float = 30, text: str = "") -> int:
    """Open a handoff ticket as the action server does (negative `minutes`: already timed out)."""
    with session_scope(url) as session:
        ticket = create_handoff(
            session,
            conversation_id=sender,
            channel=channel,
            reason="asked",
            summary="Lý do: người dân yêu cầu gặp cán bộ\nTin nhắn gần nhất của người dân:\n"
            f"- {text or 'cho tôi gặp cán bộ'}",
            timeout=dt.timedelta(minutes=minutes),
        )
        session.commit()
        return ticket.id


def add_questions(url: str, texts: list[str], channel: str = "rest") -> list[int]:
    """Put questions the assistant did not understand into the inbox, oldest first."""
    with session_scope(url) as session:
        ids = [
            record_unanswered(
                session,
                conversation_id=f"web-q{n}",
                channel=channel,
                text=text,
                intent="nlu_fallback",
                confidence=0.45,
                reason="fallback",
            )
            for n, text in enumerate(texts)
        ]
        session.commit()
        return ids


def test_a_new_handoff_shows_without_reloading_with_the_count_in_the_menu_and_the_title(
    running: Running, page: Page
) -> None:
    sign_in(page, running.app_url)
    inbox_link = page.locator('#nav a[data-page="inbox"]')
    expect(inbox_link).to_have_text("Hộp thư")
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#count-tickets")).to_have_text("0")
    expect(page.locator("#question-tools")).to_be_hidden()  # the question search is for questions
    expect(page.locator("#pager")).to_be_hidden()
    assert page.title() == "Hộp thư · Trợ lý TTHC – cán bộ"

    # A citizen asks for a person while the page is open (the action server writes the ticket).
    add_ticket(running.database_url, "tg-new", text="con em sinh ở nước ngoài thì đăng ký ở đâu")
    started = time.monotonic()
    item = page.locator("#items li[data-kind=ticket]")
    expect(item).to_contain_text("con em sinh ở nước ngoài thì đăng ký ở đâu", timeout=15_000)
    assert time.monotonic() - started < 10  # a few seconds, no reload
    expect(item).to_contain_text("Đang chờ cán bộ nhận")
    expect(item).to_contain_text("Telegram")
    expect(item).to_contain_text("Đã chờ dưới 1 phút")
    expect(page.locator("#toast")).to_contain_text("Có người dân cần gặp cán bộ")
    expect(page.locator("#count-tickets")).to_have_text("1")
    expect(inbox_link).to_have_text("Hộp thư (1)", timeout=15_000)
    expect(page).to_have_title("Hộp thư (1) · Trợ lý TTHC – cán bộ")

    # Every page carries the count: the officer editing an FAQ entry sees it too.
    page.goto(f"{running.app_url}/staff/faq")
    expect(page.locator('#nav a[data-page="inbox"]')).to_have_text("Hộp thư (1)")
    expect(page).to_have_title(re.compile(r"^\(1\) "))

    # The officer's choice of a bell and browser notifications is kept on this computer.
    page.goto(f"{running.app_url}/staff/inbox")
    page.context.grant_permissions(["notifications"])
    page.click("#alerts-toggle")
    expect(page.locator("#alerts-toggle")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("#alerts-toggle")).to_have_text(re.compile("đang bật"))


def test_timed_out_tickets_wait_in_their_own_call_back_bucket(running: Running, page: Page) -> None:
    for n in range(2):
        add_ticket(
            running.database_url, f"web-late-{n}", channel="rest", minutes=-5, text=f"hồ sơ số {n} sao lâu"
        )
    sign_in(page, running.app_url)
    # Not listed among the waiting tickets, but counted where the officer sees them.
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#tab-count-callback")).to_have_text("(2)")
    expect(page.locator("#count-callback")).to_have_text("2")
    expect(page.locator('#nav a[data-page="inbox"]')).to_have_text("Hộp thư (2)")
    page.click("#tab-callback")
    items = page.locator("#items li[data-kind=ticket]")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Cần gọi lại")
    expect(items.first).to_contain_text("Hỏi cách đây")
    expect(items.first).to_contain_text("Khung chat trên cổng")
    expect(page.locator("#view-note")).to_contain_text("chưa ai nhận kịp")
    items.first.locator("button").click()
    expect(page.locator("#detail")).to_contain_text("Cần gọi lại: hết thời gian chờ")
    page.click("#release")  # "Đã liên hệ lại"
    expect(page.locator("#toast")).to_contain_text("đã được liên hệ lại")
    expect(items).to_have_count(1)
    expect(page.locator("#tab-count-callback")).to_have_text("(1)")


ASKED = [
    "đăng ký khai sinh cần giấy tờ gì",
    "dang ky khai sinh can giay to gi",
    "cho em hỏi đăng ký khai sinh cần những giấy tờ gì ạ",
    "mất căn cước công dân làm lại thế nào",
    "cccd bị mất thì làm lại ở đâu",
]
STACKED = "h" + "\u0337\u0322\u031b\u0334\u0335\u0336" * 30 + "ỏi gì"


def test_questions_are_grouped_searched_paged_and_dismissed_in_bulk_with_noise_aside(
    running: Running, page: Page
) -> None:
    singles = [f"thủ tục số {n} nộp ở đâu" for n in range(22)]
    add_questions(running.database_url, [*singles, *ASKED, "xxxx", "???", "😀😀😀😀", STACKED])
    sign_in(page, running.app_url)
    expect(page.locator("#tab-count-questions")).to_have_text("(31)")
    expect(page.locator("#question-tools")).to_be_hidden()
    page.click("#tab-questions")
    groups = page.locator("#items li[data-kind=question]")
    expect(groups).to_have_count(20)
    expect(page.locator("#view-note")).to_contain_text("27 câu hỏi, gộp thành 24 nhóm")
    expect(page.locator("#view-note")).to_contain_text("4 tin nhắn vô nghĩa")
    expect(groups.nth(0)).to_contain_text("Hỏi 3 lần")
    expect(groups.nth(0)).to_contain_text("cho em hỏi đăng ký khai sinh")
    expect(groups.nth(1)).to_contain_text("Hỏi 2 lần")
    expect(page.locator("#tab-count-noise")).to_have_text("(4)")
    expect(page.locator("#page-info")).to_have_text("Trang 1/2")
    # A question that comes in meanwhile is offered, not slipped under the officer's eyes.
    add_questions(running.database_url, ["lệ phí làm hộ chiếu bao nhiêu"])
    expect(page.locator("#fresh")).to_contain_text("Có 1 câu hỏi mới.", timeout=15_000)
    expect(groups).to_have_count(20)
    page.click("#fresh-load")
    expect(page.locator("#fresh")).to_be_hidden()
    expect(page.locator("#view-note")).to_contain_text("28 câu hỏi, gộp thành 25 nhóm")
    page.click("#next")
    expect(page.locator("#page-info")).to_have_text("Trang 2/2")
    expect(groups).to_have_count(5)
    page.click("#prev")
    expect(groups).to_have_count(20)

    # Search folds diacritics and expands shorthand.
    page.fill("#q", "can cuoc")
    page.click("#question-tools button[type=submit]")
    expect(groups).to_have_count(1)
    expect(groups.first).to_contain_text("Hỏi 2 lần")
    groups.first.locator("summary").click()
    expect(groups.first.locator(".variants")).to_contain_text("mất căn cước công dân làm lại thế nào")
    page.fill("#q", "")
    page.click("#question-tools button[type=submit]")
    expect(groups).to_have_count(20)

    # The group's detail: no internal names, the group's size, a whole group dismissed at once.
    groups.first.locator("button.item").click()
    detail = page.locator("#detail")
    expect(detail).to_contain_text("Trợ lý không hiểu · Khung chat trên cổng")
    expect(page.locator("#group-note")).to_contain_text("được hỏi 3 lần")
    for internal in ("nlu_fallback", "Ý định", "độ tin cậy", "kênh rest"):
        expect(detail).not_to_contain_text(internal)
    page.click("#dismiss-group")
    expect(page.locator("#toast")).to_contain_text("Đã bỏ qua 3 câu hỏi cùng nội dung")
    expect(page.locator("#tab-count-questions")).to_have_text("(29)", timeout=15_000)

    # Bulk "Bỏ qua": tick two groups.
    groups.nth(0).locator("input.pick").check()
    groups.nth(1).locator("input.pick").check()
    expect(page.locator("#dismiss-selected")).to_have_text("Bỏ qua 3 câu hỏi đã chọn")
    page.click("#dismiss-selected")
    expect(page.locator("#toast")).to_contain_text("Đã bỏ qua 3 câu hỏi.")
    expect(page.locator("#view-note")).to_contain_text("22 câu hỏi, gộp thành 22 nhóm")

    # The noise, set aside, each clipped to its row; all dismissed with "Chọn cả trang".
    page.click("#tab-noise")
    expect(groups).to_have_count(4)
    stacked = page.locator("#items li", has_text="ỏi gì")
    expect(stacked).to_contain_text("Ký tự dấu chồng lên nhau")
    title = stacked.locator(".title")
    assert title.evaluate("node => getComputedStyle(node).overflow") == "hidden"
    box = title.bounding_box()
    row = stacked.bounding_box()
    assert box is not None and row is not None and box["height"] <= 80 and row["height"] < 160
    page.check("#select-page")
    expect(page.locator("#dismiss-selected")).to_have_text("Bỏ qua 4 câu hỏi đã chọn")
    page.click("#dismiss-selected")
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#tab-count-noise")).to_have_text("")


def test_one_timeline_opens_at_the_newest_message_and_replies_say_what_the_citizen_sees(
    running: Running, page: Page
) -> None:
    start = time.time() - 3600
    events: list[dict[str, object]] = []
    for n in range(20):
        events.append(
            {"event": "user", "text": f"câu hỏi thứ {n} của người dân", "timestamp": start + 60 * n}
        )
        events.append({"event": "action", "name": "action_answer", "timestamp": start + 60 * n + 1})
        events.append(
            {"event": "bot", "text": f"trả lời thứ {n} của trợ lý", "timestamp": start + 60 * n + 2}
        )
    events.append(
        {"event": "user", "text": '/choose_procedure{"procedure_code": "1.001193"}', "timestamp": start}
    )
    running.rasa.events = events
    ticket_id = add_ticket(running.database_url, "tg-talk", text="câu hỏi thứ 19 của người dân")
    sign_in(page, running.app_url)
    page.locator(f"#items li[data-kind=ticket][data-id='{ticket_id}'] button").click()
    timeline = page.locator("#timeline")
    expect(timeline.locator(".bubble").last).to_contain_text("trả lời thứ 19 của trợ lý")
    # Opened at the newest message: scrolled to the bottom.
    page.wait_for_function(
        "() => { const t = document.getElementById('timeline');"
        " return t.scrollHeight > t.clientHeight && t.scrollTop + t.clientHeight >= t.scrollHeight - 2; }"
    )
    expect(timeline).not_to_contain_text("choose_procedure")
    expect(page.locator("#detail")).to_contain_text("Người dân yêu cầu gặp cán bộ · Telegram")

    # A reply to a Telegram citizen: delivered to their app, and in the same timeline, by name.
    page.fill("#reply", "Chào anh, em là cán bộ Một cửa: anh mang <giấy chứng sinh> bản chính nhé.")
    page.click("#send-reply")
    expect(page.locator("#toast")).to_contain_text("Đã gửi câu trả lời đến ứng dụng Telegram của người dân.")
    expect(page.locator("#delivery-note")).to_contain_text("ứng dụng Telegram")
    # Taken by answering: nobody waits any more, the menu says so at once.
    expect(page.locator('#nav a[data-page="inbox"]')).to_have_text("Hộp thư")
    last = timeline.locator(".bubble").last
    expect(last).to_have_class(re.compile(r"\bstaff\b"))
    expect(last).to_contain_text("Cán bộ Bien Tap")
    expect(last).to_contain_text("anh mang <giấy chứng sinh> bản chính nhé.")
    expect(last).not_to_contain_text("Cán bộ Một cửa trả lời:")
    expect(page.locator("#detail")).not_to_contain_text("EXTERNAL")
    expect(page.locator("#detail h3", has_text="Cán bộ đã trả lời")).to_have_count(0)  # no second block
    page.wait_for_function(
        "() => { const t = document.getElementById('timeline');"
        " return t.scrollTop + t.clientHeight >= t.scrollHeight - 2; }"
    )

    # A question from the portal's chat box: the officer is told when the citizen will see the answer.
    running.rasa.events = []
    [question_id] = add_questions(running.database_url, ["xin giấy xác nhận tình trạng hôn nhân để mua nhà"])
    page.goto(f"{running.app_url}/staff/inbox?question={question_id}")
    expect(page.locator("#detail")).to_contain_text("Trợ lý không hiểu · Khung chat trên cổng")
    page.fill("#reply", "Bạn đến UBND cấp xã nơi cư trú để xin giấy xác nhận.")
    page.click("#send-reply")
    expect(page.locator("#toast")).to_have_text(WEB_NOTE)
    expect(page.locator("#timeline .bubble.staff").last).to_contain_text("UBND cấp xã nơi cư trú")


def test_after_saving_an_faq_entry_the_officer_is_back_in_the_same_view_at_the_next_question(
    running: Running, page: Page
) -> None:
    first, second = "mở quán karaoke cần giấy phép gì ạ", "xin giấy phép xây dựng nhà ở nông thôn thế nào"
    add_questions(running.database_url, [second, first])
    sign_in(page, running.app_url)
    page.click("#tab-questions")
    page.locator("#items li[data-kind=question]", has_text=first).locator("button.item").click()
    expect(page.locator("#detail")).to_contain_text(first)
    page.click("#to-faq")
    # The FAQ page was opened with the way back: this view of the inbox.
    page.wait_for_url(re.compile(r"/staff/faq\?from_question=\d+&return=%2Fstaff%2Finbox%3Fview%3Dquestions"))
    expect(page.locator("#citizen-words")).to_contain_text(first)  # the form is filled from the inbox
    page.fill("#title", "Mở quán karaoke cần giấy phép gì?")
    page.fill("#answer", "Cần Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke do UBND cấp tỉnh cấp.")
    page.click("#save-publish")
    # Back in the questions view (not the default tickets view), at the next open question.
    page.wait_for_url(re.compile(r"/staff/inbox\?view=questions&after=\d+$"))
    expect(page.locator("#tab-questions")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#toast")).to_contain_text("Đang mở mục tiếp theo")
    expect(page.locator("#detail")).to_contain_text(second)
    expect(page.locator("#items li[data-kind=question]", has_text=first)).to_have_count(0)


def test_the_dashboard_links_open_the_inbox_view_they_name(running: Running, page: Page) -> None:
    add_ticket(running.database_url, "tg-old", minutes=-5)
    add_questions(running.database_url, ["cho hỏi làm sổ hộ nghèo ở đâu"])
    sign_in(page, running.app_url)
    page.goto(f"{running.app_url}/staff/inbox?kind=question&status=open&q=ho%20ngheo")
    expect(page.locator("#tab-questions")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#q")).to_have_value("ho ngheo")
    expect(page.locator("#items li[data-kind=question]")).to_have_count(1)
    page.goto(f"{running.app_url}/staff/inbox?kind=ticket&status=callback")
    expect(page.locator("#tab-callback")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#items li[data-kind=ticket]")).to_have_count(1)
