"""The widget follows a handoff, reads well on a phone and works by keyboard (issue 18, points 4 and 8–11).

Headless Chromium on the demo page against the real Rasa server (trained model), action server and
app (`tests.web.test_widget`'s stack, started once for this module); the desk officer acts through
the app's own inbox code (`app.staff.inbox`: claim, reply, release) with the real `RasaClient`, on
the database the action server writes, as the staff API does.

``SCREENSHOTS_DIR=docs`` saves the README's screenshot of the widget in a handoff
(widget-handoff-phone.png, 360×740) there; otherwise it goes to a temporary folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.rasa_client import RasaClient
from app.staff import inbox
from knowledge_base.db import session_scope
from knowledge_base.models import HandoffTicket, UnansweredQuestion
from knowledge_base.staff.auth import Principal, create_user
from tests.web import test_widget
from tests.web.test_widget import (
    ANSWER_TIMEOUT_MS,
    OPEN_LABEL,
    QUESTION,
    Stack,
    WidgetPage,
    _open_page,
    _screenshots_dir,
)

pytestmark = pytest.mark.conversation

# The widget tests' fixtures: the servers (started once for this module) and Chromium.
stack = test_widget.stack
browser = test_widget.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 800}
OFFICER = "Nguyễn Thị Lan"
#: A reply reaches an open widget within seconds (it reads the history every 4 s while open).
OPEN_POLL_MS = 12_000
#: ... and a closed panel's button within one slower read (every 15 s) and some slack.
CLOSED_POLL_MS = 30_000


@pytest.fixture(scope="module")
def desk(stack: Stack) -> Iterator[Desk]:
    """A desk officer working through the app's inbox code on the stack's database."""
    yield Desk(stack)


class Desk:
    """What an officer does in the staff workspace, through `app.staff.inbox` and the real Rasa API."""

    def __init__(self, stack: Stack) -> None:
        """Create the officer's account once (display name `OFFICER`)."""
        self.url = stack.database_url
        self.client = RasaClient(stack.assistant.rasa_url, stack.assistant.api_token)
        with session_scope(self.url) as session:
            user = create_user(
                session,
                username="lan.nt",
                password="mat-khau-du-dai-123",
                role="editor",
                display_name=OFFICER,
                created_by="test",
            )
            session.commit()
            self.principal = Principal(
                user_id=user.id,
                username=user.username,
                display_name=OFFICER,
                role="editor",
                session_id=0,
                csrf_token="",
            )

    def ticket_of(self, sender: str) -> int:
        """The open ticket of a conversation."""
        with session_scope(self.url) as session:
            return int(
                session.scalars(
                    select(HandoffTicket.id).where(
                        HandoffTicket.conversation_id == sender, HandoffTicket.status == "open"
                    )
                ).one()
            )

    def claim(self, sender: str) -> None:
        """Take the conversation's ticket (the bot pauses)."""
        with session_scope(self.url) as session:
            inbox.claim_ticket(session, self.principal, self.ticket_of(sender), self.client)
            session.commit()

    def reply(self, sender: str, text: str) -> None:
        """Answer the citizen of the ticket."""
        with session_scope(self.url) as session:
            inbox.reply_ticket(session, self.principal, self.ticket_of(sender), text, self.client)
            session.commit()

    def release(self, sender: str) -> None:
        """Give the conversation back to the assistant."""
        with session_scope(self.url) as session:
            inbox.release_ticket(session, self.principal, self.ticket_of(sender), self.client)
            session.commit()

    def answer_question(self, sender: str, text: str) -> None:
        """Answer the conversation's latest unanswered question (the inbox's "Trả lời")."""
        with session_scope(self.url) as session:
            question = session.scalars(
                select(UnansweredQuestion.id)
                .where(UnansweredQuestion.conversation_id == sender)
                .order_by(UnansweredQuestion.id.desc())
            ).first()
            assert question is not None
            inbox.reply_question(session, self.principal, int(question), text, self.client)
            session.commit()


def _sender(opened: WidgetPage, stack: Stack) -> str:
    session_id = opened.page.evaluate(
        "key => localStorage.getItem(key)", f"tthc-widget:{stack.assistant.rasa_url}"
    )
    assert session_id
    return "web-" + str(session_id).split(".", 1)[0]


def _shadow(opened: WidgetPage, script: str) -> Any:
    """Evaluate `script` (a function of the widget's shadow root)."""
    return opened.page.evaluate(f"() => ({script})(document.getElementById('tthc-widget').shadowRoot)")


def _top_in_view(opened: WidgetPage, selector: str) -> bool:
    """Whether the last element matching `selector` starts inside the visible part of the log."""
    return bool(
        _shadow(
            opened,
            "root => { const log = root.querySelector('.log'); const all = root.querySelectorAll("
            + repr(selector)
            + "); const node = all[all.length - 1]; const a = log.getBoundingClientRect(),"
            " b = node.getBoundingClientRect(); return b.top >= a.top - 1 && b.top < a.bottom - 20; }",
        )
    )


