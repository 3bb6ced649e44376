"""Make the README's screenshots of the inbox and the dashboard (docs/staff-*.png) with demo data.

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

from playwright.sync_api import sync_playwright

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
    print(f"Written: {DOCS / 'staff-inbox.png'}, {DOCS / 'staff-dashboard.png'}")
    return 0


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
        page.goto(f"{base}/staff/dashboard")
        page.wait_for_selector("#chart-days svg")
        page.screenshot(path=str(DOCS / "staff-dashboard.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
