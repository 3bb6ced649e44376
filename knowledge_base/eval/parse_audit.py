"""Score the parser against the blind hand audit of the national records (issue 16).

Run in the app environment (`.venv`):

    python -m knowledge_base.eval.parse_audit [--show-errors] [--json]

``audit/raw.jsonl.gz`` holds the raw national records of the audit (45 drawn with
``random.Random(16).sample`` over the sorted codes, 18 hard ones picked by regex on the raw text for the
error kinds the issue lists); ``audit/gold.json`` what readers who never saw this parser or its output
wrote down from the raw text. Each record is scored on 16 fields; a document row is "fully right" when
its text, forms, both counts, stated kind, section, case (stated or not), alternatives (or not) and
note flag all agree.

Comparison rules, decided before looking at any result: texts compare after NFC, lower case, collapsed
spaces, without leading bullets or numbering and without trailing punctuation, and agree at a
similarity of 0.9 (0.85 for legal titles, where readers dropped "số" prefixes); a case agrees when both
say there is one (its wording is free) or both say there is none; a kind counts only where the reader
saw the text state one.

Disagreements between the readers and the parser were judged by a third reader who saw the raw text,
both readings in random order and the readers' rules, never which reading was whose
(``audit/adjudication.json``). The figures come twice: against the readers' gold as written ("raw"),
and with the judged disputes applied ("adjudicated": where the parser's reading won, that reading is
the gold; it counts only while the parser still gives exactly that reading).

Exit status: 0 whatever the scores (a measurement; tests/knowledge_base/test_parse_audit.py holds the
targets), 2 when the audit files are malformed.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base.parsing import Channel, Document, LegalBasis, ParsedProcedure, is_empty, parse_record

AUDIT_DIR = Path(__file__).resolve().with_name("audit")
# 30 more records read after the parser work (random.Random(99)), for the figure nobody tuned against.
FRESH_DIR = Path(__file__).resolve().with_name("audit_fresh")
FIELDS = (
    "code",
    "name",
    "field",
    "levels",
    "applicants",
    "decision_number",
    "competent_agency",
    "implementing_agency",
    "receiving_address",
    "conditions",
    "result_documents",
    "steps",
    "channel_times",
    "channel_fees",
    "documents",
    "legal_bases",
)
TEXT_FIELDS = {
    "name": "ten_thu_tuc",
    "field": "linh_vuc",
    "applicants": "doi_tuong_thuc_hien",
    "decision_number": "so_quyet_dinh",
    "competent_agency": "co_quan_co_tham_quyen",
    "implementing_agency": "co_quan_thuc_hien",
    "receiving_address": "dia_chi_tiep_nhan",
    "conditions": "yeu_cau_dieu_kien",
}
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_LEAD = re.compile(r"^(?:[-+*•\u2013\s]+|\(?(?:[ivxlc]{1,5}|[a-zđ]|\d{1,2}(?:\.\d{1,2})*)[.)]\s*)+", re.I)


def norm(text: str | None) -> str:
    """The comparable form of a text (see the module's rules)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text or "")).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return _LEAD.sub("", text).strip(" .;:,")


def similar(a: str | None, b: str | None, threshold: float = 0.9) -> bool:
    """Whether two texts agree (both empty, equal, or close enough)."""
    left, right = norm(a), norm(b)
    if left == right:
        return True
    if not left or not right:
        return False
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio() >= threshold


@dataclass
class Score:
    """The audit's figures."""

    records: int = 0
    fields_right: int = 0
    fields_total: int = 0
    rows_right: int = 0
    rows_total: int = 0
    records_clean: int = 0
    by_field: Counter[str] = field(default_factory=Counter)
    row_errors: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "fields_right": self.fields_right,
            "fields_total": self.fields_total,
            "fields_pct": round(100 * self.fields_right / max(1, self.fields_total), 1),
            "document_rows_right": self.rows_right,
            "document_rows_total": self.rows_total,
            "document_rows_pct": round(100 * self.rows_right / max(1, self.rows_total), 1),
            "records_without_error": self.records_clean,
            "wrong_by_field": dict(self.by_field.most_common()),
            "document_row_errors": dict(self.row_errors.most_common()),
        }


def _gold_text(gold: dict[str, Any], key: str, raw: dict[str, Any]) -> str:
    value = gold.get(key) or ""
    if value == "=":
        value = raw.get(TEXT_FIELDS[key]) or ""
        return "" if is_empty(value) else value
    return value


