"""The fee table keyed by legal document (issue 16): its seed and the lookup the answers use.

The national records often say "Miễn phí" beside the circular that sets the fee, or give no amount at
all; the amounts live in that circular. `fee_schedule` holds them once per legal document, and every
procedure whose fee cell or legal basis cites the document shows them, with their source.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base.models import FeeSchedule
from knowledge_base.staff.common import now

SEED_PATH = Path(__file__).resolve().parent / "seed" / "fees.json"
SEED_ACTOR = "seed"
# "244/2016/TT-BTC", "60/2023/TT-BTC", "99/2022/NĐ-CP", "16/2026/QĐ-UBND"
LEGAL_NUMBER = re.compile(r"\d{1,4}/\d{4}/(?:TTLT|TT|NĐ|NQ|QĐ)-[A-ZĐ]+(?:-[A-ZĐ]+)*")


def read_seed(path: Path = SEED_PATH) -> list[dict[str, Any]]:
    """The shipped entries (each has legal_number, title, amounts, source)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data["fees"])


def load_fee_seed(session: Session, path: Path = SEED_PATH) -> int:
    """Insert missing entries; update a seeded one only while no officer has edited it. Flushes."""
    existing = {row.legal_number: row for row in session.scalars(select(FeeSchedule))}
    changed = 0
    for item in read_seed(path):
        wanted = {key: item.get(key, "") for key in ("title", "amounts", "source")}
        row = existing.get(item["legal_number"])
        if row is None:
            session.add(
                FeeSchedule(
                    legal_number=item["legal_number"],
                    note="",
                    created_by=SEED_ACTOR,
                    updated_by=SEED_ACTOR,
                    updated_at=now(),
                    **wanted,
                )
            )
            changed += 1
        elif row.updated_by == SEED_ACTOR and any(getattr(row, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(row, key, value)
            changed += 1
    session.flush()
    return changed


def cited_numbers(texts: Iterable[str]) -> list[str]:
    """Legal document numbers named in `texts`, first mention first, without repeats."""
    found: list[str] = []
    for text in texts:
        for match in LEGAL_NUMBER.finditer(text or ""):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def schedules_for(
    session: Session, numbers: Iterable[str], today: dt.date | None = None
) -> list[FeeSchedule]:
    """The fee table entries for `numbers` (in that order) that are still valid `today`."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return []
    today = today or dt.date.today()
    rows = {
        row.legal_number: row
        for row in session.scalars(select(FeeSchedule).where(FeeSchedule.legal_number.in_(wanted)))
        if row.valid_until is None or row.valid_until >= today
    }
    return [rows[number] for number in wanted if number in rows]
