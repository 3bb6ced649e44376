"""Importing the national procedure database into the knowledge base.

Two inputs: the raw national scrape (one JSON object per line, as published; parsed here) and the
project's own seed (the cleaned, already parsed records, gzip-compressed, shipped in the repository so
that a fresh machine needs neither network nor the raw file). Both upsert by procedure code: a second
run changes nothing, and local overrides and aliases (separate tables) are never touched.

A national file comes from outside (the staff workspace's upload, the command line): it is read as a
stream, one line at a time, within `ImportLimits` (uncompressed bytes and records), so an 11 KiB
.jsonl.gz that expands to millions of records is refused early instead of filling memory, and a record
without a valid procedure code is reported, never imported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge_base.models import (
    Alias,
    LegalBasis,
    Procedure,
    RequiredDocument,
    SubmissionChannel,
)
from knowledge_base.parsing import Channel, Document, ParsedProcedure, parse_record
from knowledge_base.parsing import LegalBasis as ParsedLegalBasis
from knowledge_base.settings import get_settings
from vntext import fold, lexicon

SEED_DIR = Path(__file__).resolve().parent / "seed"
PROCEDURES_SEED = SEED_DIR / "procedures.jsonl.gz"
ALIASES_SEED = lexicon.LEXICON_DIR  # the alias seed: lexicon/aliases.yml and the aliases of things.yml
# The national scrape shipped as seed was taken in June–July 2026 (its last change: 2026-07-17).
DEFAULT_SOURCE_DATE = dt.date(2026, 7, 17)
# A national procedure code: 1.001193, with the local version's suffix where there is one
# (1.001234.000.00.00.H37); at most 32 characters, the width of `Procedure.code`.
PROCEDURE_CODE_RE = re.compile(r"[0-9]\.[0-9]{6}(?:\.[0-9A-Za-z]{1,6}){0,4}")
_MAX_CODE_CHARS = 32
_GZIP_MAGIC = b"\x1f\x8b"

# Fields reported per procedure: name in the report -> how to tell it is empty.
_REPORT_FIELDS = {
    "channels": lambda p: not p.channels,
    "documents": lambda p: not p.documents,
    "legal_bases": lambda p: not p.legal_bases,
    "steps": lambda p: not p.steps,
    "conditions": lambda p: not p.conditions,
    "result": lambda p: not p.result,
    "implementing_agency": lambda p: not p.implementing_agency,
}


@dataclass
class ImportReport:
    """What an import did, for the operator."""

    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # code -> error
    empty: Counter[str] = field(default_factory=Counter)
    doubtful: Counter[str] = field(default_factory=Counter)
    doubtful_codes: dict[str, list[str]] = field(default_factory=dict)
    # Every doubtful kind, "field: reason" -> procedures, and what is worth a look though parsed
    # ("to check: ..."): documents whose count cell says 0, bare times, fees beside a regulation.
    kinds: Counter[str] = field(default_factory=Counter)

    def field_rows(self) -> list[tuple[str, int, int, int]]:
        """Rows of (field, parsed, empty, doubtful) over the imported procedures."""
        ok = self.read - len(self.failed)
        fields = sorted(set(_REPORT_FIELDS) | set(self.doubtful))
        return [
            (name, ok - self.empty[name] - self.doubtful[name], self.empty[name], self.doubtful[name])
            for name in fields
        ]

    def render(self) -> str:
        """A plain-text report."""
        lines = [
            f"Procedures read: {self.read}; imported: {self.added + self.updated + self.unchanged} "
            f"(added {self.added}, updated {self.updated}, unchanged {self.unchanged}); "
            f"failed: {len(self.failed)}",
            "",
            f"{'field':<22}{'parsed':>8}{'empty':>8}{'doubtful':>10}",
        ]
        for name, parsed, empty, doubtful in self.field_rows():
            lines.append(f"{name:<22}{parsed:>8}{empty:>8}{doubtful:>10}")
        for name, codes in sorted(self.doubtful_codes.items()):
            more = f" (+{len(codes) - 10} more)" if len(codes) > 10 else ""
            lines.append(f"doubtful {name}: {', '.join(codes[:10])}{more}")
        if self.kinds:
            lines += ["", "Doubtful kinds (procedures):"]
            lines += [f"{count:>6}  {kind}" for kind, count in sorted(self.kinds.items())]
        if self.failed:
            lines.append("Could not parse: " + ", ".join(sorted(self.failed)))
        return "\n".join(lines)


class NotARecordError(ValueError):
    """A line of a national file is valid JSON but not an object, so not a procedure record."""


class ImportTooLarge(ValueError):  # noqa: N818 - reads as what the file is, like gzip's BadGzipFile
    """A national file past the import's limits (uncompressed size or number of records)."""

    def __init__(self, message: str, *, limit: str, value: int) -> None:
        """Create the refusal.

        Args:
            message: the reason, for logs and the command line.
            limit: which limit: ``"bytes"`` (uncompressed) or ``"records"``.
            value: that limit's value.
        """
        super().__init__(message)
        self.limit = limit
        self.value = value


