"""How well the assistant understands citizens (`make eval`): blind sets through the chat and the search API.

The sets in `tests/eval_sets/` were written blind to the code (by someone who had read neither the
code, the tests nor the reports) from the national procedure list and what citizens ask:

- `queries_*.yml` — single messages of five kinds (life_event, uncommon, noisy, formal, not_covered),
  each with every procedure code that would be a right answer (none for not_covered);
- `conversations.yml` — multi-turn conversations with the expected outcome of every turn;
- `portal_questions.yml` — the 100 real questions of the national portal's Q&A, labelled answerable
  (with codes) or not.

Every item falls in a fixed split by a hash of its id: "dev" (a third: the thresholds were calibrated
on it) and "test" (two thirds: never looked at while tuning). Both are reported; the README quotes
"test". Each rate comes with its 95 % Wilson interval — the spread a set of this size allows; with
`--models A B`, the chat is run once per model (models trained with different seeds) and the
run-to-run spread is reported as well.

Through the chat (a real Rasa server + action server on loopback, fresh copy of the database, one new
conversation per query), a turn is read from the bot's machine-readable payloads (`custom.type`):
the procedure answered (`procedure_answer`), the procedures offered (`clarify`, `life_event`,
`variant` buttons), "not in my data" (`not_covered`), declines, handoffs, dossier replies.

    .venv/bin/python -m bench.understanding [--models M ...] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import shutil
import statistics
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "eval_sets"
QUERY_KINDS = ("life_event", "uncommon", "noisy", "formal", "not_covered")
#: custom.type values that offer procedures as choices (their `candidates`).
OFFER_TYPES = {"clarify", "life_event", "variant"}
#: custom.type values that say "not this assistant's matter" honestly.
HONEST_TYPES = {"not_covered", "out_of_scope"}
#: How the assistant's "I did not understand" reply opens (domain.yml utter_not_understood).
NOT_UNDERSTOOD_OPENING = "Xin lỗi, tôi chưa hiểu"
_CODE_IN_PAYLOAD = re.compile(r'"procedure_code"\s*:\s*"([^"]+)"')


# --- Sets -------------------------------------------------------------------------------------


def split_of(item_id: str) -> str:
    """The fixed split of an item: "dev" for a third of the ids, "test" for the rest."""
    return "dev" if hashlib.sha1(item_id.encode()).digest()[0] % 3 == 0 else "test"


def load_queries() -> list[dict[str, Any]]:
    """Every labelled query of `queries_*.yml`."""
    queries: list[dict[str, Any]] = []
    for path in sorted(SETS.glob("queries_*.yml")):
        queries += yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return queries


def load_conversations() -> list[dict[str, Any]]:
    """The labelled conversations."""
    path = SETS / "conversations.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"] if path.exists() else []


def load_portal() -> list[dict[str, Any]]:
    """The portal's real questions, labelled."""
    path = SETS / "portal_questions.yml"
    if not path.exists():
        return []
    return [
        dict(q, id=f"portal-{q['n']}") for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    ]


def texts_of_every_set() -> list[str]:
    """Every message of every evaluation set (the training-data guard compares against these)."""
    texts = [q["text"] for q in load_queries()] + [q["text"] for q in load_portal()]
    texts += [turn["user"] for conv in load_conversations() for turn in conv["turns"] if turn.get("user")]
    return texts


# --- Reading a turn ---------------------------------------------------------------------------


@dataclass
class Turn:
    """What the assistant did with one message, read from its replies."""

    answered: str | None = None  # the procedure answered
    offered: list[str] = field(default_factory=list)  # procedures offered as choices
    types: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)  # the buttons' payloads

    @property
    def empty(self) -> bool:
        """No text at all reached the citizen."""
        return not any(t.strip() for t in self.texts)

    @property
    def not_understood(self) -> bool:
        """The assistant said it did not understand (or only offered a person)."""
        return bool(self.types & {"not_understood", "fallback", "handoff_offer"})


