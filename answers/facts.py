"""Facts told honestly (issue 16): fees, times and document counts as the national text means them.

- A fee is "Miễn phí" only when the record says so without citing the regulation that sets it; where
  it cites one ("Miễn phí (Thực hiện theo Thông tư 244/2016/TT-BTC ...)"), the answer says the fee is
  set by that document and gives the amounts of the staff-kept fee table (with its source) or of the
  text itself.
- A fee rule that ends on a date ("giảm 50% đến hết ngày 31/12/2025") is shown as current only while it
  is, with the date; after it the answer says it has ended.
- A time or fee row keeps the case it belongs to ("đối với xe ô tô: ...").
- A document keeps both counts of its cell ("01 bản chính, 01 bản sao").

Pure functions (no I/O), like the rest of the answer layer.
"""

from __future__ import annotations

import datetime as dt
import re

from knowledge_base.fees import LEGAL_NUMBER
from knowledge_base.schemas import ChannelOut, DocumentOut, FeeScheduleOut, ProcedureOut
from vntext import fold

KIND_LABELS = {
    "original": "bản chính",
    "copy": "bản sao",
    "certified_copy": "bản sao có chứng thực",
    "photo": "bản chụp",
}
_DOC_TYPES = {
    "TT": "Thông tư",
    "NĐ": "Nghị định",
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "TTLT": "Thông tư liên tịch",
}
# "đến hết ngày 31/12/2025", "đến ngày 30/6/2026", "hết ngày 31 tháng 12 năm 2025"
_ENDS_ON = re.compile(
    r"(?:đến hết|đến|tới hết|tới|hết)\s+ngày\s+(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})\s*(?:/|năm)\s*(\d{4})",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\d{1,3}(?:[.,]\d{3})+\s*(?:đồng|VNĐ|VND|đ)\b[^;.()\n]{0,40}", re.IGNORECASE)
# A note that only repeats "no fee": "Không", "Miễn lệ phí.", "Không thu phí".
_NO_FEE = re.compile(
    r"\W*(?:không|miễn|chưa quy định)(?:\s+(?:thu\s+)?(?:phí|lệ phí|phí,\s*lệ phí))?\W*", re.I
)
# A note that only names the regulation: "Thực hiện theo Thông tư số 244/2016/TT-BTC ...", "Theo TT ...".
_CITATION_ONLY = re.compile(
    r"\W*(?:thực hiện\s+)?(?:theo|căn cứ)(?:\s+quy định(?:\s+tại)?)?\s+(?:thông tư|nghị định|tt|nđ)\b", re.I
)
# A note that opens with an exemption: "Miễn lệ phí. Phí cấp bản sao ... theo Thông tư 281/2016".
_EXEMPT_FIRST = re.compile(r"\W*(?:miễn|không thu)\b", re.IGNORECASE)
# "bằng 50% mức thu", "giảm 50%"
_PERCENT_OF = re.compile(r"bằng\s+(\d{1,3})\s*%", re.IGNORECASE)
_PERCENT_OFF = re.compile(r"giảm\s+(\d{1,3})\s*%", re.IGNORECASE)
# "250 VNĐ" alone in a fee cell: an amount in thousands the portal cut.
_SMALL_VND = re.compile(r"\s*([1-9]\d{0,2})\s*(?:VNĐ|VND|đồng|Đồng)\b")
# "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh ... quyết định"
# "Miễn lệ phí đối với …", up to the end of its sentence.
_EXEMPTION = re.compile(r"\bMiễn (?:lệ phí|phí)\b[^.]*", re.IGNORECASE)
_PROVINCE_SETS = re.compile(r"(?:hội đồng nhân dân|hđnd)[^.;]{0,80}(?:quyết định|quy định)", re.I)
MAX_FEE_CHARS = 260


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with "…" when longer than `limit` (between words
    when that loses less than half the room)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-(") + "…"


def money(amount: int) -> str:
    """'200.000 đồng'."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def document_name(number: str) -> str:
    """'Thông tư 244/2016/TT-BTC' for '244/2016/TT-BTC'."""
    kind = number.split("/")[-1].split("-")[0] if "/" in number else ""
    label = _DOC_TYPES.get(kind, "văn bản")
    return f"{label} {number}"


def ends_on(text: str) -> dt.date | None:
    """The latest date a rule in `text` ends on, if it states one."""
    dates = end_dates(text)
    return max(dates) if dates else None


def fee_note(channel: ChannelOut) -> str:
    """The "(...)" note the portal puts after a fee ("Miễn phí(Thực hiện theo Thông tư ...)"), without
    the extra parentheses some rows wrap it in twice."""
    start = channel.fee_text.find("(")
    if start < 0:
        return ""
    note = channel.fee_text[start + 1 :].strip()
    note = note[:-1].strip() if note.endswith(")") else note
    while note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    return note


def fee_basis(channel: ChannelOut) -> str | None:
    """The regulation a channel's fee cell or description cites."""
    if channel.fee_basis:
        return channel.fee_basis
    found = LEGAL_NUMBER.search(f"{channel.fee_text} {channel.description}")
    return found.group(0) if found else None


def _table(procedure: ProcedureOut, number: str | None, today: dt.date) -> FeeScheduleOut | None:
    for entry in procedure.fees:
        if entry.legal_number == number and (entry.valid_until is None or entry.valid_until >= today):
            return entry
    return None


def _schedule_text(entry: FeeScheduleOut, limit: int) -> str:
    """Every amount of a fee table entry, with its source (the fee answer)."""
    lines = [line.strip() for line in entry.amounts.splitlines() if line.strip()]
    amounts = "; ".join(lines)
    until = f", áp dụng đến hết {entry.valid_until:%d/%m/%Y}" if entry.valid_until else ""
    source = f" (nguồn: {entry.source}{until})"
    return (
        shorten(f"theo {document_name(entry.legal_number)}: {amounts}", max(limit - len(source), 40)) + source
    )


def _relevant_lines(entry: FeeScheduleOut, procedure: ProcedureOut) -> list[str]:
    """The fee table's amounts, those that name what the procedure is about first ("Đăng ký tạm trú"
    for the temporary-residence procedure, not the permanent-residence line above it)."""
    lines = [line.strip() for line in entry.amounts.splitlines() if line.strip()]
    name = set(fold(procedure.name).split())
    scored = sorted(
        range(len(lines)),
        key=lambda i: (-len(name & set(fold(lines[i].split(":")[0]).split())), i),
    )
    return [lines[i] for i in scored]


def _schedule_phrase(entry: FeeScheduleOut, procedure: ProcedureOut, limit: int, short: bool) -> str:
    """A fee table entry: its amounts (in the first reply the ones about this procedure), the document,
    and outside the first reply the source."""
    lines = _relevant_lines(entry, procedure)
    name = document_name(entry.legal_number)
    if short:
        shown: list[str] = []
        for line in lines[:2]:
            if shown and len("; ".join([*shown, line])) > limit - len(name) - 30:
                break
            shown.append(line)
        others = f" (và {len(lines) - len(shown)} mức khác)" if len(lines) > len(shown) else ""
        return shorten(f"{'; '.join(shown)}{others}, theo {name}", limit)
    return _schedule_text(entry, limit)


def end_dates(text: str) -> list[dt.date]:
    """Every date a rule in `text` ends on."""
    found = []
    for match in _ENDS_ON.finditer(text or ""):
        day, month, year = (int(group) for group in match.groups())
        try:
            found.append(dt.date(year, month, day))
        except ValueError:
            continue
    return found


def fee_phrase(
    channel: ChannelOut,
    procedure: ProcedureOut,
    today: dt.date | None = None,
    limit: int = MAX_FEE_CHARS,
    *,
    short: bool = False,
) -> str:
    """One channel row's fee, told honestly (see the module docstring); `short`: for the first reply."""
    today = today or dt.date.today()
    note = fee_note(channel)
    basis = fee_basis(channel)
    condition = f"{channel.condition}: " if channel.condition else ""
    note_room = 110 if short else 320
    ends = end_dates(note) + end_dates(channel.description)
    entry = _table(procedure, basis, today)
    if ends and max(ends) < today:
        # Every dated rule the row gives has ended: the regulation it reduced (in the fee table) gives
        # the fee now.
        current_entry = entry or next(
            (e for e in procedure.fees if e.valid_until is None or e.valid_until >= today), None
        )
        current = (
            _schedule_phrase(current_entry, procedure, limit - 90, short)
            if current_entry
            else "bạn hỏi bộ phận Một cửa mức thu hiện hành"
        )
        return shorten(
            f"{condition}mức thu ghi trên Cổng quốc gia chỉ áp dụng đến hết {max(ends):%d/%m/%Y} "
            f"(đã hết hạn); {current}",
            limit,
        )
    says_free = channel.fee_kind == "free" or (
        channel.fee_kind != "amount" and channel.fee_text.startswith("Miễn phí")
    )
    # "Miễn phí" beside the regulation that sets the fee, with nothing else said: the regulation is the fee.
    citation_only = bool(basis) and (
        bool(_CITATION_ONLY.match(note)) or (not note and _sets_fees(procedure, basis or ""))
    )
    exempt_first = bool(_EXEMPT_FIRST.match(note))
    if entry is not None and not (says_free and exempt_first):
        return condition + _schedule_phrase(entry, procedure, limit - len(condition), short)
    if says_free and not note and not basis:
        # A bare "Miễn phí" cell while the procedure's steps or legal bases cite a fee circular whose
        # amounts the table holds (first vehicle registration: the steps say the fee is paid).
        cited = paid_elsewhere(procedure, today)
        if cited is not None:
            return shorten(
                f'{condition}Cổng quốc gia ghi "Miễn phí", nhưng thủ tục dẫn chiếu '
                + _schedule_phrase(cited, procedure, limit - 70, short),
                limit,
            )
    law = cited_fee_law(procedure) if says_free and not note and not basis else None
    if law:
        return shorten(
            f'{condition}Cổng quốc gia ghi "Miễn phí", nhưng thủ tục dẫn chiếu {document_name(law)} quy định '
            "phí, lệ phí; bạn hỏi bộ phận Một cửa mức thu",
            limit,
        )
    if _PROVINCE_SETS.search(note):
        # The first reply keeps who is spared ("Miễn lệ phí đối với trường hợp đăng ký khai tử đúng hạn …"):
        # for many citizens it is the fee.
        spared = _EXEMPTION.search(note)
        if short and spared:
            said = spared.group(0).strip(" ;,")
            return shorten(
                f"{condition}do Hội đồng nhân dân tỉnh quy định (hỏi bộ phận Một cửa); "
                f"{said[:1].lower()}{said[1:]}",
                limit,
            )
        exempt = "" if short else f" ({shorten(note, note_room)})"
        return shorten(
            f"{condition}mức thu do Hội đồng nhân dân tỉnh, thành phố quy định; bạn hỏi bộ phận Một cửa "
            f"mức thu tại địa phương{exempt}",
            limit,
        )
    if says_free and citation_only:
        return shorten(
            f'{condition}theo {document_name(basis or "")} (Cổng quốc gia ghi "Miễn phí" kèm văn bản này); '
            "bạn hỏi bộ phận Một cửa mức thu cụ thể",
            limit,
        )
    if says_free and _MONEY.search(note) and not exempt_first:
        # "Miễn phí (190.000 đồng/sổ)": the cell's word contradicts the amount its note gives.
        return shorten(
            f'{condition}{shorten(note, note_room)} (Cổng quốc gia ghi "Miễn phí" kèm mức này)', limit
        )
    if says_free:
        extra = f" ({shorten(note, note_room)})" if note and not _NO_FEE.fullmatch(note) else ""
        return shorten(f"{condition}miễn phí{extra}", limit)
    if channel.fee_kind == "amount" and channel.fee_amount_vnd is not None:
        reduced = _reduction(note, channel.fee_amount_vnd, ends, today)
        if short:
            more = " (có ghi chú, xem Lệ phí chi tiết)" if note and not reduced else ""
            return shorten(f"{condition}{money(channel.fee_amount_vnd)}{reduced}{more}", limit)
        extra = f" ({shorten(note, note_room)})" if note else ""
        return shorten(f"{condition}{money(channel.fee_amount_vnd)}{reduced}{extra}", limit)
    if channel.fee_kind == "text" and channel.fee_text:
        text = re.sub(r"(?<=[^\s(])\(", " (", channel.fee_text, count=1)
        small = _SMALL_VND.match(channel.fee_text)
        if small:
            # "250 VNĐ": the portal dropped the thousands; do not state a fee nobody charges.
            return shorten(
                f"{condition}Cổng quốc gia ghi {small.group(0).strip()} "
                f"(có thể là {int(small.group(1))}.000 đồng); bạn hỏi bộ phận Một cửa mức thu đúng",
                limit,
            )
        return shorten(f"{condition}{text}", limit)
    return "chưa có thông tin"


def _reduction(note: str, amount: int, ends: list[dt.date], today: dt.date) -> str:
    """ "; đến hết 31/12/2026: 35.000 đồng (50 %)" for a reduction the note says still runs."""
    if not ends or max(ends) < today:
        return ""
    share = _PERCENT_OF.search(note)
    if share:
        percent = int(share.group(1))
    else:
        cut = _PERCENT_OFF.search(note)
        if not cut:
            return ""
        percent = 100 - int(cut.group(1))
    if not 0 < percent < 100:
        return ""
    return f"; đến hết {max(ends):%d/%m/%Y} thu {percent} %: {money(amount * percent // 100)}"


def paid_elsewhere(procedure: ProcedureOut, today: dt.date) -> FeeScheduleOut | None:
    """A fee table entry with amounts that the procedure's steps cite where they speak of paying
    ("... nộp lệ phí đăng ký xe theo Thông tư 60/2023/TT-BTC")."""
    steps = " ".join(procedure.steps)
    if not re.search(r"\b(?:lệ phí|nộp phí|phí)\b", steps, re.IGNORECASE):
        return None
    cited = set(LEGAL_NUMBER.findall(steps))
    for entry in procedure.fees:
        valid = entry.valid_until is None or entry.valid_until >= today
        if valid and entry.legal_number in cited and re.search(r"\d\.\d{3}", entry.amounts):
            return entry
    return None


# A legal basis that sets fees ("… quy định mức thu, chế độ thu, nộp … lệ phí", "Quy định về phí, lệ phí
# hàng hải"), not one that waives them, budgets costs or governs fees in general.
_FEE_LAW = re.compile(
    r"\bmức thu\b|\bquy định (?:về )?(?:phí|lệ phí)\b|\bbiểu (?:mức thu )?phí\b", re.IGNORECASE
)
_NOT_FEE_LAW = re.compile(r"\bmiễn\b|\bchi phí\b|\bkinh phí\b|thẩm quyền quyết định của hội đồng", re.I)


def _sets_fees(procedure: ProcedureOut, number: str) -> bool:
    """Whether the procedure's legal basis numbered `number` is a regulation that sets fees."""
    return any(
        basis.number == number
        and _FEE_LAW.search(basis.title or "")
        and not _NOT_FEE_LAW.search(basis.title or "")
        for basis in procedure.legal_bases
    )


def cited_fee_law(procedure: ProcedureOut) -> str | None:
    """The number of a fee regulation among the procedure's legal bases that the fee table lacks
    (a "Miễn phí" cell beside it is the portal's placeholder, not the fee), or None."""
    known = {entry.legal_number for entry in procedure.fees}
    for basis in procedure.legal_bases:
        title = basis.title or ""
        if _FEE_LAW.search(title) and not _NOT_FEE_LAW.search(title) and basis.number not in known:
            # A number the title states wins over a garbled number cell ("5/2020" for "Thông tư 263/2016 …").
            in_title = LEGAL_NUMBER.search(title)
            return (in_title.group(0) if in_title else basis.number) or None
    return None


def cited_fee_schedules(procedure: ProcedureOut, today: dt.date | None = None) -> list[FeeScheduleOut]:
    """Fee table entries the procedure's legal bases cite, for records whose channel rows give no fee
    of their own (no information, or words without an amount or a regulation)."""
    today = today or dt.date.today()
    if any(c.fee_kind in {"free", "amount"} or fee_basis(c) for c in procedure.channels):
        return []
    named = {fee_basis(c) for c in procedure.channels}
    return [
        entry
        for entry in procedure.fees
        if entry.legal_number not in named and (entry.valid_until is None or entry.valid_until >= today)
    ]


# --------------------------------------------------------------------------------------------
# Documents


def count_text(document: DocumentOut) -> str:
    """'01 bản chính, 01 bản sao' as the count cell says; the text's own kind where it names one."""
    originals, copies = document.originals, document.copies
    if originals is None and copies is None:
        # Rows stored before both counts were kept: the single quantity and kind.
        if document.quantity:
            return f"{document.quantity:02d} {KIND_LABELS.get(document.kind or '', '')}".strip()
        return KIND_LABELS.get(document.kind or "", "")
    parts = []
    if originals and copies:
        copy_label = (
            KIND_LABELS.get(document.kind or "", "bản sao") if document.kind != "original" else "bản sao"
        )
        parts = [f"{originals:02d} bản chính", f"{copies:02d} {copy_label}"]
    elif originals or copies:
        label = KIND_LABELS.get(document.kind or "", "bản chính" if originals else "bản sao")
        parts = [f"{originals or copies:02d} {label}"]
    elif document.kind:
        parts = [KIND_LABELS[document.kind]]
    return ", ".join(parts)


def _key(name: str) -> str:
    return re.sub(r"\W+", " ", fold(name)).strip()


def brought(procedure: ProcedureOut) -> list[DocumentOut]:
    """The rows a citizen brings (explanatory notes left out), each text once, in the national order."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for document in procedure.documents:
        if document.is_note or document.section == "note":
            continue
        key = (_key(document.name), _key(document.case or ""))
        if key in seen:
            continue
        seen.add(key)
        rows.append(document)
    return rows


# A "case" that is only the way the dossier is sent ("Trường hợp nộp hồ sơ trực tiếp", "Đối với hồ
# sơ nộp trực tuyến"): everyone is in one of them, so its documents are not a particular case.
_CHANNEL_CASE = re.compile(
    r"\W*(?:đối với\s+)?(?:trường hợp\s+|hồ sơ\s+)?(?:người yêu cầu\s+|công dân\s+)?(?:lựa chọn\s+)?"
    r"(?:nộp|gửi|thực hiện|đăng ký|giải quyết)?\s*(?:hồ sơ\s+)?(?:theo hình thức\s+)?"
    r"(?:trực tiếp|trực tuyến|qua (?:dịch vụ )?bưu chính|qua mạng|trên môi trường điện tử|bằng bản giấy)\W*$",
    re.IGNORECASE,
)


def channel_case(document: DocumentOut) -> bool:
    """Whether the row's case is only the way the dossier is sent."""
    return bool(document.case and _CHANNEL_CASE.match(document.case))


# Words a table heading may add to the procedure's name and still name the ordinary dossier
# ("Hồ sơ đăng ký tạm trú gồm" for "Đăng ký tạm trú"), folded.
_HEADING_FILLER = frozenset(
    fold("hồ sơ gồm bao gồm có thành phần các giấy tờ sau đây đề nghị thủ tục của cho về việc").split()
)


def _everyones(document: DocumentOut, procedure: ProcedureOut) -> bool:
    """Whether the row's "case" is in fact everyone's: the way the dossier is sent, or a heading that
    only repeats the procedure's name ("Đăng ký thành lập doanh nghiệp tư nhân")."""
    if not document.case:
        return True
    if channel_case(document):
        return True
    words = set(re.sub(r"[^\w\s]", " ", fold(document.case)).split())
    name = set(re.sub(r"[^\w\s]", " ", fold(procedure.name)).split())
    return bool(words) and words <= name | _HEADING_FILLER


def common_documents(procedure: ProcedureOut) -> list[DocumentOut]:
    """What everyone brings: rows without a case of their own (or only "when sent online / in
    person"), in the national order, each text once."""
    seen: set[str] = set()
    rows = []
    for document in brought(procedure):
        if not _everyones(document, procedure):
            continue
        key = _key(document.name)
        if key not in seen:
            seen.add(key)
            rows.append(document)
    return rows


# A document only some applicants bring, said inside its text: "(đối với người dưới 14 tuổi)",
# "(nếu có)", "trường hợp …", "người nước ngoài …".
_CONDITIONAL = re.compile(
    r"\b(?:đối với (?:người|trường hợp|công dân|cá nhân|tổ chức)|trường hợp|nếu có|nếu|trừ trường hợp"
    r"|người nước ngoài|dưới \d+ tuổi|chưa đủ \d+ tuổi)\b",
    re.IGNORECASE,
)


def conditional(document: DocumentOut) -> bool:
    """Whether the row's own words limit it to some applicants."""
    # Words in parentheses describe the paper ("mẫu TK01 dành cho người từ 14 tuổi"), not who needs it.
    # Only the first sentence: what follows explains special cases of a paper everyone brings.
    first = re.split(r"(?<=[\w)])\.\s+(?=[A-ZĐÀ-Ỹ])|;", document.name, maxsplit=1)[0]
    return bool(_CONDITIONAL.search(re.sub(r"\([^()]*\)", " ", first)[:220]))


_ONE_CHANNEL = re.compile(
    r"\((?:[^()]*?\b(?:nếu|khi|trường hợp)\b[^()]*?)?(trực tuyến|trực tiếp)[^()]*\)", re.I
)


def channel_only(document: DocumentOut) -> str | None:
    """ "trực tuyến" / "trực tiếp" when the row's own parentheses limit it to one way of sending."""
    found = _ONE_CHANNEL.search(document.name)
    return found.group(1).lower() if found else None


def first_documents(procedure: ProcedureOut) -> list[DocumentOut]:
    """Everyone's documents for the first reply: those every applicant brings first, then those for
    one way of sending ("nếu … nộp hồ sơ theo hình thức trực tuyến"; in person first), then those the
    text limits to some applicants ("đối với người dưới 14 tuổi", "nếu có"), each group in the national
    order."""
    common = common_documents(procedure)
    everyone = [d for d in common if not conditional(d) and not channel_only(d)]
    # The paper for handing in at the desk before the online e-form: most applicants still come in
    # person, and the online form is filled on the portal anyway.
    by_channel = sorted(
        (d for d in common if not conditional(d) and channel_only(d)),
        key=lambda d: channel_only(d) != "trực tiếp",
    )
    return everyone + by_channel + [d for d in common if conditional(d)]


def case_groups(procedure: ProcedureOut) -> list[tuple[str, list[DocumentOut]]]:
    """The documents of each particular case ("Trường hợp ủy quyền ..."), in the order first met."""
    groups: dict[str, tuple[str, list[DocumentOut]]] = {}
    for document in brought(procedure):
        if not _everyones(document, procedure):
            groups.setdefault(_key(document.case or ""), (document.case or "", []))[1].append(document)
    return list(groups.values())


def case_label(case: str, limit: int = 40) -> str:
    """A button's words for a case: 'Trường hợp ủy quyền…'."""
    text = case.strip(" :.;,")
    text = text[0].upper() + text[1:] if text else text
    return shorten(text, limit)
