"""Settings of the app environment (action server, knowledge base, FastAPI app), from the environment only."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "tthc.db"
#: Shortest RASA_JWT_SECRET accepted in the prod profile.
MIN_RASA_JWT_SECRET = 32


class Settings(BaseSettings):
    """Process-wide settings; every value can be overridden by an environment variable of the same name."""

    # Errors never repeat the values: some are secrets (RASA_JWT_SECRET, DOSSIER_SOURCE_TOKEN).
    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", hide_input_in_errors=True
    )

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
    # The Rasa server's HTTP API (started with --enable-api --jwt-secret), used by the staff workspace
    # to send an officer's reply to the citizen. RASA_JWT_SECRET signs the app's tokens (at least 32
    # characters); RASA_API_TOKEN is its deprecated name, read when RASA_JWT_SECRET is unset.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_jwt_secret: str = Field(
        default="", validation_alias=AliasChoices("rasa_jwt_secret", "rasa_api_token")
    )
    rasa_timeout: float = 10.0
    # Staff workspace: sessions, login rate limit, uploads.
    staff_session_hours: float = 12.0
    staff_session_idle_minutes: float = 120.0
    # None: secure cookies in the prod profile only (local runs serve plain http on loopback).
    staff_cookie_secure: bool | None = None
    staff_login_max_failures: int = 5
    staff_login_window_minutes: float = 15.0
    staff_import_max_mb: float = 200.0
    # Longest a knowledge-base query may take for a citizen's answer (seconds): past it the action
    # gives up and the citizen is told to try again (PostgreSQL also cancels the statement).
    kb_query_timeout: float = 5.0
    # Key of the keyed hash that replaces sender ids in usage analytics; required in prod.
    analytics_hash_key: str = ""

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        if value not in {"local", "prod", "test"}:
            raise ValueError("PROFILE must be one of: local, prod, test")
        return value

    @model_validator(mode="after")
    def _strong_rasa_secret(self) -> Settings:
        # A short secret can be guessed offline from one captured token; only local runs may use one.
        if (
            self.profile == "prod"
            and self.rasa_jwt_secret
            and len(self.rasa_jwt_secret) < MIN_RASA_JWT_SECRET
        ):
            raise ValueError(f"RASA_JWT_SECRET must be at least {MIN_RASA_JWT_SECRET} characters")
        return self


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process (read once)."""
    return Settings()
