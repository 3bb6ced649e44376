"""Command line of the knowledge base (run in the app environment, `.venv`).

python -m knowledge_base setup                 # migrate + load the shipped seed
python -m knowledge_base import FILE [--write-seed]
python -m knowledge_base search "QUERY" --limit 3 --json
python -m knowledge_base life-event "MESSAGE" [--json]   # which life event a message is about
python -m knowledge_base retention --days 90 [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from knowledge_base.db import session_scope
from knowledge_base.importer import DEFAULT_SOURCE_DATE, PROCEDURES_SEED, import_raw_file, write_seed
from knowledge_base.maintenance import migrate, setup_database
from knowledge_base.search import search_procedures


def _cmd_setup(_args: argparse.Namespace) -> int:
    started = time.perf_counter()
    report = setup_database()
    print(
        f"Database ready: {report.added} added, {report.updated} updated, {report.unchanged} unchanged "
        f"({time.perf_counter() - started:.1f} s)."
    )
    return 0


def _cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    migrate()
    with session_scope() as session:
        try:
            report, parsed = import_raw_file(
                session, path, source_date=args.source_date, progress=not args.no_progress
            )
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            # Nothing is committed: a broken file leaves the database as it was.
            print(f"error: {exc}", file=sys.stderr)
            return 2
        session.commit()
    print(report.render())
    if args.write_seed:
        count = write_seed(parsed, Path(args.write_seed), source_date=args.source_date)
        print(f"Seed written: {count} procedures -> {args.write_seed}")
    print(f"Import took {time.perf_counter() - started:.1f} s.")
    return 1 if report.failed and not parsed else 0


def _cmd_search(args: argparse.Namespace) -> int:
    with session_scope() as session:
        hits = search_procedures(session, args.query, args.limit)
    if args.json:
        print(json.dumps([hit.__dict__ for hit in hits], ensure_ascii=False))
    else:
        for hit in hits:
            print(f"{hit.score:.3f}  {hit.code:<10} [{hit.level}] {hit.name}")
    return 0


def _cmd_life_event(args: argparse.Namespace) -> int:
    # Imported here: only this command needs it.
    from knowledge_base.life_events import match_life_event

    with session_scope() as session:
        found = match_life_event(session, args.message)
        result = (
            None
            if found is None
            else {
                "event": found.event.slug,
                "title": found.event.title,
                "score": found.score,
                "trigger": found.trigger,
                "names_specific": found.names_specific,
                "specific_phrase": found.specific_phrase,
                "codes": found.event.procedure_codes(),
            }
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif result is None:
        print("No life event.")
    else:
        flag = f"  (names a procedure: {result['specific_phrase']})" if found and found.names_specific else ""
        print(f"{result['score']:.3f}  {result['event']}: {result['title']} [{result['trigger']}]{flag}")
        print("  " + ", ".join(result["codes"]))
    return 0


def _cmd_retention(args: argparse.Namespace) -> int:
    # Imported here: only this command needs it.
    from knowledge_base import retention

    report = retention.apply_retention(days=args.days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    records = ", ".join(f"{count} {name}" for name, count in report.records.items())
    print(
        f"Retention ({args.days} days, before {report.cutoff:%Y-%m-%d %H:%M} UTC): {verb} "
        f"{report.conversations} conversations ({report.events} events); {records}."
    )
    return 0


def _days(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("days must be 1 or more")
    return number


def _limit(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 50:
        raise argparse.ArgumentTypeError("limit must be between 1 and 50")
    return number


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="migrate and load the shipped seed").set_defaults(func=_cmd_setup)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_cmd_migrate)
    imp = sub.add_parser("import", help="import a raw national procedures file (.jsonl or .jsonl.gz)")
    imp.add_argument("file")
    imp.add_argument(
        "--source-date",
        type=dt.date.fromisoformat,
        default=DEFAULT_SOURCE_DATE,
        help="date the national data was taken (YYYY-MM-DD)",
    )
    imp.add_argument(
        "--write-seed",
        nargs="?",
        const=str(PROCEDURES_SEED),
        default=None,
        help=f"also write the cleaned records as the seed (default {PROCEDURES_SEED})",
    )
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.set_defaults(func=_cmd_import)
    srch = sub.add_parser("search", help="search procedures")
    srch.add_argument("query")
    srch.add_argument("--limit", type=_limit, default=5)
    srch.add_argument("--json", action="store_true", help="print a JSON array")
    srch.set_defaults(func=_cmd_search)
    life = sub.add_parser("life-event", help="which life event a citizen's message is about")
    life.add_argument("message")
    life.add_argument("--json", action="store_true", help="print a JSON object (null when none)")
    life.set_defaults(func=_cmd_life_event)
    ret = sub.add_parser("retention", help="delete conversations older than N days (default 90)")
    ret.add_argument("--days", type=_days, default=90, help="keep conversations this many days (default 90)")
    ret.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    ret.set_defaults(func=_cmd_retention)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
