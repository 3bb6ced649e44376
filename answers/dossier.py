"""Dossier status: checking what the citizen typed, and the status answer (never a name or a phone)."""

from __future__ import annotations

import datetime as dt
import re

from answers.handoff import HUMAN_BUTTON
from answers.reply import Reply
from knowledge_base.dossiers import DossierStatus
from vntext import fold, nfc
from vntext.abbreviations import expand
from vntext.patterns import DOSSIER_CODE

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time in Vietnam
_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
# "I don't remember / have / know it", "I lost it", on folded text with shorthand expanded
# ("ko nho", "k bt", "quen mat ma", "mat giay hen"): the citizen cannot give what the form asks.
_CANNOT_GIVE_RE = re.compile(
    r"\b(?:khong|chua|chang|cha|hong)\s+(?:con\s+)?(?:nho|biet|co|thay|tim thay|tim duoc|giu|luu)\b"
    r"|\b(?:quen|lam mat|danh mat|that lac|mat)\s+(?:mat\s+)?(?:ma|so|giay|phieu|bien nhan|tin nhan)\b"
    r"|\bquen\s+(?:mat\s+)?roi\b|\bquen(?:\s+mat)?\s*$"
)
# "Where is the code?": "mã hồ sơ xem ở đâu", "làm sao biết mã hồ sơ", "tìm mã hồ sơ thế nào".
_WHERE_IS_IT_RE = re.compile(
    r"\bma\s+(?:ho so|hs|bien nhan|tiep nhan)\b.*\b(?:o dau|cho nao|the nao|lam sao|la gi)\b"
    r"|\bma\s+(?:nam\s+|in\s+|ghi\s+)?(?:o dau|cho nao)\b"
    r"|\b(?:o dau|cho nao|lam sao|cach nao)\b.*\b(?:biet|tim|xem|lay|tra)\s+(?:lai\s+)?ma\b"
)
# What the answer is about, so that "không biết làm căn cước cần gì" is not read as a lost code.
_ABOUT_IT_RE = re.compile(r"\b(?:ma|so|giay|phieu|bien nhan|tin nhan|ho so|dien thoai|sdt)\b")
# The dossier code itself is meant (not a password or an ID number).
_THE_CODE_RE = re.compile(
    r"\bma\s+(?:ho so|hs|bien nhan|tiep nhan)\b|\b(?:giay|phieu)\s+(?:hen|bien nhan|tiep nhan)\b"
)

# What the citizen must do next, by status.
NEXT_STEPS = {
    "received": "Hồ sơ đã được tiếp nhận và sẽ được chuyển xử lý; bạn chưa cần làm gì thêm.",
    "in_progress": "Hồ sơ đang được giải quyết; bạn chờ thông báo kết quả, chưa cần làm gì thêm.",
    "supplement_requested": (
        '"Yêu cầu bổ sung hồ sơ" nghĩa là hồ sơ còn thiếu hoặc chưa đúng giấy tờ; thời hạn giải quyết '
        "tạm dừng cho đến khi bạn bổ sung. Bạn xem nội dung cần bổ sung trong thông báo (tin nhắn, email "
        "hoặc mục Quản lý hồ sơ trên Cổng Dịch vụ công) và nộp bổ sung trực tuyến tại đó, hoặc mang "
        "giấy tờ đến bộ phận Một cửa nơi đã nộp hồ sơ."
    ),
    "payment_requested": (
        "Hồ sơ đang chờ bạn nộp phí, lệ phí. Bạn có thể thanh toán trực tuyến: đăng nhập Cổng Dịch vụ công "
        "(bằng tài khoản VNeID), vào Quản lý hồ sơ, chọn hồ sơ và bấm Thanh toán, trả bằng thẻ ngân hàng, "
        "Internet Banking, ví điện tử hoặc mã QR; hoặc nộp trực tiếp tại bộ phận Một cửa. Giữ biên lai "
        "điện tử để đối chiếu."
    ),
    "ready_for_pickup": (
        "Đã có kết quả. Bạn mang giấy tiếp nhận hồ sơ và giấy tờ tùy thân đến bộ phận Một cửa nơi nộp để "
        "nhận (hoặc nhận qua bưu chính nếu đã đăng ký)."
    ),
    "returned": "Kết quả đã được trả cho bạn; hồ sơ đã hoàn thành.",
    "rejected": (
        "Hồ sơ bị từ chối giải quyết; lý do ghi trong thông báo từ chối. Nếu chưa rõ, bạn liên hệ bộ phận "
        "Một cửa nơi đã nộp hồ sơ."
    ),
}


def dossier_code_in(text: str) -> str | None:
    """The dossier code in what the citizen typed, upper-cased, or None."""
    match = DOSSIER_CODE.search(nfc(text))
    return match.group(0).upper() if match else None


def cannot_give(text: str) -> bool:
    """Whether the citizen says they do not remember, know or have what the form asks for.

    Short answers count as they are ("không nhớ", "ko bt"); longer ones only when they speak of the
    code, the phone or the papers ("tôi không nhớ mã hồ sơ", "mất giấy hẹn rồi").
    """
    if dossier_code_in(text):
        return False
    folded = expand(fold(text))
    if not _CANNOT_GIVE_RE.search(folded):
        return False
    return len(folded.split()) <= 4 or bool(_ABOUT_IT_RE.search(folded))