def _row_problems(want: dict[str, Any], got: Document) -> list[str]:
    problems = []
    if not similar(want.get("name"), got.name):
        problems.append("name")
    forms = [f.strip() for f in (got.form_name or "").split("; ") if f.strip()]
    wanted_forms = want.get("forms") or []
    if len(forms) != len(wanted_forms) or not all(
        similar(a, b, 0.85) for a, b in zip(wanted_forms, forms, strict=False)
    ):
        problems.append("forms")
    if (want.get("originals"), want.get("copies")) != (got.originals, got.copies):
        problems.append("counts")
    if want.get("kind") and want["kind"] != got.kind:
        problems.append("kind")
    if (want.get("section") or "") != got.section:
        problems.append("section")
    if bool(want.get("case")) != bool(got.case):
        problems.append("case")
    if bool(want.get("alternatives")) != bool(got.alternatives):
        problems.append("alternatives")
    if bool(want.get("is_note")) != got.is_note:
        problems.append("is_note")
    return problems


def _score_documents(gold: list[dict[str, Any]], parsed: list[Document], score: Score, code: str) -> bool:
    """Align rows in order by name, count fully right rows; True when the table is right."""
    used = 0
    right = 0
    for index, want in enumerate(gold):
        match = None
        for position in range(used, min(len(parsed), used + 4)):
            if similar(want.get("name"), parsed[position].name, 0.8):
                match = position
                break
        if match is None:
            score.row_errors["row missing or split"] += 1
            score.errors.append(f"{code} documents[{index}] not found: {norm(want.get('name'))[:80]}")
            continue
        used = match + 1
        problems = _row_problems(want, parsed[match])
        if problems:
            score.row_errors.update(problems)
            got = parsed[match]
            score.errors.append(
                f"{code} documents[{index}] {','.join(problems)}: want "
                f"{ {k: want.get(k) for k in ('originals', 'copies', 'kind', 'section', 'is_note')} } "
                f"case={bool(want.get('case'))} alt={bool(want.get('alternatives'))}; got "
                f"{(got.originals, got.copies, got.kind, got.section, got.is_note)} case={got.case!r:.60} "
                f"alt={got.alternatives} | {norm(want.get('name'))[:70]}"
            )
        else:
            right += 1
    score.rows_right += right
    score.rows_total += len(gold)
    return right == len(gold) == len(parsed)


def _legal_ok(gold: list[dict[str, Any]], parsed: list[LegalBasis]) -> bool:
    if len(gold) != len(parsed):
        return False
    for want, got in zip(gold, parsed, strict=True):
        wanted, number = (norm(text).replace(" ", "") for text in (want.get("number"), got.number))
        # Readers wrote the number cell as printed ("TT43/2023/TT-BTC", "NĐ 23/2026/NĐ-CP") or bare.
        if wanted != number and not (number and wanted.endswith(number)):
            return False
        if not similar(want.get("title"), got.title, 0.85):
            return False
    return True


def _times_ok(gold: list[dict[str, Any]], parsed: list[Channel]) -> bool:
    return len(gold) == len(parsed) and all(
        (w.get("channel"), w.get("time_value"), w.get("time_unit"))
        == (g.channel, g.time_value, g.time_unit if g.time_value is not None else None)
        for w, g in zip(gold, parsed, strict=True)
    )


def _fee_kind(channel: Channel) -> str:
    if channel.fee_kind == "text" and channel.fee_text.startswith("Miễn phí"):
        return "free"  # the cell says free; its note (a regulation, an amount) is kept beside it
    return channel.fee_kind


def _fees_ok(gold: list[dict[str, Any]], parsed: list[Channel]) -> bool:
    if len(gold) != len(parsed):
        return False
    for want, got in zip(gold, parsed, strict=True):
        kind = want.get("fee")
        if kind == "amount" and want.get("fee_amount_vnd") is not None:
            if got.fee_amount_vnd != want["fee_amount_vnd"]:
                return False
        elif kind != _fee_kind(got) and not (kind == "text" and got.fee_kind in {"text", "amount"}):
            return False
    return True


