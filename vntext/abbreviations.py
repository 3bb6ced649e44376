"""Abbreviations and shorthand citizens type, mapped to folded (diacritic-free) full forms.

Keys and values are folded (see `vntext.fold`). Only unambiguous shorthand belongs here, including
acronyms of official terms (bhxh, mst, tnhh ...) that procedure names use too; everyday names of
procedures (sổ đỏ, làm căn cước ...) are aliases in the knowledge base, editable by staff.
"""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
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
    # Acronyms of official terms, as citizens and the names themselves write them.
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "bhtn": "bao hiem that nghiep",
    "mst": "ma so thue",
    "htx": "hop tac xa",
    "hkd": "ho kinh doanh",
    "gcn": "giay chung nhan",
    "gcnqsdd": "giay chung nhan quyen su dung dat",
    "qsdd": "quyen su dung dat",
    "gpxd": "giay phep xay dung",
    "gpkd": "giay phep kinh doanh",
    "gpld": "giay phep lao dong",
    "lltp": "ly lich tu phap",
    "pccc": "phong chay chua chay",
    "tncn": "thu nhap ca nhan",
    "tndn": "thu nhap doanh nghiep",
    "gtgt": "gia tri gia tang",
    "tnhh": "trach nhiem huu han",
    "cty": "cong ty",
    "antt": "an ninh trat tu",
    "dtm": "danh gia tac dong moi truong",
    "xnc": "xuat nhap canh",
    "sdd": "su dung dat",
}

_WORD = re.compile(r"[a-z0-9]+")


def expand(folded: str) -> str:
    """Replace whole-word abbreviations in an already folded text by their full folded forms."""
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)