@pytest.fixture
def phone(browser: Browser, stack: Stack) -> Iterator[WidgetPage]:
    """The demo page at phone size (360×740), empty browser storage."""
    opened = _open_page(browser, f"{stack.app_url}/", viewport=PHONE)
    yield opened
    opened.context.close()


@pytest.fixture
def desktop(browser: Browser, stack: Stack) -> Iterator[WidgetPage]:
    """The demo page at desktop size (1366×800), empty browser storage."""
    opened = _open_page(browser, f"{stack.app_url}/", viewport=DESKTOP)
    yield opened
    opened.context.close()


# ------------------------------------------------------------------------------------------------ #


def test_a_handoff_the_citizen_can_follow(
    phone: WidgetPage, stack: Stack, desk: Desk, tmp_path: Path
) -> None:
    page, subtitle = phone.page, phone.page.locator(".subtitle")
    phone.open_widget()
    expect(subtitle).to_have_text(re.compile("^Trả lời tự động"))
    phone.ask("cho tôi gặp cán bộ")
    # A ticket waits for an officer: the header says so, the assistant keeps answering.
    expect(subtitle).to_have_text(re.compile("^Đang kết nối cán bộ…"))
    sender = _sender(phone, stack)

    # The officer takes it: the open widget shows who answers, without a message of the citizen's.
    desk.claim(sender)
    expect(subtitle).to_have_text(f"Cán bộ {OFFICER} đang trả lời", timeout=OPEN_POLL_MS)

    # Every message is acknowledged while the officer has the conversation.
    phone.ask(QUESTION)
    expect(phone.bot_messages().last).to_contain_text("đang hỗ trợ bạn")
    phone.ask("cảm ơn")
    expect(phone.bot_messages().last).to_have_text("Đã chuyển tin nhắn tới cán bộ.")
    assert page.locator(".card").count() == 0  # nothing answered the question behind the officer's back

    # The officer's reply reaches the open widget within seconds, marked as the desk's.
    reply = "Chào bạn, tôi là Lan ở bộ phận Một cửa, tôi đang xem câu hỏi của bạn."
    desk.reply(sender, reply)
    expect(page.locator(".msg.bot.staff .bubble").last).to_contain_text(reply, timeout=OPEN_POLL_MS)
    assert _top_in_view(phone, ".msg.bot.staff")
    _screenshot_handoff(phone, tmp_path)

    # The citizen asks again; the officer gives the conversation back without answering it: the
    # citizen is told, and the assistant answers the question asked while waiting.
    phone.ask(QUESTION)
    desk.release(sender)
    expect(subtitle).to_have_text("Trợ lý đã quay lại", timeout=OPEN_POLL_MS)
    back = phone.bot_messages().filter(has_text="Trợ lý đã quay lại")
    expect(back).to_have_count(1, timeout=OPEN_POLL_MS)
    expect(back).to_contain_text(QUESTION)
    expect(page.locator(".card")).to_have_count(1, timeout=OPEN_POLL_MS)
    expect(page.locator(".card .card-title")).to_contain_text("căn cước")
    # The citizen's question is not shown twice; the answer's buttons work.
    expect(phone.user_messages().filter(has_text=QUESTION)).to_have_count(2)
    expect(page.locator(".msg.bot").last.get_by_role("button", name="Câu trả lời hữu ích")).to_be_enabled()

    # A reload shows the same conversation, no internal event among it.
    asked = phone.user_messages().all_inner_texts()
    page.reload()
    expect(phone.user_messages()).to_have_text(asked, timeout=ANSWER_TIMEOUT_MS)
    assert not [text for text in asked if text.startswith("EXTERNAL")]
    expect(page.locator(".card")).to_have_count(1)
    assert phone.dialogs == [] and phone.csp_violations() == []


def _screenshot_handoff(opened: WidgetPage, tmp_path: Path) -> None:
    path = _screenshots_dir(tmp_path) / "widget-handoff-phone.png"
    opened.page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


def test_replies_reach_a_closed_panel_and_the_next_visit(
    desktop: WidgetPage, stack: Stack, desk: Desk
) -> None:
    page = desktop.page
    desktop.open_widget()
    # A question the assistant cannot answer goes to the inbox; the officer answers it later.
    desktop.ask("con mèo nhà tôi tên là gì")
    sender = _sender(desktop, stack)
    page.keyboard.press("Escape")
    expect(desktop.panel).to_be_hidden()

    # The panel is closed, the page open: a count on the button, read by screen readers too.
    first = "Chào bạn, câu hỏi này không thuộc thủ tục hành chính; bạn cần gì thêm cứ nhắn nhé."
    desk.answer_question(sender, first)
    launcher = page.get_by_role("button", name=OPEN_LABEL)
    expect(page.locator(".badge")).to_have_text("1", timeout=CLOSED_POLL_MS)
    expect(launcher).to_have_attribute("aria-label", re.compile(r"\(1 tin nhắn mới\)"))
    launcher.click()
    expect(page.locator(".msg.bot.staff .bubble").last).to_contain_text(first)
    expect(page.locator(".badge")).to_be_hidden()
    page.keyboard.press("Escape")

    # The tab is closed; the officer writes again; the next visit (same browser storage) shows it.
    page.close()
    second = "Nếu cần, bạn gọi tổng đài 1022 để được hướng dẫn thêm."
    desk.answer_question(sender, second)
    again = desktop.context.new_page()
    again.goto(f"{stack.app_url}/")
    expect(again.locator(".badge")).to_have_text("1", timeout=CLOSED_POLL_MS)
    again.get_by_role("button", name=OPEN_LABEL).click()
    staff = again.locator(".msg.bot.staff .bubble")
    expect(staff).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(staff.last).to_contain_text(second)
    expect(again.locator(".badge")).to_be_hidden()


