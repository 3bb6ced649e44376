"""Copy the training data into a build folder, adding the surface variants citizens type.

``nlu_data/`` is the hand-edited source. This script writes ``build/nlu_data/`` (gitignored), the
folder ``rasa train`` reads: every file copied as is, and under each intent of ``nlu/*.yml`` at
most one variant per example, typed the way chat messages vary:

- without diacritics ("đăng ký khai sinh" -> "dang ky khai sinh"), for an example that has them;
- with shorthand ("không" -> "ko", "hồ sơ" -> "hs"), the abbreviations of
  ``vntext.abbreviations.ABBREVIATIONS`` read backwards.

Each example's variant comes from a random source seeded with the example's own text, so editing,
adding or removing one example never changes another one's variant, and the build is the same on
every run. A variant whose folded form (without punctuation) belongs to another intent, or whose
text is already there, is left out: augmentation never puts one text under two intents. Entity
annotations (``[000.00.12.H37-251012-0003](dossier_code)``) are kept verbatim.

Usage (from the repository root; PyYAML comes with Rasa)::

    .venv-bot/bin/python scripts/augment_nlu.py                  # nlu_data -> build/nlu_data
    .venv-bot/bin/python scripts/augment_nlu.py --src D --out O  # other folders
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script (scripts/ is not a package): make the repository's vntext importable.
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402  (PyYAML comes with Rasa)

from vntext import fold, nfc  # noqa: E402
from vntext.abbreviations import ABBREVIATIONS  # noqa: E402

# A variant drops the diacritics of an accented example with this probability (else shorthand,
# when the example has a word to shorten); unaccented text is mostly typed in lower case.
UNACCENTED_RATE = 0.7
LOWER_CASE_RATE = 0.85
# Each full form found in the example is shortened with this probability.
SHORTEN_RATE = 0.6

# `[text](entity)`, `[text](entity:value)`, `[text]{...}`: Rasa's entity annotations stay as they are.
_ANNOTATION_RE = re.compile(r"\[[^\]]+\](?:\([^)]+\)|\{[^}]+\}|\[[^\]]*\])")
_PUNCTUATION_RE = re.compile(r"[?.,!:;]")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (đ -> d) but keep the letter case."""
    out = []
    for char in nfc(text):
        if char in "đĐ":
            out.append("d" if char == "đ" else "D")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
        out.append(base or char)
    return nfc("".join(out))


def has_diacritics(text: str) -> bool:
    """Whether `text` has any Vietnamese diacritic (or đ)."""
    return strip_diacritics(text) != nfc(text)


def example_key(text: str) -> str:
    """The form two examples are compared in: folded, annotations as one token, no punctuation."""
    text = _ANNOTATION_RE.sub(" ENTITY ", text)
    return " ".join(_PUNCTUATION_RE.sub(" ", fold(text)).split())


def _shorthand_table(abbreviations: dict[str, str]) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    """Folded full forms -> the abbreviations citizens type for them, longest full form first.

    Longest first so that "can cuoc cong dan" becomes "cccd" before "cong dan" could be touched.
    """
    by_full: dict[str, list[str]] = {}
    for short, full in abbreviations.items():
        # A one-word "abbreviation" longer than its full form is a spelling, not shorthand.
        if short != full and len(short) < len(full):
            by_full.setdefault(full, []).append(short)
    return [
        (re.compile(rf"(?<!\w){re.escape(full)}(?!\w)"), tuple(sorted(shorts)))
        for full, shorts in sorted(by_full.items(), key=lambda item: (-len(item[0]), item[0]))
    ]


_SHORTHAND = _shorthand_table(ABBREVIATIONS)


