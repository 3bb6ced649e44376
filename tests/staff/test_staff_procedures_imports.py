"""Procedures' local overrides and the national import (dry run, then apply; overrides survive)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from answers.formatting import format_answer
from knowledge_base import settings
from knowledge_base.db import session_scope
from knowledge_base.importer import DEFAULT_SOURCE_DATE, import_raw_file
from knowledge_base.maintenance import migrate
from knowledge_base.models import AuditLog, LocalOverride, Procedure
from knowledge_base.queries import get_procedure
from tests.staff.conftest import SignIn, Staff, add_staff, using_database

FIXTURES = Path(__file__).resolve().parent.parent / "knowledge_base" / "fixtures" / "parsing"


def test_search_by_words_and_by_code(editor: Staff) -> None:
    hits = editor.get("/procedures", params={"q": "dang ky khai sinh"}).json()
    assert hits[0]["code"] == "1.001193"
    assert (
        editor.get("/procedures", params={"q": "1.001193"}).json()[0]["name"] == "Thủ tục đăng ký khai sinh"
    )
    empty = editor.get("/procedures", params={"q": ""})
    assert empty.status_code == 422 and empty.json()["detail"] == "Từ khóa không được để trống."


def test_an_override_is_used_by_the_next_answer_and_audited(editor: Staff, staff_db: str) -> None:
    body = {
        "agency_address": "Bộ phận Một cửa UBND phường Ba Đình, số 1 Phố Mới",
        "opening_hours": "Thứ Hai – Thứ Sáu, 7h30–17h00",
        "fee_note": "Miễn lệ phí cho trẻ em dưới 6 tuổi",
        "notes": "Mang theo <bản gốc> giấy chứng sinh",
        "not_offered": False,
    }
    response = editor.put("/procedures/1.001193/override", body)
    assert response.status_code == 200, response.text
    with session_scope(staff_db) as session:
        record = get_procedure(session, code="1.001193")
    answer = format_answer(record, ["submission", "fee"], source_name="Cổng DVC quốc gia")
    assert "số 1 Phố Mới" in answer and "7h30–17h00" in answer
    assert "Miễn lệ phí cho trẻ em dưới 6 tuổi" in answer
    detail = editor.get("/procedures/1.001193").json()
    assert detail["override"]["notes"] == "Mang theo <bản gốc> giấy chứng sinh"
    assert detail["override"]["updated_by"] == "bien.tap"
    assert detail["national"]["code"] == "1.001193" and detail["national"]["documents"]

    editor.put("/procedures/1.001193/override", {**body, "not_offered": True})
    with session_scope(staff_db) as session:
        record = get_procedure(session, code="1.001193")
        rows = list(
            session.scalars(select(AuditLog).where(AuditLog.entity == "procedure").order_by(AuditLog.id))
        )
    assert "KHÔNG được thực hiện tại địa phương" in format_answer(record, ["documents"], source_name="x")
    assert [r.action for r in rows] == ["override_update", "override_update"]
    assert rows[0].before is None and rows[0].after["agency_address"] == body["agency_address"]
    assert rows[1].before["not_offered"] is False and rows[1].after["not_offered"] is True


def test_override_validation_is_vietnamese(editor: Staff) -> None:
    long = editor.put("/procedures/1.001193/override", {"agency_address": "x" * 501})
    assert long.status_code == 422 and long.json()["detail"] == "Địa chỉ nơi tiếp nhận tối đa 500 ký tự."
    unknown = editor.put("/procedures/9.999999/override", {})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Không tìm thấy thủ tục mã 9.999999."
    bad_code = editor.get("/procedures/<script>")
    assert bad_code.status_code in (404, 422)


# --- Import --------------------------------------------------------------------------------------


def _records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))["raw"] for p in sorted(FIXTURES.glob("*.json"))]


def _jsonl(records: list[dict]) -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n").encode("utf-8")


Base = tuple[SignIn, str, list[dict[str, Any]]]


@pytest.fixture
def small_base(tmp_path: Path) -> Iterator[Base]:
    """A database holding 12 procedures of the fixtures, with the test accounts."""
    records = _records()
    url = f"sqlite:///{tmp_path / 'small.db'}"
    migrate(url)
    source = tmp_path / "first.jsonl"
    source.write_bytes(_jsonl(records[:12]))
    with session_scope(url) as session:
        import_raw_file(session, source)
        session.commit()
    add_staff(url)
    with using_database(url):
        signer = SignIn()
        yield signer, url, records
        signer.close()


def _upload(
    admin: Staff, data: bytes, name: str = "quoc-gia.jsonl", day: str = DEFAULT_SOURCE_DATE.isoformat()
) -> httpx.Response:
    return admin.client.post(
        "/api/staff/v1/imports",
        files={"file": (name, data, "application/octet-stream")},
        data={"source_date": day},
        headers={"X-CSRF-Token": admin.csrf},
    )


def test_dry_run_shows_the_diff_and_writes_nothing_then_apply_keeps_overrides(small_base: Base) -> None:
    signer, url, records = small_base
    admin = signer("quan.tri")
    kept, dropped, added = records[2]["ma_thu_tuc"], records[0]["ma_thu_tuc"], records[12]["ma_thu_tuc"]
    for code in (kept, dropped):
        assert (
            admin.put(f"/procedures/{code}/override", {"agency_address": f"Địa chỉ riêng {code}"}).status_code
            == 200
        )
    new_file = [dict(r) for r in records[1:13]]
    new_file[1] = {**new_file[1], "ten_thu_tuc": new_file[1]["ten_thu_tuc"] + " (sửa đổi)"}
    with session_scope(url) as session:
        before = {c: n for c, n in session.execute(select(Procedure.code, Procedure.name))}

    staged = _upload(admin, gzip.compress(_jsonl(new_file)), "quoc-gia.jsonl.gz")
    assert staged.status_code == 201, staged.text
    batch = staged.json()
    summary = batch["summary"]
    assert batch["status"] == "staged"
    assert [a["code"] for a in summary["added"]] == [added]
    assert summary["changed"] == [{"code": kept, "name": new_file[1]["ten_thu_tuc"], "fields": ["name"]}]
    assert [r["code"] for r in summary["removed"]] == [dropped]
    assert summary["unchanged"] == 10 and summary["failed_count"] == 0
    with session_scope(url) as session:  # a dry run changes nothing
        assert {c: n for c, n in session.execute(select(Procedure.code, Procedure.name))} == before

    applied = admin.post(f"/imports/{batch['id']}/apply", {"remove_missing": False})
    assert applied.status_code == 200, applied.text
    assert applied.json()["summary"]["result"] == {
        "added": 1,
        "updated": 1,
        "unchanged": 10,
        "removed": 0,
        "kept_missing": 1,
    }
    with session_scope(url) as session:
        names = {c: n for c, n in session.execute(select(Procedure.code, Procedure.name))}
        assert names[kept].endswith("(sửa đổi)") and added in names and dropped in names
        overrides = dict(
            session.execute(select(Procedure.code, LocalOverride.agency_address).join(LocalOverride)).all()
        )
        assert overrides == {kept: f"Địa chỉ riêng {kept}", dropped: f"Địa chỉ riêng {dropped}"}
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "import_apply")).one()
        assert audit.actor == "quan.tri" and audit.before == {"procedures": 12}
        assert audit.after["procedures"] == 13 and audit.after["changed_codes"] == [kept]
    again = admin.post(f"/imports/{batch['id']}/apply", {})
    assert again.status_code == 409 and again.json()["detail"] == "Lượt nhập này đã được áp dụng hoặc đã hủy."


def test_procedures_missing_from_the_file_are_removed_only_when_asked(small_base: Base) -> None:
    signer, url, records = small_base
    admin = signer("quan.tri")
    batch = _upload(admin, _jsonl(records[1:12])).json()
    assert [r["code"] for r in batch["summary"]["removed"]] == [records[0]["ma_thu_tuc"]]
    result = admin.post(f"/imports/{batch['id']}/apply", {"remove_missing": True}).json()["summary"]["result"]
    assert result["removed"] == 1 and result["unchanged"] == 11
    with session_scope(url) as session:
        assert session.scalar(select(func.count(Procedure.id))) == 11


def test_bad_files_get_clear_vietnamese_errors_and_discard_works(small_base: Base) -> None:
    signer, _url, records = small_base
    admin = signer("quan.tri")
    broken = _upload(admin, b'{"ma_thu_tuc": "1.000001"}\nkhong phai json\n', "hong.jsonl")
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith(
        "Tệp hong.jsonl không hợp lệ: dòng 2 không phải một đối tượng JSON."
    )
    assert _upload(admin, b"").json()["detail"] == "Tệp tải lên trống."
    assert (
        _upload(admin, b"\x1f\x8b\x08garbage").json()["detail"]
        == "Tệp nén quoc-gia.jsonl bị hỏng hoặc không đọc được."
    )
    assert (
        _upload(admin, b"[1, 2]\n")
        .json()["detail"]
        .endswith("mỗi dòng phải là một thủ tục (đối tượng JSON).")
    )
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert (
        _upload(admin, _jsonl(records[:2]), day=future).json()["detail"]
        == "Ngày lấy dữ liệu không được ở tương lai."
    )
    no_date = admin.client.post(
        "/api/staff/v1/imports", files={"file": ("a.jsonl", b"{}")}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert no_date.json()["errors"] == [
        {"field": "source_date", "message": "Ngày lấy dữ liệu: bắt buộc phải có."}
    ]
    batch = _upload(admin, _jsonl(records[:2])).json()
    assert admin.post(f"/imports/{batch['id']}/discard").json()["status"] == "discarded"
    assert admin.post(f"/imports/{batch['id']}/apply", {}).status_code == 409
    history = admin.get("/imports").json()
    assert history[0]["status"] == "discarded" and history[0]["summary"]["removed"] == 10


def test_a_cut_off_or_corrupted_gzip_file_is_a_clear_error(small_base: Base) -> None:
    # Found by tests/knowledge_base/test_parsing_properties.py: gzip raises EOFError / zlib.error
    # for these, and the corrupted one answered 500.
    signer, _url, records = small_base
    admin = signer("quan.tri")
    packed = gzip.compress(_jsonl(records[:3]), mtime=0)
    for broken in (packed[: len(packed) // 2], packed[:20] + b"\xff" * 40 + packed[60:]):
        response = _upload(admin, broken)
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == "Tệp nén quoc-gia.jsonl bị hỏng hoặc không đọc được."


# --- Import limits (issue 17): a decompression bomb, records without a valid code ---------------


def test_a_decompression_bomb_is_refused_with_413_before_it_fills_memory(small_base: Base) -> None:
    """The probe's file: 11 KiB of gzip expanding to 4 million records (3.8 GiB and 259 s of CPU)."""
    signer, url, _records = small_base
    admin = signer("quan.tri")
    bomb = gzip.compress(b"{}\n" * 4_000_000, compresslevel=9, mtime=0)
    assert len(bomb) < 20_000
    response = _upload(admin, bomb, "bom.jsonl.gz")
    assert response.status_code == 413, response.text[:300]
    detail = response.json()["detail"]
    assert detail.startswith("Tệp bom.jsonl.gz có hơn 20.000 bản ghi") and "không có gì được nhập" in detail
    with session_scope(url) as session:  # nothing staged
        assert admin.get("/imports").json() == []
        assert session.scalar(select(func.count(Procedure.id))) == 12