def test_keyboard_only_and_short_announcements(desktop: WidgetPage) -> None:
    page = desktop.page
    # The first Tab reaches the skip link (the floating button is last on the page).
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến trợ lý hỏi đáp thủ tục hành chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(desktop.panel).to_be_visible()
    expect(desktop.input).to_be_focused()
    # While open, the floating button says it closes the assistant.
    expect(page.locator(".launcher")).to_have_attribute(
        "aria-label", "Đóng trợ lý hỏi đáp thủ tục hành chính"
    )
    expect(page.get_by_role("log", name="Cuộc trò chuyện")).to_have_attribute("aria-live", "off")

    # Enter while an answer loads: the message waits its turn (said so), then goes out.
    held: list[Any] = []
    web = desktop.page.evaluate("() => document.querySelector('script[data-server]').dataset.server")
    page.route(f"{web}/webhooks/web/webhook", lambda route: held.append(route))
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    expect(page.locator(".typing")).to_be_visible()
    page.keyboard.type("còn lệ phí thì sao")
    page.keyboard.press("Enter")
    queued = page.locator(".queued")
    expect(queued).to_contain_text("sẽ được gửi ngay sau đó")
    expect(desktop.user_messages()).to_have_count(1)
    for _ in range(300):
        if held:
            break
        page.wait_for_timeout(100)
    held[0].continue_()
    page.unroute(f"{web}/webhooks/web/webhook")
    expect(page.locator(".card")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(desktop.user_messages()).to_have_text([QUESTION, "còn lệ phí thì sao"], timeout=ANSWER_TIMEOUT_MS)
    expect(queued).to_be_hidden()
    expect(desktop.bot_messages().last).to_contain_text("lệ phí", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".typing")).to_be_hidden(timeout=ANSWER_TIMEOUT_MS)

    # The live region says a short summary, never the whole answer or card.
    announced = page.locator(".announcer")
    expect(announced).to_contain_text("Trợ lý:", timeout=ANSWER_TIMEOUT_MS)
    assert len(announced.inner_text()) < 400
    # The card's answer opened at its top (the reader lands on the title, not on the ratings).
    page.locator(".msg.bot").filter(has=page.locator(".card")).scroll_into_view_if_needed()

    # A quick reply pressed by keyboard: focus goes to the message box, not to the top of the page.
    button = page.locator(".msg.bot").last.get_by_role("button", name="Câu trả lời hữu ích")
    button.focus()
    page.keyboard.press("Enter")
    expect(desktop.input).to_be_focused()
    expect(desktop.bot_messages().last).to_contain_text("Cảm ơn", timeout=ANSWER_TIMEOUT_MS)

    # Escape closes; focus back on the button, which offers to open again.
    page.keyboard.press("Escape")
    expect(desktop.panel).to_be_hidden()
    expect(page.locator(".launcher")).to_be_focused()
    expect(page.locator(".launcher")).to_have_attribute("aria-label", OPEN_LABEL)


def test_a_new_answer_opens_at_its_top_on_a_phone(phone: WidgetPage) -> None:
    phone.open_widget()
    phone.ask(QUESTION)
    expect(phone.page.locator(".card")).to_have_count(1)
    # The card is taller than the screen: the reader starts at its title, not at the rating buttons.
    assert _top_in_view(phone, ".msg.bot")
    title = phone.page.locator(".card-title")
    expect(title).to_be_in_viewport()


def test_a_wrong_four_digit_check_keeps_the_dossier_code(desktop: WidgetPage) -> None:
    desktop.open_widget()
    desktop.ask("tra cứu hồ sơ 000.00.12.H37-251012-0003")
    expect(desktop.bot_messages().last).to_contain_text("4 số cuối")
    desktop.ask("9999")
    expect(desktop.bot_messages().filter(has_text="Tôi vẫn giữ mã hồ sơ")).to_contain_text(
        "000.00.12.H37-251012-0003"
    )
    # Only the four digits again: the 25-character code is not retyped.
    desktop.ask("0303")
    expect(desktop.bot_messages().last).to_contain_text("Yêu cầu bổ sung hồ sơ", timeout=ANSWER_TIMEOUT_MS)
