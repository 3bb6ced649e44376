"""The Rasa server's entry point: ``rasa run`` with the HTTP API's JWT secret kept off the command line.

    python -m bot.serve run --model ... --enable-api --jwt-method HS256 ...   (scripts/services.sh)

Any local user can read every process's command line (``/proc/<pid>/cmdline``), so
``rasa run --jwt-secret <secret>`` showed the key of the Rasa HTTP API to all of them. Here the secret
comes from this process's environment, which only its owner can read: ``RASA_JWT_SECRET``
(``RASA_API_TOKEN``, its deprecated name), or the file named by ``RASA_JWT_SECRET_FILE`` (a Docker or
Kubernetes secret; readable by its owner only, 0600). It is handed to Rasa inside this process
(``/proc/<pid>/cmdline`` keeps the arguments the process was started with, which never hold it) and
removed from the environment that Rasa's own child processes would inherit.

``--enable-api`` without a secret of at least `MIN_SECRET_CHARS` characters does not start: the API
reads and rewrites any conversation and is never served without authentication. ``--jwt-secret``
and ``--auth-token`` on the command line are refused for the same reason they are not used here.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path

#: Shortest JWT secret accepted (an HS256 key; the app checks the same in the prod profile).
MIN_SECRET_CHARS = 32
#: Environment variables the secret may come from; all are dropped once it is read.
SECRET_ENV = ("RASA_JWT_SECRET", "RASA_API_TOKEN")
SECRET_FILE_ENV = "RASA_JWT_SECRET_FILE"
#: Options that would put a secret on the command line.
REFUSED_OPTIONS = ("--jwt-secret", "--auth-token", "-t")


class SecretError(Exception):
    """The secret is missing, too short, or in a file others may read."""


def read_secret(environ: MutableMapping[str, str]) -> str:
    """The JWT secret from `environ` ("" when none is set); removes it from `environ`.

    Raises:
        SecretError: the file of ``RASA_JWT_SECRET_FILE`` is missing or readable by other users.
    """
    secret = next((environ[name] for name in SECRET_ENV if environ.get(name)), "")
    path = environ.get(SECRET_FILE_ENV, "")
    for name in (*SECRET_ENV, SECRET_FILE_ENV):
        environ.pop(name, None)
    if path:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise SecretError(f"{SECRET_FILE_ENV}: cannot read {path} ({error.strerror})") from None
        # Group read is allowed for the secret volumes of Kubernetes (fsGroup adds it); nothing more.
        if mode & 0o027:
            raise SecretError(f"{SECRET_FILE_ENV}: {path} is open to other users (chmod 600 it)")
        secret = text.strip()
    return secret.strip()


def rasa_arguments(arguments: Sequence[str], secret: str) -> list[str]:
    """The arguments for Rasa's command line parser: `arguments` plus the secret when the API is on.

    Raises:
        SecretError: a secret option on the command line, or the API without a (long enough) secret.
    """
    for argument in arguments:
        if argument.split("=", 1)[0] in REFUSED_OPTIONS:
            raise SecretError(
                f"{argument.split('=', 1)[0]} puts a secret on the command line, where every local user "
                "can read it: set RASA_JWT_SECRET (or RASA_JWT_SECRET_FILE) instead"
            )
    result = list(arguments)
    if "--enable-api" in result:
        if len(secret) < MIN_SECRET_CHARS:
            raise SecretError(
                f"--enable-api needs RASA_JWT_SECRET (or RASA_JWT_SECRET_FILE) of at least "
                f"{MIN_SECRET_CHARS} characters: the Rasa HTTP API is never served without it"
            )
        result += ["--jwt-secret", secret]
        if not any(a.split("=", 1)[0] == "--jwt-method" for a in result):
            result += ["--jwt-method", "HS256"]
    return result


def main(argv: Sequence[str] | None = None) -> None:
    """Run Rasa's command line with the secret added in memory."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        secret = read_secret(os.environ)
        # Only this list in memory holds the secret: the process's command line is fixed at exec.
        sys.argv = ["rasa", *rasa_arguments(arguments, secret)]
    except SecretError as error:
        raise SystemExit(f"The Rasa server was not started: {error}") from None
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
