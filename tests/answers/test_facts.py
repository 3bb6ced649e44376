"""Facts told honestly (issue 16): fees beside the regulation that sets them, ended reductions, a
row's case, both counts of a document, and a first reply that fits a phone for every procedure."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from answers import facts
from answers.formatting import FIRST_REPLY_CHARS, format_answer, format_fee, more_buttons
from answers.procedure import OVERVIEW, procedure_reply
from knowledge_base.models import Procedure
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ChannelOut, DocumentOut, FeeScheduleOut, ProcedureOut
from tests.answers import test_formatting as formatting_tests

TODAY = dt.date(2026, 12, 7)
CRIMINAL_RECORD_FEES = FeeScheduleOut(
    legal_number="244/2016/TT-BTC",
    title="phí cung cấp thông tin lý lịch tư pháp",
    amounts="Phí cấp Phiếu lý lịch tư pháp: 200.000 đồng/lần/người\nSinh viên: 100.000 đồng/lần/người",
    source="Điều 4 Thông tư 244/2016/TT-BTC",
)


def _channel(**changes: object) -> ChannelOut:
    data: dict[str, object] = dict(
        time_value=5.0, time_unit="working_day", fee_kind="free", fee_text="Miễn phí"
    )
    data.update(changes)
    return formatting_tests._channel(**data)


def _procedure(channels: list[ChannelOut], fees: list[FeeScheduleOut] | None = None) -> ProcedureOut:
    return formatting_tests._procedure(channels=channels, fees=fees or [], implementing_agency="UBND cấp xã")


def test_free_only_when_no_regulation_is_cited() -> None:
    plain = _channel()
    assert facts.fee_phrase(plain, _procedure([plain]), TODAY) == "miễn phí"
    cited = _channel(
        fee_text="Miễn phí(Thực hiện theo Thông tư số 244/2016/TT-BTC ngày 11/11/2016)", fee_kind="text"
    )
    # Not in the fee table: the regulation is named, "Miễn phí" is not repeated as the fee.
    text = facts.fee_phrase(cited, _procedure([cited]), TODAY)
    assert text.startswith("theo Thông tư 244/2016/TT-BTC") and "hỏi bộ phận Một cửa" in text
    assert not text.startswith("miễn phí")
    # In the fee table: its amounts, with the source.
    text = facts.fee_phrase(cited, _procedure([cited], [CRIMINAL_RECORD_FEES]), TODAY)
    assert "200.000 đồng/lần/người" in text and "nguồn: Điều 4 Thông tư 244/2016/TT-BTC" in text
    fee = format_fee(_procedure([cited], [CRIMINAL_RECORD_FEES]))
    assert "miễn phí" not in fee.lower().replace('"miễn phí"', "")


def test_an_ended_reduction_is_not_todays_fee() -> None:
    reduced = _channel(
        channel="online",
        fee_kind="amount",
        fee_amount_vnd=160000,
        fee_text="160,000 Việt Nam Đồng(+ 160.000/hộ chiếu (áp dụng đến hết ngày 31/12/2023 theo Thông tư số "
        "44/2023/TT-BTC))",
    )
    text = facts.fee_phrase(reduced, _procedure([reduced]), TODAY)
    assert "160.000 đồng" not in text and "31/12/2023 (đã hết hạn)" in text
    # While it runs it is shown, with its end date.
    running = facts.fee_phrase(reduced, _procedure([reduced]), dt.date(2023, 6, 1))
    assert running.startswith("160.000 đồng") and "31/12/2023" in running
    # A fee table entry that ended is not used either.
    ended = CRIMINAL_RECORD_FEES.model_copy(update={"valid_until": dt.date(2025, 12, 31)})
    cited = _channel(fee_text="Miễn phí(Theo Thông tư 244/2016/TT-BTC)", fee_kind="text")
    assert "200.000" not in facts.fee_phrase(cited, _procedure([cited], [ended]), TODAY)


def test_each_time_and_fee_keeps_its_case() -> None:
    car = _channel(time_value=2.0, condition="Đối với xe ô tô", fee_kind="amount", fee_amount_vnd=150000)
    bike = _channel(time_value=1.0, condition="Đối với xe mô tô", fee_kind="amount", fee_amount_vnd=100000)
    procedure = _procedure([car, bike])
    text = format_answer(procedure, ["processing_time", "fee"], source_name="x")
    assert "Đối với xe ô tô: 2 ngày làm việc" in text and "Đối với xe mô tô: 1 ngày làm việc" in text
    assert "Đối với xe ô tô: 150.000 đồng" in text and "Đối với xe mô tô: 100.000 đồng" in text


def test_both_counts_of_a_document_are_kept() -> None:
    both = DocumentOut(
        section="",
        name="Giấy khai sinh",
        form_name=None,
        quantity=1,
        kind=None,
        case=None,
        is_note=False,
        originals=1,
        copies=1,
    )
    assert facts.count_text(both) == "01 bản chính, 01 bản sao"
    certified = both.model_copy(update={"kind": "certified_copy", "originals": 0, "copies": 2, "quantity": 2})
    assert facts.count_text(certified) == "02 bản sao có chứng thực"


def test_a_date_a_rule_ends_on() -> None:
    assert facts.ends_on("giảm 50% đến hết ngày 31/12/2025") == dt.date(2025, 12, 31)
    assert facts.ends_on("áp dụng đến hết ngày 30 tháng 6 năm 2026") == dt.date(2026, 6, 30)
    assert facts.ends_on("Thông tư số 44/2023/TT-BTC ngày 29/6/2023") is None


def test_every_first_reply_fits_a_phone(session: Session) -> None:
    codes = list(session.scalars(select(Procedure.code)))
    assert len(codes) > 2000
    sampled = set(random.Random(16).sample(codes, 300))
    longest = 0
    for code in codes:
        procedure = get_procedure(session, code=code)
        assert procedure is not None
        reply = procedure_reply(procedure, list(OVERVIEW), source_name="Cổng DVC quốc gia")
        text = reply.text or ""
        longest = max(longest, len(text))
        assert len(text) <= FIRST_REPLY_CHARS, (code, len(text))
        assert text.splitlines()[0].endswith(f"(mã {code})")
        # The documents line set is listed once: no document text twice.
        lines = [line.split(". ", 1)[1] for line in text.splitlines() if line[:1].isdigit() and ". " in line]
        assert len(lines) == len(set(lines)), code
        assert reply.buttons[-2:] and reply.custom["card"]["code"] == code
        # Every button reads differently, and none carries a glyph pasted from a word processor.
        titles = [button["title"] for button in reply.buttons]
        assert len(titles) == len(set(titles)), (code, titles)
        assert not any("\ue000" <= ch <= "\uf8ff" for ch in text + "".join(titles)), code
        if code in sampled:
            for aspects in (
                ["fee"],
                ["processing_time"],
                ["submission"],
                ["online"],
                ["steps"],
                ["legal_basis"],
            ):
                assert len(format_answer(procedure, aspects, source_name="x")) <= FIRST_REPLY_CHARS, (
                    code,
                    aspects,
                )
            assert all(len(b["title"]) <= 40 for b in more_buttons(procedure, list(OVERVIEW)))
    assert longest > 600  # the check is not vacuous


def _first_reply_line(session: Session, code: str, label: str) -> str:
    procedure = get_procedure(session, code=code)
    assert procedure is not None
    text = procedure_reply(procedure, list(OVERVIEW), source_name="Cổng DVC quốc gia").text or ""
    return next(line for line in text.splitlines() if line.startswith(label))


def test_a_time_without_unit_is_told_from_the_steps(session: Session) -> None:
    # Death registration: the table says "1" with no unit; the steps say when the result comes.
    line = _first_reply_line(session, "1.000656", "Thời hạn:")
    assert "trả kết quả" in line and "trong ngày làm việc tiếp theo" in line
    assert "không ghi đơn vị" in line and not line.startswith("Thời hạn: 1")


def test_where_is_the_desk_the_steps_name_not_the_person_who_decides(session: Session) -> None:
    # The agency field names the provincial chairman; the steps send the dossier to the commune.
    line = _first_reply_line(session, "1.012531", "Nơi nộp:")
    assert line == "Nơi nộp: Ủy ban nhân dân cấp xã (theo các bước thực hiện)"


def test_free_beside_the_regulation_that_sets_the_fee_is_not_free(session: Session) -> None:
    # Maritime: every fee cell says "Miễn phí" beside the circular on maritime fees, with no amount.
    line = _first_reply_line(session, "1.003978", "Lệ phí:")
    assert "261/2016/TT-BTC" in line and "hỏi bộ phận Một cửa" in line
    assert not line.startswith("Lệ phí: miễn phí")


def test_an_exception_is_flagged_only_when_it_spares_the_document_itself() -> None:
    from answers.formatting import _short_name

    spared = (
        "Giấy khám sức khỏe của người lái xe do cơ sở y tế có thẩm quyền cấp theo quy định "
        "(trừ trường hợp đổi giấy phép lái xe hạng A1, A, B1)"
    )
    assert _short_name(spared, 80).endswith("(có trường hợp được miễn)")
    # The exception belongs to a later clause (a minor's parents' consent), not to the form.
    qualified = (
        "Tờ khai thay đổi thông tin cư trú (Mẫu CT01); đối với người đăng ký tạm trú là người chưa "
        "thành niên thì trong tờ khai phải ghi rõ ý kiến đồng ý của cha, mẹ hoặc người giám hộ, "
        "trừ trường hợp đã có ý kiến đồng ý bằng văn bản;"
    )
    assert "được miễn" not in _short_name(qualified, 80)


def test_where_is_never_a_person_or_a_list_of_applicants(session: Session) -> None:
    # The agency field is the commune chairman: his office is where the dossier goes.
    line = _first_reply_line(session, "1.014259", "Nơi nộp:")
    assert line == "Nơi nộp: UBND cấp xã (người quyết định: Chủ tịch UBND cấp xã)"
    # The address field holds who may apply ("Sĩ quan, hạ sĩ quan …"): the agencies are told instead.
    line = _first_reply_line(session, "1.001294", "Nơi nộp:")
    assert "Sĩ quan" not in line and "Công an" in line
    # A place the steps name ends where the sentence goes on about the fee.
    line = _first_reply_line(session, "1.004873", "Nơi nộp:")
    assert line == "Nơi nộp: Trung tâm phục vụ hành chính công có thẩm quyền (theo các bước thực hiện)"


def test_a_province_set_fee_keeps_who_is_spared_in_the_first_reply(session: Session) -> None:
    # Death registration: the province sets the fee, but registering on time is free.
    line = _first_reply_line(session, "1.000656", "Lệ phí:")
    assert (
        "Hội đồng nhân dân tỉnh" in line and "miễn lệ phí đối với trường hợp đăng ký khai tử đúng hạn" in line
    )


def test_stage_deadlines_are_told_as_stages_never_one_as_the_whole_time(session: Session) -> None:
    # Feed production certificate: no time in the table; the steps give 10, 3 and 1 working days.
    line = _first_reply_line(session, "1.008126", "Thời hạn:")
    assert "không ghi thời hạn chung" in line and line.endswith("(từng bước)")
    assert '"trong thời hạn 10 ngày làm việc"' in line and '"trong thời hạn 01 ngày làm việc"' in line
    # Civil-status copies: the steps say when the result comes.
    line = _first_reply_line(session, "2.000635", "Thời hạn:")
    assert "trong ngày làm việc tiếp theo" in line


def test_the_first_reply_shows_more_papers_everyone_brings_with_the_desk_form_first(session: Session) -> None:
    # Death registration: the paper form for the desk is shown, not hidden behind "Tất cả giấy tờ".
    procedure = get_procedure(session, code="1.000656")
    assert procedure is not None
    text = procedure_reply(procedure, list(OVERVIEW), source_name="Cổng DVC quốc gia").text or ""
    documents = [line for line in text.splitlines() if line[:1].isdigit()]
    assert any(line.split(". ", 1)[1].startswith("Tờ khai đăng ký khai tử") for line in documents)
    assert len(documents) >= 3


def _first_reply(session: Session, code: str) -> tuple[str, list[str]]:
    procedure = get_procedure(session, code=code)
    assert procedure is not None
    reply = procedure_reply(procedure, list(OVERVIEW), source_name="Cổng DVC quốc gia")
    return reply.text or "", [button["title"] for button in reply.buttons]


def test_the_records_own_amount_is_its_fee_not_other_lines_of_the_circular(session: Session) -> None:
    # The "AB" stamp costs 50.000 đồng under 25/2021/TT-BTC; the circular's passport lines are not its fee.
    line = _first_reply_line(session, "1.014903", "Lệ phí:")
    assert "50.000 đồng" in line and "hộ chiếu" not in line and "25/2021/TT-BTC" in line
    # The fee answer still gives the table's entry, as for every procedure citing it, as other amounts.
    procedure = get_procedure(session, code="1.014903")
    assert procedure is not None
    text = format_fee(procedure)
    assert "50.000 đồng" in text and "các mức khác của Thông tư 25/2021/TT-BTC" in text
    # A cell whose amount the table holds keeps the table's lines, with the source.
    assert "theo Thông tư 47/2019/TT-BTC" in _first_reply_line(session, "2.001610", "Lệ phí:")


def test_a_unitless_time_gives_the_stages_or_says_where_to_ask(session: Session) -> None:
    # Marriage: "1" with no unit and nothing in the steps: the citizen is told to ask.
    line = _first_reply_line(session, "1.000894", "Thời hạn:")
    assert "không ghi đơn vị" in line and "hỏi bộ phận Một cửa" in line
    # Paris-agreement projects: "1" with no unit; the steps give 5 working days, then 30 days, … .
    line = _first_reply_line(session, "1.010684", "Thời hạn:")
    assert '"trong thời hạn 05 ngày làm việc"' in line and '"trong thời hạn 30 ngày"' in line
    assert "(từng bước)" in line


def test_certification_is_done_at_the_commune_and_each_fee_keeps_its_place_and_unit(session: Session) -> None:
    # The agency field lists notaries and embassies; the fee rows say the commune does it too.
    line = _first_reply_line(session, "2.000815", "Nơi nộp:")
    assert line.startswith("Nơi nộp: Ủy ban nhân dân cấp xã, ") and "công chứng" in line
    line = _first_reply_line(session, "2.000815", "Lệ phí:")
    assert "công chứng: 2.000 đồng/trang" in line and "Tại cơ quan đại diện: 10 USD/bản" in line


def test_free_beside_a_fee_the_note_names_is_not_free(session: Session) -> None:
    # "Miễn phí (Theo quy định của Hội đồng nhân dân cấp tỉnh.)": the province sets the permit fee.
    line = _first_reply_line(session, "1.013229", "Lệ phí:")
    assert "Hội đồng nhân dân" in line and "miễn phí" not in line.lower()
    # "Miễn phí (Theo quy định của Luật phí và lệ phí …)": the fee law applies.
    line = _first_reply_line(session, "1.013831", "Lệ phí:")
    assert "Luật Phí và lệ phí" in line and "hỏi bộ phận Một cửa" in line
    assert not line.startswith("Lệ phí: miễn")
    # "Miễn phí (Phí kiểm tra, giám sát …: theo Thông tư 101/2020/TT-BTC)": that fee is charged.
    line = _first_reply_line(session, "1.002496", "Lệ phí:")
    assert line.startswith("Lệ phí: Phí kiểm tra, giám sát") and "101/2020/TT-BTC" in line
    # "Miễn phí (250.000 đ/lần Đồng (Sát hạch thực hành) Phí: … (Miễn phí từ … đến 30/6/2026 …))": the
    # amounts, each with what it is for; the waiver that ended is left out.
    line = _first_reply_line(session, "1.004412", "Lệ phí:")
    assert "Sát hạch thực hành: 250.000 đ/lần" in line
    assert "Sát hạch cấp giấy phép lần đầu: 600.000 đ/lần" in line
    assert "Đồng (" not in line and "30/6/2026" not in line


def test_cases_are_told_apart_and_the_ordinary_ones_come_first(session: Session) -> None:
    # Building permits: the detached house, most citizens' case, before religious works.
    text, _ = _first_reply(session, "1.013229")
    cases = [line for line in text.splitlines() if line.startswith("- ")]
    assert "nhà ở riêng lẻ" in cases[0] and not any("tôn giáo" in case for case in cases[:3])
    # Permanent residence: a rented or borrowed home is among the first cases.
    text, _ = _first_reply(session, "1.004222")
    cases = [line for line in text.splitlines() if line.startswith("- ")]
    assert any("thuê, mượn, ở nhờ" in case for case in cases[:2])
    # Digital-signature certificates: the words every case opens with are left out of the buttons.
    _, titles = _first_reply(session, "1.000213")
    assert any(title.startswith("Tạm dừng chứng thư") for title in titles)
    assert any(title.startswith("Khôi phục chứng thư") for title in titles)


def test_papers_only_some_bring_wait_behind_all_documents(session: Session) -> None:
    # Re-issued ID card: the representative of a child under 14 is not listed as everyone's paper, and
    # "Phiếu này là biểu mẫu điện tử …" (a note on the form above) is not a paper at all.
    text, _ = _first_reply(session, "1.014064")
    documents = [line for line in text.splitlines() if line[:1].isdigit()]
    assert documents and not any("đại diện hợp pháp" in line or "Phiếu này" in line for line in documents)
    assert "người đại diện hợp pháp" in text  # named in the pointer to "Tất cả giấy tờ"
    # Marriage with a foreigner: the foreign partner's marital-status paper is everyone's here, and
    # the paper of a Vietnamese who divorced abroad is not.
    text, _ = _first_reply(session, "2.000806")
    documents = [line for line in text.splitlines() if line[:1].isdigit()]
    assert any("tình trạng hôn nhân của người nước ngoài" in line for line in documents)
    assert not any(line.split(". ", 1)[1].startswith("Công dân Việt Nam đã ly hôn") for line in documents)


def test_a_copys_name_is_not_hidden_by_the_ways_a_copy_may_be_made(session: Session) -> None:
    # "Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu hoặc bản sao điện tử … giấy phép
    # đưa thuyền viên …": the paper's name is what the citizen needs to read.
    text, _ = _first_reply(session, "1.004828")
    documents = [line for line in text.splitlines() if line[:1].isdigit()]
    assert documents[0].startswith("1. Bản sao giấy phép đưa thuyền viên")
    assert any("Bản sao Giấy chứng nhận phù hợp hệ thống quản lý chất lượng" in line for line in documents)
    # Stray punctuation pasted from the source (". Nghiên cứu", ".Cơ cấu") is gone.
    text, _ = _first_reply(session, "1.000633")
    assert not any(line.split(". ", 1)[1][:1] in ".;," for line in text.splitlines() if line[:1].isdigit())


def test_a_reduction_and_a_second_charge_the_description_gives_are_told(session: Session) -> None:
    # "Phí: 800.000 đồng/hồ sơ (áp dụng mức phí 400.000 đồng/hồ sơ … đến hết ngày 31/12/2026 …). Lệ phí:
    # 100.000 đồng/hồ sơ." (a reduction shown only while it runs: the date is in the line when it is).
    line = _first_reply_line(session, "2.001130", "Lệ phí:")
    assert "800.000 đồng" in line and "lệ phí 100.000 đồng/hồ sơ" in line
    assert ("400.000 đồng" in line) == (dt.date.today() <= dt.date(2026, 12, 31))
    # A record's amount beside a circular that lets the province set it says so.
    line = _first_reply_line(session, "1.001612", "Lệ phí:")
    assert "50.000 đồng" in line and "Hội đồng nhân dân tỉnh" in line


def test_where_and_how_to_send_follow_the_record_not_a_default(session: Session) -> None:
    # The agency field is a database keeper: the steps' desk instead.
    line = _first_reply_line(session, "2.000635", "Nơi nộp:")
    assert "cơ sở dữ liệu" not in line and "Trung tâm Phục vụ hành chính công" in line
    # Online through the Ministry of Public Security's portal, not the national one.
    line = _first_reply_line(session, "1.014910", "Nộp trực tuyến:")
    assert "Cổng dịch vụ công Bộ Công an" in line and "dichvucong.gov.vn" not in line
    # Between state bodies through their document system.
    line = _first_reply_line(session, "6.006581", "Nộp trực tuyến:")
    assert "hệ thống quản lý văn bản" in line and "dichvucong.gov.vn" not in line


def test_cases_named_by_the_law_only_say_to_ask_and_times_keep_their_case(session: Session) -> None:
    text, _ = _first_reply(session, "1.003677")
    assert "Không rõ mình thuộc trường hợp nào" in text
    line = _first_reply_line(session, "1.003677", "Thời hạn:")
    assert "thì khai báo" not in line and "Trường hợp phức tạp: 2 ngày làm việc" in line
    # The record's own numbering ("a) ", "b) ") is not on the buttons; the ordinary transfer comes first.
    text, titles = _first_reply(session, "1.013831")
    cases = [line for line in text.splitlines() if line.startswith("- ")]
    assert "chuyển nhượng" in cases[0] and not any(title[:2] in {"a)", "b)"} for title in titles)


def test_where_is_the_desk_the_steps_send_the_dossier_to_with_who_decides(session: Session) -> None:
    # The agency field says the ministry decides; the steps send the dossier to the provincial office.
    line = _first_reply_line(session, "1.115127", "Nơi nộp:")
    assert line.startswith("Nơi nộp: Cơ quan đăng ký kinh doanh cấp tỉnh") and "Bộ Tài chính" in line


def test_times_said_as_the_record_says_them(session: Session) -> None:
    # No number in the table; its description says "15 ngày kể từ ngày nhận được hồ sơ hợp lệ".
    assert _first_reply_line(session, "1.004415", "Thời hạn:").startswith("Thời hạn: 15 ngày kể từ")
    # "2" without a unit and one step of "01 ngày làm việc": the step is not told as the whole time.
    line = _first_reply_line(session, "1.003395", "Thời hạn:")
    assert line.startswith("Thời hạn: 2 ") and "(từng bước)" in line
    # A tax declaration's "Không" is no time to decide, not "no deadline" left unexplained.
    line = _first_reply_line(session, "1.011022", "Thời hạn:")
    assert "không có thời hạn giải quyết" in line


def test_case_labels_never_start_inside_a_word_or_name_a_table_heading(session: Session) -> None:
    text, titles = _first_reply(session, "1.011022")
    assert not any(line.startswith("- Tượng") for line in text.splitlines())
    assert not any(title.startswith("Tượng") for title in titles)
    # "Thành phần, số lượng" is the table's heading: its papers are everyone's, not a case.
    _, titles = _first_reply(session, "1.009522")
    assert not any("Thành phần, số lượng" in title for title in titles)
    # A passport's online fee: today's amounts once, not the portal's ended reduction cut mid-line.
    line = _first_reply_line(session, "1.001456", "Lệ phí:")
    assert line.count("200.000 đồng/lần") == 1 and not line.endswith("…")


def test_papers_the_authority_makes_are_not_listed_as_the_citizens(session: Session) -> None:
    # A complaint: the acceptance notice and the decision are the police's papers, the complaint is the
    # citizen's.
    text, _ = _first_reply(session, "1.004335")
    documents = [line for line in text.splitlines() if line[:1].isdigit()]
    assert documents[0].startswith("1. Đơn khiếu nại")
    assert not any("Thông báo thụ lý" in line or "Quyết định giải quyết" in line for line in documents)


def test_fees_and_channels_the_record_states_outside_their_cells(session: Session) -> None:
    # "Miễn phí(a)" with the licence fees spilled into the description.
    line = _first_reply_line(session, "3.000380", "Lệ phí:")
    assert "30.000.000 đồng" in line and not line.startswith("Lệ phí: miễn phí")
    # Filed through the customs electronic system, which the steps name.
    line = _first_reply_line(session, "1.007797", "Nộp trực tuyến:")
    assert "Hệ thống xử lý dữ liệu điện tử hải quan" in line
    # The province's say over a household business's fee, said once for all channels.
    line = _first_reply_line(session, "1.001612", "Lệ phí:")
    assert line.count("Hội đồng nhân dân tỉnh") == 1


def test_one_more_paper_everyone_brings_before_a_full_length_place_line(session: Session) -> None:
    # Death registration with the long source line: the desk form is still shown.
    procedure = get_procedure(session, code="1.000656")
    assert procedure is not None
    text = procedure_reply(
        procedure, list(OVERVIEW), source_name="Cơ sở dữ liệu quốc gia về thủ tục hành chính"
    ).text
    assert any(line.startswith("3. Tờ khai đăng ký khai tử") for line in (text or "").splitlines())


def test_a_records_only_case_is_everyones_dossier(session: Session) -> None:
    # A BCC office: a note ("Trường hợp khai thác, sử dụng được thông tin …") was filed as the heading of
    # every row; one "case" is no choice, its papers are listed.
    text, _ = _first_reply(session, "1.009731")
    assert "Giấy tờ cần chuẩn bị:" in text and "tùy trường hợp" not in text
    assert any("hợp đồng BCC" in line for line in text.splitlines() if line[:1].isdigit())
    # The public administration service centre the steps name is where to go.
    line = _first_reply_line(session, "1.013828", "Nơi nộp:")
    assert line.startswith("Nơi nộp: Trung tâm Phục vụ hành chính công")
