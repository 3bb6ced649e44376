"""The conversations the REST round-trip benchmark replays (a fixed workload, so runs compare).

A mix of what citizens do, in the proportions the assistant is built for: procedure questions with
follow-ups (knowledge base search + answer from the database), with and without diacritics, general
guidance from the FAQ, the dossier status form (database lookup), small talk and one declined
question (written to the staff inbox). No handoff (it would pause the conversation) and no wrong
dossier checks (they count against a limit). Every message reaches the action server except the
small talk, which Rasa answers from the domain.
"""

from __future__ import annotations

CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("xin chào", "đăng ký khai sinh cần giấy tờ gì", "còn lệ phí thì sao?", "cảm ơn nhé"),
    ("cap phieu ly lich tu phap can giay to gi", "mat bao lau vay"),
    ("đăng ký thường trú cần giấy tờ gì", "nộp online được không?"),
    ("đăng ký kết hôn", "nộp ở đâu", "có cần mẫu đơn không", "căn cứ pháp lý là gì"),
    ("hồ sơ 000.00.12.H37-251012-0001 của tôi tới đâu rồi", "0101"),
    ("làm sao để tạo tài khoản trên cổng dịch vụ công", "bộ phận một cửa làm việc mấy giờ"),
    ("dang ky tam tru mat bao lau", "thanh toan truc tuyen duoc khong"),
    ("hôm nay thời tiết thế nào", "đăng ký khai tử cần giấy tờ gì", "lệ phí bao nhiêu"),
)


def conversation_messages(count: int) -> list[tuple[str, ...]]:
    """The first `count` conversations of the workload, cycling through `CONVERSATIONS`.

    Args:
        count: How many conversations to replay.

    Returns:
        `count` conversations (each a tuple of messages sent in order by one sender).
    """
    return [CONVERSATIONS[index % len(CONVERSATIONS)] for index in range(max(0, count))]
