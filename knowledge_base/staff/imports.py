"""Importing a new national file from the staff workspace: a dry run first, then apply.

The upload is parsed at once, decompressed and read a line at a time within the import's limits
(`knowledge_base.importer.read_national`, `ImportLimits`: a small .gz that expands past them is refused
with 413, and a record without a valid procedure code is reported, not staged), and compared with the
database (`plan_import`): which codes would be added, which changed (and in which fields), which are
in the database but not in the file. The parsed records are kept with the batch until an admin applies
or discards it. Applying upserts them (`upsert_procedures`, which never touches local overrides or
aliases); procedures missing from the file are deleted only when the admin asks for it, because a
partial file (one ministry's procedures) must not wipe the rest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge_base.importer import (
    ImportLimits,
    ImportTooLarge,
    NotARecordError,
    parse_raw_records,
    plan_import,
    procedure_from_dict,
    procedure_to_dict,
    read_national,
    remove_procedures,
    upsert_procedures,
)
from knowledge_base.models import ImportBatch, Procedure
from knowledge_base.parsing import ParsedProcedure
from knowledge_base.staff import audit
from knowledge_base.staff.auth import Principal
from knowledge_base.staff.common import VIETNAM, StaffError, aware, clean_text, iso, now

# A staged batch older than this must be uploaded again (the database may have moved on).
STAGE_HOURS = 24
FIELD_LABELS = {
    "name": "Tên thủ tục",
    "ministry": "Bộ, ngành",
    "field": "Lĩnh vực",
    "levels": "Cấp thực hiện",
    "procedure_type": "Loại thủ tục",
    "decision_number": "Số quyết định",
    "applicants": "Đối tượng thực hiện",
    "competent_agency": "Cơ quan có thẩm quyền",
    "implementing_agency": "Cơ quan thực hiện",
    "receiving_address": "Địa chỉ tiếp nhận",
    "delegated_agency": "Cơ quan được ủy quyền",
    "coordinating_agency": "Cơ quan phối hợp",
    "related_procedures": "Thủ tục liên quan",
    "steps": "Trình tự thực hiện",
    "conditions": "Yêu cầu, điều kiện",
    "result": "Kết quả",
    "online_level": "Mức trực tuyến",
    "online_payment": "Thanh toán trực tuyến",
    "source_url": "Đường dẫn nguồn",
    "source_date": "Ngày cập nhật nguồn",
    "doubtful": "Ghi chú phân tích",
    "channels": "Cách thức thực hiện (thời hạn, phí)",
    "documents": "Thành phần hồ sơ",
    "legal_bases": "Căn cứ pháp lý",
}
# How many failed codes a summary keeps (a broken file could fail every record).
_MAX_FAILED = 200
_LINE_RE = re.compile(r":(\d+): not a JSON object")


def _parse_upload(data: bytes, filename: str) -> tuple[list[ParsedProcedure], dict[str, str]]:
    limits = ImportLimits.from_env()
    try:
        return parse_raw_records(read_national(io.BytesIO(data), filename, limits=limits))
    except ImportTooLarge as exc:
        if exc.limit == "records":
            reason = f"có hơn {exc.value:,} bản ghi".replace(",", ".")
        else:
            reason = f"sau khi giải nén lớn hơn {exc.value / (1 << 20):g} MB"
        raise StaffError(
            f"Tệp {filename} {reason} (giới hạn của một lần nhập); không có gì được nhập. "
            "Hãy kiểm tra lại tệp, hoặc chia tệp thành nhiều lần nhập.",
            status=413,
            field="file",
        ) from None
    except NotARecordError:
        raise StaffError(
            f"Tệp {filename} không hợp lệ: mỗi dòng phải là một thủ tục (đối tượng JSON)."
        ) from None
    except ValueError as exc:
        line = _LINE_RE.search(str(exc))
        where = f"dòng {line.group(1)}" if line else "một dòng"
        if isinstance(exc, UnicodeDecodeError):
            raise StaffError("Tệp không phải văn bản UTF-8; hãy tải lên tệp .jsonl hoặc .jsonl.gz.") from None
        raise StaffError(
            f"Tệp {filename} không hợp lệ: {where} không phải một đối tượng JSON. "
            "Tệp cần có mỗi dòng là một thủ tục (định dạng JSON Lines)."
        ) from None
    except (OSError, EOFError):
        raise StaffError(f"Tệp nén {filename} bị hỏng hoặc không đọc được.") from None


def _pack(parsed: list[ParsedProcedure]) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        for procedure in parsed:
            gz.write((json.dumps(procedure_to_dict(procedure), ensure_ascii=False) + "\n").encode("utf-8"))
    return out.getvalue()


def _unpack(payload: bytes) -> list[ParsedProcedure]:
    with gzip.GzipFile(fileobj=io.BytesIO(payload), mode="rb") as gz:
        return [procedure_from_dict(json.loads(line)) for line in gz if line.strip()]


def _names(session: Session, codes: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        rows = session.execute(select(Procedure.code, Procedure.name).where(Procedure.code.in_(chunk)))
        names.update({code: name for code, name in rows})
    return names


def batch_view(batch: ImportBatch) -> dict[str, Any]:
    """A batch as the pages see it (without the payload)."""
    return {
        "id": batch.id,
        "filename": batch.filename,
        "source_date": batch.source_date.isoformat(),
        "status": batch.status,
        "created_by": batch.created_by,
        "created_at": iso(batch.created_at),
        "applied_by": batch.applied_by,
        "applied_at": iso(batch.applied_at),
        "summary": batch.summary,
        "field_labels": FIELD_LABELS,
    }


def stage_upload(
    session: Session, principal: Principal, *, filename: str, data: bytes, source_date: dt.date
) -> dict[str, Any]:
    """Parse an uploaded national file and compare it with the database (dry run; audited).

    Raises:
        StaffError: an empty, unreadable or malformed file, or a source date in the future.
    """
    filename = clean_text(Path(filename or "tep-tai-len").name)[:255] or "tep-tai-len"
    if source_date > dt.datetime.now(VIETNAM).date():
        raise StaffError("Ngày lấy dữ liệu không được ở tương lai.", field="source_date")
    if not data.strip():
        raise StaffError("Tệp tải lên trống.", field="file")
    parsed, failed = _parse_upload(data, filename)
    if not parsed:
        raise StaffError(
            f"Không đọc được thủ tục nào trong tệp {filename}"
            + (f" ({len(failed)} bản ghi lỗi)." if failed else "."),
            field="file",
        )
    plan = plan_import(session, ((p, source_date) for p in parsed))
    parsed_names = {p.code: p.name for p in parsed}
    stored_names = _names(session, sorted(set(plan.changed) | set(plan.removed)))
    summary = {
        "read": len(parsed) + len(failed),
        "parsed": len(parsed),
        "failed": dict(sorted(failed.items())[:_MAX_FAILED]),
        "failed_count": len(failed),
        "added": [{"code": c, "name": parsed_names.get(c, "")} for c in plan.added],
        "changed": [
            {"code": c, "name": parsed_names.get(c) or stored_names.get(c, ""), "fields": fields}
            for c, fields in sorted(plan.changed.items())
        ],
        "removed": [{"code": c, "name": stored_names.get(c, "")} for c in plan.removed],
        "unchanged": plan.unchanged,
    }
    batch = ImportBatch(
        filename=filename,
        source_date=source_date,
        status="staged",
        created_by=principal.username,
        created_at=now(),
        summary=summary,
        payload=_pack(parsed),
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="import_dry_run",
        entity="import_batch",
        entity_id=batch.id,
        after={
            "filename": filename,
            "source_date": source_date.isoformat(),
            "added": len(plan.added),
            "changed": len(plan.changed),
            "removed": len(plan.removed),
            "unchanged": plan.unchanged,
            "failed": len(failed),
        },
    )
    return batch_view(batch)


def _staged(session: Session, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise StaffError("Không tìm thấy lượt nhập dữ liệu này.", status=404)
    if batch.status != "staged":
        raise StaffError("Lượt nhập này đã được áp dụng hoặc đã hủy.", status=409)
    if aware(batch.created_at) < now() - dt.timedelta(hours=STAGE_HOURS):
        raise StaffError(
            f"Lượt chạy thử đã quá {STAGE_HOURS} giờ; vui lòng tải tệp lên và chạy thử lại.", status=409
        )
    return batch


def _codes(items: list[str], limit: int = 200) -> list[str]:
    return items[:limit] + ([f"... và {len(items) - limit} mã khác"] if len(items) > limit else [])


def apply_batch(
    session: Session, principal: Principal, batch_id: int, *, remove_missing: bool = False
) -> dict[str, Any]:
    """Apply a staged batch: upsert its procedures and, if asked, delete those the file lacks (audited).

    The comparison is made again first, so the result describes what really changed, even if the
    database moved since the dry run. Local overrides and aliases of kept procedures are untouched.
    """
    batch = _staged(session, batch_id)
    parsed = _unpack(batch.payload)
    pairs = [(p, batch.source_date) for p in parsed]
    count_before = int(session.scalar(select(func.count(Procedure.id))) or 0)
    plan = plan_import(session, pairs)
    report = upsert_procedures(session, pairs)
    removed = remove_procedures(session, plan.removed) if remove_missing else 0
    result = {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": removed,
        "kept_missing": 0 if remove_missing else len(plan.removed),
    }
    batch.summary = {**batch.summary, "result": result}
    batch.status = "applied"
    batch.applied_by = principal.username
    batch.applied_at = now()
    batch.payload = b""
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="import_apply",
        entity="import_batch",
        entity_id=batch.id,
        before={"procedures": count_before},
        after={
            "procedures": int(session.scalar(select(func.count(Procedure.id))) or 0),
            "filename": batch.filename,
            "source_date": batch.source_date.isoformat(),
            **result,
            "added_codes": _codes(plan.added),
            "changed_codes": _codes(sorted(plan.changed)),
            "removed_codes": _codes(plan.removed) if remove_missing else [],
        },
    )
    return batch_view(batch)


def discard_batch(session: Session, principal: Principal, batch_id: int) -> dict[str, Any]:
    """Drop a staged batch without applying it (audited)."""
    batch = _staged(session, batch_id)
    batch.status = "discarded"
    batch.payload = b""
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="import_discard",
        entity="import_batch",
        entity_id=batch.id,
        before={"status": "staged"},
        after={"status": "discarded"},
    )
    return batch_view(batch)


def list_batches(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    """The latest batches, newest first, with short summaries."""
    rows = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
    out = []
    for batch in rows:
        view = batch_view(batch)
        summary = batch.summary or {}
        view["summary"] = {
            "added": len(summary.get("added", [])),
            "changed": len(summary.get("changed", [])),
            "removed": len(summary.get("removed", [])),
            "unchanged": summary.get("unchanged", 0),
            "failed_count": summary.get("failed_count", 0),
            "result": summary.get("result"),
        }
        out.append(view)
    return out


def get_batch(session: Session, batch_id: int) -> dict[str, Any]:
    """One batch with its full dry-run summary."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise StaffError("Không tìm thấy lượt nhập dữ liệu này.", status=404)
    return batch_view(batch)
