"""Life events: the situations citizens come with ("tôi vừa sinh con", "mẹ tôi mất", "làm mất ví")
and the procedures each one calls for, in order.

The events live in the `life_event` table: seeded from `lexicon/life_events.yml` (see its header for
the fields) and edited by staff in the workspace (`knowledge_base.staff.life_events_admin`). This
module loads the published events (cached per database, rebuilt when an event or an alias changes,
so a staff edit is used by the very next message) and matches a message against their triggers:

* The message is folded (no diacritics, đ == d), its abbreviations expanded ("cccd" is "căn cước
  công dân") and every foreign word or country ("người nước ngoài", "Hàn Quốc", "Việt kiều") read
  as "nuoc ngoai"; triggers are read the same way.
* A trigger matches when its words appear in order, with at most `MAX_GAP` other words between two
  of them ("vợ chồng tôi mới sinh bé" holds "sinh be"); each word in between costs a little, and a
  word of four letters or more may be typed one letter off (costing more).
* An event's `excludes` are phrases whose words its triggers may not use: "mất" in "làm mất" or
  "mất căn cước" is a loss, not a death, and "mất bao lâu" a question of time.
* Among the events that match, the longest trigger wins ("ket hon voi nguoi nuoc ngoai" beats
  "ket hon"), then the better-matched one.
* A message that also names one procedure (a staff alias such as "đăng ký kết hôn", or a phrase of
  `procedure_words`) beyond the words of the trigger is a question about that procedure: the match
  says `names_specific` and its score is multiplied by `SPECIFIC_FACTOR`, below `MIN_SCORE`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from knowledge_base.models import Alias, LifeEvent, Procedure
from knowledge_base.search import SearchHit, search_procedures
from vntext import fold, lexicon
from vntext.abbreviations import expand

SEED_PATH = lexicon.LEXICON_DIR / "life_events.yml"
SEED_ACTOR = "seed"

#: A match scoring below this is not worth answering with the event's checklist.
MIN_SCORE = 0.6
#: How many other words may stand between two words of a trigger ("sinh [được] bé"). Measured on
#: the dev split of the blind sets: with 3, two-word triggers fired on long letters by chance
#: ("có … thai" in "có … thi"), taking 12 of 131 questions away from the procedure they named.
MAX_GAP = 1
#: What each word standing between two words of a trigger costs.
GAP_COST = 0.1
#: What a word typed one letter off costs (one per trigger at most).
TYPO_COST = 0.15
#: A typo is forgiven only in a trigger word this long (shorter words are other words one letter
#: off: "thai" / "thi" / "tai").
MIN_TYPO_LENGTH = 5
#: The score of a match whose message also names one procedure is multiplied by this.
SPECIFIC_FACTOR = 0.5
# Long messages are cut: a situation is said in a few words, and the cost must stay bounded.
_MAX_CHARS = 600
_MAX_WORDS = 80

_WORD = re.compile(r"[a-z0-9]+")
_FOREIGN = ("nuoc", "ngoai")


# --- Text --------------------------------------------------------------------------------------


def _foreign_phrases() -> list[tuple[str, ...]]:
    data = lexicon.load("life_events")
    things = lexicon.load("things")
    phrases = {tuple(p.split()) for p in [*data.get("foreign_words", []), *things.get("countries", [])]}
    # Longest first, so "nguoi nuoc ngoai" is read before "nuoc ngoai".
    return sorted(phrases, key=len, reverse=True)


_FOREIGN_PHRASES = _foreign_phrases()


def words_of(text: str) -> list[str]:
    """The words of `text` as events are matched: folded, abbreviations expanded, foreign words as
    "nuoc ngoai" ("lấy chồng Hàn Quốc" -> ["lay", "chong", "nuoc", "ngoai"])."""
    raw = _WORD.findall(expand(fold(text[:_MAX_CHARS])))
    out: list[str] = []
    i = 0
    while i < len(raw):
        for phrase in _FOREIGN_PHRASES:
            if tuple(raw[i : i + len(phrase)]) == phrase:
                out.extend(_FOREIGN)
                i += len(phrase)
                break
        else:
            out.append(raw[i])
            i += 1
    return out[:_MAX_WORDS]


def folded_phrase(text: str) -> str:
    """A phrase as stored in triggers and excludes: folded, lower case, single spaces (no expansion)."""
    return " ".join(_WORD.findall(fold(text)))


@functools.lru_cache(maxsize=65536)
def _typo_of(typed: str, wanted: str) -> bool:
    """Whether `typed` is `wanted` typed one letter off: any single edit in a long word; in a
    four-letter word only two letters swapped ("sihn"), since one letter more or less there makes
    another word ("thai" / "thi")."""
    if len(wanted) >= MIN_TYPO_LENGTH:
        return _one_edit_apart(typed, wanted)
    return (
        len(wanted) == 4
        and len(typed) == 4
        and sorted(typed) == sorted(wanted)
        and _one_edit_apart(typed, wanted)
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one letter replaced, added, removed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


# --- Events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LifeEventStep:
    """One procedure of an event: its label, codes (first the usual one), where and when."""

    label: str
    codes: tuple[str, ...] = ()
    where: str = ""
    condition: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The stored (JSON) form."""
        return {
            "label": self.label,
            "codes": list(self.codes),
            "where": self.where,
            "condition": self.condition,
        }


