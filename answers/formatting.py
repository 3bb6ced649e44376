"""Turning knowledge base records into Vietnamese answers (pure functions, no I/O).

One formatter per aspect a citizen can ask about (docs/conversation.md): documents, processing_time,
fee, submission, online, payment, steps, forms, conditions, result, legal_basis. Every formatter takes
the procedure and a character budget (`max_chars`) and returns lines joined by single newlines: Rasa's
output channels split a text into several messages at blank lines, so an answer never holds one.
`format_answer` puts the title first, the aspects in the order asked and the source line last, and
shares its budget between the aspects so one long section cannot push the others out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from answers import facts
from knowledge_base.schemas import ChannelOut, DocumentOut, ProcedureOut
from knowledge_base.staff.labels import LEVEL_LABELS
from vntext import fold

CHANNEL_LABELS = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Qua dịch vụ bưu chính"}
# Channels listed in this order whatever order the national record gives them in.
CHANNEL_ORDER = ("direct", "online", "postal")
UNIT_LABELS = {
    "working_day": "ngày làm việc",
    "day": "ngày",
    "hour": "giờ",
    "month": "tháng",
    "year": "năm",
}
KIND_LABELS = facts.KIND_LABELS
SECTION_TITLES = {
    "submit": "Giấy tờ phải nộp",
    "present": "Giấy tờ phải xuất trình",
    "": "Giấy tờ",
}
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
PORTAL_NAME = "Cổng Dịch vụ công quốc gia"
PORTAL_URL = "https://dichvucong.gov.vn"

# Beyond this many documents the list is cut, with a pointer to the full record.
MAX_DOCUMENTS = 25
# A whole answer stays under Telegram's 4,096-character message limit with room to spare (the
# complete lists a citizen asks for with a button: all documents, a case's documents).
MAX_ANSWER_CHARS = 3500
# Every other answer fits a phone screen (issue 16); buttons lead to the rest.
FIRST_REPLY_CHARS = 1200
# More aspects than this asked in one message get the long cap (each would get a line otherwise).
MAX_SHORT_ASPECTS = 3
# The overview lists at most this many documents (a "một trong" group counts as one).
OVERVIEW_DOCUMENTS = 6
# When every document depends on the case, the first reply lists this many cases to choose from.
CASE_CHOICES = 4
# Aspects only buttons ask for: every document, or one case's documents ("case:0", "case:1" ...).
FULL_ASPECTS = ("all_documents",)
CASE_ASPECT = re.compile(r"case:(\d{1,2})")
# Budget of one aspect when a formatter is called on its own.
MAX_SECTION_CHARS = 3000
# One list item (a step, a condition, a fee note): the national texts run to 2,000+ characters.
MAX_ITEM_CHARS = 400
# Shorter items where a line only has to name something (a form's document, a legal title).
MAX_NAME_CHARS = 250
# Least room for one step in the summary shown when all the steps do not fit.
MIN_OUTLINE_CHARS = 120
# Less room than this is not worth a shortened item or another rendering pass.
MIN_SECTION_CHARS = 80


class SectionFormatter(Protocol):
    """An aspect formatter: the procedure in, Vietnamese lines (single newlines) out."""

    def __call__(
        self, procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
    ) -> str:
        """Render one aspect of `procedure` in at most `max_chars` characters.

        `pointer`: whether a shortened section ends with the full record's address; `format_answer`
        turns it off and points to the record once for the whole answer.
        """


# --------------------------------------------------------------------------------------------
# Small text helpers


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
    return facts.money(amount)


def _date(day: dt.date) -> str:
    """'26/11/2026 (thứ Năm)'."""
    return f"{day.strftime('%d/%m/%Y')} ({WEEKDAYS[day.weekday()]})"


def _shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with "…" when longer than `limit`."""
    return facts.shorten(text, limit)


def _note(text: str, limit: int) -> str:
    """A free-text note from the record, without its leading bullet, cut to `limit`."""
    return _shorten(re.sub(r"^[\s\-–+*•]+", "", text), limit)


def _tidy(text: str) -> str:
    """A space before a "(" the scrape glued to the word before it ("Miễn phí(Theo ...)")."""
    return re.sub(r"(?<=[^\s(])\(", " (", text, count=1)


def _full_record(procedure: ProcedureOut) -> str:
    """Where the complete record can be read."""
    if procedure.source_url:
        return f"xem đầy đủ tại {procedure.source_url}"
    return f"xem đầy đủ trên {PORTAL_NAME} ({PORTAL_URL})"


def _fit(lines: list[str], max_chars: int, procedure: ProcedureOut, pointer: bool = True) -> str:
    """Join `lines` with single newlines, keeping whole lines within `max_chars`.

    When some lines do not fit, a last line says so (and points to the full record when `pointer`
    is set); the result never exceeds `max_chars` (a budget too small even for that line gets a
    hard cut).
    """
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line]
    text = "\n".join(lines)
    if len(text) <= max_chars:
        return text
    marker = f"… (đã rút gọn; {_full_record(procedure)})" if pointer else "… (đã rút gọn)"
    kept: list[str] = []
    used = len(marker)
    for line in lines:
        if used + len(line) + 1 > max_chars:
            room = max_chars - used - 1
            if all(k.endswith(":") for k in kept) and room >= MIN_SECTION_CHARS:
                # Not even the first item fits: show its beginning rather than nothing.
                kept.append(_shorten(line, room))
            break
        kept.append(line)
        used += len(line) + 1
    while len(kept) > 1 and kept[-1].endswith(":"):
        kept.pop()  # a sub-heading ("Cách nộp:") with nothing under it says nothing
    text = "\n".join([*kept, marker])
    return text if len(text) <= max_chars else _cut(text, max_chars)


def _cut(text: str, max_chars: int) -> str:
    """Hard cut keeping line breaks, for budgets too small for anything better."""
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 0)].rstrip() + "…" if max_chars > 0 else ""


# --------------------------------------------------------------------------------------------
# Documents


def document_line(document: DocumentOut) -> str:
    """One document as a list item: name, form, both counts of the portal's cell and the kind."""
    details = []
    counts = facts.count_text(document)
    if counts:
        details.append(counts)
    if document.form_name:
        details.append(f"mẫu: {document.form_name}")
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{document.name}{suffix}"


def _required_documents(procedure: ProcedureOut) -> list[DocumentOut]:
    """The documents a citizen brings: explanatory notes left out."""
    return [d for d in procedure.documents if not d.is_note and d.section != "note"]


NO_DOCUMENTS = "Dữ liệu quốc gia chưa ghi thành phần hồ sơ cho thủ tục này; bạn vui lòng hỏi bộ phận Một cửa."


def _document_lines(
    documents: list[DocumentOut], start: int, *, short: bool = False, name_chars: int = 110
) -> list[str]:
    """Numbered lines, documents of one "một trong các giấy tờ sau" group on one line."""
    lines: list[str] = []
    number = start
    index = 0
    while index < len(documents):
        document = documents[index]
        group = [document]
        if document.alternatives:
            while index + len(group) < len(documents) and documents[index + len(group)].alternatives == (
                document.alternatives
            ):
                group.append(documents[index + len(group)])
        index += len(group)
        number += 1
        if len(group) > 1:
            names = "; ".join(
                _short_name(d.name, 70) if short else _note(d.name, MAX_NAME_CHARS) for d in group
            )
            lines.append(f"{number}. Một trong các giấy tờ: {names}")
        elif short:
            name = _short_name(document.name, name_chars)
            if any(
                _short_name(other.name, name_chars) == name for other in documents if other is not document
            ):
                # Two long names that begin alike ("Bản sao hoặc bản sao có chứng thực ... của"): the end
                # tells them apart.
                name = _head_tail(tidy_name(document.name), name_chars)
            details = [facts.count_text(document)]
            channel = facts.channel_only(document)
            if channel:
                details.insert(0, f"khi nộp {channel}")
                name = _short_name(re.sub(r"\s*\([^()]*\)", "", document.name), name_chars)
            if document.section == "present":
                details.insert(0, "xuất trình")
            details = [d for d in details if d]
            suffix = f" ({'; '.join(details)})" if details else ""
            lines.append(f"{number}. {name}{suffix}")
        else:
            lines.append(f"{number}. {document_line(document)}")
    return lines


def _head_tail(name: str, limit: int) -> str:
    """The beginning and the end of a long name, "…" between."""
    text = " ".join(name.split()).rstrip(" .;:")
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    head = text[:half].rsplit(" ", 1)[0]
    tail = text[-half:].split(" ", 1)[-1]
    return f"{head} … {tail}"


_LEAD_NUMBERING = re.compile(r"^(?:[\s\-–+*•]+|\(?(?:[ivx]{1,4}|[a-zđ]|\d{1,2}(?:\.\d{1,2})*)[.)]\s+)+", re.I)


_HEAD_END = re.compile(r"[;:]|\btrong đó\b", re.IGNORECASE)
_EXCEPTION = re.compile(
    r"\b(?:trừ trường hợp|trừ người|không phải nộp|không phải xuất trình|được miễn)\b", re.I
)


