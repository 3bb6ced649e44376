"""Settings of the app environment (action server, knowledge base, FastAPI app), from the environment only.

The production profile refuses weak settings (`production_problems`): the app checks them when it
starts, and the shell can check the whole environment of a deployment first::

    python -m knowledge_base.settings check-production      # exit 1 with one line per problem
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "tthc.db"
#: Shortest RASA_JWT_SECRET accepted in the prod profile.
MIN_RASA_JWT_SECRET = 32
#: Shortest secret of any kind the prod profile accepts (keys we choose, not ones a provider issues).
MIN_SECRET_CHARS = 32


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
    # Wrong checks of one dossier code over every channel and the API before it is locked, how long
    # the lock lasts, and how long wrong checks are remembered (knowledge_base/dossier_checks.py).
    dossier_check_max_failures: int = Field(default=5, ge=1)
    dossier_check_lock_minutes: float = Field(default=15.0, gt=0)
    dossier_check_window_hours: float = Field(default=24.0, gt=0)
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
    # Failures per (username, address), and per username over every address (an address can be
    # forged or rotated, an account cannot), within the window; a success starts the count again.
    staff_login_max_failures: int = 5
    staff_login_account_max_failures: int = 10
    staff_login_window_minutes: float = 15.0
    # Two-step sign-in (TOTP) is required of admins in the prod profile; true: in every profile.
    staff_totp_admins: bool = False
    staff_import_max_mb: float = 200.0
    # What a national file import reads at most, uncompressed (MB of text) and in records: the 2,642
    # procedures of the 2026 national scrape are about 30 MB raw (knowledge_base/importer.py).
    import_max_uncompressed_mb: float = Field(default=256.0, gt=0)
    import_max_records: int = Field(default=20_000, ge=1)
    # Largest request body the app reads without a valid staff session, and with one (the national
    # file import, for an admin, takes STAFF_IMPORT_MAX_MB instead).
    app_anonymous_body_bytes: int = 64 * 1024
    app_staff_body_bytes: int = 1024 * 1024
    # Domains an FAQ answer may link to without a warning to the editor (and their subdomains).
    staff_official_domains: str = "gov.vn,chinhphu.vn"
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


# --------------------------------------------------------------------------------------------- #
# The production profile's refusals
# --------------------------------------------------------------------------------------------- #

#: Secrets we choose (generate) ourselves: never a placeholder, at least MIN_SECRET_CHARS characters
#: where `LONG_SECRETS` says so.
CHOSEN_SECRETS = (
    "RASA_JWT_SECRET",
    "RASA_API_TOKEN",
    "WEB_SESSION_SECRET",
    "ANALYTICS_HASH_KEY",
    "TELEGRAM_WEBHOOK_SECRET",
    "ACTION_SERVER_TOKEN",
    "REST_CHANNEL_TOKEN",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
)
#: Secrets a provider issues (their shape is theirs): only refused when plainly a template's text.
ISSUED_SECRETS = (
    "TELEGRAM_TOKEN",
    "ZALO_OA_SECRET_KEY",
    "ZALO_APP_SECRET",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
    "DOSSIER_SOURCE_TOKEN",
)
LONG_SECRETS = (
    "WEB_SESSION_SECRET",
    "ANALYTICS_HASH_KEY",
    "TELEGRAM_WEBHOOK_SECRET",
    "ACTION_SERVER_TOKEN",
    "REST_CHANNEL_TOKEN",
)
#: What templates and tutorials put where a secret goes.
_TEMPLATE_PARTS = (
    "changeme",
    "change-me",
    "change_me",
    "example",
    "placeholder",
    "your-",
    "your_",
    "replace",
)
#: ... and what people type instead of generating one.
_CHOSEN_PARTS = (
    *_TEMPLATE_PARTS,
    "secret",
    "password",
    "passwd",
    "matkhau",
    "xxx",
    "todo",
    "dummy",
    "default",
    "123456",
    "qwerty",
)
#: Whole values that are defaults somewhere (database and cache images, tutorials).
_PLACEHOLDER_VALUES = frozenset({"postgres", "redis", "admin", "root", "test", "dev", "tthc", "guest"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def is_placeholder(value: str, *, issued: bool = False) -> bool:
    """Whether a secret's value is a placeholder (or, for one we choose, too uniform to be random).

    Args:
        value: the secret.
        issued: the secret comes from a provider (bot token, OA key): only a template's text is refused.
    """
    lowered = value.strip().lower()
    if any(part in lowered for part in (_TEMPLATE_PARTS if issued else _CHOSEN_PARTS)):
        return True
    if issued:
        return False
    if lowered in _PLACEHOLDER_VALUES:
        return True
    # A random secret has many different characters; "kkkk..." or "abab..." does not.
    return len(set(lowered)) < min(8, max(1, len(lowered) // 2))


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def production_problems(env: Mapping[str, str] | None = None, *, stack: bool = False) -> list[str]:
    """What the prod profile refuses in `env` (default: this process's environment), one line each.

    Every line starts with the variable's name and never repeats its value.

    Args:
        env: the environment to check.
        stack: check the whole deployment's environment (the shell before `make run`), where the
            secrets of every server are required; otherwise only what the app itself needs is
            required, and the others are checked when set.
    """
    env = os.environ if env is None else env

    def get(name: str) -> str:
        return str(env.get(name, "") or "")

    problems: list[str] = []
    jwt_name = "RASA_JWT_SECRET" if get("RASA_JWT_SECRET") or not get("RASA_API_TOKEN") else "RASA_API_TOKEN"
    jwt = get(jwt_name)
    if not jwt:
        problems.append("RASA_JWT_SECRET is empty (the Rasa HTTP API would be unprotected)")
    elif len(jwt) < MIN_RASA_JWT_SECRET:
        problems.append(f"{jwt_name} must be at least {MIN_RASA_JWT_SECRET} characters")
    database_url = get("DATABASE_URL")
    if not database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://...) in prod")
    elif _url_password(database_url) and is_placeholder(_url_password(database_url)):
        problems.append("DATABASE_URL has a placeholder password")
    redis_password = _url_password(get("REDIS_URL"))
    if redis_password and is_placeholder(redis_password):
        problems.append("REDIS_URL has a placeholder password")
    if get("STAFF_COOKIE_SECURE").strip().lower() in _FALSE and get("STAFF_COOKIE_SECURE").strip():
        problems.append("STAFF_COOKIE_SECURE must not be false (staff sessions need HTTPS-only cookies)")
    # The app itself needs neither (the actions hash sender ids, the Rasa servers sign widget sessions).
    required = {"ANALYTICS_HASH_KEY", "WEB_SESSION_SECRET"} if stack else set()
    for name in LONG_SECRETS:
        value = get(name)
        if not value:
            if name in required:
                problems.append(f"{name} is not set (required in prod)")
        elif len(value) < MIN_SECRET_CHARS:
            problems.append(f"{name} must be at least {MIN_SECRET_CHARS} characters")
    for names, issued in ((CHOSEN_SECRETS, False), (ISSUED_SECRETS, True)):
        for name in names:
            value = get(name)
            if (
                value
                and is_placeholder(value, issued=issued)
                and not any(p.startswith(name) for p in problems)
            ):
                problems.append(f"{name} is a placeholder value; make one with: openssl rand -hex 32")
    return problems


class ProductionSettingsError(RuntimeError):
    """The prod profile's environment has weak or missing settings (the message names them)."""


def check_production(env: Mapping[str, str] | None = None, *, stack: bool = False) -> None:
    """Raise `ProductionSettingsError` naming every weak or missing setting of the prod profile."""
    problems = production_problems(env, stack=stack)
    if problems:
        raise ProductionSettingsError(
            'PROFILE=prod refuses these settings (README, "Production profile"): ' + "; ".join(problems)
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m knowledge_base.settings check-production``: exit 1 with the problems on stderr."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["check-production"]:
        print("usage: python -m knowledge_base.settings check-production", file=sys.stderr)
        return 2
    problems = production_problems(stack=True)
    for problem in problems:
        print(f"PROFILE=prod: {problem}", file=sys.stderr)
    if not problems:
        print("Production settings: ok.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
