"""The dossier status form: asks for the code and the phone check, then tells where the dossier is."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import track
from knowledge_base.dossiers import (
    DossierNotFound,
    DossierSourceError,
    DossierStatus,
    get_dossier_source,
    validate_lookup,
)
from knowledge_base.settings import get_settings
from vntext import nfc
from vntext.patterns import DOSSIER_CODE

VIETNAM = dt.timezone(dt.timedelta(hours=7))
_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")

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


def _failures(tracker: Tracker) -> int:
    return int(tracker.get_slot("dossier_failures") or 0)


def _desk_message() -> str:
    settings = get_settings()
    return (
        "Thông tin hồ sơ chưa khớp sau nhiều lần thử. Để bảo vệ hồ sơ của bạn, tôi không tra cứu tiếp. "
        f"Bạn vui lòng mang giấy tiếp nhận hồ sơ đến bộ phận Một cửa hoặc gọi {settings.desk_hotline}. "
        f"{settings.desk_hours}."
    )


class ValidateDossierForm(FormValidationAction):
    """Check the dossier code's format and the phone check; count wrong tries."""

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_dossier_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No more questions once the tries are used up (the submit action sends the citizen to the desk)."""
        if _failures(tracker) >= get_settings().dossier_max_tries:
            return []
        return domain_slots

    async def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the code found in the text; explain the format otherwise."""
        match = DOSSIER_CODE.search(nfc(str(value or "")))
        if match is None:
            dispatcher.utter_message(
                text="Mã hồ sơ chưa đúng định dạng. Mã hồ sơ gồm chữ và số, cách nhau bởi dấu chấm hoặc "
                "gạch ngang, ví dụ: 000.00.12.H37-251012-0001.",
                json_message={"type": "dossier_form", "error": "format"},
            )
            return {"dossier_code": None}
        return {"dossier_code": match.group(0).upper()}

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Take exactly four digits, then check them with the code against the dossier system."""
        digits = _DIGITS_RE.findall(str(value or ""))
        if len(digits) != 1:
            dispatcher.utter_message(
                text="Bạn nhập đúng 4 chữ số cuối của số điện thoại người nộp hồ sơ (ví dụ: 0101).",
                json_message={"type": "dossier_form", "error": "format"},
            )
            return {"phone_last4": None}
        code = str(tracker.get_slot("dossier_code") or "")
        try:
            validate_lookup(code, digits[0])
            await asyncio.to_thread(get_dossier_source().lookup, code, digits[0])
        except DossierSourceError:
            # Let the submit action say the system is down; this is not the citizen's mistake.
            return {"phone_last4": digits[0]}
        except (DossierNotFound, ValueError):
            failures = _failures(tracker) + 1
            if failures < get_settings().dossier_max_tries:
                left = get_settings().dossier_max_tries - failures
                dispatcher.utter_message(
                    text="Không tìm thấy hồ sơ khớp với mã và 4 số cuối điện thoại này "
                    f"(còn {left} lần thử). "
                    "Bạn kiểm tra lại mã hồ sơ trên giấy tiếp nhận nhé.",
                    json_message={"type": "dossier_form", "error": "not_found"},
                )
            return {"dossier_code": None, "phone_last4": None, "dossier_failures": float(failures)}
        return {"phone_last4": digits[0]}


class ActionDossierStatus(Action):
    """Tell the status of the dossier the form collected (or send the citizen to the desk)."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_dossier_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Look the dossier up and answer; the code and phone slots are cleared for the next lookup."""
        reset: list[EventType] = [SlotSet("dossier_code", None), SlotSet("phone_last4", None)]
        await track(tracker, "dossier")
        if _failures(tracker) >= get_settings().dossier_max_tries:
            dispatcher.utter_message(
                text=_desk_message(), json_message={"type": "handoff", "reason": "dossier"}
            )
            return reset
        code = str(tracker.get_slot("dossier_code") or "")
        last4 = str(tracker.get_slot("phone_last4") or "")
        try:
            status = await asyncio.to_thread(get_dossier_source().lookup, code, last4)
        except DossierSourceError:
            dispatcher.utter_message(
                text="Hệ thống tra cứu hồ sơ của tỉnh đang tạm thời không trả lời. Bạn thử lại sau ít phút, "
                f"hoặc gọi {get_settings().desk_hotline}.",
                json_message={"type": "dossier_status", "dossier_code": code, "status": "unavailable"},
            )
            return reset
        except (DossierNotFound, ValueError):
            dispatcher.utter_message(
                text="Không tìm thấy hồ sơ khớp với mã và 4 số cuối điện thoại này.",
                json_message={"type": "dossier_status", "dossier_code": code, "status": "not_found"},
            )
            return reset
        dispatcher.utter_message(
            text=format_status(status),
            json_message={
                "type": "dossier_status",
                "dossier_code": status.code,
                "status": status.status,
                "overdue": status.overdue(),
            },
        )
        return reset


class ActionAskDossierCode(Action):
    """The form's question for the dossier code."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_ask_dossier_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the code, with where to find it."""
        dispatcher.utter_message(
            text="Bạn cho tôi mã hồ sơ (in trên giấy tiếp nhận hồ sơ hoặc trong tin nhắn, ví dụ: "
            "000.00.12.H37-251012-0001) nhé.",
            json_message={"type": "dossier_form", "slot": "dossier_code"},
        )
        return []


class ActionAskPhoneLast4(Action):
    """The form's question for the phone check."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_ask_phone_last4"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the last four digits of the applicant's phone."""
        dispatcher.utter_message(
            text="Để bảo mật, bạn cho tôi 4 số cuối của số điện thoại người nộp hồ sơ.",
            json_message={"type": "dossier_form", "slot": "phone_last4"},
        )
        return []
