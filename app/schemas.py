"""Pydantic bodies of the public API that only the API answers with (search hits, dossiers).

The procedure record itself (`ProcedureOut` and its parts) is the knowledge base's view, shared with
the action server: `knowledge_base.schemas`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class SearchHitOut(BaseModel):
    """One search result."""

    code: str
    name: str
    level: str
    score: float


class DossierEventOut(BaseModel):
    """One step of a dossier's history."""

    status: str
    note: str
    at: dt.datetime


class DossierOut(BaseModel):
    """A dossier's status as a citizen may see it (no applicant name or phone)."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    overdue: bool
    note: str
    history: list[DossierEventOut]
