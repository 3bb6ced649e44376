"""What the national procedure list does not cover, and who handles it (`lexicon/not_covered.yml`).

A citizen asking how to divorce, sue a debtor or report a theft asks about something that is not an
administrative procedure of the list; the honest answer says so and names who handles it, instead of
answering with the nearest procedure name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from vntext import fold
from vntext.lexicon import LexiconError, load

__all__ = ["UncoveredTopic", "topics", "uncovered_topic"]


@dataclass(frozen=True)
class UncoveredTopic:
    """A matter outside the procedure list.

    Attributes:
        slug: Its key in the lexicon ("divorce").
        what: What it is, in a few words, for the reply.
        who: Who handles it, as a citizen can act on it.
    """

    slug: str
    what: str
    who: str


def _phrases_re(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = "|".join(
        re.escape(fold(p)).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(rf"\b(?:{alternatives})\b")


@functools.cache
def topics() -> tuple[tuple[UncoveredTopic, re.Pattern[str], re.Pattern[str] | None], ...]:
    """Every topic with its compiled `when` and `unless` patterns (cached)."""
    entries = load("not_covered").get("topics")
    if not isinstance(entries, dict):
        raise LexiconError("not_covered.yml must hold a `topics` mapping")
    compiled = []
    for slug, entry in entries.items():
        when = _phrases_re(list(entry.get("when") or []))
        if when is None or not entry.get("who") or not entry.get("what"):
            raise LexiconError(f"not_covered.yml: topic {slug} needs what, who and when")
        topic = UncoveredTopic(str(slug), str(entry["what"]), str(entry["who"]))
        compiled.append((topic, when, _phrases_re(list(entry.get("unless") or []))))
    return tuple(compiled)


def uncovered_topic(text: str) -> UncoveredTopic | None:
    """The uncovered matter a message is about, or None (also when it asks for a listed procedure)."""
    folded = " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())
    for topic, when, unless in topics():
        if when.search(folded) and not (unless and unless.search(folded)):
            return topic
    return None
