"""The citizen lexicon: the YAML files of `knowledge_base/lexicon/`, read once per process.

The vocabulary citizens use (everyday verbs and things, abbreviations, question words, level words,
aspect words, aliases of procedures) is data, kept in one folder so that one entry lives in one
place. Both environments read it: the knowledge base (procedure search, FAQ retrieval, the alias
seed) and the Rasa server (the aspect extractor, the tokenizer's abbreviations). The Rasa server
must not import `knowledge_base`, so the files are found by path, relative to this file, and this
module needs only the standard library and PyYAML (in both environments' lock files).

Each file's header comment says what it holds and who reads it. The values returned are shared by
every caller (cached): read them, never change them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LEXICON_DIR",
    "ColloquialRule",
    "LexiconError",
    "abbreviations",
    "action_triggers",
    "alias_seed",
    "colloquial_rules",
    "level_phrases",
    "load",
    "soft_phrases",
    "things",
]

LEXICON_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "lexicon"


class LexiconError(ValueError):
    """A lexicon file is missing or not shaped as its header says."""


def _read(path: Path) -> dict[str, Any]:
    # Imported here: `vntext`'s other modules stay standard-library only.
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LexiconError(f"cannot read the lexicon file {path}: {error}") from error
    if not isinstance(data, dict):
        raise LexiconError(f"{path} must hold a mapping")
    return data


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed content of `knowledge_base/lexicon/<name>.yml` (cached; do not modify)."""
    return _read(LEXICON_DIR / f"{name}.yml")


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LexiconError(f"{where} must be a list of strings")
    return tuple(value)


@functools.cache
def abbreviations() -> dict[str, str]:
    """Shorthand -> folded full form (abbreviations.yml), in file order."""
    data = load("abbreviations")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise LexiconError("abbreviations.yml must map strings to strings")
    return dict(data)


@functools.cache
def action_triggers() -> dict[str, tuple[str, ...]]:
    """Everyday verb -> the wordings procedure names use for it (actions.yml `triggers`)."""
    triggers = load("actions")["triggers"]
    return {key: _words(alts, f"actions.yml triggers.{key}") for key, alts in triggers.items()}


def _thing_wordings(key: str, entry: Any) -> tuple[str, ...]:
    if isinstance(entry, Mapping):
        return _words(entry.get("wordings"), f"things.yml things.{key}.wordings")
    return _words(entry, f"things.yml things.{key}")


@functools.cache
def things() -> dict[str, tuple[str, ...]]:
    """Everyday name of a thing -> the wordings procedure names use (things.yml), countries included.

    A country counts as "nước ngoài" (`country_wordings`) unless it is a thing of its own.
    """
    data = load("things")
    out = {key: _thing_wordings(key, entry) for key, entry in data["things"].items()}
    wordings = _words(data["country_wordings"], "things.yml country_wordings")
    for country in _words(data["countries"], "things.yml countries"):
        out.setdefault(country, wordings)
    return out


@functools.cache
def soft_phrases() -> tuple[str, ...]:
    """The phrases procedure search treats as soft (questions.yml `soft_phrases`), in file order."""
    return tuple(
        phrase
        for k, group in enumerate(load("questions")["soft_phrases"])
        for phrase in _words(group, f"questions.yml soft_phrases[{k}]")
    )


@functools.cache
def level_phrases() -> dict[str, tuple[str, ...]]:
    """Level ("xa", "tinh", "bo") -> the phrases that name it (levels.yml)."""
    levels = load("levels")["levels"]
    return {level: _words(phrases, f"levels.yml levels.{level}") for level, phrases in levels.items()}


@dataclass(frozen=True)
class ColloquialRule:
    """One rule of colloquial.yml: everyday words (`when`) -> the words procedure texts use (`add`).

    The rule fires when a `when` phrase is in the message, one `with` phrase too (if any are
    given), and no `without` phrase; its `add` phrases then count `weight` of a typed word. With
    `replace`, name search reads the additions instead of the trigger's words.
    """

    when: tuple[str, ...]
    add: tuple[str, ...]
    with_any: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    weight: float = 1.0
    replace: bool = False  # the trigger means what `add` says, not what its words say in names


@functools.cache
def colloquial_rules() -> tuple[ColloquialRule, ...]:
    """The rules of colloquial.yml, in file order."""
    rules = []
    for k, entry in enumerate(load("colloquial")["rules"]):
        where = f"colloquial.yml rules[{k}]"
        if not isinstance(entry, Mapping):
            raise LexiconError(f"{where} must be a mapping")
        rules.append(
            ColloquialRule(
                when=_words(entry.get("when"), f"{where}.when"),
                add=_words(entry.get("add"), f"{where}.add"),
                with_any=_words(entry.get("with", []), f"{where}.with"),
                without=_words(entry.get("without", []), f"{where}.without"),
                weight=float(entry.get("weight", 1.0)),
                replace=bool(entry.get("replace", False)),
            )
        )
    return tuple(rules)


def alias_seed(folder: Path = LEXICON_DIR) -> list[dict[str, Any]]:
    """The seed of the staff-editable `alias` table: aliases.yml, then the aliases of things.yml.

    Args:
        folder: the lexicon folder to read (tests point it at a copy).

    Returns:
        Entries {"alias": written form, "codes": [procedure codes], "weight": float (optional)}.
    """
    entries = [dict(entry) for entry in _read(folder / "aliases.yml")["aliases"]]
    for entry in _read(folder / "things.yml")["things"].values():
        if isinstance(entry, Mapping) and "alias" in entry:
            alias = entry["alias"]
            seeded = {"alias": alias["written"], "codes": list(alias["codes"])}
            if "weight" in alias:
                seeded["weight"] = alias["weight"]
            entries.append(seeded)
    for entry in entries:
        if not isinstance(entry.get("alias"), str) or not _is_code_list(entry.get("codes")):
            raise LexiconError(f"alias seed entry {entry!r} needs an alias and a list of codes")
    return entries


def _is_code_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(code, str) for code in value)
