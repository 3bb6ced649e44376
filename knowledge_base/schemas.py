"""Pydantic views of the knowledge base, shared by the HTTP API and the action server."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class _Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChannelOut(_Orm):
    """A submission channel with its processing time and fee."""

    channel: str
    time_value: float | None
    time_unit: str | None
    time_text: str
    fee_kind: str
    fee_amount_vnd: int | None
    fee_text: str
    description: str
    condition: str | None = None
    fee_basis: str | None = None


class DocumentOut(_Orm):
    """A required document."""

    section: str
    name: str
    form_name: str | None
    quantity: int | None
    kind: str | None
    case: str | None
    is_note: bool
    originals: int | None = None
    copies: int | None = None
    alternatives: str | None = None


class LegalBasisOut(_Orm):
    """A legal basis."""

    title: str
    number: str


class FeeScheduleOut(_Orm):
    """The fees a cited legal document sets (the staff-kept fee table)."""

    legal_number: str
    title: str
    amounts: str
    source: str
    valid_until: dt.date | None = None


class OfficeOut(_Orm):
    """The one-stop desk a procedure inherits its address, opening hours and phone from."""

    name: str
    address: str
    # As typed, line breaks kept.
    opening_hours: str
    phone: str


class OverrideOut(_Orm):
    """A province's local additions; its own address and hours, when set, win over the office's."""

    agency_address: str
    opening_hours: str
    fee_note: str
    notes: str
    not_offered: bool
    office: OfficeOut | None = None


class ProcedureOut(_Orm):
    """The full structured record of a procedure."""

    code: str
    name: str
    ministry: str
    field: str
    levels: list[str]
    procedure_type: str
    decision_number: str
    applicants: str
    competent_agency: str
    implementing_agency: str
    receiving_address: str
    delegated_agency: str
    coordinating_agency: str
    related_procedures: str
    steps: list[str]
    conditions: str
    result: str
    online_level: str | None
    online_payment: bool | None
    source_url: str
    source_date: dt.date | None
    channels: list[ChannelOut]
    documents: list[DocumentOut]
    legal_bases: list[LegalBasisOut]
    local: OverrideOut | None = None
    fees: list[FeeScheduleOut] = []
