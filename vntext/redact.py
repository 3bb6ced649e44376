"""Personal data out of text that goes to logs, tickets and analytics.

Citizens write the same number many ways: fullwidth digits from a phone keyboard (``０９１２３４５６７８``),
groups of two, three or four digits separated by spaces, dots, dashes or slashes (``09 12 34 56 78``,
``001.099.012.345``, ``0912/345/678``), odd spaces between them. Matching runs on a *view* of the text
of the same length, where each character stands for its compatibility (NFKC) form: every decimal
digit becomes its ASCII digit, every space a plain space, every dash "-", fullwidth punctuation its
ASCII twin. The placeholders then replace the original characters, so nothing else of the text changes.

Kept as they are: dates (12/05/2024), amounts (50.000 đồng, 150.000.000), procedure codes
(1.001234.000.00.00.H37) and dossier codes (000.00.12.H37-251012-0001): they identify a case or a
fee, not a person.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from vntext.patterns import ID_NUMBER, PHONE

EMAIL_MARK = "[EMAIL]"
PHONE_MARK = "[SĐT]"
ID_MARK = "[SỐ ĐỊNH DANH]"
NUMBER_MARK = "[SỐ]"

# Longer runs of digits (bank accounts, unformatted IDs) are personal as often as not.
_LONG_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{8,}(?![0-9])")
# An e-mail address: [\w.+-]+ before an "@", a dotted domain after it. Found from each "@" outwards
# (a regex searching for the local part from every position costs the square of a long word's length).
_EMAIL_DOMAIN_RE = re.compile(r"[\w\-]+(?:\.[\w\-]+)+")
_EMAIL_LOCAL = frozenset("_.+-")
# Digit groups joined by one separator each: one or two spaces, or ".", "-", "/" with at most a
# space on either side ("0912 - 345 - 678").
_RUN_RE = re.compile(r"[0-9]+(?:(?: {1,2}| ?[./\-] ?)[0-9]+)*")
_GROUP_RE = re.compile(r"[0-9]+")
_CONNECTORS = "./-"
# 1.500.000 or 150.000.000: thousands, the way amounts are written (a CCCD starts with 0; a CMND
# written this way is told apart by the word before it).
_THOUSANDS_RE = re.compile(r"[1-9][0-9]{0,2}(?:([. ])[0-9]{3})(?:\1[0-9]{3})*")
# A unit after a number makes it an amount (checked on folded text: no marks, đ as d).
_UNIT_RE = re.compile(r" ?(?:nghin|ngan|trieu|ty|ti|tr|k|dong|vnd|d)(?![^\W_])", re.IGNORECASE)
# ... and a word for an ID number before it makes it one, whatever its shape ("CMND 123.456.789").
_ID_WORD_RE = re.compile(
    r"(?:cmnd|cccd|cmt|can cuoc|chung minh|dinh danh|ho chieu)(?: cong dan| nhan dan)?(?: so| la)?\W{0,3}$",
    re.IGNORECASE,
)
# The most digits a phone number or an ID number has (0084 + 10).
_MAX_DIGITS = 14


@functools.lru_cache(maxsize=4096)
def _view_char(char: str) -> str:
    """The one character `char` stands for when matching."""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category == "Pd":
        return "-"
    compatible = unicodedata.normalize("NFKC", char)
    return compatible if len(compatible) == 1 else char


def _view(text: str) -> str:
    """`text` with each character replaced by the one it stands for (same length, same offsets)."""
    if text.isascii():
        return text
    return "".join(map(_view_char, text))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _emails(view: str) -> list[tuple[int, int]]:
    """(start, end) of the e-mail addresses in `view`, left to right."""
    found: list[tuple[int, int]] = []
    at = view.find("@")
    while at != -1:
        floor = found[-1][1] if found else 0  # addresses do not overlap
        start = at
        while start > floor and (view[start - 1].isalnum() or view[start - 1] in _EMAIL_LOCAL):
            start -= 1
        domain = _EMAIL_DOMAIN_RE.match(view, at + 1)
        if start < at and domain is not None:
            found.append((start, domain.end()))
        at = view.find("@", at + 1)
    return found


def _glued(view: str, start: int, end: int) -> bool:
    """Whether a digit run continues a word or a code (H37-251012, 1.001234.000.00.00.H37)."""
    before = view[start - 1] if start > 0 else " "
    if before.isalnum() or (before in _CONNECTORS and start > 1 and view[start - 2].isalnum()):
        return True
    after = view[end] if end < len(view) else " "
    return after.isalnum() or (after in _CONNECTORS and end + 1 < len(view) and view[end + 1].isalnum())


def _kind(digits: str) -> str | None:
    """What a number of `digits` is: a phone (0…, 84…, 0084…), an ID number (9 or 12 digits), or None."""
    size = len(digits)
    if (
        (digits.startswith("0084") and size in (13, 14))
        or (digits.startswith("84") and size in (11, 12))
        or (digits.startswith("0") and size in (10, 11))
    ):
        return PHONE_MARK
    if size in (9, 12):
        return ID_MARK
    return None


def _is_amount(view: str, start: int, end: int, style: str | None, plus: bool) -> bool:
    """Whether the number view[start:end] reads as an amount rather than a phone or an ID number."""
    if plus or style not in (".", " ") or not _THOUSANDS_RE.fullmatch(view[start:end]):
        return False
    if _ID_WORD_RE.search(_fold(view[max(0, start - 32) : start])):
        return False
    # 150.000.000 is an amount with or without its unit; 150 000 000 only with one ("150 000 000 đ").
    return style == "." or bool(_UNIT_RE.match(_fold(view[end : end + 8])))


def _grouped_numbers(view: str) -> list[tuple[int, int, str]]:
    """Phone and ID numbers written in groups: (start, end, placeholder) in `view`.

    A number is a stretch of groups of a run with one separator style throughout ("0912 345 678",
    "001.099.012.345"; a "+84 " in front may differ), set apart from the rest of the run by spaces (so
    no ID is read inside 1.000.000.000.000 or next to a code), that is not an amount. From each group
    the longest such stretch that is a phone or an ID number is a candidate (they may overlap).
    """
    found: list[tuple[int, int, str]] = []
    for run in _RUN_RE.finditer(view):
        if _glued(view, run.start(), run.end()):
            continue
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP_RE.finditer(run.group())]
        seps = [view[groups[k][1] : groups[k + 1][0]].strip() or " " for k in range(len(groups) - 1)]
        first = 0
        while first < len(groups):
            start = groups[first][0]
            plus = start > 0 and view[start - 1] == "+"
            country = view[start : groups[first][1]] in ("84", "0084")
            best: tuple[int, str] | None = None
            style: str | None = None
            digits = ""
            for last in range(first, len(groups)):
                g_start, g_end = groups[last]
                if last > first:
                    sep = seps[last - 1]
                    if style is None and not (country and last == first + 1 and len(groups) > last + 1):
                        style = sep
                    elif style is not None and sep != style:
                        break
                if g_end - g_start < 2 and len(groups) > 1:
                    break  # "0.123456789" is no phone number
                digits += view[g_start:g_end]
                if len(digits) > _MAX_DIGITS:
                    break
                kind = _kind(digits)
                if kind is None or _is_amount(view, start, g_end, style, plus):
                    continue
                # Set apart by spaces: not the middle of a longer number or code ("1.000000 100").
                left = seps[first - 1] if first > 0 else " "
                right = seps[last] if last < len(seps) else " "
                if left == right == " ":
                    best = (last, kind)
            if best is not None:
                found.append((start - 1 if plus else start, groups[best[0]][1], best[1]))
            first += 1
    return found


def redact(text: str) -> str:
    """Replace e-mail addresses, phone numbers, CMND/CCCD numbers and long digit runs with placeholders.

    Dossier codes and procedure codes are kept (they identify the case, not the person), and so are
    dates and amounts.
    """
    view = _view(text)
    spans: list[tuple[int, int, str]] = []
    taken = bytearray(len(view))

    def add(start: int, end: int, mark: str) -> None:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            spans.append((start, end, mark))

    for start, end in _emails(view):
        add(start, end, EMAIL_MARK)
        # Numbers are read around an address, not into it.
        view = view[:start] + "\x00" * (end - start) + view[end:]
    # Numbers written in groups and the plain patterns, the longest reading first: "001 099 012 345"
    # is one ID number, not a phone "001 099 012" followed by 345.
    numbers = _grouped_numbers(view)
    for pattern, mark in ((PHONE, PHONE_MARK), (ID_NUMBER, ID_MARK)):
        numbers += [(m.start(), m.end(), mark) for m in pattern.finditer(view)]
    for start, end, mark in sorted(numbers, key=lambda span: (span[0] - span[1], span[0])):
        add(start, end, mark)
    for match in _LONG_DIGITS_RE.finditer(view):
        add(match.start(), match.end(), NUMBER_MARK)
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end, mark in sorted(spans):
        parts.append(text[position:start])
        parts.append(mark)
        position = end
    parts.append(text[position:])
    return "".join(parts)
