"""Turn one raw procedure record scraped from dichvucong.gov.vn into clean structured data.

The crawler flattened the portal's HTML tables into text without cell separators, so every table
field is a run of glued cells ("Trực tuyến5 Ngày làm việc25 USD(...)Mô tả..."). This module cuts
those runs back into rows with rules learnt from the 2,642 records of the seed data set. It never
raises on odd input: whatever it cannot read with confidence is kept as text and reported in
`ParsedProcedure.doubtful`, so the importer can show it to staff instead of guessing.

Standard library only (plus `vntext`), so the importer, the API and tests can all use it.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vntext import nfc

__all__ = [
    "Channel",
    "Document",
    "LegalBasis",
    "ParsedProcedure",
    "clean_result",
    "is_empty",
    "parse_channels",
    "parse_documents",
    "parse_legal_bases",
    "parse_record",
]


@dataclass
class Channel:
    """One row of the "Cách thức thực hiện" table (a channel may have several rows)."""

    channel: str  # "direct" | "online" | "postal"
    time_value: float | None
    time_unit: str | None  # "working_day" | "day" | "hour" | "month" | "year" | "in_day" | None
    time_text: str
    fee_kind: str  # "free" | "amount" | "text" | "none"
    fee_amount_vnd: int | None
    fee_text: str
    description: str
    # The case this row's time and fee belong to, when its description opens with one ("Đối với xe ô
    # tô: ...", "Trường hợp cấp lại: ..."); several rows of one channel differ by it.
    condition: str | None = None
    # The legal document the fee cell or its description says sets the fee ("244/2016/TT-BTC").
    fee_basis: str | None = None


@dataclass
class Document:
    """One row of the "Thành phần hồ sơ" table."""

    section: str  # "submit" | "present" | "note" | ""
    name: str
    form_name: str | None  # several attached forms are joined with "; "
    quantity: int | None  # the larger of the two counts (what one row asks for at most)
    kind: str | None  # "original" | "copy" | "certified_copy" | "photo" | None
    case: str | None
    is_note: bool
    # The count cell as written: "1 bản chính,1 bản sao" is originals=1, copies=1 (both kept);
    # None when the row has no count cell.
    originals: int | None = None
    copies: int | None = None
    # Rows of which the source says only one is needed ("một trong các giấy tờ sau") share a label.
    alternatives: str | None = None


@dataclass
class LegalBasis:
    """One row of the "Căn cứ pháp lý" table."""

    title: str
    number: str


@dataclass
class ParsedProcedure:
    """A whole procedure, every text NFC and stripped, placeholders turned into "" / []."""

    code: str
    name: str
    ministry: str
    field: str
    levels: list[str]
    procedure_type: str
    decision_number: str
    applicants: str
    competent_agency: str
    implementing_agency: str
    receiving_address: str
    delegated_agency: str
    coordinating_agency: str
    related_procedures: str
    steps: list[str]
    conditions: str
    result: str
    result_documents: list[str]
    source_url: str
    channels: list[Channel]
    documents: list[Document]
    legal_bases: list[LegalBasis]
    online_level: str | None
    online_payment: bool | None
    # dataclasses.field, qualified: the bare name is shadowed by the `field` attribute above.
    doubtful: dict[str, str] = dataclasses.field(default_factory=dict)


_T = TypeVar("_T")

# --------------------------------------------------------------------------------------------
# Character classes. `re` has no \p{Lu}; Vietnamese letters live in Latin-1, Latin Extended-A/B
# and Latin Extended Additional, so the classes are built once from those ranges.
_LETTER_RANGES = [*range(0x41, 0x250), *range(0x1E00, 0x1F00)]
_LOWER = "".join(ch for ch in map(chr, _LETTER_RANGES) if ch.islower())
_UPPER = "".join(ch for ch in map(chr, _LETTER_RANGES) if ch.isupper())

_SPACES = re.compile(r"[^\S\n]+")  # whitespace except newlines
_ALL_SPACES = re.compile(r"\s+")
_DASHES_ONLY = re.compile("[-\u2013\u2014_.\\s]*")  # hyphen, en and em dashes
# Placeholders, compared after lower-casing and dropping trailing punctuation.
_PLACEHOLDERS = frozenset(
    {"không có thông tin", "không", "không có", "không quy định", "n/a", "null", "none"}
)


# Zero-width and bidi control characters pasted from Word ("đăng k\u200eý"): invisible noise that
# breaks matching and search.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


def _one_line(text: str) -> str:
    """Fold all whitespace (newlines too) to single spaces, drop invisible characters, strip."""
    # NFC again once they are gone: one between a letter and its mark kept the two apart.
    return _ALL_SPACES.sub(" ", nfc(_INVISIBLE.sub("", text))).strip()


def _multi_line(text: str) -> str:
    """Fold spaces/tabs, strip every line and drop empty lines, keeping the line structure."""
    lines = (_SPACES.sub(" ", line).strip() for line in nfc(_INVISIBLE.sub("", text)).split("\n"))
    return "\n".join(line for line in lines if line)


def _flag(doubtful: dict[str, str], key: str, reason: str) -> None:
    """Record why `key` is doubtful, keeping every distinct reason once."""
    known = doubtful.get(key)
    if not known:
        doubtful[key] = reason
    elif reason not in known.split("; "):
        doubtful[key] = f"{known}; {reason}"


def is_empty(text: str | None) -> bool:
    """Tell whether a cell is empty or one of the portal's placeholders.

    Args:
        text: A raw or cleaned cell text, or None.

    Returns:
        True for None, whitespace, dash runs ("--", "----") and "Không có thông tin" / "Không" /
        "Không có" / "Không quy định" (case-insensitive, trailing punctuation ignored). For the
        condition field "Không" means "no conditions", which the bot renders like an empty field.
    """
    if text is None:
        return True
    stripped = nfc(str(text)).strip()
    if _DASHES_ONLY.fullmatch(stripped):
        return True
    return stripped.lower().rstrip(" .:;!").strip() in _PLACEHOLDERS


def _text(raw: dict[str, Any], key: str) -> str:
    """Read one raw field as NFC text ("" for missing or non-string values)."""
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None:
        return ""
    return nfc(value if isinstance(value, str) else str(value))


def _field(raw: dict[str, Any], key: str) -> str:
    """A one-line field with placeholders turned into ""."""
    text = _one_line(_text(raw, key))
    return "" if is_empty(text) else text


# --------------------------------------------------------------------------------------------
# Channels ("Cách thức thực hiện")

_CHANNEL_HEADER = re.compile(r"Hình thức nộp\s*Thời gian\s*Phí, lệ phí\s*Mô tả")
_CHANNELS = {"Trực tiếp": "direct", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
# A row starts with a channel name glued to its time cell. Inside descriptions the same words are
# followed by ":", a space or a lower-case word ("Trực tuyến: nộp hồ sơ..."), which this excludes.
_ROW_START = re.compile(rf"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=[^\s:;,.)\-\u2013{_LOWER}])")
_TIME_NUMBER = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)[^\S\n]*(?P<unit>ngày làm việc|trong ngày|ngày|giờ|tháng|năm)?",
    re.IGNORECASE,
)
_TIME_IN_DAY = re.compile(r"trong ngày", re.IGNORECASE)
_UNITS = {
    "ngày làm việc": "working_day",
    "ngày": "day",
    "giờ": "hour",
    "tháng": "month",
    "năm": "year",
    "trong ngày": "in_day",
}
_CURRENCY = r"Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD|EUR"
_FEE_HEAD = re.compile(
    rf"[^\S\n]*(?:(?P<free>Miễn phí)|(?P<none>Không có thông tin)"
    rf"|(?P<amount>\d[\d.,]*)[^\S\n]*(?P<cur>{_CURRENCY}))"
)
_FEE_HEAD_SEARCH = re.compile(rf"Miễn phí|Không có thông tin|\d[\d.,]*[^\S\n]*(?:{_CURRENCY})")
# When the time unit is missing, the time digits are glued to the amount ("Trực tuyến1100 VNĐ").
_GLUED_TIME_AMOUNT = re.compile(rf"(?P<digits>\d[\d,.]*)[^\S\n]*(?P<cur>{_CURRENCY})")
_WELL_FORMED_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*")
# Money in a fee note: thousands-separated numbers, or a number with a currency / percent sign.
_MONEY = re.compile(
    r"\d{1,3}(?:[.,]\d{3})+(?!\d)"
    r"|\d+(?:[.,]\d+)?\s*(?:%|phần trăm|đồng|Đồng|VNĐ|vnđ|VND|USD|EUR|đ(?!\w))"
)
# A note after "Miễn phí" that only repeats "no fee" ("Không", "Không thu lệ phí", "Miễn lệ phí").
_NO_FEE_NOTE = re.compile(r"\W*(?:không\b|miễn\b|chưa quy định)", re.IGNORECASE)
_FEE_IN_DESCRIPTION = re.compile(r"(?:lệ phí|phí)\s*:?\s*\d", re.IGNORECASE)
_FOREIGN = {"USD", "EUR"}
# Beyond these a number is a scrape accident, not a time or a fee (the data's largest: 300 days,
# 150,000,000 VND); taken as they are they overflowed the database columns (tests/knowledge_base/
# test_parsing_properties.py), or became float("inf") for a long digit run.
_MAX_TIME_VALUE = 10_000
_MAX_FEE_VND = 10**12
_SEPARATORS = re.compile(r"[.,]")
# A second copy of a table row pasted as tab-separated text into a description.
_PASTED_ROW = re.compile(r"(?:Trực tiếp|Trực tuyến|Dịch vụ bưu chính)\t")
_ROW_CONDITION = re.compile(
    r"^[-+*•\s]*((?:đối với|trường hợp|riêng)\s[^:;.\n]{2,140}?)\s*(?::|,\s*(?:thời gian|lệ phí|phí|mức))",
    re.IGNORECASE,
)
# A fee regulation named beside the fee: "Thông tư số 244/2016/TT-BTC", "Nghị định 99/2022/NĐ-CP".
_FEE_BASIS = re.compile(
    r"(?:Thông tư liên tịch|Thông tư|Nghị định|Nghị quyết|Quyết định|TT|NĐ)\s*(?:số\s*)?"
    r"(\d{1,4}/\d{4}/(?:TTLT|TT|NĐ|NQ|QĐ)-[A-ZĐ]+(?:-[A-ZĐ]+)*)"
)
_UNIT_WORDS = r"ngày làm việc|ngày|giờ|tháng|năm"


def unit_stated(value: float, *texts: str, cue: bool = False) -> str | None:
    """The unit a text gives to a bare time ("05 ngày làm việc" for a time cell of "5").

    `cue`: the time must follow a word that introduces a time limit ("trong thời hạn 03 ngày làm
    việc", "chậm nhất 01 ngày làm việc") — in the steps the same number often counts something else.
    """
    if value != int(value):
        return None
    lead = r"(?:thời hạn|trong vòng|trong|chậm nhất|tối đa|không quá|sau)\s+(?:\S+\s+){0,2}?" if cue else ""
    pattern = re.compile(
        rf"{lead}(?<![\d.,/])0*{int(value)}(?:\s*\([^)]{{1,20}}\))?\s*({_UNIT_WORDS})\b", re.I
    )
    for text in texts:
        found = pattern.search(text or "")
        if found:
            return _UNITS[found.group(1).lower()]
    return None


def _thousands(amount: int, texts: str) -> int | None:
    """The real amount of a fee the portal shows in thousands ("20 VNĐ" beside "20.000 đồng")."""
    real = amount * 1000
    for found in _MONEY.finditer(texts):
        if int(re.sub(r"\D", "", found.group(0)) or 0) == real:
            return real
    return None


def _take_parenthesised(text: str, start: int) -> int | None:
    """Return the index just after the ")" closing the "(" at `start`, or None if unbalanced."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _split_glued_time_amount(digits: str) -> tuple[str, str] | None:
    """Split "1100" into time "1" and amount "100" (shortest time giving a well-formed amount).

    The shortest split is right on every case in the data (the notes beside them confirm it, e.g.
    "1100 VNĐ(... 100.000 đồng/lần)", "220 VNĐ" next to a "2 Giờ" row).
    """
    for cut in range(1, len(digits)):
        time_part, amount = digits[:cut], digits[cut:]
        if time_part.isdigit() and _WELL_FORMED_AMOUNT.fullmatch(amount):
            return time_part, amount
    return None


def _classify_fee(head: re.Match[str] | None, note: str) -> tuple[str, int | None, str | None]:
    """Decide fee_kind and the VND amount from the fee head and its "(...)" note.

    Returns:
        (fee_kind, fee_amount_vnd, doubt reason or None).
    """
    core = note.strip().strip("()").strip()
    if head is None:
        return ("text", None, None) if core else ("none", None, None)
    if head.group("none"):
        return ("text", None, None) if core else ("none", None, None)
    if head.group("free"):
        # The portal shows "Miễn phí" whenever no amount was entered, and the note then often
        # states the real fee ("Mức lệ phí do HĐND tỉnh quy định", "8.000.000/lần"): call it free
        # only when the note is empty or itself says "no fee" without quoting money.
        if not core or (_NO_FEE_NOTE.match(core) and not _MONEY.search(core)):
            return "free", None, None
        return "text", None, None
    currency = head.group("cur")
    # int() refuses over 4,300 digits: an amount longer than _MAX_FEE_VND is implausible anyway.
    digits = _SEPARATORS.sub("", head.group("amount")).lstrip("0") or "0"
    amount = int(digits) if len(digits) <= len(str(_MAX_FEE_VND)) else _MAX_FEE_VND + 1
    if currency in _FOREIGN:
        return "text", None, None
    if amount == 0:
        return _classify_fee(None, note) if core else ("free", None, None)
    if amount > _MAX_FEE_VND:
        return "text", None, "fee amount implausibly large"
    if amount < 1000:
        # Some records give the fee in thousands ("100 VNĐ" beside "100.000 đồng/lần" in the note).
        return "text", None, "fee amount implausibly small (probably in thousands of VND)"
    return "amount", amount, None


def _parse_channel_row(channel: str, body: str) -> tuple[Channel, list[str]]:
    """Parse the glued time + fee + description cells of one channel row."""
    reasons: list[str] = []
    time_value: float | None = None
    time_unit: str | None = None
    time_text = ""
    head: re.Match[str] | None = None
    lead = len(body) - len(body.lstrip())
    pos = lead
    fee_start = lead

    number = _TIME_NUMBER.match(body, lead)
    glued = _GLUED_TIME_AMOUNT.match(body, lead)
    split = None
    if number and not number.group("unit") and glued:
        # "1100 VNĐ": the time has no unit and runs straight into the amount.
        split = _split_glued_time_amount(glued.group("digits"))
        if split is None:
            reasons.append("time glued to the fee amount, cannot split")
    if split is not None and glued is not None:
        time_text = split[0]
        time_value = float(split[0])
        fee_start = lead + len(split[0])
        head = _FEE_HEAD.match(f"{split[1]} {glued.group('cur')}")
        pos = glued.end()
        reasons.append("time unit missing and time glued to the fee amount")
    elif number:
        time_text = number.group(0).strip()
        time_value = float(number.group("num").replace(",", "."))
        unit = number.group("unit")
        time_unit = _UNITS[unit.lower()] if unit else None
        if time_value == 0 and not unit:
            time_value = None  # "0" is what the portal stores when no time was entered
        pos = number.end()
    elif body.startswith("Không có thông tin", lead):
        pos = lead + len("Không có thông tin")
    else:
        # A free-text time ("Không quy định", "Không phải trả kết quả ...") up to the fee cell.
        found = _FEE_HEAD_SEARCH.search(body, lead)
        pos = found.start() if found else len(body)
        time_text = _one_line(body[lead:pos])
        if _TIME_IN_DAY.fullmatch(time_text):
            time_unit = "in_day"
        if _DASHES_ONLY.fullmatch(time_text) or time_text.lower() == "không có thông tin":
            time_text = ""  # "Không quy định" / "Không" stay: they say there is no time limit

    if time_value is not None and not 0 <= time_value <= _MAX_TIME_VALUE:
        reasons.append("time value implausibly large")
        time_value = None

    if head is None:
        head = _FEE_HEAD.match(body, pos)
        if head:
            matched = head.group(0)
            fee_start = pos + len(matched) - len(matched.lstrip())
            pos = head.end()
        else:
            fee_start = pos
    note = ""
    if pos < len(body) and body[pos] == "(":
        end = _take_parenthesised(body, pos)
        if end is None:
            # Close the note at the last ")" of the row; a lone "(" at the end is an empty note.
            last = body.rfind(")", pos)
            end = last + 1 if last >= 0 else len(body)
            if body[pos + 1 : end].strip():
                reasons.append("unbalanced parenthesis in fee note")
            else:
                reasons.append("fee note cut off (the scrape split the table)")
        note = body[pos:end]
        pos = end
    if head is None and not note:
        rest = _one_line(body[pos:])
        if rest and not is_empty(rest):
            reasons.append("fee cell not recognised")
    fee_end = pos if note.strip("() \n\t") else pos - len(note)  # drop an empty "(" note
    fee_text = _one_line(body[fee_start:fee_end]) if head or note else ""
    if is_empty(fee_text):
        fee_text = ""
    fee_kind, amount, doubt = _classify_fee(head, note)
    if doubt:
        reasons.append(doubt)

    description = _multi_line(body[pos:])
    if is_empty(description):
        description = ""
    if (
        doubt
        and doubt.startswith("fee amount implausibly small")
        and head is not None
        and head.group("amount")
    ):
        shown = int(_SEPARATORS.sub("", head.group("amount")) or 0)
        real = _thousands(shown, f"{note} {description}")
        if real is not None:
            fee_kind, amount = "amount", real
            reasons.remove(doubt)
    if time_value is not None and time_unit is None:
        time_unit = unit_stated(time_value, description)
    condition = _ROW_CONDITION.match(description)
    basis = _FEE_BASIS.search(f"{fee_text} {description}")
    if fee_kind == "none" and _FEE_IN_DESCRIPTION.search(description):
        reasons.append("fee stated in the description only")
    if _PASTED_ROW.search(body):
        reasons.append("tab-separated channel row pasted inside a description")
    channel_row = Channel(
        channel=_CHANNELS[channel],
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee_kind=fee_kind,
        fee_amount_vnd=amount,
        fee_text=fee_text,
        description=description,
        condition=condition.group(1).strip() if condition else None,
        fee_basis=basis.group(1) if basis else None,
    )
    return channel_row, reasons


def _parse_channels(text: str) -> tuple[list[Channel], list[str]]:
    """Parse the channel table; return the rows and the doubt reasons."""
    text = nfc(text or "")
    body = _CHANNEL_HEADER.sub("", text)
    if is_empty(body):
        return [], []
    reasons: list[str] = []
    starts = list(_ROW_START.finditer(body))
    if not starts:
        return [], ["no channel row found"]
    leftover = _one_line(body[: starts[0].start()])
    if leftover and not is_empty(leftover):
        reasons.append("text before the first channel row")
    rows: list[Channel] = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        row, row_reasons = _parse_channel_row(start.group(1), body[start.end() : end])
        rows.append(row)
        reasons.extend(r for r in row_reasons if r not in reasons)
    return rows, reasons


def parse_channels(text: str) -> list[Channel]:
    """Parse a "Cách thức thực hiện" cell into one Channel per table row.

    Args:
        text: The raw cell, e.g. "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm
            việc25 USD(...)...".

    Returns:
        The rows in source order; a channel may occur several times (one row per case).
    """
    try:
        return _parse_channels(text)[0]
    except Exception:  # the contract is "never raise"; parse_record reports it
        return []


# --------------------------------------------------------------------------------------------
# Documents ("Thành phần hồ sơ")

_DOC_HEADER = re.compile(r"Tên giấy tờ\s*Mẫu đơn,\s*tờ khai\s*Số lượng")
# The count cell, e.g. "1 bản chính", "0 bản chính,1 bản sao". The same words inside a document
# text are followed by a space, punctuation or the real cell ("nộp 01 bản chính tờ khai",
# "...: 01 bản chính1 bản chính"), while the cell is glued to the next row or ends the text.
_COUNT = re.compile(r"(\d+) bản chính(?:,\s?(\d+) bản sao)?(?![\s.;:)\]]|,\s|,$|\d+ bản chính)")
_FORM_EXT = re.compile(rf"\.(?i:docx|doc|pdf|xlsx|xls|rar|zip|odt|rtf)(?![{_LOWER}0-9])")
# Words that begin form file names; glued to a letter they mark the start of the file name.
_FORM_STARTER = re.compile(
    r"mẫu|mau|phụ lục|phu luc|tờ khai|to khai|tờ trình|văn bản|bản khai|báo cáo|đơn đề nghị",
    re.IGNORECASE,
)
_FORM_WINDOW = 160  # no form file name in the data is longer than ~110 characters
_BULLET = re.compile(r"^(?:[-+*•\u2013]+\s*)+")
_LEADING_COUNT = re.compile(r"^0?\d+\s+")
# A row's numbering before its text: "(ii)", "ii.", "b)", "(1.2)", "2.", "01 " — not part of the words
# that say what kind of paper the row is ("(ii) Bản sao giấy ..." is a copy).
_ENUMERATOR = re.compile(
    r"^(?:\(\s*(?:[ivxlc]{1,5}|[a-zđ]|\d{1,2}(?:\.\d{1,2})*)\s*\)|(?:[ivxlc]{1,5}|[a-zđ])[.)]"
    r"|\d{1,2}(?:\.\d{1,2})*[.)]|0?\d+\s)[^\S\n]*",
    re.IGNORECASE,
)
# A heading that only introduces its list ("Hồ sơ gồm:", "Người yêu cầu nộp 01 bộ hồ sơ, gồm các giấy
# tờ sau", "Theo quy định tại Điều 41 ...") is not a condition on the rows; one that opens with a case
# ("Trường hợp ...", "Đối với ...", "Nếu ...") is, even when it ends with "hồ sơ gồm".
_CASE_CUE = re.compile(r"[\W_]*(?:(?:các|những)\s+)?(?:trường hợp|đối với|nếu|khi|riêng)\b", re.IGNORECASE)
# ... unless it names what sets its table apart ("Hồ sơ hải quan đối với xăng dầu tái xuất", "Hồ sơ của
# người nhận con nuôi").
_LIST_INTRO = re.compile(
    r"^theo quy định\b|\b(?:gồm|gồm có|bao gồm|sau|sau đây|như sau|dưới đây)\W*$"
    r"|^(?:\W*thành phần)?\W*hồ sơ\W*$",
    re.IGNORECASE,
)
_INFO_HEADING = re.compile(r"\W*(?:thời hạn|thời gian|lưu ý|ghi chú|số lượng)\b", re.I)
_ONE_OF = re.compile(
    r"\bmột trong(?:\s+(?:các|những|số|hai|ba|bốn))?\s+(?:loại\s+)?(?:hồ sơ,?\s*)?"
    r"(?:giấy tờ|văn bản|tài liệu|giấy)",
    re.I,
)
# A row whose count cell says "0 bản chính" is a real document when its text names one ("Vận tải đơn:
# 01 bản chụp ...", "c) Tờ khai hải quan ...", "Người nước ngoài nộp bản sao ... giấy tờ chứng minh");
# otherwise it is an explanation ("Trường hợp ... thì người tiếp nhận có trách nhiệm kiểm tra ...").
_DOCUMENT_NOUN = re.compile(
    r"(?:bản\s+(?:sao|chính|chụp|khai|vẽ|đồ|gốc|cam kết|thuyết minh|dịch)|giấy|tờ khai|tờ trình|đơn|"
    r"văn bản|hộ chiếu|phiếu|quyết định|hợp đồng|sổ|thẻ|chứng từ|chứng chỉ|chứng nhận|vận tải đơn|"
    r"hóa đơn|biên bản|báo cáo|danh sách|danh mục|ảnh|tài liệu|sơ đồ|bảng|trích lục|lý lịch|"
    r"công văn|phương án|dự án|đề án|kế hoạch|hồ sơ thiết kế|bản sao|catalogue|chứng thư)\b",
    re.IGNORECASE,
)
_SUBMITS_DOCUMENT = re.compile(
    r"^[^.;:]{0,80}?\b(?:nộp|xuất trình|kèm theo)\s+(?:0?\d+\s+)?(?:bản|giấy)", re.I
)
_KINDS = [
    (re.compile(r"bản (?:sao )?(?:có |được )?chứng thực", re.I), "certified_copy"),
    (re.compile(r"bản chụp", re.I), "photo"),
    (re.compile(r"bản sao", re.I), "copy"),
    (re.compile(r"bản (?:chính|gốc)", re.I), "original"),
]
_SECTIONS = [
    (re.compile(r"\W*(?:các\s+)?giấy tờ phải nộp", re.I), "submit"),
    (re.compile(r"\W*(?:(?:các\s+)?giấy tờ phải xuất trình|xuất trình)", re.I), "present"),
    (re.compile(r"\W*(?:lưu ý|ghi chú)", re.I), "note"),
]
_GENERIC_HEADING = re.compile(
    r"\W*(?:[a-z0-9]{1,3}[.)]\s*)?(?:thành phần hồ sơ|bao gồm|hồ sơ gồm|hồ sơ bao gồm)[^\w]*"
    r"(?:,?\s*bao gồm)?\W*",
    re.I,
)
_NOTE_PREFIX = re.compile(r"\W*(?:lưu ý|ghi chú|số lượng hồ sơ)", re.I)
_NOTE_CASE = re.compile(
    r"(?:đối với\s+)?trường hợp[^.;]*?thì\s+"
    r"(?:không phải|không cần|chỉ cần|được miễn|không bắt buộc)",
    re.I,
)
# A row's own case, tried in order: "Trường hợp X thì ..." (X may hold a colon: "là: A, B thì"),
# "Trường hợp X: ...", "Trường hợp X phải/cần ...".
_LEAD_CASES = [
    re.compile(r"((?:đối với\s+)?trường hợp[^.;]*?)\s*,?\s*\bthì\b", re.I),
    re.compile(r"((?:đối với\s+)?trường hợp[^.;:]*?)\s*:", re.I),
    re.compile(r"((?:đối với\s+)?trường hợp[^.;:]*?)\s*,?\s*\b(?:phải|cần)\b", re.I),
    re.compile(r"(đối với\s[^.;:]{3,160}?)\s*:", re.I),  # "Đối với tổ chức khấu trừ thuế: tờ khai ..."
    re.compile(r"(trường hợp\s[^.;:,]{3,120}),", re.I),  # "Trường hợp khai tờ khai giấy, hồ sơ là ..."
]
# "Trường hợp X thì <not a paper>": what happens in a case ("thì thành phần hồ sơ phải được chứng thực
# điện tử", "thì người tiếp nhận có trách nhiệm ..."), not a document to bring.
_CASE_THEN = re.compile(r"(?:đối với\s+)?trường hợp[^.;]*?\bthì\s+(?P<rest>.*)", re.I | re.S)
_DUTY = re.compile(r"\b(?:chịu|có) trách nhiệm\b", re.I)
_NUMBERING_WORD = re.compile(r"(?:số|mẫu|lục|điều|khoản|điểm|mục|tháng|năm|ngày|lần)\s*$", re.IGNORECASE)
# "Giấy tờ X trong trường hợp Y" in the row's first clause: the case of the whole row. Past a ".", ";"
# or ":" a "trường hợp" clause qualifies one part ("Hộ chiếu ...; trường hợp bị mất hộ chiếu, phải có
# đơn trình báo") and is not the row's case.
_FIRST_CLAUSE_CASE = re.compile(
    r"^[^.;:]{3,160}?(?:\b(?:trong|đối với)\s+(trường hợp\s[^.;:()]+)|\((dành cho\s[^()]{3,60})\))", re.I
)
_RESULT_LIKE = re.compile(r"Mã:\s*KQ\.|^KQ\.G\d", re.M)
# More copies than this is a scrape accident (the data's largest count is 21); it overflowed the
# database's integer column.
_MAX_COUNT = 1000


def _form_start(text: str, ext_start: int) -> int | None:
    """Find where the first attached form file name begins, searching back from its extension.

    The name and form cells are glued, so the boundary is a place where two characters touch
    without a space in a way ordinary text does not: punctuation then a letter ("ký thay.Mau
    TK01a.doc", "NĐ-CP)Mẫu số 03.docx"), "mẫu" then a word ("theo mẫuMauBankhai.docx"), a glued
    "Mẫu"/"Phụ lục"/"văn bản" ("NĐ-CPmau so 09.docx"), or a capital starting a word right after a
    lower-case letter or an acronym ("đầu tưMẫu I.1.9.docx", "NĐ-CPMẫu số 14.docx"). File names
    hold capitals and dots too ("MauBankhaiChung", "09.QLT.GHNK"), hence the ranking: the rightmost
    strong boundary, else the leftmost capital, else the rightmost "CODE.CODE" dot.
    """
    low = max(1, ext_start - _FORM_WINDOW)
    strong: int | None = None
    weak: int | None = None
    capital: int | None = None
    digit: int | None = None
    for pos in range(low, ext_start):
        prev, char = text[pos - 1], text[pos]
        if not char.isalnum() or prev.isspace():
            continue
        after = text[pos + 1 : pos + 2]
        if prev == ".":
            before = text[pos - 2] if pos >= 2 else " "
            if before.isdigit() and char.isdigit():
                continue  # "1.4": numbering inside a file name
            if before.isdigit():
                run = pos - 2
                while run > 0 and text[run - 1].isdigit():
                    run -= 1
                if run == 0 or text[run - 1] in ".;:)]":
                    continue  # "tiên.12.Cpmi...": "12." numbers the file; the boundary is before
            if before.isupper() and (pos < 3 or not text[pos - 3].isalpha()):
                continue  # "I.1.9": a roman numeral or section number
            if (before.isupper() or before.isdigit()) and not after.islower():
                # "TT-NHNN.PHLCI", "30/6/2023.NA5.doc" (boundaries) but also "09.QLT.GHNK",
                # "36.2025.TT-BNNMT" (inside a file name): only used when nothing better exists.
                weak = pos
            else:
                strong = pos
        elif (
            prev in ";:)]"
            or (prev == "," and char.isupper())
            or text[max(0, pos - 3) : pos].lower() == "mẫu"
            or (prev.isalpha() and _FORM_STARTER.match(text, pos))
        ):
            strong = pos
        elif char.isupper() and (prev.islower() or prev.isdigit() or (prev.isupper() and after.islower())):
            if capital is None:
                capital = pos
        elif char.isdigit() and prev.islower() and digit is None:
            digit = pos
    for candidate in (strong, capital, weak, digit):
        if candidate is not None:
            return candidate
    return None


def _split_forms(row: str) -> tuple[str, list[str], bool]:
    """Split "document text + form file names" into (text, forms, doubtful)."""
    row = row.rstrip()
    exts = list(_FORM_EXT.finditer(row))
    if not exts or exts[-1].end() != len(row):
        return row, [], False
    start = _form_start(row, exts[0].start())
    doubtful = False
    if start is None:
        # No visible boundary: start at the last "Mẫu"/"Phụ lục" word, else the last space-free
        # token; either is at least part of the file name.
        low = max(0, exts[0].start() - _FORM_WINDOW)
        starters = [
            m.start()
            for m in _FORM_STARTER.finditer(row, low, exts[0].start())
            if m.start() == 0 or row[m.start() - 1].isspace()
        ]
        start = starters[-1] if starters else row.rfind(" ", 0, exts[0].start()) + 1
        doubtful = True
    forms: list[str] = []
    begin = start
    for ext in exts:
        if ext.start() < begin:
            continue
        form = _one_line(row[begin : ext.end()])
        if forms and _FORM_EXT.fullmatch(form):
            forms[-1] += form  # "x.docx.docx": a doubled extension, not a second file
        elif form:
            forms.append(form)
        begin = ext.end()
    return row[:start], forms, doubtful


def _kind_at(text: str) -> tuple[str, int] | None:
    """The kind named at the start of `text` and where its phrase ends."""
    for pattern, kind in _KINDS:
        found = pattern.match(text)
        if found:
            return kind, found.end()
    return None


def _kind_from_text(name: str) -> str | None:
    """Kind stated at the start of a document text ("Bản sao có chứng thực ...").

    "Bản sao hoặc bản sao điện tử" is still a copy, but "Bản chính hoặc bản sao" names two kinds:
    then the text decides nothing and the count cell's kind stands.
    """
    head = _ENUMERATOR.sub("", _BULLET.sub("", name))[:80]
    first = _kind_at(head)
    if first is None:
        return None
    rest = head[first[1] :].lstrip()
    if rest.lower().startswith("hoặc"):
        second = _kind_at(rest[len("hoặc") :].lstrip())
        if second is not None and "original" in {first[0], second[0]} and second[0] != first[0]:
            return None  # "Bản chính hoặc bản sao": the text leaves the kind open
    return first[0]


def _classify_heading(heading: str, several: bool = False) -> tuple[str, str | None, bool]:
    """Map a table heading to (section, case, rows are alternatives).

    `several`: the record has tables under different headings, so each heading tells its table
    apart from the others ("Hồ sơ cấp giấy phép ... loại 1 ... bao gồm" / "... loại 5 ... bao gồm").
    """
    text = _one_line(heading)
    if is_empty(text):
        return "", None, False
    one_of = bool(_ONE_OF.search(text))
    for pattern, section in _SECTIONS:
        if pattern.match(text):
            return section, None, one_of
    if _GENERIC_HEADING.fullmatch(text):
        return "", None, one_of
    case = _BULLET.sub("", text).strip().rstrip(":").strip()
    if not several and not _CASE_CUE.match(_ENUMERATOR.sub("", case)) and _LIST_INTRO.search(case):
        return "", None, one_of
    if sum(ch.isalpha() for ch in case) < 4 or _INFO_HEADING.match(_ENUMERATOR.sub("", case)):
        return "", None, one_of  # "1", "Thời hạn cung cấp hồ sơ hải quan": a label, not a case
    bare = _ENUMERATOR.sub("", case)
    if not _CASE_CUE.match(bare) and (
        case.startswith("(")  # "(Trường hợp khai thác được thông tin ... thì không phải nộp)": a remark
        or re.match(r"\d{1,2}\.\s", case)  # "1. Đơn đề nghị ...;", "3. Một trong các tài liệu ...": an item
        or (_DOCUMENT_NOUN.match(bare) and not re.match(r"hồ sơ\b", bare, re.I))  # a row spilled up
    ):
        return "", None, one_of
    return "", case or None, one_of


def _is_remark(name: str) -> bool:
    """A counted row that is a remark: a lead-in ending in ":", what happens in a case, a duty."""
    text = _ENUMERATOR.sub("", _BULLET.sub("", name)).strip()
    if text.endswith(":") and not _DOCUMENT_NOUN.match(text):
        return True  # "Đối với các dự án ...: phải bổ sung:" (but "Phương án xử lý, gồm các nội dung sau:")
    then = _CASE_THEN.match(text)
    if then and not (_DOCUMENT_NOUN.match(then.group("rest")) or _SUBMITS_DOCUMENT.match(then.group("rest"))):
        rest = then.group("rest").lstrip()
        if not re.match(r"(?:phải |cần |được )?(?:nộp|xuất trình|kèm|bổ sung|có|cung cấp)\b", rest, re.I):
            return True
    if re.match(r"khi\s", text, re.IGNORECASE) and ":" not in text[:150]:
        return True  # "Khi làm thủ tục nhập cảnh ..., người khai hải quan nộp ...": what to do, not a paper
    return bool(_DUTY.search(text[:200])) and not _DOCUMENT_NOUN.match(text) and not _CASE_CUE.match(text)


def _is_explanation(name: str) -> bool:
    """Whether a row whose count cell says 0 explains rather than names a document."""
    text = _ENUMERATOR.sub("", _BULLET.sub("", name)).strip()
    if not text or text.endswith(":") or _NOTE_PREFIX.match(text) or _NOTE_CASE.match(text):
        return True
    if _CASE_CUE.match(text) or re.match(r"(?:các|những)\s+(?:thành phần|giấy tờ)\b", text, re.I):
        return True
    return not (_DOCUMENT_NOUN.match(text) or _SUBMITS_DOCUMENT.match(text))


def _make_document(
    row: str,
    counts: tuple[str, str | None] | None,
    section: str,
    heading_case: str | None,
    alternatives: str | None = None,
) -> tuple[Document, list[str]]:
    """Build one Document from the row text and its count cell."""
    reasons: list[str] = []
    text, forms, form_doubt = _split_forms(row)
    if form_doubt:
        reasons.append("form file name boundary not found")
    name = _BULLET.sub("", _one_line(text)).strip()
    form_name = "; ".join(forms) or None
    if not name and form_name:
        name = form_name
    quantity: int | None = None
    kind: str | None = None
    originals: int | None = None
    copies: int | None = None
    if counts is not None:
        # int() refuses over 4,300 digits: a count longer than _MAX_COUNT is implausible anyway.
        originals, copies = (
            int(text) if len(text) <= len(str(_MAX_COUNT)) else _MAX_COUNT + 1
            for text in (counts[0].lstrip("0") or "0", (counts[1] or "").lstrip("0") or "0")
        )
        # "1 bản chính,1 bản sao" keeps both counts; `kind` then comes only from the text.
        quantity = max(originals, copies)
        kind = None if originals and copies else "copy" if copies else "original" if originals else None
        if quantity > _MAX_COUNT:
            reasons.append("document count implausibly large")
            quantity, kind, originals, copies = None, None, None, None
    else:
        reasons.append("document row without a count")
    is_note = (
        counts is None  # a trailing text without a count is an explanation in the data
        or section == "note"
        or bool(_NOTE_PREFIX.match(name))
        or bool(_NOTE_CASE.match(name))
        or (quantity == 0 and _is_explanation(name))
        or _is_remark(name)
    )
    kind = _kind_from_text(name) or kind
    case = heading_case
    if case is None:
        # A case the row opens with ("Trường hợp X thì ...") or states in its first clause.
        text = _ENUMERATOR.sub("", name)
        if is_note and re.match(r"\W*(?:lưu ý|ghi chú)\W*", text, re.I):
            text = re.sub(r"^\W*(?:lưu ý|ghi chú)\W*", "", text, flags=re.I)  # "Lưu ý: Trường hợp X thì ..."
        lead = next((m for m in (p.match(text) for p in _LEAD_CASES) if m), None)
        inner = None if lead or is_note else _FIRST_CLAUSE_CASE.match(text)
        found = lead or inner
        case = next(g for g in found.groups() if g).strip(" ,") if found else None
    document = Document(
        section=section,
        name=name,
        form_name=form_name,
        quantity=quantity,
        kind=kind,
        case=case,
        is_note=is_note,
        originals=originals,
        copies=copies,
        alternatives=None if is_note or (case and case != heading_case) else alternatives,
    )
    return document, reasons


def _count_start(match: re.Match[str]) -> tuple[int, str]:
    """Return (start of the count cell, original count) for a count match.

    A document text ending in a number runs into the count: "ngày 24/07/20231 bản chính" is the
    date "24/07/2023" then the count "1", "Mẫu số 181 bản chính" is "Mẫu số 18" then "1". Counts in
    the data are small, so a run of three or more digits, or of two digits glued to a letter or
    after a numbering word ("số", "Mẫu", "Điều"...), keeps only its last digit for the count.
    """
    digits = match.group(1)
    start = match.start(1)
    text = match.string
    if len(digits) >= 3:
        return match.end(1) - 1, digits[-1]
    if len(digits) == 2 and digits[0] != "0":
        before = text[max(0, start - 12) : start]
        if (before and not before[-1].isspace()) or _NUMBERING_WORD.search(before):
            return match.end(1) - 1, digits[-1]
    return start, digits


def _headings(text: str, headers: list[re.Match[str]]) -> list[str]:
    """The text before each table header: the start, then what follows the previous table's last count."""
    headings = [text[: headers[0].start()]]
    for previous, header in itertools.pairwise(headers):
        body = text[previous.end() : header.start()]
        ends = [count.end() for count in _COUNT.finditer(body)]
        headings.append(body[ends[-1] :] if ends else body)
    return [h for h in headings if not is_empty(h) and not any(p.match(_one_line(h)) for p, _ in _SECTIONS)]


def _parse_documents(text: str) -> tuple[list[Document], list[str]]:
    """Parse the document table; return the rows and the doubt reasons."""
    text = nfc(text or "")
    if is_empty(text):
        return [], []
    headers = list(_DOC_HEADER.finditer(text))
    if not headers:
        if _RESULT_LIKE.search(text):
            return [], ["result text found in the document field (misaligned scrape)"]
        return [], ["no document table header (misaligned scrape?)"]
    reasons: list[str] = []
    documents: list[Document] = []
    heading = text[: headers[0].start()]
    groups = 0
    several = len({_one_line(h).strip(" :*-+") for h in _headings(text, headers)} - {""}) > 1
    for index, header in enumerate(headers):
        section, heading_case, one_of = _classify_heading(heading, several)
        alternatives = None
        if one_of:
            groups += 1
            alternatives = f"A{groups}"
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        body = text[header.end() : end]
        row_start = 0
        for match in _COUNT.finditer(body):
            count_start, original = _count_start(match)
            row = body[row_start:count_start]
            if not _one_line(row):
                row_start = match.end()
                reasons.append("count cell without a document text")
                continue
            document, row_reasons = _make_document(
                row, (original, match.group(2)), section, heading_case, alternatives
            )
            documents.append(document)
            reasons.extend(r for r in row_reasons if r not in reasons)
            row_start = match.end()
        tail = body[row_start:]
        if index + 1 < len(headers):
            heading = tail  # the text after the last count is the next table's heading
        elif _BULLET.sub("", _one_line(tail)) and not is_empty(tail):
            document, row_reasons = _make_document(tail, None, section, heading_case, alternatives)
            documents.append(document)
            reasons.extend(r for r in row_reasons if r not in reasons)
    return documents, reasons


def parse_documents(text: str) -> list[Document]:
    """Parse a "Thành phần hồ sơ" cell into Documents.

    Tables are introduced by a heading and the header "Tên giấy tờMẫu đơn, tờ khaiSố lượng".
    Headings "* Giấy tờ phải nộp/xuất trình", "* Lưu ý" give the section; any other heading
    ("Trường hợp ủy quyền ...:") is the case of every row of its table. Without such a heading a
    row's own "Trường hợp ... thì" / "trong trường hợp ..." clause is its case.

    Args:
        text: The raw cell.

    Returns:
        The documents in source order ([] for placeholders).
    """
    try:
        return _parse_documents(text)[0]
    except Exception:  # never raise; parse_record reports it
        return []


# --------------------------------------------------------------------------------------------
# Legal bases ("Căn cứ pháp lý")

_LEGAL_HEADER = re.compile(r"Tên văn bản pháp lý\s*Mã văn bản")
# Issuer codes seen in the data, longest first so "BNNPTNT" wins over "BNN". They stop a number
# from swallowing an upper-case title glued after it ("...NĐ-CPLUẬT ĐẤT ĐAI").
_ISSUERS = sorted(
    [
        *("CP", "BTC", "BTP", "BCA", "NHNN", "BNNMT", "BGTVT", "BXD", "BTNMT", "BNNPTNT", "BKHĐT"),
        *("BLĐTBXH", "BHXH", "UBND", "BYT", "BQP", "BCT", "BNG", "BNV", "BTTTT", "BVHTTDL"),
        *("BGDĐT", "BKHCN", "UBTVQH", "VPCP", "TANDTC", "VKSNDTC", "HĐTP", "KTNN", "CTN", "BXH"),
        *("TCHQ", "TCT", "NĐ", "TT", "QĐ", "NQ", "NQLT", "TTLT", "CTLT", "CT", "PL", "L"),
    ],
    key=len,
    reverse=True,
)
_CAPS_RUN = rf"[{_UPPER}](?:[{_UPPER}](?![{_LOWER}]))*"  # capitals not starting a Capitalised word
_SEGMENT = rf"(?:(?:UBTVQH|QH)\d{{2}}|TTg|{'|'.join(_ISSUERS)}|{_CAPS_RUN})"
_LEGAL_NUMBER = re.compile(
    # 66.7/2025/NQ-CP, 01/2012/QĐ- TTg (a space after the hyphen, as typed on the portal)
    rf"\d{{1,4}}(?:\.\d{{1,3}})?(?:/\d{{4}})?[/-]{_SEGMENT}(?:[-_/](?: (?=TTg))?{_SEGMENT})*"
    # A bare "24/2024" only where a number cell can be: at the end or before a glued title.
    rf"|\d{{1,4}}/\d{{4}}(?=\s*$|[{_UPPER}][{_LOWER}])"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_NEXT_TITLE = re.compile(rf"\s+[{_UPPER}]")
_SPILLED_CHANNEL_ROW = re.compile(
    r"(?:Trực tiếp|Trực tuyến|Dịch vụ bưu chính)\d+(?:[.,]\d+)?\s?(?:Ngày|Giờ|Tháng)"
)
_GLUED_DOC_TYPE = re.compile(
    rf"(?<=[{_LOWER}.);,])\s?(?:Luật|Bộ luật|Nghị định|Thông tư liên tịch|Thông tư|Quyết định"
    rf"|Nghị quyết|Pháp lệnh|Chỉ thị|Lệnh|Văn bản hợp nhất|NĐ|TT|QĐ|NQ)(?:\s+số)?\s*$"
)


_TITLE_CONTINUATIONS = frozenset({"ngày", "của", "năm", "tháng", "do", "và", "được", "đã", "hoặc"})


def _is_delimiter(text: str, match: re.Match[str], next_match: re.Match[str] | None) -> bool:
    """Tell whether a document number ends a row (the "Mã văn bản" cell) or sits in a title."""
    end = match.end()
    if next_match is not None and next_match.start() == end:
        # "Thông tư 110/2020/TT-BCA110/2020/TT-BCA": the title quotes its own number. A different
        # number glued after is the next row's title starting with a number.
        return next_match.group(0) != match.group(0)
    if end >= len(text) or not text[end:].strip():
        return True
    following = text[end]
    if following.isalpha():
        # Glued to the next title, unless it is a number quoted in a title with a word glued
        # after it ("Thông tư số 53/2025/TT-BCAngày 01/7/2025 ...53/2025/TT-BCA"): the number
        # cell repeats it later.
        # A title starting in lower case ("...27/2011/TT-BGTVTsửa đổi Thông tư 27/2011/TT-BGTVT ...") is
        # the next row even when it quotes the number again: only a date or issuer goes on a title.
        word = re.match(r"\w+", text[end:])
        return not (following.islower() and word and word.group(0) in _TITLE_CONTINUATIONS)
    # A number cell glued to the end of its title ("...Bộ Tư pháp18/2026/NĐ-CP Nghị định ...",
    # "...Bộ Tư phápQuyết định số 2338/QĐ-BTP Hướng dẫn ...") ends a row even before a space.
    before = text[max(0, match.start() - 40) : match.start()]
    if before and before[-1] in ".;" and match.group(0) in text[: match.start()]:
        # "... số 143/2025/QH15 ngày 11/12/2025;143/2025/QH15 định số ...": the number cell glued
        # after the title's closing ";" or "." repeats the number the title quoted.
        return True
    glued_before = bool(before) and (before[-1].isalpha() or bool(_GLUED_DOC_TYPE.search(before)))
    return glued_before and bool(_NEXT_TITLE.match(text, end))


def _number_start(text: str, match: re.Match[str]) -> int:
    """Where a number glued to a title ending in a year starts ("... sửa đổi 202323/2023/QH15").

    The regex takes the last digits it can ("2323/2023/QH15"); when the digits before it and its
    own digits begin with a year (19xx/20xx), the year belongs to the title.
    """
    start = match.start()
    year_dot = re.match(r"(?:19|20)\d\d\.", match.group(0))
    if year_dot and start > 0 and text[start - 1] == "/":
        return start + year_dot.end()  # "ngày 15/5/2026.55/2026/TT-BTC": the date's year, then the number
    run_start = start
    while run_start > 0 and text[run_start - 1].isdigit():
        run_start -= 1
    if run_start == start:
        return start
    digits = text[run_start : match.end()]
    digits = digits[: len(digits) - len(digits.lstrip("0123456789"))]
    if len(digits) > 4 and _YEAR.match(digits):
        return run_start + 4
    return start


_BARE_TITLE = re.compile(
    r"(?:Luật|Bộ luật|Nghị định|Thông tư liên tịch|Thông tư|Quyết định|Nghị quyết|Pháp lệnh|NĐ|TT|QĐ)?"
    r"\s*(?:số)?\s*",
    re.IGNORECASE,
)


def _split_doubled_title(title: str, bases: list[LegalBasis]) -> str:
    """A title written twice ("BỘ LUẬT HÀNG HẢI VIỆT NAMBỘ LUẬT HÀNG HẢI VIỆT NAM<next title>") is a
    row whose number cell repeats its title: that row goes in without a number, the rest stays."""
    for size in range(len(title) // 2, 9, -1):
        if title[:size] == title[size : 2 * size] and len(title) > 2 * size:
            bases.append(LegalBasis(title=title[:size].strip(), number=""))
            return title[2 * size :].strip()
    return title


def _parse_legal_bases(text: str) -> tuple[list[LegalBasis], list[str]]:
    """Parse the legal basis table; return the rows and the doubt reasons."""
    text = _LEGAL_HEADER.sub("", nfc(text or ""))
    if is_empty(text):
        return [], []
    if _SPILLED_CHANNEL_ROW.search(text):
        # The scrape cut the page at a "Căn cứ pháp lý:" inside a fee note, so this field holds
        # the rest of the channel table, not legal bases.
        return [], ["channel table text found in the legal basis field (misaligned scrape)"]
    matches = list(_LEGAL_NUMBER.finditer(text))
    bases: list[LegalBasis] = []
    reasons: list[str] = []
    begin = 0
    for index, match in enumerate(matches):
        following = matches[index + 1] if index + 1 < len(matches) else None
        if match.start() < begin or not _is_delimiter(text, match, following):
            continue
        if (
            following is not None
            and following.start() == match.end()
            and any(basis.number == match.group(0) for basis in bases)
        ):
            # "... sửa đổi bởi Nghị định số 232/2025/NĐ-CP34/2025/TT-NHNN": a number already a row's
            # cell, quoted again in the next title, with that row's own cell glued after it.
            continue
        number_start = _number_start(text, match)
        title = _one_line(text[begin:number_start])
        title = (_one_line(_GLUED_DOC_TYPE.sub("", title)) or title).rstrip(" ;,")
        number = text[number_start : match.end()]
        title = _split_doubled_title(title, bases)
        if bases and bases[-1].number == number and _BARE_TITLE.fullmatch(title or ""):
            begin = match.end()  # "73/2025/TT-NHNNSố 73/2025/TT-NHNN": the cell written twice
            continue
        if bases and bases[-1].number == number and bases[-1].title == title:
            begin = match.end()
            continue
        bases.append(LegalBasis(title=title or number, number=number))
        begin = match.end()
    leftover = _one_line(text[begin:])
    if leftover and not is_empty(leftover):
        bases.append(LegalBasis(title=leftover, number=""))
        reasons.append("legal basis without a document number")
    return bases, reasons


def parse_legal_bases(text: str) -> list[LegalBasis]:
    """Parse a "Căn cứ pháp lý" cell into LegalBasis rows.

    Each row is a title glued to its number ("...Luật Hộ tịch123/2015/NĐ-CP"); titles may quote
    numbers themselves, so only a number that ends the row (glued to the next title or at the
    end) is taken as the "Mã văn bản" cell.

    Args:
        text: The raw cell.

    Returns:
        The rows in source order; a trailing title without a number has number "".
    """
    try:
        return _parse_legal_bases(text)[0]
    except Exception:  # never raise; parse_record reports it
        return []


# --------------------------------------------------------------------------------------------
# Result ("Kết quả thực hiện")

_RESULT_UI = re.compile(r"Chọn cơ quan thực hiện|Nộp hồ sơ\s*$")
_RESULT_META = re.compile(r"Từ khóa(?P<keywords>.*?)Mô tả(?P<description>.*)$", re.S)
_RESULT_CODE_LABEL = re.compile(r"Mã\s*:\s*")
# Result codes end with a digit ("KQ.G15.000031", "000.00.00.G11-KQ1711", "Test_P001"); the next
# result name is glued right after, so the code is the shortest run ending before a letter.
_RESULT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*\d")
# Placeholder codes without digits ("Mã: utwChứng chỉ ..."): an ASCII run before a capitalised word.
_RESULT_CODE_WORD = re.compile(rf"[A-Za-z0-9._\-]{{1,40}}?(?=[{_UPPER}][{_LOWER}])")
_DOCUMENT_ROWS = re.compile(r"\d bản chính")
_RESULT_SPILL = re.compile(r"Từ khóa.*?Mô tả|Chọn cơ quan thực hiện", re.S)


def _parse_result(text: str) -> tuple[list[str], str, list[str]]:
    """Split the result cell into (result names, description, doubt reasons)."""
    text = nfc(text or "")
    ui = _RESULT_UI.search(text)
    if ui:
        text = text[: ui.start()]
    description = ""
    meta = _RESULT_META.search(text)
    if meta:
        description = _multi_line(meta.group("description"))
        text = text[: meta.start()]
    if is_empty(description):
        description = ""
    if is_empty(text):
        return [], description, []
    parts = _RESULT_CODE_LABEL.split(text)
    if len(parts) == 1 and _DOCUMENT_ROWS.search(text):
        return [], description, ["document rows found in the result field (misaligned scrape)"]
    names = [parts[0]]
    reasons: list[str] = []
    for index, part in enumerate(parts[1:], start=1):
        code = _RESULT_CODE.match(part) or _RESULT_CODE_WORD.match(part)
        if code:
            names.append(part[code.end() :])
        elif index + 1 < len(parts):
            reasons.append("result code not recognised")
            names.append(part)
    cleaned = []
    for name in names:
        name = _one_line(name).rstrip(";").strip()
        if name and not is_empty(name):
            cleaned.append(name)
    return cleaned, description, reasons


def clean_result(text: str) -> str:
    """Cut the page UI and codes from a result cell and keep the result name(s).

    Args:
        text: The raw cell, e.g. "Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinMô
            tảKhông có thông tinChọn cơ quan thực hiện...Nộp hồ sơ".

    Returns:
        The result names, one per line, followed by the result description when the portal gives
        one ("" for an empty cell).
    """
    try:
        names, description, _ = _parse_result(text)
    except Exception:  # never raise
        return ""
    return "\n".join([*names, description] if description else names)


# --------------------------------------------------------------------------------------------
# Steps, levels, online service

_STEP_MARK = re.compile(r"[-+*•\s]*(?:[a-zđ]\)\s*)?bước\s*\d", re.IGNORECASE)
_GLUED_STEP = re.compile(r"(?<=\S)(?=Bước\s?\d)|(?<=[.;:!?])[^\S\n]+(?=Bước\s?\d)")
_SPACED_STEP = re.compile(r"[^\S\n]+(?=Bước\s?\d{1,2}\s*[:.]\s)")
_STEP_REFERENCES = frozenset({"tại", "theo", "ở", "của", "và", "các", "từ", "đến", "sau", "trước", "như"})
_HARD_WRAP = re.compile(rf"(?<=[^\s.:;!?])[^\S\n]*\n[^\S\n]*(?=[{_LOWER}])(?![a-zđ]{{1,4}}[).]\s)")
# "... trung ương.b) Giải quyết TTHC: ...": a lettered item glued after a sentence starts a line.
_GLUED_ITEM = re.compile(r"(?<=\.)[^\S\n]*(?=[a-h]\)\s+[A-ZĐ])")
# The field's own label copied into it: "Trình tự thực hiện: (bao gồm cả thời gian, địa điểm ...)".
_STEPS_LABEL = re.compile(r"\s*trình tự thực hiện\s*:?\s*(?:\([^)]*\))?\s*:?", re.IGNORECASE)
_LEVELS = {"cấp xã": "xa", "cấp tỉnh": "tinh", "cấp bộ": "bo"}
_KNOWN_NON_LEVELS = {"cơ quan khác"}
_FULL_ONLINE = re.compile(r"(?:dịch\s+vụ\s+công|trực\s+tuyến)(?:\s+trực\s+tuyến)?\s+toàn\s+trình", re.I)
_PARTIAL_ONLINE = re.compile(r"dịch\s+vụ\s+công(?:\s+trực\s+tuyến)?\s+một\s+phần", re.I)
_ONLINE_PAYMENT = re.compile(
    r"thanh\s+toán\s+(?:trực\s+tuyến|điện\s+tử)|nộp\s+(?:lệ\s+)?phí\s+trực\s+tuyến", re.I
)
_NO_ONLINE_PAYMENT = re.compile(
    r"(?:không|chưa)\s+(?:hỗ\s+trợ|áp\s+dụng|thực\s+hiện|có)\s+(?:dịch\s+vụ\s+)?"
    r"thanh\s+toán\s+(?:trực\s+tuyến|điện\s+tử)",
    re.I,
)


def _split_spaced_step(match: re.Match[str]) -> str:
    """A "Bước N:" after a space mid-line starts a step unless a word refers to it ("tại Bước 2:")."""
    text = match.string
    line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
    if not line.strip(" -+*•\t\u2013") or _ENUMERATOR.fullmatch(line.strip(" -+*•\t\u2013") + " "):
        return match.group(0)  # "- Bước 1:" at the start of its line already starts a step
    words = line[-12:].split()
    return match.group(0) if words and words[-1].lower() in _STEP_REFERENCES else "\n"


def _parse_steps(text: str) -> list[str]:
    """Split the steps: one per "Bước N" with its following lines, else one per line.

    A line the portal cut in the middle of a sentence (no closing punctuation, the next line going
    on in lower case) is joined back to it first.
    """
    # Some records run the next step on from the previous one ("...xem xét.Bước 5 Xem xét",
    # "...bước B5. Bước 7 ...", "... Hệ thống ACTS Bước 1: Người khai ..."): start a new line there.
    text = _STEPS_LABEL.sub("", text, count=1) if _STEPS_LABEL.match(text) else text
    text = _GLUED_STEP.sub("\n", text)
    text = _SPACED_STEP.sub(_split_spaced_step, text)
    text = _GLUED_ITEM.sub("\n", text)
    text = _multi_line(_HARD_WRAP.sub(" ", text))
    lines = [line for line in text.split("\n") if line]
    if is_empty(" ".join(lines)):
        return []
    if not any(_STEP_MARK.match(line) for line in lines):
        return lines
    first = next(index for index, line in enumerate(lines) if _STEP_MARK.match(line))
    if first >= 2 and all(line.lstrip().startswith(("+", "-")) for line in lines[:first]):
        # A bulleted list before "Bước 1" names the procedure's variants, which the steps repeat.
        lines = lines[first:]
    steps: list[str] = []
    current: list[str] = []
    for line in lines:
        if _STEP_MARK.match(line) or not current:
            if current:
                steps.append("\n".join(current))
            current = [line]
        else:
            current.append(line)
    if current:
        steps.append("\n".join(current))
    return steps


def _parse_levels(text: str) -> tuple[list[str], list[str]]:
    """Map "Cấp bộ, Cấp tỉnh" to ["tinh", "bo"] (canonical order xa, tinh, bo)."""
    found: set[str] = set()
    unknown: list[str] = []
    for part in _one_line(text).split(","):
        key = part.strip().lower()
        if not key:
            continue
        if key in _LEVELS:
            found.add(_LEVELS[key])
        elif key not in _KNOWN_NON_LEVELS:
            unknown.append(part.strip())
    levels: list[str] = [level for level in ("xa", "tinh", "bo") if level in found]
    return levels, ([f"unknown level: {', '.join(unknown)}"] if unknown else [])


def _online_level(name: str, texts: list[str]) -> tuple[str | None, str | None]:
    """Derive "full"/"partial" only from explicit wording; the name wins over other fields."""
    for source in [name, " ".join(texts)]:
        full = bool(_FULL_ONLINE.search(source))
        partial = bool(_PARTIAL_ONLINE.search(source))
        if full and partial:
            return None, "both full and partial online service mentioned"
        if full:
            return "full", None
        if partial:
            return "partial", None
    return None, None


def _online_payment(texts: list[str]) -> bool | None:
    """True/False only where the text mentions online payment, else None."""
    joined = " ".join(texts)
    if _NO_ONLINE_PAYMENT.search(joined):
        return False
    return True if _ONLINE_PAYMENT.search(joined) else None


# --------------------------------------------------------------------------------------------


def _guarded(
    doubtful: dict[str, str],
    key: str,
    parser: Callable[[str], tuple[_T, list[str]]],
    text: str,
    empty: _T,
) -> _T:
    """Run one section parser, recording its doubts; an exception empties only that section."""
    try:
        value, reasons = parser(text)
    except Exception as error:  # one bad section must not lose the record
        _flag(doubtful, key, f"parser error: {type(error).__name__}: {error}")
        return empty
    for reason in reasons:
        _flag(doubtful, key, reason)
    return value


def _result_section(text: str) -> tuple[tuple[list[str], str], list[str]]:
    names, description, reasons = _parse_result(text)
    return (names, description), reasons


def _steps_section(text: str) -> tuple[list[str], list[str]]:
    return _parse_steps(text), []


def _conditions(text: str) -> str:
    """The conditions text without the result section that leaks into it.

    When a procedure has no result, the scrape appended the result section's keyword, description
    and page UI ("Từ khóa...Mô tả...Chọn cơ quan thực hiện...") to the conditions.
    """
    spill = _RESULT_SPILL.search(text)
    conditions = _multi_line(text[: spill.start()] if spill else text)
    return "" if is_empty(conditions) else conditions


def parse_record(raw: dict[str, Any]) -> ParsedProcedure:
    """Parse one raw record of procedures.jsonl into a ParsedProcedure.

    Never raises: a section that fails is left empty and its error recorded in `doubtful`.

    Args:
        raw: One JSON object with the scraper's keys (ma_thu_tuc, ten_thu_tuc, cach_thuc_thuc_hien,
            thanh_phan_ho_so, can_cu_phap_ly, ket_qua_xu_ly, ...). Missing keys read as "".

    Returns:
        The parsed procedure; `doubtful` maps a field name to why its parse is not trustworthy.
    """
    if not isinstance(raw, dict):
        raw = {}
    doubtful: dict[str, str] = {}
    channels_text = _text(raw, "cach_thuc_thuc_hien")
    steps_text = _text(raw, "trinh_tu_thuc_hien")
    channels: list[Channel] = _guarded(doubtful, "channels", _parse_channels, channels_text, [])
    documents: list[Document] = _guarded(
        doubtful, "documents", _parse_documents, _text(raw, "thanh_phan_ho_so"), []
    )
    legal_bases: list[LegalBasis] = _guarded(
        doubtful, "legal_bases", _parse_legal_bases, _text(raw, "can_cu_phap_ly"), []
    )
    no_result: tuple[list[str], str] = ([], "")
    result_parts = _guarded(doubtful, "result", _result_section, _text(raw, "ket_qua_xu_ly"), no_result)
    names, description = result_parts
    levels: list[str] = _guarded(doubtful, "levels", _parse_levels, _text(raw, "cap_thuc_hien"), [])
    steps: list[str] = _guarded(doubtful, "steps", _steps_section, steps_text, [])
    for channel in channels:
        if channel.time_value is not None and channel.time_unit is None and channel.time_value:
            # The table lost the unit ("Trực tuyến5Miễn phí"); the steps often state it.
            channel.time_unit = unit_stated(channel.time_value, steps_text, cue=True)
    name = _field(raw, "ten_thu_tuc")
    conditions = _conditions(_text(raw, "yeu_cau_dieu_kien"))
    receiving_address = _multi_line(_text(raw, "dia_chi_tiep_nhan"))
    service_texts = [channels_text, conditions, steps_text]
    online_level, online_doubt = _online_level(name, service_texts)
    if online_doubt:
        _flag(doubtful, "online_level", online_doubt)

    return ParsedProcedure(
        code=_field(raw, "ma_thu_tuc"),
        name=name,
        ministry=_field(raw, "bo_nganh"),
        field=_field(raw, "linh_vuc"),
        levels=levels,
        procedure_type=_field(raw, "loai_thu_tuc"),
        decision_number=_field(raw, "so_quyet_dinh"),
        applicants=_field(raw, "doi_tuong_thuc_hien"),
        competent_agency=_field(raw, "co_quan_co_tham_quyen"),
        implementing_agency=_field(raw, "co_quan_thuc_hien"),
        receiving_address="" if is_empty(receiving_address) else receiving_address,
        delegated_agency=_field(raw, "co_quan_duoc_uy_quyen"),
        coordinating_agency=_field(raw, "co_quan_phoi_hop"),
        related_procedures=_field(raw, "thu_tuc_lien_quan"),
        steps=steps,
        conditions=conditions,
        result="\n".join([*names, description] if description else names),
        result_documents=names,
        source_url=_field(raw, "detail_url"),
        channels=channels,
        documents=documents,
        legal_bases=legal_bases,
        online_level=online_level,
        online_payment=_online_payment([name, *service_texts]),
        doubtful=doubtful,
    )
