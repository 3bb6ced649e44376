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
# A note that sends the fee to the law on fees in general: "Theo quy định của Luật phí và lệ phí …".
_FEE_LAW_NOTE = re.compile(
    r"\W*(?:thực hiện\s+)?theo quy định của (?:pháp )?luật (?:về )?phí và lệ phí", re.IGNORECASE
)
# A note that names a fee and the regulation that sets it: "Phí kiểm tra …: theo quy định tại Thông tư số …".
_NAMED_FEE = re.compile(
    r"\W*((?:phí|lệ phí)\b[^:;()]{3,120}?):?\s*(?:thực hiện\s+)?theo(?:\s+quy định)?(?:\s+tại)?\s+"
    r"(?:thông tư|nghị định|nghị quyết|tt|nđ)",
    re.I,
)
# A note that opens with an exemption: "Miễn lệ phí. Phí cấp bản sao ... theo Thông tư 281/2016".
_EXEMPT_FIRST = re.compile(r"\W*(?:miễn|không thu)\b", re.IGNORECASE)
# "25.000đ/tem (áp dụng đến hết ngày 31/12/2026 …)": an amount, then the date it runs until.
_AMOUNT_UNTIL = re.compile(
    r"(\d{1,3}(?:\.\d{3})+)\s*(?:đồng|đ|VNĐ)\b[^;]{0,60}?(?:đến hết|đến|tới hết)\s+ngày\s+[\d/]{8,10}", re.I
)
# A fee row's description that opens with where it applies: "Tại cơ quan đại diện: 10 USD/bản".
_PLACE_CONDITION = re.compile(r"^[-+*•\s]*(Tại\s[^:;.\n]{2,100}?)\s*:")
# "/trang", "/bản", "/trường hợp": the note after an amount that is only its unit.
_PER_UNIT = re.compile(r"\s*/\s*[^\s()/;,.]+(?:\s[^\s()/;,.]+){0,2}\s*")
# "bằng 50% mức thu", "giảm 50%"
_PERCENT_OF = re.compile(r"bằng\s+(\d{1,3})\s*%", re.IGNORECASE)
_PERCENT_OFF = re.compile(r"giảm\s+(\d{1,3})\s*%", re.IGNORECASE)
# "250 VNĐ" alone in a fee cell: an amount in thousands the portal cut.
_SMALL_VND = re.compile(r"\s*([1-9]\d{0,2})\s*(?:VNĐ|VND|đồng|Đồng)\b")
# "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh ... quyết định"
# "Miễn lệ phí đối với …", up to the end of its sentence.
_EXEMPTION = re.compile(r"\bMiễn (?:lệ phí|phí)\b[^.]*", re.IGNORECASE)
_PROVINCE_SETS = re.compile(
    r"(?:hội đồng nhân dân|hđnd)[^.;]{0,80}(?:quyết định|quy định)"
    r"|(?:quyết định|quy định)\s+(?:của|do)\s+(?:hội đồng nhân dân|hđnd)",
    re.I,
)
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


_COMMON_WORDS = frozenset(
    fold(
        "người cho của và các lần có từ tại theo thứ trở đi một trong việt nam công dân đối với phí lệ phí"
    ).split()
)


def _relevance(line: str, procedure: ProcedureOut) -> int:
    """How many words of a fee line's label the procedure's name shares (common words left out)."""
    label = set(fold(line.split(":")[0]).split()) - _COMMON_WORDS
    return len(set(fold(procedure.name).split()) & label)


def _relevant_lines(entry: FeeScheduleOut, procedure: ProcedureOut) -> list[str]:
    """The fee table's amounts, those that name what the procedure is about first ("Đăng ký tạm trú"
    for the temporary-residence procedure, not the permanent-residence line above it)."""
    lines = [line.strip() for line in entry.amounts.splitlines() if line.strip()]
    scored = sorted(range(len(lines)), key=lambda i: (-_relevance(lines[i], procedure), i))
    return [lines[i] for i in scored]


