"""Abbreviations and shorthand citizens type, mapped to folded (diacritic-free) full forms.

Keys and values are folded (see `vntext.fold`). Only unambiguous shorthand belongs here; names of
procedures (cccd, gplx, sổ đỏ ...) are aliases in the knowledge base, editable by staff.
"""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hong": "khong",
    "khg": "khong",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "dc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "j": "gi",
    "ntn": "nhu the nao",
    "nhiu": "nhieu",
    "mk": "minh",
    "mik": "minh",
    "vs": "voi",
    "hs": "ho so",
    "tt": "thu tuc",
    "tthc": "thu tuc hanh chinh",
    "ubnd": "uy ban nhan dan",
    "dvc": "dich vu cong",
    "tg": "thoi gian",
    "onl": "online",
    "bik": "biet",
    "bt": "biet",
    "cmnd": "chung minh nhan dan",
    "cccd": "can cuoc cong dan",
    "gplx": "giay phep lai xe",
    "gks": "giay khai sinh",
    "dkkd": "dang ky kinh doanh",
}

_WORD = re.compile(r"[a-z0-9]+")


def expand(folded: str) -> str:
    """Replace whole-word abbreviations in an already folded text by their full folded forms."""
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)