def test_the_uncompressed_size_and_the_record_count_are_capped_from_the_environment(
    small_base: Base, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    signer, _url, records = small_base
    admin = signer("quan.tri")
    # Settings are read once per process: read again after each change, and once the test is over.
    request.addfinalizer(settings.get_settings.cache_clear)
    monkeypatch.setenv("IMPORT_MAX_RECORDS", "5")
    settings.get_settings.cache_clear()
    many = _upload(admin, gzip.compress(_jsonl(records[:6])), "nhieu.jsonl.gz")
    assert many.status_code == 413 and "có hơn 5 bản ghi" in many.json()["detail"]
    assert _upload(admin, _jsonl(records[:5])).status_code == 201
    monkeypatch.setenv("IMPORT_MAX_RECORDS", "20000")
    monkeypatch.setenv("IMPORT_MAX_UNCOMPRESSED_MB", "1")
    settings.get_settings.cache_clear()
    # One endless line (no newline to stop at) and a plain file past the size, compressed or not.
    line = gzip.compress(b'{"ma_thu_tuc": "1.000001", "ten_thu_tuc": "' + b"a" * (3 << 20) + b'"}\n')
    for data, name in ((line, "dai.jsonl.gz"), (gzip.decompress(line), "dai.jsonl")):
        response = _upload(admin, data, name)
        assert response.status_code == 413, response.text[:300]
        assert f"Tệp {name} sau khi giải nén lớn hơn 1 MB" in response.json()["detail"]


def test_records_without_a_valid_procedure_code_are_rejected_not_staged(small_base: Base) -> None:
    signer, url, records = small_base
    admin = signer("quan.tri")
    bad = [
        {k: v for k, v in records[12].items() if k != "ma_thu_tuc"},
        {**records[13], "ma_thu_tuc": ""},
        {**records[14], "ma_thu_tuc": "<script>alert(1)</script>"},
        {**records[15], "ma_thu_tuc": 1.001193},
        {**records[16], "ma_thu_tuc": "1.001193; DROP TABLE procedure"},
    ]
    staged = _upload(admin, _jsonl([*records[:2], *bad, records[2]]))
    assert staged.status_code == 201, staged.text
    summary = staged.json()["summary"]
    assert summary["parsed"] == 3 and summary["failed_count"] == 5 and summary["read"] == 8
    assert sorted(summary["failed"]) == ["dòng 3", "dòng 4", "dòng 5", "dòng 6", "dòng 7"]
    assert summary["failed"]["dòng 3"] == "Không có mã thủ tục (ma_thu_tuc)."
    assert summary["failed"]["dòng 5"].startswith("Mã thủ tục không hợp lệ: '<script>")
    applied = admin.post(f"/imports/{staged.json()['id']}/apply", {"remove_missing": False})
    assert applied.status_code == 200, applied.text
    with session_scope(url) as session:
        codes = set(session.scalars(select(Procedure.code)))
    assert len(codes) == 12 and all(code.startswith(("1.", "2.", "3.")) for code in codes)
    only_bad = _upload(admin, _jsonl(bad))
    assert only_bad.status_code == 422
    assert only_bad.json()["detail"] == "Không đọc được thủ tục nào trong tệp quoc-gia.jsonl (5 bản ghi lỗi)."
