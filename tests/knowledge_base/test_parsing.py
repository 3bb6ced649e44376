"""Tests of knowledge_base.parsing: hand-checked fixtures, unit tests and robustness properties.

Fixtures (fixtures/parsing/<code>.json) hold one raw record as scraped ("raw") and the parse
expected for it ("expected"), written by reading the raw text ("checked" says what was checked).
"expected" lists only what was checked: a key "x_startswith"/"x_endswith" compares a prefix/suffix
of field x (for long texts), list fields are compared item by item on the keys given, and
"doubtful" is the exact set of field names flagged doubtful.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge_base import parsing
from knowledge_base.parsing import (
    Channel,
    Document,
    LegalBasis,
    ParsedProcedure,
    clean_result,
    is_empty,
    parse_channels,
    parse_documents,
    parse_legal_bases,
    parse_record,
)

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "parsing").glob("*.json"))
CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
RESULT_UI = (
    "Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành"
    "-- Chọn Tỉnh/ Thành phố --Phường/ XãSở-- Chọn Phường/ Xã --Hệ thống chỉ hiển thị những cơ quan"
    " đã áp dụng dịch vụ công trực tuyếnNộp hồ sơ"
)


# ---------------------------------------------------------------------------------------------
# Fixture comparison


def _value(actual: Any, key: str) -> Any:
    return actual[key] if isinstance(actual, dict) else getattr(actual, key)


def _match(actual: Any, expected: Any, path: str) -> list[str]:
    """Return the differences between a parsed value and its (partial) expectation."""
    errors: list[str] = []
    if isinstance(expected, dict):
        for key, want in expected.items():
            where = f"{path}.{key}"
            if key == "doubtful":
                got = sorted(_value(actual, "doubtful"))
                if got != sorted(want):
                    errors.append(f"{where}: {got} != {sorted(want)} ({actual.doubtful})")
            elif key.endswith("_startswith") or key.endswith("_endswith"):
                name, _, mode = key.rpartition("_")
                got = _value(actual, name)
                pairs = list(zip(got, want, strict=False)) if isinstance(want, list) else [(got, want)]
                if isinstance(want, list) and len(got) != len(want):
                    errors.append(f"{where}: {len(got)} items != {len(want)}")
                for index, (item, prefix) in enumerate(pairs):
                    ok = item.startswith(prefix) if mode == "startswith" else item.endswith(prefix)
                    if not ok:
                        errors.append(f"{where}[{index}]: {item!r} does not {mode} {prefix!r}")
            else:
                errors.extend(_match(_value(actual, key), want, where))
    elif isinstance(expected, list):
        if len(actual) != len(expected):
            errors.append(f"{path}: {len(actual)} items != {len(expected)}")
        for index, (item, want) in enumerate(zip(actual, expected, strict=False)):
            errors.extend(_match(item, want, f"{path}[{index}]"))
    elif actual != expected:
        errors.append(f"{path}: {actual!r} != {expected!r}")
    return errors


def _strings(value: Any) -> list[str]:
    """Every string inside a parsed value (dataclasses, lists, dicts)."""
    if isinstance(value, str):
        return [value]
    if is_dataclass(value) and not isinstance(value, type):
        return _strings(asdict(value))
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_enough_hand_checked_fixtures() -> None:
    assert len(FIXTURES) >= 40
    required = {"1.001193", "1.000894", "1.004222", "1.001456", "1.001247", "2.000200"}
    assert required <= {path.stem for path in FIXTURES}
    for path in FIXTURES:
        fixture = json.loads(path.read_text(encoding="utf-8"))
        assert fixture["checked"].startswith("Reviewed by hand"), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture(path: Path) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_record(fixture["raw"])
    errors = _match(parsed, fixture["expected"], fixture["code"])
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture_output_is_clean(path: Path) -> None:
    """Every text is NFC and stripped, and nothing is a placeholder."""
    parsed = parse_record(json.loads(path.read_text(encoding="utf-8"))["raw"])
    for text in _strings(parsed):
        assert text == unicodedata.normalize("NFC", text)
        assert text == text.strip()
        assert "\u200e" not in text
    for name in ("implementing_agency", "related_procedures", "conditions", "result"):
        assert getattr(parsed, name) != "Không có thông tin"
    for doc in parsed.documents:
        assert doc.name and not doc.name.startswith(("- ", "+ "))


# ---------------------------------------------------------------------------------------------
# is_empty / clean_result


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "\n\t",
        "--",
        "----",
        " -- ",
        "Không có thông tin",
        "không có thông tin.",
        "Không",
        "Không.",
        "Không có",
        "Không quy định.",
    ],
)
def test_is_empty_placeholders(text: str | None) -> None:
    assert is_empty(text)


@pytest.mark.parametrize("text", ["0", "Miễn phí", "Không quá 05 ngày", "Bộ Công an", "- a"])
def test_is_empty_real_text(text: str) -> None:
    assert not is_empty(text)


def test_clean_result_cuts_ui_and_codes() -> None:
    assert clean_result(f"Giấy khai sinhMã: KQ.G15.000031{RESULT_UI}") == "Giấy khai sinh"
    two = "Giấy AMã: KQ.G04.000501Giấy B (xe)Mã: KQ.G04.000495Từ khóaKhông có thông tinMô tả--"
    assert clean_result(two) == "Giấy A\nGiấy B (xe)"


def test_clean_result_keeps_a_description() -> None:
    text = "Giấy phépMã: KQ.G1.1Từ khóaKhông có thông tinMô tảThời hạn của giấy phép là 10 năm."
    assert clean_result(text) == "Giấy phép\nThời hạn của giấy phép là 10 năm."


@pytest.mark.parametrize("text", ["", "Không có thông tin", "Từ khóaKhông có thông tinMô tả--"])
def test_clean_result_empty(text: str) -> None:
    assert clean_result(text) == ""


def test_clean_result_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Giấy khai sinhMã: KQ.G15.000031")
    assert clean_result(decomposed) == "Giấy khai sinh"


# ---------------------------------------------------------------------------------------------
# parse_channels


def _one(text: str) -> Channel:
    rows = parse_channels(CHANNEL_HEADER + text)
    assert len(rows) == 1, rows
    return rows[0]


def test_channels_free_without_unit() -> None:
    rows = parse_channels(CHANNEL_HEADER + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí")
    assert [r.channel for r in rows] == ["online", "postal", "direct"]
    assert all(
        (r.time_value, r.time_unit, r.fee_kind, r.fee_text) == (1.0, None, "free", "Miễn phí") for r in rows
    )


@pytest.mark.parametrize(
    ("cell", "value", "unit"),
    [
        ("5 Ngày làm việc", 5.0, "working_day"),
        ("15 Ngày", 15.0, "day"),
        ("8 Giờ", 8.0, "hour"),
        ("6 Tháng", 6.0, "month"),
        ("2 Năm", 2.0, "year"),
        ("1.5 Ngày làm việc", 1.5, "working_day"),
        ("Trong ngày", None, "in_day"),
        ("Không có thông tin", None, None),
        ("0", None, None),
    ],
)
def test_channel_time_units(cell: str, value: float | None, unit: str | None) -> None:
    row = _one(f"Trực tiếp{cell}Miễn phí")
    assert (row.time_value, row.time_unit) == (value, unit)
    assert row.fee_kind == "free"


def test_channel_free_text_time() -> None:
    row = _one("Trực tuyếnKhông quy địnhMiễn phíQua Cổng DVC Quốc gia")
    assert (row.time_text, row.time_value, row.fee_kind) == ("Không quy định", None, "free")
    assert row.description == "Qua Cổng DVC Quốc gia"


def test_channel_amount_with_note_and_description() -> None:
    row = _one("Trực tiếp7 Ngày làm việc20,000 Việt Nam Đồng(20.000 đồng/lần (Thông tư 75/2022))Nộp tại xã.")
    assert (row.fee_kind, row.fee_amount_vnd) == ("amount", 20000)
    assert row.fee_text == "20,000 Việt Nam Đồng(20.000 đồng/lần (Thông tư 75/2022))"
    assert row.description == "Nộp tại xã."
    assert row.fee_basis is None  # "Thông tư 75/2022" without its full number is not a citation to key on


def test_channel_unit_condition_and_fee_basis_from_the_description() -> None:
    row = _one(
        "Trực tiếp5Miễn phí(Thực hiện theo Thông tư số 244/2016/TT-BTC ngày 11/11/2016)"
        "Đối với xe ô tô: giải quyết trong 05 ngày làm việc."
    )
    assert (row.time_value, row.time_unit) == (5.0, "working_day")
    assert row.condition == "Đối với xe ô tô"
    assert row.fee_basis == "244/2016/TT-BTC"
    assert _one("Trực tiếp5Miễn phíNộp tại xã; trả kết quả sau 15 ngày.").time_unit is None


def test_steps_give_a_bare_time_its_unit() -> None:
    raw = {
        "cach_thuc_thuc_hien": "Trực tuyến3Miễn phí",
        "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ.\nBước 2: Trong thời hạn 03 ngày làm việc, cơ quan trả kết"
        " quả.",
    }
    assert parse_record(raw).channels[0].time_unit == "working_day"
    raw["trinh_tu_thuc_hien"] = "Bước 1: Nộp 3 bộ hồ sơ.\nBước 2: Điều 3 năm 2020."
    assert parse_record(raw).channels[0].time_unit is None


@pytest.mark.parametrize(
    ("fee", "kind", "amount"),
    [
        ("50,000 VNĐ", "amount", 50000),
        ("1.200.000 Đồng", "amount", 1200000),
        ("25 USD(25 USD/lần)", "text", None),
        # The portal shows some amounts in thousands: the note's "100.000 đồng" confirms the real one.
        ("100 VNĐ(100.000 đồng/lần)", "amount", 100000),
        ("100 VNĐ(theo biểu phí)", "text", None),  # nothing confirms it: not guessed
        ("Miễn phí(Không)", "free", None),
        ("Miễn phí(Miễn lệ phí.)", "free", None),
        ("Miễn phí(Mức thu do HĐND tỉnh quy định)", "text", None),
        ("Miễn phí(8.000.000/lần)", "text", None),
        ("Miễn phí(Phí: 10% giá trị hợp đồng)", "text", None),
        ("Không có thông tin", "none", None),
    ],
)
def test_channel_fee_kinds(fee: str, kind: str, amount: int | None) -> None:
    row = _one(f"Trực tuyến5 Ngày{fee}")
    assert (row.fee_kind, row.fee_amount_vnd) == (kind, amount)


def test_channel_time_glued_to_amount() -> None:
    row = _one("Trực tuyến1100 VNĐ(Phí công bố: 100.000 đồng/lần)")
    assert (row.time_value, row.time_unit, row.fee_kind, row.fee_amount_vnd) == (1.0, None, "amount", 100000)
    assert row.fee_text == "100 VNĐ(Phí công bố: 100.000 đồng/lần)"
    row = _one("Trực tiếp140,000 Việt Nam Đồng(- Xe ô tô)")
    assert (row.time_value, row.fee_kind, row.fee_amount_vnd) == (1.0, "amount", 40000)


def test_channel_words_inside_descriptions_do_not_start_rows() -> None:
    rows = parse_channels(
        CHANNEL_HEADER + "Trực tuyến5 Ngày làm việcMiễn phíTrực tuyến: nộp qua Cổng; Trực tiếp tại "
        "trụ sở.Dịch vụ bưu chính5 Ngày làm việcMiễn phí"
    )
    assert [r.channel for r in rows] == ["online", "postal"]
    assert rows[0].description == "Trực tuyến: nộp qua Cổng; Trực tiếp tại trụ sở."


def test_channel_same_channel_twice_is_kept() -> None:
    rows = parse_channels(CHANNEL_HEADER + "Trực tuyến3 NgàyMiễn phíCase ATrực tuyến10 NgàyMiễn phíCase B")
    assert [(r.channel, r.time_value, r.description) for r in rows] == [
        ("online", 3.0, "Case A"),
        ("online", 10.0, "Case B"),
    ]


@pytest.mark.parametrize("text", ["", "Không có thông tin", CHANNEL_HEADER, "--"])
def test_channels_empty(text: str) -> None:
    assert parse_channels(text) == []


def test_channel_doubts_are_reported() -> None:
    raw = {"ma_thu_tuc": "x", "cach_thuc_thuc_hien": CHANNEL_HEADER + "Trực tuyến220 VNĐ"}
    doubtful = parse_record(raw).doubtful
    assert "time unit missing" in doubtful["channels"]
    assert "implausibly small" in doubtful["channels"]


# ---------------------------------------------------------------------------------------------
# parse_documents


def test_documents_sections_counts_and_notes() -> None:
    text = (
        "* Giấy tờ phải nộp:" + DOC_HEADER + "- Tờ khai đăng ký khai sinh theo mẫu;1 bản chính"
        "+ Bản sao có chứng thực giấy chứng sinh0 bản chính,1 bản sao"
        "Trường hợp đã nộp bản điện tử thì không phải nộp bản giấy.0 bản chính"
        "* Giấy tờ phải xuất trình:" + DOC_HEADER + "Hộ chiếu1 bản chính"
        "* Lưu ý:" + DOC_HEADER + "Người tiếp nhận kiểm tra hồ sơ.0 bản chính"
    )
    docs = parse_documents(text)
    assert [(d.section, d.quantity, d.kind, d.is_note) for d in docs] == [
        ("submit", 1, "original", False),
        ("submit", 1, "certified_copy", False),
        ("submit", 0, None, True),
        ("present", 1, "original", False),
        ("note", 0, None, True),
    ]
    assert docs[0].name == "Tờ khai đăng ký khai sinh theo mẫu;"
    assert docs[2].case == "Trường hợp đã nộp bản điện tử"


def test_documents_case_tables_and_forms() -> None:
    text = (
        "- Trường hợp ủy quyền:" + DOC_HEADER + "Văn bản ủy quyền theo mẫu.Mau UQ (1).docx1 bản chính"
        "Đăng ký trực tuyến" + DOC_HEADER + "Tờ khai điện tửMẫu A.docxMẫu B.pdf1 bản chính,1 bản sao"
    )
    docs = parse_documents(text)
    assert [(d.case, d.form_name, d.quantity, d.kind) for d in docs] == [
        ("Trường hợp ủy quyền", "Mau UQ (1).docx", 1, "original"),
        ("Đăng ký trực tuyến", "Mẫu A.docx; Mẫu B.pdf", 1, None),
    ]
    assert docs[0].name == "Văn bản ủy quyền theo mẫu."


@pytest.mark.parametrize(
    ("row", "name", "form"),
    [
        (
            "Tờ khai (mẫu TK01) của Bộ Công an)Mẫu TK01.doc",
            "Tờ khai (mẫu TK01) của Bộ Công an)",
            "Mẫu TK01.doc",
        ),
        (
            "Bản khai theo mẫuMauBankhaichung.docxMauDanhsach.docx",
            "Bản khai theo mẫu",
            "MauBankhaichung.docx; MauDanhsach.docx",
        ),
        (
            "Đơn đề nghị cấp phép theo mẫu thống nhấtMẫu TP-LS-02.docx",
            "Đơn đề nghị cấp phép theo mẫu thống nhất",
            "Mẫu TP-LS-02.docx",
        ),
        (
            "Văn bản theo Nghị định số 32/2026/NĐ-CPmau so 09.QLT.GHNK.docx",
            "Văn bản theo Nghị định số 32/2026/NĐ-CP",
            "mau so 09.QLT.GHNK.docx",
        ),
        (
            "Đơn theo Phụ lục I Thông tư số 39/2025/TT-NHNN.PHLCI.docx",
            "Đơn theo Phụ lục I Thông tư số 39/2025/TT-NHNN.",
            "PHLCI.docx",
        ),
        ("Đơn (song ngữ);12.CpmiCpli (1).docx", "Đơn (song ngữ);", "12.CpmiCpli (1).docx"),
    ],
)
def test_document_form_file_boundaries(row: str, name: str, form: str) -> None:
    (doc,) = parse_documents("--" + DOC_HEADER + row + "1 bản chính")
    assert (doc.name, doc.form_name) == (name, form)


def test_document_counts_inside_text_do_not_split_rows() -> None:
    text = (
        "--" + DOC_HEADER + "Hóa đơn thương mại: 01 bản chụp;0 bản chính,1 bản sao"
        "Giấy phép nhập khẩu: 01 bản chính1 bản chính"
        "Văn bản theo Nghị định ngày 24/07/20231 bản chính"
    )
    docs = parse_documents(text)
    assert [(d.name, d.quantity) for d in docs] == [
        ("Hóa đơn thương mại: 01 bản chụp;", 1),
        ("Giấy phép nhập khẩu: 01 bản chính", 1),
        ("Văn bản theo Nghị định ngày 24/07/2023", 1),
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Bản sao có chứng thực Giấy khai sinh", "certified_copy"),
        ("Bản chụp hộ chiếu", "photo"),
        ("Bản sao hoặc bản sao điện tử giấy phép", "copy"),
        ("Bản chính hoặc bản sao giấy phép", "original"),  # two kinds named: the count decides
        ("Giấy phép", "original"),
    ],
)
def test_document_kind_from_text(name: str, kind: str) -> None:
    (doc,) = parse_documents("--" + DOC_HEADER + name + "1 bản chính")
    assert doc.kind == kind


@pytest.mark.parametrize("text", ["", "--", "----", "Không có thông tin"])
def test_documents_empty(text: str) -> None:
    assert parse_documents(text) == []


def test_documents_misaligned_field_is_flagged() -> None:
    parsed = parse_record({"thanh_phan_ho_so": "KQ.G04.000398"})
    assert parsed.documents == []
    assert "misaligned" in parsed.doubtful["documents"]


def test_document_without_count_is_kept_and_flagged() -> None:
    parsed = parse_record({"thanh_phan_ho_so": "--" + DOC_HEADER + "Đơn1 bản chính(Trường hợp khác)"})
    assert [(d.name, d.quantity, d.is_note) for d in parsed.documents] == [
        ("Đơn", 1, False),
        ("(Trường hợp khác)", None, True),
    ]
    assert "without a count" in parsed.doubtful["documents"]


# ---------------------------------------------------------------------------------------------
# parse_legal_bases


def _numbers(text: str) -> list[tuple[str, str]]:
    return [(b.title, b.number) for b in parse_legal_bases(LEGAL_HEADER + text)]


def test_legal_titles_quoting_numbers() -> None:
    text = (
        "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định Luật Hộ tịch"
        "123/2015/NĐ-CP"
        "Luật 60/2014/QH1360/2014/QH13"
        "Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư pháp"
        "Thông tư số 03/2023/TT-BTP"
    )
    assert _numbers(text) == [
        (
            "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định Luật Hộ tịch",
            "123/2015/NĐ-CP",
        ),
        ("Luật 60/2014/QH13", "60/2014/QH13"),
        ("Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư pháp", "03/2023/TT-BTP"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nghị quyết của Chính phủ66.7/2025/NQ-CP",
            [("Nghị quyết của Chính phủ", "66.7/2025/NQ-CP")],
        ),
        ("Nghị định ưu đãi73-CP", [("Nghị định ưu đãi", "73-CP")]),
        (
            "Quyết định 10/2018/QĐ-TTg10/2018/QĐ-TTg",
            [("Quyết định 10/2018/QĐ-TTg", "10/2018/QĐ-TTg")],
        ),
        (
            "Luật sửa đổi 202323/2023/QH15QUY ĐỊNH MỨC THU25/2021/TT-BTC",
            [("Luật sửa đổi 2023", "23/2023/QH15"), ("QUY ĐỊNH MỨC THU", "25/2021/TT-BTC")],
        ),
        (
            "Hướng dẫn04/2020/TT-BTP Nghị định về hộ tịch87/2020/NĐ-CP",
            [("Hướng dẫn", "04/2020/TT-BTP"), ("Nghị định về hộ tịch", "87/2020/NĐ-CP")],
        ),
        (
            "Hướng dẫn31/2013/NĐ-CP26/2005/PL-UBTVQH11 - Ưu đãi26/2005/PL-UBTVQH11",
            [
                ("Hướng dẫn", "31/2013/NĐ-CP"),
                ("26/2005/PL-UBTVQH11 - Ưu đãi", "26/2005/PL-UBTVQH11"),
            ],
        ),
        (
            "Thông tư liên tịch191/2005/TTLT/BQP-BLĐTBXH-BTC",
            [("Thông tư liên tịch", "191/2005/TTLT/BQP-BLĐTBXH-BTC")],
        ),
    ],
)
def test_legal_number_shapes(text: str, expected: list[tuple[str, str]]) -> None:
    assert _numbers(text) == expected


@pytest.mark.parametrize(
    "text", ["", "Không có thông tin", LEGAL_HEADER, LEGAL_HEADER + "Không có thông tin"]
)
def test_legal_empty(text: str) -> None:
    assert parse_legal_bases(text) == []


def test_legal_trailing_title_without_number_is_flagged() -> None:
    parsed = parse_record({"can_cu_phap_ly": LEGAL_HEADER + "Luật A01/2020/QH14Luật Hóa chất"})
    assert [(b.title, b.number) for b in parsed.legal_bases] == [
        ("Luật A", "01/2020/QH14"),
        ("Luật Hóa chất", ""),
    ]
    assert "without a document number" in parsed.doubtful["legal_bases"]


# ---------------------------------------------------------------------------------------------
# parse_record: small fields


def test_record_levels_steps_and_online_flags() -> None:
    raw = {
        "ma_thu_tuc": " 1.0 ",
        "ten_thu_tuc": "Đăng ký xe bằng dịch vụ công trực tuyến toàn trình",
        "cap_thuc_hien": "Cấp bộ, Cấp xã, Cơ quan khác",
        "trinh_tu_thuc_hien": (
            "Bước 1: Nộp hồ sơ\nchi tiết\n\nBước 2: Nhận kết quả.Bước 3: Nộp lệ phí, thanh toán trực tuyến"
        ),
        "yeu_cau_dieu_kien": "Không có thông tin",
        "co_quan_thuc_hien": "--",
    }
    parsed = parse_record(raw)
    assert parsed.code == "1.0"
    assert parsed.levels == ["xa", "bo"]
    assert parsed.steps == [
        "Bước 1: Nộp hồ sơ chi tiết",  # a line cut mid-sentence is joined back
        "Bước 2: Nhận kết quả.",
        "Bước 3: Nộp lệ phí, thanh toán trực tuyến",
    ]
    assert (parsed.online_level, parsed.online_payment) == ("full", True)
    assert (parsed.conditions, parsed.implementing_agency) == ("", "")
    assert parsed.doubtful == {}


def test_record_steps_without_markers_are_lines() -> None:
    assert parse_record({"trinh_tu_thuc_hien": " a \n\n b\n"}).steps == ["a", "b"]


def test_record_online_level_is_never_guessed() -> None:
    parsed = parse_record(
        {"ten_thu_tuc": "Cấp phép", "cach_thuc_thuc_hien": "đối với các TTHC đã toàn trình"}
    )
    assert (parsed.online_level, parsed.online_payment) == (None, None)
    partial = parse_record({"ten_thu_tuc": "Đổi biển số bằng dịch vụ công một phần"})
    assert partial.online_level == "partial"


def test_record_missing_and_odd_input() -> None:
    parsed = parse_record({})
    assert isinstance(parsed, ParsedProcedure)
    assert (parsed.code, parsed.channels, parsed.documents, parsed.legal_bases) == ("", [], [], [])
    assert parse_record({"ten_thu_tuc": None, "cach_thuc_thuc_hien": 5}).name == ""
    assert parse_record("not a dict").code == ""  # type: ignore[arg-type]


def test_dataclass_interface() -> None:
    """The importer and the models are written against these exact names."""
    assert [f.name for f in fields(Channel)] == [
        "channel",
        "time_value",
        "time_unit",
        "time_text",
        "fee_kind",
        "fee_amount_vnd",
        "fee_text",
        "description",
        "condition",
        "fee_basis",
    ]
    assert [f.name for f in fields(Document)] == [
        "section",
        "name",
        "form_name",
        "quantity",
        "kind",
        "case",
        "is_note",
        "originals",
        "copies",
        "alternatives",
    ]
    assert [f.name for f in fields(LegalBasis)] == ["title", "number"]
    assert [f.name for f in fields(ParsedProcedure)][-3:] == [
        "online_level",
        "online_payment",
        "doubtful",
    ]


# ---------------------------------------------------------------------------------------------
# Robustness properties. The private _parse_* functions are used because the public wrappers
# swallow errors: these tests must see any exception.

_TOKENS = [
    CHANNEL_HEADER,
    DOC_HEADER,
    LEGAL_HEADER,
    "Trực tiếp",
    "Trực tuyến",
    "Dịch vụ bưu chính",
    "5 Ngày làm việc",
    "1",
    "120",
    "1,200,000",
    "VNĐ",
    "Việt Nam Đồng",
    "USD",
    "Miễn phí",
    "Không có thông tin",
    "(",
    ")",
    "((",
    "1 bản chính",
    "0 bản chính,1 bản sao",
    "01 bản chính",
    ".docx",
    ".doc",
    "Mẫu",
    "mẫu",
    "Trường hợp",
    " thì ",
    ":",
    ";",
    ".",
    "--",
    "* Lưu ý:",
    "* Giấy tờ phải nộp:",
    "123/2015/NĐ-CP",
    "QH15",
    "2023",
    "Luật",
    "Mã: KQ.G1.1",
    "Từ khóa",
    "Mô tả",
    "Chọn cơ quan thực hiện",
    "Bước 1",
    "\n",
    "\t",
    " ",
    "a",
    "Đ",
    "\u0301",
    "\u200e",
]
_domain_text = st.lists(st.sampled_from(_TOKENS) | st.text(max_size=8), max_size=40).map("".join)
_any_text = st.text(max_size=400) | _domain_text
_PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_any_text)
def test_parse_channels_never_raises(text: str) -> None:
    rows, reasons = parsing._parse_channels(text)
    assert all(isinstance(row, Channel) for row in rows)
    assert all(isinstance(reason, str) for reason in reasons)
    assert parse_channels(text) == rows


@_PROPERTY
@given(_any_text)
def test_parse_documents_never_raises(text: str) -> None:
    docs, _ = parsing._parse_documents(text)
    assert all(isinstance(doc, Document) and doc.name for doc in docs)
    assert parse_documents(text) == docs


@_PROPERTY
@given(_any_text)
def test_parse_legal_bases_never_raises(text: str) -> None:
    bases, _ = parsing._parse_legal_bases(text)
    assert all(isinstance(basis, LegalBasis) and basis.title for basis in bases)
    assert parse_legal_bases(text) == bases


@_PROPERTY
@given(_any_text)
def test_clean_result_and_is_empty_never_raise(text: str) -> None:
    parsing._parse_result(text)
    assert isinstance(clean_result(text), str)
    assert isinstance(is_empty(text), bool)


@_PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "cach_thuc_thuc_hien",
                "thanh_phan_ho_so",
                "can_cu_phap_ly",
                "ket_qua_xu_ly",
                "trinh_tu_thuc_hien",
                "cap_thuc_hien",
                "yeu_cau_dieu_kien",
                "ten_thu_tuc",
            ]
        ),
        _any_text,
    )
)
def test_parse_record_never_raises_nor_hides_errors(raw: dict[str, str]) -> None:
    parsed = parse_record(raw)
    assert not any("parser error" in why for why in parsed.doubtful.values())
    for text in _strings(parsed):
        assert text == text.strip()


# ---------------------------------------------------------------------------------------------
# The whole scraped file (only where TTHC_RAW_DATA points at procedures.jsonl)

RAW_DATA = os.environ.get("TTHC_RAW_DATA")


@pytest.mark.skipif(not RAW_DATA or not Path(RAW_DATA).is_file(), reason="TTHC_RAW_DATA not set to a file")
def test_full_raw_file_parses() -> None:
    records = [
        json.loads(line)
        for line in Path(RAW_DATA or "").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    # How long it takes is measured by `make bench` (bench/micro.py), not asserted here.
    parsed = [parse_record(record) for record in records]
    assert len(parsed) == len(records) > 0
    errors = [(p.code, why) for p in parsed for why in p.doubtful.values() if "parser error" in why]
    assert not errors, errors[:5]
