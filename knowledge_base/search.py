"""Finding procedures from a citizen's words.

Citizens type without diacritics, with abbreviations, typos and in any order, use everyday words
("sổ đỏ", "bằng lái", "làm", "mất") instead of the official ones, and wrap the procedure's name in a
question ("dang ky khai sinh can giay to gi"). The search works on folded syllables (no diacritics,
đ == d, lower case) and scores every procedure name against the query:

* The query is cut into *concepts*: a word, a phrase with everyday wordings (`ACTION_SYNONYMS`,
  `THING_SYNONYMS`: "sổ đỏ" may also be "giấy chứng nhận quyền sử dụng đất"), or the bigram joining
  two neighbours. A concept is worth what its commonest wording among the names is worth (idf), and
  a name matches it as well as its best-matching wording; the citizen's own wording counts most.
* Words saying what the citizen wants to know ("cần giấy tờ gì", "bao lâu") or making conversation
  are *soft*: they weigh little and never select a procedure. A query whose hard words are only
  vague ones ("làm", "đăng ký", "mất") names no procedure and finds nothing, so a follow-up question
  keeps the conversation's procedure.
* A name scores by how much of the query it covers and how much of itself the query covers. Clauses
  that narrow a procedure ("đối với ...", "trong trường hợp ...", the channel it is done through)
  count less, and of a list of actions ("thay đổi, cải chính, bổ sung ...") only the one asked counts.
* A name that only modifies a grant ("Thu hồi", "Cấp lại", "Gia hạn ...") is demoted when the query
  does not ask for that, and a name is demoted when the query asks for such an action it lacks.
  Among near-ties the level a citizen normally goes to comes first (xã, then tỉnh), unless the query
  names a level ("cấp tỉnh", "trung ương").
* Staff-editable aliases (the `alias` table) are names citizens use for a procedure: an alias found
  in the query (as written, or its words close together in any order) stands for that procedure's
  name over the words it spans.
* A syllable that is neither Vietnamese nor known is corrected to a name's syllable one edit away,
  preferring one that makes a known bigram with its neighbours.

The index is built in memory once per database and rebuilt when the procedures or aliases change.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.models import Alias, Procedure
from vntext import fold
from vntext.abbreviations import ABBREVIATIONS, expand

_SYLLABLE = re.compile(r"[a-z0-9]+")
# Long messages are cut: a procedure is named in a few words, and the cost must stay bounded.
_MAX_QUERY_CHARS = 600
_MAX_QUERY_SYLLABLES = 40

# --- Procedure names ---------------------------------------------------------------------------

# Level notes: "(thực hiện tại cấp tỉnh)", "(cấp xã)", "... thực hiện tại cấp trung ương, cấp tỉnh,
# cấp xã". They tell levels apart, which the `levels` column already does.
_LEVEL = r"cap (?:xa|tinh|bo|huyen|trung uong)"
_LEVEL_NOTE = re.compile(
    r"\((?:thay the - )?(?:thuc hien )?(?:(?:tai|o) )?" + _LEVEL + r"\)"
    r"|\(?thuc hien (?:tai|o) " + _LEVEL + r"(?:\s*,\s*" + _LEVEL + r")*\)?"
)
# "(trừ xe mô tô, xe gắn máy)" says what a procedure is *not* for: its words must not match.
_EXCLUSION_NOTE = re.compile(r"\(\s*tru [^)]*\)?")
# Where a name stops naming the procedure and starts narrowing it; the rest weighs less in how much
# of the name a query covers.
_QUALIFIER_START = re.compile(
    r"\b(?:doi voi|trong truong hop|trong cac truong hop|truong hop"
    r"|cho (?:nguoi|cong dan|to chuc|ca nhan|tre em|doanh nghiep|ho gia dinh)"
    r"|(?:thuc hien )?(?:bang|qua) dich vu cong|thuc hien (?:tai|o))\b|[;(:]"
)
_QUALIFIER_FACTOR = 0.2

# --- Query words -------------------------------------------------------------------------------

# What the citizen wants to know, not which procedure, and small talk: soft. Folded phrases.
# fmt: off
_SOFT_PHRASES = (
    # documents, time, fee, place, manner
    "can nhung giay to gi", "can giay to gi", "giay to gi", "nhung giay to", "can giay to", "giay to can",
    "thanh phan ho so", "ho so gom", "ho so can", "can ho so gi", "ho so gi", "ho so", "giay to",
    "mau don", "to khai mau", "mang theo gi", "can mang", "mang theo", "can nhung gi", "can gi",
    "chuan bi", "mat bao lau", "bao lau", "bao nhieu ngay", "may ngay", "mat may ngay", "thoi han",
    "thoi gian", "thoi gian giai quyet", "bao gio", "bao gio co", "khi nao", "mat phi", "le phi",
    "phi", "bao nhieu tien", "bao nhieu", "mat tien", "nop o dau", "nop ho so", "o dau", "tai dau",
    "lam o dau", "co quan nao", "ket qua", "tra ket qua", "nhan ket qua", "truc tuyen", "online",
    "qua mang", "truc tiep", "den", "qua buu dien", "buu chinh", "lam the nao", "lam the nao de",
    "the nao", "nhu the nao", "lam sao", "lam gi", "cach",
    "huong dan", "thu tuc", "xong", "nhanh", "gap", "dieu kien gi", "dieu kien la gi", "can dieu kien",
    "yeu cau gi", "ai duoc", "doi tuong nao", "phi bao nhieu", "het bao nhieu", "nguoi khac", "lam thay",
    "nho",
    # asking, wanting, addressing
    "toi muon", "toi can", "minh muon", "cho hoi", "xin hoi", "hoi", "giup", "muon", "can", "duoc khong",
    "duoc", "co the", "co phai", "phai", "nen", "co", "khong", "la gi", "gi", "nao", "ai", "thi sao",
    "toi", "minh", "em", "ban", "ad", "admin", "oi", "a", "ak", "ah", "ha", "nhe", "nhi", "vay", "di",
    "di lam", "roi", "nay",
    # small talk
    "xin chao", "chao", "cam on", "vang", "da", "ok", "oke", "alo", "hello", "hi",
    # joining words
    "con", "nhung", "cac", "nhieu", "ve", "cua", "cho", "o", "la", "voi", "de", "nhu", "va", "hay",
    "thi", "sang", "vao", "khi", "bi", "neu", "tai", "tai sao", "vay thi",
)
# fmt: on
_SOFT_WEIGHT = 0.12

# A level named in the query steers the ranking to procedures done at that level. Folded phrases.
# fmt: off
_LEVEL_PHRASES = {
    "xa": (
        "cap xa", "ubnd xa", "uy ban nhan dan xa", "uy ban xa", "tai xa", "xa phuong", "phuong xa",
        "cap phuong", "ubnd phuong", "uy ban nhan dan phuong", "o phuong", "tai phuong", "cong an xa",
        "cong an phuong",
    ),
    "tinh": ("cap tinh", "ubnd tinh", "uy ban nhan dan tinh", "o tinh", "tai tinh", "cong an tinh"),
    "bo": ("trung uong", "cap bo", "cap trung uong"),
}
# fmt: on
# Preferred among near-ties: the level a citizen normally goes to.
LEVEL_PREFERENCE = {"xa": 0.05, "tinh": 0.025, "bo": 0.0}
_LEVEL_ASKED_BONUS = 0.06

# Everyday wordings (folded) of what names say. A phrase found in the query may match a name through
# any of its wordings, and its own words still count. General usage, not answers to particular
# questions. Verbs first: on their own they name no procedure.
ACTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "lam": ("cap", "dang ky"),
    "xin": ("cap", "de nghi", "dang ky"),
    "lam moi": ("cap", "cap doi"),
    "lam lai": ("cap lai", "dang ky lai"),
    "xin lai": ("cap lai",),
    "mat": ("cap lai",),
    "bi mat": ("cap lai",),
    "danh mat": ("cap lai",),
    "that lac": ("cap lai", "bi mat"),
    "doi": ("cap doi",),
    "doi lai": ("cap doi",),
    "het han": ("gia han", "cap doi"),
    "sua": ("dieu chinh", "sua doi", "dinh chinh", "cai chinh"),
    "sua lai": ("dieu chinh", "dinh chinh", "cai chinh"),
    "sai": ("dinh chinh", "cai chinh"),
    "bi sai": ("dinh chinh", "cai chinh"),
    "huy": ("cham dut", "thu hoi", "huy bo"),
    "dong cua": ("cham dut hoat dong", "tam ngung"),
    "dong": ("cham dut", "tham gia"),
    "ngung": ("tam ngung", "cham dut"),
    "tam ngung": ("tam ngung", "tam dung"),
    "nghi": ("tam ngung", "cham dut"),
    "mo": ("thanh lap", "dang ky thanh lap"),
    "mo lai": ("tiep tuc", "hoat dong tro lai"),
    "rut": ("huong",),
    "lanh": ("huong",),
    "linh": ("huong",),
    "nhan": ("huong",),
    "tang": ("thay doi",),
    "giam": ("thay doi",),
    "bao": ("thong bao", "khai bao", "trinh bao"),
    "khai": ("khai bao", "dang ky"),
    "chuyen": ("chuyen doi", "thay doi"),
    "xac minh": ("xac nhan",),
    "kiem tra": ("kiem dinh", "tham dinh"),
    "tham duyet": ("tham dinh",),
    "sang ten": ("chuyen nhuong", "dang ky bien dong", "thay doi chu"),
    "mua ban": ("chuyen nhuong",),
    "cho tang": ("tang cho",),
    "de lai": ("thua ke", "tang cho"),
}
THING_SYNONYMS: dict[str, tuple[str, ...]] = {
    # civil status, residence, identity
    "doi ten": ("thay doi", "cai chinh", "thay doi thong tin ho tich"),
    "sua ten": ("thay doi", "cai chinh", "cai chinh thong tin ho tich"),
    "ngay sinh": ("thong tin ho tich",),
    "nam sinh": ("thong tin ho tich",),
    "ngay thang nam sinh": ("thong tin ho tich",),
    "que quan": ("thong tin ho tich",),
    "gioi tinh": ("thong tin ho tich",),
    "ho ten": ("thong tin ho tich",),
    "ten dem": ("thong tin ho tich",),
    "giay khai sinh": ("khai sinh",),
    "ban sao giay khai sinh": ("ban sao giay khai sinh", "trich luc"),
    "chung tu": ("khai tu",),
    "giay chung tu": ("khai tu",),
    "bao tu": ("khai tu",),
    "lay vo": ("ket hon",),
    "lay chong": ("ket hon",),
    "cuoi": ("ket hon",),
    "doc than": ("xac nhan tinh trang hon nhan",),
    "giay doc than": ("giay xac nhan tinh trang hon nhan",),
    "nhan nuoi": ("nuoi con nuoi",),
    "xin con nuoi": ("nuoi con nuoi",),
    "nhan con nuoi": ("nuoi con nuoi",),
    "nuoc ngoai": ("yeu to nuoc ngoai", "nguoi nuoc ngoai"),
    "nguoi nuoc ngoai": ("yeu to nuoc ngoai", "nguoi nuoc ngoai"),
    "viet kieu": ("nguoi viet nam dinh cu o nuoc ngoai", "yeu to nuoc ngoai"),
    "ly lich": ("ly lich tu phap",),
    "can cuoc cong dan": ("the can cuoc",),
    "can cuoc": ("the can cuoc",),
    "chung minh thu": ("chung minh nhan dan",),
    "cmt": ("chung minh nhan dan",),
    "can cuoc dien tu": ("dinh danh dien tu",),
    "vneid": ("dinh danh dien tu",),
    "passport": ("ho chieu",),
    "ho chieu gan chip": ("ho chieu",),
    "visa": ("thi thuc",),
    "ho khau": ("thuong tru",),
    "so ho khau": ("thuong tru",),
    "nhap ho khau": ("dang ky thuong tru",),
    "chuyen ho khau": ("dang ky thuong tru",),
    "cat ho khau": ("xoa dang ky thuong tru",),
    "cat khau": ("xoa dang ky thuong tru",),
    "tach ho khau": ("tach ho",),
    "tach khau": ("tach ho",),
    "ho khau tam": ("tam tru",),
    "doi chu ho": ("dieu chinh thong tin ve cu tru",),
    "thay doi chu ho": ("dieu chinh thong tin ve cu tru",),
    "nha tro": ("co so luu tru",),
    "nha nghi": ("co so luu tru",),
    "khach san": ("co so luu tru",),
    # land and housing
    "so do": ("giay chung nhan quyen su dung dat",),
    "so hong": ("giay chung nhan quyen su dung dat quyen so huu",),
    "so dat": ("giay chung nhan quyen su dung dat",),
    "so nha dat": ("giay chung nhan quyen su dung dat",),
    "bia do": ("giay chung nhan quyen su dung dat",),
    "giay to nha dat": ("giay chung nhan quyen su dung dat",),
    "nha dat": ("quyen su dung dat nha o", "dat dai"),
    "tho cu": ("dat o",),
    "dat tho cu": ("dat o",),
    "dat vuon": ("dat nong nghiep",),
    "dat ruong": ("dat nong nghiep",),
    "dat lua": ("dat trong lua", "dat nong nghiep"),
    "len tho cu": ("chuyen muc dich su dung dat",),
    "chuyen muc dich": ("chuyen muc dich su dung dat",),
    "tach so": ("tach thua",),
    "gop so": ("hop thua",),
    "the chap": ("bien phap bao dam",),
    "vay ngan hang": ("bien phap bao dam",),
    "thua ke": ("dang ky bien dong",),
    "mua dat": ("nhan chuyen nhuong quyen su dung dat",),
    "mua nha": ("nhan chuyen nhuong nha o",),
    "ban dat": ("chuyen nhuong quyen su dung dat",),
    "ban nha": ("chuyen nhuong nha o",),
    "thue nha": ("cho thue bat dong san", "thue nha o"),
    "cho thue nha": ("cho thue bat dong san",),
    "xay nha": ("xay dung nha o",),
    "sua nha": ("sua chua cai tao nha o",),
    "nha rieng": ("nha o rieng le",),
    "nha cap 4": ("nha o rieng le",),
    "giay phep xay nha": ("giay phep xay dung nha o",),
    "cap 1": ("cap i",),
    "cap 2": ("cap ii",),
    "cap 3": ("cap iii",),
    "cap 4": ("cap iv",),
    "chat cay": ("chat ha cay xanh",),
    # vehicles and driving
    "bang lai xe": ("giay phep lai xe",),
    "bang lai": ("giay phep lai xe",),
    "bang xe": ("giay phep lai xe",),
    "giay phep lai": ("giay phep lai xe",),
    "bang a1": ("giay phep lai xe",),
    "bang a2": ("giay phep lai xe",),
    "bang b1": ("giay phep lai xe",),
    "bang b2": ("giay phep lai xe",),
    "bang c": ("giay phep lai xe",),
    "thi bang": ("sat hach giay phep lai xe",),
    "hoc bang": ("sat hach giay phep lai xe",),
    "xe may": ("xe mo to xe gan may",),
    "moto": ("mo to",),
    "xe moto": ("xe mo to",),
    "oto": ("o to",),
    "xe oto": ("xe o to",),
    "xe hoi": ("xe o to",),
    "giay dang ky xe": ("chung nhan dang ky xe",),
    "giay to xe": ("chung nhan dang ky xe",),
    "cavet": ("chung nhan dang ky xe",),
    "cavet xe": ("chung nhan dang ky xe",),
    "ca vet": ("chung nhan dang ky xe",),
    "bien so": ("bien so xe",),
    "bien xe": ("bien so xe",),
    "dang kiem": ("kiem dinh",),
    # business and tax
    "cong ty": ("doanh nghiep",),
    "cong ty co phan": ("doanh nghiep", "cong ty co phan"),
    "cua hang": ("ho kinh doanh", "dia diem kinh doanh"),
    "ho ca the": ("ho kinh doanh",),
    "kinh doanh ca the": ("ho kinh doanh",),
    "giay phep kinh doanh": ("giay chung nhan dang ky ho kinh doanh", "giay chung nhan dang ky doanh nghiep"),
    "dang ky kinh doanh": ("dang ky ho kinh doanh", "dang ky doanh nghiep"),
    "mo quan": ("dang ky ho kinh doanh",),
    "quan an": ("ho kinh doanh",),
    "quan nuoc": ("ho kinh doanh",),
    "quan ca phe": ("ho kinh doanh",),
    "quan cafe": ("ho kinh doanh",),
    "tap hoa": ("ho kinh doanh",),
    "buon ban nho": ("ho kinh doanh",),
    "kinh doanh nho": ("ho kinh doanh",),
    "buon ban": ("kinh doanh",),
    "khac dau": ("mau con dau",),
    "khac con dau": ("mau con dau",),
    "dong thue": ("nop thue", "khai thue"),
    "thue dat": ("thue su dung dat", "tien su dung dat"),
    "no thue": ("tien thue no",),
    "giam tru gia canh": ("nguoi phu thuoc",),
    "ve sinh an toan thuc pham": ("an toan thuc pham",),
    "khai thac cat": ("khai thac khoang san",),
    # social insurance
    "bao hiem": ("bao hiem xa hoi", "bao hiem y te"),
    "bao hiem that nghiep": ("tro cap that nghiep",),
    "luong huu": ("luong huu", "huu tri"),
    "ve huu": ("huu tri", "luong huu"),
    "nghi huu": ("huu tri", "luong huu"),
    "sinh con": ("thai san",),
    "sinh de": ("thai san",),
    "om": ("om dau",),
    "om dau": ("om dau",),
    "mat viec": ("that nghiep",),
    "thoi viec": ("that nghiep",),
    "tien tuat": ("tu tuat",),
    "tro cap tuat": ("tu tuat",),
    "so ho ngheo": ("ho ngheo",),
    # attestation, justice, money
    "cong chung": ("chung thuc",),
    "ghi chu": ("ghi vao so ho tich",),
    "hop dong": ("giao dich",),
    "sao y": ("chung thuc ban sao",),
    "photo cong chung": ("chung thuc ban sao",),
    "dich thuat": ("nguoi dich",),
    "khai nhan di san": ("phan chia di san",),
    "chia thua ke": ("phan chia di san",),
    "chia di san": ("phan chia di san",),
    "tien rach": ("tien khong du tieu chuan luu thong",),
    "tien hu": ("tien khong du tieu chuan luu thong",),
    "tien gia": ("tien gia", "nghi gia"),
    "muc 1": ("muc do 1",),
    "muc 2": ("muc do 2",),
}
# A foreign country's name counts as "nước ngoài" too (short ones only with "nước": "pháp" is also
# in "tư pháp", "lào" in "lao động").
# fmt: off
for _country in (
    "han quoc", "trung quoc", "dai loan", "nhat ban", "hoa ky", "anh quoc", "canada", "campuchia",
    "thai lan", "singapore", "malaysia", "philippines", "indonesia", "hong kong", "ba lan", "tay ban nha",
    "ha lan", "nuoc my", "nuoc nhat", "nuoc phap", "nuoc duc", "nuoc uc", "nuoc lao", "nuoc nga", "nuoc y",
):
# fmt: on
    THING_SYNONYMS.setdefault(_country, ("nuoc ngoai", "yeu to nuoc ngoai", "nguoi nuoc ngoai"))

# Query words too vague to name a procedure on their own, besides the words of actions and the
# words in a tenth of all names ("cấp", "giấy", "đăng ký").
_VAGUE_WORDS = frozenset({"nop", "giai", "quyet", "hanh", "chinh", "lam", "xin", "can", "nghi", "tra"})

# --- Actions -----------------------------------------------------------------------------------

# Leading actions of names that change a thing already granted. Folded, longest first.
# fmt: off
_MODIFIER_ACTIONS = sorted(
    [
        "cap lai", "cap doi", "thu hoi", "gia han", "dieu chinh", "sua doi", "bo sung", "xoa", "cham dut",
        "tam ngung", "huy", "khoi phuc", "dinh chinh", "thay doi", "dang ky lai", "dang ky thay doi",
        "dang ky bien dong", "cai chinh", "giai the", "tra lai", "mien nhiem", "dinh chi", "rut",
        "xoa dang ky", "bo nhiem lai", "phe duyet dieu chinh", "chuyen doi", "hoan thue", "mien",
        "tiep tuc", "cap bo sung", "dung", "dung thuc hien", "tam dung", "thay the", "doi", "sua loi",
        "cap chuyen doi",
    ],
    key=len,
    reverse=True,
)
# fmt: on
# Leading actions that grant something: a name listing one needs no particular action asked.
_GRANT_ACTIONS = ("cap moi", "cap", "dang ky")
# Words that only carry an action ("cấp lại" is said by "lại" after "cấp").
_ACTION_FILLER = frozenset({"cap", "dang", "ky", "phe", "duyet"})
# Action words too ambiguous once folded to stand alone ("lại" is also "lái").
_ACTION_AMBIGUOUS = frozenset({"lai"})
# Actions a query may ask for, which a name must then say: unambiguous once folded, unlike "đổi"
# (also in "thay đổi") or "dừng" (also "sử dụng").
# fmt: off
_ASKED_ACTIONS = (
    "cap lai", "cap doi", "thu hoi", "gia han", "dieu chinh", "xoa", "cham dut", "tam ngung", "khoi phuc",
    "dinh chinh", "cai chinh", "dang ky lai", "giai the", "huy", "sua doi",
)
# fmt: on

# Words that only say an action: a query made of them ("gia hạn thì sao?") names no procedure.
_ACTION_WORDS = _VAGUE_WORDS.union(
    *(phrase.split() for phrase in (*_MODIFIER_ACTIONS, *_GRANT_ACTIONS)),
    *(key.split() for key in ACTION_SYNONYMS),
)

# --- Scoring -----------------------------------------------------------------------------------

_QUERY_COVERAGE = 0.62
_NAME_COVERAGE = 0.38
_ACTION_PENALTY = 0.1  # the name only modifies a grant, and the query does not ask for that
_ASKED_ACTION_PENALTY = 0.04  # the query asks for a modifying action the name does not say
_LEAD_BONUS = 0.03  # the name starts with words the query says ("Giải thể", "Đổi")
_ALIAS_BONUS = 0.05
_ALIAS_FLOOR = 0.5  # share of the alias bonus kept when the name itself says the alias's words
_ALIAS_GAP = 2  # words allowed between an alias's words
_ALIAS_LOOSE_FACTOR = 0.85  # an alias found out of order or with words between counts this much
_ALT_FACTOR = 0.9  # a name matching another wording than the citizen's own counts this much
_CORRECTED_FACTOR = 0.7  # a typo-corrected word is worth this much
_MAX_CONCEPT_WEIGHT = 9.0  # no phrase outweighs the rest of a query
_BIGRAM_FACTOR = 0.6  # a bigram is worth at most this much of its two words together
_TAIL_MATCH_FACTOR = 0.8  # a query word found only in a name's narrowing clause counts this much
_CANDIDATES = 60  # names scored in full, the best by the query's rarer words
_COMMON_FRACTION = 0.1  # words in this share of names only refine the ranking
_COMMON_MIN_DOCS = 20  # ... and in at least this many (a small index has no common words)
_SPECIFIC_NAMES = 8  # vague words name a procedure when no more names than this have them all


@dataclass(frozen=True)
class SearchHit:
    """One search result, best first in a result list."""

    code: str
    name: str
    level: str
    score: float


@dataclass
class _Concept:
    """A part of the query, which a name may match through any of its wordings."""

    alts: list[tuple[str, ...]]  # each wording's terms (syllables and inner bigrams), the citizen's first
    weights: list[float]  # each wording's total idf
    weight: float  # what matching it fully is worth
    hard: bool  # not a question word
    naming: bool  # could name a procedure on its own
    positions: frozenset[int]  # the query positions it covers
    verb: bool = False  # a verb of `ACTION_SYNONYMS` ("làm", "xin"): says nothing of which procedure


# --- Text helpers ------------------------------------------------------------------------------


def _syllables(folded: str) -> list[str]:
    # Numbers compare by value: "mức độ 02" is "mức 2".
    return [w.lstrip("0") or "0" if w.isdigit() else w for w in _SYLLABLE.findall(folded)]


def _bigram(a: str, b: str) -> str:
    return f"{a}_{b}"


def _phrase_terms(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(words) + tuple(_bigram(a, b) for a, b in pairwise(words))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_PhraseIndex = dict[str, list[tuple[tuple[str, ...], Any]]]


def _by_first_word(phrases: Iterable[tuple[tuple[str, ...], Any]]) -> _PhraseIndex:
    """Index phrases by their first syllable, longest first, for matching at each query position."""
    index: _PhraseIndex = defaultdict(list)
    for words, value in phrases:
        if words:
            index[words[0]].append((words, value))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return dict(index)


_NAME_ACRONYMS = {short: full for short, full in ABBREVIATIONS.items() if len(short) >= 3}


def _expand_name(folded: str) -> str:
    """Expand the acronyms a name uses ("BHXH", "TNHH"); chat shorthand ("k", "tt") is left alone."""
    return _SYLLABLE.sub(lambda m: _NAME_ACRONYMS.get(m.group(0), m.group(0)), folded)


def _split(phrase: str) -> tuple[str, ...]:
    return tuple(_syllables(phrase))


_SYNONYM_INDEX = _by_first_word(
    (_split(key), (key in ACTION_SYNONYMS, tuple(_split(alt) for alt in alts)))
    for key, alts in {**THING_SYNONYMS, **ACTION_SYNONYMS}.items()
)
_SOFT_INDEX = _by_first_word((_split(p), None) for p in _SOFT_PHRASES)
_LEVEL_INDEX = _by_first_word((_split(p), level) for level, ps in _LEVEL_PHRASES.items() for p in ps)


def _phrases_at(index: _PhraseIndex, words: list[str], i: int) -> Iterable[tuple[tuple[str, ...], Any]]:
    for phrase, value in index.get(words[i], ()):
        if tuple(words[i : i + len(phrase)]) == phrase:
            yield phrase, value


def _prepare(query: str) -> list[str]:
    return _syllables(expand(fold(query[:_MAX_QUERY_CHARS])))[:_MAX_QUERY_SYLLABLES]


def _soft_flags(words: list[str], known_bigrams: dict[str, float] | None = None) -> list[bool]:
    """Which words belong to a question, small-talk or level phrase (phrases may overlap).

    A soft phrase of one word is ambiguous once folded ("co" is "có" but also "cổ" in "cổ phần",
    "thi" is "thì" but also "thị" in "thị thực"): with `known_bigrams`, such a word followed by a
    hard word it forms a name's bigram with is not soft. (Not preceded: "khai sinh cho ..." is a
    name's bigram too, by chance.)
    """
    soft = [False] * len(words)
    single = [False] * len(words)
    for index in (_SOFT_INDEX, _LEVEL_INDEX):
        for i in range(len(words)):
            for phrase, _ in _phrases_at(index, words, i):
                for k in range(i, i + len(phrase)):
                    if len(phrase) > 1:
                        soft[k] = True
                    else:
                        single[k] = True
    hard = [not (s or one) for s, one in zip(soft, single, strict=True)]
    for k, word in enumerate(words):
        if single[k] and not soft[k]:
            soft[k] = known_bigrams is None or not (
                k + 1 < len(words) and hard[k + 1] and _bigram(word, words[k + 1]) in known_bigrams
            )
    return soft


def _asked_levels(words: list[str]) -> set[str]:
    return {level for i in range(len(words)) for _, level in _phrases_at(_LEVEL_INDEX, words, i)}


def normalise_query(query: str) -> list[tuple[str, bool]]:
    """Fold a query and expand abbreviations; return its syllables, each flagged as "soft".

    A soft syllable belongs to a phrase that says what the citizen wants to know ("cần giấy tờ gì",
    "bao lâu"), makes conversation, or names a level, rather than which procedure; it still counts,
    but little, because such words also occur in a few procedure names ("cấp giấy ...").
    """
    words = _prepare(query)
    return list(zip(words, _soft_flags(words), strict=True))


# Vietnamese syllable shapes (folded): a syllable that fits none is a typo or a foreign word.
_VIETNAMESE_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:a|ai|ao|au|ay|am|an|ang|anh|ap|at|ac|ach|e|eo|em|en|eng|ep|et|ec|ech|enh|eu|i|ia|iu|im|in|"
    r"inh|ip|it|ich|iem|ien|iep|iet|ieu|ieng|o|oa|oai|oay|oan|oang|oanh|oat|oac|oach|oam|oap|oe|oen|"
    r"oet|oeo|oi|om|on|ong|oong|op|ot|oc|ooc|u|ua|uan|uat|uay|uang|uanh|uac|uach|ue|uen|uet|uenh|ui|"
    r"um|un|ung|up|ut|uc|uy|uya|uyen|uyet|uynh|uyt|uych|uyu|uu|uoi|uom|uon|uong|uop|uot|uoc|uo|uau|"
    r"yeu|yen|yet|y)$"
)


def _action_terms(action: str) -> frozenset[str]:
    """The query terms that say `action`: its own words without "cấp"/"đăng ký" ("cap lai" -> "cap_lai")."""
    words = action.split()
    terms = set()
    for i, word in enumerate(words):
        if word in _ACTION_FILLER:
            continue
        terms.add(_bigram(words[i - 1], word) if word in _ACTION_AMBIGUOUS and i else word)
        if i and words[i - 1] not in _ACTION_FILLER:
            terms.add(_bigram(words[i - 1], word))
    return frozenset(terms or words)


_LEADING_ACTIONS = [(a, True) for a in _MODIFIER_ACTIONS] + [(a, False) for a in _GRANT_ACTIONS]


def _leading_actions(head: str) -> list[tuple[str, bool]]:
    """The actions a name starts with, each flagged True when it modifies a grant.

    "cap lai, doi, dieu chinh thong tin tren so ..." -> [("cap lai", True), ("doi", True),
    ("dieu chinh", True)].
    """
    actions: list[tuple[str, bool]] = []
    for item in re.split(r"\s*(?:,|/|\bva\b|\bhoac\b)\s*", head.strip()):
        words = _syllables(item)
        if not words:
            continue
        text = " ".join(words)
        action = next((a for a in _LEADING_ACTIONS if text == a[0] or text.startswith(a[0] + " ")), None)
        if action is None:
            break
        actions.append(action)
        if text != action[0]:
            break  # the action's object follows: the list of actions is over
    return actions


# --- The index ---------------------------------------------------------------------------------


class SearchIndex:
    """In-memory index over procedure names and aliases, rebuilt when the database changes."""

    def __init__(
        self, procedures: Iterable[tuple[str, str, str]], aliases: Iterable[tuple[str, str, float]] = ()
    ) -> None:
        """Build the index.

        Args:
            procedures: (code, name, levels) of every procedure; levels comma-separated ("xa,tinh").
            aliases: (alias, procedure code, weight); aliases of unknown codes are ignored.
        """
        self.codes: list[str] = []
        self.names: list[str] = []
        self.levels: list[list[str]] = []
        self.level_prior: list[float] = []
        self.idf: dict[str, float] = {}
        self.postings: dict[str, list[int]] = {}
        self.doc_terms: list[dict[str, float]] = []  # every term of a name -> how much a match counts
        self.doc_words: list[dict[str, float]] = []  # word -> weight in name coverage
        self.name_total: list[float] = []
        # doc -> weights of each action of the list a name starts with, when it lists several
        self.action_lists: dict[int, list[dict[str, float]]] = {}
        self.action_needs: list[tuple[frozenset[str], ...]] = []  # any one of these must be asked
        self.lead_terms: list[tuple[str, str]] = []  # a name's first bigram and first word
        self._build_names(list(procedures))
        self._build_aliases(aliases)
        self._build_vocabulary()

    @classmethod
    def from_session(cls, session: Session) -> SearchIndex:
        """Build the index from the procedures and aliases in the database."""
        procedures = session.execute(select(Procedure.code, Procedure.name, Procedure.levels)).all()
        aliases = session.execute(
            select(Alias.alias_folded, Procedure.code, Alias.weight).join(
                Procedure, Procedure.id == Alias.procedure_id
            )
        ).all()
        return cls([tuple(row) for row in procedures], [tuple(row) for row in aliases])

    def _build_names(self, procedures: list[tuple[str, str, str]]) -> None:
        factors_by_doc: list[dict[str, float]] = []
        action_words: dict[int, list[tuple[str, ...]]] = {}
        doc_freq: dict[str, int] = defaultdict(int)
        for doc, (code, name, levels) in enumerate(procedures):
            folded = _EXCLUSION_NOTE.sub(" ", _LEVEL_NOTE.sub(" ", fold(name)))
            folded = re.sub(r"^\s*thu tuc\b", " ", folded)
            cut = _QUALIFIER_START.search(folded)
            head_text = folded[: cut.start()] if cut else folded
            head = _syllables(_expand_name(head_text))
            tail = _syllables(_expand_name(folded[cut.start() :])) if cut else []
            factors: dict[str, float] = {}
            for words, factor in ((head, 1.0), (tail, _QUALIFIER_FACTOR)):
                for term in _phrase_terms(tuple(words)):
                    factors[term] = max(factors.get(term, 0.0), factor)
            if head and tail:
                factors.setdefault(_bigram(head[-1], tail[0]), _QUALIFIER_FACTOR)
            factors_by_doc.append(factors)
            for term in factors:
                doc_freq[term] += 1

            level_list = [level for level in levels.split(",") if level]
            self.codes.append(code)
            self.names.append(name)
            self.levels.append(level_list)
            self.level_prior.append(max((LEVEL_PREFERENCE.get(lv, 0.0) for lv in level_list), default=0.0))
            actions = _leading_actions(head_text)
            modifies_only = bool(actions) and all(modifies for _, modifies in actions)
            self.action_needs.append(tuple(_action_terms(a) for a, _ in actions) if modifies_only else ())
            if len(actions) > 1:
                action_words[doc] = [tuple(a.split()) for a, _ in actions]
            self.lead_terms.append((_bigram(*head[:2]) if len(head) > 1 else "", head[0] if head else ""))

        n = max(len(procedures), 1)
        self.idf = {term: math.log(1 + n / df) for term, df in doc_freq.items()}
        self._common_idf = math.log(1 + n / max(_COMMON_FRACTION * n, _COMMON_MIN_DOCS))
        postings: dict[str, list[int]] = defaultdict(list)
        for doc, factors in enumerate(factors_by_doc):
            for term in factors:
                postings[term].append(doc)
            # A query's word found only where the name narrows itself says less about the procedure.
            self.doc_terms.append({t: 1.0 if f == 1.0 else _TAIL_MATCH_FACTOR for t, f in factors.items()})
            # Name coverage counts words (bigrams would count each word twice); of a list of actions
            # ("thay đổi, cải chính, bổ sung ..."), only the best-covered one counts.
            weighted = {t: self.idf[t] * f for t, f in factors.items() if "_" not in t}
            total = 0.0
            if doc in action_words:
                groups = [{w: weighted.get(w, 0.0) for w in action} for action in action_words[doc]]
                listed = {w for action in action_words[doc] for w in action}
                weighted = {w: v for w, v in weighted.items() if w not in listed}
                self.action_lists[doc] = groups
                total = max(sum(g.values()) for g in groups)
            self.doc_words.append(weighted)
            self.name_total.append((total + sum(weighted.values())) or 1.0)
        self.postings = dict(postings)

    def _build_aliases(self, aliases: Iterable[tuple[str, str, float]]) -> None:
        position = {code: doc for doc, code in enumerate(self.codes)}
        targets: dict[tuple[str, ...], dict[int, float]] = defaultdict(dict)
        for alias, code, weight in aliases:
            words = tuple(_syllables(expand(fold(alias))))
            if words and code in position and weight is not None and weight > 0:  # 0 switches it off
                doc = position[code]
                targets[words][doc] = max(targets[words].get(doc, 0.0), float(weight))
        # Each alias under each of its words, to find it in any order.
        self._aliases: dict[str, list[tuple[tuple[str, ...], tuple[tuple[int, float], ...]]]] = defaultdict(
            list
        )
        for words, by_doc in targets.items():
            for word in set(words):
                self._aliases[word].append((words, tuple(by_doc.items())))

    def _build_vocabulary(self) -> None:
        self._vocab = {t for t in self.idf if "_" not in t}
        known = set(self._vocab) | set(self._aliases)
        for key, alts in {**THING_SYNONYMS, **ACTION_SYNONYMS}.items():
            known.update(_split(key))
            for alt in alts:
                known.update(_split(alt))
        for phrase in _SOFT_PHRASES:
            known.update(_split(phrase))
        self._known = known
        self._delete_map: dict[str, set[str]] = defaultdict(set)
        for word in self._vocab:
            if len(word) >= 3 and not word.isdigit():
                for deleted in _deletes(word):
                    self._delete_map[deleted].add(word)

    # -- reading the query --------------------------------------------------------------------

    def _corrections(self, word: str, before: str | None, after: str | None) -> list[str]:
        """Name syllables one edit from `word` when it is unknown, likeliest first.

        A word that is not Vietnamese ("sih") is corrected to the likeliest candidate; a real
        syllable unknown to every name ("chiu" in "ho chiu") only to a candidate that makes a known
        bigram with a neighbour ("ho chieu"). `before`/`after` are the hard neighbours, if any.
        """
        if word in self._known or len(word) < 3 or word.isdigit():
            return []
        candidates = set(self._delete_map.get(word, ()))
        for deleted in _deletes(word):
            if deleted in self._vocab:
                candidates.add(deleted)
            candidates |= self._delete_map.get(deleted, set())

        def context(candidate: str) -> int:
            return (before is not None and _bigram(before, candidate) in self.idf) + (
                after is not None and _bigram(candidate, after) in self.idf
            )

        if _VIETNAMESE_SYLLABLE.match(word):
            candidates = {c for c in candidates if context(c)}
        # A known bigram with a neighbour first, then the commoner word.
        return sorted(candidates, key=lambda c: (-context(c), self.idf.get(c, 99.0)))[:2]

    def _concepts(
        self, words: list[str], soft: list[bool], corrected: dict[int, list[str]]
    ) -> list[_Concept]:
        # Units: synonym phrases (longest first), corrected words, plain words.
        # (wordings, hard, naming, positions, corrected, a verb)
        units: list[tuple[list[tuple[str, ...]], bool, bool, frozenset[int], bool, bool]] = []
        i = 0
        while i < len(words):
            match = next(iter(_phrases_at(_SYNONYM_INDEX, words, i)), None)
            if match is not None:
                phrase, (is_action, alternatives) = match
                j = i + len(phrase)
                hard = not all(soft[i:j])
                alts = [phrase, *alternatives] if hard else [phrase]
                naming = hard and not is_action
                units.append((alts, hard, naming, frozenset(range(i, j)), False, is_action))
                i = j
                continue
            alts = [(w,) for w in corrected[i]] if i in corrected else [(words[i],)]
            naming = not soft[i] and any(
                self.idf.get(a[0], 0.0) >= self._common_idf and a[0] not in _ACTION_WORDS for a in alts
            )
            units.append((alts, not soft[i], naming, frozenset({i}), i in corrected, False))
            i += 1

        concepts: list[_Concept] = []
        for k, (alts, hard, naming, positions, was_corrected, verb) in enumerate(units):
            concepts.append(
                self._concept([_phrase_terms(a) for a in alts], hard, naming, positions, was_corrected)
            )
            concepts[-1].verb = verb
            if k + 1 == len(units):
                break
            next_alts, next_hard, _, next_positions, next_corrected, _ = units[k + 1]
            bigrams = [
                b
                for b in dict.fromkeys(_bigram(a[-1], b[0]) for a in alts for b in next_alts)
                if b in self.idf
            ]
            if not bigrams:
                continue
            both_hard = hard and next_hard
            concept = self._concept(
                [(b,) for b in bigrams],
                both_hard,
                # A rare bigram ("khai tử") names a procedure as a phrase does, unless it only says an
                # action ("cấp lại").
                both_hard
                and max(self.idf[b] for b in bigrams) >= self._common_idf
                and not (
                    all(a[-1] in _ACTION_WORDS for a in alts)
                    and all(b[0] in _ACTION_WORDS for b in next_alts)
                ),
                positions | next_positions,
                was_corrected or next_corrected,
            )
            # A bigram mostly confirms its two words; two common words side by side ("trong giấy")
            # are rare only by chance.
            words_worth = max(
                self.idf.get(a[-1], 0.0) + self.idf.get(b[0], 0.0) for a in alts for b in next_alts
            )
            concept.weight = min(concept.weight, _BIGRAM_FACTOR * words_worth)
            concepts.append(concept)
        return [c for c in concepts if c.weight > 0]

    def _concept(
        self,
        alts: list[tuple[str, ...]],
        hard: bool,
        naming: bool,
        positions: frozenset[int],
        was_corrected: bool,
    ) -> _Concept:
        idf = self.idf
        kept, weights = [], []
        for terms in alts:
            weight = sum(idf.get(t, 0.0) for t in terms)
            if weight > 0:
                kept.append(terms)
                weights.append(weight)
        # Worth its commonest wording found in names: "làm" is as vague as "cấp"; "sổ đỏ", absent
        # from names, is worth its official wording.
        real = [w for terms, w in zip(kept, weights, strict=True) if all(t in idf for t in terms)]
        worth = min(min(real) if real else max(weights, default=0.0), _MAX_CONCEPT_WEIGHT)
        if not hard:
            worth *= _SOFT_WEIGHT
        if was_corrected:
            worth *= _CORRECTED_FACTOR
        return _Concept(
            alts=kept, weights=weights, weight=worth, hard=hard, naming=naming, positions=positions
        )

    def _alias_matches(
        self, words: list[str], soft: list[bool]
    ) -> list[tuple[frozenset[int], tuple[tuple[int, float], ...], float]]:
        """Aliases in the query: the positions of their words, their (doc, weight)s, and how surely."""
        matches = []
        seen: set[tuple[str, ...]] = set()
        for loose in (False, True):  # as written first, then out of order or with words between
            for i, word in enumerate(words):
                for phrase, targets in self._aliases.get(word, ()):
                    if phrase in seen:
                        continue
                    if loose:
                        positions = self._loose_match(phrase, words, i)
                        if positions is None:
                            continue
                    elif tuple(words[i : i + len(phrase)]) == phrase:
                        positions = frozenset(range(i, i + len(phrase)))
                    else:
                        continue
                    if all(soft[k] for k in positions):
                        continue
                    seen.add(phrase)
                    matches.append((positions, targets, _ALIAS_LOOSE_FACTOR if loose else 1.0))
        return matches

    @staticmethod
    def _loose_match(phrase: tuple[str, ...], words: list[str], start: int) -> frozenset[int] | None:
        """Positions of `phrase`'s words in a short window of `words` from `start`, if all are there."""
        window = range(start, min(len(words), start + len(phrase) + _ALIAS_GAP))
        positions: set[int] = set()
        for word in phrase:
            k = next((k for k in window if words[k] == word and k not in positions), None)
            if k is None:
                return None
            positions.add(k)
        return frozenset(positions)

    def _few_names_say_all(self, concepts: list[_Concept]) -> bool:
        """Whether the query's hard words, each vague, together fit only a few names ("gia hạn nộp thuế")."""
        found: set[int] | None = None
        for concept in concepts:
            if not concept.hard or concept.verb or any("_" in t for terms in concept.alts for t in terms[:1]):
                continue  # question words, "làm"/"xin", and the bigrams joining words
            docs: set[int] = set()
            for terms in concept.alts:
                words = [t for t in terms if "_" not in t]
                docs |= set.intersection(*(set(self.postings.get(w, ())) for w in words)) if words else set()
            found = docs if found is None else found & docs
            if not found:
                return False
        return found is not None and len(found) <= _SPECIFIC_NAMES

    @staticmethod
    def _asked_actions(words: list[str], concepts: list[_Concept]) -> list[frozenset[str]]:
        """The modifying actions the query asks for, in its words or in another wording of them."""
        texts = [" " + " ".join(words) + " "]
        texts += [
            " " + " ".join(t for t in terms if "_" not in t) + " " for c in concepts for terms in c.alts[1:]
        ]
        return [_action_terms(a) for a in _ASKED_ACTIONS if any(f" {a} " in text for text in texts)]

    # -- searching ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Return up to `limit` procedures matching `query`, best first, with scores in [0, 1]."""
        if limit <= 0 or not query:
            return []
        words = _prepare(query)
        if not words:
            return []
        corrected: dict[int, list[str]] = {}
        question = _soft_flags(words)
        for i, word in enumerate(words):
            before = words[i - 1] if i and not question[i - 1] else None
            after = words[i + 1] if i + 1 < len(words) and not question[i + 1] else None
            fixes = self._corrections(word, before, after)
            if fixes:
                corrected[i] = fixes
        words = [corrected[i][0] if i in corrected else w for i, w in enumerate(words)]
        soft = _soft_flags(words, self.idf)
        concepts = self._concepts(words, soft, corrected)
        alias_matches = self._alias_matches(words, soft)
        if (
            not alias_matches
            and not any(c.naming for c in concepts)
            and not self._few_names_say_all(concepts)
        ):
            return []  # only question words, small talk or vague words: no procedure is named

        idf = self.idf
        query_terms: set[str] = set()
        query_words: set[str] = set()  # the hard words, for name coverage
        weighted: list[tuple[str, float]] = []
        for concept in concepts:
            for terms, weight in zip(concept.alts, concept.weights, strict=True):
                query_terms.update(terms)
                if concept.hard:
                    query_words.update(t for t in terms if "_" not in t)
                    share = concept.weight / weight
                    weighted.extend((term, idf[term] * share) for term in terms if term in idf)

        # Pass 1, over the postings of the query's rarer hard terms: the candidates. Common words
        # ("cấp", "giấy", "đăng ký") only refine the ranking, unless the query has nothing rarer.
        rare = [(term, value) for term, value in weighted if idf[term] >= self._common_idf]
        rough: dict[int, float] = defaultdict(float)
        for term, value in rare or weighted:
            for doc in self.postings[term]:
                rough[doc] += value
        candidates = set(heapq.nlargest(_CANDIDATES, rough, key=rough.__getitem__))
        hard_total = sum(c.weight for c in concepts if c.hard) or 1.0
        aliased: dict[int, tuple[float, frozenset[int], float]] = {}  # doc -> weight, positions, spanned
        for positions, targets, factor in alias_matches:
            spanned = sum(c.weight for c in concepts if c.hard and c.positions <= positions)
            for doc, weight in targets:
                old_weight, old_positions, old_spanned = aliased.get(doc, (0.0, frozenset(), 0.0))
                aliased[doc] = (
                    max(old_weight, weight * factor),
                    old_positions | positions,
                    min(max(old_spanned, spanned), hard_total),
                )
        candidates.update(aliased)

        # Pass 2, exact, on the candidates.
        plan = [
            (
                c.weight,
                c.positions,
                [
                    ([(t, idf[t]) for t in terms if t in idf], w / (1.0 if k == 0 else _ALT_FACTOR))
                    for k, (terms, w) in enumerate(zip(c.alts, c.weights, strict=True))
                ],
            )
            for c in concepts
        ]
        total = sum(c.weight for c in concepts) or 1.0
        asked = self._asked_actions(words, concepts)
        levels_asked = _asked_levels(words)
        scored: list[tuple[float, float, str, int]] = []  # rank, score, code, doc
        for doc in candidates:
            terms_in_name = self.doc_terms[doc]
            alias = aliased.get(doc)
            covered = spanned = spanned_by_name = 0.0
            for weight, positions, alts in plan:
                best = 0.0
                for pairs, alt_weight in alts:
                    got = 0.0
                    for term, value in pairs:
                        factor = terms_in_name.get(term, 0.0)
                        if factor:
                            got += value * factor
                    if got > best * alt_weight:
                        best = got / alt_weight
                best = min(best, 1.0)
                if alias and positions <= alias[1]:
                    spanned += weight
                    spanned_by_name += weight * best
                    best = 1.0
                covered += weight * best
            query_cov = min(covered / total, 1.0)

            name_words = self.doc_words[doc]
            matched = sum(name_words.get(w, 0.0) for w in query_words)
            if doc in self.action_lists:
                matched += max(
                    sum(v for w, v in g.items() if w in query_words) for g in self.action_lists[doc]
                )
            name_cov = min(matched / self.name_total[doc], 1.0)
            if alias:
                # An alias is a name for the words it spans: the more of the query, the better; and
                # it matters most where the official name does not say what the citizen said.
                name_cov = max(name_cov, min(alias[0], 1.0) * math.sqrt(alias[2] / hard_total))
            score = _QUERY_COVERAGE * query_cov + _NAME_COVERAGE * name_cov
            if alias:
                gain = 1.0 - spanned_by_name / spanned if spanned else 0.0
                score += _ALIAS_BONUS * alias[0] * (_ALIAS_FLOOR + (1.0 - _ALIAS_FLOOR) * gain)

            lead_bigram, lead_word = self.lead_terms[doc]
            if lead_bigram in query_terms:
                score += _LEAD_BONUS
            elif lead_word in query_terms:
                score += _LEAD_BONUS / 2
            needs = self.action_needs[doc]
            if needs and not any(need <= query_terms for need in needs):
                score -= _ACTION_PENALTY
            if asked and not any(need <= terms_in_name.keys() for need in asked):
                score -= _ASKED_ACTION_PENALTY
            rank = score * 0.96 + self.level_prior[doc]
            if levels_asked.intersection(self.levels[doc]):
                rank += _LEVEL_ASKED_BONUS
            scored.append((rank, score, self.codes[doc], doc))

        best_first = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], s[2]))
        # The reported score is the rank itself, so that scores never rise down the list.
        return [
            SearchHit(
                code=self.codes[doc],
                name=self.names[doc],
                level=",".join(self.levels[doc]),
                score=round(min(max(rank, 0.0), 1.0), 4),
            )
            for rank, _score, _code, doc in best_first
        ]


