"""The prod profile's seed has no demo dossiers: a citizen must never find a made-up dossier."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge_base import settings
from knowledge_base.db import session_scope
from knowledge_base.maintenance import setup_database
from knowledge_base.models import Dossier, Procedure


@pytest.mark.parametrize(("profile", "has_demo"), [("local", True), ("prod", False)])
def test_demo_dossiers_only_outside_prod(
    profile: str, has_demo: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILE", profile)
    settings.get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    try:
        setup_database(url)
        with session_scope(url) as session:
            assert session.scalar(select(func.count()).select_from(Procedure)) > 2000
            assert (session.scalar(select(func.count()).select_from(Dossier)) > 0) is has_demo
    finally:
        settings.get_settings.cache_clear()