_COPY_FORM = (
    r"(?:bản sao có chứng thực|bản sao kèm(?: theo)? bản chính(?: để (?:đối chiếu|so sánh))?"
    r"|bản chính điện tử|bản sao điện tử(?: có chứng thực)?(?: (?:từ|được cấp từ) (?:sổ gốc|bản chính))?"
    r"|bản sao (?:được )?(?:cấp )?từ sổ gốc|bản sao|bản chụp)"
)
# "Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu hoặc bản sao điện tử … của giấy phép …":
# the ways a copy may be made hide the paper's name; the count says the kind.
_COPY_FORMS = re.compile(rf"\s*{_COPY_FORM}(?:\s*(?:,|hoặc)\s*{_COPY_FORM})+\s+(?:của\s+)?", re.IGNORECASE)
# Punctuation pasted twice or more from the source ("..", ";//", ";./"), not a web address's "//".
_STRAY_PUNCTUATION = re.compile(r"(?<![:/])(?:\s*[;.,/](?!\d)){2,}\s*")


def tidy_name(name: str) -> str:
    """A document's name as a citizen reads it: the copy forms said once, stray punctuation gone."""
    text = " ".join(name.split())
    copies = _COPY_FORMS.match(text)
    if copies and len(text) > copies.end() + 10:
        text = "Bản sao " + text[copies.end() :]
    text = _STRAY_PUNCTUATION.sub(lambda m: "; " if ";" in m.group(0) else ". ", text)
    return text.lstrip(" .;,:").strip()


def _short_name(name: str, limit: int) -> str:
    """A document's name without its numbering and the explanation after its first sentence, cut
    to `limit`; "…" marks anything left out."""
    text = _LEAD_NUMBERING.sub("", tidy_name(name))
    parts = re.split(r"(?<=[a-zđà-ỹ)\]])\.(?=\s+[A-ZĐÀ-Ỹ])", text, maxsplit=1)
    first = parts[0].rstrip(" .;:")
    short = first + "…" if len(parts) > 1 and len(first) < limit else _shorten(first, limit)
    hidden = _EXCEPTION.search(text)
    # Only an exception to the document itself, in its opening clause: one after ";", ":" or "trong đó"
    # qualifies something else ("…; đối với người chưa thành niên … trừ trường hợp đã có ý kiến …").
    head = _HEAD_END.search(text)
    if hidden and head is not None and hidden.start() > head.start():
        hidden = None
    if hidden and hidden.end() > len(short.rstrip("…")):
        # "Giấy khám sức khỏe … (trừ trường hợp đổi giấy phép hạng A1, A, B1)": the cut hid who is spared.
        short = _shorten(short.rstrip("…"), limit - 30) + " (có trường hợp được miễn)"
    return short


