"""The web widget: its files and demo page (FastAPI), its channel (real Rasa server) and the widget
itself in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no browser download).

The browser and HTTP tests share one real Rasa server and action server (started once for the
module) and the FastAPI app run by uvicorn on a free loopback port, whose demo page points the
widget at that Rasa server.

``SCREENSHOTS_DIR=docs`` (relative to the repository, or absolute) saves the README's screenshots
(widget-desktop.png, widget-phone.png) there; otherwise they go to a temporary folder.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from app import widget
from app.rasa_client import make_jwt
from tests.servers import PROJECT_ROOT, Assistant, free_port, serve_app, start_assistant

ANSWER_TIMEOUT_MS = 90_000  # the Rasa server shares 2 cores with other test runs
QUESTION = "làm căn cước cần giấy tờ gì"
HOSTILE = "<img src=x onerror=alert(1)>"
OPEN_LABEL = "Mở trợ lý hỏi đáp thủ tục hành chính"
INPUT_LABEL = "Câu hỏi của bạn"
OFFLINE_TEXT = "Không kết nối được với máy chủ trợ lý"


# ------------------------------------------------------------------------------------------------ #
# The demo page and static files (FastAPI test client, no servers)
# ------------------------------------------------------------------------------------------------ #


@pytest.fixture
def widget_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app with the widget pointed at a Rasa server URL of the test's choosing."""
    monkeypatch.setenv("WEB_RASA_URL", "https://bot.example.gov.vn:5005")
    widget.get_widget_settings.cache_clear()
    yield client
    widget.get_widget_settings.cache_clear()


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in (p.strip() for p in policy.split(";"))}


def test_demo_page_embeds_the_widget_with_one_script_tag(widget_client: TestClient) -> None:
    response = widget_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert len(scripts) == 1
    tag = scripts[0]
    assert 'src="/widget/widget.js"' in tag
    assert 'data-server="https://bot.example.gov.vn:5005"' in tag
    assert 'data-lang="vi"' in tag
    for attribute in ("data-title", "data-color", "data-accent"):
        assert attribute in tag
    # Nothing inline for the CSP to have to allow.
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert re.search(r"<[^>]*\son[a-z]+\s*=", page) is None


def test_demo_page_in_english(widget_client: TestClient) -> None:
    assert 'data-lang="en"' in widget_client.get("/?lang=en").text
    assert widget_client.get("/?lang=fr").status_code == 422


