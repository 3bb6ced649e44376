"""Redaction catches every way a citizen writes a phone or an ID number, and keeps the rest (issue 17).

The probe found personal numbers in the logs written with fullwidth digits (０９１２…), in groups
with spaces, dots or slashes ("09 12 34 56 78", "001.099.012.345"). Hypothesis writes phone and
CCCD/CMND numbers every way here — digits fullwidth or not, grouped in twos, threes and fours, with
spaces (plain, no-break, ideographic), dots, dashes and slashes (ASCII or fullwidth) between the
groups, inside Vietnamese sentences — and checks that each comes out as exactly one placeholder
with the sentence around it untouched; and that dates, amounts, procedure codes and dossier codes
come out unchanged.
"""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vntext.redact import ID_MARK, PHONE_MARK, redact

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)

# One separator between every two groups of a number.
SEPARATORS = [
    " ",
    "  ",
    ".",
    "-",
    "/",
    " - ",
    " . ",
    " / ",
    "\u00a0",
    "\u202f",
    "\u3000",
    "．",
    "－",
    "／",
    "–",
]
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
PHONE_BEFORE = [
    "",
    "sđt ",
    "Số điện thoại của tôi là ",
    "gọi giúp em số: ",
    "liên hệ (",
    "zalo\u00a0",
    "SĐT:",
]
PHONE_AFTER = ["", " nhé", ".", ", cảm ơn", " ạ", ")", "\nxin cảm ơn"]
ID_BEFORE = ["", "CCCD ", "số căn cước: ", "Số định danh cá nhân là ", "cccd:", "mã số "]
ID_AFTER = ["", " ạ", ".", ", nhờ kiểm tra", " của tôi", "\n"]


def _digits(text: str) -> list[str]:
    return [c for c in text if unicodedata.decimal(c, None) is not None]


