"""Answer formatting: every aspect a citizen can ask, on real seeded records and on edge cases.

Assertions check facts taken from the records (names, amounts, agencies, numbers), the shape every
answer must have (title first, aspects in the order asked, source last, no blank line, the cap) and
the honest "no data" wording, not whole hard-coded answers.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from answers.formatting import (
    ASPECT_FORMATTERS,
    CARD_MAX_DOCUMENTS,
    CHANNEL_LABELS,
    MAX_ANSWER_CHARS,
    PORTAL_URL,
    answer_card,
    fee_text,
    format_answer,
    format_documents,
    format_forms,
    format_legal_basis,
    format_online,
    format_payment,
    format_processing_time,
    format_steps,
    format_submission,
    source_line,
    time_text,
)
from knowledge_base.db import session_scope
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ChannelOut, DocumentOut, LegalBasisOut, OverrideOut, ProcedureOut

SOURCE = "Cổng DVC quốc gia"
ALL_ASPECTS = [a for a in ASPECT_FORMATTERS if a != "all_documents"]
# Codes of real procedures in the shipped seed, chosen for what their records hold.
BIRTH = "1.001193"  # khai sinh: free, no agency named, long steps, forms only named in the documents
ID_CARD = "1.014061"  # căn cước: agencies, "Bước N" steps, attached form templates, no fee data
PASSPORT = "1.001456"  # hộ chiếu: fee amounts per channel, online payment
RESIDENCE = "1.004222"  # thường trú: conditions
PRIVATE_FIRM = "2.001610"  # doanh nghiệp tư nhân: several results, a legal basis listed twice
WITH_ADDRESS = "1.004682"  # a receiving address in the national record
FULL_ONLINE = "1.002099"  # online_level "full"
PARTIAL_ONLINE = "1.013067"  # online_level "partial"


@pytest.fixture(scope="module")
def records(seeded_sqlite: str) -> dict[str, ProcedureOut]:
    """The real records used below, loaded once from the seeded database."""
    codes = [BIRTH, ID_CARD, PASSPORT, RESIDENCE, PRIVATE_FIRM, WITH_ADDRESS, FULL_ONLINE, PARTIAL_ONLINE]
    with session_scope(seeded_sqlite) as session:
        loaded = {code: get_procedure(session, code=code) for code in codes}
    assert all(loaded.values()), "the seed must hold every procedure these tests use"
    return loaded  # type: ignore[return-value]


def _procedure(**changes) -> ProcedureOut:
    data = dict(
        code="9.999999",
        name="Thủ tục thử",
        ministry="",
        field="",
        levels=["xa"],
        procedure_type="",
        decision_number="",
        applicants="",
        competent_agency="",
        implementing_agency="",
        receiving_address="",
        delegated_agency="",
        coordinating_agency="",
        related_procedures="",
        steps=[],
        conditions="",
        result="",
        online_level=None,
        online_payment=None,
        source_url="",
        source_date=dt.date(2026, 7, 17),
        channels=[],
        documents=[],
        legal_bases=[],
    )
    data.update(changes)
    return ProcedureOut(**data)


def _channel(**changes) -> ChannelOut:
    data = dict(
        channel="direct",
        time_value=None,
        time_unit=None,
        time_text="",
        fee_kind="none",
        fee_amount_vnd=None,
        fee_text="",
        description="",
    )
    data.update(changes)
    return ChannelOut(**data)


def _doc(name: str, **changes) -> DocumentOut:
    data = dict(
        section="submit", name=name, form_name=None, quantity=1, kind="original", case=None, is_note=False
    )
    data.update(changes)
    return DocumentOut(**data)


def _local(**changes) -> OverrideOut:
    data = dict(agency_address="", opening_hours="", fee_note="", notes="", not_offered=False)
    data.update(changes)
    return OverrideOut(**data)


def _answer(procedure: ProcedureOut, aspects: list[str], **kwargs) -> str:
    text = format_answer(procedure, aspects, source_name=SOURCE, **kwargs)
    assert "\n\n" not in text and all(line.strip() for line in text.split("\n")), "no blank line"
    assert text.split("\n")[0] == f"{procedure.name} (mã {procedure.code})", "title first"
    assert text.split("\n")[-1].startswith(f"Nguồn: {SOURCE}"), "source last"
    assert len(text) <= kwargs.get("max_chars", MAX_ANSWER_CHARS)
    return text


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


# --------------------------------------------------------------------------------------------
# One test per aspect on real records


def test_documents_of_birth_registration_are_all_listed(records) -> None:
    # "Tất cả giấy tờ" (the button under the first reply): every document, whole.
    procedure = records[BIRTH]
    text = _answer(procedure, ["all_documents"])
    names = [d.name for d in procedure.documents if not d.is_note and d.section != "note"]
    assert names
    for name in names:
        assert name in text


def test_processing_time_per_channel_of_the_id_card(records) -> None:
    procedure = records[ID_CARD]
    text = _answer(procedure, ["processing_time"])
    for channel in procedure.channels:
        assert CHANNEL_LABELS[channel.channel] in text
        assert time_text(channel) in text
    assert "ngày làm việc" in text


def test_passport_fees_give_each_channel_amount(records) -> None:
    procedure = records[PASSPORT]
    text = _answer(procedure, ["fee"])
    # Direct: the fee table's amounts of the circular the row cites, with its source.
    assert "200.000 đồng" in text and "400.000 đồng" in text and "Thông tư 25/2021/TT-BTC" in text
    assert "nguồn:" in text
    # Online and postal: a reduction that ended on 31/12/2023 is not presented as today's fee.
    assert "160.000 đồng" not in text
    assert "31/12/2023 (đã hết hạn)" in text


def test_submission_names_agencies_channels_and_where(records) -> None:
    procedure = records[ID_CARD]
    text = _answer(procedure, ["submission"])
    assert procedure.competent_agency in text and procedure.implementing_agency in text
    for channel in procedure.channels:
        assert CHANNEL_LABELS[channel.channel] in text
    # The direct channel's description says where to go; the answer carries it.
    assert "địa điểm tiếp dân của Công an cấp xã" in text
    with_address = records[WITH_ADDRESS]
    assert with_address.receiving_address in _answer(with_address, ["submission"])


def test_submission_without_agency_says_so_and_gives_the_level(records) -> None:
    procedure = records[BIRTH]
    assert not procedure.competent_agency and not procedure.implementing_agency
    text = _answer(procedure, ["submission"])
    assert "không ghi tên cơ quan" in text
    assert "cấp xã" in text


def test_online_answers_where_and_how_and_is_honest_about_the_level(records) -> None:
    procedure = records[BIRTH]
    assert procedure.online_level is None and any(c.channel == "online" for c in procedure.channels)
    text = _answer(procedure, ["online"])
    assert PORTAL_URL in text and "VNeID" in text and procedure.code in text
    assert "không ghi rõ" in text
    assert "toàn trình" in _answer(records[FULL_ONLINE], ["online"])
    assert "một phần" in _answer(records[PARTIAL_ONLINE], ["online"])


def test_online_payment_of_the_passport(records) -> None:
    procedure = records[PASSPORT]
    assert procedure.online_payment is True
    text = _answer(procedure, ["payment"])
    assert "thanh toán trực tuyến" in text
    assert "ví điện tử" in text and "QR" in text
    assert "200.000 đồng" in text and "đã hết hạn" in text


def test_free_procedure_needs_no_payment(records) -> None:
    procedure = records[BIRTH]
    assert all(c.fee_kind == "free" for c in procedure.channels)
    assert "không phải thanh toán" in _answer(procedure, ["payment"])


def test_numbered_steps_of_the_id_card_keep_their_order(records) -> None:
    procedure = records[ID_CARD]
    text = _answer(procedure, ["steps"])
    heads = [re.match(r"[-\s]*(Bước \d+)", line) for line in procedure.steps]
    numbers = [m.group(1) for m in heads if m]
    assert len(numbers) >= 5
    positions = [text.index(number) for number in numbers]
    assert positions == sorted(positions)


def test_long_steps_become_a_numbered_summary_with_the_record_address(records) -> None:
    procedure = records[BIRTH]
    assert len("\n".join(procedure.steps)) > MAX_ANSWER_CHARS
    text = _answer(procedure, ["steps"])
    assert "1. " in text and "2. " in text
    assert procedure.source_url in text
    # The first step's opening words survive the summary.
    first = procedure.steps[0].lstrip("- ")
    assert first[:60] in text


def test_forms_list_attached_templates(records) -> None:
    procedure = records[ID_CARD]
    text = _answer(procedure, ["forms"])
    forms = [d.form_name for d in procedure.documents if d.form_name]
    assert forms
    for form in forms:
        assert form in text
    assert procedure.source_url in text


def test_forms_without_templates_name_the_documents_that_follow_one(records) -> None:
    procedure = records[BIRTH]
    assert not any(d.form_name for d in procedure.documents)
    text = _answer(procedure, ["forms"])
    assert "không đính kèm tệp mẫu" in text
    templated = [d.name for d in procedure.documents if "theo mẫu" in d.name]
    assert templated
    for name in templated:
        assert name[:50] in text


def test_conditions_and_applicants_of_permanent_residence(records) -> None:
    procedure = records[RESIDENCE]
    assert procedure.conditions
    text = _answer(procedure, ["conditions"])
    assert procedure.conditions.split("\n")[0] in text
    assert procedure.applicants in text


def test_results_of_registering_a_private_firm(records) -> None:
    procedure = records[PRIVATE_FIRM]
    text = _answer(procedure, ["result"])
    results = [line for line in procedure.result.split("\n") if line.strip()]
    assert len(results) >= 2
    for line in results:
        assert line in text


def test_legal_basis_lists_each_text_once_laws_first(records) -> None:
    # The national data lists some texts twice (the parser merges the glued repeats it can see; a
    # repeat further down stays): the answer names each once.
    procedure = records[PRIVATE_FIRM]
    first = next(b for b in procedure.legal_bases if b.number)
    procedure = procedure.model_copy(update={"legal_bases": [*procedure.legal_bases, first]})
    text = _answer(procedure, ["legal_basis"])
    numbers = [b.number for b in procedure.legal_bases if b.number]
    repeated = {n for n in numbers if numbers.count(n) > 1}
    assert repeated, "this record lists a text twice"
    for number in set(numbers):
        assert number in text
    for number in repeated:
        assert text.count(number) == 1
    law = next(n for n in numbers if n.endswith(("QH14", "QH15")))
    circular = next(n for n in numbers if "/TT-" in n)
    assert text.index(law) < text.index(circular)


# --------------------------------------------------------------------------------------------
# The whole answer


def test_aspects_come_in_the_order_asked(records) -> None:
    procedure = records[PASSPORT]
    fee_first = _answer(procedure, ["fee", "steps"])
    assert fee_first.index("Phí, lệ phí") < fee_first.index("Trình tự thực hiện")
    steps_first = _answer(procedure, ["steps", "fee"])
    assert steps_first.index("Trình tự thực hiện") < steps_first.index("Phí, lệ phí")
    # Documents with where / how long / how much: the first reply, documents first whatever the order.
    overview = _answer(procedure, ["fee", "documents"])
    assert overview.index("Giấy tờ cần chuẩn bị") < overview.index("Lệ phí:")


def test_every_aspect_at_once_fits_the_cap_with_one_pointer(records) -> None:
    for procedure in records.values():
        text = _answer(procedure, ALL_ASPECTS)
        if "đã rút gọn" in text:
            # One pointer to the full record for the whole answer, just above the source line.
            assert text.count("xem đầy đủ tại") == 1
            assert text.split("\n")[-2].endswith(f"xem đầy đủ tại {procedure.source_url}.")
        for heading in ("Hồ sơ cần chuẩn bị", "Thời hạn giải quyết", "Trình tự thực hiện", "Căn cứ pháp lý"):
            assert heading in text, (procedure.code, heading)


def test_a_smaller_cap_is_respected(records) -> None:
    procedure = records[BIRTH]
    text = _answer(procedure, ["documents", "steps", "legal_basis"], max_chars=1500)
    assert procedure.source_url in text
    assert "Hồ sơ cần chuẩn bị" in text and "Trình tự thực hiện" in text and "Căn cứ pháp lý" in text


def test_cap_on_a_record_far_too_long() -> None:
    procedure = _procedure(
        source_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/thu",
        documents=[_doc(f"Giấy tờ số {i} " + "rất dài " * 40) for i in range(60)],
        steps=[f"- Bước {i}: " + "làm việc " * 80 for i in range(1, 40)],
        conditions="\n".join("- điều kiện " * 60 for _ in range(30)),
    )
    text = _answer(procedure, ALL_ASPECTS)
    assert procedure.source_url in text
    assert "Giấy tờ số 0" in text and "Bước 1" in text


def test_unknown_and_repeated_aspects_are_skipped(records) -> None:
    procedure = records[PASSPORT]
    text = _answer(procedure, ["fee", "weather", "fee"])
    assert text.count("Phí, lệ phí:") == 1


# --------------------------------------------------------------------------------------------
# Edge cases on hand-built records


def test_no_data_is_said_for_every_aspect() -> None:
    empty = _procedure(levels=[])
    for aspect, formatter in ASPECT_FORMATTERS.items():
        text = formatter(empty)
        assert "Dữ liệu quốc gia" in text, aspect
    _answer(empty, ALL_ASPECTS)


def test_not_offered_locally_opens_every_answer() -> None:
    procedure = _procedure(local=_local(not_offered=True, notes="Thực hiện tại Sở Tư pháp tỉnh."))
    for aspect in ALL_ASPECTS:
        lines = _answer(procedure, [aspect]).split("\n")
        assert "KHÔNG được thực hiện tại địa phương" in lines[1], aspect
        assert "Sở Tư pháp tỉnh" in lines[1]


def test_local_override_address_hours_and_fee_note() -> None:
    local = _local(
        agency_address="Số 1 Đường Thử, phường Thử",
        opening_hours="7h30-17h thứ Hai đến thứ Sáu",
        fee_note="Miễn lệ phí cho hộ nghèo",
        notes="Nhận hồ sơ cả sáng thứ Bảy",
    )
    procedure = _procedure(channels=[_channel(fee_kind="amount", fee_amount_vnd=50000)], local=local)
    submission = format_submission(procedure)
    for value in (local.agency_address, local.opening_hours, local.notes):
        assert value in submission
    assert local.fee_note in _answer(procedure, ["fee"])
    assert local.fee_note in format_payment(procedure)
    assert "KHÔNG" not in _answer(procedure, ["submission"])


def test_due_date_line_for_working_days() -> None:
    procedure = _procedure(
        channels=[
            _channel(channel="direct", time_value=5, time_unit="working_day"),
            _channel(channel="online", time_value=5, time_unit="working_day"),
        ]
    )
    submitted, due = dt.date(2026, 11, 26), dt.date(2026, 12, 3)
    text = _answer(
        procedure, ["processing_time"], submitted_on=submitted, due_dates={"direct": due, "online": due}
    )
    assert f"Nếu nộp ngày {submitted:%d/%m/%Y} (thứ Năm)" in text  # 26/11/2026 is a Thursday
    assert f"dự kiến có kết quả ngày {due:%d/%m/%Y} (thứ Năm)" in text
    assert "không kể thứ Bảy, Chủ nhật và ngày lễ" in text
    assert text.count(f"{due:%d/%m/%Y}") == 1, "one line when every channel gives the same day"


def test_due_dates_per_channel_when_they_differ() -> None:
    procedure = _procedure(
        channels=[
            _channel(channel="online", time_value=3, time_unit="working_day"),
            _channel(channel="direct", time_value=10, time_unit="day"),
        ]
    )
    due = {"online": dt.date(2026, 12, 1), "direct": dt.date(2026, 12, 6)}
    text = format_processing_time(procedure, submitted_on=dt.date(2026, 11, 26), due_dates=due)
    direct = next(line for line in text.split("\n") if line.startswith("- Trực tiếp: ngày"))
    online = next(line for line in text.split("\n") if line.startswith("- Trực tuyến: ngày"))
    assert f"{due['direct']:%d/%m/%Y} (Chủ nhật)" in direct and "ngày lịch" in direct
    assert f"{due['online']:%d/%m/%Y} (thứ Ba)" in online and "ngày làm việc" in online
    assert text.index("- Trực tiếp: ngày") < text.index("- Trực tuyến: ngày")


def test_processing_time_stays_backwards_compatible() -> None:
    procedure = _procedure(channels=[_channel(time_value=5, time_unit="working_day")])
    assert format_processing_time(procedure) == "Thời hạn giải quyết:\n- Trực tiếp: 5 ngày làm việc"
    assert "dự kiến" not in format_answer(procedure, ["processing_time"], source_name=SOURCE)


def test_channels_with_the_same_value_share_one_line() -> None:
    procedure = _procedure(
        channels=[
            _channel(channel="online", fee_kind="free"),
            _channel(channel="direct", fee_kind="free"),
            _channel(channel="postal", fee_kind="amount", fee_amount_vnd=20000),
        ]
    )
    text = format_answer(procedure, ["fee"], source_name=SOURCE)
    assert "- Trực tiếp, Trực tuyến: miễn phí" in text
    assert "- Qua dịch vụ bưu chính: 20.000 đồng" in text


def test_online_level_wording_and_no_online_channel() -> None:
    full = format_online(_procedure(online_level="full", channels=[_channel(channel="online")]))
    assert "toàn trình" in full and "nhận kết quả" in full
    partial = format_online(_procedure(online_level="partial", channels=[_channel(channel="online")]))
    assert "một phần" in partial and "đến cơ quan" in partial
    offline = format_online(_procedure(channels=[_channel(channel="direct"), _channel(channel="postal")]))
    assert "chưa có hình thức nộp trực tuyến" in offline
    assert "trực tiếp hoặc qua dịch vụ bưu chính" in offline


def test_payment_states_what_the_record_says() -> None:
    paid = [_channel(channel="online", fee_kind="amount", fee_amount_vnd=100000)]
    refused = format_payment(_procedure(online_payment=False, channels=paid))
    assert "chưa hỗ trợ thanh toán trực tuyến" in refused
    unknown = format_payment(_procedure(online_payment=None, channels=paid))
    assert "không ghi" in unknown and "100.000 đồng" in unknown
    offline = [_channel(channel="direct", fee_kind="amount", fee_amount_vnd=100000)]
    assert "nộp tại nơi" in format_payment(_procedure(channels=offline))


def test_steps_with_dash_bullets_are_numbered_and_notes_are_not_steps() -> None:
    procedure = _procedure(
        steps=[
            "- Nộp hồ sơ tại bộ phận Một cửa.",
            "+ Trường hợp nộp trực tuyến: qua Cổng.",
            "- Cán bộ kiểm tra hồ sơ.",
            "* Lưu ý:",
            "- Trường hợp ủy quyền thì mang theo văn bản ủy quyền.",
        ]
    )
    lines = format_steps(procedure).split("\n")
    assert lines[1] == "1. Nộp hồ sơ tại bộ phận Một cửa."
    assert lines[2] == "+ Trường hợp nộp trực tuyến: qua Cổng."
    assert lines[3] == "2. Cán bộ kiểm tra hồ sơ."
    assert not any(line.startswith("3.") for line in lines), "a note after 'Lưu ý' is no step"


def test_legal_basis_generic_title_gets_its_number() -> None:
    procedure = _procedure(
        legal_bases=[
            LegalBasisOut(title="Nghị định", number="101/2024/NĐ-CP"),
            LegalBasisOut(title="Nghị định", number="101/2024/NĐ-CP"),
            LegalBasisOut(title="Thông tư 57/2021/TT-BCA", number="57/2021/TT-BCA"),
        ]
    )
    text = format_legal_basis(procedure)
    assert "1. Nghị định số 101/2024/NĐ-CP" in text
    assert "2. Thông tư 57/2021/TT-BCA" in text
    assert text.count("101/2024/NĐ-CP") == 1


def test_forms_dedupe_templates() -> None:
    procedure = _procedure(
        documents=[
            _doc("Tờ khai", form_name="TK1.docx"),
            _doc("Tờ khai bản sao", form_name="TK1.docx"),
        ]
    )
    assert format_forms(procedure).count("TK1.docx") == 1


# --------------------------------------------------------------------------------------------
# Earlier behaviour kept


def test_documents_grouped_by_section_and_notes_left_out() -> None:
    procedure = _procedure(
        documents=[
            _doc("Tờ khai đăng ký khai sinh", form_name="TK1.docx"),
            _doc("Giấy chứng sinh", quantity=2, kind="copy"),
            _doc("Giấy tờ tùy thân", section="present"),
            _doc("Lưu ý về cách nộp", section="note", quantity=0, is_note=True),
        ]
    )
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
    noted = fee_text(
        _channel(
            fee_kind="amount", fee_amount_vnd=200000, fee_text="200,000 VNĐ(Cấp lại do bị mất: 400.000đ)"
        )
    )
    assert noted == "200.000 đồng (Cấp lại do bị mất: 400.000đ)"


def test_answer_names_procedure_code_and_source() -> None:
    text = format_answer(_procedure(), ["fee"], source_name="Cổng DVC quốc gia")
    assert text.startswith("Thủ tục thử (mã 9.999999)")
    assert text.endswith("Nguồn: Cổng DVC quốc gia, cập nhật 17/07/2026.")


def test_card_summarises_the_passport_in_plain_strings(records) -> None:
    procedure = records[PASSPORT]
    card = answer_card(procedure, SOURCE)
    assert (card["title"], card["code"]) == (procedure.name, PASSPORT)
    assert card["documents"] and all(isinstance(d, str) for d in card["documents"])
    assert any(
        _money(c.fee_amount_vnd) in line
        for line in card["fee"]
        for c in procedure.channels
        if c.fee_amount_vnd
    )
    assert card["channels"] and card["source"] == source_line(procedure, SOURCE)
    assert card["source_url"].startswith("https://") or card["source_url"] == ""


def test_card_lists_at_most_its_limit_of_documents_and_counts_the_rest() -> None:
    documents = [
        DocumentOut(
            section="main",
            name=f"Giấy tờ {n}",
            form_name=None,
            quantity=1,
            kind=None,
            case=None,
            is_note=False,
        )
        for n in range(11)
    ]
    card = answer_card(_procedure(documents=documents, source_url="javascript:alert(1)"), SOURCE)
    assert len(card["documents"]) == CARD_MAX_DOCUMENTS and card["documents_more"] == 11 - CARD_MAX_DOCUMENTS
    assert card["source_url"] == ""  # only http(s) links leave the knowledge base