def test_demo_page_security_headers(widget_client: TestClient) -> None:
    response = widget_client.get("/")
    csp = _csp(response)
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["connect-src"].split() == ["'self'", "https://bot.example.gov.vn:5005"]
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/widget/widget.js", "text/javascript"),
        ("/widget/widget.css", "text/css"),
        ("/demo/demo.css", "text/css"),
    ],
)
def test_static_files(widget_client: TestClient, path: str, media_type: str) -> None:
    response = widget_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert _csp(response)["default-src"] == "'none'"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.content == (widget.WEB_DIR / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/widget/index.html",
        "/widget/..%2Fdemo%2Findex.html",
        "/widget/%2e%2e%2f%2e%2e%2fREADME.md",
        "/demo/index.html",
        "/widget/",
    ],
)
def test_only_listed_files_are_served(widget_client: TestClient, path: str) -> None:
    assert widget_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "value",
    ['http://x"><script>alert(1)</script>', "javascript:alert(1)", "http://a b", "http://h; script-src *"],
)
def test_rasa_url_must_be_a_plain_url(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_RASA_URL", value)
    with pytest.raises(ValueError, match="WEB_RASA_URL"):
        widget.WidgetSettings()


def test_widget_renders_messages_as_text_only() -> None:
    """The widget's source never turns message data into HTML (the browser tests check behaviour)."""
    source = (widget.WEB_DIR / "widget" / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source


# ------------------------------------------------------------------------------------------------ #
# The running stack: Rasa server + action server + FastAPI app
# ------------------------------------------------------------------------------------------------ #


@dataclass
class Stack:
    """The servers the browser talks to."""

    assistant: Assistant
    app_url: str
    origin: str
    secret: str
    #: The database the action server writes (tickets, unanswered questions, staff accounts).
    database_url: str = ""

    @property
    def web(self) -> str:
        """The web channel's base URL."""
        return f"{self.assistant.rasa_url}/webhooks/web"

    def session(self) -> str:
        """A session id issued by the channel."""
        response = httpx.post(f"{self.web}/session", timeout=30)
        assert response.status_code == 201
        return str(response.json()["session_id"])


@pytest.fixture(scope="module")
def stack(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The Rasa server and action server (once for the module) and the app serving the demo page."""
    folder = tmp_path_factory.mktemp("web")
    # A private copy: the action server writes ratings and unanswered questions.
    database = folder / "web.db"
    shutil.copy(seeded_sqlite.split("///", 1)[1], database)
    database_url = f"sqlite:///{database}"
    app_port = free_port()
    origin = f"http://127.0.0.1:{app_port}"
    secret = secrets.token_hex(32)
    extra_env = {
        "WEB_ALLOWED_ORIGINS": origin,
        "WEB_SESSION_SECRET": secret,
        # The HTTP API (behind a token) carries desk officers' replies into conversations.
        "RASA_API_TOKEN": secrets.token_hex(16),
    }
    with (
        start_assistant(database_url, folder, extra_env) as assistant,
        serve_app(database_url, folder, {"WEB_RASA_URL": assistant.rasa_url}, port=app_port),
    ):
        yield Stack(
            assistant=assistant, app_url=origin, origin=origin, secret=secret, database_url=database_url
        )


@pytest.fixture(scope="module")
def unreachable_app_url(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second app whose demo page points the widget at a port where nothing listens."""
    nowhere = {"WEB_RASA_URL": f"http://127.0.0.1:{free_port()}"}
    with serve_app(seeded_sqlite, tmp_path_factory.mktemp("web-down"), nowhere) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        yield launched
        launched.close()


@dataclass
class WidgetPage:
    """One browser tab on the demo page, with what the page reported."""

    context: BrowserContext
    page: Page
    console_errors: list[str]
    dialogs: list[str]

    def open_widget(self) -> None:
        """Click the floating button and wait for the panel."""
        self.page.get_by_role("button", name=OPEN_LABEL).click()
        expect(self.panel).to_be_visible()

    @property
    def panel(self) -> Any:
        """The widget's dialog."""
        return self.page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")

    @property
    def input(self) -> Any:
        """The message box."""
        return self.page.get_by_role("textbox", name=INPUT_LABEL)

    def user_messages(self) -> Any:
        """The citizen's message bubbles."""
        return self.page.locator(".msg.user .bubble")

    def bot_messages(self) -> Any:
        """The bot's message bubbles (the local welcome included)."""
        return self.page.locator(".msg.bot .bubble")

    def ask(self, text: str) -> None:
        """Type `text`, press Enter and wait until the answer has arrived."""
        answers = self.page.locator(".msg.bot").count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.page.locator(".msg.bot")).not_to_have_count(answers, timeout=ANSWER_TIMEOUT_MS)
        expect(self.page.locator(".typing")).to_be_hidden(timeout=ANSWER_TIMEOUT_MS)

    def images(self) -> int:
        """<img> elements on the page, the widget's shadow root included."""
        return int(
            self.page.evaluate(
                "() => document.querySelectorAll('img').length + "
                "document.getElementById('tthc-widget').shadowRoot.querySelectorAll('img').length"
            )
        )

    def csp_violations(self) -> list[str]:
        """Console errors about the Content-Security-Policy."""
        return [m for m in self.console_errors if "Content Security Policy" in m]


def _open_page(browser: Browser, url: str, viewport: dict[str, int] | None = None) -> WidgetPage:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale="vi-VN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    opened = WidgetPage(context, page, [], [])
    page.on("console", lambda m: opened.console_errors.append(m.text) if m.type == "error" else None)

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return opened


@pytest.fixture
def demo(browser: Browser, stack: Stack) -> Iterator[WidgetPage]:
    """A fresh browser context (empty localStorage) on the demo page at desktop size."""
    opened = _open_page(browser, f"{stack.app_url}/")
    yield opened
    opened.context.close()


def _screenshots_dir(tmp_path: Path) -> Path:
    configured = os.environ.get("SCREENSHOTS_DIR")
    if not configured:
        return tmp_path
    folder = Path(configured)
    folder = folder if folder.is_absolute() else PROJECT_ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _screenshot(opened: WidgetPage, path: Path) -> None:
    """Save the page with the latest question at the top of the conversation."""
    opened.page.evaluate(
        "() => { const log = document.getElementById('tthc-widget').shadowRoot.querySelector('.log');"
        " const asked = log.querySelectorAll('.msg.user');"
        " if (asked.length) { log.scrollTop = asked[asked.length - 1].offsetTop - log.offsetTop - 8; } }"
    )
    opened.page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


# ------------------------------------------------------------------------------------------------ #
# In the browser
# ------------------------------------------------------------------------------------------------ #


@pytest.mark.conversation
def test_ask_see_answer_card_rate_choose_and_reload(demo: WidgetPage, stack: Stack, tmp_path: Path) -> None:
    page = demo.page
    # The floating button opens the panel, focus goes to the message box.
    launcher = page.locator(".launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_have_attribute("aria-label", OPEN_LABEL)
    demo.open_widget()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    # While open it says what it does now.
    expect(launcher).to_have_attribute("aria-label", "Đóng trợ lý hỏi đáp thủ tục hành chính")
    expect(demo.input).to_be_focused()
    # The log is not read out as it grows (a card is long): one live region says short summaries.
    expect(page.get_by_role("log", name="Cuộc trò chuyện")).to_have_attribute("aria-live", "off")

    # Hold the first answer to see the typing indicator while the citizen waits.
    held: list[Any] = []
    page.route(f"{stack.web}/webhook", lambda route: held.append(route))
    demo.input.fill(QUESTION)
    demo.input.press("Enter")
    expect(demo.user_messages().last).to_have_text(QUESTION)
    expect(page.locator(".typing")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Trợ lý đang trả lời…")
    expect(demo.input).to_have_value("")
    for _ in range(300):  # the request reaches the route after the session is issued
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()
    page.unroute(f"{stack.web}/webhook")

    # The answer, with its procedure card.
    card = page.locator(".card")
    expect(card).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".typing")).to_be_hidden()
    # The card replaces the answer's text (the same documents are not shown twice).
    expect(page.locator(".msg.bot").last.locator(".bubble")).to_have_count(0)
    expect(card.locator(".card-title")).to_contain_text("căn cước")
    expect(card.locator(".card-code")).to_contain_text(re.compile(r"Mã thủ tục: \d\.\d{6}"))
    for heading in ("Giấy tờ cần chuẩn bị", "Thời gian giải quyết", "Phí, lệ phí", "Cách nộp hồ sơ"):
        expect(card.get_by_role("heading", name=heading)).to_be_visible()
    expect(card.locator(".card-section").first.locator("li").first).not_to_be_empty()
    expect(card.locator(".card-source")).to_contain_text("Nguồn: Cổng DVC quốc gia")
    expect(card.get_by_role("link", name="Xem trên Cổng Dịch vụ công")).to_have_attribute(
        "href", re.compile(r"^https?://")
    )
    _screenshot(demo, _screenshots_dir(tmp_path) / "widget-desktop.png")
    expect(card.get_by_role("heading", name="Nơi nộp")).to_be_visible()

    # 👍: a quick reply whose title is shown as the citizen's message, the payload goes to the bot.
    page.get_by_role("button", name="Câu trả lời hữu ích").click()
    expect(demo.user_messages().last).to_have_text("👍")
    expect(demo.bot_messages().last).to_contain_text("Cảm ơn", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Câu trả lời hữu ích")).to_be_disabled()

    # A clarifying question: pressing a candidate answers about that procedure.
    demo.ask("đăng ký kinh doanh cần giấy tờ gì")
    choices = page.locator(".msg.bot").last.locator("button.reply")
    expect(choices).not_to_have_count(0)
    chosen = choices.first.inner_text()
    choices.first.click()
    expect(demo.user_messages().last).to_have_text(chosen)
    expect(card).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(card.last.locator(".card-title")).to_have_text(chosen)
    # "Tất cả giấy tờ" under that first reply: the whole list, as text, without another card.
    page.locator(".msg.bot").last.get_by_role("button", name="Tất cả giấy tờ").click()
    expect(demo.bot_messages().last).to_contain_text("Hồ sơ cần chuẩn bị", timeout=ANSWER_TIMEOUT_MS)
    expect(card).to_have_count(2)

    # Reload: the panel comes back with the conversation, in order, buttons of old answers inactive.
    asked = demo.user_messages().all_inner_texts()
    page.reload()
    expect(demo.panel).to_be_visible()
    expect(demo.user_messages()).to_have_text(asked, timeout=ANSWER_TIMEOUT_MS)
    expect(card).to_have_count(2)
    expect(page.get_by_role("button", name="Câu trả lời hữu ích").first).to_be_disabled()
    expect(page.get_by_role("button", name="Câu trả lời hữu ích").last).to_be_enabled()
    assert demo.dialogs == [] and demo.csp_violations() == []


@pytest.mark.conversation
def test_a_desk_officers_reply_appears_while_the_conversation_is_with_staff(
    demo: WidgetPage, stack: Stack
) -> None:
    demo.open_widget()
    demo.ask("cho tôi gặp cán bộ")
    expect(demo.bot_messages().last).to_contain_text("cán bộ")
    server = urlsplit(stack.assistant.rasa_url)
    session_id = demo.page.evaluate(
        "key => window.localStorage.getItem(key)", f"tthc-widget:{server.scheme}://{server.netloc}"
    )
    sender = "web-" + str(session_id).split(".", 1)[0]
    reply = "Chào bạn, hồ sơ cần thêm bản sao giấy khai sinh, bạn nộp bổ sung tại quầy số 3."
    response = httpx.post(
        f"{stack.assistant.rasa_url}/conversations/{sender}/trigger_intent",
        params={"output_channel": "latest"},
        headers={"Authorization": f"Bearer {make_jwt(stack.assistant.api_token)}"},
        json={"name": "EXTERNAL_staff_reply", "entities": {"staff_message": reply}},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    # No request of the citizen's: the widget finds the reply by itself (it polls every 5 s).
    expect(demo.bot_messages().last).to_contain_text(reply, timeout=20_000)
    expect(demo.bot_messages().filter(has_text=reply)).to_have_count(1)


@pytest.mark.conversation
def test_keyboard_open_close_and_focus(demo: WidgetPage) -> None:
    page = demo.page
    launcher = page.get_by_role("button", name=OPEN_LABEL)
    launcher.focus()
    page.keyboard.press("Enter")
    expect(demo.panel).to_be_visible()
    expect(demo.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(demo.panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Đóng khung trò chuyện").click()
    expect(demo.panel).to_be_hidden()
    expect(launcher).to_be_focused()


@pytest.mark.conversation
def test_a_refused_session_id_is_replaced(demo: WidgetPage, stack: Stack) -> None:
    """An id the server no longer accepts (forged, or its key changed) gives way to a new session."""
    key = f"tthc-widget:{stack.assistant.rasa_url}"
    forged = f"{secrets.token_hex(16)}.{secrets.token_hex(32)}"
    put = "([key, value]) => localStorage.setItem(key, value)"
    # Restoring the conversation: the history is refused and the id dropped.
    demo.page.evaluate(put, [key, forged])
    demo.page.reload()
    demo.open_widget()
    for _ in range(300):
        if demo.page.evaluate("key => localStorage.getItem(key)", key) is None:
            break
        demo.page.wait_for_timeout(100)
    assert demo.page.evaluate("key => localStorage.getItem(key)", key) is None
    # Sending: the message is refused, a new session is opened and the message sent again.
    demo.page.evaluate(put, [key, forged])
    demo.ask("xin chào")
    expect(demo.user_messages()).to_have_text(["xin chào"])
    expect(demo.page.get_by_role("alert")).to_be_hidden()
    stored = demo.page.evaluate("key => localStorage.getItem(key)", key)
    assert stored != forged
    assert httpx.get(f"{stack.web}/history", params={"session_id": stored}, timeout=30).status_code == 200


@pytest.mark.conversation
def test_hostile_text_is_shown_as_text(demo: WidgetPage) -> None:
    demo.open_widget()
    demo.ask(HOSTILE)
    expect(demo.user_messages().last).to_have_text(HOSTILE)
    demo.page.wait_for_timeout(300)  # let a (wrongly) created image try to load and fire onerror
    assert demo.images() == 0
    assert demo.dialogs == []


@pytest.mark.conversation
def test_hostile_answer_data_is_shown_as_text(demo: WidgetPage, stack: Stack) -> None:
    """Answer data that is not what the assistant sends (a forged or buggy server) stays text."""
    hostile_reply = {
        "messages": [
            {
                "text": f"{HOSTILE} xem javascript:alert(2) hoặc https://dichvucong.gov.vn/x.",
                "buttons": [{"title": "link", "url": "javascript:alert(3)"}],
            },
            {
                # A procedure answer comes with its card, shown instead of its text.
                "text": f"{HOSTILE} (the same facts as the card)",
                "buttons": [
                    {"title": HOSTILE, "payload": '/choose_procedure{"procedure_code": "1.001193"}'},
                ],
                "custom": {
                    "type": "procedure_answer",
                    "card": {
                        "title": HOSTILE,
                        "code": "<b>1</b>",
                        "documents": [HOSTILE],
                        "documents_more": 2,
                        "processing_time": [],
                        "fee": [],
                        "channels": [],
                        "online_level": "",
                        "source": HOSTILE,
                        "source_url": "javascript:alert(4)",
                        "not_offered": True,
                    },
                },
            },
        ]
    }
    demo.page.route(
        f"{stack.web}/webhook",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(hostile_reply),
            headers={"Access-Control-Allow-Origin": stack.origin},
        ),
    )
    demo.open_widget()
    demo.ask("xin chào")
    text, answer = demo.page.locator(".msg.bot").nth(-2), demo.page.locator(".msg.bot").last
    expect(text.locator(".bubble")).to_contain_text(HOSTILE)
    expect(answer.locator(".bubble")).to_have_count(0)
    expect(answer.locator(".card-title")).to_have_text(HOSTILE)
    expect(answer.locator(".card li").first).to_have_text(HOSTILE)
    expect(answer.locator(".card-warning")).to_be_visible()
    expect(answer.get_by_role("button", name=HOSTILE)).to_be_visible()
    hrefs = demo.page.locator(".msg.bot a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://dichvucong.gov.vn/x"]
    demo.page.wait_for_timeout(300)
    assert demo.images() == 0
    assert demo.dialogs == []


@pytest.mark.conversation
def test_unreachable_server_says_so_and_keeps_the_text(browser: Browser, unreachable_app_url: str) -> None:
    opened = _open_page(browser, f"{unreachable_app_url}/")
    try:
        opened.open_widget()
        opened.input.fill(QUESTION)
        opened.input.press("Enter")
        alert = opened.page.get_by_role("alert")
        expect(alert).to_contain_text(OFFLINE_TEXT, timeout=ANSWER_TIMEOUT_MS)
        expect(alert).to_contain_text("vẫn còn trong ô nhập")
        expect(opened.input).to_have_value(QUESTION)
        expect(opened.user_messages()).to_have_count(0)
        expect(opened.page.locator(".typing")).to_be_hidden()
    finally:
        opened.context.close()


@pytest.mark.conversation
def test_phone_width(browser: Browser, stack: Stack, tmp_path: Path) -> None:
    opened = _open_page(browser, f"{stack.app_url}/", viewport={"width": 360, "height": 740})
    try:
        opened.open_widget()
        box = opened.panel.bounding_box()
        assert box is not None and box["x"] == 0 and box["width"] == 360
        opened.ask(QUESTION)
        expect(opened.page.locator(".card")).to_have_count(1)
        assert opened.page.evaluate("() => document.documentElement.scrollWidth") <= 360
        _screenshot(opened, _screenshots_dir(tmp_path) / "widget-phone.png")
    finally:
        opened.context.close()


@pytest.mark.conversation
def test_english_ui_strings(browser: Browser, stack: Stack) -> None:
    opened = _open_page(browser, f"{stack.app_url}/?lang=en")
    try:
        opened.page.get_by_role("button", name="Open the administrative procedures assistant").click()
        expect(opened.page.get_by_role("textbox", name="Your question")).to_be_focused()
        expect(opened.page.get_by_role("button", name="Close the chat")).to_be_visible()
    finally:
        opened.context.close()


@pytest.mark.conversation
def test_browser_refuses_an_unlisted_origin(browser: Browser, stack: Stack) -> None:
    """The same demo page reached as http://localhost:<port> is another origin, not in the list."""
    script = "url => fetch(url, {method: 'POST'}).then(r => 'status ' + r.status, e => 'failed: ' + e.name)"
    listed = _open_page(browser, f"{stack.app_url}/")
    unlisted = _open_page(browser, stack.app_url.replace("127.0.0.1", "localhost") + "/")
    try:
        assert listed.page.evaluate(script, f"{stack.web}/session") == "status 201"
        assert unlisted.page.evaluate(script, f"{stack.web}/session") == "failed: TypeError"
        assert any("CORS" in m for m in unlisted.console_errors)
    finally:
        listed.context.close()
        unlisted.context.close()


# ------------------------------------------------------------------------------------------------ #
# The channel over HTTP
# ------------------------------------------------------------------------------------------------ #


def _post(stack: Stack, body: dict[str, Any], origin: str | None = None) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return httpx.post(f"{stack.web}/webhook", json=body, headers=headers, timeout=60)


def _forged_ids(stack: Stack) -> list[str]:
    real = stack.session()
    random_part, signature = real.split(".")
    other = secrets.token_hex(16)
    wrong_key = hmac.new(b"not the key", b"tthc-web-session:v1:" + other.encode(), hashlib.sha256).hexdigest()
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    return [
        secrets.token_hex(16),  # a plain random id, as Rasa's REST channel would accept
        f"{other}.{signature}",  # a real signature on another id
        f"{random_part}.{flipped}",
        f"{other}.{wrong_key}",
        f"{random_part}.{signature.upper()}",
        real + "0",
        "",
    ]


@pytest.mark.conversation
def test_sessions_are_random_and_signed(stack: Stack) -> None:
    ids = {stack.session() for _ in range(5)}
    assert len(ids) == 5
    for session_id in ids:
        random_part, signature = session_id.split(".")
        assert re.fullmatch(r"[0-9a-f]{32}", random_part)  # 128 bits
        expected = hmac.new(
            stack.secret.encode(), b"tthc-web-session:v1:" + random_part.encode(), hashlib.sha256
        )
        assert hmac.compare_digest(signature, expected.hexdigest())


@pytest.mark.conversation
def test_forged_session_ids_are_refused(stack: Stack) -> None:
    for forged in _forged_ids(stack):
        response = _post(stack, {"session_id": forged, "message": QUESTION})
        assert response.status_code == 403, forged
        assert response.json() == {"error": "unknown_session"}
        history = httpx.get(f"{stack.web}/history", params={"session_id": forged}, timeout=30)
        assert history.status_code == 403, forged
    assert _post(stack, {"message": QUESTION}).status_code == 403


@pytest.mark.conversation
def test_answer_json_and_history(stack: Stack) -> None:
    session_id = stack.session()
    reply = _post(stack, {"session_id": session_id, "message": QUESTION})
    assert reply.status_code == 200
    [answer] = reply.json()["messages"]
    assert answer["custom"]["type"] == "procedure_answer"
    assert set(answer["custom"]["card"]) >= {"title", "code", "documents", "processing_time", "fee", "source"}
    # Buttons to the rest of the answer, then the ratings.
    payloads = [b["payload"] for b in answer["buttons"]]
    assert payloads[0] == '/ask_documents{"aspect": "all_documents"}'
    assert payloads[-2:] == ['/rate_answer{"rating": "up"}', '/rate_answer{"rating": "down"}']
    rated = _post(stack, {"session_id": session_id, "payload": payloads[-2], "title": "👍"})
    assert rated.status_code == 200
    history = httpx.get(f"{stack.web}/history", params={"session_id": session_id}, timeout=30).json()[
        "messages"
    ]
    assert [m["sender"] for m in history] == ["user", "bot", "user", "bot"]
    assert history[0]["text"] == QUESTION
    assert history[1] == {"sender": "bot", **answer}
    assert history[2]["text"] == "👍"
    assert history[3]["text"] == rated.json()["messages"][0]["text"]
    # Another session sees nothing of it.
    other = httpx.get(f"{stack.web}/history", params={"session_id": stack.session()}, timeout=30)
    assert other.json() == {"messages": [], "count": 0, "handoff": {"state": "bot", "officer": None}}


@pytest.mark.conversation
def test_typed_intents_and_long_messages(stack: Stack) -> None:
    session_id = stack.session()
    typed = _post(stack, {"session_id": session_id, "message": '/rate_answer{"rating": "up"}'})
    assert typed.status_code == 200
    history = httpx.get(f"{stack.web}/history", params={"session_id": session_id}, timeout=30).json()[
        "messages"
    ]
    assert history[0] == {"sender": "user", "text": 'rate_answer{"rating": "up"}'}
    long = _post(stack, {"session_id": session_id, "message": "làm căn cước cần giấy tờ gì " * 60})
    assert long.status_code == 200
    assert long.json()["messages"][0]["text"].startswith("Tin nhắn dài quá nên tôi chỉ đọc")
    assert _post(stack, {"session_id": session_id, "message": " \u200b "}).status_code == 400


@pytest.mark.conversation
def test_request_body_is_limited(stack: Stack) -> None:
    body = json.dumps({"session_id": stack.session(), "message": "a " * 20_000})
    response = httpx.post(
        f"{stack.web}/webhook", content=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield body.encode()

    chunked = httpx.post(
        f"{stack.web}/webhook", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert chunked.status_code == 413


@pytest.mark.conversation
def test_cors_only_for_listed_origins(stack: Stack) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for path in ("/webhook", "/session", "/history"):
        allowed = httpx.options(
            f"{stack.web}{path}", headers={"Origin": stack.origin, **preflight}, timeout=30
        )
        assert allowed.status_code < 300
        assert allowed.headers["access-control-allow-origin"] == stack.origin
        assert "content-type" in allowed.headers["access-control-allow-headers"].lower()
        assert "POST" in allowed.headers["access-control-allow-methods"]
        refused = httpx.options(
            f"{stack.web}{path}", headers={"Origin": "https://evil.example", **preflight}, timeout=30
        )
        assert "access-control-allow-origin" not in refused.headers
    session_id = stack.session()
    foreign = _post(stack, {"session_id": session_id, "message": "xin chào"}, origin="https://evil.example")
    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers
    assert httpx.post(f"{stack.web}/session", headers={"Origin": "https://evil.example"}).status_code == 403
    listed = _post(stack, {"session_id": session_id, "message": "xin chào"}, origin=stack.origin)
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == stack.origin
