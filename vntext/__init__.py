"""Vietnamese text helpers shared by both environments (standard library only).

`bot/` (inside the Rasa server) and `knowledge_base/` (the app environment) both need the same
notion of "the same word": NFC, case- and diacritic-insensitive, đ == d. Keeping it here, with no
third-party imports, lets both environments use one implementation without crossing the boundary
between them. The one exception is `vntext.lexicon`, which reads the citizen lexicon
(`knowledge_base/lexicon/*.yml`, by path) with PyYAML, present in both environments.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["fold", "fold_char", "nfc"]


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (composed) form, the form every component works on."""
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """Fold one character to lower-case ASCII-ish form, always returning exactly one character.

    Returning one character per input character keeps offsets aligned between a text and its
    folded form, which the tokenizer relies on.
    """
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    base = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    if len(base) != 1:
        return char.lower()[:1] or char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold(text: str) -> str:
    """Lower-case `text` and strip Vietnamese diacritics (đ -> d), keeping its length for NFC input.

    >>> fold("Đăng ký KHAI SINH")
    'dang ky khai sinh'
    """
    return "".join(fold_char(c) for c in nfc(text))
