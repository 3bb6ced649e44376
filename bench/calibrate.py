"""Calibrate the answer layer's thresholds on the DEV split of the blind sets (never on "test").

The chat decides from scores: answer the best procedure, ask which of several close ones, offer a
life event's checklist, or say "not in my data". This replays the dev split's queries and answerable
portal questions through `answers.procedure.answer_procedure` in process (no Rasa: the classifier's
intent is taken as "ask_procedure") for a grid of thresholds, and prints, per setting, the share of
right procedures answered or offered, wrong procedures answered, and honest "not in my data" on the
not_covered queries. Pick the setting with the most found under the wrong-answer target.

    .venv/bin/python -m bench.calibrate [--database var/tthc.db] [--split dev]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

from bench.understanding import ROOT, Turn, judge_query, load_portal, load_queries, split_of

# The last grid run (2026-12-07). Earlier ones set MIN_SCORE 0.5 (0.45: honest "not in my data"
# 0.42 -> 0.63 at 0.5, found -3 points), EVENT_YIELDS 0.65 and WEAK_SCORE 0.3 (found 0.786, wrong 0.023
# before ANSWER_SCORE existed); ANSWER_SCORE then took wrong to 0 (0.5: found 0.824 / wrong 0.023,
# 0.75 and 0.8: 0.840 / 0). Edit the grid to re-check a parameter.
GRID: dict[str, list[float]] = {
    "CLARIFY_MARGIN": [0.1, 0.15, 0.2],
    "ANSWER_SCORE": [0.7, 0.75, 0.8],
}


def _turn(answer: Any) -> Turn:
    custom = answer.reply.custom or {}
    turn = Turn(types={str(custom.get("type", ""))}, texts=["x"])
    if answer.kind == "answer":
        turn.answered = answer.procedure_code
    turn.offered = [str(code) for code in custom.get("candidates") or []]
    return turn


def replay(database_url: str, items: list[dict[str, Any]], settings: dict[str, float]) -> dict[str, float]:
    """found / wrong on the items with codes, honest / wrong on those without, for one setting."""
    import answers.procedure as procedure
    from knowledge_base.db import session_scope

    for name, value in settings.items():
        setattr(procedure, name, value)
    verdicts: dict[str, list[str]] = {"covered": [], "uncovered": []}
    with session_scope(database_url) as session:
        for item in items:
            question = procedure.ProcedureQuestion(text=item["text"], intent="ask_procedure")
            answer = procedure.answer_procedure(session, question, source_name="", hotline="")
            expect = [str(c) for c in item.get("expect") or []]
            verdicts["covered" if expect else "uncovered"].append(judge_query(_turn(answer), expect))
    covered, uncovered = verdicts["covered"], verdicts["uncovered"]
    return {
        "found": covered.count("found") / max(1, len(covered)),
        "wrong": covered.count("wrong") / max(1, len(covered)),
        "honest": uncovered.count("honest") / max(1, len(uncovered)),
        "wrong_uncovered": uncovered.count("wrong") / max(1, len(uncovered)),
    }


def main(argv: list[str] | None = None) -> int:
    """Print one line per setting of the grid, best first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=str(ROOT / "var" / "tthc.db"))
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    args = parser.parse_args(argv)
    items = [
        q
        for q in load_queries() + [p for p in load_portal()]
        if args.split in ("all", split_of(str(q["id"])))
    ]
    rows = []
    for values in itertools.product(*GRID.values()):
        settings = dict(zip(GRID, values, strict=True))
        rows.append((replay(f"sqlite:///{Path(args.database)}", items, settings), settings))
    rows.sort(key=lambda row: (-(row[0]["found"] - 3 * row[0]["wrong"]), -row[0]["honest"]))
    for result, settings in rows:
        print(
            " ".join(f"{k}={v}" for k, v in settings.items()),
            " ".join(f"{k}={v:.3f}" for k, v in result.items()),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