def _seeded(text: str) -> random.Random:
    """A random source of one example's own: seeded by its text, independent of every other."""
    digest = hashlib.sha256(nfc(text).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _map_plain(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of `text` outside entity annotations."""
    parts, last = [], 0
    for match in _ANNOTATION_RE.finditer(text):
        parts += [change(text[last : match.start()]), match.group()]
        last = match.end()
    parts.append(change(text[last:]))
    return "".join(parts)


def _shorten(text: str, rng: random.Random) -> str:
    """Replace full forms by shorthand, matching folded text so that accented words match too.

    `fold` keeps the length of NFC text, so a match in the folded text has the same offsets in the
    original; replaced spans never overlap because each later pattern sees the text as changed.
    """
    text = nfc(text)
    for pattern, shorts in _SHORTHAND:
        matches = list(pattern.finditer(fold(text)))
        if not matches or rng.random() >= SHORTEN_RATE:
            continue
        short = rng.choice(shorts)
        for match in reversed(matches):
            text = text[: match.start()] + short + text[match.end() :]
    return text


def variant(text: str) -> str | None:
    """The one surface variant of an example, or None when it has none (nothing to change).

    Args:
        text: One training example, in Rasa's annotated form.

    Returns:
        The example without diacritics or with shorthand; None if that changes nothing.
    """
    rng = _seeded(text)
    accented = has_diacritics(_ANNOTATION_RE.sub("", text))
    if accented and rng.random() < UNACCENTED_RATE:
        changed = _map_plain(text, strip_diacritics)
        if rng.random() < LOWER_CASE_RATE:
            changed = _map_plain(changed, str.lower)
    else:
        changed = _map_plain(text, lambda part: _shorten(part, rng))
        if changed == nfc(text) and accented:
            # Nothing to shorten: the unaccented form is the variant after all.
            changed = _map_plain(text, strip_diacritics)
    return None if changed == nfc(text) else changed


def _examples(block: str) -> list[str]:
    """The `- example` lines of an `examples: |` block."""
    return [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]


def augment(items_by_file: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Add one variant under each intent example, unless it would repeat any example.

    Args:
        items_by_file: The ``nlu:`` items of each NLU file (intents, regexes, synonyms, lookups).

    Returns:
        The same items with every intent's examples followed by their new variants.
    """
    # Folded form -> its intent. A variant without diacritics folds like its own example (that is
    # the point: it teaches the segmentation of unaccented text), so only another intent's claim
    # on the folded form, or the very same text, keeps a variant out.
    owner = {
        example_key(text): item["intent"]
        for items in items_by_file.values()
        for item in items
        if "intent" in item
        for text in _examples(item.get("examples", ""))
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, items in items_by_file.items():
        out[name] = []
        for item in items:
            if "intent" not in item:
                out[name].append(item)
                continue
            texts = _examples(item.get("examples", ""))
            present = {nfc(text) for text in texts}
            added = []
            for text in texts:
                new = variant(text)
                if (
                    new is None
                    or new in present
                    or owner.setdefault(example_key(new), item["intent"]) != item["intent"]
                ):
                    continue
                present.add(new)
                added.append(new)
            lines = "".join(f"- {text}\n" for text in texts + added)
            out[name].append({**item, "examples": lines})
    return out


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings (`examples`) as `|` blocks, the way Rasa's files are written."""


def _literal_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LiteralDumper.add_representer(str, _literal_str)


def _nlu_files(src: Path) -> Iterable[Path]:
    """YAML files of `src` with an ``nlu:`` section (where they sit does not matter to Rasa)."""
    for path in sorted(src.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(content, dict) and content.get("nlu"):
            yield path


def build(src: Path, out: Path) -> tuple[int, int]:
    """Write `out` as a copy of `src` whose NLU files carry the variants too.

    Args:
        src: The source folder (``nlu_data``).
        out: The build folder, replaced as a whole (stale files never linger).

    Returns:
        The number of examples in the source and the number of variants added.
    """
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src, out)
    paths = list(_nlu_files(src))
    contents = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in paths}
    items = {str(path): contents[path]["nlu"] for path in paths}
    augmented = augment(items)
    before = after = 0
    for path in paths:
        for old, new in zip(items[str(path)], augmented[str(path)], strict=True):
            if "intent" in old:
                before += len(_examples(old.get("examples", "")))
                after += len(_examples(new["examples"]))
        target = out / path.relative_to(src)
        header = f"# Built by scripts/augment_nlu.py from {path.relative_to(src.parent)}: do not edit.\n"
        body = yaml.dump(
            {**contents[path], "nlu": augmented[str(path)]},
            Dumper=_LiteralDumper,
            allow_unicode=True,
            sort_keys=False,
            width=10_000,
        )
        target.write_text(header + body, encoding="utf-8")
    return before, after - before


def main(argv: list[str] | None = None) -> int:
    """Build the training data folder and print how many variants were added."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "nlu_data", help="source folder (nlu_data)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "nlu_data", help="build folder")
    args = parser.parse_args(argv)
    examples, added = build(args.src, args.out)
    print(f"{args.out}: {examples} examples + {added} variants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
