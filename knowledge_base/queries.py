"""Query functions used by the actions and the HTTP API (keyword-only arguments, no dialogue)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.models import Procedure
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
            selectinload(Procedure.override),
        )
    ).one_or_none()
    if procedure is None:
        return None
    return to_view(procedure)


def to_view(procedure: Procedure) -> ProcedureOut:
    """Convert a loaded Procedure row into its API/action view."""
    data = {
        column: getattr(procedure, column)
        for column in ProcedureOut.model_fields
        if column not in {"levels", "steps", "channels", "documents", "legal_bases", "local"}
    }
    return ProcedureOut(
        **data,
        levels=procedure.level_list,
        steps=[line for line in procedure.steps.split("\n") if line.strip()],
        channels=procedure.channels,  # type: ignore[arg-type]
        documents=procedure.documents,  # type: ignore[arg-type]
        legal_bases=procedure.legal_bases,  # type: ignore[arg-type]
        local=procedure.override,  # type: ignore[arg-type]
    )
