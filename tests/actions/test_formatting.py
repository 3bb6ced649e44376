"""Answer formatting: documents, time and fee texts a citizen reads."""

from __future__ import annotations

import datetime as dt

from actions.formatting import fee_text, format_answer, format_documents, time_text
from knowledge_base.schemas import ChannelOut, DocumentOut, ProcedureOut


def _procedure(**changes) -> ProcedureOut:
    data = dict(
        code="9.999999", name="Thủ tục thử", ministry="", field="", levels=["xa"], procedure_type="",
        decision_number="", applicants="", competent_agency="", implementing_agency="",
        receiving_address="", delegated_agency="", coordinating_agency="", related_procedures="",
        steps=[], conditions="", result="", online_level=None, online_payment=None, source_url="",
        source_date=dt.date(2026, 7, 17), channels=[], documents=[], legal_bases=[],
    )
    data.update(changes)
    return ProcedureOut(**data)


def _channel(**changes) -> ChannelOut:
    data = dict(channel="direct", time_value=None, time_unit=None, time_text="", fee_kind="none",
                fee_amount_vnd=None, fee_text="", description="")
    data.update(changes)
    return ChannelOut(**data)


def _doc(name: str, **changes) -> DocumentOut:
    data = dict(section="submit", name=name, form_name=None, quantity=1, kind="original", case=None,
                is_note=False)
    data.update(changes)
    return DocumentOut(**data)


def test_documents_grouped_by_section_and_notes_left_out() -> None:
    procedure = _procedure(documents=[
        _doc("Tờ khai đăng ký khai sinh", form_name="TK1.docx"),
        _doc("Giấy chứng sinh", quantity=2, kind="copy"),
        _doc("Giấy tờ tùy thân", section="present"),
        _doc("Lưu ý về cách nộp", section="note", quantity=0, is_note=True),
    ])
    text = format_documents(procedure)
    assert "Giấy tờ phải nộp:" in text and "Giấy tờ phải xuất trình:" in text
    assert "1. Tờ khai đăng ký khai sinh (01 bản chính; mẫu: TK1.docx)" in text
    assert "2. Giấy chứng sinh (02 bản sao)" in text
    assert "3. Giấy tờ tùy thân" in text
    assert "Lưu ý về cách nộp" not in text


def test_no_documents_says_so() -> None:
    assert "chưa ghi thành phần hồ sơ" in format_documents(_procedure())


def test_time_units_and_missing_unit_is_flagged() -> None:
    assert time_text(_channel(time_value=5, time_unit="working_day")) == "5 ngày làm việc"
    assert time_text(_channel(time_value=0.5, time_unit="day")) == "0,5 ngày"
    assert time_text(_channel(time_unit="in_day")) == "trong ngày"
    assert "không ghi đơn vị" in time_text(_channel(time_value=1, time_unit=None))


def test_fee_texts() -> None:
    assert fee_text(_channel(fee_kind="free")) == "miễn phí"
    assert fee_text(_channel(fee_kind="amount", fee_amount_vnd=50000)) == "50.000 đồng"
    assert fee_text(_channel(fee_kind="text", fee_text="0,1% giá trị")) == "0,1% giá trị"


def test_answer_names_procedure_code_and_source() -> None:
    text = format_answer(_procedure(), ["fee"], source_name="Cổng DVC quốc gia")
    assert text.startswith("Thủ tục thử (mã 9.999999)")
    assert text.endswith("Nguồn: Cổng DVC quốc gia, cập nhật 17/07/2026.")


def test_answer_is_one_message_without_blank_lines() -> None:
    procedure = _procedure(documents=[_doc("Giấy chứng sinh")], channels=[_channel(fee_kind="free")])
    text = format_answer(procedure, ["documents", "fee"], source_name="Cổng DVC quốc gia")
    assert "\n\n" not in text
