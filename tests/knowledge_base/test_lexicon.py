"""The citizen lexicon (knowledge_base/lexicon/*.yml): every file loads and is consistent.

One entry, one place: no phrase is claimed twice, every abbreviation expands to words, every phrase
is folded the way the readers match it, every alias names a procedure of the seed.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge_base.importer import PROCEDURES_SEED
from knowledge_base.ranking import DEFAULT_WEIGHTS
from vntext import fold, lexicon
from vntext.abbreviations import ABBREVIATIONS, expand

LEXICON_FILES = sorted(lexicon.LEXICON_DIR.glob("*.yml"))
# A folded phrase: lower-case ASCII syllables separated by single spaces.
FOLDED = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*$")
# The files of the lexicon: a new one gets a header and a reader, and a line here.
EXPECTED_FILES = {
    "abbreviations",
    "actions",
    "aliases",
    "aspects",
    "colloquial",
    "levels",
    "life_events",
    "not_covered",
    "questions",
    "things",
    "variants",
    "wordings",
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def _construct_unique(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        raise AssertionError(f"keys written twice at line {node.start_mark.line + 1}: {repeated}")
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique)


def _folded(phrase: object) -> bool:
    return isinstance(phrase, str) and bool(FOLDED.match(phrase)) and fold(phrase) == phrase


def test_the_lexicon_is_one_folder_of_the_expected_files() -> None:
    assert {path.stem for path in LEXICON_FILES} == EXPECTED_FILES


@pytest.mark.parametrize("path", LEXICON_FILES, ids=lambda path: path.name)
def test_each_file_loads_without_repeated_keys_and_says_what_it_holds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    assert isinstance(data, dict) and data
    header = text.split("\n\n", 1)[0]
    assert header.startswith("# "), f"{path.name} starts without a header comment"
    assert "Read by" in header or "Not read by" in header, f"{path.name}'s header names no reader"
    assert lexicon.load(path.stem) == data


def test_abbreviations_expand_to_other_words() -> None:
    assert isinstance(ABBREVIATIONS, dict)
    assert lexicon.abbreviations() == ABBREVIATIONS
    for short, full in ABBREVIATIONS.items():
        assert _folded(short) and " " not in short, short
        assert _folded(full) and full != short, (short, full)
        # The expansion is final: expanding it again changes nothing.
        assert expand(full) == full, (short, full)


def test_abbreviations_are_a_copy_the_lexicon_cache_does_not_share() -> None:
    assert ABBREVIATIONS is not lexicon.abbreviations()


def test_every_trigger_thing_and_wording_is_folded() -> None:
    for table in (lexicon.action_triggers(), lexicon.things()):
        for key, wordings in table.items():
            assert _folded(key), key
            assert wordings and all(_folded(w) for w in wordings), key
    actions = lexicon.load("actions")
    for key in ("vague", "modifying", "granting", "asked"):
        assert all(_folded(w) for w in actions[key]), key
    assert set(actions["asked"]) <= set(actions["modifying"]) | {"huy", "xoa"}
    assert all(_folded(p) for p in lexicon.soft_phrases())
    for level, phrases in lexicon.level_phrases().items():
        assert phrases and all(_folded(p) for p in phrases), level
    wordings = lexicon.load("wordings")["wordings"]
    assert all(_folded(k) and _folded(v) for k, v in wordings.items())
    for slug, event in lexicon.load("life_events")["events"].items():
        assert event["triggers"] and all(_folded(w) for w in event["triggers"]), slug
        assert all(_folded(w) for w in event.get("excludes") or []), slug


def test_every_colloquial_phrase_is_folded_and_every_rule_adds_words() -> None:
    data = lexicon.load("colloquial")
    for key in ("openers", "phrases"):
        assert all(_folded(p) for p in data["background"][key]), key
    for key, phrases in data["cues"].items():
        assert phrases and all(_folded(p) for p in phrases), key
    for k, rule in enumerate(data["rules"]):
        assert set(rule) <= {"when", "with", "without", "add", "weight", "replace"}, k
        assert rule["when"] and rule["add"], k
        for key in ("when", "with", "without", "add"):
            assert all(_folded(p) for p in rule.get(key, [])), (k, key)
    for key, phrases in data["qualifiers"].items():
        assert phrases and all(_folded(p) for p in phrases), key
    assert lexicon.colloquial_rules() and lexicon.colloquial_rules()[0].add


def test_no_phrase_is_claimed_by_an_action_and_a_thing() -> None:
    both = set(lexicon.action_triggers()) & set(lexicon.things())
    assert not both


def test_no_phrase_is_listed_twice() -> None:
    soft = lexicon.soft_phrases()
    assert len(soft) == len(set(soft))
    levels = [p for phrases in lexicon.level_phrases().values() for p in phrases]
    assert len(levels) == len(set(levels))
    things = lexicon.load("things")
    # A country listed as a thing of its own would silently lose its country wordings.
    assert not set(things["countries"]) & set(things["things"])


def test_no_alias_is_claimed_twice_and_each_names_seeded_procedures() -> None:
    with gzip.open(PROCEDURES_SEED, "rt", encoding="utf-8") as handle:
        codes = {json.loads(line)["code"] for line in handle if line.strip()}
    seen: dict[str, list[str]] = {}
    for entry in lexicon.alias_seed():
        folded = " ".join(fold(entry["alias"]).split())
        assert folded not in seen, f"alias {entry['alias']!r} is written twice"
        seen[folded] = entry["codes"]
        assert set(entry["codes"]) <= codes, entry
        assert 0 <= float(entry.get("weight", 1.0)) <= 1.0, entry


def test_a_thing_that_is_also_an_alias_is_written_once_in_things() -> None:
    things = lexicon.load("things")["things"]
    aliases = {" ".join(fold(entry["alias"]).split()) for entry in lexicon.load("aliases")["aliases"]}
    assert not aliases & set(things), "write the alias under its thing in things.yml"
    for key, entry in things.items():
        if isinstance(entry, dict) and "alias" in entry:
            assert " ".join(fold(entry["alias"]["written"]).split()) == key


def test_levels_are_the_levels_ranking_knows() -> None:
    assert set(lexicon.level_phrases()) <= set(DEFAULT_WEIGHTS.level_preference())


def test_aspect_patterns_use_only_known_macros() -> None:
    aspects = lexicon.load("aspects")
    used = {
        name
        for patterns in aspects["patterns"].values()
        for p in patterns
        for name in re.findall(r"<(\w+)>", p)
    }
    assert used <= set(aspects["macros"])
    assert "blocking" in aspects["patterns"]
    assert set(aspects["shorthand"]["leave_out"]) <= set(ABBREVIATIONS)


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "aliases.yml").write_text("aliases:\n  - {alias: x}\n", encoding="utf-8")
    (tmp_path / "things.yml").write_text("things: {}\n", encoding="utf-8")
    with pytest.raises(lexicon.LexiconError):
        lexicon.alias_seed(tmp_path)
    (tmp_path / "aliases.yml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(lexicon.LexiconError):
        lexicon.alias_seed(tmp_path)
