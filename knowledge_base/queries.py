"""Query functions used by the actions and the HTTP API (keyword-only arguments, no dialogue)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.fees import cited_numbers, schedules_for
from knowledge_base.models import FeeSchedule, LocalOverride, Procedure
from knowledge_base.schemas import ProcedureOut


def get_procedure(session: Session, *, code: str) -> ProcedureOut | None:
    """Return the full record of the procedure with national code `code`, or None."""
    procedure = session.scalars(
        select(Procedure)
        .where(Procedure.code == code)
        .options(
            selectinload(Procedure.channels),
            selectinload(Procedure.documents),
            selectinload(Procedure.legal_bases),
            selectinload(Procedure.override).selectinload(LocalOverride.office),
        )
    ).one_or_none()
    if procedure is None:
        return None
    cited = [c.fee_basis for c in procedure.channels if c.fee_basis]
    cited += cited_numbers(
        [c.fee_text for c in procedure.channels]
        + [lb.number for lb in procedure.legal_bases]
        + [procedure.steps]  # "nộp lệ phí đăng ký xe theo Thông tư 60/2023/TT-BTC" in a step
    )
    return to_view(procedure, fees=schedules_for(session, cited))


def to_view(procedure: Procedure, fees: list[FeeSchedule] | None = None) -> ProcedureOut:
    """Convert a loaded Procedure row into its API/action view."""
    data = {
        column: getattr(procedure, column)
        for column in ProcedureOut.model_fields
        if column not in {"levels", "steps", "channels", "documents", "legal_bases", "local", "fees"}
    }
    return ProcedureOut(
        **data,
        levels=procedure.level_list,
        steps=[line for line in procedure.steps.split("\n") if line.strip()],
        channels=procedure.channels,  # type: ignore[arg-type]
        documents=procedure.documents,  # type: ignore[arg-type]
        legal_bases=procedure.legal_bases,  # type: ignore[arg-type]
        local=procedure.override,  # type: ignore[arg-type]
        fees=fees or [],  # type: ignore[arg-type]
    )
