"""Personal data out of text that goes to logs, tickets and analytics."""

from __future__ import annotations

import re

from vntext.patterns import ID_NUMBER, PHONE

# Longer runs of digits (bank accounts, unformatted IDs) are personal as often as not.
_LONG_DIGITS_RE = re.compile(r"(?<![0-9])[0-9]{8,}(?![0-9])")
_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def redact(text: str) -> str:
    """Replace e-mail addresses, phone numbers, CMND/CCCD numbers and long digit runs with placeholders.

    Dossier codes and procedure codes are kept (they identify the case, not the person).
    """
    text = _EMAIL_RE.sub("[EMAIL]", text)
    text = PHONE.sub("[SĐT]", text)
    text = ID_NUMBER.sub("[SỐ ĐỊNH DANH]", text)
    return _LONG_DIGITS_RE.sub("[SỐ]", text)