# --- Caching per database ----------------------------------------------------------------------

_cache_lock = threading.Lock()
_build_lock = threading.Lock()
# url -> (cheap signature, full signature, time of the last full check, index)
_cache: dict[str, tuple[tuple[object, ...], tuple[object, ...], float, SearchIndex]] = {}
# How often the import time (a scan of the procedure table) is re-read; aliases and the set of
# procedures are checked on every search.
_FULL_CHECK_SECONDS = 30.0


def _cheap_signature(session: Session) -> tuple[object, ...]:
    # One round trip, answered from indexes and the small alias table: procedures imported or
    # deleted, and aliases added, removed, re-weighted, re-pointed or re-worded all change it.
    statement = select(
        func.count(Alias.id),
        func.max(Alias.id),
        func.sum(Alias.weight),
        func.sum(Alias.procedure_id),
        func.sum(func.length(Alias.alias_folded)),
        select(func.count(Procedure.id)).scalar_subquery(),
        select(func.max(Procedure.id)).scalar_subquery(),
    )
    return tuple(session.execute(statement).one())


def _full_signature(session: Session) -> tuple[object, ...]:
    # A re-import that renames a procedure changes its import time.
    return tuple(session.execute(select(func.max(Procedure.imported_at))).one())


def get_index(session: Session) -> SearchIndex:
    """Return the search index for the session's database, rebuilding it after changes.

    Aliases and the set of procedures are checked on every call (one cheap query); a re-imported
    procedure's new name is noticed within `_FULL_CHECK_SECONDS`.
    """
    key = str(session.get_bind().engine.url)
    cheap = _cheap_signature(session)
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
    if cached and cached[0] == cheap:
        if now - cached[2] < _FULL_CHECK_SECONDS:
            return cached[3]
        full = _full_signature(session)
        if full == cached[1]:
            with _cache_lock:
                _cache[key] = (cheap, full, now, cached[3])
            return cached[3]
    else:
        full = _full_signature(session)
    with _build_lock:  # one build at a time: building is CPU-bound and memory-hungry
        index = SearchIndex.from_session(session)
    with _cache_lock:
        _cache[key] = (cheap, full, now, index)
    return index


def search_procedures(session: Session, query: str, limit: int = 5) -> list[SearchHit]:
    """Search procedures by a citizen's words; best first.

    Args:
        session: an open database session.
        query: the citizen's text (any case, with or without diacritics).
        limit: the maximum number of hits.

    Returns:
        Up to `limit` hits with scores in [0, 1]; none when the text names no procedure (only
        question words, small talk or vague verbs).
    """
    return get_index(session).search(query, limit)