def needs_code_help(text: str) -> bool:
    """Whether the citizen cannot give the dossier code, or asks where to find it."""
    if dossier_code_in(text):
        return False
    return cannot_give(text) or bool(_WHERE_IS_IT_RE.search(expand(fold(text))))


def asks_about_the_code(text: str) -> bool:
    """Outside the form: the citizen lost or cannot find the dossier code ("tôi không nhớ mã hồ sơ")."""
    return needs_code_help(text) and bool(_THE_CODE_RE.search(expand(fold(text))))


def phone_last4_in(text: str) -> str | None:
    """The four digits the citizen typed, when there is exactly one group of four."""
    digits = _DIGITS_RE.findall(text)
    return digits[0] if len(digits) == 1 else None


def _date(value: dt.datetime | None) -> str:
    if value is None:
        return "chưa có"
    aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(VIETNAM).strftime("%d/%m/%Y")


def format_status(status: DossierStatus, *, now: dt.datetime | None = None) -> str:
    """A dossier's status for the citizen: no applicant name or phone, ever."""
    lines = [f"Hồ sơ {status.code}"]
    if status.procedure_name:
        lines.append(f"Thủ tục: {status.procedure_name} (mã {status.procedure_code})")
    lines.append(f"Tình trạng: {status.status_label}")
    lines.append(f"Ngày tiếp nhận: {_date(status.received_at)}")
    lines.append(f"Hẹn trả kết quả: {_date(status.due_at)}")
    if status.finished_at is not None:
        lines.append(f"Ngày hoàn thành: {_date(status.finished_at)}")
    if status.overdue(now):
        lines.append(
            "Hồ sơ đã quá hạn giải quyết. Cơ quan giải quyết phải gửi văn bản xin lỗi và hẹn lại ngày trả; "
            "bạn có thể liên hệ bộ phận Một cửa hoặc gửi phản ánh trên Cổng Dịch vụ công."
        )
    elif status.due_at is not None and status.finished_at is None and status.status != "ready_for_pickup":
        lines.append("Hồ sơ còn trong hạn giải quyết.")
    if status.note:
        lines.append(f"Ghi chú của cơ quan: {status.note}")
    lines.append(f"Việc bạn cần làm: {NEXT_STEPS.get(status.status, 'Bạn chờ thông báo tiếp theo.')}")
    return "\n".join(lines)


def status_reply(status: DossierStatus) -> Reply:
    """The status answer with its machine-readable payload."""
    return Reply(
        text=format_status(status),
        custom={
            "type": "dossier_status",
            "dossier_code": status.code,
            "status": status.status,
            "overdue": status.overdue(),
        },
    )


def ask_code_reply() -> Reply:
    """The form's question for the dossier code."""
    return Reply.fixed("utter_request_dossier_code", {"type": "dossier_form", "slot": "dossier_code"})


def ask_phone_reply() -> Reply:
    """The form's question for the phone check."""
    return Reply.fixed("utter_request_phone_last4", {"type": "dossier_form", "slot": "phone_last4"})


def bad_code_reply() -> Reply:
    """What typed is not a dossier code: explain the format (not counted as a try)."""
    return Reply.fixed(
        "utter_dossier_code_format", {"type": "dossier_form", "error": "format", "slot": "dossier_code"}
    )


def bad_phone_reply() -> Reply:
    """Not exactly four digits: ask again."""
    return Reply.fixed(
        "utter_phone_last4_format", {"type": "dossier_form", "error": "format", "slot": "phone_last4"}
    )


def code_help_reply(*, hotline: str) -> Reply:
    """Where the dossier code is written, and a person to ask (the form is left, no loop)."""
    return Reply(
        response="utter_dossier_code_help",
        kwargs={"hotline": hotline},
        buttons=[dict(HUMAN_BUTTON)],
        custom={"type": "dossier_form", "help": "dossier_code"},
    )


def phone_help_reply(*, hotline: str) -> Reply:
    """The citizen cannot give the phone check: where to look, and a person to ask (the form is left)."""
    return Reply(
        response="utter_dossier_phone_help",
        kwargs={"hotline": hotline},
        buttons=[dict(HUMAN_BUTTON)],
        custom={"type": "dossier_form", "help": "phone_last4"},
    )


def retry_reply(tries_left: int, *, code: str | None = None) -> Reply:
    """Code and phone do not match a dossier, with the tries left; with the `code` kept, only the
    phone digits are asked again (or another code)."""
    custom = {"type": "dossier_form", "error": "not_found"}
    if code:
        return Reply.fixed("utter_dossier_retry_phone", custom, tries_left=tries_left, code=code)
    return Reply.fixed("utter_dossier_retry", custom, tries_left=tries_left)


def desk_reply(*, hotline: str, hours: str) -> Reply:
    """No tries left: the citizen is sent to the desk."""
    return Reply.fixed(
        "utter_dossier_go_to_desk", {"type": "handoff", "reason": "dossier"}, hotline=hotline, hours=hours
    )


def unavailable_reply(code: str, *, hotline: str) -> Reply:
    """The province's dossier system does not answer."""
    custom = {"type": "dossier_status", "dossier_code": code, "status": "unavailable"}
    return Reply.fixed("utter_dossier_source_down", custom, hotline=hotline)


def not_found_reply(code: str) -> Reply:
    """No dossier matches the code and phone."""
    return Reply.fixed(
        "utter_dossier_not_found", {"type": "dossier_status", "dossier_code": code, "status": "not_found"}
    )
