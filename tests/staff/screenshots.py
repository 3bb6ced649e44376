"""Make the README's screenshots of the inbox, the dashboard and the offices (docs/staff-*.png), demo data.

    .venv/bin/python -m tests.staff.screenshots

Builds a throw-away database (migrated, seeded), adds demo accounts, 30 days of usage events, ratings,
inbox questions and handoff tickets written by the same functions the actions use, serves the app with
uvicorn and photographs the pages in headless Chromium. Nothing here is real citizen data.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from knowledge_base.conversations import create_handoff, record_rating, record_unanswered
from knowledge_base.db import session_scope
from knowledge_base.maintenance import setup_database
from knowledge_base.staff.common import VIETNAM
from knowledge_base.usage import record_usage
from tests.staff.conftest import PASSWORDS, add_staff, serve_app
from tests.staff.fake_rasa import fake_rasa

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROCEDURES = [  # code, weight, aspects people ask most
    ("1.001193", 9, ["documents", "fee", "processing_time"]),
    ("1.014061", 8, ["documents", "submission", "online"]),
    ("1.004222", 6, ["documents", "processing_time"]),
    ("1.000894", 5, ["documents", "conditions"]),
    ("1.001456", 4, ["fee", "processing_time", "online"]),
    ("1.000656", 2, ["documents"]),
    ("3.000346", 2, ["documents", "fee"]),
]
_T0 = dt.datetime.now(dt.timezone.utc).timestamp() - 600
CONVERSATION = [
    {"event": "user", "text": "Đăng ký khai sinh cho con cần giấy tờ gì?", "timestamp": _T0},
    {
        "event": "bot",
        "text": "Thủ tục đăng ký khai sinh (mã 1.001193)\nGiấy tờ phải nộp: Tờ khai đăng ký khai sinh "
        "theo mẫu; Giấy chứng sinh ...",
        "timestamp": _T0 + 1,
    },
    {"event": "user", "text": "con em sinh ở nước ngoài thì đăng ký ở đâu", "timestamp": _T0 + 60},
    {"event": "bot", "text": "Bạn muốn hỏi về thủ tục nào? ...", "timestamp": _T0 + 61},
    {"event": "user", "text": "cho tôi gặp cán bộ", "timestamp": _T0 + 90},
    {
        "event": "bot",
        "text": "Tôi đã chuyển cuộc trò chuyện cho cán bộ bộ phận Một cửa; cán bộ sẽ trả lời bạn "
        "ngay tại đây trong giờ làm việc.",
        "timestamp": _T0 + 91,
    },
]
QUESTIONS = [
    ("cho em hỏi làm lại giấy khai sinh bản sao ở phường khác được không", "fallback", 0.41),
    ("xin giấy xác nhận tình trạng hôn nhân để mua nhà thì cần gì", "low_confidence", 0.52),
    ("bên mình có hỗ trợ công chứng hợp đồng mua bán xe không", "no_answer", 0.38),
    ("thủ tục tách thửa đất nông nghiệp mất bao lâu", "low_confidence", 0.55),
    ("sao em nộp online hoài không được", "fallback", 0.22),
    # The same questions asked again in other words (the inbox groups them), and noise it sets aside.
    ("tách thửa đất mất bao lâu", "low_confidence", 0.5),
    ("công chứng hợp đồng mua bán xe ở đâu", "no_answer", 0.4),
    ("mất căn cước công dân làm lại thế nào", "fallback", 0.3),
    ("cccd bị mất thì làm lại ở đâu", "fallback", 0.33),
    ("bị mất cccd làm lại ở đâu", "fallback", 0.35),
    ("xxxx", "fallback", 0.1),
    ("???", "fallback", 0.1),
]


def _demo_data(url: str) -> None:
    rng = random.Random(20261126)
    today = dt.datetime.now(VIETNAM).date()
    with session_scope(url) as session:
        for back in range(29, -1, -1):
            day = today - dt.timedelta(days=back)
            weekday_factor = 0.45 if day.weekday() >= 5 else 1.0
            for n in range(int(rng.randint(18, 34) * weekday_factor)):
                sender = f"demo-{back}-{n}"
                channel = rng.choices(["rest", "telegram", "zalo"], weights=[55, 30, 15])[0]
                for _ in range(rng.randint(1, 4)):
                    at = dt.datetime.combine(
                        day, dt.time(rng.randint(7, 20), rng.randint(0, 59)), tzinfo=VIETNAM
                    )
                    outcome = rng.choices(
                        ["answer", "faq", "fallback", "handoff", "decline", "dossier"],
                        weights=[62, 14, 9, 3, 5, 7],
                    )[0]
                    code, aspects = "", []
                    if outcome == "answer":
                        code, _w, asked = rng.choices(PROCEDURES, weights=[p[1] for p in PROCEDURES])[0]
                        aspects = rng.sample(asked, rng.randint(1, min(2, len(asked))))
                    record_usage(
                        session,
                        sender_id=sender,
                        channel=channel,
                        intent="demo",
                        outcome=outcome,
                        procedure_code=code,
                        aspects=aspects,
                        at=at.astimezone(dt.timezone.utc),
                    )
        for _ in range(46):
            record_rating(
                session, conversation_id="demo", channel="rest", rating=1, answer_type="procedure_answer"
            )
        for _ in range(7):
            record_rating(
                session, conversation_id="demo", channel="rest", rating=-1, answer_type="faq_answer"
            )
        for text, reason, confidence in QUESTIONS:
            record_unanswered(
                session,
                conversation_id=f"demo-q-{reason}",
                channel="rest",
                text=text,
                intent="nlu_fallback" if reason == "fallback" else "ask_documents",
                confidence=confidence,
                reason=reason,
            )
        create_handoff(
            session,
            conversation_id="demo-ticket-1",
            channel="telegram",
            reason="asked",
            summary="Lý do: người dân yêu cầu gặp cán bộ\nThủ tục đang hỏi: 1.001193\n"
            "Tin nhắn gần nhất của người dân:\n- Đăng ký khai sinh cho con cần giấy tờ gì?\n"
            "- con em sinh ở nước ngoài thì đăng ký ở đâu\n- cho tôi gặp cán bộ",
            timeout=dt.timedelta(minutes=30),
        )
        create_handoff(  # timed out before anyone took it: "Cần gọi lại"
            session,
            conversation_id="demo-ticket-3",
            channel="zalo",
            reason="asked",
            summary="Lý do: người dân yêu cầu gặp cán bộ\nTin nhắn gần nhất của người dân:\n"
            "- cho tôi hỏi cán bộ về hồ sơ đất đai",
            timeout=dt.timedelta(minutes=-12),
        )
        create_handoff(
            session,
            conversation_id="demo-ticket-2",
            channel="rest",
            reason="fallback",
            summary="Lý do: trợ lý không hiểu hai lần liên tiếp\nTin nhắn gần nhất của người dân:\n"
            "- hồ sơ của tôi nộp tuần trước sao chưa thấy gì\n- [số điện thoại] gọi lại giúp tôi",
            timeout=dt.timedelta(minutes=30),
        )
        session.commit()


def main() -> int:
    """Build the demo, take the two screenshots."""
    with tempfile.TemporaryDirectory(prefix="tthc-shots-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        setup_database(url)
        add_staff(url)
        _demo_data(url)
        # The conversation panel reads the Rasa tracker: a fake Rasa server holds the demo conversation.
        with fake_rasa() as rasa:
            rasa.events = CONVERSATION
            env = {"RASA_URL": rasa.url, "RASA_API_TOKEN": rasa.token}
            _photograph(url, Path(folder), env)
    print(
        f"Written: {DOCS / 'staff-inbox.png'}, {DOCS / 'staff-inbox-questions.png'}, "
        f"{DOCS / 'staff-dashboard.png'}, {DOCS / 'staff-offices.png'}"
    )
    return 0


def photograph_inbox_questions(page: Page, base: str) -> None:
    """docs/staff-inbox-questions.png: the unanswered questions grouped, most asked first, one open."""
    page.goto(f"{base}/staff/inbox")
    page.click("#tab-questions")
    page.wait_for_selector("#items li[data-kind=question]")
    page.locator("#items li[data-kind=question] button.item").first.click()
    page.wait_for_selector("#group-note")
    page.screenshot(path=str(DOCS / "staff-inbox-questions.png"), full_page=True)


def _photograph(url: str, folder: Path, env: dict[str, str]) -> None:
    with serve_app(url, folder, env) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        page = browser.new_page(
            viewport={"width": 1366, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        page.goto(f"{base}/staff/login?next=/staff/inbox")
        page.fill("#username", "bien.tap")
        page.fill("#password", PASSWORDS["bien.tap"])
        page.click("#submit")
        page.wait_for_url("**/staff/inbox")
        page.locator("#items li[data-kind=ticket] button", has_text="Đăng ký khai sinh").click()
        page.wait_for_selector(".conversation")
        page.fill(
            "#reply",
            "Chào anh/chị, trẻ sinh ở nước ngoài về nước thì đăng ký khai sinh tại UBND cấp xã nơi cư trú.",
        )
        page.screenshot(path=str(DOCS / "staff-inbox.png"), full_page=True)
        photograph_inbox_questions(page, base)
        page.goto(f"{base}/staff/dashboard")
        page.wait_for_selector("#chart-days svg")
        page.screenshot(path=str(DOCS / "staff-dashboard.png"), full_page=True)
        photograph_offices(page, base, DOCS / "staff-offices.png")
        browser.close()


def photograph_offices(page: Page, base: str, path: Path) -> None:
    """The offices page of a signed-in officer: a desk added, its assignment by agency counted
    before confirming, and the preview of a citizen's answers."""
    page.goto(f"{base}/staff/offices")
    page.fill("#name", "Bộ phận Một cửa UBND xã Tân Lập")
    page.fill("#address", "Số 5 đường Lê Lợi, xã Tân Lập")
    page.fill("#opening_hours", "Sáng: 7h30 – 11h30 (thứ Hai đến thứ Sáu)\nChiều: 13h30 – 17h00")
    page.fill("#phone", "0203 3822 111")
    page.click("#office button[type=submit]")
    page.wait_for_selector("#office-detail:not([hidden])")
    page.fill("#agency", "Ủy ban nhân dân cấp xã")
    page.click("#assign button[type=submit]")
    page.wait_for_selector("#confirm-assign")
    page.fill("#preview-q", "1.004901")
    page.click("#preview-form button[type=submit]")
    page.wait_for_selector("#preview .office-answer")
    page.screenshot(path=str(path), full_page=True)


if __name__ == "__main__":
    sys.exit(main())
