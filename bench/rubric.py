"""A desk officer's rubric over the first replies (issue 16): write the answers, report the grades.

    python -m bench.rubric write    # bench/rubric/answers.jsonl: the first reply of every chosen procedure
    python -m bench.rubric report   # the pass rate of bench/rubric/grades.json, per kind and criterion

The procedures: COMMON (what citizens come to a one-stop desk for) and UNCOMMON (drawn with
random.Random(RANDOM_SEED) from the rest of the seed). Each answer is the reply a citizen gets when
they name the procedure (the overview: text, buttons), built from the shipped seed with the fee table.

The grades are written by a reader who sees only the raw national record and the answer (never the
code): four criteria, each pass/fail with a reason —
  right: nothing in the answer contradicts the national record (documents, counts, time, fee, where);
  complete: what the common case needs is there or one button away (a case left behind a button is
    fine; a document everyone needs that is missing is not);
  concise: readable on a phone (no repeats, no rare case first, nothing cut mid-word that matters);
  actionable: the citizen knows what to bring, where to go, how long, how much, and what to press next.
An answer passes when all four pass. `report` marks grades whose answer text no longer matches what
the code produces now (stale: grade again).

Runs in the app environment (.venv).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUBRIC_DIR = ROOT / "bench" / "rubric"
ANSWERS = RUBRIC_DIR / "answers.jsonl"
GRADES = RUBRIC_DIR / "grades.json"
# The source line citizens see (the settings' default; rounds 1–11 used the longer "Cơ sở dữ liệu quốc
# gia về thủ tục hành chính", which left ~25 characters less for the documents).
SOURCE_NAME = "Cổng DVC quốc gia"
CRITERIA = ("right", "complete", "concise", "actionable")
# The final round's draw; rounds/ keep the earlier ones (round1_seed16, round2_seed7), whose feedback
# shaped the answers, with their answers and grades (round3_seed11 … round11_seed71 too).
RANDOM_SEED = 73
UNCOMMON_COUNT = 27
COMMON = (
    "1.001193",  # đăng ký khai sinh
    "1.000894",  # đăng ký kết hôn
    "1.000656",  # đăng ký khai tử
    "1.004222",  # đăng ký thường trú
    "1.004194",  # đăng ký tạm trú
    "1.003197",  # xóa đăng ký thường trú
    "1.003677",  # khai báo tạm vắng
    "1.001456",  # hộ chiếu phổ thông (cấp tỉnh)
    "1.014063",  # cấp đổi thẻ căn cước
    "1.014064",  # cấp lại thẻ căn cước
    "3.000333",  # phiếu lý lịch tư pháp
    "3.000348",  # cấp lại giấy phép lái xe
    "3.000347",  # đổi giấy phép lái xe
    "1.012575",  # đăng ký xe lần đầu trực tuyến
    "2.000815",  # chứng thực bản sao từ bản chính
    "2.000884",  # chứng thực chữ ký
    "1.004873",  # xác nhận tình trạng hôn nhân
    "1.001022",  # đăng ký nhận cha, mẹ, con
    "1.004837",  # đăng ký giám hộ
    "2.000806",  # kết hôn có yếu tố nước ngoài
    "2.000635",  # bản sao trích lục hộ tịch
    "1.001612",  # đăng ký thành lập hộ kinh doanh
    "2.001610",  # thành lập doanh nghiệp tư nhân
    "1.013831",  # đăng ký biến động đất đai
    "1.001294",  # cấp lại thẻ bảo hiểm y tế
)


def chosen_codes(all_codes: list[str], seed: int = RANDOM_SEED) -> list[tuple[str, str]]:
    """(code, kind) of every graded procedure: the common ones, then the uncommon draw."""
    rest = sorted(set(all_codes) - set(COMMON))
    uncommon = random.Random(seed).sample(rest, UNCOMMON_COUNT)
    return [(code, "common") for code in COMMON] + [(code, "uncommon") for code in uncommon]


def build_answers(seed: int = RANDOM_SEED) -> list[dict[str, Any]]:
    """The first reply of every chosen procedure, from a fresh database holding the shipped seed."""
    from sqlalchemy import select

    from answers.procedure import OVERVIEW, procedure_reply
    from knowledge_base.db import session_scope
    from knowledge_base.maintenance import setup_database
    from knowledge_base.models import Procedure
    from knowledge_base.queries import get_procedure

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/rubric.db"
        setup_database(url)
        with session_scope(url) as session:
            codes = list(session.scalars(select(Procedure.code)))
            rows = []
            for code, kind in chosen_codes(codes, seed):
                procedure = get_procedure(session, code=code)
                if procedure is None:
                    raise SystemExit(f"{code} is not in the seed")
                reply = procedure_reply(procedure, list(OVERVIEW), source_name=SOURCE_NAME)
                rows.append(
                    {
                        "code": code,
                        "kind": kind,
                        "name": procedure.name,
                        "text": reply.text,
                        "buttons": [button["title"] for button in reply.buttons],
                    }
                )
    return rows


def write(path: Path = ANSWERS, seed: int = RANDOM_SEED) -> int:
    rows = build_answers(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} answers -> {path}")
    return 0


def summarize(grades: list[dict[str, Any]], answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Pass rates overall, per kind and per criterion; stale grades counted."""
    by_kind: dict[str, Counter[str]] = {}
    failed: Counter[str] = Counter()
    stale = 0
    for grade in grades:
        answer = answers.get(grade["code"])
        if answer is None or answer["text"] != grade.get("text", answer["text"]):
            stale += 1
        passed = all(grade["grades"][c]["pass"] for c in CRITERIA)
        counter = by_kind.setdefault(grade.get("kind", "?"), Counter())
        counter["total"] += 1
        counter["passed"] += passed
        failed.update(c for c in CRITERIA if not grade["grades"][c]["pass"])
    total = sum(c["total"] for c in by_kind.values())
    passed = sum(c["passed"] for c in by_kind.values())
    return {
        "answers": total,
        "passed": passed,
        "pass_pct": round(100 * passed / max(total, 1), 1),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "failed_criteria": dict(failed.most_common()),
        "stale": stale,
    }


def report(answers_path: Path = ANSWERS, grades_path: Path = GRADES) -> int:
    answers = {
        row["code"]: row
        for row in map(json.loads, answers_path.read_text(encoding="utf-8").splitlines())
        if row
    }
    loaded = json.loads(grades_path.read_text(encoding="utf-8"))
    grades = loaded["grades"] if isinstance(loaded, dict) else loaded  # readers write either shape
    print(json.dumps(summarize(grades, answers), ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["write", "report"])
    parser.add_argument("--seed", type=int, default=RANDOM_SEED, help="the uncommon draw (write)")
    parser.add_argument("--answers", type=Path, default=ANSWERS)
    parser.add_argument("--grades", type=Path, default=GRADES)
    args = parser.parse_args(argv)
    if args.command == "write":
        return write(args.answers, args.seed)
    return report(args.answers, args.grades)


if __name__ == "__main__":
    sys.exit(main())
