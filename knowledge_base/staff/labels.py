"""The words a desk officer reads for the assistant's internal values: channels, levels.

One copy for every staff page and export: an officer never sees "rest", "xa,tinh,bo" or an intent name.
"""

from __future__ import annotations

#: Channel id (as recorded with a message) -> what the officer calls it. The web widget talked to the
#: Rasa REST channel before it had its own ("rest"); both are the chat box on the portal.
CHANNEL_LABELS: dict[str, str] = {
    "web": "Khung chat trên cổng",
    "rest": "Khung chat trên cổng",
    "telegram": "Telegram",
    "zalo": "Zalo",
    "": "Không rõ",
}

#: Procedure level code -> what the officer calls it.
LEVEL_LABELS: dict[str, str] = {"xa": "cấp xã", "tinh": "cấp tỉnh", "bo": "cấp bộ (trung ương)"}


def channel_label(channel: str | None) -> str:
    """The officer's word for a channel id (an unknown id is shown as it is, never hidden)."""
    key = (channel or "").strip().lower()
    return CHANNEL_LABELS.get(key, key or CHANNEL_LABELS[""])


def levels_label(levels: str | list[str] | tuple[str, ...] | None) -> str:
    """ "xa,tinh" or ["xa", "tinh"] -> "cấp xã, cấp tỉnh"."""
    if isinstance(levels, str):
        codes = [part.strip() for part in levels.split(",")]
    else:
        codes = [str(part).strip() for part in levels or ()]
    return ", ".join(LEVEL_LABELS.get(code, code) for code in codes if code)


#: What an officer is told once their reply has gone out, by the citizen's channel: Telegram and Zalo
#: deliver to the citizen's app; the portal's chat box shows it only while it is open (or on the
#: citizen's next visit), so "sent" must not sound like "read".
DELIVERY_NOTES: dict[str, str] = {
    "telegram": "Đã gửi câu trả lời đến ứng dụng Telegram của người dân.",
    "zalo": "Đã gửi câu trả lời đến Zalo của người dân.",
    "web": (
        "Đã gửi câu trả lời vào khung chat trên cổng: nếu người dân đang mở khung chat, họ thấy ngay "
        "trong vài giây; nếu không, họ sẽ thấy khi mở lại khung chat trên cổng."
    ),
    "": "Đã gửi câu trả lời cho người dân qua kênh họ đã dùng.",
}
DELIVERY_NOTES["rest"] = DELIVERY_NOTES["web"]


def delivery_note(channel: str | None) -> str:
    """What the officer is told about a reply sent to a citizen on `channel` (truthful per channel)."""
    return DELIVERY_NOTES.get((channel or "").strip().lower(), DELIVERY_NOTES[""])
