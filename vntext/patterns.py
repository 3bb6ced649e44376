"""Compiled patterns for spans that must stay whole in Vietnamese text (standard library only).

Citizens type dossier codes, procedure codes, ID numbers, phone numbers, dates and amounts, and a
word segmenter tears them apart (underthesea turns ``000.00.12.H37-221012-0001`` into three pieces).
The tokenizer in ``bot/`` protects these spans before segmenting, and the knowledge base recognises
the same spans when it searches; keeping the patterns here, free of third-party imports, lets both
environments share one definition.

Every pattern is meant to run on NFC text and carries its own boundaries: a match never starts or
ends inside a longer alphanumeric run, nor right next to a connector (``.``, ``-``, ``/``)
that continues it, so ``PROCEDURE_CODE`` does not match the front of ``1.001193.5``. Because of
those boundaries a code-like run is taken whole by the first pattern in ``PROTECTED_PATTERNS``
that covers it all, or by none.

>>> [(span.kind, span.text) for span in find_protected("mã hồ sơ 000.00.12.H37-251012-0001 nhé")]
[('DOSSIER_CODE', '000.00.12.H37-251012-0001')]
>>> PHONE.search("gọi 0912 345 678 giúp em").group()
'0912 345 678'
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = [
    "AMOUNT",
    "DATE",
    "DOSSIER_CODE",
    "ID_NUMBER",
    "PHONE",
    "PROCEDURE_CODE",
    "PROTECTED_PATTERNS",
    "PROTECTED_RE",
    "ProtectedSpan",
    "find_protected",
]

# Not inside a longer alphanumeric run, and not continuing one through a connector
# ("A-1.001193" must not yield a procedure code), nor through an escape sequence: in
# "000.00.12.H37\u002d251012\u002d0005" (a code with its dashes escaped, as in a typed
# `/inform{...}` probe) "000.00.12.H37" is the start of a token, not a dossier code.
_START = r"(?<![^\W_])(?<![^\W_][./\-])"
_END = r"(?![^\W_])(?![./\-][^\W_])(?!\\[uUxX0-9])"

_PHONE_PREFIX = r"(?:(?:\+|00)84[ .\-]?|0)"

# Each source is a plain (unanchored) regex without groups of its own, so they can be combined
# into one alternation with named groups below.
_SOURCES: dict[str, str] = {
    # Full dates: 12/10/2025, 12-10-2025, 12.10.2025, 12/10/25 and ISO 2025-10-12. One separator
    # style per date, so "12/10-2025" is not a date.
    "DATE": (
        r"(?:[0-9]{1,2}/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2})"
        r"|[0-9]{1,2}-[0-9]{1,2}-(?:[0-9]{4}|[0-9]{2})"
        r"|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})"
    ),
    # Vietnamese phone numbers: 10-digit mobiles and 11-digit landlines, with 0, +84 or 0084,
    # written solid (0912345678) or in groups separated by one space, dot or dash
    # (0912 345 678, 0912.345.678, +84 912 345 678, 091 234 5678, 024 3825 1234).
    # Groups need a separator each, so a solid 9-digit ID number starting with 0 is not a phone.
    "PHONE": (
        r"(?:0[0-9]{9,10}"
        r"|(?:\+|00)84[ .\-]?[0-9]{9,10}"
        rf"|{_PHONE_PREFIX}[0-9]{{2,3}}[ .\-][0-9]{{3}}[ .\-][0-9]{{3,4}}"
        rf"|{_PHONE_PREFIX}[0-9]{{2,3}}[ .\-][0-9]{{4}}[ .\-][0-9]{{3,4}}"
        rf"|{_PHONE_PREFIX}[0-9]{{3}}[ .\-][0-9]{{6}})"
    ),
    # National procedure codes from the public-service portal: 1.001193, 2.000123.
    "PROCEDURE_CODE": r"[0-9]\.[0-9]{6}",
    # ID numbers: 9-digit CMND and 12-digit CCCD, solid only (grouped digits are too ambiguous).
    "ID_NUMBER": r"(?:[0-9]{12}|[0-9]{9})",
    # Amounts need a currency or magnitude unit, otherwise a bare number is just a number:
    # 50.000đ, 50.000 đồng, 50,000 VND, 1,5 triệu, 500 nghìn đồng, 50k, also typed without
    # diacritics (50.000 dong, 2 trieu). "d" alone counts only when attached (50.000d). At most
    # one space (or no-break space) before a unit, never a line break.
    "AMOUNT": (
        r"(?:[0-9]{1,3}(?:[.,][0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:[.,][0-9]+)?)"
        r"(?i:"
        r"[ \u00a0]?(?:nghìn|nghin|ngàn|ngan|triệu|trieu|tỷ|tỉ|tr|k)"
        r"(?:[ \u00a0]?(?:đồng|dong|vnđ|vnd|đ))?"
        r"|[ \u00a0]?(?:đồng|dong|vnđ|vnd|đ)"
        r"|d"
        r")"
    ),
    # Dossier (hồ sơ) codes vary by province and system: 000.00.12.H37-251012-0001,
    # H37.99-251012-0001. Be liberal: three or more alphanumeric segments joined by "." or "-",
    # with a digit somewhere and a letter or a dash somewhere (so plain "50.000.000" stays a
    # number). Listed last so dates, phones and procedure codes keep their own kind.
    "DOSSIER_CODE": (
        r"(?=[0-9A-Za-zĐđ.\-]*[0-9])(?=[0-9A-Za-zĐđ.\-]*[A-Za-zĐđ\-])"
        r"[0-9A-Za-zĐđ]+(?:[.\-][0-9A-Za-zĐđ]+){2,}"
    ),
}


def _bounded(source: str) -> str:
    return f"{_START}(?:{source}){_END}"


DATE: re.Pattern[str] = re.compile(_bounded(_SOURCES["DATE"]))
PHONE: re.Pattern[str] = re.compile(_bounded(_SOURCES["PHONE"]))
PROCEDURE_CODE: re.Pattern[str] = re.compile(_bounded(_SOURCES["PROCEDURE_CODE"]))
ID_NUMBER: re.Pattern[str] = re.compile(_bounded(_SOURCES["ID_NUMBER"]))
AMOUNT: re.Pattern[str] = re.compile(_bounded(_SOURCES["AMOUNT"]))
DOSSIER_CODE: re.Pattern[str] = re.compile(_bounded(_SOURCES["DOSSIER_CODE"]))

#: The protected patterns in priority order: where two could cover the same run, the earlier wins.
PROTECTED_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DATE", DATE),
    ("PHONE", PHONE),
    ("PROCEDURE_CODE", PROCEDURE_CODE),
    ("ID_NUMBER", ID_NUMBER),
    ("AMOUNT", AMOUNT),
    ("DOSSIER_CODE", DOSSIER_CODE),
)

#: All protected patterns in one alternation (one scan per text); the group name is the kind.
PROTECTED_RE: re.Pattern[str] = re.compile(
    "|".join(f"(?P<{kind}>{_bounded(_SOURCES[kind])})" for kind, _ in PROTECTED_PATTERNS)
)


class ProtectedSpan(NamedTuple):
    """A span of text that must stay one token."""

    kind: str
    start: int
    end: int
    text: str


def find_protected(text: str) -> list[ProtectedSpan]:
    """Return the protected spans of `text`, left to right and non-overlapping.

    Args:
        text: NFC text (the patterns are written for composed characters).

    Returns:
        One `ProtectedSpan` per match, with character offsets into `text`.
    """
    return [
        ProtectedSpan(match.lastgroup or "", match.start(), match.end(), match.group())
        for match in PROTECTED_RE.finditer(text)
    ]