def score_record(gold: dict[str, Any], raw: dict[str, Any], score: Score) -> None:
    """Add one record's figures to `score`."""
    parsed: ParsedProcedure = parse_record(raw)
    code = gold["code"]
    checks = {
        "code": parsed.code == code,
        "levels": sorted(gold.get("levels") or []) == sorted(parsed.levels),
        "result_documents": len(gold.get("result_documents") or []) == len(parsed.result_documents)
        and all(
            similar(a, b)
            for a, b in zip(gold.get("result_documents") or [], parsed.result_documents, strict=False)
        ),
        "steps": len(gold.get("steps") or []) == len(parsed.steps)
        and all(similar(a, b) for a, b in zip(gold.get("steps") or [], parsed.steps, strict=False)),
        "channel_times": _times_ok(gold.get("channel_rows") or [], parsed.channels),
        "channel_fees": _fees_ok(gold.get("channel_rows") or [], parsed.channels),
        "documents": _score_documents(gold.get("documents") or [], parsed.documents, score, code),
        "legal_bases": _legal_ok(gold.get("legal_bases") or [], parsed.legal_bases),
    }
    for key in TEXT_FIELDS:
        checks[key] = similar(_gold_text(gold, key, raw), getattr(parsed, key))
    wrong = [key for key in FIELDS if not checks[key]]
    score.records += 1
    score.fields_total += len(FIELDS)
    score.fields_right += len(FIELDS) - len(wrong)
    score.by_field.update(wrong)
    score.records_clean += not wrong
    for key in wrong:
        if key != "documents":
            score.errors.append(f"{code} field {key} wrong")


def _adjudicated(gold: list[dict[str, Any]], audit_dir: Path) -> list[dict[str, Any]]:
    """The gold with every dispute the parser's reading won replaced by that reading."""
    path = audit_dir / "adjudication.json"
    if not path.exists():
        return gold
    won = [d for d in json.loads(path.read_text(encoding="utf-8"))["disputes"] if d["winner"] == "parser"]
    amended = json.loads(json.dumps(gold))
    by_code = {record["code"]: record for record in amended}
    for dispute in won:
        record = by_code[dispute["code"]]
        reading = dispute["reading"]
        if dispute["field"].startswith("documents row"):
            for row in record.get("documents") or []:
                if norm(row.get("name")) == norm(reading["name"]):
                    for key, value in reading.items():
                        if key == "counts":
                            row["originals"], row["copies"] = value
                        elif key != "name":
                            row[key] = value
        elif dispute["field"].startswith("steps"):
            record["steps"] = reading
        elif dispute["field"].startswith("legal_bases"):
            record["legal_bases"] = reading
        elif dispute["field"].startswith("channel rows"):
            record["channel_rows"] = reading
    return amended


def load(
    audit_dir: Path = AUDIT_DIR, *, adjudicated: bool = False
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The gold records (with the judged disputes applied when `adjudicated`) and the raw records."""
    gold = json.loads((audit_dir / "gold.json").read_text(encoding="utf-8"))["records"]
    if adjudicated:
        gold = _adjudicated(gold, audit_dir)
    with gzip.open(audit_dir / "raw.jsonl.gz", "rt", encoding="utf-8") as lines:
        raw = {record["ma_thu_tuc"]: record for record in map(json.loads, lines)}
    return gold, raw


def run(audit_dir: Path = AUDIT_DIR, kind: str | None = None, *, adjudicated: bool = True) -> Score:
    """Score every audited record (only those of `kind` — "random" or "hard" — when given)."""
    gold, raw = load(audit_dir, adjudicated=adjudicated)
    score = Score()
    for record in gold:
        if kind is None or record.get("kind") == kind:
            score_record(record, raw[record["code"]], score)
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        scores = {
            "raw": run(adjudicated=False),
            "all": run(),
            "random": run(kind="random"),
            "hard": run(kind="hard"),
        }
        if FRESH_DIR.exists():
            scores["fresh"] = run(FRESH_DIR, adjudicated=False)
    except (OSError, ValueError, KeyError) as error:
        print(f"audit files unreadable: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in scores.items()}, ensure_ascii=False, indent=1))
    else:
        for name, score in scores.items():
            figures = score.as_dict()
            print(
                f"{name if name in {'raw', 'fresh'} else name + ' (adjudicated)':22} "
                f"records {figures['records']:3}  "
                f"fields {figures['fields_right']}/"
                f"{figures['fields_total']} = {figures['fields_pct']} %  document rows "
                f"{figures['document_rows_right']}/{figures['document_rows_total']} = "
                f"{figures['document_rows_pct']} %  records without error {figures['records_without_error']}"
            )
        print("wrong fields:", dict(scores["all"].by_field.most_common()))
        print("document row errors:", dict(scores["all"].row_errors.most_common()))
    if args.show_errors:
        print("\n".join(scores["all"].errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