@dataclass(frozen=True)
class LifeEventData:
    """A published life event as the assistant uses it."""

    slug: str
    title: str
    triggers: tuple[str, ...]
    excludes: tuple[str, ...]
    steps: tuple[LifeEventStep, ...]
    id: int = 0
    position: int = 0

    def procedure_codes(self, *, alternatives: bool = True) -> list[str]:
        """The event's procedure codes in step order, each once.

        Args:
            alternatives: also the other codes of each step (another level or case), after its
                first one; False gives one code per step (the checklist's buttons).
        """
        codes: list[str] = []
        for step in self.steps:
            for code in step.codes if alternatives else step.codes[:1]:
                if code not in codes:
                    codes.append(code)
        return codes


def step_from_dict(data: dict[str, Any]) -> LifeEventStep:
    """A step from its stored (JSON) form."""
    return LifeEventStep(
        label=str(data.get("label", "")),
        codes=tuple(str(c) for c in data.get("codes") or ()),
        where=str(data.get("where") or ""),
        condition=str(data.get("condition") or ""),
    )


def event_from_row(row: LifeEvent) -> LifeEventData:
    """The assistant's view of a `life_event` row."""
    return LifeEventData(
        slug=row.slug,
        title=row.title,
        triggers=tuple(row.triggers or ()),
        excludes=tuple(row.excludes or ()),
        steps=tuple(step_from_dict(s) for s in row.steps or ()),
        id=row.id,
        position=row.position,
    )


@dataclass(frozen=True)
class LifeEventMatch:
    """A message matched to a life event.

    Attributes:
        event: the event.
        score: how well, in [0, 1]; below `MIN_SCORE` not worth answering with the event.
        trigger: the trigger that matched (as written in the event).
        names_specific: the message also names one procedure (then the score is lowered): it is
            more likely a question about that procedure than about the situation.
        specific_phrase: the procedure's name or alias found, when `names_specific`.
    """

    event: LifeEventData
    score: float
    trigger: str
    names_specific: bool = False
    specific_phrase: str = ""


# --- Seed --------------------------------------------------------------------------------------


def read_seed(path: Path = SEED_PATH) -> list[dict[str, Any]]:
    """The events of the seed file, in file order: {"slug", "title", "triggers", "excludes", "steps"}."""
    data = lexicon.load("life_events") if path == SEED_PATH else _read_yaml(path)
    events = data.get("events")
    if not isinstance(events, dict):
        raise lexicon.LexiconError(f"{path}: `events` must map slugs to events")
    out = []
    for slug, entry in events.items():
        if not isinstance(entry, dict) or not entry.get("title") or not entry.get("steps"):
            raise lexicon.LexiconError(f"{path}: event {slug!r} needs a title and steps")
        out.append(
            {
                "slug": str(slug),
                "title": str(entry["title"]),
                "triggers": [str(t) for t in entry.get("triggers") or ()],
                "excludes": [str(t) for t in entry.get("excludes") or ()],
                "steps": [step_from_dict(s).as_dict() for s in entry["steps"]],
            }
        )
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise lexicon.LexiconError(f"{path} must hold a mapping")
    return data


