"""Where the Zalo OA access/refresh token pair lives between restarts.

A Zalo refresh token works once: every refresh returns a new pair and the old refresh token is dead.
If the new pair were only kept in memory, a restart would fall back to the (already used) pair from
the environment and the OA would be locked out until someone generates a new pair by hand. So the
current pair is written to a JSON file after every refresh, atomically (temporary file + rename, so
a crash never leaves half a file) and readable by the owner only, and read at start in preference
to the environment's pair.

Nothing here logs a token; `TokenPair`'s repr hides them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

#: Default place of the token file (relative to the working directory, i.e. the repository).
DEFAULT_TOKEN_FILE = "var/zalo_tokens.json"


@dataclass(frozen=True)
class TokenPair:
    """An OA access token and the refresh token that replaces it."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    #: When the pair was obtained (Unix seconds; 0 when unknown, e.g. given in the environment).
    obtained_at: float = 0.0
    #: Lifetime Zalo announced for the access token, in seconds (0 when unknown).
    expires_in: int = 0


class TokenStore:
    """The current token pair: from the file when it holds one, else from the environment.

    Args:
        path: the JSON file the pair is persisted to (its folder is created when missing).
        initial: the pair from the environment, used while the file holds none.
    """

    def __init__(self, path: str | os.PathLike[str], initial: TokenPair | None = None) -> None:
        self.path = Path(path)
        self._initial = initial
        self._current = self.read_file() or initial

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> TokenStore:
        """The store configured by ZALO_TOKEN_FILE, ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN."""
        env = os.environ if environ is None else environ
        access, refresh = env.get("ZALO_ACCESS_TOKEN", ""), env.get("ZALO_REFRESH_TOKEN", "")
        initial = TokenPair(access, refresh) if access else None
        return cls(env.get("ZALO_TOKEN_FILE") or DEFAULT_TOKEN_FILE, initial)

    @property
    def current(self) -> TokenPair | None:
        """The pair to use now (None when neither the file nor the environment gives one)."""
        return self._current

    def read_file(self) -> TokenPair | None:
        """The pair in the file, or None when there is no usable file (never raises)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # A damaged file must not stop the channel; the environment's pair is the fallback.
            logger.warning("Zalo token file %s is unreadable; using the pair from the environment", self.path)
            return None
        if not isinstance(data, dict):
            return None
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            return None
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            obtained_at=float(data.get("obtained_at") or 0),
            expires_in=int(data.get("expires_in") or 0),
        )

    def reload(self) -> TokenPair | None:
        """Take the file's pair when it differs from the one in memory (another process refreshed).

        Returns:
            The current pair after the check.
        """
        on_disk = self.read_file()
        if on_disk is not None and on_disk != self._current:
            self._current = on_disk
        return self._current

    def save(self, pair: TokenPair) -> None:
        """Make `pair` current and write it to the file atomically with mode 0600.

        Raises:
            OSError: the file could not be written (the pair is still current in memory).
        """
        self._current = pair
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "obtained_at": pair.obtained_at or time.time(),
            "expires_in": pair.expires_in,
        }
        # mkstemp creates the file with mode 0600 before anything is written to it.
        fd, tmp_name = tempfile.mkstemp(prefix=".zalo_tokens.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o600)
            os.replace(tmp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        # The rename is durable only once the folder entry is on disk.
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