def _schedule_phrase(entry: FeeScheduleOut, procedure: ProcedureOut, limit: int, short: bool) -> str:
    """A fee table entry: its amounts (in the first reply the ones about this procedure), the document,
    and outside the first reply the source."""
    lines = _relevant_lines(entry, procedure)
    name = document_name(entry.legal_number)
    if short:
        shown: list[str] = []
        best = _relevance(lines[0], procedure) if lines else 0
        # A line that names the procedure less well than the best is another procedure's fee ("Đăng ký
        # tạm trú" beside "Đăng ký thường trú"); a line that names none (who pays less) stays.
        near = [line for line in lines if _relevance(line, procedure) in {0, best}][:2]
        for line in near:
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
    if len(note) <= 3 and _MONEY.search(channel.description or ""):
        # "Miễn phí(a)" with the amounts spilled into the description ("Cung cấp dịch vụ …: 30.000.000
        # đồng; … b) …"): the note is the enumerator and the description together.
        spilled = re.split(r"\)\s*-", channel.description, maxsplit=1)[0]
        note = f"{note}) {spilled}"
    basis = fee_basis(channel)
    place = _PLACE_CONDITION.match(channel.description or "")
    case = channel.condition or (place.group(1) if place else "")
    condition = f"{case}: " if case else ""
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
        if short:  # today's fee only; the fee answer says the portal's reduced amount has ended
            return shorten(f"{condition}{current}", limit)
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
    # A circular sets many fees (25/2021/TT-BTC: passports, border passes, "AB" stamps): an amount the
    # cell gives that the table does not hold is this procedure's own, told first; the table's lines
    # follow in the fee answer (every procedure citing an entry still gets it), not in the first reply.
    own = channel.fee_amount_vnd if channel.fee_kind == "amount" else None
    if entry is not None and own is not None and money(own).split()[0] not in entry.amounts:
        reduced = _reduction(note, own, ends, today)
        said = f"{condition}{money(own)}{reduced}"
        if not re.search(r"\d\.\d{3}", entry.amounts):
            # The table says who sets the amount (85/2019/TT-BTC: the provincial council), not an amount.
            who = "mức do Hội đồng nhân dân tỉnh quyết định" if _PROVINCE_SETS.search(entry.amounts) else ""
            who = who or shorten(entry.amounts, 80)
            return shorten(f"{said} (Cổng quốc gia ghi; {who}: hỏi bộ phận Một cửa)", limit)
        if short:
            return shorten(f"{said}, theo {document_name(entry.legal_number)}", limit)
        extra = f" ({shorten(note, note_room)})" if note else ""
        table = _schedule_text(entry, 320).removeprefix("theo ")
        return f"{said}{extra}; các mức khác của {table}"
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
    if says_free and _FEE_LAW_NOTE.match(note):
        return shorten(
            f'{condition}thu theo Luật Phí và lệ phí (Cổng quốc gia ghi "Miễn phí" kèm ghi chú này); '
            "bạn hỏi bộ phận Một cửa mức thu",
            limit,
        )
    named = _NAMED_FEE.match(note) if says_free and basis and not _MONEY.search(note) else None
    if named:
        # "Miễn phí(Phí kiểm tra, giám sát …: theo Thông tư 101/2020/TT-BTC)": that fee is charged.
        what = named.group(1).strip(" ,")
        return shorten(
            f"{condition}{what} theo {document_name(basis or '')} "
            '(Cổng quốc gia ghi "Miễn phí" kèm ghi chú này); bạn hỏi bộ phận Một cửa mức thu',
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
        amounts = tidy_amounts(note, today)
        return shorten(
            f'{condition}{shorten(amounts, note_room + 90)} (Cổng quốc gia ghi "Miễn phí" kèm mức này)', limit
        )
    if says_free:
        extra = f" ({shorten(note, note_room)})" if note and not _NO_FEE.fullmatch(note) else ""
        return shorten(f"{condition}miễn phí{extra}", limit)
    if channel.fee_kind == "amount" and channel.fee_amount_vnd is not None:
        reduced = _reduction(f"{note} {channel.description}", channel.fee_amount_vnd, ends, today)
        reduced += _other_charge(channel)
        if _PER_UNIT.fullmatch(note):
            # "2,000 Việt Nam Đồng(/trang)": the note is the unit the amount is per.
            return shorten(f"{condition}{money(channel.fee_amount_vnd)}{note.strip()}{reduced}", limit)
        if short:
            more = " (có ghi chú, xem Lệ phí chi tiết)" if note and not reduced else ""
            return shorten(f"{condition}{money(channel.fee_amount_vnd)}{reduced}{more}", limit)
        extra = f" ({shorten(note, note_room)})" if note else ""
        return shorten(f"{condition}{money(channel.fee_amount_vnd)}{reduced}{extra}", limit)
    if channel.fee_kind == "text" and channel.fee_text:
        text = re.sub(r"\s*\((/[^()/]{1,30})\)", r"\1", channel.fee_text)  # "10 USD(/bản)": per unit
        text = re.sub(r"(?<=[^\s(])\(", " (", text, count=1)
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


# "250.000 đ/lần Đồng (Sát hạch thực hành)": an amount, a repeated currency word, what it is for.
_AMOUNT_FOR = re.compile(
    r"(\d{1,3}(?:\.\d{3})+\s*(?:đồng|đ|VNĐ)(?:/[^\s();,]+)?)(?:\s+Đồng)?\s*\(([^()]{3,80})\)", re.I
)
# "(Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo …)": a waiver for a while.
_WAIVER_UNTIL = re.compile(
    r"\(?\s*Miễn (?:phí|lệ phí)[^()]{0,40}?đến(?: hết)?(?: ngày)?\s+([\d/]{8,10})[^()]*\)?", re.IGNORECASE
)


def tidy_amounts(note: str, today: dt.date) -> str:
    """A note's amounts as a citizen reads them: "Sát hạch thực hành: 250.000 đ/lần; …", a waiver that
    has ended left out, one that runs told with its date."""

    def waiver(match: re.Match[str]) -> str:
        day = ends_on(f"đến hết ngày {match.group(1)}")
        if day is None or day < today:
            return ""
        return f"; miễn đến hết {day:%d/%m/%Y}"

    text = _WAIVER_UNTIL.sub(waiver, note)
    text = _AMOUNT_FOR.sub(lambda m: f"{m.group(2).strip()}: {m.group(1)}", text)
    text = re.sub(r"\s*\b(?:Phí|Lệ phí):\s+(?=[A-ZĐÀ-Ỹ])", "; ", text)
    return " ".join(text.split()).strip(" ;.")


# "Phí: 800.000 đồng/hồ sơ (…). Lệ phí: 100.000 đồng/hồ sơ.": a second charge the description adds.
_OTHER_CHARGE = re.compile(r"\bLệ phí:\s*(\d{1,3}(?:\.\d{3})+\s*đồng(?:/[^\s.;,()]+(?: [^\s.;,()]+)?)?)")


def _other_charge(channel: ChannelOut) -> str:
    """ "; lệ phí 100.000 đồng/hồ sơ" when the row's cell is the "phí" and its description adds a "lệ phí"."""
    description = channel.description or ""
    found = _OTHER_CHARGE.search(description)
    if not found or not re.match(r"\W*Phí:", description):
        return ""
    return f"; lệ phí {found.group(1)}"


def _reduction(note: str, amount: int, ends: list[dt.date], today: dt.date) -> str:
    """ "; đến hết 31/12/2026: 35.000 đồng (50 %)" for a reduction the note says still runs."""
    if not ends or max(ends) < today:
        return ""
    for lower in _AMOUNT_UNTIL.finditer(note):
        # "- 25.000đ/tem “AB” (áp dụng đến hết ngày 31/12/2026 theo Thông tư …)": a lower amount until a date.
        value, day = int(re.sub(r"\D", "", lower.group(1))), ends_on(lower.group(0))
        if value < amount and day is not None and day >= today:
            return f"; đến hết {day:%d/%m/%Y} thu {money(value)}"
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


def province_fee_note(procedure: ProcedureOut) -> str:
    """The channel description that says the provincial council sets the fee ("Phí, lệ phí (nếu có): Hội
    đồng nhân dân cấp tỉnh quyết định …", for a record whose fee cells say nothing), or ""."""
    return next((c.description for c in procedure.channels if _PROVINCE_SETS.search(c.description or "")), "")


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


# A row that only speaks of the paper above it: "Phiếu này là biểu mẫu điện tử, công dân kê khai …".
_ABOUT_ABOVE = re.compile(
    r"\s*(?:(?:phiếu|mẫu|tờ khai|giấy tờ|văn bản|bản khai|đơn)\s+(?:này|trên)\b|giá trị sử dụng của\b"
    r"|thời hạn sử dụng của\b|lưu ý\b|ghi chú\b)",
    re.I,
)


def brought(procedure: ProcedureOut) -> list[DocumentOut]:
    """The rows a citizen brings (explanatory notes left out), each text once, in the national order."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for document in procedure.documents:
        if document.is_note or document.section == "note" or _ABOUT_ABOVE.match(document.name):
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
    fold(
        "hồ sơ gồm bao gồm có thành phần số lượng các giấy tờ sau đây đề nghị thủ tục của cho về việc"
    ).split()
)


def _split_by_case(procedure: ProcedureOut) -> list[tuple[DocumentOut, bool]]:
    """Every row a citizen brings with whether it is everyone's: its "case" is only the way the dossier
    is sent, a heading that only repeats the procedure's name ("Đăng ký thành lập doanh nghiệp tư
    nhân"), or the one "case" of a record whose every row has it (a note filed as a heading is no choice
    to make)."""
    rows = [(document, _everyones(document, procedure)) for document in brought(procedure)]
    if rows and not any(own for _, own in rows) and len({_key(d.case or "") for d, _ in rows}) == 1:
        return [(document, True) for document, _ in rows]
    return rows


def _everyones(document: DocumentOut, procedure: ProcedureOut) -> bool:
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
    for document, everyones in _split_by_case(procedure):
        if not everyones:
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


# Parentheses that say who needs the paper ("(đối với người nước ngoài …)"), unlike those that describe
# it ("(mẫu TK01 dành cho người từ 14 tuổi)").
_WHO_PARENTHESES = re.compile(r"\(\s*(?:đối với|trường hợp|nếu|áp dụng (?:cho|đối với))\b", re.IGNORECASE)
# "… chứng minh là người đại diện hợp pháp …": only when someone acts for another.
_REPRESENTATIVE = re.compile(r"\bchứng minh (?:là |về )?(?:người )?đại diện hợp pháp\b", re.IGNORECASE)
# A row that opens with who must bring it: "Công dân Việt Nam đã ly hôn … ở nước ngoài phải nộp …".
_WHO_MUST = re.compile(
    r"\s*(?:công dân|người|cá nhân|tổ chức|bên)\b[^.;]{0,160}?\b(?:phải|thì)\s+(?:nộp|xuất trình|có)\b",
    re.IGNORECASE,
)
# A row that only points to other papers by a legal reference: "Các giấy tờ khác thể hiện thông tin quy
# định tại điểm d khoản 1 Điều 21 …".
_VAGUE_ROW = re.compile(r"\s*(?:các\s+)?(?:giấy tờ|tài liệu)(?:,\s*tài liệu)?\s+khác\b", re.IGNORECASE)
_FOREIGN = re.compile(r"\bnước ngoài\b", re.IGNORECASE)
# Papers the authority itself makes while it handles the dossier (a complaint's acceptance notice and
# decision, minutes, drafts): in the record's list, not what a citizen brings.
_AGENCY_PAPER = re.compile(
    r"\s*(?:biên bản|dự thảo|thông báo thụ lý|quyết định (?:thụ lý|giải quyết)"
    r"|báo cáo kết quả (?:xác minh|thẩm tra))\b",
    re.IGNORECASE,
)
# The letter that lets someone act for the applicant: only when they do.
_AUTHORISATION = re.compile(r"\s*(?:bản sao\s+)?(?:văn bản|giấy|hợp đồng)\s+ủy quyền\b", re.IGNORECASE)


def conditional(document: DocumentOut, procedure: ProcedureOut | None = None) -> bool:
    """Whether the row's own words limit it to some applicants (a foreigner's papers are everyone's in a
    procedure "có yếu tố nước ngoài")."""
    # Words in parentheses describe the paper ("mẫu TK01 dành cho người từ 14 tuổi"), not who needs it,
    # unless they open with a case ("(đối với người nước ngoài …)").
    # Only the first sentence: what follows explains special cases of a paper everyone brings.
    first = re.split(r"(?<=[\w)])\.\s+(?=[A-ZĐÀ-Ỹ])|;", document.name, maxsplit=1)[0]
    foreign_procedure = procedure is not None and bool(_FOREIGN.search(procedure.name))
    who = _WHO_MUST.match(first)
    if who:
        # "Người nước ngoài … phải nộp bản sao hộ chiếu" is the foreign party's, everyone's in a
        # marriage with a foreigner; "Công dân Việt Nam đã ly hôn … ở nước ngoài phải nộp" is a case.
        subject = who.group(0)
        return not (foreign_procedure and re.match(r"\s*người nước ngoài\b", subject, re.IGNORECASE))
    if (
        _VAGUE_ROW.match(first)
        or _REPRESENTATIVE.search(first)
        or _AUTHORISATION.match(first)
        or _AGENCY_PAPER.match(first)
    ):
        return True
    kept = re.sub(
        r"\([^()]*\)",
        lambda m: (
            m.group(0) if _WHO_PARENTHESES.match(m.group(0)) and not _ONE_CHANNEL.match(m.group(0)) else " "
        ),
        first,
    )
    found = list(_CONDITIONAL.finditer(kept[:220]))
    if foreign_procedure:
        found = [m for m in found if m.group(0).lower() != "người nước ngoài"]
    return bool(found)


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
    everyone = [d for d in common if not conditional(d, procedure) and not channel_only(d)]
    # The paper for handing in at the desk before the online e-form: most applicants still come in
    # person, and the online form is filled on the portal anyway.
    by_channel = sorted(
        (d for d in common if not conditional(d, procedure) and channel_only(d)),
        key=lambda d: channel_only(d) != "trực tiếp",
    )
    return everyone + by_channel + [d for d in common if conditional(d, procedure)]


def condition_phrase(document: DocumentOut, limit: int = 40) -> str:
    """Who a conditional row is for, in a few words ("đối với người chưa đủ 14 tuổi"), or ""."""
    first = re.split(r"(?<=[\w)])\.\s+(?=[A-ZĐÀ-Ỹ])|;", document.name, maxsplit=1)[0]
    who = _WHO_MUST.match(first)
    if who:
        said = re.sub(r"\s+(?:phải|thì)\s+\w+(?:\s+\w+)?$", "", who.group(0).strip())
    elif _REPRESENTATIVE.search(first):
        said = "người đại diện hợp pháp"
    elif _AUTHORISATION.match(first):
        said = "trường hợp ủy quyền"
    else:
        found = _CONDITIONAL.search(first)
        if not found:
            return ""
        said = re.split(r"[();,]", first[found.start() :], maxsplit=1)[0]
        said = re.sub(r"^(?:đối với|nếu)\s+", "", said, flags=re.IGNORECASE)
        if len(said.split()) < 2 or re.match(r"(?:trường hợp\s+)?(?:là|phải|thì|được|có)\b", said, re.I):
            return ""  # "nếu có": optional; "trường hợp là bản giấy phải …": how, not who
    if re.search(r"\bnày\b", said):  # "trường hợp tài liệu này …": says nothing without the row above
        return ""
    said = shorten(said, limit)
    return said[:1].lower() + said[1:]


def case_groups(procedure: ProcedureOut) -> list[tuple[str, list[DocumentOut]]]:
    """The documents of each particular case ("Trường hợp ủy quyền ..."), in the order first met."""
    groups: dict[str, tuple[str, list[DocumentOut]]] = {}
    for document, everyones in _split_by_case(procedure):
        if not everyones:
            groups.setdefault(_key(document.case or ""), (document.case or "", []))[1].append(document)
    return list(groups.values())


# Bullet glyphs the portal pastes from word processors (private-use "\uf0d8", "•").
_GLYPHS = re.compile(r"[\ue000-\uf8ff\u2022\u25cf\u25aa\u25ba\u27a2]")
# What ends a heading without telling the case: "… gồm", "… bao gồm:", a legal reference in parentheses
# ("(Điều 27 Nghị định số 99/2022/NĐ-CP)", or one cut off: "(khoản 2 Điều 28").
_LABEL_TAIL = re.compile(
    r"(?:\s*\((?:[^()]*?\b(?:Điều|khoản|điểm|Nghị định|Thông tư|Luật)\b[^()]*)\)?"
    r"|\s*,?\s*(?:bao gồm|gồm có|gồm|như sau|hồ sơ(?: gồm)?)|[\s:;,.])+$",
    re.IGNORECASE,
)


# "a) ", "(1.3) ", "Trường hợp 2: ", "1. ": the record's numbering of its cases, no help on a button.
_CASE_NUMBERING = re.compile(
    r"^(?:\(?(?:[a-zđ]|[ivx]{1,4}|\d{1,2}(?:\.\d{1,2})*)[.)]\s+|trường hợp \d{1,2}\s*[:.]\s*)", re.IGNORECASE
)
# Words a shared opening may end on and leave a case that reads on its own ("Đối với trường hợp đề nghị |
# tạm dừng …"); "Đối với tàu | biển …" would leave half a noun.
_OPENING_ENDS = frozenset("hợp nghị với ký trú sơ là của cho về tại vào khi tục hiện gồm việc nhận".split())


def _clean_case(case: str) -> str:
    text = _GLYPHS.sub(" ", case)
    text = _LABEL_TAIL.sub("", " ".join(text.split()).lstrip("-+*• "))
    text = _CASE_NUMBERING.sub("", text) or text
    return text[0].upper() + text[1:] if text else case.strip(" :.;,")


def case_label(case: str, limit: int = 40) -> str:
    """A button's words for a case: 'Trường hợp ủy quyền…'."""
    return shorten(_clean_case(case), limit)


