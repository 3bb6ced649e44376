"""The fee table keyed by legal document (issue 16): staff edits reach the next answer of every
procedure citing the document, are audited, survive a new seed and a re-import of the national file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from answers.formatting import format_answer
from knowledge_base.db import session_scope
from knowledge_base.fees import load_fee_seed
from knowledge_base.importer import import_raw_file
from knowledge_base.models import AuditLog, FeeSchedule, LocalOverride, Procedure
from knowledge_base.queries import get_procedure
from tests.staff.conftest import Staff

FIXTURES = Path(__file__).resolve().parent.parent / "knowledge_base" / "fixtures" / "parsing"
# Cấp Phiếu lý lịch tư pháp ...: its fee cell says "Miễn phí (Thực hiện theo Thông tư số 244/2016/TT-BTC)".
CRIMINAL_RECORD = "3.000330"


def _form(row: dict[str, object]) -> dict[str, object]:
    """What the page's form sends back for an entry."""
    return {key: row[key] for key in ("legal_number", "title", "amounts", "source", "note", "valid_until")}


def _fee_answer(url: str, code: str) -> str:
    with session_scope(url) as session:
        record = get_procedure(session, code=code)
    assert record is not None
    return format_answer(record, ["fee"], source_name="Cổng DVC quốc gia")


def test_the_seeded_table_answers_a_fee_the_portal_calls_free(editor: Staff, staff_db: str) -> None:
    fees = {row["legal_number"]: row for row in editor.get("/fees").json()}
    assert {"244/2016/TT-BTC", "25/2021/TT-BTC", "85/2019/TT-BTC"} <= set(fees)
    assert fees["244/2016/TT-BTC"]["from_seed"] and fees["244/2016/TT-BTC"]["source"]
    text = _fee_answer(staff_db, CRIMINAL_RECORD)
    assert "theo Thông tư 244/2016/TT-BTC" in text and "200.000 đồng/lần/người" in text
    assert "nguồn: Điều 4 Thông tư 244/2016/TT-BTC" in text


def test_an_edit_is_used_by_the_next_answer_audited_and_kept_by_the_seed(
    editor: Staff, staff_db: str
) -> None:
    row = next(r for r in editor.get("/fees").json() if r["legal_number"] == "244/2016/TT-BTC")
    body = {**_form(row), "amounts": "Phí cấp Phiếu lý lịch tư pháp: 250.000 đồng/lần/người"}
    response = editor.put(f"/fees/{row['id']}", body)
    assert response.status_code == 200, response.text
    assert response.json()["updated_by"] == "bien.tap"
    text = _fee_answer(staff_db, CRIMINAL_RECORD)
    assert "250.000 đồng/lần/người" in text and "200.000" not in text
    with session_scope(staff_db) as session:
        audit = session.scalars(select(AuditLog).where(AuditLog.entity == "fee_schedule")).one()
        assert (audit.action, audit.actor, audit.entity_id) == ("fee_update", "bien.tap", "244/2016/TT-BTC")
        assert "200.000" in audit.before["amounts"] and "250.000" in audit.after["amounts"]
        load_fee_seed(session)  # a new release's seed never overwrites an officer's edit
        session.commit()
    assert "250.000 đồng/lần/người" in _fee_answer(staff_db, CRIMINAL_RECORD)


def test_a_new_document_applies_to_every_procedure_citing_it(editor: Staff, staff_db: str) -> None:
    body = {
        "legal_number": "64/2025/TT-BTC",
        "title": "Thông tư quy định mức thu, miễn một số khoản phí, lệ phí",
        "amounts": "Lệ phí đăng ký doanh nghiệp: miễn\n"
        "Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng/lần",
        "source": "Điều 1 Thông tư 64/2025/TT-BTC",
        "valid_until": "2099-12-31",
    }
    created = editor.post("/fees", body)
    assert created.status_code == 201, created.text
    with session_scope(staff_db) as session:
        procedures = session.scalars(select(Procedure)).all()
        citing = [p.code for p in procedures if any(ch.fee_basis == "64/2025/TT-BTC" for ch in p.channels)]
    assert len(citing) >= 10
    for code in citing[:5]:
        text = _fee_answer(staff_db, code)
        assert "Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng/lần" in text, code
        assert "nguồn: Điều 1 Thông tư 64/2025/TT-BTC, áp dụng đến hết 31/12/2099" in text


def test_fee_input_is_checked_in_vietnamese(editor: Staff) -> None:
    good = {"legal_number": "99/2099/TT-BTC", "amounts": "10.000 đồng", "source": "Điều 1"}
    bad_number = editor.post("/fees", {**good, "legal_number": "thông tư 99"})
    assert bad_number.status_code == 422 and "Số hiệu văn bản chưa đúng dạng" in bad_number.json()["detail"]
    no_source = editor.post("/fees", {**good, "source": " "})
    assert no_source.status_code == 422 and "nguồn" in no_source.json()["detail"]
    assert editor.post("/fees", good).status_code == 201
    twice = editor.post("/fees", good)
    assert twice.status_code == 409 and "đã có trong bảng phí" in twice.json()["detail"]


def test_a_re_import_keeps_the_fee_table_and_local_edits(
    editor: Staff, staff_db: str, tmp_path: Path
) -> None:
    row = next(r for r in editor.get("/fees").json() if r["legal_number"] == "25/2021/TT-BTC")
    assert (
        editor.put(f"/fees/{row['id']}", {**_form(row), "note": "Đã đối chiếu văn bản gốc"}).status_code
        == 200
    )
    assert editor.put("/procedures/1.001193/override", {"opening_hours": "7h30–17h00"}).status_code == 200
    fixtures = [json.loads(p.read_text(encoding="utf-8"))["raw"] for p in sorted(FIXTURES.glob("*.json"))]
    source = tmp_path / "quoc-gia.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fixtures), encoding="utf-8")
    with session_scope(staff_db) as session:
        before = {r.legal_number: (r.amounts, r.note) for r in session.scalars(select(FeeSchedule))}
        import_raw_file(session, source)
        session.commit()
    with session_scope(staff_db) as session:
        after = {r.legal_number: (r.amounts, r.note) for r in session.scalars(select(FeeSchedule))}
        hours = session.scalars(select(LocalOverride.opening_hours)).all()
    assert after == before and after["25/2021/TT-BTC"][1] == "Đã đối chiếu văn bản gốc"
    assert "7h30–17h00" in hours