@dataclass(frozen=True)
class ImportLimits:
    """How much of a national file an import reads before refusing it (None: no limit)."""

    max_bytes: int | None = None
    max_records: int | None = None

    @classmethod
    def from_env(cls) -> ImportLimits:
        """The limits set by IMPORT_MAX_UNCOMPRESSED_MB and IMPORT_MAX_RECORDS (the settings)."""
        values = get_settings()
        return cls(
            max_bytes=int(values.import_max_uncompressed_mb * (1 << 20)),
            max_records=values.import_max_records,
        )


def _numbered_records(
    stream: IO[bytes], name: str, limits: ImportLimits
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-empty line of a binary stream, within `limits`."""
    read = 0
    records = 0
    number = 0
    while True:
        # Never more than the bytes left plus one: a single endless line cannot fill memory either.
        budget = -1 if limits.max_bytes is None else limits.max_bytes - read + 1
        chunk = stream.readline(budget)
        if not chunk:
            return
        read += len(chunk)
        if limits.max_bytes is not None and read > limits.max_bytes:
            raise ImportTooLarge(
                f"{name}: more than {limits.max_bytes} bytes uncompressed",
                limit="bytes",
                value=limits.max_bytes,
            )
        # \r, \n and \r\n end a line, as text mode's universal newlines read them.
        for line in chunk.splitlines():
            number += 1
            text = line.decode("utf-8")  # UnicodeDecodeError: a ValueError, as in text mode
            if not text.strip():
                continue
            records += 1
            if limits.max_records is not None and records > limits.max_records:
                raise ImportTooLarge(
                    f"{name}: more than {limits.max_records} records",
                    limit="records",
                    value=limits.max_records,
                )
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{name}:{number}: not a JSON object: {exc.msg}") from exc
            if not isinstance(record, dict):
                raise NotARecordError(f"{name}:{number}: not a JSON object (a procedure record)")
            yield number, record


def read_national(
    stream: IO[bytes], name: str, *, gz: bool | None = None, limits: ImportLimits | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream (line number, object) from a .jsonl or .jsonl.gz stream, decompressing as it reads.

    Args:
        stream: the file's bytes, compressed or not.
        name: the file's name, for error messages.
        gz: whether it is gzip data (None: look at its first two bytes).
        limits: how much to read at most (default: no limit).

    Raises:
        ImportTooLarge: past a limit (a ValueError too).
        NotARecordError: a line is JSON but not an object (a ValueError too).
        ValueError: a line is not JSON, or the text is not UTF-8 (UnicodeDecodeError).
        OSError: the gzip data is corrupted or cut off.
    """
    limits = limits or ImportLimits()
    if gz is None:
        if not stream.seekable():
            raise ValueError(f"{name}: say whether the stream is gzip data (it cannot be rewound)")
        start = stream.read(2)
        gz = start == _GZIP_MAGIC
        stream.seek(-len(start), 1)
    try:
        if gz:
            with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
                yield from _numbered_records(unpacked, name, limits)
        else:
            yield from _numbered_records(stream, name, limits)
    except (EOFError, zlib.error) as exc:
        # gzip reports a cut-off file as EOFError and corrupted data as zlib.error: both are a broken
        # file, reported like gzip's own BadGzipFile (an OSError) so that callers catch one type.
        raise gzip.BadGzipFile(f"{name}: corrupted or incomplete gzip data ({exc})") from exc


def read_jsonl(path: Path, *, limits: ImportLimits | None = None) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a .jsonl or .jsonl.gz file, one per non-empty line, as it reads.

    Raises:
        ImportTooLarge: past `limits` (default: none).
        NotARecordError: a line is JSON but not an object (a ValueError too).
        ValueError: a line is not JSON ("<path>:<line>: not a JSON object: ..."), or the text is not
            UTF-8 (UnicodeDecodeError).
        OSError: the file cannot be read, or its gzip data is corrupted or cut off.
    """
    with open(path, "rb") as handle:
        for _number, record in read_national(handle, str(path), gz=path.suffix == ".gz", limits=limits):
            yield record


def record_code_problem(raw: dict[str, Any]) -> str | None:
    """Why a raw record's procedure code (``ma_thu_tuc``) cannot be imported, or None when it can."""
    value = raw.get("ma_thu_tuc")
    if value is None or (isinstance(value, str) and not value.strip()):
        return "Không có mã thủ tục (ma_thu_tuc)."
    code = value.strip() if isinstance(value, str) else ""
    if len(code) > _MAX_CODE_CHARS or not PROCEDURE_CODE_RE.fullmatch(code):
        shown = str(value)[:40]
        return f"Mã thủ tục không hợp lệ: {shown!r} (đúng dạng: 1.001193)."
    return None


def procedure_to_dict(parsed: ParsedProcedure) -> dict[str, Any]:
    """The seed form of a parsed procedure (plain JSON types)."""
    return dataclasses.asdict(parsed)


def procedure_from_dict(data: dict[str, Any]) -> ParsedProcedure:
    """Rebuild a ParsedProcedure from its seed form."""
    data = dict(data)
    data["channels"] = [Channel(**c) for c in data.get("channels", [])]
    data["documents"] = [Document(**d) for d in data.get("documents", [])]
    data["legal_bases"] = [ParsedLegalBasis(**lb) for lb in data.get("legal_bases", [])]
    known = {f.name for f in dataclasses.fields(ParsedProcedure)}
    return ParsedProcedure(**{k: v for k, v in data.items() if k in known})


def _national_fields(parsed: ParsedProcedure, source_date: dt.date | None) -> dict[str, Any]:
    return {
        "name": parsed.name,
        "ministry": parsed.ministry,
        "field": parsed.field,
        "levels": ",".join(parsed.levels),
        "procedure_type": parsed.procedure_type,
        "decision_number": parsed.decision_number,
        "applicants": parsed.applicants,
        "competent_agency": parsed.competent_agency,
        "implementing_agency": parsed.implementing_agency,
        "receiving_address": parsed.receiving_address,
        "delegated_agency": parsed.delegated_agency,
        "coordinating_agency": parsed.coordinating_agency,
        "related_procedures": parsed.related_procedures,
        "steps": "\n".join(parsed.steps),
        "conditions": parsed.conditions,
        "result": parsed.result,
        "online_level": parsed.online_level,
        "online_payment": parsed.online_payment,
        "source_url": parsed.source_url,
        "source_date": source_date,
        "search_text": fold(parsed.name),
        "doubtful": dict(parsed.doubtful),
    }


def _children(parsed: ParsedProcedure) -> dict[str, list[Any]]:
    return {
        "channels": [
            SubmissionChannel(position=i, **dataclasses.asdict(c)) for i, c in enumerate(parsed.channels)
        ],
        "documents": [
            RequiredDocument(position=i, **dataclasses.asdict(d)) for i, d in enumerate(parsed.documents)
        ],
        "legal_bases": [
            LegalBasis(position=i, **dataclasses.asdict(lb)) for i, lb in enumerate(parsed.legal_bases)
        ],
    }


def _content_hash(parsed: ParsedProcedure, source_date: dt.date | None) -> str:
    payload = json.dumps([procedure_to_dict(parsed), str(source_date)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upsert_procedures(
    session: Session,
    procedures: Iterable[tuple[ParsedProcedure, dt.date | None]],
    *,
    report: ImportReport | None = None,
) -> ImportReport:
    """Insert or update procedures by code; unchanged ones are left alone.

    Args:
        session: an open session; the caller commits.
        procedures: (parsed procedure, source date) pairs.
        report: a report to add to (a new one if None).
    """
    report = report or ImportReport()
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    for parsed, source_date in procedures:
        _count_fields(parsed, report)
        content_hash = _content_hash(parsed, source_date)
        procedure = existing.get(parsed.code)
        if procedure is not None and procedure.content_hash == content_hash:
            report.unchanged += 1
            continue
        if procedure is None:
            procedure = Procedure(code=parsed.code)
            session.add(procedure)
            existing[parsed.code] = procedure
            report.added += 1
        else:
            procedure.imported_at = dt.datetime.now(dt.timezone.utc)
            report.updated += 1
        for key, value in _national_fields(parsed, source_date).items():
            setattr(procedure, key, value)
        procedure.content_hash = content_hash
        # Replacing the lists deletes the old rows (delete-orphan); overrides and aliases stay.
        for name, rows in _children(parsed).items():
            setattr(procedure, name, rows)
    session.flush()
    return report


def _count_fields(parsed: ParsedProcedure, report: ImportReport) -> None:
    report.read += 1
    for name, is_empty in _REPORT_FIELDS.items():
        if is_empty(parsed):
            report.empty[name] += 1
    for name, reasons in parsed.doubtful.items():
        if name.startswith("_"):
            continue
        report.doubtful[name] += 1
        report.doubtful_codes.setdefault(name, []).append(parsed.code)
        for reason in dict.fromkeys(reasons.split("; ")):
            report.kinds[f"{name}: {reason}"] += 1
    for kind, present in _check_kinds(parsed).items():
        if present:
            report.kinds[f"to check: {kind}"] += 1


def _check_kinds(parsed: ParsedProcedure) -> dict[str, bool]:
    """Parsed, but worth a desk officer's look before relying on it."""
    documents = [d for d in parsed.documents if not d.is_note]
    return {
        "document whose count cell says 0 kept as a document": any(d.quantity == 0 for d in documents),
        "document needing both an original and a copy": any(d.originals and d.copies for d in documents),
        "documents of which only one is needed (alternatives)": any(d.alternatives for d in documents),
        "time without a unit anywhere in the record": any(
            c.time_value is not None and c.time_unit is None for c in parsed.channels
        ),
        "fee cell 'Miễn phí' beside the regulation that sets the fee": any(
            c.fee_text.startswith("Miễn phí") and c.fee_basis for c in parsed.channels
        ),
        "legal basis row without a document number": any(not b.number for b in parsed.legal_bases),
    }


def parse_raw_records(
    records: Iterable[tuple[int, dict[str, Any]]], *, progress: bool = False
) -> tuple[list[ParsedProcedure], dict[str, str]]:
    """Parse (line number, raw record) pairs; return the parsed ones and {code or line: error} failures.

    A record whose code is missing or not a procedure code is not parsed: its failure is keyed by its
    line ("dòng 12").
    """
    iterator: Iterable[tuple[int, dict[str, Any]]] = records
    if progress:
        from tqdm import tqdm

        iterator = tqdm(records, desc="Parsing", unit="proc")
    parsed: list[ParsedProcedure] = []
    failed: dict[str, str] = {}
    for number, raw in iterator:
        problem = record_code_problem(raw)
        if problem is not None:
            failed[f"dòng {number}"] = problem
            continue
        code = str(raw["ma_thu_tuc"]).strip()
        try:
            procedure = parse_record(raw)
        except Exception as exc:
            failed[code] = f"{type(exc).__name__}: {exc}"
            continue
        if not PROCEDURE_CODE_RE.fullmatch(procedure.code):
            failed[code] = f"Mã thủ tục không hợp lệ: {procedure.code[:40]!r}."
            continue
        parsed.append(procedure)
    return parsed, failed


def parse_raw_file(
    path: Path, *, progress: bool = False, limits: ImportLimits | None = None
) -> tuple[list[ParsedProcedure], dict[str, str]]:
    """Parse every record of a raw national file, streamed within `limits` (default: from the environment).

    Returns:
        The parsed procedures and {code, or "dòng N" for a record without a valid code: error}.

    Raises:
        ImportTooLarge, NotARecordError, ValueError, OSError: as `read_national`.
    """
    limits = limits if limits is not None else ImportLimits.from_env()
    with open(path, "rb") as handle:
        records = read_national(handle, str(path), gz=path.suffix == ".gz", limits=limits)
        return parse_raw_records(records, progress=progress)


def import_raw_file(
    session: Session,
    path: Path,
    *,
    source_date: dt.date = DEFAULT_SOURCE_DATE,
    progress: bool = False,
) -> tuple[ImportReport, list[ParsedProcedure]]:
    """Parse a raw national file and upsert it; the caller commits."""
    parsed, failed = parse_raw_file(path, progress=progress)
    report = ImportReport(failed=failed)
    report.read = len(failed)
    upsert_procedures(session, ((p, source_date) for p in parsed), report=report)
    return report, parsed


def write_seed(parsed: Iterable[ParsedProcedure], path: Path, *, source_date: dt.date) -> int:
    """Write the cleaned records as the project's compressed seed; return how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    # mtime=0 keeps the file byte-identical across runs, so git sees no change when nothing changed.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for procedure in sorted(parsed, key=lambda p: p.code):
            record = procedure_to_dict(procedure) | {"source_date": source_date.isoformat()}
            gz.write((json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
            count += 1
    return count


def load_seed(session: Session, path: Path = PROCEDURES_SEED) -> ImportReport:
    """Upsert the shipped seed of cleaned procedures; the caller commits."""

    def pairs() -> Iterator[tuple[ParsedProcedure, dt.date | None]]:
        for record in read_jsonl(path):
            date = record.pop("source_date", None)
            yield procedure_from_dict(record), dt.date.fromisoformat(date) if date else None

    return upsert_procedures(session, pairs())


def load_aliases(session: Session, path: Path = ALIASES_SEED) -> int:
    """Add the shipped aliases that are not in the database yet (staff edits are kept); return added."""
    entries = lexicon.alias_seed(path)
    ids = {code: pid for code, pid in session.execute(select(Procedure.code, Procedure.id))}
    present = {(a, p) for a, p in session.execute(select(Alias.alias_folded, Alias.procedure_id))}
    added = 0
    for entry in entries:
        for code in entry["codes"]:
            pid = ids.get(code)
            folded = " ".join(fold(entry["alias"]).split())
            if pid is None or (folded, pid) in present:
                continue
            session.add(
                Alias(
                    alias=entry["alias"],
                    alias_folded=folded,
                    procedure_id=pid,
                    weight=float(entry.get("weight", 1.0)),
                    created_by="seed",
                )
            )
            present.add((folded, pid))
            added += 1
    session.flush()
    return added


# --- Dry run (the staff workspace shows it before applying an uploaded file) ---------------------

# Derived from other fields: a difference there is never news.
_DERIVED_FIELDS = frozenset({"search_text"})


@dataclass
class ImportPlan:
    """What upserting a file would do, computed without writing anything."""

    added: list[str] = field(default_factory=list)
    # code -> names of the fields whose national text differs ("name", "documents", "source_date" ...)
    changed: dict[str, list[str]] = field(default_factory=dict)
    # Codes in the database that the file does not have (`upsert_procedures` keeps them).
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _stored_children(procedure: Procedure, name: str, parsed_rows: list[Any]) -> list[dict[str, Any]]:
    keys = [f.name for f in dataclasses.fields(parsed_rows[0])] if parsed_rows else []
    rows = getattr(procedure, name)
    if not keys:
        return [{} for _ in rows]
    return [{key: getattr(row, key) for key in keys} for row in rows]


def _changed_fields(procedure: Procedure, parsed: ParsedProcedure, source_date: dt.date | None) -> list[str]:
    fields = [
        key
        for key, value in _national_fields(parsed, source_date).items()
        if key not in _DERIVED_FIELDS and getattr(procedure, key) != value
    ]
    for name in ("channels", "documents", "legal_bases"):
        parsed_rows = getattr(parsed, name)
        wanted = [dataclasses.asdict(row) for row in parsed_rows]
        if _stored_children(procedure, name, parsed_rows) != wanted:
            fields.append(name)
    return fields


def plan_import(session: Session, procedures: Iterable[tuple[ParsedProcedure, dt.date | None]]) -> ImportPlan:
    """Compare parsed procedures with the database: added, changed (which fields), removed codes.

    Nothing is written. Local overrides and aliases are not part of the comparison: an import never
    touches them.

    Args:
        session: an open session.
        procedures: (parsed procedure, source date) pairs, as `upsert_procedures` takes them.
    """
    plan = ImportPlan()
    rows = session.execute(select(Procedure.code, Procedure.content_hash))
    stored = {code: digest for code, digest in rows}
    seen: set[str] = set()
    differing: dict[str, tuple[ParsedProcedure, dt.date | None]] = {}
    for parsed, source_date in procedures:
        seen.add(parsed.code)
        if parsed.code not in stored:
            plan.added.append(parsed.code)
        elif stored[parsed.code] == _content_hash(parsed, source_date):
            plan.unchanged += 1
        else:
            differing[parsed.code] = (parsed, source_date)
    codes = sorted(differing)
    for start in range(0, len(codes), 500):
        rows = session.scalars(
            select(Procedure)
            .where(Procedure.code.in_(codes[start : start + 500]))
            .options(
                selectinload(Procedure.channels),
                selectinload(Procedure.documents),
                selectinload(Procedure.legal_bases),
            )
        )
        for procedure in rows:
            parsed, source_date = differing[procedure.code]
            plan.changed[procedure.code] = _changed_fields(procedure, parsed, source_date)
    plan.added.sort()
    plan.removed = sorted(set(stored) - seen)
    return plan


def remove_procedures(session: Session, codes: Iterable[str]) -> int:
    """Delete procedures the national database no longer has; return how many were deleted.

    Their documents, channels, legal bases, aliases and local override go with them; FAQ entries
    linked to them stay, unlinked. The caller commits.
    """
    wanted = sorted(set(codes))
    removed = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for procedure in session.scalars(select(Procedure).where(Procedure.code.in_(chunk))):
            session.delete(procedure)
            removed += 1
    session.flush()
    return removed