def format_documents(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """Every required document: what everyone brings first (national order, each once), then each
    particular case ("Trường hợp ủy quyền ...") under its own heading; explanatory notes left out."""
    common = facts.common_documents(procedure)
    cases = facts.case_groups(procedure)
    if not common and not cases:
        return NO_DOCUMENTS
    lines = ["Hồ sơ cần chuẩn bị:"]
    numbered = 0
    for section in ("submit", "present", ""):
        group = [d for d in common if d.section == section]
        if group:
            if any(d.section != section for d in common) or section:
                lines.append(f"{SECTION_TITLES[section]}:")
            items = _document_lines(group, numbered)
            numbered += len(items)
            lines += items
    for case, documents in cases:
        lines.append(f"{facts.case_label(case, MAX_NAME_CHARS)}:")
        items = _document_lines(documents, numbered)
        numbered += len(items)
        lines += items
    return _fit(lines, max_chars, procedure, pointer)


def format_case_documents(
    procedure: ProcedureOut, index: int, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """The documents of the `index`-th particular case (see facts.case_groups), besides the common ones."""
    cases = facts.case_groups(procedure)
    if not 0 <= index < len(cases):
        return format_documents(procedure, max_chars=max_chars, pointer=pointer)
    case, documents = cases[index]
    lines = [f"{facts.case_label(case, MAX_ITEM_CHARS)}, cần thêm:", *_document_lines(documents, 0)]
    if facts.common_documents(procedure):
        lines.append('Ngoài các giấy tờ ai cũng phải có (bấm "Tất cả giấy tờ" để xem).')
    return _fit(lines, max_chars, procedure, pointer)


# --------------------------------------------------------------------------------------------
# Channels: processing time and fee


def _has_time(channel: ChannelOut) -> bool:
    return channel.time_unit == "in_day" or channel.time_value is not None or bool(channel.time_text)


# "trường hợp phức tạp thì có thể kéo dài …": the case a row's description opens with.
_DESCRIPTION_CASE = re.compile(r"\W*((?:trường hợp|đối với)\s[^.;:]{3,60}?)\s+thì\b", re.IGNORECASE)


def time_with_case(channel: ChannelOut) -> str:
    """A channel row's time with the case it belongs to ("Đối với xe ô tô: 2 ngày làm việc")."""
    text = time_text(channel)
    said = _DESCRIPTION_CASE.match(channel.description or "")
    case = channel.condition or (said.group(1) if said else "")
    case = re.split(r"\s+thì\s", case, maxsplit=1)[0]  # "… Luật Cư trú | thì khai báo tạm vắng qua"
    return f"{case[:1].upper()}{case[1:]}: {text}" if case else text


def time_text(channel: ChannelOut) -> str:
    """A channel's processing time in words."""
    if channel.time_unit == "in_day":
        return "trong ngày"
    if channel.time_value is None:
        if _NONE_REQUIRED.match(channel.time_text or ""):
            # "Không": a declaration the office only receives, with no time to decide.
            return f'dữ liệu quốc gia ghi "{channel.time_text.strip()}" (không có thời hạn giải quyết)'
        return channel.time_text or "chưa có thông tin"
    unit = UNIT_LABELS.get(channel.time_unit or "")
    if unit is None:
        # The national data sometimes drops the unit; say so rather than guess.
        return f"{_number(channel.time_value)} (dữ liệu quốc gia không ghi đơn vị thời gian)"
    return f"{_number(channel.time_value)} {unit}"


def _fee_note(channel: ChannelOut) -> str:
    """The "(...)" note the portal puts after a fee ("160,000 VNĐ(+ cấp lại: 320.000đ)")."""
    return facts.fee_note(channel)


def fee_text(channel: ChannelOut, procedure: ProcedureOut | None = None, *, short: bool = False) -> str:
    """A channel's fee in words, told honestly (answers.facts.fee_phrase) when the procedure is given;
    else as the portal's cell says, with its note (cut when long)."""
    if procedure is not None:
        return facts.fee_phrase(channel, procedure, short=short)
    note = _fee_note(channel)
    suffix = f" ({_note(note, MAX_NAME_CHARS)})" if note else ""
    if channel.fee_kind == "free":
        return f"miễn phí{suffix}"
    if channel.fee_kind == "amount" and channel.fee_amount_vnd is not None:
        # The note often gives the other rates ("cấp lại do bị mất: 400.000đ"), so it stays.
        return f"{_money(channel.fee_amount_vnd)}{suffix}"
    if channel.fee_kind == "text" and channel.fee_text:
        return _shorten(_tidy(channel.fee_text), MAX_ITEM_CHARS)
    return "chưa có thông tin"


def _ordered_channels(procedure: ProcedureOut) -> list[ChannelOut]:
    """The channel rows, direct first, then online, then postal (stable within a channel)."""
    rank = {name: index for index, name in enumerate(CHANNEL_ORDER)}
    return sorted(procedure.channels, key=lambda c: rank.get(c.channel, len(rank)))


def _channel_names(procedure: ProcedureOut) -> list[str]:
    """The distinct channels of the procedure, in CHANNEL_ORDER."""
    names: list[str] = []
    for channel in _ordered_channels(procedure):
        if channel.channel not in names:
            names.append(channel.channel)
    return names


def _by_channel(procedure: ProcedureOut, render: Callable[[ChannelOut], str]) -> list[str]:
    """One "- Trực tiếp, Trực tuyến: <text>" line per distinct rendering, channels merged."""
    groups: dict[str, list[str]] = {}
    for channel in _ordered_channels(procedure):
        label = CHANNEL_LABELS.get(channel.channel, channel.channel)
        labels = groups.setdefault(render(channel), [])
        if label not in labels:
            labels.append(label)
    return [f"- {', '.join(labels)}: {text}" for text, labels in groups.items()]


def _unit_note(units: set[str | None]) -> str:
    """How a due date was counted, from the units of the channels it belongs to."""
    if units == {"working_day"}:
        return ", tính theo ngày làm việc, không kể thứ Bảy, Chủ nhật và ngày lễ"
    if units == {"day"}:
        return ", tính theo ngày lịch"
    return ""


def _due_date_lines(
    procedure: ProcedureOut, submitted_on: dt.date | None, due_dates: dict[str, dt.date]
) -> list[str]:
    """'Nếu nộp ngày ..., dự kiến có kết quả ngày ...' for the channels given a due date."""
    units: dict[str, set[str | None]] = {}
    for channel in procedure.channels:
        units.setdefault(channel.channel, set()).add(channel.time_unit)
    rank = {name: index for index, name in enumerate(CHANNEL_ORDER)}
    keys = sorted(due_dates, key=lambda k: rank.get(k, len(rank)))
    opening = f"Nếu nộp ngày {_date(submitted_on)}, dự kiến" if submitted_on else "Dự kiến"
    distinct = {due_dates[k] for k in keys}
    if len(distinct) == 1:
        all_units = set().union(*(units.get(k, {None}) for k in keys))
        day = distinct.pop()
        lines = [f"{opening} có kết quả ngày {_date(day)}{_unit_note(all_units)}."]
    else:
        lines = [f"{opening} có kết quả:"]
        for key in keys:
            label = CHANNEL_LABELS.get(key, key)
            note = _unit_note(units.get(key, {None}))
            lines.append(f"- {label}: ngày {_date(due_dates[key])}{note}")
    lines.append(
        "Thời hạn tính từ khi hồ sơ được tiếp nhận đầy đủ, hợp lệ; "
        "ngày trả chính thức ghi trên Phiếu hẹn trả kết quả."
    )
    return lines


def format_processing_time(
    procedure: ProcedureOut,
    *,
    submitted_on: dt.date | None = None,
    due_dates: dict[str, dt.date] | None = None,
    max_chars: int = MAX_SECTION_CHARS,
    pointer: bool = True,
) -> str:
    """Processing time per submission channel, with expected result dates when the caller has them.

    Args:
        procedure: The procedure.
        submitted_on: The day the citizen means to submit, if known.
        due_dates: Channel ("direct", "online", "postal") -> expected result date, computed by the
            caller (working-day calendar with holidays); channels without a date are left out.
        max_chars: Budget of the section.
        pointer: Whether a shortened section ends with the full record's address.

    Returns:
        The section text (single newlines).
    """
    known = [c for c in procedure.channels if _has_time(c)]
    if not known:
        lines = ["Dữ liệu quốc gia chưa ghi thời hạn giải quyết cho thủ tục này."]
    else:
        lines = ["Thời hạn giải quyết:", *_by_channel(procedure, time_with_case)]
    # Where the table lost the time, the channel description usually still states it.
    notes = {c.description for c in procedure.channels if not _has_time(c) and c.description}
    for note in sorted(notes)[:2]:
        lines.append(f"Ghi chú trong dữ liệu: {_note(note, MAX_ITEM_CHARS)}")
    if due_dates:
        lines += _due_date_lines(procedure, submitted_on, due_dates)
    elif submitted_on is not None:
        # Never guess a date: without a unit (or a time at all) there is nothing honest to count.
        lines.append(
            f"Chưa tính được ngày dự kiến có kết quả khi nộp ngày {_date(submitted_on)} vì dữ liệu quốc gia "
            "không ghi rõ thời hạn (số ngày và đơn vị); bạn hỏi bộ phận Một cửa khi nộp hồ sơ."
        )
    return _fit(lines, max_chars, procedure, pointer)


def _local_fee_note(procedure: ProcedureOut) -> list[str]:
    if procedure.local and procedure.local.fee_note:
        return [f"Lưu ý tại địa phương: {procedure.local.fee_note}"]
    return []


def _cited_fee_lines(procedure: ProcedureOut) -> list[str]:
    """Fee regulations the legal bases cite that the channel rows do not name (with their amounts)."""
    return [
        f"Căn cứ pháp lý của thủ tục có {facts.document_name(entry.legal_number)} quy định mức thu: "
        + _shorten("; ".join(line for line in entry.amounts.splitlines() if line.strip()), MAX_ITEM_CHARS)
        + f" (nguồn: {entry.source})"
        for entry in facts.cited_fee_schedules(procedure)
    ]


def fee_lines(procedure: ProcedureOut, *, short: bool = False) -> list[str]:
    """One "- Trực tiếp, Trực tuyến: ..." line per distinct fee, told honestly."""
    return _by_channel(procedure, lambda channel: fee_text(channel, procedure, short=short))


def format_fee(procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True) -> str:
    """Fees per submission channel (the regulation that sets them, with the fee table's amounts),
    and a local fee note where the province added one."""
    if all(c.fee_kind == "none" for c in procedure.channels) and not procedure.fees:
        lines = ["Dữ liệu quốc gia chưa ghi phí, lệ phí cho thủ tục này."]
        said = facts.province_fee_note(procedure)
        if said:
            lines = [
                "Phí, lệ phí: nếu có, do Hội đồng nhân dân tỉnh quyết định; bạn hỏi bộ phận Một cửa mức thu.",
                f"Mô tả trên Cổng quốc gia: {_shorten(said, MAX_ITEM_CHARS)}",
            ]
    else:
        lines = ["Phí, lệ phí:", *fee_lines(procedure), *_cited_fee_lines(procedure)]
    return _fit(lines + _local_fee_note(procedure), max_chars, procedure, pointer)


# --------------------------------------------------------------------------------------------
# Submission, online service, payment

# A channel description, cut into its bullet points ("- Trực tiếp tại ... - Thời gian tiếp nhận ...").
_SEGMENT_SPLIT = re.compile(r"\n|(?:^|\s)[-–•*+]\s+")
# Bullet points saying where or when to submit (folded text) ...
_WHERE = re.compile(r"\b(tai|nop|gui|cong dich vu|dia diem|tiep nhan|bo phan mot cua|truc tiep)\b")
# ... and those that only repeat the fee or the processing time, shown elsewhere.
_NOT_WHERE = re.compile(r"^\W*(phi|le phi|thoi han|trong thoi han|khong qua|\d)")


def _where_hint(description: str) -> str:
    """The parts of a channel description that say where or when to submit ("" if none)."""
    parts = [p.strip(" ;.") for p in _SEGMENT_SPLIT.split(description)]
    kept = [p for p in parts if p and _WHERE.search(fold(p)) and not _NOT_WHERE.match(fold(p))]
    return _shorten("; ".join(kept), MAX_NAME_CHARS) if kept else ""


def _agency_lines(procedure: ProcedureOut) -> list[str]:
    lines: list[str] = []
    competent, implementing = procedure.competent_agency, procedure.implementing_agency
    if competent and implementing and fold(competent).strip(" .") == fold(implementing).strip(" ."):
        lines.append(f"- Cơ quan có thẩm quyền và thực hiện: {competent}")
    else:
        if competent:
            lines.append(f"- Cơ quan có thẩm quyền: {competent}")
        if implementing:
            lines.append(f"- Cơ quan thực hiện: {implementing}")
    if procedure.delegated_agency:
        lines.append(f"- Cơ quan được ủy quyền: {procedure.delegated_agency}")
    if procedure.coordinating_agency:
        lines.append(f"- Cơ quan phối hợp: {_shorten(procedure.coordinating_agency, MAX_NAME_CHARS)}")
    levels = [LEVEL_LABELS[level] for level in procedure.levels if level in LEVEL_LABELS]
    if levels:
        lines.append(f"- Cấp thực hiện: {', '.join(levels)}")
    if procedure.receiving_address:
        lines.append(f"- Địa chỉ tiếp nhận: {_shorten(procedure.receiving_address, MAX_ITEM_CHARS)}")
    return lines


@dataclass(frozen=True)
class LocalDesk:
    """Where the province receives a procedure's dossiers: the office it inherits (name, address,
    hours, phone), with the procedure's own address and hours in their place where it has them."""

    name: str = ""
    address: str = ""
    # One item per line as the officer typed them ("Sáng: 7h30–11h30", "Chiều: 13h30–17h00").
    hours: list[str] = field(default_factory=list)
    phone: str = ""


def local_desk(procedure: ProcedureOut) -> LocalDesk:
    """The procedure's local desk: its own override's address and hours first, else its office's."""
    local = procedure.local
    if local is None:
        return LocalDesk()
    office = local.office
    hours = local.opening_hours or (office.opening_hours if office else "")
    return LocalDesk(
        name=office.name if office else "",
        address=local.agency_address or (office.address if office else ""),
        # Each line its own item: joined, "Sáng …" and "Chiều …" ran together into one line.
        hours=[_note(line, MAX_NAME_CHARS) for line in hours.splitlines() if line.strip(" -–+*•")],
        phone=office.phone if office else "",
    )


def hours_lines(hours: list[str], bullet: str = "") -> list[str]:
    """'Giờ làm việc: …' on one line when the hours are one line, else a heading and one line each."""
    if not hours:
        return []
    if len(hours) == 1:
        return [f"{bullet}Giờ làm việc: {hours[0]}"]
    return [f"{bullet}Giờ làm việc:", *(f"+ {line}" for line in hours)]


def _local_lines(procedure: ProcedureOut) -> list[str]:
    """What the province added: its desk (office, address, opening hours, phone) and notes."""
    local = procedure.local
    if local is None:
        return []
    desk = local_desk(procedure)
    lines = []
    if desk.name:
        lines.append(f"- Nơi tiếp nhận: {desk.name}")
    if desk.address:
        lines.append(f"- Địa chỉ: {desk.address}")
    lines += hours_lines(desk.hours, "- ")
    if desk.phone:
        lines.append(f"- Điện thoại: {desk.phone}")
    if local.notes:
        lines.append(f"- Ghi chú: {local.notes}")
    return ["Tại địa phương:", *lines] if lines else []


def format_submission(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """Where and how to submit: agencies, receiving address, channels, the province's own desk."""
    lines = ["Nơi nộp hồ sơ và cơ quan giải quyết:"]
    agencies = _agency_lines(procedure)
    if not any(line.startswith("- Cơ quan") for line in agencies):
        lines.append(
            "- Dữ liệu quốc gia không ghi tên cơ quan giải quyết; bạn hỏi bộ phận Một cửa nơi bạn cư trú."
        )
    lines += agencies
    channels = _channel_names(procedure)
    if channels:
        lines.append("Cách nộp:")
        for name in channels:
            label = CHANNEL_LABELS.get(name, name)
            hints = [_where_hint(c.description) for c in procedure.channels if c.channel == name]
            hint = next((h for h in hints if h), "")
            if name == "online" and not hint:
                hint = f"qua {PORTAL_NAME} ({PORTAL_URL})"
            if not hint:
                lines.append(f"- {label}")
            elif fold(hint).startswith(fold(label)):
                lines.append(f"- {hint}")  # "Trực tiếp tại ..." already names the channel
            else:
                lines.append(f"- {label}: {hint}")
    else:
        lines.append("Dữ liệu quốc gia không ghi hình thức nộp hồ sơ (trực tiếp, trực tuyến, bưu chính).")
    lines += _local_lines(procedure)
    return _fit(lines, max_chars, procedure, pointer)


def _offline_channels_text(procedure: ProcedureOut) -> str:
    """'trực tiếp hoặc qua dịch vụ bưu chính' for the non-online channels the procedure has."""
    names = [CHANNEL_LABELS[n].lower() for n in _channel_names(procedure) if n in ("direct", "postal")]
    return " hoặc ".join(names)


def _has_online(procedure: ProcedureOut) -> bool:
    return "online" in _channel_names(procedure) or procedure.online_level in ("full", "partial")


def format_online(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """Whether the procedure can be done online, how far (toàn trình / một phần) and where."""
    if not _has_online(procedure):
        offline = _offline_channels_text(procedure)
        if not offline:
            lines = [
                "Dữ liệu quốc gia không ghi hình thức nộp hồ sơ của thủ tục này, "
                "kể cả có nộp trực tuyến được hay không; bạn vui lòng hỏi bộ phận Một cửa."
            ]
        else:
            lines = [
                "Theo dữ liệu quốc gia, thủ tục này chưa có hình thức nộp trực tuyến: "
                f"bạn nộp hồ sơ {offline}."
            ]
        return _fit(lines, max_chars, procedure, pointer)
    if procedure.online_level == "full":
        lines = [
            "Có thể làm trực tuyến toàn trình: bạn khai, nộp hồ sơ, nộp phí (nếu có) và nhận kết quả "
            "hoàn toàn qua mạng, không phải đến cơ quan."
        ]
    elif procedure.online_level == "partial":
        lines = [
            "Có thể nộp trực tuyến một phần: bạn khai và nộp hồ sơ qua mạng, nhưng vẫn phải đến cơ quan "
            "ở một số bước (ví dụ xuất trình bản chính, đối chiếu giấy tờ hoặc nhận kết quả)."
        ]
    else:
        lines = [
            "Có thể nộp hồ sơ trực tuyến. Dữ liệu quốc gia không ghi rõ là toàn trình (làm hết qua mạng, "
            "kể cả nhận kết quả) hay một phần (vẫn phải đến cơ quan ở một số bước)."
        ]
    lines.append(
        f"Nơi nộp: {PORTAL_NAME} {PORTAL_URL}, đăng nhập bằng tài khoản định danh điện tử VNeID, "
        f"tìm thủ tục theo tên hoặc mã {procedure.code}, khai thông tin, đính kèm bản chụp hoặc bản "
        "điện tử các giấy tờ rồi nộp."
    )
    online_rows = [c for c in _ordered_channels(procedure) if c.channel == "online"]
    times = {time_text(c) for c in online_rows if _has_time(c)}
    if times:
        lines.append(f"Thời hạn khi nộp trực tuyến: {'; '.join(sorted(times))}.")
    notes = {c.description for c in online_rows if c.description}
    for note in sorted(notes)[:1]:
        lines.append(f"Ghi chú trong dữ liệu: {_note(note, MAX_ITEM_CHARS)}")
    return _fit(lines, max_chars, procedure, pointer)


def _is_free(procedure: ProcedureOut) -> bool:
    """Free as the record says it, citing no regulation that sets a fee."""
    return (
        bool(procedure.channels)
        and all(c.fee_kind == "free" and not facts.fee_basis(c) for c in procedure.channels)
        and not facts.cited_fee_schedules(procedure)
        and not facts.cited_fee_law(procedure)
    )


def format_payment(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """Whether and how fees can be paid online, from the fee data and the online-payment flag."""
    local = _local_fee_note(procedure)
    if _is_free(procedure):
        lines = ["Theo dữ liệu quốc gia, thủ tục này không thu phí, lệ phí nên bạn không phải thanh toán."]
        notes = {_fee_note(c) for c in procedure.channels} - {""}
        lines += [f"Ghi chú: {_note(note, MAX_NAME_CHARS)}" for note in sorted(notes)[:1]]
        return _fit(lines + local, max_chars, procedure, pointer)
    if all(c.fee_kind == "none" for c in procedure.channels):
        lines = ["Dữ liệu quốc gia không ghi phí, lệ phí của thủ tục này."]
    else:
        lines = ["Phí, lệ phí:", *fee_lines(procedure), *_cited_fee_lines(procedure)]
    means = "thẻ ATM nội địa, thẻ quốc tế, Internet Banking, ví điện tử hoặc quét mã QR"
    if procedure.online_payment is True:
        lines.append(
            f"Có thể thanh toán trực tuyến: khi nộp hồ sơ trên {PORTAL_NAME} ({PORTAL_URL}), bạn trả "
            f"phí, lệ phí qua nền tảng thanh toán của Cổng bằng {means}."
        )
    elif procedure.online_payment is False:
        lines.append(
            "Theo dữ liệu quốc gia, thủ tục này chưa hỗ trợ thanh toán trực tuyến: bạn nộp phí, lệ phí "
            "tại nơi nộp hồ sơ theo hướng dẫn của cơ quan tiếp nhận."
        )
    elif _has_online(procedure):
        lines.append(
            "Dữ liệu quốc gia không ghi thủ tục này có thanh toán trực tuyến hay không. Nếu bạn nộp "
            f"trực tuyến và thủ tục có hỗ trợ, {PORTAL_NAME} hiện bước thanh toán ({means}); "
            "nếu không, bạn nộp phí tại nơi tiếp nhận hồ sơ."
        )
    else:
        lines.append(
            "Thủ tục này không có hình thức nộp trực tuyến, nên phí, lệ phí (nếu có) được nộp tại nơi "
            "tiếp nhận hồ sơ theo hướng dẫn của cơ quan."
        )
    return _fit(lines + local, max_chars, procedure, pointer)


# --------------------------------------------------------------------------------------------
# Steps

_STEP_HEAD = re.compile(r"[-–+*•\s]*bước\s*\d", re.IGNORECASE)
_NOTE_HEAD = re.compile(r"[^\w]*(?:lưu ý|ghi chú|chú ý)\b", re.IGNORECASE)
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("plus", re.compile(r"\s*\+{1,2}\s*")),
    ("dash", re.compile(r"\s*[-–•]\s*")),
    ("star", re.compile(r"\s*\*\s*")),
    ("roman", re.compile(r"\s*\(?(?:i{1,3}|iv|v|vi{1,3})\)\s*", re.IGNORECASE)),
    ("letter", re.compile(r"\s*[a-zđ]\)\s*")),
    ("digit", re.compile(r"\s*\(?\d{1,2}[.)]\s+")),
)


def _marker(line: str) -> tuple[str, str]:
    """The bullet kind of a step line and the line without its bullet."""
    for kind, pattern in _MARKERS:
        found = pattern.match(line)
        if found and found.end() < len(line):
            return kind, line[found.end() :]
    return "plain", line.strip()


def _split_steps(lines: list[str]) -> tuple[list[tuple[str, list[str]]], bool]:
    """Group step lines into (step, its detail lines); also tell whether the record numbers them.

    Records that number their steps ("Bước 1: ...") keep that numbering and every other line is a
    detail of the step above it. Otherwise the bullet kind of the first line marks the steps
    ("- ...", "a) ...") and a "Lưu ý:" line starts notes, which are details of the last step rather
    than steps of their own.
    """
    numbered = any(_STEP_HEAD.match(line) for line in lines)
    top_kind = _marker(lines[0])[0] if lines else "plain"
    steps: list[tuple[str, list[str]]] = []
    in_notes = False
    for line in lines:
        if numbered:
            is_head = bool(_STEP_HEAD.match(line))
            head = _marker(line)[1] if is_head else line
        else:
            kind, head = _marker(line)
            in_notes = in_notes or bool(_NOTE_HEAD.match(line))
            is_head = kind == top_kind and not in_notes
        if is_head or not steps:
            steps.append((head, []))
        else:
            steps[-1][1].append(line)
    return steps, numbered


def format_steps(procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True) -> str:
    """The steps (trình tự thực hiện), numbered; a summary of each step when the details do not fit."""
    steps, numbered = _split_steps(procedure.steps)
    if not steps:
        return "Dữ liệu quốc gia không ghi trình tự thực hiện của thủ tục này."

    def step_line(index: int, text: str, limit: int) -> str:
        # "Bước 2: ..." already carries its number; other steps get one.
        text = _shorten(text, limit)
        return text if numbered else f"{index}. {text}"

    full = ["Trình tự thực hiện:"]
    for index, (head, details) in enumerate(steps, start=1):
        full.append(step_line(index, head, MAX_ITEM_CHARS))
        full += [_shorten(detail, MAX_ITEM_CHARS) for detail in details]
    if len("\n".join(full)) <= max_chars or len(steps) < 2:
        return _fit(full, max_chars, procedure, pointer)
    # Too long: every step, each cut to its share, tells the citizen more than the first steps in
    # full. A step's share runs on into its details ("Bước 2: Cơ quan tiếp nhận thực hiện: ...").
    closing = [f"Chi tiết từng bước: {_full_record(procedure)}."] if pointer else []
    share = (max_chars - sum(len(line) for line in closing) - 60) // len(steps) - 5
    limit = min(MAX_ITEM_CHARS, max(share, MIN_OUTLINE_CHARS))
    summary = ["Trình tự thực hiện (tóm tắt từng bước):"]
    for index, (head, details) in enumerate(steps, start=1):
        # A "Lưu ý" block closing a step is not part of what the step does.
        kept = [_marker(line)[1] for line in itertools.takewhile(lambda x: not _NOTE_HEAD.match(x), details)]
        # "Bước 2: Nộp hồ sơ" + its first detail reads "Bước 2: Nộp hồ sơ: Người đề nghị ...".
        glue = " " if re.search(r"[.:;,]$", head) else ": "
        summary.append(step_line(index, glue.join([head, " ".join(kept)]) if kept else head, limit))
    return _fit(summary + closing, max_chars, procedure, pointer)


# --------------------------------------------------------------------------------------------
# Forms, conditions, result, legal basis

_FORM_WORD = re.compile(r"\bmẫu\b", re.IGNORECASE)


def format_forms(procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True) -> str:
    """The form templates named in the documents, and where to get them."""
    documents = _required_documents(procedure)
    with_form: dict[str, str] = {}
    for document in documents:
        if document.form_name and document.form_name not in with_form:
            with_form[document.form_name] = document.name
    page = procedure.source_url or PORTAL_URL
    where = f"Lấy mẫu: mục Thành phần hồ sơ trên trang thủ tục {page}, hoặc xin tại nơi nộp hồ sơ."
    if with_form:
        lines = ["Mẫu đơn, tờ khai:"]
        for index, (form, name) in enumerate(with_form.items(), start=1):
            lines.append(f"{index}. {_shorten(name, MAX_NAME_CHARS)}: tệp mẫu {form}")
        return _fit([*lines, where], max_chars, procedure, pointer)
    # No template attached: documents still often say they follow a form ("Tờ khai ... theo mẫu").
    templated = [d.name for d in documents if _FORM_WORD.search(d.name)]
    if templated:
        lines = ["Dữ liệu quốc gia không đính kèm tệp mẫu, nhưng các giấy tờ sau phải làm theo mẫu quy định:"]
        lines += [f"- {_shorten(name, MAX_NAME_CHARS)}" for name in templated]
        return _fit([*lines, where], max_chars, procedure, pointer)
    return _fit(["Dữ liệu quốc gia không nêu mẫu đơn, tờ khai nào cho thủ tục này."], max_chars, procedure)


def format_conditions(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """Who may apply and the conditions to meet."""
    lines: list[str] = []
    if procedure.applicants:
        lines.append(f"Đối tượng thực hiện: {_shorten(procedure.applicants, MAX_ITEM_CHARS)}")
    conditions = [line for line in procedure.conditions.split("\n") if line.strip()]
    if conditions:
        lines.append("Yêu cầu, điều kiện thực hiện:")
        lines += [_shorten(line, MAX_ITEM_CHARS) for line in conditions]
    else:
        lines.append("Dữ liệu quốc gia không nêu yêu cầu, điều kiện riêng cho thủ tục này.")
    return _fit(lines, max_chars, procedure, pointer)


def format_result(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """The result document(s) the citizen receives."""
    results = [line for line in procedure.result.split("\n") if line.strip()]
    if not results:
        return "Dữ liệu quốc gia không ghi kết quả giải quyết của thủ tục này."
    lines = ["Kết quả giải quyết:", *(f"- {_shorten(line, MAX_ITEM_CHARS)}" for line in results)]
    return _fit(lines, max_chars, procedure, pointer)


# Titles that only name the kind of text ("Nghị định"): the number is the useful part.
_GENERIC_TITLES = frozenset(
    fold(t)
    for t in (
        "luật",
        "bộ luật",
        "nghị định",
        "thông tư",
        "thông tư liên tịch",
        "quyết định",
        "nghị quyết",
        "pháp lệnh",
        "chỉ thị",
        "văn bản hợp nhất",
    )
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


# Rank of a legal text from its number's issuer suffix (59/2020/QH14, 168/2025/NĐ-CP, ...).
_LEGAL_RANKS = (("qh", 0), ("ubtvqh", 1), ("nq", 2), ("nd", 3), ("qd", 4), ("tt", 5))


def _legal_rank(number: str) -> int:
    suffix = _squash(number).rsplit("/", 1)[-1]
    return next((rank for prefix, rank in _LEGAL_RANKS if suffix.startswith(prefix)), len(_LEGAL_RANKS))


def _informative(title: str, number: str) -> int:
    """How much a title says beyond the number it carries (a bare "47/2019/TT-BTC" says nothing)."""
    return len(_squash(title).replace(_squash(number), "")) if number else len(_squash(title))


def _legal_line(title: str, number: str) -> str:
    title = _shorten(title, MAX_NAME_CHARS)
    if not number:
        return title
    if not title or _squash(number) in _squash(title):
        return title or number
    if fold(title).strip(" .:;") in _GENERIC_TITLES:
        return f"{title.strip(' .:;')} số {number}"
    return f"{title.rstrip(' .;:')} (số {number})"


def format_legal_basis(
    procedure: ProcedureOut, *, max_chars: int = MAX_SECTION_CHARS, pointer: bool = True
) -> str:
    """The legal bases, title and number, each text once."""
    # The national data lists some texts twice ("Nghị định" / "101/2024/NĐ-CP" and again):
    # keep one row per number, the one with the most telling title.
    chosen: dict[str, tuple[str, str]] = {}
    for basis in procedure.legal_bases:
        key = _squash(basis.number) or _squash(basis.title)
        if not key:
            continue
        known = chosen.get(key)
        if known is None or _informative(basis.title, basis.number) > _informative(*known):
            chosen[key] = (basis.title, basis.number)
    if not chosen:
        return "Dữ liệu quốc gia không ghi căn cứ pháp lý của thủ tục này."
    # Laws first, then resolutions, decrees, decisions and circulars: the order citizens ask in
    # ("theo luật nào, nghị định nào"), whatever order the portal listed them in.
    ordered = sorted(chosen.values(), key=lambda basis: _legal_rank(basis[1]))
    lines = ["Căn cứ pháp lý:"]
    lines += [f"{i}. {_legal_line(t, n)}" for i, (t, n) in enumerate(ordered, start=1)]
    return _fit(lines, max_chars, procedure, pointer)


# --------------------------------------------------------------------------------------------
# The whole answer

ASPECT_FORMATTERS: dict[str, SectionFormatter] = {
    "documents": format_documents,
    "all_documents": format_documents,
    "processing_time": format_processing_time,
    "fee": format_fee,
    "submission": format_submission,
    "online": format_online,
    "payment": format_payment,
    "steps": format_steps,
    "forms": format_forms,
    "conditions": format_conditions,
    "result": format_result,
    "legal_basis": format_legal_basis,
}


def is_overview(aspects: list[str]) -> bool:
    """The first reply about a procedure: the overview, or a question about its documents (with or
    without where, how long, how much, online)."""
    asked = set(aspects)
    return "documents" in asked and asked <= {"documents", "processing_time", "fee", "submission", "online"}


def not_offered_line(procedure: ProcedureOut) -> str:
    """The warning that opens every answer about a procedure the province does not offer ("" if offered)."""
    if procedure.local is None or not procedure.local.not_offered:
        return ""
    line = (
        "Lưu ý: thủ tục này hiện KHÔNG được thực hiện tại địa phương; bạn vui lòng hỏi bộ phận "
        "Một cửa để biết nơi thực hiện."
    )
    if procedure.local.notes:
        line += f" Ghi chú: {_shorten(procedure.local.notes, MAX_ITEM_CHARS)}"
    return line


def _budgets(lengths: list[int], total: int) -> list[int]:
    """Share `total` characters between sections: short ones whole, the rest split evenly."""
    budgets = list(lengths)
    remaining = total
    pending = sorted(range(len(lengths)), key=lambda i: lengths[i])
    while pending:
        share = remaining // len(pending)
        index = pending[0]
        if lengths[index] <= share:
            remaining -= lengths[index]
            pending.pop(0)
            continue
        for index in pending:
            budgets[index] = max(share, 0)
        break
    return budgets


def format_answer(
    procedure: ProcedureOut,
    aspects: list[str],
    *,
    source_name: str,
    submitted_on: dt.date | None = None,
    due_dates: dict[str, dt.date] | None = None,
    max_chars: int | None = None,
) -> str:
    """One combined answer: the procedure's title, each aspect asked, and the source line.

    The overview (and a documents question) is the compact first reply (`format_overview`); other
    aspects are shortened to FIRST_REPLY_CHARS, the complete lists asked with a button
    (all_documents, case:N) and more than MAX_SHORT_ASPECTS aspects at once to MAX_ANSWER_CHARS.

    Args:
        procedure: The procedure's full record.
        aspects: Aspect names in the order asked; unknown names and repeats are skipped.
        source_name: Where the national data comes from, for the source line.
        submitted_on: The day the citizen means to submit (for the processing-time aspect).
        due_dates: Channel -> expected result date, computed by the caller in working days.
        max_chars: Cap of the whole answer (default: see above); long sections are shortened with a
            pointer to the full record.

    Returns:
        The answer, lines separated by single newlines (never a blank line).
    """
    if is_overview(aspects):
        return format_overview(procedure, source_name=source_name, max_chars=max_chars or FIRST_REPLY_CHARS)
    if max_chars is None:
        many = len(set(aspects)) > MAX_SHORT_ASPECTS
        max_chars = MAX_ANSWER_CHARS if wants_full_list(aspects) or many else FIRST_REPLY_CHARS
    head = [procedure_title(procedure)]
    warning = not_offered_line(procedure)
    if warning:
        head.append(warning)
    tail = [source_line(procedure, source_name)]
    wanted = [a for a in dict.fromkeys(aspects) if a in ASPECT_FORMATTERS or CASE_ASPECT.fullmatch(a)]

    def render(aspect: str, limit: int, pointer: bool) -> str:
        case = CASE_ASPECT.fullmatch(aspect)
        if case:
            return format_case_documents(procedure, int(case.group(1)), max_chars=limit, pointer=pointer)
        if aspect == "processing_time":
            return format_processing_time(
                procedure, submitted_on=submitted_on, due_dates=due_dates, max_chars=limit, pointer=pointer
            )
        return ASPECT_FORMATTERS[aspect](procedure, max_chars=limit, pointer=pointer)

    # Every section in full first; only when they do not fit together are the long ones shortened,
    # each to its share, with one pointer to the full record for the whole answer.
    full = [render(aspect, sys.maxsize, True) for aspect in wanted]
    fixed = sum(len(line) + 1 for line in head + tail)
    room = max(max_chars - fixed - max(len(wanted) - 1, 0), 0)
    sections = full
    if sum(len(text) for text in full) > room:
        tail.insert(0, f"Câu trả lời đã được rút gọn; {_full_record(procedure)}.")
        room = max(room - len(tail[0]) - 1, 0)
        budgets = _budgets([len(text) for text in full], room)
        for _ in range(5):
            sections = [
                text if len(text) <= budget else render(aspect, budget, False)
                for aspect, text, budget in zip(wanted, full, budgets, strict=True)
            ]
            # Sections are cut at line ends, so they leave part of their share unused: hand that
            # spare room to the shortened ones and render them again.
            spare = room - sum(len(text) for text in sections)
            shortened = [i for i, text in enumerate(full) if len(text) > budgets[i]]
            if spare < MIN_SECTION_CHARS or not shortened:
                break
            for index in shortened:
                budgets[index] = len(sections[index]) + spare // len(shortened)
    # Single line breaks only: Rasa's output channels split a text into several messages at blank lines.
    body = [line for part in head + sections for line in part.split("\n") if line.strip()]
    answer = "\n".join([*body, *tail])
    if len(answer) > max_chars:
        # Only a title or warning longer than the whole budget gets here: keep the closing lines.
        closing = "\n".join(tail)
        answer = _cut("\n".join(body), max_chars - len(closing) - 1) + "\n" + closing
    return answer


#: How many documents a card lists (the overview's own limit).
CARD_MAX_DOCUMENTS = OVERVIEW_DOCUMENTS


def answer_card(procedure: ProcedureOut, source_name: str) -> dict[str, object]:
    """The structured summary of a procedure that channels able to draw cards show (the web widget
    shows it instead of the overview's text, which says the same).

    Plain strings only; a channel renders them as text. Long values are cut like the answer's.
    """
    lines = _document_lines(facts.first_documents(procedure), 0, short=True)
    documents = [line.split(". ", 1)[1] for line in lines]
    return {
        "title": procedure.name,
        "code": procedure.code,
        "documents": documents[:CARD_MAX_DOCUMENTS],
        "documents_more": max(0, len(documents) - CARD_MAX_DOCUMENTS) + len(_case_rows(procedure)),
        # The particular cases, each with its own documents (behind the answer's buttons).
        "cases": [facts.case_labels(procedure, 90)[i] for i in facts.case_order(procedure)][:CASE_CHOICES],
        "processing_time": [line[2:] for line in _by_channel(procedure, time_with_case)]
        if _has_time_lines(procedure)
        else [],
        "fee": [line[2:] for line in fee_lines(procedure)] + _cited_fee_lines(procedure),
        "where": _where_text(procedure),
        "channels": [CHANNEL_LABELS.get(name, name) for name in _channel_names(procedure)],
        "online_level": procedure.online_level or "",
        "source": source_line(procedure, source_name),
        "source_url": procedure.source_url
        if procedure.source_url.startswith(("https://", "http://"))
        else "",
        "not_offered": bool(procedure.local and procedure.local.not_offered),
        # The local desk (the office the procedure inherits, its own address and hours first):
        # empty strings and an empty list when the province set none. Hours: one item per line.
        **_card_desk(local_desk(procedure)),
    }


def _card_desk(desk: LocalDesk) -> dict[str, object]:
    return {
        "office_name": _shorten(desk.name, MAX_NAME_CHARS),
        "office_address": _shorten(desk.address, MAX_NAME_CHARS),
        "office_hours": list(desk.hours),
        "office_phone": _shorten(desk.phone, 64),
    }


def _has_time_lines(procedure: ProcedureOut) -> bool:
    return any(_has_time(channel) for channel in procedure.channels)


# --------------------------------------------------------------------------------------------
# The first reply: what everyone needs, then one line each for where, how long, how much, online


def _case_rows(procedure: ProcedureOut) -> list[DocumentOut]:
    return [d for _, documents in facts.case_groups(procedure) for d in documents]


SHORT_LEVELS = {"xa": "cấp xã", "tinh": "cấp tỉnh", "bo": "cấp trung ương"}
# "... nộp hồ sơ đến Sở Tư pháp", "gửi 01 bộ hồ sơ tại Phòng Tài chính - Kế hoạch": where the steps send it.
_STEPS_PLACE = re.compile(
    r"\b(?:nộp|gửi)\s+(?:[^\s.;:]+\s+){0,16}?(?:tại|đến|tới)\s+"
    r"((?:Sở|Phòng|Ủy ban|UBND|Cơ quan|Bộ phận|Trung tâm|Cục|Chi cục|Công an|Văn phòng)[^.;:()\n]{3,200})"
)
# An address field that names a place (some records hold the applicants' list there instead).
_PLACE_WORDS = re.compile(
    r"\b(?:số \d|đường|phố|phường|xã|quận|huyện|tỉnh|thành phố|bộ phận|trung tâm|ủy ban|ubnd|sở|cục|"
    r"công an|phòng|chi cục|văn phòng|trụ sở|cổng dịch vụ công)\b",
    re.IGNORECASE,
)


# Where a place named in the steps ends: "Ủy ban nhân dân cấp xã | bằng cách thức trực tiếp …".
_PLACE_END = re.compile(
    r"\s+(?:bằng|qua|theo|để|trong|kèm|khi|thông qua|hoặc qua|hoặc trực tuyến|nơi có|nộp|nếu)\s"
)
_STREET = re.compile(r"\b(?:số\s+\d|đường|phố|ngõ|tầng|tòa nhà)\b", re.IGNORECASE)
# Words that name an organisation (an agency field without any is a list of people).
_ORGANISATION = re.compile(
    r"\s*(?:Các\s+)?(?:Bộ|Sở|Cục|Chi cục|Tổng cục|Vụ|Ủy ban|Uỷ ban|UBND|HĐND|Công an|Ngân hàng|Trung tâm|"
    r"Văn phòng|Phòng|Ban|Cơ quan|Tổ chức|Thuế|Hải quan|Cảng vụ|Bảo hiểm|Kho bạc|Tòa án|Viện|Học viện|"
    r"Trường|Bệnh viện|Đại sứ quán|Lãnh sự|Cơ sở|Doanh nghiệp|Hội|Quỹ|Đài|Chi nhánh|Bộ phận|Cảnh sát|"
    r"Thanh tra|Đơn vị|Người đứng đầu|Thi hành án|Khu Quản lý|Công đoàn|Biên phòng|Tổng công ty|Công ty|"
    r"Hạt|Kiểm lâm|Đồn|Bộ Chỉ huy|Ban Chỉ huy)\b",
    re.IGNORECASE,
)
# An agency field that names the person who decides ("Chủ tịch Ủy ban nhân dân cấp tỉnh"), not where
# a citizen hands the dossier in.
_PERSON_AGENCY = re.compile(
    r"\s*(?:Phó\s+)?(?:Chủ tịch|Giám đốc|Bộ trưởng|Thủ trưởng|Trưởng|Cục trưởng|Tổng cục trưởng)\b\s*"
)


# An agency no citizen visits: the keeper of a database ("Cơ quan quản lý cơ sở dữ liệu hộ tịch điện tử").
_BACK_OFFICE = re.compile(r"\bcơ sở dữ liệu\b", re.IGNORECASE)


def _is_place(text: str) -> bool:
    """Whether an address field names a place: an office or a street address (some records hold the
    list of applicants there instead: "Sĩ quan, hạ sĩ quan … Công an nhân dân")."""
    return (
        bool(text)
        and bool(_PLACE_WORDS.search(text))
        and bool(_ORGANISATION.match(text) or _STREET.search(text))
    )


# The commune People's Committee named as a place the procedure is done ("Tại Ủy ban nhân dân cấp xã, Tổ
# chức hành nghề công chứng: 2.000 đồng/trang"), and an agency field that already names a commune body.
_COMMUNE_UBND = re.compile(
    r"\btại\s+(?:[^.;:]{0,160}?,\s*)?(?:(?:Ủy|Uỷ) ban nhân dân (?:cấp )?xã|UBND (?:cấp )?xã)\b", re.IGNORECASE
)
_COMMUNE_BODY = re.compile(r"\bxã\b", re.IGNORECASE)


def _with_commune(procedure: ProcedureOut, where: str) -> str:
    """`where`, led by the commune People's Committee when the procedure is done at commune level, the
    record's fee or time rows name it as a place and the agency field leaves it out (certification:
    "Tổ chức hành nghề công chứng, Cơ quan đại diện" while most people go to the commune)."""
    if "xa" not in procedure.levels or _COMMUNE_BODY.search(where):
        return where
    rows = " ".join(f"{c.fee_text} {c.description}" for c in procedure.channels)
    if not _COMMUNE_UBND.search(rows):
        return where
    return f"Ủy ban nhân dân cấp xã, {where}" if where else "Ủy ban nhân dân cấp xã"


def _where_text(procedure: ProcedureOut) -> str:
    return _with_commune(procedure, _where_found(procedure))


def _where_found(procedure: ProcedureOut) -> str:
    address = local_desk(procedure).address
    if address:
        return _shorten(address, MAX_NAME_CHARS)
    agency = procedure.implementing_agency or procedure.competent_agency
    levels = [SHORT_LEVELS[level] for level in procedure.levels if level in SHORT_LEVELS]
    if _is_place(procedure.receiving_address):
        return _shorten(procedure.receiving_address, 160)
    # An agency field that is a person ("Chủ tịch UBND cấp tỉnh") or a list of applicants ("Sĩ quan, hạ
    # sĩ quan …") says nowhere to go: the place the first step names, else the person's office.
    not_a_place = bool(agency) and (
        bool(_PERSON_AGENCY.match(agency))
        or not _ORGANISATION.search(agency)
        or bool(_BACK_OFFICE.search(agency))
    )
    named = _STEPS_PLACE.search(" ".join(procedure.steps[:3]))  # where the first steps send it
    if named and (not agency or not_a_place):
        place = _PLACE_END.split(named.group(1), maxsplit=1)[0]
        return f"{_shorten(place.strip(' ,'), 110)} (theo các bước thực hiện)"
    if agency and _PERSON_AGENCY.match(agency):
        office = _PERSON_AGENCY.sub("", agency, count=1).strip(" ,.")
        if _ORGANISATION.match(office):
            return f"{_shorten(office, 140)} (người quyết định: {_shorten(agency, 80)})"
        agency = ""
    elif agency and not_a_place:
        agency = ""
    if not agency:
        return (
            f"cơ quan {', '.join(levels)} (dữ liệu quốc gia không ghi tên; hỏi bộ phận Một cửa)"
            if levels
            else ""
        )
    if named and fold(named.group(1)[:15]) not in fold(agency):
        # The agency field names who decides ("Bộ Tài chính"); the steps say where the dossier is handed
        # in ("Cơ quan đăng ký kinh doanh cấp tỉnh nơi công ty đặt trụ sở chính"): that is where to go.
        place = _PLACE_END.split(named.group(1), maxsplit=1)[0].strip(" ,")
        if not _GENERIC_DESK.fullmatch(place):
            decides = _shorten(agency, 70)
            return f"{_shorten(place, 110)} (theo các bước thực hiện; cơ quan giải quyết: {decides})"
    return _shorten(agency, 160)


# A desk the steps name without its owner ("Bộ phận một cửa"): the agency field says whose it is.
_GENERIC_DESK = re.compile(r"Bộ phận (?:một cửa|tiếp nhận và trả kết quả)", re.IGNORECASE)


def _joined(lines: list[str], procedure: ProcedureOut) -> str:
    """'- Trực tiếp: x' lines as one line, without the channels when every line is about all of them
    ('Trường hợp A: 2 ngày; Trường hợp B: 3 ngày')."""
    every = ", ".join(CHANNEL_LABELS.get(name, name) for name in _channel_names(procedure))
    texts = [line[2:] for line in lines]
    if all(text.startswith(f"{every}: ") for text in texts):
        texts = [text[len(every) + 2 :] for text in texts]
    return "; ".join(texts)


# Where a row says the dossier goes instead of the national portal: another portal, or the document
# system between state bodies.
_OTHER_PORTAL = re.compile(
    r"(?:trực tuyến|nộp|gửi|khai)[^.;\n]{0,160}?\b(?:qua|trên|thông qua)\s+"
    r"(Cổng dịch vụ công (?!quốc gia)[^.;,()\n]{3,60}|hệ thống quản lý văn bản[^.;,()\n]{0,40}"
    r"|Hệ thống xử lý dữ liệu điện tử hải quan|Cổng thông tin một cửa quốc gia)",
    re.IGNORECASE,
)


def _online_text(procedure: ProcedureOut) -> str:
    said = [c.description or "" for c in procedure.channels] + procedure.steps[:4]
    other = next((found for text in said if (found := _OTHER_PORTAL.search(text))), None)
    if other and other.group(1).lower().startswith("hệ thống quản lý văn bản"):
        return (
            "không qua Cổng dịch vụ công; hồ sơ gửi qua hệ thống quản lý văn bản (giữa các cơ quan nhà nước)"
        )
    if other and (_has_online(procedure) or not other.group(1).lower().startswith("cổng dịch vụ công")):
        return f"có, qua {other.group(1).strip()} (theo mô tả của thủ tục)"
    if not _has_online(procedure):
        offline = _offline_channels_text(procedure)
        return f"chưa có; nộp {offline}" if offline else "dữ liệu quốc gia không ghi"
    level = {"full": "có, toàn trình", "partial": "có, một phần (vẫn đến cơ quan ở một số bước)"}
    return f"{level.get(procedure.online_level or '', 'có')} tại {PORTAL_URL}"


# A document table whose only row says none is needed: "Không quy định", "Không".
_NONE_REQUIRED = re.compile(r"\W*không(?:\s+(?:quy định|yêu cầu|có))?\W*$", re.IGNORECASE)
# "Trong thời hạn 03 ngày làm việc kể từ ..." in the steps, for a record whose table has no time.
_STEPS_TIME = re.compile(
    r"trong (?:thời hạn|vòng)(?: không quá| tối đa)? (\d{1,3} (?:ngày làm việc|ngày|giờ|tháng))", re.I
)


# When the steps say the result comes: "… sau 15 giờ thì … trả kết quả … trong ngày làm việc tiếp theo".
_STEPS_RESULT_DAY = re.compile(
    r"(?:\b(?:nếu|trường hợp)\b[^.;:]{0,60}?)?\btrả kết quả\b[^.;:]{0,50}?"
    r"\btrong ngày(?: làm việc tiếp theo)?\b",
    re.IGNORECASE,
)


# A time column whose description opens with the time: "15 ngày kể từ ngày nhận được hồ sơ hợp lệ".
_DESCRIBED_TIME = re.compile(
    r"\W*(?:trong (?:thời hạn|vòng)\s+)?(?:không quá\s+)?\d{1,3}\s+(?:ngày làm việc|ngày|giờ|tháng)\b"
    r"[^.;\n]{0,80}",
    re.IGNORECASE,
)


def _unitless(procedure: ProcedureOut) -> bool:
    """Whether every time the table gives is a bare number (the unit left out of the national data)."""
    timed = [c for c in procedure.channels if _has_time(c)]
    return bool(timed) and all(
        c.time_unit != "in_day" and c.time_value is not None and UNIT_LABELS.get(c.time_unit or "") is None
        for c in timed
    )


def _stage_deadlines(procedure: ProcedureOut, most: int = 3) -> list[str]:
    """The result's day the steps state, else the distinct stage deadlines of the time column's
    description and the steps ("01 ngày làm việc", "10 ngày làm việc", …), in order, at most `most`."""
    result_day = _STEPS_RESULT_DAY.search(" ".join(procedure.steps))
    if result_day:
        return [_shorten(result_day.group(0).strip(" ,-+"), 120)]
    text = " ".join([*(c.description for c in _ordered_channels(procedure)[:1]), *procedure.steps])
    stages: dict[str, str] = {}
    for match in _STEPS_TIME.finditer(text):
        said = match.group(0)
        stages.setdefault(match.group(1).lower(), said[:1].lower() + said[1:])
    return list(stages.values())[:most]


def overview_facts(procedure: ProcedureOut, limit: int = MAX_NAME_CHARS) -> list[str]:
    """Where, how long, how much, online or not: one line each."""
    lines = []
    desk = local_desk(procedure)
    where = _where_text(procedure)
    if where and desk.name and desk.address:
        lines.append(f"Nơi nộp: {desk.name}, {where}")
    elif where or desk.name:
        lines.append(f"Nơi nộp: {where or desk.name}")
    lines += hours_lines(desk.hours)
    if desk.phone:
        lines.append(f"Điện thoại: {desk.phone}")
    # "1" without a unit says nothing: the day the steps say the result comes, else every stage deadline
    # they give (one of them is not the whole time), else where to ask.
    said = _stage_deadlines(procedure) if _unitless(procedure) else []
    if said and _STEPS_RESULT_DAY.search(" ".join(procedure.steps)):
        # "… sau 15 giờ thì có Phiếu hẹn, trả kết quả cho người yêu cầu …": what is between "thì" and the
        # result's day left out of the quote.
        quote = re.sub(r"\bthì\b[^.;]{1,60}?,\s*(?=trả kết quả)", "thì … ", said[0])
        quote = quote.replace("trả kết quả cho người yêu cầu ", "trả kết quả ")
        lines.append(f'Thời hạn: các bước nêu "{quote}" (bảng không ghi đơn vị)')
    elif said:
        # Stage deadlines are parts of the time: the table's number is kept beside them.
        quoted = ", ".join(f'"{stage}"' for stage in said)
        table = _joined(_by_channel(procedure, time_with_case), procedure)
        lines.append(f"Thời hạn: {table}; các bước nêu {quoted} (từng bước)")
    elif _has_time_lines(procedure):
        told = f"Thời hạn: {_joined(_by_channel(procedure, time_with_case), procedure)}"
        if _unitless(procedure):
            told += "; bạn hỏi bộ phận Một cửa thời hạn cụ thể"
        lines.append(told)
    else:
        # Each deadline the steps (or the time column's description) state may be one stage only
        # (checking the dossier): the result's own day, else every distinct stage, never one of them
        # presented as the whole time.
        stages = _stage_deadlines(procedure)
        described = next(
            (
                found.group(0)
                for c in procedure.channels
                if (found := _DESCRIBED_TIME.match(c.description or ""))
            ),
            None,
        )
        if described:
            # "15 ngày kể từ ngày nhận được hồ sơ hợp lệ": the time column's description is the time.
            lines.append(f"Thời hạn: {_shorten(described.strip(' .;'), 120)}")
        else:
            lines.append(
                "Thời hạn: dữ liệu quốc gia không ghi thời hạn chung; các bước nêu "
                + ", ".join(f'"{stage}"' for stage in stages)
                + (" (từng bước)" if len(stages) > 1 else "")
                if stages
                else "Thời hạn: dữ liệu quốc gia không ghi"
            )
    if _is_free(procedure):
        lines.append("Lệ phí: miễn phí")
    elif any(c.fee_kind != "none" for c in procedure.channels) or procedure.fees:
        fees = fee_lines(procedure, short=True)
        cited = _cited_fee_lines(procedure)
        lines.append(f"Lệ phí: {_joined(fees, procedure) if fees else cited[0]}")
    elif facts.province_fee_note(procedure):
        lines.append("Lệ phí: nếu có, do Hội đồng nhân dân tỉnh quyết định; bạn hỏi bộ phận Một cửa mức thu")
    else:
        lines.append("Lệ phí: dữ liệu quốc gia không ghi")
    lines.append(f"Nộp trực tuyến: {_online_text(procedure)}")
    return [_shorten(_said_once(line), limit) for line in lines]


def _said_once(line: str) -> str:
    """A line with a long remark it repeats per channel kept at its last place only ("Trực tiếp: 50.000
    đồng (… do Hội đồng nhân dân tỉnh quyết định …); Trực tuyến: 150.000 đồng (… same …)")."""
    for remark in {m.group(0) for m in re.finditer(r"\s\([^()]{20,}\)", line)}:
        while line.count(remark) > 1:
            line = line.replace(remark, "", 1)
    return line


def format_overview(procedure: ProcedureOut, *, source_name: str, max_chars: int = FIRST_REPLY_CHARS) -> str:
    """The first reply about a procedure, within `max_chars` (a phone screen).

    The documents everyone brings, in the national order and each once (a "một trong các giấy tờ"
    group on one line), then one line each for where, how long, how much and online, the national
    page's link and the source. What does not fit (more documents, the particular cases, steps,
    forms, legal basis) is behind the buttons `more_buttons` gives.
    """
    head = [f"{_shorten(procedure.name, 180)} (mã {procedure.code})"]
    warning = not_offered_line(procedure)
    if warning:
        head.append(warning)
    tail = []
    if procedure.source_url.startswith(("https://", "http://")):
        tail.append(f"Chi tiết: {procedure.source_url}")
    tail.append(source_line(procedure, source_name))
    common = facts.first_documents(procedure)
    # Papers only some applicants bring ("… đối với người chưa đủ 14 tuổi") wait behind "Tất cả giấy
    # tờ" while there are papers everyone brings: shown cut, they read as required.
    plain = [d for d in common if not facts.conditional(d, procedure)]
    held = [d for d in common if facts.conditional(d, procedure)] if plain else []
    common = plain or common
    cases = facts.case_groups(procedure)
    # More of everyone's documents with shorter names before fewer with longer ones: a paper everyone
    # brings hidden behind "Tất cả giấy tờ" costs a citizen more than a name cut after 90 characters.
    # The where/time/fee lines are shortened only when nothing else fits.
    configs = ((MAX_NAME_CHARS, 160), (MAX_NAME_CHARS, 110), (MAX_NAME_CHARS, 90), (140, 90), (100, 90))
    rendered = {
        config: (
            _document_lines(common, 0, short=True, name_chars=config[1]),
            overview_facts(procedure, config[0]),
        )
        for config in configs
    }
    most = min(len(rendered[configs[0]][0]), OVERVIEW_DOCUMENTS)
    # One more paper everyone brings is worth a where or fee line cut at 140 characters, not a time line
    # (its case or its "no unit" remark would go).
    full_time = [line for line in rendered[configs[0]][1] if line.startswith("Thời hạn")]
    time_kept = [line for line in rendered[configs[3]][1] if line.startswith("Thời hạn")] == full_time
    first = 4 if time_kept else 3
    fuller = [(n, c) for n in range(most, -1, -1) for c in configs[:first]]
    shorter_facts = [(n, c) for c in configs[first:] for n in range(most, -1, -1)]
    for shown, config in [*fuller, *shorter_facts]:
        lines, rest = rendered[config]
        if shown > len(lines) or len({line.split(". ", 1)[-1] for line in lines[:shown]}) < shown:
            continue  # (names cut shorter may read the same: never show two identical lines)
        more = len(lines) - shown + len(held) + sum(len(documents) for _, documents in cases)
        docs = ["Giấy tờ cần chuẩn bị:", *lines[:shown]] if shown else []
        if not common and not cases:
            docs = [
                "Theo dữ liệu quốc gia, thủ tục này không yêu cầu giấy tờ."
                if any(_NONE_REQUIRED.match(d.name) for d in procedure.documents)
                else "Dữ liệu quốc gia chưa ghi thành phần hồ sơ; bạn hỏi bộ phận Một cửa."
            ]
        elif not common:
            # Every document depends on the citizen's case (đăng ký thường trú: own house, rented,
            # relative's ...): the cases to choose from, each a button, the largest first.
            docs = ["Giấy tờ tùy trường hợp của bạn (bấm nút bên dưới để xem từng trường hợp):"]
            labels = facts.case_labels(procedure, 90)
            docs += [f"- {labels[i]}" for i in facts.case_order(procedure)[:CASE_CHOICES]]
            if len(cases) > CASE_CHOICES:
                docs.append(f'- và {len(cases) - CASE_CHOICES} trường hợp khác (bấm "Tất cả giấy tờ")')
            if all(_LEGAL_CASE.search(case) for case, _ in cases):
                # "Trường hợp … điểm a, điểm b khoản 1 Điều 31 Luật Cư trú": the record names its cases by
                # the law only.
                docs.append("Không rõ mình thuộc trường hợp nào: bạn hỏi bộ phận Một cửa trước khi chuẩn bị.")
            more = 0
        if more:
            labels = facts.case_labels(procedure, 40)
            who = [facts.condition_phrase(d) for d in held]
            picked: list[str] = []
            for name in [w for w in who if w][:2] + [labels[i].lower() for i in facts.case_order(procedure)]:
                name = name.rstrip("…")
                if not any(name.startswith(other) or other.startswith(name) for other in picked):
                    picked.append(name)
            names = ", ".join(picked[:2])
            which = f", có giấy tờ riêng cho {names}…" if names else ""
            docs.append(f'Còn {more} giấy tờ khác{which}: bấm "Tất cả giấy tờ" để xem đủ.')
        text = "\n".join([*head, *docs, *rest, *tail])
        if len(text) <= max_chars:
            return text
    return _cut("\n".join([*head, *overview_facts(procedure, 100), *tail]), max_chars)


_LEGAL_CASE = re.compile(r"\b(?:điểm|khoản)\s+[\w,\s]{1,30}\bĐiều\s+\d+", re.IGNORECASE)


def wants_full_list(aspects: list[str]) -> bool:
    """Whether the citizen asked (with a button) for a complete list, which may be long."""
    return any(a in FULL_ASPECTS or CASE_ASPECT.fullmatch(a) for a in aspects)


FIXED_TITLES = frozenset(
    {"Tất cả giấy tờ", "Lệ phí chi tiết", "Các bước thực hiện", "Mẫu đơn, tờ khai", "Căn cứ pháp lý"}
)


def more_buttons(procedure: ProcedureOut, aspects: list[str]) -> list[dict[str, str]]:
    """Buttons to what a short answer left out: every document, each particular case (up to two),
    the steps, the forms and the legal basis (each only when the record has it and it was not just
    shown)."""
    buttons: list[dict[str, str]] = []
    cases = facts.case_groups(procedure)
    common = facts.common_documents(procedure)
    if "all_documents" not in aspects and (common or cases):
        buttons.append({"title": "Tất cả giấy tờ", "payload": '/ask_documents{"aspect": "all_documents"}'})
    labels = facts.case_labels(procedure, 38) if cases else []
    for index in facts.case_order(procedure)[: 2 if common else 3]:
        if f"case:{index}" not in aspects:
            payload = f'/ask_documents{{"aspect": "case:{index}"}}'
            title = labels[index]
            if title in FIXED_TITLES:  # a case the record calls "Mẫu đơn, tờ khai"
                title = f"Hồ sơ: {title}"
            buttons.append({"title": title, "payload": payload})
    if ("fee" not in aspects or is_overview(aspects)) and (
        procedure.fees or any(facts.fee_note(c) for c in procedure.channels)
    ):
        buttons.append({"title": "Lệ phí chi tiết", "payload": "/ask_fee"})
    if procedure.steps and "steps" not in aspects:
        buttons.append({"title": "Các bước thực hiện", "payload": "/ask_steps"})
    if any(d.form_name for d in procedure.documents) and "forms" not in aspects:
        buttons.append({"title": "Mẫu đơn, tờ khai", "payload": "/ask_forms"})
    if procedure.legal_bases and "legal_basis" not in aspects:
        buttons.append({"title": "Căn cứ pháp lý", "payload": "/ask_legal_basis"})
    return buttons