def read_turn(messages: list[dict[str, Any]]) -> Turn:
    """Read the bot's messages of one turn (REST channel output)."""
    turn = Turn()
    for message in messages:
        if message.get("text"):
            turn.texts.append(str(message["text"]))
        for button in message.get("buttons") or []:
            turn.payloads.append(str(button.get("payload", "")))
        custom = message.get("custom") or {}
        kind = str(custom.get("type", ""))
        if not kind:
            continue
        if kind == "out_of_scope" and custom.get("reason") == "not_understood":
            kind = "not_understood"
        if kind == "dossier_form" and custom.get("help"):
            kind = "dossier_help"  # where the code (or the phone) is to be found
        turn.types.add(kind)
        if kind == "procedure_answer" and custom.get("procedure_code") and turn.answered is None:
            turn.answered = str(custom["procedure_code"])
        if kind in OFFER_TYPES:
            turn.offered += [str(code) for code in custom.get("candidates") or []]
    if not turn.offered:
        turn.offered = [m for p in turn.payloads for m in _CODE_IN_PAYLOAD.findall(p)]
    if any(text.startswith(NOT_UNDERSTOOD_OPENING) for text in turn.texts):
        # Versions before issue 15 marked "I did not understand" as out of scope in its payload.
        turn.types.add("not_understood")
        turn.types.discard("out_of_scope")
    return turn


def judge_query(turn: Turn, expect: list[str]) -> str:
    """found / wrong / missed (a query that has codes) or honest / wrong / missed (not covered)."""
    if not expect:
        if turn.answered:
            return "wrong"
        return "honest" if turn.types & HONEST_TYPES and not turn.empty else "missed"
    if turn.answered in expect or set(turn.offered) & set(expect):
        return "found"
    if turn.answered:
        return "wrong"
    return "missed"


def judge_turn(turn: Turn, spec: dict[str, Any]) -> str:
    """ok / wrong / bad / unhelpful for one conversation turn against its expected outcome."""
    if turn.empty:
        return "bad"
    expect = spec.get("expect")
    codes = [str(c) for c in spec.get("codes") or []]
    if expect == "procedure":
        verdict = judge_query(turn, codes)
        if verdict == "found":
            return "ok"
        if verdict == "wrong":
            return "wrong"
        return "bad" if turn.not_understood or "handoff" in turn.types else "unhelpful"
    if expect == "clarify":
        if turn.offered and (not codes or set(turn.offered) & set(codes)):
            return "ok"
        if turn.answered and codes and turn.answered in codes:
            return "ok"
        if "clarify" in turn.types:
            return "ok"
        return "wrong" if turn.answered else "unhelpful"
    if turn.answered and expect in {
        "not_covered",
        "decline",
        "smalltalk",
        "handoff",
        "dossier",
        "dossier_help",
    }:
        return "wrong"
    wanted = {
        "not_covered": HONEST_TYPES,
        "decline": HONEST_TYPES,
        "handoff": {"handoff"},
        "dossier": {"dossier_form", "dossier_status", "dossier_help", "handoff"},
        "dossier_help": {"dossier_help"},
        "smalltalk": {"smalltalk", "greet", "capabilities"},
    }.get(str(expect), set())
    if turn.types & wanted:
        return "ok"
    if expect == "smalltalk" and not turn.not_understood:
        return "ok"  # any friendly text
    return "bad" if turn.not_understood else "unhelpful"


# --- Statistics -------------------------------------------------------------------------------


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a rate."""
    if total == 0:
        return (0.0, 0.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(verdicts: Iterable[str], wanted: str) -> dict[str, Any]:
    """A rate with its count and interval."""
    values = list(verdicts)
    hits = sum(1 for v in values if v == wanted)
    low, high = wilson(hits, len(values))
    return {
        "rate": round(hits / len(values), 4) if values else None,
        "n": len(values),
        "ci95": [round(low, 3), round(high, 3)],
    }


# --- Running ----------------------------------------------------------------------------------


def search_top3(items: list[dict[str, Any]], database_url: str) -> dict[str, bool]:
    """Per item id: whether the public search API's top 3 holds an expected code."""
    import os

    from fastapi.testclient import TestClient

    from app.main import create_app
    from knowledge_base import settings

    os.environ["DATABASE_URL"] = database_url
    settings.get_settings.cache_clear()
    client = TestClient(create_app())
    found: dict[str, bool] = {}
    for item in items:
        response = client.get("/api/v1/procedures/search", params={"q": item["text"][:2000], "limit": 3})
        codes = [hit["code"] for hit in response.json()] if response.status_code == 200 else []
        found[str(item["id"])] = bool(set(codes) & set(map(str, item["expect"])))
    return found


