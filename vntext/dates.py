"""The day a citizen says they submit a dossier, read from Vietnamese text (standard library only).

"nộp hôm nay thì bao giờ có?", "thu 2 tuan sau em nop", "nộp 15/12 kịp không": the bot answers
"when will the result come" with a date, so it needs the submission day the citizen means. The
parser understands relative days (hôm nay, mai, ngày kia, mốt, hôm qua), weekdays (thứ hai .. chủ
nhật, thứ 2, t2, cn, with tuần này / tuần sau / tuần tới / tuần trước, đầu tuần sau) and explicit
dates (15/12, 15/12/2025, 15-12-2025, 2025-12-15, ngày 15, mùng 5, 15 tháng 12 [năm 2025]),
typed with or without diacritics.

Text without diacritics is ambiguous in ways that matter here: "mai" is also the folded "mại"
(thương mại) and "mãi", "nay" is also "này", "thu tu" is also "thứ tự", "ngay 2" is also
"ngay 2" (right away, two ...), and "thứ hai" is also an ordinal ("con thứ hai"). Every word is
matched in its own written form or its fully folded form (never across: "mại" is not "mai"), and
the ambiguous forms are taken only in a context that makes them a day (a neighbouring verb,
pronoun, time word or the edge of the clause). Dossier codes, procedure codes, phone numbers and
ID numbers are blanked out first with the shared patterns of `vntext.patterns`, so their digits
are never read as a day.

>>> import datetime as dt
>>> parse_submission_date("thứ 2 tuần sau em nộp", dt.date(2025, 11, 12))
datetime.date(2025, 11, 17)
>>> parse_submission_date("hồ sơ 000.00.12.H37-251012-0001 tới đâu rồi", dt.date(2025, 11, 12)) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple

from vntext import fold, nfc
from vntext.patterns import find_protected

__all__ = ["DateMention", "find_submission_date", "mentions_submission_date", "parse_submission_date"]


def _w(word: str) -> str:
    """Regex for one word written with its diacritics or fully without them (lower case)."""
    folded = fold(word)
    if folded == word:
        return re.escape(word)
    return f"(?:{re.escape(word)}|{re.escape(folded)})"


def _any(*words: str) -> str:
    """Regex alternation of words, each with or without diacritics (longest first)."""
    return "(?:" + "|".join(_w(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _p(phrase: str) -> str:
    """Regex for a phrase: its words (see `_w`) separated by whitespace."""
    return r"\s+".join(_w(word) for word in phrase.split())


# Kinds of protected span whose digits must never be read as a day (dates stay).
_BLANKED_KINDS = frozenset({"PHONE", "PROCEDURE_CODE", "ID_NUMBER", "DOSSIER_CODE"})

# Words that, next to an ambiguous form, make it a day. Compared folded.
_CUES_BEFORE = frozenset(
    "vao nop hom ngay sang chieu trua toi den bua tu di la hoac hay thi de truoc sau kip va ca".split()
)
_CUES_AFTER = frozenset(
    (
        "em toi minh tui con chau anh chi nop di len ra qua den lam thi co duoc mang gui la nhe nha "
        "a ah ak nhi ha tuan nay sau nua sang chieu trua hay hoac va kip roi"
    ).split()
)
# What follows a bare "nay" (today) in "nay em nộp", compared folded.
_SUBJECTS_AND_VERBS = frozenset("em toi minh tui con chau anh chi nop di len ra mang gui".split())
# Nouns after which "thứ hai", "thứ 3" ... are ordinals ("con thứ hai", "lần thứ 3"), compared folded.
_ORDINAL_NOUNS = frozenset(
    (
        "lan con nguoi buoc chau dua be vo chong ban trang to khoan muc dieu hang cap tang phan ky "
        "luot dot nam thang tuan ho can thua xe cuon quyen giay chuong khoa lop giai cau y an mau bieu"
    ).split()
)
# Before a "N tháng M" with no "ngày", these make it a duration ("mất 1 tháng 15 ngày").
_DURATION_WORDS = frozenset("mat khoang vong trong tam chung gan hon".split())

_PREV_WORD = re.compile(r"(\w+)\s*$")
_NEXT_WORD = re.compile(r"^\s*(\w+)")
_CLAUSE_EDGE_BEFORE = re.compile(r"(?:^|[.,;:!?\n()\"'…])\s*$")
_CLAUSE_EDGE_AFTER = re.compile(r"^\s*(?:$|[.,;:!?\n()\"'…])")
_SUBMIT_VERB = re.compile(rf"(?<!\w){_any('nộp', 'gửi', 'nạp')}(?!\w)")
_FIRST_ORDINAL = re.compile(rf"(?<!\w){_p('thứ nhất')}(?!\w)")


def _prev_word(text: str, start: int) -> str:
    found = _PREV_WORD.search(text, 0, start)
    return fold(found.group(1)) if found else ""


def _next_word(text: str, end: int) -> str:
    found = _NEXT_WORD.match(text[end:])
    return fold(found.group(1)) if found else ""


def _cue_after(text: str, end: int) -> bool:
    return bool(_CLAUSE_EDGE_AFTER.match(text[end:])) or _next_word(text, end) in _CUES_AFTER


def _has_diacritics(span: str) -> bool:
    return fold(span) != span


# ---------------------------------------------------------------------------------------------
# Resolving a matched phrase to a date


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _nearest_year(day: int, month: int, today: dt.date) -> dt.date | None:
    """The day/month closest to `today` (a citizen may name a day they already submitted on).

    Ties go to the future. Only days within a year of `today` count, so 29/02 resolves only when
    a leap day is that near.
    """
    candidates = [
        d
        for year in (today.year - 1, today.year, today.year + 1)
        if (d := _safe_date(year, month, day)) and abs((d - today).days) <= 366
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5, "bẩy": 5}
_WEEKDAY_BY_FOLDED = {fold(word): index for word, index in _WEEKDAY_WORDS.items()}
_WEEK_NEXT = _any("sau", "tới")
_WEEK_THIS = _any("này")
_WEEK_LAST = _any("trước")


def _weekday_index(day: str) -> int:
    """Weekday (Monday = 0) of a matched "thứ 2" / "thứ hai" / "t2" / "chủ nhật" / "cn"."""
    folded = fold(day)
    if folded.startswith(("chu", "cn")):
        return 6
    digit = re.search(r"[2-7]", folded)
    if digit:
        return int(digit.group()) - 2
    return _WEEKDAY_BY_FOLDED[folded.split()[-1]]


def _resolve_weekday(match: re.Match[str], today: dt.date) -> dt.date:
    index = _weekday_index(match.group("day"))
    monday = _monday(today)
    week = match.group("week") or ""
    if match.group("pre") or re.fullmatch(_WEEK_NEXT, week):
        return monday + dt.timedelta(days=7 + index)
    if re.fullmatch(_WEEK_LAST, week):
        return monday + dt.timedelta(days=index - 7)
    this_week = monday + dt.timedelta(days=index)
    if re.fullmatch(_WEEK_THIS, week):
        return this_week
    # Unqualified or "thứ 3 này" (the coming one): this week's if it has not passed, else next week's.
    return this_week if this_week >= today else this_week + dt.timedelta(days=7)


def _resolve_day_of_month(match: re.Match[str], today: dt.date) -> dt.date | None:
    """ "ngày 15": this month, or the next month that has that day once it has passed."""
    day = int(match.group("d"))
    year, month = today.year, today.month
    for _ in range(3):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _resolve_day_month(match: re.Match[str], today: dt.date) -> dt.date | None:
    day, month, year = int(match.group("d")), int(match.group("m")), match.group("y")
    if year:
        return _safe_date(_full_year(year), month, day)
    return _nearest_year(day, month, today)


def _resolve_iso(match: re.Match[str], _today: dt.date) -> dt.date | None:
    return _safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))


def _offset(days: int) -> Callable[[re.Match[str], dt.date], dt.date]:
    return lambda _match, today: today + dt.timedelta(days=days)


def _next_monday(_match: re.Match[str], today: dt.date) -> dt.date:
    return _monday(today) + dt.timedelta(days=7)


# ---------------------------------------------------------------------------------------------
# Context checks for the forms that are ambiguous without it


def _always(_text: str, _match: re.Match[str]) -> bool:
    return True


def _either_side(text: str, match: re.Match[str]) -> bool:
    """A cue word on either side, or the phrase stands alone as a clause ("Thu 6.")."""
    start, end = match.start(), match.end()
    if _prev_word(text, start) in _CUES_BEFORE or _next_word(text, end) in _CUES_AFTER:
        return True
    return bool(_CLAUSE_EDGE_BEFORE.search(text[:start]) and _CLAUSE_EDGE_AFTER.match(text[end:]))


def _accept_bare_nay(text: str, match: re.Match[str]) -> bool:
    """Bare "nay" is "today" before a pronoun or a verb ("nay em nộp"); in text without diacritics,
    where it may be "này" ("hồ sơ này em nộp"), only at the start of a clause."""
    if _next_word(text, match.end()) not in _SUBJECTS_AND_VERBS:
        return False
    if not _has_diacritics(text):
        return bool(_CLAUSE_EDGE_BEFORE.search(text[: match.start()]))
    return _prev_word(text, match.start()) not in {"hien", "den", "toi", "tu", "xua", "truoc", "lau", "nhu"}


def _accept_bare_mai(text: str, match: re.Match[str]) -> bool:
    """Bare "mai" is "tomorrow" next to a cue, and not in "thuong mai", "hoa mai" or a name."""
    if _prev_word(text, match.start()) in {"thuong", "khuyen", "hoa", "cay", "ten", "be", "chi", "co", "ba"}:
        return False
    return _either_side(text, match)


def _accept_weekday(text: str, match: re.Match[str]) -> bool:
    day = match.group("day")
    if _prev_word(text, match.start()) in _ORDINAL_NOUNS:
        return False  # "con thứ hai", "lần thứ 3": ordinals
    if not re.search(r"[0-9]", day) and fold(day) != "cn" and _FIRST_ORDINAL.search(text):
        return False  # "thứ nhất ..., thứ hai ..." enumerates points, not days
    if re.fullmatch(r"t[2-7]", day) or _has_diacritics(day):
        return True
    # Folded forms and "cn" want a cue: "thu tu" may be "thứ tự", "chu nhat" "chữ nhật",
    # "thu 2 trieu" "thu 2 triệu" (collect two million), "cn" "cá nhân".
    return _either_side(text, match)


def _accept_day_of_month(text: str, match: re.Match[str]) -> bool:
    # "ngay 2" without diacritics may be "ngay 2 bộ" (right away, two sets): want a cue after.
    return _has_diacritics(match.group("lead")) or _cue_after(text, match.end())


def _accept_day_month(text: str, match: re.Match[str]) -> bool:
    return bool(match.group("lead")) or _prev_word(text, match.start()) not in _DURATION_WORDS


# ---------------------------------------------------------------------------------------------
# The phrases


class _Rule(NamedTuple):
    pattern: re.Pattern[str]
    accept: Callable[[str, re.Match[str]], bool]
    resolve: Callable[[re.Match[str], dt.date], dt.date | None]


_B = r"(?<!\w)"  # word start
_E = r"(?!\w)"  # word end
# A number that does not continue into a longer code ("15/12" but not the "12" of "12.10.2025x").
_NUM_START = r"(?<![\w./\-])"
_NUM_END = r"(?![\w])(?![./\-][0-9])"
_PART_OF_DAY = _any("sáng", "trưa", "chiều", "tối")
_TIME_UNIT_AFTER = rf"(?!\s*{_any('giờ', 'tiếng', 'phút', 'ngày', 'tuần', 'tháng', 'năm', 'lần')}{_E})"
_WEEKDAY_DAY = (
    rf"(?P<day>{_w('thứ')}\s*[2-7]|{_w('thứ')}\s+{_any(*_WEEKDAY_WORDS)}|t[2-7]|{_p('chủ nhật')}|cn)"
)

_RULES: tuple[_Rule, ...] = (
    # Today.
    _Rule(re.compile(rf"{_B}(?:{_any('hôm', 'bữa')}|{_PART_OF_DAY})\s+{_w('nay')}{_E}"), _always, _offset(0)),
    _Rule(re.compile(rf"{_B}bây\s+giờ{_E}"), _always, _offset(0)),
    _Rule(
        re.compile(rf"{_B}bay\s+gio{_E}(?!\s+(?:sang|chieu|toi|trua|kem|ruoi|[0-9]))"),
        _either_side,
        _offset(0),
    ),
    _Rule(re.compile(rf"{_B}nay{_E}"), _accept_bare_nay, _offset(0)),
    # Tomorrow ("mai mốt", "mai kia", "mai sau" mean "some day"; "mai táng" is a burial).
    _Rule(re.compile(rf"{_B}(?:{_w('ngày')}|{_PART_OF_DAY})\s+mai{_E}"), _always, _offset(1)),
    _Rule(
        re.compile(
            rf"{_B}mai{_E}(?!\s+{_any('táng', 'mốt', 'kia', 'sau', 'không', 'chưa', 'mà', 'này')}{_E})"
        ),
        _accept_bare_mai,
        _offset(1),
    ),
    # The day after tomorrow; bare "mot" is "một" (one), so only "mốt" with its accent stands alone.
    _Rule(re.compile(rf"{_B}(?:{_w('ngày')}|{_w('bữa')})\s+{_any('kia', 'mốt')}{_E}"), _always, _offset(2)),
    _Rule(re.compile(rf"{_B}(?<!mai )mốt{_E}"), _either_side, _offset(2)),
    # Yesterday and the day before (a citizen asking about a dossier already submitted).
    _Rule(re.compile(rf"{_B}{_any('hôm', 'bữa')}\s+qua{_E}"), _always, _offset(-1)),
    _Rule(re.compile(rf"{_B}{_w('hôm')}\s+kia{_E}"), _always, _offset(-2)),
    # Weekdays, with an optional "tuần sau" before or a week after ("thứ 3 tuần sau", "t2 này").
    _Rule(
        re.compile(
            rf"{_B}(?:(?P<pre>{_w('tuần')}\s+{_WEEK_NEXT})\s*,?\s*(?:{_w('vào')}\s+)?)?"
            rf"{_WEEKDAY_DAY}{_E}"
            rf"(?:\s+(?:{_w('tuần')}\s+(?P<week>{_WEEK_NEXT}|{_WEEK_THIS}|{_WEEK_LAST})"
            rf"|{_WEEK_THIS}){_E})?"
        ),
        _accept_weekday,
        _resolve_weekday,
    ),
    # "đầu tuần sau", or just "tuần sau" / "tuần tới": the Monday of next week.
    _Rule(
        re.compile(rf"{_B}(?:{_w('đầu')}\s+)?{_w('tuần')}\s+{_WEEK_NEXT}{_E}(?!\s+{_w('nữa')})"),
        _always,
        _next_monday,
    ),
    # Explicit dates: ISO, then day/month[/year] with one separator style.
    _Rule(
        re.compile(rf"{_NUM_START}(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}}){_NUM_END}"),
        _always,
        _resolve_iso,
    ),
    _Rule(
        re.compile(
            rf"{_NUM_START}(?P<d>[0-9]{{1,2}})(?P<sep>[/.\-])(?P<m>[0-9]{{1,2}})(?P=sep)"
            rf"(?P<y>[0-9]{{4}}|[0-9]{{2}}){_NUM_END}"
        ),
        _always,
        _resolve_day_month,
    ),
    # "15/12" (slash only: "15-12" and "15.12" are too often scores and amounts); not "24/7".
    _Rule(
        re.compile(
            rf"{_NUM_START}(?!24/7{_E})(?P<d>[0-9]{{1,2}})/(?P<m>[0-9]{{1,2}})(?P<y>){_NUM_END}"
            rf"{_TIME_UNIT_AFTER}"
        ),
        _always,
        _resolve_day_month,
    ),
    # "15 tháng 12", "ngày 15 tháng 12 năm 2025" (not "1 tháng 15 ngày", a duration).
    _Rule(
        re.compile(
            rf"{_B}(?:(?P<lead>{_any('ngày', 'mùng', 'mồng')})\s+)?(?P<d>[0-9]{{1,2}})\s+{_w('tháng')}\s+"
            rf"(?P<m>[0-9]{{1,2}})(?:\s*(?:{_w('năm')}|,|/)\s*(?P<y>[0-9]{{4}}))?{_E}{_TIME_UNIT_AFTER}"
        ),
        _accept_day_month,
        _resolve_day_month,
    ),
    # "ngày 15", "mùng 5": this month, or next month once the day has passed.
    _Rule(
        re.compile(
            rf"{_B}(?P<lead>{_any('ngày', 'mùng', 'mồng')})\s+(?P<d>[0-9]{{1,2}}){_E}"
            rf"(?![./\-][0-9]){_TIME_UNIT_AFTER}"
        ),
        _accept_day_of_month,
        _resolve_day_of_month,
    ),
)


class DateMention(NamedTuple):
    """A submission day found in a text: the day and the phrase that named it."""

    day: dt.date
    start: int
    end: int
    text: str


def _blank_codes(text: str) -> str:
    """Replace codes, phones and ID numbers by spaces of the same length (offsets stay valid)."""
    chars = list(text)
    for span in find_protected(text):
        if span.kind in _BLANKED_KINDS:
            chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)


def _mentions(text: str, today: dt.date) -> list[DateMention]:
    """Every accepted date phrase, leftmost-longest and non-overlapping, in text order."""
    original = nfc(text)
    # Lower-casing Vietnamese NFC text keeps its length, so offsets map back to `original`.
    lowered = _blank_codes(original).lower()
    found: list[tuple[int, int, dt.date]] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(lowered):
            if not rule.accept(lowered, match):
                continue
            day = rule.resolve(match, today)
            if day is not None:
                found.append((match.start(), match.end(), day))
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    mentions: list[DateMention] = []
    for start, end, day in found:
        if mentions and start < mentions[-1].end:
            continue
        source = original if len(original) == len(lowered) else lowered
        mentions.append(DateMention(day, start, end, source[start:end]))
    return mentions


def find_submission_date(text: str, today: dt.date) -> DateMention | None:
    """Find the submission day named in `text`, with the phrase that names it.

    With several date phrases, the one nearest a submission verb (nộp, gửi) wins ("hôm nay là
    12/11, thứ 6 em nộp" means Friday); without such a verb, the first one.

    Args:
        text: a citizen's message, with or without diacritics.
        today: the day the message is read (relative phrases count from it).

    Returns:
        The mention, or None when the text names no day.
    """
    mentions = _mentions(text, today)
    if not mentions:
        return None
    lowered = nfc(text).lower()
    verbs = [(m.start(), m.end()) for m in _SUBMIT_VERB.finditer(lowered)]
    if not verbs:
        return mentions[0]

    def distance(mention: DateMention) -> int:
        return min(max(start - mention.end, mention.start - end, 0) for start, end in verbs)

    return min(mentions, key=lambda mention: (distance(mention), mention.start))


def parse_submission_date(text: str, today: dt.date) -> dt.date | None:
    """Return the day the citizen says they submit (or submitted), or None when no day is named.

    Understands "hôm nay"/"hom nay"/"nay", "ngày mai"/"mai", "ngày kia"/"mốt", "hôm qua",
    "thứ hai".."chủ nhật"/"thứ 2".."thứ 7"/"t2"/"cn" (this week's unless passed, next week's with
    "tuần sau"/"tuần tới"), "đầu tuần sau", "15/12", "15/12/2025", "15-12-2025", "2025-12-15",
    "ngày 15" (this month, next month once passed), "15 tháng 12". A day and month without a year
    resolve to the occurrence nearest `today`. Dossier codes, procedure codes, phone and ID
    numbers are never read as dates.

    Args:
        text: a citizen's message, with or without diacritics.
        today: the day the message is read.

    Returns:
        The date, or None.
    """
    mention = find_submission_date(text, today)
    return mention.day if mention else None


def mentions_submission_date(text: str) -> bool:
    """Whether `text` names a day (any day: relative phrases resolve against today's date)."""
    return bool(_mentions(text, dt.date.today()))
