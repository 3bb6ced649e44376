"""Abbreviations and shorthand citizens type, mapped to folded (diacritic-free) full forms.

The table is data: `knowledge_base/lexicon/abbreviations.yml` (see its header for what belongs
there). Keys and values are folded (see `vntext.fold`).
"""

from __future__ import annotations

import re

from vntext.lexicon import abbreviations

# A copy of its own, so that code changing it (tests do) never changes the lexicon's cached table.
ABBREVIATIONS: dict[str, str] = dict(abbreviations())

_WORD = re.compile(r"[a-z0-9]+")


def expand(folded: str) -> str:
    """Replace whole-word abbreviations in an already folded text by their full folded forms."""
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)
