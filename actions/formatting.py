"""Turning knowledge base records into Vietnamese answers (pure functions, no I/O)."""

from __future__ import annotations

from knowledge_base.schemas import ChannelOut, DocumentOut, ProcedureOut

CHANNEL_LABELS = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Qua dịch vụ bưu chính"}
UNIT_LABELS = {
    "working_day": "ngày làm việc",
    "day": "ngày",
    "hour": "giờ",
    "month": "tháng",
    "year": "năm",
}
KIND_LABELS = {
    "original": "bản chính",
    "copy": "bản sao",
    "certified_copy": "bản sao có chứng thực",
    "photo": "bản chụp",
}
SECTION_TITLES = {
    "submit": "Giấy tờ phải nộp",
    "present": "Giấy tờ phải xuất trình",
    "": "Giấy tờ",
}
# Beyond this many documents the list is cut, with a pointer to the full record.
MAX_DOCUMENTS = 25


def procedure_title(procedure: ProcedureOut) -> str:
    """'Thủ tục đăng ký khai sinh (mã 1.001193)'."""
    return f"{procedure.name} (mã {procedure.code})"


def source_line(procedure: ProcedureOut, source_name: str) -> str:
    """The closing source line every procedure answer carries."""
    date = procedure.source_date.strftime("%d/%m/%Y") if procedure.source_date else "không rõ ngày"
    return f"Nguồn: {source_name}, cập nhật {date}."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def document_line(document: DocumentOut) -> str:
    """One document as a list item: name, form, quantity and kind."""
    details = []
    if document.quantity:
        kind = KIND_LABELS.get(document.kind or "", "")
        details.append(f"{document.quantity:02d} {kind}".strip())
    elif document.kind:
        details.append(KIND_LABELS.get(document.kind, document.kind))
    if document.form_name:
        details.append(f"mẫu: {document.form_name}")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{document.name}{suffix}"


def format_documents(procedure: ProcedureOut) -> str:
    """The required documents, grouped by section; explanatory notes left out."""
    documents = [d for d in procedure.documents if not d.is_note and d.section != "note"]
    if not documents:
        return "Dữ liệu quốc gia chưa ghi thành phần hồ sơ cho thủ tục này; bạn vui lòng hỏi bộ phận Một cửa."
    lines = ["Hồ sơ cần chuẩn bị:"]
    shown = 0
    for section in ("submit", "present", ""):
        # Documents everyone brings first; those for particular cases ("Trường hợp ...") after.
        group = sorted(
            (d for d in documents if d.section == section),
            key=lambda d: bool(d.case) or d.name.lower().startswith("trường hợp"),
        )
        if not group:
            continue
        lines.append(f"{SECTION_TITLES[section]}:")
        for document in group:
            if shown >= MAX_DOCUMENTS:
                break
            shown += 1
            lines.append(f"{shown}. {document_line(document)}")
    if len(documents) > shown:
        lines.append(f"... và {len(documents) - shown} giấy tờ khác (xem đầy đủ trên Cổng DVC).")
    return "\n".join(lines)


def time_text(channel: ChannelOut) -> str:
    """A channel's processing time in words."""
    if channel.time_unit == "in_day":
        return "trong ngày"
    if channel.time_value is None:
        return channel.time_text or "chưa có thông tin"
    unit = UNIT_LABELS.get(channel.time_unit or "")
    if unit is None:
        # The national data sometimes drops the unit; say so rather than guess.
        return f"{_number(channel.time_value)} (dữ liệu quốc gia không ghi đơn vị thời gian)"
    return f"{_number(channel.time_value)} {unit}"


def fee_text(channel: ChannelOut) -> str:
    """A channel's fee in words."""
    if channel.fee_kind == "free":
        return "miễn phí"
    if channel.fee_kind == "amount" and channel.fee_amount_vnd is not None:
        return _money(channel.fee_amount_vnd)
    if channel.fee_kind == "text" and channel.fee_text:
        return channel.fee_text
    return "chưa có thông tin"


def _by_channel(procedure: ProcedureOut, render) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for channel in procedure.channels:
        label = CHANNEL_LABELS.get(channel.channel, channel.channel)
        line = f"- {label}: {render(channel)}"
        if (label, line) not in seen:
            seen.add((label, line))
            lines.append(line)
    return lines


def format_processing_time(procedure: ProcedureOut) -> str:
    """Processing time per submission channel."""
    lines = _by_channel(procedure, time_text)
    if not lines:
        return "Dữ liệu quốc gia chưa ghi thời hạn giải quyết cho thủ tục này."
    return "\n".join(["Thời hạn giải quyết:", *lines])


def format_fee(procedure: ProcedureOut) -> str:
    """Fees per submission channel, with a local fee note where the province added one."""
    lines = _by_channel(procedure, fee_text)
    if not lines:
        lines = ["Dữ liệu quốc gia chưa ghi phí, lệ phí cho thủ tục này."]
    else:
        lines = ["Phí, lệ phí:", *lines]
    if procedure.local and procedure.local.fee_note:
        lines.append(f"Lưu ý tại địa phương: {procedure.local.fee_note}")
    return "\n".join(lines)


ASPECT_FORMATTERS = {
    "documents": format_documents,
    "processing_time": format_processing_time,
    "fee": format_fee,
}


def format_answer(procedure: ProcedureOut, aspects: list[str], *, source_name: str) -> str:
    """One combined answer: the procedure's title, each aspect asked, and the source line."""
    parts = [procedure_title(procedure)]
    parts += [ASPECT_FORMATTERS[aspect](procedure) for aspect in aspects if aspect in ASPECT_FORMATTERS]
    parts.append(source_line(procedure, source_name))
    # Single line breaks only: Rasa's output channels split a text into several messages at blank lines.
    return "\n".join(parts)
