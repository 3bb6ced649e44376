"""The staff pages' own rules: no network, no HTML built from strings, no inline scripts or styles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web" / "staff"
SCRIPTS = sorted((WEB / "assets").glob("*.js"))
PAGES = sorted(WEB.glob("*.html"))


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_never_turn_strings_into_html(path: Path) -> None:
    code = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("//")
    )
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, f"{path.name} uses {sink}"


@pytest.mark.parametrize("path", SCRIPTS + PAGES + [WEB / "assets" / "staff.css"], ids=lambda p: p.name)
def test_nothing_is_loaded_from_another_site(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), path.name
    assert "@import" not in text and "cdn" not in text.lower()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_script_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
    assert "<style" not in text and " style=" not in text and " on" + "click=" not in text
    assert '<html lang="vi">' in text
