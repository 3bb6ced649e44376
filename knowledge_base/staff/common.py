"""Small helpers shared by the staff workspace: the error type, time, and cleaning what staff type."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from vntext import nfc

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time in Vietnam


class StaffError(Exception):
    """A refusal with a message for the officer (Vietnamese) and an HTTP status."""

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        """Create the error.

        Args:
            message: what the officer reads.
            status: the HTTP status the API answers with.
            field: the form field at fault, if any.
        """
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime) -> dt.datetime:
    """`value` as an aware UTC datetime (SQLite hands back naive ones; everything is stored in UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def iso(value: dt.datetime | None) -> str | None:
    """An aware ISO 8601 string, or None."""
    return None if value is None else aware(value).isoformat()


_SPACES = re.compile(r"[^\S\n]+")


def _keep(char: str) -> bool:
    # Control characters, zero-width and other invisible format characters go; newlines stay.
    if char == "\n":
        return True
    return unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Normalise what an officer typed: NFC, no invisible or control characters, tidy spaces.

    Markup is kept as typed (it is stored and shown as text, never interpreted). Multi-line text
    keeps single line breaks but no blank lines: Rasa's channels split a message at blank lines.

    Args:
        value: the typed text.
        multiline: keep line breaks (answers, notes) instead of joining into one line.
    """
    text = nfc(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if _keep(ch))
    if not multiline:
        return " ".join(text.split())
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
