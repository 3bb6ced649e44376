"""One short question when the close candidates are variants of one procedure (`lexicon/variants.yml`).

"Đăng ký kết hôn" and "Đăng ký kết hôn có yếu tố nước ngoài" are one procedure for a citizen, in two
cases: when a message does not say which case is theirs, asking "trong nước hay có yếu tố nước
ngoài?" with two buttons is shorter than a list of four long official names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from answers.reply import Reply
from knowledge_base.search import SearchHit
from vntext import fold
from vntext.lexicon import load

__all__ = ["variant_question"]

_LEVEL_RE = re.compile(r"\(\s*thuc hien tai cap[^)]*\)|\bthuc hien tai cap \w+")
_LEAD_RE = re.compile(r"^thu tuc\s+")


@dataclass(frozen=True)
class _Group:
    name: str
    phrases: tuple[tuple[str, str], ...]  # folded phrase -> label, longest first
    otherwise: str | None
    leaves: str  # what a phrase leaves behind in the base name


@functools.cache
def _groups() -> tuple[_Group, ...]:
    groups = []
    for name, entry in (load("variants").get("groups") or {}).items():
        phrases = sorted(
            ((fold(p), str(label)) for p, label in (entry.get("phrases") or {}).items()),
            key=lambda item: -len(item[0]),
        )
        groups.append(
            _Group(str(name), tuple(phrases), entry.get("otherwise"), fold(entry.get("leaves") or ""))
        )
    return tuple(groups)


def _words(folded: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _read(name: str) -> tuple[str, dict[str, str | None]]:
    """A name's base (qualifiers and level removed) and its label in each group."""
    base = " " + _words(_LEVEL_RE.sub(" ", _LEAD_RE.sub("", fold(name)))) + " "
    labels: dict[str, str | None] = {}
    for group in _groups():
        labels[group.name] = group.otherwise
        for phrase, label in group.phrases:
            if f" {phrase} " in base:
                labels[group.name] = label
                base = base.replace(f" {phrase} ", f" {group.leaves} " if group.leaves else " ")
                break
    return " ".join(base.split()), labels


def variant_question(candidates: list[SearchHit]) -> Reply | None:
    """The question telling variants apart, or None when the candidates are not variants of one name."""
    if len(candidates) < 2:
        return None
    read = [_read(hit.name) for hit in candidates]
    if len({base for base, _ in read}) != 1:
        return None
    differing = [g.name for g in _groups() if len({labels[g.name] for _, labels in read}) > 1]
    titles = [" · ".join(filter(None, (labels[g] for g in differing))) for _, labels in read]
    if not differing or len(set(titles)) != len(titles) or not all(titles):
        return None
    shown = re.sub(r"\s*\(thực hiện tại cấp[^)]*\)", "", candidates[0].name)
    return Reply(
        response="utter_ask_which_variant",
        kwargs={"procedure": _plain_name(shown, differing)},
        buttons=[
            {"title": title, "payload": f'/choose_procedure{{"procedure_code": "{hit.code}"}}'}
            for title, hit in zip(titles, candidates, strict=True)
        ],
        custom={"type": "variant", "candidates": [hit.code for hit in candidates], "groups": differing},
    )


def _plain_name(name: str, differing: list[str]) -> str:
    """The first candidate's name without its distinguishing qualifier (best effort, for the question)."""
    folded = fold(name)
    for group in (g for g in _groups() if g.name in differing):
        for phrase, _label in group.phrases:
            index = folded.find(phrase)
            if index >= 0:
                # fold() keeps character positions (one character for one), so the cut is exact.
                kept = (
                    name[index : index + len(group.leaves)]
                    if group.leaves and phrase.startswith(group.leaves)
                    else ""
                )
                return " ".join((name[:index] + kept + name[index + len(phrase) :]).split()).strip(" ,")
    return name
