"""The shipped seed loads, a second load changes nothing, and local edits survive a re-import."""

from __future__ import annotations

from sqlalchemy import func, select

from knowledge_base.db import session_scope
from knowledge_base.importer import load_seed
from knowledge_base.maintenance import setup_database
from knowledge_base.models import Alias, LocalOverride, Procedure, RequiredDocument
from knowledge_base.queries import get_procedure


def test_seed_holds_birth_registration_with_documents(seeded_sqlite: str) -> None:
    with session_scope(seeded_sqlite) as session:
        procedure = get_procedure(session, code="1.001193")
    assert procedure is not None
    assert procedure.name == "Thủ tục đăng ký khai sinh"
    assert procedure.levels == ["xa"]
    names = [d.name for d in procedure.documents if not d.is_note]
    assert any("Giấy chứng sinh" in n for n in names)
    assert any("Tờ khai đăng ký khai sinh" in n for n in names)
    assert {c.channel for c in procedure.channels} == {"direct", "online", "postal"}
    assert all(c.fee_kind == "free" for c in procedure.channels)
    assert procedure.source_date is not None


def test_second_setup_changes_nothing_and_keeps_local_edits(seeded_copy: str) -> None:
    with session_scope(seeded_copy) as session:
        pid = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
        session.add(LocalOverride(procedure_id=pid, opening_hours="7h30-17h", updated_by="tester"))
        counts = (
            session.scalar(select(func.count(Procedure.id))),
            session.scalar(select(func.count(RequiredDocument.id))),
            session.scalar(select(func.count(Alias.id))),
        )
        session.commit()
    report = setup_database(seeded_copy)
    assert report.added == 0 and report.updated == 0 and report.unchanged == counts[0]
    with session_scope(seeded_copy) as session:
        assert counts == (
            session.scalar(select(func.count(Procedure.id))),
            session.scalar(select(func.count(RequiredDocument.id))),
            session.scalar(select(func.count(Alias.id))),
        )
        procedure = get_procedure(session, code="1.001193")
    assert procedure is not None and procedure.local is not None
    assert procedure.local.opening_hours == "7h30-17h"


def test_changed_national_record_is_updated_not_duplicated(seeded_copy: str) -> None:
    with session_scope(seeded_copy) as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == "1.001193"))
        procedure.content_hash = "stale"
        procedure.name = "tên cũ"
        session.commit()
    with session_scope(seeded_copy) as session:
        report = load_seed(session)
        session.commit()
        assert report.updated == 1
        assert session.scalar(select(func.count()).where(Procedure.code == "1.001193")) == 1
        assert session.scalar(select(Procedure.name).where(Procedure.code == "1.001193")) == (
            "Thủ tục đăng ký khai sinh"
        )