def load_life_events_seed(session: Session, path: Path = SEED_PATH) -> int:
    """Upsert the shipped events by slug; return how many were inserted or updated.

    Missing events are inserted; a seeded event is updated only while no officer has edited it
    (`updated_by == "seed"`); nothing is deleted. Codes the database does not hold are left out (a
    database with fewer procedures). The session is flushed, not committed.
    """
    seed = read_seed(path)
    known = set(session.scalars(select(Procedure.code)))
    existing = {row.slug: row for row in session.scalars(select(LifeEvent))}
    changed = 0
    for position, item in enumerate(seed):
        steps = [dict(step, codes=[c for c in step["codes"] if c in known]) for step in item["steps"]]
        wanted = {
            "title": item["title"],
            "triggers": item["triggers"],
            "excludes": item["excludes"],
            "steps": steps,
            "position": position,
        }
        row = existing.get(item["slug"])
        if row is None:
            session.add(
                LifeEvent(
                    slug=item["slug"],
                    published=True,
                    from_seed=True,
                    created_by=SEED_ACTOR,
                    updated_by=SEED_ACTOR,
                    **wanted,
                )
            )
            changed += 1
            continue
        if not row.from_seed or row.updated_by != SEED_ACTOR:
            continue  # edited by staff: theirs wins
        if all(getattr(row, key) == value for key, value in wanted.items()):
            continue
        for key, value in wanted.items():
            setattr(row, key, value)
        row.updated_at = dt.datetime.now(dt.timezone.utc)
        changed += 1
    session.flush()
    return changed


# --- Index -------------------------------------------------------------------------------------


@dataclass
class _Compiled:
    event: LifeEventData
    # (trigger as written, its words as matched)
    triggers: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    excludes: list[tuple[str, ...]] = field(default_factory=list)


def _find_all(words: Sequence[str], phrase: Sequence[str]) -> Iterable[int]:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == tuple(phrase):
            yield i


class LifeEventIndex:
    """The published events compiled for matching, with the phrases that name one procedure."""

    def __init__(self, events: Iterable[LifeEventData], procedure_phrases: Iterable[str] = ()) -> None:
        """Compile `events` (in order of preference on ties) and the procedure-naming phrases."""
        self.events: list[LifeEventData] = list(events)
        self._compiled: list[_Compiled] = []
        for event in self.events:
            compiled = _Compiled(event)
            for trigger in event.triggers:
                words = tuple(words_of(trigger))
                if words:
                    compiled.triggers.append((trigger, words))
            compiled.excludes = [tuple(words_of(p)) for p in event.excludes if words_of(p)]
            self._compiled.append(compiled)
        phrases = {tuple(words_of(p)) for p in procedure_phrases}
        self._procedure_phrases = sorted((p for p in phrases if p), key=len, reverse=True)

    @classmethod
    def from_session(cls, session: Session) -> LifeEventIndex:
        """Build the index from the published events and the aliases in the database."""
        rows = session.scalars(
            select(LifeEvent).where(LifeEvent.published.is_(True)).order_by(LifeEvent.position, LifeEvent.id)
        )
        aliases = session.scalars(select(Alias.alias_folded).where(Alias.weight > 0))
        phrases = [*aliases, *lexicon.load("life_events").get("procedure_words", [])]
        return cls((event_from_row(r) for r in rows), phrases)

    def by_slug(self, slug: str) -> LifeEventData | None:
        """The published event `slug`, if any."""
        return next((e for e in self.events if e.slug == slug), None)

    @staticmethod
    def _align(
        words: Sequence[str], trigger: Sequence[str], blocked: set[int]
    ) -> tuple[float, int, int] | None:
        """The best placement of `trigger` in `words`: (quality, first position, last position)."""
        best: tuple[float, int, int] | None = None
        for start, word in enumerate(words):
            if start in blocked:
                continue
            first_typo = word != trigger[0]
            if first_typo and not _typo_of(word, trigger[0]):
                continue
            typos, gaps, position = int(first_typo), 0, start
            for wanted in trigger[1:]:
                found = None
                for k in range(position + 1, min(len(words), position + MAX_GAP + 2)):
                    if k in blocked:
                        continue
                    if words[k] == wanted:
                        found = (k, 0)
                        break
                    if found is None and typos == 0 and _typo_of(words[k], wanted):
                        found = (k, 1)
                if found is None:
                    break
                gaps += found[0] - position - 1
                typos += found[1]
                position = found[0]
            else:
                if typos > 1 or (typos and len(trigger) < 2):
                    continue
                quality = 1.0 - GAP_COST * gaps - TYPO_COST * typos
                if best is None or quality > best[0]:
                    best = (quality, start, position)
        return best

    def _specific_phrase(self, words: Sequence[str], span: tuple[int, int]) -> str:
        """A procedure-naming phrase of `words` not inside the trigger's `span`, or ""."""
        for phrase in self._procedure_phrases:
            for i in _find_all(words, phrase):
                if not (span[0] <= i and i + len(phrase) - 1 <= span[1]):
                    return " ".join(phrase)
        return ""

    def match(self, text: str) -> LifeEventMatch | None:
        """The life event `text` is about, or None (see the module's docstring)."""
        words = words_of(text)
        if not words:
            return None
        best: tuple[tuple[int, float, int], _Compiled, str, tuple[int, int]] | None = None
        for order, compiled in enumerate(self._compiled):
            blocked: set[int] = set()
            for phrase in compiled.excludes:
                for i in _find_all(words, phrase):
                    blocked.update(range(i, i + len(phrase)))
            for trigger, trigger_words in compiled.triggers:
                placed = self._align(words, trigger_words, blocked)
                if placed is None:
                    continue
                quality, first, last = placed
                # Longer triggers are more specific; then better placed; then earlier in the list.
                key = (len(trigger_words), quality, -order)
                if best is None or key > best[0]:
                    best = (key, compiled, trigger, (first, last))
        if best is None:
            return None
        (_, quality, _), compiled, trigger, span = best
        specific = self._specific_phrase(words, span)
        score = quality * (SPECIFIC_FACTOR if specific else 1.0)
        return LifeEventMatch(
            event=compiled.event,
            score=round(max(0.0, min(1.0, score)), 4),
            trigger=trigger,
            names_specific=bool(specific),
            specific_phrase=specific,
        )


