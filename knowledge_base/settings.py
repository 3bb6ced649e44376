"""Settings of the app environment (action server, knowledge base, FastAPI app), from the environment only."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "tthc.db"


class Settings(BaseSettings):
    """Process-wide settings; every value can be overridden by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    # SQLAlchemy URL of the knowledge base. Default: the embedded SQLite file under var/.
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # "local" (laptop, SQLite, in-memory stores) or "prod" (PostgreSQL + Redis).
    profile: str = "local"
    # Where answers say the national data comes from.
    source_name: str = "Cổng DVC quốc gia"
    # A provincial one-stop system's dossier API; unset: dossiers from the local database.
    dossier_source_url: str = ""
    dossier_source_token: str = ""
    dossier_source_timeout: float = 5.0
    # What the assistant tells a citizen when it hands over to people.
    desk_hotline: str = "1022"
    desk_hours: str = (
        "Bộ phận Một cửa làm việc từ thứ Hai đến thứ Sáu (sáng 7h30–11h30, chiều 13h30–17h00) "
        "và sáng thứ Bảy (7h30–11h30)"
    )
    # How long a handed-over conversation stays with staff before the bot answers again.
    handoff_timeout_minutes: float = 30.0
    # Wrong dossier checks (code + last 4 phone digits) allowed per conversation.
    dossier_max_tries: int = 3
    # The Rasa server's HTTP API (started with --enable-api --auth-token), used by the staff workspace
    # to send an officer's reply to the citizen.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = ""
    rasa_timeout: float = 10.0
    # Staff workspace: sessions, login rate limit, uploads.
    staff_session_hours: float = 12.0
    staff_session_idle_minutes: float = 120.0
    # None: secure cookies in the prod profile only (local runs serve plain http on loopback).
    staff_cookie_secure: bool | None = None
    staff_login_max_failures: int = 5
    staff_login_window_minutes: float = 15.0
    staff_import_max_mb: float = 200.0
    # Key of the keyed hash that replaces sender ids in usage analytics; required in prod.
    analytics_hash_key: str = ""

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        if value not in {"local", "prod", "test"}:
            raise ValueError("PROFILE must be one of: local, prod, test")
        return value


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (read once)."""
    return Settings()
