"""Time-based one-time passwords (TOTP, RFC 6238) with the standard library only.

The parameters every authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP,
Aegis ...) takes by default: HMAC-SHA-1, 6 digits, 30-second steps. A code is accepted one step
early or late (clocks drift), and the caller keeps the last accepted step so that no code is accepted
twice (`match_step` only accepts steps after it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30
#: Steps accepted either side of the current one.
WINDOW = 1
#: Shown in the authenticator app above the account name.
ISSUER = "Trợ lý TTHC"
#: The clock codes are checked against (tests replace it).
_now = time.time


def new_secret() -> str:
    """A new random secret: 160 bits (RFC 4226's recommendation), base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(secret: str, counter: int) -> str:
    """The RFC 4226 code of `counter` (HMAC-SHA-1, dynamic truncation, `DIGITS` digits)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def step_at(at: float | None = None) -> int:
    """The time step of Unix time `at` (default: now)."""
    return int((_now() if at is None else at) // PERIOD)


def code_at(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows at Unix time `at` (default: now)."""
    return hotp(secret, step_at(at))


def match_step(secret: str, code: str, *, after: int | None = None, at: float | None = None) -> int | None:
    """The time step `code` belongs to (current one ± `WINDOW`), or None.

    Args:
        secret: the account's base32 secret.
        code: what the officer typed (spaces allowed).
        after: the last step already accepted: that one and earlier ones are refused (no reuse).
        at: Unix time to check at (default: now).
    """
    typed = code.replace(" ", "")
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    current = step_at(at)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Every candidate is compared (constant time each), whatever matched before.
        if hmac.compare_digest(hotp(secret, step), typed) and (after is None or step > after):
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI an authenticator app reads (typed in, or from a QR code)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