# --- Caching per database ----------------------------------------------------------------------

_cache_lock = threading.Lock()
# url -> (signature of the events and aliases, index)
_cache: dict[str, tuple[tuple[object, ...], LifeEventIndex]] = {}


def _signature(session: Session) -> tuple[object, ...]:
    # One round trip over two small tables: an event added, deleted, edited (staff edits set
    # `updated_at`), re-ordered or (un)published, or an alias changed, all change it.
    statement = select(
        select(func.count(LifeEvent.id)).scalar_subquery(),
        select(func.max(LifeEvent.id)).scalar_subquery(),
        select(func.max(LifeEvent.updated_at)).scalar_subquery(),
        select(func.sum(LifeEvent.position)).scalar_subquery(),
        select(func.sum(case((LifeEvent.published.is_(True), LifeEvent.id), else_=0))).scalar_subquery(),
        select(func.count(Alias.id)).scalar_subquery(),
        select(func.max(Alias.id)).scalar_subquery(),
        select(func.sum(func.length(Alias.alias_folded))).scalar_subquery(),
        select(func.sum(Alias.weight)).scalar_subquery(),
    )
    return tuple(session.execute(statement).one())


def get_life_event_index(session: Session) -> LifeEventIndex:
    """The index of the published events for the session's database, rebuilt after any change.

    Freshness rule: the events' and aliases' signature is compared on every call (one cheap query),
    so a staff edit is used by the next match.
    """
    key = str(session.get_bind().engine.url)
    signature = _signature(session)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    index = LifeEventIndex.from_session(session)
    with _cache_lock:
        _cache[key] = (signature, index)
    return index


def get_life_events(session: Session) -> list[LifeEventData]:
    """The published events, in their order."""
    return list(get_life_event_index(session).events)


def get_life_event(session: Session, slug: str) -> LifeEventData | None:
    """The published event `slug`, or None."""
    return get_life_event_index(session).by_slug(slug)


def match_life_event(session: Session, text: str) -> LifeEventMatch | None:
    """The life event a citizen's message is about, or None.

    Args:
        session: an open database session.
        text: the message (any case, with or without diacritics, abbreviations allowed).

    Returns:
        The best match (the event, a score in [0, 1], the trigger, whether the message also names one
        procedure), or None when no event's trigger is in the message. Answer with the event only
        when `score >= MIN_SCORE`; a message naming one procedure scores below it.
    """
    return get_life_event_index(session).match(text)


def search_with_life_events(session: Session, text: str, limit: int = 5) -> list[SearchHit]:
    """Procedure search for the public API: a life event's procedures interleaved with what search
    finds ("mẹ tôi mới mất" → khai tử, then search's best, then xóa đăng ký thường trú …).

    Without a life event (or when the message names one procedure) this is `search_procedures`.
    The event's procedures carry the event's score, so a client can tell how sure the match is.
    """
    hits = search_procedures(session, text, limit)
    found = match_life_event(session, text)
    if found is None or found.score < MIN_SCORE or found.names_specific:
        return hits
    codes = found.event.procedure_codes(alternatives=False)
    rows = {row.code: row for row in session.scalars(select(Procedure).where(Procedure.code.in_(codes)))}
    event_hits = [
        SearchHit(code=code, name=rows[code].name, level=rows[code].levels, score=found.score)
        for code in codes
        if code in rows
    ]
    merged: list[SearchHit] = []
    for pair in zip_longest(event_hits, hits):
        for hit in pair:
            if hit is not None and hit.code not in {m.code for m in merged}:
                merged.append(hit)
    return merged[:limit]