@st.composite
def grouped(draw: st.DrawFn, digits: str, *, smallest: int = 2) -> str:
    """`digits` in groups of `smallest` to 4 (or whole), one separator style, some digits fullwidth."""
    sizes: list[int] = []
    left = len(digits)
    whole = draw(st.booleans()) and draw(st.booleans())
    while left and not whole:
        size = draw(st.integers(smallest, 4))
        if left - size < smallest:
            size = left
        sizes.append(size)
        left -= size
    if whole:
        sizes = [len(digits)]
    groups, at = [], 0
    for size in sizes:
        groups.append(digits[at : at + size])
        at += size
    separator = draw(st.sampled_from(SEPARATORS))
    text = separator.join(groups)
    wide = draw(st.sampled_from(["none", "all", "some"]))
    if wide == "all":
        return "".join(FULLWIDTH.get(c, c) for c in text)
    if wide == "some":
        flags = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        return "".join(FULLWIDTH.get(c, c) if flag else c for c, flag in zip(text, flags, strict=True))
    return text


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A Vietnamese phone number (mobile: 10 digits; landline: 11, 02x) as people write it."""
    if draw(st.booleans()):
        national = "0" + draw(st.sampled_from("35789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    else:
        national = "02" + draw(st.text("0123456789", min_size=9, max_size=9))
    prefix = draw(st.sampled_from(["", "", "+84", "0084"]))
    if not prefix:
        return draw(grouped(national))
    rest = draw(grouped(national[1:]))
    return prefix + draw(st.sampled_from(["", " ", ".", "-", "\u00a0"])) + rest


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """A 12-digit CCCD (province code 001-096 first) or a 9-digit CMND, as people write it."""
    if draw(st.booleans()):
        digits = f"{draw(st.integers(1, 96)):03d}" + draw(st.text("0123456789", min_size=9, max_size=9))
    else:
        digits = "0" + draw(st.text("0123456789", min_size=8, max_size=8))
    return draw(grouped(digits, smallest=3))


@PROPERTY_SETTINGS
@given(st.sampled_from(PHONE_BEFORE), phones(), st.sampled_from(PHONE_AFTER))
@example("sđt ", "０９１２３４５６７８", " nhé")
@example("gọi ", "09 12 34 56 78", "")
@example("", "0912/345/678", ".")
@example("", "+84 912 345 678", "")
def test_every_written_form_of_a_phone_number_becomes_one_placeholder(
    before: str, phone: str, after: str
) -> None:
    assert redact(f"{before}{phone}{after}") == f"{before}{PHONE_MARK}{after}"


@PROPERTY_SETTINGS
@given(st.sampled_from(ID_BEFORE), id_numbers(), st.sampled_from(ID_AFTER))
@example("CCCD ", "001.099.012.345", "")
@example("", "001 099 012 345", " ạ")
@example("cccd:", "００１０９９０１２３４５", "")
def test_every_written_form_of_an_id_number_becomes_one_placeholder(
    before: str, number: str, after: str
) -> None:
    assert redact(f"{before}{number}{after}") == f"{before}{ID_MARK}{after}"


@st.composite
def dates(draw: st.DrawFn) -> str:
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(1990, 2030))
    return draw(
        st.sampled_from(
            [
                f"{day:02d}/{month:02d}/{year}",
                f"{day}/{month}/{year}",
                f"{day:02d}-{month:02d}-{year}",
                f"{day:02d}.{month:02d}.{year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{day:02d}/{month:02d}",
            ]
        )
    )


@st.composite
def amounts(draw: st.DrawFn) -> str:
    value = draw(st.integers(1, 999_999_999_999))
    written = f"{value:,}".replace(",", draw(st.sampled_from([".", ","])))
    return written + draw(st.sampled_from([" đồng", "đ", " VNĐ", " vnd", " đ", ""]))


@st.composite
def dossier_codes(draw: st.DrawFn) -> str:
    office = f"{draw(st.integers(0, 999)):03d}.{draw(st.integers(0, 99)):02d}.{draw(st.integers(0, 99)):02d}"
    province = f"H{draw(st.integers(10, 99))}"
    day = f"{draw(st.integers(20, 26)):02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    return f"{office}.{province}-{day}-{draw(st.integers(0, 9999)):04d}"


@st.composite
def procedure_codes(draw: st.DrawFn) -> str:
    code = f"{draw(st.integers(1, 3))}.{draw(st.integers(0, 999_999)):06d}"
    if draw(st.booleans()):
        code += f".000.00.00.H{draw(st.integers(10, 99))}"
    return code


ORDINARY = st.one_of(dates(), amounts(), dossier_codes(), procedure_codes())
GLUE = st.sampled_from([" ", ", ", " và ", "; ", " ngày ", " phí ", " mã ", "\n"])


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(ORDINARY, GLUE), min_size=1, max_size=5))
@example(
    [
        ("12/05/2024", " "),
        ("1.001234.000.00.00.H37", " "),
        ("000.00.12.H37-251012-0001", ", "),
        ("50.000 đồng", ""),
    ]
)
def test_dates_amounts_and_codes_are_kept(parts: list[tuple[str, str]]) -> None:
    text = "Hồ sơ nộp " + "".join(value + glue for value, glue in parts)
    assert redact(text) == text


@PROPERTY_SETTINGS
@given(st.sampled_from(PHONE_BEFORE), phones(), id_numbers(), dates(), dossier_codes())
def test_personal_numbers_go_and_the_case_stays_in_one_message(
    before: str, phone: str, number: str, date: str, code: str
) -> None:
    text = f"{before}{phone}, cccd {number}, hồ sơ {code} nộp ngày {date}"
    assert redact(text) == f"{before}{PHONE_MARK}, cccd {ID_MARK}, hồ sơ {code} nộp ngày {date}"


@PROPERTY_SETTINGS
@given(st.text(st.sampled_from("0123456789０１２３ .-/+@aĐđ,\u00a0\u3000\n"), max_size=60))
def test_redaction_never_adds_digits_and_is_stable(text: str) -> None:
    once = redact(text)
    assert len(_digits(once)) <= len(_digits(text))
    assert redact(once) == once