def _first_difference(one: list[str], other: list[str]) -> int:
    for index, (a, b) in enumerate(zip(one, other, strict=False)):
        if a.lower() != b.lower():
            return index
    return min(len(one), len(other))


def case_labels(procedure: ProcedureOut, limit: int = 40) -> list[str]:
    """Words that tell the particular cases apart, one per case of `case_groups`: the words every case
    opens with are left out ("Đối với trường hợp đề nghị | tạm dừng …", "… | khôi phục …"), and two
    cases that still read the same within `limit` are shown from where they differ."""
    texts = [_clean_case(case) for case, _ in case_groups(procedure)]
    words = [text.split() for text in texts]
    if len(words) > 1:
        shared = min(_first_difference(words[0], other) for other in words[1:])
        while shared and words[0][shared - 1].lower().strip(",") not in _OPENING_ENDS:
            shared -= 1
        said = {word.lower() for word in words[0][:shared]} - {"đối", "với", "trường", "hợp"}
        if shared >= 2 and said and all(len(w) - shared >= 2 for w in words):
            words = [w[shared:] for w in words]
    labels = []
    for index, own in enumerate(words):
        label = shorten(" ".join(own), limit)
        # Another case that reads the same within `limit`, or goes on from where this label is cut.
        cut = label.rstrip("…")
        twins = [
            w
            for j, w in enumerate(words)
            if j != index and (shorten(" ".join(w), limit) == label or " ".join(w).startswith(cut))
        ]
        if twins and label.endswith("…"):
            start = min(_first_difference(own, twin) for twin in twins)
            if 0 < start < len(own):
                # Where they differ, after the opening words up to a word that ends an opening ("Đăng ký
                # thường trú … do thuê"), when there is room for them.
                ends = [i + 1 for i, word in enumerate(own[: min(start, 5)]) if word.lower() in _OPENING_ENDS]
                head = " ".join(own[: ends[-1]]) + " " if ends and limit >= 60 else ""
                label = shorten(f"{head}… " + " ".join(own[start:]), limit)
        labels.append(label[:1].upper() + label[1:])
    # Cases that still read the same: numbered ("… (2)").
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[index] = f"{shorten(label, max(limit - 4, 8))} ({seen[label]})"
    return labels