def _record(item: dict[str, Any], kind: str, turn: Turn, verdict: str) -> dict[str, Any]:
    return {
        "id": str(item["id"]),
        "kind": kind,
        "split": split_of(str(item["id"])),
        "verdict": verdict,
        "answered": turn.answered,
        "offered": turn.offered[:5],
        "types": sorted(turn.types),
        "text": " | ".join(turn.texts)[:240],
    }


def chat_items(send: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item sent as the first message of a new conversation, with its verdict."""
    records = []
    for item in items:
        turn = read_turn(send(item["text"], uuid.uuid4().hex))
        records.append(_record(item, item["kind"], turn, judge_query(turn, [str(c) for c in item["expect"]])))
    return records


def chat_conversations(send: Any, conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every turn of every conversation with its verdict (`first_try`: the first turn that needs a
    procedure)."""
    records = []
    for conv in conversations:
        sender = uuid.uuid4().hex
        last: Turn | None = None
        first_seen = False
        for number, spec in enumerate(conv["turns"], 1):
            if spec.get("press_code"):
                code = str(spec["press_code"])
                payload = next((p for p in (last.payloads if last else []) if code in p), None)
                message = payload or f'/choose_procedure{{"procedure_code": "{code}"}}'
            else:
                message = str(spec["user"])
            turn = read_turn(send(message, sender))
            record = _record({"id": conv["id"]}, "turn", turn, judge_turn(turn, spec))
            record |= {
                "turn": number,
                "user": message,
                "expect": spec.get("expect"),
                "codes": spec.get("codes"),
            }
            if spec.get("expect") == "procedure" and not first_seen:
                first_seen = True
                record["first_try"] = record["verdict"] == "ok"
            records.append(record)
            last = turn
    return records


def collect(model: Path | None, database_url: str, logs: Path) -> list[dict[str, Any]]:
    """Run every item of every set through the search API and the chat (one model): one record each."""
    from tests.servers import start_assistant

    queries = [dict(q, expect=[str(c) for c in q.get("expect") or []]) for q in load_queries()]
    portal = [
        dict(
            q,
            kind="portal" if q.get("answerable") else "portal_unanswerable",
            expect=[str(c) for c in q.get("expect") or []],
        )
        for q in load_portal()
    ]
    top3 = search_top3([item for item in queries + portal if item["expect"]], database_url)
    env = {"TTHC_MODEL": str(model)} if model else {}
    with start_assistant(database_url, logs, env) as assistant:
        records = chat_items(assistant.send, queries + portal)
        records += chat_conversations(assistant.send, load_conversations())
    for record in records:
        if record["id"] in top3:
            record["top3"] = top3[record["id"]]
    return records


def summarise(records: list[dict[str, Any]], split: str) -> dict[str, Any]:
    """The rates of one split ("test", "dev" or "all") per kind."""
    chosen = [r for r in records if split == "all" or r["split"] == split]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in chosen:
        by_kind[record["kind"]].append(record)
    covered = [r for kind in QUERY_KINDS[:-1] for r in by_kind.get(kind, [])]
    summary: dict[str, Any] = {"split": split, "chat": {}, "search_top3": {}}
    for kind, group in [
        *((k, by_kind.get(k, [])) for k in QUERY_KINDS[:-1]),
        ("all", covered),
        ("portal", by_kind.get("portal", [])),
    ]:
        verdicts = [r["verdict"] for r in group]
        summary["chat"][kind] = {"found": rate(verdicts, "found"), "wrong": rate(verdicts, "wrong")}
        summary["search_top3"][kind] = rate(
            ["y" if r.get("top3") else "n" for r in group if "top3" in r], "y"
        )
    for kind in ("not_covered", "portal_unanswerable"):
        verdicts = [r["verdict"] for r in by_kind.get(kind, [])]
        summary["chat"][kind] = {"honest": rate(verdicts, "honest"), "wrong": rate(verdicts, "wrong")}
    turns = by_kind.get("turn", [])
    summary["conversations"] = {
        "conversations": len({r["id"] for r in turns}),
        "turns": len(turns),
        **{name: rate([r["verdict"] for r in turns], name) for name in ("ok", "unhelpful", "wrong", "bad")},
        "first_try": rate(["y" if r["first_try"] else "n" for r in turns if "first_try" in r], "y"),
    }
    return summary


def markdown(summaries: list[dict[str, Any]]) -> str:
    """The README table of one split: per kind, the rate with its interval (or the spread over models)."""

    def cell(path: list[str]) -> str:
        values = []
        for summary in summaries:
            node: Any = summary
            for key in path:
                node = (node or {}).get(key)
            if node and node.get("rate") is not None:
                values.append(node)
        if not values:
            return "—"
        rates = [v["rate"] for v in values]
        text = f"{statistics.mean(rates):.1%} (n={values[0]['n']})"
        if len(rates) > 1:
            return text + f" ±{(max(rates) - min(rates)) / 2:.1%} over {len(rates)} models"
        return text + f" [{values[0]['ci95'][0]:.0%}–{values[0]['ci95'][1]:.0%}]"

    def row(label: str, *paths: list[str]) -> str:
        return "| " + " | ".join([label, *(cell(path) for path in paths)]) + " |"

    lines = [f"Split: {summaries[0]['split']}", ""]
    lines += ["| set | right procedure answered or offered | wrong procedure answered | search top 3 |"]
    lines += ["| --- | --- | --- | --- |"]
    for kind, label in [
        *((k, k) for k in QUERY_KINDS[:-1]),
        ("all", "all four kinds"),
        ("portal", "portal (answerable)"),
    ]:
        lines.append(row(label, ["chat", kind, "found"], ["chat", kind, "wrong"], ["search_top3", kind]))
    lines += [
        "",
        "| not in the data | said so honestly | answered a procedure anyway |",
        "| --- | --- | --- |",
    ]
    for kind, label in (
        ("not_covered", "not_covered queries"),
        ("portal_unanswerable", "portal (not answerable)"),
    ):
        lines.append(row(label, ["chat", kind, "honest"], ["chat", kind, "wrong"]))
    conv = summaries[0]["conversations"]
    lines += ["", f"Conversations: {conv['conversations']}, turns: {conv['turns']}", ""]
    lines += [
        "| turns | correct and helpful | correct, unhelpful | wrong | bad behaviour | first try right |"
    ]
    lines += ["| --- | --- | --- | --- | --- | --- |"]
    names = ("ok", "unhelpful", "wrong", "bad", "first_try")
    lines.append(row("all", *(["conversations", name] for name in names)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; print the tables (test, then dev); write every record and summary as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="*", type=Path, default=[None])
    parser.add_argument(
        "--database", default=str(ROOT / "var" / "tthc.db"), help="a seeded SQLite file (copied)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "understanding.json")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="tthc-eval-") as tmp:
        for model in args.models or [None]:
            database = Path(tmp) / f"eval-{uuid.uuid4().hex[:8]}.db"
            shutil.copy(args.database, database)
            runs.append(
                {
                    "model": str(model or "models/current"),
                    "records": collect(model, f"sqlite:///{database}", Path(tmp)),
                }
            )
    tables = []
    for split in ("test", "dev"):
        summaries = [summarise(run["records"], split) for run in runs]
        for run, summary in zip(runs, summaries, strict=True):
            run.setdefault("summaries", {})[split] = summary
        tables.append(markdown(summaries))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    text = "\n\n".join(tables)
    args.out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