# Cases few citizens are in (a religious site, a military unit, a project) and cases most are in (their
# own house, a rented one, a detached house), folded: the first reply lists the ordinary ones first.
_RARE_CASE = re.compile(
    r"\b(?:tin nguong|ton giao|dong quan|quan doi|cong an nhan dan|tro giup xa hoi|du an|tuong dai|"
    r"quang cao|tuong lai|nuoc ngoai|ngoai nuoc|tau|phuong tien|luu dong|ky niem|di tich|"
    r"ngoai giao|to chuc quoc te|khong the khai thac|khong khai thac duoc|buu chinh|tuy tung truong hop|"
    r"cho nha nuoc)\b"
)
_ORDINARY_CASE = re.compile(
    r"\b(?:nha o rieng le|thuoc quyen so huu cua minh|cua minh|thue|muon|o nho|ho gia dinh|ca nhan|"
    r"cong dan|da duoc chung nhan|nguoi than|lan dau)\b"
)


def case_order(procedure: ProcedureOut) -> list[int]:
    """Indexes of the particular cases, the ones most citizens are in first: a case that names an
    ordinary situation (own or rented house, a detached house, an individual) before the rest, a case
    few are in (a religious site, a military unit, a project) last; otherwise the national order when
    some documents are everyone's, else the case with the most documents (usually the ordinary
    dossier) first."""
    cases = case_groups(procedure)
    some_common = bool(common_documents(procedure))

    def key(index: int) -> tuple[int, int]:
        words = fold(_clean_case(cases[index][0]))[:90]  # what the case opens with, not its fine print
        rank = 2 if _RARE_CASE.search(words) else 0 if _ORDINARY_CASE.search(words) else 1
        return (rank, index if some_common else -len(cases[index][1]))

    return sorted(range(len(cases)), key=key)
